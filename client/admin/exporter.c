/*
 * client/admin/exporter.c — Prometheus text rendering of a cluster snapshot (kafka_exporter's
 * metric and label names), a bounded HTTP/1.x request parser, and a single-threaded
 * server that serves GET /metrics from a refresh callback: its connections are net.c's
 * plain byte streams (a listener and raw connections on a kw_net of its own), so this
 * file keeps the HTTP states and never touches a socket. See exporter.h for the design
 * choices (one loop, what is served while the cluster is unreachable).
 */
#include "client/admin/exporter.h"
#include "client/core/clock.h"
#include "client/conn/net.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- rendering ---- */

void kw_exp_label_value(kw_buf *out, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\') kw_buf_put(out, "\\\\", 2);
        else if (*v == '"') kw_buf_put(out, "\\\"", 2);
        else if (*v == '\n') kw_buf_put(out, "\\n", 2);
        else kw_buf_put(out, v, 1);
    }
}

static void family(kw_buf *out, const char *name, const char *help)
{
    kw__lag_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* name{consumergroup="g",partition="p",topic="t"} value — labels in name order, as
 * kafka_exporter (client_golang) writes them. NULL group / partition < 0 leave them out. */
static void sample(kw_buf *out, const char *name, const char *group, const char *topic,
                   int32_t partition, int64_t value)
{
    kw__lag_printf(out, "%s{", name);
    if (group) {
        kw_buf_put(out, "consumergroup=\"", 15);
        kw_exp_label_value(out, group);
        kw_buf_put(out, "\",", 2);
    }
    if (partition >= 0) kw__lag_printf(out, "partition=\"%" PRId32 "\",", partition);
    kw_buf_put(out, "topic=\"", 7);
    kw_exp_label_value(out, topic);
    kw__lag_printf(out, "\"} %" PRId64 "\n", value);
}

/* name{consumergroup="g"} value */
static void group_sample(kw_buf *out, const char *name, const char *group, int64_t value)
{
    kw__lag_printf(out, "%s{consumergroup=\"", name);
    kw_exp_label_value(out, group);
    kw__lag_printf(out, "\"} %" PRId64 "\n", value);
}

static int regex_keep(void *ud, const char *group)
{
    return regexec((const regex_t *)ud, group, 0, NULL, 0) == 0;
}

int kw_exp_render(const kw_snapshot *s, const regex_t *group_filter, int up,
                  double scrape_seconds, kw_buf *out)
{
    if (up) {
        kw_lag_report r;
        int rc = kw_lag_compute(s, group_filter ? regex_keep : NULL, (void *)group_filter, &r);
        if (rc) { out->err = rc; return rc; }

        family(out, "kafka_brokers", "Number of brokers in the cluster's metadata.");
        kw__lag_printf(out, "kafka_brokers %" PRId32 "\n", s->brokers < 0 ? 0 : s->brokers);

        family(out, "kafka_topic_partitions", "Number of partitions of the topic.");
        for (size_t i = 0; i < s->ntopics; i++)
            sample(out, "kafka_topic_partitions", NULL, s->topics[i].name, -1,
                   (int64_t)s->topics[i].nparts);

        family(out, "kafka_topic_partition_current_offset",
               "Newest offset (high watermark) of the topic partition.");
        for (size_t i = 0; i < s->ntopics; i++)
            for (size_t j = 0; j < s->topics[i].nparts; j++)
                if (s->topics[i].parts[j].newest >= 0)
                    sample(out, "kafka_topic_partition_current_offset", NULL, s->topics[i].name,
                           s->topics[i].parts[j].id, s->topics[i].parts[j].newest);

        family(out, "kafka_topic_partition_oldest_offset",
               "Oldest offset (log start offset) of the topic partition.");
        for (size_t i = 0; i < s->ntopics; i++)
            for (size_t j = 0; j < s->topics[i].nparts; j++)
                if (s->topics[i].parts[j].oldest >= 0)
                    sample(out, "kafka_topic_partition_oldest_offset", NULL, s->topics[i].name,
                           s->topics[i].parts[j].id, s->topics[i].parts[j].oldest);

        family(out, "kafka_consumergroup_current_offset",
               "Committed offset of the consumer group on the topic partition.");
        for (size_t i = 0; i < r.nrows; i++)
            if (r.rows[i].committed >= 0)
                sample(out, "kafka_consumergroup_current_offset", r.rows[i].group, r.rows[i].topic,
                       r.rows[i].partition, r.rows[i].committed);

        family(out, "kafka_consumergroup_current_offset_sum",
               "Sum of the consumer group's committed offsets over the topic's partitions.");
        for (size_t i = 0; i < r.ntopics; i++)
            if (r.topics[i].with_commit > 0)
                sample(out, "kafka_consumergroup_current_offset_sum", r.topics[i].group,
                       r.topics[i].topic, -1, r.topics[i].committed_sum);

        family(out, "kafka_consumergroup_lag",
               "Log-end offset minus committed offset of the consumer group on the topic partition.");
        for (size_t i = 0; i < r.nrows; i++)
            if (r.rows[i].lag >= 0)
                sample(out, "kafka_consumergroup_lag", r.rows[i].group, r.rows[i].topic,
                       r.rows[i].partition, r.rows[i].lag);

        family(out, "kafka_consumergroup_lag_sum",
               "Lag of the consumer group summed over the topic's partitions.");
        for (size_t i = 0; i < r.ntopics; i++)
            if (r.topics[i].with_lag > 0)
                sample(out, "kafka_consumergroup_lag_sum", r.topics[i].group, r.topics[i].topic, -1,
                       r.topics[i].lag);

        family(out, "kafka_consumergroup_lag_seconds",
               "Age of the record at the consumer group's committed offset (the next it reads), 0 without lag.");
        for (size_t i = 0; i < r.nrows; i++)
            if (r.rows[i].lag_seconds >= 0) {
                const kw_lag_row *x = &r.rows[i];
                kw__lag_printf(out, "kafka_consumergroup_lag_seconds{consumergroup=\"");
                kw_exp_label_value(out, x->group);
                kw__lag_printf(out, "\",partition=\"%" PRId32 "\",topic=\"", x->partition);
                kw_exp_label_value(out, x->topic);
                kw__lag_printf(out, "\"} %.3f\n", x->lag_seconds);
            }

        family(out, "kafka_consumergroup_members",
               "Members of the consumer group (classic or consumer protocol), as its coordinator describes it.");
        for (size_t i = 0; i < r.ngroups; i++)
            if (r.groups[i].members >= 0)
                group_sample(out, "kafka_consumergroup_members", r.groups[i].group, r.groups[i].members);
        kw_lag_report_free(&r);
    }
    family(out, "kwire_scrape_duration_seconds", "Time the last refresh from the cluster took.");
    kw__lag_printf(out, "kwire_scrape_duration_seconds %.6f\n", scrape_seconds);
    family(out, "kwire_up", "1 if the cluster answered the last refresh, else 0.");
    kw__lag_printf(out, "kwire_up %d\n", up ? 1 : 0);
    return out->err;
}

/* ---- HTTP request parsing ---- */

static int is_tchar(unsigned char c)
{
    if (c >= '0' && c <= '9') return 1;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Next line of buf[off..len): sets *line, *n (without CR LF); returns the offset after
 * its LF, or 0 when no LF yet. */
static size_t next_line(const char *buf, size_t len, size_t off, const char **line, size_t *n)
{
    const char *lf = memchr(buf + off, '\n', len - off);
    if (!lf) return 0;
    *line = buf + off;
    *n = (size_t)(lf - (buf + off));
    if (*n && (*line)[*n - 1] == '\r') (*n)--;
    return (size_t)(lf - buf) + 1;
}

static int parse_request_line(const char *l, size_t n, kw_http_req *req)
{
    size_t i = 0, m = 0;
    while (i < n && is_tchar((unsigned char)l[i])) {
        if (m == KW_HTTP_MAX_METHOD) return KW_ERR_CORRUPT;
        req->method[m++] = l[i++];
    }
    req->method[m] = 0;
    if (m == 0 || i >= n || l[i] != ' ') return KW_ERR_CORRUPT;
    i++;
    size_t t0 = i;
    while (i < n && (unsigned char)l[i] > 0x20 && (unsigned char)l[i] < 0x7f) i++;
    size_t tlen = i - t0;
    if (tlen == 0 || i >= n || l[i] != ' ') return KW_ERR_CORRUPT;
    i++;
    if (n - i != 8 || memcmp(l + i, "HTTP/1.", 7) != 0) return KW_ERR_CORRUPT;
    if (l[i + 7] == '0') req->version = 10;
    else if (l[i + 7] == '1') req->version = 11;
    else return KW_ERR_CORRUPT;

    /* origin-form "/path?query", or absolute-form "http://authority/path?query" */
    const char *t = l + t0;
    if (tlen >= 7 && strncasecmp(t, "http://", 7) == 0) {
        const char *slash = memchr(t + 7, '/', tlen - 7);
        if (!slash) { t = "/"; tlen = 1; }
        else { tlen -= (size_t)(slash - t); t = slash; }
    } else if (t[0] != '/') {
        return KW_ERR_CORRUPT;
    }
    const char *q = memchr(t, '?', tlen);
    size_t plen = q ? (size_t)(q - t) : tlen;
    if (plen > KW_HTTP_MAX_PATH) return KW_ERR_TOO_LARGE;
    memcpy(req->path, t, plen);
    req->path[plen] = 0;
    return 0;
}

static int parse_header(const char *l, size_t n, kw_http_req *req)
{
    if (l[0] == ' ' || l[0] == '\t') return KW_ERR_CORRUPT; /* obsolete line folding */
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)l[i])) i++;
    if (i == 0 || i >= n || l[i] != ':') return KW_ERR_CORRUPT;
    for (size_t j = i + 1; j < n; j++) {
        unsigned char c = (unsigned char)l[j];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return KW_ERR_CORRUPT;
    }
    if (i == 4 && strncasecmp(l, "host", 4) == 0) {
        if (req->has_host) return KW_ERR_CORRUPT;
        req->has_host = 1;
    }
    return 0;
}

