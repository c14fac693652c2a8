/*
 * test_json.c - JSON policies: the shape SPEC "Outputs" gives, "self",
 * several fixed ports, wildcards, and reading the file back into the same
 * fingerprints; refusals of JSON that sigext did not write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "flows/flows.h"
#include "output/readers.h"

static sigext_flow flow(const char *src, const char *dst, int tr)
{
    sigext_flow f;

    memset(&f, 0, sizeof(f));
    f.ipver = strchr(src, ':') != NULL ? 6 : 4;
    f.transport = (uint8_t)tr;
    f.src = host(src);
    f.dst = host(dst);
    f.count = 1;
    return f;
}

static const sigext_app *app(sigext_app a)
{
    const sigext_app *r = sx_app_intern(ctx, &a);
    assert_non_null(r);
    return r;
}

/* The flows of the reference signature (../shared/expected/reference)
 * plus a multi-port discovery flow, a wildcard name, HTTP, CoAP, DHCP
 * and IPv6. */
static size_t sample(sigext_flow *f)
{
    size_t n = 0;

    f[n] = flow("192.168.1.135", "192.168.1.1", 17);
    f[n].n_dst_ports = 1;
    f[n].dst_ports[0] = 53;
    f[n].count = 3;
    f[n++].app = app((sigext_app){ .proto = SIGEXT_APP_DNS,
        .qtype = sx_intern_z(ctx, "A"),
        .name = sx_intern_z(ctx, "use1-api.tplinkra.com") });

    f[n] = flow("192.168.1.135", "use1-api.tplinkra.com", 6);
    f[n].n_dst_ports = 1;
    f[n++].dst_ports[0] = 443;

    f[n] = flow("192.168.1.110", "192.168.1.255", 17);
    f[n].n_dst_ports = 2;
    f[n].dst_ports[0] = 9999;
    f[n++].dst_ports[1] = 20002;

    f[n] = flow("192.168.1.135", "*.tplinkra.com", 6);
    f[n].n_dst_ports = 1;
    f[n].dst_ports[0] = 443;
    f[n++].app = NULL;

    f[n] = flow("192.168.1.135", "10.0.0.8", 6);
    f[n].n_dst_ports = 1;
    f[n].dst_ports[0] = 80;
    f[n++].app = app((sigext_app){ .proto = SIGEXT_APP_HTTP,
        .method = sx_intern_z(ctx, "POST"),
        .uri = sx_intern_z(ctx, "/app/request*") });

    f[n] = flow("192.168.1.135", "192.168.1.20", 17);
    f[n].n_dst_ports = 1;
    f[n].dst_ports[0] = 5683;
    f[n++].app = app((sigext_app){ .proto = SIGEXT_APP_COAP,
        .type = sx_intern_z(ctx, "CON"),
        .method = sx_intern_z(ctx, "GET"),
        .uri = sx_intern_z(ctx, "/a/b") });

    f[n] = flow("0.0.0.0", "255.255.255.255", 17);
    f[n].n_src_ports = 1;
    f[n].src_ports[0] = 68;
    f[n].n_dst_ports = 1;
    f[n].dst_ports[0] = 67;
    f[n++].app = app((sigext_app){ .proto = SIGEXT_APP_DHCP,
        .type = sx_intern_z(ctx, "discover"),
        .client_mac = sx_intern_z(ctx, "50:c7:bf:ed:0a:54") });

    f[n] = flow("fe80::1", "fe80::2", 17);
    f[n++].count = 7;
    return n;
}

static sigext_pattern *pattern(const sigext_flow *f, size_t n)
{
    sigext_pattern *p;

    assert_int_equal(sx_pattern_from_flows(ctx, f, n, "test", &p),
                     SIGEXT_OK);
    return p;
}

/* Write p as JSON into a new string. */
static char *to_json(const sigext_pattern *p, const char *ip, int *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    assert_non_null(mem);
    *st = sigext_write_flows_json(ctx, p, ip, mem);
    fclose(mem);
    return text;
}

