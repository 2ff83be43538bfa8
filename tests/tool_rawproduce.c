/*
 * tests/tool_rawproduce.c — produce one record batch with a raw Produce request built
 * by kwire's own encoder, optionally with its CRC-32C flipped (the mock broker stores
 * batches as given), for the consumer's integration tests.
 *
 *   tool_rawproduce BOOTSTRAP TOPIC PARTITION COUNT PREFIX [--bad-crc] [--codec N]
 *
 * Values are PREFIX-0 .. PREFIX-(COUNT-1), keys null. Prints "ok BASE_OFFSET" and exits
 * 0 when the broker accepted the batch; a message and exit 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/config.h"
#include "client/metadata.h"
#include "client/net.h"
#include "codec/batch.h"
#include "codec/compress.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"

typedef struct pr {
    const char *topic;
    int32_t partition;
    kw_buf batch;
} pr;

static int encode(void *ud, int16_t version, kw_buf *out)
{
    pr *q = ud;
    kw_produce_req r;
    kw_msg_defaults(KW_API_Produce, KW_REQ, &r);
    kw_produce_partition pp = {.index = q->partition, .records = kw_b(q->batch.data, q->batch.len)};
    kw_produce_topic tp = {.name = kw_s(q->topic), .partition_data = &pp, .n_partition_data = 1};
    r.transactional_id = KW_STR_NULL;
    r.acks = 1;
    r.timeout_ms = 10000;
    r.topic_data = &tp;
    r.n_topic_data = 1;
    return kw_msg_encode(KW_API_Produce, version, KW_REQ, &r, out);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: tool_rawproduce BOOTSTRAP TOPIC PARTITION COUNT PREFIX [--bad-crc] [--codec N]\n");
        return 2;
    }
    int bad = 0, codec = KW_CODEC_NONE;
    for (int i = 6; i < argc; i++) {
        if (!strcmp(argv[i], "--bad-crc")) bad = 1;
        else if (!strcmp(argv[i], "--codec") && i + 1 < argc) codec = atoi(argv[++i]);
        else { fprintf(stderr, "tool_rawproduce: unknown option %s\n", argv[i]); return 2; }
    }
    pr q = {.topic = argv[2], .partition = atoi(argv[3])};
    int count = atoi(argv[4]);
    kw_buf_init(&q.batch);
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    o.codec = codec;
    kw_batch_writer w;
    if (kw_batch_begin(&w, &q.batch, &o)) return 1;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    for (int i = 0; i < count; i++) {
        char v[256];
        int n = snprintf(v, sizeof v, "%s-%d", argv[5], i);
        kw_record rec = {.timestamp = now, .key_len = -1, .value = (const uint8_t *)v, .value_len = n};
        if (kw_batch_append(&w, &rec)) { fprintf(stderr, "tool_rawproduce: append failed\n"); return 1; }
    }
    if (kw_batch_seal(&w)) { fprintf(stderr, "tool_rawproduce: seal failed\n"); return 1; }
    kw_batch_writer_free(&w);
    if (bad) q.batch.data[KW_BATCH_CRC_OFFSET + 3] ^= 0x5a; /* flip bits of the stored CRC */

    kw_config *cfg = kw_config_new(KW_ROLE_PRODUCER);
    kw_net *n = kw_net_new(cfg);
    kw_net_add_list(n, argv[1]);
    kw_meta m;
    memset(&m, 0, sizeof m);
    const char *topics[1] = {q.topic};
    int e = kw_meta_fetch(n, topics, 1, 1, &m);
    int idx = e ? e : kw_meta_route(n, &m, q.topic, q.partition);
    if (idx < 0) { fprintf(stderr, "tool_rawproduce: no leader: %s\n", kw_strerror(idx)); return 1; }
    kw_conn_req r = {.api_key = KW_API_Produce, .min_version = -1, .max_version = -1, .encode = encode, .ud = &q};
    kw_buf body;
    kw_buf_init(&body);
    int16_t v;
    e = kw_net_request(n, idx, &r, &body, &v);
    int rc = 1;
    if (e) {
        fprintf(stderr, "tool_rawproduce: Produce: %s\n", kw_strerror(e));
    } else {
        kw_arena a;
        kw_arena_init(&a);
        kw_produce_resp resp;
        e = kw_msg_decode(KW_API_Produce, v, KW_RESP, body.data, body.len, &resp, &a, NULL);
        if (!e && resp.n_responses == 1 && resp.responses[0].n_partition_responses == 1) {
            const kw_produce_partition_resp *p = &resp.responses[0].partition_responses[0];
            if (p->error_code) fprintf(stderr, "tool_rawproduce: %s\n", kw_strerror(p->error_code));
            else { printf("ok %lld\n", (long long)p->base_offset); rc = 0; }
        } else {
            fprintf(stderr, "tool_rawproduce: bad Produce response: %s\n", kw_strerror(e));
        }
        kw_arena_free(&a);
    }
    kw_buf_free(&body);
    kw_buf_free(&q.batch);
    kw_meta_free(&m);
    kw_net_free(n);
    kw_config_free(cfg);
    return rc;
}
