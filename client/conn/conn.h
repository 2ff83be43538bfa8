/*
 * client/conn/conn.h — one broker connection as a sans-I/O state machine.
 *
 * The connection never touches a socket or a clock: the I/O layer (client/conn/net.c) or a
 * test tells it what happened (connected, bytes arrived, the peer closed, time passed)
 * and asks it what to do (connect now?, which bytes to write, when to wake up next).
 * Time is a monotonic clock in MICROseconds supplied by the caller (settings in ms are
 * converted), so a test drives it with a fake clock and scripted bytes.
 *
 * States:
 *   DISCONNECTED  no socket, nothing to do until a request is queued
 *   CONNECTING    the I/O layer is connecting (socket.connection.setup.timeout.ms, growing
 *                 per consecutive failure up to ...max.ms, +-20% jitter)
 *   TLS_HANDSHAKE (security.protocol SSL, SASL_SSL) connected; the TLS handshake runs
 *                 (client/tls), still within the connection setup timeout
 *   APIVERSIONS   connected; ApiVersions sent (kwire's highest version, falling back on
 *                 UNSUPPORTED_VERSION (35) to the version the broker lists, or v0; the
 *                 version that succeeded is where the next connection starts). A first
 *                 answer whose size no ApiVersions answer has (an HTTP server, SSH), or
 *                 KW_CONN_SILENT_CLOSES plaintext connections in a row closed without a
 *                 byte by a peer that never answered ApiVersions (a TLS listener, another
 *                 service), fail every queued request with KW_ERR_NOT_KAFKA (until a
 *                 connection gets an answer); a TLS record back to a plaintext
 *                 connection is FAILED (KW_ERR_TLS)
 *   AUTHENTICATING (SASL_PLAINTEXT, SASL_SSL) SaslHandshake and SaslAuthenticate rounds
 *                 (client/auth); again, on the same socket, when 85-95% of the session
 *                 lifetime the broker granted has passed (KIP-368): new requests wait,
 *                 those in flight finish first
 *   READY         versions negotiated (and authenticated); queued requests are sent,
 *                 pipelined up to max.in.flight.requests.per.connection, each at the
 *                 highest version both sides support (and the request allows)
 *   BACKOFF       the last attempt failed or the connection dropped; reconnect after
 *                 reconnect.backoff.ms * 2^(failures-1), at most reconnect.backoff.max.ms,
 *                 +-20% jitter from the injected RNG (as Kafka's ExponentialBackoff)
 *   FAILED        given up for good on this broker: the TLS handshake failed (the
 *                 certificate, the peer speaks plaintext), a plaintext connection got a
 *                 TLS record back (a plaintext client on a TLS port), authentication
 *                 failed, a broker that never answered a request closed three connections
 *                 in a row right after ApiVersions (a SASL listener to a client without
 *                 SASL), or the security settings could not be loaded. Retrying would only
 *                 repeat it: every request, queued or submitted later, fails with that
 *                 error (KW_ERR_TLS, KW_ERR_AUTH, KW_ERR_DISCONNECTED or KW_ERR_CONFIG);
 *                 kw_conn_last_error says why in one line
 *   CLOSED        kw_conn_close() was called; every request has had its outcome
 *
 * With TLS the bytes fed in and taken out are ciphertext: the connection decrypts into
 * the same frame handling and encrypts its frames (small slices gathered into full TLS
 * records) as the socket takes them, so the I/O layer is the same for both.
 *
 * Outcomes: every submitted request gets exactly one call of its done callback — the
 * response, or an error: KW_ERR_TIMEOUT (no response within request.timeout.ms; the
 * connection is dropped, as Kafka does), KW_ERR_DISCONNECTED (in flight when the
 * connection dropped), KW_ERR_CORRELATION (the response did not match: dropped),
 * KW_ERR_VERSION (no common version), KW_ERR_CONNECT (still queued at its deadline while
 * the broker could not be reached), KW_ERR_NOT_KAFKA (the peer is not a Kafka broker),
 * KW_ERR_DESTROYED (kw_conn_close). Requests not yet
 * sent survive a dropped connection and are sent after reconnecting; they wait at most
 * their timeout (default request.timeout.ms) in the queue.
 *
 * Callbacks run inside kw_conn_* calls; they may submit new requests but must not free
 * the connection.
 *
 * A response that arrives for a request not yet written to its end breaks the protocol
 * (a broker reads a whole request before answering); for a request that refers to its
 * caller's slices it drops the connection (KW_ERR_CORRUPT), so no slice is handed back
 * while the connection still has to write from it.
 */