static void assert_same_flows(const sigext_pattern *a,
                              const sigext_pattern *b)
{
    assert_int_equal(a->n_flows, b->n_flows);
    for (size_t i = 0; i < a->n_flows; i++) {
        const sigext_flow *x = &a->flows[i], *y = &b->flows[i];
        assert_int_equal(x->ipver, y->ipver);
        assert_int_equal(x->transport, y->transport);
        assert_ptr_equal(x->src, y->src);
        assert_ptr_equal(x->dst, y->dst);
        assert_int_equal(x->n_src_ports, y->n_src_ports);
        assert_int_equal(x->n_dst_ports, y->n_dst_ports);
        assert_memory_equal(x->src_ports, y->src_ports,
                            x->n_src_ports * sizeof(uint16_t));
        assert_memory_equal(x->dst_ports, y->dst_ports,
                            x->n_dst_ports * sizeof(uint16_t));
        assert_ptr_equal(x->app, y->app);   /* interned: same fields */
        assert_int_equal(x->count, y->count);
    }
}

static void policy_shape(void **state)
{
    sigext_flow f[16];
    sigext_pattern *p;
    char *text;
    int st;

    sample(f);
    p = pattern(f, 1);
    text = to_json(p, "192.168.1.135", &st);
    assert_int_equal(st, SIGEXT_OK);
    assert_string_equal(text,
        "[\n"
        "  {\n"
        "    \"id\": \"192.168.1.135-192.168.1.1_UDP_dst_53_DNS_"
        "response-False_qtype-A_domain-name-use1-api.tplinkra.com\",\n"
        "    \"protocols\": {\n"
        "      \"ipv4\": {\n"
        "        \"src\": \"self\",\n"
        "        \"dst\": \"192.168.1.1\"\n"
        "      },\n"
        "      \"udp\": {\n"
        "        \"dst-port\": 53\n"
        "      },\n"
        "      \"dns\": {\n"
        "        \"response\": false,\n"
        "        \"qtype\": \"A\",\n"
        "        \"domain-name\": \"use1-api.tplinkra.com\"\n"
        "      }\n"
        "    },\n"
        "    \"bidirectional\": true,\n"
        "    \"count\": 3,\n"
        "    \"device-ip\": \"192.168.1.135\"\n"
        "  }\n"
        "]\n");
    free(text);

    /* Without a device IP: addresses as they are, no "device-ip". */
    text = to_json(p, NULL, &st);
    assert_non_null(strstr(text, "\"src\": \"192.168.1.135\""));
    assert_null(strstr(text, "self"));
    assert_null(strstr(text, "device-ip"));
    free(text);
    sigext_pattern_free(p);
}

static void ports_and_wildcards(void **state)
{
    sigext_flow f[16];
    size_t n = sample(f);
    sigext_pattern *p = pattern(f, n);
    char *text;
    int st;

    text = to_json(p, "192.168.1.135", &st);
    assert_int_equal(st, SIGEXT_OK);
    /* Two fixed ports on one host: a list. */
    assert_non_null(strstr(text, "\"dst-port\": [\n          9999,\n"
                                 "          20002\n        ]"));
    /* '*' is the translator's '$'. */
    assert_non_null(strstr(text, "\"dst\": \"$.tplinkra.com\""));
    /* A transport with no fixed port is still there, empty. */
    assert_non_null(strstr(text, "\"udp\": {}"));
    assert_non_null(strstr(text, "\"ipv6\": {"));
    assert_non_null(strstr(text, "\"client-mac\": \"50:c7:bf:ed:0a:54\""));
    free(text);
    sigext_pattern_free(p);
}

