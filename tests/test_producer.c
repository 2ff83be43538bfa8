/*
 * tests/test_producer.c — the producer's pure parts: what to do per error code, the
 * in-order requeue of retried batches, the retry backoff, Produce request building and
 * finding a partition's outcome in a response; and a producer with no reachable broker
 * (send blocks at most max.block.ms for metadata). Against a scripted one-broker cluster
 * (tests/scripted_broker.h) whose Produce answers always fail: a record that outlives
 * delivery.timeout.ms is reported KW_ERR_MSG_TIMED_OUT with the error of its last attempt
 * as the cause, and a whole-request failure is explained by kw_producer_last_error;
 * a leader that cannot be reached makes the producer ask for metadata and move on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client/conn/net.h"
#include "client/produce/producer.h"
#include "codec/batch.h"
#include "kwire.h"
#include "proto/msg_initproducerid.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"
#include "tests/scripted_broker.h"

static void test_action(void **state)
{
    (void)state;
    assert_int_equal(kw__produce_action(0, 0), KW_PACT_OK);
    assert_int_equal(kw__produce_action(KW_KAFKA_NOT_LEADER_OR_FOLLOWER, 0), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION, 1), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_KAFKA_LEADER_NOT_AVAILABLE, 1), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_KAFKA_REQUEST_TIMED_OUT, 0), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_KAFKA_NOT_ENOUGH_REPLICAS, 0), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_KAFKA_NOT_ENOUGH_REPLICAS_AFTER_APPEND, 0), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_ERR_DISCONNECTED, 0), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_ERR_TIMEOUT, 0), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_ERR_CONNECT, 1), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_KAFKA_MESSAGE_TOO_LARGE, 1), KW_PACT_FAIL);
    assert_int_equal(kw__produce_action(KW_KAFKA_TOPIC_AUTHORIZATION_FAILED, 1), KW_PACT_FAIL);
    assert_int_equal(kw__produce_action(KW_ERR_VERSION, 1), KW_PACT_FAIL);
    /* sequence errors only make sense with idempotence */
    assert_int_equal(kw__produce_action(KW_KAFKA_DUPLICATE_SEQUENCE_NUMBER, 1), KW_PACT_OK);
    assert_int_equal(kw__produce_action(KW_KAFKA_DUPLICATE_SEQUENCE_NUMBER, 0), KW_PACT_FAIL);
    assert_int_equal(kw__produce_action(KW_KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER, 1), KW_PACT_RETRY);
    assert_int_equal(kw__produce_action(KW_KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER, 0), KW_PACT_FAIL);
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(kw__produce_backoff_ms(100, 1000, 1), 100);
    assert_int_equal(kw__produce_backoff_ms(100, 1000, 2), 200);
    assert_int_equal(kw__produce_backoff_ms(100, 1000, 3), 400);
    assert_int_equal(kw__produce_backoff_ms(100, 1000, 4), 800);
    assert_int_equal(kw__produce_backoff_ms(100, 1000, 5), 1000);
    assert_int_equal(kw__produce_backoff_ms(100, 1000, 60), 1000);
    assert_int_equal(kw__produce_backoff_ms(300, 200, 1), 200);
}

/* Fill partition 0 with 4 sealed batches of 3 records each (batch.size fits 3). */
static void four_batches(kw_accum *a)
{
    kw_accum_opts o = {.batch_size = 61 + 47, /* records of 14 bytes: 3 per batch */ .linger_ms = 0, .buffer_memory = 1 << 20};
    assert_int_equal(kw_accum_init(a, &o, 2), 0);
    char v[8] = "value00";
    for (int i = 0; i < 12; i++) {
        v[6] = (char)('0' + i % 10);
        kw_record r = {.timestamp = 1000, .key_len = -1, .value = (const uint8_t *)v, .value_len = 7};
        int sealed;
        assert_int_equal(kw_accum_append(a, 0, &r, (void *)(intptr_t)i, 0, 0, &sealed), 0);
    }
    kw_accum_flush_begin(a);
}

