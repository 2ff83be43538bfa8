/*
 * tests/test_consumer.c — client/consumer against a scripted one-broker cluster in a
 * child process (forked per test, stopped by PID). The child answers ApiVersions,
 * Metadata (topic "t", partition 0 led by node 1 = itself), ListOffsets (earliest 0,
 * latest = the log end) and Fetch: from the batch holding the fetch offset to the end
 * of a log built by the test, with the last batch cut short whenever more than one
 * batch is returned (a partial trailing batch, as a broker cutting at its byte limit),
 * and the log's aborted-transaction list under read_committed.
 *
 * Checked: start positions (offset inside a batch: the earlier records are skipped),
 * each record exactly once across partial batches and compressed batches,
 * max.poll.records, -N from the end, a CRC mismatch stopping the partition with an
 * error naming topic, partition and offset (delivered with check.crcs=false),
 * an unusable answer (wrong correlation id, frame above the size cap) after a good one
 * stopping the partition once the good records are out, a batch with codec id 5 and
 * one above kwire.decompress.max.bytes named as such,
 * read_committed dropping an aborted transaction and control batches, at_end; legacy
 * message sets (magic 0 and 1, plain and compressed, tests/data) followed by a record
 * batch, each record once with its key and value; Fetch v13 naming the topic by its id;
 * freeing a consumer on a shared net with a fetch in flight; kw_consumer_poll keeping to
 * its timeout while the broker is down and the leader is looked up again; the log start
 * moving past the consumer, with auto.offset.reset earliest, latest and none; the
 * record sets counted against max.partition.fetch.bytes and fetch.max.bytes (a lone
 * first batch above them is Kafka's exception, several batches are not); a partition
 * given back at its handed-out position while a fetch from further on is out (as a
 * group's rebalance does) handing out every record from there, none skipped; the Fetch
 * request's parts (client replica id, follower-only fields at their defaults: no
 * HighWatermark tag at v18).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/consume/consumer.h"
#include "client/consume/consumer_group.h"
#include "codec/batch.h"
#include "codec/compress.h"
#include "codec/crc32c.h"
#include "proto/frame.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_listoffsets.h"
#include "proto/msg_metadata.h"
#include "proto/proto.h"
#include "tests/scripted_broker.h"

/* ---- the log the child serves ---- */
static kw_buf g_log;
static int64_t g_end;               /* log end offset */
static kw_fetch_aborted g_aborted[4];
static int g_naborted;
static int g_port;
static pid_t g_pid;
static int g_v13; /* advertise Metadata v12 and Fetch v13: topics by id */
/* Fetch answers at offsets >= g_end spoilt: 1 a wrong correlation id, 2 a size field
 * above kwire.max.response.bytes; the high watermark then claims 5 more records. */
static int g_bad_answer;
/* After the first Fetch the log start moves here (0: never): an earlier fetch offset is
 * OFFSET_OUT_OF_RANGE, and ListOffsets' earliest says the new start. */
static int64_t g_move_start;
static int64_t g_log_start; /* the child's own */
static int g_fetches;
static const kw_uuid g_tid = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

/* Append a batch of n records with values "v<offset>" at base. */
static void add_batch(int64_t base, int n, int codec, int64_t pid, int txn)
{
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    o.codec = codec;
    o.base_offset = base;
    if (pid >= 0) {
        o.producer_id = pid;
        o.producer_epoch = 0;
        o.base_sequence = 0;
    }
    o.transactional = txn;
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, &g_log, &o), 0);
    for (int i = 0; i < n; i++) {
        char v[32];
        int len = snprintf(v, sizeof v, "v%lld", (long long)(base + i));
        kw_record r = {.timestamp = 1000 + base + i, .key_len = -1, .value = (const uint8_t *)v, .value_len = len};
        assert_int_equal(kw_batch_append(&w, &r), 0);
    }
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
    if (base + n > g_end) g_end = base + n;
}

/* A control batch (ABORT type 0 / COMMIT type 1) for pid at offset. */
static void add_control(int64_t offset, int64_t pid, int type)
{
    size_t start = g_log.len;
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    o.base_offset = offset;
    o.producer_id = pid;
    o.producer_epoch = 0;
    o.base_sequence = -1;
    o.transactional = 1;
    uint8_t key[4] = {0, 0, 0, (uint8_t)type}, val[6] = {0};
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, &g_log, &o), 0);
    kw_record r = {.timestamp = 5000, .key = key, .key_len = 4, .value = val, .value_len = 6};
    assert_int_equal(kw_batch_append(&w, &r), 0);
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
    uint8_t *b = g_log.data + start;
    size_t len = g_log.len - start;
    uint16_t attr = kw_ld16(b + KW_BATCH_ATTR_OFFSET) | KW_ATTR_CONTROL;
    kw_be16(b + KW_BATCH_ATTR_OFFSET, attr);
    kw_be32(b + KW_BATCH_CRC_OFFSET, kw_crc32c(0, b + KW_BATCH_ATTR_OFFSET, len - KW_BATCH_ATTR_OFFSET));
    if (offset + 1 > g_end) g_end = offset + 1;
}

