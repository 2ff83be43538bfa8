/*
 * tests/test_net.c — client/net over real loopback sockets against a tiny scripted broker
 * in a child process (forked per test group, stopped by PID). The broker answers
 * ApiVersions with proto's encoder and every other request by echoing its body, except:
 * a body starting "CLOSE" closes the connection, "SLOW" gets no answer. A request that
 * refers to large slices is written through sendmsg's gather list in partial writes.
 * Host names resolve on a thread of their own: a resolver held at a gate shows the other
 * brokers' traffic going on meanwhile. Plain byte streams (listener, raw connections,
 * kw_net_sleep, kw_net_wakeup) are driven by the test itself with loopback clients, the
 * watched input (kw_net_watch_input) with a pipe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/conn/net.h"
#include "proto/frame.h"
#include "proto/msg_apiversions.h"
#include "proto/proto.h"
#include "tests/testutil.h"

#define MAXC 32

static void serve_frame(int fd, const uint8_t *p, size_t len, int *close_it)
{
    kw_req_header h;
    size_t hl;
    if (kw_req_header_decode(p, len, &h, &hl)) { *close_it = 1; return; }
    kw_buf out;
    kw_buf_init(&out);
    if (h.api_key == KW_API_ApiVersions) {
        kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 4}, {KW_API_Metadata, 0, 12}, {KW_API_Produce, 3, 11}};
        kw_apiversions_resp r;
        kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
        r.api_keys = keys;
        r.n_api_keys = 3;
        kw_response_encode(&out, KW_API_ApiVersions, h.api_version, h.correlation_id, &r);
    } else {
        const uint8_t *body = p + hl;
        size_t bl = len - hl;
        if (bl >= 5 && !memcmp(body, "CLOSE", 5)) { *close_it = 1; return; }
        if (bl >= 4 && !memcmp(body, "SLOW", 4)) return;
        kw_buf_i32(&out, 0);
        kw_buf_i32(&out, h.correlation_id);
        if (kw_resp_header_version(h.api_key, h.api_version) == 1) kw_buf_uvarint(&out, 0);
        kw_buf_put(&out, body, bl);
        kw_be32(out.data, (uint32_t)(out.len - 4));
    }
    size_t off = 0;
    while (off < out.len) {
        ssize_t w = write(fd, out.data + off, out.len - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    kw_buf_free(&out);
}

static void serve(int lfd)
{
    struct pollfd pf[MAXC + 1];
    kw_framer fr[MAXC + 1];
    int n = 1;
    pf[0].fd = lfd;
    pf[0].events = POLLIN;
    for (;;) {
        if (poll(pf, (nfds_t)n, -1) < 0) continue;
        if (pf[0].revents & POLLIN) {
            int c = accept(lfd, NULL, NULL);
            if (c >= 0 && n <= MAXC) {
                pf[n].fd = c;
                pf[n].events = POLLIN;
                kw_framer_init(&fr[n], 0);
                n++;
            } else if (c >= 0) {
                close(c);
            }
        }
        for (int i = 1; i < n; i++) {
            if (!pf[i].revents) continue;
            uint8_t buf[4096];
            ssize_t r = read(pf[i].fd, buf, sizeof buf);
            int close_it = r <= 0;
            const uint8_t *p = buf, *f;
            size_t left = r > 0 ? (size_t)r : 0, fl;
            while (!close_it) {
                int k = kw_framer_next(&fr[i], &p, &left, &f, &fl);
                if (k < 0) close_it = 1;
                if (k <= 0) break;
                serve_frame(pf[i].fd, f, fl, &close_it);
            }
            if (close_it) {
                close(pf[i].fd);
                kw_framer_free(&fr[i]);
                pf[i] = pf[n - 1];
                fr[i] = fr[n - 1];
                n--;
                i--;
            }
        }
    }
}

static pid_t g_pid;
static int g_port;

/* A port with nothing listening (bound, then closed). */
static int dead_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &l);
    close(s);
    return ntohs(a.sin_port);
}

static int setup(void **st)
{
    (void)st;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 16)) return -1;
    socklen_t l = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &l);
    g_port = ntohs(a.sin_port);
    g_pid = fork();
    if (g_pid < 0) return -1;
    if (g_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the test */
        alarm(120);
        serve(s);
        _exit(0);
    }
    close(s);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    kill(g_pid, SIGTERM);
    waitpid(g_pid, NULL, 0);
    return 0;
}

typedef struct payload { const char *s; } payload;
static int enc(void *ud, int16_t v, kw_buf *out)
{
    (void)v;
    const payload *p = ud;
    kw_buf_put(out, p->s, strlen(p->s));
    return 0;
}

static kw_net *mknet(const char *extra)
{
    kw_config *c = kw_config_new(KW_ROLE_ANY);
    assert_non_null(c);
    if (extra) assert_int_equal(kw_config_set_kv(c, extra), 0);
    assert_int_equal(kw_config_set(c, "client.id", "test-net"), 0);
    kw_net *n = kw_net_new(c);
    kw_config_free(c);
    assert_non_null(n);
    return n;
}

/* A net (mknet(extra)) with the brokers of the list fmt makes (printf-style, e.g. with
 * g_port); want: how many kw_net_add_list must add. */
static kw_net *listed_net(const char *extra, int want, const char *fmt, ...)
{
    char list[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(list, sizeof list, fmt, ap);
    va_end(ap);
    kw_net *n = mknet(extra);
    assert_int_equal(kw_net_add_list(n, list), want);
    return n;
}

static kw_conn_req mreq(payload *p)
{
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = enc, .ud = p};
    return r;
}

/* A request to broker idx whose body is text: the test broker sends it back. */
static void echo_ok(kw_net *n, int idx, const char *text)
{
    payload p = {text};
    kw_conn_req r = mreq(&p);
    kw_buf body;
    kw_buf_init(&body);
    assert_int_equal(kw_net_request(n, idx, &r, &body, NULL), 0);
    assert_int_equal(body.len, strlen(text));
    assert_memory_equal(body.data, text, body.len);
    kw_buf_free(&body);
}

