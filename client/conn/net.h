/*
 * client/conn/net.h — the thin socket layer under client/conn: a set of brokers, each a
 * kw_conn state machine plus at most one non-blocking TCP socket, driven by one poll()
 * loop.
 *
 * For each broker it resolves host:port with getaddrinfo (a host name on a thread of its
 * own, so a slow DNS never holds up the poll loop; every address, IPv4 and IPv6,
 * tried in order; an address that refuses moves on to the next within the same
 * attempt; a timed-out attempt starts the next one at the next address), connects
 * non-blocking (socket.connection.setup.timeout.ms is enforced by the conn), sets
 * TCP_NODELAY and SO_SNDBUF / SO_RCVBUF (send.buffer.bytes / receive.buffer.bytes
 * when not -1), reads into the conn's framer, writes what the conn has to send (one
 * sendmsg over its gather list: its own bytes and the slices requests refer to), and
 * ticks the conns for their timeouts. Everything else — protocol, retries, backoff —
 * is the conn's.
 *
 * The same loop also carries plain byte streams that are not Kafka (a listener and the
 * connections it accepts: the Prometheus exporter's HTTP; outgoing connections: bench
 * merge's GET to the Trogdor coordinator; see below), waits for the
 * callers that pause between tries (kw_net_sleep), and can be woken from another
 * thread (kw_net_wakeup): this file is kwire's one place that polls, reads and writes
 * sockets.
 *
 * Clock: kw_net_now() (CLOCK_MONOTONIC, microseconds), the conns' time base.
 *
 * Request callbacks run inside kw_net_poll(); they may submit requests but must not call
 * kw_net_poll, kw_net_request* or kw_net_free (the read buffer is in use). One kw_net is
 * used by one thread at a time.
 */
#ifndef KW_CLIENT_NET_H
#define KW_CLIENT_NET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/core/config.h"
#include "client/conn/conn.h"
#include "codec/buf.h"
#include "kwire/admin.h"

/* typedef kw_net: kwire/types.h */

int64_t kw_net_now(void);

/* kw_net_new, kw_net_setup_error, kw_net_free: kwire/admin.h */

/* kw_net_set_dump, KW_NET_DUMP_*: kwire/admin.h (client/conn/dump.c: a frame tap) */

/* A tap over every request and response frame of every broker added after this call:
 * fn gets the broker's name ("host:port"), the direction (KW_REQ / KW_RESP), the API,
 * the version and the payload after the size; done(ud) (may be NULL) runs in kw_net_free
 * after the last frame. One per net: KW_ERR_INVALID_ARG when one is set already. The net
 * only hands the bytes over; what is printed, and where, is the tap's (--dump's is
 * client/conn/dump.c). */
typedef void (*kw_net_frame_fn)(void *ud, const char *peer, int dir, int16_t api_key, int16_t version,
                                const uint8_t *payload, size_t len);
int kw_net_set_frame_tap(kw_net *n, kw_net_frame_fn fn, void (*done)(void *ud), void *ud);

/* Frame tap applied to every conn created after this call (see kw_conn_opts.tap). */
void kw_net_set_tap(kw_net *n, void (*tap)(void *, int, int16_t, int16_t, const uint8_t *, size_t), void *ud);


/* Add a broker; node_id -1 for a bootstrap address. Returns its index, or a KW_ERR_*. An
 * existing entry with the same host and port (and node id, when both are known) is
 * reused. */
int kw_net_add(kw_net *n, int32_t node_id, const char *host, int port);
/* The same, but only an entry with this very node id is reused: a second connection to
 * a broker already in the set (the group coordinator's, under a node id of its own, so
 * heartbeats never queue behind a fetch the broker holds for fetch.max.wait.ms). */
int kw_net_add_exact(kw_net *n, int32_t node_id, const char *host, int port);
/* kw_net_add_list: kwire/admin.h */
/* Index of the broker with this node id, or KW_ERR_NOT_FOUND. */
int kw_net_find(const kw_net *n, int32_t node_id);
kw_conn *kw_net_conn(kw_net *n, int idx);
int32_t kw_net_node_id(const kw_net *n, int idx);
/* The broker's socket, or -1 (for inspection: socket options, peer address). */
int kw_net_fd(const kw_net *n, int idx);