#ifndef KW_CLIENT_CONN_H
#define KW_CLIENT_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/config.h"
#include "client/core/hdr.h"
#include "codec/buf.h"
#include "kwire.h"
#include "proto/frame.h"

#define KW_CONN_SILENT_CLOSES 3

typedef enum kw_conn_state {
    KW_CONN_DISCONNECTED,
    KW_CONN_CONNECTING,
    KW_CONN_APIVERSIONS,
    KW_CONN_READY,
    KW_CONN_BACKOFF,
    KW_CONN_CLOSED,
    KW_CONN_TLS_HANDSHAKE,
    KW_CONN_AUTHENTICATING,
    KW_CONN_FAILED
} kw_conn_state;

const char *kw_conn_state_name(kw_conn_state s);

typedef struct kw_conn_opts {
    const char *name;                 /* for messages, e.g. "127.0.0.1:9092" (copied) */
    const char *client_id;            /* request header client id; NULL = null (copied) */
    int max_in_flight;                /* >= 1 */
    int64_t request_timeout_ms;
    int64_t reconnect_backoff_ms, reconnect_backoff_max_ms;
    int64_t connections_max_idle_ms;  /* -1: never close idle connections */
    int64_t setup_timeout_ms, setup_timeout_max_ms;
    size_t max_response;              /* largest response frame (kwire.max.response.bytes) */
    int32_t first_correlation_id;     /* 0 = 1; ids wrap from INT32_MAX to 0 */
    uint64_t (*rng)(void *ud);        /* jitter source; NULL = built-in fixed-seed generator */
    void *rng_ud;
    /* Optional: sees every request frame as encoded and every response frame as read
     * (payload after the int32 size; dir KW_REQ / KW_RESP), e.g. for --dump. */
    void (*tap)(void *ud, int dir, int16_t api_key, int16_t version, const uint8_t *payload, size_t len);
    void *tap_ud;
    /* Security (client/conn/tls.h, client/conn/auth.h); neither is copied, both outlive the conn. */
    struct kw_tls_ctx *tls;            /* TLS with this context; NULL: plaintext */
    const char *host;                  /* the broker's host: SNI and the certificate's name (copied) */
    const struct kw_sasl_conf *sasl;   /* authenticate with this; NULL: no SASL */
    const char *setup_error;           /* the security settings could not be loaded: FAILED at
                                          the first connect, with this text (copied) */
} kw_conn_opts;

/* Kafka's defaults; and the same from a config's settings. */
void kw_conn_opts_default(kw_conn_opts *o);
void kw_conn_opts_from_config(kw_conn_opts *o, const kw_config *c);

/* A response as delivered: the body follows the response header. */
typedef struct kw_conn_resp {
    int16_t api_key, version;
    int32_t correlation_id;
    const uint8_t *body; /* valid only during the callback */
    size_t len;
    int64_t rtt_us;
} kw_conn_resp;

/* Encode the request body (after the header) at `version`: 0 or a KW_ERR_* (the request
 * then fails with it). */
typedef int (*kw_conn_encode_fn)(void *ud, int16_t version, kw_buf *out);

/*
 * Requests by reference: an encoder given a kw_conn_refs may place a large slice (a
 * record batch) in the request without copying it: kw_conn_ref(refs, out, p, len) means
 * "p[0..len) follows what out holds now". The connection then writes the frame as a
 * gather list (kw_conn_output_iov): its own bytes (header, field encodings) interleaved
 * with the referenced slices. The caller keeps each slice valid and unchanged until the
 * request's done callback has run (every outcome, a dropped connection included, calls
 * it; by then the connection no longer refers to the slice). With refs NULL, or when a
 * frame tap is set (it sees the frame as one block), or for slices under
 * KW_CONN_REF_MIN bytes, the slice is copied into out instead. 0 or KW_ERR_NOMEM.
 */