static void test_sync_round_trip(void **st)
{
    (void)st;
    kw_net *n = listed_net(NULL, 1, "127.0.0.1:%d", g_port);
    payload p = {"hello broker"};
    kw_conn_req r = mreq(&p);
    kw_buf body;
    kw_buf_init(&body);
    int16_t v = -1;
    int idx = -1;
    assert_int_equal(kw_net_request_any(n, &r, &body, &v, &idx), 0);
    assert_int_equal(idx, 0);
    assert_int_equal(v, 12); /* broker 12, kwire 13 */
    assert_int_equal(body.len, strlen(p.s));
    assert_memory_equal(body.data, p.s, body.len);
    kw_conn *c = kw_net_conn(n, 0);
    assert_int_equal(kw_conn_state_get(c), KW_CONN_READY);
    assert_int_equal(kw_conn_apiversions_version(c), 5);
    assert_int_equal(kw_conn_stats_get(c)->connects, 1);
    /* a second request reuses the connection */
    body.len = 0;
    assert_int_equal(kw_net_request(n, 0, &r, &body, &v), 0);
    assert_int_equal(kw_conn_stats_get(c)->connects, 1);
    kw_buf_free(&body);
    kw_net_free(n);
}

static void test_every_address_tried(void **st)
{
    (void)st;
    /* "localhost" may resolve to ::1 first; the server listens on 127.0.0.1 only, so a
     * refused first address must move on to the next one in the same attempt */
    kw_net *n = mknet(NULL);
    int i = kw_net_add(n, 1, "localhost", g_port);
    assert_true(i >= 0);
    payload p = {"x"};
    kw_conn_req r = mreq(&p);
    kw_buf body;
    kw_buf_init(&body);
    assert_int_equal(kw_net_request(n, i, &r, &body, NULL), 0);
    assert_int_equal(kw_conn_stats_get(kw_net_conn(n, i))->connect_failures, 0);
    assert_int_equal(kw_net_find(n, 1), i);
    char want[32];
    snprintf(want, sizeof want, "localhost:%d", g_port);
    assert_string_equal(kw_net_name(n, i), want);
    kw_buf_free(&body);
    kw_net_free(n);
}

/* "multi" resolves to 127.0.0.1:<dead>, [::1]:<g_port> (nothing listens on v6) and
 * 127.0.0.1:<g_port>, in that order (glibc's freeaddrinfo frees a joined chain). */
static int g_dead;
static int g_resolves;
static int fake_gai(const char *host, const char *port, const struct addrinfo *hints, struct addrinfo **res)
{
    g_resolves++;
    if (strcmp(host, "multi")) return getaddrinfo(host, port, hints, res);
    char dp[16], lp[16];
    snprintf(dp, sizeof dp, "%d", g_dead);
    snprintf(lp, sizeof lp, "%d", g_port);
    struct addrinfo h = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
    struct addrinfo *a = NULL, *b = NULL, *c = NULL;
    if (getaddrinfo("127.0.0.1", dp, &h, &a)) return EAI_FAIL;
    if (getaddrinfo("::1", lp, &h, &b)) b = NULL;
    if (getaddrinfo("127.0.0.1", lp, &h, &c)) return EAI_FAIL;
    struct addrinfo *t = a;
    while (t->ai_next) t = t->ai_next;
    t->ai_next = b ? b : c;
    if (b) {
        for (t = b; t->ai_next; t = t->ai_next) {}
        t->ai_next = c;
    }
    *res = a;
    return 0;
}

static void test_addresses_in_order(void **st)
{
    (void)st;
    g_dead = dead_port();
    g_resolves = 0;
    kw_net *n = mknet(NULL);
    kw_net_set_resolver(n, fake_gai);
    int i = kw_net_add(n, 3, "multi", 1234);
    echo_ok(n, i, "multi");
    /* one attempt, one resolution: the refused addresses were passed over within it */
    const kw_conn_stats *s = kw_conn_stats_get(kw_net_conn(n, i));
    assert_int_equal(s->connect_failures, 0);
    assert_int_equal(s->connects, 1);
    assert_int_equal(g_resolves, 1);
    kw_net_free(n);
}

static void on_notify(void *ud, int idx, int err, const char *why)
{
    int *count = ud;
    assert_int_equal(err, KW_ERR_CONNECT);
    assert_non_null(strstr(why, "Connection refused"));
    if (idx >= 0 && idx < 2) count[idx]++;
}

static void test_refused_then_next_bootstrap(void **st)
{
    (void)st;
    kw_net *n = mknet(NULL);
    char list[96];
    int dp = dead_port();
    snprintf(list, sizeof list, "127.0.0.1:%d, 127.0.0.1:%d", dp, g_port);
    assert_int_equal(kw_net_add_list(n, list), 2);
    payload p = {"second"};
    kw_conn_req r = mreq(&p);
    kw_buf body;
    kw_buf_init(&body);
    int idx = -1;
    int64_t t0 = kw_net_now();
    assert_int_equal(kw_net_request_any(n, &r, &body, NULL, &idx), 0);
    assert_true(kw_net_now() - t0 < 2000000); /* the dead one is skipped at once */
    assert_int_equal(idx, 1);
    assert_non_null(strstr(kw_net_last_error(n, 0), "refused"));
    kw_buf_free(&body);
    kw_net_free(n);

    /* only dead ones: KW_ERR_CONNECT quickly, each failed attempt notified, and every
     * address tried named in kw_net_errors */
    n = mknet(NULL);
    int dp2 = dead_port();
    snprintf(list, sizeof list, "127.0.0.1:%d,127.0.0.1:%d", dp, dp2);
    assert_int_equal(kw_net_add_list(n, list), 2);
    int notified[2] = {0, 0};
    kw_net_set_notify(n, on_notify, notified);
    kw_buf_init(&body);
    t0 = kw_net_now();
    assert_int_equal(kw_net_request_any(n, &r, &body, NULL, NULL), KW_ERR_CONNECT);
    assert_true(kw_net_now() - t0 < 2000000);
    assert_true(notified[0] >= 1 && notified[1] >= 1);
    char errs[512], want[64];
    kw_net_errors(n, errs, sizeof errs);
    snprintf(want, sizeof want, "127.0.0.1:%d: connect failed: Connection refused; ", dp);
    assert_non_null(strstr(errs, want));
    snprintf(want, sizeof want, "127.0.0.1:%d: connect failed: Connection refused", dp2);
    assert_non_null(strstr(errs, want));
    kw_buf_free(&body);
    kw_net_free(n);

    n = mknet(NULL);
    assert_int_equal(kw_net_add_list(n, "nohost"), KW_ERR_CONFIG);
    assert_int_equal(kw_net_add_list(n, "h:0"), KW_ERR_CONFIG);
    assert_int_equal(kw_net_add_list(n, "[::1]:9092,h:1"), 2);
    assert_string_equal(kw_net_name(n, 0), "[::1]:9092");
    kw_net_free(n);
}

typedef struct async_out { int calls, err, order; } async_out;
static int g_seq;
static void async_done(void *ud, int err, const kw_conn_resp *r)
{
    async_out *o = ud;
    (void)r;
    o->calls++;
    o->err = err;
    o->order = ++g_seq;
}

