/*
 * ctx.c - the run context: options, errors, logging, interned strings,
 * hosts and application records.
 *
 * Interning makes every later comparison a pointer comparison and keeps
 * string formatting off the per-packet path: an address is turned into
 * text once, the first time it is seen.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sx_int.h"

void sigext_options_init(sigext_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->timeout = 20.0;
}

sigext_ctx *sigext_ctx_new(const sigext_options *opt)
{
    sigext_ctx *ctx = calloc(1, sizeof(*ctx));

    if (ctx == NULL)
        return NULL;
    if (opt != NULL)
        ctx->opt = *opt;
    else
        sigext_options_init(&ctx->opt);
    if (ctx->opt.max_flows == 0)
        ctx->opt.max_flows = SX_DEFAULT_MAX_FLOWS;

    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&ctx->lock, &attr);
    pthread_mutexattr_destroy(&attr);
    return ctx;
}

void sigext_ctx_free(sigext_ctx *ctx)
{
    if (ctx == NULL)
        return;

    struct sx_str *s, *stmp;
    HASH_ITER(hh, ctx->strings, s, stmp) {
        HASH_DEL(ctx->strings, s);
        free(s);
    }
    struct sx_host_entry *h, *htmp;
    HASH_ITER(hh, ctx->ip_hosts, h, htmp) {
        HASH_DEL(ctx->ip_hosts, h);
        free(h);
    }
    struct sx_name_host *n, *ntmp;
    HASH_ITER(hh, ctx->name_hosts, n, ntmp) {
        HASH_DEL(ctx->name_hosts, n);
        free(n);
    }
    struct sx_app_entry *a, *atmp;
    HASH_ITER(hh, ctx->apps, a, atmp) {
        HASH_DEL(ctx->apps, a);
        free(a);
    }
    sx_names_free(&ctx->names);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

const char *sigext_error(const sigext_ctx *ctx)
{
    return ctx->err;
}

const char *sigext_status_str(int status)
{
    switch (status) {
    case SIGEXT_OK:               return "success";
    case SIGEXT_ERR_NOMEM:        return "out of memory";
    case SIGEXT_ERR_USAGE:        return "invalid argument";
    case SIGEXT_ERR_IO:           return "cannot read input";
    case SIGEXT_ERR_FORMAT:       return "unrecognised input format";
    case SIGEXT_ERR_CORRUPT:      return "corrupt input";
    case SIGEXT_ERR_NO_SIGNATURE: return "no signature found";
    case SIGEXT_ERR_LIMIT:        return "limit exceeded";
    case SIGEXT_ERR_OUTPUT:       return "cannot write output";
    default:                      return "unknown error";
    }
}

void sigext_set_log(sigext_ctx *ctx, sigext_log_level level,
                    sigext_log_fn fn, void *user)
{
    ctx->log_fn = fn;
    ctx->log_user = user;
    ctx->log_level = (int)level;
}

static _Thread_local char *err_redirect;
static _Thread_local struct sx_logq *log_redirect;

struct sx_logmsg {
    sigext_log_level level;
    char *text;
};

void sx_log_redirect(struct sx_logq *q)
{
    log_redirect = q;
}

/* Keep one message in q; false when memory is short. */
static bool logq_push(struct sx_logq *q, sigext_log_level level,
                      const char *text)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        struct sx_logmsg *v = realloc(q->v, cap * sizeof(*v));
        if (v == NULL)
            return false;
        q->v = v;
        q->cap = cap;
    }
    q->v[q->n].text = strdup(text);
    if (q->v[q->n].text == NULL)
        return false;
    q->v[q->n++].level = level;
    return true;
}

void sx_logq_flush(sigext_ctx *ctx, struct sx_logq *q, bool send)
{
    for (size_t i = 0; i < q->n; i++) {
        if (send)
            ctx->log_fn(ctx->log_user, q->v[i].level, q->v[i].text);
        free(q->v[i].text);
    }
    free(q->v);
    memset(q, 0, sizeof(*q));
}

void sx_err_redirect(char *buf)
{
    err_redirect = buf;
}

void sx_ctx_set_shared(sigext_ctx *ctx, bool shared)
{
    ctx->shared = shared;
}

static void lock(sigext_ctx *ctx)
{
    if (ctx->shared)
        pthread_mutex_lock(&ctx->lock);
}

static void unlock(sigext_ctx *ctx)
{
    if (ctx->shared)
        pthread_mutex_unlock(&ctx->lock);
}

void sigext_set_progress(sigext_ctx *ctx, sigext_progress_fn fn,
                         void *user)
{
    ctx->progress_fn = fn;
    ctx->progress_user = user;
}

/* Messages quote input (names, YAML keys): a control character would
 * break the one line a message must be, so it becomes '?'. */
static void scrub(char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
    }
}

int sx_fail(sigext_ctx *ctx, int status, const char *fmt, ...)
{
    va_list ap;
    char *buf = err_redirect != NULL ? err_redirect : ctx->err;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    scrub(buf);
    return status;
}