static void round_trip(void **state)
{
    static const char *const ips[] = { NULL, "192.168.1.135", "fe80::1" };
    sigext_flow f[16];
    size_t n = sample(f);
    sigext_pattern *p = pattern(f, n), *q;

    for (size_t i = 0; i < 3; i++) {
        int st;
        char *text = to_json(p, ips[i], &st);

        assert_int_equal(st, SIGEXT_OK);
        assert_int_equal(sx_pattern_read_json(ctx, "mem.json", text,
                                              strlen(text), &q), SIGEXT_OK);
        assert_same_flows(p, q);
        assert_string_equal(q->source, "mem.json");
        sigext_pattern_free(q);
        free(text);
    }
    sigext_pattern_free(p);
}

static void empty_pattern(void **state)
{
    sigext_flow none[1] = { { 0 } };
    sigext_pattern *p = pattern(none, 0), *q;
    int st;
    char *text = to_json(p, NULL, &st);

    assert_string_equal(text, "[]\n");
    assert_int_equal(sx_pattern_read_json(ctx, "e.json", text, strlen(text),
                                          &q), SIGEXT_OK);
    assert_int_equal(q->n_flows, 0);
    sigext_pattern_free(q);
    sigext_pattern_free(p);
    free(text);
}

static void bad_device_ip(void **state)
{
    sigext_flow f[16];
    sigext_pattern *p;
    int st;

    sample(f);
    p = pattern(f, 1);
    free(to_json(p, "192.168.1.300", &st));
    assert_int_equal(st, SIGEXT_ERR_USAGE);
    assert_non_null(strstr(sigext_error(ctx), "192.168.1.300"));
    sigext_pattern_free(p);
}

/* Read `text`; expect `status` and an error containing `msg`. */
static void refused(const char *text, int status, const char *msg)
{
    sigext_pattern *q = (sigext_pattern *)1;

    assert_int_equal(sx_pattern_read_json(ctx, "bad.json", text,
                                          strlen(text), &q), status);
    assert_null(q);
    if (strstr(sigext_error(ctx), msg) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", sigext_error(ctx), msg);
    assert_non_null(strstr(sigext_error(ctx), "bad.json"));
}

static void bad_input(void **state)
{
    static const char ok_net[] =
        "\"ipv4\": {\"src\": \"10.0.0.1\", \"dst\": \"10.0.0.2\"}";
    char buf[512];

    refused("[1, 2", SIGEXT_ERR_FORMAT, "bad.json:1:");
    refused("{\"a\": 1}", SIGEXT_ERR_FORMAT, "bad.json: a JSON object; "
            "sigext writes flows as a JSON array of policies");
    refused("null", SIGEXT_ERR_FORMAT, "bad.json: JSON null; ");
    refused("\"str\"", SIGEXT_ERR_FORMAT, "bad.json: a JSON string; ");
    refused("[1]", SIGEXT_ERR_FORMAT, "policy 1: not an object");
    refused("[{\"bidirectional\": true}]", SIGEXT_ERR_FORMAT,
            "no \"protocols\"");
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s, \"arp\": {}}}]",
             ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "unsupported protocol \"arp\"");
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s}}]", ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "needs ipv4 or ipv6, and tcp or udp");
    refused("[{\"protocols\": {\"ipv4\": {\"src\": \"self\", \"dst\": "
            "\"10.0.0.2\"}, \"tcp\": {}}}]", SIGEXT_ERR_FORMAT,
            "\"self\" without a device IPv4 address");
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s, \"tcp\": "
             "{\"dst-port\": 70000}}}]", ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "bad port");
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s, \"udp\": {}, "
             "\"dns\": {\"qtype\": \"A\"}}}]", ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "DNS needs qtype and domain-name");
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s, \"udp\": {}}, "
             "\"count\": 0.5}]", ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "policy 1: \"count\": real number "
            "0.5, an integer is expected");
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s, \"udp\": "
             "{\"dst-port\": [53, 1e2]}}}]", ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "policy 1: \"dst-port\": real number "
            "100, an integer is expected");
    /* jansson's texts for these name its flags; ours say what is wrong. */
    refused("[{\"id\": \"a\\u0000b\"}]", SIGEXT_ERR_FORMAT,
            ": NUL character (\\u0000) in a string");
    assert_non_null(strstr(sigext_error(ctx), "bad.json:1:"));
    assert_null(strstr(sigext_error(ctx), "JSON_"));
    refused("[{\"a\\u0000b\": 1}]", SIGEXT_ERR_FORMAT,
            "NUL character (\\u0000) in an object key");
    refused("[{\"id\": \"\xff\"}]", SIGEXT_ERR_FORMAT,
            ": invalid UTF-8");
    assert_non_null(strstr(sigext_error(ctx), "bad.json:1:"));
    refused("[{\"id\": 99999999999999999999999}]", SIGEXT_ERR_FORMAT,
            "number out of range");
    /* A control character (escaped, as JSON must) in an application
     * field: no decoder keeps one, and a CSV could not say it. */
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s, \"udp\": {}, "
             "\"dns\": {\"qtype\": \"A\", \"domain-name\": "
             "\"a\\u0001b\"}}}]", ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "control character in \"domain-name\"");
    refused("[{\"protocols\": {\"ipv6\": {\"src\": \"::1\", \"dst\": "
            "\"10.0.0.2\"}, \"tcp\": {}}}]", SIGEXT_ERR_FORMAT,
            "not an IPv6 host");
    refused("[{\"protocols\": {\"ipv4\": {\"src\": \"fe80::1\", \"dst\": "
            "\"10.0.0.2\"}, \"tcp\": {}}}]", SIGEXT_ERR_FORMAT,
            "not an IPv4 host");
    snprintf(buf, sizeof(buf), "[{\"protocols\": {%s, %s, \"tcp\": {}}}]",
             ok_net, ok_net);
    refused(buf, SIGEXT_ERR_FORMAT, "duplicate");
}

