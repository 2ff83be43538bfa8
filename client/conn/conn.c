/*
 * client/conn/conn.c — the sans-I/O broker connection (client/conn/conn.h): request queue,
 * pipelining, correlation, ApiVersions negotiation, timeouts, reconnect backoff, idle
 * close and per-API statistics.
 *
 * Frames written (request header v1, plus an empty tagged-field section in v2 for
 * flexible versions):
 *     int32  size
 *     int16  api_key
 *     int16  api_version
 *     int32  correlation_id
 *     int16  client_id length (-1 = null), then its bytes
 *     [uvarint 0: no tagged fields]        header v2 only
 *     body   (the request's encode callback)
 * Frames read: int32 size, int32 correlation_id, [tagged fields] (header v1: flexible
 * responses except ApiVersions, which always uses v0), body.
 *
 * ApiVersions request: v0-v2 empty; v3+ compact_string client_software_name,
 * compact_string client_software_version, tagged fields. Response: int16 error_code,
 * array of (int16 api_key, int16 min_version, int16 max_version [, tagged fields v3+])
 * (int32 count, or uvarint count+1 in v3+), then int32 throttle_time_ms (v1+) and
 * tagged fields (v3+). A broker that does not support the version answers error 35 with
 * a v0 body listing its ApiVersions range.
 *
 * Security: with TLS (client/tls) the socket's bytes are ciphertext: a TLS_HANDSHAKE state
 * comes first, then records are decrypted into TBUF and handled as plaintext, and the
 * plaintext output is encrypted as the socket takes it (at most TLS_OUT_MAX ciphertext
 * bytes ahead; slices under STAGE bytes are gathered so a record is full). With SASL
 * (client/auth) an AUTHENTICATING state follows ApiVersions, and comes back before the
 * session lifetime ends (KIP-368). Failures that retrying cannot fix put the connection
 * in FAILED (client/conn/conn.h).
 *
 * Output: a queue of segments in write order, each either the next `len` bytes of the
 * connection's own buffer `out` (headers and copied fields; adjacent ones merge, so
 * without references the output is one segment) or a slice a request refers to
 * (kw_conn_ref). Written bytes are consumed from the front, possibly ending mid-segment.
 */
#include "client/conn/conn.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/auth.h"
#include "client/conn/tls.h"
#include "codec/grow.h"
#include "proto/msg_apiversions.h"
#include "proto/negotiate.h"
#include "proto/proto.h"

#define MAX_API KW_API_SLOTS /* api keys tracked from ApiVersions responses */
#define CLIENT_SOFTWARE "kwire"
#define TBUF 65536                 /* plaintext decrypted per read round (several TLS records) */
#define STAGE 16384                /* one TLS record's plaintext: small slices gathered */
#define TLS_OUT_MAX (256u << 10)   /* ciphertext encrypted ahead of the socket at most */

/* req.internal: requests the connection sends itself */
enum { USER_REQ = 0, INTERNAL_APIVERSIONS = 1, INTERNAL_AUTH = 2 };

static const char *api_name(int key)
{
    const char *n = kw_api_name(key);
    return n ? n : "API";
}

typedef struct req {
    struct req *next;
    kw_conn_req r;
    int internal;       /* USER_REQ, or sent by the connection itself (INTERNAL_*) */
    int16_t version;
    int32_t corr;
    int64_t queued_at, deadline; /* deadline: queue wait or response wait, us */
    int64_t encoded_at, sent_at; /* sent_at: last byte written, -1 before */
    uint64_t out_end;   /* total output offset where this request's bytes end */
    size_t bytes_out;
    int has_refs;       /* its frame refers to the caller's slices */
} req;

/* One output segment: ref NULL = the next len bytes of c->out, else a referenced slice. */
typedef struct seg {
    const uint8_t *ref;
    size_t len;
} seg;

struct kw_conn_refs {
    kw_conn *c;
    size_t mark;        /* out bytes up to here are already in segments */
    size_t ref_bytes;   /* referenced bytes of this frame */
    int copy;           /* copy instead of referring (tap set) */
};

typedef struct reqlist { req *head, *tail; int n; } reqlist;

struct kw_conn {
    kw_conn_opts o;
    char *name, *client_id;
    kw_conn_state state;
    reqlist queue, inflight;
    int32_t next_corr;
    int32_t noresp_corr;       /* highest correlation id of a finished no_response request, -1 */
    kw_framer fr;
    kw_buf out;
    size_t out_off;            /* bytes of out already written */
    seg *segs;                 /* output segments [seg_head, nseg) */
    size_t nseg, seg_head, seg_cap;
    size_t seg_off;            /* bytes of segs[seg_head] already written */
    size_t pending;            /* bytes still to write, over every segment */
    uint64_t out_total;        /* bytes ever written */
    int64_t state_deadline;    /* CONNECTING: setup timeout; BACKOFF: reconnect time */
    int64_t last_activity;
    int failures;              /* consecutive failed attempts */
    int connect_wanted;        /* kw_conn_request_connect: connect without a request */
    int last_was_connect_failure;
    uint64_t rng_state;
    int64_t now;               /* latest time given by the caller */
    int16_t av_version;        /* ApiVersions version in flight / that succeeded */
    int16_t av_start;          /* version the next handshake starts at: kwire's highest until a
                                  fallback succeeded, then that one (remembered per broker) */
    int av_done;
    int not_kafka;             /* the last attempt's peer did not speak Kafka (until one does) */
    int ever_ready;            /* this broker answered ApiVersions once: a Kafka broker */
    int16_t cap[MAX_API];      /* per-API highest version to send (kw_conn_cap_version), -1: none */
    int16_t b_lo[MAX_API], b_hi[MAX_API]; /* broker ranges, b_hi -1 = absent */
    kw_versions neg;           /* negotiated (highest common) versions */
    char err[512];
    kw_conn_stats st;
    /* security */
    char *host;                /* SNI and the certificate check */
    kw_tls *tls;               /* TLS state (opts.tls), NULL: plaintext */
    uint8_t *tbuf;             /* TBUF bytes of decrypted plaintext */
    uint8_t *stage;            /* STAGE bytes gathering small slices into one record */
    kw_auth auth;              /* the SASL exchange (opts.sasl) */
    int authed;                /* authenticated on this socket */
    int reauth;                /* the exchange running is a re-authentication */
    int64_t reauth_at;         /* re-authenticate from then on; INT64_MAX: never */
    int fatal;                 /* FAILED: the error every request gets */
    char *setup_error;
    size_t rx_socket;          /* bytes received on this socket */
    int silent_closes;         /* sockets in a row closed before any byte came back */
    int ever_answered;         /* a user request was ever answered (by this broker) */
    int unanswered_closes;     /* sockets in a row closed after ApiVersions, before any answer */
};

