/*
 * test_capture.c - capture reader: pcap through libpcap, our pcapng reader.
 *
 * Files are built from bytes in a temporary file (draft-ietf-opsawg-pcap,
 * draft-ietf-opsawg-pcapng), then read back through sx_capture_*.  The
 * last tests read the shared sample traces when they are present.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/capture.h"

/* ---- temporary files ---- */

static char *write_tmp(const void *bytes, size_t n)
{
    const char *dir = getenv("TMPDIR");
    char *path;
    int fd;

    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    path = malloc(strlen(dir) + sizeof("/sx_capture_XXXXXX"));
    assert_non_null(path);
    sprintf(path, "%s/sx_capture_XXXXXX", dir);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, n), (ssize_t)n);
    close(fd);
    return path;
}

static void drop_tmp(char *path)
{
    unlink(path);
    free(path);
}

/* ---- a pcapng writer, in either byte order ---- */

struct ng {
    uint8_t *b;
    size_t n;
    size_t cap;
    int be;
    size_t block;               /* offset of the open block */
};

static void put8(struct ng *g, uint8_t v)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->b = realloc(g->b, g->cap);
        assert_non_null(g->b);
    }
    g->b[g->n++] = v;
}

static void put16(struct ng *g, uint16_t v)
{
    put8(g, (uint8_t)(g->be ? v >> 8 : v));
    put8(g, (uint8_t)(g->be ? v : v >> 8));
}

static void put32(struct ng *g, uint32_t v)
{
    put16(g, (uint16_t)(g->be ? v >> 16 : v));
    put16(g, (uint16_t)(g->be ? v : v >> 16));
}

static void put_bytes(struct ng *g, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(g, ((const uint8_t *)p)[i]);
    while (g->n % 4 != 0)
        put8(g, 0);
}

static void set32(struct ng *g, size_t at, uint32_t v)
{
    size_t save = g->n;

    g->n = at;
    put32(g, v);
    g->n = save;
}

static void block_begin(struct ng *g, uint32_t type)
{
    g->block = g->n;
    put32(g, type);
    put32(g, 0);                /* length, patched by block_end() */
}

static void block_end(struct ng *g)
{
    uint32_t len = (uint32_t)(g->n - g->block + 4);

    set32(g, g->block + 4, len);
    put32(g, len);
}

/* SHB, version 1.0, unknown section length, one shb_userappl option. */
static void ng_shb(struct ng *g, int be)
{
    g->be = be;
    block_begin(g, 0x0A0D0D0A);
    put32(g, 0x1A2B3C4D);
    put16(g, 1);
    put16(g, 0);
    put32(g, 0xffffffff);
    put32(g, 0xffffffff);
    put16(g, 4);                /* shb_userappl */
    put16(g, 4);
    put_bytes(g, "test", 4);
    put16(g, 0);                /* opt_endofopt */
    put16(g, 0);
    block_end(g);
}

/* IDB; tsresol < 0 leaves the default (10^-6), tsoffset 0 omits it. */
static void ng_idb(struct ng *g, uint16_t linktype, uint32_t snaplen,
                   int tsresol, int64_t tsoffset)
{
    block_begin(g, 1);
    put16(g, linktype);
    put16(g, 0);
    put32(g, snaplen);
    put16(g, 2);                /* if_name, to be skipped */
    put16(g, 3);
    put_bytes(g, "et0", 3);
    if (tsresol >= 0) {
        put16(g, 9);
        put16(g, 1);
        put8(g, (uint8_t)tsresol);
        put_bytes(g, "", 0);
    }
    if (tsoffset != 0) {
        /* one 64-bit integer, unlike the split packet timestamps */
        uint64_t u = (uint64_t)tsoffset;

        put16(g, 14);
        put16(g, 8);
        put32(g, (uint32_t)(g->be ? u >> 32 : u));
        put32(g, (uint32_t)(g->be ? u : u >> 32));
    }
    block_end(g);
}

static void ng_epb(struct ng *g, uint32_t ifid, uint64_t ts,
                   const void *data, uint32_t caplen, uint32_t wirelen)
{
    block_begin(g, 6);
    put32(g, ifid);
    put32(g, (uint32_t)(ts >> 32));
    put32(g, (uint32_t)ts);
    put32(g, caplen);
    put32(g, wirelen);
    put_bytes(g, data, caplen);
    block_end(g);
}

static void ng_pb(struct ng *g, uint16_t ifid, uint64_t ts,
                  const void *data, uint32_t caplen, uint32_t wirelen)
{
    block_begin(g, 2);
    put16(g, ifid);
    put16(g, 0);                /* drops count */
    put32(g, (uint32_t)(ts >> 32));
    put32(g, (uint32_t)ts);
    put32(g, caplen);
    put32(g, wirelen);
    put_bytes(g, data, caplen);
    block_end(g);
}