int kw_http_parse(const char *buf, size_t len, kw_http_req *req)
{
    memset(req, 0, sizeof *req);
    size_t scan = len < KW_HTTP_MAX_REQUEST ? len : KW_HTTP_MAX_REQUEST;
    size_t off = 0, next;
    const char *l;
    size_t n;
    /* Bytes no request line can hold (a Kafka client's binary request, TLS) are a bad
     * request now, not a wait for a line end that may never come. */
    for (size_t j = 0; j < scan && buf[j] != '\n'; j++) {
        unsigned char c = (unsigned char)buf[j];
        if ((c < 0x20 && c != '\r') || c == 0x7f) return KW_ERR_CORRUPT;
    }
    /* Ignore empty lines before the request line (RFC 9112 2.2). */
    for (;;) {
        if (!(next = next_line(buf, scan, off, &l, &n)))
            return len >= KW_HTTP_MAX_REQUEST ? KW_ERR_TOO_LARGE : 0;
        if (n) break;
        off = next;
    }
    /* A bare CR or other control character inside a line is malformed. */
    for (size_t j = 0; j < n; j++)
        if ((unsigned char)l[j] < 0x20 || l[j] == 0x7f) return KW_ERR_CORRUPT;
    int rc = parse_request_line(l, n, req);
    if (rc) return rc;
    off = next;
    for (int headers = 0;; headers++) {
        if (!(next = next_line(buf, scan, off, &l, &n)))
            return len >= KW_HTTP_MAX_REQUEST ? KW_ERR_TOO_LARGE : 0;
        off = next;
        if (n == 0) break;
        if (headers == KW_HTTP_MAX_HEADERS) return KW_ERR_TOO_LARGE;
        if ((rc = parse_header(l, n, req))) return rc;
    }
    if (req->version == 11 && !req->has_host) return KW_ERR_CORRUPT;
    req->len = off;
    return 1;
}

