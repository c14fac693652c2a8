/*
 * test_unbound.c - loading `unbound-control dump_cache` output.
 *
 * The shared sample must give 6 address entries and 3 aliases (see the
 * list in src/names/unbound.c); small inline dumps check each record rule
 * and the parts of a dump that are not records.
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

#include "sx_int.h"

static char *write_tmp_n(const char *text, size_t len);

static char *write_tmp(const char *text)
{
    return write_tmp_n(text, strlen(text));
}

static char *write_tmp_n(const char *text, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char *path;
    int fd;

    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    path = malloc(strlen(dir) + sizeof("/sx_unbound_XXXXXX"));
    assert_non_null(path);
    sprintf(path, "%s/sx_unbound_XXXXXX", dir);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void drop_tmp(char *path)
{
    unlink(path);
    free(path);
}

/* Name an address maps to, or NULL. */
static const char *name_of(sigext_ctx *ctx, const char *addr)
{
    const sigext_host *h = sx_host_text(ctx, addr, strlen(addr));
    assert_non_null(h);
    return sx_names_lookup_addr(&ctx->names, h);
}

static const char *alias_of(sigext_ctx *ctx, const char *name)
{
    return sx_names_lookup_alias(&ctx->names, sx_intern_z(ctx, name));
}

/* Load `text` as a dump; returns the status. */
static int load_text(sigext_ctx *ctx, const char *text, size_t *na,
                     size_t *nl)
{
    char *path = write_tmp(text);
    int st = sigext_dns_cache_load(ctx, path, na, nl);

    drop_tmp(path);
    return st;
}

static int warnings;

static void count_warn(void *user, sigext_log_level level, const char *msg)
{
    if (level == SIGEXT_LOG_WARN)
        warnings++;
}

static void shared_sample(void **state)
{
    const char *root = getenv("SIGEXT_SRC");
    char path[4096];
    sigext_ctx *ctx;
    size_t na = 0, nl = 0;

    snprintf(path, sizeof(path), "%s/../shared/traces/"
             "unbound_dump_sample.txt", root != NULL ? root : ".");
    if (access(path, R_OK) != 0) {
        printf("SKIP: ../shared absent (%s)\n", path);
        skip();
    }
    ctx = sigext_ctx_new(NULL);
    assert_int_equal(sigext_dns_cache_load(ctx, path, &na, &nl), SIGEXT_OK);
    assert_int_equal(na, 6);
    assert_int_equal(nl, 3);

    assert_string_equal(name_of(ctx, "93.184.216.34"), "example.com");
    assert_string_equal(name_of(ctx, "2606:2800:220:1:248:1893:25c8:1946"),
                        "example.com");
    /* The A record came first: the PTR does not replace it. */
    assert_string_equal(name_of(ctx, "192.0.2.1"), "ns1.example.org");
    assert_string_equal(name_of(ctx, "198.51.100.1"), "ns2.example.org");
    assert_string_equal(name_of(ctx, "192.168.1.100"), "example1.local");
    /* Only a PTR names 192.0.2.2. */
    assert_string_equal(name_of(ctx, "192.0.2.2"), "example.com");

    assert_string_equal(alias_of(ctx, "example1.local"), "example.local");
    assert_string_equal(alias_of(ctx, "server1.example.com"),
                        "_tcp_.matter.example.com");
    assert_string_equal(alias_of(ctx, "server2.example.com"),
                        "_tcp_.matter.example.com");
    /* MX and NS are not name sources. */
    assert_null(alias_of(ctx, "mail.example.org"));
    assert_null(alias_of(ctx, "ns1.example.org"));
    sigext_ctx_free(ctx);
}

static void message_cache_is_skipped(void **state)
{
    /* A real dump: rrset comments, then the message section, whose lines
     * "name IN A 0" would read as bogus records. */
    static const char dump[] =
        "START_RRSET_CACHE\n"
        ";rrset 86393 1 0 8 3\n"
        "Example.COM.\t86393\tIN\tA\t93.184.216.34\n"
        "END_RRSET_CACHE\n"
        "START_MSG_CACHE\n"
        "msg example.com. IN A 33152 1 86393 3 1 0 0\n"
        "example.com. IN A 0\n"
        "END_MSG_CACHE\n"
        "EOF\n";
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    size_t na, nl;

    warnings = 0;
    sigext_set_log(ctx, SIGEXT_LOG_DEBUG, count_warn, NULL);
    assert_int_equal(load_text(ctx, dump, &na, &nl), SIGEXT_OK);
    assert_int_equal(na, 1);
    assert_int_equal(nl, 0);
    assert_int_equal(warnings, 0);
    /* Names are kept in lower case (RFC 4343), without the final dot. */
    assert_string_equal(name_of(ctx, "93.184.216.34"), "example.com");
    sigext_ctx_free(ctx);
}

