/*
 * proto_tls.c - TLS record classification and ClientHello server name.
 *
 * RFC 8446 sections 5.1 (record layer) and 4.1.2 (ClientHello), RFC 5246
 * section 6.2 (TLS 1.2 records and their length limits), RFC 6066
 * section 3 (server_name extension).
 */
#include <string.h>

#include "cursor.h"
#include "decode/decode.h"

#define TLS_RECORD_HDR 5
#define TLS_PLAIN_MAX 16384         /* 2^14, RFC 8446 5.1 */
#define TLS_CIPHER_MAX (16384 + 2048) /* RFC 5246 6.2.3 */

#define TLS_CHANGE_CIPHER_SPEC 20
#define TLS_APPLICATION_DATA 23
#define TLS_HANDSHAKE 22
#define TLS_CLIENT_HELLO 1
#define TLS_EXT_SERVER_NAME 0
#define TLS_SNI_HOST_NAME 0

/* Each extension takes 4 bytes or more, so a 64 KiB block holds at most
 * 16384 of them; real hellos carry about twenty. */
#define TLS_EXT_MAX 256

/* Skip a vector whose length prefix is `width` (1 or 2) bytes. */
static bool skip_vector(struct sx_cursor *c, int width)
{
    uint8_t n8;
    uint16_t n16;

    if (width == 1)
        return sx_cur_u8(c, &n8) && sx_cur_skip(c, n8);
    return sx_cur_u16be(c, &n16) && sx_cur_skip(c, n16);
}

static bool host_char(uint8_t b)
{
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
           (b >= '0' && b <= '9') || b == '-' || b == '_' || b == '.';
}

/*
 * Copy a host_name into `sni` if it is one: 1-255 bytes of letters,
 * digits, '-', '_' and '.' (RFC 6066 3: the server's DNS host name in
 * ASCII, A-labels for IDNs; '_' is not a host name character but some
 * devices use it), in lower case as names compare without case (RFC
 * 4343 3).  One trailing dot is dropped, as DNS names are kept without
 * it.  Anything else ("a,b", spaces, controls) is not a name to learn.
 */
static bool sni_copy(struct sx_cursor name, char *sni)
{
    struct sx_cursor check = name;
    size_t len = sx_cur_left(&name);
    uint8_t b;

    if (len > 0 && sx_cur_peek(&name, len - 1, &b) && b == '.')
        len--;
    if (len == 0 || len > SX_TLS_SNI_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (!sx_cur_u8(&check, &b) || !host_char(b))
            return false;
    }
    if (sni != NULL) {
        sx_cur_bytes(&name, sni, len);
        sni[len] = '\0';
        for (size_t i = 0; i < len; i++) {
            if (sni[i] >= 'A' && sni[i] <= 'Z')
                sni[i] = (char)(sni[i] - 'A' + 'a');
        }
    }
    return true;
}

/*
 * server_name extension data (RFC 6066 section 3):
 *   ServerNameList length (2), then entries of name_type (1) and a
 *   HostName with a 2-byte length.  The first host_name is taken.
 */
static bool sni_find(struct sx_cursor ext, char *sni)
{
    struct sx_cursor list, name;
    uint16_t list_len, name_len;
    uint8_t type;

    if (!sx_cur_u16be(&ext, &list_len) || !sx_cur_sub(&ext, list_len, &list))
        return false;
    while (sx_cur_u8(&list, &type) && sx_cur_u16be(&list, &name_len) &&
           sx_cur_sub(&list, name_len, &name)) {
        if (type == TLS_SNI_HOST_NAME)
            return sni_copy(name, sni);
    }
    return false;
}

/*
 * ClientHello body (RFC 8446 4.1.2): legacy_version (2), random (32),
 * legacy_session_id <0..32>, cipher_suites <2..2^16-2>,
 * legacy_compression_methods <1..2^8-1>, extensions <8..2^16-1>.
 * A TLS 1.2 hello may end before the extensions (RFC 5246 7.4.1.2).
 */
