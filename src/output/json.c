/*
 * json.c - flows as a JSON array of firewall policies, and back.
 *
 * Each element is one entry of a profile's `single-policies` (SPEC
 * "Outputs"), plus what sigext needs to read the file back:
 *
 *   {
 *     "id": "192.168.1.135-192.168.1.1_UDP_dst_53_DNS_...",
 *     "protocols": {
 *       "ipv4": {"src": "self", "dst": "192.168.1.1"},
 *       "udp": {"dst-port": 53},
 *       "dns": {"response": false, "qtype": "A", "domain-name": "a.b.c"}
 *     },
 *     "bidirectional": true,
 *     "count": 3,
 *     "device-ip": "192.168.1.135"
 *   }
 *
 * - "id" is the flow id (SPEC), for people and logs; the reader ignores it.
 * - "count" is the number of flows merged into the fingerprint.
 * - A fixed port is a number; a host with several fixed ports (a discovery
 *   broadcast to 9999 and 20002) gets a list [9999, 20002], which the
 *   profile translator accepts and turns into an nftables set.
 * - With a device IP, that address is written "self" (as the reference's
 *   extract_policy does), and the object also carries "device-ip" with the
 *   real address, only when it wrote "self": the file then reads back
 *   into the same fingerprints without outside knowledge.
 * - '*' in names is written '$' (the translator's wildcard) and read back
 *   as '*'.
 *
 * jansson keeps object keys in insertion order, so the output is stable.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "flows/flows.h"
#include "output/output.h"
#include "output/readers.h"

/* Nesting deeper than a policy ever needs is refused (hostile input). */
#define JSON_MAX_DEPTH 16

/* ---- writing ---- */

/* A JSON string.  JSON text is UTF-8: bytes that are not valid UTF-8 (a
 * raw label byte in a DNS name, say) cannot be kept, so they become '?'. */
static json_t *json_text(sigext_ctx *ctx, const char *s)
{
    json_t *j = json_string(s);
    bool changed;
    char *copy;

    if (j != NULL)
        return j;
    copy = sx_utf8_fix(s, &changed);
    if (copy == NULL)
        return NULL;
    /* TODO(json): keep non-UTF-8 bytes (an escape scheme both ways). */
    if (changed)
        sx_log(ctx, SIGEXT_LOG_WARN, "not UTF-8, written with '?': %s",
                    copy);
    j = json_string(copy);
    free(copy);
    return j;
}

