/*
 * test_distance.c - distance between fingerprints (SPEC "Distance") and
 * closest flow.
 *
 * Expected values are worked out by hand in the comments: a third per
 * layer; network 1/3 protocol + 2/3 mean host distance; transport 1/3
 * protocol + 2/3 (1 - shared/larger port count); application per
 * protocol, 1 when either side has none.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "sx_int.h"

#define EPS 1e-9

static const sigext_app *dns(const char *qtype, const char *name, bool resp)
{
    sigext_app a = { .proto = SIGEXT_APP_DNS, .response = resp };
    a.qtype = sx_intern_z(ctx, qtype);
    a.name = sx_intern_z(ctx, name);
    return sx_app_intern(ctx, &a);
}

static const sigext_app *http(const char *method, const char *uri, bool resp)
{
    sigext_app a = { .proto = SIGEXT_APP_HTTP, .response = resp };
    a.method = method != NULL ? sx_intern_z(ctx, method) : NULL;
    a.uri = uri != NULL ? sx_intern_z(ctx, uri) : NULL;
    return sx_app_intern(ctx, &a);
}

/* A flow: src, dst, transport, one fixed port on dst (0: none). */
static sigext_flow flow(const char *src, const char *dst, int tr,
                        uint16_t dport, const sigext_app *app)
{
    sigext_flow f = test_flow(src, dst, tr, 0, dport);

    f.app = app;
    return f;
}

static void identical_flows(void **state)
{
    const sigext_app *q = dns("A", "use1-api.tplinkra.com", false);
    sigext_flow a = flow("192.168.1.135", "192.168.1.1", 17, 53, q);

    /* Every layer equal: 0. */
    assert_true(sigext_flow_distance(&a, &a) < EPS);
}

static void no_app_counts_one(void **state)
{
    const sigext_app *q = dns("A", "a.example.com", false);
    sigext_flow a = flow("192.168.1.135", "192.168.1.110", 6, 9999, NULL);
    sigext_flow b = flow("192.168.1.135", "192.168.1.110", 6, 9999, q);

    /* Application layer 1 when one side has none: (0 + 0 + 1) / 3. */
    assert_true(fabs(sigext_flow_distance(&a, &b) - 1.0 / 3) < EPS);
    /* Neither has any: alike, so a flow is at 0 from itself. */
    assert_true(sigext_flow_distance(&a, &a) < EPS);
}

static void direction_does_not_matter(void **state)
{
    const sigext_app *q = dns("A", "a.example.com", false);
    sigext_flow a = flow("192.168.1.135", "192.168.1.1", 17, 53, q);
    sigext_flow b = flow("192.168.1.1", "192.168.1.135", 17, 0, q);

    /* Hosts pair crosswise; b's port 53 sits on its src: still shared. */
    b.n_src_ports = 1;
    b.src_ports[0] = 53;
    assert_true(sigext_flow_distance(&a, &b) < EPS);
    assert_true(fabs(sigext_flow_distance(&a, &b) -
                     sigext_flow_distance(&b, &a)) < EPS);
}

static void dns_names(void **state)
{
    sigext_flow a = flow("192.168.1.135", "192.168.1.1", 17, 53,
                         dns("A", "use1-api.tplinkra.com", false));
    sigext_flow b = flow("192.168.1.135", "192.168.1.1", 17, 53,
                         dns("A", "euw1-api.tplinkra.com", true));
    sigext_flow c = flow("192.168.1.135", "192.168.1.1", 17, 53,
                         dns("AAAA", "use1-api.tplinkra.com", false));

    /* lev(use1, euw1) = 3 over 21 + 21: app 2/3 * 3/42; total / 3.
     * The response flag is not part of the distance. */
    assert_true(fabs(sigext_flow_distance(&a, &b) -
                     (2.0 / 3 * 3.0 / 42) / 3) < EPS);
    /* Other qtype: app 1/3, total 1/9. */
    assert_true(fabs(sigext_flow_distance(&a, &c) - 1.0 / 9) < EPS);
}

static void host_names_and_addresses(void **state)
{
    sigext_flow a = flow("192.168.1.135", "use1-api.tplinkra.com", 6, 443,
                         NULL);
    sigext_flow b = flow("192.168.1.135", "euw1-api.tplinkra.com", 6, 443,
                         NULL);
    sigext_flow c = flow("192.168.1.135", "52.1.2.3", 6, 443, NULL);
    sigext_flow d = flow("192.168.1.136", "52.1.2.4", 6, 443, NULL);

    /* Network: 2/3 * (0 + 3/42) / 2; no app on either side: 0. */
    assert_true(fabs(sigext_flow_distance(&a, &b) -
                     (2.0 / 3 * (3.0 / 42) / 2) / 3) < EPS);
    /* Address against name: 1 for that host: network 1/3. */
    assert_true(fabs(sigext_flow_distance(&a, &c) - (1.0 / 3) / 3) < EPS);
    /* Two different addresses on each side: network 2/3. */
    assert_true(fabs(sigext_flow_distance(&c, &d) - (2.0 / 3) / 3) < EPS);
}