static int hello_sni(struct sx_cursor c, char *sni)
{
    struct sx_cursor exts, data;
    uint16_t exts_len, type, len;

    if (!sx_cur_skip(&c, 2 + 32) || !skip_vector(&c, 1) ||
        !skip_vector(&c, 2) || !skip_vector(&c, 1) ||
        !sx_cur_u16be(&c, &exts_len))
        return SX_TLS_HELLO_NO_SNI;
    /* A hello cut at its record's end (see below) searches what it has. */
    if (!sx_cur_sub(&c, exts_len, &exts))
        exts = c;

    for (int n = 0; n < TLS_EXT_MAX; n++) {
        if (!sx_cur_u16be(&exts, &type) || !sx_cur_u16be(&exts, &len) ||
            !sx_cur_sub(&exts, len, &data))
            break;
        /* Only one server_name extension is allowed (RFC 8446 4.2). */
        if (type == TLS_EXT_SERVER_NAME)
            return sni_find(data, sni) ? SX_TLS_HELLO_SNI
                                       : SX_TLS_HELLO_NO_SNI;
    }
    return SX_TLS_HELLO_NO_SNI;
}

/*
 * Record header: content type (1), legacy version 0x0300-0x0304 (2),
 * length (2).  Lengths beyond the TLS 1.2 ciphertext limit, or zero,
 * are not TLS.
 */
int sx_tls_classify(const uint8_t *data, size_t len, char *sni,
                    size_t *need)
{
    struct sx_cursor c = sx_cur_make(data, len);
    struct sx_cursor body, hello;
    uint8_t type, major, minor, msg_type;
    uint16_t rec_len;
    uint32_t hs_len;

    if (sni != NULL)
        sni[0] = '\0';
    if (need != NULL)
        *need = 0;

    /* Validate the record header. */
    if (!sx_cur_u8(&c, &type) || !sx_cur_u8(&c, &major) ||
        !sx_cur_u8(&c, &minor) || !sx_cur_u16be(&c, &rec_len))
        return SX_TLS_NONE;
    if (type < TLS_CHANGE_CIPHER_SPEC || type > TLS_APPLICATION_DATA ||
        major != 3 || minor > 4 || rec_len == 0 || rec_len > TLS_CIPHER_MAX)
        return SX_TLS_NONE;
    if (type == TLS_APPLICATION_DATA)
        return SX_TLS_APP_DATA;
    if (type != TLS_HANDSHAKE)
        return SX_TLS_OTHER;

    /*
     * A handshake record.  A ClientHello is sent in clear, so its record
     * holds at most 2^14 bytes; when the segment has only part of it
     * the caller gathers `need` bytes and asks again.
     */
    if (sx_cur_peek(&c, 0, &msg_type) && msg_type != TLS_CLIENT_HELLO)
        return SX_TLS_OTHER;
    if (rec_len > TLS_PLAIN_MAX)
        return SX_TLS_OTHER;
    if (!sx_cur_sub(&c, rec_len, &body)) {
        if (need != NULL)
            *need = TLS_RECORD_HDR + (size_t)rec_len;
        /* The part at hand may hold the whole server_name extension
         * already: give it, so that a lost segment later does not hide
         * a name that was captured.  It is read within the handshake
         * length as below, so the whole record gives the same name. */
        bool named = false;
        if (sx_cur_skip(&c, 1) && sx_cur_u24be(&c, &hs_len)) {
            if (!sx_cur_sub(&c, hs_len, &hello))
                hello = c;
            named = hello_sni(hello, sni) == SX_TLS_HELLO_SNI;
        }
        if (!named && sni != NULL)
            sni[0] = '\0';
        return SX_TLS_HELLO_PARTIAL;
    }

    /*
     * The handshake message: type (1), length (3), body.
     * TODO(tls): a ClientHello longer than its record continues in the
     * next record; only the part in the first record is searched.
     */
    if (!sx_cur_skip(&body, 1) || !sx_cur_u24be(&body, &hs_len))
        return SX_TLS_OTHER;
    if (!sx_cur_sub(&body, hs_len, &hello))
        hello = body;
    return hello_sni(hello, sni);
}
