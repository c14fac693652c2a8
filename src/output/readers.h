/*
 * readers.h - readers of the files sigext writes (internal).
 */
#ifndef SX_READERS_H
#define SX_READERS_H

#include "sx_int.h"

/* Read a whole file into a NUL-terminated buffer the caller frees. */
int sx_read_file(sigext_ctx *ctx, const char *path, char **text,
                 size_t *len);

/* Parse a JSON policy array written by sigext_write_flows_json into a
 * pattern (output/json.c).  `text` holds `len` bytes of `path`. */
int sx_pattern_read_json(sigext_ctx *ctx, const char *path, const char *text,
                         size_t len, sigext_pattern **out);

#endif /* SX_READERS_H */
