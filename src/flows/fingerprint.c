/*
 * fingerprint.c - fixed ports, matching and merging of fingerprints, and
 * the class index that keeps matching free of quadratic scans.
 */
#include <stdlib.h>
#include <string.h>

#include "flows/flows.h"

static void add_sorted(uint16_t *v, uint8_t *n, uint16_t port, bool *over)
{
    int i;

    for (i = 0; i < *n; i++) {
        if (v[i] == port)
            return;
        if (v[i] > port)
            break;
    }
    /* TODO(flows): a side keeps at most SIGEXT_MAX_PORTS well-known
     * ports; more (a port scan merged into one fingerprint) are dropped
     * and only `ports_overflow` remembers it. */
    if (*n == SIGEXT_MAX_PORTS) {
        *over = true;
        return;
    }
    memmove(v + i + 1, v + i, (size_t)(*n - i) * sizeof(*v));
    v[i] = port;
    (*n)++;
}

int sx_fp_fixed(const struct sx_fp *fp, int side, bool mrp,
                uint16_t out[SIGEXT_MAX_PORTS + 1])
{
    const struct sx_side *s = &fp->side[side];
    int n = 0;
    bool extra;

    extra = mrp && fp->count > 1 && !s->first_dead &&
            s->first_count == fp->count &&
            !sx_port_is_fixed(fp->transport, s->first_port);
    for (int i = 0; i < s->n_known; i++) {
        if (extra && s->first_port < s->known[i]) {
            out[n++] = s->first_port;
            extra = false;
        }
        out[n++] = s->known[i];
    }
    if (extra)
        out[n++] = s->first_port;
    return n;
}

/* Did side `s` use `port`?  Known ports are all kept; a random one only
 * when it is the first flow's. */
static bool side_used(const struct sx_side *s, uint16_t port)
{
    if (s->first_port == port)
        return true;
    for (int i = 0; i < s->n_known; i++)
        if (s->known[i] == port)
            return true;
    return false;
}

/* Each fixed port of a's sides is used by the paired side of b. */
static bool ports_used(const struct sx_fp *a, const struct sx_fp *b,
                       bool mrp, int dir)
{
    uint16_t fixed[SIGEXT_MAX_PORTS + 1];

    for (int s = 0; s < 2; s++) {
        int n = sx_fp_fixed(a, s, mrp, fixed);
        const struct sx_side *other = &b->side[s ^ dir];
        for (int i = 0; i < n; i++)
            if (!side_used(other, fixed[i]))
                return false;
    }
    return true;
}

bool sx_fp_match(const struct sx_fp *a, const struct sx_fp *b, bool mrp,
                 int *dir)
{
    if (a->ipver != b->ipver || a->transport != b->transport)
        return false;
    if (!sx_app_equiv(a->app, b->app))
        return false;

    for (int d = 0; d < 2; d++) {
        if (!sx_host_equiv(a->side[0].host, b->side[d].host) ||
            !sx_host_equiv(a->side[1].host, b->side[d ^ 1].host))
            continue;
        if (ports_used(a, b, mrp, d) && ports_used(b, a, mrp, d)) {
            *dir = d;
            return true;
        }
    }
    return false;
}

void sx_fp_merge(struct sx_fp *a, const struct sx_fp *b, int dir)
{
    for (int s = 0; s < 2; s++) {
        struct sx_side *as = &a->side[s];
        const struct sx_side *bs = &b->side[s ^ dir];

        /* Every flow of b used b's first port; none used another port
         * by all of them, so the candidate survives only on equality. */
        if (bs->first_port == as->first_port && !bs->first_dead)
            as->first_count += bs->first_count;
        else
            as->first_dead = true;
        for (int i = 0; i < bs->n_known; i++)
            add_sorted(as->known, &as->n_known, bs->known[i],
                       &a->ports_overflow);
    }
    a->count += b->count;
    a->packets += b->packets;
    a->ports_overflow = a->ports_overflow || b->ports_overflow;
}

void sx_fp_class(sigext_ctx *ctx, const struct sx_fp *fp,
                 struct sx_fp_class *k)
{
    const void *h0 = sx_host_class(ctx, fp->side[0].host);
    const void *h1 = sx_host_class(ctx, fp->side[1].host);

    memset(k, 0, sizeof(*k));
    k->ipver = fp->ipver;
    k->transport = fp->transport;
    k->app = sx_app_class(ctx, fp->app);
    /* Matching pairs sides in either direction: order the classes. */
    if ((uintptr_t)h0 <= (uintptr_t)h1) {
        k->h[0] = h0;
        k->h[1] = h1;
    } else {
        k->h[0] = h1;
        k->h[1] = h0;
    }
}

