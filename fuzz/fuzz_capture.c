/*
 * fuzz_capture.c - libFuzzer harness for the capture readers (pcap via
 * libpcap, draft-ietf-opsawg-pcap; pcapng, draft-ietf-opsawg-pcapng).
 *
 * The input becomes a file (a memfd, reopened through /proc like any
 * path) and every frame is read and every captured byte touched, so the
 * sanitizers see any read past a frame.  The reader's own promises are
 * checked too: nsec below a second, one-line messages on failure.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *       fuzz/fuzz_capture.c src/capture/capture.c src/capture/pcapng.c \
 *       -lpcap
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture/capture.h"

static int file_fd = -1;
static char file_path[64];

/* memfd keeps the disk out of the loop; a temporary file if absent. */
static int file_setup(void)
{
    file_fd = memfd_create("fuzz_capture", 0);
    if (file_fd >= 0) {
        snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
        return 0;
    }
    snprintf(file_path, sizeof(file_path), "/tmp/fuzz_capture_XXXXXX");
    file_fd = mkstemp(file_path);
    return file_fd >= 0 ? 0 : -1;
}

static int file_fill(const uint8_t *data, size_t size)
{
    size_t done = 0;

    if (ftruncate(file_fd, 0) != 0)
        return -1;
    while (done < size) {
        ssize_t n = pwrite(file_fd, data + done, size - done, (off_t)done);

        if (n <= 0)
            return -1;
        done += (size_t)n;
    }
    return 0;
}

static void check_message(const char *err)
{
    /* A failure always says why, on one line. */
    if (err[0] == '\0' || strchr(err, '\n') != NULL)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sx_capture *cap;
    struct sx_frame_hdr hdr;
    const uint8_t *frame;
    char err[256];
    volatile uint8_t sink = 0;
    int rc;

    if (file_fd < 0 && file_setup() != 0)
        abort();
    if (file_fill(data, size) != 0)
        abort();

    err[0] = '\0';
    rc = sx_capture_open(file_path, &cap, err, sizeof(err));
    if (rc != SX_CAP_OK) {
        if (rc != SX_CAP_ERR_FORMAT && rc != SX_CAP_ERR_CORRUPT)
            __builtin_trap();
        check_message(err);
        return 0;
    }

    err[0] = '\0';
    while ((rc = sx_capture_next(cap, &hdr, &frame, err, sizeof(err))) ==
           SX_CAP_OK) {
        if (hdr.nsec >= 1000000000u)
            __builtin_trap();
        for (uint32_t i = 0; i < hdr.caplen; i++)
            sink ^= frame[i];
    }
    if (rc < 0)
        check_message(err);
    else if (rc != SX_CAP_EOF)
        __builtin_trap();
    if (sx_capture_offset(cap) > size)
        __builtin_trap();

    sx_capture_close(cap);
    (void)sink;
    return 0;
}