static int enc_fixed(void *ud, int16_t v, kw_buf *out)
{
    (void)ud;
    (void)v;
    kw_buf_put(out, "ping", 4);
    return 0;
}

static void test_async_pipelined(void **st)
{
    (void)st;
    kw_net *n = mknet("max.in.flight.requests.per.connection=5");
    int i = kw_net_add(n, 7, "127.0.0.1", g_port);
    enum { N = 40 };
    async_out o[N] = {0};
    g_seq = 0;
    for (int k = 0; k < N; k++) {
        kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = enc_fixed,
                         .done = async_done, .ud = &o[k]};
        assert_int_equal(kw_net_submit(n, i, &r), 0);
    }
    int64_t t0 = kw_net_now();
    for (;;) {
        int all = 1;
        for (int k = 0; k < N; k++) all &= o[k].calls == 1;
        if (all) break;
        assert_true(kw_net_now() - t0 < 10000000);
        assert_true(kw_net_poll(n, 100) >= 0);
    }
    for (int k = 0; k < N; k++) {
        assert_int_equal(o[k].err, 0);
        assert_int_equal(o[k].order, k + 1);
    }
    const kw_conn_stats *s = kw_conn_stats_get(kw_net_conn(n, i));
    assert_true(s->inflight_max >= 1 && s->inflight_max <= 5);
    for (size_t k = 0; k < s->napis; k++)
        if (s->apis[k].api_key == KW_API_Metadata) {
            assert_int_equal(s->apis[k].requests, N);
            assert_true(s->apis[k].rtt_max_us >= s->apis[k].rtt_min_us);
        }
    kw_net_free(n);
}

static void test_peer_close_and_reconnect(void **st)
{
    (void)st;
    kw_net *n = mknet("reconnect.backoff.ms=10");
    int i = kw_net_add(n, -1, "127.0.0.1", g_port);
    payload close_p = {"CLOSE please"}, ok = {"after"};
    kw_conn_req r = mreq(&close_p);
    kw_buf body;
    kw_buf_init(&body);
    assert_int_equal(kw_net_request(n, i, &r, &body, NULL), KW_ERR_DISCONNECTED);
    assert_non_null(strstr(kw_net_last_error(n, i), "closed by peer"));
    r = mreq(&ok);
    assert_int_equal(kw_net_request(n, i, &r, &body, NULL), 0);
    assert_int_equal(body.len, 5);
    assert_int_equal(kw_conn_stats_get(kw_net_conn(n, i))->connects, 2);
    kw_buf_free(&body);
    kw_net_free(n);
}

static void test_socket_options(void **st)
{
    (void)st;
    kw_config *c = kw_config_new(KW_ROLE_ANY);
    assert_int_equal(kw_config_set(c, "send.buffer.bytes", "65536"), 0);
    assert_int_equal(kw_config_set(c, "receive.buffer.bytes", "-1"), 0);
    kw_net *n = kw_net_new(c);
    kw_config_free(c);
    int i = kw_net_add(n, -1, "127.0.0.1", g_port);
    assert_int_equal(kw_net_fd(n, i), -1);
    assert_int_equal(kw_net_connect_wait(n, i, 5000), 0);
    int fd = kw_net_fd(n, i);
    assert_true(fd >= 0);
    int v = 0;
    socklen_t l = sizeof v;
    assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &l), 0);
    assert_int_equal(v, 1);
    l = sizeof v;
    assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &l), 0);
    assert_true(v >= 65536); /* Linux reports twice the value set */
    assert_true(v <= 2 * 65536);
    kw_net_free(n);
}

static void test_request_timeout(void **st)
{
    (void)st;
    kw_net *n = mknet("request.timeout.ms=300");
    int i = kw_net_add(n, -1, "127.0.0.1", g_port);
    payload slow = {"SLOW"};
    kw_conn_req r = mreq(&slow);
    kw_buf body;
    kw_buf_init(&body);
    int64_t t0 = kw_net_now();
    assert_int_equal(kw_net_request(n, i, &r, &body, NULL), KW_ERR_TIMEOUT);
    int64_t took = kw_net_now() - t0;
    assert_true(took >= 300000 && took < 1500000);
    assert_non_null(strstr(kw_net_last_error(n, i), "request.timeout.ms"));
    kw_buf_free(&body);
    kw_net_free(n);
}

/* ---- requests that refer to slices: written by sendmsg over a gather list ---- */

typedef struct refbody {
    const char *head;     /* copied first ("CLOSE" makes the broker drop the connection) */
    uint8_t *s1, *s2;     /* referred to */
    size_t n1, n2;
    int calls, err;
    size_t len;
    int freed_in_done;    /* done frees both slices */
} refbody;

static int enc_refs(void *ud, int16_t v, kw_buf *out, kw_conn_refs *refs)
{
    (void)v;
    refbody *b = ud;
    kw_buf_put(out, b->head, strlen(b->head));
    if (kw_conn_ref(refs, out, b->s1, b->n1)) return KW_ERR_NOMEM;
    kw_buf_put(out, "|", 1);
    if (kw_conn_ref(refs, out, b->s2, b->n2)) return KW_ERR_NOMEM;
    kw_buf_put(out, "END", 3);
    return 0;
}

static void refs_done(void *ud, int err, const kw_conn_resp *r)
{
    refbody *b = ud;
    b->calls++;
    b->err = err;
    b->len = r ? r->len : 0;
    if (b->freed_in_done) {
        free(b->s1);
        free(b->s2);
        b->s1 = b->s2 = NULL;
    }
}

