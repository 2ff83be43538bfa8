/*
 * client/conn/net.c — the socket layer (client/conn/net.h): getaddrinfo, non-blocking connect,
 * socket options, and one poll() loop over many kw_conn state machines, plus listeners
 * and the plain byte streams they accept or open. It holds no protocol state: the conn (or a raw
 * connection's owner) decides when to connect, what to write and when to give up.
 *
 * A host name is resolved on a short-lived thread of its own (getaddrinfo may wait
 * seconds on DNS), which wakes the poll loop through an eventfd when done; the loop
 * never blocks on it, so the other brokers' traffic goes on meanwhile. Numeric
 * addresses are converted in place. The resolution counts against the conn's connect
 * timeout; a conn that gives up abandons it (the thread frees what it finds).
 */
#include "client/conn/net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "client/conn/sasl_conf.h"
#include "client/conn/tls.h"
#include "codec/grow.h"
#include "proto/proto.h"

#define READ_CHUNK 65536
#define READS_PER_ROUND 16
#define WRITE_IOV 64 /* slices per sendmsg */

struct kw_net;
/* The frame tap's context for one broker (heap: broker entries move when the array grows). */
typedef struct tap_ctx {
    struct kw_net *n;
    int idx;
} tap_ctx;

/* One resolution on its own thread. Two references: the thread's and the broker's; the
 * last one out frees it. `abandoned` (under mu) keeps the thread off a wake fd the net
 * may have closed. */
typedef struct resolve_job {
    pthread_mutex_t mu;
    int refs;
    int done, abandoned;
    int wake_fd;
    kw_net_resolver fn;
    char host[256], port[16];
    int rc;                /* getaddrinfo's result code */
    int sys_errno;         /* errno with EAI_SYSTEM */
    struct addrinfo *ai;   /* the addresses when rc == 0, until taken */
} resolve_job;

typedef struct broker {
    int32_t node_id;
    char *host;
    int port;
    char name[300];
    kw_conn *conn;
    int fd;                    /* -1: no socket */
    int connecting;            /* fd is in a non-blocking connect */
    struct addrinfo *ai, *cur; /* resolved addresses and the one being tried */
    resolve_job *job;          /* a resolution under way, or NULL */
    char err[512];             /* socket-level failure text */
    int64_t attempt_at;        /* when the current connection attempt started */
    int slow_noted;            /* this attempt was said to be slow (notify) */
    tap_ctx *tap;              /* frame tap context (kw_net_set_frame_tap), or NULL */
} broker;

struct kw_net {
    broker *b;
    int n, cap;
    kw_conn_opts copts;
    char *client_id;           /* owned copy for copts.client_id */
    int sndbuf, rcvbuf;
    uint64_t rng;
    struct pollfd *pfd;
    int *pidx;
    uint8_t *rbuf; /* READ_CHUNK bytes: frames complete in one read are used in place */
    /* the frame tap over every broker (kw_net_set_frame_tap; --dump installs one) */
    kw_net_frame_fn ftap;
    void (*ftap_done)(void *ud);
    void *ftap_ud;
    kw_net_resolver resolve; /* getaddrinfo unless a test substitutes one */
    int wake_fd;             /* eventfd the resolver threads signal; -1 until first needed */
    int woken;               /* a waited-for request finished inside this round: do not block */
    int interrupted;         /* poll() of the last round was interrupted by a signal */
    int wakeup_on;           /* kw_net_wakeup_init: the eventfd is polled in every round */
    /* plain byte streams (net.h): heap objects, freed only by reap_raw so a callback may
     * close any of them while the round still holds pointers */
    kw_net_listener **ls;
    int nls, capls;
    kw_net_raw **raws;
    int nraws, capraws;
    int pfd_cap;             /* entries in pfd / pidx / pobj */
    int input_fd;            /* kw_net_watch_input: a descriptor the caller reads, or -1 */
    int *input_ready;
    void **pobj;             /* the listener or raw of a pfd entry (pidx PIDX_LISTENER / PIDX_RAW) */
    kw_net_notify_fn notify; /* failed attempts, for the command's messages */
    void *notify_ud;
    /* security.protocol: shared by every conn */
    kw_tls_ctx *tls;
    kw_sasl_setup sasl;
    int sasl_on;
    char security_err[512];  /* the settings could not be loaded: every conn fails with it */
};

#define KW_NET_SLOW_CONNECT_US 1000000

struct kw_net_listener {
    kw_net *n;
    int fd, port;
    int max_conns, nopen;
    size_t out_max;
    kw_net_raw_fn fn;
    void *ud;
    int64_t pause_until; /* accept ran out of descriptors or memory: not polled until then */
    int dead;
};

struct kw_net_raw {
    kw_net *n;
    kw_net_listener *from; /* counts against its max_conns; NULL once the listener is gone */
    int fd;                /* -1 once closed */
    kw_net_raw_fn fn;
    void *ud, *data;
    kw_buf out;            /* queued output, written from outoff */
    size_t outoff, out_max;
    int paused, eof, shut_wanted, shut;
    int sent_due;          /* output was queued: say SENT when it is all written */
    int dead;              /* closed: freed by reap_raw */
    /* an outgoing connection until it is established (kw_net_raw_connect) */
    int connecting;        /* fd in a non-blocking connect to cur; fd -1: every address failed */
    struct addrinfo *ai, *cur;
    int conn_errno;        /* the last address's failure */
    int64_t connect_by;    /* ERROR (KW_ERR_TIMEOUT) if not connected by then; 0: no limit */
};

enum { PIDX_WAKE = -1, PIDX_LISTENER = -2, PIDX_RAW = -3, PIDX_INPUT = -4 };

void kw_net_set_notify(kw_net *n, kw_net_notify_fn fn, void *ud)
{
    n->notify = fn;
    n->notify_ud = ud;
}

static void notify(kw_net *n, broker *b, int err)
{
    if (n->notify) n->notify(n->notify_ud, (int)(b - n->b), err, kw_net_last_error(n, (int)(b - n->b)));
}

void kw_net_set_resolver(kw_net *n, kw_net_resolver fn)
{
    n->resolve = fn ? fn : getaddrinfo;
}