static void ng_spb(struct ng *g, const void *data, uint32_t n,
                   uint32_t wirelen)
{
    block_begin(g, 3);
    put32(g, wirelen);
    put_bytes(g, data, n);
    block_end(g);
}

/* A block we do not interpret (NRB, ISB, custom...). */
static void ng_other(struct ng *g, uint32_t type, size_t bodylen)
{
    block_begin(g, type);
    for (size_t i = 0; i < bodylen; i++)
        put8(g, (uint8_t)(0xA5 ^ i));
    put_bytes(g, "", 0);
    block_end(g);
}

/* ---- reading helpers ---- */

struct rd {
    char *path;
    struct sx_capture *cap;
    char err[256];
};

static int rd_open_bytes(struct rd *r, const void *bytes, size_t n)
{
    r->path = write_tmp(bytes, n);
    r->cap = NULL;
    r->err[0] = '\0';
    return sx_capture_open(r->path, &r->cap, r->err, sizeof(r->err));
}

static void rd_open_ok(struct rd *r, const void *bytes, size_t n)
{
    int rc = rd_open_bytes(r, bytes, n);

    if (rc != SX_CAP_OK)
        print_error("open failed: %d %s\n", rc, r->err);
    assert_int_equal(rc, SX_CAP_OK);
    assert_non_null(r->cap);
}

static void rd_close(struct rd *r)
{
    sx_capture_close(r->cap);
    drop_tmp(r->path);
}

static int rd_next(struct rd *r, struct sx_frame_hdr *h, const uint8_t **d)
{
    r->err[0] = '\0';
    return sx_capture_next(r->cap, h, d, r->err, sizeof(r->err));
}

static void expect_frame(struct rd *r, int64_t sec, uint32_t nsec,
                         uint32_t caplen, uint32_t wirelen, int linktype)
{
    struct sx_frame_hdr h;
    const uint8_t *d;
    int rc = rd_next(r, &h, &d);

    if (rc != SX_CAP_OK)
        print_error("next: %d %s\n", rc, r->err);
    assert_int_equal(rc, SX_CAP_OK);
    assert_int_equal(h.sec, sec);
    assert_int_equal(h.nsec, nsec);
    assert_int_equal(h.caplen, caplen);
    assert_int_equal(h.wirelen, wirelen);
    assert_int_equal(h.linktype, linktype);
}

static void expect_status(struct rd *r, int status, const char *msg_part)
{
    struct sx_frame_hdr h;
    const uint8_t *d;

    assert_int_equal(rd_next(r, &h, &d), status);
    if (msg_part != NULL)
        assert_non_null(strstr(r->err, msg_part));
}

static void expect_open_fail(const void *bytes, size_t n, int status,
                             const char *msg_part)
{
    struct rd r;
    int rc = rd_open_bytes(&r, bytes, n);

    assert_int_equal(rc, status);
    assert_null(r.cap);
    assert_non_null(strstr(r.err, msg_part));
    assert_null(strchr(r.err, '\n'));
    drop_tmp(r.path);
}

/* ---- classic pcap ---- */

/*
 * Little endian, microseconds, LINKTYPE_ETHERNET, snaplen 65535:
 *   frame 1: 1700000000.000001, 4 of 60 bytes "abcd"
 *   frame 2: 1700000001.999999, 2 of 2 bytes "ef"
 */
static const uint8_t pcap_us_le[] = {
    0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, /* magic, v2.4 */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* reserved */
    0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* snaplen, link */
    0x00, 0xf1, 0x53, 0x65, 0x01, 0x00, 0x00, 0x00, /* 1700000000, 1 */
    0x04, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00, /* caplen 4, len 60 */
    'a', 'b', 'c', 'd',
    0x01, 0xf1, 0x53, 0x65, 0x3f, 0x42, 0x0f, 0x00, /* +1 s, 999999 */
    0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    'e', 'f',
};

static void test_pcap_us_le(void **state)
{
    struct sx_frame_hdr h;
    const uint8_t *d;
    struct rd r;

    rd_open_ok(&r, pcap_us_le, sizeof(pcap_us_le));
    assert_int_equal(sx_capture_size(r.cap), sizeof(pcap_us_le));

    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_int_equal(h.sec, 1700000000);
    assert_int_equal(h.nsec, 1000);
    assert_int_equal(h.caplen, 4);
    assert_int_equal(h.wirelen, 60);
    assert_int_equal(h.linktype, 1);
    assert_memory_equal(d, "abcd", 4);

    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_int_equal(h.sec, 1700000001);
    assert_int_equal(h.nsec, 999999000);
    assert_memory_equal(d, "ef", 2);

    expect_status(&r, SX_CAP_EOF, NULL);
    expect_status(&r, SX_CAP_EOF, NULL);
    assert_int_equal(sx_capture_offset(r.cap), sizeof(pcap_us_le));
    rd_close(&r);
}

