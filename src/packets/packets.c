/*
 * packets.c - stage 1: a capture file in, packet records and groups out.
 *
 * For every frame: decode to the transport payload, drop control packets
 * (SPEC stage 1, step 4), learn names from DNS answers and TLS SNI (step
 * 5), read the application fields (step 7) and add the packet to its
 * group.  Nothing here formats text; hosts and app fields are interned.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "decode/decode.h"
#include "packets/trace.h"

#define PORT_DNS 53
#define PORT_MDNS 5353
#define PORT_COAP 5683
#define PORT_DHCP_SERVER 67
#define PORT_DHCP_CLIENT 68
#define PORT_DHCP6_CLIENT 546
#define PORT_DHCP6_SERVER 547

/* A ClientHello bigger than this is not reassembled (RFC 8446 5.1: a
 * record carries at most 2^14 bytes; the 5-byte header comes on top). */
#define TLS_HELLO_CAP (16384 + 5)

/*
 * ClientHellos being reassembled at once.  Each holds a buffer of up to
 * TLS_HELLO_CAP bytes until its connection sends the rest, which a
 * hostile capture never does; without a cap, partial hellos on many
 * connections would grow memory by 16 KiB per 60-byte packet.  This cap
 * keeps those buffers within 16 MiB; real traces have a few at a time.
 */
#define TLS_PENDING_MAX 1024

/*
 * A direct-mapped cache of recent directed 5-tuples: their interned hosts
 * and, for packets without app fields, their group.  Most packets belong
 * to a flow seen a moment ago, so one probe into this array replaces
 * three hash lookups whose chains miss the CPU cache on large traces.
 * Its size is fixed: memory stays O(flows) whatever the packet count.
 */
#define FC_BITS 16
#define FC_KEY 40

struct fc_entry {
    uint8_t key[FC_KEY];        /* ipver, l4, ports, addresses; 0-padded */
    const sigext_host *src;
    const sigext_host *dst;
    struct sx_group *group;
    uint64_t pending;           /* packets counted here, not yet in group */
};

/* Move an entry's packet count into its group before it is reused. */
static void fc_flush(struct fc_entry *e)
{
    if (e->group != NULL && e->pending > 0) {
        e->group->packets += e->pending;
        e->pending = 0;
    }
}

/*
 * A smaller direct-mapped cache of interned hosts by address, consulted
 * on the 5-tuple cache's misses.  A home network has few hosts, this
 * array stays in the CPU's cache where the context's table does not, and
 * with --jobs it keeps reading threads off the context's lock.
 */
#define HC_BITS 13

struct hc_entry {
    uint8_t key[17];            /* ip version, then 16 address bytes */
    const sigext_host *host;
};

/* State of one read: the trace and the context it learns into. */
struct reader {
    sigext_ctx *ctx;
    sigext_trace *t;
    int skipped_link;           /* first link type not decoded, or -1 */
    bool skipped_links;         /* ... and frames of another one too */
    bool replay;                /* second read: records go to the sink */
    uint64_t max_frames;        /* replay: frames the first read counted */
    sigext_record_fn sink;
    void *sink_user;
    struct fc_entry *fc;        /* 1 << FC_BITS entries */
    struct hc_entry *hc;        /* 1 << HC_BITS entries */
};

static const sigext_host *host_cached(struct reader *rd, uint8_t ipver,
                                      const uint8_t *addr)
{
    uint8_t key[17] = {ipver};
    struct hc_entry *e;

    memcpy(key + 1, addr, ipver == 4 ? 4 : 16);
    e = &rd->hc[sx_hash_bytes(key, sizeof(key)) & ((1u << HC_BITS) - 1)];
    if (e->host == NULL || memcmp(e->key, key, sizeof(key)) != 0) {
        e->host = sx_host_ip(rd->ctx, ipver, addr);
        memcpy(e->key, key, sizeof(key));
    }
    return e->host;
}

sigext_trace *sx_trace_new(sigext_ctx *ctx, const char *path)
{
    sigext_trace *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    t->path = sx_intern_z(ctx, path);
    if (t->path == NULL) {
        free(t);
        return NULL;
    }
    return t;
}

void sigext_trace_free(sigext_trace *t)
{
    if (t == NULL)
        return;

    struct sx_group *g, *gtmp;
    HASH_ITER(hh, t->groups, g, gtmp) {
        HASH_DEL(t->groups, g);
        free(g);
    }
    struct sx_conn *c, *ctmp;
    HASH_ITER(hh, t->conns, c, ctmp) {
        HASH_DEL(t->conns, c);
        free(c->hello);
        free(c);
    }
    sx_names_free(&t->names);
    free(t->recs);
    free(t);
}

const char *sigext_trace_path(const sigext_trace *t)
{
    return t->path;
}

const sigext_trace_stats *sigext_trace_get_stats(const sigext_trace *t)
{
    return &t->stats;
}

size_t sigext_trace_record_count(const sigext_trace *t)
{
    return t->n_recs;
}

const sigext_record *sigext_trace_records(const sigext_trace *t)
{
    return t->recs;
}

