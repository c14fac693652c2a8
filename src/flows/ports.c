/*
 * ports.c - the compiled-in table of fixed (well-known) ports.
 *
 * SPEC stage 2, step 2: the union of Debian 12's /etc/services (generated
 * into ports_table.h), the reference's application ports and the device
 * ports seen in smart-home traffic.  Being compiled in, the answer is the
 * same on every machine.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sx_int.h"
#include "flows/ports_table.h"

/* The reference's application-layer ports and common device ports. */
static const uint16_t sx_extra_tcp[] = {20, 53, 80, 443, 3478, 5000, 5683,
                                        8800, 9999};
static const uint16_t sx_extra_udp[] = {53, 67, 68, 123, 1900, 3478, 5353,
                                        5683, 9999, 20002};

static bool in_sorted(const uint16_t *tab, size_t n, uint16_t port)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tab[mid] == port)
            return true;
        if (tab[mid] < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool in_list(const uint16_t *tab, size_t n, uint16_t port)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i] == port)
            return true;
    return false;
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

bool sx_port_is_fixed(uint8_t transport, uint16_t port)
{
    if (transport == 6)
        return in_sorted(sx_services_tcp, NELEM(sx_services_tcp), port) ||
               in_list(sx_extra_tcp, NELEM(sx_extra_tcp), port);
    if (transport == 17)
        return in_sorted(sx_services_udp, NELEM(sx_services_udp), port) ||
               in_list(sx_extra_udp, NELEM(sx_extra_udp), port);
    return false;
}