int64_t kw_net_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t net_rng(void *ud)
{
    kw_net *n = ud;
    uint64_t z = (n->rng += 0x9e3779b97f4a7c15ULL); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* TLS context and SASL credentials from the settings. A failure is not the caller's to
 * handle here: every broker then fails its first connection with the message (and
 * kw_net_setup_error says it at once). */
static void security_setup(kw_net *n, const kw_config *cfg)
{
    const char *proto = kw_config_str(cfg, KW_CONF_SECURITY_PROTOCOL);
    int ssl = proto && (!strcmp(proto, "SSL") || !strcmp(proto, "SASL_SSL"));
    if (ssl) {
        kw_tls_opts to = {
            .ca_location = kw_config_str(cfg, KW_CONF_SSL_CA_LOCATION),
            .cert_location = kw_config_str(cfg, KW_CONF_SSL_CERTIFICATE_LOCATION),
            .key_location = kw_config_str(cfg, KW_CONF_SSL_KEY_LOCATION),
            .key_password = kw_config_str(cfg, KW_CONF_SSL_KEY_PASSWORD),
            .verify_peer = kw_config_bool(cfg, KW_CONF_ENABLE_SSL_CERTIFICATE_VERIFICATION),
            .verify_host = kw_config_enum(cfg, KW_CONF_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM) == 0, /* https */
        };
        n->tls = kw_tls_ctx_new(&to, n->security_err, sizeof n->security_err);
        if (!n->tls) return;
    }
    if (kw_sasl_setup_init(&n->sasl, cfg, &n->sasl_on, n->security_err, sizeof n->security_err)) {
        kw_tls_ctx_free(n->tls);
        n->tls = NULL;
        return;
    }
    n->copts.tls = n->tls;
    n->copts.sasl = n->sasl_on ? &n->sasl.conf : NULL;
}

const char *kw_net_setup_error(const kw_net *n) { return n->security_err; }

int kw_net_fatal(const kw_net *n, int *idx)
{
    if (!n->n) return 0;
    for (int i = 0; i < n->n; i++)
        if (!kw_conn_fatal(n->b[i].conn)) return 0;
    if (idx) *idx = 0;
    return kw_conn_fatal(n->b[0].conn);
}

kw_net *kw_net_new(const kw_config *cfg)
{
    kw_net *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->resolve = getaddrinfo;
    n->wake_fd = -1;
    n->input_fd = -1;
    if (cfg) {
        kw_conn_opts_from_config(&n->copts, cfg);
        n->sndbuf = (int)kw_config_int(cfg, KW_CONF_SEND_BUFFER_BYTES);
        n->rcvbuf = (int)kw_config_int(cfg, KW_CONF_RECEIVE_BUFFER_BYTES);
        if (n->copts.client_id) {
            n->client_id = strdup(n->copts.client_id);
            if (!n->client_id) {
                free(n);
                return NULL;
            }
            n->copts.client_id = n->client_id;
        }
    } else {
        kw_conn_opts_default(&n->copts);
        n->sndbuf = n->rcvbuf = -1;
    }
    n->rbuf = malloc(READ_CHUNK);
    if (!n->rbuf) {
        free(n->client_id);
        free(n);
        return NULL;
    }
    n->copts.rng = net_rng;
    n->copts.rng_ud = n;
    n->rng = (uint64_t)kw_net_now() ^ ((uint64_t)getpid() << 32);
    if (cfg) security_setup(n, cfg);
    return n;
}

static void close_fd(broker *b)
{
    if (b->fd >= 0) close(b->fd);
    b->fd = -1;
    b->connecting = 0;
}

static void job_unref(resolve_job *j)
{
    pthread_mutex_lock(&j->mu);
    int last = --j->refs == 0;
    pthread_mutex_unlock(&j->mu);
    if (!last) return;
    if (j->ai) freeaddrinfo(j->ai);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

/* The broker no longer wants the job's answer (its conn gave up, or the net goes away). */
static void abandon_job(broker *b)
{
    resolve_job *j = b->job;
    if (!j) return;
    b->job = NULL;
    pthread_mutex_lock(&j->mu);
    j->abandoned = 1;
    pthread_mutex_unlock(&j->mu);
    job_unref(j);
}

void kw_net_free(kw_net *n)
{
    if (!n) return;
    for (int i = 0; i < n->n; i++) {
        broker *b = &n->b[i];
        kw_conn_free(b->conn);
        close_fd(b);
        abandon_job(b);
        if (b->ai) freeaddrinfo(b->ai);
        free(b->host);
        free(b->tap);
    }
    if (n->ftap_done) n->ftap_done(n->ftap_ud);
    for (int i = 0; i < n->nraws; i++) {
        kw_net_raw *r = n->raws[i];
        if (r->fd >= 0) close(r->fd);
        kw_buf_free(&r->out);
        if (r->ai) freeaddrinfo(r->ai);
        free(r);
    }
    for (int i = 0; i < n->nls; i++) {
        if (n->ls[i]->fd >= 0) close(n->ls[i]->fd);
        free(n->ls[i]);
    }
    free(n->raws);
    free(n->ls);
    free(n->pobj);
    if (n->wake_fd >= 0) close(n->wake_fd);
    kw_tls_ctx_free(n->tls);
    if (n->sasl_on) kw_sasl_setup_free(&n->sasl);
    free(n->b);
    free(n->rbuf);
    free(n->client_id);
    free(n->pfd);
    free(n->pidx);
    free(n);
}

void kw_net_set_tap(kw_net *n, void (*tap)(void *, int, int16_t, int16_t, const uint8_t *, size_t), void *ud)
{
    n->copts.tap = tap;
    n->copts.tap_ud = ud;
}

/* A conn's frame, to the net's tap with the broker's name. */
static void frame_tap(void *ud, int dir, int16_t api_key, int16_t version, const uint8_t *payload, size_t len)
{
    tap_ctx *t = ud;
    kw_net *n = t->n;
    n->ftap(n->ftap_ud, n->b[t->idx].name, dir, api_key, version, payload, len);
}

int kw_net_set_frame_tap(kw_net *n, kw_net_frame_fn fn, void (*done)(void *ud), void *ud)
{
    if (!n || !fn || n->ftap) return KW_ERR_INVALID_ARG;
    n->ftap = fn;
    n->ftap_done = done;
    n->ftap_ud = ud;
    return 0;
}

static int add_entry(kw_net *n, int32_t node_id, const char *host, int port, int exact);

int kw_net_add(kw_net *n, int32_t node_id, const char *host, int port) { return add_entry(n, node_id, host, port, 0); }

int kw_net_add_exact(kw_net *n, int32_t node_id, const char *host, int port)
{
    return add_entry(n, node_id, host, port, 1);
}

static int add_entry(kw_net *n, int32_t node_id, const char *host, int port, int exact)
{
    if (!n || !host || !*host || port < 1 || port > 65535) return KW_ERR_INVALID_ARG;
    for (int i = 0; i < n->n; i++) {
        broker *b = &n->b[i];
        if (b->port != port || strcmp(b->host, host)) continue;
        if (b->node_id == node_id || (!exact && (b->node_id < 0 || node_id < 0))) {
            if (node_id >= 0) b->node_id = node_id;
            return i;
        }
    }
    broker *nb = kw__grow(n->b, sizeof *nb, (size_t)n->n + 1, &n->cap, 8);
    if (!nb) return KW_ERR_NOMEM;
    n->b = nb;
    broker *b = &n->b[n->n];
    memset(b, 0, sizeof *b);
    b->fd = -1;
    b->node_id = node_id;
    b->port = port;
    b->host = strdup(host);
    if (!b->host) return KW_ERR_NOMEM;
    snprintf(b->name, sizeof b->name, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    kw_conn_opts o = n->copts;
    o.name = b->name;
    o.host = b->host;
    o.setup_error = n->security_err[0] ? n->security_err : NULL;
    if (n->ftap) {
        b->tap = malloc(sizeof *b->tap);
        if (!b->tap) {
            free(b->host);
            return KW_ERR_NOMEM;
        }
        b->tap->n = n;
        b->tap->idx = n->n;
        o.tap = frame_tap;
        o.tap_ud = b->tap;
    }
    b->conn = kw_conn_new(&o);
    if (!b->conn) {
        free(b->host);
        free(b->tap);
        return KW_ERR_NOMEM;
    }
    return n->n++;
}

int kw_net_add_list(kw_net *n, const char *list)
{
    int count = 0;
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        while (l && (*p == ' ' || *p == '\t')) { p++; l--; }
        while (l && (p[l - 1] == ' ' || p[l - 1] == '\t')) l--;
        if (l) {
            char host[256];
            const char *colon = NULL;
            for (size_t k = 0; k < l; k++) if (p[k] == ':') colon = p + k;
            if (!colon || colon == p || (size_t)(colon - p) >= sizeof host) return KW_ERR_CONFIG;
            size_t hl = (size_t)(colon - p);
            const char *h = p;
            if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') { h++; hl -= 2; }
            memcpy(host, h, hl);
            host[hl] = 0;
            char *end;
            long port = strtol(colon + 1, &end, 10);
            if (end != p + l || port < 1 || port > 65535) return KW_ERR_CONFIG;
            int r = kw_net_add(n, -1, host, (int)port);
            if (r < 0) return r;
            count++;
        }
        p = e ? e + 1 : NULL;
    }
    return count;
}

int kw_net_find(const kw_net *n, int32_t node_id)
{
    for (int i = 0; i < n->n; i++) if (n->b[i].node_id == node_id && node_id >= 0) return i;
    return KW_ERR_NOT_FOUND;
}

int kw_net_count(const kw_net *n) { return n->n; }
kw_conn *kw_net_conn(kw_net *n, int idx) { return idx >= 0 && idx < n->n ? n->b[idx].conn : NULL; }
const char *kw_net_name(const kw_net *n, int idx) { return idx >= 0 && idx < n->n ? n->b[idx].name : "?"; }
int kw_net_fd(const kw_net *n, int idx) { return idx >= 0 && idx < n->n ? n->b[idx].fd : -1; }
int32_t kw_net_node_id(const kw_net *n, int idx) { return idx >= 0 && idx < n->n ? n->b[idx].node_id : -1; }

int kw_net_pick(kw_net *n, int hint)
{
    if (n->n <= 0) return -1;
    int h = hint < 0 ? 0 : hint % n->n;
    for (int i = 0; i < n->n; i++)
        if (kw_conn_state_get(n->b[(h + i) % n->n].conn) == KW_CONN_READY) return (h + i) % n->n;
    for (int i = 0; i < n->n; i++)
        if (kw_conn_state_get(n->b[(h + i) % n->n].conn) != KW_CONN_BACKOFF) return (h + i) % n->n;
    return h;
}

const char *kw_net_last_error(const kw_net *n, int idx)
{
    if (idx < 0 || idx >= n->n) return "";
    const char *e = kw_conn_last_error(n->b[idx].conn);
    return *e ? e : n->b[idx].err;
}

int kw_net_submit(kw_net *n, int idx, const kw_conn_req *req)
{
    if (idx < 0 || idx >= n->n) return KW_ERR_INVALID_ARG;
    return kw_conn_submit(n->b[idx].conn, req, kw_net_now());
}

/* ---- connecting ---- */

static void set_opts(kw_net *n, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (n->sndbuf != -1) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &n->sndbuf, sizeof n->sndbuf);
    if (n->rcvbuf != -1) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n->rcvbuf, sizeof n->rcvbuf);
}