/*
 * Big endian, nanoseconds, LINKTYPE_RAW (101; libpcap calls it DLT_RAW,
 * 12 on Linux, and we must report 101):
 *   frame 1: 1700000000.123456789, 3 of 3 bytes.
 */
static const uint8_t pcap_ns_be[] = {
    0xa1, 0xb2, 0x3c, 0x4d, 0x00, 0x02, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x65,
    0x65, 0x53, 0xf1, 0x00, 0x07, 0x5b, 0xcd, 0x15, /* .123456789 */
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03,
    0x45, 0x00, 0x00,
};

static void test_pcap_ns_be(void **state)
{
    struct rd r;

    rd_open_ok(&r, pcap_ns_be, sizeof(pcap_ns_be));
    expect_frame(&r, 1700000000, 123456789, 3, 3, 101);
    expect_status(&r, SX_CAP_EOF, NULL);
    rd_close(&r);
}

/* A record header whose fraction is a second or more still normalises. */
static void test_pcap_fraction_overflow(void **state)
{
    uint8_t b[sizeof(pcap_us_le)];
    struct rd r;

    memcpy(b, pcap_us_le, sizeof(b));
    /* frame 1 fraction: 0xffffffff us = 4294 s + 967295 us */
    memset(b + 28, 0xff, 4);
    rd_open_ok(&r, b, sizeof(b));
    expect_frame(&r, 1700000000 + 4294, 967295000, 4, 60, 1);
    rd_close(&r);
}

/* The second record is cut: one frame, then damage, and it sticks. */
static void test_pcap_truncated_record(void **state)
{
    struct rd r;

    rd_open_ok(&r, pcap_us_le, sizeof(pcap_us_le) - 1);
    expect_frame(&r, 1700000000, 1000, 4, 60, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "truncated");
    assert_null(strchr(r.err, '\n'));
    expect_status(&r, SX_CAP_ERR_CORRUPT, "truncated");
    rd_close(&r);
}

static void test_pcap_truncated_header(void **state)
{
    expect_open_fail(pcap_us_le, 23, SX_CAP_ERR_CORRUPT,
                     "truncated pcap file header");
    expect_open_fail(pcap_ns_be, 4, SX_CAP_ERR_CORRUPT,
                     "truncated pcap file header");
}

/* ---- pcapng ---- */

/*
 * Two sections.  The first, little endian, has one Ethernet interface; the
 * second, big endian, one Linux SLL interface.  Interface 0 of the second
 * section is not interface 0 of the first.
 */
static void test_pcapng_two_sections(void **state)
{
    struct ng g = {0};
    struct sx_frame_hdr h;
    const uint8_t *d;
    struct rd r;

    ng_shb(&g, 0);
    ng_idb(&g, 1, 65535, -1, 0);
    ng_epb(&g, 0, 1700000000000001ull, "LE", 2, 2);
    ng_shb(&g, 1);
    ng_idb(&g, 113, 65535, -1, 0);
    ng_epb(&g, 0, 1700000002000002ull, "BIG", 3, 70);

    rd_open_ok(&r, g.b, g.n);
    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_int_equal(h.linktype, 1);
    assert_memory_equal(d, "LE", 2);
    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_int_equal(h.sec, 1700000002);
    assert_int_equal(h.nsec, 2000);
    assert_int_equal(h.caplen, 3);
    assert_int_equal(h.wirelen, 70);
    assert_int_equal(h.linktype, 113);
    assert_memory_equal(d, "BIG", 3);
    expect_status(&r, SX_CAP_EOF, NULL);
    assert_int_equal(sx_capture_offset(r.cap), g.n);
    assert_int_equal(sx_capture_size(r.cap), g.n);
    rd_close(&r);
    free(g.b);
}

/* A new section forgets the interfaces of the previous one. */
static void test_pcapng_section_resets_interfaces(void **state)
{
    struct ng g = {0};
    struct rd r;

    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, -1, 0);
    ng_idb(&g, 1, 0, -1, 0);
    ng_epb(&g, 1, 0, "x", 1, 1);
    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, -1, 0);
    ng_epb(&g, 1, 0, "x", 1, 1);

    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 0, 1, 1, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "interface id 1 out of range");
    rd_close(&r);
    free(g.b);
}

/* Two interfaces of different link types (which libpcap 1.10 refuses). */
static void test_pcapng_mixed_linktypes(void **state)
{
    struct ng g = {0};
    struct rd r;

    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, -1, 0);    /* Ethernet */
    ng_idb(&g, 101, 0, -1, 0);  /* raw IP */
    ng_epb(&g, 0, 1000000, "e", 1, 1);
    ng_epb(&g, 1, 2000000, "r", 1, 1);
    ng_epb(&g, 0, 3000000, "e", 1, 1);

    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 1, 0, 1, 1, 1);
    expect_frame(&r, 2, 0, 1, 1, 101);
    expect_frame(&r, 3, 0, 1, 1, 1);
    expect_status(&r, SX_CAP_EOF, NULL);
    rd_close(&r);
    free(g.b);
}

