/*
 * fuzz_unbound.c - libFuzzer harness for sigext_dns_cache_load(): the
 * `unbound-control dump_cache` reader (names/unbound.c).
 *
 * Input: the text of a dump file.
 */
#include "fuzz_common.h"

static struct fz_file in;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigext_ctx *ctx;
    size_t n_addr = 0, n_alias = 0;
    int st;

    fz_file_init(&in, NULL);
    fz_file_fill(&in, data, size);
    ctx = fz_ctx(NULL);
    st = sigext_dns_cache_load(ctx, in.path, &n_addr, &n_alias);
    fz_status(ctx, st);
    /* Each entry comes from a line of at least a few bytes. */
    if (st == SIGEXT_OK)
        fz_check(n_addr + n_alias <= size / 4);
    sigext_ctx_free(ctx);
    return 0;
}
