/*
 * sigext.c - the command line: sigext packets|flows|signature|compare|
 * profile|firewall.
 *
 * The only place that parses arguments, prints and exits.  Library
 * statuses map to documented exit codes (see usage() and the man page).
 * Outputs are written to a temporary file beside the target and renamed
 * into place, so an error or a signal never leaves half a file behind.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "sigext/sigext.h"

/* Exit codes (documented in --help, README and sigext.1). */
enum {
    EX_SX_OK = 0,
    EX_SX_NOSIG = 1,        /* no signature: no flow recurs in every trace */
    EX_SX_USAGE = 2,        /* bad command line */
    EX_SX_IO = 3,           /* an input cannot be opened or read */
    EX_SX_FORMAT = 4,       /* an input is not a capture / sigext file */
    EX_SX_CORRUPT = 5,      /* an input is damaged (or --strict) */
    EX_SX_LIMIT = 6,        /* --max-flows or another limit exceeded */
    EX_SX_OUTPUT = 7,       /* the output cannot be written */
    EX_SX_INTERNAL = 8,     /* out of memory */
};

static const char *progname = "sigext";
static int verbosity = 1;  /* 0 quiet, 1 warnings, 2 info, 3 debug */

/* ---- messages ---- */

/*
 * stderr is shared by the reading threads (the library's log callback),
 * the progress line and the main thread.  Each line is formatted whole
 * and leaves in one write(2) under this lock, so lines never tear or
 * interleave, even when stderr is a pipe another process also writes.
 */
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;
static bool progress_shown;     /* a progress line is on the terminal */

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;             /* nowhere left to report it */
        s += w;
        n -= (size_t)w;
    }
}

