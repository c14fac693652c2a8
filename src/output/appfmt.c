/*
 * appfmt.c - application fields as text, and back.
 *
 * One format serves the CSV column and the flow id (SPEC "Outputs"):
 *   DNS;response=false;qtype=A;domain-name=use1-api.tplinkra.com
 * Values have '%', ';' and '=' percent-encoded (RFC 3986 2.1 style) so
 * the column splits without ambiguity.  The key order is fixed per
 * protocol, which keeps the text of equal fields byte-identical.
 */
#include <stdio.h>
#include <string.h>

#include "output/output.h"

const char *sx_app_proto_name(sigext_app_proto p)
{
    switch (p) {
    case SIGEXT_APP_DNS:  return "DNS";
    case SIGEXT_APP_HTTP: return "HTTP";
    case SIGEXT_APP_COAP: return "CoAP";
    case SIGEXT_APP_DHCP: return "DHCP";
    default:              return "";
    }
}

int sx_app_fields(const sigext_app *a, struct sx_kv kv[SX_APP_MAX_KV])
{
    int n = 0;

    if (a == NULL || a->proto == SIGEXT_APP_NONE)
        return 0;
    if (a->proto != SIGEXT_APP_DHCP) {
        kv[n].key = "response";
        kv[n++].value = a->response ? "true" : "false";
    }
    switch (a->proto) {
    case SIGEXT_APP_DNS:
        kv[n].key = "qtype";
        kv[n++].value = a->qtype;
        kv[n].key = "domain-name";
        kv[n++].value = a->name;
        break;
    case SIGEXT_APP_COAP:
        if (a->type != NULL) {
            kv[n].key = "type";
            kv[n++].value = a->type;
        }
        /* fall through */
    case SIGEXT_APP_HTTP:
        if (a->method != NULL) {
            kv[n].key = "method";
            kv[n++].value = a->method;
        }
        if (a->uri != NULL) {
            kv[n].key = "uri";
            kv[n++].value = a->uri;
        }
        break;
    case SIGEXT_APP_DHCP:
        kv[n].key = "type";
        kv[n++].value = a->type;
        kv[n].key = "client-mac";
        kv[n++].value = a->client_mac;
        break;
    default:
        break;
    }
    return n;
}

static void put_escaped(struct sx_buf *b, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '%' || *s == ';' || *s == '=') {
            char hex[4];
            snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)*s);
            sx_buf_puts(b, hex);
        } else {
            sx_buf_putc(b, *s);
        }
    }
}

void sx_app_format(struct sx_buf *b, const sigext_app *a)
{
    struct sx_kv kv[SX_APP_MAX_KV];
    int n = sx_app_fields(a, kv);

    if (a == NULL || a->proto == SIGEXT_APP_NONE)
        return;
    sx_buf_puts(b, sx_app_proto_name(a->proto));
    for (int i = 0; i < n; i++) {
        sx_buf_putc(b, ';');
        sx_buf_puts(b, kv[i].key);
        sx_buf_putc(b, '=');
        put_escaped(b, kv[i].value);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decode percent escapes of s[0..len) into out; false on a bad escape or
 * a control character, raw or escaped.  No decoder keeps a control
 * character in a field (they become '?'), so sigext never writes one,
 * and an escaped NUL ("%00") would cut the value where it is interned.
 */
static bool unescape(const char *s, size_t len, char *out, size_t cap,
                     size_t *outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return false;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if ((unsigned char)c < 0x20 || c == 0x7f || o + 1 >= cap)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    *outlen = o;
    return true;
}

int sx_app_parse(sigext_ctx *ctx, const char *s, size_t len,
                 const sigext_app **out)
{
    sigext_app a;
    const char *end = s + len;
    const char *semi;
    size_t plen;

    memset(&a, 0, sizeof(a));
    *out = NULL;
    if (len == 0)
        return 0;

    semi = memchr(s, ';', len);
    plen = semi != NULL ? (size_t)(semi - s) : len;
    if (plen == 3 && memcmp(s, "DNS", 3) == 0)
        a.proto = SIGEXT_APP_DNS;
    else if (plen == 4 && memcmp(s, "HTTP", 4) == 0)
        a.proto = SIGEXT_APP_HTTP;
    else if (plen == 4 && memcmp(s, "CoAP", 4) == 0)
        a.proto = SIGEXT_APP_COAP;
    else if (plen == 4 && memcmp(s, "DHCP", 4) == 0)
        a.proto = SIGEXT_APP_DHCP;
    else
        return -1;

    for (const char *p = semi; p != NULL && p < end;) {
        const char *k = p + 1;
        const char *next = memchr(k, ';', (size_t)(end - k));
        const char *vend = next != NULL ? next : end;
        const char *eq = memchr(k, '=', (size_t)(vend - k));
        char val[1024];
        size_t vlen, klen;
        const char *v;

        if (eq == NULL)
            return -1;
        klen = (size_t)(eq - k);
        if (!unescape(eq + 1, (size_t)(vend - eq - 1), val, sizeof(val),
                      &vlen))
            return -1;
        v = sx_intern(ctx, val, vlen);
        if (v == NULL)
            return -1;
#define KEY_IS(lit) (klen == sizeof(lit) - 1 && memcmp(k, lit, klen) == 0)
        if (KEY_IS("response")) {
            if (strcmp(v, "true") == 0)
                a.response = true;
            else if (strcmp(v, "false") != 0)
                return -1;
        } else if (KEY_IS("qtype")) {
            a.qtype = v;
        } else if (KEY_IS("domain-name")) {
            a.name = v;
        } else if (KEY_IS("method")) {
            a.method = v;
        } else if (KEY_IS("uri")) {
            a.uri = v;
        } else if (KEY_IS("type")) {
            a.type = v;
        } else if (KEY_IS("client-mac")) {
            a.client_mac = v;
        } else {
            return -1;
        }
#undef KEY_IS
        p = next;
    }
    if (a.proto == SIGEXT_APP_DNS && (a.qtype == NULL || a.name == NULL))
        return -1;
    *out = sx_app_intern(ctx, &a);
    return *out != NULL ? 0 : -1;
}
