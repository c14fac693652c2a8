/*
 * fuzz_dns.c - libFuzzer harness for sx_dns_parse() with a resource
 * record callback (RFC 1035 names, compression, A/AAAA/CNAME/PTR/SRV).
 *
 * Input: a DNS message in its UDP form.
 */
#include "fuzz_common.h"

#include "decode/decode.h"

/* A name is NUL-ended within SX_DNS_NAME_MAX bytes and never holds
 * an empty label: the parser writes dotted, trailing-dot-free names. */
static void check_name(const char *name)
{
    size_t n = strnlen(name, SX_DNS_NAME_MAX + 1);

    fz_check(n <= SX_DNS_NAME_MAX);
    if (n == 0)
        return;
    fz_check(name[0] != '.' && name[n - 1] != '.');
    fz_check(strstr(name, "..") == NULL);
}

static void on_rr(void *user, const struct sx_dns_rr *rr)
{
    size_t *count = user;

    (*count)++;
    fz_check(rr->owner != NULL);
    check_name(rr->owner);
    switch (rr->type) {
    case 1:
    case 28:
        fz_check(rr->target == NULL);
        break;
    case 5:
    case 12:
    case 33:
        fz_check(rr->target != NULL);
        check_name(rr->target);
        break;
    default:
        fz_trap("a record type the callback does not take");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sx_dns_msg msg;
    size_t count = 0;
    char buf[16];
    int rc;

    rc = sx_dns_parse(data, size, &msg, on_rr, &count);
    fz_check(rc == 0 || rc == -1);
    /* Every record takes 11 bytes or more (proto_dns.c). */
    fz_check(count <= size / 11);
    if (rc == 0 && msg.has_name) {
        check_name(msg.name);
        fz_check(strlen(sx_dns_type_name(msg.qtype, buf)) < sizeof(buf));
    }

    /* Without a callback the answer is the same. */
    {
        struct sx_dns_msg again;

        fz_check(sx_dns_parse(data, size, &again, NULL, NULL) == rc);
        /* (Bytes past the name's NUL are not part of the answer.) */
        if (rc == 0) {
            fz_check(again.response == msg.response);
            fz_check(again.has_name == msg.has_name);
            fz_check(again.qtype == msg.qtype);
            fz_check(strcmp(again.name, msg.name) == 0);
        }
    }
    return 0;
}
