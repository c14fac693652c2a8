/*
 * proto_dns.c - DNS messages: header, first question, and the address
 * and alias records of the answer and additional sections.
 *
 * RFC 1035 section 4.1 (message format) and 4.1.4 (compression),
 * RFC 3596 (AAAA), RFC 2782 (SRV), RFC 3597 section 5 (TYPEnnn names),
 * RFC 6762 section 18 (mDNS shares the format), RFC 6891 section 5
 * (label types 0x40 and 0x80 are obsolete).
 */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "decode/decode.h"

#define DNS_HDR_LEN 12
#define DNS_QR 0x8000

/* A pointer chain longer than this is hostile: no encoder compresses a
 * name through more than a handful of earlier names. */
#define DNS_JUMPS_MAX 64

enum {
    T_A = 1,
    T_CNAME = 5,
    T_PTR = 12,
    T_AAAA = 28,
    T_SRV = 33,
};

/*
 * Label bytes become text as follows: printable ASCII other than space
 * and '.' is kept, upper-case letters in lower case (names compare
 * without case, RFC 4343 3, and resolvers that randomise the case of
 * queries, draft-vixie-dnsext-dns0x20, must not split one name in two);
 * anything else (controls, space, a dot inside a label, bytes >= 0x80)
 * becomes '?'.  So the text never holds NUL, and a label can never pose
 * as two labels ("a.b" inside one label is "a?b").
 * TODO(dns): mDNS instance names ("Living Room._hap._tcp.local", UTF-8)
 * lose their spaces and non-ASCII letters to '?'.
 */
static char dns_char(uint8_t b)
{
    if (b >= 'A' && b <= 'Z')
        return (char)(b - 'A' + 'a');
    if (b > 0x20 && b < 0x7f && b != '.')
        return (char)b;
    return '?';
}

/*
 * Read the name at `c` into `out`: dotted, no trailing dot, "" for the
 * root.  `c` advances past the name's in-place part (up to and including
 * its first pointer); pointers are resolved against `msg`, the whole
 * message.  A pointer refers to "a prior occurrence" (RFC 1035 4.1.4):
 * it must point before the labels it ends, so every jump lands strictly
 * lower than the last and no loop is possible; the jump cap bounds the
 * work besides.  The name, counted in wire form, may not exceed 255
 * bytes (RFC 1035 2.3.4).
 */
static bool dns_name(const struct sx_cursor *msg, struct sx_cursor *c,
                     char out[SX_DNS_NAME_MAX + 1])
{
    struct sx_cursor r = *c;
    struct sx_cursor after = *c;    /* where the in-place part ends */
    size_t lowest = (size_t)(c->pos - msg->pos);
    size_t wire = 1;            /* the root label's length byte */
    size_t n = 0;
    int jumps = 0;
    bool jumped = false;

    for (;;) {
        uint8_t len, lo;

        if (!sx_cur_u8(&r, &len))
            return false;
        if (len == 0)
            break;
        if ((len & 0xc0) == 0xc0) {
            size_t to;

            if (!sx_cur_u8(&r, &lo))
                return false;
            if (!jumped)
                after = r;
            jumped = true;
            to = ((size_t)(len & 0x3f) << 8) | lo;
            if (++jumps > DNS_JUMPS_MAX || to >= lowest)
                return false;
            lowest = to;
            r = *msg;
            sx_cur_skip(&r, to);    /* to < lowest: inside the message */
            continue;
        }
        if ((len & 0xc0) != 0)
            return false;

        wire += (size_t)len + 1;
        if (wire > SX_DNS_NAME_MAX)
            return false;
        if (n > 0)
            out[n++] = '.';
        for (uint8_t i = 0; i < len; i++) {
            uint8_t b;

            if (!sx_cur_u8(&r, &b))
                return false;
            out[n++] = dns_char(b);
        }
    }
    out[n] = '\0';
    *c = jumped ? after : r;
    return true;
}

/* Question: name, type (2), class (2). */
static bool dns_question(const struct sx_cursor *msg, struct sx_cursor *c,
                         char name[SX_DNS_NAME_MAX + 1], uint16_t *type)
{
    return dns_name(msg, c, name) && sx_cur_u16be(c, type) &&
           sx_cur_skip(c, 2);
}

/* Resource record: name, type (2), class (2), TTL (4), rdlength (2),
 * rdata.  `rdata` is bounded to rdlength. */
static bool dns_record(const struct sx_cursor *msg, struct sx_cursor *c,
                       char owner[SX_DNS_NAME_MAX + 1], uint16_t *type,
                       struct sx_cursor *rdata)
{
    uint16_t rdlen;

    return dns_name(msg, c, owner) && sx_cur_u16be(c, type) &&
           sx_cur_skip(c, 6) && sx_cur_u16be(c, &rdlen) &&
           sx_cur_sub(c, rdlen, rdata);
}