const sigext_host *sigext_resolve(sigext_ctx *ctx, const sigext_trace *t,
                                  const sigext_host *host)
{
    const char *name = NULL;
    const char *alias = NULL;

    if (host == NULL || host->kind == SIGEXT_HOST_NAME)
        return host;
    if (t != NULL)
        name = sx_names_lookup_addr(&t->names, host);
    if (name == NULL)
        name = sx_names_lookup_addr(&ctx->names, host);
    if (name == NULL)
        return host;

    /* One alias step only (SPEC stage 1, step 5). */
    if (t != NULL)
        alias = sx_names_lookup_alias(&t->names, name);
    if (alias == NULL)
        alias = sx_names_lookup_alias(&ctx->names, name);
    if (alias != NULL)
        name = alias;

    const sigext_host *h = sx_host_text(ctx, name, strlen(name));
    return h != NULL ? h : host;
}

/* Canonical connection key: endpoints ordered by pointer. */
static void make_key(struct sx_gkey *k, const sigext_record *r,
                     const sigext_app *app)
{
    memset(k, 0, sizeof(*k));
    k->ipver = r->ipver;
    k->transport = r->transport;
    k->app = app;
    if ((uintptr_t)r->src < (uintptr_t)r->dst ||
        (r->src == r->dst && r->sport <= r->dport)) {
        k->a = r->src;
        k->aport = r->sport;
        k->b = r->dst;
        k->bport = r->dport;
    } else {
        k->a = r->dst;
        k->aport = r->dport;
        k->b = r->src;
        k->bport = r->sport;
    }
}

static struct sx_conn *conn_get(sigext_trace *t, const sigext_record *r,
                                bool create)
{
    struct sx_gkey k;
    struct sx_conn *c;

    make_key(&k, r, NULL);
    HASH_FIND(hh, t->conns, &k, sizeof(k), c);
    if (c != NULL || !create)
        return c;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->key = k;
    HASH_ADD(hh, t->conns, key, sizeof(c->key), c);
    return c;
}

static int keep_record(sigext_ctx *ctx, sigext_trace *t,
                       const sigext_record *r);

int sx_trace_add(sigext_ctx *ctx, sigext_trace *t, const sigext_record *r,
                 const sigext_app *group_app, struct sx_group **hint)
{
    struct sx_gkey k;
    struct sx_group *g = hint != NULL ? *hint : NULL;

    if (g == NULL) {
        make_key(&k, r, group_app);
        HASH_FIND(hh, t->groups, &k, sizeof(k), g);
    }
    if (g == NULL) {
        if (t->n_groups >= ctx->opt.max_flows)
            return sx_fail(ctx, SIGEXT_ERR_LIMIT,
                           "%s: more than %zu flow%s, before they merge "
                           "into fingerprints (see --max-flows)", t->path,
                           ctx->opt.max_flows,
                           ctx->opt.max_flows == 1 ? "" : "s");
        g = calloc(1, sizeof(*g));
        if (g == NULL)
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
        g->key = k;
        g->src = r->src;
        g->dst = r->dst;
        g->sport = r->sport;
        g->dport = r->dport;
        g->first_app = r->app;
        g->first_seq = r->id;
        HASH_ADD(hh, t->groups, key, sizeof(g->key), g);
        t->n_groups++;
    }
    g->packets++;
    t->stats.kept++;
    if (hint != NULL)
        *hint = g;
    return keep_record(ctx, t, r);
}

/*
 * Records are kept only on request: names learned later in a trace apply
 * to its earlier packets, so `sigext packets` either keeps every record
 * until the end or reads the file twice (sigext_trace_replay).
 * TODO(packets): a capture from a pipe cannot be read twice, so its
 * records are kept; spooling it to a temporary file would stream them.
 */
static int keep_record(sigext_ctx *ctx, sigext_trace *t,
                       const sigext_record *r)
{
    if (!ctx->opt.keep_records)
        return SIGEXT_OK;
    if (t->n_recs == t->cap_recs) {
        size_t cap = t->cap_recs ? t->cap_recs * 2 : 1024;
        sigext_record *n = realloc(t->recs, cap * sizeof(*n));
        if (n == NULL)
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
        t->recs = n;
        t->cap_recs = cap;
    }
    t->recs[t->n_recs++] = *r;
    return SIGEXT_OK;
}

/* ---- name learning (SPEC stage 1, step 5) ---- */

/*
 * Names go into the trace's own table while it is read; they join the
 * run's table when the read is over (sx_trace_publish_names), in the
 * order the traces were given, so the run's "last name read" does not
 * depend on how reads overlap with --jobs.
 */
static void learn_addr(struct reader *rd, const sigext_host *addr,
                       const char *name)
{
    sx_names_add_addr(&rd->t->names, addr, name);
}

static void learn_alias(struct reader *rd, const char *target,
                        const char *owner)
{
    sx_names_add_alias(&rd->t->names, target, owner);
}

int sx_trace_publish_names(sigext_ctx *ctx, const sigext_trace *t)
{
    for (const struct sx_map_entry *e = t->names.addr; e != NULL;
         e = e->hh.next)
        if (sx_names_add_addr(&ctx->names, e->key, e->value) != 0)
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    for (const struct sx_map_entry *e = t->names.alias; e != NULL;
         e = e->hh.next)
        if (sx_names_add_alias(&ctx->names, e->key, e->value) != 0)
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    return SIGEXT_OK;
}

/*
 * "d.c.b.a.in-addr.arpa" -> IPv4 address a.b.c.d (RFC 1035 3.5).
 * Returns false for anything else.
 */
