/*
 * transport.c - TCP and UDP headers: ports, TCP flags, payload bounds.
 *
 * RFC 9293 section 3.1 (TCP header), RFC 768 (UDP), RFC 2675 section 4
 * (UDP length 0 in IPv6 jumbograms).
 */
#include "decode/decode_int.h"

#define PROTO_TCP 6
#define PROTO_UDP 17
#define TCP_HDR_MIN 20
#define UDP_HDR_LEN 8

static void set_payload(struct sx_frame *out, struct sx_cursor c,
                        uint32_t wire)
{
    out->payload.p = c.pos;
    out->payload.len = sx_cur_left(&c);
    out->payload_wire = wire;
}

/*
 * Ports sit at fixed offsets 0-3 in both TCP and UDP, so they are taken
 * whenever they were captured, even from a header that is cut or
 * inconsistent: the caller sees why in `truncated` and `malformed`.
 */
static bool read_ports(struct sx_cursor *c, struct sx_frame *out)
{
    if (!sx_cur_u16be(c, &out->sport) || !sx_cur_u16be(c, &out->dport))
        return false;
    out->has_ports = true;
    return true;
}

/*
 *  | Source Port | Destination Port | Sequence (4) | Acknowledgment (4) |
 *  | Offset:4 Reserved:4 | Flags (8) | Window | Checksum | Urgent |
 */
static void decode_tcp(struct sx_frame *out, struct sx_cursor c,
                       uint32_t wire)
{
    struct sx_cursor seg = c;
    uint8_t off;
    size_t hlen;

    if (wire < TCP_HDR_MIN)
        out->malformed = true;
    if (!read_ports(&c, out) || !sx_cur_u32be(&c, &out->tcp_seq) ||
        !sx_cur_skip(&c, 4) || !sx_cur_u8(&c, &off) ||
        !sx_cur_u8(&c, &out->tcp_flags))
        return;

    /* Without a sane data offset the payload cannot be located. */
    hlen = (size_t)(off >> 4) * 4;
    if (hlen < TCP_HDR_MIN || hlen > wire) {
        out->malformed = true;
        return;
    }
    if (!sx_cur_skip(&seg, hlen))
        return;                 /* options cut: truncated already set */
    set_payload(out, seg, wire - (uint32_t)hlen);
}

/*
 *  | Source Port | Destination Port | Length | Checksum |
 */
static void decode_udp(struct sx_frame *out, struct sx_cursor c,
                       uint32_t wire, bool more_frags)
{
    struct sx_cursor body;
    uint16_t ulen;
    uint32_t len;

    if (wire < UDP_HDR_LEN)
        out->malformed = true;
    if (!read_ports(&c, out) || !sx_cur_u16be(&c, &ulen) ||
        !sx_cur_skip(&c, 2))
        return;

    /*
     * The UDP length bounds the payload when it is consistent with the
     * IP length.  Otherwise the IP length wins: a length below the header
     * is malformed (0 is legal in an IPv6 jumbogram), one beyond the
     * packet is malformed unless this is a first fragment.
     */
    len = wire - UDP_HDR_LEN;
    if (ulen < UDP_HDR_LEN) {
        if (ulen != 0 || out->ipver != 6)
            out->malformed = true;
    } else if (ulen > wire) {
        if (!more_frags)
            out->malformed = true;
    } else {
        /* Shorter than the IP payload: bytes that no header accounts
         * for follow the datagram (RFC 768 gives the length its own
         * field; the two should agree). */
        if (ulen < wire)
            out->malformed = true;
        len = ulen - UDP_HDR_LEN;
    }
    if (sx_cur_left(&c) > len)
        sx_cur_sub(&c, len, &body);
    else
        body = c;
    set_payload(out, body, len);
}

void sx_decode_transport(struct sx_frame *out, struct sx_cursor seg,
                         uint32_t wire, bool more_frags)
{
    /* A later fragment starts in the middle of the transport data. */
    if (!out->fragment && out->l4 == PROTO_TCP) {
        decode_tcp(out, seg, wire);
        return;
    }
    if (!out->fragment && out->l4 == PROTO_UDP) {
        decode_udp(out, seg, wire, more_frags);
        return;
    }
    set_payload(out, seg, wire);
}
