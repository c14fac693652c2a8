/*
 * test_coap.c - CoAP header, token, options and Uri-Path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

static uint8_t buf[1024];

static void test_con_get_path(void **state)
{
    /* CON GET, MID 0x1234, token 0xaa 0xbb, Uri-Path "a" (delta 11),
     * Uri-Path "b" (delta 0): request, path "/a/b". */
    static const uint8_t m1[] = {
        0x42, 0x01, 0x12, 0x34, 0xaa, 0xbb,
        0xb1, 'a', 0x01, 'b',
    };
    struct sx_coap_msg m;

    (void)state;
    assert_int_equal(sx_coap_parse(m1, sizeof(m1), &m), 0);
    assert_false(m.response);
    assert_int_equal(m.type, 0);
    assert_int_equal(m.code, 1);
    assert_string_equal(m.path, "/a/b");
}

static void test_extended_options(void **state)
{
    /*
     * NON POST (0.02), no token:
     *   Uri-Host (3) "h"                      0x31 'h'
     *   Uri-Path (11), delta 8, length 13+0   0x8d 0x00 "abcdefghijklm"
     *   Size1 (60) 1 byte, delta 13+36        0xd1 0x24 0x07
     *   option 360, empty, delta 269+31       0xe0 0x00 0x1f
     *   payload marker, payload "x"
     * -> request, path "/abcdefghijklm".
     */
    static const uint8_t m2[] = {
        0x50, 0x02, 0x00, 0x01,
        0x31, 'h',
        0x8d, 0x00, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k',
        'l', 'm',
        0xd1, 0x24, 0x07,
        0xe0, 0x00, 0x1f,
        0xff, 'x',
    };
    struct sx_coap_msg m;

    (void)state;
    assert_int_equal(sx_coap_parse(m2, sizeof(m2), &m), 0);
    assert_false(m.response);
    assert_int_equal(m.type, 1);
    assert_int_equal(m.code, 2);
    assert_string_equal(m.path, "/abcdefghijklm");
}

static void test_long_path_cut(void **state)
{
    struct sx_coap_msg m;

    /* CON GET, Uri-Path of 300 'p' bytes: length nibble 14, 269 + 31.
     * The path keeps "/" and the first 254 bytes. */
    (void)state;
    memset(buf, 'p', sizeof(buf));
    buf[0] = 0x40;
    buf[1] = 0x01;
    buf[2] = 0x00;
    buf[3] = 0x01;
    buf[4] = 0xbe;
    buf[5] = 0x00;
    buf[6] = 0x1f;
    assert_int_equal(sx_coap_parse(buf, 7 + 300, &m), 0);
    assert_int_equal(strlen(m.path), SX_COAP_PATH_MAX);
    assert_int_equal(m.path[0], '/');

    /* The same cut one byte short: the option runs past the data. */
    assert_int_equal(sx_coap_parse(buf, 7 + 299, &m), -1);
}

static void test_odd_path_bytes(void **state)
{
    /* CON GET, Uri-Path "a/b c" then Uri-Path "\x01": "/a?b?c/?". */
    static const uint8_t m3[] = {
        0x40, 0x01, 0x00, 0x01,
        0xb5, 'a', '/', 'b', ' ', 'c', 0x01, 0x01,
    };
    struct sx_coap_msg m;

    (void)state;
    assert_int_equal(sx_coap_parse(m3, sizeof(m3), &m), 0);
    assert_string_equal(m.path, "/a?b?c/?");
}

static void test_option_count_cap(void **state)
{
    struct sx_coap_msg m;

    /* CON GET followed by n empty If-Match options (delta 1, then 0). */
    (void)state;
    buf[0] = 0x40;
    buf[1] = 0x01;
    buf[2] = 0x00;
    buf[3] = 0x01;
    buf[4] = 0x10;
    memset(buf + 5, 0x00, 70);

    /* 64 options: accepted. */
    assert_int_equal(sx_coap_parse(buf, 4 + 64, &m), 0);
    /* 65 options: refused. */
    assert_int_equal(sx_coap_parse(buf, 4 + 65, &m), -1);
}