static void addr_text(const struct addrinfo *ai, char *buf, size_t len)
{
    char h[NI_MAXHOST], s[NI_MAXSERV];
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, h, sizeof h, s, sizeof s, NI_NUMERICHOST | NI_NUMERICSERV))
        snprintf(buf, len, "?");
    else
        snprintf(buf, len, ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, s);
}

/* All addresses failed: report, forget them (resolve again next attempt). */
static void attempt_failed(kw_net *n, broker *b, int64_t now, int err)
{
    close_fd(b);
    if (b->ai) freeaddrinfo(b->ai);
    b->ai = b->cur = NULL;
    kw_conn_connect_failed(b->conn, now, err, b->err);
    notify(n, b, err);
}

/* The failure text of one address: "ADDR: reason", or the reason alone when the address
 * is the broker's own name (the connection's messages start with that). */
static void addr_err(broker *b, const char *at, const char *what, const char *reason)
{
    if (!strcmp(at, b->name)) snprintf(b->err, sizeof b->err, "%s%s", what, reason);
    else snprintf(b->err, sizeof b->err, "%s: %s%s", at, what, reason);
}

/* Start connecting at b->cur, moving on past addresses that fail at once. */
static void try_addresses(kw_net *n, broker *b, int64_t now)
{
    for (; b->cur; b->cur = b->cur->ai_next) {
        struct addrinfo *a = b->cur;
        char at[128];
        addr_text(a, at, sizeof at);
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            addr_err(b, at, "socket: ", strerror(errno));
            continue;
        }
        set_opts(n, fd);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            b->fd = fd;
            b->connecting = 0;
            kw_conn_connected(b->conn, now);
            return;
        }
        if (errno == EINPROGRESS) {
            b->fd = fd;
            b->connecting = 1;
            return;
        }
        addr_err(b, at, "", strerror(errno));
        close(fd);
    }
    attempt_failed(n, b, now, KW_ERR_CONNECT);
}

/* getaddrinfo as kwire asks it: every address of the name, IPv4 and IPv6; without
 * AI_ADDRCONFIG again when that finds none (it hides loopback-only setups). */
static int resolve_now(kw_net_resolver fn, const char *host, const char *port, struct addrinfo **out)
{
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    *out = NULL;
    int r = fn(host, port, &hints, out);
    if (r == EAI_NONAME || r == EAI_ADDRFAMILY || r == EAI_NODATA) {
        hints.ai_flags = 0;
        *out = NULL;
        r = fn(host, port, &hints, out);
    }
    if (r) *out = NULL;
    return r;
}

static void *resolve_main(void *arg)
{
    resolve_job *j = arg;
    struct addrinfo *ai;
    int r = resolve_now(j->fn, j->host, j->port, &ai);
    int e = errno;
    pthread_mutex_lock(&j->mu);
    j->rc = r;
    j->sys_errno = e;
    j->ai = ai;
    j->done = 1;
    if (!j->abandoned) {
        uint64_t one = 1;
        ssize_t w = write(j->wake_fd, &one, sizeof one);
        (void)w; /* the counter only fails to grow when it is already non-zero */
    }
    pthread_mutex_unlock(&j->mu);
    job_unref(j);
    return NULL;
}

