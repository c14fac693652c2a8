/*
 * test_dns.c - DNS parsing: question, answer records through the
 * callback, compression, hostile pointers, names and counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"

struct seen {
    int n;
    struct {
        uint16_t type;
        char owner[SX_DNS_NAME_MAX + 1];
        char target[SX_DNS_NAME_MAX + 1];
        uint8_t addr[16];
    } rr[8];
};

static void collect(void *user, const struct sx_dns_rr *rr)
{
    struct seen *s = user;

    assert_true(s->n < 8);
    s->rr[s->n].type = rr->type;
    strcpy(s->rr[s->n].owner, rr->owner);
    strcpy(s->rr[s->n].target, rr->target != NULL ? rr->target : "");
    memcpy(s->rr[s->n].addr, rr->addr, 16);
    s->n++;
}

static uint8_t msg_buf[2048];

static void test_query(void **state)
{
    /* Query id 0x1234, RD, one question: use1-api.tplinkra.com A IN. */
    static const uint8_t q[] = {
        0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x08, 'u', 's', 'e', '1', '-', 'a', 'p', 'i', 0x08, 't', 'p',
        'l', 'i', 'n', 'k', 'r', 'a', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01,
        0x00, 0x01,
    };
    struct sx_dns_msg m;
    struct seen s = {0};

    (void)state;
    assert_int_equal(sx_dns_parse(q, sizeof(q), &m, collect, &s), 0);
    assert_false(m.response);
    assert_true(m.has_name);
    assert_int_equal(m.qtype, 1);
    assert_string_equal(m.name, "use1-api.tplinkra.com");
    assert_int_equal(s.n, 0);

    /* A resolver that randomises case (dns0x20) asks "USE1-Api.TPlinkRA
     * .com": the same name (RFC 4343 3), kept in lower case. */
    uint8_t mixed[sizeof(q)];
    memcpy(mixed, q, sizeof(q));
    memcpy(mixed + 13, "USE1-Api", 8);
    memcpy(mixed + 22, "TPlinkRA", 8);
    assert_int_equal(sx_dns_parse(mixed, sizeof(mixed), &m, NULL, NULL), 0);
    assert_string_equal(m.name, "use1-api.tplinkra.com");

    /* Cut inside the question name. */
    assert_int_equal(sx_dns_parse(q, 20, &m, NULL, NULL), -1);
    /* Shorter than the 12-byte header. */
    assert_int_equal(sx_dns_parse(q, 11, &m, NULL, NULL), -1);
}

/*
 * Response, qd 1 an 2 ns 1 ar 1:
 *   question   www.example.com A IN                       (offset 12)
 *   answer     www.example.com CNAME cdn.example.com      (33, rdata 45)
 *   answer     cdn.example.com A 93.184.216.34            (51)
 *   authority  example.com A 1.2.3.4 (must not be reported) (67)
 *   additional cdn.example.com AAAA 2606:2800:220:1:248:1893:25c8:1946
 * Names after the question are compressed: c0 0c = www.example.com,
 * c0 10 = example.com, c0 2d = cdn.example.com.
 */
static const uint8_t answers[] = {
    0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01,
    0x03, 'w', 'w', 'w', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
    0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
    0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x06,
    0x03, 'c', 'd', 'n', 0xc0, 0x10,
    0xc0, 0x2d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
    0x5d, 0xb8, 0xd8, 0x22,
    0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04,
    0x01, 0x02, 0x03, 0x04,
    0xc0, 0x2d, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10,
    0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01,
    0x02, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46,
};

