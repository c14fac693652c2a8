/*
 * decode.h - frame and application-layer decoders (internal).
 *
 * Every decoder borrows the bytes it is given and keeps no pointer to them
 * after it returns, except through the views it fills in, which point into
 * the caller's buffer and live as long as it does.  Decoders never print,
 * never allocate and never read outside [data, data + len).
 */
#ifndef SX_DECODE_H
#define SX_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link-layer types we decode (values of LINKTYPE_*, tcpdump.org). */
enum {
    SX_LINK_NULL = 0,       /* BSD loopback, host-order AF_ value */
    SX_LINK_ETHERNET = 1,
    SX_LINK_RAW = 101,      /* raw IPv4 or IPv6, version nibble decides */
    SX_LINK_LOOP = 108,     /* OpenBSD loopback, network-order AF_ */
    SX_LINK_SLL = 113,
    SX_LINK_NFLOG = 239,    /* Linux netfilter log, IP in an attribute */
    SX_LINK_IPV4 = 228,
    SX_LINK_IPV6 = 229,
    SX_LINK_SLL2 = 276,
};

/* DLT_RAW as some pcap writers store it (DLT_ value, not LINKTYPE_). */
#define SX_DLT_RAW_ALT1 12
#define SX_DLT_RAW_ALT2 14

enum sx_dec_status {
    SX_DEC_OK = 0,          /* IP packet decoded (maybe without ports) */
    SX_DEC_NOT_IP = 1,      /* ARP, LLDP...: no IP header at all */
    SX_DEC_BAD_LINK = 2,    /* link type we do not decode */
    SX_DEC_TRUNCATED = 3,   /* cut by the snapshot length before the IP header */
    SX_DEC_MALFORMED = 4,   /* inconsistent headers before the IP header */
};
/*
 * "Before the IP header" includes the fixed IP header itself (20 or 40
 * bytes): a packet is SX_DEC_OK once its addresses are read, and problems
 * further in (options, extension headers, transport) are the `truncated`
 * and `malformed` flags.  A wrong IP version nibble is SX_DEC_MALFORMED.
 */

/* A borrowed byte range. */
struct sx_view {
    const uint8_t *p;
    size_t len;
};

/*
 * One frame decoded down to its transport payload.  Addresses are stored in
 * 16 bytes; IPv4 uses the first 4.  `payload` holds the captured part of the
 * transport payload, never more than the IP length says (so Ethernet
 * padding is excluded); `payload_wire` is the length the headers announce.
 */
struct sx_frame {
    uint8_t ipver;          /* 4 or 6 */
    uint8_t l4;             /* transport protocol number after ext headers */
    uint8_t tcp_flags;      /* TCP flags byte (FIN 0x01 SYN 0x02 RST 0x04) */
    bool has_ports;         /* TCP or UDP ports were captured (they sit at
                               fixed offsets, so a cut or malformed header
                               may still have them: see the flags) */
    bool fragment;          /* a non-first fragment: no transport header */
    bool truncated;         /* caplen ended inside a header or payload */
    bool malformed;         /* header fields disagree with each other */
    uint8_t src[16];
    uint8_t dst[16];
    uint16_t sport;
    uint16_t dport;
    uint32_t tcp_seq;       /* TCP sequence number of the first payload
                               byte (RFC 9293 3.1); 0 for UDP */
    struct sx_view payload;
    uint32_t payload_wire;
    uint32_t ip_len;        /* IP header + payload length from the header */
};

/*
 * Decode one captured frame of link type `linktype`.  `caplen` bytes are
 * readable at `data`; `wirelen` is the original length.  Fills `out` and
 * returns an sx_dec_status.  On SX_DEC_OK, `out->has_ports` tells whether
 * a TCP or UDP header was found (ICMP, IGMP, later fragments: false).
 */
int sx_decode_frame(int linktype, const uint8_t *data, uint32_t caplen,
                    uint32_t wirelen, struct sx_frame *out);

/* Decode from the IP header on (version nibble chooses 4 or 6). */
int sx_decode_ip(const uint8_t *data, size_t len, struct sx_frame *out);

/* ---- DNS (RFC 1035, RFC 3596, RFC 2782, RFC 6762) ---- */

#define SX_DNS_NAME_MAX 255 /* RFC 1035 2.3.4: 255 octets in wire form */

struct sx_dns_msg {
    bool response;                  /* QR bit */
    bool has_name;                  /* a question or an answer was read */
    uint16_t qtype;                 /* of the first question or answer */
    char name[SX_DNS_NAME_MAX + 1]; /* dotted, no trailing dot, NUL-ended */
};

