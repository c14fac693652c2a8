/* sxgen: writes sigext's example and benchmark pcap traces, byte by byte.
 *
 * What it writes: Ethernet II frames carrying ARP (RFC 826), IPv4
 * (RFC 791, header checksum RFC 1071), IPv6 (RFC 8200), ICMP echo
 * (RFC 792), UDP (RFC 768), TCP (RFC 9293, MSS option), DNS (RFC 1035,
 * name compression), mDNS/DNS-SD announcements (RFC 6762, RFC 6763),
 * DHCP (RFC 2131, options RFC 2132), NTPv4 (RFC 5905), HTTP/1.1
 * (RFC 9112), CoAP (RFC 7252), TLS 1.2 records (RFC 5246) with
 * server_name (RFC 6066), and the TP-Link smart-home protocol that plugs
 * speak on port 9999 (4-byte length on TCP, then autokey XOR from 171).
 *
 * The output is a pure function of the command line: one splitmix64
 * generator seeded from --seed picks every port, id, sequence number and
 * gap, and the capture clock starts at a fixed epoch.  Frames are built in
 * one reused buffer so the benchmark mode never allocates per packet.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#define ETH_HLEN 14
#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ETH_MIN 60          /* shortest frame on the wire, FCS excluded */
#define FRAME_MAX 1600      /* every frame we build fits a 1500-byte MTU */
#define PAYLOAD_MAX 1400    /* keeps IPv6 + TCP + TLS header under MTU */

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

#define DNS_A 1
#define DNS_CNAME 5
#define DNS_PTR 12
#define DNS_TXT 16
#define DNS_AAAA 28
#define DNS_SRV 33

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define IP4(a, b, c, d) \
    (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* ---- deterministic randomness ---------------------------------------- */

struct rng {
    uint64_t s;
};

/* splitmix64 (Steele, Lea and Flood, 2014): tiny and fast; we need
 * repeatable spread, not unpredictability, so rand() and /dev/urandom are
 * both out. */
static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A value in [0, n) by multiply-shift (Lemire): no modulo bias worth
 * mentioning for the small n used here. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static void rng_fill(struct rng *r, uint8_t *p, size_t n)
{
    /* Byte by byte from each draw, so the bytes do not depend on the
     * host's endianness. */
    while (n > 0) {
        uint64_t v = rng_next(r);
        size_t k;

        for (k = 0; k < 8 && n > 0; k++, n--) {
            *p++ = (uint8_t)(v >> (8 * k));
        }
    }
}

/* Ports that Wireshark 4.0 binds a dissector to inside the IANA dynamic
 * range (49152-65535).  A client port drawn there would make tshark decode
 * an unrelated protocol and report it malformed, so such draws repeat. */
static const uint16_t busy_ports[] = {
    49999, 54328, 56000, 56001, 56500, 56501, 57000, 57001, 57032, 57033,
    57500, 57501, 57532, 57533, 59000, 59001, 59032, 59033, 59500, 59501,
    59532, 59533, 60001,
};

static uint16_t rng_port(struct rng *r)
{
    for (;;) {
        uint16_t port = (uint16_t)(49152 + rng_below(r, 16384));
        size_t i;

        for (i = 0; i < NELEM(busy_ports); i++) {
            if (busy_ports[i] == port) {
                break;
            }
        }
        if (i == NELEM(busy_ports)) {
            return port;
        }
    }
}

/* ---- big-endian writers ---------------------------------------------- */

static uint8_t *put8(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)v;
    return p + 1;
}

static uint8_t *put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
    return p + 3;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

static uint8_t *putmem(uint8_t *p, const void *src, size_t n)
{
    memcpy(p, src, n);
    return p + n;
}

static uint8_t *putstr(uint8_t *p, const char *str)
{
    return putmem(p, str, strlen(str));
}

/* ---- Internet checksum (RFC 1071) ------------------------------------ */

/* Sums in host byte order, 32 bits at a time: RFC 1071 section 2(B) shows
 * the folded sum is byte-order independent, so storing it back unswapped
 * gives the right wire bytes.  Pieces must have even length except the
 * last one. */
static uint64_t csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
    uint32_t w;
    uint16_t h;

    while (n >= 4) {
        memcpy(&w, p, 4);
        acc += w;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        memcpy(&h, p, 2);
        acc += h;
        p += 2;
        n -= 2;
    }
    if (n == 1) {
        uint8_t last[2] = { p[0], 0 };

        memcpy(&h, last, 2);
        acc += h;
    }
    return acc;
}

static void csum_store(uint8_t *field, uint64_t acc, int udp)
{
    uint16_t v;

    while (acc >> 16) {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    v = (uint16_t)~acc;
    if (udp && v == 0) {
        v = 0xffff;     /* RFC 768: zero would mean "no checksum" */
    }
    memcpy(field, &v, 2);
}

/* ---- frames ---------------------------------------------------------- */

struct node {
    uint8_t mac[6];     /* its own, or the router's for hosts beyond it */
    uint8_t ip4[4];
    uint8_t ip6[16];
    uint16_t ipid;      /* next IPv4 identification it sends */
    uint8_t ttl;        /* TTL / hop limit as seen at the capture point */
};

struct sink {
    pcap_t *pd;
    pcap_dumper_t *dump;
    FILE *fp;
    uint64_t now_us;    /* capture clock, microseconds since the epoch */
    uint64_t packets;
    uint64_t control;   /* TCP SYN/FIN/RST or no payload */
    uint64_t ipv6;
    uint64_t flows;     /* conversations started (bench mode) */
    uint8_t frame[FRAME_MAX];
};

static void node_init(struct node *n, const uint8_t mac[6], uint32_t ip4,
                      uint8_t ttl, struct rng *r)
{
    memset(n, 0, sizeof *n);
    memcpy(n->mac, mac, 6);
    put32(n->ip4, ip4);
    n->ttl = ttl;
    n->ipid = (uint16_t)rng_next(r);
}

static uint8_t *l4_start(struct sink *s, int v6)
{
    return s->frame + ETH_HLEN + (v6 ? IP6_HLEN : IP4_HLEN);
}

static uint8_t *udp_payload(struct sink *s, int v6)
{
    return l4_start(s, v6) + UDP_HLEN;
}

static uint8_t *tcp_payload(struct sink *s, int v6)
{
    return l4_start(s, v6) + TCP_HLEN;
}

static void emit_frame(struct sink *s, size_t len)
{
    struct pcap_pkthdr h;

    /* Pad as the receiving side of the wire sees short frames; the
     * padding is not part of any IP packet (SPEC stage 1.2). */
    if (len < ETH_MIN) {
        memset(s->frame + len, 0, ETH_MIN - len);
        len = ETH_MIN;
    }
    h.ts.tv_sec = (time_t)(s->now_us / 1000000);
    h.ts.tv_usec = (suseconds_t)(s->now_us % 1000000);
    h.caplen = (bpf_u_int32)len;
    h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)s->dump, &h, s->frame);
    s->packets++;
}

/* Destination MAC: group addresses map to their multicast MAC (RFC 1112
 * section 6.4, RFC 2464 section 7); everything else uses the node's. */
static void dst_mac(const struct node *dst, int v6, uint8_t *out)
{
    if (v6 && dst->ip6[0] == 0xff) {
        out[0] = 0x33;
        out[1] = 0x33;
        memcpy(out + 2, dst->ip6 + 12, 4);
    } else if (!v6 && (dst->ip4[0] & 0xf0) == 0xe0) {
        out[0] = 0x01;
        out[1] = 0x00;
        out[2] = 0x5e;
        out[3] = dst->ip4[1] & 0x7f;
        out[4] = dst->ip4[2];
        out[5] = dst->ip4[3];
    } else {
        memcpy(out, dst->mac, 6);
    }
}

/* Adds Ethernet and IP headers in front of the L4 bytes already in the
 * frame, fills in the checksums and writes the frame. */
static void emit_ip(struct sink *s, struct node *src, const struct node *dst,
                    int v6, uint8_t proto, size_t l4len)
{
    uint8_t *ip = s->frame + ETH_HLEN;
    uint8_t *l4 = l4_start(s, v6);
    uint8_t pseudo[8];
    uint64_t acc = 0;
    size_t csum_off;

    dst_mac(dst, v6, s->frame);
    memcpy(s->frame + 6, src->mac, 6);
    put16(s->frame + 12, v6 ? 0x86dd : 0x0800);

    if (!v6) {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (unsigned)(IP4_HLEN + l4len));
        put16(ip + 4, src->ipid++);
        /* DF on TCP as Linux sets it; datagrams here go unfragmented. */
        put16(ip + 6, proto == PROTO_TCP ? 0x4000 : 0);
        ip[8] = src->ttl;
        ip[9] = proto;
        put16(ip + 10, 0);
        memcpy(ip + 12, src->ip4, 4);
        memcpy(ip + 16, dst->ip4, 4);
        csum_store(ip + 10, csum_add(0, ip, IP4_HLEN), 0);
        /* Pseudo-header (RFC 9293 section 3.1): addresses, proto, length */
        acc = csum_add(0, ip + 12, 8);
        pseudo[0] = 0;
        pseudo[1] = proto;
        put16(pseudo + 2, (unsigned)l4len);
        acc = csum_add(acc, pseudo, 4);
    } else {
        put32(ip, 0x60000000);      /* version 6, class 0, no flow label */
        put16(ip + 4, (unsigned)l4len);
        ip[6] = proto;
        ip[7] = src->ttl;
        memcpy(ip + 8, src->ip6, 16);
        memcpy(ip + 24, dst->ip6, 16);
        /* RFC 8200 section 8.1 pseudo-header */
        acc = csum_add(0, ip + 8, 32);
        put32(pseudo, (uint32_t)l4len);
        put32(pseudo + 4, proto);
        acc = csum_add(acc, pseudo, 8);
        s->ipv6++;
    }

    csum_off = proto == PROTO_TCP ? 16 : proto == PROTO_UDP ? 6 : 2;
    if (proto == PROTO_ICMP) {
        acc = 0;        /* ICMPv4 sums its own bytes only (RFC 792) */
    }
    put16(l4 + csum_off, 0);
    acc = csum_add(acc, l4, l4len);
    csum_store(l4 + csum_off, acc, proto == PROTO_UDP);

    emit_frame(s, (size_t)(l4 - s->frame) + l4len);
}

