/*
 * bench/peers.c — the peers of `kwire bench compare` (see peers.h): the table of clients,
 * Kafka's setting names in each client's terms, each client's command line, and the
 * reading of what each prints (kafka-*-perf-test's lines, kwire's and our peer programs'
 * JSON). Pure: no process is run here.
 */
#include "bench/peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/config.h"

static const kw_peer peers[KW_PEER_N] = {
    [KW_PEER_KWIRE] = {"kwire", "kwire bench produce/consume", KW_PEER_KWIRE, 1, 0},
    [KW_PEER_JAVA] = {"java", "kafka-producer/consumer-perf-test (Apache Kafka's Java client, kafka-tools)",
                      KW_PEER_KWIRE, 1, 0},
    [KW_PEER_FRANZ] = {"franz-go", "bench/peers/franz (franz-go v1.22.3)", KW_PEER_KWIRE, 1, 0},
    [KW_PEER_CONFLUENT] = {"confluent-kafka", "bench/peers/python/perf.py (confluent-kafka 2.16.1, PyPI)", KW_PEER_KWIRE,
                           1, 0},
    [KW_PEER_KPY] = {"kafka-python", "bench/peers/python/perf.py (kafka-python 3.0.12, PyPI)", KW_PEER_KWIRE, 10, 0},
    [KW_PEER_KPY_DEB] = {"kafka-python-deb", "bench/peers/python/perf.py (kafka-python 2.0.2, Debian)", KW_PEER_KWIRE,
                         10, 0},
    [KW_PEER_KWIRE_CLI] = {"kwire-cli", "kwire produce -l FILE / kwire consume -e", KW_PEER_KWIRE_CLI, 1, 1},
    [KW_PEER_KCAT] = {"kcat", "kcat -P -l FILE / kcat -C -e (librdkafka 2.0.2, Debian)", KW_PEER_KWIRE_CLI, 1, 1},
};

const kw_peer *kw_peer_get(int id) { return id >= 0 && id < KW_PEER_N ? &peers[id] : NULL; }

int kw_peer_find(const char *name)
{
    for (int i = 0; i < KW_PEER_N; i++)
        if (!strcmp(peers[i].name, name)) return i;
    return -1;
}

const char *kw_peer_dir_name(int dir) { return dir == KW_DIR_PRODUCE ? "produce" : "consume"; }

/* ---- settings ------------------------------------------------------------------------ */