static void test_request_by_reference(void **st)
{
    (void)st;
    /* a small send buffer: the frame goes out in many partial writes that end inside
     * and across the slices */
    kw_net *n = mknet("send.buffer.bytes=65536");
    int i = kw_net_add(n, -1, "127.0.0.1", g_port);
    enum { N1 = 3 << 20, N2 = 600000 };
    refbody b = {"REF:", malloc(N1), malloc(N2), N1, N2, 0, 0, 0, 0};
    assert_non_null(b.s1);
    assert_non_null(b.s2);
    for (size_t k = 0; k < N1; k++) b.s1[k] = (uint8_t)(k * 31 + 7);
    for (size_t k = 0; k < N2; k++) b.s2[k] = (uint8_t)(k * 17 + 3);
    kw_conn_req r = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode_ref = enc_refs,
                     .ud = &b};
    kw_buf body;
    kw_buf_init(&body);
    /* the synchronous path passes the referring encoder through */
    assert_int_equal(kw_net_request(n, i, &r, &body, NULL), 0);
    assert_int_equal(body.len, 4 + N1 + 1 + N2 + 3); /* echoed whole, in order */
    assert_memory_equal(body.data, "REF:", 4);
    assert_memory_equal(body.data + 4, b.s1, N1);
    assert_memory_equal(body.data + 4 + N1, "|", 1);
    assert_memory_equal(body.data + 5 + N1, b.s2, N2);
    assert_memory_equal(body.data + 5 + N1 + N2, "END", 3);
    kw_buf_free(&body);
    free(b.s1);
    free(b.s2);

    /* the broker drops the connection with a referring request in flight: its one
     * outcome comes, its done frees the slices, and nothing reads them afterwards
     * (ASan), including the reconnect that follows */
    refbody c = {"CLOSE", malloc(N1), malloc(N2), N1, N2, 0, 0, 0, 1};
    memset(c.s1, 'a', N1);
    memset(c.s2, 'b', N2);
    kw_conn_req q = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode_ref = enc_refs,
                     .done = refs_done, .ud = &c};
    assert_int_equal(kw_net_submit(n, i, &q), 0);
    int64_t t0 = kw_net_now();
    while (!c.calls) {
        assert_true(kw_net_now() - t0 < 10000000);
        assert_true(kw_net_poll(n, 100) >= 0);
    }
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.err, KW_ERR_DISCONNECTED);
    assert_null(c.s1);
    payload ok = {"after"};
    kw_conn_req m = mreq(&ok);
    kw_buf_init(&body);
    assert_int_equal(kw_net_request(n, i, &m, &body, NULL), 0);
    assert_int_equal(body.len, 5);
    kw_buf_free(&body);
    kw_net_free(n);
    assert_int_equal(c.calls, 1);
}

/* ---- host names resolve off the poll loop ---- */

/* "gated" waits until the test writes to the gate's pipe (then is 127.0.0.1); "nosuch.invalid"
 * does not exist; anything else is getaddrinfo. A call on the test's own thread is
 * counted: the loop must never resolve a name itself. */
static atomic_int g_gate_rd = -1, g_gate_wr = -1; /* the gate's pipe */
static pthread_t g_main;
static atomic_int g_on_main, g_gate_calls, g_gate_passed; /* read across threads */
static int gate_gai(const char *host, const char *port, const struct addrinfo *hints, struct addrinfo **res)
{
    int on_main = pthread_equal(pthread_self(), g_main);
    if (!strcmp(host, "gated")) {
        if (on_main) { g_on_main++; return EAI_AGAIN; }
        g_gate_calls++;
        char c;
        while (read(g_gate_rd, &c, 1) < 0 && errno == EINTR) {}
        g_gate_passed++;
        return getaddrinfo("127.0.0.1", port, hints, res);
    }
    if (!strcmp(host, "nosuch.invalid")) {
        if (on_main) g_on_main++;
        return EAI_NONAME;
    }
    return getaddrinfo(host, port, hints, res);
}

static void gate_open(void)
{
    g_main = pthread_self();
    g_on_main = 0;
    g_gate_calls = g_gate_passed = 0;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    g_gate_rd = fds[0];
    g_gate_wr = fds[1];
}

static void gate_close(void)
{
    close(g_gate_rd);
    close(g_gate_wr);
    g_gate_rd = g_gate_wr = -1;
}

static void test_resolution_off_the_loop(void **st)
{
    (void)st;
    gate_open();
    kw_net *n = mknet(NULL);
    kw_net_set_resolver(n, gate_gai);
    int ig = kw_net_add(n, 1, "gated", g_port);
    int in = kw_net_add(n, 2, "127.0.0.1", g_port);
    async_out o = {0};
    g_seq = 0;
    kw_conn_req rg = {.api_key = KW_API_Metadata, .min_version = -1, .max_version = -1, .encode = enc_fixed,
                      .done = async_done, .ud = &o};
    assert_int_equal(kw_net_submit(n, ig, &rg), 0);
    assert_true(kw_net_poll(n, 0) >= 0);
    for (int k = 0; k < 1000 && !g_gate_calls; k++) poll(NULL, 0, 10); /* the thread is at the gate */
    assert_int_equal(g_gate_calls, 1);
    /* while "gated" is resolving, the numeric broker is reached and answers */
    echo_ok(n, in, "numeric");
    assert_int_equal(g_on_main, 0);
    assert_int_equal(g_gate_calls, 1);
    assert_int_equal(o.calls, 0);
    assert_int_equal(kw_conn_state_get(kw_net_conn(n, ig)), KW_CONN_CONNECTING);
    /* released: the resolver thread wakes the loop, which connects and gets the answer */
    assert_int_equal(write(g_gate_wr, "x", 1), 1);
    int64_t t0 = kw_net_now();
    while (o.calls == 0) {
        assert_true(kw_net_now() - t0 < 10000000);
        assert_true(kw_net_poll(n, 1000) >= 0);
    }
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.err, 0);
    assert_int_equal(kw_conn_stats_get(kw_net_conn(n, ig))->connects, 1);
    assert_int_equal(g_gate_calls, 1);
    kw_net_free(n);
    gate_close();
}

static void test_unresolvable_name(void **st)
{
    (void)st;
    gate_open();
    kw_net *n = listed_net(NULL, 2, "nosuch.invalid:9092,127.0.0.1:%d", g_port);
    kw_net_set_resolver(n, gate_gai); /* (names resolve at connect time) */
    payload p = {"second"};
    kw_conn_req r = mreq(&p);
    kw_buf body;
    kw_buf_init(&body);
    int idx = -1;
    /* the name that does not resolve is skipped at once, with its reason kept */
    assert_int_equal(kw_net_request_any(n, &r, &body, NULL, &idx), 0);
    assert_int_equal(idx, 1);
    assert_non_null(strstr(kw_net_last_error(n, 0), "cannot resolve nosuch.invalid: Name or service not known"));
    assert_int_equal(g_on_main, 0);
    /* alone, a fail-fast request fails as any unreachable broker's does, and the
       reason stays the resolver's */
    body.len = 0;
    kw_conn_req r1 = r;
    r1.fail_fast = 1;
    assert_int_equal(kw_net_request(n, 0, &r1, &body, NULL), KW_ERR_CONNECT);
    assert_non_null(strstr(kw_net_last_error(n, 0), "cannot resolve nosuch.invalid"));
    assert_int_equal(g_on_main, 0);
    kw_buf_free(&body);
    kw_net_free(n);
    gate_close();
}

