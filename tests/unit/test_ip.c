/*
 * test_ip.c - IPv4 (options, fragments, lengths), IPv6 (extension
 * headers, fragments) and the TCP/UDP headers behind them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

#define V6_SRC 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define V6_DST 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02

/* IPv4 10.0.0.1 -> 10.0.0.2, total length 32, UDP 54321 -> 53, UDP
 * length 12, payload "abcd".  Tests below copy and bend it. */
static const uint8_t udp4[] = {
    0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
    0x40, 0x11, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
    0xd4, 0x31, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00,
    'a', 'b', 'c', 'd',
};

/* IPv4 with IHL 6 (options NOP NOP NOP EOL), total length 47, DF,
 * 10.0.0.1 -> 10.0.0.2, TCP 1234 -> 80, data offset 5, PSH|ACK,
 * payload "GET". */
static const uint8_t tcp4_opts[] = {
    0x46, 0x00, 0x00, 0x2f, 0x00, 0x01, 0x40, 0x00,
    0x40, 0x06, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
    0x01, 0x01, 0x01, 0x00,
    0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x50, 0x18, 0x72, 0x10,
    0x00, 0x00, 0x00, 0x00,
    'G', 'E', 'T',
};

static uint8_t pkt[512];

static void test_ipv4_udp(void **state)
{
    static const uint8_t src[4] = {10, 0, 0, 1};
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(udp4, sizeof(udp4), &f), SX_DEC_OK);
    assert_int_equal(f.ipver, 4);
    assert_int_equal(f.l4, 17);
    assert_memory_equal(f.src, src, 4);
    assert_true(f.has_ports);
    assert_false(f.malformed);
    assert_false(f.truncated);
    assert_false(f.fragment);
    assert_int_equal(f.sport, 54321);
    assert_int_equal(f.dport, 53);
    assert_int_equal(f.payload.len, 4);
    assert_int_equal(f.payload_wire, 4);
}

static void test_ipv4_options_tcp(void **state)
{
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(tcp4_opts, sizeof(tcp4_opts), &f),
                     SX_DEC_OK);
    assert_int_equal(f.l4, 6);
    assert_true(f.has_ports);
    assert_false(f.malformed);
    assert_int_equal(f.sport, 1234);
    assert_int_equal(f.dport, 80);
    assert_int_equal(f.tcp_flags, 0x18);
    assert_int_equal(f.ip_len, 47);
    assert_int_equal(f.payload.len, 3);
    assert_memory_equal(f.payload.p, "GET", 3);

    /* Captured up to the middle of the options: no transport header. */
    assert_int_equal(sx_decode_ip(tcp4_opts, 22, &f), SX_DEC_OK);
    assert_true(f.truncated);
    assert_false(f.has_ports);
}

static void test_tcp_options_syn(void **state)
{
    /* IPv4 total 44, TCP 40000 -> 443 SYN, data offset 6 (MSS 1460),
     * no payload. */
    static const uint8_t syn[] = {
        0x45, 0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00,
        0x40, 0x06, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
        0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xff, 0xff,
        0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
    };
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(syn, sizeof(syn), &f), SX_DEC_OK);
    assert_true(f.has_ports);
    assert_int_equal(f.tcp_flags, 0x02);
    assert_int_equal(f.dport, 443);
    assert_int_equal(f.payload.len, 0);
    assert_int_equal(f.payload_wire, 0);
    assert_false(f.malformed);

    /* Cut inside the MSS option: ports and flags, no payload. */
    assert_int_equal(sx_decode_ip(syn, sizeof(syn) - 2, &f), SX_DEC_OK);
    assert_true(f.truncated);
    assert_true(f.has_ports);
    assert_int_equal(f.tcp_flags, 0x02);
}

