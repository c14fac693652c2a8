/*
 * pcapng.c - pcapng block reader (draft-ietf-opsawg-pcapng, sections 3-4).
 *
 * libpcap 1.10 refuses a pcapng file whose interfaces have different link
 * types, so sigext reads pcapng itself.  Blocks are read into one growable
 * buffer and frames are handed out as pointers into it: nothing is
 * allocated per frame.
 *
 *  General block (section 3.1), in the section's byte order:
 *
 *   0                   1                   2                   3
 *   +---------------------------------------------------------------+
 *   |                          Block Type                           |
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 *   /                Block Body (padded to 32 bits)                 /
 *   +---------------------------------------------------------------+
 *   |                      Block Total Length                       |
 *   +---------------------------------------------------------------+
 */
#include "capture/pcapng.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

#define NG_BT_SHB 0x0A0D0D0Au   /* section header, a palindrome */
#define NG_BT_IDB 0x00000001u   /* interface description */
#define NG_BT_PB 0x00000002u    /* obsolete packet block */
#define NG_BT_SPB 0x00000003u   /* simple packet */
#define NG_BT_EPB 0x00000006u   /* enhanced packet */

#define NG_OPT_ENDOFOPT 0
#define NG_OPT_IF_TSRESOL 9
#define NG_OPT_IF_TSOFFSET 14

/* Header (type, length) plus trailer (length). */
#define NG_BLOCK_OVERHEAD 12u

/*
 * A block is read whole into memory, so its length is bounded.  libpcap
 * uses the same 16 MiB ceiling; a larger "block" is damage, not data.
 */
#define NG_BLOCK_MAX (16u * 1024 * 1024)
#define NG_BUF_INIT (256u * 1024)

/*
 * Interfaces are kept per section; real captures have a handful.  The cap
 * keeps a file of nothing but IDBs from growing memory without bound.
 */
#define NG_IFACE_MAX 65536u

/* Default if_tsresol: 10^-6 s (section 4.2). */
#define NG_TSRESOL_DEFAULT 6

struct ng_iface {
    uint16_t linktype;
    uint32_t snaplen;           /* 0: no limit */
    uint8_t tsresol;            /* if_tsresol byte: bit 7 = power of 2 */
    int64_t tsoffset;           /* if_tsoffset, seconds */
};

struct sx_pcapng {
    FILE *fp;                   /* borrowed */
    uint8_t *buf;
    size_t cap;
    size_t pos;                 /* unread bytes are buf[pos, len) */
    size_t len;
    uint64_t consumed;          /* stream offset of buf[pos] */
    bool eof;                   /* fread came back short */

    bool be;                    /* current section is big endian */
    struct ng_iface *ifs;
    size_t nifs;
    size_t ifcap;

    int64_t last_sec;           /* for SPBs, which carry no timestamp */
    uint32_t last_nsec;

    int status;                 /* sticky once not SX_CAP_OK */
    char msg[160];
};

static const uint64_t ng_pow10[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
    10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
    100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull,
    10000000000000000000ull,
};

static int ng_fail(struct sx_pcapng *ng, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ng_fail(struct sx_pcapng *ng, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ng->msg, sizeof(ng->msg), fmt, ap);
    va_end(ap);
    ng->status = status;
    return status;
}

static void ng_copy_err(const struct sx_pcapng *ng, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", ng->msg);
}

static bool ng_u16(struct sx_cursor *c, bool be, uint16_t *v)
{
    return be ? sx_cur_u16be(c, v) : sx_cur_u16le(c, v);
}

static bool ng_u32(struct sx_cursor *c, bool be, uint32_t *v)
{
    return be ? sx_cur_u32be(c, v) : sx_cur_u32le(c, v);
}

/*
 * A packet timestamp: two 32-bit halves, high first, each in the section's
 * byte order (section 4.3).
 */
static bool ng_ts64(struct sx_cursor *c, bool be, uint64_t *v)
{
    uint32_t hi, lo;

    if (!sx_cur_has(c, 8))
        return false;
    ng_u32(c, be, &hi);
    ng_u32(c, be, &lo);
    *v = ((uint64_t)hi << 32) | lo;
    return true;
}