static void test_requeue_order(void **state)
{
    (void)state;
    kw_accum a;
    four_batches(&a);
    kw_pbatch *b[4];
    int32_t seq = 0;
    for (int i = 0; i < 4; i++) {
        b[i] = kw_accum_drain(&a, 0, 10);
        assert_non_null(b[i]);
        b[i]->base_seq = seq;
        seq += b[i]->count;
    }
    assert_int_equal(b[0]->count + b[1]->count + b[2]->count + b[3]->count, 12);
    assert_null(kw_accum_drain(&a, 0, 10));
    /* responses come back in order: 0 fails, then 1, then 2 and 3 */
    kw__produce_requeue(&a, b[0]);
    kw__produce_requeue(&a, b[1]);
    kw__produce_requeue(&a, b[3]); /* out of order on purpose: still lands after 2 */
    kw__produce_requeue(&a, b[2]);
    for (int i = 0; i < 4; i++) {
        kw_pbatch *x = kw_accum_drain(&a, 0, 20);
        assert_ptr_equal(x, b[i]);
        assert_ptr_equal(x->opaque[0], (void *)(intptr_t)b[i]->base_seq);
        kw_accum_release(&a, x);
    }
    assert_null(kw_accum_drain(&a, 0, 20));
    assert_int_equal(a.mem_used, 0);
    kw_accum_free(&a);
}

static void test_requeue_before_unsequenced(void **state)
{
    (void)state;
    kw_accum a;
    four_batches(&a);
    kw_pbatch *first = kw_accum_drain(&a, 0, 10);
    first->base_seq = 0;
    /* three batches not yet drained (base_seq -1) stay behind the retried one */
    kw__produce_requeue(&a, first);
    assert_ptr_equal(kw_accum_drain(&a, 0, 10), first);
    kw_accum_release(&a, first);
    int n = 0;
    kw_pbatch *x;
    while ((x = kw_accum_drain(&a, 0, 10))) {
        assert_int_equal(x->base_seq, -1);
        kw_accum_release(&a, x);
        n++;
    }
    assert_int_equal(n, 3);
    kw_accum_free(&a);
}

static void test_encode_request(void **state)
{
    (void)state;
    kw_accum a;
    four_batches(&a);
    kw_pbatch *b[3];
    for (int i = 0; i < 3; i++) b[i] = kw_accum_drain(&a, 0, 10);
    b[1]->partition = 1; /* pretend: other partitions, to see the grouping */
    b[2]->partition = 5;
    const char *topics[3] = {"alpha", "alpha", "beta"};
    for (int16_t v = 3; v <= 9; v += 6) {
        kw_buf out;
        kw_buf_init(&out);
        assert_int_equal(kw__produce_encode(&out, NULL, v, -1, 1500, topics, NULL, b, 3), 0);
        kw_produce_req q;
        kw_arena ar;
        kw_arena_init(&ar);
        assert_int_equal(kw_msg_decode(KW_API_Produce, v, KW_REQ, out.data, out.len, &q, &ar, NULL), 0);
        assert_int_equal(q.acks, -1);
        assert_int_equal(q.timeout_ms, 1500);
        assert_int_equal(q.transactional_id.len, -1);
        assert_int_equal(q.n_topic_data, 2);
        assert_int_equal(q.topic_data[0].name.len, 5);
        assert_memory_equal(q.topic_data[0].name.p, "alpha", 5);
        assert_int_equal(q.topic_data[0].n_partition_data, 2);
        assert_int_equal(q.topic_data[0].partition_data[0].index, 0);
        assert_int_equal(q.topic_data[0].partition_data[1].index, 1);
        assert_memory_equal(q.topic_data[1].name.p, "beta", 4);
        assert_int_equal(q.topic_data[1].n_partition_data, 1);
        assert_int_equal(q.topic_data[1].partition_data[0].index, 5);
        const kw_bytes *rec = &q.topic_data[1].partition_data[0].records;
        assert_int_equal(rec->len, (int32_t)b[2]->buf.len);
        assert_memory_equal(rec->p, b[2]->buf.data, b[2]->buf.len);
        kw_arena_free(&ar);
        kw_buf_free(&out);
    }
    for (int i = 0; i < 3; i++) kw_accum_release(&a, b[i]);
    kw_accum_free(&a);
}

