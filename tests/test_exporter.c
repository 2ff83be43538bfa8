/* tests/test_exporter.c — client/exporter: exposition text (lag in seconds and member
 * counts beside kafka_exporter's families), HTTP parsing, the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client/admin/exporter.h"
#include "tests/testutil.h"

static void fixture(kw_snapshot *s)
{
    kw_snap_init(s);
    s->brokers = 3;
    assert_int_equal(kw_snap_set_partition(s, "test-topic", 0, 2, 15, -1), 0);
    assert_int_equal(kw_snap_set_partition(s, "test-topic", 1, 0, 18, -1), 0);
    assert_int_equal(kw_snap_set_partition(s, "empty", 0, 0, 0, -1), 0);
    assert_int_equal(kw_snap_add_group(s, "test-group", "Stable"), 0);
    assert_int_equal(kw_snap_set_commit(s, "test-group", "test-topic", 0, 10), 0);
    assert_int_equal(kw_snap_set_commit(s, "test-group", "test-topic", 1, -1), 0);
    assert_int_equal(kw_snap_set_commit(s, "we\"i\\rd\ng", "test-topic", 1, 20), 0);
    /* lag in time, and the member count of a described group */
    s->taken_ms = 100000;
    assert_int_equal(kw_snap_set_commit_time(s, "test-group", "test-topic", 0, 98750), 0);
    assert_int_equal(kw_snap_set_group_info(s, "test-group", "consumer", 2), 0);
}

static const char *render(const kw_snapshot *s, const regex_t *re, int up, kw_buf *b)
{
    b->len = 0;
    assert_int_equal(kw_exp_render(s, re, up, 0.25, b), 0);
    kw_buf_put(b, "", 1);
    return (const char *)b->data;
}

