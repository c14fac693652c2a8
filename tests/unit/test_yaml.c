/*
 * test_yaml.c - smart-home-firewall profiles: the writer's output, its
 * round trip through the reader (same policies, same fingerprints), the
 * YAML 1.1 quoting rule, PyYAML's view of the file when python3-yaml is
 * installed, and the reader's refusals.
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

#include "test_util.h"

#include "flows/flows.h"
#include "output/readers.h"

/* ---- files ---- */

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char path[512];

    if (tmpdir[0] == '\0') {
        const char *dir = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/sx_yaml_XXXXXX",
                 dir != NULL && dir[0] != '\0' ? dir : "/tmp");
        assert_non_null(mkdtemp(tmpdir));
    }
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

static const char *write_file(const char *name, const char *text)
{
    const char *path = tmp_path(name);
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static int cleanup(void **state)
{
    char cmd[600];

    if (tmpdir[0] != '\0') {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            return 1;
    }
    return teardown(state);
}

/* ---- flows ---- */

static sigext_flow flow(const char *src, const char *dst, int tr,
                        uint16_t dport)
{
    return test_flow(src, dst, tr, 0, dport);
}

static size_t sample(sigext_flow *f)
{
    sigext_app dns = { .proto = SIGEXT_APP_DNS };
    sigext_app coap = { .proto = SIGEXT_APP_COAP };
    size_t n = 0;

    dns.qtype = sx_intern_z(ctx, "A");
    dns.name = sx_intern_z(ctx, "use1-api.tplinkra.com");
    coap.type = sx_intern_z(ctx, "NON");
    coap.method = sx_intern_z(ctx, "POST");
    coap.uri = sx_intern_z(ctx, "/true");        /* not a bool */

    f[n] = flow("192.168.1.135", "192.168.1.1", 17, 53);
    f[n++].app = sx_app_intern(ctx, &dns);
    f[n++] = flow("192.168.1.135", "use1-api.tplinkra.com", 6, 443);
    f[n] = flow("192.168.1.110", "192.168.1.135", 17, 9999);
    f[n].n_dst_ports = 2;
    f[n++].dst_ports[1] = 20002;
    f[n++] = flow("192.168.1.135", "*.tplinkra.com", 6, 443);
    f[n] = flow("192.168.1.135", "224.0.1.187", 17, 5683);
    f[n++].app = sx_app_intern(ctx, &coap);
    f[n++] = flow("fe80::1", "fe80::2", 17, 0);
    /* same id as the flow before (ids map odd characters to '-') */
    f[n++] = flow("fe80::1", "fe80::2", 17, 0);
    f[n - 1].dst = host("fe80--2");
    return n;
}

static char *write_profile(const sigext_pattern *p, const sigext_device *d,
                           int *st)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    assert_non_null(mem);
    *st = sigext_write_profile(ctx, p, d, mem);
    fclose(mem);
    return text;
}

static const sigext_device device = {
    .name = "tplink-plug", .ipv4 = "192.168.1.135",
    .ipv6 = "fe80::1", .mac = "12:34:56:12:34:56",
};

static void written_profile(void **state)
{
    sigext_flow f[16];
    sigext_pattern *p;
    char *text;
    int st;

    assert_int_equal(sx_pattern_from_flows(ctx, f, sample(f), "t", &p), 0);
    text = write_profile(p, &device, &st);
    assert_int_equal(st, SIGEXT_OK);
    assert_non_null(strstr(text,
        "---\n"
        "device-info:\n"
        "  name: tplink-plug\n"
        "  ipv4: 192.168.1.135\n"
        "  mac: '12:34:56:12:34:56'\n"   /* a sexagesimal int, plain */
        "  ipv6: fe80::1\n"
        "single-policies:\n"
        "  192.168.1.135-192.168.1.1_UDP_dst_53_DNS_response-False_qtype-A_"
        "domain-name-use1-api.tplinkra.com:\n"
        "    protocols:\n"
        "      ipv4:\n"
        "        src: self\n"
        "        dst: 192.168.1.1\n"
        "      udp:\n"
        "        dst-port: 53\n"
        "      dns:\n"
        "        response: false\n"
        "        qtype: A\n"
        "        domain-name: use1-api.tplinkra.com\n"
        "    bidirectional: true\n"));
    assert_non_null(strstr(text, "dst-port: [9999, 20002]"));
    assert_non_null(strstr(text, "dst: $.tplinkra.com"));
    assert_non_null(strstr(text, "uri: /true"));
    assert_non_null(strstr(text, "\n  fe80--1-fe80--2_UDP:\n"));
    assert_non_null(strstr(text, "\n  fe80--1-fe80--2_UDP-2:\n"));
    assert_non_null(strstr(text, "src: self\n        dst: fe80::2"));
    assert_non_null(strstr(text, "\n...\n"));
    free(text);
    sigext_pattern_free(p);
}