static void msg(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void msg(const char *level, const char *fmt, ...)
{
    char small[1024], *line = small;
    size_t head, len;
    va_list ap;
    int saved = errno, n;

    pthread_mutex_lock(&stderr_lock);
    /* A message replaces the progress line rather than trailing it. */
    head = (size_t)snprintf(small, sizeof(small), "%s%s: %s%s",
                            progress_shown ? "\r\033[K" : "", progname,
                            level != NULL ? level : "",
                            level != NULL ? ": " : "");
    progress_shown = false;
    va_start(ap, fmt);
    n = vsnprintf(small + head, sizeof(small) - head, fmt, ap);
    va_end(ap);
    len = n < 0 ? head : head + (size_t)n;
    if (len + 1 >= sizeof(small)) {
        /* Long paths: format again into a buffer that fits, or cut. */
        line = malloc(len + 2);
        if (line != NULL) {
            memcpy(line, small, head);
            va_start(ap, fmt);
            vsnprintf(line + head, len + 2 - head, fmt, ap);
            va_end(ap);
        } else {
            line = small;
            len = sizeof(small) - 2;
        }
    }
    line[len++] = '\n';
    write_all(line, len);
    if (line != small)
        free(line);
    pthread_mutex_unlock(&stderr_lock);
    errno = saved;
}

static void on_log(void *user, sigext_log_level level, const char *text)
{
    static const char *names[] = {"error", "warning", "info", "debug"};
    (void)user;
    msg(level == SIGEXT_LOG_ERROR ? NULL : names[level], "%s", text);
}

static int exit_code(int status)
{
    switch (status) {
    case SIGEXT_OK:               return EX_SX_OK;
    case SIGEXT_ERR_NO_SIGNATURE: return EX_SX_NOSIG;
    case SIGEXT_ERR_USAGE:        return EX_SX_USAGE;
    case SIGEXT_ERR_IO:           return EX_SX_IO;
    case SIGEXT_ERR_FORMAT:       return EX_SX_FORMAT;
    case SIGEXT_ERR_CORRUPT:      return EX_SX_CORRUPT;
    case SIGEXT_ERR_LIMIT:        return EX_SX_LIMIT;
    case SIGEXT_ERR_OUTPUT:       return EX_SX_OUTPUT;
    default:                      return EX_SX_INTERNAL;
    }
}

/* ---- progress ---- */

/*
 * One line on a terminal, rewritten at most four times a second: the
 * file, how much of it was read and how fast.  Several reading threads
 * share it, hence the stderr lock.
 */
static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double progress_start;

static void on_progress(void *user, const char *path, uint64_t bytes,
                        uint64_t total, uint64_t frames)
{
    static double last;
    static uint64_t frames_total;
    double now = now_seconds();
    (void)user;

    pthread_mutex_lock(&stderr_lock);
    frames_total += 65536;
    if (now - last >= 0.25) {
        double rate = (double)frames_total / (now - progress_start);
        const char *base = strrchr(path, '/');
        char where[64], line[512];
        int n;

        /* A pipe has no size: say how much was read instead. */
        if (total > 0)
            snprintf(where, sizeof(where), "%.0f%% of %.0f MB",
                     100.0 * (double)bytes / (double)total,
                     (double)total / 1e6);
        else
            snprintf(where, sizeof(where), "%.0f MB", (double)bytes / 1e6);
        n = snprintf(line, sizeof(line),
                     "\r%s: %s %s, %llu packets, %.2f Mpkt/s   ", progname,
                     base ? base + 1 : path, where,
                     (unsigned long long)frames, rate / 1e6);
        write_all(line, n < (int)sizeof(line) ? (size_t)n
                                               : sizeof(line) - 1);
        last = now;
        progress_shown = true;
    }
    pthread_mutex_unlock(&stderr_lock);
}

static void progress_end(void)
{
    pthread_mutex_lock(&stderr_lock);
    if (progress_shown)
        write_all("\r\033[K", 4);
    progress_shown = false;
    pthread_mutex_unlock(&stderr_lock);
}

/* ---- atomic output ---- */

/* The temporary file being written, removed by the signal handler. */
static char tmp_path[4096];
static volatile sig_atomic_t tmp_live;

static void on_signal(int sig)
{
    if (tmp_live)
        unlink(tmp_path);
    signal(sig, SIG_DFL);
    raise(sig);
}

struct output {
    const char *target;     /* NULL or "-" for stdout */
    char path[4096];        /* the file replaced (symbolic links followed) */
    FILE *fp;
    bool direct;            /* written in place (stdout, device, FIFO) */
};

/* Where the symbolic link `link` points, relative to its directory. */
static int link_target(const char *link, char *out, size_t size)
{
    char to[4096];
    ssize_t n = readlink(link, to, sizeof(to) - 1);
    const char *slash = strrchr(link, '/');
    int dir = slash != NULL ? (int)(slash - link + 1) : 0;

    if (n < 0)
        return -1;
    to[n] = '\0';
    if (to[0] == '/' || dir == 0)
        return snprintf(out, size, "%s", to) < (int)size ? 0 : -1;
    return snprintf(out, size, "%.*s%s", dir, link, to) < (int)size ? 0 : -1;
}

static int output_open(struct output *o, const char *target)
{
    struct stat st;
    mode_t mode;
    int fd;

    memset(o, 0, sizeof(*o));
    o->target = target;
    if (target == NULL || strcmp(target, "-") == 0) {
        o->fp = stdout;
        o->direct = true;
        return 0;
    }
    /* Devices and FIFOs are written directly, never replaced. */
    if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        o->fp = fopen(target, "w");
        o->direct = true;
        if (o->fp == NULL) {
            msg(NULL, "%s: %s", target, strerror(errno));
            return -1;
        }
        return 0;
    }
    /* Write through a symbolic link: replace what it points to, or
     * create it when it does not exist yet (a dangling link). */
    if (lstat(target, &st) != 0 || !S_ISLNK(st.st_mode) ||
        (realpath(target, o->path) == NULL &&
         link_target(target, o->path, sizeof(o->path)) != 0))
        snprintf(o->path, sizeof(o->path), "%s", target);

    /* An existing file keeps its mode; a new one follows the umask.  A
     * file we may not write is not replaced behind its owner's back. */
    if (stat(o->path, &st) == 0) {
        if (access(o->path, W_OK) != 0) {
            msg(NULL, "%s: %s", target, strerror(errno));
            return -1;
        }
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    /* NAME.XXXXXX beside the target; a name too long for seven more
     * bytes (NAME_MAX) is cut for the temporary file only. */
    const char *base = strrchr(o->path, '/');
    size_t dir = base != NULL ? (size_t)(base + 1 - o->path) : 0;
    size_t keep = strlen(o->path + dir);
    if (keep > NAME_MAX - 7)
        keep = NAME_MAX - 7;
    if (snprintf(tmp_path, sizeof(tmp_path), "%.*s%.*s.XXXXXX", (int)dir,
                 o->path, (int)keep, o->path + dir) >= (int)sizeof(tmp_path)) {
        msg(NULL, "%s: path too long", target);
        return -1;
    }
    fd = mkstemp(tmp_path);
    if (fd < 0) {
        msg(NULL, "%s: cannot create a file beside it: %s", target,
            strerror(errno));
        return -1;
    }
    tmp_live = 1;
    fchmod(fd, mode);
    o->fp = fdopen(fd, "w");
    if (o->fp == NULL) {
        close(fd);
        unlink(tmp_path);
        tmp_live = 0;
        msg(NULL, "%s: %s", target, strerror(errno));
        return -1;
    }
    return 0;
}

/* Finish the output: commit when ok, else discard.  Returns 0 or -1. */
static int output_close(struct output *o, bool ok)
{
    int err = 0;

    if (o->fp == NULL)
        return 0;
    if (fflush(o->fp) != 0 || ferror(o->fp))
        err = errno ? errno : EIO;
    if (o->fp != stdout && fclose(o->fp) != 0 && err == 0)
        err = errno;
    o->fp = NULL;
    if (o->direct) {
        if (ok && err != 0) {
            msg(NULL, "%s: %s",
                o->target != NULL && strcmp(o->target, "-") != 0
                    ? o->target : "standard output",
                strerror(err));
            return -1;
        }
        return 0;
    }
    if (!ok || err != 0) {
        unlink(tmp_path);
        tmp_live = 0;
        if (ok)
            msg(NULL, "%s: %s", o->target, strerror(err));
        return ok ? -1 : 0;
    }
    if (rename(tmp_path, o->path) != 0) {
        msg(NULL, "%s: %s", o->target, strerror(errno));
        unlink(tmp_path);
        tmp_live = 0;
        return -1;
    }
    tmp_live = 0;
    return 0;
}

/* ---- options ---- */

enum {
    OPT_DNS_CACHE = 256,
    OPT_KEEP_DHCP,
    OPT_STRICT,
    OPT_MAX_FLOWS,
    OPT_DEVICE,
    OPT_DEVICE_IP,
    OPT_DEVICE_IPV6,
    OPT_MAC,
    OPT_PROFILE,
    OPT_DOMAIN_SETS,
};

static const struct option longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"timeout", required_argument, NULL, 't'},
    {"match-random-ports", no_argument, NULL, 'm'},
    {"dns-cache", required_argument, NULL, OPT_DNS_CACHE},
    {"keep-dhcp", no_argument, NULL, OPT_KEEP_DHCP},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"device-ip", required_argument, NULL, OPT_DEVICE_IP},
    {"device-ipv6", required_argument, NULL, OPT_DEVICE_IPV6},
    {"mac", required_argument, NULL, OPT_MAC},
    {"profile", required_argument, NULL, OPT_PROFILE},
    {"domain-sets", no_argument, NULL, OPT_DOMAIN_SETS},
    {"jobs", required_argument, NULL, 'j'},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Leading ':' so that a missing value is reported apart. */
static const char shortopts[] = ":o:f:t:mj:vqhV";

/*
 * 1 when the option argument `arg` ("-o", "--output", "-vo", "--out")
 * takes the next argument as its value, as getopt_long() will read it.
 */
static int takes_value(const char *arg)
{
    if (arg[1] == '-') {
        const char *name = arg + 2;
        size_t n = strcspn(name, "=");
        const struct option *hit = NULL;
        int hits = 0;

        if (name[n] == '=')
            return 0;
        /* getopt_long() takes an unambiguous prefix of a long name. */
        for (const struct option *o = longopts; o->name != NULL; o++) {
            if (strncmp(o->name, name, n) != 0)
                continue;
            if (o->name[n] == '\0') {
                hit = o;
                hits = 1;
                break;
            }
            hit = o;
            hits++;
        }
        return hits == 1 && hit->has_arg == required_argument;
    }
    for (const char *c = arg + 1; *c != '\0'; c++) {
        const char *o = strchr(shortopts + 1, *c);
        if (o != NULL && *c != ':' && o[1] == ':')
            return c[1] == '\0';   /* else the rest is the value */
    }
    return 0;
}

