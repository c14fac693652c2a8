/*
 * fuzz_json.c - libFuzzer harness for the JSON policy reader
 * (sigext_pattern_read() on JSON text, output/json.c), with a round trip
 * through the JSON writer and the profile and nftables writers.
 *
 * Input: the text of a JSON file.  A leading '[' is what sends a file to
 * the JSON reader, so inputs that lack one get it.
 */
#include "fuzz_common.h"

static struct fz_file in, out;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigext_device dev = {"fuzz", "192.168.1.135", "fe80::1", NULL};
    sigext_nft_options nopt = {false};
    sigext_pattern *p = NULL, *back = NULL;
    sigext_ctx *ctx;
    FILE *fp;
    int st;

    fz_file_init(&in, NULL);
    fz_file_init(&out, NULL);
    if (size > 0 && data[0] == '[') {
        fz_file_fill(&in, data, size);
    } else {
        fz_file_fill(&in, (const uint8_t *)"[", 1);
        if (pwrite(in.fd, data, size, 1) != (ssize_t)size)
            fz_trap("pwrite");
    }
    ctx = fz_ctx(NULL);
    st = sigext_pattern_read(ctx, in.path, &p);
    fz_status(ctx, st);
    if (st != SIGEXT_OK)
        goto out;

    /* What the reader accepts, the writers take. */
    fz_status(ctx, sigext_write_flows_csv(ctx, p, fz_devnull()));
    fz_status(ctx, sigext_write_profile(ctx, p, &dev, fz_devnull()));
    fz_status(ctx, sigext_write_nft(ctx, p, &dev, &nopt, fz_devnull()));

    /* And the JSON writer's output reads back into as many flows. */
    fp = fopen(out.path, "w");
    if (fp == NULL)
        fz_trap("fopen of the output file");
    st = sigext_write_flows_json(ctx, p, dev.ipv4, fp);
    fz_status(ctx, st);
    if (fclose(fp) != 0 || st != SIGEXT_OK)
        fz_trap("writing JSON failed");
    st = sigext_pattern_read(ctx, out.path, &back);
    fz_status(ctx, st);
    if (st != SIGEXT_OK)
        fz_trap(sigext_error(ctx));
    fz_check(back->n_flows == p->n_flows);
out:
    sigext_pattern_free(back);
    sigext_pattern_free(p);
    sigext_ctx_free(ctx);
    return 0;
}
