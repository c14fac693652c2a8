/*
 * test_http.c - HTTP/1.x request and status lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

static int parse(const char *text, struct sx_http_msg *m)
{
    return sx_http_parse((const uint8_t *)text, strlen(text), m);
}

static void assert_view(struct sx_view v, const char *want)
{
    assert_int_equal(v.len, strlen(want));
    assert_memory_equal(v.p, want, v.len);
}

static void test_request_query(void **state)
{
    /* POST /app/request?token=1 -> method POST, path /app/request,
     * query cut. */
    static const char req[] =
        "POST /app/request?token=1&x=? HTTP/1.1\r\nHost: a\r\n\r\n{}";
    struct sx_http_msg m;

    (void)state;
    assert_int_equal(parse(req, &m), 0);
    assert_false(m.response);
    assert_view(m.method, "POST");
    assert_view(m.path, "/app/request");
    assert_true(m.query_cut);
    assert_ptr_equal(m.method.p, req);
}

static void test_request_plain(void **state)
{
    struct sx_http_msg m;

    (void)state;
    /* GET / -> path "/", no query. */
    assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &m), 0);
    assert_view(m.method, "GET");
    assert_view(m.path, "/");
    assert_false(m.query_cut);

    /* Cut right after the version: still a request line. */
    assert_int_equal(parse("HEAD /index.html HTTP/1.1", &m), 0);
    assert_view(m.method, "HEAD");
    assert_view(m.path, "/index.html");

    /* Bare LF line ending. */
    assert_int_equal(parse("PUT /x HTTP/1.1\nHost: a\n", &m), 0);
    assert_view(m.method, "PUT");

    /* Absolute form, kept as sent: path http://example.com/a. */
    assert_int_equal(parse("GET http://example.com/a?b=c HTTP/1.1\r\n", &m),
                     0);
    assert_view(m.path, "http://example.com/a");
    assert_true(m.query_cut);

    /* Asterisk form: path "*". */
    assert_int_equal(parse("OPTIONS * HTTP/1.1\r\n", &m), 0);
    assert_view(m.path, "*");

    /* A registered method with '-' longer than 16 letters. */
    assert_int_equal(parse("UPDATEREDIRECTREF /r HTTP/1.1\r\n", &m), 0);
    assert_view(m.method, "UPDATEREDIRECTREF");
    assert_int_equal(parse("VERSION-CONTROL /r HTTP/1.1\r\n", &m), 0);

    /* An unregistered all-letter method of 16 letters. */
    assert_int_equal(parse("ABCDEFGHIJKLMNOP / HTTP/1.1\r\n", &m), 0);
}

static void test_request_rejected(void **state)
{
    struct sx_http_msg m;

    (void)state;
    /* No version captured. */
    assert_int_equal(parse("GET /index.html", &m), -1);
    assert_int_equal(parse("GET /index.html HTTP/1", &m), -1);
    /* Lower-case method. */
    assert_int_equal(parse("get / HTTP/1.1\r\n", &m), -1);
    /* 17 letters, not registered. */
    assert_int_equal(parse("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n", &m), -1);
    /* '-' in an unregistered method (SSDP's M-SEARCH is not HTTP). */
    assert_int_equal(parse("M-SEARCH * HTTP/1.1\r\n", &m), -1);
    /* Empty target (two spaces). */
    assert_int_equal(parse("GET  HTTP/1.1\r\n", &m), -1);
    /* Control byte in the target. */
    assert_int_equal(parse("GET /a\tb HTTP/1.1\r\n", &m), -1);
    /* Junk after the version. */
    assert_int_equal(parse("GET / HTTP/1.1x\r\n", &m), -1);
    /* Not a version. */
    assert_int_equal(parse("GET / HTTPS/1.1\r\n", &m), -1);
    /* Empty, binary. */
    assert_int_equal(sx_http_parse((const uint8_t *)"", 0, &m), -1);
    assert_int_equal(sx_http_parse((const uint8_t *)"\x16\x03\x01", 3, &m),
                     -1);
    assert_int_equal(m.method.len, 0);
}

static void test_status(void **state)
{
    struct sx_http_msg m;

    (void)state;
    /* HTTP/1.1 200 OK -> response. */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", &m),
                     0);
    assert_true(m.response);
    assert_int_equal(m.method.len, 0);
    assert_int_equal(m.path.len, 0);

    /* No reason phrase, cut after the code. */
    assert_int_equal(parse("HTTP/1.0 404", &m), 0);
    assert_true(m.response);
    assert_int_equal(parse("HTTP/1.1 204\r\n", &m), 0);

    /* Too few digits, letters, no space. */
    assert_int_equal(parse("HTTP/1.1 20", &m), -1);
    assert_int_equal(parse("HTTP/1.1 2x0 OK", &m), -1);
    assert_int_equal(parse("HTTP/1.1 2000", &m), -1);
    assert_int_equal(parse("HTTP/1.1200 OK", &m), -1);
    assert_int_equal(parse("HTTP/2 200", &m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_query),
        cmocka_unit_test(test_request_plain),
        cmocka_unit_test(test_request_rejected),
        cmocka_unit_test(test_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
