/*
 * test_util.h - what several unit tests share: one context per test
 * group, and interned hosts from text.
 */
#ifndef SX_TEST_UTIL_H
#define SX_TEST_UTIL_H

#include <string.h>

#include "sx_int.h"

static sigext_ctx *ctx;

/* A test with its own set-up defines SX_TEST_OWN_SETUP first. */
#ifndef SX_TEST_OWN_SETUP
static int setup(void **state)
{
    (void)state;
    ctx = sigext_ctx_new(NULL);
    return ctx == NULL;
}

static int teardown(void **state)
{
    (void)state;
    sigext_ctx_free(ctx);
    return 0;
}
#endif

/* The interned host for an address or name. */
static const sigext_host *host(const char *s)
{
    const sigext_host *h = sx_host_text(ctx, s, strlen(s));
    assert_non_null(h);
    return h;
}

/* A flow of one group between two hosts; a port of 0 is no fixed port. */
static inline sigext_flow test_flow(const char *src, const char *dst,
                                    int tr, uint16_t sport, uint16_t dport)
{
    sigext_flow f;

    memset(&f, 0, sizeof(f));
    f.ipver = strchr(src, ':') != NULL ? 6 : 4;
    f.transport = (uint8_t)tr;
    f.src = host(src);
    f.dst = host(dst);
    if (sport != 0) {
        f.n_src_ports = 1;
        f.src_ports[0] = sport;
    }
    if (dport != 0) {
        f.n_dst_ports = 1;
        f.dst_ports[0] = dport;
    }
    f.count = 1;
    return f;
}

#endif /* SX_TEST_UTIL_H */
