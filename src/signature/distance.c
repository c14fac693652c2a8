/*
 * distance.c - distance between two flow fingerprints (SPEC "Distance").
 *
 * A number in [0, 1], a third for each layer:
 *
 *   network     1/3 protocol (0 or 1) + 2/3 x mean of the two host
 *               distances, hosts paired in the direction that gives the
 *               smaller source distance (same direction on a tie);
 *   transport   1/3 protocol + 2/3 x (1 - shared fixed ports / the larger
 *               number of fixed ports);
 *   application 1 if either side has none or they differ in protocol;
 *               DNS 1/3 type + 2/3 name; HTTP and CoAP 1/2 method + 1/2
 *               path (0 between two responses); DHCP 1/2 MAC + 1/2 type.
 *
 * Host distance: equal 0; two addresses 1; two names their Levenshtein
 * distance over the sum of their lengths; an address and a name 1.  The
 * weights and the per-protocol formulas are those of the reference
 * (signature-extraction, FlowFingerprint.compute_distance and the
 * application layers' compute_distance), computed here in doubles.
 *
 * Two points where the reference is undefined or asymmetric:
 *   - neither flow has a fixed port: the reference divides 0 by 0; here
 *     the port term is 0 (both agree that nothing is fixed);
 *   - shared ports: the reference counts the ports of the first flow
 *     found among the second's, which is not symmetric and can pass the
 *     larger count; here ports are matched one to one by number (host
 *     ignored, as in the reference), so d(a, b) == d(b, a).
 */
#include <string.h>

#include "sx_int.h"

/*
 * Levenshtein strings are cut at 255 bytes, the longest DNS name (RFC
 * 1035 2.3.4): names never lose anything, and a hostile URI cannot make
 * a comparison quadratic in its length.  One row of 256 costs: O(min)
 * memory, on the stack.
 */
#define LEV_MAX 255

/* TODO(distance): bytes of URIs beyond LEV_MAX are not compared. */
static size_t lev_len(const char *s)
{
    size_t n = strlen(s);

    return n > LEV_MAX ? LEV_MAX : n;
}

/* Edit distance (insert, delete, substitute: 1 each) of a[0..la) and
 * b[0..lb), keeping one row over the shorter string. */
static size_t levenshtein(const char *a, size_t la, const char *b, size_t lb)
{
    size_t row[LEV_MAX + 1];

    if (la < lb) {
        const char *t = a;
        size_t tl = la;
        a = b;
        la = lb;
        b = t;
        lb = tl;
    }
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];   /* row[i-1][j-1] */
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j]; /* row[i-1][j] */
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Levenshtein distance over the sum of the lengths (0 for two empty). */
static double lev_ratio(const char *a, const char *b)
{
    size_t la, lb;

    if (a == b || strcmp(a, b) == 0)
        return 0.0;
    la = lev_len(a);
    lb = lev_len(b);
    if (la + lb == 0)
        return 0.0;
    return (double)levenshtein(a, la, b, lb) / (double)(la + lb);
}

/* 0 when equal, 1 otherwise; NULL equals NULL (a field both lack). */
static double discrete(const char *a, const char *b)
{
    if (a == b)
        return 0.0;
    if (a == NULL || b == NULL)
        return 1.0;
    return strcmp(a, b) == 0 ? 0.0 : 1.0;
}

static double host_distance(const sigext_host *a, const sigext_host *b)
{
    if (a == b || strcmp(a->text, b->text) == 0)
        return 0.0;
    if (a->kind != SIGEXT_HOST_NAME || b->kind != SIGEXT_HOST_NAME)
        return 1.0;         /* two different addresses, or address/name */
    return lev_ratio(a->text, b->text);
}

static double network_distance(const sigext_flow *a, const sigext_flow *b)
{
    double same_src = host_distance(a->src, b->src);
    double cross_src = host_distance(a->src, b->dst);
    double hosts;

    if (same_src <= cross_src)
        hosts = same_src + host_distance(a->dst, b->dst);
    else
        hosts = cross_src + host_distance(a->dst, b->src);
    return (a->ipver != b->ipver) / 3.0 + 2.0 / 3.0 * (hosts / 2.0);
}