typedef struct kw_conn_refs kw_conn_refs;
#define KW_CONN_REF_MIN 4096
int kw_conn_ref(kw_conn_refs *refs, kw_buf *out, const void *p, size_t len);
typedef int (*kw_conn_encode_ref_fn)(void *ud, int16_t version, kw_buf *out, kw_conn_refs *refs);

/* One slice of output to write (kw_conn_output_iov). */
typedef struct kw_conn_iov {
    const uint8_t *p;
    size_t len;
} kw_conn_iov;
/* The one outcome: err 0 with resp, or err != 0 with resp NULL. For a request submitted
 * with no_response, success comes once its bytes are written, with resp->len 0. */
typedef void (*kw_conn_done_fn)(void *ud, int err, const kw_conn_resp *resp);

typedef struct kw_conn_req {
    int16_t api_key;
    int16_t min_version, max_version; /* what the caller can encode; -1 = kwire's bound */
    int no_response;                  /* Produce with acks=0 */
    int64_t timeout_ms;               /* queue wait bound; 0 = request.timeout.ms */
    int64_t response_timeout_ms;      /* response wait once written; 0 = request.timeout.ms
                                         (JoinGroup waits up to the rebalance timeout) */
    int fail_fast;                    /* still queued when a connect attempt fails:
                                         fail with KW_ERR_CONNECT now (try another broker) */
    kw_conn_encode_fn encode;
    kw_conn_encode_ref_fn encode_ref; /* used instead of encode when set (see kw_conn_ref) */
    kw_conn_done_fn done;
    void *ud;
} kw_conn_req;

/* Per (API, version) statistics. RTT in microseconds; rtt holds every RTT at 3
 * significant digits (client/core/hdr.h), allocated with the first one (NULL before, or when
 * out of memory: the other figures still count). */
typedef struct kw_api_stats {
    int16_t api_key, version;
    uint64_t requests, errors, bytes_out, bytes_in;
    uint64_t rtt_sum_us;
    int64_t rtt_min_us, rtt_max_us;
    kw_hdr *rtt;
} kw_api_stats;

typedef struct kw_conn_stats {
    kw_api_stats *apis; /* napis entries, in first-use order */
    size_t napis, apis_cap;
    int inflight_max;
    uint64_t connects, connect_failures, disconnects, timeouts;
    uint64_t bytes_out, bytes_in;            /* frames (plaintext) */
    uint64_t tls_bytes_out, tls_bytes_in;    /* on the wire with TLS (records, handshakes) */
    uint64_t tls_handshakes, tls_resumed;    /* full and abbreviated (resumed) handshakes */
    uint64_t auths, reauths;                 /* SASL authentications, re-authentications */
} kw_conn_stats;

/* RTT at quantile q (0..1) from the histogram (HdrHistogram's value at percentile
 * q * 100: within 0.1%), clamped to [min, max]; 0 when there are no samples. */
int64_t kw_api_stats_quantile(const kw_api_stats *s, double q);

typedef struct kw_conn kw_conn;

kw_conn *kw_conn_new(const kw_conn_opts *o);
/* Fails everything outstanding with KW_ERR_DESTROYED (if not closed yet) and frees. */
void kw_conn_free(kw_conn *c);
/* Close for good: outstanding requests fail with KW_ERR_DESTROYED; state CLOSED. */
void kw_conn_close(kw_conn *c);

/* Queue a request. 0, or KW_ERR_DESTROYED (closed) / KW_ERR_INVALID_ARG /
 * KW_ERR_UNKNOWN_API, in which case done is never called. */
int kw_conn_submit(kw_conn *c, const kw_conn_req *req, int64_t now);

/* Ask for a connection without a request (e.g. to read the broker's API versions):
 * kw_conn_want_connect says yes until the connection is READY. */
void kw_conn_request_connect(kw_conn *c);

/* ---- events from the I/O layer ---- */
/* 1 if the I/O layer should start connecting now (then call kw_conn_connecting). */
int kw_conn_want_connect(const kw_conn *c, int64_t now);
/* A connect attempt starts (DISCONNECTED/BACKOFF -> CONNECTING). */
void kw_conn_connecting(kw_conn *c, int64_t now);
/* The TCP connection is up: the TLS ClientHello, or ApiVersions, is queued for writing. */
void kw_conn_connected(kw_conn *c, int64_t now);
/* The attempt failed (err e.g. KW_ERR_CONNECT, KW_ERR_RESOLVE): BACKOFF. */
void kw_conn_connect_failed(kw_conn *c, int64_t now, int err, const char *why);
/* The peer closed or the socket failed: in-flight requests fail, BACKOFF. */
void kw_conn_disconnected(kw_conn *c, int64_t now, int err, const char *why);
/* Bytes read from the socket (ciphertext with TLS). Responses are delivered to their
 * callbacks. 0, or the negative error that dropped the connection (the I/O layer must
 * close its socket). */
