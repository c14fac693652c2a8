/*
 * fuzz_profile.c - libFuzzer harness for the smart-home-firewall profile
 * reader and translator: sigext_write_nft_from_profile() on YAML text
 * (output/yaml.c, output/nft.c).
 *
 * Input: the text of a profile.  It is written to `profile.yaml` in a
 * private directory, so `!include` resolves inside that directory (or
 * fails), never through /proc/self/fd.
 */
#include "fuzz_common.h"

static struct fz_file in;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigext_nft_options nopt;
    sigext_ctx *ctx;

    fz_file_init(&in, "profile.yaml");
    fz_file_fill(&in, data, size);
    for (int sets = 0; sets < 2; sets++) {
        ctx = fz_ctx(NULL);
        nopt.domain_sets = sets != 0;
        fz_status(ctx, sigext_write_nft_from_profile(ctx, in.path, &nopt,
                                                     fz_devnull()));
        sigext_ctx_free(ctx);
    }
    return 0;
}