static bool reverse_v4(const char *name, uint8_t out[4])
{
    static const char suffix[] = ".in-addr.arpa";
    size_t n = strlen(name), sl = sizeof(suffix) - 1;
    unsigned v[4];
    int i = 0;
    const char *p = name;

    if (n <= sl || strcasecmp(name + n - sl, suffix) != 0)
        return false;
    while (i < 4 && p < name + n - sl) {
        unsigned x = 0;
        int digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 4) {
            x = x * 10 + (unsigned)(*p - '0');
            p++;
            digits++;
        }
        if (digits == 0 || x > 255)
            return false;
        v[i++] = x;
        if (*p != '.')
            return false;
        p++;
    }
    if (i != 4 || p != name + n - sl + 1)
        return false;
    for (i = 0; i < 4; i++)
        out[i] = (uint8_t)v[3 - i];
    return true;
}

static void on_dns_rr(void *user, const struct sx_dns_rr *rr)
{
    struct reader *rd = user;
    sigext_ctx *ctx = rd->ctx;
    const char *owner, *target;
    const sigext_host *h;
    uint8_t a4[4];

    if (rr->owner[0] == '\0')
        return;
    owner = sx_intern_z(ctx, rr->owner);
    if (owner == NULL)
        return;

    switch (rr->type) {
    case 1:     /* A */
    case 28:    /* AAAA */
        h = sx_host_ip(ctx, rr->type == 1 ? 4 : 6, rr->addr);
        if (h != NULL)
            learn_addr(rd, h, owner);
        break;
    case 5:     /* CNAME: the target is an alias of the owner */
    case 33:    /* SRV */
        if (rr->target == NULL || rr->target[0] == '\0')
            break;
        target = sx_intern_z(ctx, rr->target);
        if (target != NULL)
            learn_alias(rd, target, owner);
        break;
    case 12:    /* PTR */
        if (rr->target == NULL || rr->target[0] == '\0')
            break;
        target = sx_intern_z(ctx, rr->target);
        if (target == NULL)
            break;
        if (reverse_v4(owner, a4)) {
            h = sx_host_ip(ctx, 4, a4);
            if (h != NULL && !sx_names_has_addr(&rd->t->names, h))
                learn_addr(rd, h, target);
        } else {
            learn_alias(rd, target, owner);
        }
        break;
    default:
        break;
    }
}

/* ---- application fields (SPEC stage 1, step 7) ---- */

static const char *intern_view(sigext_ctx *ctx, struct sx_view v)
{
    return sx_intern(ctx, (const char *)v.p, v.len);
}

static const char *coap_method(uint8_t code)
{
    /* RFC 7252 12.1.1, RFC 8132 */
    static const char *names[] = {"EMPTY", "GET", "POST", "PUT", "DELETE",
                                  "FETCH", "PATCH", "iPATCH"};
    return code < 8 ? names[code] : NULL;
}

static const sigext_app *app_dns(sigext_ctx *ctx, const struct sx_dns_msg *m)
{
    char buf[16];
    sigext_app a = {.proto = SIGEXT_APP_DNS, .response = m->response};

    a.qtype = sx_intern_z(ctx, sx_dns_type_name(m->qtype, buf));
    a.name = sx_intern_z(ctx, m->name);
    if (a.qtype == NULL || a.name == NULL)
        return NULL;
    return sx_app_intern(ctx, &a);
}

static const sigext_app *app_http(sigext_ctx *ctx,
                                  const struct sx_http_msg *m)
{
    sigext_app a = {.proto = SIGEXT_APP_HTTP, .response = m->response};

    if (!m->response) {
        /*
         * The query string is cut and marked with a trailing '*'.
         * TODO(http): a path longer than SX_HTTP_URI_MAX bytes is cut
         * there and marked the same way, so two long URIs that differ
         * only beyond it are one.
         */
        char uri[SX_HTTP_URI_MAX + 1];
        bool cut = m->path.len > SX_HTTP_URI_MAX;
        size_t n = cut ? SX_HTTP_URI_MAX : m->path.len;

        memcpy(uri, m->path.p, n);
        if (m->query_cut || cut)
            uri[n++] = '*';
        a.method = intern_view(ctx, m->method);
        a.uri = sx_intern(ctx, uri, n);
        if (a.method == NULL || a.uri == NULL)
            return NULL;
    }
    return sx_app_intern(ctx, &a);
}

static const sigext_app *app_coap(sigext_ctx *ctx,
                                  const struct sx_coap_msg *m)
{
    static const char *types[] = {"CON", "NON", "ACK", "RST"};
    sigext_app a = {.proto = SIGEXT_APP_COAP, .response = m->response};

    if (!m->response) {
        const char *meth = coap_method(m->code);
        char buf[8];
        if (meth == NULL) {
            snprintf(buf, sizeof(buf), "%u.%02u", m->code >> 5,
                     m->code & 31);
            meth = buf;
        }
        a.type = sx_intern_z(ctx, types[m->type & 3]);
        a.method = sx_intern_z(ctx, meth);
        a.uri = sx_intern_z(ctx, m->path);
        if (a.type == NULL || a.method == NULL || a.uri == NULL)
            return NULL;
    }
    return sx_app_intern(ctx, &a);
}

