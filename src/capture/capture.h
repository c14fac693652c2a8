/*
 * capture.h - capture files in, frames out (internal).
 *
 * Classic pcap files are read through libpcap.  pcapng files are read by
 * our own block reader (capture/pcapng.c) because libpcap 1.10 refuses a
 * pcapng file whose interfaces have different link types, which real
 * multi-interface captures do.
 */
#ifndef SX_CAPTURE_H
#define SX_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sx_capture;

struct sx_frame_hdr {
    int64_t sec;            /* UTC seconds */
    uint32_t nsec;          /* nanoseconds, whatever the file's resolution */
    uint32_t caplen;        /* bytes readable at the data pointer */
    uint32_t wirelen;       /* original length */
    int linktype;           /* LINKTYPE_ value of the frame's interface */
};

enum sx_cap_status {
    SX_CAP_OK = 0,          /* a frame was returned */
    SX_CAP_EOF = 1,         /* clean end of file */
    SX_CAP_ERR_IO = -3,     /* cannot open / read (errno-style message) */
    SX_CAP_ERR_FORMAT = -4, /* not a pcap or pcapng file */
    SX_CAP_ERR_CORRUPT = -5 /* damaged: bad header, block or record */
};

/*
 * Open `path`.  On failure returns a negative sx_cap_status and writes a
 * message without the path ("not a pcap or pcapng file") to err.
 */
int sx_capture_open(const char *path, struct sx_capture **out, char *err,
                    size_t errlen);

/*
 * Next frame.  *data borrows the reader's buffer until the next call.
 * Returns SX_CAP_OK, SX_CAP_EOF, or SX_CAP_ERR_CORRUPT with a message in
 * err when the file is damaged from here on (frames before it stay valid).
 */
int sx_capture_next(struct sx_capture *cap, struct sx_frame_hdr *hdr,
                    const uint8_t **data, char *err, size_t errlen);

/* File size and bytes consumed so far, for progress lines. */
uint64_t sx_capture_size(const struct sx_capture *cap);
uint64_t sx_capture_offset(const struct sx_capture *cap);

/*
 * What identifies the file's content between two reads: a second read
 * (sigext_trace_replay) refuses a file that was replaced or rewritten.
 */
struct sx_file_id {
    bool regular;           /* false: a pipe or device, cannot be re-read */
    uint64_t dev;
    uint64_t ino;
    uint64_t size;
    int64_t mtime_sec;
    long mtime_nsec;
};

const struct sx_file_id *sx_capture_id(const struct sx_capture *cap);

/* The identity of the file at `path` now; false when stat() fails. */
bool sx_file_id_get(const char *path, struct sx_file_id *id);

/*
 * True when `now` is still the regular file `then` was: the same file,
 * untouched or longer (appended to, as by a capture still running).
 * Rewriting a file in place without changing its size or time is not
 * seen; the second read's frame and packet counts catch most of that.
 */
bool sx_file_id_kept(const struct sx_file_id *now,
                     const struct sx_file_id *then);

void sx_capture_close(struct sx_capture *cap);

#endif /* SX_CAPTURE_H */
