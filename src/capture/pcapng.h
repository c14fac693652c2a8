/*
 * pcapng.h - our pcapng block reader, used by capture.c (internal).
 *
 * Reference: draft-ietf-opsawg-pcapng (PCAP Next Generation Dump File
 * Format).  Statuses and messages follow capture.h.
 */
#ifndef SX_PCAPNG_H
#define SX_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/capture.h"

struct sx_pcapng;

/*
 * Start reading a pcapng stream.  `prefix` holds the first bytes the
 * caller already consumed from fp (at least the 4-byte magic); they are
 * copied.  fp is borrowed: the caller closes it after sx_pcapng_close().
 * Reads the first section header and every block up to the first
 * interface description, so damage there fails here (SX_CAP_ERR_CORRUPT,
 * or SX_CAP_ERR_FORMAT for an unsupported version).
 */
int sx_pcapng_open(FILE *fp, const uint8_t *prefix, size_t prefixlen,
                   struct sx_pcapng **out, char *err, size_t errlen);

/* As sx_capture_next(); *data points into the reader's buffer. */
int sx_pcapng_next(struct sx_pcapng *ng, struct sx_frame_hdr *hdr,
                   const uint8_t **data, char *err, size_t errlen);

/* Bytes of the stream consumed so far (blocks fully read). */
uint64_t sx_pcapng_offset(const struct sx_pcapng *ng);

/* Frees the reader (NULL is fine); does not close fp. */
void sx_pcapng_close(struct sx_pcapng *ng);

#endif /* SX_PCAPNG_H */