/* The request from the description, batches handed to kw_conn_ref (copied here, refs
 * NULL — tests/test_conn.c checks what a connection gathers from references, and
 * tests/test_proto_engine.c the engine's slices) equals kw_msg_encode of the same message
 * built here at every version kwire sends; v13 names each topic by its id only, and
 * refuses a topic without one. */
static void test_encode_request_by_reference(void **state)
{
    (void)state;
    kw_accum_opts o = {.batch_size = 1 << 20, .linger_ms = 0, .buffer_memory = 8 << 20};
    kw_accum a;
    assert_int_equal(kw_accum_init(&a, &o, 8), 0);
    char v[300];
    memset(v, 'v', sizeof v);
    kw_record r = {0};
    r.value = (const uint8_t *)v;
    r.value_len = sizeof v;
    r.key_len = -1;
    r.timestamp = 1700000000000;
    int per[3] = {1, 40, 100}; /* one small batch, two above KW_CONN_REF_MIN */
    int32_t parts[3] = {0, 3, 5};
    kw_pbatch *b[3];
    kw_accum_flush_begin(&a);
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < per[i]; k++) assert_int_equal(kw_accum_append(&a, parts[i], &r, NULL, 0, 1, NULL), 0);
        b[i] = kw_accum_drain(&a, parts[i], 2);
        assert_non_null(b[i]);
    }
    assert_true(b[0]->buf.len < KW_CONN_REF_MIN && b[1]->buf.len > KW_CONN_REF_MIN);
    const char *topics[3] = {"alpha", "alpha", "beta"};
    kw_uuid ids[3];
    memset(ids, 0, sizeof ids);
    ids[0].b[15] = ids[1].b[15] = 1;
    ids[2].b[0] = 7;
    for (int16_t ver = 3; ver <= 13; ver++) {
        kw_produce_partition pa[2] = {{.index = 0, .records = kw_b(b[0]->buf.data, b[0]->buf.len)},
                                      {.index = 3, .records = kw_b(b[1]->buf.data, b[1]->buf.len)}};
        kw_produce_partition pb[1] = {{.index = 5, .records = kw_b(b[2]->buf.data, b[2]->buf.len)}};
        kw_produce_topic t[2] = {{.name = kw_s("alpha"), .topic_id = ids[0], .partition_data = pa, .n_partition_data = 2},
                                 {.name = kw_s("beta"), .topic_id = ids[2], .partition_data = pb, .n_partition_data = 1}};
        kw_produce_req q;
        kw_msg_defaults(KW_API_Produce, KW_REQ, &q);
        q.transactional_id = KW_STR_NULL;
        q.acks = 1;
        q.timeout_ms = 30000;
        q.topic_data = t;
        q.n_topic_data = 2;
        kw_buf want, got;
        kw_buf_init(&want);
        kw_buf_init(&got);
        assert_int_equal(kw_msg_encode(KW_API_Produce, ver, KW_REQ, &q, &want), 0);
        assert_int_equal(kw__produce_encode(&got, NULL, ver, 1, 30000, topics, ids, b, 3), 0);
        assert_int_equal(got.len, want.len);
        assert_memory_equal(got.data, want.data, want.len);
        if (ver >= 13) /* no name on the wire */
            assert_null(memmem(got.data, got.len, "alpha", 5));
        kw_buf_free(&want);
        kw_buf_free(&got);
    }
    kw_buf x;
    kw_buf_init(&x);
    assert_int_equal(kw__produce_encode(&x, NULL, 13, 1, 30000, topics, NULL, b, 3), KW_ERR_VERSION);
    assert_int_equal(kw__produce_encode(&x, NULL, 12, 1, 30000, topics, NULL, b, 3), 0);
    /* the variant for a request shown without a broker: zero ids sent as they are, and
     * otherwise the same bytes */
    kw_buf y;
    kw_buf_init(&y);
    assert_int_equal(kw__produce_encode_any_id(&y, 12, 1, 30000, topics, NULL, b, 3), 0);
    assert_int_equal(y.len, x.len);
    assert_memory_equal(y.data, x.data, x.len);
    y.len = 0;
    assert_int_equal(kw__produce_encode_any_id(&y, 13, 1, 30000, topics, NULL, b, 3), 0);
    static const uint8_t zero16[16];
    assert_non_null(memmem(y.data, y.len, zero16, 16));
    kw_buf_free(&y);
    kw_buf_free(&x);
    for (int i = 0; i < 3; i++) kw_accum_release(&a, b[i]);
    kw_accum_free(&a);
}

