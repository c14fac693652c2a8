/*
 * fuzz_decode.h - promises of sx_decode_frame() and sx_decode_ip() that
 * the link and IP harnesses check on every decoded frame (decode.h).
 */
#ifndef SX_FUZZ_DECODE_H
#define SX_FUZZ_DECODE_H

#include "fuzz_common.h"

#include "decode/decode.h"

/*
 * A decoded frame's payload is a view into [data, data + len), holds no
 * more than the headers announce, and every byte of it is readable (the
 * loop makes ASan look at each one).
 */
static inline void fz_frame_check(int st, const struct sx_frame *f,
                                  const uint8_t *data, size_t len)
{
    volatile uint8_t sink = 0;

    fz_check(st >= SX_DEC_OK && st <= SX_DEC_MALFORMED);
    if (st != SX_DEC_OK)
        return;
    fz_check(f->ipver == 4 || f->ipver == 6);
    if (f->payload.p == NULL) {
        fz_check(f->payload.len == 0);
        return;
    }
    fz_check(f->payload.p >= data && f->payload.p <= data + len);
    fz_check(f->payload.len <= (size_t)(data + len - f->payload.p));
    fz_check(f->payload.len <= f->payload_wire);
    for (size_t i = 0; i < f->payload.len; i++)
        sink ^= f->payload.p[i];
    (void)sink;
}

#endif /* SX_FUZZ_DECODE_H */
