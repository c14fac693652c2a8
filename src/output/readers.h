/*
 * readers.h - readers of the policy formats (internal): the JSON policy
 * array that sigext_write_flows_json writes, and smart-home-firewall
 * profiles (YAML).
 */
#ifndef SX_READERS_H
#define SX_READERS_H

#include "output/policy.h"

/*
 * Read the whole file at `path` into a new NUL-ended buffer (csv.c).
 * The caller frees *text.  SIGEXT_ERR_IO / LIMIT / NOMEM with the error
 * set on failure; SIGEXT_ERR_FORMAT when the file holds a NUL byte (every
 * format read this way is text).
 */
int sx_read_file(sigext_ctx *ctx, const char *path, char **text,
                 size_t *len);

/*
 * Parse the JSON policies of `path` (its whole text is text[0..len)) into
 * a new pattern, as sigext_write_flows_json wrote them: an array of
 * objects {id, protocols, bidirectional, count[, device-ip]}.  "self"
 * takes the object's "device-ip"; "id" is ignored (it is derived).  On
 * failure returns SIGEXT_ERR_FORMAT (or NOMEM) with the error set to
 * "path: ..." and *out NULL.  The caller frees the pattern with
 * sigext_pattern_free(); its source is `path`, interned.
 */
int sx_pattern_read_json(sigext_ctx *ctx, const char *path, const char *text,
                         size_t len, sigext_pattern **out);

/* A smart-home-firewall device profile, parsed. */
struct sx_profile {
    struct sx_arena arena;      /* owns everything below */
    const char *path;
    struct sx_node *root;
    sigext_device dev;          /* from device-info */
    struct sx_self self;        /* device-info ipv4/ipv6 as hosts */
    const struct sx_node *policies; /* single-policies map, or NULL */
};

/*
 * Read the YAML profile at `path`.  Requires a device-info map with a
 * name; ipv4 and ipv6, when present, must be addresses.  `!include
 * FILE#a.b` values are resolved relative to the including file, as the
 * translator's IncludeLoader does.  Sections other than device-info and
 * single-policies are kept in the tree but not checked.  Errors:
 * SIGEXT_ERR_IO (cannot read), SIGEXT_ERR_FORMAT (YAML or profile
 * error), with the error set to "path: ...".  Free with sx_profile_free.
 */
int sx_profile_read(sigext_ctx *ctx, const char *path,
                    struct sx_profile **out);
void sx_profile_free(struct sx_profile *p);

/*
 * The single-policies of a profile as flows, in profile order: the way
 * back from sigext_write_profile (round trip).  "self" is the device.
 */
int sx_profile_pattern(sigext_ctx *ctx, const struct sx_profile *p,
                       sigext_pattern **out);

#endif /* SX_READERS_H */