/* Resolution finished: connect to what it found, or report why not. */
static void resolved(kw_net *n, broker *b, int64_t now, int r, int sys_errno, struct addrinfo *ai)
{
    if (r) {
        snprintf(b->err, sizeof b->err, "cannot resolve %s: %s", b->host,
                 r == EAI_SYSTEM ? strerror(sys_errno) : gai_strerror(r));
        attempt_failed(n, b, now, KW_ERR_RESOLVE);
        return;
    }
    b->ai = b->cur = ai;
    try_addresses(n, b, now);
}

/* Start resolving b->host on a thread; 0, or -1 when no thread could be had. */
static int start_job(kw_net *n, broker *b, const char *port)
{
    if (n->wake_fd < 0) {
        n->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (n->wake_fd < 0) return -1;
    }
    resolve_job *j = calloc(1, sizeof *j);
    if (!j) return -1;
    if (pthread_mutex_init(&j->mu, NULL)) { free(j); return -1; }
    j->refs = 2;
    j->wake_fd = n->wake_fd;
    j->fn = n->resolve;
    snprintf(j->host, sizeof j->host, "%s", b->host);
    snprintf(j->port, sizeof j->port, "%s", port);
    pthread_attr_t at;
    pthread_t t;
    int ok = pthread_attr_init(&at) == 0;
    if (ok) {
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&at, 256 * 1024); /* getaddrinfo's needs, not 8 MiB of address space */
        ok = pthread_create(&t, &at, resolve_main, j) == 0;
        pthread_attr_destroy(&at);
    }
    if (!ok) {
        pthread_mutex_destroy(&j->mu);
        free(j);
        return -1;
    }
    b->job = j;
    return 0;
}

/* Collect every finished resolution. */
static void reap_jobs(kw_net *n, int64_t now)
{
    for (int i = 0; i < n->n; i++) {
        broker *b = &n->b[i];
        resolve_job *j = b->job;
        if (!j) continue;
        pthread_mutex_lock(&j->mu);
        int done = j->done, r = j->rc, e = j->sys_errno;
        struct addrinfo *ai = j->ai;
        if (done) j->ai = NULL;
        pthread_mutex_unlock(&j->mu);
        if (!done) continue;
        b->job = NULL;
        job_unref(j);
        resolved(n, b, now, r, e, ai);
    }
}

static int is_numeric_host(const char *h)
{
    unsigned char a[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1;
}

static void start_connect(kw_net *n, broker *b, int64_t now)
{
    b->attempt_at = now;
    b->slow_noted = 0;
    kw_conn_connecting(b->conn, now);
    if (b->cur) {
        try_addresses(n, b, now);
        return;
    }
    if (b->ai) freeaddrinfo(b->ai);
    b->ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", b->port);
    /* a numeric address needs no DNS: converted here (a test's resolver still sees it) */
    if (is_numeric_host(b->host) || start_job(n, b, port)) {
        struct addrinfo *ai;
        int r = resolve_now(n->resolve, b->host, port, &ai);
        resolved(n, b, now, r, errno, ai);
    }
}

/* The non-blocking connect finished (POLLOUT/POLLERR). */
static void finish_connect(kw_net *n, broker *b, int64_t now)
{
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(b->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) soerr = errno;
    if (soerr == 0) {
        b->connecting = 0;
        if (b->ai) freeaddrinfo(b->ai);
        b->ai = b->cur = NULL;
        kw_conn_connected(b->conn, now);
        return;
    }
    char at[128];
    addr_text(b->cur, at, sizeof at);
    addr_err(b, at, "", strerror(soerr));
    close_fd(b);
    b->cur = b->cur->ai_next;
    try_addresses(n, b, now);
}

/* ---- reading and writing ---- */

/* Write what the conn has to send: one sendmsg over its gather list (its own bytes and
 * the slices its requests refer to, e.g. record batches), as long as the socket takes it. */
static void do_write(broker *b, int64_t now)
{
    for (;;) {
        kw_conn_iov v[WRITE_IOV];
        struct iovec iov[WRITE_IOV];
        size_t len;
        int nv = kw_conn_output_iov(b->conn, v, WRITE_IOV, &len);
        if (nv <= 0 || !len) return;
        for (int i = 0; i < nv; i++) {
            iov[i].iov_base = (void *)v[i].p;
            iov[i].iov_len = v[i].len;
        }
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)nv};
        ssize_t w = sendmsg(b->fd, &m, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            snprintf(b->err, sizeof b->err, "%s: send: %s", b->name, strerror(errno));
            kw_conn_disconnected(b->conn, now, KW_ERR_IO, strerror(errno));
            close_fd(b);
            return;
        }
        kw_conn_written(b->conn, now, (size_t)w);
        if ((size_t)w < len) return;
    }
}

static void do_read(kw_net *n, broker *b, int64_t now)
{
    uint8_t *buf = n->rbuf;
    for (int i = 0; i < READS_PER_ROUND && b->fd >= 0; i++) {
        ssize_t r = recv(b->fd, buf, READ_CHUNK, 0);
        if (r > 0) {
            int fe = kw_conn_feed(b->conn, now, buf, (size_t)r);
            if (fe < 0) {
                close_fd(b);
                if (fe == KW_ERR_NOT_KAFKA) notify(n, b, fe);
                return;
            }
            /* More answers are due on this socket: acknowledge what came at once. A
             * broker without TCP_NODELAY (librdkafka's mock is one) holds a small answer
             * behind an unacknowledged earlier one (Nagle), and Linux delays our ACK by
             * up to 40 ms: a pipelined InitProducerId behind Metadata then stalled the
             * producer for 40 ms while its input filled buffer.memory. Linux leaves quick
             * ACK mode by itself, so it is asked for again after every read. */
            if (kw_conn_inflight(b->conn) > 0) {
                int one = 1;
                setsockopt(b->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
            }
            if ((size_t)r < READ_CHUNK) return;
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (r < 0 && errno == EINTR) continue;
        const char *why = r == 0 ? "connection closed by peer" : strerror(errno);
        kw_conn_disconnected(b->conn, now, r == 0 ? KW_ERR_DISCONNECTED : KW_ERR_IO, why);
        close_fd(b);
        if (kw_conn_not_kafka(b->conn)) notify(n, b, KW_ERR_NOT_KAFKA);
        return;
    }
}

/* Bring sockets in line with what each conn wants. */
static void sync_sockets(kw_net *n, int64_t now)
{
    reap_jobs(n, now);
    for (int i = 0; i < n->n; i++) {
        broker *b = &n->b[i];
        if (b->fd >= 0 && !kw_conn_wants_socket(b->conn)) {
            /* the conn gave up (timeout, error, idle): an unfinished connect moves on to
             * the next address next time */
            if (b->connecting && b->cur) b->cur = b->cur->ai_next;
            close_fd(b);
        }
        if (b->job && !kw_conn_wants_socket(b->conn)) abandon_job(b); /* gave up while resolving */
        if (b->fd < 0 && !b->job && kw_conn_want_connect(b->conn, now)) start_connect(n, b, now);
        if (b->fd >= 0 && !b->connecting) do_write(b, now);
    }
}

/* ---- plain byte streams (net.h) ---- */

/* Room for one more raw stream in n->raws. */
static int grow_raws(kw_net *n)
{
    kw_net_raw **v = kw__grow(n->raws, sizeof *v, (size_t)n->nraws + 1, &n->capraws, 8);
    if (!v) return KW_ERR_NOMEM;
    n->raws = v;
    return 0;
}

/* Room in pfd / pidx / pobj for every descriptor a round may poll. */
static int ensure_pfd(kw_net *n)
{
    int need = n->n + 2 + n->nls + n->nraws; /* + the eventfd and the watched input */
    if (need <= n->pfd_cap) return 0;
    struct pollfd *np = realloc(n->pfd, (size_t)need * sizeof *np);
    if (!np) return KW_ERR_NOMEM;
    n->pfd = np;
    int *ni = realloc(n->pidx, (size_t)need * sizeof *ni);
    if (!ni) return KW_ERR_NOMEM;
    n->pidx = ni;
    void **no = realloc(n->pobj, (size_t)need * sizeof *no);
    if (!no) return KW_ERR_NOMEM;
    n->pobj = no;
    n->pfd_cap = need;
    return 0;
}

int kw_net_listen(kw_net *n, const kw_net_listen_opts *o, kw_net_listener **out)
{
    *out = NULL;
    if (!o || !o->fn || !o->port) return KW_ERR_INVALID_ARG;
    kw_net_listener **ls = kw__grow(n->ls, sizeof *ls, (size_t)n->nls + 1, &n->capls, 8);
    if (!ls) return KW_ERR_NOMEM;
    n->ls = ls;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(o->host && o->host[0] ? o->host : NULL, o->port, &hints, &ai) || !ai) return KW_ERR_CONFIG;
    int fd = -1, saved = 0;
    for (struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 128) == 0) break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        errno = saved;
        return KW_ERR_IO;
    }
    kw_net_listener *l = calloc(1, sizeof *l);
    if (!l) {
        close(fd);
        return KW_ERR_NOMEM;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        l->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                           : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    l->n = n;
    l->fd = fd;
    l->max_conns = o->max_conns > 0 ? o->max_conns : 64;
    l->out_max = o->out_max ? o->out_max : KW_NET_RAW_OUT_MAX;
    l->fn = o->fn;
    l->ud = o->ud;
    n->ls[n->nls++] = l;
    *out = l;
    return 0;
}

