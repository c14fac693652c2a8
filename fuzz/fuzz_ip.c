/*
 * fuzz_ip.c - libFuzzer harness for sx_decode_ip(): IPv4 (options,
 * fragments), IPv6 (extension headers), TCP and UDP.
 *
 * Input: a packet from its IP header on.
 */
#include "fuzz_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sx_frame f;
    int st;

    st = sx_decode_ip(data, size, &f);
    fz_frame_check(st, &f, data, size);
    if (st == SX_DEC_OK && f.has_ports)
        fz_check(f.l4 == 6 || f.l4 == 17);
    return 0;
}
