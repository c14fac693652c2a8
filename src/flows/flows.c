/*
 * flows.c - stage 2: a trace's groups in, a pattern of fingerprints out.
 *
 * Step 1 applies the names learned from every trace and regroups: two
 * address groups whose addresses resolve to one name become one flow.
 * Step 2 merges flows into fingerprints in the order of their first
 * packet, each into the first earlier fingerprint it matches (SPEC stage
 * 2, step 3).  Only fingerprints of the same class are candidates, so the
 * pass is linear in the number of flows for realistic traffic.
 */
#include <stdlib.h>
#include <string.h>

#include "flows/flows.h"
#include "output/output.h"
#include "packets/trace.h"

/* A flow after names are applied: endpoints sorted by text, then port. */
struct rkey {
    const sigext_host *lo;
    const sigext_host *hi;
    const sigext_app *app;
    uint16_t loport;
    uint16_t hiport;
    uint8_t ipver;
    uint8_t transport;
    uint8_t pad[2];
};

struct rflow {
    UT_hash_handle hh;
    struct rkey key;
    struct sx_fp fp;
};

struct fpvec {
    struct sx_fp *v;
    size_t n;
    size_t cap;
};

static int host_cmp(const sigext_host *a, uint16_t ap, const sigext_host *b,
                    uint16_t bp)
{
    int c = strcmp(a->text, b->text);
    if (c != 0)
        return c;
    return (int)ap - (int)bp;
}

static void side_init(struct sx_side *s, const sigext_host *h, uint16_t port,
                      uint8_t transport)
{
    memset(s, 0, sizeof(*s));
    s->host = h;
    s->first_port = port;
    s->first_count = 1;
    if (sx_port_is_fixed(transport, port)) {
        s->known[0] = port;
        s->n_known = 1;
    }
}