static void test_answers(void **state)
{
    static const uint8_t a[4] = {93, 184, 216, 34};
    static const uint8_t aaaa[16] = {
        0x26, 0x06, 0x28, 0x00, 0x02, 0x20, 0x00, 0x01,
        0x02, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46,
    };
    struct sx_dns_msg m;
    struct seen s = {0};

    (void)state;
    assert_int_equal(sx_dns_parse(answers, sizeof(answers), &m, collect, &s),
                     0);
    assert_true(m.response);
    assert_string_equal(m.name, "www.example.com");
    assert_int_equal(m.qtype, 1);

    assert_int_equal(s.n, 3);
    assert_int_equal(s.rr[0].type, 5);
    assert_string_equal(s.rr[0].owner, "www.example.com");
    assert_string_equal(s.rr[0].target, "cdn.example.com");
    assert_int_equal(s.rr[1].type, 1);
    assert_string_equal(s.rr[1].owner, "cdn.example.com");
    assert_memory_equal(s.rr[1].addr, a, 4);
    assert_int_equal(s.rr[2].type, 28);
    assert_string_equal(s.rr[2].owner, "cdn.example.com");
    assert_memory_equal(s.rr[2].addr, aaaa, 16);

    /* Cut inside the authority record: the answers are still reported. */
    memset(&s, 0, sizeof(s));
    assert_int_equal(sx_dns_parse(answers, 75, &m, collect, &s), 0);
    assert_int_equal(s.n, 2);
}

/*
 * mDNS-style response, qd 0 an 2:
 *   4.3.2.1.in-addr.arpa PTR host.lan              (offset 12, rdata 44)
 *   _http._tcp.lan SRV 0 0 8080 host.lan           (54; c0 31 = lan,
 *                                                   c0 2c = host.lan)
 */
static const uint8_t ptr_srv[] = {
    0x00, 0x00, 0x84, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x01, '4', 0x01, '3', 0x01, '2', 0x01, '1',
    0x07, 'i', 'n', '-', 'a', 'd', 'd', 'r', 0x04, 'a', 'r', 'p', 'a', 0x00,
    0x00, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x0a,
    0x04, 'h', 'o', 's', 't', 0x03, 'l', 'a', 'n', 0x00,
    0x05, '_', 'h', 't', 't', 'p', 0x04, '_', 't', 'c', 'p', 0xc0, 0x31,
    0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x78, 0x00, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x1f, 0x90, 0xc0, 0x2c,
};

static void test_no_question_ptr_srv(void **state)
{
    struct sx_dns_msg m;
    struct seen s = {0};

    (void)state;
    assert_int_equal(sx_dns_parse(ptr_srv, sizeof(ptr_srv), &m, collect, &s),
                     0);
    assert_true(m.response);
    assert_true(m.has_name);
    assert_string_equal(m.name, "4.3.2.1.in-addr.arpa");
    assert_int_equal(m.qtype, 12);

    assert_int_equal(s.n, 2);
    assert_int_equal(s.rr[0].type, 12);
    assert_string_equal(s.rr[0].target, "host.lan");
    assert_int_equal(s.rr[1].type, 33);
    assert_string_equal(s.rr[1].owner, "_http._tcp.lan");
    assert_string_equal(s.rr[1].target, "host.lan");

    /* The first answer is cut: with no question, nothing names it. */
    assert_int_equal(sx_dns_parse(ptr_srv, 30, &m, NULL, NULL), -1);
}