static const sigext_app *app_dhcp(sigext_ctx *ctx,
                                  const struct sx_dhcp_msg *m)
{
    /* RFC 2132 9.6 message types */
    static const char *types[] = {NULL, "discover", "offer", "request",
                                  "decline", "ack", "nak", "release",
                                  "inform"};
    char mac[18], tbuf[8];
    const uint8_t *c = m->chaddr;
    sigext_app a = {.proto = SIGEXT_APP_DHCP};

    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", c[0], c[1],
             c[2], c[3], c[4], c[5]);
    if (m->msg_type < 9 && types[m->msg_type] != NULL) {
        a.type = sx_intern_z(ctx, types[m->msg_type]);
    } else {
        snprintf(tbuf, sizeof(tbuf), "%u", m->msg_type);
        a.type = sx_intern_z(ctx, tbuf);
    }
    a.client_mac = sx_intern_z(ctx, mac);
    a.response = m->msg_type == 2 || m->msg_type == 5 || m->msg_type == 6;
    if (a.type == NULL || a.client_mac == NULL)
        return NULL;
    return sx_app_intern(ctx, &a);
}

static bool has_port(const struct sx_frame *f, uint16_t port)
{
    return f->sport == port || f->dport == port;
}

/* RFC 6066 3: the client names the server it connects to. */
static void learn_sni(struct reader *rd, const sigext_record *r,
                      const char *sni)
{
    const char *name = sx_intern_z(rd->ctx, sni);

    if (name != NULL)
        learn_addr(rd, r->dst, name);
}

/* Drop a ClientHello being reassembled. */
static void hello_abandon(sigext_trace *t, struct sx_conn *c)
{
    free(c->hello);
    c->hello = NULL;
    t->pending_hellos--;
}

/*
 * A segment of the connection of a ClientHello being reassembled: true
 * when it was taken as part of the hello (to be dropped), false when it
 * is to be classified on its own.  Only the next bytes from the hello's
 * sender continue it (RFC 9293 3.4: the sequence number numbers each
 * byte); a retransmission of bytes already held is dropped, and a gap
 * (a lost or reordered segment) ends the reassembly, so that later data
 * is never read as hello bytes.  `*kind` is set when the hello is whole
 * and left alone otherwise.
 */
static bool hello_continue(struct reader *rd, struct sx_conn *c,
                           const struct sx_frame *f, const sigext_record *r,
                           char *sni, int *kind)
{
    size_t len = f->payload.len, need = 0;
    /* Serial-number arithmetic (RFC 1982): how far this segment starts
     * past the next expected byte, negative when before it. */
    int32_t ahead = (int32_t)(f->tcp_seq - c->hello_seq);

    if (r->src != c->hello_src || r->sport != c->hello_sport)
        return false;
    if (ahead < 0 && (int64_t)ahead + (int64_t)f->payload_wire <= 0)
        return true;
    if (ahead != 0 || len < f->payload_wire) {
        /* The bytes held may still name the server. */
        if (sx_tls_classify(c->hello, c->hello_len, sni, &need) ==
                SX_TLS_HELLO_PARTIAL && sni[0] != '\0')
            learn_sni(rd, r, sni);
        hello_abandon(rd->t, c);
        return false;
    }
    if (len > c->hello_need - c->hello_len)
        len = c->hello_need - c->hello_len;
    memcpy(c->hello + c->hello_len, f->payload.p, len);
    c->hello_len += (uint32_t)len;
    c->hello_seq += (uint32_t)len;
    if (c->hello_len < c->hello_need)
        return true;
    *kind = sx_tls_classify(c->hello, c->hello_len, sni, &need);
    hello_abandon(rd->t, c);
    if (*kind == SX_TLS_HELLO_PARTIAL)
        *kind = SX_TLS_HELLO_NO_SNI;
    return true;
}

/* Keep the start of a ClientHello that continues in later segments. */
static void hello_start(struct reader *rd, const struct sx_frame *f,
                        const sigext_record *r, size_t need)
{
    size_t len = f->payload.len;
    struct sx_conn *c;

    /* A segment cut by the snapshot length leaves a hole in the hello. */
    if (need > TLS_HELLO_CAP || need <= len || len < f->payload_wire ||
        rd->t->pending_hellos >= TLS_PENDING_MAX)
        return;
    c = conn_get(rd->t, r, true);
    if (c == NULL)
        return;
    if (c->hello != NULL)
        hello_abandon(rd->t, c);
    c->hello = malloc(need);
    if (c->hello == NULL)
        return;
    rd->t->pending_hellos++;
    memcpy(c->hello, f->payload.p, len);
    c->hello_len = (uint32_t)len;
    c->hello_need = (uint32_t)need;
    c->hello_seq = f->tcp_seq + (uint32_t)len;
    c->hello_src = r->src;
    c->hello_sport = r->sport;
}

/*
 * TLS: keep a ClientHello with a server name (learning dst -> SNI) and
 * application data; drop every other record (SPEC stage 1, step 4).  A
 * ClientHello longer than one segment is reassembled per connection.
 * Returns true when the packet is to be dropped.
 */