/*
 * if_tsresol: 10^-9, 2^-10, whole seconds, and extreme resolutions that
 * no clock has but a file can claim; if_tsoffset is added to all.
 */
static void test_pcapng_tsresol(void **state)
{
    struct ng g = {0};
    struct rd r;

    ng_shb(&g, 1);
    ng_idb(&g, 1, 0, 9, 0);             /* if 0: 10^-9 */
    ng_idb(&g, 1, 0, 0x80 | 10, 0);     /* if 1: 2^-10 */
    ng_idb(&g, 1, 0, 0, -100);          /* if 2: 1 s, offset -100 s */
    ng_idb(&g, 1, 0, 0x80 | 80, 0);     /* if 3: 2^-80 */
    ng_idb(&g, 1, 0, 25, 0);            /* if 4: 10^-25 */
    ng_idb(&g, 1, 0, 19, 7);            /* if 5: 10^-19, offset +7 s */
    ng_idb(&g, 1, 0, 0x80 | 64, 0);     /* if 6: 2^-64 */
    ng_idb(&g, 1, 0, 0, 1);             /* if 7: 1 s, offset +1 s */
    ng_epb(&g, 0, 1700000000123456789ull, "", 0, 0);
    ng_epb(&g, 1, (5ull << 10) + 512, "", 0, 0);
    ng_epb(&g, 1, (5ull << 10) + 1, "", 0, 0);
    ng_epb(&g, 2, 1234, "", 0, 0);
    ng_epb(&g, 3, UINT64_MAX, "", 0, 0);
    ng_epb(&g, 4, UINT64_MAX, "", 0, 0);
    ng_epb(&g, 5, UINT64_MAX, "", 0, 0);
    ng_epb(&g, 6, UINT64_MAX, "", 0, 0);
    ng_epb(&g, 7, UINT64_MAX, "", 0, 0);

    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 1700000000, 123456789, 0, 0, 1);
    expect_frame(&r, 5, 500000000, 0, 0, 1);
    /* 1/1024 s = 976562.5 ns, truncated */
    expect_frame(&r, 5, 976562, 0, 0, 1);
    expect_frame(&r, 1134, 0, 0, 0, 1);
    /* (2^64 - 1) / 2^80 s = 15258.79 ns */
    expect_frame(&r, 0, 15258, 0, 0, 1);
    /* (2^64 - 1) / 10^25 s = 1844.67 ns */
    expect_frame(&r, 0, 1844, 0, 0, 1);
    /* 1.8446744073709551615 s */
    expect_frame(&r, 1 + 7, 844674407, 0, 0, 1);
    /* 0.99999999999999999995 s */
    expect_frame(&r, 0, 999999999, 0, 0, 1);
    /* seconds beyond int64 saturate rather than wrap */
    expect_frame(&r, INT64_MAX, 0, 0, 0, 1);
    expect_status(&r, SX_CAP_EOF, NULL);
    rd_close(&r);
    free(g.b);
}

/*
 * if_tsoffset is one 64-bit integer in the section's byte order, not two
 * halves like the packet timestamp: in a little-endian section its low
 * half comes first.
 */
static void test_pcapng_tsoffset_le(void **state)
{
    struct ng g = {0};
    struct rd r;

    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, 9, -100);
    ng_idb(&g, 1, 0, 6, 0x200000005ll);         /* 2^33 + 5 */
    ng_epb(&g, 0, 1000000000123ull, "", 0, 0);  /* 1000.000000123 s */
    ng_epb(&g, 1, 1000000, "", 0, 0);           /* 1 s */

    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 900, 123, 0, 0, 1);
    expect_frame(&r, 0x200000006ll, 0, 0, 0, 1);
    expect_status(&r, SX_CAP_EOF, NULL);
    rd_close(&r);
    free(g.b);
}

/*
 * SPB: interface 0, caplen = min(original length, snaplen), previous
 * timestamp.  Obsolete PB: like an EPB.  Unknown blocks are skipped.
 */
