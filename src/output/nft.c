/*
 * nft.c - nftables scripts from a signature or from a device profile.
 *
 * The script is the one smart-home-firewall's profile translator (the
 * blocklist variant, profile-translator-blocklist) makes, so that it
 * works with that project's user-space program:
 *
 *   table bridge <device> {
 *       chain prerouting {
 *           type filter hook prerouting priority 0; policy accept;
 *           <one rule per queue group>
 *       }
 *   }
 *
 * How a policy becomes rules (translator.py, Policy.py, NFQueue.py and
 * the protocol modules of protocol-translators-blocklist):
 *
 * - Each policy gives a forward rule and, when bidirectional, a backward
 *   rule where src and dst swap: "ip saddr" <-> "ip daddr", "sport" <->
 *   "dport".  Matches come in the order of the policy's protocols; inside
 *   a protocol, src before dst (tcp: "meta l4proto tcp" first).
 * - Hosts: "self" is the device address; well-known keywords (gateway,
 *   phone, broadcast, local, external, multicast groups...) are the
 *   translator's fixed addresses (ip.py, igmp.py, icmpv6.py); addresses
 *   and networks are matched in the kernel; a domain name cannot be, so
 *   the rule goes to user space.  A word that is none of these (no dot,
 *   not a keyword) is an error here; the translator would take it for a
 *   domain name and fail later.
 * - DNS, HTTP and CoAP fields are checked in user space, both ways; DHCP
 *   fields only forward (dhcp.py has no backward template), so the
 *   backward rule of a DHCP policy is kernel-only.
 * - A rule that needs user space ends in "queue num N"; one that does not
 *   ends in "drop": the translator is a blocklist by default (its default
 *   drop probability is 1), and a policy is traffic to stop.  User space
 *   then drops or accepts what it is given.
 * - Rules with the same kernel matches (compared as sorted sets) share one
 *   queue and one rule: the first policy's rule, named after it.
 * - Numbering: forward N, backward N + 1, starting at 0; N grows by 10
 *   after each policy that opened a queue.
 *
 * Two deliberate differences with the translator, both where it gives
 * two groups the same queue number: it decides whether to move N on
 * from the backward rule alone (a DHCP policy, queued forward only, does
 * not move it), and it does not move N when a drop group later becomes a
 * queue.  Here N moves whenever either direction opened or upgraded a
 * queue, so queue numbers are never shared by different rules.
 *
 * With domain_sets, a domain-name host becomes a named set of the
 * addresses the DNS table holds for it (sigext_names_addresses), matched
 * in the kernel ("ip daddr @dn_x"); a rule that queued only for that
 * host then drops in the kernel.  A name without a known address (or a
 * wildcard "$.example.com") still queues.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "output/readers.h"

#define NFT_MAX_MATCHES 16
#define NFQ_STEP 10             /* queue numbers per policy (translator) */
#define NFQ_MAX 65535
#define NFT_NAME_MAX 200        /* set names (kernel limit is 255) */

/* Well-known hosts of the profile language (protocol-translators-
 * blocklist: ip.py addrs, igmp.py and icmpv6.py groups). */
struct keyword {
    const char *name;
    const char *addr;
};

static const struct keyword ipv4_words[] = {
    { "local",         "192.168.0.0/16" },
    { "external",      "!= 192.168.0.0/16" },
    { "gateway",       "192.168.1.1" },
    { "phone",         "192.168.1.110" },
    { "broadcast",     "255.255.255.255" },
    { "udp-broadcast", "192.168.1.255" },
    { "igmpv3",        "224.0.0.22" },
    { "all",           "224.0.0.2" },
    { "mdns",          "224.0.0.251" },
    { "ssdp",          "239.255.255.250" },
    { "coap",          "224.0.1.187" },
};

static const struct keyword ipv6_words[] = {
    { "default",           "::" },
    { "local",             "{ fe80::/10, fc00::/7 }" },
    { "gateway",           "fddd:ed18:f05b::1" },
    { "gateway-local",     "fe80::c256:27ff:fe73:460b" },
    { "phone",             "fe80::db22:fbec:a6b4:44fe" },
    { "multicast",         "ff02::/16" },
    { "all-nodes",         "ff02::1" },
    { "all-routers",       "ff02::2" },
    { "all-mldv2-routers", "ff02::16" },
    { "mdns",              "ff02::fb" },
    { "coap",              "ff02::158" },
};

/* Protocols the translator knows and sigext does not translate yet: an
 * error rather than a silently wider rule (in a blocklist, dropping a
 * condition drops more traffic). */
static const char *const untranslated[] = {
    "arp", "icmp", "icmpv6", "igmp", "mdns", "ssdp", "tls", "mqtt",
};

/* The fields each translated protocol may hold ("" ends a list). */
static const struct {
    const char *proto;
    const char *fields[5];
} known_fields[] = {
    { "ipv4", { "src", "dst", "" } },
    { "ipv6", { "src", "dst", "" } },
    { "tcp", { "src-port", "dst-port", "" } },
    { "udp", { "src-port", "dst-port", "" } },
    { "dns", { "qtype", "domain-name", "response", "" } },
    { "http", { "method", "uri", "response", "" } },
    { "coap", { "type", "method", "uri", "response", "" } },
    { "dhcp", { "type", "client-mac", "" } },
};

/* The policy-level keys (check_policy); "initiator" is known but
 * refused. */
static const char *const policy_keys[] = {
    "protocols", "bidirectional", "stats", "initiator",
};

/* One direction of one policy. */
struct dir_rule {
    const char *m[NFT_MAX_MATCHES];
    int n;
    bool nfq;                   /* needs user space */
    const char *stats;          /* " limit rate over 5/second" or "" */
};