/*
 * Pass an A, AAAA, CNAME, PTR or SRV record to `fn`; other types and
 * records whose rdata does not parse are skipped.  Names in rdata must
 * start inside it but may point anywhere earlier in the message.
 */
static void dns_report(const struct sx_cursor *msg, const char *owner,
                       uint16_t type, struct sx_cursor rdata,
                       sx_dns_rr_fn fn, void *user)
{
    struct sx_dns_rr rr;
    char target[SX_DNS_NAME_MAX + 1];

    memset(&rr, 0, sizeof(rr));
    rr.type = type;
    rr.owner = owner;
    switch (type) {
    case T_A:
        if (sx_cur_left(&rdata) != 4 || !sx_cur_bytes(&rdata, rr.addr, 4))
            return;
        break;
    case T_AAAA:
        if (sx_cur_left(&rdata) != 16 ||
            !sx_cur_bytes(&rdata, rr.addr, 16))
            return;
        break;
    case T_SRV:
        /* Priority, weight and port come before the target. */
        if (!sx_cur_skip(&rdata, 6))
            return;
        /* fall through */
    case T_CNAME:
    case T_PTR:
        if (!dns_name(msg, &rdata, target))
            return;
        rr.target = target;
        break;
    default:
        return;
    }
    fn(user, &rr);
}

int sx_dns_parse(const uint8_t *data, size_t len, struct sx_dns_msg *msg,
                 sx_dns_rr_fn fn, void *user)
{
    const struct sx_cursor all = sx_cur_make(data, len);
    struct sx_cursor c = all;
    char name[SX_DNS_NAME_MAX + 1];
    uint16_t flags, qd, an, ns, ar, type;
    uint32_t records;

    /* Header: ID, flags, then the four section counts. */
    memset(msg, 0, sizeof(*msg));
    if (!sx_cur_skip(&c, 2) || !sx_cur_u16be(&c, &flags) ||
        !sx_cur_u16be(&c, &qd) || !sx_cur_u16be(&c, &an) ||
        !sx_cur_u16be(&c, &ns) || !sx_cur_u16be(&c, &ar))
        return -1;
    msg->response = (flags & DNS_QR) != 0;

    /* The first question names the message; the others are skipped. */
    if (qd > 0) {
        if (!dns_question(&all, &c, msg->name, &msg->qtype))
            return -1;
        msg->has_name = true;
    }
    for (uint32_t i = 1; i < qd; i++) {
        if (!dns_question(&all, &c, name, &type))
            return 0;
    }

    /*
     * Records.  Counts come from the sender and may be hostile: the walk
     * ends where the data ends, and every record takes at least 11 bytes,
     * so it never loops more than len / 11 times.  Authority records are
     * parsed only to step over them.
     */
    records = (uint32_t)an + ns + ar;
    for (uint32_t i = 0; i < records; i++) {
        struct sx_cursor rdata;

        if (!dns_record(&all, &c, name, &type, &rdata))
            break;
        if (!msg->has_name && i == 0 && an > 0) {
            /* No question: the first answer names the message. */
            memcpy(msg->name, name, sizeof(name));
            msg->qtype = type;
            msg->has_name = true;
        }
        if (fn != NULL && (i < an || i >= (uint32_t)an + ns))
            dns_report(&all, name, type, rdata, fn, user);
    }

    /* A message with no question must have a readable first answer; one
     * with neither (a bare header) parses, with has_name false. */
    if (!msg->has_name && an > 0)
        return -1;
    return 0;
}

static const struct {
    uint16_t type;
    const char *name;
} dns_types[] = {
    {1, "A"},       {2, "NS"},        {5, "CNAME"},  {6, "SOA"},
    {12, "PTR"},    {13, "HINFO"},    {15, "MX"},    {16, "TXT"},
    {28, "AAAA"},   {33, "SRV"},      {35, "NAPTR"}, {39, "DNAME"},
    {41, "OPT"},    {43, "DS"},       {46, "RRSIG"}, {47, "NSEC"},
    {48, "DNSKEY"}, {50, "NSEC3"},    {52, "TLSA"},  {64, "SVCB"},
    {65, "HTTPS"},  {99, "SPF"},      {251, "IXFR"}, {252, "AXFR"},
    {255, "ANY"},   {257, "CAA"},
};

const char *sx_dns_type_name(uint16_t type, char buf[16])
{
    for (size_t i = 0; i < sizeof(dns_types) / sizeof(dns_types[0]); i++) {
        if (dns_types[i].type == type)
            return dns_types[i].name;
    }
    snprintf(buf, 16, "TYPE%u", (unsigned)type);
    return buf;
}