/* Flip the CRC of the batch whose base offset is base. */
static void corrupt_batch(int64_t base)
{
    size_t off = 0;
    while (off + KW_BATCH_OVERHEAD_LEN <= g_log.len) {
        int64_t b = (int64_t)kw_ld64(g_log.data + off);
        size_t len = KW_BATCH_OVERHEAD_LEN + kw_ld32(g_log.data + off + 8);
        if (b == base) { g_log.data[off + KW_BATCH_CRC_OFFSET] ^= 0xff; return; }
        off += len;
    }
    fail_msg("no batch at %lld", (long long)base);
}

/* ---- the child ---- */

static void serve_fetch(const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_fetch_req q;
    if (kw_msg_decode(KW_API_Fetch, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) _exit(3);
    int64_t want = q.n_topics ? q.topics[0].partitions[0].fetch_offset : 0;
    if (g_move_start && g_fetches++ > 0) g_log_start = g_move_start;
    int out_of_range = want < g_log_start;
    /* v13+: the topic must be named by its id (else the connection is dropped) */
    if (g_v13 && h->api_version < 13) _exit(8);
    if (h->api_version >= 13 && (!q.n_topics || memcmp(&q.topics[0].topic_id, &g_tid, sizeof g_tid))) _exit(7);
    /* from the batch holding `want` */
    size_t off = 0, from = g_log.len, nb = 0, last_start = 0;
    while (off + KW_BATCH_OVERHEAD_LEN <= g_log.len) {
        int64_t base = (int64_t)kw_ld64(g_log.data + off);
        size_t len = KW_BATCH_OVERHEAD_LEN + kw_ld32(g_log.data + off + 8);
        /* magic 2: base + lastOffsetDelta; legacy: the offset field is the last one */
        int64_t last = g_log.data[off + 16] == 2 ? base + (int32_t)kw_ld32(g_log.data + off + 23) : base;
        if (from == g_log.len && last >= want) from = off;
        if (from != g_log.len) { nb++; last_start = off; }
        off += len;
    }
    size_t to = g_log.len;
    if (nb > 1) to = last_start + (g_log.len - last_start) / 2; /* the last one cut short */
    kw_fetch_partition_resp pr;
    memset(&pr, 0, sizeof pr);
    pr.partition_index = 0;
    pr.high_watermark = g_end + (g_bad_answer ? 5 : 0);
    pr.last_stable_offset = pr.high_watermark;
    pr.log_start_offset = g_log_start;
    if (out_of_range) {
        pr.error_code = KW_KAFKA_OFFSET_OUT_OF_RANGE;
        from = to = 0;
    }
    pr.preferred_read_replica = -1;
    pr.aborted_transactions = q.isolation_level ? g_aborted : NULL;
    pr.n_aborted_transactions = q.isolation_level ? g_naborted : -1;
    pr.records = kw_b(g_log.data + from, to - from);
    pr.diverging_epoch.epoch = -1;
    pr.diverging_epoch.end_offset = -1;
    pr.current_leader.leader_id = -1;
    pr.current_leader.leader_epoch = -1;
    pr.snapshot_id.end_offset = -1;
    pr.snapshot_id.epoch = -1;
    kw_fetch_topic_resp tr;
    memset(&tr, 0, sizeof tr);
    tr.topic = kw_s("t");
    tr.topic_id = g_tid;
    tr.partitions = &pr;
    tr.n_partitions = 1;
    kw_fetch_resp r;
    kw_msg_defaults(KW_API_Fetch, KW_RESP, &r);
    r.responses = &tr;
    r.n_responses = 1;
    if (kw_response_encode(out, KW_API_Fetch, h->api_version, h->correlation_id, &r)) _exit(4);
    kw_arena_free(&a);
    if (g_bad_answer == 1 && want >= g_end) kw_be32(out->data + 4, (uint32_t)h->correlation_id + 1000);
    if (g_bad_answer == 2 && want >= g_end) kw_be32(out->data, 0x7ffffff0u);
}

static int serve_frame(int node, int fd, const uint8_t *p, size_t len)
{
    (void)node;
    kw_req_header h;
    size_t hl;
    if (kw_req_header_decode(p, len, &h, &hl)) _exit(2);
    kw_buf out;
    kw_buf_init(&out);
    if (h.api_key == KW_API_ApiVersions) {
        const kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 2}, {KW_API_Metadata, 0, g_v13 ? 12 : 2},
                                           {KW_API_ListOffsets, 1, 3}, {KW_API_Fetch, 4, g_v13 ? 13 : 11}};
        sb_apiversions(&out, &h, keys, 4);
    } else if (h.api_key == KW_API_Metadata) {
        sb_cluster1 c;
        kw_metadata_topic t;
        kw_metadata_resp r;
        memset(&t, 0, sizeof t);
        sb_cluster1_metadata(&c, g_port, &t, 1, &r);
        t.name = kw_s("t");
        t.topic_id = g_tid;
        t.partitions = &c.part;
        t.n_partitions = 1;
        kw_response_encode(&out, KW_API_Metadata, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_ListOffsets) {
        kw_arena a;
        kw_arena_init(&a);
        kw_listoffsets_req q;
        if (kw_msg_decode(KW_API_ListOffsets, h.api_version, KW_REQ, p + hl, len - hl, &q, &a, NULL)) _exit(5);
        int64_t ts = q.topics[0].partitions[0].timestamp;
        kw_listoffsets_resp_partition rp = {.partition_index = 0, .timestamp = -1,
                                            .offset = ts == -2 ? g_log_start : g_end, .leader_epoch = -1};
        kw_listoffsets_resp_topic rt = {.name = kw_s("t"), .partitions = &rp, .n_partitions = 1};
        kw_listoffsets_resp r;
        kw_msg_defaults(KW_API_ListOffsets, KW_RESP, &r);
        r.topics = &rt;
        r.n_topics = 1;
        kw_response_encode(&out, KW_API_ListOffsets, h.api_version, h.correlation_id, &r);
        kw_arena_free(&a);
    } else if (h.api_key == KW_API_Fetch) {
        serve_fetch(&h, p + hl, len - hl, &out);
    } else {
        _exit(6);
    }
    sb_reply(fd, &out);
    kw_buf_free(&out);
    return 0;
}