static int fmt_err(kw_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fatal(kw_conn *c, int64_t now, int err);

/* The states with a socket the protocol runs on (the TLS handshake included). */
static int live(const kw_conn *c)
{
    return c->state == KW_CONN_TLS_HANDSHAKE || c->state == KW_CONN_APIVERSIONS || c->state == KW_CONN_AUTHENTICATING ||
           c->state == KW_CONN_READY;
}

/* The states in which Kafka frames flow. */
static int framing(const kw_conn *c)
{
    return c->state == KW_CONN_APIVERSIONS || c->state == KW_CONN_AUTHENTICATING || c->state == KW_CONN_READY;
}

const char *kw_conn_state_name(kw_conn_state s)
{
    static const char *n[] = {"disconnected", "connecting", "api-versions", "ready", "backoff", "closed",
                              "tls-handshake", "authenticating", "failed"};
    return (unsigned)s < sizeof n / sizeof n[0] ? n[s] : "?";
}

void kw_conn_opts_default(kw_conn_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_in_flight = 5;
    o->request_timeout_ms = 30000;
    o->reconnect_backoff_ms = 50;
    o->reconnect_backoff_max_ms = 1000;
    o->connections_max_idle_ms = 540000;
    o->setup_timeout_ms = 10000;
    o->setup_timeout_max_ms = 30000;
    o->max_response = KW_FRAME_MAX_DEFAULT;
}

void kw_conn_opts_from_config(kw_conn_opts *o, const kw_config *c)
{
    kw_conn_opts_default(o);
    o->client_id = kw_config_str(c, KW_CONF_CLIENT_ID);
    o->max_in_flight = (int)kw_config_int(c, KW_CONF_MAX_IN_FLIGHT);
    o->request_timeout_ms = kw_config_int(c, KW_CONF_REQUEST_TIMEOUT_MS);
    o->reconnect_backoff_ms = kw_config_int(c, KW_CONF_RECONNECT_BACKOFF_MS);
    o->reconnect_backoff_max_ms = kw_config_int(c, KW_CONF_RECONNECT_BACKOFF_MAX_MS);
    o->connections_max_idle_ms = kw_config_int(c, KW_CONF_CONNECTIONS_MAX_IDLE_MS);
    o->setup_timeout_ms = kw_config_int(c, KW_CONF_SOCKET_SETUP_TIMEOUT_MS);
    o->setup_timeout_max_ms = kw_config_int(c, KW_CONF_SOCKET_SETUP_TIMEOUT_MAX_MS);
    o->max_response = (size_t)kw_config_int(c, KW_CONF_MAX_RESPONSE_BYTES);
}

/* ---- small helpers ---- */

static int64_t ms_to_us(int64_t ms)
{
    if (ms < 0) return -1;
    return ms > INT64_MAX / 1000 ? INT64_MAX : ms * 1000;
}

static int64_t add_sat(int64_t a, int64_t b) { return b > INT64_MAX - a ? INT64_MAX : a + b; }

/* ---- output segments ---- */

/* Append a segment (a copy segment extends a copy segment before it). 0 or KW_ERR_NOMEM. */
static int seg_push(kw_conn *c, const uint8_t *ref, size_t len)
{
    if (!len) return 0;
    if (!ref && c->nseg > c->seg_head && !c->segs[c->nseg - 1].ref) {
        c->segs[c->nseg - 1].len += len;
        c->pending += len;
        return 0;
    }
    if (c->nseg == c->seg_cap) {
        if (c->seg_head > 0) {
            /* reuse the consumed front */
            memmove(c->segs, c->segs + c->seg_head, (c->nseg - c->seg_head) * sizeof *c->segs);
            c->nseg -= c->seg_head;
            c->seg_head = 0;
        } else {
            seg *n = kw__grow_sz(c->segs, sizeof *n, c->nseg + 1, &c->seg_cap, 16);
            if (!n) return KW_ERR_NOMEM;
            c->segs = n;
        }
    }
    c->segs[c->nseg++] = (seg){ref, len};
    c->pending += len;
    return 0;
}

/* Forget every unwritten byte (the connection dropped or closed); no slice is referred
 * to afterwards. A buffer grown large by some request is given back. */
static void out_reset(kw_conn *c)
{
    c->out.len = c->out_off = 0;
    c->nseg = c->seg_head = c->seg_off = 0;
    c->pending = 0;
    if (c->out.cap > ((size_t)1 << 20)) {
        kw_buf_free(&c->out);
        kw_buf_init(&c->out);
    }
}

int kw_conn_ref(kw_conn_refs *refs, kw_buf *out, const void *p, size_t len)
{
    if (!len) return out->err;
    if (!refs || refs->copy || len < KW_CONN_REF_MIN) {
        kw_buf_put(out, p, len);
        return out->err;
    }
    if (out->err) return out->err;
    kw_conn *c = refs->c;
    int e = seg_push(c, NULL, out->len - refs->mark);
    if (!e) e = seg_push(c, p, len);
    if (e) {
        out->err = e;
        return e;
    }
    refs->mark = out->len;
    refs->ref_bytes += len;
    return 0;
}

static void push(reqlist *l, req *r)
{
    r->next = NULL;
    if (l->tail) l->tail->next = r; else l->head = r;
    l->tail = r;
    l->n++;
}

static req *pop(reqlist *l)
{
    req *r = l->head;
    if (!r) return NULL;
    l->head = r->next;
    if (!l->head) l->tail = NULL;
    l->n--;
    r->next = NULL;
    return r;
}

/* Remove r (present in l). */
static void unlink_req(reqlist *l, req *r)
{
    req **pp = &l->head, *prev = NULL;
    while (*pp && *pp != r) { prev = *pp; pp = &(*pp)->next; }
    if (!*pp) return;
    *pp = r->next;
    if (l->tail == r) l->tail = prev;
    l->n--;
    r->next = NULL;
}

/* Correlation ids count up from 1 and wrap from INT32_MAX to 0 (never negative). */
static int32_t next_corr(kw_conn *c)
{
    int32_t id = c->next_corr;
    c->next_corr = id == INT32_MAX ? 0 : id + 1;
    return id;
}

static uint64_t rng_next(kw_conn *c)
{
    if (c->o.rng) return c->o.rng(c->o.rng_ud);
    uint64_t z = (c->rng_state += 0x9e3779b97f4a7c15ULL); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double jitter(kw_conn *c)
{
    return 0.8 + 0.4 * ((double)(rng_next(c) >> 11) / 9007199254740992.0);
}

int64_t kw_conn_backoff_ms(int64_t base_ms, int64_t max_ms, int failures, double factor)
{
    if (base_ms <= 0) return 0;
    if (max_ms <= base_ms) return base_ms; /* Kafka: no exponent, no jitter */
    /* the exponent stops at log2(max/base), so the term reaches max exactly and jitter
     * then spreads the capped backoff over [0.8, 1.0] * max */
    double exp_max = log2((double)max_ms / (double)base_ms);
    double e = failures > 1 ? (double)(failures - 1) : 0.0;
    double term = e >= exp_max ? (double)max_ms : (double)base_ms * pow(2.0, e);
    double v = term * factor;
    return v >= (double)max_ms ? max_ms : (int64_t)v;
}

static int fmt_err(kw_conn *c, const char *fmt, ...)
{
    char m[440];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(c->err, sizeof c->err, "%s: %s", c->name ? c->name : "broker", m);
    return 0;
}

/* ---- statistics ---- */

static kw_api_stats *stats_for(kw_conn *c, int16_t key, int16_t ver)
{
    for (size_t i = 0; i < c->st.napis; i++)
        if (c->st.apis[i].api_key == key && c->st.apis[i].version == ver) return &c->st.apis[i];
    kw_api_stats *n = kw__grow_sz(c->st.apis, sizeof *n, c->st.napis + 1, &c->st.apis_cap, 8);
    if (!n) return NULL;
    c->st.apis = n;
    kw_api_stats *s = &c->st.apis[c->st.napis++];
    memset(s, 0, sizeof *s);
    s->api_key = key;
    s->version = ver;
    s->rtt_min_us = INT64_MAX;
    return s;
}

static void stats_rtt(kw_api_stats *s, int64_t rtt)
{
    if (rtt < 0) rtt = 0;
    s->rtt_sum_us += (uint64_t)rtt;
    if (rtt < s->rtt_min_us) s->rtt_min_us = rtt;
    if (rtt > s->rtt_max_us) s->rtt_max_us = rtt;
    if (!s->rtt) s->rtt = kw_hdr_new_default();
    if (s->rtt) kw_hdr_record(s->rtt, rtt);
}

int64_t kw_api_stats_quantile(const kw_api_stats *s, double q)
{
    if (!s->rtt || !s->rtt->total) return 0;
    if (q < 0) q = 0;
    if (q > 1) q = 1;
    int64_t v = kw_hdr_value_at(s->rtt, q * 100.0);
    if (v > s->rtt_max_us) v = s->rtt_max_us;
    if (v < s->rtt_min_us) v = s->rtt_min_us;
    return v;
}

/* ---- life cycle ---- */

kw_conn *kw_conn_new(const kw_conn_opts *o)
{
    kw_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (o) c->o = *o; else kw_conn_opts_default(&c->o);
    if (c->o.max_in_flight < 1) c->o.max_in_flight = 1;
    c->name = strdup(o && o->name ? o->name : "broker");
    c->client_id = o && o->client_id ? strdup(o->client_id) : NULL;
    if (!c->name || (o && o->client_id && !c->client_id)) {
        free(c->name);
        free(c->client_id);
        free(c);
        return NULL;
    }
    c->o.name = c->name;
    c->o.client_id = c->client_id;
    kw_framer_init(&c->fr, c->o.max_response);
    kw_buf_init(&c->out);
    c->state = KW_CONN_DISCONNECTED;
    c->next_corr = c->o.first_correlation_id > 0 ? c->o.first_correlation_id : 1;
    c->noresp_corr = -1;
    c->av_version = -1;
    c->av_start = -1;
    c->rng_state = 0x6b77697265ULL;
    for (int i = 0; i < MAX_API; i++) c->b_hi[i] = c->cap[i] = -1;
    kw_versions_none(&c->neg);
    c->reauth_at = INT64_MAX;
    if (o && o->host && !(c->host = strdup(o->host))) {
        kw_conn_free(c);
        return NULL;
    }
    if (o && o->setup_error && !(c->setup_error = strdup(o->setup_error))) {
        kw_conn_free(c);
        return NULL;
    }
    if (o && o->tls && !o->setup_error) {
        c->tls = kw_tls_new(o->tls, c->host ? c->host : c->name);
        c->tbuf = malloc(TBUF);
        c->stage = malloc(STAGE);
        if (!c->tls || !c->tbuf || !c->stage) {
            kw_conn_free(c);
            return NULL;
        }
    }
    return c;
}

static void finish(kw_conn *c, req *r, int err, const kw_conn_resp *resp)
{
    if (!r->internal) {
        kw_api_stats *s = r->version >= 0 ? stats_for(c, r->r.api_key, r->version) : NULL;
        if (s && err) s->errors++;
        if (r->r.done) r->r.done(r->r.ud, err, err ? NULL : resp);
    }
    free(r);
}

/* Fail every request of a detached list with err; r_timed (if in it) gets KW_ERR_TIMEOUT. */
static void fail_list(kw_conn *c, reqlist *l, int err, int64_t now)
{
    req *r;
    while ((r = pop(l))) {
        int e = err;
        if (err == KW_ERR_DISCONNECTED && r->deadline <= now) e = KW_ERR_TIMEOUT;
        finish(c, r, e, NULL);
    }
}

/* The socket's security state goes with it (the TLS session stays for resumption). */
static void socket_gone(kw_conn *c)
{
    if (c->tls) kw_tls_stop(c->tls);
    kw_auth_free(&c->auth);
    c->authed = c->reauth = 0;
    c->reauth_at = INT64_MAX;
}

/* Reset the per-socket state; fail in-flight requests with err; go to BACKOFF. */
static void drop(kw_conn *c, int64_t now, int err, int count_failure)
{
    reqlist infl = c->inflight;
    memset(&c->inflight, 0, sizeof c->inflight);
    kw_framer_reset(&c->fr);
    out_reset(c);
    c->av_done = 0;
    socket_gone(c);
    if (count_failure) c->failures++;
    c->st.disconnects++;
    c->state = KW_CONN_BACKOFF;
    double f = jitter(c);
    c->state_deadline =
        add_sat(now, ms_to_us(kw_conn_backoff_ms(c->o.reconnect_backoff_ms, c->o.reconnect_backoff_max_ms,
                                                 c->failures > 0 ? c->failures : 1, f)));
    fail_list(c, &infl, err, now);
}

/*
 * Give up on this broker: the socket goes, in-flight and queued requests fail with err,
 * and so will every later one (FAILED). c->err already says why. A TLS failure also
 * forgets the session, which must not be offered again.
 */
static void fatal(kw_conn *c, int64_t now, int err)
{
    if (c->state == KW_CONN_CLOSED || c->state == KW_CONN_FAILED) return;
    if (c->tls && err == KW_ERR_TLS) kw_tls_forget_session(c->tls);
    if (c->state == KW_CONN_CONNECTING) c->st.connect_failures++;
    c->fatal = err;
    char keep[sizeof c->err];
    memcpy(keep, c->err, sizeof keep);
    drop(c, now, err, 1);
    c->state = KW_CONN_FAILED;
    reqlist q = c->queue;
    memset(&c->queue, 0, sizeof c->queue);
    fail_list(c, &q, err, now);
    memcpy(c->err, keep, sizeof keep); /* callbacks may have run kw_conn_* calls */
}

void kw_conn_close(kw_conn *c)
{
    if (!c || c->state == KW_CONN_CLOSED) return;
    reqlist infl = c->inflight, q = c->queue;
    memset(&c->inflight, 0, sizeof c->inflight);
    memset(&c->queue, 0, sizeof c->queue);
    c->state = KW_CONN_CLOSED;
    kw_framer_reset(&c->fr);
    out_reset(c);
    socket_gone(c);
    fail_list(c, &infl, KW_ERR_DESTROYED, INT64_MIN);
    fail_list(c, &q, KW_ERR_DESTROYED, INT64_MIN);
    /* callbacks could not submit (closed), so both lists stay empty */
}

void kw_conn_free(kw_conn *c)
{
    if (!c) return;
    kw_conn_close(c);
    kw_framer_free(&c->fr);
    kw_buf_free(&c->out);
    free(c->segs);
    for (size_t i = 0; i < c->st.napis; i++) kw_hdr_free(c->st.apis[i].rtt);
    free(c->st.apis);
    free(c->name);
    free(c->client_id);
    kw_tls_free(c->tls);
    free(c->tbuf);
    free(c->stage);
    free(c->host);
    free(c->setup_error);
    free(c);
}

/* How long a written request waits for its response. */
static int64_t resp_timeout_ms(const kw_conn *c, const req *r)
{
    return r->r.response_timeout_ms > 0 ? r->r.response_timeout_ms : c->o.request_timeout_ms;
}

int kw_conn_submit(kw_conn *c, const kw_conn_req *rq, int64_t now)
{
    if (!c || !rq || (!rq->encode && !rq->encode_ref)) return KW_ERR_INVALID_ARG;
    if (c->state == KW_CONN_CLOSED) return KW_ERR_DESTROYED;
    if (now > c->now) c->now = now;
    int16_t lo, hi;
    if (kw_api_range(rq->api_key, &lo, &hi)) return KW_ERR_UNKNOWN_API;
    req *r = calloc(1, sizeof *r);
    if (!r) return KW_ERR_NOMEM;
    r->r = *rq;
    r->version = -1;
    r->queued_at = now;
    int64_t t = rq->timeout_ms > 0 ? rq->timeout_ms : c->o.request_timeout_ms;
    r->deadline = add_sat(now, ms_to_us(t));
    push(&c->queue, r);
    return 0;
}

/* ---- connection events ---- */

void kw_conn_request_connect(kw_conn *c)
{
    if (c->state != KW_CONN_READY && c->state != KW_CONN_CLOSED) c->connect_wanted = 1;
}

int kw_conn_want_connect(const kw_conn *c, int64_t now)
{
    if (c->setup_error) return 0; /* kw_conn_tick fails it */
    int want = c->queue.n > 0 || c->connect_wanted;
    if (c->state == KW_CONN_DISCONNECTED) return want;
    if (c->state == KW_CONN_BACKOFF) return want && now >= c->state_deadline;
    return 0;
}

void kw_conn_connecting(kw_conn *c, int64_t now)
{
    if (now > c->now) c->now = now;
    if (c->state != KW_CONN_DISCONNECTED && c->state != KW_CONN_BACKOFF) return;
    c->state = KW_CONN_CONNECTING;
    double f = jitter(c);
    int64_t t = kw_conn_backoff_ms(c->o.setup_timeout_ms, c->o.setup_timeout_max_ms,
                                   c->failures > 0 ? c->failures + 1 : 1, f);
    c->state_deadline = add_sat(now, ms_to_us(t));
}

/* Encode a request frame for r at r->version into the output; 0 or error (output
 * untouched). */
static int encode_frame(kw_conn *c, req *r)
{
    size_t start = c->out.len;
    /* the segment queue as it was, to restore on failure */
    size_t live0 = c->nseg - c->seg_head, pending0 = c->pending; /* seg_push may move the live ones to the front */
    size_t last0 = c->nseg > c->seg_head ? c->segs[c->nseg - 1].len : 0;
    kw_conn_refs refs = {c, start, 0, c->o.tap != NULL};
    kw_buf_i32(&c->out, 0); /* size, patched below */
    int e = kw_req_header_encode(&c->out, r->r.api_key, r->version, r->corr, c->client_id);
    if (!e) e = c->out.err;
    if (!e) e = r->r.encode_ref ? r->r.encode_ref(r->r.ud, r->version, &c->out, &refs)
                                : r->r.encode(r->r.ud, r->version, &c->out);
    if (!e && c->out.err) e = c->out.err;
    if (!e) e = seg_push(c, NULL, c->out.len - refs.mark);
    size_t len = c->out.len - start - 4 + refs.ref_bytes;
    if (!e && len > INT32_MAX) e = KW_ERR_TOO_LARGE;
    if (e) {
        c->out.len = start;
        c->nseg = c->seg_head + live0;
        if (c->nseg > c->seg_head) c->segs[c->nseg - 1].len = last0;
        c->pending = pending0;
        if (c->out.err == KW_ERR_NOMEM) c->out.err = 0;
        return e;
    }
    kw_frame_size_put(c->out.data + start, (uint32_t)len);
    r->bytes_out = len + 4;
    r->has_refs = refs.ref_bytes > 0;
    if (c->o.tap) c->o.tap(c->o.tap_ud, KW_REQ, r->r.api_key, r->version, c->out.data + start + 4, len);
    r->out_end = c->out_total + c->pending;
    return 0;
}

static int av_encode(void *ud, int16_t version, kw_buf *out)
{
    (void)ud;
    kw_apiversions_req rq;
    /* v5+: cluster_id null and node_id -1 (no expectation to check) */
    kw_msg_defaults(KW_API_ApiVersions, KW_REQ, &rq);
    rq.client_software_name = kw_s(CLIENT_SOFTWARE);
    rq.client_software_version = kw_s(KW_VERSION_STRING);
    return kw_msg_encode(KW_API_ApiVersions, version, KW_REQ, &rq, out);
}

/* Queue a request the connection sends itself (ApiVersions, SASL): encoded now, in
 * flight at once. 0, or the error (the caller decides what it means). */
static int send_internal(kw_conn *c, int64_t now, int kind, int16_t api, int16_t version, kw_conn_encode_fn enc)
{
    req *r = calloc(1, sizeof *r);
    if (!r) return KW_ERR_NOMEM;
    r->internal = kind;
    r->r.api_key = api;
    r->r.encode = enc;
    r->r.ud = c;
    r->version = version;
    r->corr = next_corr(c);
    r->queued_at = r->encoded_at = now;
    r->sent_at = -1;
    r->deadline = add_sat(now, ms_to_us(c->o.request_timeout_ms));
    int e = encode_frame(c, r);
    if (e) {
        free(r);
        return e;
    }
    push(&c->inflight, r);
    kw_api_stats *s = stats_for(c, api, version);
    if (s) { s->requests++; s->bytes_out += r->bytes_out; }
    return 0;
}

static void send_api_versions(kw_conn *c, int64_t now, int16_t version)
{
    if (send_internal(c, now, INTERNAL_APIVERSIONS, KW_API_ApiVersions, version, av_encode)) {
        fmt_err(c, "could not encode ApiVersions");
        drop(c, now, KW_ERR_NOMEM, 1);
        return;
    }
    c->av_version = version;
}

static void start_api_versions(kw_conn *c, int64_t now)
{
    c->state = KW_CONN_APIVERSIONS;
    int16_t lo, hi;
    kw_api_range(KW_API_ApiVersions, &lo, &hi);
    send_api_versions(c, now, c->av_start >= 0 ? c->av_start : hi);
}

void kw_conn_connected(kw_conn *c, int64_t now)
{
    if (now > c->now) c->now = now;
    if (c->state != KW_CONN_CONNECTING) return;
    c->last_activity = now;
    c->last_was_connect_failure = 0;
    c->st.connects++;
    c->rx_socket = 0;
    if (!c->tls) {
        start_api_versions(c, now);
        return;
    }
    /* the setup timeout (state_deadline) keeps running through the handshake */
    c->state = KW_CONN_TLS_HANDSHAKE;
    if (kw_tls_start(c->tls)) {
        fmt_err(c, "%s", kw_tls_error(c->tls));
        fatal(c, now, KW_ERR_TLS);
    }
}

/* Queued requests that asked to fail fast when the broker cannot be reached. */
static void fail_fast_queued(kw_conn *c)
{
    reqlist ff = {0};
    for (req *r = c->queue.head, *nx; r; r = nx) {
        nx = r->next;
        if (r->r.fail_fast) {
            unlink_req(&c->queue, r);
            push(&ff, r);
        }
    }
    req *r;
    while ((r = pop(&ff))) finish(c, r, KW_ERR_CONNECT, NULL);
}

/* The peer does not speak Kafka: drop the connection and fail every request waiting
 * for it now (another broker may serve them), instead of retrying until they time out. */
static void not_kafka(kw_conn *c, int64_t now)
{
    c->not_kafka = 1;
    drop(c, now, KW_ERR_NOT_KAFKA, 1);
    reqlist q = c->queue;
    memset(&c->queue, 0, sizeof c->queue);
    fail_list(c, &q, KW_ERR_NOT_KAFKA, now);
}

void kw_conn_connect_failed(kw_conn *c, int64_t now, int err, const char *why)
{
    if (c->state != KW_CONN_CONNECTING) return;
    fmt_err(c, "connect failed: %s", why ? why : kw_strerror(err));
    c->st.connect_failures++;
    c->last_was_connect_failure = 1;
    drop(c, now, KW_ERR_DISCONNECTED, 1);
    fail_fast_queued(c);
}

void kw_conn_disconnected(kw_conn *c, int64_t now, int err, const char *why)
{
    if (!live(c) && c->state != KW_CONN_CONNECTING) return;
    if (c->state == KW_CONN_CONNECTING) {
        kw_conn_connect_failed(c, now, err, why);
        return;
    }
    const char *w = why ? why : kw_strerror(err);
    if (c->state == KW_CONN_TLS_HANDSHAKE) {
        kw_tls_eof_in_handshake(c->tls);
        fmt_err(c, "%s", kw_tls_error(c->tls));
        fatal(c, now, KW_ERR_TLS);
        return;
    }
    if (c->state == KW_CONN_APIVERSIONS && c->rx_socket == 0 && !c->tls && !c->ever_ready) {
        /* closed without a byte back, by a peer that never answered ApiVersions: a TLS
         * listener does that to a plaintext client, and so do services that are not
         * Kafka. No Kafka broker does it every time (one shutting down may, but it
         * answered before: ever_ready). */
        c->silent_closes++;
        if (c->silent_closes >= KW_CONN_SILENT_CLOSES) {
            fmt_err(c, "does not speak the Kafka protocol: it closed the connection %d times without answering "
                       "ApiVersions (an SSL or SASL_SSL listener does that to a plaintext client: set "
                       "security.protocol to match; or another service)",
                    c->silent_closes);
            not_kafka(c, now);
            return;
        }
        fmt_err(c, "the broker closed the connection without answering ApiVersions (%d time%s in a row): if this "
                   "port is an SSL or SASL_SSL listener, set security.protocol to match",
                c->silent_closes, c->silent_closes > 1 ? "s" : "");
        c->last_was_connect_failure = 1;
        drop(c, now, KW_ERR_DISCONNECTED, 1);
        fail_fast_queued(c);
        return;
    }
    if (c->state == KW_CONN_READY && !c->o.sasl && !c->ever_answered && c->inflight.n && !c->fr.hdr_have) {
        /* what a SASL listener does to a client that sends requests unauthenticated (a
         * broker that never answered anything but ApiVersions) */
        c->unanswered_closes++;
        fmt_err(c, "connection lost after ApiVersions, before any answer to %s (%s; %d time%s in a row): a "
                   "SASL_PLAINTEXT or SASL_SSL listener does that to a client that does not authenticate; set "
                   "security.protocol and sasl.mechanism to match",
                api_name(c->inflight.head->r.api_key), w, c->unanswered_closes, c->unanswered_closes > 1 ? "s" : "");
        if (c->unanswered_closes >= KW_CONN_SILENT_CLOSES) {
            fatal(c, now, KW_ERR_DISCONNECTED);
            return;
        }
        drop(c, now, KW_ERR_DISCONNECTED, 1);
        return;
    }
    if (c->fr.hdr_have == 4 && c->fr.have < c->fr.need)
        fmt_err(c, "connection lost in the middle of a response frame (%zu of %zu bytes received): %s", c->fr.have,
                c->fr.need, w);
    else if (c->fr.hdr_have > 0 && c->fr.hdr_have < 4)
        fmt_err(c, "connection lost inside a response frame's size field (%zu of 4 bytes): %s", c->fr.hdr_have, w);
    else if (c->state == KW_CONN_AUTHENTICATING)
        fmt_err(c, "connection lost during SASL authentication: %s", w);
    else
        fmt_err(c, "connection lost: %s", w);
    /* a drop before negotiation finished counts as a failed attempt */
    drop(c, now, KW_ERR_DISCONNECTED, c->state != KW_CONN_READY);
}

/* Move queued requests to the output while READY and below max in flight (and no
 * re-authentication is due: new requests wait for it). */
static void pump(kw_conn *c, int64_t now)
{
    while (c->state == KW_CONN_READY && now < c->reauth_at && c->queue.head && c->inflight.n < c->o.max_in_flight) {
        req *r = pop(&c->queue);
        int16_t lo, hi;
        int e = kw_conn_api_version(c, r->r.api_key, &lo, &hi);
        if (!e) {
            if (r->r.min_version >= 0 && r->r.min_version > lo) lo = r->r.min_version;
            if (r->r.max_version >= 0 && r->r.max_version < hi) hi = r->r.max_version;
            if (lo > hi) e = KW_ERR_VERSION;
            else if (c->cap[r->r.api_key] >= lo && c->cap[r->r.api_key] < hi) hi = c->cap[r->r.api_key];
        }
        if (e) {
            fmt_err(c, "%s: no version both sides support", api_name(r->r.api_key));
            finish(c, r, e, NULL);
            continue;
        }
        r->version = hi;
        r->corr = next_corr(c);
        e = encode_frame(c, r);
        if (e) {
            finish(c, r, e, NULL);
            continue;
        }
        r->sent_at = -1; /* set when its last byte is written */
        r->encoded_at = now;
        r->deadline = add_sat(now, ms_to_us(resp_timeout_ms(c, r)));
        push(&c->inflight, r);
        if (c->inflight.n > c->st.inflight_max) c->st.inflight_max = c->inflight.n;
        kw_api_stats *s = stats_for(c, r->r.api_key, r->version);
        if (s) { s->requests++; s->bytes_out += r->bytes_out; }
        c->last_activity = now;
    }
}

static void become_ready(kw_conn *c, int64_t now)
{
    c->state = KW_CONN_READY;
    c->connect_wanted = 0;
    c->failures = 0;
    c->err[0] = 0;
    pump(c, now);
}

/* ---- SASL (client/auth) ---- */

static int auth_encode(void *ud, int16_t version, kw_buf *out)
{
    kw_conn *c = ud;
    return kw_auth_encode(&c->auth, c->now, version, out);
}

/* Send the exchange's next request; a failure is fatal. */
static void send_auth(kw_conn *c, int64_t now)
{
    int16_t v;
    int api = kw_auth_next_api(&c->auth, &v);
    int e = api < 0 ? KW_ERR_STATE : send_internal(c, now, INTERNAL_AUTH, (int16_t)api, v, auth_encode);
    if (e) {
        if (c->auth.err[0]) fmt_err(c, "%s", c->auth.err);
        else fmt_err(c, "SASL: could not encode %s: %s", api_name(api), kw_strerror(e));
        fatal(c, now, e == KW_ERR_NOMEM ? KW_ERR_NOMEM : KW_ERR_AUTH);
        return;
    }
    kw_auth_sent(&c->auth);
}

static void start_auth(kw_conn *c, int64_t now)
{
    int16_t lo, hi, alo, ahi;
    if (kw_conn_broker_range(c, KW_API_SaslHandshake, &lo, &hi) || hi < 1) {
        fmt_err(c, "SASL: the broker %s; kwire needs v1 (Kafka 1.0 or later)",
                hi < 1 && !kw_conn_broker_range(c, KW_API_SaslHandshake, &lo, &hi)
                    ? "supports only SaslHandshake v0 (unframed SASL tokens)"
                    : "does not list SaslHandshake in its ApiVersions");
        fatal(c, now, KW_ERR_AUTH);
        return;
    }
    if (kw_conn_api_version(c, KW_API_SaslAuthenticate, &alo, &ahi)) {
        fmt_err(c, "SASL: the broker does not support SaslAuthenticate");
        fatal(c, now, KW_ERR_AUTH);
        return;
    }
    if (kw_auth_start(&c->auth, c->o.sasl, ahi)) {
        fmt_err(c, "SASL: no mechanism configured");
        fatal(c, now, KW_ERR_AUTH);
        return;
    }
    c->state = KW_CONN_AUTHENTICATING;
    send_auth(c, now);
}

static void on_auth(kw_conn *c, int64_t now, req *r, const uint8_t *body, size_t len)
{
    int16_t api = r->r.api_key, v = r->version;
    free(r);
    int rc = kw_auth_response(&c->auth, api, v, body, len);
    if (rc == KW_AUTH_MORE) {
        send_auth(c, now);
        return;
    }
    if (rc != KW_AUTH_DONE) {
        fmt_err(c, "%s", c->auth.err);
        fatal(c, now, rc == KW_ERR_NOMEM ? KW_ERR_NOMEM : KW_ERR_AUTH);
        return;
    }
    if (c->reauth) c->st.reauths++;
    else c->st.auths++;
    c->authed = 1;
    c->reauth = 0;
    c->reauth_at = INT64_MAX;
    int64_t life = c->auth.session_lifetime_ms;
    if (life > 0) {
        /* KIP-368: re-authenticate when 85-95% of the session has passed */
        double f = 0.85 + 0.1 * ((double)(rng_next(c) >> 11) / 9007199254740992.0);
        c->reauth_at = add_sat(now, (int64_t)((double)ms_to_us(life) * f));
    }
    become_ready(c, now);
}

/* A re-authentication that is due starts once nothing is in flight or being written. */
static void maybe_reauth(kw_conn *c, int64_t now)
{
    if (c->state != KW_CONN_READY || now < c->reauth_at || c->inflight.n || c->pending) return;
    if (c->tls) {
        size_t n;
        kw_tls_pending(c->tls, &n);
        if (n) return;
    }
    c->reauth = 1;
    start_auth(c, now);
}

static void on_api_versions(kw_conn *c, int64_t now, req *r, const uint8_t *body, size_t len)
{
    int16_t tried = r->version, decoded = tried, retry = 0;
    free(r);
    kw_arena a;
    kw_arena_init(&a);
    kw_apiversions_resp resp;
    int rc = kw_apiversions_handle(tried, body, len, &resp, &a, &decoded, &retry);
    int16_t ec = 0;
    if (rc < 0 && tried > 0 && !kw_msg_peek_error(KW_API_ApiVersions, tried, KW_RESP, body, len, &ec) &&
        ec == KW_KAFKA_UNSUPPORTED_VERSION) {
        /* error 35 in a body that decodes neither at the version sent nor as v0 (the
         * librdkafka 2.0.2 mock broker answers v3/v4 so): retry at v0, as Kafka's
         * client does when it cannot parse the answer */
        rc = KW_KAFKA_UNSUPPORTED_VERSION;
        retry = 0;
    }
    if (rc == KW_KAFKA_UNSUPPORTED_VERSION) {
        kw_arena_free(&a);
        send_api_versions(c, now, retry);
        return;
    }
    if (rc) {
        kw_arena_free(&a);
        if (rc == KW_ERR_VERSION) fmt_err(c, "ApiVersions v%d failed: UNSUPPORTED_VERSION (no version in common)", tried);
        else if (rc < 0) fmt_err(c, "malformed ApiVersions v%d response: %s", tried, kw_strerror(rc));
        else fmt_err(c, "ApiVersions v%d failed: %s", tried, kw_err_name(rc));
        drop(c, now, rc < 0 ? rc : KW_ERR_DISCONNECTED, 1);
        return;
    }
    for (int i = 0; i < MAX_API; i++) c->b_hi[i] = -1;
    for (int32_t i = 0; i < resp.n_api_keys; i++) {
        const kw_apiversions_key *k = &resp.api_keys[i];
        if (k->api_key >= 0 && k->api_key < MAX_API && k->min_version >= 0 && k->max_version >= k->min_version) {
            c->b_lo[k->api_key] = k->min_version;
            c->b_hi[k->api_key] = k->max_version;
        }
    }
    kw_negotiate(&resp, &c->neg);
    kw_arena_free(&a);
    c->av_done = 1;
    c->av_version = tried;
    c->av_start = tried;
    c->not_kafka = 0;
    c->silent_closes = 0;
    c->ever_ready = 1;
    if (c->o.sasl) start_auth(c, now);
    else become_ready(c, now);
}

/* Handle one response frame; 0 or the error that dropped the connection. */
static int on_frame(kw_conn *c, int64_t now, const uint8_t *p, size_t len)
{
    c->st.bytes_in += len + 4;
    int32_t corr;
    if (kw_resp_correlation_peek(p, len, &corr)) {
        fmt_err(c, "response frame of %zu bytes has no correlation id", len);
        drop(c, now, KW_ERR_CORRUPT, 0);
        return KW_ERR_CORRUPT;
    }
    req *r = c->inflight.head;
    while (r && r->r.no_response) r = r->next;
    if ((!r || corr < r->corr) && corr >= 0 && corr <= c->noresp_corr) {
        /* a broker that answers a request sent without acks (librdkafka's mock does for
         * Produce acks=0): its request is finished already, skip the response */
        return 0;
    }
    if (!r || r->corr != corr) {
        if (r) fmt_err(c, "response correlation id %d, expected %d", corr, r->corr);
        else fmt_err(c, "response correlation id %d with no request in flight", corr);
        drop(c, now, KW_ERR_CORRELATION, 0);
        return KW_ERR_CORRELATION;
    }
    if (r->has_refs && r->out_end > c->out_total) {
        /* answered before its last byte was written: the slices it refers to are still
         * being written, so it cannot be handed back; the broker broke the protocol */
        fmt_err(c, "%s v%d response (correlation id %d) before the request was written", api_name(r->r.api_key),
                r->version, corr);
        drop(c, now, KW_ERR_CORRUPT, 0);
        return KW_ERR_CORRUPT;
    }
    unlink_req(&c->inflight, r);
    c->last_activity = now;
    int16_t key = r->r.api_key;
    int32_t corr2;
    size_t off;
    if (kw_resp_header_decode(key, r->version, p, len, &corr2, &off)) {
        fmt_err(c, "%s v%d response header: bad tagged fields", api_name(key), r->version);
        push(&c->inflight, r); /* failed by the drop below with the rest */
        drop(c, now, KW_ERR_CORRUPT, 0);
        return KW_ERR_CORRUPT;
    }
    if (c->o.tap) c->o.tap(c->o.tap_ud, KW_RESP, key, r->version, p, len);
    kw_api_stats *s = stats_for(c, key, r->version);
    int64_t rtt = now - (r->sent_at >= 0 ? r->sent_at : r->encoded_at);
    if (s) {
        s->bytes_in += len + 4;
        stats_rtt(s, rtt);
    }
    if (r->internal) {
        if (r->internal == INTERNAL_APIVERSIONS) on_api_versions(c, now, r, p + off, len - off);
        else on_auth(c, now, r, p + off, len - off);
        if (c->state == KW_CONN_FAILED) return c->fatal;
        return c->state == KW_CONN_BACKOFF ? KW_ERR_DISCONNECTED : 0;
    }
    kw_conn_resp resp = {key, r->version, corr, p + off, len - off, rtt};
    c->ever_answered = 1;
    c->unanswered_closes = 0;
    finish(c, r, 0, &resp);
    pump(c, now);
    maybe_reauth(c, now);
    return 0;
}

/* Plaintext bytes: frames out of the framer, each handled. */
static int feed_plain(kw_conn *c, int64_t now, const uint8_t *p, size_t len)
{
    int32_t size;
    if (c->state == KW_CONN_APIVERSIONS && kw_framer_buffered(&c->fr) == 0 && !kw_frame_size_peek(p, len, &size)) {
        /* the first bytes of the answer to ApiVersions: a size no such answer has is a
         * peer that speaks something else (an HTTP server, SSH; TLS records met by a
         * plaintext connection are caught before, in kw_conn_feed): fail what waits
         * for this broker now instead of retrying until its timeouts */
        if (size < 4 || (uint32_t)size > KW_FRAME_APIVERSIONS_MAX) {
            const char *like = kw_frame_sniff(p, len);
            if (like) fmt_err(c, "does not speak the Kafka protocol (first bytes look like %s)", like);
            else
                fmt_err(c, "does not speak the Kafka protocol (first bytes %02x %02x %02x %02x: a frame of %d bytes)",
                        p[0], p[1], p[2], p[3], size);
            not_kafka(c, now);
            return KW_ERR_NOT_KAFKA;
        }
    }
    while (framing(c)) {
        const uint8_t *f;
        size_t fl;
        int r = kw_framer_next(&c->fr, &p, &len, &f, &fl);
        if (r == 0) return 0;
        if (r < 0) {
            if (r == KW_ERR_TOO_LARGE) fmt_err(c, "response frame larger than %zu bytes", c->fr.max);
            else fmt_err(c, "bad response frame: %s", kw_strerror(r));
            drop(c, now, r, 0);
            return r;
        }
        int e = on_frame(c, now, f, fl);
        if (e) return e;
    }
    return 0;
}

/* Decrypt what TLS holds and handle it, TBUF bytes at a time. */
static int tls_read_all(kw_conn *c, int64_t now)
{
    while (framing(c)) {
        size_t n = 0, got = 0;
        int r;
        do {
            r = kw_tls_read(c->tls, c->tbuf + n, TBUF - n, &got);
            n += got;
        } while (!r && got && n < TBUF);
        if (n) {
            int e = feed_plain(c, now, c->tbuf, n);
            if (e) return e;
        }
        if (r == KW_ERR_DISCONNECTED) {
            kw_conn_disconnected(c, now, KW_ERR_DISCONNECTED, kw_tls_error(c->tls));
            return KW_ERR_DISCONNECTED;
        }
        if (r < 0) {
            fmt_err(c, "%s", kw_tls_error(c->tls));
            drop(c, now, KW_ERR_TLS, 0);
            return KW_ERR_TLS;
        }
        if (n < TBUF) break;
    }
    return 0;
}

int kw_conn_feed(kw_conn *c, int64_t now, const uint8_t *p, size_t len)
{
    if (!live(c)) return KW_ERR_STATE;
    if (now > c->now) c->now = now;
    c->last_activity = now;
    if (!c->tls) {
        if (c->state == KW_CONN_APIVERSIONS && c->rx_socket == 0 && len >= 2 && kw_tls_looks_like_record(p, len)) {
            /* a frame size of 335 MB or more: no, a TLS record (an alert to our request) */
            fmt_err(c, "the broker answered in TLS (a TLS record, first bytes %02x %02x), not Kafka frames: this port "
                       "is an SSL or SASL_SSL listener; set security.protocol to match",
                    p[0], p[1]);
            fatal(c, now, KW_ERR_TLS);
            return KW_ERR_TLS;
        }
        c->rx_socket += len;
        return feed_plain(c, now, p, len);
    }
    c->rx_socket += len;
    c->st.tls_bytes_in += len;
    if (kw_tls_feed(c->tls, p, len)) {
        fmt_err(c, "out of memory for TLS records");
        drop(c, now, KW_ERR_NOMEM, 0);
        return KW_ERR_NOMEM;
    }
    if (c->state == KW_CONN_TLS_HANDSHAKE) {
        int r = kw_tls_handshake(c->tls);
        if (r < 0) {
            fmt_err(c, "%s", kw_tls_error(c->tls));
            fatal(c, now, KW_ERR_TLS);
            return KW_ERR_TLS;
        }
        if (r == 0) return 0;
        c->st.tls_handshakes++;
        if (kw_tls_resumed(c->tls)) c->st.tls_resumed++;
        start_api_versions(c, now);
        if (!framing(c)) return KW_ERR_DISCONNECTED;
    }
    return tls_read_all(c, now);
}

/* The plaintext output as a gather list (what a socket gets without TLS). */
static int plain_iov(kw_conn *c, kw_conn_iov *iov, int max, size_t *total)
{
    *total = 0;
    if (!framing(c) || !c->pending) return 0;
    int n = 0;
    size_t off = c->out_off; /* copy segments take their bytes from out in order */
    for (size_t i = c->seg_head; i < c->nseg && n < max; i++) {
        const seg *g = &c->segs[i];
        size_t skip = i == c->seg_head ? c->seg_off : 0;
        const uint8_t *p = g->ref ? g->ref + skip : c->out.data + off;
        if (!g->ref) off += g->len - skip;
        iov[n].p = p;
        iov[n].len = g->len - skip;
        *total += iov[n].len;
        n++;
    }
    return n;
}

static void plain_written(kw_conn *c, int64_t now, size_t n);

/* Encrypt plaintext output into TLS records while less than TLS_OUT_MAX ciphertext
 * waits: slices under STAGE bytes are gathered into one record, larger ones go
 * straight in; what is encrypted counts as written. */
static void tls_encrypt(kw_conn *c, int64_t now)
{
    size_t pend;
    kw_tls_pending(c->tls, &pend);
    while (framing(c) && c->pending && pend < TLS_OUT_MAX) {
        kw_conn_iov v[16];
        size_t tot, done = 0, staged = 0, budget = TLS_OUT_MAX - pend;
        int n = plain_iov(c, v, 16, &tot);
        int e = 0;
        for (int i = 0; i < n && done < budget && !e; i++) {
            size_t take = v[i].len < budget - done ? v[i].len : budget - done;
            if (take < STAGE) {
                if (staged + take > STAGE) {
                    e = kw_tls_write(c->tls, c->stage, staged);
                    staged = 0;
                }
                memcpy(c->stage + staged, v[i].p, take);
                staged += take;
            } else {
                if (staged) e = kw_tls_write(c->tls, c->stage, staged);
                staged = 0;
                if (!e) e = kw_tls_write(c->tls, v[i].p, take);
            }
            done += take;
        }
        if (!e && staged) e = kw_tls_write(c->tls, c->stage, staged);
        if (e) {
            fmt_err(c, "%s", kw_tls_error(c->tls));
            drop(c, now, KW_ERR_TLS, 0);
            return;
        }
        plain_written(c, now, done);
        kw_tls_pending(c->tls, &pend);
    }
}

int kw_conn_output_iov(kw_conn *c, kw_conn_iov *iov, int max, size_t *total)
{
    pump(c, c->now);
    *total = 0;
    if (!c->tls) return plain_iov(c, iov, max, total);
    if (!live(c) || max < 1) return 0;
    if (c->state != KW_CONN_TLS_HANDSHAKE) tls_encrypt(c, c->now);
    if (!live(c)) return 0;
    size_t n;
    const uint8_t *p = kw_tls_pending(c->tls, &n);
    if (!n) return 0;
    iov[0].p = p;
    iov[0].len = n;
    *total = n;
    return 1;
}

const uint8_t *kw_conn_output(kw_conn *c, size_t *len)
{
    kw_conn_iov v;
    if (kw_conn_output_iov(c, &v, 1, len) != 1) {
        *len = 0;
        return NULL;
    }
    return v.p;
}

void kw_conn_written(kw_conn *c, int64_t now, size_t n)
{
    if (now > c->now) c->now = now;
    if (c->tls) {
        if (!live(c)) return;
        kw_tls_consumed(c->tls, n);
        c->st.tls_bytes_out += n;
        if (n) c->last_activity = now;
        maybe_reauth(c, now);
        return;
    }
    plain_written(c, now, n);
}

/* n bytes of the plaintext output are gone (to the socket, or into TLS records). */
static void plain_written(kw_conn *c, int64_t now, size_t n)
{
    if (n > c->pending) n = c->pending;
    c->pending -= n;
    c->out_total += n;
    c->st.bytes_out += n;
    if (n) c->last_activity = now;
    for (size_t left = n; left > 0;) {
        seg *g = &c->segs[c->seg_head];
        size_t take = g->len - c->seg_off;
        if (take > left) take = left;
        if (!g->ref) c->out_off += take;
        c->seg_off += take;
        left -= take;
        if (c->seg_off == g->len) {
            c->seg_head++;
            c->seg_off = 0;
        }
    }
    if (!c->pending) {
        c->out.len = c->out_off = 0;
        c->nseg = c->seg_head = c->seg_off = 0;
        if (c->out.cap > ((size_t)1 << 20)) {
            /* a large request passed through: give the buffer back */
            kw_buf_free(&c->out);
            kw_buf_init(&c->out);
        }
    } else if (c->out_off >= ((size_t)64 << 10) && c->out_off >= c->out.len / 2) {
        /* drop the written prefix so a connection that always has more to write does
         * not grow its buffer by everything it ever sent (requests track out_total) */
        memmove(c->out.data, c->out.data + c->out_off, c->out.len - c->out_off);
        c->out.len -= c->out_off;
        c->out_off = 0;
    }
    /* a request whose last byte is out: its RTT and request.timeout.ms start now, and
     * one that expects no response is done */
    for (req *r = c->inflight.head, *nx; r; r = nx) {
        nx = r->next;
        if (r->sent_at < 0 && r->out_end <= c->out_total) {
            r->sent_at = now;
            r->deadline = add_sat(now, ms_to_us(resp_timeout_ms(c, r)));
        }
        if (r->r.no_response && r->out_end <= c->out_total) {
            if (r->corr > c->noresp_corr) c->noresp_corr = r->corr;
            unlink_req(&c->inflight, r);
            kw_conn_resp resp = {r->r.api_key, r->version, r->corr, NULL, 0, 0};
            finish(c, r, 0, &resp);
        }
    }
    pump(c, now);
    if (!c->tls) maybe_reauth(c, now);
}

void kw_conn_tick(kw_conn *c, int64_t now)
{
    if (now > c->now) c->now = now;
    if (c->setup_error && c->state == KW_CONN_DISCONNECTED && (c->queue.n || c->connect_wanted)) {
        fmt_err(c, "%s", c->setup_error);
        fatal(c, now, KW_ERR_CONFIG);
    }
    switch (c->state) {
    case KW_CONN_CONNECTING:
        if (now >= c->state_deadline) {
            c->st.timeouts++;
            kw_conn_connect_failed(c, now, KW_ERR_TIMEOUT, "socket.connection.setup.timeout.ms elapsed");
        }
        break;
    case KW_CONN_TLS_HANDSHAKE:
        if (now >= c->state_deadline) {
            c->st.timeouts++;
            fmt_err(c, "the TLS handshake did not finish within socket.connection.setup.timeout.ms");
            drop(c, now, KW_ERR_DISCONNECTED, 1);
            fail_fast_queued(c);
        }
        break;
    case KW_CONN_FAILED: {
        reqlist q = c->queue;
        memset(&c->queue, 0, sizeof c->queue);
        fail_list(c, &q, c->fatal, now);
        return;
    }
    case KW_CONN_APIVERSIONS:
    case KW_CONN_AUTHENTICATING:
    case KW_CONN_READY:
        for (req *r = c->inflight.head; r; r = r->next) {
            if (now >= r->deadline) {
                c->st.timeouts++;
                fmt_err(c, "%s v%d (correlation id %d) got no response within %s (%lld ms)",
                        api_name(r->r.api_key), r->version, r->corr,
                        r->r.response_timeout_ms > 0 ? "its timeout" : "request.timeout.ms",
                        (long long)resp_timeout_ms(c, r));
                drop(c, now, KW_ERR_DISCONNECTED, c->state != KW_CONN_READY);
                break;
            }
        }
        if (c->state == KW_CONN_READY && !c->inflight.n && !c->queue.n && c->pending == 0 &&
            c->o.connections_max_idle_ms >= 0 &&
            now - c->last_activity >= ms_to_us(c->o.connections_max_idle_ms)) {
            kw_framer_reset(&c->fr);
            out_reset(c);
            socket_gone(c);
            c->state = KW_CONN_DISCONNECTED;
            c->av_done = 0;
            c->st.disconnects++;
        }
        maybe_reauth(c, now);
        break;
    default: break;
    }
    /* queued requests past their wait bound */
    if (c->state != KW_CONN_CLOSED) {
        reqlist expired = {0};
        for (req *r = c->queue.head, *nx; r; r = nx) {
            nx = r->next;
            if (now >= r->deadline) {
                unlink_req(&c->queue, r);
                push(&expired, r);
            }
        }
        int e = c->last_was_connect_failure ? KW_ERR_CONNECT : KW_ERR_TIMEOUT;
        req *r;
        while ((r = pop(&expired))) finish(c, r, e, NULL);
    }
    pump(c, now);
}

int64_t kw_conn_next_deadline(const kw_conn *c)
{
    int64_t d = INT64_MAX;
    if (c->state == KW_CONN_CLOSED) return d;
    if (c->state == KW_CONN_CONNECTING || c->state == KW_CONN_TLS_HANDSHAKE) d = c->state_deadline;
    if (c->state == KW_CONN_BACKOFF && (c->queue.n || c->connect_wanted)) d = c->state_deadline;
    if ((c->state == KW_CONN_FAILED && c->queue.n) ||
        (c->setup_error && c->state == KW_CONN_DISCONNECTED && (c->queue.n || c->connect_wanted)))
        return c->now; /* kw_conn_tick fails them at once */
    if (c->state == KW_CONN_READY && c->reauth_at < d) d = c->reauth_at;
    for (const req *r = c->inflight.head; r; r = r->next) if (r->deadline < d) d = r->deadline;
    for (const req *r = c->queue.head; r; r = r->next) if (r->deadline < d) d = r->deadline;
    if (c->state == KW_CONN_READY && !c->inflight.n && !c->queue.n && c->o.connections_max_idle_ms >= 0) {
        int64_t idle = add_sat(c->last_activity, ms_to_us(c->o.connections_max_idle_ms));
        if (idle < d) d = idle;
    }
    return d;
}

kw_conn_state kw_conn_state_get(const kw_conn *c) { return c->state; }

int kw_conn_wants_socket(const kw_conn *c)
{
    return c->state == KW_CONN_CONNECTING || live(c);
}

int kw_conn_api_version(const kw_conn *c, int16_t api_key, int16_t *lo, int16_t *hi)
{
    int16_t klo, khi;
    if (kw_api_range(api_key, &klo, &khi)) return KW_ERR_UNKNOWN_API;
    if (!c->av_done) return KW_ERR_STATE;
    int16_t h = kw_versions_get(&c->neg, api_key);
    if (h < 0) return KW_ERR_VERSION;
    int16_t l = klo > c->b_lo[api_key] ? klo : c->b_lo[api_key];
    if (c->cap[api_key] >= l && c->cap[api_key] < h) h = c->cap[api_key];
    *lo = l;
    *hi = h;
    return 0;
}

void kw_conn_cap_version(kw_conn *c, int16_t api_key, int16_t max)
{
    if (api_key >= 0 && api_key < MAX_API) c->cap[api_key] = max;
}

int kw_conn_not_kafka(const kw_conn *c) { return c->not_kafka; }

int kw_conn_broker_range(const kw_conn *c, int16_t api_key, int16_t *lo, int16_t *hi)
{
    if (!c->av_done || api_key < 0 || api_key >= MAX_API || c->b_hi[api_key] < 0) return KW_ERR_NOT_FOUND;
    *lo = c->b_lo[api_key];
    *hi = c->b_hi[api_key];
    return 0;
}

int kw_conn_apiversions_version(const kw_conn *c) { return c->av_done ? c->av_version : -1; }
int kw_conn_inflight(const kw_conn *c) { return c->inflight.n; }
int kw_conn_queued(const kw_conn *c) { return c->queue.n; }
const char *kw_conn_last_error(const kw_conn *c) { return c->err; }
int kw_conn_fatal(const kw_conn *c) { return c->state == KW_CONN_FAILED ? c->fatal : 0; }

const char *kw_conn_tls_version(const kw_conn *c) { return c->tls ? kw_tls_version(c->tls) : ""; }

const char *kw_conn_sasl_mechanism(const kw_conn *c)
{
    const char *m = c->o.sasl && c->authed ? kw_sasl_mech_name(c->o.sasl->mech) : NULL;
    return m ? m : "";
}

const char *kw_conn_security(const kw_conn *c, char *buf, size_t cap)
{
    size_t o = 0;
    if (!cap) return buf;
    buf[0] = 0;
    if (c->tls && kw_tls_handshake_done(c->tls))
        o += (size_t)snprintf(buf, cap, "%s (%s%s)", kw_tls_version(c->tls), kw_tls_cipher(c->tls),
                              kw_tls_resumed(c->tls) ? ", session resumed" : "");
    else if (c->tls)
        o += (size_t)snprintf(buf, cap, "TLS (no handshake yet)");
    if (o < cap && c->o.sasl) {
        const char *m = kw_sasl_mech_name(c->o.sasl->mech);
        o += (size_t)snprintf(buf + o, cap - o, "%sSASL %s", o ? ", " : "", m ? m : "?");
        if (o < cap && c->o.sasl->username && c->o.sasl->mech != KW_SASL_OAUTHBEARER)
            o += (size_t)snprintf(buf + o, cap - o, " as '%s'", c->o.sasl->username);
        if (o < cap && !c->authed) o += (size_t)snprintf(buf + o, cap - o, " (not authenticated yet)");
        else if (o < cap && c->auth.session_lifetime_ms > 0)
            o += (size_t)snprintf(buf + o, cap - o, ", session lifetime %lld ms",
                                  (long long)c->auth.session_lifetime_ms);
    }
    if (!o) snprintf(buf, cap, "plaintext");
    return buf;
}
const kw_conn_stats *kw_conn_stats_get(const kw_conn *c) { return &c->st; }