/* One resource record of the answer or additional section. */
struct sx_dns_rr {
    uint16_t type;
    const char *owner;      /* dotted owner name, NUL-ended */
    /* A: 4 bytes, AAAA: 16 bytes in addr; CNAME/PTR/SRV: target name. */
    uint8_t addr[16];
    const char *target;
};

typedef void (*sx_dns_rr_fn)(void *user, const struct sx_dns_rr *rr);

/*
 * Parse a DNS message (UDP form: no TCP length prefix).  Returns 0 and
 * fills `msg` when the header and the first question (or answer) parse;
 * -1 otherwise.  A message that announces neither a question nor an
 * answer returns 0 with `has_name` false.  When `fn` is not NULL it is
 * called for every A, AAAA, CNAME, SRV and PTR record of the answer and
 * additional sections, in wire order; strings passed to it live only
 * during the call.  In names, a label byte that is not printable ASCII,
 * or is a space or a '.', is written as '?'.
 */
int sx_dns_parse(const uint8_t *data, size_t len, struct sx_dns_msg *msg,
                 sx_dns_rr_fn fn, void *user);

/* Name of a DNS type ("A", "AAAA"...; "TYPE%u" when unknown, RFC 3597
 * section 5).  Returns `buf` or a static string. */
const char *sx_dns_type_name(uint16_t type, char buf[16]);

/* ---- HTTP/1.x (RFC 9112 section 3 and 4) ---- */

/* Bytes of a request path kept; a longer one is cut and ends in '*'. */
#define SX_HTTP_URI_MAX 1022

struct sx_http_msg {
    bool response;          /* status line rather than request line */
    struct sx_view method;  /* request: e.g. "GET"; response: empty */
    struct sx_view path;    /* request target without "?query" */
    bool query_cut;         /* a query string was removed */
};

/* 0 when `data` starts with a request or status line; -1 otherwise. */
int sx_http_parse(const uint8_t *data, size_t len, struct sx_http_msg *msg);

/* ---- CoAP (RFC 7252 section 3) ---- */

#define SX_COAP_PATH_MAX 255

struct sx_coap_msg {
    bool response;          /* type ACK/RST (an empty ACK too) or a
                               response code class 2-5 */
    uint8_t type;           /* 0 CON, 1 NON, 2 ACK, 3 RST */
    uint8_t code;           /* class << 5 | detail */
    char path[SX_COAP_PATH_MAX + 1]; /* "/a/b" from Uri-Path options */
};

int sx_coap_parse(const uint8_t *data, size_t len, struct sx_coap_msg *msg);

/* ---- TLS (RFC 8446 section 4.1.2, RFC 6066 section 3) ---- */

enum sx_tls_kind {
    SX_TLS_NONE = 0,        /* not a TLS record */
    SX_TLS_HELLO_SNI,       /* ClientHello with a server_name */
    SX_TLS_HELLO_NO_SNI,    /* ClientHello without one */
    SX_TLS_HELLO_PARTIAL,   /* ClientHello continues in later segments */
    SX_TLS_APP_DATA,        /* application_data record (23) */
    SX_TLS_OTHER,           /* handshake, alert, change_cipher_spec */
};

#define SX_TLS_SNI_MAX 255

/* The largest `need`: a record header and a 2^14-byte ClientHello record. */
#define SX_TLS_NEED_MAX (5 + 16384)

/*
 * Classify a TCP payload that starts at a TLS record.  For a ClientHello
 * with a server name, copy the first host_name into `sni` (NUL-ended;
 * `sni` holds SX_TLS_SNI_MAX + 1 bytes or is NULL).  `need` (may be NULL)
 * receives, for SX_TLS_HELLO_PARTIAL, the number of bytes the first record
 * needs (5 + its length, at most SX_TLS_NEED_MAX), so the caller can
 * reassemble the segments and call again; 0 otherwise.  A partial
 * ClientHello whose part at hand holds the whole server_name extension
 * also fills `sni` (empty otherwise).
 */
int sx_tls_classify(const uint8_t *data, size_t len, char *sni,
                    size_t *need);

/* ---- DHCP (RFC 2131, RFC 2132) ---- */

struct sx_dhcp_msg {
    uint8_t msg_type;       /* option 53, 0 when absent */
    uint8_t chaddr[6];      /* client hardware address */
    bool malformed;         /* options overrun the data or lack an end */
};

int sx_dhcp_parse(const uint8_t *data, size_t len, struct sx_dhcp_msg *msg);

#endif /* SX_DECODE_H */