int kw_net_listener_port(const kw_net_listener *l) { return l->port; }

void kw_net_listener_close(kw_net_listener *l)
{
    if (!l || l->dead) return;
    if (l->fd >= 0) close(l->fd);
    l->fd = -1;
    l->dead = 1;
    for (int i = 0; i < l->n->nraws; i++)
        if (l->n->raws[i]->from == l) l->n->raws[i]->from = NULL;
}

void kw_net_raw_close(kw_net_raw *r)
{
    if (!r || r->dead) return;
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    r->dead = 1;
    if (r->from) r->from->nopen--;
    r->from = NULL;
    kw_buf_free(&r->out);
    r->outoff = 0;
    if (r->ai) freeaddrinfo(r->ai);
    r->ai = r->cur = NULL;
    r->connecting = 0;
}

/* Free what was closed (never while a round holds pointers to it). */
static void reap_raw(kw_net *n)
{
    int k = 0;
    for (int i = 0; i < n->nraws; i++) {
        if (n->raws[i]->dead) free(n->raws[i]);
        else n->raws[k++] = n->raws[i];
    }
    n->nraws = k;
    k = 0;
    for (int i = 0; i < n->nls; i++) {
        if (n->ls[i]->dead) free(n->ls[i]);
        else n->ls[k++] = n->ls[i];
    }
    n->nls = k;
}

static void raw_event(kw_net_raw *r, int type, const uint8_t *p, size_t len, int err, int sys_errno)
{
    kw_net_raw_event ev = {type, p, len, err, sys_errno};
    r->fn(r->ud, r, &ev);
}

static void raw_fail_as(kw_net_raw *r, int err, int sys_errno)
{
    raw_event(r, KW_NET_RAW_ERROR, NULL, 0, err, sys_errno);
    kw_net_raw_close(r);
}

static void raw_fail(kw_net_raw *r, int sys_errno) { raw_fail_as(r, KW_ERR_IO, sys_errno); }

int kw_net_raw_write(kw_net_raw *r, const void *p, size_t len)
{
    if (r->dead || r->shut_wanted) return KW_ERR_STATE;
    size_t queued = r->out.len - r->outoff;
    if (len > r->out_max || queued > r->out_max - len) return KW_ERR_TOO_LARGE;
    if (r->outoff) { /* keep the buffer from creeping: what is written goes */
        memmove(r->out.data, r->out.data + r->outoff, queued);
        r->out.len = queued;
        r->outoff = 0;
    }
    kw_buf_put(&r->out, p, len);
    if (r->out.err) {
        r->out.err = 0; /* the queue is intact: only this write failed */
        return KW_ERR_NOMEM;
    }
    if (len) r->sent_due = 1;
    return 0;
}

size_t kw_net_raw_pending(const kw_net_raw *r) { return r->dead ? 0 : r->out.len - r->outoff; }

void kw_net_raw_pause(kw_net_raw *r, int paused) { r->paused = paused != 0; }

static void raw_shut(kw_net_raw *r)
{
    if (!r->shut && !r->connecting && r->fd >= 0 && r->outoff == r->out.len) {
        shutdown(r->fd, SHUT_WR);
        r->shut = 1;
    }
}

void kw_net_raw_shutdown(kw_net_raw *r)
{
    if (r->dead) return;
    r->shut_wanted = 1;
    raw_shut(r);
}

void kw_net_raw_set_data(kw_net_raw *r, void *data) { r->data = data; }
void *kw_net_raw_data(const kw_net_raw *r) { return r->data; }