static void start_broker(void)
{
    int s = sb_listen(&g_port);
    assert_true(s >= 0);
    g_pid = fork();
    assert_true(g_pid >= 0);
    if (g_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        sb_serve(&s, 1, serve_frame);
        _exit(0);
    }
    close(s);
}

static void stop_broker(void)
{
    kill(g_pid, SIGKILL);
    waitpid(g_pid, NULL, 0);
    kw_buf_free(&g_log);
    kw_buf_init(&g_log);
    g_end = 0;
    g_naborted = 0;
    g_move_start = 0;
}

static kw_consumer *new_consumer(const char *const *settings)
{
    char boot[64];
    snprintf(boot, sizeof boot, "127.0.0.1:%d", g_port);
    kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", boot), 0);
    for (; settings && *settings; settings++) assert_int_equal(kw_config_set_kv(cfg, *settings), 0);
    assert_int_equal(kw_config_validate(cfg), 0);
    char err[256];
    kw_consumer *c = kw_consumer_new(cfg, NULL, err, sizeof err);
    kw_config_free(cfg);
    assert_non_null(c);
    return c;
}

/* A consumer of "t" partition 0 from the beginning. */
static kw_consumer *consumer_at_beginning(const char *const *settings)
{
    kw_consumer *c = new_consumer(settings);
    kw_start s = {KW_START_BEGINNING, 0};
    assert_int_equal(kw_consumer_assign(c, "t", 0, &s), 0);
    return c;
}

/* Poll until at_end or an error; offsets handed out go to got[] (values checked). */
static int drain(kw_consumer *c, int64_t *got, int cap, int *n, int max_per_poll)
{
    *n = 0;
    for (int rounds = 0; rounds < 200 && !kw_consumer_at_end(c); rounds++) {
        const kw_msg *m;
        int k;
        int e = kw_consumer_poll(c, 200, &m, &k);
        if (e) return e;
        assert_true(k <= max_per_poll);
        for (int i = 0; i < k; i++) {
            char v[32];
            int len = snprintf(v, sizeof v, "v%lld", (long long)m[i].offset);
            assert_int_equal(m[i].value_len, len);
            assert_memory_equal(m[i].value, v, (size_t)len);
            assert_string_equal(m[i].topic, "t");
            assert_true(*n < cap);
            got[(*n)++] = m[i].offset;
        }
    }
    return 0;
}

static void test_positions_partial_compressed(void **st)
{
    (void)st;
    add_batch(0, 5, KW_CODEC_NONE, -1, 0);
    add_batch(5, 5, KW_CODEC_GZIP, -1, 0);
    add_batch(10, 5, KW_CODEC_NONE, -1, 0);
    add_batch(15, 4, KW_CODEC_ZSTD, -1, 0);
    start_broker();
    const char *set[] = {"max.poll.records=3", NULL};
    kw_consumer *c = new_consumer(set);
    kw_start s = {KW_START_OFFSET, 7};
    assert_int_equal(kw_consumer_assign(c, "t", 0, &s), 0);
    int64_t got[64];
    int n;
    assert_int_equal(drain(c, got, 64, &n, 3), 0);
    assert_int_equal(n, 12); /* 7..18, each once, in order */
    for (int i = 0; i < n; i++) assert_int_equal(got[i], 7 + i);
    const kw_consumer_stats *stt = kw_consumer_stats_get(c);
    assert_true(stt->partial_batches > 0);
    assert_true(stt->skipped_before >= 2); /* 5 and 6 of the batch holding 7 */
    assert_true(stt->compressed_batches >= 1);
    kw_consumer_free(c);
    stop_broker();
}

/* A partition taken away and given back (a group's rebalance) at its handed-out position
 * while a fetch for it, asked from further on (fetch_pos ahead of what was handed out),
 * is still out: that answer is for a position that is no longer the partition's; its
 * records must not be handed out and must not move the position past the ones received
 * before the rebalance and never handed out (the group would skip them). */