/* An option's 64-bit integer: all eight bytes in the section's order. */
static bool ng_u64(struct sx_cursor *c, bool be, uint64_t *v)
{
    uint32_t first, second;

    if (!sx_cur_has(c, 8))
        return false;
    ng_u32(c, be, &first);
    ng_u32(c, be, &second);
    *v = be ? ((uint64_t)first << 32) | second
            : ((uint64_t)second << 32) | first;
    return true;
}

/*
 * floor(frac * 10^9 / 2^shift) for frac < 2^shift, shift in 1..127.  The
 * product needs up to 94 bits, so it is built from two 32-bit halves.
 */
static uint32_t ng_binary_nsec(uint64_t frac, unsigned shift)
{
    uint64_t a = (frac >> 32) * 1000000000ull;
    uint64_t b = (frac & 0xffffffffull) * 1000000000ull;
    uint64_t lo = (a << 32) + b;
    uint64_t hi = (a >> 32) + (lo < b);

    if (shift >= 64)
        return (uint32_t)(hi >> (shift - 64));
    return (uint32_t)((lo >> shift) | (hi << (64 - shift)));
}

/*
 * Units of the interface's resolution to seconds and nanoseconds, exact
 * (truncated below 1 ns) for every if_tsresol value, then if_tsoffset
 * added.  Seconds that do not fit an int64 saturate: no real clock gets
 * there, and the caller only compares times.
 */
static void ng_timestamp(const struct ng_iface *ifc, uint64_t units,
                         int64_t *sec, uint32_t *nsec)
{
    unsigned v = ifc->tsresol & 0x7f;
    uint64_t s;
    int64_t si;

    if (ifc->tsresol & 0x80) {
        s = v >= 64 ? 0 : units >> v;
        if (v == 0) {
            *nsec = 0;
        } else {
            uint64_t frac = v >= 64 ? units
                                    : units & ((1ull << v) - 1);
            *nsec = ng_binary_nsec(frac, v);
        }
    } else if (v <= 9) {
        s = units / ng_pow10[v];
        *nsec = (uint32_t)((units % ng_pow10[v]) * ng_pow10[9 - v]);
    } else if (v <= 19) {
        s = units / ng_pow10[v];
        *nsec = (uint32_t)((units % ng_pow10[v]) / ng_pow10[v - 9]);
    } else {
        /* 10^v > 2^64 > units: all of it is a fraction of a second. */
        s = 0;
        *nsec = v - 9 <= 19 ? (uint32_t)(units / ng_pow10[v - 9]) : 0;
    }

    si = s > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)s;
    if (ifc->tsoffset > 0 && si > INT64_MAX - ifc->tsoffset)
        si = INT64_MAX;
    else
        si += ifc->tsoffset;    /* si >= 0, so a negative offset fits */
    *sec = si;
}

/*
 * Make at least `need` unread bytes available at buf + pos.  Returns
 * SX_CAP_OK, SX_CAP_EOF when the stream ends first (whatever was there
 * stays buffered), or SX_CAP_ERR_IO.  The buffer grows only once it is
 * full of real data, so a short file claiming a huge block costs nothing.
 */
static int ng_fill(struct sx_pcapng *ng, size_t need)
{
    if (ng->len - ng->pos >= need)
        return SX_CAP_OK;

    /* Move the partial block to the front; it is shorter than a block. */
    if (ng->pos > 0) {
        memmove(ng->buf, ng->buf + ng->pos, ng->len - ng->pos);
        ng->len -= ng->pos;
        ng->pos = 0;
    }
    while (ng->len < need) {
        size_t want, got;

        if (ng->eof)
            return SX_CAP_EOF;
        if (ng->len == ng->cap) {
            uint8_t *nb = realloc(ng->buf, ng->cap * 2);

            if (nb == NULL)
                return ng_fail(ng, SX_CAP_ERR_IO, "%s", strerror(ENOMEM));
            ng->buf = nb;
            ng->cap *= 2;
        }
        want = ng->cap - ng->len;
        errno = 0;
        got = fread(ng->buf + ng->len, 1, want, ng->fp);
        ng->len += got;
        if (got < want) {
            if (ferror(ng->fp))
                return ng_fail(ng, SX_CAP_ERR_IO, "read error: %s",
                               strerror(errno != 0 ? errno : EIO));
            ng->eof = true;
        }
    }
    return SX_CAP_OK;
}

/*
 * Read one whole block and consume it.  On SX_CAP_OK, *type is its type
 * and `body` spans the block body; both stay valid until the next call.
 * A section header switches the byte order before its length is read,
 * since the length is in the new section's order.
 */
