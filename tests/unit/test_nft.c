/*
 * test_nft.c - nftables scripts.
 *
 * The main check translates ../shared/profiles/translator-test.profile.yaml
 * and compares it with the script the existing translator made from it
 * (translator-test.firewall.nft): same rules, same matches in the same
 * order, same actions, with comments and spacing ignored.  Then: scripts
 * from signatures, queue numbering and sharing, domain sets, keywords and
 * refusals.  When `nft` is installed and usable, every script here must
 * pass `nft -c -f`, with queue rules turned into accept first (a kernel
 * without nfnetlink_queue refuses them).
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

#define SX_TEST_OWN_SETUP
#include "test_util.h"

#include "flows/flows.h"
#include "output/readers.h"

static char tmpdir[256];
static int warnings;

static void count_warn(void *user, sigext_log_level level, const char *msg)
{
    if (level == SIGEXT_LOG_WARN)
        warnings++;
}

static int setup(void **state)
{
    const char *dir = getenv("TMPDIR");

    snprintf(tmpdir, sizeof(tmpdir), "%s/sx_nft_XXXXXX",
             dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    ctx = sigext_ctx_new(NULL);
    if (ctx == NULL)
        return 1;
    sigext_set_log(ctx, SIGEXT_LOG_DEBUG, count_warn, NULL);
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];

    sigext_ctx_free(ctx);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) != 0;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return path;
}

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    char *text;
    long n;

    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, fp), (size_t)n);
    text[n] = '\0';
    fclose(fp);
    return text;
}

/* ---- nft -c ---- */

static int nft_usable = -1;

/* `nft -c -f` on the script with queue rules made accept; skipped (once
 * reported) when nft is missing or cannot talk to the kernel. */
static void nft_check(const char *script)
{
    char cmd[1024], *copy, *p;
    const char *path;
    int rc;

    if (nft_usable < 0) {
        path = write_file("probe.nft", "table bridge sx_probe {\n"
                          "  chain c { type filter hook prerouting "
                          "priority 0; policy accept; }\n}\n");
        snprintf(cmd, sizeof(cmd), "nft -c -f '%s' >/dev/null 2>&1", path);
        nft_usable = system(cmd) == 0;
        if (!nft_usable)
            printf("SKIP: nft -c unavailable, scripts not checked\n");
        else
            printf("nft -c: checking scripts, queue rules replaced by "
                   "accept\n");
    }
    if (!nft_usable)
        return;
    copy = strdup(script);
    assert_non_null(copy);
    /* "queue num N" -> "accept" padded with spaces, same length. */
    while ((p = strstr(copy, "queue num ")) != NULL) {
        memcpy(p, "accept    ", 10);
        for (p += 10; *p >= '0' && *p <= '9'; p++)
            *p = ' ';
    }
    path = write_file("check.nft", copy);
    free(copy);
    snprintf(cmd, sizeof(cmd), "nft -c -f '%s'", path);
    rc = system(cmd);
    if (rc != 0)
        fail_msg("nft -c -f refused:\n%s", script);
}

/* ---- running the writers ---- */

static char *nft_of_profile(const char *yaml, const sigext_nft_options *o,
                            int *st)
{
    const char *path = write_file("p.yaml", yaml);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    assert_non_null(mem);
    *st = sigext_write_nft_from_profile(ctx, path, o, mem);
    fclose(mem);
    if (*st == SIGEXT_OK)
        nft_check(text);
    return text;
}

static char *nft_of_flows(const sigext_flow *f, size_t n,
                          const sigext_device *d, const sigext_nft_options *o,
                          int *st)
{
    sigext_pattern *p;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    assert_non_null(mem);
    assert_int_equal(sx_pattern_from_flows(ctx, f, n, "sig.json", &p), 0);
    *st = sigext_write_nft(ctx, p, d, o, mem);
    fclose(mem);
    sigext_pattern_free(p);
    if (*st == SIGEXT_OK)
        nft_check(text);
    return text;
}

/*
 * The lines that carry meaning, each with comments removed and blanks
 * squeezed, joined by '\n'.  The table and chain lines are kept: they
 * must match too.
 */