static void test_reassigned_with_fetch_out(void **st)
{
    (void)st;
    add_batch(0, 5, KW_CODEC_NONE, -1, 0);
    add_batch(5, 5, KW_CODEC_NONE, -1, 0);
    add_batch(10, 5, KW_CODEC_NONE, -1, 0); /* cut short in the first answer: asked for next */
    start_broker();
    const char *set[] = {"max.poll.records=2", NULL};
    kw_consumer *c = consumer_at_beginning(set);
    const kw_msg *m;
    int k = 0;
    for (int i = 0; i < 50 && !k; i++) assert_int_equal(kw_consumer_poll(c, 200, &m, &k), 0);
    assert_int_equal(k, 2); /* 0 and 1 handed out; 0..9 received, the fetch from 10 out */
    assert_int_equal(m[1].offset, 1);
    kw_tp tp = {"t", 0};
    kw__consumer_drop_parts(c, &tp, 1);
    assert_int_equal(kw__consumer_take_parts(c, &tp, 1), 0);
    kw__consumer_set_start(c, "t", 0, 2); /* the group's committed offset: what was handed out */
    int64_t got[64];
    int n;
    assert_int_equal(drain(c, got, 64, &n, 2), 0);
    assert_int_equal(n, 13); /* 2..14, each once, in order: none skipped */
    for (int i = 0; i < n; i++) assert_int_equal(got[i], 2 + i);
    kw_consumer_free(c);
    stop_broker();
}

/* The consumer's Fetch request parts: a client's replica id, no session, each partition's
 * follower-only fields at their defaults, so at v18 no HighWatermark tag is written (a
 * zeroed partition would send HighWatermark 0 in ten bytes per partition). */
static void test_fetch_request_parts(void **st)
{
    (void)st;
    kw_fetch_req r;
    kw__fetch_req_init(&r, 500, 1, 52428800, 1);
    kw_fetch_partition p;
    kw__fetch_part_init(&p, 3, 42, 1048576);
    kw_fetch_topic t;
    memset(&t, 0, sizeof t);
    t.topic = kw_s("t");
    t.topic_id = g_tid;
    t.partitions = &p;
    t.n_partitions = 1;
    r.topics = &t;
    r.n_topics = 1;
    kw_buf b;
    kw_buf_init(&b);
    assert_int_equal(kw_msg_encode(KW_API_Fetch, 18, KW_REQ, &r, &b), 0);
    kw_arena a;
    kw_arena_init(&a);
    kw_fetch_req d;
    assert_int_equal(kw_msg_decode(KW_API_Fetch, 18, KW_REQ, b.data, b.len, &d, &a, NULL), 0);
    assert_int_equal(d.replica_id, -1);
    assert_int_equal(d.session_epoch, -1);
    assert_int_equal(d.isolation_level, 1);
    assert_int_equal(d.topics[0].partitions[0].partition, 3);
    assert_int_equal(d.topics[0].partitions[0].fetch_offset, 42);
    assert_int_equal(d.topics[0].partitions[0].current_leader_epoch, -1);
    assert_true(d.topics[0].partitions[0].high_watermark == INT64_MAX); /* not sent */
    size_t len = b.len;
    p.high_watermark = 0;
    b.len = 0;
    assert_int_equal(kw_msg_encode(KW_API_Fetch, 18, KW_REQ, &r, &b), 0);
    assert_int_equal(b.len, len + 10); /* tag, size, int64 */
    kw_arena_free(&a);
    kw_buf_free(&b);
}

static void test_tail(void **st)
{
    (void)st;
    add_batch(0, 10, KW_CODEC_NONE, -1, 0);
    add_batch(10, 10, KW_CODEC_LZ4, -1, 0);
    start_broker();
    kw_consumer *c = new_consumer(NULL);
    kw_start s;
    assert_int_equal(kw_start_parse("-4", &s), 0);
    assert_int_equal(kw_consumer_assign(c, "t", -1, &s), 0);
    int64_t got[64];
    int n;
    assert_int_equal(drain(c, got, 64, &n, 500), 0);
    assert_int_equal(n, 4);
    assert_int_equal(got[0], 16);
    assert_int_equal(got[3], 19);
    kw_consumer_free(c);
    stop_broker();
}

/* A start offset outside the log is reset at assign time by auto.offset.reset (a fetch
 * there would be OFFSET_OUT_OF_RANGE), with a notice; none refuses it. */
static void test_start_out_of_range(void **st)
{
    (void)st;
    add_batch(0, 10, KW_CODEC_NONE, -1, 0);
    start_broker();
    const char *pol[] = {"auto.offset.reset=earliest", "auto.offset.reset=latest", "auto.offset.reset=none"};
    for (int k = 0; k < 3; k++) {
        const char *set[] = {pol[k], NULL};
        kw_consumer *c = new_consumer(set);
        kw_start s;
        assert_int_equal(kw_start_parse("999", &s), 0);
        if (k == 2) {
            assert_int_equal(kw_consumer_assign(c, "t", 0, &s), KW_KAFKA_OFFSET_OUT_OF_RANGE);
            assert_non_null(strstr(kw_consumer_error(c), "offset 999 out of range for t [0] (its log holds 0..10) and "
                                                          "auto.offset.reset=none"));
            kw_consumer_free(c);
            continue;
        }
        assert_int_equal(kw_consumer_assign(c, "t", 0, &s), 0);
        const char *note = kw_consumer_notice(c);
        assert_non_null(note);
        assert_non_null(strstr(note, k == 0 ? "offset 999 out of range for t [0] (its log holds 0..10), reset to earliest (0)"
                                            : "offset 999 out of range for t [0] (its log holds 0..10), reset to latest (10)"));
        int64_t got[16];
        int n;
        assert_int_equal(drain(c, got, 16, &n, 500), 0);
        assert_int_equal(n, k == 0 ? 10 : 0);
        kw_consumer_free(c);
    }
    stop_broker();
}

