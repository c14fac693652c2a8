/*
 * test_flows.c - stage 2 and 3: equivalence rules, fixed ports, matching,
 * merging, signatures, and the CSV round trip.
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

#include "flows/flows.h"
#include "sigext/sigext.h"
#include "sx_int.h"

static void test_name_equiv(void **state)
{
    (void)state;
    /* SPEC stage 2, step 4 */
    assert_true(sx_name_equiv("use1-api.tplinkra.com",
                              "euw1-api.tplinkra.com"));
    assert_true(sx_name_equiv("a.tplinkra.com", "tplinkra.com"));
    assert_true(sx_name_equiv("tplinkra.com", "x.y.tplinkra.com"));
    /* Suffix only at a label boundary. */
    assert_false(sx_name_equiv("xtplinkra.com", "tplinkra.com"));
    /* Two-label names under one TLD are not all alike. */
    assert_false(sx_name_equiv("meethue.com", "google.com"));
    /* Single labels only equal themselves (the reference crashed). */
    assert_true(sx_name_equiv("wpad", "wpad"));
    assert_false(sx_name_equiv("wpad", "printer"));
    assert_false(sx_name_equiv("a.b.com", "x.y.b.com"));
    assert_string_equal(sx_name_class("use1-api.tplinkra.com"),
                        "tplinkra.com");
    assert_string_equal(sx_name_class("wpad"), "wpad");
}

static void test_fixed_ports(void **state)
{
    (void)state;
    assert_true(sx_port_is_fixed(6, 443));
    assert_true(sx_port_is_fixed(6, 9999));     /* device port */
    assert_true(sx_port_is_fixed(17, 20002));   /* device port */
    assert_true(sx_port_is_fixed(17, 7000));    /* afs3-fileserver */
    assert_true(sx_port_is_fixed(17, 5353));
    assert_false(sx_port_is_fixed(6, 8883));    /* not in netbase 6.4 */
    assert_false(sx_port_is_fixed(6, 6668));
    assert_true(sx_port_is_fixed(17, 9));       /* discard/udp */
    assert_false(sx_port_is_fixed(17, 38794));
    assert_false(sx_port_is_fixed(6, 41608));
}

static void test_app_equiv(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_app q = {.proto = SIGEXT_APP_DNS,
                    .qtype = sx_intern_z(ctx, "A"),
                    .name = sx_intern_z(ctx, "use1-api.tplinkra.com")};
    sigext_app r = q, o = q, h1 = {0}, h2, resp = {0};
    (void)state;

    r.response = true;
    r.name = sx_intern_z(ctx, "euw1-api.tplinkra.com");
    o.qtype = sx_intern_z(ctx, "AAAA");
    assert_true(sx_app_equiv(sx_app_intern(ctx, &q), sx_app_intern(ctx, &r)));
    assert_false(sx_app_equiv(sx_app_intern(ctx, &q),
                              sx_app_intern(ctx, &o)));

    h1.proto = SIGEXT_APP_HTTP;
    h1.method = sx_intern_z(ctx, "POST");
    h1.uri = sx_intern_z(ctx, "/app/request*");
    h2 = h1;
    h2.uri = sx_intern_z(ctx, "/app/request");
    resp.proto = SIGEXT_APP_HTTP;
    resp.response = true;
    assert_true(sx_app_equiv(sx_app_intern(ctx, &h1),
                             sx_app_intern(ctx, &h2)));
    assert_false(sx_app_equiv(sx_app_intern(ctx, &h1),
                              sx_app_intern(ctx, &resp)));
    /* Equivalent apps share a class. */
    assert_ptr_equal(sx_app_class(ctx, sx_app_intern(ctx, &h1)),
                     sx_app_class(ctx, sx_app_intern(ctx, &h2)));
    assert_ptr_equal(sx_app_class(ctx, sx_app_intern(ctx, &q)),
                     sx_app_class(ctx, sx_app_intern(ctx, &r)));
    sigext_ctx_free(ctx);
}

