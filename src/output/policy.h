/*
 * policy.h - policies of the smart-home-firewall profile language as a
 * small document tree (internal).
 *
 * One tree serves every policy output: a flow becomes a tree once
 * (sx_flow_policy), and the JSON writer, the YAML writer and the nftables
 * translator all walk that tree.  The readers go the other way: JSON
 * arrays and YAML profiles are parsed into trees, and sx_policy_flow turns
 * a tree back into a flow.  Keeping a single shape is what makes
 * "written, read back, same fingerprints" hold for both formats.
 *
 * A policy, as in a profile's `single-policies` entry:
 *
 *   protocols:
 *     ipv4: {src: self, dst: 192.168.1.1}     (or ipv6)
 *     udp:  {dst-port: 53}                    (or tcp; fixed ports only)
 *     dns:  {response: false, qtype: A, domain-name: a.b.com}
 *   bidirectional: true
 *
 * Ownership: every node, key and string lives in the sx_arena it was
 * made from and dies with sx_arena_free().  Nothing points into the
 * context except the flows that sx_policy_flow fills (interned).
 */
#ifndef SX_POLICY_H
#define SX_POLICY_H

#include "sx_int.h"

/* ---- arena ---- */

struct sx_arena_block;

struct sx_arena {
    struct sx_arena_block *head;
    bool failed;                /* an allocation failed */
};

void *sx_arena_alloc(struct sx_arena *a, size_t n);
/* Copy n bytes and add a NUL; NULL on out-of-memory. */
char *sx_arena_strndup(struct sx_arena *a, const char *s, size_t n);
char *sx_arena_strdup(struct sx_arena *a, const char *s);
void sx_arena_free(struct sx_arena *a);

/* ---- nodes ---- */

enum sx_node_kind {
    SX_NODE_NULL,
    SX_NODE_STR,
    SX_NODE_INT,
    SX_NODE_BOOL,
    SX_NODE_MAP,
    SX_NODE_SEQ,
};

struct sx_node {
    enum sx_node_kind kind;
    /* A host name taken from a trace: always a domain name, never one of
     * the profile keywords ("gateway", "phone"...) even when spelled so. */
    bool literal;
    const char *text;           /* scalars as text ("53", "true"); never
                                 * NULL ("" for maps and sequences) */
    long long num;              /* INT value; BOOL 0 or 1 */
    int line;                   /* 1-based line in its file; 0 if built */
    const char *include;        /* NULL, or FILE#MEMBER of an !include
                                 * left unfollowed (a NULL node) */
    size_t n;                   /* MAP pairs or SEQ items */
    size_t cap;
    const char **keys;          /* MAP keys, in document order */
    struct sx_node **vals;      /* MAP values or SEQ items */
};

struct sx_node *sx_node_new(struct sx_arena *a, enum sx_node_kind kind);
struct sx_node *sx_node_str(struct sx_arena *a, const char *text);
struct sx_node *sx_node_int(struct sx_arena *a, long long v);
struct sx_node *sx_node_bool(struct sx_arena *a, bool v);

/* Append to a map (no duplicate check) or a sequence.  0 or -1 (OOM). */
int sx_map_put(struct sx_arena *a, struct sx_node *map, const char *key,
               struct sx_node *val);
int sx_seq_push(struct sx_arena *a, struct sx_node *seq,
                struct sx_node *val);

/* Value of `key` in a map; NULL when absent or `map` is not a map. */
const struct sx_node *sx_map_get(const struct sx_node *map,
                                 const char *key);

/* Is the node a string scalar (what a host or a name must be)? */
static inline bool sx_node_is_str(const struct sx_node *n)
{
    return n != NULL && n->kind == SX_NODE_STR;
}

/* Could `s` be a host name a trace gave?  Names are kept as visible
 * ASCII (the DNS and TLS decoders write other bytes as '?'), so a space
 * or a control byte means the text is something else. */
bool sx_host_name_ok(const char *s);

/* ---- flows and policies ---- */

/* The device address(es) written "self".  Either may be NULL. */
struct sx_self {
    const sigext_host *ipv4;
    const sigext_host *ipv6;
};

/*
 * The policy of one flow: a map {protocols, bidirectional}.  Hosts equal
 * to self->ipv4/ipv6 are written "self"; '*' in names becomes '$' (the
 * translator's wildcard).  A host with several fixed ports gets a list
 * of ports, which the translator turns into an nftables set.  *used_self
 * (may be NULL) tells whether "self" was written.  NULL on OOM.
 */
struct sx_node *sx_flow_policy(struct sx_arena *a, const sigext_flow *f,
                               const struct sx_self *self, bool *used_self);

/*
 * The flow of one policy (the reverse of sx_flow_policy).  "self" takes
 * the address in `self`; an optional top-level "count" gives the count
 * (1 otherwise).  On failure returns -1 and writes why into
 * why[0..whysz) (OOM is reported as "out of memory").
 */
int sx_policy_flow(sigext_ctx *ctx, const struct sx_node *policy,
                   const struct sx_self *self, sigext_flow *out, char *why,
                   size_t whysz);

/* The device's addresses as "self" hosts, checking that ipv4/ipv6 parse
 * as their family and that it has a name (SIGEXT_ERR_USAGE otherwise). */
int sx_device_self(sigext_ctx *ctx, const sigext_device *dev,
                   struct sx_self *self);

/*
 * The flows of a pattern as a `single-policies` map, each named by its
 * flow id.  Two flows whose ids collide (ids replace odd characters by
 * '-') get "-2", "-3"... so that map keys stay unique.  NULL on OOM.
 */
struct sx_node *sx_pattern_policies(struct sx_arena *a,
                                    const sigext_pattern *p,
                                    const struct sx_self *self);


/* A copy of s (malloc) where bytes that are not valid UTF-8 are '?':
 * JSON and YAML text must be UTF-8.  *changed tells whether any was. */
char *sx_utf8_fix(const char *s, bool *changed);

/* Does the YAML 1.1 plain scalar `s` read as something else than a
 * string (bool, null, number)?  Such strings must be quoted. */
bool sx_yaml_plain_is_typed(const char *s);

#endif /* SX_POLICY_H */
