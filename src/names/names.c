/*
 * names.c - the DNS table: address -> name and name -> alias.
 *
 * Keys and values are interned pointers, so the table never copies
 * strings.  A later entry for the same key replaces the earlier one: SPEC
 * stage 1, step 5 says the last name read wins.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "sx_int.h"

static int map_put(struct sx_map_entry **map, const void *key,
                   const char *value)
{
    struct sx_map_entry *e;

    HASH_FIND_PTR(*map, &key, e);
    if (e != NULL) {
        e->value = value;
        return 0;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL)
        return -1;
    e->key = key;
    e->value = value;
    HASH_ADD_PTR(*map, key, e);
    return 0;
}

static const char *map_get(const struct sx_map_entry *map, const void *key)
{
    struct sx_map_entry *e;

    HASH_FIND_PTR(map, &key, e);
    return e != NULL ? e->value : NULL;
}

static void map_free(struct sx_map_entry **map)
{
    struct sx_map_entry *e, *tmp;

    HASH_ITER(hh, *map, e, tmp) {
        HASH_DEL(*map, e);
        free(e);
    }
}

/*
 * Does a learned name read as an address literal ("::1", "10.0.0.1")?
 * A DNS label may hold ':' and a name may be all digits and dots, but a
 * host is made from its text (sx_host_text), so such a name would turn
 * the address it names into another one, even of the other IP version:
 * an IPv4 flow from "::1" that no policy can say.  It is not learned.
 */
static bool reads_as_address(const char *name)
{
    char buf[INET6_ADDRSTRLEN + 1];
    uint8_t addr[16];
    size_t len = strlen(name);

    if (len >= sizeof(buf))
        return false;
    memcpy(buf, name, len + 1);
    return inet_pton(AF_INET, buf, addr) == 1 ||
           inet_pton(AF_INET6, buf, addr) == 1;
}

int sx_names_add_addr(struct sx_names *n, const sigext_host *addr,
                      const char *name)
{
    if (reads_as_address(name))
        return 0;
    return map_put(&n->addr, addr, name);
}

int sx_names_add_alias(struct sx_names *n, const char *target,
                       const char *owner)
{
    /* A name that is its own alias would only hide itself. */
    if (target == owner || reads_as_address(owner))
        return 0;
    return map_put(&n->alias, target, owner);
}

const char *sx_names_lookup_addr(const struct sx_names *n,
                                 const sigext_host *addr)
{
    return map_get(n->addr, addr);
}

const char *sx_names_lookup_alias(const struct sx_names *n, const char *name)
{
    return map_get(n->alias, name);
}

bool sx_names_has_addr(const struct sx_names *n, const sigext_host *addr)
{
    return map_get(n->addr, addr) != NULL;
}

void sx_names_free(struct sx_names *n)
{
    map_free(&n->addr);
    map_free(&n->alias);
}

static int cmp_host_text(const void *a, const void *b)
{
    const sigext_host *x = *(const sigext_host *const *)a;
    const sigext_host *y = *(const sigext_host *const *)b;
    return strcmp(x->text, y->text);
}

size_t sigext_names_addresses(sigext_ctx *ctx, const char *name,
                              const sigext_host **hosts, size_t cap)
{
    size_t n = 0;

    /* Walk the table: the alias step makes a reverse index awkward, and
     * this runs once per policy, not per packet. */
    for (const struct sx_map_entry *e = ctx->names.addr; e != NULL;
         e = e->hh.next) {
        const char *v = e->value;
        const char *alias = sx_names_lookup_alias(&ctx->names, v);
        if (alias != NULL)
            v = alias;
        if (strcmp(v, name) != 0)
            continue;
        if (n < cap)
            hosts[n] = e->key;
        n++;
    }
    qsort(hosts, n < cap ? n : cap, sizeof(*hosts), cmp_host_text);
    return n;
}