static void record_rules(void **state)
{
    static const char dump[] =
        "START_RRSET_CACHE\r\n"
        /* PTR before any A: names the address */
        "4.3.2.10.in-addr.arpa. 60 IN PTR plug.lan.\r\n"
        /* a later A for the same address wins (last write) */
        "cloud.example. 60 IN A 10.2.3.4\r\n"
        /* PTR of a network, not an address: ignored */
        "2.10.in-addr.arpa. 60 IN PTR net.lan.\r\n"
        /* DNS-SD PTR: an alias, target -> owner */
        "_hap._tcp.local. 60 IN PTR Lamp._hap._tcp.local.\r\n"
        /* SRV with no service, CH class, TXT: ignored */
        "_x._tcp.example. 60 IN SRV 0 0 0 .\r\n"
        "version.bind. 0 CH TXT \"9.18\"\r\n"
        "cloud.example. 60 IN TXT \"v=spf1 -all\"\r\n"
        /* the same CNAME twice counts once */
        "www.example. 60 IN CNAME cloud.example.\r\n"
        "www.example. 60 IN CNAME cloud.example.\r\n"
        "END_RRSET_CACHE\r\n";
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    size_t na, nl;

    assert_int_equal(load_text(ctx, dump, &na, &nl), SIGEXT_OK);
    assert_int_equal(na, 1);
    assert_int_equal(nl, 2);
    assert_string_equal(name_of(ctx, "10.2.3.4"), "cloud.example");
    assert_string_equal(alias_of(ctx, "lamp._hap._tcp.local"),
                        "_hap._tcp.local");
    assert_string_equal(alias_of(ctx, "cloud.example"), "www.example");
    assert_null(alias_of(ctx, "net.lan"));
    sigext_ctx_free(ctx);
}

static void ptr_keeps_existing_name(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    const sigext_host *h = sx_host_text(ctx, "10.0.0.7", 8);
    size_t na, nl;

    /* A name learned from traffic before the dump stays. */
    assert_int_equal(sx_names_add_addr(&ctx->names, h,
                                       sx_intern_z(ctx, "seen.lan")), 0);
    assert_int_equal(load_text(ctx, "START_RRSET_CACHE\n"
                               "7.0.0.10.in-addr.arpa. 5 IN PTR other.lan.\n"
                               "END_RRSET_CACHE\n", &na, &nl), SIGEXT_OK);
    assert_int_equal(na, 0);
    assert_string_equal(name_of(ctx, "10.0.0.7"), "seen.lan");
    sigext_ctx_free(ctx);
}

static void malformed_lines(void **state)
{
    static const char dump[] =
        "START_RRSET_CACHE\n"
        "a.example. 60 IN A 300.1.1.1\n"        /* bad address */
        "b.example. sixty IN A 10.0.0.1\n"      /* bad TTL */
        "c.example. 60 IN SRV 1 2 x.example.\n" /* short SRV */
        "d.example. 60 IN A 10.0.0.4\n"
        "END_RRSET_CACHE\n";
    sigext_options opt;
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    size_t na, nl;

    warnings = 0;
    sigext_set_log(ctx, SIGEXT_LOG_DEBUG, count_warn, NULL);
    assert_int_equal(load_text(ctx, dump, &na, &nl), SIGEXT_OK);
    assert_int_equal(na, 1);
    assert_int_equal(warnings, 1);  /* one summary, not one per line */
    sigext_ctx_free(ctx);

    sigext_options_init(&opt);
    opt.strict = true;
    ctx = sigext_ctx_new(&opt);
    assert_int_equal(load_text(ctx, dump, &na, &nl), SIGEXT_ERR_CORRUPT);
    assert_non_null(strstr(sigext_error(ctx), ":2: not a cache record"));
    sigext_ctx_free(ctx);
}

/* A line longer than 64 KiB is one malformed line, and the next line is
 * read from its start: the rest of the long line is not a record. */
