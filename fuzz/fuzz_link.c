/*
 * fuzz_link.c - libFuzzer harness for sx_decode_frame(): every link type
 * sigext decodes, down to the transport payload.
 *
 * Input: one selector byte choosing the link type (index into
 * link_types[], modulo its size; fuzz/frames.py writes seeds the same
 * way), then the captured frame.  The wire length is taken from the next
 * selector bits so a frame can claim to be longer than what was captured.
 */
#include "fuzz_decode.h"

/* LINKTYPE_ values of decode.h, then DLT_RAW aliases, then one that is
 * not decoded (IEEE 802.11) to keep SX_DEC_BAD_LINK reachable. */
static const int link_types[] = {
    SX_LINK_NULL, SX_LINK_ETHERNET, SX_LINK_RAW,  SX_LINK_LOOP,
    SX_LINK_SLL,  SX_LINK_IPV4,     SX_LINK_IPV6, SX_LINK_SLL2,
    SX_DLT_RAW_ALT1, SX_DLT_RAW_ALT2, 105,
};
#define N_LINK_TYPES (sizeof(link_types) / sizeof(link_types[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sx_frame f;
    uint32_t caplen, wirelen;
    uint8_t *frame;
    int st;

    if (size < 1)
        return 0;
    caplen = (uint32_t)(size - 1);
    wirelen = caplen + (data[0] >> 4) * 100u;

    /* A heap copy of exactly caplen bytes: ASan sees any overread. */
    frame = malloc(caplen ? caplen : 1);
    if (frame == NULL)
        return 0;
    memcpy(frame, data + 1, caplen);
    st = sx_decode_frame(link_types[data[0] % N_LINK_TYPES], frame, caplen,
                         wirelen, &f);
    fz_frame_check(st, &f, frame, caplen);
    free(frame);
    return 0;
}