struct args {
    const char *cmd;
    const char *output;
    const char *format;
    const char *dns_cache;
    const char *device;
    const char *device_ip;
    const char *device_ipv6;
    const char *mac;
    const char *profile;
    bool domain_sets;
    int jobs;
    bool jobs_set, timeout_set, max_flows_set;
    sigext_options opt;
    char **inputs;
    int n_inputs;
};

static void usage(FILE *fp)
{
    fprintf(fp,
"Usage: sigext COMMAND [OPTIONS] INPUT...\n"
"Learn the network signature of a smart-home device event from captures.\n"
"\n"
"Commands:\n"
"  packets   TRACE                packet records of one trace (CSV)\n"
"  flows     TRACE|PACKETS.csv    flow fingerprints of one trace\n"
"  signature TRACE...             flows recurring in every trace (main job)\n"
"  compare   A B                  distance between fingerprints or signatures\n"
"  profile   SIGNATURE            smart-home-firewall device profile (YAML)\n"
"  firewall  SIGNATURE [TRACE...] nftables script; the traces only teach\n"
"                                 names for --domain-sets\n"
"  firewall  --profile FILE       nftables script of a device profile\n"
"A TRACE is a pcap or pcapng file, '-' for standard input, or a\n"
"directory: every capture in it, in name order.  SIGNATURE is a CSV or\n"
"JSON file that sigext wrote.\n"
"\n"
"Output:\n"
"  -o, --output FILE        write to FILE (atomically); '-' is stdout [-]\n"
"  -f, --format FMT         csv, json, or yaml (a device profile: needs\n"
"                           --device and --device-ip) for flows and\n"
"                           signature [csv]\n"
"\n"
"Extraction:\n"
"  -t, --timeout SEC        stop a trace at a gap longer than SEC [20]\n"
"  -m, --match-random-ports a port every merged flow used is fixed too\n"
"      --dns-cache FILE     learn names from an unbound-control dump_cache\n"
"      --keep-dhcp          keep DHCP packets (dropped by default)\n"
"      --strict             a damaged capture is an error, not a warning\n"
"      --max-flows N        fail when a trace has more flows (before\n"
"                           they merge into fingerprints) [1000000]\n"
"  -j, --jobs N             read up to N traces in parallel, 1 to 64\n"
"                           [the number of CPUs, at most 8]\n"
"\n"
"Policies (profile, firewall, --format yaml):\n"
"      --device NAME        device name (profile name, nftables table)\n"
"      --device-ip IP       device IPv4 address, written 'self'\n"
"      --device-ipv6 IP     device IPv6 address\n"
"      --mac MAC            device MAC address (profile only)\n"
"      --profile FILE       firewall: translate this profile instead\n"
"      --domain-sets        firewall: match domain names with address sets\n"
"\n"
"General:\n"
"  -v, --verbose            more messages (repeatable)\n"
"  -q, --quiet              errors only\n"
"  -h, --help               this help\n"
"  -V, --version            version\n"
"\n"
"Exit status:\n"
"  0 success             1 no signature found    2 usage error\n"
"  3 unreadable input    4 not a capture or sigext file\n"
"  5 corrupt input       6 limit exceeded        7 cannot write output\n"
"  8 out of memory\n"
"  Ended by SIGINT, SIGTERM or SIGHUP, sigext dies by that signal (shell\n"
"  status 130, 143, 129) and leaves no output file.\n"
"\n"
"Examples:\n"
"  sigext signature examples/plug-on\n"
"  sigext signature -m -o plug.csv on-1.pcap on-2.pcap on-3.pcap\n"
"  sigext flows --format json capture.pcapng\n"
"  sigext firewall --device plug --device-ip 192.168.1.50 plug.csv\n");
}

/*
 * Numbers on the command line are plain decimals: "20", "0.5".  strtod()
 * alone would also take " 5", "+5", "0x10", "1e3" and "inf", which a
 * typo can produce and nobody means.
 */
static bool plain_decimal(const char *s, bool fraction)
{
    size_t digits = strspn(s, "0123456789");

    if (digits == 0)
        return false;
    s += digits;
    if (fraction && *s == '.') {
        digits = strspn(s + 1, "0123456789");
        if (digits == 0)
            return false;           /* "1." */
        s += 1 + digits;
    }
    return *s == '\0';
}

static int parse_double(const char *s, double *out)
{
    char *end;

    if (!plain_decimal(s, true))
        return -1;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && *end == '\0' ? 0 : -1;
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;

    if (!plain_decimal(s, false))
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > SIZE_MAX)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_args(const char *cmd, int argc, char **argv,
                      struct args *a)
{
    int c;

    memset(a, 0, sizeof(*a));
    sigext_options_init(&a->opt);
    /* One reading thread per CPU by default: the output is the same
     * whatever the number. */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    a->jobs = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
    a->cmd = cmd;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        size_t n;
        switch (c) {
        case 'o': a->output = optarg; break;
        case 'f': a->format = optarg; break;
        case 't':
            if (parse_double(optarg, &a->opt.timeout) != 0) {
                msg(NULL, "--timeout: '%s' is not a number of seconds "
                    "(a plain decimal: 20, 0.5)", optarg);
                return -1;
            }
            a->timeout_set = true;
            break;
        case 'm': a->opt.match_random_ports = true; break;
        case OPT_DNS_CACHE: a->dns_cache = optarg; break;
        case OPT_KEEP_DHCP: a->opt.keep_dhcp = true; break;
        case OPT_STRICT: a->opt.strict = true; break;
        case OPT_MAX_FLOWS:
            if (parse_size(optarg, &a->opt.max_flows) != 0) {
                msg(NULL, "--max-flows: '%s' is not a number from 1 to "
                    "%zu", optarg, (size_t)SIZE_MAX);
                return -1;
            }
            a->max_flows_set = true;
            break;
        case OPT_DEVICE: a->device = optarg; break;
        case OPT_DEVICE_IP: a->device_ip = optarg; break;
        case OPT_DEVICE_IPV6: a->device_ipv6 = optarg; break;
        case OPT_MAC: a->mac = optarg; break;
        case OPT_PROFILE: a->profile = optarg; break;
        case OPT_DOMAIN_SETS: a->domain_sets = true; break;
        case 'j':
            if (parse_size(optarg, &n) != 0 || n > 64) {
                msg(NULL, "--jobs: '%s' is not a number from 1 to 64",
                    optarg);
                return -1;
            }
            a->jobs = (int)n;
            a->jobs_set = true;
            break;
        case 'v': verbosity++; break;
        case 'q': verbosity = 0; break;
        case 'h': usage(stdout); exit(EX_SX_OK);
        case 'V': printf("sigext %s\n", SIGEXT_VERSION); exit(EX_SX_OK);
        case ':':
            msg(NULL, "option '%s' needs a value; try 'sigext --help'",
                argv[optind - 1]);
            return -1;
        default:
            if (optopt != 0)
                msg(NULL, "unknown option '-%c'; try 'sigext --help'",
                    optopt);
            else
                msg(NULL, "unknown option '%s'; try 'sigext --help'",
                    argv[optind - 1]);
            return -1;
        }
    }
    a->inputs = argv + optind;
    a->n_inputs = argc - optind;
    return 0;
}

