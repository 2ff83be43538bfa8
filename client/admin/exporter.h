/*
 * client/admin/exporter.h — a Prometheus exporter for consumer-group lag, compatible with
 * kafka_exporter's metric and label names (Grafana dashboard 7589 works unchanged).
 *
 * Three parts, the first two pure:
 *   - kw_exp_render(): a kw_snapshot in the Prometheus text exposition format 0.0.4;
 *   - kw_http_parse()/kw_http_route()/kw_http_response(): a bounded HTTP/1.x request
 *     parser (fuzzed) and response writer;
 *   - kw_exporter_*: a small single-threaded server: a listening socket and up to
 *     max_clients connections, all on one poll() loop. The sockets are net.c's plain
 *     byte streams (client/conn/net.h: a listener and raw connections on a kw_net of the
 *     exporter's own, with no brokers): net.c accepts, reads and writes without
 *     blocking; this file keeps each connection's HTTP state and never touches a socket.
 *
 * Why one loop and not a thread per connection: every scrape needs the same thing, the
 * latest snapshot, and refreshing it talks to the cluster, so refreshes must be
 * serialised anyway. Slow or idle clients cost one pollfd and a bounded buffer each and
 * never block the others (non-blocking I/O; a connection silent for idle_timeout_ms is
 * closed, one that has its answer gets a second to close its side), and the memory bound
 * is max_clients × (KW_HTTP_MAX_REQUEST + one response). Past max_clients, connections
 * wait in the kernel's backlog; when accept runs out of descriptors the listener rests
 * for 100 ms (net.c). Collections run either on a thread of their own every interval_ms
 * (the refresh callback and its broker set are then used by that thread only; a scrape
 * copies the last completed collection, so it answers in milliseconds however slow the
 * cluster is, and a completed collection wakes the loop through kw_net_wakeup), or at
 * scrape time at most once per cache_ms however many scrapes arrive (kafka_exporter's
 * behaviour; the loop then stalls for the duration of a refresh, which the callback must
 * bound). kw_exporter_run returns within 200 ms of *stop being set (the command's
 * SIGINT/SIGTERM handler sets it).
 *
 * When the refresh fails (cluster unreachable), kwire_up is 0 and the Kafka metrics are
 * NOT served (only kwire_up and kwire_scrape_duration_seconds): a stale lag value would
 * look live and hide a growing lag, while an absent series plus kwire_up == 0 is what
 * alerting rules can see. The last good snapshot is kept only to be replaced.
 *
 * Differences from kafka_exporter, on purpose: partitions without a commit get no
 * kafka_consumergroup_current_offset / _lag sample (kafka_exporter emits -1), so sums
 * and dashboards never add -1; a negative difference is clamped to 0 (see lag.h).
 * --group-filter is a POSIX extended regex matched anywhere in the name (unanchored,
 * like kafka_exporter's group.filter): use ^...$ to match whole names.
 */
#ifndef KW_CLIENT_EXPORTER_H
#define KW_CLIENT_EXPORTER_H

#include <regex.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "client/admin/lag.h"
#include "codec/buf.h"

#define KW_EXP_DEFAULT_LISTEN "127.0.0.1:9308"
#define KW_EXP_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- rendering ---- */

/*
 * Append the exposition text: when up, every kafka_* family for the snapshot (groups
 * kept by group_filter, NULL = all), then kwire_scrape_duration_seconds and kwire_up.
 * When !up, only the two kwire_* families. Returns out->err (0 or KW_ERR_NOMEM).
 */
int kw_exp_render(const kw_snapshot *s, const regex_t *group_filter, int up,
                  double scrape_seconds, kw_buf *out);

/* Append v as a label value: backslash, double quote and newline escaped. */
void kw_exp_label_value(kw_buf *out, const char *v);

/* ---- HTTP ---- */

#define KW_HTTP_MAX_REQUEST 8192 /* request line + headers, bytes */
#define KW_HTTP_MAX_HEADERS 100
#define KW_HTTP_MAX_METHOD 15
#define KW_HTTP_MAX_PATH 1023

typedef struct kw_http_req {
    char method[KW_HTTP_MAX_METHOD + 1];
    char path[KW_HTTP_MAX_PATH + 1]; /* origin-form path, query string removed */
    int version;                     /* 10 or 11 */
    int has_host;
    size_t len;                      /* bytes consumed: request line, headers, blank line */
} kw_http_req;

/*
 * Parse one request head from buf[0..len). Returns 1 when complete (req filled,
 * req->len set), 0 when more bytes are needed, KW_ERR_CORRUPT when malformed (send 400),
 * KW_ERR_TOO_LARGE when the head exceeds KW_HTTP_MAX_REQUEST, a field limit or
 * KW_HTTP_MAX_HEADERS (send 431). Accepts CRLF or bare LF line ends; rejects obsolete
 * line folding, control characters, a missing Host in HTTP/1.1 and repeated Hosts.
 */
int kw_http_parse(const char *buf, size_t len, kw_http_req *req);

/* Status for a parsed request: 200 (GET/HEAD /metrics), 404 (other path), 405. */
int kw_http_route(const kw_http_req *req);

/* Append a complete "Connection: close" response; body omitted when head_only. */
int kw_http_response(kw_buf *out, int status, const char *content_type, const void *body,
                     size_t len, int head_only);

/* ---- the server ---- */

/* Fill snap (empty on entry) from the cluster; 0 or an error code (then kwire_up 0). */
typedef int (*kw_exp_refresh_fn)(void *ud, kw_snapshot *snap);

typedef struct kw_exporter_opts {
    const char *listen;       /* "HOST:PORT" (IPv4 or [IPv6]); NULL: 127.0.0.1:9308; port 0: any */
    const char *group_filter; /* POSIX ERE or NULL */
    kw_exp_refresh_fn refresh;
    void *ud;
    int max_clients;          /* <= 0: 64 */
    int cache_ms;             /* scrapes within this of the last refresh reuse it; < 0: 1000 */
    int interval_ms;          /* > 0: collect every interval_ms on a thread of its own; a scrape
                                 answers at once from the last completed collection (only
                                 scrapes before the first one wait for it). 0: collect at
                                 scrape time, at most once per cache_ms */
    int idle_timeout_ms;      /* close a connection silent this long; <= 0: 10000 */
} kw_exporter_opts;

typedef struct kw_exporter kw_exporter;

/*
 * Compile the filter, bind and listen. 0, KW_ERR_CONFIG (bad listen address or regex),
 * KW_ERR_INVALID_ARG (no refresh callback), KW_ERR_IO (bind/listen failed, errno kept)
 * or KW_ERR_NOMEM.
 */
int kw_exporter_open(kw_exporter **out, const kw_exporter_opts *o);
/* The bound port (useful with port 0). */
int kw_exporter_port(const kw_exporter *e);
/* One round: wait up to timeout_ms for events and handle them. 0 or KW_ERR_IO. */
int kw_exporter_poll(kw_exporter *e, int timeout_ms);
/* Serve until *stop becomes non-zero (checked at least every 200 ms). */
int kw_exporter_run(kw_exporter *e, volatile sig_atomic_t *stop);
void kw_exporter_close(kw_exporter *e);

/* Counters, for tests and logs. */
typedef struct kw_exporter_stats {
    uint64_t refreshes, refresh_errors, responses, scrapes, open_clients;
} kw_exporter_stats;
void kw_exporter_get_stats(const kw_exporter *e, kw_exporter_stats *st);

#endif