/* The UDP payload (plen bytes) must already be at udp_payload(). */
static void emit_udp(struct sink *s, struct node *src, const struct node *dst,
                     int v6, uint16_t sport, uint16_t dport, size_t plen)
{
    uint8_t *u = l4_start(s, v6);

    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (unsigned)(UDP_HLEN + plen));
    emit_ip(s, src, dst, v6, PROTO_UDP, UDP_HLEN + plen);
}

/* The TCP payload (plen bytes) must already be at tcp_payload(). */
static void emit_tcp(struct sink *s, struct node *src, const struct node *dst,
                     int v6, uint16_t sport, uint16_t dport, uint32_t seq,
                     uint32_t ack, uint8_t flags, size_t plen)
{
    uint8_t *t = l4_start(s, v6);
    size_t hlen = TCP_HLEN;

    if (flags & TH_SYN) {
        /* MSS option (RFC 9293 section 3.7.1), sized for a 1500 MTU. */
        t[20] = 2;
        t[21] = 4;
        put16(t + 22, v6 ? 1440 : 1460);
        hlen += 4;
        plen = 0;
    }
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (uint8_t)((hlen / 4) << 4);
    t[13] = flags;
    put16(t + 14, 64240);
    put16(t + 18, 0);
    if ((flags & (TH_SYN | TH_FIN | TH_RST)) || plen == 0) {
        s->control++;
    }
    emit_ip(s, src, dst, v6, PROTO_TCP, hlen + plen);
}

static void emit_arp(struct sink *s, unsigned op, const struct node *sender,
                     const struct node *target)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t zero[6] = { 0 };
    uint8_t *p = s->frame;

    p = putmem(p, op == 1 ? bcast : target->mac, 6);
    p = putmem(p, sender->mac, 6);
    p = put16(p, 0x0806);
    p = put16(p, 1);            /* hardware: Ethernet */
    p = put16(p, 0x0800);       /* protocol: IPv4 */
    p = put8(p, 6);
    p = put8(p, 4);
    p = put16(p, op);
    p = putmem(p, sender->mac, 6);
    p = putmem(p, sender->ip4, 4);
    p = putmem(p, op == 1 ? zero : target->mac, 6);
    p = putmem(p, target->ip4, 4);
    emit_frame(s, (size_t)(p - s->frame));
}

/* ---- TCP connections ------------------------------------------------- */

enum { TO_SRV, TO_CLI };

struct tcp_conn {
    struct node *cli, *srv;
    int v6;
    uint16_t cport, sport;
    uint32_t cseq, sseq;    /* next sequence number each side sends */
};

/* One segment in direction dir; the payload is already at tcp_payload().
 * SYN and FIN take one sequence number each (RFC 9293 section 3.4). */
static void tcp_seg(struct sink *s, struct tcp_conn *c, int dir, uint8_t flags,
                    size_t plen)
{
    int up = dir == TO_SRV;
    uint32_t *seq = up ? &c->cseq : &c->sseq;
    uint32_t ack = (flags & TH_ACK) ? (up ? c->sseq : c->cseq) : 0;

    if (up) {
        emit_tcp(s, c->cli, c->srv, c->v6, c->cport, c->sport, *seq, ack,
                 flags, plen);
    } else {
        emit_tcp(s, c->srv, c->cli, c->v6, c->sport, c->cport, *seq, ack,
                 flags, plen);
    }
    *seq += (uint32_t)plen + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
}

static void tcp_conn_init(struct tcp_conn *c, struct node *cli,
                          struct node *srv, int v6, uint16_t sport,
                          struct rng *r)
{
    c->cli = cli;
    c->srv = srv;
    c->v6 = v6;
    c->cport = rng_port(r);
    c->sport = sport;
    c->cseq = (uint32_t)rng_next(r);
    c->sseq = (uint32_t)rng_next(r);
}

/* ---- application payloads -------------------------------------------- */

/* NAME as DNS labels (RFC 1035 section 3.1).  Names are our own
 * constants, so labels are known to be 1..63 bytes. */
static uint8_t *dns_name(uint8_t *p, const char *name)
{
    while (*name != '\0') {
        const char *dot = strchr(name, '.');
        size_t n = dot != NULL ? (size_t)(dot - name) : strlen(name);

        p = put8(p, (unsigned)n);
        p = putmem(p, name, n);
        name += n + (dot != NULL ? 1 : 0);
    }
    return put8(p, 0);
}

static uint8_t *dns_header(uint8_t *p, unsigned id, unsigned flags, unsigned qd,
                           unsigned an)
{
    p = put16(p, id);
    p = put16(p, flags);
    p = put16(p, qd);
    p = put16(p, an);
    p = put16(p, 0);
    return put16(p, 0);
}

static size_t dns_query(uint8_t *p, unsigned id, const char *name,
                        unsigned qtype)
{
    uint8_t *w = dns_header(p, id, 0x0100, 1, 0);  /* standard query, RD */

    w = dns_name(w, name);
    w = put16(w, qtype);
    w = put16(w, 1);
    return (size_t)(w - p);
}

/* A recursive answer (QR, RD, RA): the question again, an optional CNAME,
 * then naddr address records of alen bytes.  Owner names are compression
 * pointers (RFC 1035 section 4.1.4): 0xc00c is the question name at offset
 * 12, and address records after a CNAME point at its target. */
static size_t dns_answer(uint8_t *p, unsigned id, const char *name,
                         unsigned qtype, const char *cname,
                         const uint8_t *addrs, unsigned naddr, size_t alen,
                         uint32_t ttl)
{
    uint8_t *w = dns_header(p, id, 0x8180, 1, naddr + (cname != NULL));
    unsigned owner = 0xc00c;
    unsigned i;

    w = dns_name(w, name);
    w = put16(w, qtype);
    w = put16(w, 1);
    if (cname != NULL) {
        uint8_t *rdlen;

        w = put16(w, 0xc00c);
        w = put16(w, DNS_CNAME);
        w = put16(w, 1);
        w = put32(w, ttl);
        rdlen = w;
        w += 2;
        owner = 0xc000 | (unsigned)(w - p);
        w = dns_name(w, cname);
        put16(rdlen, (unsigned)(w - rdlen - 2));
    }
    for (i = 0; i < naddr; i++) {
        w = put16(w, owner);
        w = put16(w, qtype);
        w = put16(w, 1);
        w = put32(w, ttl);
        w = put16(w, (unsigned)alen);
        w = putmem(w, addrs + i * alen, alen);
    }
    return (size_t)(w - p);
}

/* A DNS-SD printer announcement (RFC 6763 sections 4-6) as mDNS sends it
 * unsolicited (RFC 6762 section 8.3): PTR, SRV, TXT and the host's address,
 * cache-flush bit on the unique records (section 10.2). */
static size_t mdns_announce(uint8_t *p, const char *inst, const char *host,
                            int v6, const struct node *n)
{
    uint8_t *w = dns_header(p, 0, 0x8400, 0, 4);   /* response, AA */
    uint8_t *rdlen;
    unsigned inst_off, host_off;

    /* "_ipp._tcp.local" sits at offset 12; "local" at 12 + 10 = 22. */
    w = dns_name(w, "_ipp._tcp.local");
    w = put16(w, DNS_PTR);
    w = put16(w, 1);
    w = put32(w, 4500);
    rdlen = w;
    w += 2;
    inst_off = 0xc000 | (unsigned)(w - p);
    w = put8(w, (unsigned)strlen(inst));
    w = putstr(w, inst);
    w = put16(w, 0xc00c);
    put16(rdlen, (unsigned)(w - rdlen - 2));

    w = put16(w, inst_off);
    w = put16(w, DNS_SRV);
    w = put16(w, 0x8001);
    w = put32(w, 120);
    rdlen = w;
    w += 2;
    w = put16(w, 0);        /* priority */
    w = put16(w, 0);        /* weight */
    w = put16(w, 631);      /* IPP */
    host_off = 0xc000 | (unsigned)(w - p);
    w = put8(w, (unsigned)strlen(host));
    w = putstr(w, host);
    w = put16(w, 0xc016);
    put16(rdlen, (unsigned)(w - rdlen - 2));

    w = put16(w, inst_off);
    w = put16(w, DNS_TXT);
    w = put16(w, 0x8001);
    w = put32(w, 4500);
    w = put16(w, 19);
    w = put8(w, 9);
    w = putstr(w, "txtvers=1");
    w = put8(w, 8);
    w = putstr(w, "qtotal=1");

    w = put16(w, host_off);
    w = put16(w, v6 ? DNS_AAAA : DNS_A);
    w = put16(w, 0x8001);
    w = put32(w, 120);
    w = put16(w, v6 ? 16 : 4);
    w = putmem(w, v6 ? n->ip6 : n->ip4, v6 ? 16 : 4);
    return (size_t)(w - p);
}