/* Async: queue a request on a broker (kw_conn_submit with the current time). */
int kw_net_submit(kw_net *n, int idx, const kw_conn_req *req);
/*
 * One round: connect what wants connecting, write pending output, poll() for at most
 * timeout_ms (less when a conn has an earlier deadline), read, tick. Callbacks run
 * inside. Returns the number of sockets with events, or KW_ERR_IO if poll() fails.
 */
int kw_net_poll(kw_net *n, int timeout_ms);

/*
 * Wait ms milliseconds in kw_net_poll, so the broker set's sockets are serviced
 * meanwhile (keepalive of open connections, answers still due, connects under way):
 * the retry backoff of synchronous calls and the pause between a command's rounds.
 * n may be NULL: a plain wait. Returns 0 when the time is up, or KW_ERR_INTERRUPTED
 * as soon as a signal interrupted the wait (a Ctrl-C handler's flag is then seen at
 * once).
 */
int kw_net_sleep(kw_net *n, int ms);

/*
 * A descriptor the caller reads itself (a command's stdin, a pipe, a file), waited for
 * in the same poll(): while fd >= 0 is watched, kw_net_poll also returns as soon as fd
 * is readable or hung up, with *ready set to 1 (the caller clears it). The descriptor
 * is never read, written, made non-blocking or closed here. fd -1 stops watching: do so
 * whenever the input is not wanted (a readable fd would end every round at once).
 */
void kw_net_watch_input(kw_net *n, int fd, int *ready);

/*
 * Plain descriptors outside any broker set, so that poll() stays in this file:
 * kw_net_fd_wait_readable waits at most timeout_ms (-1: no limit) for fd to be readable
 * or hung up and returns 1, 0 when the time is up, KW_ERR_INTERRUPTED when a signal
 * came first, KW_ERR_IO when poll() failed otherwise (errno says why).
 * kw_net_fd_reader_gone says, without waiting or writing, whether the reader of the
 * pipe or socket fd writes to has gone (`| head -1` exited): 1, else 0.
 */
int kw_net_fd_wait_readable(int fd, int timeout_ms);
int kw_net_fd_reader_gone(int fd);

/*
 * Sync: send one request to broker idx and wait for its outcome (the request's
 * encode/ud are used; its done is replaced). On success the response body is appended
 * to *body and its version stored in *version. Returns 0 or the request's error; the
 * wait is bounded by the request's timeouts.
 */
int kw_net_request(kw_net *n, int idx, const kw_conn_req *req, kw_buf *body, int16_t *version);
/* The same, trying the brokers in index order (bootstrap first) until one answers: a
 * broker that cannot be reached is skipped at once. *idx_out (may be NULL) says which
 * answered. */
int kw_net_request_any(kw_net *n, const kw_conn_req *req, kw_buf *body, int16_t *version, int *idx_out);

/* A broker to send a request that any broker can answer (Metadata): a ready one, looking
 * from index hint on, else one not backing off, else hint's. -1 when there is none. */
int kw_net_pick(kw_net *n, int hint);

/* The resolver of this broker set: getaddrinfo by default (NULL restores it); tests
 * substitute one that returns several addresses. For a host name it runs on a
 * resolver thread (so it must be thread-safe); for a numeric address, in place. */
struct addrinfo;
typedef int (*kw_net_resolver)(const char *host, const char *port, const struct addrinfo *hints,
                               struct addrinfo **res);
void kw_net_set_resolver(kw_net *n, kw_net_resolver fn);

/* Connect broker idx and wait until its versions are negotiated (READY): 0, or
 * KW_ERR_CONNECT after a failed attempt / KW_ERR_TIMEOUT after timeout_ms, or the error
 * that made the broker FAILED (KW_ERR_TLS, KW_ERR_AUTH, KW_ERR_CONFIG). */
int kw_net_connect_wait(kw_net *n, int idx, int timeout_ms);

/* kw_net_stats_print, kw_net_fatal, kw_net_last_error: kwire/admin.h */
/* Every broker's last failure, "; "-separated, into buf (len bytes): the addresses tried
 * and why each failed. Returns the text's length (0: none failed). */
