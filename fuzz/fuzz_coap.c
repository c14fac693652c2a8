/*
 * fuzz_coap.c - libFuzzer harness for sx_coap_parse() (RFC 7252 header,
 * token, options and Uri-Path).
 *
 * Input: a UDP payload.
 */
#include "fuzz_common.h"

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sx_coap_msg msg;
    size_t n;
    int rc;

    rc = sx_coap_parse(data, size, &msg);
    fz_check(rc == 0 || rc == -1);
    if (rc != 0)
        return 0;
    fz_check(msg.type <= 3);
    n = strnlen(msg.path, sizeof(msg.path));
    fz_check(n <= SX_COAP_PATH_MAX);
    fz_check(n == 0 || msg.path[0] == '/');
    return 0;
}
