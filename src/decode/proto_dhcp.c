/*
 * proto_dhcp.c - BOOTP/DHCP message: client hardware address and the
 * DHCP message type option.
 *
 * RFC 951 section 3 and RFC 2131 section 2 (message format), RFC 2132
 * sections 2 (magic cookie, pad and end) and 9.6 (option 53).
 */
#include <string.h>

#include "cursor.h"
#include "decode/decode.h"

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define HTYPE_ETHER 1
#define CHADDR_OFFSET 28
#define CHADDR_LEN 16
#define COOKIE_OFFSET 236
#define DHCP_COOKIE 0x63825363      /* 99.130.83.99 */

#define OPT_PAD 0
#define OPT_MSG_TYPE 53
#define OPT_END 255

/*
 *  | op | htype | hlen | hops | xid (4) | secs (2) | flags (2) |
 *  | ciaddr | yiaddr | siaddr | giaddr |  chaddr (16, offset 28) |
 *  | sname (64) | file (128) | magic cookie (offset 236) | options ...
 */
int sx_dhcp_parse(const uint8_t *data, size_t len, struct sx_dhcp_msg *msg)
{
    struct sx_cursor c = sx_cur_make(data, len);
    struct sx_cursor chaddr;
    uint8_t op, htype, hlen, code, olen;
    uint32_t cookie;

    /* Validate the fixed BOOTP header, up to and including the cookie. */
    memset(msg, 0, sizeof(*msg));
    if (!sx_cur_u8(&c, &op) || !sx_cur_u8(&c, &htype) ||
        !sx_cur_u8(&c, &hlen) || !sx_cur_skip(&c, CHADDR_OFFSET - 3) ||
        !sx_cur_sub(&c, CHADDR_LEN, &chaddr) ||
        !sx_cur_skip(&c, COOKIE_OFFSET - CHADDR_OFFSET - CHADDR_LEN) ||
        !sx_cur_u32be(&c, &cookie))
        return -1;
    if ((op != BOOTREQUEST && op != BOOTREPLY) || hlen > CHADDR_LEN)
        return -1;

    /* Only an Ethernet address fits the 6-byte field; others stay 0. */
    if (htype == HTYPE_ETHER && hlen == 6)
        sx_cur_bytes(&chaddr, msg->chaddr, 6);

    /* Plain BOOTP has no cookie and no options: message type 0. */
    if (cookie != DHCP_COOKIE)
        return 0;

    /*
     * Options: code (1), length (1), value; pad and end have no length.
     * Every step consumes a byte, so the walk ends with the data.
     * TODO(dhcp): option overload (52) into sname/file is not followed.
     */
    msg->malformed = true;
    while (sx_cur_u8(&c, &code)) {
        struct sx_cursor value;

        if (code == OPT_END) {
            msg->malformed = false;
            break;
        }
        if (code == OPT_PAD)
            continue;
        if (!sx_cur_u8(&c, &olen) || !sx_cur_sub(&c, olen, &value))
            break;
        if (code == OPT_MSG_TYPE && msg->msg_type == 0)
            sx_cur_u8(&value, &msg->msg_type);
    }
    return 0;
}
