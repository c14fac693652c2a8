/*
 * cursor.h - the only way sigext reads packet bytes.
 *
 * A cursor is a window [pos, end) over borrowed bytes.  Every read names
 * its width and byte order and fails (returns false, cursor unchanged) when
 * fewer bytes remain than it needs, so a parser never reads past the
 * captured data.  Multi-byte values are assembled byte by byte: packet
 * buffers are not aligned and must never be cast to wider types.
 */
#ifndef SX_CURSOR_H
#define SX_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sx_cursor {
    const uint8_t *pos;
    const uint8_t *end;
};

/* An empty view may come as (NULL, 0): NULL + 0 is undefined in C11
 * (6.5.6p8 speaks of pointers into an array), so it is not computed. */
static inline struct sx_cursor sx_cur_make(const uint8_t *p, size_t len)
{
    struct sx_cursor c = {p, len > 0 ? p + len : p};
    return c;
}

static inline size_t sx_cur_left(const struct sx_cursor *c)
{
    return (size_t)(c->end - c->pos);
}

static inline bool sx_cur_has(const struct sx_cursor *c, size_t n)
{
    return sx_cur_left(c) >= n;
}

static inline bool sx_cur_skip(struct sx_cursor *c, size_t n)
{
    if (!sx_cur_has(c, n))
        return false;
    if (n > 0)                  /* the cursor may be (NULL, NULL) */
        c->pos += n;
    return true;
}

static inline bool sx_cur_u8(struct sx_cursor *c, uint8_t *v)
{
    if (!sx_cur_has(c, 1))
        return false;
    *v = c->pos[0];
    c->pos += 1;
    return true;
}

static inline bool sx_cur_u16be(struct sx_cursor *c, uint16_t *v)
{
    if (!sx_cur_has(c, 2))
        return false;
    *v = (uint16_t)((c->pos[0] << 8) | c->pos[1]);
    c->pos += 2;
    return true;
}

static inline bool sx_cur_u16le(struct sx_cursor *c, uint16_t *v)
{
    if (!sx_cur_has(c, 2))
        return false;
    *v = (uint16_t)((c->pos[1] << 8) | c->pos[0]);
    c->pos += 2;
    return true;
}

static inline bool sx_cur_u24be(struct sx_cursor *c, uint32_t *v)
{
    if (!sx_cur_has(c, 3))
        return false;
    *v = ((uint32_t)c->pos[0] << 16) | ((uint32_t)c->pos[1] << 8) |
         (uint32_t)c->pos[2];
    c->pos += 3;
    return true;
}

static inline bool sx_cur_u32be(struct sx_cursor *c, uint32_t *v)
{
    if (!sx_cur_has(c, 4))
        return false;
    *v = ((uint32_t)c->pos[0] << 24) | ((uint32_t)c->pos[1] << 16) |
         ((uint32_t)c->pos[2] << 8) | (uint32_t)c->pos[3];
    c->pos += 4;
    return true;
}

static inline bool sx_cur_u32le(struct sx_cursor *c, uint32_t *v)
{
    if (!sx_cur_has(c, 4))
        return false;
    *v = ((uint32_t)c->pos[3] << 24) | ((uint32_t)c->pos[2] << 16) |
         ((uint32_t)c->pos[1] << 8) | (uint32_t)c->pos[0];
    c->pos += 4;
    return true;
}

/* Copy n bytes out; dst may be NULL to only check and skip. */
static inline bool sx_cur_bytes(struct sx_cursor *c, void *dst, size_t n)
{
    if (!sx_cur_has(c, n))
        return false;
    if (dst != NULL) {
        const uint8_t *s = c->pos;
        uint8_t *d = dst;
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
    if (n > 0)
        c->pos += n;
    return true;
}

/* Borrow n bytes as a sub-cursor and advance past them. */
static inline bool sx_cur_sub(struct sx_cursor *c, size_t n,
                              struct sx_cursor *sub)
{
    if (!sx_cur_has(c, n))
        return false;
    sub->pos = c->pos;
    sub->end = c->pos;
    if (n > 0) {
        sub->end += n;
        c->pos += n;
    }
    return true;
}

/* Peek at byte i without moving; false when it is not captured. */
static inline bool sx_cur_peek(const struct sx_cursor *c, size_t i,
                               uint8_t *v)
{
    if (!sx_cur_has(c, i + 1))
        return false;
    *v = c->pos[i];
    return true;
}

#endif /* SX_CURSOR_H */
