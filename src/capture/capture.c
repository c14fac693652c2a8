/*
 * capture.c - open a capture file, detect its format, hand out frames.
 *
 * Classic pcap (draft-ietf-opsawg-pcap) goes through libpcap; pcapng
 * (draft-ietf-opsawg-pcapng) through our own reader in pcapng.c.  The
 * format is told by the first four bytes of the file.
 */
#define _GNU_SOURCE     /* fopencookie(): classic pcap from a pipe */
#include "capture/capture.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/pcapng.h"
#include "cursor.h"

/* pcap file header (draft-ietf-opsawg-pcap, section 4). */
#define PCAP_HDR_LEN 24

/* Magic numbers as read big endian from the first four bytes. */
#define MAGIC_PCAP_US 0xA1B2C3D4u       /* microsecond timestamps */
#define MAGIC_PCAP_NS 0xA1B23C4Du       /* nanosecond timestamps */
#define MAGIC_PCAP_US_SWAP 0xD4C3B2A1u
#define MAGIC_PCAP_NS_SWAP 0x4D3CB2A1u
/* Kuznetzov's patched pcap: libpcap reads it, and so do we. */
#define MAGIC_PCAP_KUZ 0xA1B2CD34u
#define MAGIC_PCAP_KUZ_SWAP 0x34CDB2A1u
#define MAGIC_PCAPNG 0x0A0D0D0Au

enum cap_kind { CAP_PCAP, CAP_PCAPNG };

struct sx_capture {
    enum cap_kind kind;
    FILE *fp;                   /* owned; for pcap, libpcap reads it */
    uint64_t size;              /* 0 when not a regular file */
    struct sx_file_id id;       /* id.regular false when not one */
    long start;                 /* offset of the file header, or -1 */

    /* pcap */
    pcap_t *pcap;
    bool nano;                  /* file timestamps are in nanoseconds */
    int linktype;               /* LINKTYPE_ value from the file header */
    int status;                 /* sticky once not SX_CAP_OK */
    char msg[PCAP_ERRBUF_SIZE];

    /* pcapng */
    struct sx_pcapng *ng;
};

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
}

static bool is_pcap_magic(uint32_t m, bool *nano)
{
    switch (m) {
    case MAGIC_PCAP_US:
    case MAGIC_PCAP_US_SWAP:
    case MAGIC_PCAP_KUZ:
    case MAGIC_PCAP_KUZ_SWAP:
        *nano = false;
        return true;
    case MAGIC_PCAP_NS:
    case MAGIC_PCAP_NS_SWAP:
        *nano = true;
        return true;
    default:
        return false;
    }
}

/*
 * The link type is taken from the file header rather than from
 * pcap_datalink(): libpcap turns LINKTYPE_ values into the platform's
 * DLT_ values (LINKTYPE_RAW 101 becomes DLT_RAW 12 or 14), and callers
 * want the file's LINKTYPE_.  Its upper 16 bits carry FCS information.
 * TODO(capture): honour the FCS bits; trailing FCS bytes stay in frames.
 */
static int pcap_header_linktype(const uint8_t *hdr, uint32_t magic)
{
    struct sx_cursor c = sx_cur_make(hdr + 20, 4);
    uint32_t v;
    bool swapped = magic == MAGIC_PCAP_US_SWAP ||
                   magic == MAGIC_PCAP_NS_SWAP ||
                   magic == MAGIC_PCAP_KUZ_SWAP;

    if (swapped)
        sx_cur_u32le(&c, &v);
    else
        sx_cur_u32be(&c, &v);
    return (int)(v & 0xffff);
}

/*
 * A pipe cannot be rewound once its first bytes were read to tell the
 * format, and libpcap wants to read the file header itself: hand it a
 * stream that gives the bytes already read, then the rest of the pipe.
 */
struct peeked {
    FILE *fp;                   /* owned: closed with the stream */
    uint8_t hdr[PCAP_HDR_LEN];
    size_t len;
    size_t pos;
};

static ssize_t peeked_read(void *cookie, char *buf, size_t size)
{
    struct peeked *pk = cookie;
    size_t n = 0;

    if (pk->pos < pk->len) {
        n = pk->len - pk->pos < size ? pk->len - pk->pos : size;
        memcpy(buf, pk->hdr + pk->pos, n);
        pk->pos += n;
    }
    if (n < size) {
        size_t more = fread(buf + n, 1, size - n, pk->fp);
        if (more == 0 && n == 0 && ferror(pk->fp))
            return -1;
        n += more;
    }
    return (ssize_t)n;
}

static int peeked_close(void *cookie)
{
    struct peeked *pk = cookie;
    int rc = fclose(pk->fp);

    free(pk);
    return rc;
}