/* ---- inputs ---- */

struct paths {
    char **v;
    size_t n;
    size_t cap;
};

static int paths_add(struct paths *p, const char *s)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **v = realloc(p->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n] = strdup(s);
    return p->v[p->n++] == NULL ? -1 : 0;
}

static void paths_free(struct paths *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/*
 * True when the file starts with a pcap or pcapng magic number.  When it
 * does not, *why says why (for a file whose name says it is a capture).
 */
static bool looks_like_capture(const char *path, const char **why)
{
    unsigned char m[4];
    FILE *fp = fopen(path, "rb");
    bool yes = false;

    *why = "not a pcap or pcapng file";
    if (fp == NULL) {
        *why = strerror(errno);
        return false;
    }
    size_t got = fread(m, 1, 4, fp);
    if (got == 0)
        *why = "empty file";
    if (got == 4) {
        uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
                      (uint32_t)m[2] << 8 | m[3];
        uint32_t le = (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 |
                      (uint32_t)m[1] << 8 | m[0];
        /* pcap in microseconds, nanoseconds, Kuznetzov's; pcapng */
        yes = be == 0xa1b2c3d4 || le == 0xa1b2c3d4 || be == 0xa1b23c4d ||
              le == 0xa1b23c4d || be == 0xa1b2cd34 || le == 0xa1b2cd34 ||
              be == 0x0a0d0d0a;
    }
    fclose(fp);
    return yes;
}

/* stat() of an input path; "-" is standard input. */
static int input_stat(const char *path, struct stat *st)
{
    return strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, st) : stat(path, st);
}

/* True when both inputs are one existing file (or pipe). */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return a != NULL && b != NULL && input_stat(a, &sa) == 0 &&
           input_stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Refuse to replace an input with the output. */
static int check_not_output(const struct args *a, const char *input)
{
    if (a->output == NULL || strcmp(a->output, "-") == 0 ||
        !same_file(a->output, input))
        return 0;
    msg(NULL, "%s: is both an input and the output (-o)", input);
    return -1;
}

/* Drop a file given twice (by another path too): it would count twice. */
static void dedupe(struct paths *p)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n; i++) {
        size_t j = 0;
        while (j < n && !same_file(p->v[i], p->v[j]))
            j++;
        if (j < n) {
            /* Name the other: through a link the two names differ. */
            if (verbosity > 0 && strcmp(p->v[i], p->v[j]) == 0)
                msg("warning", "%s: given twice; read once", p->v[i]);
            else if (verbosity > 0)
                msg("warning", "%s: the same file as %s; read once",
                    p->v[i], p->v[j]);
            free(p->v[i]);
            continue;
        }
        p->v[n++] = p->v[i];
    }
    p->n = n;
}

/*
 * The captures of directory `path`, in name order, added to `out`.
 * Names are read first and sorted, so that what is said of skipped
 * files comes in name order too, whatever order the file system keeps.
 */
