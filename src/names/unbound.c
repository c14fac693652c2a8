/*
 * unbound.c - load an `unbound-control dump_cache` file into the DNS table.
 *
 * The dump (unbound-control(8), "dump_cache") has an RRset section, one
 * record per line in presentation format, and a message section:
 *
 *   START_RRSET_CACHE
 *   ;rrset 86393 1 0 8 3                    (comment: TTL, counts, trust)
 *   example.com.  86393  IN  A  93.184.216.34
 *   END_RRSET_CACHE
 *   START_MSG_CACHE
 *   msg example.com. IN A 33152 1 86393 3 1 0 0
 *   example.com. IN A 0                     (references, not records)
 *   END_MSG_CACHE
 *   EOF
 *
 * Only RRset lines carry records; the message section only points at
 * them, so it is skipped whole.  Records follow the rules of DNS answers
 * (SPEC stage 1, step 5):
 *   A, AAAA    address -> owner name
 *   CNAME      target -> owner (alias)
 *   SRV        target -> owner (alias); rdata "priority weight port target"
 *   PTR        under in-addr.arpa, for a full IPv4 address: address ->
 *              target when the address has no name yet; any other PTR:
 *              target -> owner (alias)
 * Names are kept as written, without the final dot (as the packet
 * decoder records them).  Other types (NS, MX, TXT, SOA...) are ignored.
 *
 * A load that fails part way (--strict, out of memory) keeps the records
 * read before the failure: the table has no transactions.
 *
 * The counts returned are distinct keys this file set.  For the shared
 * sample (../shared/traces/unbound_dump_sample.txt) that is 6 addresses:
 * 93.184.216.34 and 2606:2800:220:1:248:1893:25c8:1946 (example.com),
 * 192.0.2.1 (ns1.example.org), 198.51.100.1 (ns2.example.org),
 * 192.168.1.100 (example1.local) and 192.0.2.2 (example.com, from its
 * PTR; the PTR of 192.0.2.1 is dropped, that address already has a
 * name) - and 3 aliases: example1.local -> example.local (CNAME),
 * server1.example.com and server2.example.com ->
 * _tcp_.matter.example.com (SRV).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sx_int.h"

/* Longer lines are not records Unbound writes for the types we read;
 * they are skipped without being held, so memory stays this size. */
#define DUMP_MAX_LINE 65536
#define DUMP_MAX_FIELDS 8

/* Keys set by this load, to count each once. */
struct seen_key {
    UT_hash_handle hh;
    const void *key;
};

struct dump {
    sigext_ctx *ctx;
    const char *path;
    struct seen_key *addrs;
    struct seen_key *aliases;
    size_t n_addr;
    size_t n_alias;
    size_t records;             /* RRset lines read, any type */
    size_t malformed;
    size_t first_bad;           /* line of the first malformed record */
};

static int seen(struct seen_key **set, const void *key, size_t *count)
{
    struct seen_key *e;

    HASH_FIND_PTR(*set, &key, e);
    if (e != NULL)
        return 0;
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return -1;
    e->key = key;
    HASH_ADD_PTR(*set, key, e);
    (*count)++;
    return 0;
}

static void seen_free(struct seen_key **set)
{
    struct seen_key *e, *tmp;

    HASH_ITER(hh, *set, e, tmp) {
        HASH_DEL(*set, e);
        free(e);
    }
}

/*
 * A name of the dump, interned, decoded in place: unbound writes a label
 * byte that is not printable, and a '.' inside a label, as \DDD or \X
 * (RFC 1035 5.1); such a byte becomes '?' as in the DNS decoder, which
 * never keeps one.  In lower case, as names compare without case (RFC
 * 4343 3) and the DNS decoder keeps them; no trailing dot.  NULL for the
 * root ("."), on OOM (*oom), or with *bad for a name longer than DNS
 * allows (RFC 1035 2.3.4: 63-byte labels, 255 bytes in all).
 */
static const char *dump_name(sigext_ctx *ctx, char *s, bool *oom,
                             bool *bad)
{
    size_t n = 0, label = 0;
    const char *r;

    *oom = false;
    *bad = false;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (label == 0 && p[1] != '\0')
                *bad = true;        /* an empty label */
            label = 0;
            s[n++] = '.';
            continue;
        }
        if (c == '\\') {
            if (p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
                p[3] >= '0' && p[3] <= '9') {
                int v = (p[1] - '0') * 100 + (p[2] - '0') * 10 + p[3] - '0';
                c = v > 255 ? 0 : (unsigned char)v;
                p += 3;
            } else if (p[1] != '\0') {
                c = (unsigned char)*++p;
            }
            if (c <= 0x20 || c >= 0x7f || c == '.')
                c = '?';
        }
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        s[n++] = (char)c;
        if (++label > 63)
            *bad = true;
    }
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n > 253)
        *bad = true;
    if (n == 0 || *bad)
        return NULL;
    r = sx_intern(ctx, s, n);
    *oom = r == NULL;
    return r;
}

