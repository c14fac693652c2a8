/*
 * output.h - text building blocks shared by the writers (internal).
 */
#ifndef SX_OUTPUT_H
#define SX_OUTPUT_H

#include <stdio.h>

#include "sx_int.h"

/* A growable text buffer.  On allocation failure `failed` is set and
 * further writes are ignored, so callers check once at the end. */
struct sx_buf {
    char *p;
    size_t len;
    size_t cap;
    bool failed;
};

void sx_buf_putc(struct sx_buf *b, char c);
void sx_buf_put(struct sx_buf *b, const char *s, size_t n);
void sx_buf_puts(struct sx_buf *b, const char *s);
void sx_buf_printf(struct sx_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Decimal digits of v; exactly `digits` digits of v, zero-padded. */
void sx_buf_u64(struct sx_buf *b, uint64_t v);
void sx_buf_frac(struct sx_buf *b, uint32_t v, int digits);
void sx_buf_reset(struct sx_buf *b);
void sx_buf_free(struct sx_buf *b);
/* NUL-terminated view of the contents ("" when empty). */
const char *sx_buf_str(struct sx_buf *b);

/* Write the buffer to `out`; SIGEXT_ERR_OUTPUT on a short write. */
int sx_buf_flush(sigext_ctx *ctx, struct sx_buf *b, FILE *out);

/* One application field as key and value (values not escaped). */
struct sx_kv {
    const char *key;
    const char *value;
};

/* What a device name must be to name an nftables table (nft.c). */
#define SX_NFT_NAME_RULE "letters, digits, '_', '-', '.'; not first a " \
                         "digit or '-'; not an nft keyword"

#define SX_APP_MAX_KV 5

const char *sx_app_proto_name(sigext_app_proto p);

/* The fields of `a` in their fixed order; returns how many. */
int sx_app_fields(const sigext_app *a, struct sx_kv kv[SX_APP_MAX_KV]);

/* "DNS;response=false;qtype=A;domain-name=x" (nothing for NULL). */
void sx_app_format(struct sx_buf *b, const sigext_app *a);

/* Parse that text back into an interned app (*out NULL for ""). */
int sx_app_parse(sigext_ctx *ctx, const char *s, size_t len,
                 const sigext_app **out);

/* "IPv4"/"IPv6" and "TCP"/"UDP". */
const char *sx_net_name(uint8_t ipver);
const char *sx_transport_name(uint8_t transport);

#endif /* SX_OUTPUT_H */