static void test_pcapng_spb_pb(void **state)
{
    struct ng g = {0};
    struct sx_frame_hdr h;
    const uint8_t *d;
    struct rd r;

    ng_shb(&g, 0);
    ng_idb(&g, 228, 4, -1, 0);  /* IPv4, snaplen 4 */
    ng_other(&g, 4, 20);        /* name resolution block */
    ng_spb(&g, "abcdefgh", 8, 8);       /* no frame before: time 0 */
    ng_pb(&g, 0, 7000001, "ijk", 3, 9);
    ng_other(&g, 5, 24);        /* interface statistics block */
    ng_spb(&g, "lmnopq", 6, 6);         /* cut to snaplen 4 */
    ng_spb(&g, "rs", 2, 2);
    ng_spb(&g, "tu", 2, 900);   /* original length beyond the block */
    ng_other(&g, 0x00000BAD, 3);        /* custom block */

    rd_open_ok(&r, g.b, g.n);
    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_int_equal(h.caplen, 4);
    assert_int_equal(h.wirelen, 8);
    assert_int_equal(h.sec, 0);
    assert_memory_equal(d, "abcd", 4);
    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_memory_equal(d, "ijk", 3);
    assert_int_equal(h.sec, 7);
    assert_int_equal(h.nsec, 1000);
    assert_int_equal(h.linktype, 228);
    expect_frame(&r, 7, 1000, 4, 6, 228);
    expect_frame(&r, 7, 1000, 2, 2, 228);
    /* the block holds 2 bytes and 2 of padding */
    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_int_equal(h.wirelen, 900);
    assert_int_equal(h.caplen, 4);
    assert_memory_equal(d, "tu", 2);
    expect_status(&r, SX_CAP_EOF, NULL);
    rd_close(&r);
    free(g.b);
}

/* A packet larger than the reader's initial buffer. */
static void test_pcapng_big_block(void **state)
{
    enum { BIG = 1000 * 1000 };
    struct ng g = {0};
    uint8_t *pkt = malloc(BIG);
    struct sx_frame_hdr h;
    const uint8_t *d;
    struct rd r;

    assert_non_null(pkt);
    for (size_t i = 0; i < BIG; i++)
        pkt[i] = (uint8_t)(i * 7);
    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, -1, 0);
    ng_epb(&g, 0, 1, "small", 5, 5);
    ng_epb(&g, 0, 2, pkt, BIG, BIG);
    ng_epb(&g, 0, 3, "small", 5, 5);

    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 1000, 5, 5, 1);
    assert_int_equal(rd_next(&r, &h, &d), SX_CAP_OK);
    assert_int_equal(h.caplen, BIG);
    assert_memory_equal(d, pkt, BIG);
    expect_frame(&r, 0, 3000, 5, 5, 1);
    expect_status(&r, SX_CAP_EOF, NULL);
    rd_close(&r);
    free(g.b);
    free(pkt);
}

/* Damage after a good frame: the frame comes out, then CORRUPT. */
static void test_pcapng_bad_block_length(void **state)
{
    struct ng g = {0};
    struct rd r;
    size_t at, idb;

    ng_shb(&g, 0);
    idb = g.n;
    ng_idb(&g, 1, 0, -1, 0);
    ng_epb(&g, 0, 0, "ok", 2, 2);
    at = g.n;
    ng_epb(&g, 0, 0, "bad", 3, 3);
    set32(&g, at + 4, 21);

    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 0, 2, 2, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT,
                  "block length 21 is not a multiple of 4");
    assert_string_equal(r.err, "block length 21 is not a multiple of 4");
    expect_status(&r, SX_CAP_ERR_CORRUPT, "not a multiple of 4");
    rd_close(&r);

    set32(&g, at + 4, 8);
    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 0, 2, 2, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "block length 8 is shorter");
    rd_close(&r);

    set32(&g, at + 4, 0x7ffffff0);
    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 0, 2, 2, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "exceeds the limit");
    rd_close(&r);

    /* leading length fine, trailing length different */
    set32(&g, at + 4, (uint32_t)(g.n - at));
    set32(&g, g.n - 4, 40);
    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 0, 2, 2, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "trailing length 40");
    rd_close(&r);

    /* damage before any frame fails open() */
    set32(&g, idb + 4, 22);
    expect_open_fail(g.b, g.n, SX_CAP_ERR_CORRUPT,
                     "block length 22 is not a multiple of 4");
    free(g.b);
}

static void test_pcapng_packet_before_idb(void **state)
{
    struct ng g = {0};
    struct rd r;

    ng_shb(&g, 0);
    ng_epb(&g, 0, 0, "AAAA", 4, 4);
    expect_open_fail(g.b, g.n, SX_CAP_ERR_CORRUPT,
                     "packet block before any interface description block");
    free(g.b);

    /* the same in a second section is found by next() */
    memset(&g, 0, sizeof(g));
    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, -1, 0);
    ng_epb(&g, 0, 0, "A", 1, 1);
    ng_shb(&g, 1);
    ng_spb(&g, "B", 1, 1);
    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 0, 1, 1, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT,
                  "packet block before any interface description block");
    rd_close(&r);
    free(g.b);
}