static const char FULL[] =
    "# HELP kafka_brokers Number of brokers in the cluster's metadata.\n"
    "# TYPE kafka_brokers gauge\n"
    "kafka_brokers 3\n"
    "# HELP kafka_topic_partitions Number of partitions of the topic.\n"
    "# TYPE kafka_topic_partitions gauge\n"
    "kafka_topic_partitions{topic=\"test-topic\"} 2\n"
    "kafka_topic_partitions{topic=\"empty\"} 1\n"
    "# HELP kafka_topic_partition_current_offset Newest offset (high watermark) of the topic partition.\n"
    "# TYPE kafka_topic_partition_current_offset gauge\n"
    "kafka_topic_partition_current_offset{partition=\"0\",topic=\"test-topic\"} 15\n"
    "kafka_topic_partition_current_offset{partition=\"1\",topic=\"test-topic\"} 18\n"
    "kafka_topic_partition_current_offset{partition=\"0\",topic=\"empty\"} 0\n"
    "# HELP kafka_topic_partition_oldest_offset Oldest offset (log start offset) of the topic partition.\n"
    "# TYPE kafka_topic_partition_oldest_offset gauge\n"
    "kafka_topic_partition_oldest_offset{partition=\"0\",topic=\"test-topic\"} 2\n"
    "kafka_topic_partition_oldest_offset{partition=\"1\",topic=\"test-topic\"} 0\n"
    "kafka_topic_partition_oldest_offset{partition=\"0\",topic=\"empty\"} 0\n"
    "# HELP kafka_consumergroup_current_offset Committed offset of the consumer group on the topic partition.\n"
    "# TYPE kafka_consumergroup_current_offset gauge\n"
    "kafka_consumergroup_current_offset{consumergroup=\"test-group\",partition=\"0\",topic=\"test-topic\"} 10\n"
    "kafka_consumergroup_current_offset{consumergroup=\"we\\\"i\\\\rd\\ng\",partition=\"1\",topic=\"test-topic\"} 20\n"
    "# HELP kafka_consumergroup_current_offset_sum Sum of the consumer group's committed offsets over the topic's partitions.\n"
    "# TYPE kafka_consumergroup_current_offset_sum gauge\n"
    "kafka_consumergroup_current_offset_sum{consumergroup=\"test-group\",topic=\"test-topic\"} 10\n"
    "kafka_consumergroup_current_offset_sum{consumergroup=\"we\\\"i\\\\rd\\ng\",topic=\"test-topic\"} 20\n"
    "# HELP kafka_consumergroup_lag Log-end offset minus committed offset of the consumer group on the topic partition.\n"
    "# TYPE kafka_consumergroup_lag gauge\n"
    "kafka_consumergroup_lag{consumergroup=\"test-group\",partition=\"0\",topic=\"test-topic\"} 5\n"
    "kafka_consumergroup_lag{consumergroup=\"we\\\"i\\\\rd\\ng\",partition=\"1\",topic=\"test-topic\"} 0\n"
    "# HELP kafka_consumergroup_lag_sum Lag of the consumer group summed over the topic's partitions.\n"
    "# TYPE kafka_consumergroup_lag_sum gauge\n"
    "kafka_consumergroup_lag_sum{consumergroup=\"test-group\",topic=\"test-topic\"} 5\n"
    "kafka_consumergroup_lag_sum{consumergroup=\"we\\\"i\\\\rd\\ng\",topic=\"test-topic\"} 0\n"
    "# HELP kafka_consumergroup_lag_seconds Age of the record at the consumer group's committed offset (the next it "
    "reads), 0 without lag.\n"
    "# TYPE kafka_consumergroup_lag_seconds gauge\n"
    "kafka_consumergroup_lag_seconds{consumergroup=\"test-group\",partition=\"0\",topic=\"test-topic\"} 1.250\n"
    "kafka_consumergroup_lag_seconds{consumergroup=\"we\\\"i\\\\rd\\ng\",partition=\"1\",topic=\"test-topic\"} 0.000\n"
    "# HELP kafka_consumergroup_members Members of the consumer group (classic or consumer protocol), as its "
    "coordinator describes it.\n"
    "# TYPE kafka_consumergroup_members gauge\n"
    "kafka_consumergroup_members{consumergroup=\"test-group\"} 2\n"
    "# HELP kwire_scrape_duration_seconds Time the last refresh from the cluster took.\n"
    "# TYPE kwire_scrape_duration_seconds gauge\n"
    "kwire_scrape_duration_seconds 0.250000\n"
    "# HELP kwire_up 1 if the cluster answered the last refresh, else 0.\n"
    "# TYPE kwire_up gauge\n"
    "kwire_up 1\n";

static const char DOWN[] =
    "# HELP kwire_scrape_duration_seconds Time the last refresh from the cluster took.\n"
    "# TYPE kwire_scrape_duration_seconds gauge\n"
    "kwire_scrape_duration_seconds 0.250000\n"
    "# HELP kwire_up 1 if the cluster answered the last refresh, else 0.\n"
    "# TYPE kwire_up gauge\n"
    "kwire_up 0\n";

static void test_render_exact(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    kw_buf b;
    kw_buf_init(&b);
    assert_string_equal(render(&s, NULL, 1, &b), FULL);
    assert_string_equal(render(&s, NULL, 0, &b), DOWN);
    kw_buf_free(&b);
    kw_snap_free(&s);
}

static void test_render_group_filter(void **st)
{
    (void)st;
    kw_snapshot s;
    fixture(&s);
    regex_t re;
    assert_int_equal(regcomp(&re, "^test-", REG_EXTENDED | REG_NOSUB), 0);
    kw_buf b;
    kw_buf_init(&b);
    const char *txt = render(&s, &re, 1, &b);
    assert_non_null(strstr(txt, "consumergroup=\"test-group\""));
    assert_null(strstr(txt, "we\\\"i"));
    /* topic families are not filtered by group */
    assert_non_null(strstr(txt, "kafka_topic_partitions{topic=\"empty\"} 1\n"));
    regfree(&re);
    kw_buf_free(&b);
    kw_snap_free(&s);
}