static void test_give_up_while_resolving(void **st)
{
    (void)st;
    gate_open();
    kw_net *n = mknet("socket.connection.setup.timeout.ms=200");
    kw_net_set_resolver(n, gate_gai);
    int ig = kw_net_add(n, 1, "gated", g_port);
    payload p = {"never"};
    kw_conn_req r = mreq(&p);
    r.fail_fast = 1;
    kw_buf body;
    kw_buf_init(&body);
    /* the connect timeout covers the resolution: the conn gives up and the loop
     * abandons the job, still held at the gate */
    int e = kw_net_request(n, ig, &r, &body, NULL);
    assert_true(e == KW_ERR_TIMEOUT || e == KW_ERR_CONNECT);
    assert_int_equal(g_gate_calls, 1);
    /* the net goes away first; the thread finishes later and frees what it found
       (ASan and LeakSanitizer watch this in unit-asan) */
    kw_net_free(n);
    kw_buf_free(&body);
    assert_int_equal(write(g_gate_wr, "x", 1), 1);
    /* the pipe stays open until the thread is through the gate */
    for (int k = 0; k < 1000 && !g_gate_passed; k++) poll(NULL, 0, 10);
    assert_int_equal(g_gate_passed, 1);
    gate_close();
}

static void test_describe(void **st)
{
    (void)st;
    char b[256];
    assert_string_equal(kw_net_describe(KW_ERR_NOT_KAFKA, "h:1: does not speak the Kafka protocol", b, sizeof b),
                        "h:1: does not speak the Kafka protocol");
    assert_string_equal(kw_net_describe(KW_ERR_CONNECT, "h:1: connect failed: Connection refused", b, sizeof b),
                        "could not connect: h:1: connect failed: Connection refused");
    assert_string_equal(kw_net_describe(KW_ERR_CORRUPT, "x", b, sizeof b), "malformed input (x)");
    assert_string_equal(kw_net_describe(KW_ERR_TIMEOUT, "", b, sizeof b), "timed out");
}

/* A connection attempt that gets no answer (a listener whose backlog is full: the SYN is
 * dropped) is notified once after a second, long before the setup timeout. */
typedef struct slow_note { int calls, err; char why[256]; } slow_note;
static void on_slow(void *ud, int idx, int err, const char *why)
{
    (void)idx;
    slow_note *s = ud;
    s->calls++;
    s->err = err;
    snprintf(s->why, sizeof s->why, "%s", why);
}

static void test_slow_connect_notified(void **st)
{
    (void)st;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 0), 0);
    socklen_t sl = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &sl);
    int fill[3];
    for (int i = 0; i < 3; i++) { /* fill the accept queue: later SYNs are dropped */
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(100000);
    kw_net *n = mknet("socket.connection.setup.timeout.ms=5000");
    char list[64];
    snprintf(list, sizeof list, "127.0.0.1:%d", ntohs(a.sin_port));
    assert_int_equal(kw_net_add_list(n, list), 1);
    slow_note sn = {0, 0, ""};
    kw_net_set_notify(n, on_slow, &sn);
    kw_conn_request_connect(kw_net_conn(n, 0));
    int64_t end = kw_net_now() + 3000000;
    while (!sn.calls && kw_net_now() < end) kw_net_poll(n, 100);
    assert_int_equal(sn.calls, 1);
    assert_int_equal(sn.err, KW_ERR_TIMEOUT);
    assert_non_null(strstr(sn.why, "no answer to the connection after 1 s"));
    for (int i = 0; i < 5; i++) kw_net_poll(n, 10); /* once per attempt */
    assert_int_equal(sn.calls, 1);
    kw_net_free(n);
    for (int i = 0; i < 3; i++) close(fill[i]);
    close(l);
}

/* ---- plain byte streams: listener, raw connections, sleep, wakeup ---- */

typedef struct rawlog {
    int accepted, data, eofs, sents, errors;
    int echo;           /* write back what arrives; shut down after EOF */
    int close_on_eof;   /* close the connection at EOF */
    char got[256];
    size_t gotlen;
    kw_net_raw *last;
} rawlog;

static void raw_cb(void *ud, kw_net_raw *r, const kw_net_raw_event *ev)
{
    rawlog *g = ud;
    switch (ev->type) {
    case KW_NET_RAW_ACCEPTED:
        g->accepted++;
        assert_null(kw_net_raw_data(r));
        kw_net_raw_set_data(r, g);
        g->last = r;
        break;
    case KW_NET_RAW_DATA:
        assert_ptr_equal(kw_net_raw_data(r), g);
        g->data++;
        if (g->gotlen + ev->len <= sizeof g->got) {
            memcpy(g->got + g->gotlen, ev->data, ev->len);
            g->gotlen += ev->len;
        }
        if (g->echo) assert_int_equal(kw_net_raw_write(r, ev->data, ev->len), 0);
        break;
    case KW_NET_RAW_EOF:
        g->eofs++;
        if (g->echo) kw_net_raw_shutdown(r);
        if (g->close_on_eof) kw_net_raw_close(r);
        break;
    case KW_NET_RAW_SENT: g->sents++; break;
    case KW_NET_RAW_ERROR:
        g->errors++;
        assert_int_equal(ev->err, KW_ERR_IO);
        break;
    }
}

static kw_net_listener *raw_listen(kw_net *n, rawlog *g, int max_conns, size_t out_max)
{
    kw_net_listen_opts o = {.host = "127.0.0.1", .port = "0", .max_conns = max_conns, .out_max = out_max,
                            .fn = raw_cb, .ud = g};
    kw_net_listener *l = NULL;
    assert_int_equal(kw_net_listen(n, &o, &l), 0);
    assert_true(kw_net_listener_port(l) > 0);
    return l;
}


/* Poll the net until cond holds or 5 s pass. */
#define POLL_UNTIL(n, cond)                                                                  \
    do {                                                                                     \
        int64_t until_ = kw_net_now() + 5000000;                                             \
        while (!(cond) && kw_net_now() < until_) assert_true(kw_net_poll((n), 20) >= 0);     \
        assert_true(cond);                                                                   \
    } while (0)

static void test_raw_echo(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    rawlog g = {.echo = 1};
    kw_net_listener *l = raw_listen(n, &g, 4, 0);
    int c = tu_connect_loopback(kw_net_listener_port(l));
    assert_int_equal(send(c, "hello, raw", 10, 0), 10);
    shutdown(c, SHUT_WR); /* half-close: the echo still comes back */
    POLL_UNTIL(n, g.eofs == 1 && g.sents >= 1);
    assert_int_equal(g.accepted, 1);
    assert_int_equal(g.gotlen, 10);
    assert_memory_equal(g.got, "hello, raw", 10);
    assert_int_equal(kw_net_raw_pending(g.last), 0);
    assert_int_equal(kw_net_raw_write(g.last, "x", 1), KW_ERR_STATE); /* after shutdown */
    char buf[64];
    size_t got = 0;
    ssize_t k;
    while ((k = recv(c, buf + got, sizeof buf - got, 0)) > 0) got += (size_t)k; /* to our EOF */
    assert_int_equal(k, 0);
    assert_int_equal(got, 10);
    assert_memory_equal(buf, "hello, raw", 10);
    close(c);
    assert_int_equal(g.errors, 0);
    kw_net_listener_close(l);
    kw_net_free(n); /* closes the connection still open */
}