void sx_fp_to_flow(const struct sx_fp *fp, bool mrp, sigext_flow *out)
{
    uint16_t fixed[SIGEXT_MAX_PORTS + 1];
    int n;

    memset(out, 0, sizeof(*out));
    out->ipver = fp->ipver;
    out->transport = fp->transport;
    out->src = fp->side[0].host;
    out->dst = fp->side[1].host;
    out->app = fp->app;
    out->count = fp->count;
    out->packets = fp->packets;

    n = sx_fp_fixed(fp, 0, mrp, fixed);
    if (n > SIGEXT_MAX_PORTS)
        n = SIGEXT_MAX_PORTS;
    memcpy(out->src_ports, fixed, (size_t)n * sizeof(*fixed));
    out->n_src_ports = (uint8_t)n;
    n = sx_fp_fixed(fp, 1, mrp, fixed);
    if (n > SIGEXT_MAX_PORTS)
        n = SIGEXT_MAX_PORTS;
    memcpy(out->dst_ports, fixed, (size_t)n * sizeof(*fixed));
    out->n_dst_ports = (uint8_t)n;
}

/*
 * A flow read back from a file knows its fixed ports only.  Those become
 * the known ports; a port that is not well known (fixed by
 * --match-random-ports) becomes the first port, used by every flow.
 */
static void side_from_ports(struct sx_side *s, uint8_t transport,
                            const uint16_t *ports, int n, uint64_t count,
                            bool *over)
{
    s->first_dead = true;
    for (int i = 0; i < n; i++) {
        if (sx_port_is_fixed(transport, ports[i])) {
            add_sorted(s->known, &s->n_known, ports[i], over);
        } else {
            s->first_port = ports[i];
            s->first_count = count;
            s->first_dead = false;
        }
    }
}

void sx_fp_from_flow(const sigext_flow *f, struct sx_fp *out)
{
    memset(out, 0, sizeof(*out));
    out->ipver = f->ipver;
    out->transport = f->transport;
    out->side[0].host = f->src;
    out->side[1].host = f->dst;
    out->app = f->app;
    out->count = f->count ? f->count : 1;
    out->packets = f->packets;
    side_from_ports(&out->side[0], f->transport, f->src_ports,
                    f->n_src_ports, out->count, &out->ports_overflow);
    side_from_ports(&out->side[1], f->transport, f->dst_ports,
                    f->n_dst_ports, out->count, &out->ports_overflow);
}

bool sigext_flow_match(const sigext_flow *a, const sigext_flow *b)
{
    struct sx_fp fa, fb;
    int dir;

    sx_fp_from_flow(a, &fa);
    sx_fp_from_flow(b, &fb);
    return sx_fp_match(&fa, &fb, true, &dir);
}

/* ---- class index ---- */

struct sx_ix_entry {
    UT_hash_handle hh;
    struct sx_fp_class key;
    size_t n;
    size_t cap;
    size_t *items;
};

struct sx_fp_index {
    struct sx_ix_entry *map;
};

struct sx_fp_index *sx_fp_index_new(void)
{
    return calloc(1, sizeof(struct sx_fp_index));
}

void sx_fp_index_free(struct sx_fp_index *ix)
{
    struct sx_ix_entry *e, *tmp;

    if (ix == NULL)
        return;
    HASH_ITER(hh, ix->map, e, tmp) {
        HASH_DEL(ix->map, e);
        free(e->items);
        free(e);
    }
    free(ix);
}

int sx_fp_index_add(struct sx_fp_index *ix, const struct sx_fp_class *k,
                    size_t i)
{
    struct sx_ix_entry *e;

    HASH_FIND(hh, ix->map, k, sizeof(*k), e);
    if (e == NULL) {
        e = calloc(1, sizeof(*e));
        if (e == NULL)
            return -1;
        e->key = *k;
        HASH_ADD(hh, ix->map, key, sizeof(e->key), e);
    }
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 4;
        size_t *v = realloc(e->items, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        e->items = v;
        e->cap = cap;
    }
    e->items[e->n++] = i;
    return 0;
}

const size_t *sx_fp_index_find(const struct sx_fp_index *ix,
                               const struct sx_fp_class *k, size_t *n)
{
    struct sx_ix_entry *e;

    HASH_FIND(hh, ix->map, k, sizeof(*k), e);
    *n = e != NULL ? e->n : 0;
    return e != NULL ? e->items : NULL;
}