static void hand_written_policy(void **state)
{
    /* What a person may write: no id, no count, ports as strings, the
     * response flag left out. */
    static const char text[] =
        "[{\"protocols\": {\"dns\": {\"qtype\": \"A\", \"domain-name\": "
        "\"a.b.com\"}, \"udp\": {\"dst-port\": \"53\"}, \"ipv4\": "
        "{\"src\": \"self\", \"dst\": \"10.0.0.1\"}}, "
        "\"device-ip\": \"10.0.0.9\"}]";
    sigext_pattern *q;

    assert_int_equal(sx_pattern_read_json(ctx, "h.json", text,
                                          strlen(text), &q), SIGEXT_OK);
    assert_int_equal(q->n_flows, 1);
    assert_string_equal(q->flows[0].src->text, "10.0.0.9");
    assert_int_equal(q->flows[0].dst_ports[0], 53);
    assert_int_equal(q->flows[0].count, 1);
    assert_false(q->flows[0].app->response);
    sigext_pattern_free(q);
}

static void not_utf8(void **state)
{
    sigext_flow f[2];
    sigext_pattern *p;
    char *text;
    int st;

    /* A raw 0xff byte cannot be JSON text; a valid e-acute stays. */
    f[0] = flow("10.0.0.1", "bad\xffname.example", 6);
    f[1] = flow("10.0.0.1", "caf\xc3\xa9.example", 6);
    p = pattern(f, 2);
    text = to_json(p, NULL, &st);
    assert_int_equal(st, SIGEXT_OK);
    assert_non_null(strstr(text, "\"dst\": \"bad?name.example\""));
    assert_non_null(strstr(text, "\"dst\": \"caf\xc3\xa9.example\""));
    free(text);
    sigext_pattern_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_shape),
        cmocka_unit_test(ports_and_wildcards),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(empty_pattern),
        cmocka_unit_test(bad_device_ip),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(hand_written_policy),
        cmocka_unit_test(not_utf8),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