int kw_http_route(const kw_http_req *req)
{
    if (strcmp(req->path, "/metrics") != 0) return 404;
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) return 200;
    return 405;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

int kw_http_response(kw_buf *out, int status, const char *content_type, const void *body,
                     size_t len, int head_only)
{
    kw__lag_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", status,
                reason(status), content_type, len);
    if (status == 405) kw__lag_printf(out, "Allow: GET, HEAD\r\n");
    kw__lag_printf(out, "Connection: close\r\n\r\n");
    if (!head_only) kw_buf_put(out, body, len);
    return out->err;
}

/* ---- the server ---- */

enum { C_READ, C_WAIT_METRICS, C_WRITE, C_DRAIN, C_DONE };

typedef struct client {
    kw_net_raw *r;    /* NULL once the net closed it (an error) */
    int state;
    int head_only;
    int64_t since_ms; /* when the current state began */
    size_t inlen;
    char in[KW_HTTP_MAX_REQUEST];
} client;

struct kw_exporter {
    kw_net *net;        /* the exporter's own: its listener and clients, no brokers */
    kw_net_listener *l;
    int port;
    kw_exporter_opts o;
    regex_t re;
    int have_re;
    kw_snapshot snap;   /* last good snapshot */
    kw_buf body;        /* rendered metrics */
    kw_buf resp;        /* a response being put together */
    int64_t body_at_ms; /* when body was rendered; -1 never */
    client **clients;
    size_t nclients;
    kw_exporter_stats st;
    /* interval_ms > 0: the collector thread (everything below is guarded by mu) */
    pthread_t th;
    int th_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stopping;
    kw_buf ready;       /* the last completed collection, rendered */
    int have_ready;
};

