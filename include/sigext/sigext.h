/*
 * sigext.h - learn the network signature of a smart-home device event.
 *
 * The library runs the pipeline in three stages:
 *
 *   1. packets:   sigext_trace_read() reads one capture into packet records
 *                 and learns host names (DNS answers, TLS SNI).
 *   2. flows:     sigext_pattern_build() groups one trace's records into
 *                 flow fingerprints (a pattern), using the names learned
 *                 from every trace read so far in the same context.
 *   3. signature: sigext_signature_extract() keeps the flows that recur in
 *                 every pattern.
 *
 * Conventions:
 *   - Functions that can fail return an int status: SIGEXT_OK (0) or a
 *     negative sigext_status.  The message of the last failure is kept in
 *     the context (sigext_error()).
 *   - The library never prints and never exits.  Diagnostics go to the
 *     log callback set with sigext_set_log(), if any.
 *   - Strings inside returned objects are interned in the context: they are
 *     valid until sigext_ctx_free() and equal strings have equal pointers.
 *   - Every *_new / *_read / *_build has a matching *_free that accepts
 *     NULL.
 */
#ifndef SIGEXT_H
#define SIGEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SIGEXT_VERSION "0.1.0"

typedef enum sigext_status {
    SIGEXT_OK = 0,
    SIGEXT_ERR_NOMEM = -1,      /* out of memory */
    SIGEXT_ERR_USAGE = -2,      /* invalid argument or option value */
    SIGEXT_ERR_IO = -3,         /* cannot open or read an input */
    SIGEXT_ERR_FORMAT = -4,     /* not a pcap/pcapng/CSV/... file */
    SIGEXT_ERR_CORRUPT = -5,    /* a file damaged part way (with strict) */
    SIGEXT_ERR_NO_SIGNATURE = -6, /* no valid pattern, empty signature */
    SIGEXT_ERR_LIMIT = -7,      /* a resource limit was exceeded */
    SIGEXT_ERR_OUTPUT = -8,     /* writing an output failed */
} sigext_status;

/* Short fixed description of a status ("corrupt input"). */
const char *sigext_status_str(int status);

typedef enum sigext_log_level {
    SIGEXT_LOG_ERROR = 0,
    SIGEXT_LOG_WARN = 1,
    SIGEXT_LOG_INFO = 2,
    SIGEXT_LOG_DEBUG = 3,
} sigext_log_level;

/* Called with a formatted one-line message (no trailing newline). */
typedef void (*sigext_log_fn)(void *user, sigext_log_level level,
                              const char *msg);

typedef struct sigext_options {
    double timeout;           /* gap that ends a trace, seconds (20) */
    bool match_random_ports;  /* --match-random-ports */
    bool keep_dhcp;           /* keep DHCP packets (--keep-dhcp) */
    bool strict;              /* damaged captures are errors, not warnings */
    bool keep_records;        /* keep packet records in memory */
    size_t max_flows;         /* per trace; 0 means the default (1000000) */
} sigext_options;

/* Defaults: timeout 20, everything else off/0. */
void sigext_options_init(sigext_options *opt);

/* A run: options, interned strings, the DNS table shared by all traces. */
typedef struct sigext_ctx sigext_ctx;

/* NULL on out-of-memory.  `opt` is copied; NULL means defaults. */
sigext_ctx *sigext_ctx_new(const sigext_options *opt);
void sigext_ctx_free(sigext_ctx *ctx);

/* Message of the last failure ("x.pcap: not a pcap or pcapng file"). */
const char *sigext_error(const sigext_ctx *ctx);

/* Diagnostics at or below `level` go to `fn`.  fn NULL turns them off.
 * fn is called from the caller's thread only: sigext_traces_read()
 * holds its workers' messages and sends them when they are done, in
 * the order of the traces. */
void sigext_set_log(sigext_ctx *ctx, sigext_log_level level,
                    sigext_log_fn fn, void *user);

/*
 * Progress of a long read: called from the reading thread every 2^16
 * frames with the trace path, bytes consumed, file size and frames read.
 * With sigext_traces_read() and several jobs it is called from several
 * threads at once.  fn NULL turns it off.
 */
typedef void (*sigext_progress_fn)(void *user, const char *path,
                                   uint64_t bytes, uint64_t total,
                                   uint64_t frames);

void sigext_set_progress(sigext_ctx *ctx, sigext_progress_fn fn,
                         void *user);

/* ------------------------------------------------------------------ */
/* Hosts and application fields                                        */

typedef enum sigext_host_kind {
    SIGEXT_HOST_IPV4 = 4,
    SIGEXT_HOST_IPV6 = 6,
    SIGEXT_HOST_NAME = 0,     /* a domain name (or any other label) */
} sigext_host_kind;

/* An interned host: an address or a name. */
typedef struct sigext_host {
    const char *text;         /* "192.168.1.1", "2001:db8::1", "a.b.com" */
    sigext_host_kind kind;
    uint8_t addr[16];         /* kind IPV4: first 4 bytes; IPV6: 16 */
} sigext_host;