static void test_label_escaping(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    kw_exp_label_value(&b, "a\\b\"c\nd\te");
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data, "a\\\\b\\\"c\\nd\te");
    kw_buf_free(&b);
}

static int parse(const char *s, kw_http_req *r) { return kw_http_parse(s, strlen(s), r); }

static void test_http_parse(void **st)
{
    (void)st;
    kw_http_req r;
    const char *ok = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\nBODY";
    assert_int_equal(parse(ok, &r), 1);
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.path, "/metrics");
    assert_int_equal(r.version, 11);
    assert_int_equal(r.len, strlen(ok) - 4);
    assert_int_equal(kw_http_route(&r), 200);
    /* every proper prefix is incomplete */
    for (size_t n = 0; n < strlen(ok) - 4; n++) assert_int_equal(kw_http_parse(ok, n, &r), 0);

    assert_int_equal(parse("\r\nHEAD /metrics HTTP/1.0\n\n", &r), 1); /* LF ends, leading CRLF */
    assert_int_equal(r.version, 10);
    assert_int_equal(kw_http_route(&r), 200);
    assert_int_equal(parse("GET http://h:9308/metrics HTTP/1.1\r\nHost: h\r\n\r\n", &r), 1);
    assert_string_equal(r.path, "/metrics");
    assert_int_equal(parse("GET /other HTTP/1.1\r\nHost: h\r\n\r\n", &r), 1);
    assert_int_equal(kw_http_route(&r), 404);
    assert_int_equal(parse("POST /metrics HTTP/1.1\r\nHost: h\r\n\r\n", &r), 1);
    assert_int_equal(kw_http_route(&r), 405);
    assert_int_equal(parse("get /metrics HTTP/1.0\r\n\r\n", &r), 1);
    assert_int_equal(kw_http_route(&r), 405);

    const char *bad[] = {
        "GET /metrics HTTP/1.1\r\n\r\n",              /* 1.1 without Host */
        "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET /metrics HTTP/2.0\r\n\r\n",
        "GET  /metrics HTTP/1.0\r\n\r\n",
        "GET metrics HTTP/1.0\r\n\r\n",
        "GET /metrics\r\n\r\n",
        "GET /met\rrics HTTP/1.0\r\n\r\n",
        "GET /metrics HTTP/1.0\r\nX: a\r\n folded\r\n\r\n",
        "GET /metrics HTTP/1.0\r\nNo colon\r\n\r\n",
        "GET /metrics HTTP/1.0\r\nX: a\x01b\r\n\r\n",
        "GETTTTTTTTTTTTTTTTTTTTT /metrics HTTP/1.0\r\n\r\n",
        "\x80GET /metrics HTTP/1.0\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(bad[i], &r), KW_ERR_CORRUPT);

    /* a Kafka client's binary request: a bad request at once, not a wait for a line end */
    const uint8_t kafka[] = {0, 0, 0, 27, 0, 18, 0, 4, 0, 0, 0, 1, 0, 3, 'c', 'i', 'd', 0};
    assert_int_equal(kw_http_parse((const char *)kafka, sizeof kafka, &r), KW_ERR_CORRUPT);
    assert_int_equal(kw_http_parse((const char *)kafka, 1, &r), KW_ERR_CORRUPT);

    char big[KW_HTTP_MAX_REQUEST + 16];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET /metrics HTTP/1.0\r\nX: ", 26);
    assert_int_equal(kw_http_parse(big, sizeof big, &r), KW_ERR_TOO_LARGE);
    assert_int_equal(kw_http_parse(big, KW_HTTP_MAX_REQUEST - 1, &r), 0);
    /* too many headers */
    kw_buf hb;
    kw_buf_init(&hb);
    kw__lag_printf(&hb, "GET /metrics HTTP/1.0\r\n");
    for (int i = 0; i <= KW_HTTP_MAX_HEADERS; i++) kw__lag_printf(&hb, "H%d: v\r\n", i);
    kw__lag_printf(&hb, "\r\n");
    assert_int_equal(kw_http_parse((const char *)hb.data, hb.len, &r), KW_ERR_TOO_LARGE);
    kw_buf_free(&hb);
    /* long path */
    char lp[KW_HTTP_MAX_PATH + 64];
    int n = snprintf(lp, sizeof lp, "GET /%0*d HTTP/1.0\r\n\r\n", KW_HTTP_MAX_PATH, 0);
    assert_int_equal(kw_http_parse(lp, (size_t)n, &r), KW_ERR_TOO_LARGE);
}