static void test_crc(void **st)
{
    (void)st;
    add_batch(0, 5, KW_CODEC_NONE, -1, 0);
    add_batch(5, 5, KW_CODEC_NONE, -1, 0);
    add_batch(10, 5, KW_CODEC_NONE, -1, 0);
    corrupt_batch(5);
    start_broker();
    kw_consumer *c = consumer_at_beginning(NULL);
    int64_t got[64];
    int n;
    assert_int_equal(drain(c, got, 64, &n, 500), KW_ERR_CRC);
    assert_int_equal(n, 5);
    assert_non_null(strstr(kw_consumer_error(c), "topic t partition 0 offset 5"));
    kw_consumer_free(c);

    const char *set[] = {"check.crcs=false", NULL};
    c = consumer_at_beginning(set);
    assert_int_equal(drain(c, got, 64, &n, 500), 0);
    assert_int_equal(n, 15);
    kw_consumer_free(c);
    stop_broker();
}

static void test_read_committed(void **st)
{
    (void)st;
    add_batch(0, 2, KW_CODEC_NONE, -1, 0);  /* 0,1 */
    add_batch(2, 2, KW_CODEC_NONE, 7, 1);   /* 2,3 aborted */
    add_control(4, 7, 0);                   /* ABORT pid 7 */
    add_batch(5, 2, KW_CODEC_NONE, 8, 1);   /* 5,6 committed */
    add_control(7, 8, 1);                   /* COMMIT pid 8 */
    add_batch(8, 1, KW_CODEC_NONE, -1, 0);  /* 8 */
    g_aborted[0] = (kw_fetch_aborted){7, 2};
    g_naborted = 1;
    start_broker();
    int64_t got[64];
    int n;
    kw_start s = {KW_START_BEGINNING, 0};

    const char *rc[] = {"isolation.level=read_committed", NULL};
    kw_consumer *c = new_consumer(rc);
    assert_int_equal(kw_consumer_assign(c, "t", 0, &s), 0);
    assert_int_equal(drain(c, got, 64, &n, 500), 0);
    int64_t want_rc[] = {0, 1, 5, 6, 8};
    assert_int_equal(n, 5);
    for (int i = 0; i < n; i++) assert_int_equal(got[i], want_rc[i]);
    assert_int_equal(kw_consumer_stats_get(c)->aborted_skipped, 2);
    kw_consumer_free(c);

    c = new_consumer(NULL);
    assert_int_equal(kw_consumer_assign(c, "t", 0, &s), 0);
    assert_int_equal(drain(c, got, 64, &n, 500), 0);
    int64_t want_ru[] = {0, 1, 2, 3, 5, 6, 8};
    assert_int_equal(n, 7); /* control batches never handed out */
    for (int i = 0; i < n; i++) assert_int_equal(got[i], want_ru[i]);
    kw_consumer_free(c);
    stop_broker();
}

/* An unusable Fetch answer (wrong correlation id; frame above the size cap) after a
 * good one: the records of the good one are handed out first, each once, then the
 * partition stops with the error and a message naming the broker and the cause, and
 * no further fetch loops on it. */
static void test_broken_answer(void **st)
{
    (void)st;
    static const struct { int mode, err; const char *text; } cases[] = {
        {1, KW_ERR_CORRELATION, "response correlation id"},
        {2, KW_ERR_TOO_LARGE, "response frame larger than 104857600 bytes (kwire.max.response.bytes)"},
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        g_bad_answer = cases[ci].mode;
        add_batch(0, 3, KW_CODEC_NONE, -1, 0);
        add_batch(3, 2, KW_CODEC_NONE, -1, 0);
        start_broker();
        kw_consumer *c = consumer_at_beginning(NULL);
        int64_t got[64];
        int n;
        assert_int_equal(drain(c, got, 64, &n, 500), cases[ci].err);
        assert_int_equal(n, 5);
        for (int i = 0; i < n; i++) assert_int_equal(got[i], i);
        const char *e = kw_consumer_error(c);
        assert_non_null(strstr(e, "topic t partition 0 offset 5: fetch from 127.0.0.1:"));
        assert_non_null(strstr(e, cases[ci].text));
        /* stopped: later polls hand out nothing and send no fetch */
        uint64_t fe = kw_consumer_stats_get(c)->fetch_errors;
        const kw_msg *m;
        int k;
        assert_int_equal(kw_consumer_poll(c, 50, &m, &k), 0);
        assert_int_equal(k, 0);
        assert_int_equal(kw_consumer_stats_get(c)->fetch_errors, fe);
        kw_consumer_free(c);
        stop_broker();
    }
    g_bad_answer = 0;
}

/* A batch with codec id 5, and one that decompresses above kwire.decompress.max.bytes:
 * the records before are handed out, then the error names the codec / the cap. */