/* The fixed ports of a flow, both hosts together. */
static size_t all_ports(const sigext_flow *f,
                        uint16_t out[2 * SIGEXT_MAX_PORTS])
{
    size_t n = 0;

    for (int i = 0; i < f->n_src_ports && i < SIGEXT_MAX_PORTS; i++)
        out[n++] = f->src_ports[i];
    for (int i = 0; i < f->n_dst_ports && i < SIGEXT_MAX_PORTS; i++)
        out[n++] = f->dst_ports[i];
    return n;
}

static double transport_distance(const sigext_flow *a, const sigext_flow *b)
{
    uint16_t pa[2 * SIGEXT_MAX_PORTS], pb[2 * SIGEXT_MAX_PORTS];
    bool used[2 * SIGEXT_MAX_PORTS] = { false };
    size_t na = all_ports(a, pa), nb = all_ports(b, pb);
    size_t shared = 0, most = na > nb ? na : nb;
    double ports = 0.0;

    for (size_t i = 0; i < na; i++) {
        for (size_t j = 0; j < nb; j++) {
            if (!used[j] && pa[i] == pb[j]) {
                used[j] = true;
                shared++;
                break;
            }
        }
    }
    if (most > 0)
        ports = 1.0 - (double)shared / (double)most;
    return (a->transport != b->transport) / 3.0 + 2.0 / 3.0 * ports;
}

/* Ratio of two optional strings: 1 when either is missing. */
static double opt_ratio(const char *a, const char *b)
{
    return a == NULL || b == NULL ? 1.0 : lev_ratio(a, b);
}

static double app_distance(const sigext_app *a, const sigext_app *b)
{
    bool none_a = a == NULL || a->proto == SIGEXT_APP_NONE;
    bool none_b = b == NULL || b->proto == SIGEXT_APP_NONE;

    /* SPEC: 1 when one side has app fields and the other has none.  Two
     * flows without any are alike at this layer, so that a flow stays at
     * distance 0 from itself. */
    if (none_a && none_b)
        return 0.0;
    if (a == NULL || b == NULL || a->proto == SIGEXT_APP_NONE ||
        b->proto == SIGEXT_APP_NONE || a->proto != b->proto)
        return 1.0;

    switch (a->proto) {
    case SIGEXT_APP_DNS:
        return (a->qtype == NULL || b->qtype == NULL ? 1.0
                : discrete(a->qtype, b->qtype)) / 3.0 +
               2.0 / 3.0 * opt_ratio(a->name, b->name);
    case SIGEXT_APP_HTTP:
    case SIGEXT_APP_COAP:
        if (a->response && b->response)
            return 0.0;
        return (a->method == NULL || b->method == NULL ? 1.0
                : discrete(a->method, b->method)) / 2.0 +
               opt_ratio(a->uri, b->uri) / 2.0;
    case SIGEXT_APP_DHCP:
        return discrete(a->client_mac, b->client_mac) / 2.0 +
               discrete(a->type, b->type) / 2.0;
    default:
        return 1.0;
    }
}

double sigext_flow_distance(const sigext_flow *a, const sigext_flow *b)
{
    return (network_distance(a, b) + transport_distance(a, b) +
            app_distance(a->app, b->app)) / 3.0;
}

long sigext_closest_flow(const sigext_flow *flow, const sigext_pattern *in,
                         double *dist)
{
    long best = -1;
    double best_d = 1.0;

    for (size_t i = 0; in != NULL && i < in->n_flows; i++) {
        double d = sigext_flow_distance(flow, &in->flows[i]);
        if (best < 0 || d < best_d) {
            best = (long)i;
            best_d = d;
        }
    }
    if (dist != NULL)
        *dist = best_d;
    return best;
}
