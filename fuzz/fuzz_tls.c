/*
 * fuzz_tls.c - libFuzzer harness for sx_tls_classify() (RFC 8446 record
 * layer and ClientHello, RFC 6066 server_name) and its reassembly
 * contract.
 *
 * Input: the first two bytes choose where the TCP stream is split into
 * two segments; the rest is the stream.  The harness checks what
 * packets.c relies on:
 *   - SX_TLS_HELLO_PARTIAL gives a `need` beyond the bytes given and at
 *     most SX_TLS_NEED_MAX, so a reassembly buffer is bounded;
 *   - the first `need` bytes of the stream, gathered in a buffer of
 *     exactly `need` bytes as packets.c does, are never PARTIAL again
 *     and classify as the whole stream does;
 *   - a server name is 1 to SX_TLS_SNI_MAX bytes of a host name in lower
 *     case; a PARTIAL hello may give one too (its whole server_name was
 *     at hand), and then the reassembled hello gives the same.
 */
#include "fuzz_common.h"

#include "decode/decode.h"

static int classify(const uint8_t *data, size_t len, char *sni,
                    size_t *need)
{
    int kind = sx_tls_classify(data, len, sni, need);
    size_t n;

    fz_check(kind >= SX_TLS_NONE && kind <= SX_TLS_OTHER);
    if (kind == SX_TLS_HELLO_PARTIAL) {
        fz_check(*need > len && *need <= SX_TLS_NEED_MAX);
    } else {
        fz_check(*need == 0);
    }
    n = strnlen(sni, SX_TLS_SNI_MAX + 1);
    if (kind == SX_TLS_HELLO_SNI || (kind == SX_TLS_HELLO_PARTIAL && n > 0)) {
        fz_check(n >= 1 && n <= SX_TLS_SNI_MAX);
        for (size_t i = 0; i < n; i++)
            fz_check((sni[i] >= 'a' && sni[i] <= 'z') ||
                     (sni[i] >= '0' && sni[i] <= '9') || sni[i] == '.' ||
                     sni[i] == '-' || sni[i] == '_');
    } else {
        fz_check(n == 0);
    }
    return kind;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char sni_all[SX_TLS_SNI_MAX + 1], sni[SX_TLS_SNI_MAX + 1];
    size_t need_all, need, split, len;
    uint8_t *seg, *hello;
    int kind_all, kind;

    if (size < 2)
        return 0;
    split = ((size_t)data[0] << 8 | data[1]);
    data += 2;
    size -= 2;
    split = size ? split % (size + 1) : 0;

    /* The whole stream as one segment, copied so ASan bounds it. */
    seg = malloc(size ? size : 1);
    if (seg == NULL)
        return 0;
    memcpy(seg, data, size);
    kind_all = classify(seg, size, sni_all, &need_all);
    free(seg);

    /* The first segment alone. */
    len = split;
    seg = malloc(len ? len : 1);
    if (seg == NULL)
        return 0;
    memcpy(seg, data, len);
    kind = classify(seg, len, sni, &need);
    free(seg);
    if (kind != SX_TLS_HELLO_PARTIAL) {
        /* Once the record header is in, what the first segment decides
         * does not change when more of the stream follows. */
        if (len >= 5) {
            fz_check(kind == kind_all);
            fz_check(strcmp(sni, sni_all) == 0);
        }
        return 0;
    }

    /* Reassembly: the second segment completes the record, or not. */
    if (need > size)
        return 0;
    char sni_part[SX_TLS_SNI_MAX + 1];
    memcpy(sni_part, sni, sizeof(sni_part));
    hello = malloc(need);
    if (hello == NULL)
        return 0;
    memcpy(hello, data, need);
    kind = classify(hello, need, sni, &need);
    free(hello);
    fz_check(kind != SX_TLS_HELLO_PARTIAL);
    fz_check(kind == kind_all);
    fz_check(strcmp(sni, sni_all) == 0);
    /* A name read from the part is the name of the whole. */
    fz_check(sni_part[0] == '\0' || strcmp(sni_part, sni) == 0);
    return 0;
}