static void test_http_response(void **st)
{
    (void)st;
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_http_response(&b, 405, "text/plain", "no\n", 3, 0), 0);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data,
                        "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\n"
                        "Content-Length: 3\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\nno\n");
    b.len = 0;
    assert_int_equal(kw_http_response(&b, 200, "x/y", "body", 4, 1), 0);
    kw_buf_put(&b, "", 1);
    assert_string_equal((const char *)b.data,
                        "HTTP/1.1 200 OK\r\nContent-Type: x/y\r\nContent-Length: 4\r\n"
                        "Connection: close\r\n\r\n");
    kw_buf_free(&b);
}

/* ---- the server, driven from a thread ---- */

typedef struct fake {
    int fail;
    int calls;
} fake;

static int fake_refresh(void *ud, kw_snapshot *s)
{
    fake *f = ud;
    f->calls++;
    if (f->fail) return KW_ERR_CONNECT;
    kw_snapshot tmp;
    fixture(&tmp);
    kw_snap_swap(s, &tmp);
    kw_snap_free(&tmp);
    return 0;
}

typedef struct srv {
    kw_exporter *e;
    volatile sig_atomic_t stop;
    pthread_t th;
} srv;

static void *srv_main(void *arg)
{
    srv *s = arg;
    kw_exporter_run(s->e, &s->stop);
    return NULL;
}

/* Send req, read the whole response (the server closes), return it (malloc'd). */
static char *http(int port, const char *req, size_t reqlen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    size_t off = 0;
    while (off < reqlen) {
        ssize_t n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += (size_t)n;
    }
    kw_buf b;
    kw_buf_init(&b);
    char tmp[4096];
    ssize_t n;
    while ((n = recv(fd, tmp, sizeof tmp, 0)) > 0) kw_buf_put(&b, tmp, (size_t)n);
    close(fd);
    kw_buf_put(&b, "", 1);
    return (char *)b.data;
}

static char *get(int port, const char *path)
{
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path);
    return http(port, req, (size_t)n);
}

