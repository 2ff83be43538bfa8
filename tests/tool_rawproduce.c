/*
 * tests/tool_rawproduce.c — produce record batches with raw Produce requests built by
 * kwire's own encoder, as no well-behaved client would: with the CRC-32C flipped (the
 * mock broker stores it as given; Apache Kafka refuses it), or with producer sequence
 * numbers chosen by the caller (Apache Kafka checks them).
 *
 *   tool_rawproduce BOOTSTRAP TOPIC PARTITION COUNT PREFIX [--bad-crc] [--codec N]
 *                   [--seq S[,S...] [--pid ID --epoch E]]
 *
 * One batch of COUNT records, values PREFIX-0 .. PREFIX-(COUNT-1), keys null, acks=1;
 * prints "ok BASE_OFFSET" and exits 0 when the broker accepted it, else names the error
 * (e.g. CORRUPT_MESSAGE) and exits 1. With --seq: one idempotent batch (acks=all) per
 * sequence S, in order, values PREFIX-sS-0 ..; the producer id is a new one from
 * InitProducerId, or ID/E (another producer's, to write into its sequence); prints one
 * line per batch, "seq S: ok BASE_OFFSET" or "seq S: ERROR_NAME", and exits 0 when
 * every batch was accepted, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/core/config.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "codec/batch.h"
#include "codec/compress.h"
#include "proto/msg_initproducerid.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"

typedef struct pr {
    const char *topic;
    int32_t partition;
    int16_t acks;
    kw_uuid id; /* from the Metadata answer; zero when the broker did not say */
    kw_buf batch;
} pr;

static int encode(void *ud, int16_t version, kw_buf *out)
{
    pr *q = ud;
    kw_produce_req r;
    kw_msg_defaults(KW_API_Produce, KW_REQ, &r);
    kw_produce_partition pp = {.index = q->partition, .records = kw_b(q->batch.data, q->batch.len)};
    kw_produce_topic tp = {.name = kw_s(q->topic), .topic_id = q->id, .partition_data = &pp, .n_partition_data = 1};
    r.transactional_id = KW_STR_NULL;
    r.acks = q->acks;
    r.timeout_ms = 10000;
    r.topic_data = &tp;
    r.n_topic_data = 1;
    return kw_msg_encode(KW_API_Produce, version, KW_REQ, &r, out);
}

/* One batch of count records (values prefix-i) into q->batch, sealed. */
static int build(pr *q, int count, const char *prefix, int codec, int64_t pid, int16_t epoch, int32_t seq)
{
    q->batch.len = 0;
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    o.codec = codec;
    kw_batch_writer w;
    if (kw_batch_begin(&w, &q->batch, &o)) return -1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int rc = 0;
    for (int i = 0; i < count && !rc; i++) {
        char v[256];
        int n = snprintf(v, sizeof v, "%s-%d", prefix, i);
        kw_record rec = {.timestamp = now, .key_len = -1, .value = (const uint8_t *)v, .value_len = n};
        rc = kw_batch_append(&w, &rec);
    }
    if (!rc) rc = kw_batch_seal(&w);
    kw_batch_writer_free(&w);
    if (!rc && pid >= 0) kw_batch_set_producer(q->batch.data, q->batch.len, pid, epoch, seq);
    return rc;
}

/* Send q's batch to broker idx: 0 and *base, a Kafka error code, or a local error. */
static int send_batch(kw_net *n, int idx, pr *q, int64_t *base)
{
    static const kw_uuid zero;
    /* Produce v13+ names the topic by id only */
    int16_t vmax = memcmp(&q->id, &zero, sizeof zero) ? -1 : 12;
    kw_conn_req r = {.api_key = KW_API_Produce, .min_version = -1, .max_version = vmax, .encode = encode, .ud = q};
    kw_buf body;
    kw_buf_init(&body);
    int16_t v;
    int e = kw_net_request(n, idx, &r, &body, &v);
    if (!e) {
        kw_arena a;
        kw_arena_init(&a);
        kw_produce_resp resp;
        e = kw_msg_decode(KW_API_Produce, v, KW_RESP, body.data, body.len, &resp, &a, NULL);
        if (!e && resp.n_responses == 1 && resp.responses[0].n_partition_responses == 1) {
            const kw_produce_partition_resp *p = &resp.responses[0].partition_responses[0];
            e = p->error_code;
            *base = p->base_offset;
        } else if (!e) {
            e = KW_ERR_CORRUPT;
        }
        kw_arena_free(&a);
    }
    kw_buf_free(&body);
    return e;
}