/* Rules with equal kernel matches: one nftables rule. */
struct group {
    UT_hash_handle hh;
    const char *key;            /* sorted matches, '\n'-joined */
    const char *rule;           /* matches of the first policy, in order */
    const char *stats;
    struct sx_buf names;        /* policies in this group, for a comment */
    int queue;                  /* -1: drop */
    struct group *next;
};

struct nft_set {
    UT_hash_handle hh;          /* by key "4:name" */
    UT_hash_handle hh_name;     /* by set name */
    const char *key;
    const char *name;
    const char *domain;
    int ipver;
    const char *elems;          /* "1.2.3.4, 5.6.7.8"; NULL: no address */
    struct nft_set *next;
};

struct nft {
    sigext_ctx *ctx;
    const char *src;            /* file named in messages */
    const struct sx_self *self;
    bool domain_sets;
    struct sx_arena a;
    struct group *groups;
    struct group *first, **tail;
    struct nft_set *sets, *set_names;
    struct nft_set *sfirst, **stail;
    const char *policy;         /* policy being translated (messages) */
    int line;                   /* its line, or of the value at fault */
};

static int nft_fail(struct nft *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "src: policy NAME: message" as a FORMAT error. */
static int nft_fail(struct nft *t, const char *fmt, ...)
{
    char msg[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (t->a.failed)
        return sx_fail(t->ctx, SIGEXT_ERR_NOMEM, "out of memory");
    if (t->line > 0)
        return sx_fail(t->ctx, SIGEXT_ERR_FORMAT, "%s:%d: policy %s: %s",
                       t->src, t->line, t->policy != NULL ? t->policy : "?",
                       msg);
    return sx_fail(t->ctx, SIGEXT_ERR_FORMAT, "%s: policy %s: %s", t->src,
                        t->policy != NULL ? t->policy : "?", msg);
}

/* Point the next message at `n`'s line (when it has one). */
static struct nft *at(struct nft *t, const struct sx_node *n)
{
    if (n != NULL && n->line > 0)
        t->line = n->line;
    return t;
}

static int nomem(struct nft *t)
{
    return sx_fail(t->ctx, SIGEXT_ERR_NOMEM, "out of memory");
}

static int add_match(struct nft *t, struct dir_rule *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int add_match(struct nft *t, struct dir_rule *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int n;

    if (r->n == NFT_MAX_MATCHES)
        return nft_fail(t, "too many matches");
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return nft_fail(t, "match too long");
    r->m[r->n] = sx_arena_strdup(&t->a, buf);
    return r->m[r->n++] != NULL ? SIGEXT_OK : nomem(t);
}

/* ---- hosts ---- */

enum host_kind { HOST_ADDR, HOST_DOMAIN };

static bool is_address(const char *s, int ipver)
{
    uint8_t buf[16];
    char tmp[64];
    const char *slash = strchr(s, '/');
    size_t len = slash != NULL ? (size_t)(slash - s) : strlen(s);
    int af = ipver == 6 ? AF_INET6 : AF_INET;

    if (len >= sizeof(tmp))
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(af, tmp, buf) != 1)
        return false;
    if (slash == NULL)
        return true;
    /* A network: prefix length within the family's width. */
    return slash[1] != '\0' && strlen(slash + 1) <= 3 &&
           strspn(slash + 1, "0123456789") == strlen(slash + 1) &&
           (slash[1] != '0' || slash[2] == '\0') &&  /* "/032" is octal */
           atoi(slash + 1) <= (ipver == 6 ? 128 : 32);
}

/* What a host of the profile stands for: an nftables address expression
 * or a domain name. */
static int resolve_host(struct nft *t, const struct sx_node *v, int ipver,
                        const char **out, enum host_kind *kind)
{
    const struct keyword *w = ipver == 6 ? ipv6_words : ipv4_words;
    size_t nw = ipver == 6 ? sizeof(ipv6_words) / sizeof(ipv6_words[0])
                           : sizeof(ipv4_words) / sizeof(ipv4_words[0]);
    const char *s;

    if (!sx_node_is_str(v) || v->text[0] == '\0')
        return nft_fail(at(t, v), "a host must be a name or an address");
    s = v->text;
    *out = s;
    *kind = HOST_ADDR;
    if (v->literal) {           /* a name from a trace: no keywords */
        *kind = HOST_DOMAIN;
        return SIGEXT_OK;
    }
    if (strcmp(s, "self") == 0) {
        const sigext_host *h = ipver == 6 ? t->self->ipv6 : t->self->ipv4;
        if (h == NULL)
            return nft_fail(at(t, v), "\"self\" but the device has no IPv%d "
                            "address", ipver);
        *out = h->text;
        return SIGEXT_OK;
    }
    for (size_t i = 0; i < nw; i++) {
        if (strcmp(s, w[i].name) == 0) {
            *out = w[i].addr;
            return SIGEXT_OK;
        }
    }
    if (is_address(s, ipver))
        return SIGEXT_OK;
    if (strspn(s, "0123456789./") == strlen(s) || strchr(s, ':') != NULL)
        return nft_fail(at(t, v), "\"%s\" is not a valid IPv%d address", s,
                        ipver);
    if (strchr(s, '.') == NULL || !sx_host_name_ok(s))
        return nft_fail(at(t, v), "unknown host \"%s\": not an address, a "
                        "keyword or a domain name", s);
    *kind = HOST_DOMAIN;
    return SIGEXT_OK;
}

/* Name of the set for a domain: "dn_" and the name with every character
 * nftables does not allow in identifiers turned into '_'. */
static const char *set_name(struct nft *t, const char *domain, int ipver)
{
    char buf[NFT_NAME_MAX + 32];
    size_t n = 0;
    struct nft_set *s;

    n = (size_t)snprintf(buf, sizeof(buf), "dn_");
    for (const char *p = domain; *p != '\0' && n < NFT_NAME_MAX; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9');
        buf[n++] = ok ? c : '_';
    }
    buf[n] = '\0';
    if (ipver == 6)
        snprintf(buf + n, sizeof(buf) - n, "_v6");
    n = strlen(buf);
    for (unsigned k = 2;; k++) {
        HASH_FIND(hh_name, t->set_names, buf, strlen(buf), s);
        if (s == NULL)
            break;
        snprintf(buf + n, sizeof(buf) - n, "_%u", k);
    }
    return sx_arena_strdup(&t->a, buf);
}

/* The set of a domain for one family; *out NULL when the DNS table has
 * no address for it (the rule then keeps its queue).
 * TODO(nft): the set holds the addresses seen in the traces only; a name
 * that moves needs the script made again (or user space to fill it). */
static int domain_set(struct nft *t, const char *domain, int ipver,
                      const struct nft_set **out)
{
    char key[1100];
    struct nft_set *s;
    const sigext_host *hosts[64], **hv = hosts;
    size_t n, cap = 64;
    struct sx_buf b = {0};

    *out = NULL;
    if (strchr(domain, '$') != NULL || strchr(domain, '*') != NULL ||
        strlen(domain) > 1024)
        return SIGEXT_OK;       /* wildcards have no address */
    snprintf(key, sizeof(key), "%d:%s", ipver, domain);
    HASH_FIND_STR(t->sets, key, s);
    if (s != NULL) {
        *out = s->elems != NULL ? s : NULL;
        return SIGEXT_OK;
    }

    n = sigext_names_addresses(t->ctx, domain, hosts, cap);
    if (n > cap) {
        hv = malloc(n * sizeof(*hv));
        if (hv == NULL)
            return nomem(t);
        cap = n;
        n = sigext_names_addresses(t->ctx, domain, hv, cap);
        if (n > cap)
            n = cap;
    }
    for (size_t i = 0; i < n; i++) {
        if (hv[i]->kind != (ipver == 6 ? SIGEXT_HOST_IPV6
                                       : SIGEXT_HOST_IPV4))
            continue;
        if (b.len > 0)
            sx_buf_puts(&b, ", ");
        sx_buf_puts(&b, hv[i]->text);
    }
    if (hv != hosts)
        free(hv);

    s = sx_arena_alloc(&t->a, sizeof(*s));
    if (s == NULL || b.failed) {
        sx_buf_free(&b);
        return nomem(t);
    }
    memset(s, 0, sizeof(*s));
    s->key = sx_arena_strdup(&t->a, key);
    s->domain = sx_arena_strdup(&t->a, domain);
    s->ipver = ipver;
    s->elems = b.len > 0 ? sx_arena_strdup(&t->a, sx_buf_str(&b)) : NULL;
    s->name = s->elems != NULL ? set_name(t, domain, ipver) : NULL;
    sx_buf_free(&b);
    if (s->key == NULL || s->domain == NULL ||
        (s->elems != NULL && s->name == NULL))
        return nomem(t);
    HASH_ADD_KEYPTR(hh, t->sets, s->key, strlen(s->key), s);
    if (s->elems == NULL) {
        sx_log(t->ctx, SIGEXT_LOG_INFO, "%s: no IPv%d address known, "
                    "its rules stay queued", domain, ipver);
        return SIGEXT_OK;
    }
    HASH_ADD_KEYPTR(hh_name, t->set_names, s->name, strlen(s->name), s);
    *t->stail = s;
    t->stail = &s->next;
    *out = s;
    return SIGEXT_OK;
}

static int host_rule(struct nft *t, struct dir_rule *r,
                     const struct sx_node *v, int ipver, const char *which)
{
    const char *fam = ipver == 6 ? "ip6" : "ip";
    enum host_kind kind;
    const char *addr;
    int st = SIGEXT_OK;

    if (v->kind == SX_NODE_SEQ) {
        /* All addresses: one anonymous set; any name: user space. */
        struct sx_buf b = {0};
        bool names = false;

        /* TODO(nft): named sets for lists holding domain names. */
        if (v->n == 0)
            return nft_fail(t, "empty host list");
        for (size_t i = 0; i < v->n; i++) {
            st = resolve_host(t, v->vals[i], ipver, &addr, &kind);
            if (st != SIGEXT_OK) {
                sx_buf_free(&b);
                return st;
            }
            if (kind == HOST_DOMAIN) {
                names = true;
            } else if (strchr(addr, '{') != NULL || strchr(addr, '!')) {
                sx_buf_free(&b);
                return nft_fail(t, "\"%s\" cannot be in a list",
                                v->vals[i]->text);
            }
            sx_buf_puts(&b, i == 0 ? "{ " : ", ");
            sx_buf_puts(&b, addr);
        }
        sx_buf_puts(&b, " }");
        if (!names)
            st = add_match(t, r, "%s %s %s", fam, which, sx_buf_str(&b));
        else
            r->nfq = true;
        sx_buf_free(&b);
        return st;
    }

    st = resolve_host(t, v, ipver, &addr, &kind);
    if (st != SIGEXT_OK)
        return st;
    if (kind == HOST_ADDR)
        return add_match(t, r, "%s %s %s", fam, which, addr);
    if (t->domain_sets) {
        const struct nft_set *s;
        st = domain_set(t, addr, ipver, &s);
        if (st != SIGEXT_OK)
            return st;
        if (s != NULL)
            return add_match(t, r, "%s %s @%s", fam, which, s->name);
    }
    r->nfq = true;
    return SIGEXT_OK;
}

/* ---- ports ---- */

#define PORT_RULE "0 to 65535, or a range N-M; no leading zero"

static bool port_text(const struct sx_node *v, char *buf, size_t size)
{
    const char *s = v->text;
    const char *dash;

    if (v->kind == SX_NODE_INT) {
        if (v->num < 0 || v->num > 65535)
            return false;
        snprintf(buf, size, "%lld", v->num);
        return true;
    }
    if (v->kind != SX_NODE_STR || s[0] == '\0' || strlen(s) > 11)
        return false;
    /* "53" or a range "1000-2000".  A leading zero is refused: nft reads
     * "053" as octal 43, and YAML 1.1 readers such as the translator's
     * read a plain 053 so too, where "0053" quoted is 53. */
    dash = strchr(s, '-');
    if (strspn(s, "0123456789-") != strlen(s) || dash == s ||
        (dash != NULL && (dash[1] == '\0' || strchr(dash + 1, '-'))))
        return false;
    if ((s[0] == '0' && s[1] != '\0' && s[1] != '-') ||
        (dash != NULL && dash[1] == '0' && dash[2] != '\0'))
        return false;
    if (atol(s) > 65535 || (dash != NULL && (atol(dash + 1) > 65535 ||
                                             atol(dash + 1) < atol(s))))
        return false;
    snprintf(buf, size, "%s", s);
    return true;
}

static int port_rule(struct nft *t, struct dir_rule *r, const char *proto,
                     const struct sx_node *v, const char *which)
{
    struct sx_buf b = {0};
    char one[16];
    int st = SIGEXT_OK;

    if (v->kind != SX_NODE_SEQ) {
        if (!port_text(v, one, sizeof(one)))
            return nft_fail(at(t, v), "bad port \"%s\" (" PORT_RULE ")",
                            v->text ? v->text : "");
        return add_match(t, r, "%s %s %s", proto, which, one);
    }
    for (size_t i = 0; i < v->n && st == SIGEXT_OK; i++) {
        if (!port_text(v->vals[i], one, sizeof(one)))
            st = nft_fail(at(t, v->vals[i]), "bad port \"%s\" in a list ("
                          PORT_RULE ")", v->vals[i]->text);
        sx_buf_puts(&b, i == 0 ? "{ " : ", ");
        sx_buf_puts(&b, one);
    }
    if (v->n == 0)
        st = nft_fail(t, "empty port list");
    sx_buf_puts(&b, " }");
    if (st == SIGEXT_OK)
        st = add_match(t, r, "%s %s %s", proto, which, sx_buf_str(&b));
    sx_buf_free(&b);
    return st;
}

/* ---- policies ---- */

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

/* A decimal number from `*s` into *v, no sign, at most `max`.  No
 * leading zero: nft reads "010" as octal 8. */
static bool stat_num(const char **s, unsigned long max, unsigned long *v)
{
    const char *p = *s;
    unsigned long n = 0;

    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        n = n * 10 + (unsigned long)(*p - '0');
        if (n > max)
            return false;
    }
    *s = p;
    *v = n;
    return true;
}

/* The index of the word at `*s` among `words` (NULL-terminated), or -1;
 * *s moves past it. */
static int stat_word(const char **s, const char *const *words)
{
    for (int i = 0; words[i] != NULL; i++) {
        size_t n = strlen(words[i]);
        if (strncmp(*s, words[i], n) == 0 &&
            ((*s)[n] == '\0' || (*s)[n] == ' ' || (*s)[n] == '/')) {
            *s += n;
            return i;
        }
    }
    return -1;
}

/*
 * A rate as nftables' limit statement reads it (nft(8), LIMIT
 * STATEMENT): "N/UNIT" in packets, then optionally "burst N packets",
 * or "N BYTES/UNIT", then optionally "burst N BYTES".  Anything else
 * would reach the script as text nft cannot load, or as a rule other
 * than the profile's.  The kernel also refuses a limit whose token
 * bucket overflows 64 bits (nft_limit_init: the unit in nanoseconds
 * times the burst, or times rate plus burst in bytes): so does this.
 */
static bool stat_rate(const char *s)
{
    static const char *const per[] = {
        "second", "minute", "hour", "day", "week", NULL,
    };
    static const uint64_t per_s[] = { 1, 60, 3600, 86400, 604800 };
    static const char *const units[] = {
        "packets", "bytes", "kbytes", "mbytes", NULL,
    };
    static const uint64_t unit_b[] = { 1, 1, 1024, 1024 * 1024 };
    static const char *const burst_word[] = { "burst", NULL };
    unsigned long rate, burst = 0;
    int unit = 0, bunit = -1, p;
    uint64_t ns, total;

    if (!stat_num(&s, 4294967295ul, &rate) || rate == 0)
        return false;
    if (*s == ' ') {
        s++;
        unit = stat_word(&s, units);
        if (unit < 1)
            return false;       /* "N packets/second" is not nft's */
    }
    if (*s++ != '/' || (p = stat_word(&s, per)) < 0)
        return false;
    if (*s != '\0') {
        if (*s++ != ' ' || stat_word(&s, burst_word) < 0 || *s++ != ' ' ||
            !stat_num(&s, 4294967295ul, &burst) || burst == 0 ||
            *s++ != ' ' || (bunit = stat_word(&s, units)) < 0 ||
            *s != '\0' || (bunit == 0) != (unit == 0))
            return false;
    }
    ns = per_s[p] * 1000000000u;
    if (unit == 0)
        return !__builtin_mul_overflow(ns, (uint64_t)burst, &total);
    total = (uint64_t)rate * unit_b[unit] +
            (bunit > 0 ? (uint64_t)burst * unit_b[bunit] : 0);
    return !__builtin_mul_overflow(ns, total, &total);
}

/*
 * A packet size as an "ip length" match takes it: "N", "OP N" with OP
 * one of == != < > <= >=, or a range "N-M" / "N - M" with N <= M, every
 * number an IPv4 total length (RFC 791 section 3.1: 16 bits).
 */
static bool stat_size(const char *s)
{
    static const char *const ops[] = {
        "==", "!=", "<=", ">=", "<", ">", NULL,
    };
    unsigned long lo, hi;
    size_t i;

    for (i = 0; ops[i] != NULL; i++) {
        size_t n = strlen(ops[i]);
        if (strncmp(s, ops[i], n) == 0 && s[n] == ' ') {
            s += n + 1;
            return stat_num(&s, 65535, &lo) && *s == '\0';
        }
    }
    if (!stat_num(&s, 65535, &lo))
        return false;
    if (*s == '\0')
        return true;
    if (strncmp(s, " - ", 3) == 0)
        s += 3;
    else if (*s == '-')
        s++;
    else
        return false;
    return stat_num(&s, 65535, &hi) && *s == '\0' && lo <= hi;
}

/* "stats": rate and packet-size are kernel matches (Policy.py
 * stats_metadata); packet-count and duration are user-space counters. */
static int stats_rule(struct nft *t, const struct sx_node *pol, bool bwd,
                      struct dir_rule *r)
{
    const struct sx_node *stats = sx_map_get(pol, "stats");
    struct sx_buf b = {0};
    static const char *const names[2] = { "rate", "packet-size" };
    static const char *const tpl[2] = { " limit rate over ", " ip length " };
    static const char *const want[2] = {
        "N/second|minute|hour|day|week [burst N packets], or "
        "N bytes|kbytes|mbytes/UNIT [burst N bytes|kbytes|mbytes]",
        "N, OP N with OP one of == != < > <= >=, or N-M, N up to 65535",
    };

    static const char *const dirs[] = { "fwd", "bwd" };

    r->stats = "";
    if (stats == NULL)
        return SIGEXT_OK;
    /* Counting packets or time is done in user space (the translator's
     * NFQueue counters): such a policy is queued. */
    if (sx_map_get(stats, "packet-count") != NULL ||
        sx_map_get(stats, "duration") != NULL)
        r->nfq = true;
    for (int i = 0; i < 2; i++) {
        const struct sx_node *v = sx_map_get(stats, names[i]);
        if (v != NULL && v->kind == SX_NODE_MAP)
            v = sx_map_get(v, dirs[bwd]);
        if (v == NULL)
            continue;
        if ((v->kind != SX_NODE_STR && v->kind != SX_NODE_INT) ||
            !(i == 0 ? stat_rate(v->text) : stat_size(v->text))) {
            sx_buf_free(&b);
            return nft_fail(at(t, v), "bad \"%s\" statistic \"%s\" "
                            "(want %s)", names[i],
                            sx_node_is_str(v) || v->kind == SX_NODE_INT
                                ? v->text : "a map", want[i]);
        }
        sx_buf_puts(&b, tpl[i]);
        sx_buf_puts(&b, v->text);
    }
    r->stats = sx_arena_strdup(&t->a, sx_buf_str(&b));
    sx_buf_free(&b);
    return r->stats != NULL ? SIGEXT_OK : nomem(t);
}

/* "stats": known statistics, each one value or a fwd/bwd map. */
static int check_stats(struct nft *t, const struct sx_node *stats)
{
    static const char *const keys[] = {
        "rate", "packet-size", "packet-count", "duration",
    };
    static const char *const dirs[] = { "fwd", "bwd" };

    if (stats->kind != SX_NODE_MAP)
        return nft_fail(at(t, stats), "\"stats\" must be a map");
    for (size_t i = 0; i < stats->n; i++) {
        const struct sx_node *v = stats->vals[i];
        if (!in_list(stats->keys[i], keys, sizeof(keys) / sizeof(keys[0])))
            return nft_fail(at(t, v), "unknown statistic \"%s\"",
                            stats->keys[i]);
        for (size_t j = 0; v->kind == SX_NODE_MAP && j < v->n; j++) {
            if (!in_list(v->keys[j], dirs, 2))
                return nft_fail(at(t, v->vals[j]), "\"%s\": unknown "
                                "direction \"%s\" (fwd or bwd)",
                                stats->keys[i], v->keys[j]);
        }
    }
    return SIGEXT_OK;
}

/*
 * What a policy says, checked once before its rules are made: in a
 * blocklist a condition left out drops more traffic than the profile
 * says, so whatever is not understood is an error, never skipped (a
 * typo "ipv44", "dst_port" would widen the rule).  Every protocol is one
 * sigext knows, with known fields only.
 */
static int check_policy(struct nft *t, const struct sx_node *pol)
{
    const struct sx_node *protos = sx_map_get(pol, "protocols");
    const struct sx_node *bidir = sx_map_get(pol, "bidirectional");
    const struct sx_node *stats = sx_map_get(pol, "stats");

    if (pol->kind != SX_NODE_MAP || protos == NULL ||
        protos->kind != SX_NODE_MAP)
        return nft_fail(t, "no \"protocols\" map");
    if (sx_map_get(pol, "initiator") != NULL)
        /* TODO(nft): "initiator" (conntrack "ct original" matches). */
        return nft_fail(t, "\"initiator\" is not supported");
    for (size_t i = 0; i < pol->n; i++) {
        if (!in_list(pol->keys[i], policy_keys,
                     sizeof(policy_keys) / sizeof(policy_keys[0])))
            return nft_fail(at(t, pol->vals[i]), "unknown key \"%s\"",
                            pol->keys[i]);
    }
    /* "true" quoted, 1 or "maybe" would each mean something else to
     * some reader; only a YAML boolean says it. */
    if (bidir != NULL && bidir->kind != SX_NODE_BOOL)
        return nft_fail(at(t, bidir), "\"bidirectional\" must be true "
                        "or false, not \"%s\"", bidir->text);
    if (stats != NULL && check_stats(t, stats) != SIGEXT_OK)
        return SIGEXT_ERR_FORMAT;
    for (size_t i = 0; i < protos->n; i++) {
        const char *k = protos->keys[i];
        const struct sx_node *v = protos->vals[i];
        size_t p = 0, np = sizeof(known_fields) / sizeof(known_fields[0]);

        while (p < np && strcmp(known_fields[p].proto, k) != 0)
            p++;
        if (p == np) {
            if (in_list(k, untranslated, sizeof(untranslated) /
                                         sizeof(untranslated[0])))
                continue;       /* refused with its own message */
            return nft_fail(at(t, v), "unknown protocol \"%s\"", k);
        }
        if (v->kind != SX_NODE_MAP && v->kind != SX_NODE_NULL)
            return nft_fail(at(t, v), "\"%s\" must be a map", k);
        for (size_t j = 0; v->kind == SX_NODE_MAP && j < v->n; j++) {
            const char *const *f = known_fields[p].fields;
            while ((*f)[0] != '\0' && strcmp(*f, v->keys[j]) != 0)
                f++;
            if ((*f)[0] == '\0')
                return nft_fail(at(t, v->vals[j]), "unknown %s field \"%s\"",
                                k, v->keys[j]);
        }
    }
    /* nft refuses "meta l4proto tcp ... meta l4proto udp" and both
     * families in one rule: the profile must split such a policy. */
    if (sx_map_get(protos, "tcp") != NULL && sx_map_get(protos, "udp"))
        return nft_fail(t, "both \"tcp\" and \"udp\" in one policy");
    if (sx_map_get(protos, "ipv4") != NULL && sx_map_get(protos, "ipv6"))
        return nft_fail(t, "both \"ipv4\" and \"ipv6\" in one policy");
    return SIGEXT_OK;
}

/* The rule of one direction of a policy that check_policy() passed. */
static int parse_dir(struct nft *t, const struct sx_node *pol, bool bwd,
                     struct dir_rule *r)
{
    const struct sx_node *protos = sx_map_get(pol, "protocols");
    int st = SIGEXT_OK;

    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < protos->n && st == SIGEXT_OK; i++) {
        const char *k = protos->keys[i];
        const struct sx_node *v = protos->vals[i];

        if (strcmp(k, "ipv4") == 0 || strcmp(k, "ipv6") == 0) {
            int ipver = k[3] - '0';
            if (v->kind != SX_NODE_MAP)
                return nft_fail(t, "\"%s\" must be a map", k);
            for (int d = 0; d < 2 && st == SIGEXT_OK; d++) {
                const struct sx_node *h = sx_map_get(v, d ? "dst" : "src");
                if (h != NULL)
                    st = host_rule(t, r, h, ipver,
                                   (d == 0) != bwd ? "saddr" : "daddr");
            }
        } else if (strcmp(k, "tcp") == 0 || strcmp(k, "udp") == 0) {
            st = add_match(t, r, "meta l4proto %s", k);
            for (int d = 0; d < 2 && st == SIGEXT_OK; d++) {
                const struct sx_node *p =
                    sx_map_get(v, d ? "dst-port" : "src-port");
                if (p != NULL)
                    st = port_rule(t, r, k, p,
                                   (d == 0) != bwd ? "sport" : "dport");
            }
        } else if (strcmp(k, "dns") == 0 || strcmp(k, "http") == 0 ||
                   strcmp(k, "coap") == 0) {
            r->nfq = true;
        } else if (strcmp(k, "dhcp") == 0) {
            if (!bwd && (sx_map_get(v, "type") != NULL ||
                         sx_map_get(v, "client-mac") != NULL))
                r->nfq = true;
        } else if (in_list(k, untranslated, sizeof(untranslated) /
                                            sizeof(untranslated[0]))) {
            /* TODO(nft): arp, icmp, icmpv6, igmp, mdns, ssdp, tls, mqtt. */
            return nft_fail(t, "protocol \"%s\" is not supported", k);
        }
    }
    if (st == SIGEXT_OK)
        st = stats_rule(t, pol, bwd, r);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Join matches with `sep`, sorted first when `sorted`. */
static const char *join(struct nft *t, const struct dir_rule *r,
                        const char *sep, bool sorted)
{
    const char *m[NFT_MAX_MATCHES];
    struct sx_buf b = {0};
    const char *s;

    memcpy(m, r->m, (size_t)r->n * sizeof(m[0]));
    if (sorted)
        qsort(m, (size_t)r->n, sizeof(m[0]), cmp_str);
    for (int i = 0; i < r->n; i++) {
        if (i > 0)
            sx_buf_puts(&b, sep);
        sx_buf_puts(&b, m[i]);
    }
    s = b.failed ? NULL : sx_arena_strdup(&t->a, sx_buf_str(&b));
    sx_buf_free(&b);
    return s;
}

/* File one direction's rule into its group; *opened tells whether this
 * gave a group its queue number `queue`. */
static int assign(struct nft *t, const char *name, const struct dir_rule *r,
                  int queue, bool *opened)
{
    const char *key = join(t, r, "\n", true);
    struct group *g;

    if (key == NULL)
        return nomem(t);
    if (r->n == 0 && !r->nfq)
        return nft_fail(t, "nothing to match: the rule would drop all "
                        "traffic");
    HASH_FIND_STR(t->groups, key, g);
    if (g == NULL) {
        g = sx_arena_alloc(&t->a, sizeof(*g));
        if (g == NULL)
            return nomem(t);
        memset(g, 0, sizeof(*g));
        g->key = key;
        g->rule = join(t, r, " ", false);
        g->stats = r->stats;
        g->queue = -1;
        if (g->rule == NULL)
            return nomem(t);
        HASH_ADD_KEYPTR(hh, t->groups, g->key, strlen(g->key), g);
        *t->tail = g;
        t->tail = &g->next;
    } else {
        sx_buf_puts(&g->names, ", ");
        if (strcmp(g->stats, r->stats) != 0)
            /* TODO(nft): merge rates and sizes as NFQueue.update_match. */
            sx_log(t->ctx, SIGEXT_LOG_WARN, "%s: policy %s shares its "
                        "rule but not its statistics; the first policy's are "
                        "used", t->src, name);
    }
    sx_buf_puts(&g->names, name);
    if (g->names.failed)
        return nomem(t);
    if (r->nfq && g->queue < 0) {
        if (queue > NFQ_MAX)
            return sx_fail(t->ctx, SIGEXT_ERR_LIMIT, "%s: more than %d "
                                "queues needed", t->src, NFQ_MAX + 1);
        g->queue = queue;
        *opened = true;
    }
    return SIGEXT_OK;
}

static int translate(struct nft *t, const struct sx_node *pols)
{
    int base = 0;

    for (size_t i = 0; pols != NULL && i < pols->n; i++) {
        const struct sx_node *pol = pols->vals[i];
        const struct sx_node *bidir = sx_map_get(pol, "bidirectional");
        struct dir_rule r;
        bool opened = false;
        int st;

        t->policy = pols->keys[i];
        t->line = pol->line;
        st = check_policy(t, pol);
        if (st == SIGEXT_OK)
            st = parse_dir(t, pol, false, &r);
        if (st == SIGEXT_OK)
            st = assign(t, pols->keys[i], &r, base, &opened);
        if (st == SIGEXT_OK && bidir != NULL && bidir->num) {
            char name[512];
            snprintf(name, sizeof(name), "%s-backward", pols->keys[i]);
            st = parse_dir(t, pol, true, &r);
            if (st == SIGEXT_OK)
                st = assign(t, sx_arena_strdup(&t->a, name), &r, base + 1,
                            &opened);
        }
        if (st != SIGEXT_OK)
            return st;
        if (opened)
            base += NFQ_STEP;
    }
    t->policy = NULL;
    t->line = 0;
    return SIGEXT_OK;
}

/* ---- output ---- */

/* A comment line: control characters would end it early. */
static void put_comment(struct sx_buf *b, const char *indent, const char *s)
{
    sx_buf_puts(b, indent);
    sx_buf_puts(b, "# ");
    for (; *s != '\0'; s++)
        sx_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
    sx_buf_putc(b, '\n');
}

/*
 * Words nft's scanner reads as keywords, which it then refuses where a
 * table name is expected (and it has no quoting for names).  The list
 * covers the statements, families, objects and protocol names of
 * nft(8), plus every word `nft -c` 1.0.6 refused as a table name; a
 * device named after one of them gets a clear error instead of a script
 * that `nft -f` rejects.
 */
static const char *const nft_keywords[] = {
    "accept", "add", "ah", "all", "and", "arp", "at", "bridge", "cgroup",
    "chain", "comment", "constant", "continue", "counter", "cpu", "create",
    "ct", "day", "dccp", "define", "delete", "describe", "destroy",
    "device", "devices", "dnat", "drop", "dst", "dup", "dynamic", "ecn",
    "element", "elements", "esp", "ether", "exists", "expires", "export",
    "exthdr", "fib", "flags", "flow", "flowtable", "flush", "frag", "fwd",
    "get", "goto", "handle", "hbh", "hook", "hour", "ibriport", "ibrname",
    "icmp", "icmpv6", "igmp", "iif", "iifgroup", "iifname", "iiftype",
    "include", "index", "inet", "insert", "interval", "ip", "ip6", "ipsec",
    "jhash", "jump", "limit", "list", "log", "lt", "map", "mark",
    "masquerade", "meta", "meter", "mh", "missing", "monitor", "netdev",
    "nftrace", "not", "notrack", "numgen", "obriport", "obrname", "offload",
    "oif", "oifgroup", "oifname", "oiftype", "or", "osf", "pkttype",
    "policy", "position", "priority", "queue", "quota", "random",
    "redefine", "redirect", "reject", "rename", "replace", "reset",
    "return", "rt", "rtclassid", "rule", "ruleset", "sctp", "secmark",
    "set", "size", "skgid", "skuid", "snat", "socket", "srh", "symhash",
    "synproxy", "table", "tcp", "th", "time", "timeout", "tproxy", "type",
    "typeof", "udp", "udplite", "undefine", "update", "vlan", "vmap",
    "with", "xt",
};

/*
 * A name nft reads as one identifier (its scanner's "string": a letter,
 * '_' or '.', then letters, digits, '/', '-', '_' or '.') and that is
 * not a keyword.  '/' is refused although nft takes it, so that the
 * rule is the one the CLI states and a device name never looks like a
 * path.  A lone "." is what nft reads as a dot, not a name.
 */
static bool nft_identifier(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 255 || strcmp(s, ".") == 0)
        return false;
    for (size_t i = 0; i < sizeof(nft_keywords) / sizeof(*nft_keywords); i++)
        if (strcmp(s, nft_keywords[i]) == 0)
            return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool ok = alpha || c == '_' || c == '.' ||
                  (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
        if (!ok)
            return false;
    }
    return true;
}