size_t kw_net_errors(const kw_net *n, char *buf, size_t len);
/* 1 when every broker's last peer did not speak Kafka (kw_conn_not_kafka): waiting for
 * one of them is pointless. */
int kw_net_not_kafka(kw_net *n);

/* An error and the broker layer's why (kw_net_errors, kw_net_last_error) in one line:
 * the why alone where it says everything ("HOST:PORT does not speak the Kafka
 * protocol ..."), "could not connect: 127.0.0.1:1: connect failed: ...", or "text (why)". */
const char *kw_net_describe(int err, const char *why, char *buf, size_t len);

/* Called from inside kw_net_poll after each failed connection attempt (err
 * KW_ERR_CONNECT / KW_ERR_RESOLVE), once per attempt still unanswered after a second
 * (KW_ERR_TIMEOUT: a host that drops packets), and when a peer turns out not to speak
 * Kafka (KW_ERR_NOT_KAFKA), with the broker's index and why: for a command to say at once
 * what it is waiting for. */
typedef void (*kw_net_notify_fn)(void *ud, int idx, int err, const char *why);
void kw_net_set_notify(kw_net *n, kw_net_notify_fn fn, void *ud);

/* ---- plain byte streams on the same loop ----
 *
 * For the code beside the clients that speaks something other than Kafka (the
 * Prometheus exporter's HTTP server, bench merge's HTTP GET): a listening socket whose
 * accepted connections, and outgoing connections (kw_net_raw_connect), are "raw"
 * connections polled by kw_net_poll together with the brokers. The net connects, reads
 * and hands the bytes over, writes what was queued, accepts; the owner keeps all
 * protocol state. Events arrive through one callback, inside kw_net_poll only:
 *
 *   KW_NET_RAW_ACCEPTED  a connection was accepted (its data pointer is NULL: set one)
 *   KW_NET_RAW_CONNECTED an outgoing connection is established (once, before any other)
 *   KW_NET_RAW_DATA      bytes arrived: ev->data[0..len), valid during the call only
 *   KW_NET_RAW_EOF       the peer ended its side (once); writing still works
 *   KW_NET_RAW_SENT      everything queued has been written
 *   KW_NET_RAW_ERROR     reading or writing failed (ev->err KW_ERR_IO), or an outgoing
 *                        connection could not be made (KW_ERR_CONNECT: every address
 *                        failed, ev->sys_errno the last one's reason, e.g. ECONNREFUSED;
 *                        KW_ERR_TIMEOUT: not connected within its timeout, ETIMEDOUT);
 *                        the net closes the connection when the callback returns
 *
 * The callback may write, pause, shut down and close connections (its own included),
 * open and close listeners; like request callbacks, it must not call kw_net_poll,
 * kw_net_request* or kw_net_free. A connection is not read while paused or after EOF,
 * and not polled at all when it has nothing to read or write (so an idle peer costs
 * nothing and a hang-up is seen only while reading). Bounds: input is never buffered
 * (each read is at most 64 KiB and handed over at once), queued output is capped per
 * connection, and a listener accepts at most max_conns connections open at a time
 * (the rest wait in the kernel's backlog). When accept fails for want of descriptors
 * or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the listener is left alone for 100 ms
 * rather than polled in a busy loop while the connection waits in the backlog.
 */
typedef struct kw_net_raw kw_net_raw;
typedef struct kw_net_listener kw_net_listener;

enum {
    KW_NET_RAW_ACCEPTED = 1,
    KW_NET_RAW_DATA,
    KW_NET_RAW_EOF,
    KW_NET_RAW_SENT,
    KW_NET_RAW_ERROR,
    KW_NET_RAW_CONNECTED
};

typedef struct kw_net_raw_event {
    int type;            /* KW_NET_RAW_* */
    const uint8_t *data; /* DATA */
    size_t len;
    int err, sys_errno;  /* ERROR */
} kw_net_raw_event;

typedef void (*kw_net_raw_fn)(void *ud, kw_net_raw *r, const kw_net_raw_event *ev);