static void round_trip(void **state)
{
    sigext_flow f[16];
    size_t n = sample(f);
    sigext_pattern *p, *q;
    struct sx_profile *prof;
    const char *path;
    char *text;
    int st;

    assert_int_equal(sx_pattern_from_flows(ctx, f, n, "t", &p), 0);
    text = write_profile(p, &device, &st);
    path = write_file("rt.yaml", text);
    free(text);

    assert_int_equal(sx_profile_read(ctx, path, &prof), SIGEXT_OK);
    assert_string_equal(prof->dev.name, "tplink-plug");
    assert_string_equal(prof->dev.ipv4, "192.168.1.135");
    assert_string_equal(prof->dev.mac, "12:34:56:12:34:56");
    assert_non_null(prof->policies);
    assert_int_equal(prof->policies->n, n);
    assert_int_equal(sx_profile_pattern(ctx, prof, &q), SIGEXT_OK);
    assert_int_equal(q->n_flows, n);
    for (size_t i = 0; i < n; i++) {
        const sigext_flow *x = &p->flows[i], *y = &q->flows[i];
        assert_int_equal(x->ipver, y->ipver);
        assert_int_equal(x->transport, y->transport);
        assert_ptr_equal(x->src, y->src);
        assert_ptr_equal(x->dst, y->dst);
        assert_int_equal(x->n_dst_ports, y->n_dst_ports);
        assert_memory_equal(x->dst_ports, y->dst_ports,
                            x->n_dst_ports * sizeof(uint16_t));
        assert_ptr_equal(x->app, y->app);
    }
    sigext_pattern_free(q);
    sx_profile_free(prof);
    sigext_pattern_free(p);
}

/* PyYAML reads what libyaml wrote, with the same types. */
static void python_reads_it(void **state)
{
    sigext_flow f[16];
    sigext_pattern *p;
    const char *path;
    char *text, cmd[1024];
    int st;

    if (system("python3 -c 'import yaml' >/dev/null 2>&1") != 0) {
        printf("SKIP: python3-yaml absent\n");
        skip();
    }
    assert_int_equal(sx_pattern_from_flows(ctx, f, sample(f), "t", &p), 0);
    text = write_profile(p, &device, &st);
    path = write_file("py.yaml", text);
    free(text);
    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sys, yaml\n"
             "d = yaml.safe_load(open(sys.argv[1]))\n"
             "i = d[\"device-info\"]\n"
             "assert i[\"mac\"] == \"12:34:56:12:34:56\", i\n"
             "assert i[\"ipv4\"] == \"192.168.1.135\", i\n"
             "ps = d[\"single-policies\"]\n"
             "assert len(ps) == 7, len(ps)\n"
             "for p in ps.values():\n"
             "    assert p[\"bidirectional\"] is True\n"
             "v = list(ps.values())\n"
             "assert v[0][\"protocols\"][\"dns\"][\"response\"] is False\n"
             "assert v[0][\"protocols\"][\"udp\"][\"dst-port\"] == 53\n"
             "assert v[2][\"protocols\"][\"udp\"][\"dst-port\"] == "
             "[9999, 20002]\n"
             "assert v[4][\"protocols\"][\"coap\"][\"uri\"] == \"/true\"\n"
             "' '%s'", path);
    assert_int_equal(system(cmd), 0);
    sigext_pattern_free(p);
}

