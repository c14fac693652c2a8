/*
 * sx_int.h - internal types shared by the stages of libsigext.
 *
 * Never installed.  Everything here is prefixed sx_ and may change.
 */
#ifndef SX_INT_H
#define SX_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * uthash, with two changes.  It must not exit() on allocation failure: a
 * failed add leaves the table unchanged and the caller sees the entry
 * missing.  And its default byte-wise hash is replaced by a word-wise
 * multiply-rotate mix: the hot keys (addresses, group keys) are 17 to 40
 * bytes hashed once or twice per packet, where the default costs more
 * than the rest of the packet's work.
 */
#define HASH_NONFATAL_OOM 1

static inline uint32_t sx_hash_bytes(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)len;

    while (len >= 8) {
        uint64_t w;
        __builtin_memcpy(&w, p, 8);
        h ^= w * 0xc2b2ae3d27d4eb4fULL;
        h = ((h << 31) | (h >> 33)) * 0x9e3779b97f4a7c15ULL;
        p += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t w = 0;
        __builtin_memcpy(&w, p, len);
        h ^= w * 0xc2b2ae3d27d4eb4fULL;
        h = ((h << 31) | (h >> 33)) * 0x9e3779b97f4a7c15ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return (uint32_t)h;
}

#define HASH_FUNCTION(keyptr, keylen, hashv)                               \
    do {                                                                   \
        (hashv) = sx_hash_bytes((keyptr), (size_t)(keylen));               \
    } while (0)

#include <uthash.h>

#include "sigext/sigext.h"

#define SX_DEFAULT_MAX_FLOWS 1000000

/* ---- interned strings (util/intern.c) ---- */

struct sx_str {
    UT_hash_handle hh;
    size_t len;
    char text[];            /* NUL-ended */
};

/* ---- names: the DNS table (names/names.c) ---- */

/* address host -> name, or name -> alias.  Keys are interned pointers. */
struct sx_map_entry {
    UT_hash_handle hh;
    const void *key;
    const char *value;
};

struct sx_names {
    struct sx_map_entry *addr;  /* sigext_host* -> name */
    struct sx_map_entry *alias; /* name -> owner name */
};

/* ---- the run context ---- */

struct sx_host_entry {
    UT_hash_handle hh;
    uint8_t key[17];            /* kind byte + 16 address bytes */
    sigext_host host;
};

struct sx_name_host {
    UT_hash_handle hh;
    sigext_host host;           /* kind NAME, keyed by interned text ptr */
    const void *cls;            /* equivalence class, once computed */
};

struct sx_app_entry {
    UT_hash_handle hh;
    sigext_app app;             /* key: the struct bytes (zeroed padding) */
    const void *cls;            /* equivalence class, once computed */
};

/* The entry holding an interned host or app (container of). */
#define SX_CONTAINER(ptr, type, member)                                    \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct sigext_ctx {
    sigext_options opt;
    bool shared;                /* tables guarded by lock */
    pthread_mutex_t lock;       /* recursive */
    char err[512];
    sigext_log_fn log_fn;
    void *log_user;
    sigext_progress_fn progress_fn;
    void *progress_user;
    int log_level;

    struct sx_str *strings;
    struct sx_host_entry *ip_hosts;
    struct sx_name_host *name_hosts;
    struct sx_app_entry *apps;
    struct sx_names names;      /* learned from every trace of the run */
};

/*
 * While `shared` is on, the context's tables (strings, hosts, apps) are
 * guarded by a lock so that several threads can read traces at once.
 */
void sx_ctx_set_shared(sigext_ctx *ctx, bool shared);

/* Send this thread's sx_fail messages to `buf` (512 bytes); NULL undoes
 * it.  Workers use it so that errors do not race on ctx->err. */
void sx_err_redirect(char *buf);

/* Messages logged by one thread, kept to be sent later in order. */
struct sx_logq {
    struct sx_logmsg *v;
    size_t n;
    size_t cap;
};

/* Keep this thread's sx_log messages in `q` instead of sending them;
 * NULL undoes it.  Workers reading traces at once use it so that the
 * messages come out in the order the traces were given, as with one. */
void sx_log_redirect(struct sx_logq *q);

/* Send the messages of `q` through the log callback (when `send`) and
 * empty it. */
void sx_logq_flush(sigext_ctx *ctx, struct sx_logq *q, bool send);

/* Set the context error ("path: message") and return `status`.  Control
 * characters in the message become '?', so it stays one line. */
int sx_fail(sigext_ctx *ctx, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Log through the callback when `level` is enabled.  Check sx_log_on()
 * first when the arguments are costly to compute. */
void sx_log(sigext_ctx *ctx, sigext_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline bool sx_log_on(const sigext_ctx *ctx, sigext_log_level level)
{
    return ctx->log_fn != NULL && (int)level <= ctx->log_level;
}

/* Intern `len` bytes at `s`; NULL on out-of-memory. */
const char *sx_intern(sigext_ctx *ctx, const char *s, size_t len);

static inline const char *sx_intern_z(sigext_ctx *ctx, const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return sx_intern(ctx, s, n);
}

/* Interned host for an address (ipver 4 or 6, bytes in network order). */
const sigext_host *sx_host_ip(sigext_ctx *ctx, int ipver,
                              const uint8_t *addr);

/* Interned host for text: an IPv4/IPv6 literal becomes an address host,
 * anything else a name host.  NULL on out-of-memory. */
const sigext_host *sx_host_text(sigext_ctx *ctx, const char *text,
                                size_t len);

/* Interned app record (strings in `app` must already be interned). */
const sigext_app *sx_app_intern(sigext_ctx *ctx, const sigext_app *app);

/* ---- names/names.c ---- */

/* Record addr -> name / target -> owner (last write wins). 0 or -1 OOM. */
int sx_names_add_addr(struct sx_names *n, const sigext_host *addr,
                      const char *name);
int sx_names_add_alias(struct sx_names *n, const char *target,
                       const char *owner);
const char *sx_names_lookup_addr(const struct sx_names *n,
                                 const sigext_host *addr);
const char *sx_names_lookup_alias(const struct sx_names *n,
                                  const char *name);
bool sx_names_has_addr(const struct sx_names *n, const sigext_host *addr);
void sx_names_free(struct sx_names *n);

/* ---- ports (flows/ports.c) ---- */

/* True when `port` is a well-known port of `transport` (6 or 17). */
bool sx_port_is_fixed(uint8_t transport, uint16_t port);

/* ---- host and app equivalence (flows/match.c) ---- */

bool sx_host_equiv(const sigext_host *a, const sigext_host *b);
bool sx_app_equiv(const sigext_app *a, const sigext_app *b);

#endif /* SX_INT_H */