static void test_bad_batches(void **st)
{
    (void)st;
    /* codec 5: a plain batch with its codec bits set to 5 and its CRC made valid */
    add_batch(0, 5, KW_CODEC_NONE, -1, 0);
    size_t at = g_log.len;
    add_batch(5, 5, KW_CODEC_NONE, -1, 0);
    uint8_t *b = g_log.data + at;
    kw_be16(b + KW_BATCH_ATTR_OFFSET, (uint16_t)(kw_ld16(b + KW_BATCH_ATTR_OFFSET) | 5));
    kw_be32(b + KW_BATCH_CRC_OFFSET, kw_crc32c(0, b + KW_BATCH_ATTR_OFFSET, g_log.len - at - KW_BATCH_ATTR_OFFSET));
    start_broker();
    kw_consumer *c = consumer_at_beginning(NULL);
    int64_t got[64];
    int n;
    assert_int_equal(drain(c, got, 64, &n, 500), KW_ERR_UNSUPPORTED);
    assert_int_equal(n, 5);
    assert_non_null(strstr(kw_consumer_error(c), "offset 5: record batch compression codec 5 is not supported"));
    kw_consumer_free(c);
    stop_broker();

    /* 10 gzip records decompress to more than 16 bytes */
    add_batch(0, 5, KW_CODEC_NONE, -1, 0);
    add_batch(5, 10, KW_CODEC_GZIP, -1, 0);
    start_broker();
    const char *set[] = {"kwire.decompress.max.bytes=16", NULL};
    c = consumer_at_beginning(set);
    assert_int_equal(drain(c, got, 64, &n, 500), KW_ERR_BOMB);
    assert_int_equal(n, 5);
    assert_non_null(strstr(kw_consumer_error(c), "offset 5: record batch decompresses to more than "
                                                 "kwire.decompress.max.bytes (16 bytes)"));
    kw_consumer_free(c);
    stop_broker();
}

/* Append a file of tests/data (a stored message set), its first offset field set to off. */
static void add_file(const char *path, int64_t first_offset)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(n > 12);
    if (first_offset >= 0) kw_be64(buf, (uint64_t)first_offset);
    kw_buf_put(&g_log, buf, n);
}

/* A handed-out record copied (slices die at the next poll). */
typedef struct seen {
    int64_t offset;
    int32_t klen, vlen;
    char key[16], value[160];
} seen;

/* kafka-python's five legacy records (tests/data/README.md 1c) at offsets 0..4. */
static void check_kpy5(const seen *m)
{
    for (int i = 0; i < 5; i++) assert_int_equal(m[i].offset, i);
    assert_int_equal(m[0].klen, 5);
    assert_memory_equal(m[0].key, "key-0", 5);
    assert_int_equal(m[0].vlen, 7);
    assert_memory_equal(m[0].value, "value-0", 7);
    assert_int_equal(m[1].vlen, 0);
    assert_int_equal(m[2].klen, -1);
    assert_memory_equal(m[2].value, "value-2", 7);
    assert_int_equal(m[3].vlen, -1);
    assert_int_equal(m[4].vlen, 136);
    assert_memory_equal(m[4].value, "value-4-abcdefgh", 16);
}

static void test_legacy(void **st)
{
    (void)st;
    static const struct { const char *file; int64_t wrapper; } cases[] = {
        {"tests/data/kpy-magic1-none.records", -1},
        {"tests/data/kpy-magic0-none.records", -1},
        {"tests/data/kpy-magic1-gzip.records", 4}, /* a broker stores the last inner offset */
        {"tests/data/kpy-magic0-snappy.records", 4},
    };
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        add_file(cases[ci].file, cases[ci].wrapper);
        g_end = 5;
        add_batch(5, 3, KW_CODEC_NONE, -1, 0); /* a record batch after the legacy ones */
        start_broker();
        kw_consumer *c = consumer_at_beginning(NULL);
        seen all[16];
        int n = 0;
        for (int rounds = 0; rounds < 100 && !kw_consumer_at_end(c); rounds++) {
            const kw_msg *m;
            int k;
            int pe = kw_consumer_poll(c, 200, &m, &k);
            if (pe) fail_msg("%s: %s", cases[ci].file, kw_consumer_error(c));
            for (int i = 0; i < k; i++, n++) {
                assert_true(n < 16);
                all[n].offset = m[i].offset;
                all[n].klen = m[i].key_len;
                all[n].vlen = m[i].value_len;
                assert_true(m[i].key_len < 16 && m[i].value_len < 160);
                if (m[i].key_len > 0) memcpy(all[n].key, m[i].key, (size_t)m[i].key_len);
                if (m[i].value_len > 0) memcpy(all[n].value, m[i].value, (size_t)m[i].value_len);
            }
        }
        assert_int_equal(n, 8);
        for (int i = 0; i < n; i++) assert_int_equal(all[i].offset, i);
        check_kpy5(all);
        assert_int_equal(all[5].vlen, 2);
        assert_memory_equal(all[5].value, "v5", 2);
        kw_consumer_free(c);
        stop_broker();
    }
}

/* A consumer on a shared net freed while its fetch is in flight: the outcome that
 * comes later (here: kw_net_free) must not touch the freed consumer (ASan checks). */
