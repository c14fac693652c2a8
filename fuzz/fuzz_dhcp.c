/*
 * fuzz_dhcp.c - libFuzzer harness for sx_dhcp_parse() (RFC 2131 fixed
 * header, RFC 2132 options).
 *
 * Input: a UDP payload.
 */
#include "fuzz_common.h"

#include "decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sx_dhcp_msg msg;
    int rc;

    rc = sx_dhcp_parse(data, size, &msg);
    fz_check(rc == 0 || rc == -1);
    return 0;
}
