/*
 * csv.c - packet and flow CSV writers and readers (RFC 4180).
 *
 * The columns are those of SPEC "Outputs".  Readers accept exactly what
 * the writers produce, so a file sigext wrote reads back into the same
 * fingerprints, and anything else is refused with the line at fault.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flows.h"
#include "output/output.h"
#include "output/readers.h"
#include "packets/trace.h"

static const char packets_header[] =
    "id,timestamp,network_protocol,src,dst,transport_protocol,sport,dport,"
    "application_layer,length";
static const char flows_header[] =
    "network_protocol,src,dst,transport_protocol,sport,dport,"
    "application_layer,count";

/* Largest input file we read into memory (a CSV of a huge capture). */
#define CSV_MAX_BYTES ((size_t)1 << 31)

/* ---- writing ---- */

/* A field, quoted when it holds a comma, a quote or a line break. */
static void put_field(struct sx_buf *b, const char *s, size_t n)
{
    bool quote = false;

    for (size_t i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            quote = true;
    if (!quote) {
        sx_buf_put(b, s, n);
        return;
    }
    sx_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            sx_buf_putc(b, '"');
        sx_buf_putc(b, s[i]);
    }
    sx_buf_putc(b, '"');
}

static void put_str(struct sx_buf *b, const char *s)
{
    put_field(b, s, strlen(s));
}

static void put_app(struct sx_buf *b, struct sx_buf *tmp,
                    const sigext_app *app)
{
    sx_buf_reset(tmp);
    sx_app_format(tmp, app);
    put_field(b, sx_buf_str(tmp), tmp->len);
}

/*
 * Resolved hosts of a trace, memoised: a packets CSV resolves two hosts a
 * row, and a direct-mapped table of recent answers keeps that to a probe.
 */
#define RESOLVE_CACHE 65536

struct resolve_cache {
    const sigext_host *key[RESOLVE_CACHE];
    const sigext_host *val[RESOLVE_CACHE];
};

static const sigext_host *resolve_cached(sigext_ctx *ctx,
                                         const sigext_trace *t,
                                         struct resolve_cache *rc,
                                         const sigext_host *h)
{
    size_t i = (size_t)(((uintptr_t)h * 0x9e3779b97f4a7c15ULL) >> 48);

    if (rc->key[i] != h) {
        rc->key[i] = h;
        rc->val[i] = sigext_resolve(ctx, t, h);
    }
    return rc->val[i];
}

struct packets_writer {
    sigext_ctx *ctx;
    const sigext_trace *t;
    FILE *out;
    struct sx_buf b;
    struct sx_buf tmp;
    struct resolve_cache *rc;
};

static int put_packet(void *user, const sigext_record *r)
{
    struct packets_writer *w = user;
    struct sx_buf *b = &w->b;

    sx_buf_u64(b, r->id);
    sx_buf_putc(b, ',');
    /* Microseconds unless the capture has finer stamps. */
    if (r->ts_sec < 0)
        sx_buf_putc(b, '-');
    sx_buf_u64(b, (uint64_t)(r->ts_sec < 0 ? -r->ts_sec : r->ts_sec));
    sx_buf_putc(b, '.');
    if (r->ts_nsec % 1000 == 0)
        sx_buf_frac(b, r->ts_nsec / 1000, 6);
    else
        sx_buf_frac(b, r->ts_nsec, 9);
    sx_buf_putc(b, ',');
    sx_buf_puts(b, sx_net_name(r->ipver));
    sx_buf_putc(b, ',');
    put_str(b, resolve_cached(w->ctx, w->t, w->rc, r->src)->text);
    sx_buf_putc(b, ',');
    put_str(b, resolve_cached(w->ctx, w->t, w->rc, r->dst)->text);
    sx_buf_putc(b, ',');
    sx_buf_puts(b, sx_transport_name(r->transport));
    sx_buf_putc(b, ',');
    sx_buf_u64(b, r->sport);
    sx_buf_putc(b, ',');
    sx_buf_u64(b, r->dport);
    sx_buf_putc(b, ',');
    if (r->app != NULL)
        put_app(b, &w->tmp, r->app);
    sx_buf_putc(b, ',');
    sx_buf_u64(b, r->length);
    sx_buf_putc(b, '\n');
    return b->len > 65536 ? sx_buf_flush(w->ctx, b, w->out) : SIGEXT_OK;
}

