/*
 * test_link.c - link-layer framing: Ethernet, VLAN tags, SLL, SLL2, raw
 * IP, BSD null and loop, padding and truncation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

/* IPv4 192.168.1.135 -> 192.168.1.1, total length 32, UDP 54321 -> 53,
 * UDP length 12, payload "abcd". */
static const uint8_t ipv4_udp[] = {
    0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
    0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x87,
    0xc0, 0xa8, 0x01, 0x01,
    0xd4, 0x31, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00,
    'a', 'b', 'c', 'd',
};

/* IPv6 2001:db8::1 -> 2001:db8::2, payload length 8, UDP 5353 -> 5353
 * with length 8 and no payload. */
static const uint8_t ipv6_udp[] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x11, 0x40,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
    0x14, 0xe9, 0x14, 0xe9, 0x00, 0x08, 0x00, 0x00,
};

/* Ethernet header: 02:00:00:00:00:01 <- 02:00:00:00:00:02, ethertype
 * left for the test to append. */
static const uint8_t eth_macs[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
};

static uint8_t frame[256];

/* Build frame = prefix + ip, zero-padded to `min_len`; return its length. */
static uint32_t build(const uint8_t *prefix, size_t plen, const uint8_t *ip,
                      size_t iplen, size_t min_len)
{
    size_t n = plen + iplen;

    memset(frame, 0, sizeof(frame));
    memcpy(frame, prefix, plen);
    memcpy(frame + plen, ip, iplen);
    return (uint32_t)(n < min_len ? min_len : n);
}

static void assert_udp4(const struct sx_frame *f)
{
    static const uint8_t src[4] = {192, 168, 1, 135};
    static const uint8_t dst[4] = {192, 168, 1, 1};

    assert_int_equal(f->ipver, 4);
    assert_int_equal(f->l4, 17);
    assert_true(f->has_ports);
    assert_false(f->truncated);
    assert_false(f->malformed);
    assert_memory_equal(f->src, src, 4);
    assert_memory_equal(f->dst, dst, 4);
    assert_int_equal(f->sport, 54321);
    assert_int_equal(f->dport, 53);
    assert_int_equal(f->payload.len, 4);
    assert_int_equal(f->payload_wire, 4);
    assert_memory_equal(f->payload.p, "abcd", 4);
    assert_int_equal(f->ip_len, 32);
}

static void test_ethernet_padding(void **state)
{
    /* Ethernet, type IPv4, padded to the 60-byte minimum: the 14 zero
     * bytes after the IP packet are not payload. */
    static const uint8_t hdr[] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x08, 0x00,
    };
    struct sx_frame f;
    uint32_t len = build(hdr, sizeof(hdr), ipv4_udp, sizeof(ipv4_udp), 60);

    (void)state;
    assert_int_equal(len, 60);
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
}

static void test_ethernet_vlan(void **state)
{
    /* Ethernet, 802.1Q tag VLAN 100, type IPv4. */
    static const uint8_t hdr[] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x81, 0x00, 0x00, 0x64, 0x08, 0x00,
    };
    struct sx_frame f;
    uint32_t len = build(hdr, sizeof(hdr), ipv4_udp, sizeof(ipv4_udp), 0);

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
}

static void test_ethernet_qinq(void **state)
{
    /* Ethernet, 802.1ad S-tag VLAN 10, 802.1Q C-tag VLAN 100, type IPv6. */
    static const uint8_t hdr[] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x64, 0x86, 0xdd,
    };
    struct sx_frame f;
    uint32_t len = build(hdr, sizeof(hdr), ipv6_udp, sizeof(ipv6_udp), 0);

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, len, len, &f),
                     SX_DEC_OK);
    assert_int_equal(f.ipver, 6);
    assert_int_equal(f.sport, 5353);
    assert_int_equal(f.dport, 5353);
    assert_int_equal(f.payload.len, 0);
}

static void test_ethernet_too_many_tags(void **state)
{
    struct sx_frame f;
    size_t n = sizeof(eth_macs);

    /* Ethernet followed by ten 802.1Q tags: deeper than the cap of 8. */
    (void)state;
    memset(frame, 0, sizeof(frame));
    memcpy(frame, eth_macs, n);
    for (int i = 0; i < 10; i++) {
        frame[n++] = 0x81;
        frame[n++] = 0x00;
        frame[n++] = 0x00;
        frame[n++] = 0x01;
    }
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, (uint32_t)n,
                                     (uint32_t)n, &f), SX_DEC_MALFORMED);
}