/* Write what is queued, as long as the socket takes it; SENT once it is all out. */
static void raw_flush(kw_net_raw *r)
{
    if (r->connecting) return; /* held until CONNECTED */
    while (!r->dead && r->outoff < r->out.len) {
        ssize_t w = send(r->fd, r->out.data + r->outoff, r->out.len - r->outoff, MSG_NOSIGNAL);
        if (w > 0) {
            r->outoff += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        raw_fail(r, w < 0 ? errno : EPIPE);
        return;
    }
    if (r->dead) return;
    r->out.len = r->outoff = 0;
    if (r->shut_wanted) raw_shut(r);
    if (r->sent_due) {
        r->sent_due = 0;
        raw_event(r, KW_NET_RAW_SENT, NULL, 0, 0, 0);
    }
}

static void raw_read(kw_net *n, kw_net_raw *r)
{
    for (int i = 0; i < READS_PER_ROUND && !r->dead && !r->paused && !r->eof; i++) {
        ssize_t k = recv(r->fd, n->rbuf, READ_CHUNK, 0);
        if (k > 0) {
            raw_event(r, KW_NET_RAW_DATA, n->rbuf, (size_t)k, 0, 0);
            if ((size_t)k < READ_CHUNK) return;
            continue;
        }
        if (k == 0) {
            r->eof = 1;
            raw_event(r, KW_NET_RAW_EOF, NULL, 0, 0, 0);
            return;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        raw_fail(r, errno);
        return;
    }
}

static void raw_accept(kw_net *n, kw_net_listener *l, int64_t now)
{
    while (!l->dead && l->nopen < l->max_conns) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            /* Out of descriptors or memory: the connection stays in the backlog and the
             * listener stays readable, so pause instead of spinning on poll(). */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                l->pause_until = now + 100000;
            return;
        }
        kw_net_raw *r = calloc(1, sizeof *r);
        if (!r || grow_raws(n)) {
            free(r);
            close(fd);
            l->pause_until = now + 100000;
            return;
        }
        r->n = n;
        r->from = l;
        r->fd = fd;
        r->fn = l->fn;
        r->ud = l->ud;
        r->out_max = l->out_max;
        kw_buf_init(&r->out);
        n->raws[n->nraws++] = r;
        l->nopen++;
        raw_event(r, KW_NET_RAW_ACCEPTED, NULL, 0, 0, 0);
    }
}

/* Start connecting at r->cur, moving on past addresses that fail at once: 0 (under way,
 * r->fd set), or the last address's errno with r->fd -1. */
static int raw_try_addresses(kw_net_raw *r)
{
    int e = r->conn_errno ? r->conn_errno : EADDRNOTAVAIL;
    for (; r->cur; r->cur = r->cur->ai_next) {
        struct addrinfo *a = r->cur;
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        /* connected at once (0) is seen like a connect under way: writable at the next poll */
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
            r->fd = fd;
            return 0;
        }
        e = errno;
        close(fd);
    }
    r->fd = -1;
    r->conn_errno = e;
    return e;
}

int kw_net_raw_connect(kw_net *n, const kw_net_connect_opts *o, kw_net_raw **out, char *why, size_t whylen)
{
    *out = NULL;
    if (why && whylen) why[0] = 0;
    if (!o || !o->host || !o->host[0] || !o->port || !o->fn) return KW_ERR_INVALID_ARG;
    if (grow_raws(n)) return KW_ERR_NOMEM;
    struct addrinfo *ai;
    int g = resolve_now(n->resolve, o->host, o->port, &ai);
    if (g || !ai) {
        int e = errno;
        if (why && whylen)
            snprintf(why, whylen, "cannot resolve %s: %s", o->host,
                     g == EAI_SYSTEM ? strerror(e) : g ? gai_strerror(g) : "no address");
        return KW_ERR_RESOLVE;
    }
    kw_net_raw *r = calloc(1, sizeof *r);
    if (!r) {
        freeaddrinfo(ai);
        return KW_ERR_NOMEM;
    }
    r->n = n;
    r->fn = o->fn;
    r->ud = o->ud;
    r->out_max = o->out_max ? o->out_max : KW_NET_RAW_OUT_MAX;
    kw_buf_init(&r->out);
    r->connecting = 1;
    r->ai = r->cur = ai;
    if (o->timeout_ms > 0) r->connect_by = kw_net_now() + (int64_t)o->timeout_ms * 1000;
    raw_try_addresses(r); /* when every address failed at once, ERROR comes at the next round */
    n->raws[n->nraws++] = r;
    *out = r;
    return 0;
}

/* Before and after poll(): an outgoing connection whose addresses all failed, or whose
 * time is up, gets its ERROR. */
static void raw_connect_check(kw_net_raw *r, int64_t now)
{
    if (r->dead || !r->connecting) return;
    if (r->fd < 0) raw_fail_as(r, KW_ERR_CONNECT, r->conn_errno);
    else if (r->connect_by && now >= r->connect_by) raw_fail_as(r, KW_ERR_TIMEOUT, ETIMEDOUT);
}

/* The non-blocking connect finished (POLLOUT/POLLERR): CONNECTED, or the next address. */
static void raw_connect_done(kw_net_raw *r)
{
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) soerr = errno;
    if (soerr == 0) {
        r->connecting = 0;
        freeaddrinfo(r->ai);
        r->ai = r->cur = NULL;
        raw_event(r, KW_NET_RAW_CONNECTED, NULL, 0, 0, 0);
        if (!r->dead) raw_flush(r); /* what was queued before, or by the callback */
        return;
    }
    close(r->fd);
    r->fd = -1;
    r->conn_errno = soerr;
    r->cur = r->cur->ai_next;
    if (raw_try_addresses(r)) raw_fail_as(r, KW_ERR_CONNECT, r->conn_errno);
}

int kw_net_wakeup_init(kw_net *n)
{
    if (n->wake_fd < 0) {
        n->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (n->wake_fd < 0) return KW_ERR_IO;
    }
    n->wakeup_on = 1;
    return 0;
}

void kw_net_wakeup(kw_net *n)
{
    uint64_t one = 1;
    ssize_t w = write(n->wake_fd, &one, sizeof one);
    (void)w; /* a counter at its maximum already wakes the loop */
}