typedef enum sigext_app_proto {
    SIGEXT_APP_NONE = 0,
    SIGEXT_APP_DNS,           /* also mDNS: same fields */
    SIGEXT_APP_HTTP,
    SIGEXT_APP_COAP,
    SIGEXT_APP_DHCP,
} sigext_app_proto;

/*
 * Application fields of a packet or flow.  Interned: two equal app
 * records have equal pointers.  Unused fields are NULL.
 *   DNS:  response, qtype ("A", "AAAA", "TYPE65"...), name
 *   HTTP: response; request: method, uri (query cut, trailing "*")
 *   CoAP: response; request: type ("CON"/"NON"), method ("GET"...), uri
 *   DHCP: type ("discover"...), client_mac ("aa:bb:cc:dd:ee:ff")
 */
typedef struct sigext_app {
    sigext_app_proto proto;
    bool response;
    const char *qtype;
    const char *name;
    const char *method;
    const char *uri;
    const char *type;
    const char *client_mac;
} sigext_app;

/* ------------------------------------------------------------------ */
/* Stage 1: packets                                                    */

/* One kept packet.  Hosts are the packet's addresses; names are applied
 * by sigext_record_src()/sigext_record_dst() and at the flow stage. */
typedef struct sigext_record {
    uint64_t id;              /* 1-based position among kept packets */
    int64_t ts_sec;           /* capture time, UTC */
    uint32_t ts_nsec;
    uint8_t ipver;            /* 4 or 6 */
    uint8_t transport;        /* 6 TCP, 17 UDP */
    uint16_t sport;
    uint16_t dport;
    uint32_t length;          /* frame length on the wire */
    const sigext_host *src;
    const sigext_host *dst;
    const sigext_app *app;    /* NULL when none */
} sigext_record;

/* Counters of one trace, for -v and for tests. */
typedef struct sigext_trace_stats {
    uint64_t frames;          /* frames read before the timeout cut */
    uint64_t kept;            /* packet records */
    uint64_t skipped_control; /* SYN/FIN/RST, pure ACK, TLS handshakes... */
    uint64_t skipped_no_transport; /* ARP, ICMP, later fragments */
    uint64_t skipped_link;    /* link types we do not decode */
    uint64_t truncated;       /* cut by the snapshot length */
    uint64_t malformed;       /* inconsistent headers */
    uint64_t after_timeout;   /* frames ignored after the timeout gap */
    bool damaged;             /* the file ended in a damaged block */
} sigext_trace_stats;

typedef struct sigext_trace sigext_trace;

/*
 * Read the capture at `path` (pcap or pcapng) into a new trace, learning
 * host names into the context.  Records are kept only when the context's
 * keep_records option is set; flow groups are always kept (O(flows)).
 * On failure returns a negative status, sets the error, *out is NULL.
 * Caller frees the trace with sigext_trace_free() before the context.
 */
int sigext_trace_read(sigext_ctx *ctx, const char *path, sigext_trace **out);

#define SIGEXT_MAX_JOBS 64

/*
 * Read n traces, up to `jobs` at a time on threads.  The result is the
 * same as reading them one by one in the order given (names learned in
 * later traces win; messages come in that order).  out[] receives n
 * traces; on failure all are freed, out[] is zeroed and the error is
 * that of the first failing trace in order.
 */
int sigext_traces_read(sigext_ctx *ctx, const char *const *paths, size_t n,
                       int jobs, sigext_trace **out);

/*
 * Read a packets CSV that sigext wrote (`sigext packets`) into a trace.
 * Hosts are taken as written (already resolved).
 */
int sigext_trace_read_csv(sigext_ctx *ctx, const char *path,
                          sigext_trace **out);

void sigext_trace_free(sigext_trace *trace);

const char *sigext_trace_path(const sigext_trace *trace);
const sigext_trace_stats *sigext_trace_get_stats(const sigext_trace *trace);

/* Kept records (keep_records only; otherwise 0 and NULL). Borrowed. */
size_t sigext_trace_record_count(const sigext_trace *trace);
const sigext_record *sigext_trace_records(const sigext_trace *trace);

/* Receives one record; returns SIGEXT_OK to go on, or a negative status,
 * which stops the read and is returned as is. */
typedef int (*sigext_record_fn)(void *user, const sigext_record *r);

/*
 * Read the trace's capture a second time and pass every record to `fn`,
 * in capture order, keeping none: the records of a trace read without
 * keep_records, in O(flows) memory, with all of the trace's names known.
 * The records are those the first read would have kept.  Fails with
 * SIGEXT_ERR_USAGE for a trace not read from a regular file (a pipe, a
 * packets CSV) and SIGEXT_ERR_IO when the file changed in between.
 */
int sigext_trace_replay(sigext_ctx *ctx, const sigext_trace *trace,
                        sigext_record_fn fn, void *user);

/* A host as written out: its learned name (one alias step) or itself. */
const sigext_host *sigext_resolve(sigext_ctx *ctx, const sigext_trace *trace,
                                  const sigext_host *host);

/*
 * Load an `unbound-control dump_cache` file into the DNS table (A, AAAA,
 * CNAME, SRV, PTR lines of the RRset cache).  Returns the number of
 * entries added through *n_addr and *n_alias when not NULL.
 */