static void test_responses(void **state)
{
    /* ACK 2.05 Content, token 0x01, payload "22": response. */
    static const uint8_t ack[] = {0x61, 0x45, 0x12, 0x34, 0x01, 0xff,
                                  '2', '2'};
    /* Empty ACK (0.00): acknowledges a CON, counted as a response. */
    static const uint8_t empty_ack[] = {0x60, 0x00, 0x12, 0x34};
    /* RST, empty. */
    static const uint8_t rst[] = {0x70, 0x00, 0x12, 0x34};
    /* NON 2.05 (a separate response): response. */
    static const uint8_t non_205[] = {0x50, 0x45, 0x00, 0x07};
    /* CON 4.04 (separate response): response. */
    static const uint8_t con_404[] = {0x40, 0x84, 0x00, 0x08};
    /* CON 0.00 (ping): not a response. */
    static const uint8_t ping[] = {0x40, 0x00, 0x00, 0x09};
    struct sx_coap_msg m;

    (void)state;
    assert_int_equal(sx_coap_parse(ack, sizeof(ack), &m), 0);
    assert_true(m.response);
    assert_int_equal(m.type, 2);
    assert_int_equal(m.code, 0x45);
    assert_int_equal(sx_coap_parse(empty_ack, sizeof(empty_ack), &m), 0);
    assert_true(m.response);
    assert_int_equal(sx_coap_parse(rst, sizeof(rst), &m), 0);
    assert_true(m.response);
    assert_int_equal(sx_coap_parse(non_205, sizeof(non_205), &m), 0);
    assert_true(m.response);
    assert_int_equal(sx_coap_parse(con_404, sizeof(con_404), &m), 0);
    assert_true(m.response);
    assert_int_equal(sx_coap_parse(ping, sizeof(ping), &m), 0);
    assert_false(m.response);
}

static void test_format_errors(void **state)
{
    /* Version 2. */
    static const uint8_t ver2[] = {0x80, 0x01, 0x00, 0x01};
    /* Version 0. */
    static const uint8_t ver0[] = {0x00, 0x01, 0x00, 0x01};
    /* Token length 9 (reserved). */
    static const uint8_t tkl9[] = {0x49, 0x01, 0x00, 0x01, 1, 2, 3, 4, 5,
                                   6, 7, 8, 9};
    /* Token length 2 with one token byte captured. */
    static const uint8_t tkl_cut[] = {0x42, 0x01, 0x00, 0x01, 0xaa};
    /* Option delta 15 without length 15 (reserved). */
    static const uint8_t delta15[] = {0x40, 0x01, 0x00, 0x01, 0xf0};
    /* Option length 15 (reserved). */
    static const uint8_t len15[] = {0x40, 0x01, 0x00, 0x01, 0xbf};
    /* Extended delta (13) whose byte is missing. */
    static const uint8_t delta13_cut[] = {0x40, 0x01, 0x00, 0x01, 0xd0};
    /* Payload marker with no payload. */
    static const uint8_t marker[] = {0x40, 0x01, 0x00, 0x01, 0xff};
    /* Empty message (0.00) followed by a byte. */
    static const uint8_t empty_extra[] = {0x60, 0x00, 0x00, 0x01, 0x00};
    /* Three bytes. */
    static const uint8_t short_hdr[] = {0x40, 0x01, 0x00};
    struct sx_coap_msg m;

    (void)state;
    assert_int_equal(sx_coap_parse(ver2, sizeof(ver2), &m), -1);
    assert_int_equal(sx_coap_parse(ver0, sizeof(ver0), &m), -1);
    assert_int_equal(sx_coap_parse(tkl9, sizeof(tkl9), &m), -1);
    assert_int_equal(sx_coap_parse(tkl_cut, sizeof(tkl_cut), &m), -1);
    assert_int_equal(sx_coap_parse(delta15, sizeof(delta15), &m), -1);
    assert_int_equal(sx_coap_parse(len15, sizeof(len15), &m), -1);
    assert_int_equal(sx_coap_parse(delta13_cut, sizeof(delta13_cut), &m),
                     -1);
    assert_int_equal(sx_coap_parse(marker, sizeof(marker), &m), -1);
    assert_int_equal(sx_coap_parse(empty_extra, sizeof(empty_extra), &m),
                     -1);
    assert_int_equal(sx_coap_parse(short_hdr, sizeof(short_hdr), &m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_con_get_path),
        cmocka_unit_test(test_extended_options),
        cmocka_unit_test(test_long_path_cut),
        cmocka_unit_test(test_odd_path_bytes),
        cmocka_unit_test(test_option_count_cap),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_format_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