static json_t *node_json(sigext_ctx *ctx, const struct sx_node *n)
{
    json_t *j = NULL;

    switch (n->kind) {
    case SX_NODE_NULL:
        return json_null();
    case SX_NODE_STR:
        return json_text(ctx, n->text);
    case SX_NODE_INT:
        return json_integer(n->num);
    case SX_NODE_BOOL:
        return json_boolean(n->num);
    case SX_NODE_MAP:
        j = json_object();
        for (size_t i = 0; j != NULL && i < n->n; i++) {
            if (json_object_set_new(j, n->keys[i],
                                    node_json(ctx, n->vals[i])) < 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    case SX_NODE_SEQ:
        j = json_array();
        for (size_t i = 0; j != NULL && i < n->n; i++) {
            if (json_array_append_new(j, node_json(ctx, n->vals[i])) < 0) {
                json_decref(j);
                return NULL;
            }
        }
        return j;
    }
    return NULL;
}

/* The device address written "self", from --device-ip. */
static int self_of(sigext_ctx *ctx, const char *ip, struct sx_self *self)
{
    const sigext_host *h;

    memset(self, 0, sizeof(*self));
    if (ip == NULL)
        return SIGEXT_OK;
    h = sx_host_text(ctx, ip, strlen(ip));
    if (h == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    if (h->kind == SIGEXT_HOST_NAME)
        return sx_fail(ctx, SIGEXT_ERR_USAGE,
                            "invalid device IP address \"%s\"", ip);
    if (h->kind == SIGEXT_HOST_IPV4)
        self->ipv4 = h;
    else
        self->ipv6 = h;
    return SIGEXT_OK;
}

/* One policy object, or NULL on out-of-memory. */
static json_t *flow_json(sigext_ctx *ctx, struct sx_arena *a,
                         const sigext_flow *f, const struct sx_self *self)
{
    bool used = false;
    const struct sx_node *pol = sx_flow_policy(a, f, self, &used);
    size_t idlen = sigext_flow_id(f, NULL, 0);
    char *id = sx_arena_alloc(a, idlen + 1);
    json_t *o = json_object();
    int rc = 0;

    if (pol == NULL || id == NULL || o == NULL) {
        json_decref(o);
        return NULL;
    }
    sigext_flow_id(f, id, idlen + 1);
    rc |= json_object_set_new(o, "id", json_text(ctx, id));
    for (size_t i = 0; i < pol->n; i++)
        rc |= json_object_set_new(o, pol->keys[i],
                                  node_json(ctx, pol->vals[i]));
    rc |= json_object_set_new(o, "count", json_integer((json_int_t)f->count));
    if (used) {
        const sigext_host *h = self->ipv4 != NULL ? self->ipv4 : self->ipv6;
        rc |= json_object_set_new(o, "device-ip", json_string(h->text));
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int sigext_write_flows_json(sigext_ctx *ctx, const sigext_pattern *p,
                            const char *device_ip, FILE *out)
{
    struct sx_self self;
    struct sx_arena arena = {0};
    json_t *arr;
    char *text = NULL;
    int st;

    st = self_of(ctx, device_ip, &self);
    if (st != SIGEXT_OK)
        return st;
    arr = json_array();
    for (size_t i = 0; arr != NULL && i < p->n_flows; i++) {
        if (json_array_append_new(arr, flow_json(ctx, &arena,
                                                 &p->flows[i], &self)) < 0)
            break;
        if (json_array_size(arr) != i + 1)
            break;
    }
    if (arr != NULL && json_array_size(arr) == p->n_flows)
        text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(arr);
    sx_arena_free(&arena);
    if (text == NULL)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");

    st = SIGEXT_OK;
    if (fputs(text, out) == EOF || fputc('\n', out) == EOF)
        st = sx_fail(ctx, SIGEXT_ERR_OUTPUT, "write failed");
    free(text);
    return st;
}

/* ---- reading ---- */

/*
 * The tree of a JSON value; NULL with why[0..whysz) set on failure.
 * `key` is the member the value sits under (that of the enclosing array
 * for an item; NULL at the top), so that a refusal names the field.
 */
static struct sx_node *json_node(struct sx_arena *a, json_t *j,
                                 const char *key, int depth, char *why,
                                 size_t whysz)
{
    struct sx_node *n = NULL;
    const char *k;
    json_t *v;
    size_t i;

    if (depth > JSON_MAX_DEPTH) {
        snprintf(why, whysz, "nested too deeply");
        return NULL;
    }
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        n = sx_node_new(a, SX_NODE_MAP);
        json_object_foreach(j, k, v) {
            struct sx_node *c = json_node(a, v, k, depth + 1, why, whysz);
            if (c == NULL || n == NULL ||
                sx_map_put(a, n, sx_arena_strdup(a, k), c) < 0)
                return NULL;
        }
        break;
    case JSON_ARRAY:
        n = sx_node_new(a, SX_NODE_SEQ);
        json_array_foreach(j, i, v) {
            struct sx_node *c = json_node(a, v, key, depth + 1, why, whysz);
            if (c == NULL || sx_seq_push(a, n, c) < 0)
                return NULL;
        }
        break;
    case JSON_STRING:
        n = sx_node_new(a, SX_NODE_STR);
        if (n != NULL)
            n->text = sx_arena_strndup(a, json_string_value(j),
                                       json_string_length(j));
        /* jansson refuses \u0000 unless asked (JSON_ALLOW_NUL); kept in
         * case it is, as a NUL would cut the string. */
        if (n != NULL && n->text != NULL &&
            strlen(n->text) != json_string_length(j)) {
            snprintf(why, whysz, "\"%s\": NUL character (\\u0000) in a "
                     "string", key != NULL ? key : "");
            return NULL;
        }
        break;
    case JSON_INTEGER:
        n = sx_node_int(a, json_integer_value(j));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        n = sx_node_bool(a, json_is_true(j));
        break;
    case JSON_NULL:
        n = sx_node_new(a, SX_NODE_NULL);
        break;
    case JSON_REAL:
        /* 1e2 and 53.0 are reals to jansson: no field sigext reads
         * takes one, and sigext writes every number as an integer. */
        snprintf(why, whysz, "\"%s\": real number %g, an integer is "
                 "expected (no fraction or exponent)",
                 key != NULL ? key : "", json_real_value(j));
        return NULL;
    }
    if (n == NULL || (n->kind == SX_NODE_STR && n->text == NULL))
        snprintf(why, whysz, "out of memory");
    return n;
}

/*
 * jansson's parse error in plain words: some of its texts name its own
 * flags ("... without JSON_ALLOW_NUL") or internals.  Those a user can
 * meet are said again here; the others are plain already.
 */
static const char *json_load_error(const json_error_t *e)
{
#if JANSSON_VERSION_HEX >= 0x020b00     /* json_error_code() */
    switch (json_error_code(e)) {
    case json_error_null_character:
        return "NUL character (\\u0000) in a string";
    case json_error_null_byte_in_key:
        return "NUL character (\\u0000) in an object key";
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    case json_error_stack_overflow:
        return "nested too deeply";
    case json_error_numeric_overflow:
        return "number out of range";
    case json_error_out_of_memory:
        return "out of memory";
    default:
        break;
    }
#endif
    return e->text;
}

/* "device-ip" of one object: the address "self" stands for. */
static int read_self(sigext_ctx *ctx, const struct sx_node *pol,
                     struct sx_self *self, const char **why)
{
    const struct sx_node *ip = sx_map_get(pol, "device-ip");
    const sigext_host *h;

    memset(self, 0, sizeof(*self));
    if (ip == NULL)
        return 0;
    if (!sx_node_is_str(ip)) {
        *why = "\"device-ip\" must be a string";
        return -1;
    }
    h = sx_host_text(ctx, ip->text, strlen(ip->text));
    if (h == NULL || h->kind == SIGEXT_HOST_NAME) {
        *why = h == NULL ? "out of memory" : "bad \"device-ip\"";
        return -1;
    }
    if (h->kind == SIGEXT_HOST_IPV4)
        self->ipv4 = h;
    else
        self->ipv6 = h;
    return 0;
}

int sx_pattern_read_json(sigext_ctx *ctx, const char *path, const char *text,
                         size_t len, sigext_pattern **out)
{
    json_error_t jerr;
    json_t *root, *v;
    struct sx_arena arena = {0};
    sigext_flow *flows = NULL;
    size_t n = 0, i;
    int st = SIGEXT_OK;

    *out = NULL;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &jerr);
    if (root == NULL && strcmp(json_load_error(&jerr), "out of memory") == 0)
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    if (root == NULL)
        return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s:%d:%d: %s", path,
                            jerr.line, jerr.column, json_load_error(&jerr));
    if (!json_is_array(root)) {
        const char *what = json_is_object(root) ? "a JSON object"
                           : json_is_string(root) ? "a JSON string"
                           : json_is_null(root) ? "JSON null"
                           : json_is_boolean(root) ? "a JSON boolean"
                           : "a JSON number";
        json_decref(root);
        return sx_fail(ctx, SIGEXT_ERR_FORMAT, "%s: %s; sigext writes "
                       "flows as a JSON array of policies", path, what);
    }
    /* At least one slot: never hand memcpy a NULL, even for 0 bytes. */
    flows = calloc(json_array_size(root) + 1, sizeof(*flows));
    if (flows == NULL) {
        json_decref(root);
        return sx_fail(ctx, SIGEXT_ERR_NOMEM, "out of memory");
    }

    json_array_foreach(root, i, v) {
        const char *why = NULL;
        char buf[256];
        struct sx_self self;
        struct sx_node *pol;

        buf[0] = '\0';
        if (!json_is_object(v)) {
            st = sx_fail(ctx, SIGEXT_ERR_FORMAT,
                              "%s: policy %zu: not an object", path, i + 1);
            break;
        }
        pol = json_node(&arena, v, NULL, 0, buf, sizeof(buf));
        if (pol != NULL && read_self(ctx, pol, &self, &why) == 0 &&
            sx_policy_flow(ctx, pol, &self, &flows[n], buf,
                           sizeof(buf)) == 0) {
            n++;
            continue;
        }
        if (why == NULL)
            why = buf[0] != '\0' ? buf : "out of memory";
        st = sx_fail(ctx, strcmp(why, "out of memory") == 0 ?
                          SIGEXT_ERR_NOMEM : SIGEXT_ERR_FORMAT,
                          "%s: policy %zu: %s", path, i + 1, why);
        break;
    }
    json_decref(root);
    sx_arena_free(&arena);
    if (st == SIGEXT_OK)
        st = sx_pattern_from_flows(ctx, flows, n, sx_intern_z(ctx, path),
                                   out);
    free(flows);
    return st;
}
