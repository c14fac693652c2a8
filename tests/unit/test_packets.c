/*
 * test_packets.c - stage 1 through the public API: records kept in memory
 * and records of a second read (sigext_trace_replay) are the same, and a
 * second read refuses a file that changed or cannot be read again.
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

/* A private copy of the bundled example, which the tests may rewrite. */
static char copy[64];

static int setup(void **state)
{
    const char *src = getenv("SIGEXT_SRC");
    char path[4096];
    char buf[65536];
    size_t n;
    FILE *in, *out;
    int fd;

    (void)state;
    snprintf(path, sizeof(path), "%s/examples/plug-on/plug-on-1.pcap",
             src != NULL ? src : ".");
    in = fopen(path, "rb");
    if (in == NULL) {
        fprintf(stderr, "cannot open %s (set SIGEXT_SRC)\n", path);
        return -1;
    }
    snprintf(copy, sizeof(copy), "/tmp/sigext-test-packets-XXXXXX");
    fd = mkstemp(copy);
    out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (out == NULL) {
        fclose(in);
        return -1;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    return fclose(out) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(copy);
    return 0;
}

/* The packets CSV of the copy, read with or without kept records. */
static char *packets_csv(bool keep, int *status)
{
    sigext_options opt;
    sigext_ctx *ctx;
    sigext_trace *t = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    assert_non_null(mem);
    sigext_options_init(&opt);
    opt.keep_records = keep;
    ctx = sigext_ctx_new(&opt);
    assert_non_null(ctx);
    assert_int_equal(sigext_trace_read(ctx, copy, &t), SIGEXT_OK);
    assert_true(sigext_trace_get_stats(t)->kept > 0);
    assert_int_equal(sigext_trace_record_count(t) > 0, keep);
    *status = sigext_write_packets_csv(ctx, t, mem);
    fclose(mem);
    sigext_trace_free(t);
    sigext_ctx_free(ctx);
    return text;
}

static void test_replay_equals_kept(void **state)
{
    int st1, st2;
    char *kept = packets_csv(true, &st1);
    char *replayed = packets_csv(false, &st2);

    (void)state;
    assert_int_equal(st1, SIGEXT_OK);
    assert_int_equal(st2, SIGEXT_OK);
    assert_true(strlen(kept) > 200);
    assert_string_equal(kept, replayed);
    free(kept);
    free(replayed);
}

struct counter {
    uint64_t n;
    uint64_t last_id;
    bool ordered;
};

static int count_record(void *user, const sigext_record *r)
{
    struct counter *c = user;

    c->ordered = c->ordered && r->id > c->last_id;
    c->last_id = r->id;
    c->n++;
    return c->n == 3 ? SIGEXT_ERR_OUTPUT : SIGEXT_OK;
}

static void test_replay_callback_and_stop(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_trace *t = NULL;
    struct counter c = {0, 0, true};

    (void)state;
    assert_int_equal(sigext_trace_read(ctx, copy, &t), SIGEXT_OK);
    /* The callback's status stops the read after the third record. */
    assert_int_equal(sigext_trace_replay(ctx, t, count_record, &c),
                     SIGEXT_ERR_OUTPUT);
    assert_int_equal(c.n, 3);
    assert_true(c.ordered);
    sigext_trace_free(t);
    sigext_ctx_free(ctx);
}

static void test_replay_follows_growth_refuses_changes(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_trace *t = NULL;
    struct counter c = {0, 0, true};
    FILE *fp;

    (void)state;
    assert_int_equal(sigext_trace_read(ctx, copy, &t), SIGEXT_OK);
    assert_true(sigext_trace_get_stats(t)->kept > 3);

    /* Rewritten in place: the same size at another time.  (The byte
     * written is the one there: the magic number of a little-endian
     * pcap, so the file still reads.) */
    usleep(10000);
    fp = fopen(copy, "r+b");
    assert_non_null(fp);
    fputc(0xd4, fp);
    fclose(fp);
    assert_int_equal(sigext_trace_replay(ctx, t, count_record, &c),
                     SIGEXT_ERR_IO);
    assert_non_null(strstr(sigext_error(ctx), "changed"));
    assert_int_equal(c.n, 0);
    sigext_trace_free(t);

    /* Appended to, as by a capture still running: read as it was. */
    assert_int_equal(sigext_trace_read(ctx, copy, &t), SIGEXT_OK);
    fp = fopen(copy, "ab");
    assert_non_null(fp);
    fputs("more frames, or half of one", fp);
    fclose(fp);
    assert_int_equal(sigext_trace_replay(ctx, t, count_record, &c),
                     SIGEXT_ERR_OUTPUT);    /* count_record stops at 3 */
    assert_int_equal(c.n, 3);

    /* Cut short. */
    assert_int_equal(truncate(copy, 100), 0);
    assert_int_equal(sigext_trace_replay(ctx, t, count_record, &c),
                     SIGEXT_ERR_IO);
    sigext_trace_free(t);
    sigext_ctx_free(ctx);
    teardown(NULL);
    assert_int_equal(setup(NULL), 0);
}

static void test_replay_needs_a_capture_file(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_trace *t = NULL;
    struct counter c = {0, 0, true};
    char csv[] = "/tmp/sigext-test-packets-csv-XXXXXX";
    int fd = mkstemp(csv);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

    (void)state;
    assert_non_null(fp);
    fputs("id,timestamp,network_protocol,src,dst,transport_protocol,"
          "sport,dport,application_layer,length\n"
          "1,1.000000,IPv4,10.0.0.1,10.0.0.2,UDP,1000,53,,60\n", fp);
    fclose(fp);
    assert_int_equal(sigext_trace_read_csv(ctx, csv, &t), SIGEXT_OK);
    assert_int_equal(sigext_trace_replay(ctx, t, count_record, &c),
                     SIGEXT_ERR_USAGE);
    assert_non_null(strstr(sigext_error(ctx), "cannot be read twice"));
    sigext_trace_free(t);
    sigext_ctx_free(ctx);
    unlink(csv);
}

/* Every message logged, in the order it came. */
static char logged[8192];

static void on_log(void *user, sigext_log_level level, const char *text)
{
    size_t n = strlen(logged);

    (void)user;
    (void)level;
    snprintf(logged + n, sizeof(logged) - n, "%s\n", text);
}

/* The messages of reading the example eight times, with `jobs`. */
static void read_eight(int jobs, char *out, size_t size)
{
    static char names[8][80];
    const char *paths[8];
    sigext_trace *t[8];
    sigext_options opt;
    sigext_ctx *ctx;

    /* Eight names for the copy, so each message says which it is. */
    for (int i = 0; i < 8; i++) {
        snprintf(names[i], sizeof(names[i]), "%s-%d", copy, i);
        unlink(names[i]);
        assert_int_equal(symlink(copy, names[i]), 0);
        paths[i] = names[i];
    }
    sigext_options_init(&opt);
    opt.timeout = 0.5;          /* each read warns of the gap it stops at */
    ctx = sigext_ctx_new(&opt);
    assert_non_null(ctx);
    sigext_set_log(ctx, SIGEXT_LOG_INFO, on_log, NULL);
    logged[0] = '\0';
    assert_int_equal(sigext_traces_read(ctx, paths, 8, jobs, t), SIGEXT_OK);
    for (int i = 0; i < 8; i++) {
        sigext_trace_free(t[i]);
        unlink(names[i]);
    }
    sigext_ctx_free(ctx);
    snprintf(out, size, "%s", logged);
}

/* Reading traces at once sends their messages in the order given, the
 * same as reading them one by one. */
static void test_messages_in_order(void **state)
{
    static char one[8192], many[8192];

    (void)state;
    read_eight(1, one, sizeof(one));
    assert_non_null(strstr(one, "silence"));
    for (int round = 0; round < 20; round++) {
        read_eight(8, many, sizeof(many));
        assert_string_equal(one, many);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_equals_kept),
        cmocka_unit_test(test_replay_callback_and_stop),
        cmocka_unit_test(test_replay_follows_growth_refuses_changes),
        cmocka_unit_test(test_replay_needs_a_capture_file),
        cmocka_unit_test(test_messages_in_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
