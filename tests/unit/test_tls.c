/*
 * test_tls.c - TLS record classification and ClientHello SNI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

#define RANDOM32 \
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

/*
 * Handshake record (version 0x0301, length 86) holding a ClientHello
 * (length 82): version 0x0303, zero random, no session id, one suite
 * (TLS_AES_128_GCM_SHA256), null compression, 39 bytes of extensions:
 *   supported_versions (43): TLS 1.3                      offset 52
 *   server_name (0): host_name "example.com"              offset 59
 *   padding (21): 8 zero bytes                            offset 79
 * 91 bytes in all.
 */
static const uint8_t hello_sni[] = {
    0x16, 0x03, 0x01, 0x00, 0x56,
    0x01, 0x00, 0x00, 0x52, 0x03, 0x03, RANDOM32,
    0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00,
    0x00, 0x27,
    0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b,
    'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm',
    0x00, 0x15, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* The same ClientHello without server_name: record length 54, hello
 * length 50, extensions: supported_versions only. */
static const uint8_t hello_plain[] = {
    0x16, 0x03, 0x01, 0x00, 0x36,
    0x01, 0x00, 0x00, 0x32, 0x03, 0x03, RANDOM32,
    0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00,
    0x00, 0x07,
    0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04,
};

static uint8_t buf[512];

static void test_hello_sni(void **state)
{
    char sni[SX_TLS_SNI_MAX + 1];
    size_t need = 99;

    (void)state;
    assert_int_equal(sx_tls_classify(hello_sni, sizeof(hello_sni), sni,
                                     &need), SX_TLS_HELLO_SNI);
    assert_string_equal(sni, "example.com");
    assert_int_equal(need, 0);

    /* Followed by another record in the same segment: same answer. */
    memcpy(buf, hello_sni, sizeof(hello_sni));
    memcpy(buf + sizeof(hello_sni), "\x15\x03\x03\x00\x02\x02\x28", 7);
    assert_int_equal(sx_tls_classify(buf, sizeof(hello_sni) + 7, sni, NULL),
                     SX_TLS_HELLO_SNI);

    /* NULL outputs are allowed. */
    assert_int_equal(sx_tls_classify(hello_sni, sizeof(hello_sni), NULL,
                                     NULL), SX_TLS_HELLO_SNI);
}

static void test_hello_no_sni(void **state)
{
    char sni[SX_TLS_SNI_MAX + 1] = "stale";

    (void)state;
    assert_int_equal(sx_tls_classify(hello_plain, sizeof(hello_plain), sni,
                                     NULL), SX_TLS_HELLO_NO_SNI);
    assert_string_equal(sni, "");
}

static void test_sni_rejected_or_trimmed(void **state)
{
    char sni[SX_TLS_SNI_MAX + 1];

    (void)state;
    /* hello_sni with a BEL (0x07) in the name: "exa\amle.com". */
    memcpy(buf, hello_sni, sizeof(hello_sni));
    buf[59 + 9 + 3] = 0x07;
    assert_int_equal(sx_tls_classify(buf, sizeof(hello_sni), sni, NULL),
                     SX_TLS_HELLO_NO_SNI);
    assert_string_equal(sni, "");

    /* hello_sni with "example.co." : the trailing dot is dropped. */
    memcpy(buf, hello_sni, sizeof(hello_sni));
    buf[59 + 9 + 10] = '.';
    assert_int_equal(sx_tls_classify(buf, sizeof(hello_sni), sni, NULL),
                     SX_TLS_HELLO_SNI);
    assert_string_equal(sni, "example.co");

    /* "exa,mle.com": printable, but not a host name (RFC 6066 3). */
    memcpy(buf, hello_sni, sizeof(hello_sni));
    buf[59 + 9 + 3] = ',';
    assert_int_equal(sx_tls_classify(buf, sizeof(hello_sni), sni, NULL),
                     SX_TLS_HELLO_NO_SNI);

    /* "EXAmple.com": names compare without case (RFC 4343 3). */
    memcpy(buf, hello_sni, sizeof(hello_sni));
    memcpy(buf + 59 + 9, "EXA", 3);
    assert_int_equal(sx_tls_classify(buf, sizeof(hello_sni), sni, NULL),
                     SX_TLS_HELLO_SNI);
    assert_string_equal(sni, "example.com");

    /* hello_sni with name type 1 (not host_name). */
    memcpy(buf, hello_sni, sizeof(hello_sni));
    buf[59 + 6] = 0x01;
    assert_int_equal(sx_tls_classify(buf, sizeof(hello_sni), sni, NULL),
                     SX_TLS_HELLO_NO_SNI);
}

static void test_split_across_segments(void **state)
{
    char sni[SX_TLS_SNI_MAX + 1];
    size_t need = 0;

    (void)state;
    /* Segment 1: the first 40 bytes of hello_sni. */
    assert_int_equal(sx_tls_classify(hello_sni, 40, sni, &need),
                     SX_TLS_HELLO_PARTIAL);
    assert_int_equal(need, 5 + 86);

    /* The first 85 bytes hold the whole server_name extension: partial,
     * and the name is given already. */
    assert_int_equal(sx_tls_classify(hello_sni, 85, sni, &need),
                     SX_TLS_HELLO_PARTIAL);
    assert_string_equal(sni, "example.com");
    /* One byte less cuts the name: none given. */
    assert_int_equal(sx_tls_classify(hello_sni, 78, sni, &need),
                     SX_TLS_HELLO_PARTIAL);
    assert_string_equal(sni, "");

    /* A handshake length shorter than the server_name's place: the whole
     * record reads no name there, so the part gives none either (found
     * by fuzz_tls: the part once read past the handshake's end). */
    memcpy(buf, hello_sni, sizeof(hello_sni));
    buf[8] = 40;                        /* hello length 40, not 82 */
    assert_int_equal(sx_tls_classify(buf, sizeof(hello_sni), sni, NULL),
                     SX_TLS_HELLO_NO_SNI);
    assert_int_equal(sx_tls_classify(buf, 85, sni, &need),
                     SX_TLS_HELLO_PARTIAL);
    assert_string_equal(sni, "");

    /* Only the record header: the type is not known yet, still partial. */
    need = 0;
    assert_int_equal(sx_tls_classify(hello_sni, 5, sni, &need),
                     SX_TLS_HELLO_PARTIAL);
    assert_int_equal(need, 91);

    /* Segment 1 + segment 2 (the other 51 bytes), reassembled. */
    memcpy(buf, hello_sni, 40);
    memcpy(buf + 40, hello_sni + 40, sizeof(hello_sni) - 40);
    assert_int_equal(sx_tls_classify(buf, need, sni, &need),
                     SX_TLS_HELLO_SNI);
    assert_string_equal(sni, "example.com");
}

static void test_hello_two_records(void **state)
{
    char sni[SX_TLS_SNI_MAX + 1];

    /* A record of 74 bytes carrying the first 74 of the 86 hello bytes
     * (through server_name); the rest would come in a second record.
     * Best effort: the name in the first record is found. */
    (void)state;
    memcpy(buf, hello_sni, sizeof(hello_sni));
    buf[4] = 74;
    assert_int_equal(sx_tls_classify(buf, 5 + 74, sni, NULL),
                     SX_TLS_HELLO_SNI);
    assert_string_equal(sni, "example.com");
}

static void test_other_records(void **state)
{
    /* Application data, TLS 1.2, 5 bytes. */
    static const uint8_t app[] = {0x17, 0x03, 0x03, 0x00, 0x05, 1, 2, 3, 4,
                                  5};
    /* Alert: fatal (2), protocol_version (70 = 0x46). */
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02,
                                    0x46};
    /* change_cipher_spec. */
    static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    /* Handshake: ServerHello (type 2), cut. */
    static const uint8_t server_hello[] = {0x16, 0x03, 0x03, 0x00, 0x50,
                                           0x02, 0x00, 0x00, 0x4c};
    /* Handshake record of 16640 bytes (> 2^14) starting a ClientHello:
     * not a plaintext hello. */
    static const uint8_t huge[] = {0x16, 0x03, 0x01, 0x41, 0x00, 0x01};
    size_t need = 7;

    (void)state;
    assert_int_equal(sx_tls_classify(app, sizeof(app), NULL, NULL),
                     SX_TLS_APP_DATA);
    /* Only the start of a long application data record. */
    assert_int_equal(sx_tls_classify(app, 6, NULL, &need), SX_TLS_APP_DATA);
    assert_int_equal(need, 0);
    assert_int_equal(sx_tls_classify(alert, sizeof(alert), NULL, NULL),
                     SX_TLS_OTHER);
    assert_int_equal(sx_tls_classify(ccs, sizeof(ccs), NULL, NULL),
                     SX_TLS_OTHER);
    assert_int_equal(sx_tls_classify(server_hello, sizeof(server_hello),
                                     NULL, NULL), SX_TLS_OTHER);
    assert_int_equal(sx_tls_classify(huge, sizeof(huge), NULL, NULL),
                     SX_TLS_OTHER);
}

