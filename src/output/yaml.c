/*
 * yaml.c - smart-home-firewall device profiles (YAML): the writer
 * (`sigext profile`) and the reader behind `sigext firewall --profile`.
 *
 * A profile written by sigext:
 *
 *   ---
 *   device-info:
 *     name: tplink-plug
 *     ipv4: 192.168.1.135
 *     mac: 50:c7:bf:ed:0a:54              (when given)
 *     ipv6: fe80::1                       (when given)
 *   single-policies:
 *     <flow id>:
 *       protocols: {ipv4: ..., udp: ..., dns: ...}   (see policy.h)
 *       bidirectional: true
 *   ...
 *
 * Strings that a YAML 1.1 reader would take for another type (an
 * all-digit MAC like 12:34:56:12:34:56 is a sexagesimal integer there)
 * are single-quoted, so PyYAML's safe_load and the translator read back
 * exactly what was written.
 *
 * The reader builds a document tree with libyaml's event parser (anchors
 * and aliases become shared nodes) and resolves plain scalars the way
 * PyYAML does for the types a profile uses: null, bool, decimal int.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "flows/flows.h"
#include "output/output.h"
#include "output/readers.h"

#define YAML_MAX_DEPTH 64       /* nesting refused beyond (hostile input) */

/* ---- writing ---- */

struct yemit {
    sigext_ctx *ctx;
    yaml_emitter_t em;
    yaml_event_t ev;
    struct sx_buf buf;
    bool ok;
};

static int emit_out(void *data, unsigned char *buffer, size_t size)
{
    struct sx_buf *b = data;

    sx_buf_put(b, (const char *)buffer, size);
    return !b->failed;
}

/* Emit the event just initialised (libyaml then owns it); after a
 * failure, events are only released. */
static bool emit(struct yemit *y, int initialised)
{
    if (initialised && !y->ok)
        yaml_event_delete(&y->ev);
    if (!initialised || !y->ok) {
        y->ok = false;
        return false;
    }
    if (!yaml_emitter_emit(&y->em, &y->ev))
        y->ok = false;
    return y->ok;
}

/* A scalar.  `typed` scalars (ints, bools) are written plain; strings are
 * quoted when plain they would read as another type.  libyaml refuses
 * text that is not UTF-8; such bytes become '?'. */
static bool emit_scalar(struct yemit *y, const char *s, bool typed)
{
    bool quote = !typed && sx_yaml_plain_is_typed(s);
    yaml_scalar_style_t style = quote ? YAML_SINGLE_QUOTED_SCALAR_STYLE
                              : typed ? YAML_PLAIN_SCALAR_STYLE
                              : YAML_ANY_SCALAR_STYLE;
    bool changed;
    char *copy;
    int ok;

    ok = yaml_scalar_event_initialize(&y->ev, NULL, NULL,
                                      (yaml_char_t *)s, (int)strlen(s),
                                      !quote, 1, style);
    if (ok)
        return emit(y, 1);
    copy = sx_utf8_fix(s, &changed);
    if (copy == NULL)
        return emit(y, 0);
    /* TODO(yaml): keep non-UTF-8 bytes of names and URIs. */
    if (changed)
        sx_log(y->ctx, SIGEXT_LOG_WARN, "not UTF-8, written with '?': %s",
                    copy);
    ok = yaml_scalar_event_initialize(&y->ev, NULL, NULL,
                                      (yaml_char_t *)copy, (int)strlen(copy),
                                      !quote, 1, style);
    free(copy);
    return emit(y, ok);
}