/* Why a name failed nft_identifier, for the messages of both callers. */

bool sigext_nft_name_ok(const char *name)
{
    return name != NULL && nft_identifier(name);
}

static int write_script(struct nft *t, const char *device, FILE *out)
{
    struct sx_buf b = {0};
    int st;

    sx_buf_printf(&b, "#!/usr/sbin/nft -f\n#\n"
                  "# Firewall of device %s, written by sigext.\n", device);
    sx_buf_puts(&b, "# A policy's traffic is dropped, or sent to user space "
                    "(queue num N)\n# when only user space can check it.\n");
    sx_buf_printf(&b, "\ntable bridge %s {\n", device);

    for (const struct nft_set *s = t->sfirst; s != NULL; s = s->next) {
        sx_buf_putc(&b, '\n');
        put_comment(&b, "    ", s->domain);
        sx_buf_printf(&b, "    set %s {\n        type %s\n"
                      "        elements = { %s }\n    }\n", s->name,
                      s->ipver == 6 ? "ipv6_addr" : "ipv4_addr", s->elems);
    }

    sx_buf_puts(&b, "\n    chain prerouting {\n\n"
                    "        type filter hook prerouting priority 0; "
                    "policy accept;\n\n");
    for (const struct group *g = t->first; g != NULL; g = g->next) {
        put_comment(&b, "        ", sx_buf_str((struct sx_buf *)&g->names));
        sx_buf_printf(&b, "        %s%s%s", g->rule, g->stats,
                      g->rule[0] != '\0' || g->stats[0] != '\0' ? " " : "");
        if (g->queue >= 0)
            sx_buf_printf(&b, "queue num %d\n\n", g->queue);
        else
            sx_buf_puts(&b, "drop\n\n");
    }
    sx_buf_puts(&b, "    }\n\n}\n");
    st = sx_buf_flush(t->ctx, &b, out);
    sx_buf_free(&b);
    return st;
}