/* Split "HOST:PORT" / "[V6]:PORT" / ":PORT" into host and port. */
static int split_listen(const char *s, char *host, size_t hsize, char *port, size_t psize)
{
    const char *colon;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':') return KW_ERR_CONFIG;
        if ((size_t)(rb - s - 1) >= hsize) return KW_ERR_CONFIG;
        memcpy(host, s + 1, (size_t)(rb - s - 1));
        host[rb - s - 1] = 0;
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= hsize) return KW_ERR_CONFIG;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = 0;
    }
    const char *p = colon + 1;
    if (!*p || strlen(p) >= psize || strspn(p, "0123456789") != strlen(p) || atoi(p) > 65535)
        return KW_ERR_CONFIG;
    strcpy(port, p);
    return 0;
}

/* Collect (refresh from the cluster) and render into out; the stats under the lock. */
static void collect(kw_exporter *e, kw_snapshot *keep, kw_buf *out)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    kw_snapshot fresh;
    kw_snap_init(&fresh);
    int rc = e->o.refresh(e->o.ud, &fresh);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    if (rc == 0) kw_snap_swap(keep, &fresh);
    kw_snap_free(&fresh);
    out->len = 0;
    out->err = 0;
    kw_exp_render(keep, e->have_re ? &e->re : NULL, rc == 0, secs, out);
    if (e->th_started) pthread_mutex_lock(&e->mu);
    e->st.refreshes++;
    if (rc) e->st.refresh_errors++;
    if (e->th_started) pthread_mutex_unlock(&e->mu);
}

/* The collector thread: a collection every interval_ms, each published whole. */
static void *collector(void *arg)
{
    kw_exporter *e = arg;
    kw_snapshot keep;
    kw_snap_init(&keep);
    kw_buf body;
    kw_buf_init(&body);
    pthread_mutex_lock(&e->mu);
    while (!e->stopping) {
        pthread_mutex_unlock(&e->mu);
        collect(e, &keep, &body);
        pthread_mutex_lock(&e->mu);
        kw_buf t = e->ready;
        e->ready = body;
        body = t;
        e->have_ready = 1;
        kw_net_wakeup(e->net); /* scrapes waiting for the first collection answer now */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += e->o.interval_ms / 1000;
        until.tv_nsec += (long)(e->o.interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
        while (!e->stopping && pthread_cond_timedwait(&e->cv, &e->mu, &until) == 0) {}
    }
    pthread_mutex_unlock(&e->mu);
    kw_snap_free(&keep);
    kw_buf_free(&body);
    return NULL;
}

static int start_collector(kw_exporter *e)
{
    if (kw_net_wakeup_init(e->net)) return KW_ERR_IO;
    pthread_mutex_init(&e->mu, NULL);
    pthread_cond_init(&e->cv, NULL);
    e->th_started = 1;
    if (pthread_create(&e->th, NULL, collector, e)) {
        e->th_started = 0;
        return KW_ERR_NOMEM;
    }
    return 0;
}

static void respond(kw_exporter *e, client *c, int status, const void *body, size_t len)
{
    e->resp.len = 0;
    e->resp.err = 0;
    c->state = C_WRITE;
    c->since_ms = kw__mono_ms();
    kw_net_raw_pause(c->r, 1); /* nothing more is read until the answer is out */
    int rc = kw_http_response(&e->resp, status, status == 200 ? KW_EXP_CONTENT_TYPE : "text/plain; charset=utf-8",
                              body, len, c->head_only);
    if (!rc) rc = kw_net_raw_write(c->r, e->resp.data, e->resp.len);
    if (rc && status == 200) { /* no memory for it, or past net.c's cap on queued output */
        static const char msg[] = "500 Internal Server Error\n";
        e->resp.len = 0;
        rc = kw_http_response(&e->resp, 500, "text/plain; charset=utf-8", msg, sizeof msg - 1, c->head_only);
        if (!rc) rc = kw_net_raw_write(c->r, e->resp.data, e->resp.len);
    }
    if (rc) c->state = C_DONE; /* closed without an answer */
    else e->st.responses++;
}

static void respond_text(kw_exporter *e, client *c, int status)
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "%d %s\n", status, reason(status));
    respond(e, c, status, msg, (size_t)n);
}

