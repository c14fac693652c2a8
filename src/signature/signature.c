/*
 * signature.c - stage 3: patterns in, the flows that recur in all of
 * them out (SPEC stage 3).
 *
 * The pattern with the fewest flows is the reference (ties go to the
 * first file name in byte order, so the order of the arguments does not
 * matter).  Each of its flows is kept when every other pattern has a
 * matching flow; the first match of each pattern is merged into it, in
 * the order of the patterns sorted by size (ties in input order), so the
 * result is the same on every run.  Each pattern is indexed by class once,
 * so a lookup costs a hash probe, not a scan.
 */
#include <stdlib.h>
#include <string.h>

#include "flows/flows.h"

struct indexed {
    const sigext_pattern *p;
    size_t order;               /* input position, the tie-break */
    const struct sx_fp *fps;    /* borrowed from the pattern */
    struct sx_fp_index *ix;
};

static int cmp_size(const void *a, const void *b)
{
    const struct indexed *x = a, *y = b;

    int c;

    if (x->p->n_flows != y->p->n_flows)
        return x->p->n_flows < y->p->n_flows ? -1 : 1;
    /* Ties by file name, so the order the traces were given in does not
     * change the result; input order only for unnamed patterns. */
    if (x->p->source != NULL && y->p->source != NULL &&
        (c = strcmp(x->p->source, y->p->source)) != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int index_pattern(sigext_ctx *ctx, struct indexed *in)
{
    struct sx_fp_class k;

    in->fps = sx_pattern_fps(in->p);
    in->ix = sx_fp_index_new();
    if (in->ix == NULL)
        return -1;
    for (size_t i = 0; i < in->p->n_flows; i++) {
        sx_fp_class(ctx, &in->fps[i], &k);
        if (sx_fp_index_add(in->ix, &k, i) != 0)
            return -1;
    }
    return 0;
}

int sigext_signature_extract(sigext_ctx *ctx,
                             const sigext_pattern *const *patterns,
                             size_t n_patterns, sigext_pattern **out)
{
    struct indexed *v = calloc(n_patterns ? n_patterns : 1, sizeof(*v));
    struct sx_fp *sig = NULL;
    size_t n = 0, nsig = 0;
    bool mrp = ctx->opt.match_random_ports;
    int st = SIGEXT_OK;

    *out = NULL;
    if (v == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");

    /* Step 1: empty patterns say nothing. */
    for (size_t i = 0; i < n_patterns; i++) {
        if (patterns[i]->n_flows == 0) {
            sx_log(ctx, SIGEXT_LOG_WARN, "%s: no flow kept; trace ignored",
                   patterns[i]->source ? patterns[i]->source : "pattern");
            continue;
        }
        v[n].p = patterns[i];
        v[n].order = i;
        n++;
    }
    if (n == 0) {
        st = sx_fail(ctx, SIGEXT_ERR_NO_SIGNATURE,
                     "no signature: no trace has a flow to compare");
        goto out;
    }
    qsort(v, n, sizeof(*v), cmp_size);
    for (size_t i = 0; i < n; i++)
        if (index_pattern(ctx, &v[i]) != 0) {
            st = sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
            goto out;
        }

    /* Step 2: keep the reference flows every other pattern matches. */
    sig = calloc(v[0].p->n_flows, sizeof(*sig));
    if (sig == NULL) {
        st = sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < v[0].p->n_flows; i++) {
        struct sx_fp cur = v[0].fps[i];
        struct sx_fp_class k;
        bool kept = true;

        for (size_t j = 1; j < n && kept; j++) {
            size_t nc;
            const size_t *cand;
            int dir;

            sx_fp_class(ctx, &cur, &k);
            cand = sx_fp_index_find(v[j].ix, &k, &nc);
            kept = false;
            for (size_t c = 0; c < nc; c++) {
                if (sx_fp_match(&cur, &v[j].fps[cand[c]], mrp, &dir)) {
                    sx_fp_merge(&cur, &v[j].fps[cand[c]], dir);
                    kept = true;
                    break;
                }
            }
        }
        if (kept)
            sig[nsig++] = cur;
    }
    if (nsig == 0) {
        st = sx_fail(ctx, SIGEXT_ERR_NO_SIGNATURE,
                     "no signature: no flow recurs in all %zu traces", n);
        goto out;
    }
    st = sx_pattern_from_fps(ctx, sig, nsig, NULL, out);

out:
    for (size_t i = 0; i < n; i++)
        sx_fp_index_free(v[i].ix);
    free(v);
    free(sig);
    return st;
}