static bool emit_map_start(struct yemit *y)
{
    return emit(y, yaml_mapping_start_event_initialize(
                       &y->ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static bool emit_map_end(struct yemit *y)
{
    return emit(y, yaml_mapping_end_event_initialize(&y->ev));
}

static bool emit_node(struct yemit *y, const struct sx_node *n)
{
    switch (n->kind) {
    case SX_NODE_NULL:
        return emit_scalar(y, "null", true);
    case SX_NODE_STR:
        return emit_scalar(y, n->text, false);
    case SX_NODE_INT:
    case SX_NODE_BOOL:
        return emit_scalar(y, n->text, true);
    case SX_NODE_MAP:
        emit_map_start(y);
        for (size_t i = 0; i < n->n; i++) {
            emit_scalar(y, n->keys[i], false);
            emit_node(y, n->vals[i]);
        }
        return emit_map_end(y);
    case SX_NODE_SEQ:
        /* Only port lists: short, so on one line ([9999, 20002]). */
        emit(y, yaml_sequence_start_event_initialize(
                    &y->ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE));
        for (size_t i = 0; i < n->n; i++)
            emit_node(y, n->vals[i]);
        return emit(y, yaml_sequence_end_event_initialize(&y->ev));
    }
    return false;
}

int sigext_write_profile(sigext_ctx *ctx, const sigext_pattern *p,
                         const sigext_device *dev, FILE *out)
{
    struct yemit y;
    struct sx_self self;
    struct sx_arena arena = {0};
    const struct sx_node *pols;
    int st;

    st = sx_device_self(ctx, dev, &self);
    if (st != SIGEXT_OK)
        return st;
    /* The translator names the device's table after it: a profile that
     * no firewall can be made of is refused here, not later. */
    if (!sigext_nft_name_ok(dev->name))
        return sx_fail(ctx, SIGEXT_ERR_USAGE, "device name \"%s\" cannot "
                       "name an nftables table (" SX_NFT_NAME_RULE ")",
                       dev->name);
    pols = sx_pattern_policies(&arena, p, &self);
    if (pols == NULL) {
        sx_arena_free(&arena);
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    }

    memset(&y, 0, sizeof(y));
    y.ctx = ctx;
    y.ok = yaml_emitter_initialize(&y.em) != 0;
    if (y.ok) {
        /* Never fold long names or URIs over several lines. */
        yaml_emitter_set_width(&y.em, -1);
        yaml_emitter_set_unicode(&y.em, 1);
        yaml_emitter_set_output(&y.em, emit_out, &y.buf);
    }
    sx_buf_puts(&y.buf, "# smart-home-firewall device profile, "
                        "written by sigext\n");
    emit(&y, yaml_stream_start_event_initialize(&y.ev, YAML_UTF8_ENCODING));
    emit(&y, yaml_document_start_event_initialize(&y.ev, NULL, NULL, NULL,
                                                  0));
    emit_map_start(&y);

    emit_scalar(&y, "device-info", false);
    emit_map_start(&y);
    emit_scalar(&y, "name", false);
    emit_scalar(&y, dev->name, false);
    if (self.ipv4 != NULL) {
        emit_scalar(&y, "ipv4", false);
        emit_scalar(&y, self.ipv4->text, false);
    }
    if (dev->mac != NULL) {
        emit_scalar(&y, "mac", false);
        emit_scalar(&y, dev->mac, false);
    }
    if (self.ipv6 != NULL) {
        emit_scalar(&y, "ipv6", false);
        emit_scalar(&y, self.ipv6->text, false);
    }
    emit_map_end(&y);

    emit_scalar(&y, "single-policies", false);
    emit_node(&y, pols);

    emit_map_end(&y);
    emit(&y, yaml_document_end_event_initialize(&y.ev, 0));
    emit(&y, yaml_stream_end_event_initialize(&y.ev));
    if (y.ok)
        y.ok = yaml_emitter_flush(&y.em) != 0;

    if (!y.ok && !y.buf.failed)
        st = sx_fail(ctx, SIGEXT_ERR_OUTPUT, "YAML emitter: %s",
                          y.em.problem != NULL ? y.em.problem : "failed");
    else
        st = sx_buf_flush(ctx, &y.buf, out);
    yaml_emitter_delete(&y.em);
    sx_buf_free(&y.buf);
    sx_arena_free(&arena);
    return st;
}

/* ---- reading ---- */

struct anchor {
    struct anchor *next;
    const char *name;
    struct sx_node *node;
};

struct yparse {
    sigext_ctx *ctx;
    struct sx_arena *a;
    const char *path;
    yaml_parser_t parser;
    struct anchor *anchors;
    int include_depth;          /* 0 for the profile itself */
    char err[384];
    int st;                     /* status of err when not FORMAT, else 0 */
};

static struct sx_node *parse_file(struct yparse *parent, const char *path,
                                  int include_depth, char *err,
                                  size_t errsz, int *st);

static bool yerr(struct yparse *y, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool yerr(struct yparse *y, int line, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (y->err[0] != '\0')
        return false;           /* keep the first error */
    n = snprintf(y->err, sizeof(y->err), "%s:%d: ", y->path, line);
    if (n < 0 || (size_t)n >= sizeof(y->err))
        return false;
    va_start(ap, fmt);
    vsnprintf(y->err + n, sizeof(y->err) - (size_t)n, fmt, ap);
    va_end(ap);
    return false;
}

static bool next_event(struct yparse *y, yaml_event_t *ev)
{
    if (yaml_parser_parse(&y->parser, ev))
        return true;
    yerr(y, (int)y->parser.problem_mark.line + 1, "%s%s%s",
         y->parser.context != NULL ? y->parser.context : "",
         y->parser.context != NULL ? ": " : "",
         y->parser.problem != NULL ? y->parser.problem : "YAML error");
    return false;
}

/* PyYAML's int resolver, decimal form only ([-+]?(0|[1-9][0-9_]*)).
 * TODO(profile): hex, octal and sexagesimal ints, and floats, stay
 * strings (no profile field sigext reads takes them). */
static bool plain_int(const char *s, long long *v)
{
    const char *p = s + (*s == '+' || *s == '-');
    long long r = 0;

    if (*p == '\0' || (*p == '0' && p[1] != '\0'))
        return false;
    for (; *p != '\0'; p++) {
        if (*p == '_')
            continue;
        if (*p < '0' || *p > '9' || r > (LLONG_MAX - 9) / 10)
            return false;
        r = r * 10 + (*p - '0');
    }
    *v = *s == '-' ? -r : r;
    return true;
}

static void resolve_plain(struct sx_node *n)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
    static const char *const yes[] = {
        "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    };
    static const char *const no[] = {
        "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    };

    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
        if (strcmp(n->text, nulls[i]) == 0) {
            n->kind = SX_NODE_NULL;
            return;
        }
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(n->text, yes[i]) == 0 || strcmp(n->text, no[i]) == 0) {
            n->kind = SX_NODE_BOOL;
            n->num = strcmp(n->text, yes[i]) == 0;
            return;
        }
    }
    if (plain_int(n->text, &n->num))
        n->kind = SX_NODE_INT;
}

static void add_anchor(struct yparse *y, const yaml_char_t *name,
                       struct sx_node *n)
{
    struct anchor *an;

    if (name == NULL || n == NULL)
        return;
    an = sx_arena_alloc(y->a, sizeof(*an));
    if (an == NULL)
        return;
    an->name = sx_arena_strdup(y->a, (const char *)name);
    an->node = n;
    an->next = y->anchors;      /* newest first: a redefinition wins */
    y->anchors = an;
}

/*
 * Bind "self" inside an included mapping to the included profile's own
 * device (the IncludeLoader rewrites src/dst under ipv4/ipv6 the same
 * way), so that a policy borrowed from another device keeps its meaning.
 */
static void rebind_self(struct sx_arena *a, struct sx_node *n,
                        const char *parent, const struct sx_node *dev,
                        int depth)
{
    if (n == NULL || n->kind != SX_NODE_MAP || depth > YAML_MAX_DEPTH)
        return;
    for (size_t i = 0; i < n->n; i++) {
        struct sx_node *v = n->vals[i];
        const struct sx_node *addr;
        bool ip = parent != NULL && (strcmp(parent, "ipv4") == 0 ||
                                     strcmp(parent, "ipv6") == 0);

        if (v->kind == SX_NODE_MAP) {
            rebind_self(a, v, n->keys[i], dev, depth + 1);
            continue;
        }
        if (!ip || !sx_node_is_str(v) || strcmp(v->text, "self") != 0 ||
            (strcmp(n->keys[i], "src") != 0 && strcmp(n->keys[i], "dst")))
            continue;
        addr = sx_map_get(dev, parent);
        if (sx_node_is_str(addr)) {
            struct sx_node *c = sx_node_str(a, addr->text);
            if (c != NULL)
                n->vals[i] = c;
        }
    }
}

/*
 * An included part is checked and adopted: an include it holds was not
 * followed (the error names it), and its nodes take the line of the
 * !include, so that a later error points into the file the user gave
 * rather than at a line number of another file.
 */
static bool adopt(struct yparse *y, struct sx_node *n, const char *spec,
                  int line, int depth)
{
    if (n->include != NULL)
        return yerr(y, line, "!include %s: the part included holds "
                    "\"!include %s\", and an included file's includes "
                    "are not followed", spec, n->include);
    n->line = line;
    if (depth > YAML_MAX_DEPTH)
        return true;
    for (size_t i = 0; i < n->n; i++) {
        if (!adopt(y, n->vals[i], spec, line, depth + 1))
            return false;
    }
    return true;
}

/*
 * `!include [FILE]#a.b.c`: the member a.b.c of FILE (relative to the
 * including file; "self" or nothing before '#' means this file), as the
 * translator's pyyaml_loaders IncludeLoader reads it.  Includes inside
 * the included file are not followed (that loader ignores them too).
 */
static struct sx_node *include(struct yparse *y, const char *spec, int line)
{
    char file[4096], errbuf[384];
    const char *hash = strchr(spec, '#');
    const char *members = hash != NULL ? hash + 1 : spec;
    size_t flen = hash != NULL ? (size_t)(hash - spec) : 0;
    const char *slash = strrchr(y->path, '/');
    struct sx_node *root, *n;
    int st;

    if (*members == '\0') {
        yerr(y, line, "!include needs FILE#MEMBER, or MEMBER of this file");
        return NULL;
    }
    if (strchr(spec, ' ') != NULL) {
        /* TODO(profile): "!include FILE#m key:value" overrides. */
        yerr(y, line, "!include with overrides is not supported");
        return NULL;
    }
    if (y->include_depth >= 1) {
        /* The loader of included files ignores their own includes (and
         * following them would parse a file once per path to it). */
        n = sx_node_new(y->a, SX_NODE_NULL);
        if (n != NULL) {
            n->line = line;
            n->include = sx_arena_strdup(y->a, spec);
        }
        return n != NULL && n->include != NULL ? n : NULL;
    }
    if (flen == 0 || (flen == 4 && strncmp(spec, "self", 4) == 0)) {
        /* The file is read again: standard input cannot be. */
        if (strcmp(y->path, "-") == 0) {
            yerr(y, line, "!include %s: a member of this file needs the "
                 "profile as a named file, not standard input", spec);
            return NULL;
        }
        snprintf(file, sizeof(file), "%s", y->path);
    }
    else if (spec[0] == '/' || slash == NULL)
        snprintf(file, sizeof(file), "%.*s", (int)flen, spec);
    else
        snprintf(file, sizeof(file), "%.*s/%.*s",
                 (int)(slash - y->path), y->path, (int)flen, spec);

    errbuf[0] = '\0';
    root = parse_file(y, file, y->include_depth + 1, errbuf, sizeof(errbuf),
                      &st);
    if (root == NULL) {
        /* An included file that cannot be read is an I/O error of the
         * profile, as the profile itself would be (errbuf names it). */
        if (y->err[0] == '\0' && st != SIGEXT_ERR_FORMAT)
            y->st = st;
        yerr(y, line, "!include %s: %s", spec, errbuf);
        return NULL;
    }
    n = root;
    for (const char *m = members; *m != '\0';) {
        const char *dot = strchr(m, '.');
        size_t klen = dot != NULL ? (size_t)(dot - m) : strlen(m);
        char key[256];

        snprintf(key, sizeof(key), "%.*s", (int)klen, m);
        n = (struct sx_node *)sx_map_get(n, key);
        if (n == NULL) {
            /* Without '#' the text is a member path of this same file
             * (IncludeLoader); "!include other.yaml" meant a file. */
            if (hash == NULL)
                yerr(y, line, "!include %s: no member \"%s\" in this file "
                     "(a member of another file is FILE#MEMBER)", spec, key);
            else
                yerr(y, line, "!include %s: no member \"%s\" in %s", spec,
                     key, file);
            return NULL;
        }
        m += klen + (dot != NULL);
    }
    if (!adopt(y, n, spec, line, 0))
        return NULL;
    rebind_self(y->a, n, NULL, sx_map_get(root, "device-info"), 0);
    return n;
}

static struct sx_node *parse_node(struct yparse *y, yaml_event_t *ev,
                                  int depth);

static struct sx_node *parse_scalar(struct yparse *y, yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    int line = (int)ev->start_mark.line + 1;
    struct sx_node *n = sx_node_new(y->a, SX_NODE_STR);

    if (n == NULL)
        return NULL;
    n->line = line;
    n->text = sx_arena_strndup(y->a, (const char *)ev->data.scalar.value,
                               ev->data.scalar.length);
    if (n->text == NULL)
        return NULL;
    if (strlen(n->text) != ev->data.scalar.length) {
        yerr(y, line, "NUL character in a scalar");
        return NULL;
    }
    if (tag == NULL) {
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            resolve_plain(n);
        return n;
    }
    if (strcmp(tag, "!include") == 0)
        return include(y, n->text, line);
    if (strcmp(tag, "!") == 0 || strcmp(tag, YAML_STR_TAG) == 0)
        return n;
    if (strcmp(tag, YAML_INT_TAG) == 0 && plain_int(n->text, &n->num)) {
        n->kind = SX_NODE_INT;
        return n;
    }
    if (strcmp(tag, YAML_BOOL_TAG) == 0) {
        resolve_plain(n);
        if (n->kind == SX_NODE_BOOL)
            return n;
    }
    yerr(y, line, "unsupported tag %s", tag);
    return NULL;
}

/* Add to `n` the pairs of map `m` whose keys it lacks. */
static bool merge_map(struct yparse *y, struct sx_node *n,
                      const struct sx_node *m, int line)
{
    if (m->kind != SX_NODE_MAP)
        return yerr(y, line, "\"<<\" merges a map or a list of maps");
    for (size_t i = 0; i < m->n; i++) {
        if (sx_map_get(n, m->keys[i]) == NULL &&
            sx_map_put(y->a, n, m->keys[i], m->vals[i]) < 0)
            return false;
    }
    return true;
}

/*
 * The merge key of YAML 1.1 (yaml.org/type/merge.html), which PyYAML
 * and so the translator apply: "<<: *base" gives the map the pairs of
 * base it does not set itself; with a list, earlier maps win.
 */
static bool merge_keys(struct yparse *y, struct sx_node *n,
                       const struct sx_node *merge, int line)
{
    if (merge->kind != SX_NODE_SEQ)
        return merge_map(y, n, merge, line);
    for (size_t i = 0; i < merge->n; i++) {
        if (!merge_map(y, n, merge->vals[i], line))
            return false;
    }
    return true;
}

static struct sx_node *parse_collection(struct yparse *y, yaml_event_t *ev,
                                        int depth)
{
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT
                                   : YAML_SEQUENCE_END_EVENT;
    struct sx_node *n = sx_node_new(y->a, is_map ? SX_NODE_MAP
                                                 : SX_NODE_SEQ);
    yaml_event_t kev, vev;

    if (n == NULL)
        return NULL;
    n->line = (int)ev->start_mark.line + 1;
    if (depth > YAML_MAX_DEPTH) {
        yerr(y, n->line, "nested too deeply");
        return NULL;
    }
    const struct sx_node *merge = NULL;  /* the value of "<<" */
    int merge_line = 0;

    for (;;) {
        struct sx_node *k = NULL, *v;
        bool done;

        if (!next_event(y, &kev))
            return NULL;
        done = kev.type == end;
        /* Only a plain "<<" merges; quoted, it is an ordinary key. */
        bool merging = kev.type == YAML_SCALAR_EVENT &&
                       kev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                       kev.data.scalar.tag == NULL &&
                       strcmp((const char *)kev.data.scalar.value, "<<") == 0;
        if (!done)
            k = parse_node(y, &kev, depth + 1);
        yaml_event_delete(&kev);
        if (done)
            return merge == NULL || merge_keys(y, n, merge, merge_line) ? n
                                                                       : NULL;
        if (k == NULL)
            return NULL;
        if (!is_map) {
            if (sx_seq_push(y->a, n, k) < 0)
                return NULL;
            continue;
        }
        if (k->kind == SX_NODE_MAP || k->kind == SX_NODE_SEQ) {
            yerr(y, k->line, "a key must be a scalar");
            return NULL;
        }
        if (sx_map_get(n, k->text) != NULL) {
            yerr(y, k->line, "duplicate key \"%s\"", k->text);
            return NULL;
        }
        if (!next_event(y, &vev))
            return NULL;
        v = parse_node(y, &vev, depth + 1);
        yaml_event_delete(&vev);
        if (v == NULL)
            return NULL;
        if (merging) {
            if (merge != NULL) {
                yerr(y, k->line, "duplicate key \"<<\"");
                return NULL;
            }
            merge = v;
            merge_line = k->line;
            continue;
        }
        if (sx_map_put(y->a, n, k->text, v) < 0)
            return NULL;
    }
}

/* The node that starts with `ev` (the caller deletes `ev`). */
static struct sx_node *parse_node(struct yparse *y, yaml_event_t *ev,
                                  int depth)
{
    struct sx_node *n = NULL;
    const yaml_char_t *anchor = NULL;

    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        n = parse_scalar(y, ev);
        anchor = ev->data.scalar.anchor;
        break;
    case YAML_SEQUENCE_START_EVENT:
        n = parse_collection(y, ev, depth);
        anchor = ev->data.sequence_start.anchor;
        break;
    case YAML_MAPPING_START_EVENT:
        n = parse_collection(y, ev, depth);
        anchor = ev->data.mapping_start.anchor;
        break;
    case YAML_ALIAS_EVENT:
        for (struct anchor *an = y->anchors; an != NULL; an = an->next) {
            if (strcmp(an->name, (const char *)ev->data.alias.anchor) == 0)
                return an->node;
        }
        yerr(y, (int)ev->start_mark.line + 1, "unknown alias *%s",
             (const char *)ev->data.alias.anchor);
        return NULL;
    default:
        yerr(y, (int)ev->start_mark.line + 1, "unexpected YAML event");
        return NULL;
    }
    if (n == NULL && y->err[0] == '\0')
        yerr(y, (int)ev->start_mark.line + 1, "out of memory");
    add_anchor(y, anchor, n);
    return n;
}

/* The single document of text[0..len); NULL with y->err set. */
static struct sx_node *parse_text(struct yparse *y, const char *text,
                                  size_t len)
{
    yaml_event_t ev;
    struct sx_node *root = NULL;
    int stage = 0;              /* 0 stream, 1 document, 2 node, 3 end */

    if (!yaml_parser_initialize(&y->parser)) {
        yerr(y, 0, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&y->parser, (const unsigned char *)text,
                                 len);
    while (next_event(y, &ev)) {
        yaml_event_type_t t = ev.type;
        bool ok = true;

        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
            /* nothing */
        } else if (t == YAML_DOCUMENT_START_EVENT) {
            if (stage != 0)
                ok = yerr(y, (int)ev.start_mark.line + 1,
                          "more than one YAML document");
            stage = 1;
        } else if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        } else {
            root = parse_node(y, &ev, 0);
            ok = root != NULL;
        }
        yaml_event_delete(&ev);
        if (!ok)
            break;
    }
    yaml_parser_delete(&y->parser);
    if (y->err[0] != '\0')
        return NULL;
    if (root == NULL)
        yerr(y, 1, "empty profile");
    return root;
}

/* Parse the file at `path`; on failure *st is the status (IO for an
 * unreadable file, FORMAT for bad YAML) and err holds the message. */
static struct sx_node *parse_file(struct yparse *parent, const char *path,
                                  int include_depth, char *err, size_t errsz,
                                  int *st)
{
    struct yparse y;
    struct sx_node *root = NULL;
    char *text;
    size_t len;

    *st = SIGEXT_ERR_FORMAT;
    memset(&y, 0, sizeof(y));
    y.ctx = parent->ctx;
    y.a = parent->a;
    y.path = sx_arena_strdup(parent->a, path);
    y.include_depth = include_depth;
    if (y.path == NULL) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    *st = sx_read_file(y.ctx, path, &text, &len);
    if (*st != SIGEXT_OK) {
        snprintf(err, errsz, "%s", sigext_error(y.ctx));
        return NULL;
    }
    *st = SIGEXT_ERR_FORMAT;
    root = parse_text(&y, text, len);
    free(text);
    if (root == NULL) {
        snprintf(err, errsz, "%s", y.err);
        if (y.st != 0)
            *st = y.st;
    }
    return root;
}

static const char *profile_str(const struct sx_node *m, const char *key)
{
    const struct sx_node *n = sx_map_get(m, key);

    /* A plain "12345" name is still a name. */
    if (n != NULL && (n->kind == SX_NODE_STR || n->kind == SX_NODE_INT))
        return n->text;
    return NULL;
}

static int profile_device(sigext_ctx *ctx, struct sx_profile *p)
{
    const struct sx_node *di = sx_map_get(p->root, "device-info");
    const struct sx_node *n;
    const char *fam[2] = { "ipv4", "ipv6" };

    if (p->root->kind != SX_NODE_MAP)
        return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s: not a device profile",
                            p->path);
    if (di == NULL)
        return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s: missing device-info",
                            p->path);
    if (di->kind != SX_NODE_MAP)
        return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%d: device-info must "
                            "be a map", p->path, di->line);
    p->dev.name = profile_str(di, "name");
    if (p->dev.name == NULL || p->dev.name[0] == '\0')
        return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%d: device-info has no "
                            "name", p->path, di->line);
    p->dev.mac = profile_str(di, "mac");
    for (int i = 0; i < 2; i++) {
        const sigext_host *h;
        const char *s;

        n = sx_map_get(di, fam[i]);
        if (n == NULL)
            continue;
        s = sx_node_is_str(n) ? n->text : "";
        h = sx_host_text(ctx, s, strlen(s));
        if (h == NULL)
            return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
        if (h->kind != (i == 0 ? SIGEXT_HOST_IPV4 : SIGEXT_HOST_IPV6))
            return sx_fail(ctx, SIGEXT_ERR_FORMAT,
                                "%s:%d: device-info %s is not an %s address",
                                p->path, n->line, fam[i],
                                i == 0 ? "IPv4" : "IPv6");
        if (i == 0) {
            p->dev.ipv4 = s;
            p->self.ipv4 = h;
        } else {
            p->dev.ipv6 = s;
            p->self.ipv6 = h;
        }
    }
    return SIGEXT_OK;
}