static void test_shared_net_free(void **st)
{
    (void)st;
    add_batch(0, 3, KW_CODEC_NONE, -1, 0);
    start_broker();
    char boot[64];
    snprintf(boot, sizeof boot, "127.0.0.1:%d", g_port);
    kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
    assert_int_equal(kw_config_set(cfg, "bootstrap.servers", boot), 0);
    assert_int_equal(kw_config_validate(cfg), 0);
    kw_net *net = kw_net_new(cfg);
    assert_true(kw_net_add_list(net, boot) > 0);
    kw_consumer *c = kw_consumer_new(cfg, net, NULL, 0);
    assert_non_null(c);
    kw_start s = {KW_START_BEGINNING, 0};
    assert_int_equal(kw_consumer_assign(c, "t", 0, &s), 0);
    const kw_msg *m;
    int k = 0;
    for (int i = 0; i < 50 && k == 0; i++) assert_int_equal(kw_consumer_poll(c, 100, &m, &k), 0);
    assert_int_equal(k, 3);
    assert_int_equal(kw_consumer_poll(c, 0, &m, &k), 0); /* the next fetch goes out */
    kw_consumer_free(c);
    kw_net_poll(net, 50); /* its answer may arrive now */
    kw_net_free(net);
    kw_config_free(cfg);
    stop_broker();
}

/* The broker goes away: the consumer looks for the partition's leader again while its
 * connection backs off (1.5 s here). kw_consumer_poll keeps to its 100 ms all along:
 * the Metadata refresh is sent and answered inside the polls, never waited for. */
static void test_poll_timeout_broker_down(void **st)
{
    (void)st;
    add_batch(0, 3, KW_CODEC_NONE, -1, 0);
    start_broker();
    const char *const set[] = {"reconnect.backoff.ms=1500", "reconnect.backoff.max.ms=1500", NULL};
    kw_consumer *c = consumer_at_beginning(set);
    int64_t got[8];
    int n;
    assert_int_equal(drain(c, got, 8, &n, 500), 0);
    assert_int_equal(n, 3);
    kill(g_pid, SIGKILL);
    waitpid(g_pid, NULL, 0);
    uint64_t refreshes = kw_consumer_stats_get(c)->metadata_refreshes;
    int64_t worst = 0;
    for (int i = 0; i < 25; i++) {
        const kw_msg *m;
        int k;
        int64_t t0 = kw_net_now();
        assert_int_equal(kw_consumer_poll(c, 100, &m, &k), 0);
        int64_t took = kw_net_now() - t0;
        if (took > worst) worst = took;
        assert_int_equal(k, 0);
    }
    /* a refresh was tried while the broker was down (else this proves nothing), and no
       poll waited for a reconnect (a blocking refresh took >= 1.5 s here) */
    assert_true(kw_consumer_stats_get(c)->metadata_refreshes > refreshes);
    assert_true(worst < 1000000);
    kw_consumer_free(c);
    kw_buf_free(&g_log);
    kw_buf_init(&g_log);
    g_end = 0;
}

/* The log start moves past the consumer (as the mock's does when it drops old segments):
 * the fetch is OFFSET_OUT_OF_RANGE and auto.offset.reset decides, through a ListOffsets
 * sent and answered inside the polls. Offsets 0-7 come first (the first answer ends in
 * a cut batch), the next fetch at 8 is out of range with the start now at 9. */
static void reset_case(const char *policy, const int64_t *want, int nwant, int want_err)
{
    for (int b = 0; b < 10; b += 2) add_batch(b, 2, KW_CODEC_NONE, -1, 0);
    g_move_start = 9;
    start_broker();
    const char *set[] = {policy, NULL};
    kw_consumer *c = consumer_at_beginning(set);
    int64_t got[32];
    int n;
    int e = drain(c, got, 32, &n, 500);
    assert_int_equal(e, want_err);
    assert_int_equal(n, nwant);
    for (int i = 0; i < nwant; i++) assert_int_equal(got[i], want[i]);
    assert_int_equal(kw_consumer_stats_get(c)->resets, want_err ? 0 : 1);
    if (want_err) assert_non_null(strstr(kw_consumer_error(c), "offset 8 out of range and auto.offset.reset=none"));
    else {
        /* the reset is said once, with where the position went */
        const char *note = kw_consumer_notice(c);
        assert_non_null(note);
        char want_note[128];
        snprintf(want_note, sizeof want_note, "offset 8 out of range for t [0], reset to %s (%d)",
                 strstr(policy, "earliest") ? "earliest" : "latest", strstr(policy, "earliest") ? 9 : 10);
        if (!strstr(note, want_note)) fail_msg("notice '%s'", note);
        assert_null(kw_consumer_notice(c));
    }
    kw_consumer_free(c);
    stop_broker();
}

static void test_reset_earliest(void **st)
{
    (void)st;
    const int64_t want[] = {0, 1, 2, 3, 4, 5, 6, 7, 9}; /* 8 went with the old segments */
    reset_case("auto.offset.reset=earliest", want, 9, 0);
}

static void test_reset_latest(void **st)
{
    (void)st;
    const int64_t want[] = {0, 1, 2, 3, 4, 5, 6, 7};
    reset_case("auto.offset.reset=latest", want, 8, 0);
}