static void test_ethernet_not_ip(void **state)
{
    /* Ethernet, type ARP (0x0806), then an ARP request's first bytes. */
    static const uint8_t arp[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
    };
    struct sx_frame f;

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, arp, sizeof(arp),
                                     sizeof(arp), &f), SX_DEC_NOT_IP);
}

static void test_ethernet_llc_snap(void **state)
{
    /* IEEE 802.3 with a length (40) instead of a type, then 802.2 LLC
     * with SNAP (AA AA 03), OUI 00-00-00 and type IPv4 (RFC 1042). */
    static const uint8_t snap[] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x28, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00,
    };
    /* The same with an OUI of a vendor (Cisco 00-00-0C): not IP. */
    static const uint8_t vendor[] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x28, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x08, 0x00,
    };
    /* Spanning tree BPDU: LLC 42 42 03, no SNAP. */
    static const uint8_t stp[] = {
        0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    struct sx_frame f;
    uint32_t len = build(snap, sizeof(snap), ipv4_udp, sizeof(ipv4_udp), 60);

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
    len = build(vendor, sizeof(vendor), ipv4_udp, sizeof(ipv4_udp), 60);
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, len, len, &f),
                     SX_DEC_NOT_IP);
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, stp, sizeof(stp),
                                     sizeof(stp), &f), SX_DEC_NOT_IP);
    /* Cut inside the SNAP header. */
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, snap, 18, 60, &f),
                     SX_DEC_TRUNCATED);
}

static void test_ethernet_truncated(void **state)
{
    static const uint8_t hdr[] = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x02, 0x08, 0x00,
    };
    struct sx_frame f;
    uint32_t len = build(hdr, sizeof(hdr), ipv4_udp, sizeof(ipv4_udp), 0);

    (void)state;
    /* Cut inside the MAC addresses: no ethertype. */
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, 10, len, &f),
                     SX_DEC_TRUNCATED);
    assert_true(f.truncated);

    /* Cut inside the IP header (12 of its 20 bytes). */
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, 14 + 12, len,
                                     &f), SX_DEC_TRUNCATED);

    /* Cut two bytes into the UDP payload: "ab" of "abcd" captured. */
    assert_int_equal(sx_decode_frame(SX_LINK_ETHERNET, frame, len - 2, len,
                                     &f), SX_DEC_OK);
    assert_true(f.truncated);
    assert_true(f.has_ports);
    assert_int_equal(f.payload.len, 2);
    assert_int_equal(f.payload_wire, 4);
    assert_memory_equal(f.payload.p, "ab", 2);
}

static void test_sll(void **state)
{
    /* Linux cooked v1: outgoing (4), ARPHRD_ETHER, 6-byte address
     * 02:00:00:00:00:02 padded to 8, protocol IPv4. */
    static const uint8_t hdr[] = {
        0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00,
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x08, 0x00,
    };
    struct sx_frame f;
    uint32_t len = build(hdr, sizeof(hdr), ipv4_udp, sizeof(ipv4_udp), 0);

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_SLL, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
}

static void test_sll_netlink(void **state)
{
    /* Linux cooked v1 of a netlink socket (ARPHRD 824): the protocol
     * field (0x0800 here) is a netlink family, not an ethertype. */
    static const uint8_t hdr[] = {
        0x00, 0x04, 0x03, 0x38, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00,
    };
    struct sx_frame f;
    uint32_t len = build(hdr, sizeof(hdr), ipv4_udp, sizeof(ipv4_udp), 0);

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_SLL, frame, len, len, &f),
                     SX_DEC_NOT_IP);
}

static void test_sll2(void **state)
{
    /* Linux cooked v2: protocol IPv6, reserved, ifindex 2, ARPHRD_ETHER,
     * packet type host (0), address length 6, address padded to 8. */
    static const uint8_t hdr[] = {
        0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
        0x00, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
    };
    struct sx_frame f;
    uint32_t len = build(hdr, sizeof(hdr), ipv6_udp, sizeof(ipv6_udp), 0);

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_SLL2, frame, len, len, &f),
                     SX_DEC_OK);
    assert_int_equal(f.ipver, 6);
    assert_true(f.has_ports);
    assert_int_equal(f.dport, 5353);

    /* The same header cut after 19 bytes. */
    assert_int_equal(sx_decode_frame(SX_LINK_SLL2, frame, 19, len, &f),
                     SX_DEC_TRUNCATED);
}