static void plain_scalar_types(void **state)
{
    static const char *const typed[] = {
        "", "~", "null", "yes", "No", "on", "OFF", "true", "False", "y",
        "42", "-7", "0755", "0x1F", "0b101", "1_000", "1:20", "1:20:30.5",
        "1.5", "-.5", ".5e+3", "1e5", ".inf", "-.Inf", ".nan",
        "12:34:56:12:34:56",
    };
    static const char *const plain[] = {
        "192.168.1.1", "fe80::1", "50:c7:bf:ed:0a:54", "self", "A",
        "/true", "tplink-plug", "1.2.3", "$.pool.ntp.org", "e5", "0x",
        "10.0.0.1/24", "1e", "NaN",
    };

    for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
        if (!sx_yaml_plain_is_typed(typed[i]))
            fail_msg("\"%s\" should need quotes", typed[i]);
    }
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (sx_yaml_plain_is_typed(plain[i]))
            fail_msg("\"%s\" should stay plain", plain[i]);
    }
}

/* Read `text` as a profile; expect `status` and `msg` in the error. */
static void refused(const char *text, int status, const char *msg)
{
    const char *path = write_file("bad.yaml", text);
    struct sx_profile *p = (struct sx_profile *)1;

    assert_int_equal(sx_profile_read(ctx, path, &p), status);
    assert_null(p);
    if (strstr(sigext_error(ctx), msg) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", sigext_error(ctx), msg);
}

/* YAML 1.1 merge keys, as PyYAML applies them: the map's own keys win,
 * then the merged maps in their order. */
static void merge_keys(void **state)
{
    const char *path = write_file("merge.yaml",
        "base: &b {ipv4: {src: self, dst: 8.8.8.8}, udp: {dst-port: 1}}\n"
        "more: &m {udp: {dst-port: 2}, tcp: {}}\n"
        "device-info: {name: x, ipv4: 10.0.0.1}\n"
        "single-policies:\n"
        "  p:\n"
        "    protocols:\n"
        "      <<: [*b, *m]\n"
        "      udp: {dst-port: 53}\n");
    const struct sx_node *protos;
    struct sx_profile *p;

    (void)state;
    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_OK);
    protos = sx_map_get(sx_map_get(p->policies, "p"), "protocols");
    assert_int_equal(protos->n, 3);
    assert_string_equal(sx_map_get(sx_map_get(protos, "udp"),
                                   "dst-port")->text, "53");
    assert_string_equal(sx_map_get(sx_map_get(protos, "ipv4"), "dst")->text,
                        "8.8.8.8");
    assert_non_null(sx_map_get(protos, "tcp"));
    sx_profile_free(p);
}

static void bad_profiles(void **state)
{
    struct sx_profile *p;

    refused("single-policies: {}\n", SIGEXT_ERR_FORMAT,
            "bad.yaml: missing device-info");
    refused("", SIGEXT_ERR_FORMAT, "empty profile");
    refused("- a\n- b\n", SIGEXT_ERR_FORMAT, "not a device profile");
    refused("device-info:\n  ipv4: 10.0.0.1\n", SIGEXT_ERR_FORMAT,
            "device-info has no name");
    refused("device-info:\n  name: x\n  ipv4: 10.0.0.300\n",
            SIGEXT_ERR_FORMAT, "bad.yaml:3: device-info ipv4 is not an "
            "IPv4 address");
    refused("device-info:\n  name: x\n  name: y\n", SIGEXT_ERR_FORMAT,
            "bad.yaml:3: duplicate key \"name\"");
    refused("device-info: {name: x\n", SIGEXT_ERR_FORMAT, "bad.yaml:2:");
    refused("device-info: {name: x}\n---\nb: 1\n", SIGEXT_ERR_FORMAT,
            "more than one YAML document");
    refused("device-info: {name: *nope}\n", SIGEXT_ERR_FORMAT,
            "unknown alias");
    refused("device-info: {name: !!float 1.5}\n", SIGEXT_ERR_FORMAT,
            "unsupported tag");
    refused("device-info: {name: x}\nsingle-policies: [1]\n",
            SIGEXT_ERR_FORMAT, "single-policies must be a map");
    refused("device-info: {name: x, <<: 5}\n", SIGEXT_ERR_FORMAT,
            "bad.yaml:1: \"<<\" merges a map or a list of maps");
    refused("device-info: {name: x, <<: {a: 1}, <<: {b: 2}}\n",
            SIGEXT_ERR_FORMAT, "duplicate key \"<<\"");
    assert_int_equal(sx_profile_read(ctx, "/nonexistent/p.yaml", &p),
                     SIGEXT_ERR_IO);
}