#define KW_NET_RAW_OUT_MAX ((size_t)64 << 20) /* default cap on a connection's queued output */

typedef struct kw_net_listen_opts {
    const char *host; /* numeric address or name to bind; NULL or "": every address */
    const char *port; /* decimal; "0": any free port */
    int max_conns;    /* accepted connections open at once; <= 0: 64 */
    size_t out_max;   /* queued output per connection; 0: KW_NET_RAW_OUT_MAX */
    kw_net_raw_fn fn; /* events of the accepted connections, with ud */
    void *ud;
} kw_net_listen_opts;

/* Bind (SO_REUSEADDR; the first address of host that binds) and listen. 0,
 * KW_ERR_CONFIG (host/port do not resolve), KW_ERR_IO (socket/bind/listen failed,
 * errno kept), KW_ERR_NOMEM or KW_ERR_INVALID_ARG (no fn). */
int kw_net_listen(kw_net *n, const kw_net_listen_opts *o, kw_net_listener **out);
/* The bound port (useful with port "0"). */
int kw_net_listener_port(const kw_net_listener *l);
/* Stop listening; connections already accepted stay. */
void kw_net_listener_close(kw_net_listener *l);

typedef struct kw_net_connect_opts {
    const char *host; /* numeric address or name */
    const char *port; /* decimal */
    int timeout_ms;   /* to be connected within, else ERROR (KW_ERR_TIMEOUT); <= 0: no limit */
    size_t out_max;   /* queued output; 0: KW_NET_RAW_OUT_MAX */
    kw_net_raw_fn fn; /* its events, with ud */
    void *ud;
} kw_net_connect_opts;

/*
 * Open an outgoing raw connection: host:port resolved (every address, IPv4 and IPv6, as
 * for brokers), then a non-blocking connect that kw_net_poll carries on, an address that
 * fails moving on to the next. The outcome is an event: CONNECTED, or ERROR
 * (KW_ERR_CONNECT, KW_ERR_TIMEOUT) — at the next kw_net_poll even when every address
 * failed at once. Writes may be queued before CONNECTED; they go out after it.
 * The name is resolved here, in place: unlike a broker's, a host name may hold up the
 * caller on DNS, so this is for numeric addresses, local names, and callers with
 * nothing else to do meanwhile. 0 with *out; KW_ERR_RESOLVE with why ("cannot resolve
 * HOST: reason"; why may be NULL), KW_ERR_NOMEM or KW_ERR_INVALID_ARG (no host, port
 * or fn).
 */
int kw_net_raw_connect(kw_net *n, const kw_net_connect_opts *o, kw_net_raw **out, char *why, size_t whylen);

/* Queue bytes to write (copied; written by kw_net_poll). 0, KW_ERR_TOO_LARGE when the
 * queue would pass the cap, KW_ERR_STATE after shutdown/close, or KW_ERR_NOMEM. */
int kw_net_raw_write(kw_net_raw *r, const void *p, size_t len);
/* Bytes queued and not yet written. */
size_t kw_net_raw_pending(const kw_net_raw *r);
/* Stop (1) or resume (0) reading; what the peer sends meanwhile waits in the kernel. */
void kw_net_raw_pause(kw_net_raw *r, int paused);
/* End our side (shutdown SHUT_WR) once the queued output is written: the peer reads
 * to the end, then closes, and the owner sees EOF. Nothing can be written after. */
void kw_net_raw_shutdown(kw_net_raw *r);
/* Close at once, dropping queued output; r must not be used again (no more events). */
void kw_net_raw_close(kw_net_raw *r);
/* The owner's pointer for this connection. */
void kw_net_raw_set_data(kw_net_raw *r, void *data);
void *kw_net_raw_data(const kw_net_raw *r);

/*
 * Waking a kw_net_poll from another thread (a collector thread that finished its work).
 * kw_net_wakeup_init, on the owning thread before the other thread starts, makes the
 * net poll an eventfd from then on (0, or KW_ERR_IO); kw_net_wakeup (any thread, no
 * lock) makes the kw_net_poll under way, or the next one, return without waiting.
 */
int kw_net_wakeup_init(kw_net *n);
void kw_net_wakeup(kw_net *n);

#endif
