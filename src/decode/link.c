/*
 * link.c - link-layer framing down to the IP header.
 *
 * Ethernet II or IEEE 802.3 with 802.2 LLC/SNAP (RFC 1042), with IEEE
 * 802.1Q / 802.1ad tags (IEEE 802.1Q-2018 section 9.5), Linux cooked
 * capture v1 and v2, Linux NFLOG, raw IP, BSD null and OpenBSD loop, as
 * described at https://www.tcpdump.org/linktypes.html.
 */
#include <string.h>

#include "decode/decode_int.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100       /* 802.1Q customer tag */
#define ETHERTYPE_QINQ 0x88a8       /* 802.1ad service tag */
#define ETHERTYPE_QINQ_OLD 0x9100   /* pre-802.1ad service tag, still seen */
/* IEEE 802.3 clause 3.2.6: a type field up to 1500 is a length. */
#define ETHER_MAX_LENGTH 1500
#define LLC_SNAP 0xaaaa03           /* DSAP, SSAP, control (UI) */
#define SNAP_OUI_RFC1042 0x000000
#define SNAP_OUI_8021H 0x0000f8

/* Two tags is QinQ; more is rare but legal.  Beyond this the frame is
 * treated as malformed rather than walked tag by tag. */
#define VLAN_DEPTH_MAX 8

/* ARPHRD_NETLINK: the SLL protocol field is a netlink family, not an
 * ethertype (linktypes.html, LINKTYPE_LINUX_SLL). */
#define ARPHRD_NETLINK 824

/* NFLOG attributes (linux/netfilter/nfnetlink_log.h): the high bit of a
 * type flags a nested attribute. */
#define NFLOG_TYPE_MASK 0x7fff
#define NFULA_PAYLOAD 9

/* BSD address families as written by the capturing host. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_NETBSD 24      /* also OpenBSD */
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

static int link_truncated(struct sx_frame *out)
{
    out->truncated = true;
    return SX_DEC_TRUNCATED;
}

/*
 * Decode what follows an ethertype field: VLAN tags, then IPv4 or IPv6.
 * `c` starts right after the field that held `type`.
 */
static int link_ethertype(uint16_t type, struct sx_cursor c,
                          struct sx_frame *out)
{
    int depth = 0;

    /* Each tag is TCI (2 bytes) followed by the next ethertype. */
    while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
           type == ETHERTYPE_QINQ_OLD) {
        if (++depth > VLAN_DEPTH_MAX)
            return SX_DEC_MALFORMED;
        if (!sx_cur_skip(&c, 2) || !sx_cur_u16be(&c, &type))
            return link_truncated(out);
    }

    /* An IEEE 802.3 length (or SLL's LINUX_SLL_P_802_2, 4): an 802.2 LLC
     * header follows.  IP rides in it under SNAP (RFC 1042): DSAP and SSAP
     * 0xAA, control 3 (UI), an OUI of 0 (or 00-00-F8, IEEE 802.1H), then
     * the ethertype.  Other LLC payloads (STP, NetBIOS...) are not IP. */
    if (type <= ETHER_MAX_LENGTH) {
        uint32_t llc, oui;
        if (!sx_cur_u24be(&c, &llc))
            return link_truncated(out);
        if (llc != LLC_SNAP)
            return SX_DEC_NOT_IP;
        if (!sx_cur_u24be(&c, &oui) || !sx_cur_u16be(&c, &type))
            return link_truncated(out);
        if (oui != SNAP_OUI_RFC1042 && oui != SNAP_OUI_8021H)
            return SX_DEC_NOT_IP;
    }
    if (type == ETHERTYPE_IPV4)
        return sx_decode_ipv4(c, out);
    if (type == ETHERTYPE_IPV6)
        return sx_decode_ipv6(c, out);
    return SX_DEC_NOT_IP;
}

/*
 * Ethernet II: destination (6), source (6), ethertype (2).  The frame
 * check sequence and any padding are left for the IP length to exclude.
 */
static int link_ethernet(struct sx_cursor c, struct sx_frame *out)
{
    uint16_t type;

    if (!sx_cur_skip(&c, 12) || !sx_cur_u16be(&c, &type))
        return link_truncated(out);
    return link_ethertype(type, c, out);
}

/*
 * LINKTYPE_LINUX_SLL, 16 bytes: packet type (2), ARPHRD type (2), address
 * length (2), address (8), protocol (2).
 */
static int link_sll(struct sx_cursor c, struct sx_frame *out)
{
    uint16_t hatype, proto;

    if (!sx_cur_skip(&c, 2) || !sx_cur_u16be(&c, &hatype) ||
        !sx_cur_skip(&c, 10) || !sx_cur_u16be(&c, &proto))
        return link_truncated(out);
    if (hatype == ARPHRD_NETLINK)
        return SX_DEC_NOT_IP;
    return link_ethertype(proto, c, out);
}

/*
 * LINKTYPE_LINUX_SLL2, 20 bytes: protocol (2), reserved (2), interface
 * index (4), ARPHRD type (2), packet type (1), address length (1),
 * address (8).
 */
static int link_sll2(struct sx_cursor c, struct sx_frame *out)
{
    uint16_t proto, hatype;

    if (!sx_cur_u16be(&c, &proto) || !sx_cur_skip(&c, 6) ||
        !sx_cur_u16be(&c, &hatype) || !sx_cur_skip(&c, 10))
        return link_truncated(out);
    if (hatype == ARPHRD_NETLINK)
        return SX_DEC_NOT_IP;
    return link_ethertype(proto, c, out);
}