int sigext_write_packets_csv(sigext_ctx *ctx, const sigext_trace *t,
                             FILE *out)
{
    struct packets_writer w = {.ctx = ctx, .t = t, .out = out};
    int st = SIGEXT_OK;

    w.rc = calloc(1, sizeof(*w.rc));
    if (w.rc == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    sx_buf_puts(&w.b, packets_header);
    sx_buf_putc(&w.b, '\n');
    if (t->records_kept) {
        for (size_t i = 0; i < t->n_recs && st == SIGEXT_OK; i++)
            st = put_packet(&w, &t->recs[i]);
    } else if (t->stats.kept > 0) {
        st = sigext_trace_replay(ctx, t, put_packet, &w);
    }
    if (st == SIGEXT_OK)
        st = sx_buf_flush(ctx, &w.b, out);
    sx_buf_free(&w.b);
    sx_buf_free(&w.tmp);
    free(w.rc);
    return st;
}

static void put_ports(struct sx_buf *b, const uint16_t *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (i > 0)
            sx_buf_putc(b, ' ');
        sx_buf_u64(b, v[i]);
    }
}

int sigext_write_flows_csv(sigext_ctx *ctx, const sigext_pattern *p,
                           FILE *out)
{
    struct sx_buf b = {0}, tmp = {0};
    int st;

    sx_buf_puts(&b, flows_header);
    sx_buf_putc(&b, '\n');
    for (size_t i = 0; i < p->n_flows; i++) {
        const sigext_flow *f = &p->flows[i];
        /* src < dst in byte order, each with its own fixed ports. */
        bool swap = strcmp(f->src->text, f->dst->text) > 0;
        const sigext_host *a = swap ? f->dst : f->src;
        const sigext_host *z = swap ? f->src : f->dst;

        sx_buf_puts(&b, sx_net_name(f->ipver));
        sx_buf_putc(&b, ',');
        put_str(&b, a->text);
        sx_buf_putc(&b, ',');
        put_str(&b, z->text);
        sx_buf_putc(&b, ',');
        sx_buf_puts(&b, sx_transport_name(f->transport));
        sx_buf_putc(&b, ',');
        if (swap)
            put_ports(&b, f->dst_ports, f->n_dst_ports);
        else
            put_ports(&b, f->src_ports, f->n_src_ports);
        sx_buf_putc(&b, ',');
        if (swap)
            put_ports(&b, f->src_ports, f->n_src_ports);
        else
            put_ports(&b, f->dst_ports, f->n_dst_ports);
        sx_buf_putc(&b, ',');
        put_app(&b, &tmp, f->app);
        sx_buf_putc(&b, ',');
        sx_buf_u64(&b, f->count);
        sx_buf_putc(&b, '\n');
    }
    st = sx_buf_flush(ctx, &b, out);
    sx_buf_free(&b);
    sx_buf_free(&tmp);
    return st;
}

/* ---- reading ---- */

/* Does `b` (4 bytes) open a pcap file (either byte order, micro- or
 * nanosecond) or a pcapng Section Header Block?  Only to say so when a
 * capture is given where text belongs. */