static void test_not_tls(void **state)
{
    /* Content type 24 (heartbeat) is outside 20..23 here. */
    static const uint8_t hb[] = {0x18, 0x03, 0x03, 0x00, 0x03, 1, 0, 0};
    /* Version 0x0305. */
    static const uint8_t v5[] = {0x17, 0x03, 0x05, 0x00, 0x01, 0};
    /* Version 0x0203. */
    static const uint8_t v2[] = {0x17, 0x02, 0x03, 0x00, 0x01, 0};
    /* Length 0. */
    static const uint8_t len0[] = {0x17, 0x03, 0x03, 0x00, 0x00};
    /* Length 0x4801 (18433), beyond any TLS record. */
    static const uint8_t too_long[] = {0x17, 0x03, 0x03, 0x48, 0x01, 0};
    static const char http[] = "GET / HTTP/1.1\r\n";

    (void)state;
    assert_int_equal(sx_tls_classify(hb, sizeof(hb), NULL, NULL),
                     SX_TLS_NONE);
    assert_int_equal(sx_tls_classify(v5, sizeof(v5), NULL, NULL),
                     SX_TLS_NONE);
    assert_int_equal(sx_tls_classify(v2, sizeof(v2), NULL, NULL),
                     SX_TLS_NONE);
    assert_int_equal(sx_tls_classify(len0, sizeof(len0), NULL, NULL),
                     SX_TLS_NONE);
    assert_int_equal(sx_tls_classify(too_long, sizeof(too_long), NULL, NULL),
                     SX_TLS_NONE);
    assert_int_equal(sx_tls_classify((const uint8_t *)http, sizeof(http) - 1,
                                     NULL, NULL), SX_TLS_NONE);
    /* Fewer bytes than a record header. */
    assert_int_equal(sx_tls_classify(hello_sni, 4, NULL, NULL), SX_TLS_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_sni),
        cmocka_unit_test(test_hello_no_sni),
        cmocka_unit_test(test_sni_rejected_or_trimmed),
        cmocka_unit_test(test_split_across_segments),
        cmocka_unit_test(test_hello_two_records),
        cmocka_unit_test(test_other_records),
        cmocka_unit_test(test_not_tls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
