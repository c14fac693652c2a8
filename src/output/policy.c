/*
 * policy.c - flows as policies of the smart-home-firewall profile
 * language, and back (see policy.h).
 *
 * The policy shape follows FlowFingerprint.extract_policy of the
 * reference (signature-extraction): the network protocol first with both
 * hosts, then the transport with only its fixed ports (an empty map when
 * there are none, so that the translator still matches the protocol),
 * then the application fields, and "bidirectional": true.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"
#include "output/policy.h"

/* ---- arena ---- */

struct sx_arena_block {
    struct sx_arena_block *next;
    size_t used;
    size_t size;
    _Alignas(16) unsigned char data[];
};

#define ARENA_BLOCK 16384

void *sx_arena_alloc(struct sx_arena *a, size_t n)
{
    struct sx_arena_block *b = a->head;

    n = (n + 15) & ~(size_t)15;
    if (b == NULL || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = malloc(sizeof(*b) + size);
        if (b == NULL) {
            a->failed = true;
            return NULL;
        }
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    b->used += n;
    return b->data + b->used - n;
}

char *sx_arena_strndup(struct sx_arena *a, const char *s, size_t n)
{
    char *p = sx_arena_alloc(a, n + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sx_arena_strdup(struct sx_arena *a, const char *s)
{
    return sx_arena_strndup(a, s, strlen(s));
}

void sx_arena_free(struct sx_arena *a)
{
    struct sx_arena_block *b = a->head;

    while (b != NULL) {
        struct sx_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->failed = false;
}

/* ---- nodes ---- */

struct sx_node *sx_node_new(struct sx_arena *a, enum sx_node_kind kind)
{
    struct sx_node *n = sx_arena_alloc(a, sizeof(*n));

    if (n == NULL)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    n->text = "";               /* every node has text, even a map */
    return n;
}

struct sx_node *sx_node_str(struct sx_arena *a, const char *text)
{
    struct sx_node *n = sx_node_new(a, SX_NODE_STR);

    if (n == NULL)
        return NULL;
    n->text = sx_arena_strdup(a, text);
    return n->text != NULL ? n : NULL;
}

struct sx_node *sx_node_int(struct sx_arena *a, long long v)
{
    struct sx_node *n = sx_node_new(a, SX_NODE_INT);
    char buf[24];

    if (n == NULL)
        return NULL;
    snprintf(buf, sizeof(buf), "%lld", v);
    n->num = v;
    n->text = sx_arena_strdup(a, buf);
    return n->text != NULL ? n : NULL;
}

struct sx_node *sx_node_bool(struct sx_arena *a, bool v)
{
    struct sx_node *n = sx_node_new(a, SX_NODE_BOOL);

    if (n == NULL)
        return NULL;
    n->num = v;
    n->text = v ? "true" : "false";
    return n;
}

/* Make room for one more entry (arrays live in the arena: the old one is
 * simply abandoned, which costs at most twice the final size). */
static int grow(struct sx_arena *a, struct sx_node *n, bool with_keys)
{
    size_t cap;
    struct sx_node **vals;
    const char **keys = NULL;

    if (n->n < n->cap)
        return 0;
    cap = n->cap ? n->cap * 2 : 4;
    vals = sx_arena_alloc(a, cap * sizeof(*vals));
    if (with_keys)
        keys = sx_arena_alloc(a, cap * sizeof(*keys));
    if (vals == NULL || (with_keys && keys == NULL))
        return -1;
    if (n->n > 0) {
        memcpy(vals, n->vals, n->n * sizeof(*vals));
        if (with_keys)
            memcpy(keys, n->keys, n->n * sizeof(*keys));
    }
    n->vals = vals;
    n->keys = keys;
    n->cap = cap;
    return 0;
}

int sx_map_put(struct sx_arena *a, struct sx_node *map, const char *key,
               struct sx_node *val)
{
    if (map == NULL || key == NULL || val == NULL || grow(a, map, true) < 0)
        return -1;
    map->keys[map->n] = key;
    map->vals[map->n++] = val;
    return 0;
}

int sx_seq_push(struct sx_arena *a, struct sx_node *seq, struct sx_node *val)
{
    if (seq == NULL || val == NULL || grow(a, seq, false) < 0)
        return -1;
    seq->vals[seq->n++] = val;
    return 0;
}

const struct sx_node *sx_map_get(const struct sx_node *map, const char *key)
{
    if (map == NULL || map->kind != SX_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++) {
        if (strcmp(map->keys[i], key) == 0)
            return map->vals[i];
    }
    return NULL;
}

/* ---- flow -> policy ---- */

/* A string node for a name, '*' written '$': the translator's wildcard
 * (dns.py WILDCARD); sx_policy_flow turns it back. */
static struct sx_node *name_node(struct sx_arena *a, const char *text)
{
    struct sx_node *n = sx_node_str(a, text);

    if (n == NULL)
        return NULL;
    for (char *p = (char *)n->text; *p != '\0'; p++) {
        if (*p == '*')
            *p = '$';
    }
    return n;
}

static struct sx_node *host_node(struct sx_arena *a, const sigext_host *h,
                                 const struct sx_self *self, bool *used)
{
    struct sx_node *n;

    if (self != NULL && (h == self->ipv4 || h == self->ipv6)) {
        *used = true;
        return sx_node_str(a, "self");
    }
    /* A one-label name ("external", "phone", "printer") would read back
     * as a keyword of the profile language, or be refused as one.  The
     * fully qualified spelling, with the root's trailing dot (RFC 1034
     * section 3.1), is the same name and reads as a domain name. */
    if (h->kind == SIGEXT_HOST_NAME && strchr(h->text, '.') == NULL) {
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s.", h->text);
        n = name_node(a, buf);
    } else {
        n = name_node(a, h->text);
    }
    if (n != NULL)
        n->literal = h->kind == SIGEXT_HOST_NAME;
    return n;
}

/* One port as a number, several as a list (profile lists become nftables
 * anonymous sets "{ 9999, 20002 }" in the translator's format_list). */
static struct sx_node *ports_node(struct sx_arena *a, const uint16_t *p,
                                  int n)
{
    struct sx_node *seq;

    if (n == 1)
        return sx_node_int(a, p[0]);
    seq = sx_node_new(a, SX_NODE_SEQ);
    for (int i = 0; seq != NULL && i < n; i++) {
        if (sx_seq_push(a, seq, sx_node_int(a, p[i])) < 0)
            return NULL;
    }
    return seq;
}

static const char *app_key(sigext_app_proto p)
{
    switch (p) {
    case SIGEXT_APP_DNS:  return "dns";
    case SIGEXT_APP_HTTP: return "http";
    case SIGEXT_APP_COAP: return "coap";
    case SIGEXT_APP_DHCP: return "dhcp";
    default:              return NULL;
    }
}

static struct sx_node *app_node(struct sx_arena *a, const sigext_app *app)
{
    struct sx_kv kv[SX_APP_MAX_KV];
    int n = sx_app_fields(app, kv);
    struct sx_node *m = sx_node_new(a, SX_NODE_MAP);

    for (int i = 0; m != NULL && i < n; i++) {
        struct sx_node *v;

        if (strcmp(kv[i].key, "response") == 0) {
            v = sx_node_bool(a, app->response);
        } else if (kv[i].value == NULL) {
            continue;           /* a field the packet lacked stays absent */
        } else if (strcmp(kv[i].key, "domain-name") == 0) {
            v = name_node(a, kv[i].value);
        } else {
            v = sx_node_str(a, kv[i].value);
        }
        if (sx_map_put(a, m, kv[i].key, v) < 0)
            return NULL;
    }
    return m;
}

struct sx_node *sx_flow_policy(struct sx_arena *a, const sigext_flow *f,
                               const struct sx_self *self, bool *used_self)
{
    struct sx_node *pol = sx_node_new(a, SX_NODE_MAP);
    struct sx_node *protos = sx_node_new(a, SX_NODE_MAP);
    struct sx_node *net = sx_node_new(a, SX_NODE_MAP);
    struct sx_node *tr = sx_node_new(a, SX_NODE_MAP);
    bool used = false;
    int rc = 0;

    if (pol == NULL || protos == NULL || net == NULL || tr == NULL)
        return NULL;

    rc |= sx_map_put(a, net, "src", host_node(a, f->src, self, &used));
    rc |= sx_map_put(a, net, "dst", host_node(a, f->dst, self, &used));
    rc |= sx_map_put(a, protos, f->ipver == 6 ? "ipv6" : "ipv4", net);

    if (f->n_src_ports > 0)
        rc |= sx_map_put(a, tr, "src-port",
                         ports_node(a, f->src_ports, f->n_src_ports));
    if (f->n_dst_ports > 0)
        rc |= sx_map_put(a, tr, "dst-port",
                         ports_node(a, f->dst_ports, f->n_dst_ports));
    rc |= sx_map_put(a, protos, f->transport == 6 ? "tcp" : "udp", tr);

    if (f->app != NULL && app_key(f->app->proto) != NULL)
        rc |= sx_map_put(a, protos, app_key(f->app->proto),
                         app_node(a, f->app));

    rc |= sx_map_put(a, pol, "protocols", protos);
    rc |= sx_map_put(a, pol, "bidirectional", sx_node_bool(a, true));
    if (rc != 0)
        return NULL;
    if (used_self != NULL)
        *used_self = used;
    return pol;
}

/* Seen names, to keep map keys unique. */
struct seen {
    UT_hash_handle hh;
    const char *name;
};

static bool seen_add(struct seen **set, struct sx_arena *a, const char *name)
{
    struct seen *e;

    HASH_FIND_STR(*set, name, e);
    if (e != NULL)
        return false;
    e = sx_arena_alloc(a, sizeof(*e));
    if (e == NULL)
        return false;
    memset(e, 0, sizeof(*e));
    e->name = name;
    HASH_ADD_KEYPTR(hh, *set, e->name, strlen(e->name), e);
    return true;
}

struct sx_node *sx_pattern_policies(struct sx_arena *a,
                                    const sigext_pattern *p,
                                    const struct sx_self *self)
{
    struct sx_node *map = sx_node_new(a, SX_NODE_MAP);
    struct seen *set = NULL, *e, *tmp;
    struct sx_node *ret = map;

    for (size_t i = 0; ret != NULL && i < p->n_flows; i++) {
        const sigext_flow *f = &p->flows[i];
        size_t len = sigext_flow_id(f, NULL, 0);
        char *id = sx_arena_alloc(a, len + 16);
        struct sx_node *pol = sx_flow_policy(a, f, self, NULL);

        if (id == NULL || pol == NULL) {
            ret = NULL;
            break;
        }
        sigext_flow_id(f, id, len + 1);
        for (unsigned k = 2; !seen_add(&set, a, id); k++) {
            if (a->failed) {
                ret = NULL;
                break;
            }
            id = sx_arena_alloc(a, len + 16);
            if (id == NULL) {
                ret = NULL;
                break;
            }
            sigext_flow_id(f, id, len + 1);
            snprintf(id + len, 16, "-%u", k);
        }
        if (ret != NULL && sx_map_put(a, map, id, pol) < 0)
            ret = NULL;
    }
    /* Entries live in the arena: only the table itself is released. */
    HASH_ITER(hh, set, e, tmp) {
        HASH_DEL(set, e);
    }
    return ret;
}

/* Device fields: name required; addresses must parse as their family. */
int sx_device_self(sigext_ctx *ctx, const sigext_device *dev,
                   struct sx_self *self)
{
    const sigext_host *h;

    memset(self, 0, sizeof(*self));
    if (dev == NULL || dev->name == NULL || dev->name[0] == '\0')
        return sx_fail(ctx, SIGEXT_ERR_USAGE, "a device name is required");
    if (dev->ipv4 != NULL) {
        h = sx_host_text(ctx, dev->ipv4, strlen(dev->ipv4));
        if (h == NULL)
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
        if (h->kind != SIGEXT_HOST_IPV4)
            return sx_fail(ctx, SIGEXT_ERR_USAGE,
                           "invalid device IPv4 address \"%s\"", dev->ipv4);
        self->ipv4 = h;
    }
    if (dev->ipv6 != NULL) {
        h = sx_host_text(ctx, dev->ipv6, strlen(dev->ipv6));
        if (h == NULL)
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
        if (h->kind != SIGEXT_HOST_IPV6)
            return sx_fail(ctx, SIGEXT_ERR_USAGE,
                           "invalid device IPv6 address \"%s\"", dev->ipv6);
        self->ipv6 = h;
    }
    return SIGEXT_OK;
}

/* ---- policy -> flow ---- */

static int why_fail(char *why, size_t whysz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int why_fail(char *why, size_t whysz, const char *fmt, ...)
{
    va_list ap;

    if (whysz > 0) {
        va_start(ap, fmt);
        vsnprintf(why, whysz, fmt, ap);
        va_end(ap);
    }
    return -1;
}

bool sx_host_name_ok(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    }
    return true;
}

static const sigext_host *read_host(sigext_ctx *ctx, const struct sx_node *n,
                                    const char *key, int ipver,
                                    const struct sx_self *self, char *why,
                                    size_t whysz)
{
    const sigext_host *h;
    char buf[1024];
    size_t len;

    if (!sx_node_is_str(n) || n->text[0] == '\0') {
        why_fail(why, whysz, "\"%s\" must be a host", key);
        return NULL;
    }
    if (strcmp(n->text, "self") == 0) {
        h = self == NULL ? NULL : ipver == 6 ? self->ipv6 : self->ipv4;
        if (h == NULL)
            why_fail(why, whysz, "\"self\" without a device IPv%d address",
                     ipver);
        return h;
    }
    len = strlen(n->text);
    if (len >= sizeof(buf)) {
        why_fail(why, whysz, "host name too long");
        return NULL;
    }
    /* TODO(json): a name really holding '$' reads back with '*'. */
    for (size_t i = 0; i <= len; i++)
        buf[i] = n->text[i] == '$' ? '*' : n->text[i];
    /* "printer." is how a one-label name is written (host_node). */
    if (len > 1 && buf[len - 1] == '.')
        buf[--len] = '\0';
    h = sx_host_text(ctx, buf, len);
    if (h == NULL) {
        why_fail(why, whysz, "out of memory");
        return NULL;
    }
    if (h->kind == SIGEXT_HOST_NAME && !sx_host_name_ok(h->text)) {
        why_fail(why, whysz, "\"%s\" is not a host name or an address",
                 n->text);
        return NULL;
    }
    if ((ipver == 4 && h->kind == SIGEXT_HOST_IPV6) ||
        (ipver == 6 && h->kind == SIGEXT_HOST_IPV4)) {
        why_fail(why, whysz, "\"%s\" is not an IPv%d host", n->text, ipver);
        return NULL;
    }
    return h;
}

static int one_port(const struct sx_node *n, uint16_t *out)
{
    long long v = -1;

    if (n->kind == SX_NODE_INT) {
        v = n->num;
    } else if (n->kind == SX_NODE_STR && n->text[0] != '\0' &&
               strspn(n->text, "0123456789") == strlen(n->text) &&
               strlen(n->text) <= 5 &&
               (n->text[0] != '0' || n->text[1] == '\0')) {
        /* No leading zero: "053" is 43 to nft and to YAML 1.1. */
        v = atoll(n->text);
    }
    if (v < 0 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static int cmp_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* A port or a list of ports, sorted and without duplicates. */
static int read_ports(const struct sx_node *n, const char *key, uint16_t *v,
                      uint8_t *count, char *why, size_t whysz)
{
    size_t k = 0;

    if (n->kind == SX_NODE_SEQ) {
        if (n->n == 0 || n->n > SIGEXT_MAX_PORTS)
            return why_fail(why, whysz, "\"%s\": 1 to %d ports expected",
                            key, SIGEXT_MAX_PORTS);
        for (size_t i = 0; i < n->n; i++) {
            if (one_port(n->vals[i], &v[k++]) < 0)
                return why_fail(why, whysz, "\"%s\": bad port", key);
        }
    } else if (one_port(n, &v[k++]) < 0) {
        return why_fail(why, whysz, "\"%s\": bad port", key);
    }
    qsort(v, k, sizeof(*v), cmp_u16);
    *count = 0;
    for (size_t i = 0; i < k; i++) {
        if (i == 0 || v[i] != v[i - 1])
            v[(*count)++] = v[i];
    }
    return 0;
}

static int read_transport(const struct sx_node *tr, sigext_flow *f,
                          char *why, size_t whysz)
{
    if (tr->kind == SX_NODE_NULL)
        return 0;           /* "tcp:" with nothing under it */
    if (tr->kind != SX_NODE_MAP)
        return why_fail(why, whysz, "transport must be a map");
    for (size_t i = 0; i < tr->n; i++) {
        const char *k = tr->keys[i];
        int rc;

        if (strcmp(k, "src-port") == 0)
            rc = read_ports(tr->vals[i], k, f->src_ports, &f->n_src_ports,
                            why, whysz);
        else if (strcmp(k, "dst-port") == 0)
            rc = read_ports(tr->vals[i], k, f->dst_ports, &f->n_dst_ports,
                            why, whysz);
        else
            rc = why_fail(why, whysz, "unknown transport field \"%s\"", k);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* Does s hold a control character?  No decoder keeps one in a field
 * (they become '?'), so one in a file was not written by sigext. */
static bool has_control(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    }
    return false;
}

/* Interned value of an application field; "$" back to "*" in names. */
static const char *app_str(sigext_ctx *ctx, const struct sx_node *v,
                           bool name)
{
    char buf[1024];
    size_t len;

    if (v->kind != SX_NODE_STR && v->kind != SX_NODE_INT)
        return NULL;
    len = strlen(v->text);
    if (len >= sizeof(buf))
        return NULL;
    for (size_t i = 0; i <= len; i++)
        buf[i] = name && v->text[i] == '$' ? '*' : v->text[i];
    return sx_intern(ctx, buf, len);
}

static int read_app(sigext_ctx *ctx, sigext_app_proto proto,
                    const struct sx_node *m, sigext_flow *f, char *why,
                    size_t whysz)
{
    sigext_app a;

    memset(&a, 0, sizeof(a));
    a.proto = proto;
    if (m->kind != SX_NODE_MAP && m->kind != SX_NODE_NULL)
        return why_fail(why, whysz, "application fields must be a map");
    for (size_t i = 0; i < m->n; i++) {
        const char *k = m->keys[i];
        const struct sx_node *v = m->vals[i];
        const char **slot = NULL;
        bool ok;

        if (strcmp(k, "response") == 0 && proto != SIGEXT_APP_DHCP) {
            if (v->kind == SX_NODE_BOOL)
                a.response = v->num != 0;
            else if (sx_node_is_str(v) && strcmp(v->text, "true") == 0)
                a.response = true;
            else if (!sx_node_is_str(v) || strcmp(v->text, "false") != 0)
                return why_fail(why, whysz, "\"response\" must be a bool");
            continue;
        }
        if (proto == SIGEXT_APP_DNS)
            slot = strcmp(k, "qtype") == 0 ? &a.qtype
                 : strcmp(k, "domain-name") == 0 ? &a.name : NULL;
        else if (proto == SIGEXT_APP_HTTP)
            slot = strcmp(k, "method") == 0 ? &a.method
                 : strcmp(k, "uri") == 0 ? &a.uri : NULL;
        else if (proto == SIGEXT_APP_COAP)
            slot = strcmp(k, "type") == 0 ? &a.type
                 : strcmp(k, "method") == 0 ? &a.method
                 : strcmp(k, "uri") == 0 ? &a.uri : NULL;
        else
            slot = strcmp(k, "type") == 0 ? &a.type
                 : strcmp(k, "client-mac") == 0 ? &a.client_mac : NULL;
        if (slot == NULL)
            return why_fail(why, whysz, "unknown %s field \"%s\"",
                            sx_app_proto_name(proto), k);
        if (has_control(v->text))
            return why_fail(why, whysz, "control character in \"%s\"", k);
        ok = (*slot = app_str(ctx, v, slot == &a.name)) != NULL;
        if (!ok)
            return why_fail(why, whysz, "bad value for \"%s\"", k);
    }
    if (proto == SIGEXT_APP_DNS && (a.qtype == NULL || a.name == NULL))
        return why_fail(why, whysz, "DNS needs qtype and domain-name");
    f->app = sx_app_intern(ctx, &a);
    if (f->app == NULL)
        return why_fail(why, whysz, "out of memory");
    return 0;
}

static sigext_app_proto app_proto(const char *k)
{
    if (strcmp(k, "dns") == 0)
        return SIGEXT_APP_DNS;
    if (strcmp(k, "http") == 0)
        return SIGEXT_APP_HTTP;
    if (strcmp(k, "coap") == 0)
        return SIGEXT_APP_COAP;
    if (strcmp(k, "dhcp") == 0)
        return SIGEXT_APP_DHCP;
    return SIGEXT_APP_NONE;
}

int sx_policy_flow(sigext_ctx *ctx, const struct sx_node *policy,
                   const struct sx_self *self, sigext_flow *out, char *why,
                   size_t whysz)
{
    const struct sx_node *protos = sx_map_get(policy, "protocols");
    const struct sx_node *count = sx_map_get(policy, "count");
    sigext_flow f;

    memset(&f, 0, sizeof(f));
    if (policy == NULL || policy->kind != SX_NODE_MAP)
        return why_fail(why, whysz, "a policy must be a map");
    if (protos == NULL || protos->kind != SX_NODE_MAP)
        return why_fail(why, whysz, "no \"protocols\" map");

    for (size_t i = 0; i < protos->n; i++) {
        const char *k = protos->keys[i];
        const struct sx_node *v = protos->vals[i];
        sigext_app_proto ap = app_proto(k);

        if (strcmp(k, "ipv4") == 0 || strcmp(k, "ipv6") == 0) {
            int ver = k[3] - '0';
            if (f.ipver != 0)
                return why_fail(why, whysz, "two network protocols");
            if (v->kind != SX_NODE_MAP)
                return why_fail(why, whysz, "\"%s\" must be a map", k);
            f.ipver = (uint8_t)ver;
            f.src = read_host(ctx, sx_map_get(v, "src"), "src", ver, self,
                              why, whysz);
            if (f.src == NULL)
                return -1;
            f.dst = read_host(ctx, sx_map_get(v, "dst"), "dst", ver, self,
                              why, whysz);
            if (f.dst == NULL)
                return -1;
        } else if (strcmp(k, "tcp") == 0 || strcmp(k, "udp") == 0) {
            if (f.transport != 0)
                return why_fail(why, whysz, "two transport protocols");
            f.transport = k[0] == 't' ? 6 : 17;
            if (read_transport(v, &f, why, whysz) < 0)
                return -1;
        } else if (ap != SIGEXT_APP_NONE) {
            if (f.app != NULL)
                return why_fail(why, whysz, "two application protocols");
            if (read_app(ctx, ap, v, &f, why, whysz) < 0)
                return -1;
        } else {
            return why_fail(why, whysz, "unsupported protocol \"%s\"", k);
        }
    }
    if (f.ipver == 0 || f.transport == 0)
        return why_fail(why, whysz, "needs ipv4 or ipv6, and tcp or udp");

    f.count = 1;
    if (count != NULL) {
        if (count->kind != SX_NODE_INT || count->num < 1)
            return why_fail(why, whysz, "\"count\" must be a positive integer");
        f.count = (uint64_t)count->num;
    }
    *out = f;
    return 0;
}

/* ---- YAML 1.1 implicit types ---- */

/* The resolvers of YAML 1.1 as PyYAML applies them (resolver.py) plus
 * the YAML 1.2 exponent form "1e5": a plain scalar matching one of them
 * is read back as a bool, null, int or float, so a string that looks
 * like that must be quoted.  Cursor helpers return the new position or
 * NULL when the form does not match. */

static const char *digits(const char *s, const char *set, bool one)
{
    const char *p = s;

    while (*p != '\0' && strchr(set, *p) != NULL)
        p++;
    return one && p == s ? NULL : p;
}

static const char *sexagesimal(const char *p)
{
    /* (:[0-5]?[0-9])+ */
    int groups = 0;

    while (p != NULL && *p == ':') {
        p++;
        if (*p >= '0' && *p <= '5' && p[1] >= '0' && p[1] <= '9')
            p += 2;
        else if (*p >= '0' && *p <= '9')
            p++;
        else
            return NULL;
        groups++;
    }
    return groups > 0 ? p : NULL;
}

static const char *exponent(const char *p, bool sign_needed)
{
    const char *q;

    if (p == NULL || (*p != 'e' && *p != 'E'))
        return p;
    q = p + 1;
    if (*q == '+' || *q == '-')
        q++;
    else if (sign_needed)
        return p;
    q = digits(q, "0123456789", true);
    return q != NULL ? q : p;
}

static bool full(const char *p)
{
    return p != NULL && *p == '\0';
}

static bool is_number(const char *s)
{
    const char *p = s, *q;

    if (*p == '+' || *p == '-')
        p++;
    if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 ||
        strcmp(p, ".INF") == 0 || strcmp(s, ".nan") == 0 ||
        strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0)
        return true;
    if (p[0] == '0' && (p[1] == 'b' || p[1] == 'x')) {
        q = digits(p + 2, p[1] == 'b' ? "01_" : "0123456789abcdefABCDEF_",
                   true);
        return full(q);
    }
    if (*p == '.')      /* .5, .5e+3 */
        return full(exponent(digits(p + 1, "0123456789_", true), true));
    if (*p < '0' || *p > '9')
        return false;
    q = digits(p, "0123456789_", true);
    if (full(q))                              /* 42, 0755 */
        return true;
    if (*q == ':') {                          /* 1:20, 1:20.5 */
        q = sexagesimal(q);
        if (full(q))
            return true;
        return q != NULL && *q == '.' &&
               full(digits(q + 1, "0123456789_", false));
    }
    if (*q == '.')                            /* 1.5, 1.e+3 */
        return full(exponent(digits(q + 1, "0123456789_", false), true));
    return full(exponent(q, false));          /* 1e5 (YAML 1.2) */
}

bool sx_yaml_plain_is_typed(const char *s)
{
    static const char *const words[] = {
        "", "~", "null", "Null", "NULL",
        "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(s, words[i]) == 0)
            return true;
    }
    return is_number(s);
}

/* ---- text ---- */

/* Length of the valid UTF-8 sequence at s (RFC 3629 4), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s)
{
    size_t n;
    unsigned lo = 0x80, hi = 0xbf;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4;
    else
        return 0;
    /* No overlong forms, no surrogates, nothing past U+10FFFF. */
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    }
    return n;
}

char *sx_utf8_fix(const char *s, bool *changed)
{
    char *copy = strdup(s);
    unsigned char *p = (unsigned char *)copy;

    *changed = false;
    while (p != NULL && *p != '\0') {
        size_t n = utf8_seq(p);
        if (n == 0) {
            *p++ = '?';
            *changed = true;
        } else {
            p += n;
        }
    }
    return copy;
}

