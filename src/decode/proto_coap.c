/*
 * proto_coap.c - CoAP message header, token and options (Uri-Path).
 *
 * RFC 7252 sections 3 (message format), 3.1 (option format), 4.1 (empty
 * message), 5.10 (option numbers) and 12.1 (codes).
 */
#include <string.h>

#include "cursor.h"
#include "decode/decode.h"

#define COAP_VERSION 1
#define COAP_TKL_MAX 8              /* 9-15 are reserved (section 3) */
#define COAP_PAYLOAD_MARKER 0xff
#define COAP_OPT_URI_PATH 11

/* Real messages carry a handful of options; past this many the message
 * is treated as hostile rather than walked. */
#define COAP_OPT_MAX 64

enum {
    COAP_CON = 0,
    COAP_NON = 1,
    COAP_ACK = 2,
    COAP_RST = 3,
};

/*
 * Option delta or length from its 4-bit field (section 3.1): 0-12 as is,
 * 13 adds one byte (+13), 14 adds two bytes (+269), 15 is reserved.
 */
static bool coap_ext(struct sx_cursor *c, uint8_t nibble, uint32_t *v)
{
    uint8_t b;
    uint16_t w;

    if (nibble < 13) {
        *v = nibble;
        return true;
    }
    if (nibble == 13 && sx_cur_u8(c, &b)) {
        *v = (uint32_t)b + 13;
        return true;
    }
    if (nibble == 14 && sx_cur_u16be(c, &w)) {
        *v = (uint32_t)w + 269;
        return true;
    }
    return false;
}

/*
 * Append "/" and one Uri-Path value to `path` (`*n` bytes used).  Bytes
 * that are not printable ASCII, space and '/' (which would fake a
 * segment boundary) become '?'.
 */
static void coap_path_add(char *path, size_t *n, struct sx_cursor v)
{
    uint8_t b;

    /* TODO(coap): a path longer than SX_COAP_PATH_MAX bytes is cut. */
    if (*n == SX_COAP_PATH_MAX)
        return;
    path[(*n)++] = '/';
    while (*n < SX_COAP_PATH_MAX && sx_cur_u8(&v, &b)) {
        bool keep = b > 0x20 && b < 0x7f && b != '/';

        path[(*n)++] = keep ? (char)b : '?';
    }
    path[*n] = '\0';
}

/*
 *  0 1 2 3 4 5 6 7 8   16               31
 *  |Ver| T |  TKL  |   Code   |   Message ID   |
 *  | Token (TKL bytes) | Options ... | 0xFF | Payload ...
 */
int sx_coap_parse(const uint8_t *data, size_t len, struct sx_coap_msg *msg)
{
    struct sx_cursor c = sx_cur_make(data, len);
    uint8_t first, code, tkl, b;
    uint32_t number = 0;
    size_t n = 0;

    /* Validate the fixed header and the token. */
    memset(msg, 0, sizeof(*msg));
    if (!sx_cur_u8(&c, &first) || !sx_cur_u8(&c, &code) ||
        !sx_cur_skip(&c, 2))
        return -1;
    tkl = first & 0x0f;
    if (first >> 6 != COAP_VERSION || tkl > COAP_TKL_MAX)
        return -1;
    /* An Empty message (0.00) is the 4-byte header alone (section 4.1). */
    if (code == 0 && sx_cur_left(&c) != 0)
        return -1;
    if (!sx_cur_skip(&c, tkl))
        return -1;

    /* Options, in order of option number: each delta adds to the last. */
    for (int count = 0; sx_cur_u8(&c, &b); count++) {
        struct sx_cursor value;
        uint32_t delta, vlen;

        if (b == COAP_PAYLOAD_MARKER) {
            /* A marker with nothing after it is a format error. */
            if (sx_cur_left(&c) == 0)
                return -1;
            break;
        }
        if (count == COAP_OPT_MAX || !coap_ext(&c, b >> 4, &delta) ||
            !coap_ext(&c, b & 0x0f, &vlen) || !sx_cur_sub(&c, vlen, &value))
            return -1;
        number += delta;
        if (number == COAP_OPT_URI_PATH)
            coap_path_add(msg->path, &n, value);
    }

    /*
     * Record.  ACK and RST are answers by their type, including an empty
     * ACK (0.00) that only acknowledges a CON; classes 2-5 are response
     * codes whatever the type (a separate response comes as CON or NON).
     */
    msg->type = (first >> 4) & 0x03;
    msg->code = code;
    msg->response = msg->type == COAP_ACK || msg->type == COAP_RST ||
                    (code >> 5 >= 2 && code >> 5 <= 5);
    return 0;
}