/* TP-Link smart-home framing: each byte is XORed with the previous cipher
 * byte, the first with 171 ("autokey"); over TCP a 4-byte big-endian
 * length comes first.  Wireshark decodes both on port 9999. */
static size_t tplink_xor(uint8_t *p, const char *msg)
{
    uint8_t key = 171;
    size_t n = strlen(msg);
    size_t i;

    for (i = 0; i < n; i++) {
        key = (uint8_t)(key ^ (uint8_t)msg[i]);
        p[i] = key;
    }
    return n;
}

static size_t tplink_tcp(uint8_t *p, const char *msg)
{
    put32(p, (uint32_t)strlen(msg));
    return 4 + tplink_xor(p + 4, msg);
}

static const uint16_t tls_suites[] = {
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
    0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
};
static const uint16_t tls_groups[] = { 0x001d, 0x0017, 0x0018 };
static const uint16_t tls_sigalgs[] = {
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
};

static uint8_t *put_u16_list(uint8_t *p, const uint16_t *v, size_t n)
{
    size_t i;

    p = put16(p, (unsigned)(2 * n));
    for (i = 0; i < n; i++) {
        p = put16(p, v[i]);
    }
    return p;
}

/* A TLS 1.2 ClientHello (RFC 5246 section 7.4.1.2) in one record.  The
 * record says version 1.0, as clients do for old middleboxes. */
static size_t tls_client_hello(uint8_t *p, struct rng *r, const char *sni)
{
    size_t sni_len = strlen(sni);
    uint8_t *w = p;
    uint8_t *rec_len, *hs_len, *ext_len;

    w = put8(w, 22);                    /* handshake */
    w = put16(w, 0x0301);
    rec_len = w;
    w += 2;
    w = put8(w, 1);                     /* client_hello */
    hs_len = w;
    w += 3;
    w = put16(w, 0x0303);
    rng_fill(r, w, 32);                 /* random */
    w += 32;
    w = put8(w, 32);                    /* session id to resume */
    rng_fill(r, w, 32);
    w += 32;
    w = put_u16_list(w, tls_suites, sizeof tls_suites / 2);
    w = put8(w, 1);                     /* compression: null only */
    w = put8(w, 0);
    ext_len = w;
    w += 2;

    /* server_name (RFC 6066 section 3): list of one host_name entry */
    w = put16(w, 0x0000);
    w = put16(w, (unsigned)(sni_len + 5));
    w = put16(w, (unsigned)(sni_len + 3));
    w = put8(w, 0);
    w = put16(w, (unsigned)sni_len);
    w = putmem(w, sni, sni_len);
    /* extended_master_secret (RFC 7627), empty */
    w = put16(w, 0x0017);
    w = put16(w, 0);
    /* renegotiation_info (RFC 5746): empty renegotiated_connection */
    w = put16(w, 0xff01);
    w = put16(w, 1);
    w = put8(w, 0);
    /* supported_groups (RFC 8422 section 5.1.1) */
    w = put16(w, 0x000a);
    w = put16(w, (unsigned)(2 + sizeof tls_groups));
    w = put_u16_list(w, tls_groups, sizeof tls_groups / 2);
    /* ec_point_formats: uncompressed */
    w = put16(w, 0x000b);
    w = put16(w, 2);
    w = put8(w, 1);
    w = put8(w, 0);
    /* session_ticket (RFC 5077), empty */
    w = put16(w, 0x0023);
    w = put16(w, 0);
    /* signature_algorithms (RFC 5246 section 7.4.1.4.1) */
    w = put16(w, 0x000d);
    w = put16(w, (unsigned)(2 + sizeof tls_sigalgs));
    w = put_u16_list(w, tls_sigalgs, sizeof tls_sigalgs / 2);

    put16(ext_len, (unsigned)(w - ext_len - 2));
    put24(hs_len, (uint32_t)(w - hs_len - 3));
    put16(rec_len, (unsigned)(w - rec_len - 2));
    return (size_t)(w - p);
}

/* ServerHello choosing ECDHE-RSA-AES128-GCM, then ServerHelloDone, in one
 * record.  The certificate is left out: nothing downstream reads it. */
static size_t tls_server_hello(uint8_t *p, struct rng *r)
{
    uint8_t *w = p;
    uint8_t *rec_len, *hs_len, *ext_len;

    w = put8(w, 22);
    w = put16(w, 0x0303);
    rec_len = w;
    w += 2;
    w = put8(w, 2);                     /* server_hello */
    hs_len = w;
    w += 3;
    w = put16(w, 0x0303);
    rng_fill(r, w, 32);
    w += 32;
    w = put8(w, 32);
    rng_fill(r, w, 32);
    w += 32;
    w = put16(w, 0xc02f);
    w = put8(w, 0);
    ext_len = w;
    w += 2;
    w = put16(w, 0xff01);
    w = put16(w, 1);
    w = put8(w, 0);
    w = put16(w, 0x0017);
    w = put16(w, 0);
    w = put16(w, 0x000b);
    w = put16(w, 2);
    w = put8(w, 1);
    w = put8(w, 0);
    put16(ext_len, (unsigned)(w - ext_len - 2));
    put24(hs_len, (uint32_t)(w - hs_len - 3));
    w = put8(w, 14);                    /* server_hello_done, empty */
    w = put24(w, 0);
    put16(rec_len, (unsigned)(w - rec_len - 2));
    return (size_t)(w - p);
}

/* One record of the given content type holding n opaque bytes (the
 * ciphertext of application data, an alert or a Finished message). */
static size_t tls_record(uint8_t *p, unsigned type, const uint8_t *body,
                         size_t n)
{
    uint8_t *w = put8(p, type);

    w = put16(w, 0x0303);
    w = put16(w, (unsigned)n);
    w = putmem(w, body, n);
    return (size_t)(w - p);
}

/* The client's second flight: ClientKeyExchange with an uncompressed
 * P-256 point (RFC 8422 section 5.7), ChangeCipherSpec, and the encrypted
 * Finished (40 bytes: 8 explicit nonce, 16 data, 16 tag for AES-GCM). */
static size_t tls_client_finish(uint8_t *p, struct rng *r)
{
    uint8_t buf[65];
    uint8_t *w = p;

    w = put8(w, 22);
    w = put16(w, 0x0303);
    w = put16(w, 4 + 66);
    w = put8(w, 16);                    /* client_key_exchange */
    w = put24(w, 66);
    w = put8(w, 65);
    buf[0] = 4;                         /* uncompressed point */
    rng_fill(r, buf + 1, 64);
    w = putmem(w, buf, 65);
    buf[0] = 1;
    w += tls_record(w, 20, buf, 1);     /* change_cipher_spec */
    rng_fill(r, buf, 40);
    w += tls_record(w, 22, buf, 40);
    return (size_t)(w - p);
}

static size_t tls_server_finish(uint8_t *p, struct rng *r)
{
    uint8_t buf[40];
    uint8_t *w = p;

    buf[0] = 1;
    w += tls_record(w, 20, buf, 1);
    rng_fill(r, buf, 40);
    w += tls_record(w, 22, buf, 40);
    return (size_t)(w - p);
}