static int fpvec_push(struct fpvec *fv, const struct sx_fp *fp)
{
    if (fv->n == fv->cap) {
        size_t cap = fv->cap ? fv->cap * 2 : 64;
        struct sx_fp *v = realloc(fv->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        fv->v = v;
        fv->cap = cap;
    }
    fv->v[fv->n++] = *fp;
    return 0;
}

/* Merge one flow into the fingerprints, or start a new one. */
static int merge_flow(sigext_ctx *ctx, struct fpvec *fv,
                      struct sx_fp_index *ix, const struct sx_fp *f)
{
    struct sx_fp_class k;
    const size_t *cand;
    size_t n;
    int dir;
    bool mrp = ctx->opt.match_random_ports;

    sx_fp_class(ctx, f, &k);
    cand = sx_fp_index_find(ix, &k, &n);
    for (size_t i = 0; i < n; i++) {
        struct sx_fp *p = &fv->v[cand[i]];
        if (sx_fp_match(p, f, mrp, &dir)) {
            sx_fp_merge(p, f, dir);
            return 0;
        }
    }
    if (fpvec_push(fv, f) != 0 || sx_fp_index_add(ix, &k, fv->n - 1) != 0)
        return -1;
    return 0;
}

int sx_pattern_from_fps(sigext_ctx *ctx, const struct sx_fp *fps, size_t n,
                        const char *source, sigext_pattern **out)
{
    struct sx_pattern *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    p->pub.source = source;
    if (n > 0) {
        p->pub.flows = calloc(n, sizeof(*p->pub.flows));
        p->fps = calloc(n, sizeof(*p->fps));
        if (p->pub.flows == NULL || p->fps == NULL) {
            sigext_pattern_free(&p->pub);
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
        }
        memcpy(p->fps, fps, n * sizeof(*fps));
    }
    for (size_t i = 0; i < n; i++)
        sx_fp_to_flow(&fps[i], ctx->opt.match_random_ports,
                      &p->pub.flows[i]);
    p->pub.n_flows = n;
    *out = &p->pub;
    return SIGEXT_OK;
}

int sx_pattern_from_flows(sigext_ctx *ctx, const sigext_flow *flows,
                          size_t n, const char *source,
                          sigext_pattern **out)
{
    struct sx_fp *fps = calloc(n ? n : 1, sizeof(*fps));
    int st;

    if (fps == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        sx_fp_from_flow(&flows[i], &fps[i]);
    st = sx_pattern_from_fps(ctx, fps, n, source, out);
    free(fps);
    /* n == 0 (a header-only CSV): flows may be NULL, memcpy must not
     * see it even for 0 bytes (C11 7.24.1p2). */
    if (st == SIGEXT_OK && n > 0) {
        /* Keep the ports exactly as they were read. */
        memcpy((*out)->flows, flows, n * sizeof(*flows));
    }
    return st;
}

int sigext_pattern_build(sigext_ctx *ctx, const sigext_trace *t,
                         sigext_pattern **out)
{
    struct rflow *flows = NULL, *rf, *tmp;
    struct fpvec fv = {0};
    struct sx_fp_index *ix = sx_fp_index_new();
    int st = SIGEXT_OK;

    *out = NULL;
    if (ix == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");

    /* Step 1: apply names, regroup on the resolved endpoints. */
    for (const struct sx_group *g = t->groups; g != NULL; g = g->hh.next) {
        const sigext_host *src = sigext_resolve(ctx, t, g->src);
        const sigext_host *dst = sigext_resolve(ctx, t, g->dst);
        struct rkey k;

        memset(&k, 0, sizeof(k));
        k.ipver = g->key.ipver;
        k.transport = g->key.transport;
        k.app = g->key.app;
        if (host_cmp(src, g->sport, dst, g->dport) <= 0) {
            k.lo = src;
            k.loport = g->sport;
            k.hi = dst;
            k.hiport = g->dport;
        } else {
            k.lo = dst;
            k.loport = g->dport;
            k.hi = src;
            k.hiport = g->sport;
        }
        HASH_FIND(hh, flows, &k, sizeof(k), rf);
        if (rf != NULL) {
            /* Groups come in first-packet order: the earlier one names
             * the flow. */
            rf->fp.packets += g->packets;
            continue;
        }
        rf = calloc(1, sizeof(*rf));
        if (rf == NULL) {
            st = sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
            goto out;
        }
        rf->key = k;
        rf->fp.ipver = g->key.ipver;
        rf->fp.transport = g->key.transport;
        rf->fp.app = g->first_app;
        rf->fp.count = 1;
        rf->fp.packets = g->packets;
        side_init(&rf->fp.side[0], src, g->sport, g->key.transport);
        side_init(&rf->fp.side[1], dst, g->dport, g->key.transport);
        HASH_ADD(hh, flows, key, sizeof(rf->key), rf);
    }

    /* Step 2: merge flows into fingerprints, first match wins. */
    for (rf = flows; rf != NULL; rf = rf->hh.next) {
        if (merge_flow(ctx, &fv, ix, &rf->fp) != 0) {
            st = sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    st = sx_pattern_from_fps(ctx, fv.v, fv.n, t->path, out);

out:
    HASH_ITER(hh, flows, rf, tmp) {
        HASH_DEL(flows, rf);
        free(rf);
    }
    free(fv.v);
    sx_fp_index_free(ix);
    return st;
}

void sigext_pattern_free(sigext_pattern *p)
{
    struct sx_pattern *full = (struct sx_pattern *)p;

    if (p == NULL)
        return;
    free(full->fps);
    free(p->flows);
    free(full);
}

/* ---- flow id ---- */

static void id_putc(struct sx_buf *b, char c)
{
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    sx_buf_putc(b, ok ? c : '-');
}

static void id_puts(struct sx_buf *b, const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        id_putc(b, *s);
}

size_t sigext_flow_id(const sigext_flow *f, char *buf, size_t size)
{
    struct sx_buf b = {0};
    struct sx_kv kv[SX_APP_MAX_KV];
    size_t len;

    id_puts(&b, f->src->text);
    sx_buf_putc(&b, '-');
    id_puts(&b, f->dst->text);
    sx_buf_putc(&b, '_');
    sx_buf_puts(&b, sx_transport_name(f->transport));
    for (int i = 0; i < f->n_src_ports; i++) {
        sx_buf_puts(&b, "_src_");
        sx_buf_u64(&b, f->src_ports[i]);
    }
    for (int i = 0; i < f->n_dst_ports; i++) {
        sx_buf_puts(&b, "_dst_");
        sx_buf_u64(&b, f->dst_ports[i]);
    }
    if (f->app != NULL && f->app->proto != SIGEXT_APP_NONE) {
        int n = sx_app_fields(f->app, kv);
        sx_buf_putc(&b, '_');
        sx_buf_puts(&b, sx_app_proto_name(f->app->proto));
        for (int i = 0; i < n; i++) {
            const char *v = kv[i].value;
            sx_buf_putc(&b, '_');
            id_puts(&b, kv[i].key);
            sx_buf_putc(&b, '-');
            /* Booleans as the reference spells them in ids. */
            if (strcmp(kv[i].key, "response") == 0)
                v = f->app->response ? "True" : "False";
            id_puts(&b, v);
        }
    }
    len = b.len;
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        if (b.p != NULL)
            memcpy(buf, b.p, n);
        buf[n] = '\0';
    }
    sx_buf_free(&b);
    return len;
}