static bool all_digits(const char *s)
{
    return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* "4.3.2.1.in-addr.arpa." -> 1.2.3.4; false unless four octets. */
static bool reverse_v4(const char *owner, uint8_t addr[4])
{
    char buf[64];
    char *label[5], *save = NULL, *t;
    size_t n = strlen(owner);
    int k = 0;

    if (n > 0 && owner[n - 1] == '.')
        n--;
    if (n < 13 || n >= sizeof(buf) ||
        strncasecmp(owner + n - 13, ".in-addr.arpa", 13) != 0)
        return false;
    memcpy(buf, owner, n - 13);
    buf[n - 13] = '\0';
    for (t = strtok_r(buf, ".", &save); t != NULL;
         t = strtok_r(NULL, ".", &save)) {
        if (k == 4 || !all_digits(t) || strlen(t) > 3 || atoi(t) > 255)
            return false;
        label[k++] = t;
    }
    if (k != 4)
        return false;
    for (int i = 0; i < 4; i++)
        addr[i] = (uint8_t)atoi(label[3 - i]);
    return true;
}

static bool under_in_addr(const char *owner)
{
    size_t n = strlen(owner);

    if (n > 0 && owner[n - 1] == '.')
        n--;
    return n >= 12 && strncasecmp(owner + n - 12, "in-addr.arpa", 12) == 0 &&
           (n == 12 || owner[n - 13] == '.');
}

static int add_addr(struct dump *d, const sigext_host *h, const char *name)
{
    if (sx_names_add_addr(&d->ctx->names, h, name) < 0 ||
        seen(&d->addrs, h, &d->n_addr) < 0)
        return SIGEXT_ERR_NOMEM;
    return SIGEXT_OK;
}

static int add_alias(struct dump *d, const char *target, const char *owner)
{
    if (target == owner)
        return SIGEXT_OK;       /* the table ignores self-aliases */
    if (sx_names_add_alias(&d->ctx->names, target, owner) < 0 ||
        seen(&d->aliases, target, &d->n_alias) < 0)
        return SIGEXT_ERR_NOMEM;
    return SIGEXT_OK;
}

/*
 * One RRset line split into fields: owner TTL class type rdata...
 * Returns SIGEXT_OK, SIGEXT_ERR_NOMEM, or 1 for a malformed record.
 */
static int record(struct dump *d, char **f, int nf)
{
    const char *owner, *target;
    uint8_t addr[16];
    bool oom, bad;

    if (nf < 5 || !all_digits(f[1]))
        return 1;
    d->records++;
    if (strcasecmp(f[2], "IN") != 0)
        return SIGEXT_OK;       /* CH, HS: no addresses of ours */
    owner = dump_name(d->ctx, f[0], &oom, &bad);
    if (owner == NULL)
        return oom ? SIGEXT_ERR_NOMEM : bad ? 1 : SIGEXT_OK;

    if (strcasecmp(f[3], "A") == 0 || strcasecmp(f[3], "AAAA") == 0) {
        bool v6 = f[3][1] != '\0';
        const sigext_host *h;

        if (inet_pton(v6 ? AF_INET6 : AF_INET, f[4], addr) != 1)
            return 1;
        h = sx_host_ip(d->ctx, v6 ? 6 : 4, addr);
        return h != NULL ? add_addr(d, h, owner) : SIGEXT_ERR_NOMEM;
    }
    if (strcasecmp(f[3], "CNAME") == 0 || strcasecmp(f[3], "SRV") == 0) {
        int ti = f[3][0] == 'C' || f[3][0] == 'c' ? 4 : 7;
        if (ti == 7 && (nf < 8 || !all_digits(f[4]) || !all_digits(f[5]) ||
                        !all_digits(f[6])))
            return 1;
        target = dump_name(d->ctx, f[ti], &oom, &bad);
        if (target == NULL)     /* SRV target "." means no service */
            return oom ? SIGEXT_ERR_NOMEM : bad ? 1 : SIGEXT_OK;
        return add_alias(d, target, owner);
    }
    if (strcasecmp(f[3], "PTR") == 0) {
        target = dump_name(d->ctx, f[4], &oom, &bad);
        if (target == NULL)
            return oom ? SIGEXT_ERR_NOMEM : 1;
        if (reverse_v4(f[0], addr)) {
            const sigext_host *h = sx_host_ip(d->ctx, 4, addr);
            if (h == NULL)
                return SIGEXT_ERR_NOMEM;
            if (sx_names_has_addr(&d->ctx->names, h))
                return SIGEXT_OK;
            return add_addr(d, h, target);
        }
        if (under_in_addr(f[0]))
            return SIGEXT_OK;   /* a network, not an address */
        return add_alias(d, target, owner);
    }
    return SIGEXT_OK;
}

/* Split on blanks, in place; returns the number of fields. */
static int split(char *s, char **f)
{
    int n = 0;
    char *save = NULL;

    for (char *t = strtok_r(s, " \t\r\n", &save);
         t != NULL && n < DUMP_MAX_FIELDS; t = strtok_r(NULL, " \t\r\n", &save))
        f[n++] = t;
    return n;
}

/*
 * The next line of `fp` into buf (DUMP_MAX_LINE + 1 bytes), without its
 * newline and NUL-terminated; the rest of a longer line is read and
 * dropped, and *too_long set, as for a line holding a NUL byte (both are
 * malformed).  Returns false at the end of the file.
 */
static bool next_line(FILE *fp, char *buf, bool *too_long)
{
    size_t n = 0;
    int c = EOF;

    *too_long = false;
    while ((c = getc_unlocked(fp)) != EOF && c != '\n') {
        /* A NUL would end the line's text early: malformed as a whole. */
        if (n < DUMP_MAX_LINE && c != '\0')
            buf[n++] = (char)c;
        else
            *too_long = true;
    }
    buf[n] = '\0';
    return c != EOF || n > 0 || *too_long;
}

static int load(struct dump *d, FILE *fp)
{
    char *line = malloc(DUMP_MAX_LINE + 1);
    size_t lineno = 0;
    bool too_long = false, other = false, marker = false;
    int st = SIGEXT_OK;

    if (line == NULL)
        return sx_fail(d->ctx, SIGEXT_ERR_NOMEM, "out of memory");
    while (st == SIGEXT_OK && next_line(fp, line, &too_long)) {
        char *f[DUMP_MAX_FIELDS];
        int nf, rc;

        lineno++;
        nf = split(line, f);
        if (nf == 0 || f[0][0] == ';')
            continue;
        if (strncmp(f[0], "START_", 6) == 0) {
            marker = true;
            other = strcmp(f[0], "START_RRSET_CACHE") != 0;
            continue;
        }
        if (strncmp(f[0], "END_", 4) == 0) {
            other = false;
            continue;
        }
        if ((nf == 1 && strcmp(f[0], "EOF") == 0) || other ||
            strcmp(f[0], "msg") == 0)
            continue;
        /* Lines before any marker are read too: a dump cut from its
         * START line still holds records. */
        rc = too_long ? 1 : record(d, f, nf);
        if (rc == 1) {
            if (d->malformed++ == 0)
                d->first_bad = lineno;
            if (d->ctx->opt.strict)
                st = sx_fail(d->ctx, SIGEXT_ERR_CORRUPT,
                             "%s:%zu: not a cache record", d->path, lineno);
        } else if (rc != SIGEXT_OK) {
            st = sx_fail(d->ctx, rc, "out of memory");
        }
    }
    free(line);
    if (st == SIGEXT_OK && ferror(fp))
        st = sx_fail(d->ctx, SIGEXT_ERR_IO, "%s: %s", d->path,
                     strerror(errno));
    if (st == SIGEXT_OK && !marker && d->records == 0)
        st = sx_fail(d->ctx, SIGEXT_ERR_FORMAT,
                     "%s: not an unbound-control dump_cache output", d->path);
    return st;
}

int sigext_dns_cache_load(sigext_ctx *ctx, const char *path, size_t *n_addr,
                          size_t *n_alias)
{
    struct dump d;
    FILE *fp;
    int st;

    memset(&d, 0, sizeof(d));
    d.ctx = ctx;
    d.path = path;
    if (n_addr != NULL)
        *n_addr = 0;
    if (n_alias != NULL)
        *n_alias = 0;
    fp = fopen(path, "r");
    if (fp == NULL)
        return sx_fail(ctx, SIGEXT_ERR_IO, "%s: %s", path, strerror(errno));
    st = load(&d, fp);
    fclose(fp);
    if (st == SIGEXT_OK && d.malformed > 0)
        sx_log(ctx, SIGEXT_LOG_WARN, "%s:%zu: %zu line(s) are not cache "
               "records, skipped", path, d.first_bad, d.malformed);
    sx_log(ctx, SIGEXT_LOG_INFO, "%s: %zu address(es), %zu alias(es)",
           path, d.n_addr, d.n_alias);
    if (n_addr != NULL)
        *n_addr = d.n_addr;
    if (n_alias != NULL)
        *n_alias = d.n_alias;
    seen_free(&d.addrs);
    seen_free(&d.aliases);
    return st;
}