static void test_pcapng_bad_packet_fields(void **state)
{
    struct ng g = {0};
    struct rd r;
    size_t at;

    ng_shb(&g, 1);
    ng_idb(&g, 1, 0, -1, 0);
    ng_epb(&g, 0, 0, "ok", 2, 2);
    ng_epb(&g, 3, 0, "ok", 2, 2);
    rd_open_ok(&r, g.b, g.n);
    expect_frame(&r, 0, 0, 2, 2, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT,
                  "interface id 3 out of range (1 interfaces)");
    rd_close(&r);
    free(g.b);

    /* caplen 5 in a body with room for 4 */
    memset(&g, 0, sizeof(g));
    ng_shb(&g, 1);
    ng_idb(&g, 1, 0, -1, 0);
    at = g.n;
    ng_epb(&g, 0, 0, "four", 4, 4);
    set32(&g, at + 8 + 12, 5);
    rd_open_ok(&r, g.b, g.n);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "captured length 5 exceeds");
    rd_close(&r);
    free(g.b);

    /* an if_tsresol of the wrong size */
    memset(&g, 0, sizeof(g));
    ng_shb(&g, 0);
    at = g.n;
    ng_idb(&g, 1, 0, 6, 0);
    g.b[at + 8 + 8 + 8 + 2] = 2;        /* option length 1 -> 2 */
    expect_open_fail(g.b, g.n, SX_CAP_ERR_CORRUPT, "if_tsresol");
    free(g.b);
}

/* Cut inside the second packet block, then inside its header. */
static void test_pcapng_truncated_block(void **state)
{
    struct ng g = {0};
    struct rd r;
    size_t at;

    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, -1, 0);
    ng_epb(&g, 0, 0, "first", 5, 5);
    at = g.n;
    ng_epb(&g, 0, 0, "second", 6, 6);

    rd_open_ok(&r, g.b, g.n - 5);
    expect_frame(&r, 0, 0, 5, 5, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "truncated block at end of file");
    rd_close(&r);

    rd_open_ok(&r, g.b, at + 3);
    expect_frame(&r, 0, 0, 5, 5, 1);
    expect_status(&r, SX_CAP_ERR_CORRUPT, "truncated block header");
    assert_int_equal(sx_capture_offset(r.cap), at);
    rd_close(&r);
    free(g.b);
}

/* A section header and nothing else is a valid, empty capture. */
static void test_pcapng_no_interfaces(void **state)
{
    struct ng g = {0};
    struct rd r;

    ng_shb(&g, 1);
    rd_open_ok(&r, g.b, g.n);
    expect_status(&r, SX_CAP_EOF, NULL);
    rd_close(&r);
    free(g.b);
}

static void test_pcapng_bad_header(void **state)
{
    struct ng g = {0};

    ng_shb(&g, 0);
    g.b[12] = 2;                /* major version 2 */
    expect_open_fail(g.b, g.n, SX_CAP_ERR_CORRUPT,
                     "unsupported pcapng version 2.0");
    g.b[12] = 1;
    g.b[8] = 0;                 /* byte-order magic */
    expect_open_fail(g.b, g.n, SX_CAP_ERR_CORRUPT, "byte-order magic");
    expect_open_fail(g.b, 10, SX_CAP_ERR_CORRUPT, "truncated");
    free(g.b);
}

/* ---- not captures, or not there ---- */