static int pid_encode(void *ud, int16_t version, kw_buf *out)
{
    (void)ud;
    kw_initproducerid_req r;
    kw_msg_defaults(KW_API_InitProducerId, KW_REQ, &r);
    r.transactional_id = KW_STR_NULL; /* idempotent, not transactional */
    r.transaction_timeout_ms = 60000;
    return kw_msg_encode(KW_API_InitProducerId, version, KW_REQ, &r, out);
}

/* A new producer id and epoch from InitProducerId. */
static int new_pid(kw_net *n, int64_t *pid, int16_t *epoch)
{
    kw_conn_req r = {.api_key = KW_API_InitProducerId, .min_version = -1, .max_version = -1, .encode = pid_encode};
    kw_buf body;
    kw_buf_init(&body);
    int16_t v;
    int e = kw_net_request_any(n, &r, &body, &v, NULL);
    if (!e) {
        kw_arena a;
        kw_arena_init(&a);
        kw_initproducerid_resp resp;
        e = kw_msg_decode(KW_API_InitProducerId, v, KW_RESP, body.data, body.len, &resp, &a, NULL);
        if (!e) e = resp.error_code;
        *pid = resp.producer_id;
        *epoch = resp.producer_epoch;
        kw_arena_free(&a);
    }
    kw_buf_free(&body);
    return e;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: tool_rawproduce BOOTSTRAP TOPIC PARTITION COUNT PREFIX [--bad-crc] [--codec N]\n"
                        "                       [--seq S[,S...] [--pid ID --epoch E]]\n");
        return 2;
    }
    int bad = 0, codec = KW_CODEC_NONE;
    const char *seqs = NULL;
    int64_t pid = -1;
    int16_t epoch = 0;
    for (int i = 6; i < argc; i++) {
        if (!strcmp(argv[i], "--bad-crc")) bad = 1;
        else if (!strcmp(argv[i], "--codec") && i + 1 < argc) codec = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seq") && i + 1 < argc) seqs = argv[++i];
        else if (!strcmp(argv[i], "--pid") && i + 1 < argc) pid = atoll(argv[++i]);
        else if (!strcmp(argv[i], "--epoch") && i + 1 < argc) epoch = (int16_t)atoi(argv[++i]);
        else { fprintf(stderr, "tool_rawproduce: unknown option %s\n", argv[i]); return 2; }
    }
    pr q = {.topic = argv[2], .partition = atoi(argv[3]), .acks = seqs ? -1 : 1};
    int count = atoi(argv[4]);
    kw_buf_init(&q.batch);

    kw_config *cfg = kw_config_new(KW_ROLE_PRODUCER);
    kw_net *n = kw_net_new(cfg);
    kw_net_add_list(n, argv[1]);
    kw_meta m;
    memset(&m, 0, sizeof m);
    const char *topics[1] = {q.topic};
    int e = kw_meta_fetch(n, topics, 1, 1, &m);
    int idx = e ? e : kw_meta_route(n, &m, q.topic, q.partition);
    if (idx < 0) { fprintf(stderr, "tool_rawproduce: no leader: %s\n", kw_strerror(idx)); return 1; }
    const kw_meta_topic *mt = kw_meta_topic_find(&m, q.topic);
    if (mt) q.id = mt->id;
    int rc = 0;
    int64_t base = -1;
    if (!seqs) {
        if (build(&q, count, argv[5], codec, -1, 0, 0)) { fprintf(stderr, "tool_rawproduce: building the batch failed\n"); return 1; }
        if (bad) q.batch.data[KW_BATCH_CRC_OFFSET + 3] ^= 0x5a; /* flip bits of the stored CRC */
        e = send_batch(n, idx, &q, &base);
        if (e) fprintf(stderr, "tool_rawproduce: Produce: %s (%s)\n", kw_strerror(e), kw_err_name(e));
        else printf("ok %lld\n", (long long)base);
        rc = e ? 1 : 0;
    } else {
        if (pid < 0 && (e = new_pid(n, &pid, &epoch))) {
            fprintf(stderr, "tool_rawproduce: InitProducerId: %s\n", kw_strerror(e));
            return 1;
        }
        for (const char *s = seqs; *s;) {
            char *end;
            long seq = strtol(s, &end, 10);
            char prefix[128];
            snprintf(prefix, sizeof prefix, "%s-s%ld", argv[5], seq);
            if (build(&q, count, prefix, codec, pid, epoch, (int32_t)seq)) return 1;
            e = send_batch(n, idx, &q, &base);
            if (e) { printf("seq %ld: %s\n", seq, kw_err_name(e)); rc = 1; }
            else printf("seq %ld: ok %lld\n", seq, (long long)base);
            fflush(stdout);
            s = *end == ',' ? end + 1 : end;
            if (end == s && *s) break;
        }
    }
    kw_buf_free(&q.batch);
    kw_meta_free(&m);
    kw_net_free(n);
    kw_config_free(cfg);
    return rc;
}
