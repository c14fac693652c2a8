/*
 * trace.h - one trace after stage 1 (internal).
 *
 * A trace keeps, besides optional packet records, its raw groups: packets
 * aggregated by address endpoints, transport and grouping app fields.
 * Names are applied later (stage 2), once every trace of the run has been
 * read, so that a name learned in any trace applies to all of them.  The
 * groups make stage 1 O(flows) in memory whatever the packet count.
 */
#ifndef SX_TRACE_H
#define SX_TRACE_H

#include "capture/capture.h"
#include "sx_int.h"

/* Endpoints of a group, in a canonical order (lower pointer first). */
struct sx_gkey {
    const sigext_host *a;
    const sigext_host *b;
    const sigext_app *app;      /* grouping app: see packets.c */
    uint16_t aport;
    uint16_t bport;
    uint8_t ipver;
    uint8_t transport;
    uint8_t pad[2];             /* zeroed: the key is hashed as bytes */
};

struct sx_group {
    UT_hash_handle hh;
    struct sx_gkey key;
    /* The first packet names the flow (SPEC stage 2, step 6). */
    const sigext_host *src;
    const sigext_host *dst;
    uint16_t sport;
    uint16_t dport;
    const sigext_app *first_app;
    uint64_t first_seq;         /* frame number of the first packet */
    uint64_t packets;
};

/* Per-connection state: HTTP/CoAP request tracking, TLS reassembly. */
struct sx_conn {
    UT_hash_handle hh;
    struct sx_gkey key;         /* app NULL: the connection itself */
    const sigext_app *last_request;
    uint8_t *hello;             /* ClientHello being reassembled */
    uint32_t hello_len;
    uint32_t hello_need;
    uint32_t hello_seq;         /* TCP sequence number of its next byte */
    const sigext_host *hello_src; /* its sender, who continues it */
    uint16_t hello_sport;
};

struct sigext_trace {
    const char *path;           /* interned */
    sigext_trace_stats stats;
    struct sx_names names;      /* what this trace's own traffic taught */
    struct sx_group *groups;    /* uthash keeps insertion order */
    size_t n_groups;
    struct sx_conn *conns;
    size_t pending_hellos;      /* conns with a ClientHello in progress */
    sigext_record *recs;
    size_t n_recs;
    size_t cap_recs;
    bool from_csv;              /* hosts already resolved */
    bool records_kept;          /* read with keep_records */
    struct sx_file_id file;     /* the capture, for a second read */
};

/*
 * Add one packet to the trace (used by the pcap and CSV readers).  When
 * `hint` is not NULL and holds a group, the packet goes to it without a
 * lookup; on return it holds the packet's group.
 */
int sx_trace_add(sigext_ctx *ctx, sigext_trace *t, const sigext_record *r,
                 const sigext_app *group_app, struct sx_group **hint);

sigext_trace *sx_trace_new(sigext_ctx *ctx, const char *path);

/* Add what the trace's traffic taught to the run's DNS table. */
int sx_trace_publish_names(sigext_ctx *ctx, const sigext_trace *t);

/* The app fields a packet groups under (tracks requests per connection,
 * so call it once per packet, in order). */
const sigext_app *sx_group_app(sigext_ctx *ctx, sigext_trace *t,
                               const sigext_record *r);

#endif /* SX_TRACE_H */