static int ng_read_block(struct sx_pcapng *ng, uint32_t *type,
                         struct sx_cursor *body)
{
    struct sx_cursor c;
    uint32_t t = 0, bom = 0, blen = 0, trail = 0;
    const uint8_t *p;
    int st;

    st = ng_fill(ng, 8);
    if (st == SX_CAP_EOF && ng->len == ng->pos)
        return SX_CAP_EOF;
    if (st == SX_CAP_EOF)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "truncated block header at end of file (%zu bytes)",
                       ng->len - ng->pos);
    if (st != SX_CAP_OK)
        return st;

    c = sx_cur_make(ng->buf + ng->pos, ng->len - ng->pos);
    ng_u32(&c, ng->be, &t);
    if (t == NG_BT_SHB) {
        /* Byte-order magic 0x1A2B3C4D, right after the length. */
        st = ng_fill(ng, 12);
        if (st == SX_CAP_EOF)
            return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                           "truncated section header block");
        if (st != SX_CAP_OK)
            return st;
        c = sx_cur_make(ng->buf + ng->pos + 8, 4);
        sx_cur_u32be(&c, &bom);
        if (bom == 0x1A2B3C4Du)
            ng->be = true;
        else if (bom == 0x4D3C2B1Au)
            ng->be = false;
        else
            return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                           "bad byte-order magic in section header block");
    }
    c = sx_cur_make(ng->buf + ng->pos + 4, 4);
    ng_u32(&c, ng->be, &blen);

    if (blen % 4 != 0)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "block length %u is not a multiple of 4", blen);
    if (blen < NG_BLOCK_OVERHEAD)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "block length %u is shorter than 12", blen);
    if (blen > NG_BLOCK_MAX)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "block length %u exceeds the limit of %u bytes",
                       blen, NG_BLOCK_MAX);

    st = ng_fill(ng, blen);
    if (st == SX_CAP_EOF)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "truncated block at end of file (%zu of %u bytes)",
                       ng->len - ng->pos, blen);
    if (st != SX_CAP_OK)
        return st;

    p = ng->buf + ng->pos;
    c = sx_cur_make(p + blen - 4, 4);
    ng_u32(&c, ng->be, &trail);
    if (trail != blen)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
            "block trailing length %u differs from leading length %u",
            trail, blen);

    *type = t;
    *body = sx_cur_make(p + 8, blen - NG_BLOCK_OVERHEAD);
    ng->pos += blen;
    ng->consumed += blen;
    return SX_CAP_OK;
}

/*
 * Section Header Block (section 4.1): byte-order magic (already checked),
 * major, minor, section length, options.  A new section starts a new
 * interface list.
 */
static int ng_shb(struct sx_pcapng *ng, struct sx_cursor *body)
{
    uint16_t major, minor;

    if (!sx_cur_skip(body, 4) || !ng_u16(body, ng->be, &major) ||
        !ng_u16(body, ng->be, &minor) || !sx_cur_skip(body, 8))
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "section header block too short");

    /* Only the major version changes the layout; 1.2 exists in the wild.
     * Another one is a capture header we cannot read: corrupt, as
     * libpcap's refusal of a pcap file's version is. */
    if (major != 1)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "unsupported pcapng version %u.%u", major, minor);

    ng->nifs = 0;
    return SX_CAP_OK;
}

/*
 * Interface Description Block (section 4.2): link type, reserved, snap
 * length, then options; if_tsresol and if_tsoffset change how every later
 * timestamp of the interface is read, so malformed ones are damage.
 * TODO(capture): if_fcslen and epb_flags are ignored, so a frame that
 * carries its Ethernet FCS hands those 4 bytes to the decoder as data.
 */
