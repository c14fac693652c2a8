/*
 * fuzz_common.h - helpers shared by the libFuzzer harnesses.
 *
 * File-based APIs get their input through a per-process file that is
 * rewritten for every run: a memfd (no disk, reopened through
 * /proc/self/fd like any path) or, when a harness needs a real directory
 * (profile !include), a file in a private temporary directory.
 *
 * A broken promise is reported with fz_trap(), which aborts with a line
 * saying which one, so libFuzzer keeps the input as a crash.
 */
#ifndef SX_FUZZ_COMMON_H
#define SX_FUZZ_COMMON_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sigext/sigext.h"

#define fz_trap(why)                                                       \
    do {                                                                   \
        fprintf(stderr, "fuzz: %s:%d: broken promise: %s\n", __FILE__,     \
                __LINE__, (why));                                          \
        abort();                                                           \
    } while (0)

#define fz_check(cond)                                                     \
    do {                                                                   \
        if (!(cond))                                                       \
            fz_trap(#cond);                                                \
    } while (0)

struct fz_file {
    int fd;
    char path[4096];
};

static char fz_dir[64] __attribute__((unused));
static char fz_made[4][4096] __attribute__((unused));
static int fz_n_made __attribute__((unused));

/* At exit: remove the files made in the private directory, then it. */
static inline void fz_dir_cleanup(void)
{
    for (int i = 0; i < fz_n_made; i++)
        unlink(fz_made[i]);
    if (fz_dir[0] != '\0')
        rmdir(fz_dir);
}

/*
 * Open `f` once per process.  With `name` NULL a memfd is used (falling
 * back to a file "input-N"); with a name, the file is `name` inside a
 * private directory made with mkdtemp.  Files and directory are removed
 * at exit.
 */
static inline void fz_file_init(struct fz_file *f, const char *name)
{
    char fallback[32];

    if (f->path[0] != '\0')
        return;
    if (name == NULL) {
        f->fd = memfd_create("sigext-fuzz", 0);
        if (f->fd >= 0) {
            snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
            return;
        }
        snprintf(fallback, sizeof(fallback), "input-%d", fz_n_made);
        name = fallback;
    }
    if (fz_n_made == (int)(sizeof(fz_made) / sizeof(fz_made[0])))
        fz_trap("too many input files");
    if (fz_dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR");

        snprintf(fz_dir, sizeof(fz_dir), "%s/sigext-fuzz-XXXXXX",
                 tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
        if (mkdtemp(fz_dir) == NULL)
            fz_trap("mkdtemp");
        atexit(fz_dir_cleanup);
    }
    snprintf(f->path, sizeof(f->path), "%s/%s", fz_dir, name);
    f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f->fd < 0)
        fz_trap("cannot create the input file");
    snprintf(fz_made[fz_n_made++], sizeof(fz_made[0]), "%s", f->path);
}

/* Make the file hold exactly data[0..size). */
static inline void fz_file_fill(struct fz_file *f, const uint8_t *data,
                                size_t size)
{
    size_t done = 0;

    if (ftruncate(f->fd, 0) != 0)
        fz_trap("ftruncate");
    while (done < size) {
        ssize_t n = pwrite(f->fd, data + done, size - done, (off_t)done);

        if (n <= 0)
            fz_trap("pwrite");
        done += (size_t)n;
    }
}

/* A FILE* on /dev/null for writers whose output is not checked. */
static inline FILE *fz_devnull(void)
{
    static FILE *fp;

    if (fp == NULL && (fp = fopen("/dev/null", "w")) == NULL)
        fz_trap("fopen /dev/null");
    return fp;
}

/*
 * Library promises on every call: a status is OK or one of the
 * sigext_status values, and a failure leaves a one-line message.
 */
static inline void fz_status(const sigext_ctx *ctx, int st)
{
    const char *e;

    fz_check(st <= SIGEXT_OK && st >= SIGEXT_ERR_OUTPUT);
    if (st == SIGEXT_OK)
        return;
    e = sigext_error(ctx);
    fz_check(e != NULL && e[0] != '\0');
    fz_check(strchr(e, '\n') == NULL);
}

/* Log messages are one line each; formatting them is exercised too. */
static inline void fz_log(void *user, sigext_log_level level,
                          const char *msg)
{
    (void)user;
    (void)level;
    fz_check(msg != NULL && strchr(msg, '\n') == NULL);
}

/* A context with every diagnostic enabled (and checked). */
static inline sigext_ctx *fz_ctx(const sigext_options *opt)
{
    sigext_ctx *ctx = sigext_ctx_new(opt);

    if (ctx == NULL)
        fz_trap("sigext_ctx_new");
    sigext_set_log(ctx, SIGEXT_LOG_DEBUG, fz_log, NULL);
    return ctx;
}

/* Write `p` as a flows CSV to `path` and read it back: the same number
 * of flows must come back (the CSV promise of SPEC "Outputs"). */
static inline void fz_flows_csv_round_trip(sigext_ctx *ctx,
                                           const sigext_pattern *p,
                                           const char *path)
{
    sigext_pattern *back = NULL;
    FILE *fp = fopen(path, "w");
    int st;

    if (fp == NULL)
        fz_trap("fopen of the output file");
    st = sigext_write_flows_csv(ctx, p, fp);
    fz_status(ctx, st);
    if (fclose(fp) != 0 || st != SIGEXT_OK)
        fz_trap("writing a flows CSV failed");
    st = sigext_pattern_read(ctx, path, &back);
    fz_status(ctx, st);
    if (st != SIGEXT_OK)
        fz_trap(sigext_error(ctx));
    fz_check(back->n_flows == p->n_flows);
    sigext_pattern_free(back);
}

#endif /* SX_FUZZ_COMMON_H */