/* Refresh from the cluster (or reuse a recent refresh) and render the body. */
static void refresh_body(kw_exporter *e)
{
    int64_t t0 = kw__mono_ms();
    if (e->body_at_ms >= 0 && t0 - e->body_at_ms < e->o.cache_ms && !e->body.err) return;
    collect(e, &e->snap, &e->body);
    e->body_at_ms = kw__mono_ms();
}

/* Request bytes: gathered up to KW_HTTP_MAX_REQUEST (a head that does not fit is
 * answered 431 by the parser), parsed after each arrival. */
static void on_request_bytes(kw_exporter *e, client *c, const uint8_t *p, size_t len)
{
    size_t room = sizeof c->in - c->inlen;
    if (len > room) len = room;
    memcpy(c->in + c->inlen, p, len);
    c->inlen += len;
    kw_http_req req;
    int rc = kw_http_parse(c->in, c->inlen, &req);
    if (rc == 0) return;
    if (rc < 0) { respond_text(e, c, rc == KW_ERR_TOO_LARGE ? 431 : 400); return; }
    int status = kw_http_route(&req);
    c->head_only = strcmp(req.method, "HEAD") == 0;
    if (status != 200) { respond_text(e, c, status); return; }
    c->state = C_WAIT_METRICS;
    kw_net_raw_pause(c->r, 1);
    e->st.scrapes++;
}

/* The connections' events, inside kw_net_poll. */
static void on_raw(void *ud, kw_net_raw *r, const kw_net_raw_event *ev)
{
    kw_exporter *e = ud;
    client *c = kw_net_raw_data(r);
    switch (ev->type) {
    case KW_NET_RAW_ACCEPTED:
        /* the listener's max_conns is max_clients, so there is always a slot */
        c = e->nclients < (size_t)e->o.max_clients ? calloc(1, sizeof *c) : NULL;
        if (!c) { kw_net_raw_close(r); return; }
        c->r = r;
        c->state = C_READ;
        c->since_ms = kw__mono_ms();
        kw_net_raw_set_data(r, c);
        e->clients[e->nclients++] = c;
        return;
    case KW_NET_RAW_DATA:
        if (c->state == C_READ) on_request_bytes(e, c, ev->data, ev->len);
        return; /* in C_DRAIN: read and dropped */
    case KW_NET_RAW_EOF:
        /* before a full request, nothing can be answered; in C_DRAIN, the peer has
         * read the answer and closed: done either way */
        if (c->state == C_READ || c->state == C_DRAIN) c->state = C_DONE;
        return;
    case KW_NET_RAW_SENT:
        /* All sent: half-close and read until the peer closes, so unread request bytes
         * do not turn our close into a reset that could destroy the response in flight. */
        if (c->state != C_WRITE) return;
        kw_net_raw_shutdown(r);
        kw_net_raw_pause(r, 0);
        c->state = C_DRAIN;
        c->since_ms = kw__mono_ms();
        return;
    case KW_NET_RAW_ERROR:
        c->r = NULL; /* the net closes it */
        c->state = C_DONE;
        return;
    }
}

int kw_exporter_open(kw_exporter **out, const kw_exporter_opts *o)
{
    *out = NULL;
    if (!o || !o->refresh) return KW_ERR_INVALID_ARG;
    char host[256], port[8];
    if (split_listen(o->listen ? o->listen : KW_EXP_DEFAULT_LISTEN, host, sizeof host, port,
                     sizeof port))
        return KW_ERR_CONFIG;
    kw_exporter *e = calloc(1, sizeof *e);
    if (!e) return KW_ERR_NOMEM;
    e->o = *o;
    e->o.group_filter = NULL; /* not kept: the compiled regex is */
    if (e->o.max_clients <= 0) e->o.max_clients = 64;
    if (e->o.cache_ms < 0) e->o.cache_ms = 1000;
    if (e->o.idle_timeout_ms <= 0) e->o.idle_timeout_ms = 10000;
    e->body_at_ms = -1;
    kw_snap_init(&e->snap);
    kw_buf_init(&e->body);
    kw_buf_init(&e->resp);
    if (o->group_filter) {
        if (regcomp(&e->re, o->group_filter, REG_EXTENDED | REG_NOSUB)) {
            kw_exporter_close(e);
            return KW_ERR_CONFIG;
        }
        e->have_re = 1;
    }
    e->clients = calloc((size_t)e->o.max_clients, sizeof *e->clients);
    e->net = kw_net_new(NULL);
    if (!e->clients || !e->net) { kw_exporter_close(e); return KW_ERR_NOMEM; }
    kw_net_listen_opts lo = {.host = host, .port = port, .max_conns = e->o.max_clients, .fn = on_raw, .ud = e};
    int rc = kw_net_listen(e->net, &lo, &e->l);
    if (rc) { int saved = errno; kw_exporter_close(e); errno = saved; return rc; }
    e->port = kw_net_listener_port(e->l);
    if (e->o.interval_ms > 0 && (rc = start_collector(e))) {
        kw_exporter_close(e);
        return rc;
    }
    *out = e;
    return 0;
}