static int ng_idb(struct sx_pcapng *ng, struct sx_cursor *body)
{
    struct ng_iface ifc = {0, 0, NG_TSRESOL_DEFAULT, 0};
    uint16_t code, olen;

    if (!ng_u16(body, ng->be, &ifc.linktype) || !sx_cur_skip(body, 2) ||
        !ng_u32(body, ng->be, &ifc.snaplen))
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "interface description block too short");

    while (ng_u16(body, ng->be, &code) && ng_u16(body, ng->be, &olen)) {
        struct sx_cursor val;
        uint64_t off = 0;

        if (code == NG_OPT_ENDOFOPT)
            break;
        if (!sx_cur_sub(body, olen, &val))
            return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                "interface option %u length %u overruns its block", code,
                olen);
        /* Padding to 32 bits; a writer that omits it on the last option
         * costs nothing to forgive. */
        sx_cur_skip(body, (4u - olen % 4u) % 4u);

        if (code == NG_OPT_IF_TSRESOL) {
            if (olen != 1)
                return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                               "if_tsresol option has length %u, not 1",
                               olen);
            sx_cur_u8(&val, &ifc.tsresol);
        } else if (code == NG_OPT_IF_TSOFFSET) {
            if (olen != 8)
                return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                               "if_tsoffset option has length %u, not 8",
                               olen);
            ng_u64(&val, ng->be, &off);
            ifc.tsoffset = (int64_t)off;
        }
    }

    if (ng->nifs == ng->ifcap) {
        size_t cap = ng->ifcap ? ng->ifcap * 2 : 8;
        struct ng_iface *n;

        if (ng->nifs >= NG_IFACE_MAX)
            return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                           "more than %u interfaces in one section",
                           NG_IFACE_MAX);
        n = realloc(ng->ifs, cap * sizeof(*n));
        if (n == NULL)
            return ng_fail(ng, SX_CAP_ERR_IO, "%s", strerror(ENOMEM));
        ng->ifs = n;
        ng->ifcap = cap;
    }
    ng->ifs[ng->nifs++] = ifc;
    return SX_CAP_OK;
}

static int ng_iface_check(struct sx_pcapng *ng, uint32_t id)
{
    if (ng->nifs == 0)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
            "packet block before any interface description block");
    if (id >= ng->nifs)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "interface id %u out of range (%zu interfaces)", id,
                       ng->nifs);
    return SX_CAP_OK;
}

/*
 * Enhanced Packet Block (section 4.3) and the obsolete Packet Block
 * (appendix A), which differ only in the width of the interface id:
 * interface, timestamp high and low, captured and original length, data.
 */
static int ng_epb(struct sx_pcapng *ng, struct sx_cursor *body, bool obsolete,
                  struct sx_frame_hdr *hdr, const uint8_t **data)
{
    const struct ng_iface *ifc;
    uint32_t id = 0, caplen = 0, wirelen = 0;
    uint16_t id16 = 0;
    uint64_t ts = 0;
    bool ok;
    int st;

    if (obsolete) {
        ok = ng_u16(body, ng->be, &id16) && sx_cur_skip(body, 2);
        id = id16;
    } else {
        ok = ng_u32(body, ng->be, &id);
    }
    ok = ok && ng_ts64(body, ng->be, &ts) &&
         ng_u32(body, ng->be, &caplen) && ng_u32(body, ng->be, &wirelen);
    if (!ok)
        return ng_fail(ng, SX_CAP_ERR_CORRUPT, "packet block too short");
    st = ng_iface_check(ng, id);
    if (st != SX_CAP_OK)
        return st;
    if (caplen > sx_cur_left(body))
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "captured length %u exceeds block body (%zu bytes)",
                       caplen, sx_cur_left(body));

    ifc = &ng->ifs[id];
    ng_timestamp(ifc, ts, &hdr->sec, &hdr->nsec);
    ng->last_sec = hdr->sec;
    ng->last_nsec = hdr->nsec;
    hdr->caplen = caplen;
    hdr->wirelen = wirelen;
    hdr->linktype = ifc->linktype;
    *data = body->pos;
    return SX_CAP_OK;
}

/*
 * Simple Packet Block (section 4.4): original length, then data from
 * interface 0.  Its captured length is implied: the original length cut
 * to the snap length and to the block.  No timestamp: the previous
 * frame's is repeated so that time never jumps back to 1970.
 */
static int ng_spb(struct sx_pcapng *ng, struct sx_cursor *body,
                  struct sx_frame_hdr *hdr, const uint8_t **data)
{
    uint32_t wirelen, caplen;
    int st;

    st = ng_iface_check(ng, 0);
    if (st != SX_CAP_OK)
        return st;
    if (!ng_u32(body, ng->be, &wirelen))
        return ng_fail(ng, SX_CAP_ERR_CORRUPT,
                       "simple packet block too short");

    caplen = wirelen;
    if (ng->ifs[0].snaplen != 0 && caplen > ng->ifs[0].snaplen)
        caplen = ng->ifs[0].snaplen;
    if (caplen > sx_cur_left(body))
        caplen = (uint32_t)sx_cur_left(body);

