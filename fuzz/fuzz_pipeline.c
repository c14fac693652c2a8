/*
 * fuzz_pipeline.c - libFuzzer harness for the whole pipeline: bytes ->
 * capture file -> packet records -> flows -> signature -> every writer.
 *
 * Input: a pcap or pcapng file.  It is read twice into one context (as
 * `sigext signature a b` would), both patterns are built, and the
 * signature of the two is extracted and written as CSV, JSON, profile
 * and nftables to /dev/null.  Promises checked:
 *   - every status is documented and failures say why on one line;
 *   - the same capture read twice gives the same number of flows, and
 *     a pattern's signature against a copy of itself keeps every flow
 *     (fingerprint matching is reflexive);
 *   - the flows CSV reads back into as many flows;
 *   - a second read of the file (sigext_trace_replay) gives the very
 *     records the first one kept.
 */
#include "fuzz_common.h"

static struct fz_file in, out;

static void write_all(sigext_ctx *ctx, const sigext_trace *t,
                      const sigext_pattern *p)
{
    sigext_device dev = {"fuzz", "192.168.1.135", NULL, NULL};
    sigext_nft_options nopt = {true};

    fz_status(ctx, sigext_write_packets_csv(ctx, t, fz_devnull()));
    fz_status(ctx, sigext_write_flows_csv(ctx, p, fz_devnull()));
    fz_status(ctx, sigext_write_flows_json(ctx, p, dev.ipv4, fz_devnull()));
    fz_status(ctx, sigext_write_profile(ctx, p, &dev, fz_devnull()));
    fz_status(ctx, sigext_write_nft(ctx, p, &dev, &nopt, fz_devnull()));
}

struct replay_check {
    const sigext_trace *t;
    size_t i;
};

static int same_record(void *user, const sigext_record *r)
{
    struct replay_check *rc = user;

    fz_check(rc->i < sigext_trace_record_count(rc->t));
    /* Records are zeroed before they are filled: padding compares. */
    fz_check(memcmp(r, &sigext_trace_records(rc->t)[rc->i], sizeof(*r)) ==
             0);
    rc->i++;
    return SIGEXT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sigext_options opt;
    sigext_ctx *ctx;
    sigext_trace *t[2] = {NULL, NULL};
    sigext_pattern *p[2] = {NULL, NULL};
    sigext_pattern *sig = NULL;
    int st = SIGEXT_OK;

    fz_file_init(&in, NULL);
    fz_file_init(&out, NULL);
    fz_file_fill(&in, data, size);
    sigext_options_init(&opt);
    opt.keep_records = true;
    opt.keep_dhcp = size > 0 && (data[size - 1] & 1);
    opt.match_random_ports = size > 0 && (data[size - 1] & 2);
    ctx = fz_ctx(&opt);

    for (int i = 0; i < 2 && st == SIGEXT_OK; i++) {
        st = sigext_trace_read(ctx, in.path, &t[i]);
        fz_status(ctx, st);
    }
    for (int i = 0; i < 2 && st == SIGEXT_OK; i++) {
        st = sigext_pattern_build(ctx, t[i], &p[i]);
        fz_status(ctx, st);
    }
    if (st != SIGEXT_OK)
        goto out;
    fz_check(p[0]->n_flows == p[1]->n_flows);
    struct replay_check rc = {t[0], 0};
    fz_check(sigext_trace_replay(ctx, t[0], same_record, &rc) == SIGEXT_OK);
    fz_check(rc.i == sigext_trace_record_count(t[0]));
    write_all(ctx, t[0], p[0]);
    fz_flows_csv_round_trip(ctx, p[0], out.path);

    st = sigext_signature_extract(ctx, (const sigext_pattern *const *)p, 2,
                                  &sig);
    fz_status(ctx, st);
    if (p[0]->n_flows == 0) {
        fz_check(st == SIGEXT_ERR_NO_SIGNATURE);
        goto out;
    }
    fz_check(st == SIGEXT_OK);
    fz_check(sig->n_flows == p[0]->n_flows);
    write_all(ctx, t[0], sig);
out:
    sigext_pattern_free(sig);
    for (int i = 0; i < 2; i++) {
        sigext_pattern_free(p[i]);
        sigext_trace_free(t[i]);
    }
    sigext_ctx_free(ctx);
    return 0;
}