static void bad_policies(void **state)
{
    const char *path = write_file("pol.yaml",
        "device-info: {name: x, ipv4: 10.0.0.1}\n"
        "single-policies:\n"
        "  ok: {protocols: {ipv4: {src: self, dst: 10.0.0.2}, tcp: {}}}\n"
        "  notok:\n"
        "    protocols: {ipv4: {src: self, dst: 10.0.0.2}, tcp: "
        "{dst-port: [1, 2, 3, 4, 5, 6, 7, 8, 9]}}\n");
    struct sx_profile *p;
    sigext_pattern *q = NULL;

    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_OK);
    assert_int_equal(sx_profile_pattern(ctx, p, &q), SIGEXT_ERR_FORMAT);
    assert_null(q);
    assert_non_null(strstr(sigext_error(ctx), "pol.yaml:5: policy notok: "
                                              "\"dst-port\": 1 to 8 ports"));
    sx_profile_free(p);
}

/* A profile `name` whose one policy "a" is `!include spec`. */
static const char *outer_profile(const char *name, const char *spec)
{
    char text[256];

    snprintf(text, sizeof(text), "device-info: {name: plug, ipv4: "
             "10.0.0.1}\nsingle-policies:\n  a: !include %s\n", spec);
    return write_file(name, text);
}

