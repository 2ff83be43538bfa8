/*
 * client/net.h — the thin socket layer under client/conn: a set of brokers, each a
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

#include "client/config.h"
#include "client/conn.h"
#include "codec/buf.h"
#include "kwire/admin.h"

/* typedef kw_net: kwire/types.h */

int64_t kw_net_now(void);

/* kw_net_new, kw_net_setup_error, kw_net_free: kwire/admin.h */

/* kw_net_set_dump, KW_NET_DUMP_*: kwire/admin.h */

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

#endif