/* A peer that goes away in the middle of a request: a close is EOF, a reset is ERROR and
 * the net closes the connection, and either way its slot under max_conns comes back. */
static void test_raw_peer_gone_mid_request(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    rawlog g = {.close_on_eof = 1};
    kw_net_listener *l = raw_listen(n, &g, 1, 0);
    int port = kw_net_listener_port(l);
    int c = tu_connect_loopback(port);
    assert_int_equal(send(c, "GET /met", 8, 0), 8);
    POLL_UNTIL(n, g.gotlen == 8);
    close(c);
    POLL_UNTIL(n, g.eofs == 1);
    /* the slot is free again: the next peer is accepted, then resets the connection */
    c = tu_connect_loopback(port);
    POLL_UNTIL(n, g.accepted == 2);
    kw_net_raw *r2 = g.last;
    assert_int_equal(kw_net_raw_write(r2, "partial", 7), 0);
    struct linger lg = {1, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    assert_int_equal(send(c, "x", 1, 0), 1);
    close(c); /* RST */
    g.close_on_eof = 0;
    POLL_UNTIL(n, g.errors == 1 || g.eofs == 2);
    if (g.errors == 0) { /* the data and the reset raced: EOF first, the write then fails */
        kw_net_raw_write(r2, "more", 4);
        POLL_UNTIL(n, g.errors == 1);
    }
    c = tu_connect_loopback(port);
    POLL_UNTIL(n, g.accepted == 3); /* the net closed the failed one: its slot is free */
    close(c);
    kw_net_free(n);
}

static void test_raw_connection_limit(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    rawlog g = {0};
    kw_net_listener *l = raw_listen(n, &g, 2, 0);
    int port = kw_net_listener_port(l);
    int c[3];
    for (int i = 0; i < 3; i++) c[i] = tu_connect_loopback(port); /* the kernel's backlog takes all three */
    POLL_UNTIL(n, g.accepted == 2);
    for (int i = 0; i < 10; i++) kw_net_poll(n, 10);
    assert_int_equal(g.accepted, 2); /* the third waits in the backlog */
    kw_net_raw_close(g.last);
    POLL_UNTIL(n, g.accepted == 3);
    /* the third connection works */
    assert_int_equal(send(c[2], "z", 1, 0), 1);
    POLL_UNTIL(n, g.gotlen == 1);
    for (int i = 0; i < 3; i++) close(c[i]);
    kw_net_free(n);
}

/* Queued output is capped; what the peer does not read stays queued, and is written
 * once it reads. */
/* Out of descriptors: accept fails with EMFILE while the connection stays in the backlog
 * and the listener readable; the net rests the listener (100 ms) instead of spinning,
 * and accepts once descriptors are free again. */
static void test_raw_accept_emfile_pauses(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    rawlog g = {0};
    kw_net_listener *l = raw_listen(n, &g, 4, 0);
    int c = tu_connect_loopback(kw_net_listener_port(l));
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int top = dup(0), fill[256], nfill = 0, d;
    assert_true(top >= 0);
    close(top);
    while ((d = dup(0)) >= 0 && d < top && nfill < 256) fill[nfill++] = d; /* every hole below top */
    if (d >= 0) close(d);
    struct rlimit lim = {(rlim_t)top, old.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
    int rounds = 0;
    int64_t t0 = kw_net_now();
    while (kw_net_now() - t0 < 400000) {
        kw_net_poll(n, 1000);
        rounds++;
    }
    assert_int_equal(g.accepted, 0);
    assert_true(rounds < 40); /* about one a 100 ms, not a busy loop */
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    for (int i = 0; i < nfill; i++) close(fill[i]);
    POLL_UNTIL(n, g.accepted == 1);
    close(c);
    kw_net_free(n);
}

static void test_raw_output_bound(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    rawlog g = {0};
    const size_t cap = 16u << 20; /* more than loopback's socket buffers hold */
    kw_net_listener *l = raw_listen(n, &g, 1, cap);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof small); /* before connect: a small window */
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)kw_net_listener_port(l))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof a), 0);
    POLL_UNTIL(n, g.accepted == 1);
    kw_net_raw *r = g.last;
    char *big = malloc(cap);
    memset(big, 'b', cap);
    assert_int_equal(kw_net_raw_write(r, big, cap), 0);
    assert_int_equal(kw_net_raw_write(r, "!", 1), KW_ERR_TOO_LARGE);
    for (int i = 0; i < 5; i++) kw_net_poll(n, 10);
    assert_true(kw_net_raw_pending(r) > 0); /* the peer reads nothing: the socket buffers fill */
    assert_int_equal(g.sents, 0);
    size_t got = 0;
    char buf[65536];
    while (got < cap) {
        ssize_t k = recv(c, buf, sizeof buf, MSG_DONTWAIT);
        if (k > 0) got += (size_t)k;
        else kw_net_poll(n, 10);
    }
    POLL_UNTIL(n, g.sents == 1);
    assert_int_equal(kw_net_raw_pending(r), 0);
    free(big);
    close(c);
    kw_net_free(n);
}

/* kw_net_sleep services the net while it waits (a connection is accepted meanwhile),
 * waits as long as asked, and works without a net. */
static void test_sleep(void **st)
{
    (void)st;
    int64_t t0 = kw_net_now();
    assert_int_equal(kw_net_sleep(NULL, 30), 0);
    assert_true(kw_net_now() - t0 >= 30000);
    kw_net *n = kw_net_new(NULL);
    rawlog g = {.close_on_eof = 1};
    kw_net_listener *l = raw_listen(n, &g, 1, 0);
    int c = tu_connect_loopback(kw_net_listener_port(l));
    t0 = kw_net_now();
    assert_int_equal(kw_net_sleep(n, 80), 0);
    assert_true(kw_net_now() - t0 >= 80000);
    assert_int_equal(g.accepted, 1);
    close(c);
    kw_net_free(n);
}

/* kw_net_fd_wait_readable: an empty pipe times out (0), a byte makes it 1 and stays
 * unread, the writer gone is readiness too; kw_net_fd_reader_gone: 0 while the read end
 * is open, 1 once it is closed, without writing anything. */