static bool is_capture_magic(const char *b)
{
    static const uint8_t magic[][4] = {
        { 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
        { 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
        { 0x0a, 0x0d, 0x0d, 0x0a },
    };

    for (size_t i = 0; i < sizeof(magic) / sizeof(magic[0]); i++) {
        if (memcmp(b, magic[i], 4) == 0)
            return true;
    }
    return false;
}

/* Close what sx_read_file() opened; standard input stays open. */
static void release(FILE *fp)
{
    if (fp != stdin)
        fclose(fp);
}

int sx_read_file(sigext_ctx *ctx, const char *path, char **text,
                 size_t *len)
{
    /* "-" is standard input, as for a trace. */
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    *text = NULL;
    if (fp == NULL)
        return sx_fail(ctx, SIGEXT_ERR_IO, "%s: %s", path, strerror(errno));
    for (;;) {
        if (cap - n < 65536) {
            char *nb;
            cap = cap ? cap * 2 : 65536 * 2;
            if (cap > CSV_MAX_BYTES) {
                free(buf);
                release(fp);
                return sx_fail(ctx, SIGEXT_ERR_LIMIT,
                               "%s: larger than 2 GiB", path);
            }
            nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                free(buf);
                release(fp);
                return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        /* Every format read here is text.  A NUL byte would cut a value
         * that is interned with its length but written out with strlen,
         * so what was read would not read back (found by fuzz_csv).
         * Checked as it comes, so /dev/zero is not read to the cap. */
        if (memchr(buf + n, '\0', got) != NULL) {
            bool pcap = n == 0 && got >= 4 && is_capture_magic(buf);
            free(buf);
            release(fp);
            return sx_fail(ctx, SIGEXT_ERR_FORMAT, pcap ? "%s: a capture, "
                           "not a text file" : "%s: not a text file "
                           "(NUL byte)", path);
        }
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        int e = errno;
        free(buf);
        release(fp);
        return sx_fail(ctx, SIGEXT_ERR_IO, "%s: %s", path,
                       e ? strerror(e) : "read error");
    }
    release(fp);
    /* A UTF-8 byte order mark, as spreadsheets save CSV, is not text. */
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(buf, buf + 3, n - 3);
        n -= 3;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return SIGEXT_OK;
}

#define CSV_MAX_FIELDS 12

struct csv_row {
    int n;
    char *f[CSV_MAX_FIELDS];
    size_t len[CSV_MAX_FIELDS];
};

/*
 * Split the next record at *pos in place (quotes removed, "" unescaped).
 * Returns 1 for a record, 0 at the end, -1 on a syntax error.
 */
static int csv_next(char **pos, char *end, struct csv_row *row)
{
    char *p = *pos;

    if (p >= end)
        return 0;
    row->n = 0;
    for (;;) {
        char *start = p, *w = p;
        if (row->n == CSV_MAX_FIELDS)
            return -1;
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p >= end)
                    return -1;
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *w++ = *p++;
            }
        } else {
            while (p < end && *p != ',' && *p != '\n' && *p != '\r')
                w = ++p;
        }
        row->f[row->n] = start;
        row->len[row->n] = (size_t)(w - start);
        row->n++;
        char term = p < end ? *p : '\n';
        if (term != ',' && term != '\n' && term != '\r')
            return -1;
        /* w may equal p: read the terminator before ending the field. */
        *w = '\0';
        p++;
        if (term == ',')
            continue;
        if (term == '\r' && p < end && *p == '\n')
            p++;
        *pos = p;
        return 1;
    }
}

static bool header_is(const struct csv_row *row, const char *header)
{
    size_t off = 0, hl = strlen(header);

    for (int i = 0; i < row->n; i++) {
        if (i > 0) {
            if (off >= hl || header[off] != ',')
                return false;
            off++;
        }
        if (hl - off < row->len[i] ||
            memcmp(header + off, row->f[i], row->len[i]) != 0)
            return false;
        off += row->len[i];
    }
    return off == hl;
}

static bool parse_u64(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;

    if (n == 0 || n > 20)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (x > (max - (uint64_t)(s[i] - '0')) / 10)
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return true;
}

static bool parse_net(const char *s, uint8_t *ipver)
{
    if (strcmp(s, "IPv4") == 0)
        *ipver = 4;
    else if (strcmp(s, "IPv6") == 0)
        *ipver = 6;
    else
        return false;
    return true;
}

static bool parse_transport(const char *s, uint8_t *t)
{
    if (strcmp(s, "TCP") == 0)
        *t = 6;
    else if (strcmp(s, "UDP") == 0)
        *t = 17;
    else
        return false;
    return true;
}

/* "53 443" -> ports, ascending, at most SIGEXT_MAX_PORTS; NULL, or what
 * is wrong. */