    hdr->sec = ng->last_sec;
    hdr->nsec = ng->last_nsec;
    hdr->caplen = caplen;
    hdr->wirelen = wirelen;
    hdr->linktype = ng->ifs[0].linktype;
    *data = body->pos;
    return SX_CAP_OK;
}

/*
 * Read blocks until one yields a frame (SX_CAP_OK), the stream ends, or
 * damage.  With `to_first_idb`, stop after the first interface description
 * instead: that is the part of the file read at open time.
 */
static int ng_advance(struct sx_pcapng *ng, bool to_first_idb,
                      struct sx_frame_hdr *hdr, const uint8_t **data)
{
    struct sx_cursor body = {NULL, NULL};
    uint32_t type = 0;
    int st;

    for (;;) {
        st = ng_read_block(ng, &type, &body);
        if (st != SX_CAP_OK)
            return st;

        switch (type) {
        case NG_BT_SHB:
            st = ng_shb(ng, &body);
            break;
        case NG_BT_IDB:
            st = ng_idb(ng, &body);
            if (st == SX_CAP_OK && to_first_idb)
                return SX_CAP_OK;
            break;
        case NG_BT_EPB:
        case NG_BT_PB:
            st = ng_epb(ng, &body, type == NG_BT_PB, hdr, data);
            if (st == SX_CAP_OK)
                return SX_CAP_OK;
            break;
        case NG_BT_SPB:
            st = ng_spb(ng, &body, hdr, data);
            if (st == SX_CAP_OK)
                return SX_CAP_OK;
            break;
        default:
            /* Name resolution, statistics, secrets, custom...: not ours. */
            break;
        }
        if (st != SX_CAP_OK)
            return st;
    }
}

int sx_pcapng_open(FILE *fp, const uint8_t *prefix, size_t prefixlen,
                   struct sx_pcapng **out, char *err, size_t errlen)
{
    struct sx_pcapng *ng;
    struct sx_frame_hdr hdr;
    const uint8_t *data;
    struct sx_cursor body = {NULL, NULL};
    uint32_t type = 0;
    int st;

    *out = NULL;
    ng = calloc(1, sizeof(*ng));
    if (ng != NULL)
        ng->buf = malloc(NG_BUF_INIT > prefixlen ? NG_BUF_INIT : prefixlen);
    if (ng == NULL || ng->buf == NULL) {
        free(ng);
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s", strerror(ENOMEM));
        return SX_CAP_ERR_IO;
    }
    ng->fp = fp;
    ng->cap = NG_BUF_INIT > prefixlen ? NG_BUF_INIT : prefixlen;
    memcpy(ng->buf, prefix, prefixlen);
    ng->len = prefixlen;

    /* The file must open with a section header. */
    st = ng_read_block(ng, &type, &body);
    if (st == SX_CAP_OK && type != NG_BT_SHB)
        st = ng_fail(ng, SX_CAP_ERR_FORMAT, "not a pcapng file");
    if (st == SX_CAP_OK)
        st = ng_shb(ng, &body);
    if (st == SX_CAP_OK)
        st = ng_advance(ng, true, &hdr, &data);
    if (st == SX_CAP_EOF) {
        /* A section with no interfaces holds no packets: empty, valid. */
        ng->status = SX_CAP_EOF;
        st = SX_CAP_OK;
    }
    if (st != SX_CAP_OK) {
        ng_copy_err(ng, err, errlen);
        sx_pcapng_close(ng);
        return st;
    }
    *out = ng;
    return SX_CAP_OK;
}

int sx_pcapng_next(struct sx_pcapng *ng, struct sx_frame_hdr *hdr,
                   const uint8_t **data, char *err, size_t errlen)
{
    int st;

    if (ng->status == SX_CAP_OK) {
        st = ng_advance(ng, false, hdr, data);
        if (st == SX_CAP_OK)
            return SX_CAP_OK;
        ng->status = st;
    }
    if (ng->status < 0)
        ng_copy_err(ng, err, errlen);
    return ng->status;
}

uint64_t sx_pcapng_offset(const struct sx_pcapng *ng)
{
    return ng->consumed;
}

void sx_pcapng_close(struct sx_pcapng *ng)
{
    if (ng == NULL)
        return;
    free(ng->ifs);
    free(ng->buf);
    free(ng);
}