static void nft_free(struct nft *t)
{
    struct group *g, *gt;
    struct nft_set *s, *st;

    HASH_ITER(hh, t->groups, g, gt) {
        HASH_DEL(t->groups, g);
        sx_buf_free(&g->names);
    }
    HASH_ITER(hh_name, t->set_names, s, st) {
        HASH_DELETE(hh_name, t->set_names, s);
    }
    HASH_ITER(hh, t->sets, s, st) {
        HASH_DEL(t->sets, s);
    }
    sx_arena_free(&t->a);
}

static int run(sigext_ctx *ctx, const char *src, const char *device,
               const struct sx_self *self, const struct sx_node *pols,
               const sigext_nft_options *o, FILE *out)
{
    struct nft t;
    int st;

    memset(&t, 0, sizeof(t));
    t.ctx = ctx;
    t.src = src;
    t.self = self;
    t.domain_sets = o != NULL && o->domain_sets;
    t.tail = &t.first;
    t.stail = &t.sfirst;
    st = translate(&t, pols);
    if (st == SIGEXT_OK)
        st = write_script(&t, device, out);
    nft_free(&t);
    return st;
}

int sigext_write_nft(sigext_ctx *ctx, const sigext_pattern *p,
                     const sigext_device *dev, const sigext_nft_options *o,
                     FILE *out)
{
    struct sx_self self;
    struct sx_arena a = {0};
    const struct sx_node *pols;
    int st;

    st = sx_device_self(ctx, dev, &self);
    if (st != SIGEXT_OK)
        return st;
    if (!nft_identifier(dev->name))
        return sx_fail(ctx, SIGEXT_ERR_USAGE, "device name \"%s\" cannot "
                            "name an nftables table (" SX_NFT_NAME_RULE ")",
                       dev->name);
    pols = sx_pattern_policies(&a, p, &self);
    if (pols == NULL)
        st = sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    else
        st = run(ctx, p->source != NULL ? p->source : "signature",
                 dev->name, &self, pols, o, out);
    sx_arena_free(&a);
    return st;
}

int sigext_write_nft_from_profile(sigext_ctx *ctx, const char *profile_path,
                                  const sigext_nft_options *o, FILE *out)
{
    struct sx_profile *p;
    const struct sx_node *inter, *name;
    int st;

    st = sx_profile_read(ctx, profile_path, &p);
    if (st != SIGEXT_OK)
        return st;
    if (!nft_identifier(p->dev.name)) {
        /* The name is read from the file: a format error, not usage. */
        name = sx_map_get(sx_map_get(p->root, "device-info"), "name");
        st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%d: device name \"%s\" "
                     "cannot name an nftables table (" SX_NFT_NAME_RULE ")",
                     profile_path, name->line, p->dev.name);
        sx_profile_free(p);
        return st;
    }
    inter = sx_map_get(p->root, "interactions");
    if (inter != NULL && inter->kind == SX_NODE_MAP && inter->n > 0)
        /* TODO(nft): interactions (policies chained in user space). */
        sx_log(ctx, SIGEXT_LOG_WARN, "%s: %zu interaction(s) not "
                    "translated, only single-policies", profile_path, inter->n);
    st = run(ctx, profile_path, p->dev.name, &p->self, p->policies, o, out);
    sx_profile_free(p);
    return st;
}