static char *significant(const char *script)
{
    char *out = malloc(strlen(script) + 2);
    size_t o = 0;

    assert_non_null(out);
    for (const char *line = script; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        size_t start = o;
        bool blank = true;

        for (size_t i = 0; i < len && line[i] != '#'; i++) {
            char c = line[i] == '\t' ? ' ' : line[i];
            if (c == ' ' && (blank || out[o - 1] == ' '))
                continue;
            blank = false;
            out[o++] = c;
        }
        while (o > start && out[o - 1] == ' ')
            o--;
        if (o > start)
            out[o++] = '\n';
        line += len + (end != NULL);
    }
    out[o] = '\0';
    return out;
}

/* The rule lines (ending in an action) of a script, in order. */
static void assert_rules(const char *script, const char *expected)
{
    char *sig = significant(script);
    char *rules = malloc(strlen(sig) + 1);
    size_t o = 0;

    assert_non_null(rules);
    for (char *line = strtok(sig, "\n"); line != NULL;
         line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        bool rule = (n >= 4 && strcmp(line + n - 4, "drop") == 0) ||
                    (n >= 6 && strcmp(line + n - 6, "accept") == 0 &&
                     strstr(line, "policy accept") == NULL) ||
                    strstr(line, "queue num ") != NULL;
        if (rule) {
            memcpy(rules + o, line, n);
            o += n;
            rules[o++] = '\n';
        }
    }
    rules[o] = '\0';
    if (strcmp(rules, expected) != 0)
        fail_msg("rules differ:\n--- got\n%s--- expected\n%s", rules,
                 expected);
    free(rules);
    free(sig);
}

/* ---- the translator's own test ---- */

static void translator_test(void **state)
{
    const char *root = getenv("SIGEXT_SRC");
    char prof[4096], nft[4096], *got, *want, *sg, *sw;
    FILE *mem;
    size_t len = 0;

    snprintf(prof, sizeof(prof), "%s/../shared/profiles/"
             "translator-test.profile.yaml", root != NULL ? root : ".");
    snprintf(nft, sizeof(nft), "%s/../shared/profiles/"
             "translator-test.firewall.nft", root != NULL ? root : ".");
    if (access(prof, R_OK) != 0 || access(nft, R_OK) != 0) {
        printf("SKIP: ../shared absent (%s)\n", prof);
        skip();
    }
    mem = open_memstream(&got, &len);
    assert_non_null(mem);
    assert_int_equal(sigext_write_nft_from_profile(ctx, prof, NULL, mem),
                     SIGEXT_OK);
    fclose(mem);
    want = read_file(nft);

    sg = significant(got);
    sw = significant(want);
    if (strcmp(sg, sw) != 0)
        fail_msg("differs from translator-test.firewall.nft:\n--- got\n%s"
                 "--- expected\n%s", sg, sw);
    nft_check(got);
    free(sg);
    free(sw);
    free(got);
    free(want);
}

/* ---- from a signature ---- */

/* The reference signature (../shared/expected/reference.default.txt),
 * each flow in the direction of its first packet. */
static size_t reference(sigext_flow *f)
{
    sigext_app q = { .proto = SIGEXT_APP_DNS };
    size_t n = 0;

    q.qtype = sx_intern_z(ctx, "A");
    q.name = sx_intern_z(ctx, "use1-api.tplinkra.com");
    f[n++] = test_flow("192.168.1.110", "192.168.1.135", 6, 0, 9999);
    f[n] = test_flow("192.168.1.135", "192.168.1.1", 17, 0, 53);
    f[n++].app = sx_app_intern(ctx, &q);
    f[n++] = test_flow("192.168.1.135", "use1-api.tplinkra.com", 6, 0, 443);
    f[n++] = test_flow("192.168.1.110", "192.168.1.135", 17, 0, 9999);
    return n;
}

static const sigext_device plug = {
    .name = "tplink-plug", .ipv4 = "192.168.1.135",
};