static void test_ipv4_fragments(void **state)
{
    /* First fragment (MF, offset 0), total 36, UDP 12345 -> 53 whose
     * length (1000) covers later fragments, 8 payload bytes here. */
    static const uint8_t first[] = {
        0x45, 0x00, 0x00, 0x24, 0x12, 0x34, 0x20, 0x00,
        0x40, 0x11, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
        0x30, 0x39, 0x00, 0x35, 0x03, 0xe8, 0x00, 0x00,
        1, 2, 3, 4, 5, 6, 7, 8,
    };
    /* Later fragment (offset 185 = byte 1480, last), total 28: its 8
     * bytes look like a UDP header but are data. */
    static const uint8_t later[] = {
        0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0xb9,
        0x40, 0x11, 0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
        0x30, 0x39, 0x00, 0x35, 0x00, 0x10, 0x00, 0x00,
    };
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(first, sizeof(first), &f), SX_DEC_OK);
    assert_false(f.fragment);
    assert_true(f.has_ports);
    assert_false(f.malformed);
    assert_int_equal(f.sport, 12345);
    assert_int_equal(f.payload.len, 8);
    assert_int_equal(f.payload_wire, 8);

    assert_int_equal(sx_decode_ip(later, sizeof(later), &f), SX_DEC_OK);
    assert_true(f.fragment);
    assert_false(f.has_ports);
    assert_int_equal(f.l4, 17);
    assert_int_equal(f.sport, 0);
}