/* NFLOG header (AF_INET, version 0, group 1), a prefix attribute
 * "ab\0" (length 7, padded to 8), then the payload attribute: 36 bytes
 * (4 + the 32-byte packet), types and lengths in either byte order. */
static uint32_t build_nflog(bool le, uint16_t payload_type)
{
    uint8_t hdr[16] = {0x02, 0x00, 0x00, 0x01};
    uint16_t v[4] = {7, 10, 36, payload_type};

    for (int i = 0; i < 4; i++) {
        size_t at = i < 2 ? 4 + 2 * (size_t)i : 12 + 2 * (size_t)(i - 2);
        hdr[at] = (uint8_t)(le ? v[i] : v[i] >> 8);
        hdr[at + 1] = (uint8_t)(le ? v[i] >> 8 : v[i]);
    }
    hdr[8] = 'a';
    hdr[9] = 'b';
    return build(hdr, sizeof(hdr), ipv4_udp, sizeof(ipv4_udp), 0);
}

static void test_nflog(void **state)
{
    struct sx_frame f;
    uint32_t len;

    (void)state;
    len = build_nflog(true, 9);
    assert_int_equal(sx_decode_frame(SX_LINK_NFLOG, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
    len = build_nflog(false, 9);
    assert_int_equal(sx_decode_frame(SX_LINK_NFLOG, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
    /* No payload attribute (type 10 twice): nothing to decode. */
    len = build_nflog(true, 10);
    assert_int_equal(sx_decode_frame(SX_LINK_NFLOG, frame, len, len, &f),
                     SX_DEC_NOT_IP);
    /* An attribute longer than the frame in both byte orders. */
    len = build_nflog(true, 9);
    frame[12] = 0xff;
    frame[13] = 0xff;
    assert_int_equal(sx_decode_frame(SX_LINK_NFLOG, frame, len, len, &f),
                     SX_DEC_MALFORMED);
    /* Only the header, or less. */
    assert_int_equal(sx_decode_frame(SX_LINK_NFLOG, frame, 4, 4, &f),
                     SX_DEC_NOT_IP);
    assert_int_equal(sx_decode_frame(SX_LINK_NFLOG, frame, 3, 3, &f),
                     SX_DEC_TRUNCATED);
}

static void test_null_both_orders(void **state)
{
    /* BSD null, AF_INET (2) written little-endian. */
    static const uint8_t af_le[] = {0x02, 0x00, 0x00, 0x00};
    /* BSD null, AF_INET written big-endian (a big-endian capture host). */
    static const uint8_t af_be[] = {0x00, 0x00, 0x00, 0x02};
    /* BSD null, AF_INET6 of macOS (30), little-endian. */
    static const uint8_t af6_darwin[] = {0x1e, 0x00, 0x00, 0x00};
    /* BSD null, AF_INET6 of FreeBSD (28), big-endian. */
    static const uint8_t af6_freebsd[] = {0x00, 0x00, 0x00, 0x1c};
    /* BSD null, AF_INET6 of NetBSD/OpenBSD (24), little-endian. */
    static const uint8_t af6_netbsd[] = {0x18, 0x00, 0x00, 0x00};
    /* BSD null, AF 7 (AF_OSI-ish): not IP. */
    static const uint8_t af_other[] = {0x07, 0x00, 0x00, 0x00};
    struct sx_frame f;
    uint32_t len;

    (void)state;
    len = build(af_le, 4, ipv4_udp, sizeof(ipv4_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_NULL, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
    len = build(af_be, 4, ipv4_udp, sizeof(ipv4_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_NULL, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);

    len = build(af6_darwin, 4, ipv6_udp, sizeof(ipv6_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_NULL, frame, len, len, &f),
                     SX_DEC_OK);
    assert_int_equal(f.ipver, 6);
    len = build(af6_freebsd, 4, ipv6_udp, sizeof(ipv6_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_NULL, frame, len, len, &f),
                     SX_DEC_OK);
    assert_int_equal(f.ipver, 6);
    len = build(af6_netbsd, 4, ipv6_udp, sizeof(ipv6_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_NULL, frame, len, len, &f),
                     SX_DEC_OK);
    assert_int_equal(f.ipver, 6);

    len = build(af_other, 4, ipv4_udp, sizeof(ipv4_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_NULL, frame, len, len, &f),
                     SX_DEC_NOT_IP);
    assert_int_equal(sx_decode_frame(SX_LINK_NULL, frame, 3, len, &f),
                     SX_DEC_TRUNCATED);
}

static void test_loop(void **state)
{
    /* OpenBSD loop: AF_INET (2), always network order. */
    static const uint8_t af[] = {0x00, 0x00, 0x00, 0x02};
    /* OpenBSD loop, the same value little-endian: 0x02000000, not IP. */
    static const uint8_t af_le[] = {0x02, 0x00, 0x00, 0x00};
    struct sx_frame f;
    uint32_t len;

    (void)state;
    len = build(af, 4, ipv4_udp, sizeof(ipv4_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_LOOP, frame, len, len, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
    len = build(af_le, 4, ipv4_udp, sizeof(ipv4_udp), 0);
    assert_int_equal(sx_decode_frame(SX_LINK_LOOP, frame, len, len, &f),
                     SX_DEC_NOT_IP);
}

static void test_raw(void **state)
{
    struct sx_frame f;
    uint32_t n4 = sizeof(ipv4_udp), n6 = sizeof(ipv6_udp);

    (void)state;
    assert_int_equal(sx_decode_frame(SX_LINK_RAW, ipv4_udp, n4, n4, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
    assert_int_equal(sx_decode_frame(SX_LINK_RAW, ipv6_udp, n6, n6, &f),
                     SX_DEC_OK);
    assert_int_equal(f.ipver, 6);
    assert_int_equal(sx_decode_frame(SX_DLT_RAW_ALT1, ipv4_udp, n4, n4, &f),
                     SX_DEC_OK);
    assert_udp4(&f);
    assert_int_equal(sx_decode_frame(SX_DLT_RAW_ALT2, ipv6_udp, n6, n6, &f),
                     SX_DEC_OK);
    assert_int_equal(f.ipver, 6);

    /* LINKTYPE_IPV4 and _IPV6 insist on their version. */
    assert_int_equal(sx_decode_frame(SX_LINK_IPV4, ipv4_udp, n4, n4, &f),
                     SX_DEC_OK);
    assert_int_equal(sx_decode_frame(SX_LINK_IPV6, ipv6_udp, n6, n6, &f),
                     SX_DEC_OK);
    assert_int_equal(sx_decode_frame(SX_LINK_IPV4, ipv6_udp, n6, n6, &f),
                     SX_DEC_MALFORMED);
    assert_int_equal(sx_decode_frame(SX_LINK_IPV6, ipv4_udp, n4, n4, &f),
                     SX_DEC_TRUNCATED);  /* 32 bytes: short for IPv6 */

    /* Raw with nothing captured. */
    assert_int_equal(sx_decode_frame(SX_LINK_RAW, ipv4_udp, 0, n4, &f),
                     SX_DEC_TRUNCATED);
}

static void test_bad_link(void **state)
{
    struct sx_frame f;

    (void)state;
    /* 147 = LINKTYPE_USER0, 105 = 802.11: not decoded. */
    assert_int_equal(sx_decode_frame(147, ipv4_udp, sizeof(ipv4_udp),
                                     sizeof(ipv4_udp), &f), SX_DEC_BAD_LINK);
    assert_int_equal(sx_decode_frame(105, ipv4_udp, sizeof(ipv4_udp),
                                     sizeof(ipv4_udp), &f), SX_DEC_BAD_LINK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_padding),
        cmocka_unit_test(test_ethernet_vlan),
        cmocka_unit_test(test_ethernet_qinq),
        cmocka_unit_test(test_ethernet_too_many_tags),
        cmocka_unit_test(test_ethernet_not_ip),
        cmocka_unit_test(test_ethernet_llc_snap),
        cmocka_unit_test(test_ethernet_truncated),
        cmocka_unit_test(test_sll),
        cmocka_unit_test(test_sll_netlink),
        cmocka_unit_test(test_sll2),
        cmocka_unit_test(test_nflog),
        cmocka_unit_test(test_null_both_orders),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_bad_link),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