static void signature_script(void **state)
{
    sigext_flow f[8];
    size_t n = reference(f);
    int st;
    char *text = nft_of_flows(f, n, &plug, NULL, &st);

    assert_int_equal(st, SIGEXT_OK);
    assert_non_null(strstr(text, "table bridge tplink-plug {"));
    assert_rules(text,
        "ip saddr 192.168.1.110 ip daddr 192.168.1.135 meta l4proto tcp "
        "tcp dport 9999 drop\n"
        "ip daddr 192.168.1.110 ip saddr 192.168.1.135 meta l4proto tcp "
        "tcp sport 9999 drop\n"
        "ip saddr 192.168.1.135 ip daddr 192.168.1.1 meta l4proto udp "
        "udp dport 53 queue num 0\n"
        "ip daddr 192.168.1.135 ip saddr 192.168.1.1 meta l4proto udp "
        "udp sport 53 queue num 1\n"
        "ip saddr 192.168.1.135 meta l4proto tcp tcp dport 443 "
        "queue num 10\n"
        "ip daddr 192.168.1.135 meta l4proto tcp tcp sport 443 "
        "queue num 11\n"
        "ip saddr 192.168.1.110 ip daddr 192.168.1.135 meta l4proto udp "
        "udp dport 9999 drop\n"
        "ip daddr 192.168.1.110 ip saddr 192.168.1.135 meta l4proto udp "
        "udp sport 9999 drop\n");
    free(text);
}

static void several_ports_and_ipv6(void **state)
{
    sigext_flow f[2];
    sigext_device d = { .name = "hub", .ipv4 = "10.0.0.5",
                        .ipv6 = "fe80::5" };
    int st;
    char *text;

    f[0] = test_flow("10.0.0.5", "10.0.0.255", 17, 0, 9999);
    f[0].n_dst_ports = 2;
    f[0].dst_ports[1] = 20002;
    f[1] = test_flow("fe80::5", "ff02::fb", 17, 5353, 5353);
    text = nft_of_flows(f, 2, &d, NULL, &st);
    assert_int_equal(st, SIGEXT_OK);
    assert_rules(text,
        "ip saddr 10.0.0.5 ip daddr 10.0.0.255 meta l4proto udp "
        "udp dport { 9999, 20002 } drop\n"
        "ip daddr 10.0.0.5 ip saddr 10.0.0.255 meta l4proto udp "
        "udp sport { 9999, 20002 } drop\n"
        "ip6 saddr fe80::5 ip6 daddr ff02::fb meta l4proto udp "
        "udp sport 5353 udp dport 5353 drop\n"
        "ip6 daddr fe80::5 ip6 saddr ff02::fb meta l4proto udp "
        "udp dport 5353 udp sport 5353 drop\n");
    free(text);
}

/* ---- domain sets ---- */

static void add_name(const char *addr, const char *name)
{
    assert_int_equal(sx_names_add_addr(&ctx->names, host(addr),
                                       sx_intern_z(ctx, name)), 0);
}

static void domain_sets(void **state)
{
    sigext_flow f[8];
    size_t n = reference(f);
    sigext_nft_options o = { .domain_sets = true };
    int st;
    char *text;

    f[n++] = test_flow("192.168.1.135", "n-devs.tplinkcloud.com", 6, 0, 443);
    add_name("52.3.101.168", "use1-api.tplinkra.com");
    add_name("3.218.230.180", "use1-api.tplinkra.com");
    add_name("2600:1f18::1", "use1-api.tplinkra.com");
    text = nft_of_flows(f, n, &plug, &o, &st);
    assert_int_equal(st, SIGEXT_OK);
    /* Only the IPv4 addresses, sorted, with the name in a comment. */
    assert_non_null(strstr(text,
        "    # use1-api.tplinkra.com\n"
        "    set dn_use1_api_tplinkra_com {\n"
        "        type ipv4_addr\n"
        "        elements = { 3.218.230.180, 52.3.101.168 }\n"
        "    }\n"));
    assert_rules(text,
        "ip saddr 192.168.1.110 ip daddr 192.168.1.135 meta l4proto tcp "
        "tcp dport 9999 drop\n"
        "ip daddr 192.168.1.110 ip saddr 192.168.1.135 meta l4proto tcp "
        "tcp sport 9999 drop\n"
        "ip saddr 192.168.1.135 ip daddr 192.168.1.1 meta l4proto udp "
        "udp dport 53 queue num 0\n"
        "ip daddr 192.168.1.135 ip saddr 192.168.1.1 meta l4proto udp "
        "udp sport 53 queue num 1\n"
        /* queued only for the name: now decided in the kernel */
        "ip saddr 192.168.1.135 ip daddr @dn_use1_api_tplinkra_com "
        "meta l4proto tcp tcp dport 443 drop\n"
        "ip daddr 192.168.1.135 ip saddr @dn_use1_api_tplinkra_com "
        "meta l4proto tcp tcp sport 443 drop\n"
        "ip saddr 192.168.1.110 ip daddr 192.168.1.135 meta l4proto udp "
        "udp dport 9999 drop\n"
        "ip daddr 192.168.1.110 ip saddr 192.168.1.135 meta l4proto udp "
        "udp sport 9999 drop\n"
        /* no known address: still queued */
        "ip saddr 192.168.1.135 meta l4proto tcp tcp dport 443 "
        "queue num 10\n"
        "ip daddr 192.168.1.135 meta l4proto tcp tcp sport 443 "
        "queue num 11\n");
    free(text);
}