static void test_reset_none(void **st)
{
    (void)st;
    const int64_t want[] = {0, 1, 2, 3, 4, 5, 6, 7};
    reset_case("auto.offset.reset=none", want, 8, KW_KAFKA_OFFSET_OUT_OF_RANGE);
}

/* Fetch v13+: the request names the topic by the id Metadata gave; the response too. */
static void test_topic_ids(void **st)
{
    (void)st;
    g_v13 = 1;
    add_batch(0, 4, KW_CODEC_NONE, -1, 0);
    start_broker();
    kw_consumer *c = consumer_at_beginning(NULL);
    int64_t got[16];
    int n;
    assert_int_equal(drain(c, got, 16, &n, 500), 0);
    assert_int_equal(n, 4);
    assert_int_equal(kw_consumer_stats_get(c)->fetch_errors, 0);
    kw_consumer_free(c);
    stop_broker();
    g_v13 = 0;
}

/* The record sets against max.partition.fetch.bytes and fetch.max.bytes: one whole batch
 * larger than both is Kafka's exception; several batches above them (this broker ignores
 * the limits) are counted as excess that no first batch explains. */
static void test_fetch_limits(void **st)
{
    (void)st;
    const char *set[] = {"max.partition.fetch.bytes=40", "fetch.max.bytes=40", NULL};
    add_batch(0, 5, KW_CODEC_NONE, -1, 0);
    size_t one = g_log.len;
    start_broker();
    kw_consumer *c = consumer_at_beginning(set);
    int64_t got[32];
    int n;
    assert_int_equal(drain(c, got, 32, &n, 500), 0);
    assert_int_equal(n, 5);
    const kw_consumer_stats *s = kw_consumer_stats_get(c);
    assert_int_equal(s->part_limit, 40);
    assert_int_equal(s->fetch_limit, 40);
    assert_int_equal(s->part_records_bytes.max, one);
    assert_int_equal(s->fetch_records_bytes.max, one);
    assert_int_equal(s->part_over_limit, 1);
    assert_int_equal(s->part_over_first_batch, 1);
    assert_int_equal(s->fetch_over_limit, 1);
    assert_int_equal(s->fetch_over_first_batch, 1);
    kw_consumer_free(c);
    stop_broker();

    add_batch(0, 5, KW_CODEC_NONE, -1, 0);
    add_batch(5, 5, KW_CODEC_NONE, -1, 0);
    add_batch(10, 5, KW_CODEC_NONE, -1, 0);
    start_broker();
    c = consumer_at_beginning(set);
    assert_int_equal(drain(c, got, 32, &n, 500), 0);
    assert_int_equal(n, 15);
    s = kw_consumer_stats_get(c);
    assert_true(s->part_over_limit > s->part_over_first_batch);
    assert_true(s->fetch_over_limit > s->fetch_over_first_batch);
    assert_true(s->part_records_bytes.max > one);
    kw_consumer_free(c);
    stop_broker();
}

static void test_start_parse(void **st)
{
    (void)st;
    kw_start s;
    assert_int_equal(kw_start_parse("beginning", &s), 0);
    assert_int_equal(s.kind, KW_START_BEGINNING);
    assert_int_equal(kw_start_parse("end", &s), 0);
    assert_int_equal(s.kind, KW_START_END);
    assert_int_equal(kw_start_parse("stored", &s), 0);
    assert_int_equal(s.kind, KW_START_COMMITTED);
    assert_int_equal(kw_start_parse("42", &s), 0);
    assert_true(s.kind == KW_START_OFFSET && s.value == 42);
    assert_int_equal(kw_start_parse("-10", &s), 0);
    assert_true(s.kind == KW_START_TAIL && s.value == 10);
    assert_int_equal(kw_start_parse("@1700000000000", &s), 0);
    assert_true(s.kind == KW_START_TIME && s.value == 1700000000000LL);
    assert_int_equal(kw_start_parse("x", &s), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_start_parse("12x", &s), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_start_parse("@", &s), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_start_parse("s@1700000000000", &s), 0); /* kcat's form */
    assert_int_equal(s.kind, KW_START_TIME);
    assert_true(s.value == 1700000000000);
    assert_int_equal(kw_start_parse("s@", &s), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_start_parse("", &s), KW_ERR_INVALID_ARG);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    kw_buf_init(&g_log);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_parse),
        cmocka_unit_test(test_fetch_request_parts),
        cmocka_unit_test(test_positions_partial_compressed),
        cmocka_unit_test(test_tail),
        cmocka_unit_test(test_reassigned_with_fetch_out),
        cmocka_unit_test(test_start_out_of_range),
        cmocka_unit_test(test_crc),
        cmocka_unit_test(test_broken_answer),
        cmocka_unit_test(test_bad_batches),
        cmocka_unit_test(test_read_committed),
        cmocka_unit_test(test_legacy),
        cmocka_unit_test(test_shared_net_free),
        cmocka_unit_test(test_topic_ids),
        cmocka_unit_test(test_poll_timeout_broker_down),
        cmocka_unit_test(test_reset_earliest),
        cmocka_unit_test(test_reset_latest),
        cmocka_unit_test(test_reset_none),
        cmocka_unit_test(test_fetch_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