int kw_net_poll(kw_net *n, int timeout_ms)
{
    int64_t now = kw_net_now();
    n->woken = 0;
    reap_raw(n);
    for (int i = 0; i < n->n; i++) kw_conn_tick(n->b[i].conn, now);
    sync_sockets(n, now);
    for (int i = 0; i < n->nraws; i++) {
        raw_connect_check(n->raws[i], now);
        raw_flush(n->raws[i]);
    }
    if (ensure_pfd(n)) return KW_ERR_NOMEM; /* after the callbacks above, which may add listeners */
    int64_t deadline = timeout_ms < 0 ? INT64_MAX : now + (int64_t)timeout_ms * 1000;
    int np = 0;
    for (int i = 0; i < n->n; i++) {
        broker *b = &n->b[i];
        int64_t d = kw_conn_next_deadline(b->conn);
        if (n->notify && b->fd >= 0 && b->connecting && !b->slow_noted && b->attempt_at + KW_NET_SLOW_CONNECT_US < d)
            d = b->attempt_at + KW_NET_SLOW_CONNECT_US;
        if (d < deadline) deadline = d;
        if (b->fd < 0) continue;
        size_t outlen = 0;
        if (!b->connecting) kw_conn_output(b->conn, &outlen);
        n->pfd[np].fd = b->fd;
        n->pfd[np].events = (short)(b->connecting ? POLLOUT : POLLIN | (outlen ? POLLOUT : 0));
        n->pfd[np].revents = 0;
        n->pidx[np++] = i;
    }
    /* the eventfd: while any resolution is under way, or always after kw_net_wakeup_init */
    int wake_at = -1, want_wake = n->wakeup_on;
    for (int i = 0; i < n->n && !want_wake; i++) want_wake = n->b[i].job != NULL;
    if (want_wake) {
        wake_at = np;
        n->pfd[np].fd = n->wake_fd;
        n->pfd[np].events = POLLIN;
        n->pfd[np].revents = 0;
        n->pidx[np++] = PIDX_WAKE;
    }
    for (int i = 0; i < n->nls; i++) {
        kw_net_listener *l = n->ls[i];
        if (l->dead || l->nopen >= l->max_conns) continue;
        if (now < l->pause_until) {
            if (l->pause_until < deadline) deadline = l->pause_until;
            continue;
        }
        n->pfd[np] = (struct pollfd){.fd = l->fd, .events = POLLIN};
        n->pobj[np] = l;
        n->pidx[np++] = PIDX_LISTENER;
    }
    if (n->input_fd >= 0) {
        n->pfd[np] = (struct pollfd){.fd = n->input_fd, .events = POLLIN};
        n->pidx[np++] = PIDX_INPUT;
    }
    for (int i = 0; i < n->nraws; i++) {
        kw_net_raw *r = n->raws[i];
        if (r->dead) continue;
        short ev;
        if (r->connecting) {
            int64_t d = r->fd < 0 ? now : r->connect_by ? r->connect_by : INT64_MAX; /* its ERROR is due */
            if (d < deadline) deadline = d;
            if (r->fd < 0) continue;
            ev = POLLOUT;
        } else {
            ev = (short)((!r->paused && !r->eof ? POLLIN : 0) | (r->outoff < r->out.len ? POLLOUT : 0));
        }
        if (!ev) continue;
        n->pfd[np] = (struct pollfd){.fd = r->fd, .events = ev};
        n->pobj[np] = r;
        n->pidx[np++] = PIDX_RAW;
    }
    int wait;
    if (n->woken) wait = 0;
    else if (deadline == INT64_MAX) wait = -1;
    else if (deadline <= now) wait = 0;
    else {
        int64_t w = (deadline - now + 999) / 1000;
        wait = w > 3600000 ? 3600000 : (int)w;
    }
    n->interrupted = 0;
    int r = poll(n->pfd, (nfds_t)np, wait);
    if (r < 0) {
        if (errno != EINTR) return KW_ERR_IO;
        n->interrupted = 1;
        return 0;
    }
    now = kw_net_now();
    if (wake_at >= 0 && n->pfd[wake_at].revents) {
        uint64_t v;
        ssize_t rd = read(n->wake_fd, &v, sizeof v);
        (void)rd; /* drained; reap_jobs looks at every job anyway */
    }
    for (int k = 0; k < np; k++) {
        if (k == wake_at) continue;
        short rev = n->pfd[k].revents;
        if (n->pidx[k] == PIDX_INPUT) {
            if (rev && n->input_ready) *n->input_ready = 1;
            continue;
        }
        if (n->pidx[k] == PIDX_LISTENER) {
            kw_net_listener *l = n->pobj[k];
            if (rev && !l->dead) raw_accept(n, l, now);
            continue;
        }
        if (n->pidx[k] == PIDX_RAW) {
            kw_net_raw *rw = n->pobj[k];
            if (!rev || rw->dead || rw->fd != n->pfd[k].fd) continue;
            if (rw->connecting) {
                raw_connect_done(rw);
                continue;
            }
            if (rev & (POLLOUT | POLLERR | POLLHUP)) raw_flush(rw);
            if (!rw->dead && (n->pfd[k].events & POLLIN) && (rev & (POLLIN | POLLHUP | POLLERR))) raw_read(n, rw);
            continue;
        }
        broker *b = &n->b[n->pidx[k]];
        short ev = n->pfd[k].revents;
        if (!ev || b->fd != n->pfd[k].fd) continue;
        if (b->connecting) {
            finish_connect(n, b, now);
            continue;
        }
        if (ev & (POLLIN | POLLHUP | POLLERR)) do_read(n, b, now);
        if (b->fd >= 0 && (ev & POLLOUT)) do_write(b, now);
    }
    /* a connection attempt without an answer for a second: said once (a host that drops
     * packets fails only at socket.connection.setup.timeout.ms) */
    for (int i = 0; i < n->n && n->notify; i++) {
        broker *b = &n->b[i];
        if (b->fd >= 0 && b->connecting && !b->slow_noted && now - b->attempt_at >= KW_NET_SLOW_CONNECT_US) {
            b->slow_noted = 1;
            char at[128] = "";
            if (b->cur) addr_text(b->cur, at, sizeof at);
            char msg[600];
            snprintf(msg, sizeof msg, "%s: no answer to the connection after 1 s%s%s%s", b->name,
                     at[0] && strcmp(at, b->name) ? " (address " : "", at[0] && strcmp(at, b->name) ? at : "",
                     at[0] && strcmp(at, b->name) ? ")" : "");
            n->notify(n->notify_ud, i, KW_ERR_TIMEOUT, msg);
        }
    }
    for (int i = 0; i < n->nraws; i++) raw_connect_check(n->raws[i], now);
    for (int i = 0; i < n->n; i++) kw_conn_tick(n->b[i].conn, now);
    sync_sockets(n, now);
    return r;
}

void kw_net_watch_input(kw_net *n, int fd, int *ready)
{
    n->input_fd = fd;
    n->input_ready = fd >= 0 ? ready : NULL;
}

int kw_net_fd_wait_readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0) return errno == EINTR ? KW_ERR_INTERRUPTED : KW_ERR_IO;
    return r > 0;
}

int kw_net_fd_reader_gone(int fd)
{
    /* no events asked: POLLERR/POLLHUP on a write end are reported regardless */
    struct pollfd p = {.fd = fd, .events = 0};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
}

int kw_net_sleep(kw_net *n, int ms)
{
    int64_t end = kw_net_now() + (int64_t)ms * 1000;
    for (;;) {
        int64_t left = end - kw_net_now();
        if (left <= 0) return 0;
        int w = left > 3600000000LL ? 3600000 : (int)((left + 999) / 1000);
        if (n && kw_net_poll(n, w) >= 0) {
            if (n->interrupted) return KW_ERR_INTERRUPTED;
            continue;
        }
        /* no broker set, or its poll() failed (then waiting plainly beats spinning) */
        if (poll(NULL, 0, w) < 0 && errno == EINTR) return KW_ERR_INTERRUPTED;
    }
}

/* ---- synchronous requests ---- */

typedef struct sync_ctx {
    kw_net *n;
    int done, err;
    kw_buf *body;
    int16_t version;
    kw_conn_encode_fn encode; /* the caller's, with its ud */
    kw_conn_encode_ref_fn encode_ref;
    void *ud;
} sync_ctx;

static int sync_encode(void *ud, int16_t version, kw_buf *out)
{
    sync_ctx *s = ud;
    return s->encode(s->ud, version, out);
}

static int sync_encode_ref(void *ud, int16_t version, kw_buf *out, kw_conn_refs *refs)
{
    sync_ctx *s = ud;
    return s->encode_ref(s->ud, version, out, refs);
}

