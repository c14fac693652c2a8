/*
 * proto_http.c - HTTP/1.x request and status lines.
 *
 * RFC 9112 section 3 (request line) and 4 (status line), RFC 9110
 * section 9 and the IANA HTTP Method Registry (method names).
 */
#include <string.h>

#include "cursor.h"
#include "decode/decode.h"

/* Every registered method but the three below is 1-16 letters A-Z. */
#define HTTP_METHOD_MAX 17

static const char *const http_long_methods[] = {
    "BASELINE-CONTROL", "UPDATEREDIRECTREF", "VERSION-CONTROL",
};

static bool is_upper(uint8_t b)
{
    return b >= 'A' && b <= 'Z';
}

static bool is_digit(uint8_t b)
{
    return b >= '0' && b <= '9';
}

/* Read one byte and check it is `want`. */
static bool expect(struct sx_cursor *c, uint8_t want)
{
    uint8_t b;

    return sx_cur_u8(c, &b) && b == want;
}

static bool expect_digit(struct sx_cursor *c)
{
    uint8_t b;

    return sx_cur_u8(c, &b) && is_digit(b);
}

/* HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3). */
static bool http_version(struct sx_cursor *c)
{
    static const char name[] = "HTTP/";

    for (size_t i = 0; i < sizeof(name) - 1; i++) {
        if (!expect(c, (uint8_t)name[i]))
            return false;
    }
    return expect_digit(c) && expect(c, '.') && expect_digit(c);
}

/* The line may be cut by the capture right here, but if anything
 * follows it must be what the grammar allows next. */
static bool line_goes_on(const struct sx_cursor *c, bool space_ok)
{
    uint8_t b;

    if (!sx_cur_peek(c, 0, &b))
        return true;
    return b == '\r' || b == '\n' || (space_ok && b == ' ');
}

/* A method: letters A-Z up to 16, or one of the longer registered ones
 * that also use '-'.  `m` holds `len` bytes. */
static bool http_method_ok(const char *m, size_t len)
{
    bool letters = len <= 16;

    for (size_t i = 0; i < len; i++)
        letters = letters && is_upper((uint8_t)m[i]);
    if (letters)
        return true;
    for (size_t i = 0; i < sizeof(http_long_methods) /
                           sizeof(http_long_methods[0]); i++) {
        if (strcmp(m, http_long_methods[i]) == 0)
            return true;
    }
    return false;
}

/* status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ] */
static int http_status(struct sx_cursor c, struct sx_http_msg *msg)
{
    if (!http_version(&c) || !expect(&c, ' ') || !expect_digit(&c) ||
        !expect_digit(&c) || !expect_digit(&c) || !line_goes_on(&c, true))
        return -1;
    msg->response = true;
    return 0;
}

/*
 * request-line = method SP request-target SP HTTP-version.  The target
 * is kept as sent (origin, absolute, authority or asterisk form); only
 * the query is cut.  The version must be captured: a method and a word
 * alone are too weak a sign of HTTP.
 */
static int http_request(struct sx_cursor c, struct sx_http_msg *msg)
{
    char method[HTTP_METHOD_MAX + 1];
    const uint8_t *start = c.pos;
    size_t mlen = 0, tlen = 0, plen = 0;
    uint8_t b;

    /* Validate the method: a token of A-Z and '-'. */
    while (sx_cur_peek(&c, 0, &b) && (is_upper(b) || b == '-')) {
        if (mlen == HTTP_METHOD_MAX)
            return -1;
        method[mlen++] = (char)b;
        sx_cur_skip(&c, 1);
    }
    method[mlen] = '\0';
    if (mlen == 0 || !http_method_ok(method, mlen) || !expect(&c, ' '))
        return -1;

    /* The target: visible bytes up to the next space (RFC 9112 3.2). */
    msg->path.p = c.pos;
    for (;;) {
        if (!sx_cur_u8(&c, &b))
            return -1;
        if (b == ' ')
            break;
        if (b < 0x21 || b == 0x7f)
            return -1;
        if (b == '?' && !msg->query_cut) {
            msg->query_cut = true;
            plen = tlen;
        }
        tlen++;
    }
    if (tlen == 0 || !http_version(&c) || !line_goes_on(&c, false))
        return -1;

    /* Record views into the caller's buffer. */
    msg->method.p = start;
    msg->method.len = mlen;
    msg->path.len = msg->query_cut ? plen : tlen;
    return 0;
}

int sx_http_parse(const uint8_t *data, size_t len, struct sx_http_msg *msg)
{
    struct sx_cursor c = sx_cur_make(data, len);
    uint8_t b;
    int rc;

    memset(msg, 0, sizeof(*msg));
    if (!sx_cur_peek(&c, 0, &b))
        return -1;
    rc = b == 'H' ? http_status(c, msg) : -1;
    if (rc != 0)
        rc = http_request(c, msg);
    if (rc != 0)
        memset(msg, 0, sizeof(*msg));
    return rc;
}