/* Dispatch on a BSD address family value (null and loop headers). */
static int link_af(uint32_t af, struct sx_cursor c, struct sx_frame *out)
{
    switch (af) {
    case BSD_AF_INET:
        return sx_decode_ipv4(c, out);
    case BSD_AF_INET6_NETBSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
        return sx_decode_ipv6(c, out);
    default:
        return SX_DEC_NOT_IP;
    }
}

/*
 * LINKTYPE_NULL: a 4-byte address family in the byte order of the host
 * that captured, which the file does not record.  Families are small, so
 * a value that only fits when read little-endian was written that way.
 */
static int link_null(struct sx_cursor c, struct sx_frame *out)
{
    struct sx_cursor be = c;
    uint32_t af, af_be;

    if (!sx_cur_u32le(&c, &af) || !sx_cur_u32be(&be, &af_be))
        return link_truncated(out);
    if (af > 0xffff)
        af = af_be;
    return link_af(af, c, out);
}

/* LINKTYPE_LOOP: the same family value, always in network order. */
static int link_loop(struct sx_cursor c, struct sx_frame *out)
{
    uint32_t af;

    if (!sx_cur_u32be(&c, &af))
        return link_truncated(out);
    return link_af(af, c, out);
}

/* IPv4 or IPv6, as the version nibble says. */
static int link_ip(struct sx_cursor c, struct sx_frame *out)
{
    uint8_t first;

    if (!sx_cur_peek(&c, 0, &first))
        return link_truncated(out);
    if (first >> 4 == 4)
        return sx_decode_ipv4(c, out);
    if (first >> 4 == 6)
        return sx_decode_ipv6(c, out);
    return SX_DEC_MALFORMED;
}

int sx_decode_ip(const uint8_t *data, size_t len, struct sx_frame *out)
{
    memset(out, 0, sizeof(*out));
    return link_ip(sx_cur_make(data, len), out);
}

/*
 * Walk NFLOG attributes with lengths and types read in one byte order;
 * true when the walk ends exactly with the data, *payload then holds the
 * NFULA_PAYLOAD value (empty when there is none).
 */
static bool nflog_walk(struct sx_cursor c, bool le, struct sx_cursor *payload)
{
    payload->pos = payload->end = NULL;
    while (sx_cur_left(&c) > 0) {
        uint16_t len, type;
        struct sx_cursor value;
        bool ok = le ? sx_cur_u16le(&c, &len) && sx_cur_u16le(&c, &type)
                     : sx_cur_u16be(&c, &len) && sx_cur_u16be(&c, &type);

        if (!ok || len < 4 || !sx_cur_sub(&c, len - 4u, &value))
            return false;
        /* Attributes start on 4-byte boundaries; the last may be cut. */
        if (len % 4 != 0 && !sx_cur_skip(&c, 4 - len % 4u) &&
            sx_cur_left(&c) > 0)
            return false;
        if ((type & NFLOG_TYPE_MASK) == NFULA_PAYLOAD)
            *payload = value;
    }
    return true;
}

/*
 * LINKTYPE_NFLOG: Linux netfilter log messages (an nftables `log group`
 * rule, captured on nflog:N).  A 4-byte header (family, version,
 * resource id), then type-length-value attributes whose 16-bit length
 * and type are in the byte order of some host: libpcap turns them into
 * the reader's order, other writers leave the capturer's.  The order in
 * which the attributes fill the frame exactly is the one used.
 */
static int link_nflog(struct sx_cursor c, struct sx_frame *out)
{
    struct sx_cursor payload;

    if (!sx_cur_skip(&c, 4))
        return link_truncated(out);
    if (!nflog_walk(c, true, &payload) && !nflog_walk(c, false, &payload))
        return SX_DEC_MALFORMED;
    if (payload.pos == NULL)
        return SX_DEC_NOT_IP;
    return link_ip(payload, out);
}

/*
 * `wirelen` is not needed: the IP header's own length decides where the
 * packet ends, and `out->truncated` reports a capture cut inside it.
 */
int sx_decode_frame(int linktype, const uint8_t *data, uint32_t caplen,
                    uint32_t wirelen, struct sx_frame *out)
{
    struct sx_cursor c = sx_cur_make(data, caplen);

    memset(out, 0, sizeof(*out));
    switch (linktype) {
    case SX_LINK_ETHERNET:
        return link_ethernet(c, out);
    case SX_LINK_SLL:
        return link_sll(c, out);
    case SX_LINK_SLL2:
        return link_sll2(c, out);
    case SX_LINK_RAW:
    case SX_DLT_RAW_ALT1:
    case SX_DLT_RAW_ALT2:
        return link_ip(c, out);
    case SX_LINK_NFLOG:
        return link_nflog(c, out);
    case SX_LINK_IPV4:
        return sx_decode_ipv4(c, out);
    case SX_LINK_IPV6:
        return sx_decode_ipv6(c, out);
    case SX_LINK_NULL:
        return link_null(c, out);
    case SX_LINK_LOOP:
        return link_loop(c, out);
    default:
        return SX_DEC_BAD_LINK;
    }
}
