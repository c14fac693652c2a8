/*
 * test_util.h - what several unit tests share: one context per test
 * group, and interned hosts from text.
 */
#ifndef SX_TEST_UTIL_H
#define SX_TEST_UTIL_H

#include <string.h>

#include "sx_int.h"

static sigext_ctx *ctx;

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

/* The interned host for an address or name. */
static const sigext_host *host(const char *s)
{
    const sigext_host *h = sx_host_text(ctx, s, strlen(s));
    assert_non_null(h);
    return h;
}

#endif /* SX_TEST_UTIL_H */
