/*
 * ipv6.c - IPv6 header and the extension-header chain up to the
 * transport header.
 *
 * RFC 8200 sections 3 (header), 4 (extension headers) and 4.5 (fragment
 * header), RFC 4302 section 2 (AH length unit), RFC 2675 (jumbograms).
 */
#include "decode/decode_int.h"

#define IPV6_HDR_LEN 40
#define IPV6_EXT_MIN 8              /* every extension header is >= 8 */

/* Enough for any sane chain; a longer one is treated as an attack on
 * the decoder (RFC 7112 asks the whole chain to fit in one fragment). */
#define IPV6_EXT_MAX 16

enum {
    NH_HOPOPTS = 0,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_AH = 51,
    NH_DSTOPTS = 60,
    NH_MOBILITY = 135,              /* RFC 6275 */
    NH_HIP = 139,                   /* RFC 7401 */
    NH_SHIM6 = 140,                 /* RFC 5533 */
};

/*
 * Length in bytes of the extension header `nh` whose length byte is
 * `hl`, or 0 when `nh` is not an extension header we can step over.
 * No Next Header (59) and ESP (50) end the walk: nothing readable follows.
 */
static size_t ext_len(uint8_t nh, uint8_t hl)
{
    switch (nh) {
    case NH_HOPOPTS:
    case NH_ROUTING:
    case NH_DSTOPTS:
    case NH_MOBILITY:
    case NH_HIP:
    case NH_SHIM6:
        return ((size_t)hl + 1) * 8;    /* 8-octet units after the first 8 */
    case NH_FRAGMENT:
        return 8;                       /* fixed size, byte 1 reserved */
    case NH_AH:
        return ((size_t)hl + 2) * 4;    /* 4-octet units, minus 2 */
    default:
        return 0;
    }
}

/*
 * Step over the extension header `*nh` at the start of `seg`, which has
 * `*wire` bytes left on the wire, and set `*nh` to the header after it.
 * `*word` receives bytes 2-3 of the header: the fragment header keeps
 * its offset and M flag there.  Returns false, with `out` flagged, when
 * the header does not fit in the packet or in the capture.
 */
static bool ext_step(struct sx_cursor *seg, uint32_t *wire, uint8_t *nh,
                     uint16_t *word, struct sx_frame *out)
{
    struct sx_cursor h = *seg;
    uint8_t next, hl;
    size_t len;

    if (*wire < IPV6_EXT_MIN) {
        out->malformed = true;
        return false;
    }
    if (!sx_cur_u8(&h, &next) || !sx_cur_u8(&h, &hl) ||
        !sx_cur_u16be(&h, word)) {
        out->truncated = true;
        return false;
    }
    len = ext_len(*nh, hl);
    if (len > *wire) {
        out->malformed = true;
        return false;
    }
    if (!sx_cur_skip(seg, len)) {
        out->truncated = true;
        return false;
    }
    *wire -= (uint32_t)len;
    *nh = next;
    return true;
}

/*
 *  +-------+---------------+----------------------------------------+
 *  |Version| Traffic Class |              Flow Label                |
 *  |        Payload Length         |  Next Header  |   Hop Limit    |
 *  |                 Source Address (16 bytes)                      |
 *  |              Destination Address (16 bytes)                    |
 */
int sx_decode_ipv6(struct sx_cursor c, struct sx_frame *out)
{
    struct sx_cursor seg;
    uint32_t vtf, wire;
    uint16_t plen;
    uint8_t nh;
    bool more_frags = false;

    /* Validate: the fixed header must be captured whole. */
    if (!sx_cur_u32be(&c, &vtf) || !sx_cur_u16be(&c, &plen) ||
        !sx_cur_u8(&c, &nh) || !sx_cur_skip(&c, 1) ||
        !sx_cur_bytes(&c, out->src, 16) || !sx_cur_bytes(&c, out->dst, 16)) {
        out->truncated = true;
        return SX_DEC_TRUNCATED;
    }
    if (vtf >> 28 != 6)
        return SX_DEC_MALFORMED;

    /*
     * Extract.  The payload length bounds the packet (Ethernet padding
     * excluded).  It is 0 for an RFC 2675 jumbogram or a capture taken
     * before segmentation offload; the captured bytes are then used.
     */
    out->ipver = 6;
    wire = plen;
    /* TODO(ipv6): the Jumbo Payload option's length is not read. */
    if (plen == 0)
        wire = (uint32_t)sx_cur_left(&c);
    out->ip_len = IPV6_HDR_LEN + wire;
    if (sx_cur_left(&c) < wire)
        out->truncated = true;
    sx_cur_sub(&c, out->truncated ? sx_cur_left(&c) : wire, &seg);

    /* Walk the extension headers up to the transport header. */
    for (int n = 0; ext_len(nh, 0) != 0; n++) {
        uint8_t cur = nh;
        uint16_t word;

        if (n == IPV6_EXT_MAX) {
            out->l4 = nh;
            out->malformed = true;
            return SX_DEC_OK;
        }
        if (!ext_step(&seg, &wire, &nh, &word, out)) {
            out->l4 = cur;
            return SX_DEC_OK;
        }

        /* Fragment header word: offset (13 bits), 2 reserved, M flag.
         * Only offset 0 carries the rest of the chain. */
        if (cur == NH_FRAGMENT) {
            more_frags = (word & 1) != 0;
            if (word >> 3 != 0) {
                out->fragment = true;
                break;
            }
        }
    }

    out->l4 = nh;
    sx_decode_transport(out, seg, wire, more_frags);
    return SX_DEC_OK;
}