/* librdkafka's name for a Java-client setting, or NULL when it has none. */
static const char *rdk_name(const char *name)
{
    static const char *const same[] = {"linger.ms", "batch.size", "batch.num.messages", "acks", "enable.idempotence",
                                       "message.max.bytes", "fetch.min.bytes", "fetch.max.bytes",
                                       "max.partition.fetch.bytes", "client.id", "request.timeout.ms", "retries",
                                       "retry.backoff.ms", "compression.level", "isolation.level",
                                       "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "delivery.timeout.ms",
                                       "max.in.flight.requests.per.connection", "receive.message.max.bytes"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        if (!strcmp(name, same[i])) return same[i];
    if (!strcmp(name, "compression.type")) return "compression.codec";
    if (!strcmp(name, "fetch.max.wait.ms")) return "fetch.wait.max.ms";
    if (!strcmp(name, "max.in.flight.requests")) return "max.in.flight.requests.per.connection";
    return NULL;
}

/* kafka-python's keyword for a setting, or NULL. */
static const char *py_name(const char *name)
{
    static const char *const map[][2] = {
        {"linger.ms", "linger_ms"},
        {"batch.size", "batch_size"},
        {"acks", "acks"},
        {"compression.type", "compression_type"},
        {"fetch.min.bytes", "fetch_min_bytes"},
        {"fetch.max.bytes", "fetch_max_bytes"},
        {"fetch.max.wait.ms", "fetch_max_wait_ms"},
        {"max.partition.fetch.bytes", "max_partition_fetch_bytes"},
        {"buffer.memory", "buffer_memory"},
        {"max.request.size", "max_request_size"},
        {"client.id", "client_id"},
        {"request.timeout.ms", "request_timeout_ms"},
        {"max.poll.records", "max_poll_records"},
        {"max.poll.interval.ms", "max_poll_interval_ms"},
        {"socket.send.buffer.bytes", "send_buffer_bytes"},
        {"socket.receive.buffer.bytes", "receive_buffer_bytes"},
        {"max.in.flight.requests.per.connection", "max_in_flight_requests_per_connection"},
        {"retries", "retries"},
        {"retry.backoff.ms", "retry_backoff_ms"},
        {"isolation.level", "isolation_level"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(name, map[i][0])) return map[i][1];
    return NULL;
}

/* franz-go's option for a setting (bench/peers/franz/main.go applies it), or NULL. */
static const char *franz_name(const char *name)
{
    static const char *const map[][2] = {
        {"linger.ms", "ProducerLinger"},
        {"batch.size", "ProducerBatchMaxBytes"},
        {"compression.type", "ProducerBatchCompression"},
        {"acks", "RequiredAcks"},
        {"max.in.flight.requests.per.connection", "MaxProduceRequestsInflightPerBroker"},
        {"buffer.memory", "MaxBufferedBytes"},
        {"request.timeout.ms", "ProduceRequestTimeout"},
        {"delivery.timeout.ms", "RecordDeliveryTimeout"},
        {"retries", "RecordRetries"},
        {"fetch.min.bytes", "FetchMinBytes"},
        {"fetch.max.bytes", "FetchMaxBytes"},
        {"fetch.max.wait.ms", "FetchMaxWait"},
        {"max.partition.fetch.bytes", "FetchMaxPartitionBytes"},
        {"isolation.level", "FetchIsolationLevel"},
        {"client.id", "ClientID"},
        {"max.poll.records", "MaxPollRecords"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(name, map[i][0])) return map[i][1];
    return NULL;
}

static int role_applies(const char *name, int dir)
{
    int id = kw_config_lookup(name);
    int role = dir == KW_DIR_PRODUCE ? KW_ROLE_PRODUCER : KW_ROLE_CONSUMER;
    return id < 0 || (kw_config_desc((kw_conf_id)id)->roles & role) != 0;
}

static void add_name(char *list, size_t n, const char *name)
{
    size_t l = strlen(list);
    if (l + strlen(name) + 3 >= n) return;
    snprintf(list + l, n - l, "%s%s", l ? ", " : "", name);
}

static int push(kw_peer_settings *o, const char *name, const char *value)
{
    if (o->n >= KW_PEER_MAX_SETTINGS) return -1;
    snprintf(o->v[o->n++], KW_PEER_SETTING_LEN, "%s=%s", name, value);
    return 0;
}

static const char *find_setting(const char *const *s, int n, const char *name, char *val, size_t vn)
{
    size_t l = strlen(name);
    const char *hit = NULL;
    for (int i = 0; i < n; i++)
        if (!strncmp(s[i], name, l) && s[i][l] == '=') hit = s[i] + l + 1; /* the last one wins */
    if (hit) snprintf(val, vn, "%s", hit);
    return hit;
}

int kw_peer_map_settings(int id, int dir, const char *const *settings, int n, kw_peer_settings *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(settings[i], '=');
        if (!eq || eq == settings[i]) return -1;
        char name[128];
        size_t l = (size_t)(eq - settings[i]);
        if (l >= sizeof name) return -1;
        memcpy(name, settings[i], l);
        name[l] = 0;
        const char *value = eq + 1;
        if (!strcmp(name, "bootstrap.servers") || !role_applies(name, dir)) continue;
        if (!strcmp(name, "auto.offset.reset") || !strcmp(name, "enable.auto.commit")) continue;
        if (id == KW_PEER_FRANZ && !strcmp(name, "enable.idempotence")) continue; /* below */
        const char *to = name;
        if (id == KW_PEER_KCAT || id == KW_PEER_CONFLUENT) to = rdk_name(name);
        else if (id == KW_PEER_KPY || id == KW_PEER_KPY_DEB) to = py_name(name);
        else if (id == KW_PEER_FRANZ) to = franz_name(name);
        if (!to) {
            add_name(out->skipped, sizeof out->skipped, name);
            continue;
        }
        if (push(out, to, value)) return -1;
        /* librdkafka refuses a consumer whose fetch.max.bytes is below its
           message.max.bytes (default 1000000, minimum 1000): lower that one too */
        long v = strtol(value, NULL, 10);
        if ((id == KW_PEER_KCAT || id == KW_PEER_CONFLUENT) && dir == KW_DIR_CONSUME && !strcmp(name, "fetch.max.bytes") &&
            v >= 1000 && v < 1000000) {
            char num[32];
            snprintf(num, sizeof num, "%ld", v);
            if (push(out, "message.max.bytes", num)) return -1;
            snprintf(out->adjusted, sizeof out->adjusted,
                     "message.max.bytes=%ld (librdkafka requires fetch.max.bytes >= message.max.bytes)", v);
        }
    }
    if (id == KW_PEER_FRANZ && dir == KW_DIR_PRODUCE) {
        /* franz-go writes idempotently unless told not to, and only acks=all may go with it */
        char idem[16] = "", acks[16] = "";
        find_setting(settings, n, "enable.idempotence", idem, sizeof idem);
        find_setting(settings, n, "acks", acks, sizeof acks);
        int acks_all = !acks[0] || !strcmp(acks, "all") || !strcmp(acks, "-1");
        if (!strcmp(idem, "false") || !acks_all) {
            if (push(out, "DisableIdempotentWrite", "true")) return -1;
            if (strcmp(idem, "false")) /* not asked for: say why it was added */
                snprintf(out->adjusted, sizeof out->adjusted,
                         "DisableIdempotentWrite (franz-go writes idempotently only with acks=all, as Kafka's "
                         "Java client turns enable.idempotence off for acks=%s)",
                         acks);
        }
    }
    if (id == KW_PEER_JAVA && dir == KW_DIR_CONSUME)
        snprintf(out->adjusted, sizeof out->adjusted,
                 "receive.buffer.bytes=2097152 and max.partition.fetch.bytes=1048576 (kafka-consumer-perf-test's own "
                 "--socket-buffer-size and --fetch-size defaults); it joins a consumer group (it has no other mode)");
    return 0;
}

const char *kw_peer_skip_reason(int id, const char *skipped)
{
    if ((id == KW_PEER_KCAT || id == KW_PEER_CONFLUENT) && strstr(skipped, "max.poll.interval.ms"))
        return "librdkafka applies max.poll.interval.ms to group consumers only, and these read without a group";
    if ((id == KW_PEER_KCAT || id == KW_PEER_CONFLUENT) && strstr(skipped, "max.poll.records"))
        return "librdkafka has no such setting (kcat and consume() take records one at a time or by count)";
    if (id == KW_PEER_FRANZ && strstr(skipped, "max.poll.interval.ms"))
        return "franz-go applies no poll interval to a consumer without a group";
    return "it has no equivalent setting";
}

/* ---- command lines ------------------------------------------------------------------- */

static int add(kw_peer_argv *a, const char *s)
{
    if (a->n >= KW_PEER_MAX_ARGS - 1) return -1;
    a->v[a->n++] = (char *)s;
    a->v[a->n] = NULL;
    return 0;
}

static const char *num(kw_peer_argv *a, int slot, long v)
{
    snprintf(a->store[slot], KW_PEER_ARG_LEN, "%ld", v);
    return a->store[slot];
}

static int need(const char *path, const char *what, char *why, size_t whyn)
{
    if (path && *path) return 0;
    snprintf(why, whyn, "%s", what);
    return -1;
}

int kw_peer_argv_build(int id, const kw_peer_job *j, const kw_peer_paths *p, kw_peer_argv *a, char *why, size_t whyn)
{
    memset(a->v, 0, sizeof a->v);
    a->n = 0;
    int prod = j->dir == KW_DIR_PRODUCE, rc = 0;
    const kw_peer_settings *s = j->set;
    switch (id) {
    case KW_PEER_KWIRE:
    case KW_PEER_KWIRE_CLI:
        if (need(p->kwire, "the kwire executable is unknown", why, whyn)) return -1;
        rc |= add(a, p->kwire) | add(a, "-q") | add(a, "-b") | add(a, j->bootstrap);
        for (int i = 0; s && i < s->n; i++) rc |= add(a, "-X") | add(a, s->v[i]);
        if (id == KW_PEER_KWIRE) {
            rc |= add(a, "bench") | add(a, prod ? "produce" : "consume") | add(a, "-t") | add(a, j->topic) | add(a, "-n") |
                  add(a, num(a, 0, j->records)) | add(a, "--json");
            if (prod) rc |= add(a, "--payload") | add(a, "lab");
        } else if (prod) {
            rc |= add(a, "produce") | add(a, "-t") | add(a, j->topic) | add(a, "-l") | add(a, j->lines_file);
        } else {
            rc |= add(a, "consume") | add(a, "-t") | add(a, j->topic) | add(a, "-e") | add(a, "-o") | add(a, "beginning");
        }
        break;
    case KW_PEER_JAVA:
        if (need(p->kafka_sh, "scripts/kafka.sh not found (it runs Kafka's Java tools)", why, whyn)) return -1;
        rc |= add(a, p->kafka_sh) | add(a, "tool") | add(a, p->kafka_version ? p->kafka_version : "4.4.0");
        if (prod) {
            rc |= add(a, "producer-perf-test") | add(a, "--topic") | add(a, j->topic) | add(a, "--num-records") |
                  add(a, num(a, 0, j->records)) | add(a, "--throughput") | add(a, "-1") | add(a, "--payload-file") |
                  add(a, j->payload_file) | add(a, "--producer-props");
            snprintf(a->store[1], KW_PEER_ARG_LEN, "bootstrap.servers=%s", j->bootstrap);
            rc |= add(a, a->store[1]);
            for (int i = 0; s && i < s->n; i++) rc |= add(a, s->v[i]);
        } else {
            rc |= add(a, "consumer-perf-test") | add(a, "--bootstrap-server") | add(a, j->bootstrap) | add(a, "--topic") |
                  add(a, j->topic) | add(a, "--num-records") | add(a, num(a, 0, j->records)) | add(a, "--timeout") |
                  add(a, "30000");
            if (j->group) rc |= add(a, "--group") | add(a, j->group);
            for (int i = 0; s && i < s->n; i++) rc |= add(a, "--command-property") | add(a, s->v[i]);
        }
        break;
    case KW_PEER_FRANZ:
        if (need(p->franz, "the franz-go peer is not built", why, whyn)) return -1;
        rc |= add(a, p->franz) | add(a, prod ? "produce" : "consume") | add(a, "-b") | add(a, j->bootstrap) | add(a, "-t") |
              add(a, j->topic) | add(a, "-n") | add(a, num(a, 0, j->records));
        if (prod) rc |= add(a, "-payload") | add(a, j->payload_file);
        for (int i = 0; s && i < s->n; i++) rc |= add(a, s->v[i]);
        break;
    case KW_PEER_CONFLUENT:
    case KW_PEER_KPY:
    case KW_PEER_KPY_DEB: {
        const char *py = id == KW_PEER_KPY_DEB ? p->sys_python : p->venv_python;
        if (need(py, id == KW_PEER_KPY_DEB ? "/usr/bin/python3 not found" : "the Python peers' venv is not set up", why,
                 whyn) ||
            need(p->perf_py, "bench/peers/python/perf.py not found", why, whyn))
            return -1;
        rc |= add(a, py) | add(a, p->perf_py) | add(a, id == KW_PEER_CONFLUENT ? "confluent" : "kafka-python") |
              add(a, prod ? "produce" : "consume") | add(a, j->bootstrap) | add(a, j->topic) |
              add(a, num(a, 0, j->records));
        if (prod) rc |= add(a, j->payload_file);
        for (int i = 0; s && i < s->n; i++) rc |= add(a, s->v[i]);
        break;
    }
    case KW_PEER_KCAT:
        rc |= add(a, "kcat") | add(a, prod ? "-P" : "-C") | add(a, "-q") | add(a, "-b") | add(a, j->bootstrap) |
              add(a, "-t") | add(a, j->topic);
        for (int i = 0; s && i < s->n; i++) rc |= add(a, "-X") | add(a, s->v[i]);
        if (prod) rc |= add(a, "-l") | add(a, j->lines_file);
        else rc |= add(a, "-e") | add(a, "-o") | add(a, "beginning");
        break;
    default:
        snprintf(why, whyn, "unknown peer %d", id);
        return -1;
    }
    if (rc) {
        snprintf(why, whyn, "command line too long");
        return -1;
    }
    return 0;
}

/* ---- output -------------------------------------------------------------------------- */

int kw_peer_json_num(const char *text, const char *key, double *v)
{
    char pat[80];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = text ? strstr(text, pat) : NULL;
    if (!p) return -1;
    p += strlen(pat);
    while (*p == ' ' || *p == '\t') p++;
    if (*p++ != ':') return -1;
    while (*p == ' ' || *p == '\t') p++;
    char *end;
    double d = strtod(p, &end);
    if (end == p) return -1;
    *v = d;
    return 0;
}

static void no_latency(kw_peer_out *o)
{
    o->have_latency = 0;
    for (int i = 0; i < KW_LAT_N; i++) o->latency_ms[i] = -1;
}

/* latency_ms keys of an object starting at obj: p50 p95 p99 p999 p9999 max */
static void json_latency(const char *obj, kw_peer_out *o)
{
    static const char *const keys[KW_LAT_N] = {"p50", "p95", "p99", "p999", "p9999", "max"};
    if (!obj) return;
    const char *end = strchr(obj, '}');
    size_t len = end ? (size_t)(end - obj) : strlen(obj);
    char *sub = strndup(obj, len);
    if (!sub) return;
    int any = 0;
    for (int i = 0; i < KW_LAT_N; i++) {
        double v;
        if (!kw_peer_json_num(sub, keys[i], &v)) {
            o->latency_ms[i] = v;
            any = 1;
        }
    }
    free(sub);
    o->have_latency = any;
}

static void json_string(const char *text, const char *key, char *out, size_t n)
{
    char pat[80];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(text, pat);
    if (!p) return;
    p += strlen(pat);
    const char *e = strchr(p, '"');
    if (e) snprintf(out, n, "%.*s", (int)(e - p), p);
}

/* The last line of text holding needle, into out. */
static int line_with(const char *text, const char *needle, char *out, size_t n)
{
    const char *hit = NULL;
    for (const char *p = text; (p = strstr(p, needle)); p++) hit = p;
    if (!hit) return -1;
    const char *b = hit;
    while (b > text && b[-1] != '\n') b--;
    const char *e = strchr(hit, '\n');
    size_t len = e ? (size_t)(e - b) : strlen(b);
    snprintf(out, n, "%.*s", (int)len, b);
    return 0;
}

/* "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P ms
   50th, P ms 95th, P ms 99th, P ms 99.9th." — kafka-producer-perf-test's final line */
static int parse_java_produce(const char *text, kw_peer_out *o)
{
    char line[512];
    if (line_with(text, " ms 99.9th", line, sizeof line)) return -1;
    long sent;
    double rate, mb, avg, max, p50, p95, p99, p999;
    if (sscanf(line, "%ld records sent, %lf records/sec (%lf MB/sec), %lf ms avg latency, %lf ms max latency, %lf ms 50th, "
                     "%lf ms 95th, %lf ms 99th, %lf ms 99.9th",
               &sent, &rate, &mb, &avg, &max, &p50, &p95, &p99, &p999) != 9)
        return -1;
    o->records = sent;
    o->own_seconds = rate > 0 ? (double)sent / rate : 0;
    o->have_latency = 1;
    o->latency_ms[KW_LAT_P50] = p50;
    o->latency_ms[KW_LAT_P95] = p95;
    o->latency_ms[KW_LAT_P99] = p99;
    o->latency_ms[KW_LAT_P999] = p999;
    o->latency_ms[KW_LAT_MAX] = max;
    return 0;
}

/* kafka-consumer-perf-test: a header line "start.time, end.time, data.consumed.in.MB,
   MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, ..." and a
   line of values under it */
static int parse_java_consume(const char *text, kw_peer_out *o)
{
    const char *h = strstr(text, "data.consumed.in.nMsg");
    if (!h) return -1;
    const char *line = strchr(h, '\n');
    if (!line) return -1;
    line++;
    char buf[512];
    const char *e = strchr(line, '\n');
    snprintf(buf, sizeof buf, "%.*s", (int)(e ? e - line : (long)strlen(line)), line);
    char *f[12];
    int nf = 0;
    for (char *tok = strtok(buf, ","); tok && nf < 12; tok = strtok(NULL, ",")) f[nf++] = tok;
    if (nf < 8) return -1;
    char *end;
    long n = strtol(f[4], &end, 10);
    double fetch_ms = strtod(f[7], NULL);
    if (end == f[4] || n < 0) return -1;
    o->records = n;
    o->own_seconds = fetch_ms / 1000.0;
    return 0;
}

int kw_peer_parse(int id, int dir, const char *text, kw_peer_out *o)
{
    memset(o, 0, sizeof *o);
    o->records = -1;
    no_latency(o);
    if (!text) return -1;
    double v;
    switch (id) {
    case KW_PEER_KWIRE:
        if (kw_peer_json_num(text, "records", &v)) return -1;
        o->records = (long)v;
        if (!kw_peer_json_num(text, "failed", &v)) o->failed = (long)v;
        if (!kw_peer_json_num(text, "seconds", &v)) o->own_seconds = v;
        if (dir == KW_DIR_PRODUCE) json_latency(strstr(text, "\"service_time_ms\""), o);
        return 0;
    case KW_PEER_JAVA:
        return dir == KW_DIR_PRODUCE ? parse_java_produce(text, o) : parse_java_consume(text, o);
    case KW_PEER_FRANZ:
    case KW_PEER_CONFLUENT:
    case KW_PEER_KPY:
    case KW_PEER_KPY_DEB:
        if (kw_peer_json_num(text, "records", &v)) return -1;
        o->records = (long)v;
        if (!kw_peer_json_num(text, "failed", &v)) o->failed = (long)v;
        if (!kw_peer_json_num(text, "seconds", &v)) o->own_seconds = v;
        json_latency(strstr(text, "\"latency_ms\""), o);
        json_string(text, "client", o->version, sizeof o->version);
        return 0;
    default: /* kcat, kwire-cli: the harness counts their lines */
        return 0;
    }
}