static void test_plain_fds(void **st)
{
    (void)st;
    int p[2];
    assert_int_equal(pipe(p), 0);
    int64_t t0 = kw_net_now();
    assert_int_equal(kw_net_fd_wait_readable(p[0], 60), 0);
    assert_true(kw_net_now() - t0 >= 50000);
    assert_int_equal(kw_net_fd_reader_gone(p[1]), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    assert_int_equal(kw_net_fd_wait_readable(p[0], 5000), 1);
    char c;
    assert_int_equal(read(p[0], &c, 1), 1);
    assert_int_equal(c, 'x');
    close(p[0]);
    assert_int_equal(kw_net_fd_reader_gone(p[1]), 1);
    close(p[1]);
    assert_int_equal(pipe(p), 0);
    close(p[1]);
    assert_int_equal(kw_net_fd_wait_readable(p[0], 5000), 1); /* hung up */
    close(p[0]);
}

/* kw_net_watch_input: a pipe with nothing in it lets the round wait its time; bytes
 * written to it end the round at once with ready set, and are left unread; a hang-up is
 * readiness too; unwatched, the readable pipe no longer ends rounds. */
static void test_watch_input(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    int p[2];
    assert_int_equal(pipe(p), 0);
    int ready = 0;
    kw_net_watch_input(n, p[0], &ready);
    int64_t t0 = kw_net_now();
    assert_true(kw_net_poll(n, 60) >= 0);
    assert_true(kw_net_now() - t0 >= 50000);
    assert_int_equal(ready, 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    t0 = kw_net_now();
    assert_true(kw_net_poll(n, 5000) >= 0);
    assert_true(kw_net_now() - t0 < 2000000);
    assert_int_equal(ready, 1);
    char c;
    assert_int_equal(read(p[0], &c, 1), 1); /* still there: the net did not read it */
    assert_int_equal(c, 'x');
    ready = 0;
    assert_int_equal(write(p[1], "y", 1), 1);
    kw_net_watch_input(n, -1, NULL);
    t0 = kw_net_now();
    assert_true(kw_net_poll(n, 60) >= 0);
    assert_true(kw_net_now() - t0 >= 50000); /* unwatched: the readable pipe does not end the round */
    assert_int_equal(ready, 0);
    kw_net_watch_input(n, p[0], &ready);
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[1]);
    assert_true(kw_net_poll(n, 5000) >= 0); /* the writer gone: hang-up */
    assert_int_equal(ready, 1);
    close(p[0]);
    kw_net_free(n);
}

static void *wake_later(void *arg)
{
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    kw_net_wakeup(arg);
    return NULL;
}

static void test_wakeup_from_another_thread(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    assert_int_equal(kw_net_wakeup_init(n), 0);
    kw_net_wakeup(n); /* before the poll: it does not wait */
    int64_t t0 = kw_net_now();
    kw_net_poll(n, 5000);
    assert_true(kw_net_now() - t0 < 2000000);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, wake_later, n), 0);
    t0 = kw_net_now();
    kw_net_poll(n, 5000);
    assert_true(kw_net_now() - t0 < 2000000);
    pthread_join(th, NULL);
    kw_net_free(n);
}

static void test_listen_errors(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    rawlog g = {0};
    kw_net_listener *l = raw_listen(n, &g, 1, 0), *l2 = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", kw_net_listener_port(l));
    kw_net_listen_opts o = {.host = "127.0.0.1", .port = port, .fn = raw_cb, .ud = &g};
    errno = 0;
    assert_int_equal(kw_net_listen(n, &o, &l2), KW_ERR_IO); /* in use */
    assert_int_equal(errno, EADDRINUSE);
    o.port = "x";
    assert_int_equal(kw_net_listen(n, &o, &l2), KW_ERR_CONFIG);
    o.port = "0";
    o.fn = NULL;
    assert_int_equal(kw_net_listen(n, &o, &l2), KW_ERR_INVALID_ARG);
    assert_null(l2);
    kw_net_free(n);
}

/* ---- outgoing raw connections (kw_net_raw_connect) ---- */

typedef struct outlog {
    int connected, data, eofs, sents, errors;
    int err, sys_errno;
    int order_ok;        /* nothing came before CONNECTED */
    int shut_on_sent;    /* end our side once the queued output is out */
    char got[256];
    size_t gotlen;
} outlog;

static void out_cb(void *ud, kw_net_raw *r, const kw_net_raw_event *ev)
{
    outlog *o = ud;
    if (ev->type != KW_NET_RAW_CONNECTED && ev->type != KW_NET_RAW_ERROR && !o->connected) o->order_ok = 0;
    switch (ev->type) {
    case KW_NET_RAW_CONNECTED: o->connected++; break;
    case KW_NET_RAW_DATA:
        o->data++;
        if (o->gotlen + ev->len <= sizeof o->got) {
            memcpy(o->got + o->gotlen, ev->data, ev->len);
            o->gotlen += ev->len;
        }
        break;
    case KW_NET_RAW_EOF: o->eofs++; break;
    case KW_NET_RAW_SENT:
        o->sents++;
        if (o->shut_on_sent) kw_net_raw_shutdown(r);
        break;
    case KW_NET_RAW_ERROR:
        o->errors++;
        o->err = ev->err;
        o->sys_errno = ev->sys_errno;
        break;
    }
}

/* A connection to a listener of the same net: bytes queued before CONNECTED go out after
 * it, the listener's side echoes them back, and both sides see the other's EOF. */
static void test_raw_connect_exchange(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    rawlog g = {.echo = 1};
    kw_net_listener *l = raw_listen(n, &g, 4, 0);
    char port[16];
    snprintf(port, sizeof port, "%d", kw_net_listener_port(l));
    outlog o = {.order_ok = 1, .shut_on_sent = 1};
    kw_net_connect_opts co = {.host = "127.0.0.1", .port = port, .timeout_ms = 5000, .fn = out_cb, .ud = &o};
    kw_net_raw *r = NULL;
    assert_int_equal(kw_net_raw_connect(n, &co, &r, NULL, 0), 0);
    assert_non_null(r);
    assert_int_equal(kw_net_raw_write(r, "ping ", 5), 0); /* held until connected */
    assert_int_equal(kw_net_raw_write(r, "pong", 4), 0);
    assert_int_equal(kw_net_raw_pending(r), 9);
    assert_int_equal(o.connected, 0); /* events come inside kw_net_poll only */
    POLL_UNTIL(n, o.eofs == 1);
    assert_int_equal(o.connected, 1);
    assert_true(o.order_ok);
    assert_int_equal(o.sents, 1);
    assert_int_equal(o.errors, 0);
    assert_int_equal(g.accepted, 1);
    assert_int_equal(g.eofs, 1);
    assert_int_equal(g.gotlen, 9);
    assert_memory_equal(g.got, "ping pong", 9);
    assert_int_equal(o.gotlen, 9);
    assert_memory_equal(o.got, "ping pong", 9);
    assert_int_equal(g.errors, 0);
    kw_net_raw_close(r);
    /* localhost, which may say ::1 first while the listener is on 127.0.0.1 only: the
     * refused address moves on to the next */
    outlog o2 = {.order_ok = 1};
    co.host = "localhost";
    co.ud = &o2;
    assert_int_equal(kw_net_raw_connect(n, &co, &r, NULL, 0), 0);
    POLL_UNTIL(n, o2.connected == 1 && g.accepted == 2);
    assert_int_equal(o2.errors, 0);
    kw_net_raw_close(r);
    kw_net_free(n);
}