static const char *parse_ports(const char *s, size_t n, uint16_t *v,
                               uint8_t *cnt)
{
    size_t i = 0;

    *cnt = 0;
    while (i < n) {
        size_t j = i;
        uint64_t x;
        while (j < n && s[j] != ' ')
            j++;
        if (!parse_u64(s + i, j - i, 65535, &x))
            return "a port is a number from 0 to 65535";
        if (*cnt == SIGEXT_MAX_PORTS)
            return "more than 8 ports";
        if (*cnt > 0 && v[*cnt - 1] == x)
            return "a port is repeated";
        if (*cnt > 0 && v[*cnt - 1] > x)
            return "ports are not in ascending order";
        v[(*cnt)++] = (uint16_t)x;
        i = j + 1;
        if (j < n && i >= n)
            return "trailing space";
    }
    return NULL;
}

/* Column `col` of a header: its name at *name, its length returned. */
static int column(const char *header, int col, const char **name)
{
    const char *h = header;

    for (int i = 0; i < col; i++)
        h = strchr(h, ',') + 1;
    *name = h;
    return (int)strcspn(h, ",");
}

/* "FILE:LINE: bad dport "x"", the column named as in the header. */
static int bad_field(sigext_ctx *ctx, const char *path, size_t line,
                     const char *header, const struct csv_row *row, int col,
                     const char *why)
{
    const char *name;
    int nlen = column(header, col, &name);
    /* A long value is cut, so the message stays one readable line. */
    int vlen = row->len[col] > 64 ? 64 : (int)row->len[col];

    return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%zu: bad %.*s \"%.*s%s\"%s%s",
                   path, line, nlen, name, vlen, row->f[col],
                   row->len[col] > 64 ? "..." : "", why != NULL ? ": " : "",
                   why != NULL ? why : "");
}

/*
 * The src or dst of a row (column `col`), interned into *out.  A name
 * stands for hosts of either version, but an address must be of the
 * row's: an IPv4 flow from "::1" would become a policy that means
 * nothing (SIGEXT_ERR_FORMAT with the error set).
 */
static int row_host(sigext_ctx *ctx, const char *path, size_t line,
                    const char *header, const struct csv_row *row, int col,
                    uint8_t ipver, const sigext_host **out)
{
    const sigext_host *h = sx_host_text(ctx, row->f[col], row->len[col]);
    const char *name;
    int nlen;

    if (h == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    if ((ipver == 4 && h->kind == SIGEXT_HOST_IPV6) ||
        (ipver == 6 && h->kind == SIGEXT_HOST_IPV4)) {
        nlen = column(header, col, &name);
        return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%zu: %.*s \"%s\" is an "
                       "IPv%d address in an IPv%d row", path, line, nlen,
                       name, row->f[col], ipver == 4 ? 6 : 4, ipver);
    }
    *out = h;
    return SIGEXT_OK;
}

/* The fields of a flows row but the hosts: the column at fault, or -1. */
static int flow_fields(sigext_ctx *ctx, const struct csv_row *row,
                       sigext_flow *f, const char **why)
{
    *why = NULL;
    if (!parse_net(row->f[0], &f->ipver))
        return 0;
    if (row->len[1] == 0)
        return 1;
    if (row->len[2] == 0)
        return 2;
    if (!parse_transport(row->f[3], &f->transport))
        return 3;
    *why = parse_ports(row->f[4], row->len[4], f->src_ports,
                       &f->n_src_ports);
    if (*why != NULL)
        return 4;
    *why = parse_ports(row->f[5], row->len[5], f->dst_ports,
                       &f->n_dst_ports);
    if (*why != NULL)
        return 5;
    if (sx_app_parse(ctx, row->f[6], row->len[6], &f->app) != 0)
        return 6;
    if (!parse_u64(row->f[7], row->len[7], UINT64_MAX, &f->count) ||
        f->count == 0)
        return 7;
    return -1;
}

