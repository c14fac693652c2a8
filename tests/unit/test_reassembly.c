/*
 * test_reassembly.c - application data over TCP, read from a capture.
 * A ClientHello spread over TCP segments: the server name is learned
 * from the segments in sequence order, and a lost, reordered or
 * retransmitted segment never turns later application data into hello
 * bytes (RFC 9293 3.4, sequence numbers).  An HTTP request path too long
 * to keep is cut and marked, never passed off as the whole path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sigext/sigext.h"

#define CLIENT 0x0a000001u      /* 10.0.0.1 */
#define SERVER 0x09090909u      /* 9.9.9.9 */
#define SEQ0 1000u
#define NAME "big.example.com"

struct pcap {
    FILE *fp;
    char path[64];
    uint32_t usec;
};

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static void pcap_open(struct pcap *pc)
{
    /* Classic pcap, little-endian, LINKTYPE_RAW (101). */
    static const uint8_t hdr[24] = {
        0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0, 0, 101, 0, 0, 0,
    };
    int fd;

    snprintf(pc->path, sizeof(pc->path), "/tmp/sigext-test-tls-XXXXXX");
    fd = mkstemp(pc->path);
    assert_true(fd >= 0);
    pc->fp = fdopen(fd, "wb");
    assert_non_null(pc->fp);
    assert_int_equal(fwrite(hdr, 1, sizeof(hdr), pc->fp), sizeof(hdr));
    pc->usec = 0;
}

/* One TCP segment with PSH|ACK, `from_client` choosing the direction. */
static void segment(struct pcap *pc, bool from_client, uint32_t seq,
                    const uint8_t *data, size_t len)
{
    uint8_t f[20 + 20 + 4096] = {0};
    uint8_t rec[16];
    size_t n = 40 + len;
    uint32_t le[4] = {1700000000u, pc->usec += 10000, (uint32_t)n,
                      (uint32_t)n};

    assert_true(len <= 4096);
    f[0] = 0x45;
    put16(f + 2, (uint32_t)n);
    f[8] = 64;
    f[9] = 6;
    put32(f + 12, from_client ? CLIENT : SERVER);
    put32(f + 16, from_client ? SERVER : CLIENT);
    put16(f + 20, from_client ? 40000 : 443);
    put16(f + 22, from_client ? 443 : 40000);
    put32(f + 24, seq);
    put32(f + 28, 1);
    f[32] = 5 << 4;
    f[33] = 0x18;
    put16(f + 34, 65535);
    memcpy(f + 40, data, len);
    for (int i = 0; i < 4; i++) {
        rec[4 * i] = (uint8_t)le[i];
        rec[4 * i + 1] = (uint8_t)(le[i] >> 8);
        rec[4 * i + 2] = (uint8_t)(le[i] >> 16);
        rec[4 * i + 3] = (uint8_t)(le[i] >> 24);
    }
    assert_int_equal(fwrite(rec, 1, 16, pc->fp), 16);
    assert_int_equal(fwrite(f, 1, n, pc->fp), n);
}

/*
 * A ClientHello of `*len` bytes (RFC 8446 4.1.2) with a 1,500-byte
 * padding extension (RFC 7685), the server_name extension before it
 * (`sni_first`) or after it.
 */
static uint8_t *client_hello(bool sni_first, size_t *len)
{
    static uint8_t b[2048];
    size_t name = strlen(NAME), pad = 1500, n = 0, ext_at, sni_at;

    memset(b, 0, sizeof(b));
    b[n++] = 22;                        /* record: handshake, TLS 1.0 */
    b[n++] = 3;
    b[n++] = 1;
    n += 2;                             /* record length, below */
    b[n++] = 1;                         /* ClientHello */
    n += 3;                             /* handshake length, below */
    b[n++] = 3;                         /* legacy_version TLS 1.2 */
    b[n++] = 3;
    n += 32;                            /* random */
    b[n++] = 0;                         /* legacy_session_id */
    put16(b + n, 2);                    /* one cipher suite */
    b[n + 2] = 0x13;
    b[n + 3] = 0x01;
    n += 4;
    b[n++] = 1;                         /* compression: null */
    b[n++] = 0;
    ext_at = n;
    n += 2;
    sni_at = sni_first ? n : n + 4 + pad;
    size_t pad_at = sni_first ? n + 9 + name : n;
    put16(b + sni_at, 0);               /* server_name (RFC 6066 3) */
    put16(b + sni_at + 2, (uint32_t)(5 + name));
    put16(b + sni_at + 4, (uint32_t)(3 + name));
    b[sni_at + 6] = 0;                  /* host_name */
    put16(b + sni_at + 7, (uint32_t)name);
    memcpy(b + sni_at + 9, NAME, name);
    put16(b + pad_at, 21);              /* padding */
    put16(b + pad_at + 2, (uint32_t)pad);
    n += 9 + name + 4 + pad;
    put16(b + ext_at, (uint32_t)(n - ext_at - 2));
    put16(b + 3, (uint32_t)(n - 5));
    b[6] = (uint8_t)((n - 9) >> 16);
    put16(b + 7, (uint32_t)(n - 9));
    *len = n;
    return b;
}

static const uint8_t app_data[] = {
    23, 3, 3, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8,
};

/* Close and read the capture with its records kept; the file is gone
 * after. */