static void start(srv *s, fake *f, const char *filter, int cache_ms)
{
    kw_exporter_opts o = {.listen = "127.0.0.1:0", .refresh = fake_refresh, .ud = f,
                          .group_filter = filter, .cache_ms = cache_ms};
    assert_int_equal(kw_exporter_open(&s->e, &o), 0);
    assert_true(kw_exporter_port(s->e) > 0);
    s->stop = 0;
    assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void stop(srv *s)
{
    s->stop = 1;
    pthread_join(s->th, NULL);
    kw_exporter_close(s->e);
}

static void test_server_routes(void **st)
{
    (void)st;
    fake f = {0};
    srv s;
    start(&s, &f, NULL, 0);
    int port = kw_exporter_port(s.e);

    char *r = get(port, "/metrics");
    const char *body = strstr(r, "\r\n\r\n");
    assert_non_null(body);
    /* all but the measured duration: the rendering is tested exactly above */
    size_t upto = (size_t)(strstr(FULL, "kwire_scrape_duration_seconds 0.25") - FULL);
    assert_int_equal(strncmp(body + 4, FULL, upto), 0);
    assert_non_null(strstr(body, "\nkwire_up 1\n"));
    assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
    assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    free(r);
    r = get(port, "/other");
    assert_true(strncmp(r, "HTTP/1.1 404 ", 13) == 0);
    free(r);
    const char post[] = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc";
    r = http(port, post, sizeof post - 1);
    assert_true(strncmp(r, "HTTP/1.1 405 ", 13) == 0);
    assert_non_null(strstr(r, "Allow: GET, HEAD\r\n"));
    free(r);
    const char junk[] = "\x16\x03\x01 hello\r\n\r\n";
    r = http(port, junk, sizeof junk - 1);
    assert_true(strncmp(r, "HTTP/1.1 400 ", 13) == 0);
    free(r);
    char big[KW_HTTP_MAX_REQUEST + 100];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    r = http(port, big, sizeof big);
    assert_true(strncmp(r, "HTTP/1.1 431 ", 13) == 0);
    free(r);
    const char head[] = "HEAD /metrics HTTP/1.0\r\n\r\n";
    r = http(port, head, sizeof head - 1);
    assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
    assert_string_equal(strstr(r, "\r\n\r\n"), "\r\n\r\n"); /* no body */
    free(r);
    stop(&s);
    assert_int_equal(f.calls, 2); /* one per GET/HEAD /metrics with cache_ms 0 */
}

static void test_server_down_then_up(void **st)
{
    (void)st;
    fake f = {.fail = 1};
    srv s;
    start(&s, &f, "^test-group$", 0);
    int port = kw_exporter_port(s.e);
    char *r = get(port, "/metrics");
    assert_non_null(strstr(r, "\r\n\r\n# HELP kwire_scrape_duration_seconds"));
    assert_non_null(strstr(r, "\nkwire_up 0\n"));
    assert_null(strstr(r, "kafka_"));
    free(r);
    f.fail = 0; /* read by the server thread only after our next request is sent */
    r = get(port, "/metrics");
    assert_non_null(strstr(r, "\nkwire_up 1\n"));
    assert_non_null(strstr(r, "kafka_consumergroup_lag{consumergroup=\"test-group\",partition=\"0\",topic=\"test-topic\"} 5\n"));
    assert_null(strstr(r, "we\\\""));
    free(r);
    f.fail = 1;
    r = get(port, "/metrics");
    assert_non_null(strstr(r, "\nkwire_up 0\n"));
    assert_null(strstr(r, "kafka_consumergroup_lag"));
    free(r);
    stop(&s);
}

typedef struct par { int port; int ok; } par;

static void *par_get(void *arg)
{
    par *p = arg;
    char *r = get(p->port, "/metrics");
    p->ok = strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0 && strstr(r, "\nkwire_up 1\n") != NULL;
    free(r);
    return NULL;
}

static void test_server_concurrent_scrapes_share_a_refresh(void **st)
{
    (void)st;
    fake f = {0};
    srv s;
    start(&s, &f, NULL, 60000);
    int port = kw_exporter_port(s.e);
    /* an idle connection that never sends must not block the others */
    int idle = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(idle, (struct sockaddr *)&a, sizeof a), 0);
    enum { N = 16 };
    pthread_t th[N];
    par p[N];
    for (int i = 0; i < N; i++) {
        p[i] = (par){port, 0};
        assert_int_equal(pthread_create(&th[i], NULL, par_get, &p[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        assert_true(p[i].ok);
    }
    close(idle);
    kw_exporter_stats stt;
    kw_exporter_get_stats(s.e, &stt);
    assert_int_equal(stt.scrapes, N);
    stop(&s);
    assert_int_equal(f.calls, 1); /* cache_ms 60 s: all scrapes share one refresh */
}

/* interval mode: a collection that blocks (a slow cluster) does not hold up scrapes,
 * which answer from the last completed one; only scrapes before the first wait for it. */
typedef struct slow {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int calls, gate; /* collection k may finish once gate >= k */
} slow;

static int slow_refresh(void *ud, kw_snapshot *s)
{
    slow *w = ud;
    pthread_mutex_lock(&w->mu);
    int k = ++w->calls;
    pthread_cond_broadcast(&w->cv);
    while (w->gate < k) pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    kw_snapshot tmp;
    fixture(&tmp);
    kw_snap_swap(s, &tmp);
    kw_snap_free(&tmp);
    return 0;
}

static void *open_gate(void *arg)
{
    slow *w = arg;
    pthread_mutex_lock(&w->mu);
    while (w->calls < 1) pthread_cond_wait(&w->cv, &w->mu);
    w->gate = 1; /* the first collection completes */
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void test_server_interval_collections(void **st)
{
    (void)st;
    slow w = {.calls = 0, .gate = 0};
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    srv s;
    kw_exporter_opts o = {.listen = "127.0.0.1:0", .refresh = slow_refresh, .ud = &w, .interval_ms = 10};
    assert_int_equal(kw_exporter_open(&s.e, &o), 0);
    s.stop = 0;
    assert_int_equal(pthread_create(&s.th, NULL, srv_main, &s), 0);
    int port = kw_exporter_port(s.e);
    /* the first scrape waits for the first collection, released after it started */
    pthread_t g;
    assert_int_equal(pthread_create(&g, NULL, open_gate, &w), 0);
    char *r = get(port, "/metrics");
    pthread_join(g, NULL);
    assert_non_null(strstr(r, "\nkwire_up 1\n"));
    free(r);
    /* the second collection starts and is held: scrapes still answer, from the first */
    pthread_mutex_lock(&w.mu);
    while (w.calls < 2) pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
    for (int i = 0; i < 5; i++) {
        r = get(port, "/metrics");
        assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
        assert_non_null(strstr(r, "kafka_consumergroup_lag{consumergroup=\"test-group\""));
        free(r);
    }
    pthread_mutex_lock(&w.mu);
    assert_int_equal(w.calls, 2); /* scrapes did not collect */
    w.gate = 1000;                /* let the collector finish so close can join it */
    pthread_cond_broadcast(&w.cv);
    pthread_mutex_unlock(&w.mu);
    kw_exporter_stats stt;
    kw_exporter_get_stats(s.e, &stt);
    assert_int_equal(stt.scrapes, 6);
    stop(&s);
    pthread_mutex_destroy(&w.mu);
    pthread_cond_destroy(&w.cv);
}

static void test_open_errors(void **st)
{
    (void)st;
    kw_exporter *e;
    fake f = {0};
    kw_exporter_opts o = {.listen = "127.0.0.1", .refresh = fake_refresh, .ud = &f};
    assert_int_equal(kw_exporter_open(&e, &o), KW_ERR_CONFIG);
    o.listen = "127.0.0.1:99999";
    assert_int_equal(kw_exporter_open(&e, &o), KW_ERR_CONFIG);
    o.listen = "127.0.0.1:0";
    o.group_filter = "(";
    assert_int_equal(kw_exporter_open(&e, &o), KW_ERR_CONFIG);
    o.group_filter = NULL;
    o.refresh = NULL;
    assert_int_equal(kw_exporter_open(&e, &o), KW_ERR_INVALID_ARG);
    o.refresh = fake_refresh;
    o.listen = "[::1]:0";
    int rc = kw_exporter_open(&e, &o);
    if (rc == 0) kw_exporter_close(e); /* IPv6 may be off in containers */
    else assert_int_equal(rc, KW_ERR_IO);
}


static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The server's open connections reach want within 5 s. */
static void wait_open_clients(kw_exporter *e, uint64_t want)
{
    kw_exporter_stats stt;
    int64_t until = ms_now() + 5000;
    do {
        kw_exporter_get_stats(e, &stt);
        if (stt.open_clients == want) return;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    } while (ms_now() < until);
    assert_int_equal(stt.open_clients, want);
}

static void start_opts(srv *s, kw_exporter_opts *o)
{
    assert_int_equal(kw_exporter_open(&s->e, o), 0);
    s->stop = 0;
    assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

/* Clients that leave in the middle of a request (a close, a reset) are let go, cost no
 * refresh, and the server serves the next one. */
static void test_server_client_leaves_mid_request(void **st)
{
    (void)st;
    fake f = {0};
    srv s;
    kw_exporter_opts o = {.listen = "127.0.0.1:0", .refresh = fake_refresh, .ud = &f, .cache_ms = 0};
    start_opts(&s, &o);
    int port = kw_exporter_port(s.e);
    int c = tu_connect_loopback(port);
    assert_int_equal(send(c, "GET /metrics HTTP/1.1\r\nHo", 25, 0), 25);
    wait_open_clients(s.e, 1);
    close(c);
    wait_open_clients(s.e, 0);
    c = tu_connect_loopback(port);
    assert_int_equal(send(c, "GET /metr", 9, 0), 9);
    wait_open_clients(s.e, 1);
    struct linger lg = {1, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c); /* RST */
    wait_open_clients(s.e, 0);
    char *r = get(port, "/metrics");
    assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
    free(r);
    stop(&s);
    assert_int_equal(f.calls, 1);
}

/* max_clients: a connection past the limit waits (in the backlog) until one leaves. */
static void test_server_client_limit(void **st)
{
    (void)st;
    fake f = {0};
    srv s;
    kw_exporter_opts o = {.listen = "127.0.0.1:0", .refresh = fake_refresh, .ud = &f, .max_clients = 1};
    start_opts(&s, &o);
    int port = kw_exporter_port(s.e);
    int idle = tu_connect_loopback(port);
    wait_open_clients(s.e, 1);
    int c = tu_connect_loopback(port);
    const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(send(c, req, sizeof req - 1, 0), (ssize_t)(sizeof req - 1));
    struct pollfd p = {.fd = c, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 300), 0); /* not served while the idle one holds the slot */
    close(idle);
    kw_buf b;
    kw_buf_init(&b);
    char tmp[4096];
    ssize_t n;
    while ((n = recv(c, tmp, sizeof tmp, 0)) > 0) kw_buf_put(&b, tmp, (size_t)n);
    kw_buf_put(&b, "", 1);
    assert_true(strncmp((char *)b.data, "HTTP/1.1 200 OK\r\n", 17) == 0);
    kw_buf_free(&b);
    close(c);
    stop(&s);
}

/* A connection silent for idle_timeout_ms is closed. */
static void test_server_idle_timeout(void **st)
{
    (void)st;
    fake f = {0};
    srv s;
    kw_exporter_opts o = {.listen = "127.0.0.1:0", .refresh = fake_refresh, .ud = &f, .idle_timeout_ms = 150};
    start_opts(&s, &o);
    int c = tu_connect_loopback(kw_exporter_port(s.e));
    assert_int_equal(send(c, "GET /", 5, 0), 5);
    int64_t t0 = ms_now();
    char tmp[64];
    assert_int_equal(recv(c, tmp, sizeof tmp, 0), 0); /* closed without an answer */
    int64_t took = ms_now() - t0;
    assert_true(took >= 100 && took < 3000);
    close(c);
    wait_open_clients(s.e, 0);
    stop(&s);
    assert_int_equal(f.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_exact),
        cmocka_unit_test(test_render_group_filter),
        cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_http_parse),
        cmocka_unit_test(test_http_response),
        cmocka_unit_test(test_server_routes),
        cmocka_unit_test(test_server_down_then_up),
        cmocka_unit_test(test_server_concurrent_scrapes_share_a_refresh),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_server_interval_collections),
        cmocka_unit_test(test_server_client_leaves_mid_request),
        cmocka_unit_test(test_server_client_limit),
        cmocka_unit_test(test_server_idle_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