void sx_log(sigext_ctx *ctx, sigext_log_level level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    if (!sx_log_on(ctx, level))
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    scrub(buf);
    /* Kept for later when redirected; sent now if it cannot be kept. */
    if (log_redirect == NULL || !logq_push(log_redirect, level, buf))
        ctx->log_fn(ctx->log_user, level, buf);
}

static const char *sx_intern_unlocked(sigext_ctx *ctx, const char *s, size_t len)
{
    struct sx_str *e;

    HASH_FIND(hh, ctx->strings, s, len, e);
    if (e != NULL)
        return e->text;
    e = malloc(sizeof(*e) + len + 1);
    if (e == NULL)
        return NULL;
    e->len = len;
    memcpy(e->text, s, len);
    e->text[len] = '\0';
    HASH_ADD_KEYPTR(hh, ctx->strings, e->text, len, e);
    return e->text;
}

static const sigext_host *sx_host_ip_unlocked(sigext_ctx *ctx, int ipver,
                              const uint8_t *addr)
{
    uint8_t key[17] = {0};
    struct sx_host_entry *e;
    char buf[INET6_ADDRSTRLEN];

    key[0] = (uint8_t)ipver;
    memcpy(key + 1, addr, ipver == 4 ? 4 : 16);
    HASH_FIND(hh, ctx->ip_hosts, key, sizeof(key), e);
    if (e != NULL)
        return &e->host;

    if (inet_ntop(ipver == 4 ? AF_INET : AF_INET6, addr, buf,
                  sizeof(buf)) == NULL)
        return NULL;
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return NULL;
    memcpy(e->key, key, sizeof(key));
    e->host.kind = ipver == 4 ? SIGEXT_HOST_IPV4 : SIGEXT_HOST_IPV6;
    memcpy(e->host.addr, key + 1, 16);
    e->host.text = sx_intern_z(ctx, buf);
    if (e->host.text == NULL) {
        free(e);
        return NULL;
    }
    HASH_ADD(hh, ctx->ip_hosts, key, sizeof(e->key), e);
    return &e->host;
}

static const sigext_host *sx_host_text_unlocked(sigext_ctx *ctx, const char *text,
                                size_t len)
{
    char buf[INET6_ADDRSTRLEN + 1];
    uint8_t addr[16] = {0};
    const char *s;
    struct sx_name_host *e;

    if (len < sizeof(buf)) {
        memcpy(buf, text, len);
        buf[len] = '\0';
        if (inet_pton(AF_INET, buf, addr) == 1)
            return sx_host_ip(ctx, 4, addr);
        if (inet_pton(AF_INET6, buf, addr) == 1)
            return sx_host_ip(ctx, 6, addr);
    }

    s = sx_intern(ctx, text, len);
    if (s == NULL)
        return NULL;
    HASH_FIND_PTR(ctx->name_hosts, &s, e);
    if (e != NULL)
        return &e->host;
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return NULL;
    e->host.text = s;
    e->host.kind = SIGEXT_HOST_NAME;
    HASH_ADD_PTR(ctx->name_hosts, host.text, e);
    return &e->host;
}

static const sigext_app *sx_app_intern_unlocked(sigext_ctx *ctx, const sigext_app *app)
{
    sigext_app key;
    struct sx_app_entry *e;

    /* Hash the struct bytes: zero the padding first. */
    memset(&key, 0, sizeof(key));
    key.proto = app->proto;
    key.response = app->response;
    key.qtype = app->qtype;
    key.name = app->name;
    key.method = app->method;
    key.uri = app->uri;
    key.type = app->type;
    key.client_mac = app->client_mac;

    HASH_FIND(hh, ctx->apps, &key, sizeof(key), e);
    if (e != NULL)
        return &e->app;
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return NULL;
    memcpy(&e->app, &key, sizeof(key));
    HASH_ADD(hh, ctx->apps, app, sizeof(key), e);
    return &e->app;
}

const char *sx_intern(sigext_ctx *ctx, const char *s, size_t len)
{
    const char *r;

    lock(ctx);
    r = sx_intern_unlocked(ctx, s, len);
    unlock(ctx);
    return r;
}

const sigext_host *sx_host_ip(sigext_ctx *ctx, int ipver,
                              const uint8_t *addr)
{
    const sigext_host *r;

    lock(ctx);
    r = sx_host_ip_unlocked(ctx, ipver, addr);
    unlock(ctx);
    return r;
}

const sigext_host *sx_host_text(sigext_ctx *ctx, const char *text,
                                size_t len)
{
    const sigext_host *r;

    lock(ctx);
    r = sx_host_text_unlocked(ctx, text, len);
    unlock(ctx);
    return r;
}

const sigext_app *sx_app_intern(sigext_ctx *ctx, const sigext_app *app)
{
    const sigext_app *r;

    lock(ctx);
    r = sx_app_intern_unlocked(ctx, app);
    unlock(ctx);
    return r;
}