/* Write `text` to a temporary file and return its path (static). */
static const char *tmpfile_with(const char *text)
{
    static char path[64];
    int fd;

    strcpy(path, "/tmp/sigext-test-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

#define PKT_HDR                                                            \
    "id,timestamp,network_protocol,src,dst,transport_protocol,sport,"      \
    "dport,application_layer,length\n"

/* One trace from packet rows; returns its pattern. */
static sigext_pattern *pattern_of(sigext_ctx *ctx, const char *rows)
{
    char *text = malloc(strlen(PKT_HDR) + strlen(rows) + 1);
    sigext_trace *t = NULL;
    sigext_pattern *p = NULL;
    const char *path;

    strcpy(text, PKT_HDR);
    strcat(text, rows);
    path = tmpfile_with(text);
    free(text);
    assert_int_equal(sigext_trace_read_csv(ctx, path, &t), SIGEXT_OK);
    unlink(path);
    assert_int_equal(sigext_pattern_build(ctx, t, &p), SIGEXT_OK);
    sigext_trace_free(t);
    return p;
}

static void test_grouping(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_pattern *p;
    (void)state;

    /* A DNS query and its response are one flow named by the query; two
     * TLS connections to the same server merge on the fixed port 443; a
     * third host is another flow. */
    p = pattern_of(ctx,
        "1,1.0,IPv4,10.0.0.2,10.0.0.1,UDP,40000,53,"
        "DNS;response=false;qtype=A;domain-name=a.example.com,80\n"
        "2,1.1,IPv4,10.0.0.1,10.0.0.2,UDP,53,40000,"
        "DNS;response=true;qtype=A;domain-name=a.example.com,96\n"
        "3,1.2,IPv4,10.0.0.2,a.example.com,TCP,50000,443,,600\n"
        "4,1.3,IPv4,a.example.com,10.0.0.2,TCP,443,50000,,1500\n"
        "5,1.4,IPv4,10.0.0.2,b.example.com,TCP,50001,443,,600\n"
        "6,1.5,IPv4,10.0.0.2,10.0.0.9,UDP,12345,23456,,60\n");
    assert_int_equal(p->n_flows, 3);
    assert_false(p->flows[0].app->response);
    assert_string_equal(p->flows[0].src->text, "10.0.0.2");
    assert_int_equal(p->flows[0].n_dst_ports, 1);
    assert_int_equal(p->flows[0].dst_ports[0], 53);
    assert_int_equal(p->flows[0].n_src_ports, 0);
    /* a.example.com ~ b.example.com: one fingerprint of two flows. */
    assert_int_equal(p->flows[1].count, 2);
    assert_int_equal(p->flows[1].packets, 3);
    assert_int_equal(p->flows[1].dst_ports[0], 443);
    assert_int_equal(p->flows[2].n_src_ports + p->flows[2].n_dst_ports, 0);
    sigext_pattern_free(p);
    sigext_ctx_free(ctx);
}

static void test_http_response_groups_with_request(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_pattern *p;
    (void)state;

    p = pattern_of(ctx,
        "1,1.0,IPv4,10.0.0.2,10.0.0.3,TCP,40000,8080,"
        "HTTP;response=false;method=GET;uri=/a*,100\n"
        "2,1.1,IPv4,10.0.0.3,10.0.0.2,TCP,8080,40000,HTTP;response=true,200\n"
        "3,1.2,IPv4,10.0.0.2,10.0.0.3,TCP,40000,8080,"
        "HTTP;response=false;method=GET;uri=/b,100\n"
        "4,1.3,IPv4,10.0.0.3,10.0.0.2,TCP,8080,40000,HTTP;response=true,200\n");
    /* /a and /b are two flows; each response joins its request. */
    assert_int_equal(p->n_flows, 2);
    assert_int_equal(p->flows[0].packets, 2);
    assert_int_equal(p->flows[1].packets, 2);
    assert_string_equal(p->flows[1].app->uri, "/b");
    sigext_pattern_free(p);
    sigext_ctx_free(ctx);
}

static void test_signature(void **state)
{
    sigext_options opt;
    sigext_ctx *ctx;
    sigext_pattern *p[3], *sig;
    (void)state;

    for (int mrp = 0; mrp < 2; mrp++) {
        sigext_options_init(&opt);
        opt.match_random_ports = mrp;
        ctx = sigext_ctx_new(&opt);
        /* A long-lived connection (same ports every time), a fresh one
         * to port 443, and a flow present in two traces only. */
        p[0] = pattern_of(ctx,
            "1,1.0,IPv4,10.0.0.2,10.0.0.7,TCP,41608,6668,,100\n"
            "2,1.1,IPv4,10.0.0.2,c.example.com,TCP,50000,443,,100\n"
            "3,1.2,IPv4,10.0.0.2,10.0.0.8,UDP,1000,2000,,100\n");
        p[1] = pattern_of(ctx,
            "1,1.0,IPv4,10.0.0.7,10.0.0.2,TCP,6668,41608,,100\n"
            "2,1.1,IPv4,10.0.0.2,c.example.com,TCP,50001,443,,100\n");
        p[2] = pattern_of(ctx,
            "1,1.0,IPv4,10.0.0.2,10.0.0.7,TCP,41608,6668,,100\n"
            "2,1.1,IPv4,10.0.0.2,d.example.com,TCP,50002,443,,100\n"
            "3,1.2,IPv4,10.0.0.2,10.0.0.8,UDP,1000,2000,,100\n");
        assert_int_equal(sigext_signature_extract(
                             ctx, (const sigext_pattern *const *)p, 3, &sig),
                         SIGEXT_OK);
        assert_int_equal(sig->n_flows, 2);
        assert_int_equal(sig->flows[0].count, 3);
        /* Only with --match-random-ports do the long-lived ports show. */
        assert_int_equal(sig->flows[0].n_src_ports, mrp ? 1 : 0);
        assert_int_equal(sig->flows[0].n_dst_ports, mrp ? 1 : 0);
        assert_int_equal(sig->flows[1].n_dst_ports, 1);
        assert_int_equal(sig->flows[1].dst_ports[0], 443);
        sigext_pattern_free(sig);
        for (int i = 0; i < 3; i++)
            sigext_pattern_free(p[i]);
        sigext_ctx_free(ctx);
    }
}

static void test_no_signature(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_pattern *p[2], *sig = NULL;
    (void)state;

    p[0] = pattern_of(ctx, "1,1.0,IPv4,10.0.0.2,10.0.0.7,UDP,1,53,,100\n");
    p[1] = pattern_of(ctx, "1,1.0,IPv4,10.0.0.2,10.0.0.8,UDP,1,53,,100\n");
    assert_int_equal(sigext_signature_extract(
                         ctx, (const sigext_pattern *const *)p, 2, &sig),
                     SIGEXT_ERR_NO_SIGNATURE);
    assert_null(sig);
    assert_non_null(strstr(sigext_error(ctx), "no signature"));
    assert_int_equal(sigext_signature_extract(ctx, NULL, 0, &sig),
                     SIGEXT_ERR_NO_SIGNATURE);
    sigext_pattern_free(p[0]);
    sigext_pattern_free(p[1]);
    sigext_ctx_free(ctx);
}

static void test_csv_round_trip(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_pattern *p, *back = NULL;
    char path[] = "/tmp/sigext-rt-XXXXXX";
    FILE *fp;
    int fd;
    (void)state;

    p = pattern_of(ctx,
        "1,1.0,IPv4,10.0.0.2,10.0.0.1,UDP,40000,53,"
        "DNS;response=false;qtype=A;domain-name=a%3Bb.example.com,80\n"
        "2,1.1,IPv4,10.0.0.1,10.0.0.2,UDP,53,40000,"
        "DNS;response=true;qtype=A;domain-name=a%3Bb.example.com,96\n"
        "3,1.2,IPv6,2001:db8::2,\"odd,name.example\",TCP,50000,443,,600\n");
    fd = mkstemp(path);
    fp = fdopen(fd, "w");
    assert_int_equal(sigext_write_flows_csv(ctx, p, fp), SIGEXT_OK);
    fclose(fp);
    assert_int_equal(sigext_pattern_read(ctx, path, &back), SIGEXT_OK);
    unlink(path);
    assert_int_equal(back->n_flows, p->n_flows);
    for (size_t i = 0; i < p->n_flows; i++) {
        /* Interned: equal values have equal pointers. */
        assert_ptr_equal(back->flows[i].app, p->flows[i].app);
        assert_true(sigext_flow_match(&back->flows[i], &p->flows[i]));
        assert_int_equal(back->flows[i].count, p->flows[i].count);
    }
    assert_string_equal(p->flows[0].app->name, "a;b.example.com");
    sigext_pattern_free(back);
    sigext_pattern_free(p);
    sigext_ctx_free(ctx);
}

static void test_flow_id(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_pattern *p;
    char id[256];
    (void)state;

    p = pattern_of(ctx,
        "1,1.0,IPv4,192.168.1.135,192.168.1.1,UDP,40000,53,"
        "DNS;response=false;qtype=A;domain-name=use1-api.tplinkra.com,80\n");
    sigext_flow_id(&p->flows[0], id, sizeof(id));
    assert_string_equal(id, "192.168.1.135-192.168.1.1_UDP_dst_53_DNS_"
                            "response-False_qtype-A_domain-name-"
                            "use1-api.tplinkra.com");
    /* Cut to the buffer, but the full length is returned. */
    assert_true(sigext_flow_id(&p->flows[0], id, 8) > 8);
    assert_string_equal(id, "192.168");
    sigext_pattern_free(p);
    sigext_ctx_free(ctx);
}

#define FLOW_HDR                                                           \
    "network_protocol,src,dst,transport_protocol,sport,dport,"             \
    "application_layer,count\n"

/* A flows CSV of `rows` must be refused with an error holding `msg`. */
static void flows_refused(sigext_ctx *ctx, const char *rows,
                          const char *msg)
{
    char text[512];
    sigext_pattern *p = NULL;
    const char *path;

    snprintf(text, sizeof(text), "%s%s", FLOW_HDR, rows);
    path = tmpfile_with(text);
    assert_int_equal(sigext_pattern_read(ctx, path, &p), SIGEXT_ERR_FORMAT);
    assert_null(p);
    if (strstr(sigext_error(ctx), msg) == NULL ||
        strncmp(sigext_error(ctx), path, strlen(path)) != 0)
        fail_msg("error \"%s\" lacks \"%s\"", sigext_error(ctx), msg);
    unlink(path);
}

/* Same for a packets CSV. */
static void packets_refused(sigext_ctx *ctx, const char *rows,
                            const char *msg)
{
    char text[512];
    sigext_trace *t = NULL;
    const char *path;

    snprintf(text, sizeof(text), "%s%s", PKT_HDR, rows);
    path = tmpfile_with(text);
    assert_int_equal(sigext_trace_read_csv(ctx, path, &t),
                     SIGEXT_ERR_FORMAT);
    assert_null(t);
    if (strstr(sigext_error(ctx), msg) == NULL ||
        strncmp(sigext_error(ctx), path, strlen(path)) != 0)
        fail_msg("error \"%s\" lacks \"%s\"", sigext_error(ctx), msg);
    unlink(path);
}

static void test_bad_csv(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    sigext_pattern *p = NULL;
    const char *path;
    (void)state;

    /* Each refusal names the line and the field at fault. */
    flows_refused(ctx, "IPv4,a,b,TCP,443 80,,,1\n",  /* ports ascend */
                  ":2: bad sport \"443 80\": ports are not in ascending "
                  "order");
    flows_refused(ctx, "IPv4,a,b,TCP,80 80,,,1\n",
                  ":2: bad sport \"80 80\": a port is repeated");
    flows_refused(ctx, "IPv4,a,b,TCP,,1 2 3 4 5 6 7 8 9,,1\n",
                  ":2: bad dport \"1 2 3 4 5 6 7 8 9\": more than 8 ports");
    flows_refused(ctx, "IPv4,a,b,TCP,,x,,1\n", ":2: bad dport \"x\": a port "
                  "is a number from 0 to 65535");
    flows_refused(ctx, "\nIPv5,a,b,TCP,,,,1\n",
                  ":3: bad network_protocol \"IPv5\"");
    flows_refused(ctx, "IPv4,a,b,SCTP,,,,1\n",
                  ":2: bad transport_protocol \"SCTP\"");
    flows_refused(ctx, "IPv4,a,,TCP,,,,1\n", ":2: bad dst \"\"");
    flows_refused(ctx, "IPv4,a,b,TCP,,,,0\n", ":2: bad count \"0\"");
    flows_refused(ctx, "IPv4,a,b,TCP,,,1\n", ":2: 7 fields, expected 8");
    flows_refused(ctx, "IPv4,a,b,TCP,,,FTP,1\n",
                  ":2: bad application_layer \"FTP\"");

    /* An address literal of the other IP version than the row's (names
     * stand for either and stay allowed). */
    flows_refused(ctx, "IPv4,::1,b,TCP,,,,1\n",
                  ":2: src \"::1\" is an IPv6 address in an IPv4 row");
    flows_refused(ctx, "IPv6,fe80::1,10.0.0.1,UDP,,53,,1\n",
                  ":2: dst \"10.0.0.1\" is an IPv4 address in an IPv6 row");
    packets_refused(ctx, "1,1.0,IPv4,10.0.0.2,::1,UDP,40000,53,,80\n",
                    ":2: dst \"::1\" is an IPv6 address in an IPv4 row");

    /* A control character in an application field, percent-encoded or
     * not: "%00" was cut to "a" where the value is interned. */
    flows_refused(ctx, "IPv4,a,b,UDP,,53,DNS;response=false;qtype=A;"
                  "domain-name=a%00b,1\n",
                  ":2: bad application_layer \"DNS;response=false;qtype=A;"
                  "domain-name=a%00b\"");
    flows_refused(ctx, "IPv4,a,b,UDP,,53,DNS;response=false;qtype=A;"
                  "domain-name=a%1Fb,1\n", ":2: bad application_layer");
    flows_refused(ctx, "IPv4,a,b,UDP,,53,DNS;response=false;qtype=A;"
                  "domain-name=a\tb,1\n", ":2: bad application_layer");
    packets_refused(ctx, "1,1.0,IPv4,10.0.0.2,10.0.0.1,UDP,40000,x,,80\n",
                    ":2: bad dport \"x\"");
    packets_refused(ctx, "1,1.0,IPv4,10.0.0.2,10.0.0.1,UDP,40000,53,"
                    "HTTP;response=false;method=GET;uri=/%7F,80\n",
                    ":2: bad application_layer");
    packets_refused(ctx, "1,1.0,IPv4,10.0.0.2,10.0.0.1,UDP,1,2,,80,9\n",
                    ":2: 11 fields, expected 10");

    /* Names and escaped separators are still read. */
    path = tmpfile_with(FLOW_HDR
                        "IPv6,printer,fe80::1,UDP,,631,,2\n"
                        "IPv4,a.example,10.0.0.1,UDP,,53,DNS;response=false;"
                        "qtype=A;domain-name=a%3Bb%25,1\n");
    assert_int_equal(sigext_pattern_read(ctx, path, &p), SIGEXT_OK);
    assert_int_equal(p->n_flows, 2);
    sigext_pattern_free(p);
    p = NULL;
    unlink(path);

    path = tmpfile_with("hello,world\n");
    assert_int_equal(sigext_pattern_read(ctx, path, &p), SIGEXT_ERR_FORMAT);
    unlink(path);
    assert_int_equal(sigext_pattern_read(ctx, "/nonexistent/x.csv", &p),
                     SIGEXT_ERR_IO);
    assert_null(p);
    sigext_ctx_free(ctx);
}

/* A learned name that reads as an address literal is not learned: it
 * would turn an IPv4 host into "::1" (found writing such a flow). */
static void test_literal_names(void **state)
{
    sigext_ctx *ctx = sigext_ctx_new(NULL);
    const sigext_host *v4 = sx_host_text(ctx, "10.0.0.5", 8);
    const sigext_host *v6 = sx_host_text(ctx, "fe80::5", 7);
    (void)state;

    assert_int_equal(sx_names_add_addr(&ctx->names, v4,
                                       sx_intern_z(ctx, "::1")), 0);
    assert_int_equal(sx_names_add_addr(&ctx->names, v6,
                                       sx_intern_z(ctx, "10.0.0.1")), 0);
    assert_ptr_equal(sigext_resolve(ctx, NULL, v4), v4);
    assert_ptr_equal(sigext_resolve(ctx, NULL, v6), v6);

    /* An alias that reads so is not taken either. */
    assert_int_equal(sx_names_add_addr(&ctx->names, v4,
                                       sx_intern_z(ctx, "cdn.example")), 0);
    assert_int_equal(sx_names_add_alias(&ctx->names,
                                        sx_intern_z(ctx, "cdn.example"),
                                        sx_intern_z(ctx, "::2")), 0);
    assert_string_equal(sigext_resolve(ctx, NULL, v4)->text, "cdn.example");
    /* Names with ':' or digits that are not addresses are names. */
    assert_int_equal(sx_names_add_addr(&ctx->names, v6,
                                       sx_intern_z(ctx, "a:b")), 0);
    assert_string_equal(sigext_resolve(ctx, NULL, v6)->text, "a:b");
    sigext_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_equiv),
        cmocka_unit_test(test_fixed_ports),
        cmocka_unit_test(test_app_equiv),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_http_response_groups_with_request),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_no_signature),
        cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_flow_id),
        cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_literal_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