static void test_result(void **state)
{
    (void)state;
    kw_produce_partition_resp pa[2] = {{.index = 0, .error_code = 0, .base_offset = 42},
                                       {.index = 3, .error_code = KW_KAFKA_NOT_LEADER_OR_FOLLOWER, .base_offset = -1}};
    kw_produce_partition_resp pb[1] = {{.index = 0, .error_code = -1, .base_offset = -1}};
    kw_produce_topic_resp t[2] = {{.name = {"alpha", 5}, .partition_responses = pa, .n_partition_responses = 2},
                                  {.name = {"alphabet", 8}, .partition_responses = pb, .n_partition_responses = 1}};
    t[0].topic_id.b[0] = 1;
    t[1].topic_id.b[0] = 2;
    kw_produce_resp r = {.responses = t, .n_responses = 2};
    int64_t off;
    assert_int_equal(kw__produce_result(&r, 12, "alpha", NULL, 0, &off), 0);
    assert_int_equal(off, 42);
    assert_int_equal(kw__produce_result(&r, 12, "alpha", NULL, 3, &off), KW_KAFKA_NOT_LEADER_OR_FOLLOWER);
    assert_int_equal(kw__produce_result(&r, 12, "alphabet", NULL, 0, &off), KW_KAFKA_UNKNOWN_SERVER_ERROR);
    assert_int_equal(kw__produce_result(&r, 12, "alpha", NULL, 1, &off), KW_ERR_NOT_FOUND);
    assert_int_equal(off, -1);
    assert_int_equal(kw__produce_result(&r, 12, "alph", NULL, 0, &off), KW_ERR_NOT_FOUND);
    /* v13: by id, whatever the name says */
    kw_uuid id2 = {{2}}, id3 = {{3}};
    assert_int_equal(kw__produce_result(&r, 13, "alpha", &id2, 0, &off), KW_KAFKA_UNKNOWN_SERVER_ERROR);
    assert_int_equal(kw__produce_result(&r, 13, "alphabet", &id3, 0, &off), KW_ERR_NOT_FOUND);
}

static int reports;
static void count_cb(void *ud, const kw_delivery *d)
{
    (void)ud;
    (void)d;
    reports++;
}

static void test_no_broker(void **state)
{
    (void)state;
    kw_config *c = kw_config_new(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "bootstrap.servers", "127.0.0.1:1"), 0);
    assert_int_equal(kw_config_set(c, "max.block.ms", "200"), 0);
    assert_int_equal(kw_config_validate(c), 0);
    char err[128];
    kw_producer *p = kw_producer_new(c, count_cb, NULL, err, sizeof err);
    assert_non_null(p);
    kw_producer_record r = {.topic = "t", .partition = -1, .value = "x", .value_len = 1, .key_len = -1};
    assert_int_equal(kw_producer_send(p, &r), KW_ERR_CONNECT);
    assert_int_equal(kw_producer_outstanding(p), 0);
    /* the refusal in words: the wait and the address tried */
    assert_non_null(strstr(kw_producer_send_error(p), "no metadata for topic t within max.block.ms (200 ms)"));
    assert_non_null(strstr(kw_producer_send_error(p), "127.0.0.1:1: connect failed: Connection refused"));
    assert_int_equal(kw_producer_flush(p, 100), 0);
    kw_producer_close(p);
    assert_int_equal(reports, 0);
    /* blocked for max.block.ms with the Metadata and InitProducerId requests waiting out
       the connection's backoff: the loop sleeps until something is due (it used to spin
       on InitProducerId's past retry time: ~10^5 rounds a second) */
    assert_int_equal(kw_config_set(c, "max.block.ms", "1000"), 0);
    p = kw_producer_new(c, count_cb, NULL, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(kw_producer_send(p, &r), KW_ERR_CONNECT);
    const kw_producer_stats *ps = kw_producer_stats_get(p);
    assert_true(ps->pid_requests >= 1);
    assert_true(ps->loop_polls < 500);
    kw_producer_close(p);
    /* no bootstrap list: refused with the setting named */
    assert_int_equal(kw_config_set(c, "bootstrap.servers", ""), 0);
    assert_null(kw_producer_new(c, count_cb, NULL, err, sizeof err));
    assert_non_null(strstr(err, "bootstrap.servers"));
    kw_config_free(c);
}