static size_t http_request(uint8_t *p, const char *method, const char *target,
                           const char *host, const char *body)
{
    int n;

    if (body == NULL) {
        n = snprintf((char *)p, PAYLOAD_MAX,
                     "%s %s HTTP/1.1\r\nHost: %s\r\n"
                     "User-Agent: sxdevice/1.4\r\nAccept: */*\r\n\r\n",
                     method, target, host);
    } else {
        n = snprintf((char *)p, PAYLOAD_MAX,
                     "%s %s HTTP/1.1\r\nHost: %s\r\n"
                     "User-Agent: sxdevice/1.4\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, target, host, strlen(body), body);
    }
    return (size_t)n;
}

static size_t http_response(uint8_t *p, const char *body)
{
    int n = snprintf((char *)p, PAYLOAD_MAX,
                     "HTTP/1.1 200 OK\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     strlen(body), body);

    return (size_t)n;
}

/* CoAP option numbers and lengths (RFC 7252 section 3.1): a nibble, with
 * 13 and 14 announcing one or two extension bytes. */
static unsigned coap_nibble(unsigned v)
{
    return v < 13 ? v : v < 269 ? 13 : 14;
}

static uint8_t *coap_ext(uint8_t *p, unsigned v)
{
    if (v >= 269) {
        return put16(p, v - 269);
    }
    if (v >= 13) {
        return put8(p, v - 13);
    }
    return p;
}

static uint8_t *coap_option(uint8_t *p, unsigned *last, unsigned num,
                            const void *val, size_t len)
{
    unsigned delta = num - *last;

    p = put8(p, coap_nibble(delta) << 4 | coap_nibble((unsigned)len));
    p = coap_ext(p, delta);
    p = coap_ext(p, (unsigned)len);
    *last = num;
    return putmem(p, val, len);
}

#define COAP_CON 0
#define COAP_ACK 2
#define COAP_GET 0x01
#define COAP_POST 0x02
#define COAP_PUT 0x03
#define COAP_CREATED 0x41       /* 2.01 */
#define COAP_CHANGED 0x44       /* 2.04 */
#define COAP_CONTENT 0x45       /* 2.05 */
#define COAP_JSON 50            /* Content-Format application/json */

/* A CoAP message: path (e.g. "/light/state") becomes Uri-Path options
 * (11), content_format >= 0 a Content-Format option (12); options must
 * go in ascending order. */
static size_t coap_msg(uint8_t *p, unsigned type, unsigned code, unsigned mid,
                       const uint8_t *token, unsigned tkl, const char *path,
                       int content_format, const char *payload)
{
    uint8_t *w = p;
    unsigned last = 0;

    w = put8(w, 0x40 | type << 4 | tkl);    /* version 1 */
    w = put8(w, code);
    w = put16(w, mid);
    w = putmem(w, token, tkl);
    while (path != NULL && *path == '/') {
        const char *seg = path + 1;
        const char *end = strchr(seg, '/');
        size_t n = end != NULL ? (size_t)(end - seg) : strlen(seg);

        w = coap_option(w, &last, 11, seg, n);
        path = end;
    }
    if (content_format >= 0) {
        uint8_t v = (uint8_t)content_format;

        /* uint options drop leading zero bytes (section 3.2) */
        w = coap_option(w, &last, 12, &v, content_format == 0 ? 0 : 1);
    }
    if (payload != NULL) {
        w = put8(w, 0xff);
        w = putstr(w, payload);
    }
    return (size_t)(w - p);
}

/* A DHCP message (RFC 2131 section 2) from a client in RENEWING state,
 * which unicasts with ciaddr set (section 4.3.2), or the server's ACK. */
static size_t dhcp_msg(uint8_t *p, int ack, uint32_t xid,
                       const struct node *cli, const struct node *srv)
{
    static const uint8_t params[] = { 1, 3, 6, 15, 28, 42, 51, 58, 59 };
    uint8_t *w = p;

    w = put8(w, ack ? 2 : 1);           /* BOOTREPLY / BOOTREQUEST */
    w = put8(w, 1);                     /* Ethernet */
    w = put8(w, 6);
    w = put8(w, 0);
    w = put32(w, xid);
    w = put16(w, 0);                    /* secs */
    w = put16(w, 0);                    /* flags: unicast reply is fine */
    w = putmem(w, cli->ip4, 4);         /* ciaddr */
    w = putmem(w, ack ? cli->ip4 : (const uint8_t *)"\0\0\0\0", 4);
    memset(w, 0, 8);                    /* siaddr, giaddr */
    w += 8;
    memset(w, 0, 16 + 64 + 128);        /* chaddr, sname, file */
    memcpy(w, cli->mac, 6);
    w += 16 + 64 + 128;
    w = put32(w, 0x63825363);           /* magic cookie (RFC 2132 sec 2) */

    w = putmem(w, "\x35\x01", 2);       /* 53 message type */
    w = put8(w, ack ? 5 : 3);           /* DHCPACK / DHCPREQUEST */
    if (!ack) {
        w = putmem(w, "\x3d\x07\x01", 3);   /* 61 client id: hw type 1 */
        w = putmem(w, cli->mac, 6);
        w = putmem(w, "\x39\x02\x05\xdc", 4);   /* 57 max size 1500 */
        w = putmem(w, "\x0c\x07sx-plug", 9);    /* 12 host name */
        w = put8(w, 55);
        w = put8(w, sizeof params);
        w = putmem(w, params, sizeof params);
    } else {
        w = putmem(w, "\x36\x04", 2);   /* 54 server identifier */
        w = putmem(w, srv->ip4, 4);
        w = putmem(w, "\x33\x04\x00\x01\x51\x80", 6);   /* 51 lease 1 d */
        w = putmem(w, "\x3a\x04\x00\x00\xa8\xc0", 6);   /* 58 T1 12 h */
        w = putmem(w, "\x3b\x04\x00\x01\x27\x50", 6);   /* 59 T2 21 h */
        w = putmem(w, "\x01\x04\xff\xff\xff\x00", 6);   /* 1 netmask */
        w = putmem(w, "\x03\x04", 2);   /* 3 router */
        w = putmem(w, srv->ip4, 4);
        w = putmem(w, "\x06\x04", 2);   /* 6 DNS server */
        w = putmem(w, srv->ip4, 4);
        w = putmem(w, "\x0f\x03lan", 5);    /* 15 domain name */
    }
    w = put8(w, 255);
    /* BOOTP relays expect at least 300 bytes (RFC 1542 section 3.1.1) */
    while (w - p < 300) {
        w = put8(w, 0);
    }
    return (size_t)(w - p);
}

/* NTP timestamp (RFC 5905 section 6): seconds since 1900, 32-bit
 * fraction. */
static uint8_t *ntp_time(uint8_t *p, uint64_t us)
{
    uint64_t frac = ((us % 1000000) << 32) / 1000000;

    p = put32(p, (uint32_t)(us / 1000000 + 2208988800ULL));
    return put32(p, (uint32_t)frac);
}

/* An NTPv4 client request (mode 3) or server reply (mode 4), 48 bytes,
 * no extension fields. */
static size_t ntp_msg(uint8_t *p, int reply, uint64_t now_us,
                      uint64_t origin_us)
{
    uint8_t *w = p;

    w = put8(w, reply ? 0x24 : 0x23);   /* LI 0, VN 4, mode */
    w = put8(w, reply ? 2 : 0);         /* stratum */
    w = put8(w, 6);                     /* poll 2^6 s */
    w = put8(w, reply ? 0xe7 : 0xe9);   /* precision ~2^-25, 2^-23 s */
    w = put32(w, reply ? 0x00000310 : 0);   /* root delay */
    w = put32(w, reply ? 0x00000520 : 0);   /* root dispersion */
    w = put32(w, reply ? IP4(192, 0, 2, 1) : 0);    /* upstream refid */
    if (reply) {
        w = ntp_time(w, now_us - 64000000);     /* reference */
        w = ntp_time(w, origin_us);             /* origin */
        w = ntp_time(w, now_us - 40);           /* receive */
        w = ntp_time(w, now_us);                /* transmit */
    } else {
        memset(w, 0, 24);
        w += 24;
        w = ntp_time(w, now_us);
    }
    return (size_t)(w - p);
}

/* ICMP echo (RFC 792) with the 56 data bytes Linux ping sends: a
 * timestamp, then a counting pattern. */
static size_t icmp_echo(uint8_t *p, int reply, unsigned id, unsigned seq,
                        uint64_t t_us)
{
    uint8_t *w = p;
    unsigned i;

    w = put8(w, reply ? 0 : 8);
    w = put8(w, 0);
    w = put16(w, 0);                    /* checksum, set by emit_ip */
    w = put16(w, id);
    w = put16(w, seq);
    w = put32(w, (uint32_t)(t_us / 1000000));
    w = put32(w, (uint32_t)(t_us % 1000000));
    for (i = 8; i < 56; i++) {
        w = put8(w, i);
    }
    return (size_t)(w - p);
}

/* ---- the "plug switched on" event ------------------------------------ */

static void at(struct sink *s, struct rng *r, uint64_t t0, unsigned ms)
{
    uint64_t t = t0 + (uint64_t)ms * 1000 + rng_below(r, 900);

    s->now_us = t > s->now_us ? t : s->now_us + 1;
}

/* A short gap of about us microseconds, as a LAN round trip would be. */
static void gap(struct sink *s, struct rng *r, unsigned us)
{
    s->now_us += us + rng_below(r, us / 2 + 1);
}

static void gen_event(struct sink *s, uint64_t seed)
{
    static const char *api = "api.plugcloud.example";
    static const uint8_t mac_plug[6] = { 2, 0, 0, 0, 0, 0x50 };
    static const uint8_t mac_phone[6] = { 2, 0, 0, 0, 0, 0x20 };
    static const uint8_t mac_gw[6] = { 2, 0, 0, 0, 0, 0x01 };
    static const uint8_t mac_hub[6] = { 2, 0, 0, 0, 0, 0x30 };
    static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t no_mac[6] = { 0 };
    struct rng r = { seed };
    uint64_t t0 = (1700000000ULL + seed * 100) * 1000000ULL;
    struct node plug, phone, gw, hub, cloud[2], ntp, bcast, mdns, printer;
    struct tcp_conn c, tls;
    uint8_t addrs[8], mac_printer[6], token[4];
    char buf[160], inst[32], host[32];
    uint16_t port, mid;
    unsigned id, pick, k;
    uint64_t sent;
    size_t n;

    node_init(&plug, mac_plug, IP4(192, 168, 1, 50), 64, &r);
    node_init(&phone, mac_phone, IP4(192, 168, 1, 20), 64, &r);
    node_init(&gw, mac_gw, IP4(192, 168, 1, 1), 64, &r);
    node_init(&hub, mac_hub, IP4(192, 168, 1, 30), 64, &r);
    node_init(&cloud[0], mac_gw, IP4(203, 0, 113, 10), 47, &r);
    node_init(&cloud[1], mac_gw, IP4(203, 0, 113, 11), 47, &r);
    node_init(&ntp, mac_gw, IP4(198, 51, 100, 123), 52, &r);
    node_init(&bcast, mac_bcast, IP4(255, 255, 255, 255), 0, &r);
    node_init(&mdns, no_mac, IP4(224, 0, 0, 251), 0, &r);
    mdns.ip6[0] = 0xff;                 /* ff02::fb */
    mdns.ip6[1] = 0x02;
    mdns.ip6[15] = 0xfb;

    /* The mDNS announcer is a different LAN printer in each repetition,
     * so its flow never recurs and drops out of the signature. */
    k = 100 + (unsigned)(seed % 100);
    memcpy(mac_printer, mac_plug, 6);
    mac_printer[4] = 1;
    mac_printer[5] = (uint8_t)k;
    node_init(&printer, mac_printer, IP4(192, 168, 1, k), 255, &r);
    printer.ip6[0] = 0xfe;              /* fe80::ff:fe00:1xx, from MAC */
    printer.ip6[1] = 0x80;
    memcpy(printer.ip6 + 8, "\x00\x00\x00\xff\xfe\x00\x01", 7);
    printer.ip6[15] = (uint8_t)k;
    snprintf(inst, sizeof inst, "Printer-%u", k);
    snprintf(host, sizeof host, "printer-%u", k);

    /* (g) ARP: the phone looks up the plug before talking to it. */
    at(s, &r, t0, 0);
    emit_arp(s, 1, &phone, &plug);
    gap(s, &r, 1800);
    emit_arp(s, 2, &plug, &phone);

    /* (f) Discovery broadcast on UDP 9999 and the plug's answer. */
    at(s, &r, t0, 40);
    port = rng_port(&r);
    n = tplink_xor(udp_payload(s, 0), "{\"system\":{\"get_sysinfo\":{}}}");
    emit_udp(s, &phone, &bcast, 0, port, 9999, n);
    gap(s, &r, 3000);
    snprintf(buf, sizeof buf,
             "{\"system\":{\"get_sysinfo\":{\"alias\":\"Desk plug\","
             "\"model\":\"SX-P100\",\"relay_state\":0,\"err_code\":0}}}");
    n = tplink_xor(udp_payload(s, 0), buf);
    emit_udp(s, &plug, &phone, 0, 9999, port, n);

    /* (e) CoAP: the app reads the relay state first. */
    at(s, &r, t0, 300);
    port = rng_port(&r);
    mid = (uint16_t)rng_next(&r);
    rng_fill(&r, token, sizeof token);
    n = coap_msg(udp_payload(s, 0), COAP_CON, COAP_GET, mid, token, 4,
                 "/light/state", -1, NULL);
    emit_udp(s, &phone, &plug, 0, port, 5683, n);
    gap(s, &r, 2500);
    n = coap_msg(udp_payload(s, 0), COAP_ACK, COAP_CONTENT, mid, token, 4,
                 NULL, COAP_JSON, "{\"on\":false}");
    emit_udp(s, &plug, &phone, 0, 5683, port, n);

    /* (a) The switch command on TCP 9999. */
    at(s, &r, t0, 650);
    tcp_conn_init(&c, &phone, &plug, 0, 9999, &r);
    tcp_seg(s, &c, TO_SRV, TH_SYN, 0);
    gap(s, &r, 1500);
    tcp_seg(s, &c, TO_CLI, TH_SYN | TH_ACK, 0);
    gap(s, &r, 300);
    tcp_seg(s, &c, TO_SRV, TH_ACK, 0);
    gap(s, &r, 400);
    n = tplink_tcp(tcp_payload(s, 0),
                   "{\"system\":{\"set_relay_state\":{\"state\":1}}}");
    tcp_seg(s, &c, TO_SRV, TH_PSH | TH_ACK, n);
    gap(s, &r, 12000);
    n = tplink_tcp(tcp_payload(s, 0),
                   "{\"system\":{\"set_relay_state\":{\"err_code\":0}}}");
    tcp_seg(s, &c, TO_CLI, TH_PSH | TH_ACK, n);
    gap(s, &r, 600);
    tcp_seg(s, &c, TO_SRV, TH_ACK, 0);
    gap(s, &r, 5000);
    tcp_seg(s, &c, TO_SRV, TH_FIN | TH_ACK, 0);
    gap(s, &r, 1200);
    tcp_seg(s, &c, TO_CLI, TH_FIN | TH_ACK, 0);
    gap(s, &r, 300);
    tcp_seg(s, &c, TO_SRV, TH_ACK, 0);

    /* (g) ICMP echo: the app checks the plug is still there. */
    at(s, &r, t0, 900);
    id = (unsigned)rng_below(&r, 65536);
    n = icmp_echo(l4_start(s, 0), 0, id, 1, s->now_us);
    emit_ip(s, &phone, &plug, 0, PROTO_ICMP, n);
    gap(s, &r, 2000);
    n = icmp_echo(l4_start(s, 0), 1, id, 1, s->now_us - 2000);
    emit_ip(s, &plug, &phone, 0, PROTO_ICMP, n);

    /* (b) The plug resolves its cloud endpoint; two A records, one used. */
    at(s, &r, t0, 1200);
    port = rng_port(&r);
    id = (unsigned)rng_below(&r, 65536);
    n = dns_query(udp_payload(s, 0), id, api, DNS_A);
    emit_udp(s, &plug, &gw, 0, port, 53, n);
    gap(s, &r, 18000);
    memcpy(addrs, cloud[0].ip4, 4);
    memcpy(addrs + 4, cloud[1].ip4, 4);
    n = dns_answer(udp_payload(s, 0), id, api, DNS_A, NULL, addrs, 2, 4,
                   300);
    emit_udp(s, &gw, &plug, 0, 53, port, n);

    /* (c) TLS to one of the two addresses: odd seeds take the second,
     * so the committed examples (seeds 1-3) show both. */
    pick = (unsigned)(seed % 2);
    at(s, &r, t0, 1260);
    tcp_conn_init(&tls, &plug, &cloud[pick], 0, 443, &r);
    tcp_seg(s, &tls, TO_SRV, TH_SYN, 0);
    gap(s, &r, 24000);
    tcp_seg(s, &tls, TO_CLI, TH_SYN | TH_ACK, 0);
    gap(s, &r, 200);
    tcp_seg(s, &tls, TO_SRV, TH_ACK, 0);
    gap(s, &r, 800);
    n = tls_client_hello(tcp_payload(s, 0), &r, api);
    tcp_seg(s, &tls, TO_SRV, TH_PSH | TH_ACK, n);
    gap(s, &r, 25000);
    n = tls_server_hello(tcp_payload(s, 0), &r);
    tcp_seg(s, &tls, TO_CLI, TH_PSH | TH_ACK, n);
    gap(s, &r, 3000);
    n = tls_client_finish(tcp_payload(s, 0), &r);
    tcp_seg(s, &tls, TO_SRV, TH_PSH | TH_ACK, n);
    gap(s, &r, 24000);
    n = tls_server_finish(tcp_payload(s, 0), &r);
    tcp_seg(s, &tls, TO_CLI, TH_PSH | TH_ACK, n);
    gap(s, &r, 1000);
    rng_fill(&r, (uint8_t *)buf, 120);
    n = tls_record(tcp_payload(s, 0), 23, (uint8_t *)buf, 120);
    tcp_seg(s, &tls, TO_SRV, TH_PSH | TH_ACK, n);
    gap(s, &r, 30000);
    rng_fill(&r, (uint8_t *)buf, 64);
    n = tls_record(tcp_payload(s, 0), 23, (uint8_t *)buf, 64);
    tcp_seg(s, &tls, TO_CLI, TH_PSH | TH_ACK, n);
    gap(s, &r, 500);
    tcp_seg(s, &tls, TO_SRV, TH_ACK, 0);

    /* (h) Only in some repetitions: an NTP query, a flow the signature
     * must leave out. */
    if (seed % 3 == 0) {
        at(s, &r, t0, 3000);
        port = rng_port(&r);
        sent = s->now_us;
        n = ntp_msg(udp_payload(s, 0), 0, sent, 0);
        emit_udp(s, &plug, &ntp, 0, port, 123, n);
        gap(s, &r, 21000);
        n = ntp_msg(udp_payload(s, 0), 1, s->now_us, sent);
        emit_udp(s, &ntp, &plug, 0, 123, port, n);
    }

    /* (d) The plug reports its new state to the LAN hub over HTTP. */
    at(s, &r, t0, 4000);
    tcp_conn_init(&c, &plug, &hub, 0, 80, &r);
    tcp_seg(s, &c, TO_SRV, TH_SYN, 0);
    gap(s, &r, 1200);
    tcp_seg(s, &c, TO_CLI, TH_SYN | TH_ACK, 0);
    gap(s, &r, 300);
    tcp_seg(s, &c, TO_SRV, TH_ACK, 0);
    gap(s, &r, 400);
    snprintf(buf, sizeof buf, "/api/v1/state?ts=%" PRIu64,
             s->now_us / 1000000);
    n = http_request(tcp_payload(s, 0), "POST", buf, "192.168.1.30",
                     "{\"relay_state\":1,\"source\":\"app\"}");
    tcp_seg(s, &c, TO_SRV, TH_PSH | TH_ACK, n);
    gap(s, &r, 9000);
    n = http_response(tcp_payload(s, 0), "{\"ok\":true}");
    tcp_seg(s, &c, TO_CLI, TH_PSH | TH_ACK, n);
    gap(s, &r, 700);
    tcp_seg(s, &c, TO_SRV, TH_ACK, 0);
    gap(s, &r, 2000);
    tcp_seg(s, &c, TO_SRV, TH_FIN | TH_ACK, 0);
    gap(s, &r, 900);
    tcp_seg(s, &c, TO_CLI, TH_FIN | TH_ACK, 0);
    gap(s, &r, 300);
    tcp_seg(s, &c, TO_SRV, TH_ACK, 0);

    /* (g) mDNS: the printer announces itself on IPv4 and IPv6. */
    at(s, &r, t0, 6500);
    n = mdns_announce(udp_payload(s, 0), inst, host, 0, &printer);
    emit_udp(s, &printer, &mdns, 0, 5353, 5353, n);
    gap(s, &r, 300);
    n = mdns_announce(udp_payload(s, 1), inst, host, 1, &printer);
    emit_udp(s, &printer, &mdns, 1, 5353, 5353, n);

    /* (g) DHCP: the plug renews its lease. */
    at(s, &r, t0, 8200);
    id = (unsigned)rng_next(&r);
    n = dhcp_msg(udp_payload(s, 0), 0, id, &plug, &gw);
    emit_udp(s, &plug, &gw, 0, 68, 67, n);
    gap(s, &r, 4000);
    n = dhcp_msg(udp_payload(s, 0), 1, id, &plug, &gw);
    emit_udp(s, &gw, &plug, 0, 67, 68, n);

    /* (c) The cloud session: a keep-alive, then close_notify and FINs. */
    at(s, &r, t0, 11000);
    rng_fill(&r, (uint8_t *)buf, 40);
    n = tls_record(tcp_payload(s, 0), 23, (uint8_t *)buf, 40);
    tcp_seg(s, &tls, TO_SRV, TH_PSH | TH_ACK, n);
    gap(s, &r, 28000);
    rng_fill(&r, (uint8_t *)buf, 40);
    n = tls_record(tcp_payload(s, 0), 23, (uint8_t *)buf, 40);
    tcp_seg(s, &tls, TO_CLI, TH_PSH | TH_ACK, n);
    gap(s, &r, 400);
    tcp_seg(s, &tls, TO_SRV, TH_ACK, 0);

    at(s, &r, t0, 14800);
    rng_fill(&r, (uint8_t *)buf, 26);
    n = tls_record(tcp_payload(s, 0), 21, (uint8_t *)buf, 26);
    tcp_seg(s, &tls, TO_SRV, TH_PSH | TH_ACK, n);
    gap(s, &r, 200);
    tcp_seg(s, &tls, TO_SRV, TH_FIN | TH_ACK, 0);
    gap(s, &r, 26000);
    tcp_seg(s, &tls, TO_CLI, TH_FIN | TH_ACK, 0);
    gap(s, &r, 300);
    tcp_seg(s, &tls, TO_SRV, TH_ACK, 0);
}

/* ---- benchmark traffic ----------------------------------------------- */

#define BENCH_LAN 200
#define BENCH_SERVERS 5000
#define BENCH_NAME 48
#define POOL_SIZE (1u << 20)

enum flow_kind { FK_NONE, FK_DNS, FK_TLS, FK_HTTP, FK_COAP, FK_UDP };
enum tcp_phase { PH_SYN, PH_SYNACK, PH_ACK, PH_DATA, PH_FIN1, PH_FIN2,
                 PH_LAST };

/* One concurrent conversation, kept small because there can be 100k.
 * step counts the data packets sent; rounds is what is left to send. */
struct bflow {
    struct tcp_conn c;      /* endpoints, ports, TCP sequence numbers */
    uint32_t server;        /* index of its named server (DNS, TLS, HTTP) */
    uint16_t step;
    uint16_t rounds;
    uint16_t mid;           /* DNS id or CoAP message id */
    uint8_t kind;
    uint8_t phase;          /* enum tcp_phase, TCP kinds only */
    uint8_t ack_due;        /* 1 + direction of a pending pure ACK */
    uint8_t path;           /* index into the HTTP or CoAP path table */
    uint8_t lan_srv;        /* the server is a LAN device */
};

struct bench {
    struct sink *s;
    struct rng r;
    struct node gw;
    struct node lan[BENCH_LAN];
    struct node *servers;
    char (*names)[BENCH_NAME];
    uint8_t *pool;          /* random bytes that stand in for ciphertext */
    struct bflow *flows;
    uint32_t nflows;
    uint64_t started;
};

static const char *const vendors[] = {
    "plugcloud", "bulbworks", "camnet", "thermia", "lockwise", "sensorly",
    "hubzone", "chimeio", "vacbot", "speakr", "blindsy", "fanlogic",
    "garagely", "sprinklr", "petfeedr", "airpure", "kettleio", "doorcam",
    "powertap", "meterly", "smokealert", "leakspot", "tvlink", "printhub",
    "glowstrip",
};
static const char *const services[] = {
    "api", "mqtt", "fw", "time", "log", "cdn", "events", "auth",
};
static const char *const http_paths[] = {
    "/api/v1/state", "/status", "/firmware/check", "/config",
    "/api/v2/telemetry", "/description.xml", "/events", "/info",
};
static const char *const coap_paths[] = {
    "/light/state", "/sensors/temp", "/switch/0", "/.well-known/core",
    "/config/schedule", "/lock/state", "/sensors/humidity", "/fan/speed",
};

/* A random slice of the pool, as ciphertext or opaque device data. */
static const uint8_t *pool_take(struct bench *b)
{
    return b->pool + rng_below(&b->r, POOL_SIZE - PAYLOAD_MAX);
}

static int bench_init(struct bench *b, struct sink *s, uint32_t nflows,
                      uint64_t seed)
{
    static const uint8_t mac_gw[6] = { 2, 0, 0, 0, 0, 1 };
    uint8_t mac[6] = { 2, 0, 0, 1, 0, 0 };
    uint32_t i;

    memset(b, 0, sizeof *b);
    b->s = s;
    b->r.s = seed;
    b->nflows = nflows;
    b->servers = calloc(BENCH_SERVERS, sizeof *b->servers);
    b->names = calloc(BENCH_SERVERS, sizeof *b->names);
    b->pool = malloc(POOL_SIZE);
    b->flows = calloc(nflows, sizeof *b->flows);
    if (b->servers == NULL || b->names == NULL || b->pool == NULL
        || b->flows == NULL) {
        return -1;
    }
    rng_fill(&b->r, b->pool, POOL_SIZE);

    /* Router 192.168.1.1 and fd00::1; devices .10-.209 and fd00::1:N. */
    node_init(&b->gw, mac_gw, IP4(192, 168, 1, 1), 64, &b->r);
    b->gw.ip6[0] = 0xfd;
    b->gw.ip6[15] = 1;
    for (i = 0; i < BENCH_LAN; i++) {
        struct node *n = &b->lan[i];

        mac[5] = (uint8_t)i;
        node_init(n, mac, IP4(192, 168, 1, 10 + i), 64, &b->r);
        n->ip6[0] = 0xfd;
        put16(n->ip6 + 12, 1);
        put16(n->ip6 + 14, i);
    }

    /* Servers live in 100.64.0.0/10 (RFC 6598) and 2001:db8::/32
     * (RFC 3849) so that no real host is named; one DNS name each. */
    for (i = 0; i < BENCH_SERVERS; i++) {
        struct node *n = &b->servers[i];
        uint32_t k = (i / 250) * 256 + i % 250 + 1;

        node_init(n, mac_gw, IP4(100, 64, 0, 0) + k,
                  (uint8_t)(44 + i % 12), &b->r);
        put32(n->ip6, 0x20010db8);
        put16(n->ip6 + 4, i);
        n->ip6[15] = 0x10;
        snprintf(b->names[i], BENCH_NAME, "%s-%u.%s.example",
                 services[i % NELEM(services)], i / 200,
                 vendors[(i / NELEM(services)) % NELEM(vendors)]);
    }
    return 0;
}

static void bench_free(struct bench *b)
{
    free(b->servers);
    free(b->names);
    free(b->pool);
    free(b->flows);
}

static struct node *lan_pick(struct bench *b, const struct node *other)
{
    for (;;) {
        struct node *n = &b->lan[rng_below(&b->r, BENCH_LAN)];

        if (n != other) {
            return n;
        }
    }
}

/* Starts a new conversation in slot f.  The mix aims at home traffic:
 * many short DNS, CoAP and device exchanges, fewer but longer TLS
 * sessions, ~20% of it over IPv6. */
static void flow_start(struct bench *b, struct bflow *f)
{
    uint32_t dice = rng_below(&b->r, 100);
    int v6 = rng_below(&b->r, 100) < 20;
    struct node *cli = lan_pick(b, NULL);
    struct node *srv;

    memset(f, 0, sizeof *f);
    f->server = rng_below(&b->r, BENCH_SERVERS);
    f->mid = (uint16_t)rng_next(&b->r);
    f->path = (uint8_t)rng_below(&b->r, 8);
    srv = &b->servers[f->server];
    if (dice < 24) {
        f->kind = FK_DNS;
        tcp_conn_init(&f->c, cli, &b->gw, v6, 53, &b->r);
    } else if (dice < 54) {
        f->kind = FK_TLS;
        f->rounds = (uint16_t)(20 + rng_below(&b->r, 100));
        tcp_conn_init(&f->c, cli, srv, v6, 443, &b->r);
    } else if (dice < 64) {
        f->kind = FK_HTTP;
        f->rounds = (uint16_t)(1 + rng_below(&b->r, 8));
        f->lan_srv = rng_below(&b->r, 3) == 0;
        if (f->lan_srv) {
            srv = lan_pick(b, cli);
        }
        tcp_conn_init(&f->c, cli, srv, v6, 80, &b->r);
    } else if (dice < 76) {
        f->kind = FK_COAP;
        f->rounds = (uint16_t)(1 + rng_below(&b->r, 6));
        tcp_conn_init(&f->c, cli, lan_pick(b, cli), v6, 5683, &b->r);
    } else {
        /* A vendor's own UDP protocol on random ports, to a LAN peer or
         * to its cloud. */
        f->kind = FK_UDP;
        f->rounds = (uint16_t)(4 + rng_below(&b->r, 40));
        if (rng_below(&b->r, 10) < 7) {
            srv = lan_pick(b, cli);
        }
        tcp_conn_init(&f->c, cli, srv, v6, 0, &b->r);
        f->c.sport = rng_port(&b->r);
    }
    b->started++;
}

/* Length of an application data record: mostly small device messages,
 * now and then a bulkier one. */
static size_t app_len(struct bench *b)
{
    if (rng_below(&b->r, 20) == 0) {
        return 400 + rng_below(&b->r, 900);
    }
    return 24 + rng_below(&b->r, 140);
}

/* Every return value below says whether the next packet should be this
 * flow's reply (a request and its answer sit one round trip apart). */

static int step_dns(struct bench *b, struct bflow *f, int *done)
{
    struct sink *s = b->s;
    struct tcp_conn *c = &f->c;
    const struct node *srv = &b->servers[f->server];
    const char *name = b->names[f->server];
    unsigned qtype = c->v6 ? DNS_AAAA : DNS_A;
    size_t alen = c->v6 ? 16 : 4;
    uint8_t addrs[32];
    char cname[BENCH_NAME];
    unsigned naddr = 1;
    size_t n;

    if (f->step++ == 0) {
        n = dns_query(udp_payload(s, c->v6), f->mid, name, qtype);
        emit_udp(s, c->cli, c->srv, c->v6, c->cport, 53, n);
        return 1;
    }

    /* Some names are served by two addresses, some through a CDN alias;
     * both teach the reader a name for the address. */
    memcpy(addrs, c->v6 ? srv->ip6 : srv->ip4, alen);
    if (f->server % 5 == 0) {
        const struct node *sib = &b->servers[f->server ^ 1];

        memcpy(addrs + alen, c->v6 ? sib->ip6 : sib->ip4, alen);
        naddr = 2;
    }
    if (f->server % 3 == 0) {
        snprintf(cname, sizeof cname, "edge%u.cdn%u.example",
                 f->server % 97, f->server % 7);
    }
    n = dns_answer(udp_payload(s, c->v6), f->mid, name, qtype,
                   f->server % 3 == 0 ? cname : NULL, addrs, naddr, alen,
                   300);
    emit_udp(s, c->srv, c->cli, c->v6, 53, c->cport, n);
    *done = 1;
    return 0;
}

static int step_tls(struct bench *b, struct bflow *f)
{
    struct sink *s = b->s;
    struct tcp_conn *c = &f->c;
    uint8_t *p = tcp_payload(s, c->v6);
    int dir;
    size_t n;

    switch (f->step++) {
    case 0:
        n = tls_client_hello(p, &b->r, b->names[f->server]);
        tcp_seg(s, c, TO_SRV, TH_PSH | TH_ACK, n);
        return 1;
    case 1:
        n = tls_server_hello(p, &b->r);
        tcp_seg(s, c, TO_CLI, TH_PSH | TH_ACK, n);
        return 1;
    case 2:
        n = tls_client_finish(p, &b->r);
        tcp_seg(s, c, TO_SRV, TH_PSH | TH_ACK, n);
        return 1;
    case 3:
        n = tls_server_finish(p, &b->r);
        tcp_seg(s, c, TO_CLI, TH_PSH | TH_ACK, n);
        return 0;
    }
    dir = rng_below(&b->r, 100) < 45 ? TO_SRV : TO_CLI;
    /* Two draws: sequenced, since argument order is unspecified in C. */
    n = app_len(b);
    n = tls_record(p, 23, pool_take(b), n);
    tcp_seg(s, c, dir, TH_PSH | TH_ACK, n);
    f->rounds--;
    if (rng_below(&b->r, 16) == 0) {
        f->ack_due = (uint8_t)(1 + (dir == TO_SRV ? TO_CLI : TO_SRV));
        return 1;
    }
    return 0;
}

static int step_http(struct bench *b, struct bflow *f)
{
    struct sink *s = b->s;
    struct tcp_conn *c = &f->c;
    uint8_t *p = tcp_payload(s, c->v6);
    const char *path = http_paths[f->path];
    char host[48], target[64], body[64];
    const uint8_t *a;
    size_t n;

    if (f->step++ % 2 == 1) {
        snprintf(body, sizeof body, "{\"ok\":true,\"seq\":%u}", f->step);
        n = http_response(p, body);
        tcp_seg(s, c, TO_CLI, TH_PSH | TH_ACK, n);
        f->rounds--;
        if (rng_below(&b->r, 4) == 0) {
            f->ack_due = 1 + TO_SRV;
        }
        return 0;
    }

    /* Host is the server's name, or a LAN device's literal address. */
    if (!f->lan_srv) {
        snprintf(host, sizeof host, "%s", b->names[f->server]);
    } else if (!c->v6) {
        a = c->srv->ip4;
        snprintf(host, sizeof host, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    } else {
        a = c->srv->ip6;
        snprintf(host, sizeof host, "[fd00::1:%x]", a[14] << 8 | a[15]);
    }
    if (f->path % 2 == 0) {
        snprintf(target, sizeof target, "%s?ts=%" PRIu64, path,
                 s->now_us / 1000000);
        snprintf(body, sizeof body, "{\"value\":%u,\"seq\":%u}",
                 rng_below(&b->r, 10000), f->step);
        n = http_request(p, "POST", target, host, body);
    } else {
        n = http_request(p, "GET", path, host, NULL);
    }
    tcp_seg(s, c, TO_SRV, TH_PSH | TH_ACK, n);
    return 1;
}

static int step_tcp(struct bench *b, struct bflow *f, int *done)
{
    struct sink *s = b->s;
    struct tcp_conn *c = &f->c;

    switch (f->phase) {
    case PH_SYN:
        tcp_seg(s, c, TO_SRV, TH_SYN, 0);
        f->phase = PH_SYNACK;
        return 1;
    case PH_SYNACK:
        tcp_seg(s, c, TO_CLI, TH_SYN | TH_ACK, 0);
        f->phase = PH_ACK;
        return 1;
    case PH_ACK:
        tcp_seg(s, c, TO_SRV, TH_ACK, 0);
        f->phase = PH_DATA;
        return 0;
    case PH_DATA:
        if (f->ack_due) {
            tcp_seg(s, c, f->ack_due - 1, TH_ACK, 0);
            f->ack_due = 0;
            return 0;
        }
        if (f->rounds > 0) {
            return f->kind == FK_TLS ? step_tls(b, f) : step_http(b, f);
        }
        f->phase = PH_FIN1;     /* nothing left to say */
        return step_tcp(b, f, done);
    case PH_FIN1:
        tcp_seg(s, c, TO_SRV, TH_FIN | TH_ACK, 0);
        f->phase = PH_FIN2;
        return 1;
    case PH_FIN2:
        tcp_seg(s, c, TO_CLI, TH_FIN | TH_ACK, 0);
        f->phase = PH_LAST;
        return 1;
    default:
        tcp_seg(s, c, TO_SRV, TH_ACK, 0);
        *done = 1;
        return 0;
    }
}

/* Confirmable requests, each answered by a piggybacked ACK (RFC 7252
 * section 5.2.1); the method follows the path. */
static int step_coap(struct bench *b, struct bflow *f, int *done)
{
    static const unsigned methods[] = { COAP_GET, COAP_PUT, COAP_POST };
    static const unsigned answers[] = { COAP_CONTENT, COAP_CHANGED,
                                        COAP_CREATED };
    struct sink *s = b->s;
    struct tcp_conn *c = &f->c;
    uint8_t *p = udp_payload(s, c->v6);
    unsigned m = f->path % 3;
    uint8_t token[4];
    char body[48];
    size_t n;

    token[0] = (uint8_t)(f->mid >> 8);
    token[1] = (uint8_t)f->mid;
    token[2] = f->path;
    token[3] = 0x5a;
    snprintf(body, sizeof body, "{\"v\":%u}", rng_below(&b->r, 1000));
    if (f->step++ % 2 == 0) {
        n = coap_msg(p, COAP_CON, methods[m], f->mid, token, 4,
                     coap_paths[f->path], m == 0 ? -1 : COAP_JSON,
                     m == 0 ? NULL : body);
        emit_udp(s, c->cli, c->srv, c->v6, c->cport, 5683, n);
        return 1;
    }
    n = coap_msg(p, COAP_ACK, answers[m], f->mid, token, 4, NULL,
                 m == 0 ? COAP_JSON : -1, m == 0 ? body : NULL);
    emit_udp(s, c->srv, c->cli, c->v6, 5683, c->cport, n);
    f->mid++;
    *done = --f->rounds == 0;
    return 0;
}

/* A made-up binary device protocol: magic "SX", version, message type,
 * sequence number, body length, then opaque body bytes. */
static int step_udp(struct bench *b, struct bflow *f, int *done)
{
    struct sink *s = b->s;
    struct tcp_conn *c = &f->c;
    uint8_t *p = udp_payload(s, c->v6);
    int up = f->step % 2 == 0;
    size_t body = 8 + rng_below(&b->r, 160);
    uint8_t *w = p;

    w = putstr(w, "SX");
    w = put8(w, 1);
    w = put8(w, up ? 1 : 2);
    w = put32(w, f->step++);
    w = put16(w, (unsigned)body);
    w = putmem(w, pool_take(b), body);
    if (up) {
        emit_udp(s, c->cli, c->srv, c->v6, c->cport, c->sport,
                 (size_t)(w - p));
    } else {
        emit_udp(s, c->srv, c->cli, c->v6, c->sport, c->cport,
                 (size_t)(w - p));
    }
    *done = --f->rounds == 0;
    return up && rng_below(&b->r, 2) == 0;
}

static int flow_step(struct bench *b, struct bflow *f, int *done)
{
    *done = 0;
    switch (f->kind) {
    case FK_DNS:
        return step_dns(b, f, done);
    case FK_TLS:
    case FK_HTTP:
        return step_tcp(b, f, done);
    case FK_COAP:
        return step_coap(b, f, done);
    default:
        return step_udp(b, f, done);
    }
}

/* Writes npackets packets drawn from nflows concurrent conversations:
 * each packet continues a random slot (or answers the previous packet),
 * and a finished conversation is replaced by a new one. */
static int gen_bench(struct sink *s, uint64_t npackets, uint32_t nflows,
                     uint64_t seed)
{
    struct bench b;
    uint32_t slot = 0;
    int chain = 0;
    uint64_t i;

    if (bench_init(&b, s, nflows, seed) != 0) {
        bench_free(&b);
        return -1;
    }
    s->now_us = (1710000000ULL + seed * 100000) * 1000000ULL;
    for (i = 0; i < npackets; i++) {
        struct bflow *f;
        int done;

        /* ~1 ms between packets, a LAN round trip for a direct reply */
        if (chain) {
            s->now_us += 80 + rng_below(&b.r, 400);
        } else {
            slot = rng_below(&b.r, nflows);
            s->now_us += 200 + rng_below(&b.r, 1600);
        }
        f = &b.flows[slot];
        if (f->kind == FK_NONE) {
            flow_start(&b, f);
        }
        chain = flow_step(&b, f, &done);
        if (done) {
            f->kind = FK_NONE;
            chain = 0;
        }
    }
    s->flows = b.started;
    bench_free(&b);
    return 0;
}

/* ---- command line ---------------------------------------------------- */

static void usage(FILE *fp)
{
    fputs("usage: sxgen event --seed N --out FILE\n"
          "       sxgen bench --packets N --flows F [--seed S] --out FILE\n"
          "\n"
          "  event   one repetition of the 'smart plug switched on' example\n"
          "          event; the seed varies ports, ids and the cloud address\n"
          "  bench   a large capture of home traffic for benchmarks:\n"
          "          N packets from F concurrent conversations\n"
          "\n"
          "  -s, --seed N      generator seed (default 1)\n"
          "  -n, --packets N   bench: number of packets (default 1000000)\n"
          "  -f, --flows F     bench: concurrent conversations "
          "(default 10000)\n"
          "  -o, --out FILE    output pcap file, '-' for stdout\n"
          "  -h, --help        this text\n"
          "\n"
          "Examples:\n"
          "  sxgen event --seed 1 --out plug-on-1.pcap\n"
          "  sxgen bench --packets 1000000 --flows 10000 --seed 7 "
          "--out big.pcap\n",
          fp);
}

static int parse_u64(const char *arg, const char *opt, uint64_t max,
                     uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-'
        || v > max) {
        fprintf(stderr, "sxgen: %s: not a number in 0..%" PRIu64 ": %s\n",
                opt, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}

static int sink_open(struct sink *s, const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");

    memset(s, 0, sizeof *s);
    if (fp == NULL) {
        fprintf(stderr, "sxgen: %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* A big stdio buffer: the bench mode writes hundreds of MB. */
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    s->fp = fp;
    s->pd = pcap_open_dead(DLT_EN10MB, 65535);
    s->dump = s->pd != NULL ? pcap_dump_fopen(s->pd, fp) : NULL;
    if (s->dump == NULL) {
        fprintf(stderr, "sxgen: %s: %s\n", path,
                s->pd != NULL ? pcap_geterr(s->pd) : "pcap_open_dead failed");
        if (fp != stdout) {
            fclose(fp);
        }
        if (s->pd != NULL) {
            pcap_close(s->pd);
        }
        return -1;
    }
    return 0;
}

static int sink_close(struct sink *s, const char *path)
{
    int bad = pcap_dump_flush(s->dump) != 0 || ferror(s->fp);

    pcap_dump_close(s->dump);
    pcap_close(s->pd);
    if (bad) {
        fprintf(stderr, "sxgen: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "seed", required_argument, NULL, 's' },
        { "packets", required_argument, NULL, 'n' },
        { "flows", required_argument, NULL, 'f' },
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t seed = 1, packets = 1000000, flows = 10000;
    const char *out = NULL;
    const char *mode;
    struct sink s;
    double t;
    int bench, ch, rc;

    if (argc < 2 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    mode = argv[1];
    if (strcmp(mode, "event") != 0 && strcmp(mode, "bench") != 0) {
        fprintf(stderr, "sxgen: unknown mode '%s' (event or bench)\n", mode);
        return 2;
    }
    bench = mode[0] == 'b';

    optind = 2;
    while ((ch = getopt_long(argc, argv, "s:n:f:o:h", longopts, NULL))
           != -1) {
        switch (ch) {
        case 's':
            rc = parse_u64(optarg, "--seed", UINT32_MAX, &seed);
            break;
        case 'n':
            rc = parse_u64(optarg, "--packets", UINT64_MAX / 2, &packets);
            break;
        case 'f':
            rc = parse_u64(optarg, "--flows", 10000000, &flows);
            break;
        case 'o':
            out = optarg;
            rc = 0;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
        if (rc != 0) {
            return 2;
        }
    }
    if (optind != argc || out == NULL) {
        fprintf(stderr, "sxgen: %s\n", out == NULL ? "--out FILE is required"
                                                   : "unexpected argument");
        return 2;
    }
    if (bench && flows == 0) {
        fprintf(stderr, "sxgen: --flows must be at least 1\n");
        return 2;
    }

    if (sink_open(&s, out) != 0) {
        return 1;
    }
    t = now_s();
    if (bench) {
        rc = gen_bench(&s, packets, (uint32_t)flows, seed);
    } else {
        gen_event(&s, seed);
        rc = 0;
    }
    if (rc != 0) {
        fprintf(stderr, "sxgen: out of memory\n");
    }
    if (sink_close(&s, out) != 0 || rc != 0) {
        if (strcmp(out, "-") != 0) {
            remove(out);
        }
        return 1;
    }
    t = now_s() - t;
    if (bench) {
        fprintf(stderr,
                "sxgen: %" PRIu64 " packets, %" PRIu64 " conversations, "
                "%.1f%% IPv6, %.1f%% TCP control, %.2f s (%.2f Mpkt/s)\n",
                s.packets, s.flows,
                s.packets ? 100.0 * (double)s.ipv6 / (double)s.packets : 0.0,
                s.packets ? 100.0 * (double)s.control / (double)s.packets
                          : 0.0,
                t, t > 0 ? (double)s.packets / t / 1e6 : 0.0);
    }
    return 0;
}