static void protocols_and_ports(void **state)
{
    sigext_flow a = flow("10.0.0.1", "10.0.0.2", 17, 9999, NULL);
    sigext_flow b = flow("10.0.0.1", "10.0.0.2", 17, 9999, NULL);
    sigext_flow c = flow("10.0.0.1", "10.0.0.2", 6, 9999, NULL);
    sigext_flow d = flow("10.0.0.1", "10.0.0.2", 17, 0, NULL);
    sigext_flow v6 = flow("fe80::1", "fe80::2", 17, 9999, NULL);

    /* b: ports 9999 and 20002 on dst: transport 2/3 * (1 - 1/2). */
    b.n_dst_ports = 2;
    b.dst_ports[1] = 20002;
    assert_true(fabs(sigext_flow_distance(&a, &b) - (1.0 / 3) / 3) < EPS);
    /* Other transport protocol: 1/3. */
    assert_true(fabs(sigext_flow_distance(&a, &c) - (1.0 / 3) / 3) < EPS);
    /* No fixed port on one side: ports 1 - 0/1 = 1: transport 2/3. */
    assert_true(fabs(sigext_flow_distance(&a, &d) - (2.0 / 3) / 3) < EPS);
    /* No fixed port on either side: port term 0 (reference: 0/0). */
    assert_true(sigext_flow_distance(&d, &d) < EPS);
    /* IPv6 against IPv4, both hosts differ: network 1/3 + 2/3. */
    assert_true(fabs(sigext_flow_distance(&a, &v6) - 1.0 / 3) < EPS);
}

static void http_requests_and_responses(void **state)
{
    sigext_flow get = flow("10.0.0.1", "10.0.0.2", 6, 80,
                           http("GET", "/a/b*", false));
    sigext_flow post = flow("10.0.0.1", "10.0.0.2", 6, 80,
                            http("POST", "/a/c*", false));
    sigext_flow r1 = flow("10.0.0.2", "10.0.0.1", 6, 0,
                          http(NULL, NULL, true));
    sigext_flow r2 = r1;

    r1.n_src_ports = 1;
    r1.src_ports[0] = 80;
    r2 = r1;
    /* Method differs (1/2) and lev("/a/b*", "/a/c*") = 1 over 10. */
    assert_true(fabs(sigext_flow_distance(&get, &post) -
                     (0.5 + 0.5 * 0.1) / 3) < EPS);
    /* Two responses: application 0. */
    assert_true(sigext_flow_distance(&r1, &r2) < EPS);
    /* Request against response: no method, no path on one side: 1. */
    assert_true(fabs(sigext_flow_distance(&get, &r1) - 1.0 / 3) < EPS);
}

static void long_strings_are_bounded(void **state)
{
    char a[2000], b[2000];

    memset(a, 'a', sizeof(a) - 1);
    memset(b, 'a', sizeof(b) - 1);
    a[sizeof(a) - 1] = b[sizeof(b) - 1] = '\0';
    b[sizeof(b) - 2] = 'b';     /* differs after the first 255 bytes */
    sigext_flow x = flow("10.0.0.1", "10.0.0.2", 6, 80, http("GET", a, 0));
    sigext_flow y = flow("10.0.0.1", "10.0.0.2", 6, 80, http("GET", b, 0));
    double d = sigext_flow_distance(&x, &y);

    /* Only the first 255 bytes are compared (documented limit). */
    assert_true(d >= 0.0 && d <= 1.0);
    assert_true(d < EPS);
}

static void closest(void **state)
{
    sigext_flow fl[3] = {
        flow("10.0.0.1", "10.0.0.9", 6, 443, NULL),
        flow("10.0.0.1", "10.0.0.2", 6, 443, NULL),
        flow("10.0.0.1", "10.0.0.2", 6, 443, NULL),
    };
    sigext_pattern p = { .n_flows = 3, .flows = fl };
    sigext_pattern empty = { 0 };
    sigext_flow q = flow("10.0.0.2", "10.0.0.1", 6, 443, NULL);
    double d = -1;

    /* fl[1] and fl[2] tie: the lowest index wins. */
    assert_int_equal(sigext_closest_flow(&q, &p, &d), 1);
    assert_true(d < EPS);
    assert_int_equal(sigext_closest_flow(&q, &empty, &d), -1);
    assert_int_equal(sigext_closest_flow(&q, &empty, NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identical_flows),
        cmocka_unit_test(no_app_counts_one),
        cmocka_unit_test(direction_does_not_matter),
        cmocka_unit_test(dns_names),
        cmocka_unit_test(host_names_and_addresses),
        cmocka_unit_test(protocols_and_ports),
        cmocka_unit_test(http_requests_and_responses),
        cmocka_unit_test(long_strings_are_bounded),
        cmocka_unit_test(closest),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