/* ---- a scripted broker whose Produce answers fail: g_mode 1 NOT_LEADER_OR_FOLLOWER for
   the partition, 2 a response with a wrong correlation id, 3 no answer at all; 4 (for an
   idempotent producer) OUT_OF_ORDER_SEQUENCE_NUMBER for every batch after the first of
   its first producer id, as a broker that lost that id's state, and success under a new
   id (the ids handed out are counted in g_pids, the batches' ids seen in order in
   g_seen); or whose first Metadata answer names a dead leader: g_mode 5, partition 0
   led by node 2 at g_dead_port (nothing listens there: a killed broker) in the first
   answer, by node 1 (this broker, which accepts every Produce) in the later ones ---- */
static int g_port, g_mode, g_pids, g_dead_port, g_meta_answers;
static int64_t g_seen[16];
static int g_nseen;

static int serve_frame(int node, int fd, const uint8_t *p, size_t len)
{
    (void)node;
    kw_req_header h;
    size_t hl;
    if (kw_req_header_decode(p, len, &h, &hl)) _exit(2);
    kw_buf out;
    kw_buf_init(&out);
    if (h.api_key == KW_API_ApiVersions) {
        const kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 2}, {KW_API_Metadata, 0, 2}, {KW_API_Produce, 3, 7},
                                           {KW_API_InitProducerId, 0, 1}};
        sb_apiversions(&out, &h, keys, 4);
    } else if (h.api_key == KW_API_InitProducerId) {
        kw_initproducerid_resp r;
        kw_msg_defaults(KW_API_InitProducerId, KW_RESP, &r);
        r.error_code = 0;
        r.producer_id = 1000 + g_pids++;
        r.producer_epoch = 0;
        kw_response_encode(&out, KW_API_InitProducerId, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_Metadata) {
        sb_cluster1 c;
        kw_metadata_topic t;
        kw_metadata_resp r;
        memset(&t, 0, sizeof t);
        sb_cluster1_metadata(&c, g_port, &t, 1, &r);
        t.name = kw_s("t");
        t.partitions = &c.part;
        t.n_partitions = 1;
        kw_metadata_broker two[2] = {c.broker, {.node_id = 2, .host = kw_s("127.0.0.1"), .port = g_dead_port,
                                                .rack = KW_STR_NULL}};
        if (g_mode == 5) {
            r.brokers = two;
            r.n_brokers = 2;
            if (g_meta_answers++ == 0) c.part.leader_id = 2;
        }
        kw_response_encode(&out, KW_API_Metadata, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_Produce && g_mode == 3) {
        kw_buf_free(&out);
        return 0;
    } else if (h.api_key == KW_API_Produce) {
        int16_t ec = g_mode == 1 ? 6 : 0;
        if (g_mode == 4) {
            /* the batch's producer id, at its place in the one batch of the request */
            kw_arena a;
            kw_arena_init(&a);
            kw_produce_req q;
            if (kw_msg_decode(KW_API_Produce, h.api_version, KW_REQ, p + hl, len - hl, &q, &a, NULL)) _exit(7);
            kw_batch bi;
            kw_rd in;
            kw_buf scratch;
            kw_buf_init(&scratch);
            kw_rd_init(&in, q.topic_data[0].partition_data[0].records.p,
                       (size_t)q.topic_data[0].partition_data[0].records.len);
            kw_batch_reader_opts ro = {.check_crc = 1};
            if (kw_batch_next(&in, &bi, &scratch, &ro) != 1) _exit(8);
            kw_buf_free(&scratch);
            if (g_nseen < 16) g_seen[g_nseen++] = bi.producer_id;
            if (bi.producer_id == 1000 && g_nseen > 1) ec = KW_KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER;
            kw_arena_free(&a);
        }
        kw_produce_partition_resp pr = {.index = 0, .error_code = ec, .base_offset = g_mode == 5 ? 0 : -1,
                                        .log_append_time_ms = -1, .log_start_offset = -1};
        kw_produce_topic_resp tr = {.name = kw_s("t"), .partition_responses = &pr, .n_partition_responses = 1};
        kw_produce_resp r;
        kw_msg_defaults(KW_API_Produce, KW_RESP, &r);
        r.responses = &tr;
        r.n_responses = 1;
        kw_response_encode(&out, KW_API_Produce, h.api_version, h.correlation_id, &r);
        if (g_mode == 2) kw_be32(out.data + 4, (uint32_t)h.correlation_id + 1000);
    } else {
        _exit(6);
    }
    sb_reply(fd, &out);
    kw_buf_free(&out);
    return 0;
}

static pid_t start_broker(int mode)
{
    g_mode = mode;
    g_meta_answers = 0;
    int s = sb_listen(&g_port);
    assert_true(s >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        sb_serve(&s, 1, serve_frame);
        _exit(0);
    }
    close(s);
    return pid;
}

typedef struct outcome { int n, err, cause; int64_t send_us, latency_us, latency_ms; } outcome;

static void outcome_cb(void *ud, const kw_delivery *d)
{
    outcome *o = ud;
    o->n++;
    o->err = d->err;
    o->cause = d->cause;
    o->send_us = d->send_us;
    o->latency_us = d->latency_us;
    o->latency_ms = d->latency_ms;
}

/* A producer (acks=1, no idempotence, linger.ms=0, then `settings`) of the scripted
 * broker, reporting into *o. */
static kw_producer *scripted_producer(const char *const *settings, outcome *o)
{
    char bs[64];
    snprintf(bs, sizeof bs, "127.0.0.1:%d", g_port);
    kw_config *c = kw_config_new(KW_ROLE_PRODUCER);
    assert_int_equal(kw_config_set(c, "bootstrap.servers", bs), 0);
    const char *base[] = {"acks=1", "enable.idempotence=false", "linger.ms=0", NULL};
    for (const char *const *k = base; *k; k++) assert_int_equal(kw_config_set_kv(c, *k), 0);
    for (; *settings; settings++) assert_int_equal(kw_config_set_kv(c, *settings), 0);
    assert_int_equal(kw_config_validate(c), 0);
    char err[128];
    kw_producer *p = kw_producer_new(c, outcome_cb, o, err, sizeof err);
    kw_config_free(c);
    assert_non_null(p);
    return p;
}

/* One record to the scripted broker in `mode`: its one report, and the last error text. */
static outcome produce_one(int mode, char *why, size_t whyn)
{
    pid_t pid = start_broker(mode);
    const char *set[] = {"request.timeout.ms=200", "delivery.timeout.ms=400", "retry.backoff.ms=20",
                         "retry.backoff.max.ms=40", NULL};
    outcome o = {0};
    kw_producer *p = scripted_producer(set, &o);
    kw_producer_record r = {.topic = "t", .partition = -1, .value = "x", .value_len = 1, .key_len = -1};
    int64_t before = kw_net_now();
    assert_int_equal(kw_producer_send(p, &r), 0);
    assert_int_equal(kw_producer_flush(p, 5000), 0);
    int64_t after = kw_net_now();
    snprintf(why, whyn, "%s", kw_producer_last_error(p));
    const kw_producer_stats *ps = kw_producer_stats_get(p);
    assert_true(ps->record_retries > 0);
    /* the report's times: the send call's, and send -> report in us (past the 400 ms
       delivery timeout, since the record failed by it), counted in the stats histogram */
    assert_true(o.send_us >= before && o.send_us + o.latency_us <= after);
    assert_true(o.latency_us >= 400000);
    assert_int_equal(o.latency_ms, o.latency_us / 1000);
    assert_int_equal(ps->latency_us->total, 1);
    assert_int_equal(kw_hdr_max(ps->latency_us), kw_hdr_highest_equiv(ps->latency_us, o.latency_us));
    assert_int_equal(kw_producer_latency_quantile(ps, 0.5), kw_hdr_max(ps->latency_us) / 1000);
    kw_producer_close(p);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return o;
}

static void test_timeout_cause_partition_error(void **state)
{
    (void)state;
    char why[256];
    outcome o = produce_one(1, why, sizeof why);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.err, KW_ERR_MSG_TIMED_OUT);
    assert_int_equal(o.cause, 6); /* NOT_LEADER_OR_FOLLOWER, retried until the timeout */
    assert_string_equal(why, ""); /* every request was answered */
}