static int read_flows_csv(sigext_ctx *ctx, const char *path, char *text,
                          size_t len, sigext_pattern **out)
{
    char *pos = text, *end = text + len;
    struct csv_row row;
    sigext_flow *flows = NULL;
    size_t n = 0, cap = 0, line = 1;
    int st = SIGEXT_OK, r;

    if (csv_next(&pos, end, &row) != 1 || !header_is(&row, flows_header))
        return sx_fail(ctx, SIGEXT_ERR_FORMAT,
                       "%s: not a flows or signature CSV written by sigext "
                       "(unexpected header)", path);
    while ((r = csv_next(&pos, end, &row)) == 1) {
        sigext_flow f;
        const char *why;
        int bad;

        line++;
        if (row.n == 1 && row.len[0] == 0)
            continue;           /* blank line */
        memset(&f, 0, sizeof(f));
        if (row.n != 8) {
            st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%zu: %d fields, "
                         "expected 8", path, line, row.n);
            goto out;
        }
        bad = flow_fields(ctx, &row, &f, &why);
        if (bad >= 0) {
            st = bad_field(ctx, path, line, flows_header, &row, bad, why);
            goto out;
        }
        st = row_host(ctx, path, line, flows_header, &row, 1, f.ipver,
                      &f.src);
        if (st == SIGEXT_OK)
            st = row_host(ctx, path, line, flows_header, &row, 2, f.ipver,
                          &f.dst);
        if (st != SIGEXT_OK)
            goto out;
        /* The CSV orders hosts by bytes, not by direction.  Restore the
         * usual one: the host with the service's fixed port receives. */
        if (f.n_src_ports > 0 && f.n_dst_ports == 0) {
            const sigext_host *h = f.src;
            f.src = f.dst;
            f.dst = h;
            f.n_dst_ports = f.n_src_ports;
            memcpy(f.dst_ports, f.src_ports, sizeof(f.dst_ports));
            f.n_src_ports = 0;
            memset(f.src_ports, 0, sizeof(f.src_ports));
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            sigext_flow *nf = realloc(flows, nc * sizeof(*nf));
            if (nf == NULL) {
                st = sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
                goto out;
            }
            flows = nf;
            cap = nc;
        }
        flows[n++] = f;
    }
    if (r < 0) {
        st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%zu: bad CSV quoting", path,
                     line + 1);
        goto out;
    }
    st = sx_pattern_from_flows(ctx, flows, n, sx_intern_z(ctx, path), out);
out:
    free(flows);
    return st;
}

/* Is `s` (leading space skipped) a JSON literal alone: null, true,
 * false or a number?  No CSV sigext writes is one word on one line. */
static bool json_literal(const char *s, size_t n)
{
    static const char *const words[] = { "null", "true", "false" };

    while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
        n--;
    if (n > 0 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) &&
        strspn(s, "0123456789+-.eE") >= n)
        return true;
    for (size_t i = 0; i < 3; i++) {
        if (n == strlen(words[i]) && memcmp(s, words[i], n) == 0)
            return true;
    }
    return false;
}

int sigext_pattern_read(sigext_ctx *ctx, const char *path,
                        sigext_pattern **out)
{
    char *text;
    size_t len, i = 0;
    int st;

    *out = NULL;
    st = sx_read_file(ctx, path, &text, &len);
    if (st != SIGEXT_OK)
        return st;
    while (i < len && (text[i] == ' ' || text[i] == '\n' ||
                       text[i] == '\r' || text[i] == '\t'))
        i++;
    if (len == 0)
        st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s: empty file", path);
    else if (i < len && (strchr("[{\"", text[i]) != NULL ||
                         json_literal(text + i, len - i)))
        st = sx_pattern_read_json(ctx, path, text, len, out);
    else
        st = read_flows_csv(ctx, path, text, len, out);
    free(text);
    return st;
}

