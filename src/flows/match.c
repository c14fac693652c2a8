/*
 * match.c - when two hosts, two sets of app fields, two flows are "the
 * same" (SPEC stage 2, steps 3 to 5).
 *
 * Equivalence of names is not transitive (a.b.com ~ b.com ~ c.b.com, but
 * a.b.com and x.y.b.com are not), so flows cannot simply be hashed on it.
 * Instead every host and app record has a class key, equal for any two
 * equivalent values; hashing on class keys narrows a search to the few
 * candidates that can match, and the exact test runs only on those.
 */
#include <string.h>
#include <strings.h>

#include "flows/flows.h"

/* Number of dot-separated labels of a name. */
static int label_count(const char *s)
{
    int n = 1;

    for (; *s != '\0'; s++)
        if (*s == '.')
            n++;
    return n;
}

/*
 * A valid domain name for the equivalence rules: at least two labels,
 * each 1-63 bytes of letters, digits, '-', '_' or '*' (RFC 1035 2.3.1,
 * with the underscore of service names and the '*' of profiles).
 */
static bool valid_domain(const char *s)
{
    size_t label = 0;
    int labels = 1;

    if (*s == '\0' || *s == '.')
        return false;
    for (; *s != '\0'; s++) {
        char c = *s;
        if (c == '.') {
            if (label == 0)
                return false;
            labels++;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*';
        if (!ok || ++label > 63)
            return false;
    }
    return label > 0 && labels >= 2;
}

/* Pointer to what follows the first label ("b.com" for "a.b.com"). */
static const char *after_first_label(const char *s)
{
    const char *dot = strchr(s, '.');
    return dot != NULL ? dot + 1 : s + strlen(s);
}

/* True when `suffix` ends `name` at a label boundary. */
static bool label_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);

    return n > m && name[n - m - 1] == '.' &&
           strcasecmp(name + n - m, suffix) == 0;
}

bool sx_name_equiv(const char *a, const char *b)
{
    if (a == b || strcasecmp(a, b) == 0)
        return true;
    if (!valid_domain(a) || !valid_domain(b))
        return false;
    if (label_suffix(a, b) || label_suffix(b, a))
        return true;
    /* Differ only in the first label: use1-api.x.com ~ euw1-api.x.com.
     * The rest must still be a domain of two labels or more, or every
     * pair of names under one top-level domain would be equal.
     * TODO(flows): no public suffix list, so under a two-label public
     * suffix (foo.co.uk, bar.co.uk) two owners' names are equal too. */
    const char *ra = after_first_label(a);
    return label_count(ra) >= 2 && strcasecmp(ra, after_first_label(b)) == 0;
}

const char *sx_name_class(const char *name)
{
    /* The last two labels: shared by any two equivalent valid names. */
    const char *end = name + strlen(name);
    int dots = 0;

    if (!valid_domain(name))
        return name;
    for (const char *p = end; p > name; p--) {
        if (p[-1] == '.' && ++dots == 2)
            return p;
    }
    return name;
}

bool sx_host_equiv(const sigext_host *a, const sigext_host *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL)
        return false;
    /* Addresses are interned: different pointers are different
     * addresses.  An address never equals a name. */
    if (a->kind != SIGEXT_HOST_NAME || b->kind != SIGEXT_HOST_NAME)
        return false;
    return sx_name_equiv(a->text, b->text);
}

/* Strip one trailing '*' (a cut query string) for comparison. */
static bool uri_equal(const char *a, const char *b)
{
    size_t n, m;

    if (a == b)
        return true;
    if (a == NULL || b == NULL)
        return false;
    n = strlen(a);
    m = strlen(b);
    if (n > 0 && a[n - 1] == '*')
        n--;
    if (m > 0 && b[m - 1] == '*')
        m--;
    return n == m && memcmp(a, b, n) == 0;
}

bool sx_app_equiv(const sigext_app *a, const sigext_app *b)
{
    if (a == b)
        return true;
    if (a == NULL || b == NULL || a->proto != b->proto)
        return false;

    switch (a->proto) {
    case SIGEXT_APP_DNS:
        /* A query and its response are the same exchange. */
        return a->qtype == b->qtype && sx_name_equiv(a->name, b->name);
    case SIGEXT_APP_HTTP:
    case SIGEXT_APP_COAP:
        /* Responses reach here only when no request came before them;
         * such orphans are alike. */
        if (a->response || b->response)
            return a->response && b->response;
        return a->method == b->method && uri_equal(a->uri, b->uri);
    case SIGEXT_APP_DHCP:
        return a->client_mac == b->client_mac;
    default:
        return true;
    }
}

static const void *app_class(sigext_ctx *ctx, const sigext_app *a);

/* Classes are computed once per interned value and kept beside it. */
const void *sx_app_class(sigext_ctx *ctx, const sigext_app *a)
{
    struct sx_app_entry *e;

    if (a == NULL)
        return NULL;
    e = SX_CONTAINER(a, struct sx_app_entry, app);
    if (e->cls == NULL)
        e->cls = app_class(ctx, a);
    return e->cls;
}

static const void *app_class(sigext_ctx *ctx, const sigext_app *a)
{
    sigext_app k;

    memset(&k, 0, sizeof(k));
    k.proto = a->proto;
    switch (a->proto) {
    case SIGEXT_APP_DNS:
        k.qtype = a->qtype;
        k.name = sx_intern_z(ctx, sx_name_class(a->name));
        break;
    case SIGEXT_APP_HTTP:
    case SIGEXT_APP_COAP:
        k.response = a->response;
        if (!a->response) {
            size_t n = a->uri != NULL ? strlen(a->uri) : 0;
            k.method = a->method;
            if (n > 0 && a->uri[n - 1] == '*')
                n--;
            k.uri = a->uri != NULL ? sx_intern(ctx, a->uri, n) : NULL;
        }
        break;
    case SIGEXT_APP_DHCP:
        k.client_mac = a->client_mac;
        break;
    default:
        break;
    }
    return sx_app_intern(ctx, &k);
}

const void *sx_host_class(sigext_ctx *ctx, const sigext_host *h)
{
    struct sx_name_host *e;

    if (h->kind != SIGEXT_HOST_NAME)
        return h;
    e = SX_CONTAINER(h, struct sx_name_host, host);
    if (e->cls == NULL)
        e->cls = sx_intern_z(ctx, sx_name_class(h->text));
    return e->cls;
}