static void test_ipv4_malformed(void **state)
{
    struct sx_frame f;

    (void)state;
    /* IHL 4 (16 bytes, below the minimum 20): addresses, nothing more. */
    memcpy(pkt, udp4, sizeof(udp4));
    pkt[0] = 0x44;
    assert_int_equal(sx_decode_ip(pkt, sizeof(udp4), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_false(f.has_ports);
    assert_int_equal(f.dst[3], 2);

    /* Total length 16, shorter than the 20-byte header. */
    memcpy(pkt, udp4, sizeof(udp4));
    pkt[3] = 0x10;
    assert_int_equal(sx_decode_ip(pkt, sizeof(udp4), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_false(f.has_ports);

    /* Version 5. */
    memcpy(pkt, udp4, sizeof(udp4));
    pkt[0] = 0x55;
    assert_int_equal(sx_decode_ip(pkt, sizeof(udp4), &f), SX_DEC_MALFORMED);

    /* 19 bytes: the fixed header is cut. */
    assert_int_equal(sx_decode_ip(udp4, 19, &f), SX_DEC_TRUNCATED);
    assert_true(f.truncated);
}

static void test_ipv4_tso_zero_length(void **state)
{
    struct sx_frame f;

    /* tcp4_opts with total length 0, as captured before segmentation
     * offload: the 47 captured bytes are the packet. */
    (void)state;
    memcpy(pkt, tcp4_opts, sizeof(tcp4_opts));
    pkt[2] = 0;
    pkt[3] = 0;
    assert_int_equal(sx_decode_ip(pkt, sizeof(tcp4_opts), &f), SX_DEC_OK);
    assert_false(f.malformed);
    assert_false(f.truncated);
    assert_int_equal(f.ip_len, 47);
    assert_int_equal(f.payload.len, 3);
}

static void test_tcp_malformed(void **state)
{
    struct sx_frame f;

    (void)state;
    /* tcp4_opts with data offset 4 (16 bytes < 20): ports still usable,
     * payload unknown. */
    memcpy(pkt, tcp4_opts, sizeof(tcp4_opts));
    pkt[36] = 0x40;
    assert_int_equal(sx_decode_ip(pkt, sizeof(tcp4_opts), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_true(f.has_ports);
    assert_int_equal(f.dport, 80);
    assert_int_equal(f.payload.len, 0);

    /* Data offset 15 (60 bytes) in a 23-byte segment. */
    pkt[36] = 0xf0;
    assert_int_equal(sx_decode_ip(pkt, sizeof(tcp4_opts), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_true(f.has_ports);
    assert_int_equal(f.payload.len, 0);

    /* tcp4_opts with total length 30: a 6-byte segment, shorter than a
     * TCP header.  The ports are in it. */
    memcpy(pkt, tcp4_opts, sizeof(tcp4_opts));
    pkt[3] = 30;
    assert_int_equal(sx_decode_ip(pkt, sizeof(tcp4_opts), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_true(f.has_ports);
    assert_int_equal(f.tcp_flags, 0);
}

static void test_udp_lengths(void **state)
{
    struct sx_frame f;

    (void)state;
    /* UDP length 4 (< 8): malformed, the IP length bounds the payload. */
    memcpy(pkt, udp4, sizeof(udp4));
    pkt[25] = 4;
    assert_int_equal(sx_decode_ip(pkt, sizeof(udp4), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_true(f.has_ports);
    assert_int_equal(f.payload.len, 4);

    /* UDP length 100, beyond the 12-byte IP payload, not a fragment. */
    pkt[25] = 100;
    assert_int_equal(sx_decode_ip(pkt, sizeof(udp4), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_int_equal(f.payload.len, 4);

    /* UDP length 10: two payload bytes, the other two are not UDP's,
     * which the lengths disagreeing makes malformed. */
    pkt[25] = 10;
    assert_int_equal(sx_decode_ip(pkt, sizeof(udp4), &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_int_equal(f.payload.len, 2);
    assert_int_equal(f.payload_wire, 2);

    /* Cut after the ports: has_ports, nothing else. */
    assert_int_equal(sx_decode_ip(udp4, 24, &f), SX_DEC_OK);
    assert_true(f.truncated);
    assert_true(f.has_ports);
    assert_int_equal(f.payload.len, 0);

    /* Cut after two bytes of the source port: no ports. */
    assert_int_equal(sx_decode_ip(udp4, 22, &f), SX_DEC_OK);
    assert_false(f.has_ports);
}

static void test_ipv6_hbh_routing(void **state)
{
    /* IPv6 2001:db8::1 -> 2001:db8::2, payload length 42: hop-by-hop
     * (PadN), routing type 0 with one address (24 bytes), UDP 1000 ->
     * 2000 length 10, payload "hi". */
    static const uint8_t p[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x40, V6_SRC, V6_DST,
        0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x11, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x03,
        0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0a, 0x00, 0x00, 'h', 'i',
    };
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(p, sizeof(p), &f), SX_DEC_OK);
    assert_int_equal(f.ipver, 6);
    assert_int_equal(f.l4, 17);
    assert_true(f.has_ports);
    assert_false(f.malformed);
    assert_int_equal(f.sport, 1000);
    assert_int_equal(f.dport, 2000);
    assert_int_equal(f.ip_len, 82);
    assert_int_equal(f.payload.len, 2);
    assert_memory_equal(f.payload.p, "hi", 2);

    /* Captured up to 10 bytes into the routing header. */
    assert_int_equal(sx_decode_ip(p, 40 + 8 + 10, &f), SX_DEC_OK);
    assert_true(f.truncated);
    assert_false(f.has_ports);
    assert_int_equal(f.l4, 43);

    /* Captured up to "h": payload cut. */
    assert_int_equal(sx_decode_ip(p, sizeof(p) - 1, &f), SX_DEC_OK);
    assert_true(f.truncated);
    assert_int_equal(f.payload.len, 1);
    assert_int_equal(f.payload_wire, 2);
}

static void test_ipv6_fragments(void **state)
{
    /* IPv6, payload 24: fragment header (offset 0, M set, id 42), UDP
     * 5000 -> 5001 whose length (1500) covers later fragments. */
    static const uint8_t first[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x2c, 0x40, V6_SRC, V6_DST,
        0x11, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a,
        0x13, 0x88, 0x13, 0x89, 0x05, 0xdc, 0x00, 0x00,
        1, 2, 3, 4, 5, 6, 7, 8,
    };
    /* IPv6, payload 16: fragment header (offset 181 = byte 1448, last
     * fragment), then 8 bytes of UDP data. */
    static const uint8_t later[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x2c, 0x40, V6_SRC, V6_DST,
        0x11, 0x00, 0x05, 0xa8, 0x00, 0x00, 0x00, 0x2a,
        0x13, 0x88, 0x13, 0x89, 0x00, 0x10, 0x00, 0x00,
    };
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(first, sizeof(first), &f), SX_DEC_OK);
    assert_false(f.fragment);
    assert_true(f.has_ports);
    assert_false(f.malformed);
    assert_int_equal(f.sport, 5000);
    assert_int_equal(f.payload.len, 8);

    assert_int_equal(sx_decode_ip(later, sizeof(later), &f), SX_DEC_OK);
    assert_true(f.fragment);
    assert_false(f.has_ports);
    assert_int_equal(f.l4, 17);
}

static void test_ipv6_dstopts_ah_tcp(void **state)
{
    /* IPv6, payload 52: destination options (PadN), AH (payload length
     * 4 = 24 bytes, SPI 256, sequence 1, 12-byte ICV), TCP 1234 -> 80
     * ACK, no payload. */
    static const uint8_t p[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x3c, 0x40, V6_SRC, V6_DST,
        0x33, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x06, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
        0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x04, 0xd2, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x50, 0x10, 0x01, 0x00,
        0x00, 0x00, 0x00, 0x00,
    };
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(p, sizeof(p), &f), SX_DEC_OK);
    assert_int_equal(f.l4, 6);
    assert_true(f.has_ports);
    assert_int_equal(f.tcp_flags, 0x10);
    assert_int_equal(f.dport, 80);
    assert_int_equal(f.payload.len, 0);
    assert_false(f.malformed);
}

static void test_ipv6_no_next_header(void **state)
{
    /* IPv6, payload 8: hop-by-hop whose next header is 59 (none). */
    static const uint8_t p[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x40, V6_SRC, V6_DST,
        0x3b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
    };
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_ip(p, sizeof(p), &f), SX_DEC_OK);
    assert_int_equal(f.l4, 59);
    assert_false(f.has_ports);
    assert_false(f.malformed);
}

static void test_ipv6_bad_chains(void **state)
{
    /* IPv6 header, next header destination options; the test appends
     * the chain and sets the payload length. */
    static const uint8_t hdr[] = {
        0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x40, V6_SRC, V6_DST,
    };
    /* One destination options header pointing at another. */
    static const uint8_t dstopt[] = {
        0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
    };
    /* Destination options claiming 16 bytes (length 1), next UDP. */
    static const uint8_t long_opt[] = {
        0x11, 0x01, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
    };
    struct sx_frame f;
    size_t n = sizeof(hdr);

    (void)state;
    /* 17 chained destination options headers: beyond the cap of 16. */
    memcpy(pkt, hdr, n);
    for (int i = 0; i < 17; i++, n += sizeof(dstopt))
        memcpy(pkt + n, dstopt, sizeof(dstopt));
    pkt[5] = (uint8_t)(n - 40);
    assert_int_equal(sx_decode_ip(pkt, n, &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_false(f.has_ports);
    assert_int_equal(f.l4, 60);

    /* A 16-byte header in an 8-byte payload. */
    n = sizeof(hdr);
    memcpy(pkt, hdr, n);
    memcpy(pkt + n, long_opt, sizeof(long_opt));
    n += sizeof(long_opt);
    pkt[5] = 8;
    assert_int_equal(sx_decode_ip(pkt, n, &f), SX_DEC_OK);
    assert_true(f.malformed);
    assert_false(f.has_ports);

    /* Payload length 4: too short for any extension header. */
    pkt[5] = 4;
    assert_int_equal(sx_decode_ip(pkt, n, &f), SX_DEC_OK);
    assert_true(f.malformed);

    /* 39 bytes: the fixed header is cut. */
    assert_int_equal(sx_decode_ip(pkt, 39, &f), SX_DEC_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_udp),
        cmocka_unit_test(test_ipv4_options_tcp),
        cmocka_unit_test(test_tcp_options_syn),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_ipv4_malformed),
        cmocka_unit_test(test_ipv4_tso_zero_length),
        cmocka_unit_test(test_tcp_malformed),
        cmocka_unit_test(test_udp_lengths),
        cmocka_unit_test(test_ipv6_hbh_routing),
        cmocka_unit_test(test_ipv6_fragments),
        cmocka_unit_test(test_ipv6_dstopts_ah_tcp),
        cmocka_unit_test(test_ipv6_no_next_header),
        cmocka_unit_test(test_ipv6_bad_chains),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
