/*
 * buf.c - growable text buffer for the writers.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output/output.h"

static bool grow(struct sx_buf *b, size_t extra)
{
    size_t cap;
    char *p;

    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    p = realloc(b->p, cap);
    if (p == NULL) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void sx_buf_put(struct sx_buf *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sx_buf_putc(struct sx_buf *b, char c)
{
    sx_buf_put(b, &c, 1);
}

void sx_buf_puts(struct sx_buf *b, const char *s)
{
    if (s != NULL)
        sx_buf_put(b, s, strlen(s));
}

void sx_buf_printf(struct sx_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sx_buf_u64(struct sx_buf *b, uint64_t v)
{
    char tmp[20];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (!grow(b, (size_t)n))
        return;
    while (n > 0)
        b->p[b->len++] = tmp[--n];
    b->p[b->len] = '\0';
}

void sx_buf_frac(struct sx_buf *b, uint32_t v, int digits)
{
    if (!grow(b, (size_t)digits))
        return;
    for (int i = digits - 1; i >= 0; i--) {
        b->p[b->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    b->len += (size_t)digits;
    b->p[b->len] = '\0';
}

void sx_buf_reset(struct sx_buf *b)
{
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

void sx_buf_free(struct sx_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

const char *sx_buf_str(struct sx_buf *b)
{
    return b->p != NULL ? b->p : "";
}

int sx_buf_flush(sigext_ctx *ctx, struct sx_buf *b, FILE *out)
{
    if (b->failed)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    if (b->len > 0 && fwrite(b->p, 1, b->len, out) != b->len)
        return sx_fail(ctx, SIGEXT_ERR_OUTPUT, "write failed");
    sx_buf_reset(b);
    return SIGEXT_OK;
}

const char *sx_net_name(uint8_t ipver)
{
    return ipver == 6 ? "IPv6" : "IPv4";
}

const char *sx_transport_name(uint8_t transport)
{
    return transport == 6 ? "TCP" : transport == 17 ? "UDP" : "?";
}