/* Parse "sec.frac" into seconds and nanoseconds. */
static bool parse_ts(const char *s, size_t n, int64_t *sec, uint32_t *nsec)
{
    const char *dot = memchr(s, '.', n);
    size_t ilen = dot != NULL ? (size_t)(dot - s) : n;
    uint64_t v, frac = 0;
    size_t flen;

    if (!parse_u64(s, ilen, INT64_MAX, &v))
        return false;
    *sec = (int64_t)v;
    if (dot == NULL) {
        *nsec = 0;
        return true;
    }
    flen = n - ilen - 1;
    if (flen == 0 || flen > 9 || !parse_u64(dot + 1, flen, 999999999, &frac))
        return false;
    for (size_t i = flen; i < 9; i++)
        frac *= 10;
    *nsec = (uint32_t)frac;
    return true;
}

/* The fields of a packets row but the hosts: the column at fault, or
 * -1. */
static int packet_fields(sigext_ctx *ctx, const struct csv_row *row,
                         sigext_record *rec)
{
    uint64_t v;

    if (!parse_u64(row->f[0], row->len[0], UINT64_MAX, &rec->id))
        return 0;
    if (!parse_ts(row->f[1], row->len[1], &rec->ts_sec, &rec->ts_nsec))
        return 1;
    if (!parse_net(row->f[2], &rec->ipver))
        return 2;
    if (row->len[3] == 0)
        return 3;
    if (row->len[4] == 0)
        return 4;
    if (!parse_transport(row->f[5], &rec->transport))
        return 5;
    if (!parse_u64(row->f[6], row->len[6], 65535, &v))
        return 6;
    rec->sport = (uint16_t)v;
    if (!parse_u64(row->f[7], row->len[7], 65535, &v))
        return 7;
    rec->dport = (uint16_t)v;
    if (sx_app_parse(ctx, row->f[8], row->len[8], &rec->app) != 0)
        return 8;
    if (!parse_u64(row->f[9], row->len[9], UINT32_MAX, &v))
        return 9;
    rec->length = (uint32_t)v;
    return -1;
}

int sigext_trace_read_csv(sigext_ctx *ctx, const char *path,
                          sigext_trace **out)
{
    char *text, *pos, *end;
    size_t len, line = 1;
    struct csv_row row;
    sigext_trace *t;
    int st, r;

    *out = NULL;
    st = sx_read_file(ctx, path, &text, &len);
    if (st != SIGEXT_OK)
        return st;
    pos = text;
    end = text + len;
    if (csv_next(&pos, end, &row) != 1 || !header_is(&row, packets_header)) {
        free(text);
        return sx_fail(ctx, SIGEXT_ERR_FORMAT,
                       "%s: not a packets CSV written by sigext "
                       "(unexpected header)", path);
    }
    t = sx_trace_new(ctx, path);
    if (t == NULL) {
        free(text);
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    }
    t->from_csv = true;
    t->records_kept = ctx->opt.keep_records;

    /* Request tracking as in the capture reader: a response groups with
     * the latest request of its connection. */
    while ((r = csv_next(&pos, end, &row)) == 1) {
        sigext_record rec;
        const sigext_app *gapp;
        int bad;

        line++;
        if (row.n == 1 && row.len[0] == 0)
            continue;
        memset(&rec, 0, sizeof(rec));
        if (row.n != 10) {
            st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%zu: %d fields, "
                         "expected 10", path, line, row.n);
            goto fail;
        }
        bad = packet_fields(ctx, &row, &rec);
        if (bad >= 0) {
            st = bad_field(ctx, path, line, packets_header, &row, bad, NULL);
            goto fail;
        }
        st = row_host(ctx, path, line, packets_header, &row, 3, rec.ipver,
                      &rec.src);
        if (st == SIGEXT_OK)
            st = row_host(ctx, path, line, packets_header, &row, 4,
                          rec.ipver, &rec.dst);
        if (st != SIGEXT_OK)
            goto fail;
        gapp = sx_group_app(ctx, t, &rec);
        st = sx_trace_add(ctx, t, &rec, gapp, NULL);
        if (st != SIGEXT_OK)
            goto fail;
    }
    if (r < 0) {
        st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%zu: bad CSV quoting", path,
                     line + 1);
        goto fail;
    }
    free(text);
    *out = t;
    return SIGEXT_OK;
fail:
    free(text);
    sigext_trace_free(t);
    return st;
}