static void long_line(void **state)
{
    static const char head[] = "START_RRSET_CACHE\nlong.example. 60 IN A ";
    static const char tail[] = "\ne.example. 60 IN A 10.0.0.5\n"
                               "END_RRSET_CACHE\n";
    size_t fill = 200000, na, nl;
    char *text = malloc(sizeof(head) + fill + sizeof(tail));
    sigext_ctx *ctx = sigext_ctx_new(NULL);

    (void)state;
    assert_non_null(text);
    memcpy(text, head, sizeof(head) - 1);
    /* "10.0.0.9 10.0.0.9 ...": records if the line were cut and read */
    for (size_t i = 0; i < fill; i++)
        text[sizeof(head) - 1 + i] = "10.0.0.9 "[i % 9];
    memcpy(text + sizeof(head) - 1 + fill, tail, sizeof(tail));
    warnings = 0;
    sigext_set_log(ctx, SIGEXT_LOG_DEBUG, count_warn, NULL);
    assert_int_equal(load_text(ctx, text, &na, &nl), SIGEXT_OK);
    assert_int_equal(na, 1);
    assert_int_equal(warnings, 1);
    assert_string_equal(name_of(ctx, "10.0.0.5"), "e.example");
    assert_null(name_of(ctx, "10.0.0.9"));
    sigext_ctx_free(ctx);
    free(text);
}

static void not_a_dump(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    size_t na = 99, nl = 99;

    assert_int_equal(load_text(ctx, "", &na, &nl), SIGEXT_ERR_FORMAT);
    assert_int_equal(load_text(ctx, "hello world\n", &na, &nl),
                     SIGEXT_ERR_FORMAT);
    assert_non_null(strstr(sigext_error(ctx), "dump_cache"));
    assert_int_equal(na, 0);
    /* An empty cache is a valid dump. */
    assert_int_equal(load_text(ctx, "START_RRSET_CACHE\nEND_RRSET_CACHE\n"
                               "START_MSG_CACHE\nEND_MSG_CACHE\nEOF\n",
                               &na, &nl), SIGEXT_OK);
    assert_int_equal(sigext_dns_cache_load(ctx, "/nonexistent/dump.txt",
                                           NULL, NULL), SIGEXT_ERR_IO);
    assert_non_null(strstr(sigext_error(ctx), "/nonexistent/dump.txt"));
    sigext_ctx_free(ctx);
}

/* Names as unbound writes them: escapes undone the way the DNS decoder
 * writes such bytes ('?'), names longer than DNS allows and lines with a
 * NUL byte are malformed. */
static void names_and_bytes(void **state)
{
    static char dump[4096];
    char label[70], *path;
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    size_t na, nl, n;

    (void)state;
    memset(label, 'a', 64);             /* one byte over 63 */
    label[64] = '\0';
    n = (size_t)snprintf(dump, sizeof(dump), "START_RRSET_CACHE\n"
        "exa\\.mple.Com. 60 IN A 10.0.0.1\n"
        "b\\009c.example. 60 IN A 10.0.0.2\n"
        "%s.example. 60 IN A 10.0.0.3\n"
        "n.example. 60 IN A 10.0.0.4", label);
    dump[n++] = '\0';                   /* a NUL inside the line */
    n += (size_t)snprintf(dump + n, sizeof(dump) - n, " x\n"
        "ok.example. 60 IN A 10.0.0.5\nEND_RRSET_CACHE\n");
    warnings = 0;
    sigext_set_log(ctx, SIGEXT_LOG_DEBUG, count_warn, NULL);
    path = write_tmp_n(dump, n);
    assert_int_equal(sigext_dns_cache_load(ctx, path, &na, &nl), SIGEXT_OK);
    drop_tmp(path);
    assert_int_equal(na, 3);
    assert_int_equal(warnings, 1);      /* the long label and the NUL */
    assert_string_equal(name_of(ctx, "10.0.0.1"), "exa?mple.com");
    assert_string_equal(name_of(ctx, "10.0.0.2"), "b?c.example");
    assert_null(name_of(ctx, "10.0.0.3"));
    assert_null(name_of(ctx, "10.0.0.4"));
    assert_string_equal(name_of(ctx, "10.0.0.5"), "ok.example");
    sigext_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_sample),
        cmocka_unit_test(message_cache_is_skipped),
        cmocka_unit_test(record_rules),
        cmocka_unit_test(ptr_keeps_existing_name),
        cmocka_unit_test(malformed_lines),
        cmocka_unit_test(long_line),
        cmocka_unit_test(names_and_bytes),
        cmocka_unit_test(not_a_dump),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