int sigext_dns_cache_load(sigext_ctx *ctx, const char *path, size_t *n_addr,
                          size_t *n_alias);

/* Addresses the DNS table maps (through one alias step) to `name`.
 * Fills up to `cap` hosts, returns how many exist. Sorted by text. */
size_t sigext_names_addresses(sigext_ctx *ctx, const char *name,
                              const sigext_host **hosts, size_t cap);

/* ------------------------------------------------------------------ */
/* Stage 2: flows                                                      */

#define SIGEXT_MAX_PORTS 8    /* fixed ports kept per host of a flow */

/* One flow fingerprint. */
typedef struct sigext_flow {
    uint8_t ipver;            /* 4 or 6 */
    uint8_t transport;        /* 6 TCP, 17 UDP */
    const sigext_host *src;   /* direction of the flow's first packet */
    const sigext_host *dst;
    uint8_t n_src_ports;      /* fixed ports of src, ascending */
    uint8_t n_dst_ports;
    uint16_t src_ports[SIGEXT_MAX_PORTS];
    uint16_t dst_ports[SIGEXT_MAX_PORTS];
    const sigext_app *app;    /* NULL when none */
    uint64_t count;           /* flows merged into this fingerprint */
    uint64_t packets;         /* packets of those flows */
} sigext_flow;

/* A pattern: the flows of one trace, or a signature. */
typedef struct sigext_pattern {
    size_t n_flows;
    sigext_flow *flows;       /* in a deterministic order */
    const char *source;       /* trace path or file it was read from */
} sigext_pattern;

/*
 * Group a trace's packets into flow fingerprints.  Uses the names known to
 * the context now, so read every trace of a run first.  Caller frees the
 * pattern with sigext_pattern_free().
 */
int sigext_pattern_build(sigext_ctx *ctx, const sigext_trace *trace,
                         sigext_pattern **out);

void sigext_pattern_free(sigext_pattern *pattern);

/* True when two fingerprints match (SPEC stage 2, step 3). */
bool sigext_flow_match(const sigext_flow *a, const sigext_flow *b);

/* Flow id: "SRC-DST_PROTO_dst_53_DNS_..." into buf (NUL-ended, cut to
 * size).  Returns the length the full id needs. */
size_t sigext_flow_id(const sigext_flow *flow, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Stage 3: signature                                                  */

/*
 * Keep the flows of the pattern with the fewest flows that every other
 * pattern matches.  Empty patterns are ignored; when none is left, or the
 * signature is empty, returns SIGEXT_ERR_NO_SIGNATURE.
 */
int sigext_signature_extract(sigext_ctx *ctx,
                             const sigext_pattern *const *patterns,
                             size_t n_patterns, sigext_pattern **out);

/* Distance in [0, 1] between two fingerprints (SPEC "Distance"). */
double sigext_flow_distance(const sigext_flow *a, const sigext_flow *b);

/* Index of the flow of `in` closest to `flow` (-1 if `in` is empty);
 * ties go to the lowest index.  *dist receives the distance. */
long sigext_closest_flow(const sigext_flow *flow, const sigext_pattern *in,
                         double *dist);

/* ------------------------------------------------------------------ */
/* Outputs and their readers                                           */

/* Packet records as CSV (names applied): the kept records, or without
 * keep_records those of sigext_trace_replay().  The stream stays open. */
int sigext_write_packets_csv(sigext_ctx *ctx, const sigext_trace *trace,
                             FILE *out);

/* Flows/signature as CSV (SPEC "Outputs"). */
int sigext_write_flows_csv(sigext_ctx *ctx, const sigext_pattern *p,
                           FILE *out);

/* Flows as a JSON array of policies; device_ip (may be NULL) is "self". */
int sigext_write_flows_json(sigext_ctx *ctx, const sigext_pattern *p,
                            const char *device_ip, FILE *out);

/* Read back a flows/signature CSV or JSON that sigext wrote. */
int sigext_pattern_read(sigext_ctx *ctx, const char *path,
                        sigext_pattern **out);

typedef struct sigext_device {
    const char *name;         /* profile and nftables table name */
    const char *ipv4;         /* device address, written "self" */
    const char *ipv6;         /* optional */
    const char *mac;          /* optional */
} sigext_device;

/* smart-home-firewall device profile (YAML). */
int sigext_write_profile(sigext_ctx *ctx, const sigext_pattern *p,
                         const sigext_device *dev, FILE *out);

typedef struct sigext_nft_options {
    bool domain_sets;         /* resolve names to sets instead of queues */
} sigext_nft_options;

/* True when `name` can name an nftables table (the device name). */
bool sigext_nft_name_ok(const char *name);

/* nftables script for a signature. */
int sigext_write_nft(sigext_ctx *ctx, const sigext_pattern *p,
                     const sigext_device *dev, const sigext_nft_options *o,
                     FILE *out);

/* nftables script from a smart-home-firewall profile file. */
int sigext_write_nft_from_profile(sigext_ctx *ctx, const char *profile_path,
                                  const sigext_nft_options *o, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* SIGEXT_H */
