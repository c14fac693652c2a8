/*
 * test_dhcp.c - BOOTP header, client MAC and DHCP message type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

/* BOOTREQUEST, Ethernet (htype 1, hlen 6), xid 0x3903f326, broadcast
 * flag, zero addresses, chaddr 00:05:3c:04:8d:59 (padded to 16). */
static const uint8_t bootp_request[44] = {
    0x01, 0x01, 0x06, 0x00, 0x39, 0x03, 0xf3, 0x26,
    0x00, 0x00, 0x80, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0,
    0x00, 0x05, 0x3c, 0x04, 0x8d, 0x59, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Magic cookie 99.130.83.99. */
static const uint8_t cookie[4] = {0x63, 0x82, 0x53, 0x63};

static uint8_t msg[600];

/* msg = header + zero sname/file + cookie + opts; returns its length. */
static size_t build(const uint8_t *hdr, const uint8_t *opts, size_t olen)
{
    memset(msg, 0, sizeof(msg));
    memcpy(msg, hdr, 44);
    memcpy(msg + 236, cookie, 4);
    if (olen > 0)
        memcpy(msg + 240, opts, olen);
    return 240 + olen;
}

static void test_discover(void **state)
{
    /* Options: pad, pad, message type 1 (DISCOVER), client id, end. */
    static const uint8_t opts[] = {
        0x00, 0x00, 0x35, 0x01, 0x01,
        0x3d, 0x07, 0x01, 0x00, 0x05, 0x3c, 0x04, 0x8d, 0x59, 0xff,
    };
    static const uint8_t mac[6] = {0x00, 0x05, 0x3c, 0x04, 0x8d, 0x59};
    struct sx_dhcp_msg m;
    size_t n = build(bootp_request, opts, sizeof(opts));

    (void)state;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 1);
    assert_memory_equal(m.chaddr, mac, 6);
}

static void test_type_after_other_options(void **state)
{
    /* Options: requested address 192.168.0.10, parameter list (1, 3, 6),
     * message type 3 (REQUEST), end. */
    static const uint8_t opts[] = {
        0x32, 0x04, 0xc0, 0xa8, 0x00, 0x0a, 0x37, 0x03, 0x01, 0x03, 0x06,
        0x35, 0x01, 0x03, 0xff,
    };
    struct sx_dhcp_msg m;
    size_t n = build(bootp_request, opts, sizeof(opts));

    (void)state;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 3);
}

static void test_overload(void **state)
{
    /* Options: overload 3 (file and sname hold options), end.  The file
     * field (offset 108) holds message type 5 (ACK); the sname field
     * (offset 44), read after it, another type that must not win. */
    static const uint8_t opts[] = {0x34, 0x01, 0x03, 0xff};
    static const uint8_t in_file[] = {0x00, 0x35, 0x01, 0x05, 0xff};
    static const uint8_t in_sname[] = {0x35, 0x01, 0x02, 0xff};
    struct sx_dhcp_msg m;
    size_t n = build(bootp_request, opts, sizeof(opts));

    (void)state;
    memcpy(msg + 108, in_file, sizeof(in_file));
    memcpy(msg + 44, in_sname, sizeof(in_sname));
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 5);
    assert_false(m.malformed);

    /* Overload 2: sname only, so the file field is a file name. */
    msg[242] = 0x02;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 2);

    /* No option 52: neither field is read for options. */
    msg[240] = 0xff;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 0);
}

static void test_no_type(void **state)
{
    /* Options: end first, then a message type that must not be read. */
    static const uint8_t after_end[] = {0xff, 0x35, 0x01, 0x05};
    /* Options: an option whose length runs past the data. */
    static const uint8_t cut[] = {0x0c, 0x20, 'h', 'o', 's', 't'};
    /* Options: message type with length 0. */
    static const uint8_t empty[] = {0x35, 0x00, 0xff};
    struct sx_dhcp_msg m;
    size_t n;

    (void)state;
    n = build(bootp_request, after_end, sizeof(after_end));
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 0);
    n = build(bootp_request, cut, sizeof(cut));
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 0);
    n = build(bootp_request, empty, sizeof(empty));
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 0);

    /* No options at all, just the cookie. */
    n = build(bootp_request, NULL, 0);
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 0);
    assert_int_equal(m.chaddr[5], 0x59);
}

static void test_plain_bootp(void **state)
{
    /* Options bytes that would say ACK, behind a wrong cookie. */
    static const uint8_t opts[] = {0x35, 0x01, 0x05, 0xff};
    struct sx_dhcp_msg m;
    size_t n = build(bootp_request, opts, sizeof(opts));

    (void)state;
    msg[236] = 0;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 0);
    assert_int_equal(m.chaddr[1], 0x05);
}

static void test_rejected(void **state)
{
    static const uint8_t opts[] = {0x35, 0x01, 0x02, 0xff};
    struct sx_dhcp_msg m;
    size_t n = build(bootp_request, opts, sizeof(opts));

    (void)state;
    /* Cut before the cookie. */
    assert_int_equal(sx_dhcp_parse(msg, 239, &m), -1);
    /* op 3 is neither request nor reply. */
    msg[0] = 3;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), -1);
    /* hlen 17: longer than chaddr. */
    msg[0] = 2;
    msg[2] = 17;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), -1);
    /* hlen 8 (not Ethernet): parsed, MAC left zero. */
    msg[2] = 8;
    assert_int_equal(sx_dhcp_parse(msg, n, &m), 0);
    assert_int_equal(m.msg_type, 2);
    assert_int_equal(m.chaddr[1], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discover),
        cmocka_unit_test(test_type_after_other_options),
        cmocka_unit_test(test_overload),
        cmocka_unit_test(test_no_type),
        cmocka_unit_test(test_plain_bootp),
        cmocka_unit_test(test_rejected),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