int sx_profile_read(sigext_ctx *ctx, const char *path,
                    struct sx_profile **out)
{
    struct sx_profile *p = calloc(1, sizeof(*p));
    struct yparse top;
    char err[384];
    int st;

    *out = NULL;
    if (p == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    memset(&top, 0, sizeof(top));
    top.ctx = ctx;
    top.a = &p->arena;
    p->path = sx_arena_strdup(&p->arena, path);
    err[0] = '\0';
    st = SIGEXT_ERR_NOMEM;
    snprintf(err, sizeof(err), "out of memory");
    if (p->path != NULL)
        p->root = parse_file(&top, path, 0, err, sizeof(err), &st);
    if (p->root == NULL) {
        st = sx_fail(ctx, st, "%s", err);
        sx_profile_free(p);
        return st;
    }
    st = profile_device(ctx, p);
    if (st == SIGEXT_OK) {
        p->policies = sx_map_get(p->root, "single-policies");
        if (p->policies != NULL && p->policies->kind == SX_NODE_NULL)
            p->policies = NULL;
        if (p->policies != NULL && p->policies->kind != SX_NODE_MAP)
            st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%d: single-policies "
                              "must be a map", p->path, p->policies->line);
    }
    if (st != SIGEXT_OK) {
        sx_profile_free(p);
        return st;
    }
    *out = p;
    return SIGEXT_OK;
}

void sx_profile_free(struct sx_profile *p)
{
    if (p == NULL)
        return;
    sx_arena_free(&p->arena);
    free(p);
}

int sx_profile_pattern(sigext_ctx *ctx, const struct sx_profile *p,
                       sigext_pattern **out)
{
    size_t n = p->policies != NULL ? p->policies->n : 0;
    sigext_flow *flows = calloc(n + 1, sizeof(*flows));
    int st = SIGEXT_OK;

    *out = NULL;
    if (flows == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char why[256];

        if (sx_policy_flow(ctx, p->policies->vals[i], &p->self, &flows[i],
                           why, sizeof(why)) < 0) {
            st = sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%d: policy %s: %s",
                              p->path, p->policies->vals[i]->line,
                              p->policies->keys[i], why);
            break;
        }
    }
    if (st == SIGEXT_OK)
        st = sx_pattern_from_flows(ctx, flows, n, sx_intern_z(ctx, p->path),
                                   out);
    free(flows);
    return st;
}