int kw_conn_feed(kw_conn *c, int64_t now, const uint8_t *p, size_t len);
/* Bytes to write now (NULL/0 when none): the first contiguous slice of the output (all
 * of it unless a request refers to slices); then report how many were written. */
const uint8_t *kw_conn_output(kw_conn *c, size_t *len);
/* The same as a gather list: up to max slices in order, their total in *total; returns
 * how many (0 when nothing is to be written). A write of any length may follow: report
 * it with kw_conn_written, which may end inside any slice. */
int kw_conn_output_iov(kw_conn *c, kw_conn_iov *iov, int max, size_t *total);
void kw_conn_written(kw_conn *c, int64_t now, size_t n);
/* Timeouts: connect setup, request.timeout.ms, queue waits, idle close, backoff end. */
void kw_conn_tick(kw_conn *c, int64_t now);
/* Earliest time kw_conn_tick has something to do, or INT64_MAX. */
int64_t kw_conn_next_deadline(const kw_conn *c);

/* ---- queries ---- */
kw_conn_state kw_conn_state_get(const kw_conn *c);
/* 1 while the I/O layer should hold a socket (CONNECTING, TLS_HANDSHAKE, APIVERSIONS,
 * AUTHENTICATING, READY). */
int kw_conn_wants_socket(const kw_conn *c);
/* Negotiated version range for an API: 0, KW_ERR_STATE before negotiation, KW_ERR_VERSION
 * if the broker and kwire share none, KW_ERR_UNKNOWN_API. */
int kw_conn_api_version(const kw_conn *c, int16_t api_key, int16_t *lo, int16_t *hi);
/* Send api_key at most at version max from now on (a fallback remembered for this
 * broker, e.g. a version whose answers it gets wrong); -1 lifts the cap. Reflected in
 * kw_conn_api_version. */
void kw_conn_cap_version(kw_conn *c, int16_t api_key, int16_t max);
/* 1 when the last connection's peer answered ApiVersions with bytes no Kafka broker
 * sends (its requests then failed with KW_ERR_NOT_KAFKA at once); 0 once one answers. */
int kw_conn_not_kafka(const kw_conn *c);
/* The broker's own advertised range (ApiVersions response): 0 or KW_ERR_NOT_FOUND. */
int kw_conn_broker_range(const kw_conn *c, int16_t api_key, int16_t *lo, int16_t *hi);
/* ApiVersions version that succeeded (after any fallback), -1 before. */
int kw_conn_apiversions_version(const kw_conn *c);
int kw_conn_inflight(const kw_conn *c);
int kw_conn_queued(const kw_conn *c);
/* Reason for the last drop / failure ("" if none). */
const char *kw_conn_last_error(const kw_conn *c);
/* The error that put the connection in FAILED, else 0. */
int kw_conn_fatal(const kw_conn *c);
/* What protects the connection, once READY, in one line: "TLSv1.3 (TLS_AES_256_GCM_SHA384,
 * session resumed), SASL SCRAM-SHA-512 as 'alice', session lifetime 3600000 ms" or
 * "plaintext". Into buf; returns buf. */
const char *kw_conn_security(const kw_conn *c, char *buf, size_t cap);
/* The negotiated TLS version ("TLSv1.3"; "" without TLS) and SASL mechanism ("" none). */
const char *kw_conn_tls_version(const kw_conn *c);
const char *kw_conn_sasl_mechanism(const kw_conn *c);
const kw_conn_stats *kw_conn_stats_get(const kw_conn *c);
/* The backoff that the n-th consecutive failure (n >= 1) gives, with jitter factor
 * `factor` in [0.8, 1.2]: min(base * 2^(n-1) * factor, max). Exposed for tests. */
int64_t kw_conn_backoff_ms(int64_t base_ms, int64_t max_ms, int failures, double factor);

#endif
