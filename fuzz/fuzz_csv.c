/*
 * fuzz_csv.c - libFuzzer harness for the CSV readers (output/csv.c):
 * sigext_pattern_read() on a flows/signature CSV and
 * sigext_trace_read_csv() on a packets CSV, with a round trip through
 * the writers.
 *
 * Input: the text of a CSV file (the same bytes go to both readers).
 * Promises checked: what a reader accepts, its writer writes back, and
 * the reader reads that again into as many flows (SPEC "Outputs":
 * reading these CSVs back must give the same fingerprints).
 */
#include "fuzz_common.h"

static struct fz_file in, out;

/* A packets CSV read back from what the packets writer wrote. */
static void packets_round_trip(sigext_ctx *ctx, const sigext_trace *t)
{
    sigext_trace *back = NULL;
    FILE *fp = fopen(out.path, "w");
    int st;

    if (fp == NULL)
        fz_trap("fopen of the output file");
    st = sigext_write_packets_csv(ctx, t, fp);
    fz_status(ctx, st);
    if (fclose(fp) != 0 || st != SIGEXT_OK)
        fz_trap("writing a packets CSV failed");
    st = sigext_trace_read_csv(ctx, out.path, &back);
    fz_status(ctx, st);
    if (st != SIGEXT_OK)
        fz_trap(sigext_error(ctx));
    fz_check(sigext_trace_record_count(back) ==
             sigext_trace_record_count(t));
    sigext_trace_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigext_options opt;
    sigext_ctx *ctx;
    sigext_pattern *p = NULL;
    sigext_trace *t = NULL;
    int st;

    fz_file_init(&in, NULL);
    fz_file_init(&out, NULL);
    fz_file_fill(&in, data, size);
    sigext_options_init(&opt);
    opt.keep_records = true;
    ctx = fz_ctx(&opt);

    /* Flows or signature CSV (or JSON: the reader decides). */
    st = sigext_pattern_read(ctx, in.path, &p);
    fz_status(ctx, st);
    if (st == SIGEXT_OK)
        fz_flows_csv_round_trip(ctx, p, out.path);
    sigext_pattern_free(p);
    p = NULL;

    /* Packets CSV, then its flows. */
    st = sigext_trace_read_csv(ctx, in.path, &t);
    fz_status(ctx, st);
    if (st == SIGEXT_OK) {
        packets_round_trip(ctx, t);
        st = sigext_pattern_build(ctx, t, &p);
        fz_status(ctx, st);
        if (st == SIGEXT_OK)
            fz_flows_csv_round_trip(ctx, p, out.path);
        sigext_pattern_free(p);
        sigext_trace_free(t);
    }
    sigext_ctx_free(ctx);
    return 0;
}