static void anchors_and_includes(void **state)
{
    const char *path;
    struct sx_profile *p;
    sigext_pattern *q;

    mkdir(tmp_path("echo"), 0700);
    write_file("echo/profile.yaml",
        "device-info: {name: echo, ipv4: 192.168.1.150}\n"
        "single-policies:\n"
        "  to-cloud:\n"
        "    protocols: {ipv4: {src: self, dst: 1.2.3.4}, tcp: "
        "{dst-port: 443}}\n"
        "    bidirectional: true\n");
    path = write_file("main.yaml",
        "# a profile using what other profiles define\n"
        "---\n"
        "device-info:\n"
        "  name: plug\n"
        "  ipv4: &me 192.168.1.135\n"
        "single-policies:\n"
        "  mine:\n"
        "    protocols:\n"
        "      ipv4: {src: *me, dst: !include echo/profile.yaml"
        "#device-info.ipv4}\n"
        "      udp: &ports {dst-port: \"9999\"}\n"
        "  echo-cloud: !include echo/profile.yaml"
        "#single-policies.to-cloud\n"
        "...\n");

    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_OK);
    assert_int_equal(sx_profile_pattern(ctx, p, &q), SIGEXT_OK);
    assert_int_equal(q->n_flows, 2);
    assert_string_equal(q->flows[0].src->text, "192.168.1.135");
    assert_string_equal(q->flows[0].dst->text, "192.168.1.150");
    assert_int_equal(q->flows[0].dst_ports[0], 9999);
    /* "self" in the included policy is the echo, not the plug. */
    assert_string_equal(q->flows[1].src->text, "192.168.1.150");
    sigext_pattern_free(q);
    sx_profile_free(p);

    /* Includes in an included file are not followed (they read as null),
     * even as a map key (regression: a fuzzed profile crashed there). */
    write_file("nested.yaml",
        "device-info: {name: n}\n"
        "single-policies:\n"
        "  ? !include deeper.yaml#x\n"
        "  : {protocols: {ipv4: {src: 10.0.0.1, dst: 10.0.0.2}, udp: {}}}\n");
    path = write_file("outer.yaml",
        "device-info: {name: plug, ipv4: 10.0.0.1}\n"
        "single-policies: !include nested.yaml#single-policies\n");
    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_OK);
    assert_int_equal(p->policies->n, 1);
    assert_string_equal(p->policies->keys[0], "");
    sx_profile_free(p);

    /* As a value in the part included, it is an error naming it, not a
     * null that fails later as something else. */
    write_file("nested2.yaml",
        "device-info: {name: n}\n"
        "pol: {protocols: {ipv4: !include deeper.yaml#x}}\n");
    path = outer_profile("outer2.yaml", "nested2.yaml#pol");
    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_ERR_FORMAT);
    assert_non_null(strstr(sigext_error(ctx), "outer2.yaml:3: !include "
                           "nested2.yaml#pol: the part included holds "
                           "\"!include deeper.yaml#x\""));

    /* A fault inside an included policy is reported at the !include. */
    write_file("nested3.yaml",
        "device-info: {name: n}\n"
        "\n"
        "\n"
        "pol: {protocols: {tcp: {dst-port: [1, 2, 3, 4, 5, 6, 7, 8, 9]}}}\n");
    path = outer_profile("outer3.yaml", "nested3.yaml#pol");
    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_OK);
    assert_int_equal(sx_profile_pattern(ctx, p, &q), SIGEXT_ERR_FORMAT);
    assert_non_null(strstr(sigext_error(ctx), "outer3.yaml:3: policy a: "));
    sx_profile_free(p);

    path = write_file("inc.yaml",
        "device-info: {name: plug, ipv4: !include echo/profile.yaml#nope}\n");
    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_ERR_FORMAT);
    assert_non_null(strstr(sigext_error(ctx), "no member \"nope\" in "));
    assert_non_null(strstr(sigext_error(ctx), "echo/profile.yaml"));

    /* A file that cannot be opened is an I/O error naming the including
     * file, its line, the missing file and why. */
    path = write_file("inc2.yaml",
        "device-info: {name: plug,\n"
        "  ipv4: !include gone.yaml#a}\n");
    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_ERR_IO);
    assert_non_null(strstr(sigext_error(ctx), "inc2.yaml:2: !include "
                           "gone.yaml#a: "));
    assert_non_null(strstr(sigext_error(ctx), "/gone.yaml: "));
    assert_non_null(strstr(sigext_error(ctx), strerror(ENOENT)));

    /* Without '#' the text names a member of the including file itself
     * (IncludeLoader), so "gone.yaml" is a member path there. */
    path = write_file("inc3.yaml",
        "device-info: !include gone.yaml\n");
    assert_int_equal(sx_profile_read(ctx, path, &p), SIGEXT_ERR_FORMAT);
    assert_non_null(strstr(sigext_error(ctx), "inc3.yaml:1: !include "
                           "gone.yaml: no member \"gone\" in this file "
                           "(a member of another file is FILE#MEMBER)"));
}

static void bad_device(void **state)
{
    sigext_flow f[16];
    sigext_pattern *p;
    sigext_device d = device;
    int st;

    assert_int_equal(sx_pattern_from_flows(ctx, f, sample(f), "t", &p), 0);
    d.ipv4 = "fe80::9";
    free(write_profile(p, &d, &st));
    assert_int_equal(st, SIGEXT_ERR_USAGE);
    d = device;
    d.name = "";
    free(write_profile(p, &d, &st));
    assert_int_equal(st, SIGEXT_ERR_USAGE);
    /* A name no firewall table can take: the same rule as firewall's. */
    d.name = "2bad name";
    free(write_profile(p, &d, &st));
    assert_int_equal(st, SIGEXT_ERR_USAGE);
    assert_non_null(strstr(sigext_error(ctx), "device name \"2bad name\" "
                           "cannot name an nftables table"));
    sigext_pattern_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(written_profile),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(python_reads_it),
        cmocka_unit_test(plain_scalar_types),
        cmocka_unit_test(merge_keys),
        cmocka_unit_test(bad_profiles),
        cmocka_unit_test(bad_policies),
        cmocka_unit_test(anchors_and_includes),
        cmocka_unit_test(bad_device),
    };

    return cmocka_run_group_tests(tests, setup, cleanup);
}