static bool tls_filter(struct reader *rd, const struct sx_frame *f,
                       const sigext_record *r)
{
    char sni[SX_TLS_SNI_MAX + 1];
    size_t need = 0;
    /* Most traces never reassemble: skip the lookup then. */
    struct sx_conn *c = rd->t->pending_hellos > 0
                            ? conn_get(rd->t, r, false)
                            : NULL;
    int kind = -1;

    if (c != NULL && c->hello != NULL &&
        hello_continue(rd, c, f, r, sni, &kind)) {
        if (kind < 0)
            return true;        /* more of the hello is to come */
    } else {
        kind = sx_tls_classify(f->payload.p, f->payload.len, sni, &need);
    }

    switch (kind) {
    case SX_TLS_NONE:
    case SX_TLS_APP_DATA:
        return false;
    case SX_TLS_HELLO_SNI:
        learn_sni(rd, r, sni);
        return false;
    case SX_TLS_HELLO_PARTIAL:
        if (sni[0] != '\0')
            learn_sni(rd, r, sni);
        hello_start(rd, f, r, need);
        return true;
    default:
        return true;
    }
}

/*
 * Classify one IP packet with ports.  Returns 1 to keep it (r and *gapp
 * filled), 0 to drop it as a control packet, negative on error.
 */
static int classify(struct reader *rd, const struct sx_frame *f,
                    sigext_record *r, const sigext_app **gapp)
{
    sigext_ctx *ctx = rd->ctx;
    const uint8_t *p = f->payload.p;
    size_t len = f->payload.len;
    const sigext_app *app = NULL;
    bool tcp = f->l4 == 6;

    if (tcp) {
        if (tls_filter(rd, f, r))
            return 0;
    } else {
        if (has_port(f, PORT_DHCP6_CLIENT) || has_port(f, PORT_DHCP6_SERVER))
            return 0;
        if (has_port(f, PORT_DHCP_SERVER) || has_port(f, PORT_DHCP_CLIENT)) {
            struct sx_dhcp_msg dm;
            if (sx_dhcp_parse(p, len, &dm) == 0) {
                rd->t->stats.malformed += dm.malformed;
                if (!ctx->opt.keep_dhcp)
                    return 0;
                app = app_dhcp(ctx, &dm);
            }
        }
    }

    if (app == NULL && (has_port(f, PORT_DNS) || has_port(f, PORT_MDNS))) {
        struct sx_dns_msg dm;
        bool mdns = has_port(f, PORT_MDNS);
        const uint8_t *d = p;
        size_t dl = len;
        if (tcp) {      /* RFC 1035 4.2.2: two-byte length prefix */
            d = len >= 2 ? p + 2 : p;
            dl = len >= 2 ? len - 2 : 0;
        }
        /* A second read knows every name already. */
        bool learn = !mdns && !rd->replay;
        if (sx_dns_parse(d, dl, &dm, learn ? on_dns_rr : NULL, rd) == 0) {
            if (dm.has_name)
                app = app_dns(ctx, &dm);
        } else if (dl >= 12) {
            /* A whole header but records that do not parse: a broken
             * or hostile message (RFC 1035 4.1.1 header is 12 bytes). */
            rd->t->stats.malformed++;
        }
    }
    if (app == NULL && tcp) {
        struct sx_http_msg hm;
        if (sx_http_parse(p, len, &hm) == 0)
            app = app_http(ctx, &hm);
    }
    if (app == NULL && !tcp && has_port(f, PORT_COAP)) {
        struct sx_coap_msg cm;
        if (sx_coap_parse(p, len, &cm) == 0)
            app = app_coap(ctx, &cm);
    }
    r->app = app;
    *gapp = sx_group_app(ctx, rd->t, r);
    return 1;
}

const sigext_app *sx_group_app(sigext_ctx *ctx, sigext_trace *t,
                               const sigext_record *r)
{
    const sigext_app *app = r->app;

    /* A DNS query and its response group together; an HTTP or CoAP
     * response groups with the request it answers (SPEC stage 2, 5). */
    if (app == NULL)
        return NULL;
    if (app->proto == SIGEXT_APP_DNS && app->response) {
        sigext_app q = *app;
        q.response = false;
        const sigext_app *k = sx_app_intern(ctx, &q);
        return k != NULL ? k : app;
    }
    if (app->proto == SIGEXT_APP_HTTP || app->proto == SIGEXT_APP_COAP) {
        struct sx_conn *c = conn_get(t, r, !app->response);
        if (c != NULL && !app->response)
            c->last_request = app;
        else if (c != NULL && c->last_request != NULL)
            return c->last_request;
    }
    return app;
}

/*
 * A capture time in nanoseconds, saturated: pcapng resolutions and
 * offsets can put a timestamp anywhere in int64 seconds, far beyond what
 * int64 nanoseconds hold (found by fuzz_pipeline).
 */
static int64_t ts_ns(int64_t sec, uint32_t nsec)
{
    if (sec > INT64_MAX / 1000000000 - 1)
        return INT64_MAX;
    if (sec < INT64_MIN / 1000000000 + 1)
        return INT64_MIN;
    return sec * 1000000000 + nsec;
}

/*
 * A gap in seconds for the message, with as many decimals (up to 9, the
 * nanoseconds) as it takes to read as longer than the timeout: "20.0 s
 * of silence (--timeout 20)" would look like no reason to stop.
 */
static void gap_text(char *buf, size_t size, double gap, double timeout)
{
    char full[64];
    char *dot;

    /* Cut, not rounded: 9.97 s must not read "10.0 s". */
    snprintf(full, sizeof(full), "%.12f", gap);
    dot = strchr(full, '.');
    for (int prec = 1; prec <= 9; prec++) {
        snprintf(buf, size, "%.*s", dot != NULL ? (int)(dot - full) + 1 +
                 prec : (int)sizeof(full), full);
        if (strtod(buf, NULL) > timeout)
            return;
    }
}