static sigext_trace *read_pcap(struct pcap *pc, sigext_ctx **ctx)
{
    sigext_options opt;
    sigext_trace *t = NULL;

    assert_int_equal(fclose(pc->fp), 0);
    sigext_options_init(&opt);
    opt.keep_records = true;
    *ctx = sigext_ctx_new(&opt);
    assert_non_null(*ctx);
    assert_int_equal(sigext_trace_read(*ctx, pc->path, &t), SIGEXT_OK);
    unlink(pc->path);
    return t;
}

/* Read the capture; return how many records were kept and how many of
 * them go to the server under its name. */
static size_t read_back(struct pcap *pc, size_t *named)
{
    sigext_ctx *ctx;
    sigext_trace *t = read_pcap(pc, &ctx);
    size_t n = sigext_trace_record_count(t);

    *named = 0;
    for (size_t i = 0; i < n; i++) {
        const sigext_record *r = &sigext_trace_records(t)[i];
        const sigext_host *h = sigext_resolve(ctx, t, r->dst);
        if (strcmp(h->text, NAME) == 0)
            (*named)++;
    }
    sigext_trace_free(t);
    sigext_ctx_free(ctx);
    return n;
}

/* The whole hello in two segments and data after it; between the two,
 * the server's data, or the first segment again (`again`).  Returns how
 * many records were kept. */
static size_t whole_hello(bool again, size_t *named)
{
    struct pcap pc;
    size_t len;
    const uint8_t *h = client_hello(false, &len);

    pcap_open(&pc);
    segment(&pc, true, SEQ0, h, 1000);
    if (again)
        segment(&pc, true, SEQ0, h, 1000);
    else
        segment(&pc, false, 5000, app_data, sizeof(app_data));
    segment(&pc, true, SEQ0 + 1000, h + 1000, len - 1000);
    segment(&pc, true, SEQ0 + (uint32_t)len, app_data, sizeof(app_data));
    return read_back(&pc, named);
}

/* In order, with the server's data in between: the name is learned from
 * the whole hello, whose last segment is kept. */
static void test_in_order(void **state)
{
    size_t named;

    (void)state;
    assert_int_equal(whole_hello(false, &named), 3);
    assert_int_equal(named, 2);
}

/* A retransmitted first segment is dropped; the hello still completes. */
static void test_retransmission(void **state)
{
    size_t named;

    (void)state;
    assert_int_equal(whole_hello(true, &named), 2);
    assert_int_equal(named, 2);
}

/* The hello's first segment, its second lost, then `n` segments of
 * application data; returns how many records were kept. */
static size_t lost_second(bool sni_first, uint32_t n, size_t *named)
{
    struct pcap pc;
    size_t len;
    const uint8_t *h = client_hello(sni_first, &len);

    pcap_open(&pc);
    segment(&pc, true, SEQ0, h, 1000);
    for (uint32_t i = 0; i < n; i++)
        segment(&pc, true, SEQ0 + (uint32_t)len + i * sizeof(app_data),
                app_data, sizeof(app_data));
    return read_back(&pc, named);
}

/* The hello's second segment is lost: the data after the gap is kept,
 * not taken for the rest of the hello. */
static void test_lost_segment(void **state)
{
    size_t named;

    (void)state;
    assert_int_equal(lost_second(false, 5, &named), 5);
    assert_int_equal(named, 0);
}

/* Lost too, but the first segment held the whole server_name: the name
 * is learned from it. */
static void test_lost_segment_name_first(void **state)
{
    size_t named;

    (void)state;
    assert_int_equal(lost_second(true, 3, &named), 3);
    assert_int_equal(named, 3);
}

/* The app of the one record `pc` holds, its uri copied to `uri`. */
static void first_uri(struct pcap *pc, char *uri, size_t size)
{
    sigext_ctx *ctx;
    sigext_trace *t = read_pcap(pc, &ctx);
    const sigext_record *r;

    assert_int_equal(sigext_trace_record_count(t), 1);
    r = &sigext_trace_records(t)[0];
    assert_non_null(r->app);
    assert_non_null(r->app->uri);
    snprintf(uri, size, "%s", r->app->uri);
    sigext_trace_free(t);
    sigext_ctx_free(ctx);
}

/* A request for a path of `plen` bytes of 'a' after "/". */
static void long_get(size_t plen, char *uri, size_t size)
{
    static char req[4096];
    struct pcap pc;
    size_t n;

    assert_true(plen + 32 < sizeof(req));
    n = (size_t)snprintf(req, sizeof(req), "GET /");
    memset(req + n, 'a', plen);
    n += plen;
    n += (size_t)snprintf(req + n, sizeof(req) - n, " HTTP/1.1\r\n\r\n");
    pcap_open(&pc);
    segment(&pc, true, SEQ0, (const uint8_t *)req, n);
    first_uri(&pc, uri, size);
}

/* 1,022 bytes are kept as they are; one more and the path is cut there
 * and ends in '*', as a cut query does. */
static void test_long_http_path(void **state)
{
    static char uri[4096];

    (void)state;
    long_get(1021, uri, sizeof(uri));
    assert_int_equal(strlen(uri), 1022);
    assert_int_equal(uri[1021], 'a');
    long_get(1022, uri, sizeof(uri));
    assert_int_equal(strlen(uri), 1023);
    assert_int_equal(uri[1021], 'a');
    assert_int_equal(uri[1022], '*');
    long_get(3000, uri, sizeof(uri));
    assert_int_equal(strlen(uri), 1023);
    assert_int_equal(uri[1022], '*');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_retransmission),
        cmocka_unit_test(test_lost_segment),
        cmocka_unit_test(test_lost_segment_name_first),
        cmocka_unit_test(test_long_http_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