/* A refused port is an ERROR at once (KW_ERR_CONNECT, ECONNREFUSED); so is every address
 * of a name refusing; a refused first address moves on to the next one; a name that
 * does not resolve fails in kw_net_raw_connect with the reason. */
static void test_raw_connect_refused(void **st)
{
    (void)st;
    kw_net *n = kw_net_new(NULL);
    kw_net_set_resolver(n, fake_gai);
    char port[16];
    snprintf(port, sizeof port, "%d", dead_port());
    outlog o = {.order_ok = 1};
    kw_net_connect_opts co = {.host = "127.0.0.1", .port = port, .timeout_ms = 10000, .fn = out_cb, .ud = &o};
    kw_net_raw *r = NULL;
    assert_int_equal(kw_net_raw_connect(n, &co, &r, NULL, 0), 0);
    int64_t t0 = kw_net_now();
    POLL_UNTIL(n, o.errors == 1);
    assert_true(kw_net_now() - t0 < 1000000);
    assert_int_equal(o.err, KW_ERR_CONNECT);
    assert_int_equal(o.sys_errno, ECONNREFUSED);
    assert_int_equal(o.connected, 0);
    for (int i = 0; i < 3; i++) kw_net_poll(n, 0);
    assert_int_equal(o.errors, 1); /* once; the net closed it */
    /* "multi": the dead port first, then the scripted broker */
    g_dead = dead_port();
    outlog o2 = {.order_ok = 1};
    co.host = "multi";
    co.port = "1";
    co.ud = &o2;
    assert_int_equal(kw_net_raw_connect(n, &co, &r, NULL, 0), 0);
    POLL_UNTIL(n, o2.connected == 1);
    assert_int_equal(o2.errors, 0);
    kw_net_raw_close(r);
    /* resolution */
    char why[128];
    co.host = "nosuch.invalid";
    kw_net_set_resolver(n, gate_gai);
    gate_open();
    r = NULL;
    assert_int_equal(kw_net_raw_connect(n, &co, &r, why, sizeof why), KW_ERR_RESOLVE);
    assert_null(r);
    assert_string_equal(why, "cannot resolve nosuch.invalid: Name or service not known");
    gate_close();
    co.host = "";
    assert_int_equal(kw_net_raw_connect(n, &co, &r, why, sizeof why), KW_ERR_INVALID_ARG);
    kw_net_free(n);
}

/* A peer that drops the SYN (a listener whose backlog is full): ERROR (KW_ERR_TIMEOUT,
 * ETIMEDOUT) once the connect timeout is up, not before, and kw_net_poll wakes for it. */
static void test_raw_connect_timeout(void **st)
{
    (void)st;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(l, 0), 0);
    socklen_t sl = sizeof a;
    getsockname(l, (struct sockaddr *)&a, &sl);
    int fill[3];
    for (int i = 0; i < 3; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(100000);
    kw_net *n = kw_net_new(NULL);
    char port[16];
    snprintf(port, sizeof port, "%d", ntohs(a.sin_port));
    outlog o = {.order_ok = 1};
    kw_net_connect_opts co = {.host = "127.0.0.1", .port = port, .timeout_ms = 300, .fn = out_cb, .ud = &o};
    kw_net_raw *r = NULL;
    int64_t t0 = kw_net_now();
    assert_int_equal(kw_net_raw_connect(n, &co, &r, NULL, 0), 0);
    assert_int_equal(kw_net_raw_write(r, "x", 1), 0);
    int rounds = 0;
    while (!o.errors && kw_net_now() - t0 < 5000000) {
        kw_net_poll(n, 10000); /* a long wait: the connect timeout cuts it short */
        rounds++;
    }
    int64_t took = kw_net_now() - t0;
    assert_int_equal(o.errors, 1);
    assert_int_equal(o.err, KW_ERR_TIMEOUT);
    assert_int_equal(o.sys_errno, ETIMEDOUT);
    assert_int_equal(o.connected, 0);
    assert_int_equal(o.sents, 0);
    assert_true(took >= 300000);
    assert_true(took < 2000000);
    assert_true(rounds < 10);
    kw_net_free(n);
    for (int i = 0; i < 3; i++) close(fill[i]);
    close(l);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_round_trip),
        cmocka_unit_test(test_every_address_tried),
        cmocka_unit_test(test_addresses_in_order),
        cmocka_unit_test(test_refused_then_next_bootstrap),
        cmocka_unit_test(test_async_pipelined),
        cmocka_unit_test(test_peer_close_and_reconnect),
        cmocka_unit_test(test_socket_options),
        cmocka_unit_test(test_request_timeout),
        cmocka_unit_test(test_request_by_reference),
        cmocka_unit_test(test_resolution_off_the_loop),
        cmocka_unit_test(test_unresolvable_name),
        cmocka_unit_test(test_give_up_while_resolving),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_slow_connect_notified),
        cmocka_unit_test(test_raw_echo),
        cmocka_unit_test(test_raw_peer_gone_mid_request),
        cmocka_unit_test(test_raw_connection_limit),
        cmocka_unit_test(test_raw_output_bound),
        cmocka_unit_test(test_raw_accept_emfile_pauses),
        cmocka_unit_test(test_sleep),
        cmocka_unit_test(test_watch_input),
        cmocka_unit_test(test_plain_fds),
        cmocka_unit_test(test_wakeup_from_another_thread),
        cmocka_unit_test(test_listen_errors),
        cmocka_unit_test(test_raw_connect_exchange),
        cmocka_unit_test(test_raw_connect_refused),
        cmocka_unit_test(test_raw_connect_timeout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
