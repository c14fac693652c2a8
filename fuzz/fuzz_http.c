/*
 * fuzz_http.c - libFuzzer harness for sx_http_parse() (RFC 9112 request
 * and status lines).
 *
 * Input: the start of a TCP payload.
 */
#include "fuzz_common.h"

#include "decode/decode.h"

/* A view is empty or lies inside the input. */
static void check_view(struct sx_view v, const uint8_t *data, size_t size)
{
    volatile uint8_t sink = 0;

    if (v.len == 0)
        return;
    fz_check(v.p >= data && v.len <= (size_t)(data + size - v.p));
    for (size_t i = 0; i < v.len; i++)
        sink ^= v.p[i];
    (void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sx_http_msg msg;
    int rc;

    rc = sx_http_parse(data, size, &msg);
    fz_check(rc == 0 || rc == -1);
    if (rc != 0)
        return 0;
    check_view(msg.method, data, size);
    check_view(msg.path, data, size);
    if (msg.response)
        fz_check(msg.method.len == 0);
    else
        fz_check(msg.method.len > 0);
    return 0;
}