static void test_not_a_capture(void **state)
{
    static const uint8_t three[] = {0xd4, 0xc3, 0xb2};
    static const char text[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    uint8_t junk[4096];
    uint32_t x = 2463534242u;

    expect_open_fail("", 0, SX_CAP_ERR_FORMAT, "empty file");
    expect_open_fail(three, sizeof(three), SX_CAP_ERR_FORMAT,
                     "not a pcap or pcapng file");
    expect_open_fail(text, sizeof(text) - 1, SX_CAP_ERR_FORMAT,
                     "not a pcap or pcapng file");

    /* xorshift32 garbage; its first word is not a magic number */
    for (size_t i = 0; i < sizeof(junk); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk[i] = (uint8_t)x;
    }
    junk[0] = 0x42;
    expect_open_fail(junk, sizeof(junk), SX_CAP_ERR_FORMAT,
                     "not a pcap or pcapng file");
}

/*
 * Garbage behind a valid header: every byte of a small pcapng file
 * flipped in turn.  Whatever the status, nothing may crash (the sanitizer
 * build checks the rest) and a failure must say why.
 */
static void test_pcapng_mutations(void **state)
{
    struct ng g = {0};

    ng_shb(&g, 0);
    ng_idb(&g, 1, 0, 9, 5);
    ng_epb(&g, 0, 12345, "payload", 7, 7);
    ng_spb(&g, "simple", 6, 6);
    ng_pb(&g, 0, 1, "old", 3, 3);

    for (size_t i = 0; i < g.n; i++) {
        struct sx_frame_hdr h;
        const uint8_t *d;
        struct rd r;
        int rc, frames = 0;

        g.b[i] ^= 0x5a;
        rc = rd_open_bytes(&r, g.b, g.n);
        if (rc == SX_CAP_OK) {
            while ((rc = rd_next(&r, &h, &d)) == SX_CAP_OK) {
                assert_true(h.nsec < 1000000000u);
                frames++;
            }
            sx_capture_close(r.cap);
        }
        assert_true(rc == SX_CAP_EOF || rc == SX_CAP_ERR_CORRUPT ||
                    rc == SX_CAP_ERR_FORMAT);
        if (rc < 0)
            assert_true(r.err[0] != '\0');
        assert_true(frames <= 3);
        drop_tmp(r.path);
        g.b[i] ^= 0x5a;
    }
    free(g.b);
}

static void test_io_errors(void **state)
{
    struct sx_capture *cap = (struct sx_capture *)1;
    char err[256];
    char *path;

    assert_int_equal(sx_capture_open("/nonexistent/sigext.pcap", &cap, err,
                                     sizeof(err)),
                     SX_CAP_ERR_IO);
    assert_null(cap);
    assert_string_equal(err, strerror(ENOENT));

    assert_int_equal(sx_capture_open("/", &cap, err, sizeof(err)),
                     SX_CAP_ERR_IO);
    assert_string_equal(err, strerror(EISDIR));

    /* root reads anything, so EACCES is only testable for others */
    if (geteuid() == 0)
        return;
    path = write_tmp(pcap_us_le, sizeof(pcap_us_le));
    chmod(path, 0);
    assert_int_equal(sx_capture_open(path, &cap, err, sizeof(err)),
                     SX_CAP_ERR_IO);
    assert_string_equal(err, strerror(EACCES));
    drop_tmp(path);
}

/* ---- the shared sample traces ---- */

struct sample {
    const char *name;
    int open_status;
    long frames;
    int end_status;
    const char *msg;            /* part of the error message, if any */
};

/*
 * Frame counts measured with Wireshark 4.0 on Debian 12:
 *     capinfos -c -M FILE
 * (and, for every frame, `tshark -r FILE -T fields -e frame.time_epoch
 * -e frame.cap_len -e frame.len` matched this reader's output).  capinfos
 * reports the four unreadable hostile files as "cut short" or "damaged";
 * libpcap/tcpdump refuse them at open time, and so do we.
 */
static const struct sample samples[] = {
    {"formats/pcpp_many_interfaces-1.pcapng", SX_CAP_OK, 64, SX_CAP_EOF,
     NULL},
    {"formats/pcpp_nanosecs_big_endian.pcap", SX_CAP_OK, 10, SX_CAP_EOF,
     NULL},
    {"formats/pcpp_pcapng-example.pcapng", SX_CAP_OK, 159, SX_CAP_EOF,
     NULL},
    {"formats/tcpdump_tcp-handshake-nano.pcap", SX_CAP_OK, 3, SX_CAP_EOF,
     NULL},
    {"hostile/libpcap_pcap-empty-file.pcap", SX_CAP_ERR_FORMAT, 0, 0,
     "empty file"},
    {"hostile/libpcap_pcap-truncated-hdr-23.pcap", SX_CAP_ERR_CORRUPT, 0, 0,
     "truncated pcap file header"},
    {"hostile/libpcap_pcapng-block-len-not-mult4.pcapng", SX_CAP_ERR_CORRUPT,
     0, 0, "block length 21 is not a multiple of 4"},
    {"hostile/libpcap_pcapng-packet-before-idb.pcapng", SX_CAP_ERR_CORRUPT,
     0, 0, "packet block before any interface description block"},
    {"hostile/ndpi_dhcp-fuzz.pcapng", SX_CAP_OK, 1, SX_CAP_EOF, NULL},
    {"hostile/pcapfuzzer_dns-xiaomi.tweak.pcap", SX_CAP_OK, 4, SX_CAP_EOF,
     NULL},
    {"hostile/tcpdump_dns-zlip-1.pcap", SX_CAP_OK, 1, SX_CAP_EOF, NULL},
    {"hostile/tcpdump_udp-length-heapoverflow.pcap", SX_CAP_OK, 1,
     SX_CAP_EOF, NULL},
    {"linktypes/pcpp_null_loopback.pcap", SX_CAP_OK, 3, SX_CAP_EOF, NULL},
    {"linktypes/pcpp_sll.pcap", SX_CAP_OK, 518, SX_CAP_EOF, NULL},
    {"linktypes/tcpdump_LINKTYPE_RAW_ipv6.pcap", SX_CAP_OK, 1, SX_CAP_EOF,
     NULL},
    {"protocols/ndpi_tls_with_huge_ch.pcapng", SX_CAP_OK, 428, SX_CAP_EOF,
     NULL},
};

static const char *traces_dir(void)
{
    static char dir[4096];
    const char *src = getenv("SIGEXT_SRC");

    snprintf(dir, sizeof(dir), "%s/../shared/traces",
             src != NULL && src[0] != '\0' ? src : ".");
    return dir;
}

static void test_sample_traces(void **state)
{
    const char *dir = traces_dir();
    struct stat st;
    size_t seen = 0;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("test_capture: skipping sample traces: %s not found\n", dir);
        skip();
    }

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        const struct sample *s = &samples[i];
        struct sx_capture *cap;
        struct sx_frame_hdr h;
        const uint8_t *d;
        char path[4352];
        char err[256] = "";
        long frames = 0;
        int rc;

        snprintf(path, sizeof(path), "%s/%s", dir, s->name);
        if (stat(path, &st) != 0) {
            printf("test_capture: %s absent, not checked\n", s->name);
            continue;
        }
        seen++;
        rc = sx_capture_open(path, &cap, err, sizeof(err));
        if (rc != s->open_status)
            print_error("%s: open %d (%s)\n", s->name, rc, err);
        assert_int_equal(rc, s->open_status);
        if (rc != SX_CAP_OK) {
            assert_non_null(strstr(err, s->msg));
            continue;
        }
        while ((rc = sx_capture_next(cap, &h, &d, err, sizeof(err))) ==
               SX_CAP_OK)
            frames++;
        if (frames != s->frames || rc != s->end_status)
            print_error("%s: %ld frames, status %d (%s)\n", s->name, frames,
                        rc, err);
        assert_int_equal(frames, s->frames);
        assert_int_equal(rc, s->end_status);
        assert_int_equal(sx_capture_offset(cap), sx_capture_size(cap));
        sx_capture_close(cap);
    }
    assert_true(seen > 0);
}