static void test_header_only(void **state)
{
    /* Response with every count 0 (e.g. a bare error reply). */
    static const uint8_t h[] = {
        0xab, 0xcd, 0x81, 0x83, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    struct sx_dns_msg m;

    (void)state;
    assert_int_equal(sx_dns_parse(h, sizeof(h), &m, NULL, NULL), 0);
    assert_true(m.response);
    assert_false(m.has_name);
    assert_string_equal(m.name, "");
}

static void test_root_and_odd_bytes(void **state)
{
    /* Question: the root name "", type NS. */
    static const uint8_t root[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        0x00, 0x00, 0x02, 0x00, 0x01,
    };
    /* Question: label "a\0 .\xff" then "com", type A: "a????.com". */
    static const uint8_t odd[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        0x05, 'a', 0x00, ' ', '.', 0xff, 0x03, 'c', 'o', 'm', 0x00,
        0x00, 0x01, 0x00, 0x01,
    };
    /* Question: label type 0x40 (obsolete extended label). */
    static const uint8_t ext_label[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        0x41, 'a', 0x00, 0x00, 0x01, 0x00, 0x01,
    };
    struct sx_dns_msg m;

    (void)state;
    assert_int_equal(sx_dns_parse(root, sizeof(root), &m, NULL, NULL), 0);
    assert_true(m.has_name);
    assert_string_equal(m.name, "");
    assert_int_equal(m.qtype, 2);

    assert_int_equal(sx_dns_parse(odd, sizeof(odd), &m, NULL, NULL), 0);
    assert_string_equal(m.name, "a????.com");

    assert_int_equal(sx_dns_parse(ext_label, sizeof(ext_label), &m, NULL,
                                  NULL), -1);
}

static void test_pointer_loops(void **state)
{
    /* Question name = pointer to itself (offset 12). */
    static const uint8_t self[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
    };
    /* Question name = label "a" then a pointer back to that label. */
    static const uint8_t loop[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        0x01, 'a', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
    };
    /* Question name = pointer forward to offset 18 ("a"). */
    static const uint8_t forward[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        0xc0, 0x12, 0x00, 0x01, 0x00, 0x01, 0x01, 'a', 0x00,
    };
    /* Question name = pointer beyond the message (offset 0x3fff). */
    static const uint8_t outside[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0x00, 0x01, 0x00, 0x01,
    };
    struct sx_dns_msg m;

    (void)state;
    assert_int_equal(sx_dns_parse(self, sizeof(self), &m, NULL, NULL), -1);
    assert_int_equal(sx_dns_parse(loop, sizeof(loop), &m, NULL, NULL), -1);
    assert_int_equal(sx_dns_parse(forward, sizeof(forward), &m, NULL, NULL),
                     -1);
    assert_int_equal(sx_dns_parse(outside, sizeof(outside), &m, NULL, NULL),
                     -1);
}

/*
 * Build: header (qd 1, an 2), question "" A, a TXT answer whose rdata is
 * a chain of `links` pointers (the first to the root name at offset 12,
 * each next to the one before), then an A answer for 10.0.0.1 whose
 * owner points at the last link.  Resolving that owner takes links + 1
 * jumps.
 */
static size_t build_chain(int links)
{
    static const uint8_t head[] = {
        0, 1, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0, 0, 0, 0,
        0x00, 0x00, 0x01, 0x00, 0x01,
    };
    size_t n = sizeof(head), prev = 12, rdlen = (size_t)links * 2;

    memcpy(msg_buf, head, n);
    /* TXT answer: owner root, type 16, class IN, TTL 0, rdlength. */
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x10;
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x01;
    memset(msg_buf + n, 0, 4);
    n += 4;
    msg_buf[n++] = (uint8_t)(rdlen >> 8);
    msg_buf[n++] = (uint8_t)rdlen;
    for (int i = 0; i < links; i++) {
        msg_buf[n] = (uint8_t)(0xc0 | (prev >> 8));
        msg_buf[n + 1] = (uint8_t)prev;
        prev = n;
        n += 2;
    }
    /* A answer: owner -> last link, type A, class IN, TTL 0, 10.0.0.1. */
    msg_buf[n++] = (uint8_t)(0xc0 | (prev >> 8));
    msg_buf[n++] = (uint8_t)prev;
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x01;
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x01;
    memset(msg_buf + n, 0, 4);
    n += 4;
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x04;
    msg_buf[n++] = 10;
    msg_buf[n++] = 0;
    msg_buf[n++] = 0;
    msg_buf[n++] = 1;
    return n;
}

static void test_pointer_chain_cap(void **state)
{
    struct sx_dns_msg m;
    struct seen s = {0};
    size_t n;

    (void)state;
    /* 63 links + the owner's own pointer: 64 jumps, allowed. */
    n = build_chain(63);
    assert_int_equal(sx_dns_parse(msg_buf, n, &m, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.rr[0].owner, "");
    assert_int_equal(s.rr[0].addr[0], 10);

    /* 64 links: 65 jumps, the owner is refused and the walk stops. */
    memset(&s, 0, sizeof(s));
    n = build_chain(64);
    assert_int_equal(sx_dns_parse(msg_buf, n, &m, collect, &s), 0);
    assert_true(m.has_name);
    assert_int_equal(s.n, 0);
}

/* Build a query whose name is `labels` labels of `len` bytes ('x'),
 * then one of `last` bytes ('y') when `last` is not 0. */
static size_t build_long_name(int labels, int len, int last)
{
    static const uint8_t head[] = {
        0, 1, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
    };
    size_t n = sizeof(head);

    memcpy(msg_buf, head, n);
    for (int i = 0; i < labels; i++) {
        msg_buf[n++] = (uint8_t)len;
        memset(msg_buf + n, 'x', (size_t)len);
        n += (size_t)len;
    }
    if (last > 0) {
        msg_buf[n++] = (uint8_t)last;
        memset(msg_buf + n, 'y', (size_t)last);
        n += (size_t)last;
    }
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x01;
    msg_buf[n++] = 0x00;
    msg_buf[n++] = 0x01;
    return n;
}

static void test_name_length_cap(void **state)
{
    struct sx_dns_msg m;
    size_t n;

    (void)state;
    /* 3 x 63 + 61: exactly 255 bytes in wire form, 253 as text. */
    n = build_long_name(3, 63, 61);
    assert_int_equal(sx_dns_parse(msg_buf, n, &m, NULL, NULL), 0);
    assert_int_equal(strlen(m.name), 253);
    assert_int_equal(m.name[252], 'y');

    /* 3 x 63 + 62: 256 bytes, one too many. */
    n = build_long_name(3, 63, 62);
    assert_int_equal(sx_dns_parse(msg_buf, n, &m, NULL, NULL), -1);

    /* 4 x 63: 257 bytes. */
    n = build_long_name(4, 63, 0);
    assert_int_equal(sx_dns_parse(msg_buf, n, &m, NULL, NULL), -1);
}

static void test_hostile_counts(void **state)
{
    /* Response claiming 65535 of every section, holding one question
     * (a A) and one answer (a A 10.0.0.1). */
    static const uint8_t h[] = {
        0, 1, 0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x01, 'a', 0x00, 0x00, 0x01, 0x00, 0x01,
        0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
        0x00, 0x04, 10, 0, 0, 1,
    };
    struct sx_dns_msg m;
    struct seen s = {0};

    (void)state;
    assert_int_equal(sx_dns_parse(h, sizeof(h), &m, collect, &s), 0);
    assert_string_equal(m.name, "a");
    assert_int_equal(s.n, 0);   /* the answer was read as a question */

    /* The same with qd 1: now the record is an answer; the walk ends
     * with the data, not with the counts. */
    memcpy(msg_buf, h, sizeof(h));
    msg_buf[4] = 0;
    msg_buf[5] = 1;
    assert_int_equal(sx_dns_parse(msg_buf, sizeof(h), &m, collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.rr[0].addr[3], 1);
}

static void test_bad_rdata_skipped(void **state)
{
    /* Response qd 0 an 2: "a" A with a 5-byte rdata (skipped), then
     * "a" A 10.0.0.2. */
    static const uint8_t r[] = {
        0, 1, 0x81, 0x80, 0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0,
        0x01, 'a', 0x00, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0,
        0x00, 0x05, 10, 0, 0, 9, 9,
        0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 0,
        0x00, 0x04, 10, 0, 0, 2,
    };
    struct sx_dns_msg m;
    struct seen s = {0};

    (void)state;
    assert_int_equal(sx_dns_parse(r, sizeof(r), &m, collect, &s), 0);
    assert_string_equal(m.name, "a");
    assert_int_equal(m.qtype, 1);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.rr[0].addr[3], 2);
}

static void test_type_names(void **state)
{
    char buf[16];

    (void)state;
    assert_string_equal(sx_dns_type_name(1, buf), "A");
    assert_string_equal(sx_dns_type_name(28, buf), "AAAA");
    assert_string_equal(sx_dns_type_name(65, buf), "HTTPS");
    assert_string_equal(sx_dns_type_name(255, buf), "ANY");
    assert_string_equal(sx_dns_type_name(999, buf), "TYPE999");
    assert_string_equal(sx_dns_type_name(65535, buf), "TYPE65535");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_no_question_ptr_srv),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_root_and_odd_bytes),
        cmocka_unit_test(test_pointer_loops),
        cmocka_unit_test(test_pointer_chain_cap),
        cmocka_unit_test(test_name_length_cap),
        cmocka_unit_test(test_hostile_counts),
        cmocka_unit_test(test_bad_rdata_skipped),
        cmocka_unit_test(test_type_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