/* The timeout as the command line takes it: a plain decimal ("0.0000001",
 * not "1e-07"), to the nanosecond, without trailing zeros. */
static void timeout_text(char *buf, size_t size, double timeout)
{
    size_t n = (size_t)snprintf(buf, size, "%.9f", timeout);

    if (n >= size)
        n = size - 1;
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
}

static int read_frames(struct reader *rd, struct sx_capture *cap)
{
    sigext_ctx *ctx = rd->ctx;
    sigext_trace *t = rd->t;
    struct sx_frame_hdr hdr;
    const uint8_t *data;
    char err[256];
    int64_t prev_ns = 0;
    /* A timeout of 292 years or more (or inf, NaN) never cuts; the
     * conversion of a larger double would be undefined (C11 6.3.1.4).
     * Rounded, not truncated: 1.001 * 1e9 is 1000999999.99..., and a gap
     * of exactly 1.001 s is not longer than --timeout 1.001. */
    int64_t timeout_ns = !(ctx->opt.timeout < 9e9)
                             ? INT64_MAX
                             : llround(ctx->opt.timeout * 1e9);
    uint64_t seq = 0;

    for (;;) {
        struct sx_frame f;
        sigext_record r;
        const sigext_app *gapp;

        /* A file that grew since the first read is replayed as long as
         * it was then. */
        if (rd->replay && seq == rd->max_frames)
            return SIGEXT_OK;
        int st = sx_capture_next(cap, &hdr, &data, err, sizeof(err));

        if (st == SX_CAP_EOF)
            return SIGEXT_OK;
        if (st < 0) {
            t->stats.damaged = true;
            if (ctx->opt.strict || st != SX_CAP_ERR_CORRUPT)
                return sx_fail(ctx, SIGEXT_ERR_CORRUPT, "%s: %s", t->path,
                               err);
            if (!rd->replay)
                sx_log(ctx, SIGEXT_LOG_WARN,
                       "%s: %s; read %llu frame%s up to the damage",
                       t->path, err, (unsigned long long)seq,
                       seq == 1 ? "" : "s");
            return SIGEXT_OK;
        }

        /* SPEC stage 1, step 3: a long silence ends the event. */
        int64_t now_ns = ts_ns(hdr.sec, hdr.nsec), gap;
        bool late = __builtin_sub_overflow(now_ns, prev_ns, &gap)
                        ? now_ns > prev_ns
                        : gap > timeout_ns;
        if (seq > 0 && late) {
            t->stats.after_timeout++;
            if (!rd->replay && sx_log_on(ctx, SIGEXT_LOG_WARN)) {
                char secs[64], limit[400];
                gap_text(secs, sizeof(secs),
                         ((double)now_ns - (double)prev_ns) / 1e9,
                         ctx->opt.timeout);
                timeout_text(limit, sizeof(limit), ctx->opt.timeout);
                sx_log(ctx, SIGEXT_LOG_WARN,
                       "%s: %s s of silence after frame %llu ends the "
                       "trace (--timeout %s); later frames are ignored",
                       t->path, secs, (unsigned long long)seq, limit);
            }
            return SIGEXT_OK;
        }
        prev_ns = now_ns;
        seq++;
        t->stats.frames++;
        if ((seq & 0xffff) == 0 && ctx->progress_fn != NULL)
            ctx->progress_fn(ctx->progress_user, t->path,
                             sx_capture_offset(cap), sx_capture_size(cap),
                             seq);

        st = sx_decode_frame(hdr.linktype, data, hdr.caplen, hdr.wirelen, &f);
        if (st == SX_DEC_BAD_LINK) {
            /* Counted here, said once at the end (sx_read_trace). */
            t->stats.skipped_link++;
            if (rd->skipped_link < 0)
                rd->skipped_link = hdr.linktype;
            else if (rd->skipped_link != hdr.linktype)
                rd->skipped_links = true;
            continue;
        }
        if (st == SX_DEC_TRUNCATED) {
            t->stats.truncated++;
            continue;
        }
        if (st == SX_DEC_MALFORMED) {
            t->stats.malformed++;
            continue;
        }
        if (st != SX_DEC_OK || !f.has_ports ||
            (f.l4 != 6 && f.l4 != 17)) {
            t->stats.skipped_no_transport++;
            continue;
        }
        t->stats.truncated += f.truncated;
        t->stats.malformed += f.malformed;

        /* TCP control segments (SYN, FIN, RST) and pure ACKs say nothing
         * about the event (SPEC stage 1, step 4).  Dropping them here,
         * before any per-flow state is touched, saves a cache miss. */
        if (f.l4 == 6 && ((f.tcp_flags & 0x07) || f.payload_wire == 0)) {
            t->stats.skipped_control++;
            continue;
        }

        memset(&r, 0, sizeof(r));
        r.id = seq;
        r.ts_sec = hdr.sec;
        r.ts_nsec = hdr.nsec;
        r.ipver = f.ipver;
        r.transport = f.l4;
        r.sport = f.sport;
        r.dport = f.dport;
        r.length = hdr.wirelen;

        uint8_t key[FC_KEY] = {0};
        size_t alen = f.ipver == 4 ? 4 : 16;
        key[0] = f.ipver;
        key[1] = f.l4;
        memcpy(key + 2, &f.sport, 2);
        memcpy(key + 4, &f.dport, 2);
        memcpy(key + 6, f.src, alen);
        memcpy(key + 6 + alen, f.dst, alen);
        struct fc_entry *e =
            &rd->fc[sx_hash_bytes(key, FC_KEY) & ((1u << FC_BITS) - 1)];
        if (e->src == NULL || memcmp(e->key, key, FC_KEY) != 0) {
            fc_flush(e);
            e->src = host_cached(rd, f.ipver, f.src);
            e->dst = host_cached(rd, f.ipver, f.dst);
            e->group = NULL;
            memcpy(e->key, key, FC_KEY);
            if (e->src == NULL || e->dst == NULL) {
                e->src = NULL;
                return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
            }
        }
        r.src = e->src;
        r.dst = e->dst;

        st = classify(rd, &f, &r, &gapp);
        if (st == 0) {
            t->stats.skipped_control++;
            continue;
        }
        if (rd->sink != NULL) {
            t->stats.kept++;
            st = rd->sink(rd->sink_user, &r);
            if (st != SIGEXT_OK)
                return st;
            continue;
        }
        /* Packets without app fields of one 5-tuple share a group: count
         * them in the cache entry, which is in the CPU cache already. */
        if (gapp == NULL && e->group != NULL) {
            e->pending++;
            t->stats.kept++;
            st = keep_record(ctx, t, &r);
            if (st != SIGEXT_OK)
                return st;
            continue;
        }
        st = sx_trace_add(ctx, t, &r, gapp, gapp == NULL ? &e->group : NULL);
        if (st != SIGEXT_OK)
            return st;
    }
}