/* ---- profiles: numbering, sharing, keywords ---- */

static void numbering_and_sharing(void **state)
{
    int st;
    char *text = nft_of_profile(
        "device-info: {name: dev, ipv4: 192.168.1.50, mac: "
        "'aa:bb:cc:dd:ee:ff'}\n"
        "single-policies:\n"
        "  plain:\n"
        "    protocols: {udp: {dst-port: 123}, ipv4: {src: self, "
        "dst: 10.1.1.1}}\n"
        "    bidirectional: true\n"
        /* same kernel matches as "plain", needs user space: the shared
         * rule becomes queue 0, and the next policy starts at 10 (the
         * translator would reuse 0 there) */
        "  http-same:\n"
        "    protocols: {http: {method: GET, uri: /x}, udp: {dst-port: "
        "123}, ipv4: {src: self, dst: 10.1.1.1}}\n"
        /* DHCP is checked forward only: backward stays in the kernel */
        "  dhcp:\n"
        "    protocols:\n"
        "      dhcp: {type: discover, client-mac: self}\n"
        "      udp: {src-port: 68, dst-port: 67}\n"
        "      ipv4: {src: 0.0.0.0, dst: broadcast}\n"
        "    bidirectional: true\n"
        "  coap:\n"
        "    protocols:\n"
        "      coap: {type: CON, method: GET, uri: /a}\n"
        "      udp: {dst-port: 5683}\n"
        "      ipv4: {src: self, dst: coap}\n"
        "    bidirectional: true\n", NULL, &st);

    assert_int_equal(st, SIGEXT_OK);
    assert_rules(text,
        "meta l4proto udp udp dport 123 ip saddr 192.168.1.50 "
        "ip daddr 10.1.1.1 queue num 0\n"
        "meta l4proto udp udp sport 123 ip daddr 192.168.1.50 "
        "ip saddr 10.1.1.1 drop\n"
        "meta l4proto udp udp sport 68 udp dport 67 ip saddr 0.0.0.0 "
        "ip daddr 255.255.255.255 queue num 10\n"
        "meta l4proto udp udp dport 68 udp sport 67 ip daddr 0.0.0.0 "
        "ip saddr 255.255.255.255 drop\n"
        "meta l4proto udp udp dport 5683 ip saddr 192.168.1.50 "
        "ip daddr 224.0.1.187 queue num 20\n"
        "meta l4proto udp udp sport 5683 ip daddr 192.168.1.50 "
        "ip saddr 224.0.1.187 queue num 21\n");
    assert_non_null(strstr(text, "# plain, http-same\n"));
    free(text);
}

static void keywords_lists_and_stats(void **state)
{
    int st;
    char *text = nft_of_profile(
        "device-info: {name: cam, ipv4: 192.168.1.60, ipv6: 'fe80::60'}\n"
        "single-policies:\n"
        "  out:\n"
        "    protocols: {ipv4: {src: self, dst: external}, tcp: "
        "{dst-port: [80, 443]}}\n"
        "    stats: {rate: 10/second}\n"
        "  lan:\n"
        "    protocols: {ipv4: {src: [phone, gateway, 10.0.0.0/8], "
        "dst: self}, tcp: {}}\n"
        "  v6:\n"
        "    protocols: {ipv6: {src: self, dst: local}, udp: "
        "{dst-port: 5683}}\n"
        "  ntp:\n"
        "    protocols: {ipv4: {src: self, dst: [pool.ntp.org, "
        "gateway]}, udp: {dst-port: 123}}\n", NULL, &st);

    assert_int_equal(st, SIGEXT_OK);
    assert_rules(text,
        "ip saddr 192.168.1.60 ip daddr != 192.168.0.0/16 meta l4proto tcp "
        "tcp dport { 80, 443 } limit rate over 10/second drop\n"
        "ip saddr { 192.168.1.110, 192.168.1.1, 10.0.0.0/8 } "
        "ip daddr 192.168.1.60 meta l4proto tcp drop\n"
        "ip6 saddr fe80::60 ip6 daddr { fe80::/10, fc00::/7 } "
        "meta l4proto udp udp dport 5683 drop\n"
        "ip saddr 192.168.1.60 meta l4proto udp udp dport 123 "
        "queue num 0\n");
    free(text);
}