static void test_timeout_cause_wrong_correlation(void **state)
{
    (void)state;
    char why[256];
    outcome o = produce_one(2, why, sizeof why);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.err, KW_ERR_MSG_TIMED_OUT);
    assert_int_equal(o.cause, KW_ERR_CORRELATION);
    assert_non_null(strstr(why, "correlation id"));
    char port[16];
    snprintf(port, sizeof port, ":%d", g_port);
    assert_non_null(strstr(why, port)); /* names the broker */
}

/* Refusals say why: the partition count, the record's size against max.request.size;
 * an interrupt stops a wait at once. */
static void test_refusals_in_words(void **state)
{
    (void)state;
    pid_t pid = start_broker(0);
    const char *set[] = {"max.request.size=1000", NULL};
    outcome o = {0, 0, 0};
    kw_producer *p = scripted_producer(set, &o);
    kw_producer_record r = {.topic = "t", .partition = 7, .value = "x", .value_len = 1, .key_len = -1};
    assert_int_equal(kw_producer_send(p, &r), KW_ERR_INVALID_ARG);
    assert_string_equal(kw_producer_send_error(p), "partition 7 does not exist: topic t has 1 partition (0..0)");
    static char big[2000];
    kw_header h = {(const uint8_t *)"hh", 2, (const uint8_t *)"vvv", 3};
    r = (kw_producer_record){.topic = "t", .partition = -1, .key = "kk", .key_len = 2, .value = big,
                             .value_len = sizeof big, .headers = &h, .header_count = 1};
    assert_int_equal(kw_producer_send(p, &r), KW_ERR_TOO_LARGE);
    assert_string_equal(kw_producer_send_error(p), "a record of 2007 bytes (key 2 + value 2000 + headers 5) does not fit "
                                                   "max.request.size (1000 bytes, 61 of them the batch header)");
    /* an interrupted wait for a topic's metadata returns at once */
    static volatile sig_atomic_t flag = 1;
    kw_producer_set_interrupt(p, &flag);
    r = (kw_producer_record){.topic = "other", .partition = -1, .value = "x", .value_len = 1, .key_len = -1};
    int64_t t0 = kw_net_now();
    assert_int_equal(kw_producer_send(p, &r), KW_ERR_INTERRUPTED);
    assert_true(kw_net_now() - t0 < 1000000);
    assert_int_equal(o.n, 0);
    kw_producer_close(p);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* A batch whose linger is over but that may not go yet (the one in-flight slot is taken
 * by a request the broker never answers) must not make the loop spin: it waits for the
 * answer or the timeout. ~10^5 rounds a second when it spun. */
static void test_blocked_ready_batch_sleeps(void **state)
{
    (void)state;
    pid_t pid = start_broker(3);
    const char *set[] = {"max.in.flight.requests.per.connection=1", "request.timeout.ms=30000",
                         "delivery.timeout.ms=30000", NULL};
    outcome o = {0, 0, 0};
    kw_producer *p = scripted_producer(set, &o);
    kw_producer_record r = {.topic = "t", .partition = 0, .value = "x", .value_len = 1, .key_len = -1};
    assert_int_equal(kw_producer_send(p, &r), 0);
    assert_int_equal(kw_producer_flush(p, 300), KW_ERR_TIMEOUT); /* the first batch is out, unanswered */
    assert_int_equal(kw_producer_send(p, &r), 0);
    uint64_t before = kw_producer_stats_get(p)->loop_polls;
    assert_int_equal(kw_producer_flush(p, 1000), KW_ERR_TIMEOUT);
    const kw_producer_stats *ps = kw_producer_stats_get(p);
    assert_int_equal(ps->requests, 1); /* the second batch never had a slot */
    assert_true(ps->loop_polls - before < 100);
    assert_int_equal(o.n, 0);
    kw_producer_close(p); /* reports both records failed */
    assert_int_equal(o.n, 2);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* An idempotent producer whose next batch is refused as out of order although every
 * earlier one was acknowledged (nothing pending can fill the gap) fails that batch with
 * OUT_OF_ORDER_SEQUENCE_NUMBER, takes a new producer id and goes on: the next record is
 * delivered, as Kafka's Java producer does. (It used to retry the batch until
 * delivery.timeout.ms, and every later batch behind it.) */
static void test_out_of_order_gap_new_id(void **state)
{
    (void)state;
    pid_t pid = start_broker(4);
    const char *set[] = {"acks=all", "enable.idempotence=true", "max.in.flight.requests.per.connection=1",
                         "request.timeout.ms=2000", "delivery.timeout.ms=3000", "retry.backoff.ms=20", NULL};
    outcome o = {0, 0, 0};
    kw_producer *p = scripted_producer(set, &o);
    kw_producer_record r = {.topic = "t", .partition = 0, .value = "x", .value_len = 1, .key_len = -1};
    int want[3] = {0, KW_KAFKA_OUT_OF_ORDER_SEQUENCE_NUMBER, 0};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(kw_producer_send(p, &r), 0);
        assert_int_equal(kw_producer_flush(p, 2500), 0);
        assert_int_equal(o.n, i + 1);
        assert_int_equal(o.err, want[i]);
    }
    assert_int_equal(kw_producer_stats_get(p)->record_retries, 0);
    kw_producer_close(p);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* The leader dies (a SIGKILLed broker refuses connections) and the cluster elects
 * another: the Produce request waiting for the dead leader's connection fails with the
 * first failed connect (it was never written, so it does not use up retries=0), the
 * metadata is asked again, and the record goes to the new leader at once, not after
 * request.timeout.ms (30 s) in the dead connection's queue. */
static void test_dead_leader_metadata_refreshed(void **state)
{
    (void)state;
    int s = sb_listen(&g_dead_port); /* a port that refuses: bound, then closed */
    assert_true(s >= 0);
    close(s);
    pid_t pid = start_broker(5);
    const char *set[] = {"retries=0", "request.timeout.ms=30000", "delivery.timeout.ms=60000", NULL};
    outcome o = {0, -1, 0};
    kw_producer *p = scripted_producer(set, &o);
    kw_producer_record r = {.topic = "t", .partition = 0, .value = "x", .value_len = 1, .key_len = -1};
    assert_int_equal(kw_producer_send(p, &r), 0);
    assert_int_equal(kw_producer_flush(p, 5000), 0);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.err, 0);
    const kw_producer_stats *ps = kw_producer_stats_get(p);
    assert_true(ps->metadata_requests >= 2);
    assert_int_equal(ps->records_acked, 1);
    assert_true(ps->lat_max_ms < 5000);
    kw_producer_close(p);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_requeue_order),
        cmocka_unit_test(test_requeue_before_unsequenced),
        cmocka_unit_test(test_encode_request),
        cmocka_unit_test(test_encode_request_by_reference),
        cmocka_unit_test(test_result),
        cmocka_unit_test(test_no_broker),
        cmocka_unit_test(test_timeout_cause_partition_error),
        cmocka_unit_test(test_timeout_cause_wrong_correlation),
        cmocka_unit_test(test_blocked_ready_batch_sleeps),
        cmocka_unit_test(test_refusals_in_words),
        cmocka_unit_test(test_out_of_order_gap_new_id),
        cmocka_unit_test(test_dead_leader_metadata_refreshed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