/* Open a capture, with its errors mapped to the library's statuses. */
static int open_capture(sigext_ctx *ctx, const char *path,
                        struct sx_capture **cap)
{
    char err[256];
    int st = sx_capture_open(path, cap, err, sizeof(err));

    if (st == SX_CAP_OK)
        return SIGEXT_OK;
    int code = st == SX_CAP_ERR_IO       ? SIGEXT_ERR_IO
               : st == SX_CAP_ERR_FORMAT ? SIGEXT_ERR_FORMAT
                                         : SIGEXT_ERR_CORRUPT;
    return sx_fail(ctx, code, "%s: %s", path, err);
}

/* Read every frame of `cap` into rd->t with fresh caches, which are
 * freed with the connections' reassembly buffers at the end. */
static int run_reader(struct reader *rd, struct sx_capture *cap)
{
    int st;

    rd->fc = calloc((size_t)1 << FC_BITS, sizeof(*rd->fc));
    rd->hc = calloc((size_t)1 << HC_BITS, sizeof(*rd->hc));
    if (rd->fc == NULL || rd->hc == NULL)
        st = sx_fail(rd->ctx, SIGEXT_ERR_NOMEM, "out of memory");
    else
        st = read_frames(rd, cap);
    for (size_t i = 0; rd->fc != NULL && i < (size_t)1 << FC_BITS; i++)
        fc_flush(&rd->fc[i]);
    free(rd->fc);
    free(rd->hc);
    rd->fc = NULL;
    rd->hc = NULL;

    struct sx_conn *c, *ctmp;
    HASH_ITER(hh, rd->t->conns, c, ctmp) {
        HASH_DEL(rd->t->conns, c);
        free(c->hello);
        free(c);
    }
    rd->t->pending_hellos = 0;
    return st;
}

static int read_one(sigext_ctx *ctx, const char *path, sigext_trace **out)
{
    struct sx_capture *cap = NULL;
    struct reader rd = {.ctx = ctx, .skipped_link = -1};
    int st;

    *out = NULL;
    st = open_capture(ctx, path, &cap);
    if (st != SIGEXT_OK)
        return st;
    rd.t = sx_trace_new(ctx, path);
    if (rd.t == NULL) {
        sx_capture_close(cap);
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    }
    rd.t->file = *sx_capture_id(cap);
    rd.t->records_kept = ctx->opt.keep_records;
    st = run_reader(&rd, cap);
    sx_capture_close(cap);
    if (st != SIGEXT_OK) {
        sigext_trace_free(rd.t);
        return st;
    }
    if (rd.t->stats.skipped_link > 0)
        sx_log(ctx, SIGEXT_LOG_WARN, "%s: %llu frame%s of link type %d%s "
               "skipped (not decoded)", path,
               (unsigned long long)rd.t->stats.skipped_link,
               rd.t->stats.skipped_link == 1 ? "" : "s", rd.skipped_link,
               rd.skipped_links ? " and others" : "");
    if (rd.t->stats.malformed > 0 || rd.t->stats.truncated > 0)
        sx_log(ctx, SIGEXT_LOG_WARN,
               "%s: %llu malformed and %llu truncated packets, read as far "
               "as they go", path,
               (unsigned long long)rd.t->stats.malformed,
               (unsigned long long)rd.t->stats.truncated);
    *out = rd.t;
    return SIGEXT_OK;
}

static int changed(sigext_ctx *ctx, const sigext_trace *t)
{
    return sx_fail(ctx, SIGEXT_ERR_IO,
                   "%s: the file changed since it was first read", t->path);
}

/*
 * The second read of `sigext packets`: the same frames through the same
 * code give the same records, now with every name of the trace known,
 * and none is kept.  A scratch trace takes the per-read state (request
 * tracking, reassembly); it builds no groups.
 */
