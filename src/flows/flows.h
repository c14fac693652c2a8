/*
 * flows.h - fingerprints under construction (internal), shared by the
 * flow stage (flows.c) and the signature stage (signature.c).
 *
 * A fingerprint has two sides, each a host with the ports it used.  Port
 * use is tallied per side so that fixed ports can be computed at any time:
 * a well-known port is fixed; with --match-random-ports so is a port that
 * every merged flow used, once more than one flow was merged.  A port used
 * by every flow was used by the first one, so only the first flow's port
 * of each side is a candidate, and its tally is all that must be kept.
 */
#ifndef SX_FLOWS_H
#define SX_FLOWS_H

#include "sx_int.h"

struct sx_side {
    const sigext_host *host;
    uint16_t first_port;        /* the first flow's port on this side */
    bool first_dead;            /* some merged flow did not use it */
    uint64_t first_count;       /* flows that used first_port */
    uint8_t n_known;            /* well-known ports used, ascending */
    uint16_t known[SIGEXT_MAX_PORTS];
};

struct sx_fp {
    uint8_t ipver;
    uint8_t transport;
    struct sx_side side[2];     /* side[0] is the first packet's source */
    const sigext_app *app;
    uint64_t count;             /* flows merged */
    uint64_t packets;
    bool ports_overflow;        /* more than SIGEXT_MAX_PORTS known ports */
};

/* Fixed ports of one side into out (ascending); returns how many. */
int sx_fp_fixed(const struct sx_fp *fp, int side, bool mrp,
                uint16_t out[SIGEXT_MAX_PORTS + 1]);

/*
 * Does `b` match `a`?  On success *dir is 0 when a.side[0] pairs with
 * b.side[0], 1 when it pairs with b.side[1].  Every fixed port of each is
 * used by the same host in the other (SPEC stage 2, step 3).
 */
bool sx_fp_match(const struct sx_fp *a, const struct sx_fp *b, bool mrp,
                 int *dir);

/* Merge b into a in direction dir (counts and ports add up). */
void sx_fp_merge(struct sx_fp *a, const struct sx_fp *b, int dir);

/* Hash key narrowing the search for matches (see match.c). */
struct sx_fp_class {
    const void *h[2];           /* host classes, ordered */
    const void *app;            /* app class */
    uint8_t ipver;
    uint8_t transport;
    uint8_t pad[6];
};

void sx_fp_class(sigext_ctx *ctx, const struct sx_fp *fp,
                 struct sx_fp_class *k);

/* Convert between the public flow and the working fingerprint. */
void sx_fp_to_flow(const struct sx_fp *fp, bool mrp, sigext_flow *out);
void sx_fp_from_flow(const sigext_flow *f, struct sx_fp *out);

/*
 * A pattern as allocated by the library: the public part first, then the
 * working fingerprints, which keep what the public flows cannot show (the
 * tally of random ports needed by --match-random-ports in stage 3).
 */
struct sx_pattern {
    sigext_pattern pub;
    struct sx_fp *fps;
};

/* A new pattern holding copies of the fingerprints as public flows. */
int sx_pattern_from_fps(sigext_ctx *ctx, const struct sx_fp *fps, size_t n,
                        const char *source, sigext_pattern **out);

/* A new pattern from public flows (readers of CSV and JSON).  The flows
 * are copied; `source` must be interned or static. */
int sx_pattern_from_flows(sigext_ctx *ctx, const sigext_flow *flows,
                          size_t n, const char *source,
                          sigext_pattern **out);

/* The working fingerprints of a library-made pattern. */
static inline const struct sx_fp *sx_pattern_fps(const sigext_pattern *p)
{
    return ((const struct sx_pattern *)p)->fps;
}

/* match.c */
bool sx_name_equiv(const char *a, const char *b);
const char *sx_name_class(const char *name);
const void *sx_app_class(sigext_ctx *ctx, const sigext_app *a);
const void *sx_host_class(sigext_ctx *ctx, const sigext_host *h);

/* An index of fingerprints by class, preserving insertion order. */
struct sx_fp_index;

struct sx_fp_index *sx_fp_index_new(void);
void sx_fp_index_free(struct sx_fp_index *ix);
/* Remember that fingerprint number `i` has class `k`. 0 or -1 (OOM). */
int sx_fp_index_add(struct sx_fp_index *ix, const struct sx_fp_class *k,
                    size_t i);
/* Fingerprint numbers of class `k`, in insertion order. */
const size_t *sx_fp_index_find(const struct sx_fp_index *ix,
                               const struct sx_fp_class *k, size_t *n);

#endif /* SX_FLOWS_H */