static int expand_dir(const char *path, struct paths *out)
{
    DIR *d = opendir(path);
    struct paths names = {0};
    struct dirent *e;
    size_t before = out->n;
    int code = EX_SX_OK;

    if (d == NULL) {
        msg(NULL, "%s: %s", path, strerror(errno));
        return EX_SX_IO;
    }
    while ((e = readdir(d)) != NULL && code == EX_SX_OK) {
        char full[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
        if (paths_add(&names, full) != 0)
            code = EX_SX_INTERNAL;
    }
    closedir(d);
    if (names.n > 0)
        qsort(names.v, names.n, sizeof(*names.v), cmp_str);
    for (size_t j = 0; j < names.n && code == EX_SX_OK; j++) {
        const char *full = names.v[j], *why;
        struct stat fst;
        bool named = ends_with(full, ".pcap") || ends_with(full, ".pcapng") ||
                     ends_with(full, ".cap");
        /* Other files (notes, CSVs) are skipped quietly; one named as a
         * capture is worth a word: a dangling link, a loop, a directory,
         * or not a capture inside. */
        int r = stat(full, &fst);
        if (r != 0 || !S_ISREG(fst.st_mode)) {
            if (named && verbosity > 0)
                msg("warning", "%s: skipped: %s", full,
                    r != 0 ? strerror(errno) : "not a regular file");
            continue;
        }
        if (!looks_like_capture(full, &why)) {
            if (named && verbosity > 0)
                msg("warning", "%s: skipped: %s", full, why);
            continue;
        }
        if (paths_add(out, full) != 0)
            code = EX_SX_INTERNAL;
    }
    paths_free(&names);
    if (code == EX_SX_OK && out->n == before) {
        msg(NULL, "%s: no pcap or pcapng file in this directory", path);
        code = EX_SX_IO;
    }
    return code;
}

/* Expand TRACE arguments: a directory means its captures, by name. */
static int expand_inputs(char **in, int n, struct paths *out)
{
    for (int i = 0; i < n; i++) {
        struct stat st;
        int code;

        if (stat(in[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
            if (paths_add(out, in[i]) != 0)
                return EX_SX_INTERNAL;
            continue;
        }
        code = expand_dir(in[i], out);
        if (code != EX_SX_OK)
            return code;
    }
    return EX_SX_OK;
}

/* ---- commands ---- */

static int fail(sigext_ctx *ctx, int st)
{
    msg(NULL, "%s", sigext_error(ctx));
    return exit_code(st);
}

/* A writer failed: a write error names the output, others the input. */
static int fail_out(sigext_ctx *ctx, int st, const struct output *o)
{
    int e = errno;

    if (st != SIGEXT_ERR_OUTPUT)
        return fail(ctx, st);
    msg(NULL, "%s: %s", o->target != NULL && strcmp(o->target, "-") != 0
                            ? o->target : "standard output",
        e != 0 ? strerror(e) : "write error");
    return EX_SX_OUTPUT;
}

/* A regular file, which can be read twice ("-" never is: it has no
 * path to open again). */
static bool regular_file(const char *path)
{
    struct stat st;

    return strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
           S_ISREG(st.st_mode);
}

/* True when the file at `path` begins with `text`. */
static bool starts_with_text(const char *path, const char *text)
{
    char buf[64];
    size_t n = strlen(text);
    FILE *fp;
    bool yes;

    /* Only a regular file can be peeked at and read again. */
    if (!regular_file(path) || (fp = fopen(path, "rb")) == NULL)
        return false;
    yes = n < sizeof(buf) && fread(buf, 1, n, fp) == n &&
          memcmp(buf, text, n) == 0;
    fclose(fp);
    return yes;
}

static bool want_json(const struct args *a)
{
    return a->format != NULL && strcmp(a->format, "json") == 0;
}

static bool want_yaml(const struct args *a)
{
    return a->format != NULL && strcmp(a->format, "yaml") == 0;
}

static int read_traces(sigext_ctx *ctx, struct args *a, struct paths *files,
                       sigext_trace ***out)
{
    sigext_trace **traces = calloc(files->n, sizeof(*traces));

    if (traces == NULL)
        return EX_SX_INTERNAL;
    int st = sigext_traces_read(ctx, (const char *const *)files->v,
                                files->n, a->jobs, traces);
    progress_end();
    if (st != SIGEXT_OK) {
        free(traces);
        return fail(ctx, st);
    }
    for (size_t i = 0; i < files->n; i++) {
        if (verbosity >= 2) {
            const sigext_trace_stats *s = sigext_trace_get_stats(traces[i]);
            msg("info", "%s: %llu frames, %llu kept, %llu control, "
                "%llu without transport", files->v[i],
                (unsigned long long)s->frames, (unsigned long long)s->kept,
                (unsigned long long)s->skipped_control,
                (unsigned long long)s->skipped_no_transport);
        }
    }
    *out = traces;
    return EX_SX_OK;
}

static int write_pattern(sigext_ctx *ctx, const struct args *a,
                         const sigext_pattern *p)
{
    struct output o;
    int st;

    if (output_open(&o, a->output) != 0)
        return EX_SX_OUTPUT;
    if (want_json(a)) {
        st = sigext_write_flows_json(ctx, p, a->device_ip, o.fp);
    } else if (want_yaml(a)) {
        sigext_device dev = {a->device, a->device_ip, a->device_ipv6,
                             a->mac};
        st = sigext_write_profile(ctx, p, &dev, o.fp);
    } else
        st = sigext_write_flows_csv(ctx, p, o.fp);
    if (st != SIGEXT_OK) {
        int code = fail_out(ctx, st, &o);
        output_close(&o, false);
        return code;
    }
    return output_close(&o, true) == 0 ? EX_SX_OK : EX_SX_OUTPUT;
}

static int cmd_packets(sigext_ctx *ctx, struct args *a, struct paths *files)
{
    sigext_trace **traces;
    struct output o;
    int code;

    code = read_traces(ctx, a, files, &traces);
    if (code != EX_SX_OK)
        return code;
    if (output_open(&o, a->output) != 0) {
        code = EX_SX_OUTPUT;
        goto out;
    }
    for (size_t i = 0; i < files->n && code == EX_SX_OK; i++) {
        int st = sigext_write_packets_csv(ctx, traces[i], o.fp);
        progress_end();     /* of the second read */
        if (st != SIGEXT_OK)
            code = fail_out(ctx, st, &o);
    }
    if (output_close(&o, code == EX_SX_OK) != 0)
        code = EX_SX_OUTPUT;
out:
    for (size_t i = 0; i < files->n; i++)
        sigext_trace_free(traces[i]);
    free(traces);
    return code;
}

static int cmd_flows(sigext_ctx *ctx, struct args *a, struct paths *files)
{
    sigext_trace *t = NULL;
    sigext_pattern *p = NULL;
    int st, code;

    if (files->n != 1) {
        msg(NULL, "flows: takes one trace (%zu given); use 'signature' "
            "for several", files->n);
        return EX_SX_USAGE;
    }
    if (ends_with(files->v[0], ".csv") || starts_with_text(files->v[0],
                                                          "id,timestamp,")) {
        /* Packet records: what reading a capture decides is decided. */
        const char *what = a->timeout_set ? "--timeout"
                           : a->opt.strict ? "--strict"
                           : a->opt.keep_dhcp ? "--keep-dhcp" : NULL;
        if (what != NULL && verbosity > 0)
            msg("warning", "%s has no effect on packet records (%s)", what,
                files->v[0]);
        st = sigext_trace_read_csv(ctx, files->v[0], &t);
    } else
        st = sigext_trace_read(ctx, files->v[0], &t);
    progress_end();
    if (st != SIGEXT_OK)
        return fail(ctx, st);
    st = sigext_pattern_build(ctx, t, &p);
    if (st != SIGEXT_OK)
        code = fail(ctx, st);
    else
        code = write_pattern(ctx, a, p);
    sigext_pattern_free(p);
    sigext_trace_free(t);
    return code;
}

static int cmd_signature(sigext_ctx *ctx, struct args *a,
                         struct paths *files)
{
    sigext_trace **traces;
    sigext_pattern **pats;
    sigext_pattern *sig = NULL;
    int code, st = SIGEXT_OK;

    code = read_traces(ctx, a, files, &traces);
    if (code != EX_SX_OK)
        return code;
    pats = calloc(files->n, sizeof(*pats));
    if (pats == NULL) {
        code = EX_SX_INTERNAL;
        goto out;
    }
    /* Patterns are built after every trace is read: names learned in any
     * trace apply to all of them. */
    for (size_t i = 0; i < files->n && st == SIGEXT_OK; i++)
        st = sigext_pattern_build(ctx, traces[i], &pats[i]);
    if (st == SIGEXT_OK)
        st = sigext_signature_extract(
            ctx, (const sigext_pattern *const *)pats, files->n, &sig);
    if (st != SIGEXT_OK)
        code = fail(ctx, st);
    else
        code = write_pattern(ctx, a, sig);
    sigext_pattern_free(sig);
    for (size_t i = 0; i < files->n; i++)
        sigext_pattern_free(pats[i]);
    free(pats);
out:
    for (size_t i = 0; i < files->n; i++)
        sigext_trace_free(traces[i]);
    free(traces);
    return code;
}

static int cmd_compare(sigext_ctx *ctx, struct args *a)
{
    sigext_pattern *p[2] = {NULL, NULL};
    struct output o;
    int st = SIGEXT_OK, code = EX_SX_OK;
    char id[1024];

    if (a->n_inputs != 2) {
        msg(NULL, "compare: needs two files A B (%d given)", a->n_inputs);
        return EX_SX_USAGE;
    }
    for (int i = 0; i < 2 && st == SIGEXT_OK; i++)
        st = sigext_pattern_read(ctx, a->inputs[i], &p[i]);
    if (st != SIGEXT_OK) {
        code = fail(ctx, st);
        goto out;
    }
    if (output_open(&o, a->output) != 0) {
        code = EX_SX_OUTPUT;
        goto out;
    }
    /* Two single fingerprints: just the distance. */
    if (p[0]->n_flows == 1 && p[1]->n_flows == 1) {
        fprintf(o.fp, "%.4f\n",
                sigext_flow_distance(&p[0]->flows[0], &p[1]->flows[0]));
    } else {
        fprintf(o.fp, "flow,closest,distance\n");
        for (size_t i = 0; i < p[0]->n_flows; i++) {
            double d = 1.0;
            long j = sigext_closest_flow(&p[0]->flows[i], p[1], &d);
            sigext_flow_id(&p[0]->flows[i], id, sizeof(id));
            fprintf(o.fp, "%s,", id);
            if (j >= 0) {
                sigext_flow_id(&p[1]->flows[j], id, sizeof(id));
                fprintf(o.fp, "%s,%.4f\n", id, d);
            } else {
                fprintf(o.fp, ",\n");
            }
        }
    }
    if (output_close(&o, true) != 0)
        code = EX_SX_OUTPUT;
out:
    sigext_pattern_free(p[0]);
    sigext_pattern_free(p[1]);
    return code;
}

static int check_ipv4(const char *opt, const char *ip)
{
    struct in_addr in;

    if (ip == NULL || inet_pton(AF_INET, ip, &in) == 1)
        return 0;
    msg(NULL, "%s: '%s' is not an IPv4 address", opt, ip);
    return -1;
}

/* Is the IPv4 address `ip` a host of some flow of `p`?  A signature
 * learned on another address ("self" of a JSON bound to the device-ip it
 * was written with) would give rules that miss the device. */
static bool device_in(const sigext_pattern *p, const char *ip)
{
    struct in_addr want, got;

    if (p->n_flows == 0 || inet_pton(AF_INET, ip, &want) != 1)
        return true;
    for (size_t i = 0; i < p->n_flows; i++) {
        const sigext_host *h[2] = { p->flows[i].src, p->flows[i].dst };
        for (int j = 0; j < 2; j++) {
            if (h[j] != NULL && inet_pton(AF_INET, h[j]->text, &got) == 1 &&
                got.s_addr == want.s_addr)
                return true;
        }
    }
    return false;
}

static int cmd_policy(sigext_ctx *ctx, struct args *a, bool firewall)
{
    sigext_pattern *p = NULL;
    sigext_device dev = {a->device, a->device_ip, a->device_ipv6, a->mac};
    sigext_nft_options nopt = {a->domain_sets};
    struct output o;
    int st, code = EX_SX_OK;

    if (firewall && a->profile != NULL) {
        if (a->n_inputs != 0) {
            msg(NULL, "firewall: --profile takes no SIGNATURE argument");
            return EX_SX_USAGE;
        }
    } else {
        if (a->device == NULL || a->device_ip == NULL) {
            msg(NULL, "%s: --device NAME and --device-ip IP are required",
                a->cmd);
            return EX_SX_USAGE;
        }
        if (a->n_inputs < 1 || (!firewall && a->n_inputs > 1)) {
            msg(NULL, "%s: needs one SIGNATURE file (%d arguments given)",
                a->cmd, a->n_inputs);
            return EX_SX_USAGE;
        }
    }
    if (a->profile == NULL || !firewall) {
        if (ends_with(a->inputs[0], ".yaml") || ends_with(a->inputs[0], ".yml")) {
            msg(NULL, "%s: a profile, not a signature; %s", a->inputs[0],
                firewall ? "use 'sigext firewall --profile FILE'"
                         : "profile takes a CSV or JSON signature");
            return EX_SX_FORMAT;
        }
        st = sigext_pattern_read(ctx, a->inputs[0], &p);
        if (st != SIGEXT_OK)
            return fail(ctx, st);
        if (!device_in(p, a->device_ip) && verbosity > 0)
            msg("warning", "%s: --device-ip %s is in none of its flows; "
                "their rules name the addresses as captured", a->inputs[0],
                a->device_ip);
    }
    /* firewall SIGNATURE TRACE...: the traces only teach names, for the
     * address sets of --domain-sets. */
    if (firewall && a->n_inputs > 1 && a->domain_sets) {
        struct paths files = {0};
        sigext_trace **traces = NULL;
        code = expand_inputs(a->inputs + 1, a->n_inputs - 1, &files);
        if (code == EX_SX_OK)
            code = read_traces(ctx, a, &files, &traces);
        for (size_t i = 0; traces != NULL && i < files.n; i++)
            sigext_trace_free(traces[i]);
        free(traces);
        paths_free(&files);
        if (code != EX_SX_OK) {
            sigext_pattern_free(p);
            return code;
        }
    }
    if (output_open(&o, a->output) != 0) {
        sigext_pattern_free(p);
        return EX_SX_OUTPUT;
    }
    if (!firewall)
        st = sigext_write_profile(ctx, p, &dev, o.fp);
    else if (a->profile != NULL)
        st = sigext_write_nft_from_profile(ctx, a->profile, &nopt, o.fp);
    else
        st = sigext_write_nft(ctx, p, &dev, &nopt, o.fp);
    if (st != SIGEXT_OK)
        code = fail_out(ctx, st, &o);
    if (output_close(&o, code == EX_SX_OK) != 0)
        code = EX_SX_OUTPUT;
    sigext_pattern_free(p);
    return code;
}

static bool is_cmd(const struct args *a, const char *name)
{
    return strcmp(a->cmd, name) == 0;
}

/* Whether the command writes names, and so reads --dns-cache. */
static bool uses_names(const struct args *a)
{
    return is_cmd(a, "packets") || is_cmd(a, "flows") ||
           is_cmd(a, "signature") || (is_cmd(a, "firewall") && a->domain_sets);
}

static void no_effect(const struct args *a, const char *opt, bool given)
{
    if (given && verbosity > 0)
        msg("warning", "%s has no effect with '%s'", opt, a->cmd);
}

/* RFC 7042 section 2.1 form: six colon-separated hex pairs. */
static bool valid_mac(const char *s)
{
    for (int i = 0; i < 17; i++) {
        char c = s[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                   (c >= 'A' && c <= 'F');
        if (i % 3 == 2 ? c != ':' : !hex)
            return false;
    }
    return s[17] == '\0';
}

/*
 * Check the option combination before any input is read, so that a
 * mistake costs nothing: values that cannot work are errors, options the
 * command does not use are warnings.
 */
static int check_args(const struct args *a)
{
    bool flows = is_cmd(a, "flows") || is_cmd(a, "signature");
    bool policy = is_cmd(a, "profile") || is_cmd(a, "firewall");

    if (a->format != NULL) {
        if (!flows && !is_cmd(a, "packets")) {
            msg(NULL, "%s: --format applies to packets, flows and "
                "signature", a->cmd);
            return -1;
        }
        if (strcmp(a->format, "csv") != 0 &&
            ((strcmp(a->format, "json") != 0 &&
              strcmp(a->format, "yaml") != 0) || !flows)) {
            msg(NULL, "%s: --format '%s' is not available (choose: %s)",
                a->cmd, a->format, flows ? "csv, json, yaml" : "csv");
            return -1;
        }
        /* YAML is a device profile: it names the device. */
        if (want_yaml(a) && (a->device == NULL || a->device_ip == NULL)) {
            msg(NULL, "%s: --format yaml writes a device profile; it needs "
                "--device NAME and --device-ip IP", a->cmd);
            return -1;
        }
    }
    if (a->output != NULL && a->output[0] == '\0') {
        msg(NULL, "-o: an empty file name; '-' is standard output");
        return -1;
    }
    if (a->dns_cache != NULL && strcmp(a->dns_cache, "-") == 0) {
        msg(NULL, "--dns-cache: standard input is not read here; give the "
            "dump's file");
        return -1;
    }
    if ((a->profile != NULL && a->profile[0] == '\0') ||
        (a->dns_cache != NULL && a->dns_cache[0] == '\0')) {
        msg(NULL, "%s: an empty file name",
            a->profile != NULL && a->profile[0] == '\0' ? "--profile"
                                                         : "--dns-cache");
        return -1;
    }
    if (a->profile != NULL && !is_cmd(a, "firewall")) {
        msg(NULL, "%s: --profile is an option of 'firewall'", a->cmd);
        return -1;
    }
    if (check_ipv4("--device-ip", a->device_ip) != 0)
        return -1;
    if (a->device_ipv6 != NULL) {
        struct in6_addr in6;
        if (inet_pton(AF_INET6, a->device_ipv6, &in6) != 1) {
            msg(NULL, "--device-ipv6: '%s' is not an IPv6 address",
                a->device_ipv6);
            return -1;
        }
    }
    if (a->mac != NULL && !valid_mac(a->mac)) {
        msg(NULL, "--mac: '%s' is not a MAC address (aa:bb:cc:dd:ee:ff)",
            a->mac);
        return -1;
    }
    /* A profile's device name becomes its firewall's table name. */
    if (a->device != NULL && !sigext_nft_name_ok(a->device)) {
        msg(NULL, "--device: '%s' cannot name an nftables table (letters, "
            "digits, '_', '-', '.'; not first a digit or '-'; not an nft "
            "keyword)", a->device);
        return -1;
    }

    bool profile = is_cmd(a, "profile") || (flows && want_yaml(a));
    no_effect(a, "--device", !policy && !profile && a->device != NULL);
    no_effect(a, "--device-ipv6",
              !policy && !profile && a->device_ipv6 != NULL);
    no_effect(a, "--mac", !profile && a->mac != NULL);
    no_effect(a, "--device-ip", a->device_ip != NULL && !policy &&
              !profile && !(flows && want_json(a)));
    no_effect(a, "--domain-sets", a->domain_sets && !is_cmd(a, "firewall"));
    /* Options of reading captures: 'firewall' reads traces only to
     * learn names for --domain-sets. */
    bool traces = flows || is_cmd(a, "packets") ||
                  (is_cmd(a, "firewall") && a->n_inputs > 1 &&
                   a->domain_sets);
    if (is_cmd(a, "firewall") && verbosity > 0) {
        bool taught = a->dns_cache != NULL ||
                      (a->profile == NULL && a->n_inputs > 1);
        if (a->profile == NULL && a->n_inputs > 1 && !a->domain_sets)
            msg("warning", "firewall: a TRACE only teaches names for "
                "--domain-sets; without it the traces are not read");
        else if (a->domain_sets && !taught)
            msg("warning", "firewall: --domain-sets without %s knows no "
                "address of any name; rules for names stay queued",
                a->profile == NULL ? "a TRACE or --dns-cache"
                                   : "--dns-cache");
    }
    no_effect(a, "--timeout", a->timeout_set && !traces);
    no_effect(a, "--strict", a->opt.strict && !traces);
    no_effect(a, "--keep-dhcp", a->opt.keep_dhcp && !traces);
    no_effect(a, "--max-flows", a->max_flows_set && !traces);
    no_effect(a, "--jobs", a->jobs_set && !traces);
    no_effect(a, "--dns-cache", a->dns_cache != NULL && !uses_names(a));
    no_effect(a, "--match-random-ports",
              a->opt.match_random_ports && !flows);
    if (is_cmd(a, "firewall") && a->profile != NULL) {
        no_effect(a, "--device with --profile", a->device != NULL);
        no_effect(a, "--device-ip with --profile", a->device_ip != NULL);
    }
    return 0;
}

/*
 * Operand i names an input: not "", and "-" (standard input) not from a
 * terminal.  It can be read only once: traces given twice are read once
 * (dedupe()), but compare needs two inputs.
 */
static int check_input_name(const struct args *a, int i)
{
    const char *in = a->inputs[i];

    if (in[0] == '\0') {
        msg(NULL, "%s: an input file name is empty", a->cmd);
        return -1;
    }
    if (strcmp(in, "-") != 0)
        return 0;
    for (int j = 0; j < i && is_cmd(a, "compare"); j++) {
        if (strcmp(a->inputs[j], "-") == 0) {
            msg(NULL, "%s: '-' (standard input) given twice; it can be "
                "read once", a->cmd);
            return -1;
        }
    }
    if (isatty(STDIN_FILENO)) {
        msg(NULL, "-: standard input is a terminal; pipe or redirect a "
            "file into it");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct args a;
    struct paths files = {0};
    sigext_ctx *ctx;
    int code;

    if (argc < 2) {
        fprintf(stderr, "Usage: sigext COMMAND [OPTIONS] INPUT...  "
                "(packets, flows, signature, compare, profile, firewall)\n"
                "Try 'sigext --help' for more.\n");
        return EX_SX_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return EX_SX_OK;
    }
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("sigext %s\n", SIGEXT_VERSION);
        return EX_SX_OK;
    }
    /* The command is the first operand naming one, so that options may
     * come before it ("sigext -v signature ..."); an option's value is
     * not an operand ("sigext -o flows signature ..."). */
    static const char *const cmds[] = {"packets", "flows", "signature",
                                       "compare", "profile", "firewall"};
    const char *cmd = NULL, *first = NULL;
    int at = 0;
    bool options = true;
    for (int i = 1; i < argc && cmd == NULL; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
            continue;
        }
        if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
            i += takes_value(argv[i]);
            continue;
        }
        if (first == NULL)
            first = argv[i];
        for (size_t j = 0; j < sizeof(cmds) / sizeof(cmds[0]); j++)
            if (strcmp(argv[i], cmds[j]) == 0) {
                cmd = cmds[j];
                at = i;
            }
    }
    if (cmd == NULL) {
        /* A bad option or value says so first: in "sigext -t signature
         * DIR" the command was taken as the value of -t. */
        if (parse_args("", argc, argv, &a) != 0)
            return EX_SX_USAGE;
        if (first != NULL)
            msg(NULL, "'%s' is not a command; try 'sigext --help'", first);
        else
            msg(NULL, "no command given; try 'sigext --help'");
        return EX_SX_USAGE;
    }
    for (int i = at; i + 1 < argc; i++)
        argv[i] = argv[i + 1];
    argc--;
    if (parse_args(cmd, argc, argv, &a) != 0)
        return EX_SX_USAGE;
    if (check_args(&a) != 0)
        return EX_SX_USAGE;

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);

    /* `packets` reads a regular file twice (names first, then records)
     * and keeps nothing; a pipe can only be read once, so its records
     * stay in memory until the names are known. */
    a.opt.keep_records = strcmp(a.cmd, "packets") == 0 &&
                         !(a.n_inputs == 1 && regular_file(a.inputs[0]));
    ctx = sigext_ctx_new(&a.opt);
    if (ctx == NULL) {
        msg(NULL, "out of memory");
        return EX_SX_INTERNAL;
    }
    sigext_set_log(ctx, (sigext_log_level)(verbosity >= 1 ? verbosity : 0),
                   verbosity > 0 ? on_log : NULL, NULL);

    /* Progress only where a person watches: a terminal, not -q. */
    progress_start = now_seconds();
    if (verbosity > 0 && isatty(STDERR_FILENO))
        sigext_set_progress(ctx, on_progress, NULL);

    if (a.dns_cache != NULL && uses_names(&a)) {
        int st = sigext_dns_cache_load(ctx, a.dns_cache, NULL, NULL);
        if (st != SIGEXT_OK) {
            code = fail(ctx, st);
            goto out;
        }
    }

    for (int i = 0; i < a.n_inputs; i++) {
        if (check_input_name(&a, i) != 0 ||
            check_not_output(&a, a.inputs[i]) != 0) {
            code = EX_SX_USAGE;
            goto out;
        }
    }
    if (check_not_output(&a, a.profile) != 0 ||
        check_not_output(&a, a.dns_cache) != 0) {
        code = EX_SX_USAGE;
        goto out;
    }

    if (strcmp(a.cmd, "compare") == 0) {
        code = cmd_compare(ctx, &a);
    } else if (strcmp(a.cmd, "profile") == 0) {
        code = cmd_policy(ctx, &a, false);
    } else if (strcmp(a.cmd, "firewall") == 0) {
        code = cmd_policy(ctx, &a, true);
    } else {
        if (a.n_inputs == 0) {
            msg(NULL, "%s: no TRACE given; try 'sigext --help'", a.cmd);
            code = EX_SX_USAGE;
            goto out;
        }
        code = expand_inputs(a.inputs, a.n_inputs, &files);
        if (code != EX_SX_OK)
            goto out;
        dedupe(&files);
        for (size_t i = 0; i < files.n; i++) {
            if (check_not_output(&a, files.v[i]) != 0) {
                code = EX_SX_USAGE;
                goto out;
            }
        }
        if (strcmp(a.cmd, "packets") == 0) {
            if (files.n != 1 && a.n_inputs == 1) {
                msg(NULL, "packets: takes one trace; %s holds %zu captures",
                    a.inputs[0], files.n);
                code = EX_SX_USAGE;
                goto out;
            }
            if (files.n != 1) {
                msg(NULL, "packets: takes one trace (%zu given)", files.n);
                code = EX_SX_USAGE;
                goto out;
            }
            code = cmd_packets(ctx, &a, &files);
        } else if (strcmp(a.cmd, "flows") == 0) {
            code = cmd_flows(ctx, &a, &files);
        } else {
            code = cmd_signature(ctx, &a, &files);
        }
    }
out:
    paths_free(&files);
    sigext_ctx_free(ctx);
    return code;
}