static void sync_done(void *ud, int err, const kw_conn_resp *r)
{
    sync_ctx *s = ud;
    s->done = 1;
    s->err = err;
    s->n->woken = 1; /* finished before poll() (e.g. no version in common): do not wait in it */
    if (!err && r) {
        s->version = r->version;
        if (s->body) {
            kw_buf_put(s->body, r->body, r->len);
            if (s->body->err) s->err = s->body->err;
        }
    }
}

static int request(kw_net *n, int idx, const kw_conn_req *req, kw_buf *body, int16_t *version, int fail_fast)
{
    if (idx < 0 || idx >= n->n || !req) return KW_ERR_INVALID_ARG;
    if (!req->encode && !req->encode_ref) return KW_ERR_INVALID_ARG;
    sync_ctx s = {n, 0, 0, body, -1, req->encode, req->encode_ref, req->ud};
    kw_conn_req r = *req;
    r.encode = req->encode ? sync_encode : NULL;
    r.encode_ref = req->encode_ref ? sync_encode_ref : NULL;
    r.done = sync_done;
    r.ud = &s;
    r.fail_fast = fail_fast || req->fail_fast;
    int e = kw_conn_submit(n->b[idx].conn, &r, kw_net_now());
    if (e) return e;
    while (!s.done) {
        e = kw_net_poll(n, 1000);
        if (e < 0) return e;
    }
    if (!s.err && version) *version = s.version;
    return s.err;
}

int kw_net_request(kw_net *n, int idx, const kw_conn_req *req, kw_buf *body, int16_t *version)
{
    return request(n, idx, req, body, version, 0);
}

int kw_net_request_any(kw_net *n, const kw_conn_req *req, kw_buf *body, int16_t *version, int *idx_out)
{
    int err = KW_ERR_NOT_FOUND;
    for (int i = 0; i < n->n; i++) {
        size_t keep = body ? body->len : 0;
        err = request(n, i, req, body, version, 1);
        if (!err) {
            if (idx_out) *idx_out = i;
            return 0;
        }
        if (body) body->len = keep;
        if (err != KW_ERR_CONNECT && err != KW_ERR_RESOLVE && err != KW_ERR_DISCONNECTED && err != KW_ERR_TIMEOUT &&
            err != KW_ERR_NOT_KAFKA)
            return err;
    }
    return err;
}

size_t kw_net_errors(const kw_net *n, char *buf, size_t len)
{
    size_t k = 0;
    if (len) buf[0] = 0;
    for (int i = 0; i < n->n && k + 1 < len; i++) {
        const char *e = kw_net_last_error(n, i);
        if (!*e) continue;
        int w = snprintf(buf + k, len - k, "%s%s", k ? "; " : "", e);
        if (w < 0) break;
        k += (size_t)w < len - k ? (size_t)w : len - k - 1;
    }
    return k;
}

int kw_net_not_kafka(kw_net *n)
{
    if (n->n == 0) return 0;
    for (int i = 0; i < n->n; i++)
        if (!kw_conn_not_kafka(n->b[i].conn)) return 0;
    return 1;
}

int kw_net_connect_wait(kw_net *n, int idx, int timeout_ms)
{
    if (idx < 0 || idx >= n->n) return KW_ERR_INVALID_ARG;
    kw_conn *c = n->b[idx].conn;
    uint64_t fails = kw_conn_stats_get(c)->connect_failures, drops = kw_conn_stats_get(c)->disconnects;
    int64_t end = kw_net_now() + (int64_t)timeout_ms * 1000;
    kw_conn_request_connect(c);
    while (kw_conn_state_get(c) != KW_CONN_READY) {
        if (kw_conn_fatal(c)) return kw_conn_fatal(c);
        if (kw_conn_stats_get(c)->connect_failures != fails) return KW_ERR_CONNECT;
        if (kw_conn_stats_get(c)->disconnects != drops) return kw_conn_not_kafka(c) ? KW_ERR_NOT_KAFKA : KW_ERR_DISCONNECTED;
        int64_t left = end - kw_net_now();
        if (left <= 0) return KW_ERR_TIMEOUT;
        int e = kw_net_poll(n, (int)(left / 1000) + 1);
        if (e < 0) return e;
    }
    return 0;
}

void kw_net_stats_print(const kw_net *n, FILE *out)
{
    for (int i = 0; i < n->n; i++) {
        const kw_conn_stats *s = kw_conn_stats_get(n->b[i].conn);
        if (!s->napis && !s->connect_failures && !s->connects) continue;
        fprintf(out, "%s: %llu connect(s), %llu failed, %llu drop(s), %llu timeout(s), %llu bytes out, %llu in, "
                     "pipeline depth max %d\n",
                n->b[i].name, (unsigned long long)s->connects, (unsigned long long)s->connect_failures,
                (unsigned long long)s->disconnects, (unsigned long long)s->timeouts, (unsigned long long)s->bytes_out,
                (unsigned long long)s->bytes_in, s->inflight_max);
        if (s->tls_handshakes || s->tls_bytes_out)
            fprintf(out, "  TLS: %llu handshake(s), %llu resumed, %llu bytes out, %llu in on the wire (%s)\n",
                    (unsigned long long)s->tls_handshakes, (unsigned long long)s->tls_resumed,
                    (unsigned long long)s->tls_bytes_out, (unsigned long long)s->tls_bytes_in,
                    kw_conn_tls_version(n->b[i].conn)[0] ? kw_conn_tls_version(n->b[i].conn) : "closed");
        if (s->auths || s->reauths)
            fprintf(out, "  SASL: %llu authentication(s), %llu re-authentication(s)\n", (unsigned long long)s->auths,
                    (unsigned long long)s->reauths);
        for (size_t k = 0; k < s->napis; k++) {
            const kw_api_stats *a = &s->apis[k];
            const char *name = kw_api_name(a->api_key);
            fprintf(out, "  %s v%d: %llu request(s), %llu error(s), %llu bytes out, %llu in",
                    name ? name : "?", a->version, (unsigned long long)a->requests, (unsigned long long)a->errors,
                    (unsigned long long)a->bytes_out, (unsigned long long)a->bytes_in);
            if (a->rtt_max_us > 0 || a->rtt_min_us == 0)
                fprintf(out, ", rtt us min %lld p50 %lld p99 %lld max %lld", (long long)a->rtt_min_us,
                        (long long)kw_api_stats_quantile(a, 0.5), (long long)kw_api_stats_quantile(a, 0.99),
                        (long long)a->rtt_max_us);
            fputc('\n', out);
        }
    }
}

const char *kw_net_describe(int err, const char *why, char *buf, size_t len)
{
    if (!why || !*why) snprintf(buf, len, "%s", kw_strerror(err));
    else if (err == KW_ERR_NOT_KAFKA) snprintf(buf, len, "%s", why); /* "HOST:PORT does not speak ..." */
    else if (err == KW_ERR_CONNECT || err == KW_ERR_RESOLVE || err == KW_ERR_TIMEOUT || err == KW_ERR_DISCONNECTED)
        snprintf(buf, len, "%s: %s", kw_strerror(err), why);
    else snprintf(buf, len, "%s (%s)", kw_strerror(err), why);
    return buf;
}