int sigext_trace_replay(sigext_ctx *ctx, const sigext_trace *t,
                        sigext_record_fn fn, void *user)
{
    struct sx_capture *cap = NULL;
    struct reader rd = {.ctx = ctx, .skipped_link = -1, .replay = true,
                        .sink = fn, .sink_user = user,
                        .max_frames = t->stats.frames};
    int st;

    if (t->from_csv || !t->file.regular)
        return sx_fail(ctx, SIGEXT_ERR_USAGE,
                       "%s: not a regular file, so it cannot be read twice; "
                       "read it with keep_records", t->path);
    /* Once before opening, so that a file cut short reads as changed
     * rather than as broken; once after, for a file replaced between. */
    struct sx_file_id now;
    if (!sx_file_id_get(t->path, &now) || !sx_file_id_kept(&now, &t->file))
        return changed(ctx, t);
    st = open_capture(ctx, t->path, &cap);
    if (st != SIGEXT_OK)
        return st;
    if (!sx_file_id_kept(sx_capture_id(cap), &t->file)) {
        sx_capture_close(cap);
        return changed(ctx, t);
    }
    rd.t = sx_trace_new(ctx, t->path);
    if (rd.t == NULL) {
        sx_capture_close(cap);
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    }
    st = run_reader(&rd, cap);
    sx_capture_close(cap);
    if (st == SIGEXT_OK && (rd.t->stats.kept != t->stats.kept ||
                            rd.t->stats.frames != t->stats.frames))
        st = changed(ctx, t);
    sigext_trace_free(rd.t);
    return st;
}

int sigext_trace_read(sigext_ctx *ctx, const char *path, sigext_trace **out)
{
    int st = read_one(ctx, path, out);

    if (st == SIGEXT_OK)
        st = sx_trace_publish_names(ctx, *out);
    if (st != SIGEXT_OK) {
        sigext_trace_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- several traces at once (--jobs) ---- */

struct job_state {
    sigext_ctx *ctx;
    const char *const *paths;
    sigext_trace **out;
    int *status;
    char (*errs)[512];
    struct sx_logq *logs;       /* each trace's messages, sent in order */
    size_t n;
    size_t next;                /* next trace to read, under the lock */
    pthread_mutex_t lock;
};

static void *job_worker(void *arg)
{
    struct job_state *js = arg;

    for (;;) {
        size_t i;

        pthread_mutex_lock(&js->lock);
        i = js->next++;
        pthread_mutex_unlock(&js->lock);
        if (i >= js->n)
            return NULL;
        sx_err_redirect(js->errs[i]);
        sx_log_redirect(&js->logs[i]);
        js->status[i] = read_one(js->ctx, js->paths[i], &js->out[i]);
        sx_log_redirect(NULL);
        sx_err_redirect(NULL);
    }
}

int sigext_traces_read(sigext_ctx *ctx, const char *const *paths, size_t n,
                       int jobs, sigext_trace **out)
{
    struct job_state js = {.ctx = ctx, .paths = paths, .out = out, .n = n};
    pthread_t tid[SIGEXT_MAX_JOBS];
    int started = 0, st = SIGEXT_OK;

    memset(out, 0, n * sizeof(*out));
    if (jobs < 1)
        jobs = 1;
    if (jobs > SIGEXT_MAX_JOBS)
        jobs = SIGEXT_MAX_JOBS;
    if ((size_t)jobs > n)
        jobs = (int)n;
    js.status = calloc(n ? n : 1, sizeof(*js.status));
    js.errs = calloc(n ? n : 1, sizeof(*js.errs));
    js.logs = calloc(n ? n : 1, sizeof(*js.logs));
    if (js.status == NULL || js.errs == NULL || js.logs == NULL) {
        free(js.status);
        free(js.errs);
        free(js.logs);
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    }

    if (jobs <= 1) {
        for (size_t i = 0; i < n && st == SIGEXT_OK; i++)
            st = sigext_trace_read(ctx, paths[i], &out[i]);
    } else {
        pthread_mutex_init(&js.lock, NULL);
        sx_ctx_set_shared(ctx, true);
        for (int i = 0; i < jobs; i++)
            if (pthread_create(&tid[started], NULL, job_worker, &js) == 0)
                started++;
        if (started == 0)
            job_worker(&js);
        for (int i = 0; i < started; i++)
            pthread_join(tid[i], NULL);
        sx_ctx_set_shared(ctx, false);
        pthread_mutex_destroy(&js.lock);

        /* Publish names, send messages and report errors in the order
         * given; what came after a failed trace is dropped, as when the
         * traces are read one by one. */
        for (size_t i = 0; i < n; i++) {
            sx_logq_flush(ctx, &js.logs[i], st == SIGEXT_OK);
            if (st != SIGEXT_OK)
                continue;
            st = js.status[i];
            if (st != SIGEXT_OK)
                sx_fail(ctx, st, "%s", js.errs[i]);
            else
                st = sx_trace_publish_names(ctx, out[i]);
        }
    }
    if (st != SIGEXT_OK) {
        for (size_t i = 0; i < n; i++) {
            sigext_trace_free(out[i]);
            out[i] = NULL;
        }
    }
    free(js.status);
    free(js.errs);
    free(js.logs);
    return st;
}