/* Link types and first timestamps, from tshark (frame.time_epoch). */
static void test_sample_details(void **state)
{
    const char *dir = traces_dir();
    struct sx_capture *cap;
    struct sx_frame_hdr h;
    const uint8_t *d;
    char path[4352];
    char err[256];
    int lt[2] = {0, 0};

    snprintf(path, sizeof(path), "%s/formats/pcpp_many_interfaces-1.pcapng",
             dir);
    if (access(path, R_OK) != 0) {
        printf("test_capture: skipping sample details: %s not found\n",
               path);
        skip();
    }
    /* 62 Ethernet frames on interface 0, 2 BSD loopback on interface 10 */
    assert_int_equal(sx_capture_open(path, &cap, err, sizeof(err)),
                     SX_CAP_OK);
    while (sx_capture_next(cap, &h, &d, err, sizeof(err)) == SX_CAP_OK) {
        assert_true(h.linktype == 1 || h.linktype == 0);
        lt[h.linktype]++;
    }
    assert_int_equal(lt[1], 62);
    assert_int_equal(lt[0], 2);
    sx_capture_close(cap);

    /* if_tsresol 9 on interface 0: 1422527998.578402281 */
    snprintf(path, sizeof(path), "%s/formats/pcpp_pcapng-example.pcapng",
             dir);
    if (sx_capture_open(path, &cap, err, sizeof(err)) == SX_CAP_OK) {
        assert_int_equal(sx_capture_next(cap, &h, &d, err, sizeof(err)),
                         SX_CAP_OK);
        assert_int_equal(h.sec, 1422527998);
        assert_int_equal(h.nsec, 578402281);
        assert_int_equal(h.linktype, 1);
        sx_capture_close(cap);
    }
    /* LINKTYPE_RAW is 101 in the file, whatever libpcap's DLT_RAW is */
    snprintf(path, sizeof(path),
             "%s/linktypes/tcpdump_LINKTYPE_RAW_ipv6.pcap", dir);
    if (sx_capture_open(path, &cap, err, sizeof(err)) == SX_CAP_OK) {
        assert_int_equal(sx_capture_next(cap, &h, &d, err, sizeof(err)),
                         SX_CAP_OK);
        assert_int_equal(h.linktype, 101);
        sx_capture_close(cap);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap_us_le),
        cmocka_unit_test(test_pcap_ns_be),
        cmocka_unit_test(test_pcap_fraction_overflow),
        cmocka_unit_test(test_pcap_truncated_record),
        cmocka_unit_test(test_pcap_truncated_header),
        cmocka_unit_test(test_pcapng_two_sections),
        cmocka_unit_test(test_pcapng_section_resets_interfaces),
        cmocka_unit_test(test_pcapng_mixed_linktypes),
        cmocka_unit_test(test_pcapng_tsresol),
        cmocka_unit_test(test_pcapng_tsoffset_le),
        cmocka_unit_test(test_pcapng_spb_pb),
        cmocka_unit_test(test_pcapng_big_block),
        cmocka_unit_test(test_pcapng_bad_block_length),
        cmocka_unit_test(test_pcapng_packet_before_idb),
        cmocka_unit_test(test_pcapng_bad_packet_fields),
        cmocka_unit_test(test_pcapng_truncated_block),
        cmocka_unit_test(test_pcapng_no_interfaces),
        cmocka_unit_test(test_pcapng_bad_header),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_pcapng_mutations),
        cmocka_unit_test(test_io_errors),
        cmocka_unit_test(test_sample_traces),
        cmocka_unit_test(test_sample_details),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
