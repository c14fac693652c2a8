/*
 * proto_dhcp.c - BOOTP/DHCP message: client hardware address and the
 * DHCP message type option.
 *
 * RFC 951 section 3 and RFC 2131 section 2 (message format), RFC 2132
 * sections 2 (magic cookie, pad and end), 9.3 (option 52, overload) and
 * 9.6 (option 53).
 */
#include <stdbool.h>
#include <string.h>

#include "cursor.h"
#include "decode/decode.h"

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define HTYPE_ETHER 1
#define CHADDR_OFFSET 28
#define CHADDR_LEN 16
#define DHCP_COOKIE 0x63825363      /* 99.130.83.99 */

#define OPT_PAD 0
#define OPT_MSG_TYPE 53
#define OPT_END 255

#define OPT_OVERLOAD 52
#define OVERLOAD_FILE 1             /* RFC 2132 9.3 */
#define OVERLOAD_SNAME 2
#define SNAME_LEN 64
#define FILE_LEN 128

/*
 * Walk one options area: code (1), length (1), value; pad and end have no
 * length.  Every step consumes a byte, so the walk ends with the data.
 * Returns true when the area ends with an end option.
 */
static bool walk_options(struct sx_cursor c, struct sx_dhcp_msg *msg,
                         uint8_t *overload)
{
    uint8_t code, olen;

    while (sx_cur_u8(&c, &code)) {
        struct sx_cursor value;

        if (code == OPT_END)
            return true;
        if (code == OPT_PAD)
            continue;
        if (!sx_cur_u8(&c, &olen) || !sx_cur_sub(&c, olen, &value))
            return false;
        if (code == OPT_MSG_TYPE && msg->msg_type == 0)
            sx_cur_u8(&value, &msg->msg_type);
        if (code == OPT_OVERLOAD && overload != NULL && *overload == 0)
            sx_cur_u8(&value, overload);
    }
    return false;
}

/*
 *  | op | htype | hlen | hops | xid (4) | secs (2) | flags (2) |
 *  | ciaddr | yiaddr | siaddr | giaddr |  chaddr (16, offset 28) |
 *  | sname (64) | file (128) | magic cookie (offset 236) | options ...
 */
int sx_dhcp_parse(const uint8_t *data, size_t len, struct sx_dhcp_msg *msg)
{
    struct sx_cursor c = sx_cur_make(data, len);
    struct sx_cursor chaddr, sname, file;
    uint8_t op, htype, hlen, overload = 0;
    uint32_t cookie;

    /* Validate the fixed BOOTP header, up to and including the cookie. */
    memset(msg, 0, sizeof(*msg));
    if (!sx_cur_u8(&c, &op) || !sx_cur_u8(&c, &htype) ||
        !sx_cur_u8(&c, &hlen) || !sx_cur_skip(&c, CHADDR_OFFSET - 3) ||
        !sx_cur_sub(&c, CHADDR_LEN, &chaddr) ||
        !sx_cur_sub(&c, SNAME_LEN, &sname) ||
        !sx_cur_sub(&c, FILE_LEN, &file) || !sx_cur_u32be(&c, &cookie))
        return -1;
    if ((op != BOOTREQUEST && op != BOOTREPLY) || hlen > CHADDR_LEN)
        return -1;

    /* Only an Ethernet address fits the 6-byte field; others stay 0. */
    if (htype == HTYPE_ETHER && hlen == 6)
        sx_cur_bytes(&chaddr, msg->chaddr, 6);

    /* Plain BOOTP has no cookie and no options: message type 0. */
    if (cookie != DHCP_COOKIE)
        return 0;

    /* The options field must end with an end option.  With option 52,
     * the file and then the sname fields hold more options, in that
     * order (RFC 2131 section 4.1). */
    msg->malformed = !walk_options(c, msg, &overload);
    if (overload & OVERLOAD_FILE)
        walk_options(file, msg, NULL);
    if (overload & OVERLOAD_SNAME)
        walk_options(sname, msg, NULL);
    return 0;
}