/* Refused: the message names the file, the line and the policy. */
static void refused(const char *policies, const char *msg)
{
    char yaml[2048];
    int st;
    char *text;

    snprintf(yaml, sizeof(yaml), "device-info: {name: dev, ipv4: "
             "192.168.1.50}\nsingle-policies:\n%s", policies);
    text = nft_of_profile(yaml, NULL, &st);
    assert_int_equal(st, SIGEXT_ERR_FORMAT);
    assert_null(strchr(sigext_error(ctx), '\n'));  /* one line */
    if (strstr(sigext_error(ctx), msg) == NULL ||
        strstr(sigext_error(ctx), "p.yaml:3: policy ") == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", sigext_error(ctx), msg);
    free(text);
}

static void bad_policies(void **state)
{
    refused("  a: {protocols: {ipv4: {src: self, dst: printer}}}\n",
            "unknown host \"printer\"");
    refused("  a: {protocols: {ipv6: {src: self}}}\n",
            "\"self\" but the device has no IPv6 address");
    refused("  a: {protocols: {ipv4: {src: 10.0.0.300}}}\n",
            "not a valid IPv4 address");
    refused("  a: {protocols: {arp: {type: request}}}\n",
            "protocol \"arp\" is not supported");
    refused("  a: {protocols: {tcp: {dst-port: http}}}\n", "bad port");
    refused("  a: {protocols: {}}\n", "would drop all traffic");
    refused("  a: {stats: {rate: 1/second}}\n", "no \"protocols\"");
    refused("  a: {protocols: {ipv4: {src: [self, external]}}}\n",
            "\"external\" cannot be in a list");
    /* A name quoting a line break: the message stays one line. */
    refused("  \"two\\nlines\": {protocols: {}}\n", "policy two?lines");
    /* Nothing from a profile reaches the script unchecked. */
    refused("  a: {protocols: {tcp: {}}, stats: {rate: \"1/second; "
            "flush ruleset\"}}\n", "bad \"rate\" statistic");
    /* Statistics nft would refuse, or read as another rule. */
    refused("  a: {protocols: {tcp: {}}, stats: {rate: abc}}\n",
            "bad \"rate\" statistic \"abc\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: 0/second}}\n",
            "bad \"rate\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: 10/sec}}\n",
            "bad \"rate\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: \"10/second "
            "burst\"}}\n", "bad \"rate\"");
    refused("  a: {protocols: {tcp: {}}, stats: {packet-size: -5}}\n",
            "bad \"packet-size\" statistic \"-5\"");
    refused("  a: {protocols: {tcp: {}}, stats: {packet-size: 70000}}\n",
            "bad \"packet-size\"");
    refused("  a: {protocols: {tcp: {}}, stats: {packet-size: "
            "\"200-100\"}}\n", "bad \"packet-size\"");
    /* What is not understood is refused, never left out: in a blocklist
     * a condition left out drops more traffic. */
    refused("  a: {protocols: {ipv4: {src: self}, quic: {}}}\n",
            "unknown protocol \"quic\"");
    refused("  a: {protocols: {ipv44: {src: self}, udp: {}}}\n",
            "unknown protocol \"ipv44\"");
    refused("  a: {protocols: {ipv4: {source: self}, udp: {}}}\n",
            "unknown ipv4 field \"source\"");
    refused("  a: {protocols: {udp: {dst_port: 53}}}\n",
            "unknown udp field \"dst_port\"");
    refused("  a: {protocols: {udp: {}}, bidirectinal: true}\n",
            "unknown key \"bidirectinal\"");
    refused("  a: {protocols: {udp: {}}, bidirectional: \"true\"}\n",
            "\"bidirectional\" must be true or false, not \"true\"");
    refused("  a: {protocols: {udp: {}}, bidirectional: 1}\n",
            "\"bidirectional\" must be true or false");
    /* nft reads 053 as octal 43. */
    refused("  a: {protocols: {udp: {dst-port: \"0053\"}}}\n",
            "bad port \"0053\"");
    refused("  a: {protocols: {udp: {dst-port: [053, 80]}}}\n",
            "bad port \"053\" in a list");
    refused("  a: {protocols: {udp: {dst-port: 2000-1000}}}\n",
            "bad port \"2000-1000\"");
    /* Leading zeros are octal to nft: 0100 is 64, /032 is /26. */
    refused("  a: {protocols: {tcp: {}}, stats: {packet-size: \"0100\"}}\n",
            "bad \"packet-size\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: 010/second}}\n",
            "bad \"rate\"");
    refused("  a: {protocols: {ipv4: {src: self, dst: 192.168.1.1/032}}}\n",
            "192.168.1.1/032");
    /* Units that do not go together, a burst of nothing, a token bucket
     * the kernel cannot hold. */
    refused("  a: {protocols: {tcp: {}}, stats: {rate: \"5/second burst 10 "
            "bytes\"}}\n", "bad \"rate\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: \"5 bytes/second "
            "burst 10 packets\"}}\n", "bad \"rate\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: \"5/second burst 0 "
            "packets\"}}\n", "bad \"rate\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: \"4294967295 "
            "mbytes/second\"}}\n", "bad \"rate\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: \"5/week burst "
            "1000000 packets\"}}\n", "bad \"rate\"");
    /* Statistics not understood are refused, not left out. */
    refused("  a: {protocols: {tcp: {}}, stats: 5/second}\n",
            "\"stats\" must be a map");
    refused("  a: {protocols: {tcp: {}}, stats: {rates: 5/second}}\n",
            "unknown statistic \"rates\"");
    refused("  a: {protocols: {tcp: {}}, stats: {rate: {forward: "
            "5/second}}}\n", "unknown direction \"forward\"");
    /* An application protocol's conditions are a map. */
    refused("  a: {protocols: {udp: {}, dhcp: discover}}\n",
            "\"dhcp\" must be a map");
    /* One transport, one IP version: nft refuses both in one rule. */
    refused("  a: {protocols: {tcp: {}, udp: {}}}\n",
            "both \"tcp\" and \"udp\"");
    refused("  a: {protocols: {ipv4: {src: self}, ipv6: {dst: local}}}\n",
            "both \"ipv4\" and \"ipv6\"");
    /* A host that is no name: text after an address, a space. */
    refused("  a: {protocols: {ipv4: {src: self, dst: \"1.2.3.5 accept\"}}}"
            "\n", "unknown host \"1.2.3.5 accept\"");
}

/* The script of one policy "a" with `protocols` and `stats`; it must
 * translate. */
static char *with_stats(const char *protocols, const char *stats)
{
    char yaml[512];
    int st;
    char *text;

    snprintf(yaml, sizeof(yaml), "device-info: {name: dev, ipv4: "
             "192.168.1.50}\nsingle-policies:\n  a: {protocols: {%s}, "
             "stats: {%s}}\n", protocols, stats);
    text = nft_of_profile(yaml, NULL, &st);
    assert_int_equal(st, SIGEXT_OK);
    return text;
}

/* Counting packets or time is for user space: the policy is queued,
 * never a drop of every packet it matches. */
static void counted_stats_queue(void **state)
{
    static const char *const counted[] = {
        "packet-count: 40", "duration: 10s", "packet-count: {fwd: 1, bwd: 2}",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++) {
        char *text = with_stats("udp: {dst-port: 53}", counted[i]);
        assert_rules(text, "meta l4proto udp udp dport 53 queue num 0\n");
        free(text);
    }
}

/* What nft's limit and ip length statements take goes through. */
static void stats_grammar(void **state)
{
    static const char *const ok[][2] = {
        { "rate: 20/second", "limit rate over 20/second" },
        { "rate: 5 mbytes/second burst 10 kbytes",
          "limit rate over 5 mbytes/second burst 10 kbytes" },
        { "rate: 1/week burst 5 packets",
          "limit rate over 1/week burst 5 packets" },
        { "packet-size: 60", "ip length 60" },
        { "packet-size: \"<= 500\"", "ip length <= 500" },
        { "packet-size: \"!= 60\"", "ip length != 60" },
        { "packet-size: 100-200", "ip length 100-200" },
        { "packet-size: \"100 - 200\"", "ip length 100 - 200" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char *text = with_stats("tcp: {}", ok[i][0]);
        if (strstr(text, ok[i][1]) == NULL)
            fail_msg("\"%s\" lacks \"%s\"", text, ok[i][1]);
        free(text);
    }
}

static void warnings_and_device(void **state)
{
    sigext_flow f[8];
    sigext_device d = plug;
    int st;
    char *text;

    warnings = 0;
    text = nft_of_profile(
        "device-info: {name: dev, ipv4: 192.168.1.50}\n"
        "single-policies:\n"
        "  a: {protocols: {ipv4: {src: self}, udp: {}}}\n"
        "interactions:\n"
        "  x: {y: {protocols: {ipv4: {src: self}}}}\n", NULL, &st);
    assert_int_equal(st, SIGEXT_OK);
    assert_int_equal(warnings, 1);   /* interactions */
    free(text);

    text = nft_of_profile("single-policies: {}\n", NULL, &st);
    assert_int_equal(st, SIGEXT_ERR_FORMAT);
    assert_non_null(strstr(sigext_error(ctx), "missing device-info"));
    free(text);

    d.name = "2bad name";
    text = nft_of_flows(f, reference(f), &d, NULL, &st);
    assert_int_equal(st, SIGEXT_ERR_USAGE);
    assert_non_null(strstr(sigext_error(ctx), "device name \"2bad name\" "
                           "cannot name an nftables table"));
    free(text);
    d = plug;
    d.ipv4 = "192.168.1";
    text = nft_of_flows(f, reference(f), &d, NULL, &st);
    assert_int_equal(st, SIGEXT_ERR_USAGE);
    free(text);
}

/* Device names: what sigext_nft_name_ok() takes, and the errors of a
 * profile whose name it refuses. */
static void device_names(void **state)
{
    static const char *const good[] = {
        "plug", "tplink-plug", "Plug_2", "_x", ".x", "a.b", "a-", "..",
        "TABLE",
    };
    static const char *const bad[] = {
        "", ".", "2plug", "-plug", "a/b", "a b", "a+b", "a:b", "table",
        "tcp", "iifname", "device", "or", "\xc3\xa9t\xc3\xa9",
    };
    char *text, *msg;
    int st;

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
        char yaml[128];

        assert_true(sigext_nft_name_ok(good[i]));
        /* Each accepted name is one nft -c takes too (when it runs). */
        snprintf(yaml, sizeof(yaml), "device-info: {name: '%s'}\n",
                 good[i]);
        text = nft_of_profile(yaml, NULL, &st);
        assert_int_equal(st, SIGEXT_OK);
        free(text);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_false(sigext_nft_name_ok(bad[i]));
    assert_false(sigext_nft_name_ok(NULL));

    /* A name read from a profile is a format error at its line, whose
     * rule is the one the CLI states for --device. */
    text = nft_of_profile("# device\n"
                          "device-info: {name: table, ipv4: 192.168.1.2}\n"
                          "single-policies: {}\n", NULL, &st);
    free(text);
    assert_int_equal(st, SIGEXT_ERR_FORMAT);
    msg = strstr(sigext_error(ctx), "p.yaml:2: device name \"table\" "
                 "cannot name an nftables table (letters, digits, '_', "
                 "'-', '.'; ");
    assert_non_null(msg);
    assert_null(strchr(msg, '/'));
    text = nft_of_profile("device-info:\n  ipv4: 192.168.1.2\n"
                          "  name: a/b\n", NULL, &st);
    free(text);
    assert_int_equal(st, SIGEXT_ERR_FORMAT);
    assert_non_null(strstr(sigext_error(ctx), "p.yaml:3: device name "
                           "\"a/b\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(translator_test),
        cmocka_unit_test(signature_script),
        cmocka_unit_test(several_ports_and_ipv6),
        cmocka_unit_test(domain_sets),
        cmocka_unit_test(numbering_and_sharing),
        cmocka_unit_test(keywords_lists_and_stats),
        cmocka_unit_test(bad_policies),
        cmocka_unit_test(stats_grammar),
        cmocka_unit_test(counted_stats_queue),
        cmocka_unit_test(warnings_and_device),
        cmocka_unit_test(device_names),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
