/*
 * ipv4.c - IPv4 header: addresses, options, fragments, payload bounds.
 *
 * RFC 791 sections 3.1 (header format) and 3.2 (fragmentation).
 */
#include "decode/decode_int.h"

#define IPV4_HDR_MIN 20
#define IPV4_MF 0x2000              /* more fragments flag */
#define IPV4_OFFSET_MASK 0x1fff     /* fragment offset, 8-byte units */

/*
 *   0       4       8              16      19                      31
 *  +-------+-------+---------------+-------+------------------------+
 *  |Version|  IHL  |      TOS      |          Total Length          |
 *  |         Identification        | Flags |    Fragment Offset     |
 *  |      TTL      |   Protocol    |        Header Checksum         |
 *  |                        Source Address                          |
 *  |                     Destination Address                        |
 *  |                    Options (IHL > 5) ...                       |
 */
int sx_decode_ipv4(struct sx_cursor c, struct sx_frame *out)
{
    struct sx_cursor pkt = c;
    struct sx_cursor seg;
    uint8_t vihl, proto;
    uint16_t total, frag;
    size_t hlen, len;

    /* Validate: the fixed header must be captured whole. */
    if (!sx_cur_u8(&c, &vihl) || !sx_cur_skip(&c, 1) ||
        !sx_cur_u16be(&c, &total) || !sx_cur_skip(&c, 2) ||
        !sx_cur_u16be(&c, &frag) || !sx_cur_skip(&c, 1) ||
        !sx_cur_u8(&c, &proto) || !sx_cur_skip(&c, 2) ||
        !sx_cur_bytes(&c, out->src, 4) || !sx_cur_bytes(&c, out->dst, 4)) {
        out->truncated = true;
        return SX_DEC_TRUNCATED;
    }
    if (vihl >> 4 != 4)
        return SX_DEC_MALFORMED;

    /* Extract: from here on the addresses are known, so the packet is
     * decoded even when what follows is inconsistent. */
    out->ipver = 4;
    out->l4 = proto;
    out->ip_len = total;
    hlen = (size_t)(vihl & 0x0f) * 4;
    if (hlen < IPV4_HDR_MIN) {
        out->malformed = true;
        return SX_DEC_OK;
    }

    /*
     * The total length, not the frame, bounds the packet: Ethernet pads
     * short frames to 60 bytes.  A total length of 0 comes from captures
     * taken before TCP segmentation offload fills it in; the captured
     * bytes are then all we have.
     */
    len = total;
    if (total == 0) {
        len = sx_cur_left(&pkt);
        out->ip_len = (uint32_t)len;
    } else if (total < hlen) {
        out->malformed = true;
        return SX_DEC_OK;
    }
    if (sx_cur_left(&pkt) < len) {
        out->truncated = true;
        len = sx_cur_left(&pkt);
    }
    sx_cur_sub(&pkt, len, &seg);
    if (!sx_cur_skip(&seg, hlen)) {
        out->truncated = true;  /* options cut by the snapshot length */
        return SX_DEC_OK;
    }

    /* Only the fragment at offset 0 starts with the transport header. */
    if ((frag & IPV4_OFFSET_MASK) != 0)
        out->fragment = true;
    sx_decode_transport(out, seg, out->ip_len - (uint32_t)hlen,
                        (frag & IPV4_MF) != 0);
    return SX_DEC_OK;
}