/* A stream giving hdr[0..len) then what `fp` still holds; owns fp. */
static FILE *peeked_open(FILE *fp, const uint8_t *hdr, size_t len)
{
    static const cookie_io_functions_t io = {
        .read = peeked_read, .close = peeked_close};
    struct peeked *pk = calloc(1, sizeof(*pk));
    FILE *s;

    if (pk == NULL)
        return NULL;
    pk->fp = fp;
    memcpy(pk->hdr, hdr, len);
    pk->len = len;
    s = fopencookie(pk, "rb", io);
    if (s == NULL)
        free(pk);
    return s;
}

static int open_pcap(struct sx_capture *cap, const uint8_t *hdr, size_t got,
                     uint32_t magic, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE];

    if (got < PCAP_HDR_LEN) {
        snprintf(ebuf, sizeof(ebuf),
                 "truncated pcap file header (%zu of %d bytes)", got,
                 PCAP_HDR_LEN);
        set_err(err, errlen, ebuf);
        return SX_CAP_ERR_CORRUPT;
    }
    cap->linktype = pcap_header_linktype(hdr, magic);

    /* libpcap reads the header itself. */
    if (cap->start < 0 || fseek(cap->fp, cap->start, SEEK_SET) != 0) {
        FILE *s = peeked_open(cap->fp, hdr, got);
        if (s == NULL) {
            set_err(err, errlen, strerror(ENOMEM));
            return SX_CAP_ERR_IO;
        }
        cap->fp = s;
    }

    /*
     * Ask for the file's own precision so libpcap does not scale the
     * fraction: we normalise it ourselves, exactly, even when a damaged
     * file puts a value of a second or more there.
     */
    ebuf[0] = '\0';
    cap->pcap = pcap_fopen_offline_with_tstamp_precision(
        cap->fp,
        cap->nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO,
        ebuf);
    if (cap->pcap == NULL) {
        set_err(err, errlen, ebuf[0] ? ebuf : "bad pcap file header");
        return SX_CAP_ERR_CORRUPT;
    }
    return SX_CAP_OK;
}

static void file_id_of(const struct stat *st, struct sx_file_id *id)
{
    memset(id, 0, sizeof(*id));
    if (!S_ISREG(st->st_mode))
        return;
    id->regular = true;
    id->dev = (uint64_t)st->st_dev;
    id->ino = (uint64_t)st->st_ino;
    id->size = (uint64_t)st->st_size;
    id->mtime_sec = (int64_t)st->st_mtim.tv_sec;
    id->mtime_nsec = (long)st->st_mtim.tv_nsec;
}

bool sx_file_id_get(const char *path, struct sx_file_id *id)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return false;
    file_id_of(&st, id);
    return true;
}

int sx_capture_open(const char *path, struct sx_capture **out, char *err,
                    size_t errlen)
{
    struct sx_capture *cap;
    struct stat st;
    uint8_t hdr[PCAP_HDR_LEN];
    struct sx_cursor c;
    uint32_t magic;
    size_t got;
    int rc;

    *out = NULL;
    cap = calloc(1, sizeof(*cap));
    if (cap == NULL) {
        set_err(err, errlen, strerror(ENOMEM));
        return SX_CAP_ERR_IO;
    }

    /* "-" is standard input, as for tcpdump -r; a copy of the
     * descriptor, so closing the capture leaves the caller's stdin. */
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        cap->fp = fd >= 0 ? fdopen(fd, "rb") : NULL;
        if (cap->fp == NULL && fd >= 0)
            close(fd);
    } else {
        cap->fp = fopen(path, "rb");
    }
    if (cap->fp == NULL) {
        set_err(err, errlen, strerror(errno));
        rc = SX_CAP_ERR_IO;
        goto fail;
    }
    /* fopen() accepts a directory on Linux; reading it fails later. */
    if (fstat(fileno(cap->fp), &st) != 0) {
        set_err(err, errlen, strerror(errno));
        rc = SX_CAP_ERR_IO;
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        set_err(err, errlen, strerror(EISDIR));
        rc = SX_CAP_ERR_IO;
        goto fail;
    }
    /* Standard input is read once: it has no path to open again. */
    if (strcmp(path, "-") != 0)
        file_id_of(&st, &cap->id);
    if (S_ISREG(st.st_mode))
        cap->size = (uint64_t)st.st_size;
    /* Standard input may be a file read part way ("{ head -c 10; sigext
     * packets -; } < file"): the capture starts where it stands. */
    cap->start = ftell(cap->fp);

    /* Enough for a whole pcap header; a short read is not an error yet. */
    got = fread(hdr, 1, sizeof(hdr), cap->fp);
    if (got < sizeof(hdr) && ferror(cap->fp)) {
        set_err(err, errlen, strerror(errno != 0 ? errno : EIO));
        rc = SX_CAP_ERR_IO;
        goto fail;
    }
    if (got == 0) {
        set_err(err, errlen, "empty file");
        rc = SX_CAP_ERR_FORMAT;
        goto fail;
    }
    c = sx_cur_make(hdr, got);
    if (!sx_cur_u32be(&c, &magic)) {
        set_err(err, errlen, "not a pcap or pcapng file");
        rc = SX_CAP_ERR_FORMAT;
        goto fail;
    }

    if (magic == MAGIC_PCAPNG) {
        cap->kind = CAP_PCAPNG;
        rc = sx_pcapng_open(cap->fp, hdr, got, &cap->ng, err, errlen);
    } else if (is_pcap_magic(magic, &cap->nano)) {
        cap->kind = CAP_PCAP;
        rc = open_pcap(cap, hdr, got, magic, err, errlen);
    } else {
        set_err(err, errlen, "not a pcap or pcapng file");
        rc = SX_CAP_ERR_FORMAT;
    }
    if (rc != SX_CAP_OK)
        goto fail;

    *out = cap;
    return SX_CAP_OK;