int kw_exporter_port(const kw_exporter *e) { return e->port; }

void kw_exporter_get_stats(const kw_exporter *e, kw_exporter_stats *st)
{
    kw_exporter *m = (kw_exporter *)e; /* the lock only */
    if (e->th_started) pthread_mutex_lock(&m->mu);
    *st = e->st;
    if (e->th_started) pthread_mutex_unlock(&m->mu);
    st->open_clients = e->nclients;
}

static void drop_client(kw_exporter *e, size_t i)
{
    client *c = e->clients[i];
    if (c->r) kw_net_raw_close(c->r);
    free(c);
    e->clients[i] = e->clients[--e->nclients];
}

int kw_exporter_poll(kw_exporter *e, int timeout_ms)
{
    /* Wake up in time for the nearest idle timeout. */
    int64_t t = kw__mono_ms();
    for (size_t i = 0; i < e->nclients; i++) {
        int64_t limit = e->clients[i]->state == C_DRAIN ? 1000 : e->o.idle_timeout_ms;
        int64_t left = e->clients[i]->since_ms + limit - t;
        if (left < 0) left = 0;
        if (timeout_ms < 0 || left < timeout_ms) timeout_ms = (int)left;
    }
    int rc = kw_net_poll(e->net, timeout_ms);
    if (rc < 0) return KW_ERR_IO;

    int waiting = 0;
    for (size_t i = 0; i < e->nclients; i++) waiting |= e->clients[i]->state == C_WAIT_METRICS;
    if (waiting && e->th_started) {
        /* the last completed collection; before the first one, the scrape waits for it */
        pthread_mutex_lock(&e->mu);
        if (e->have_ready) {
            kw_buf_free(&e->body);
            kw_buf_init(&e->body);
            kw_buf_put(&e->body, e->ready.data, e->ready.len);
            if (e->ready.err) e->body.err = e->ready.err;
        } else {
            waiting = 0;
        }
        pthread_mutex_unlock(&e->mu);
    } else if (waiting) {
        refresh_body(e);
    }
    if (waiting) {
        for (size_t i = 0; i < e->nclients; i++) {
            client *c = e->clients[i];
            if (c->state != C_WAIT_METRICS) continue;
            if (e->body.err) respond_text(e, c, 500);
            else respond(e, c, 200, e->body.data, e->body.len);
        }
    }

    t = kw__mono_ms();
    for (size_t i = e->nclients; i-- > 0;) {
        client *c = e->clients[i];
        int64_t limit = c->state == C_DRAIN ? 1000 : e->o.idle_timeout_ms;
        if (c->state == C_DONE || t - c->since_ms >= limit) drop_client(e, i);
    }
    return 0;
}

int kw_exporter_run(kw_exporter *e, volatile sig_atomic_t *stop)
{
    while (!*stop) {
        int rc = kw_exporter_poll(e, 200);
        if (rc) return rc;
    }
    return 0;
}

void kw_exporter_close(kw_exporter *e)
{
    if (!e) return;
    while (e->nclients) drop_client(e, e->nclients - 1);
    if (e->th_started) {
        pthread_mutex_lock(&e->mu);
        e->stopping = 1;
        pthread_cond_signal(&e->cv);
        pthread_mutex_unlock(&e->mu);
        pthread_join(e->th, NULL); /* waits for a collection under way (its requests are bounded) */
        pthread_mutex_destroy(&e->mu);
        pthread_cond_destroy(&e->cv);
        kw_buf_free(&e->ready);
    }
    kw_net_free(e->net); /* the listener and what is left of the connections */
    if (e->have_re) regfree(&e->re);
    kw_snap_free(&e->snap);
    kw_buf_free(&e->body);
    kw_buf_free(&e->resp);
    free(e->clients);
    free(e);
}
