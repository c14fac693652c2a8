/*
 * decode_int.h - the layer steps of the frame decoder, shared by link.c,
 * ipv4.c, ipv6.c and transport.c.  Not for use outside src/decode/: other
 * stages call sx_decode_frame() or sx_decode_ip() from decode.h.
 *
 * Each step reads through a cursor over the captured bytes of its layer
 * and fills the caller's zeroed sx_frame.
 */
#ifndef SX_DECODE_INT_H
#define SX_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"
#include "decode/decode.h"

/*
 * Decode an IPv4 or IPv6 packet starting at `c`.  A packet of the other
 * version is SX_DEC_MALFORMED; a fixed header that was not captured whole
 * is SX_DEC_TRUNCATED.  Once the addresses are read the result is
 * SX_DEC_OK and later problems are flags in `out`.
 */
int sx_decode_ipv4(struct sx_cursor c, struct sx_frame *out);
int sx_decode_ipv6(struct sx_cursor c, struct sx_frame *out);

/*
 * Decode the transport header of protocol `out->l4`.  `seg` holds the
 * captured bytes of the segment, already bounded by the IP length;
 * `wire` is the segment length the IP header announces.  `more_frags`
 * says the packet is a first fragment, so the UDP length may exceed it.
 */
void sx_decode_transport(struct sx_frame *out, struct sx_cursor seg,
                         uint32_t wire, bool more_frags);

#endif /* SX_DECODE_INT_H */