fail:
    sx_capture_close(cap);
    return rc;
}

/*
 * The record header's seconds and fraction are unsigned 32-bit fields
 * (draft-ietf-opsawg-pcap, section 5), but libpcap 1.10 stores them as
 * signed, so both are cast back before use.
 */
static int pcap_next_frame(struct sx_capture *cap, struct sx_frame_hdr *hdr,
                           const uint8_t **data)
{
    struct pcap_pkthdr *ph;
    const u_char *pd;
    uint32_t frac;
    uint32_t per_sec;
    int rc;

    rc = pcap_next_ex(cap->pcap, &ph, &pd);
    if (rc == 1) {
        frac = (uint32_t)ph->ts.tv_usec;
        per_sec = cap->nano ? 1000000000u : 1000000u;
        hdr->sec = (int64_t)(uint32_t)ph->ts.tv_sec + frac / per_sec;
        hdr->nsec = frac % per_sec * (cap->nano ? 1u : 1000u);
        hdr->caplen = ph->caplen;
        hdr->wirelen = ph->len;
        hdr->linktype = cap->linktype;
        *data = pd;
        return SX_CAP_OK;
    }
    if (rc == PCAP_ERROR_BREAK)
        return SX_CAP_EOF;

    /* A read error is not damage to the file. */
    if (ferror(cap->fp)) {
        snprintf(cap->msg, sizeof(cap->msg), "read error: %s",
                 strerror(errno != 0 ? errno : EIO));
        return SX_CAP_ERR_IO;
    }
    snprintf(cap->msg, sizeof(cap->msg), "%s", pcap_geterr(cap->pcap));
    return SX_CAP_ERR_CORRUPT;
}

int sx_capture_next(struct sx_capture *cap, struct sx_frame_hdr *hdr,
                    const uint8_t **data, char *err, size_t errlen)
{
    int rc;

    if (cap->kind == CAP_PCAPNG)
        return sx_pcapng_next(cap->ng, hdr, data, err, errlen);

    if (cap->status == SX_CAP_OK) {
        rc = pcap_next_frame(cap, hdr, data);
        if (rc == SX_CAP_OK)
            return SX_CAP_OK;
        cap->status = rc;
    }
    if (cap->status < 0)
        set_err(err, errlen, cap->msg);
    return cap->status;
}

uint64_t sx_capture_size(const struct sx_capture *cap)
{
    return cap->size;
}

const struct sx_file_id *sx_capture_id(const struct sx_capture *cap)
{
    return &cap->id;
}

bool sx_file_id_kept(const struct sx_file_id *now,
                     const struct sx_file_id *then)
{
    if (!now->regular || !then->regular || now->dev != then->dev ||
        now->ino != then->ino || now->size < then->size)
        return false;
    /* A capture still being written grows: its start stays as read. */
    return now->size > then->size || (now->mtime_sec == then->mtime_sec &&
                                      now->mtime_nsec == then->mtime_nsec);
}

uint64_t sx_capture_offset(const struct sx_capture *cap)
{
    long off;

    if (cap->kind == CAP_PCAPNG)
        return sx_pcapng_offset(cap->ng);
    off = ftell(cap->fp);
    return off < 0 ? 0 : (uint64_t)off;
}

void sx_capture_close(struct sx_capture *cap)
{
    if (cap == NULL)
        return;
    sx_pcapng_close(cap->ng);
    /* pcap_close() closes the FILE it was given. */
    if (cap->pcap != NULL)
        pcap_close(cap->pcap);
    else if (cap->fp != NULL)
        fclose(cap->fp);
    free(cap);
}
