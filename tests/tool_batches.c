/*
 * tests/tool_batches.c — read every record of a topic with raw Fetch requests and print,
 * one line per record, the producer fields of the batch that holds it, so a test can
 * check what a sequence-checking broker would keep (tests/integ_faults.sh).
 *
 *   tool_batches BOOTSTRAP TOPIC
 *
 * Output lines: "PARTITION OFFSET PRODUCER_ID EPOCH SEQUENCE VALUE", where SEQUENCE is
 * the batch's base sequence plus the record's offset delta (-1 when the batch carries no
 * sequence). Partitions are read from their log start to their high watermark, CRCs
 * checked. Exit 0 when every partition was read to its end; a message and exit 1 else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/config.h"
#include "client/conn/metadata.h"
#include "client/conn/net.h"
#include "client/admin/offsets.h"
#include "codec/batch.h"
#include "proto/msg_fetch.h"
#include "proto/proto.h"

typedef struct fq {
    const char *topic;
    int32_t partition;
    int64_t offset;
} fq;

static int encode(void *ud, int16_t version, kw_buf *out)
{
    fq *q = ud;
    kw_fetch_req r;
    kw_msg_defaults(KW_API_Fetch, KW_REQ, &r);
    kw_fetch_partition fp = {.partition = q->partition, .current_leader_epoch = -1, .fetch_offset = q->offset,
                             .last_fetched_epoch = -1, .log_start_offset = -1, .partition_max_bytes = 1 << 22};
    kw_fetch_topic ft = {.topic = kw_s(q->topic), .partitions = &fp, .n_partitions = 1};
    r.replica_id = -1;
    r.max_wait_ms = 10;
    r.min_bytes = 1;
    r.max_bytes = 1 << 24;
    r.session_id = 0;
    r.session_epoch = -1;
    r.rack_id = kw_s("");
    r.topics = &ft;
    r.n_topics = 1;
    return kw_msg_encode(KW_API_Fetch, version, KW_REQ, &r, out);
}

/* Print the records of one fetched record set at or after q->offset; advance q->offset. */
static int print_set(fq *q, const uint8_t *p, size_t len, kw_buf *scratch)
{
    kw_rd rd;
    kw_rd_init(&rd, p, len);
    kw_batch_reader_opts o = {.check_crc = 1, .max_decompressed = 0};
    kw_batch b;
    int e;
    while ((e = kw_batch_next(&rd, &b, scratch, &o)) == 1) {
        kw_record_iter it;
        kw_record rec;
        kw_record_iter_init(&it, &b);
        while ((e = kw_record_iter_next(&it, &rec)) == 1) {
            int64_t off = rec.offset;
            if (off < q->offset) continue;
            long long seq = b.base_sequence < 0 ? -1 : (long long)b.base_sequence + (off - b.base_offset);
            printf("%d %lld %lld %d %lld %.*s\n", q->partition, (long long)off, (long long)b.producer_id,
                   b.producer_epoch, seq, rec.value_len > 0 ? (int)rec.value_len : 0,
                   rec.value_len > 0 ? (const char *)rec.value : "");
        }
        if (e < 0) return e;
        if (b.base_offset + b.last_offset_delta + 1 > q->offset) q->offset = b.base_offset + b.last_offset_delta + 1;
    }
    return e == KW_ERR_INCOMPLETE ? 0 : e;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tool_batches BOOTSTRAP TOPIC\n");
        return 2;
    }
    kw_config *cfg = kw_config_new(KW_ROLE_CONSUMER);
    kw_net *n = kw_net_new(cfg);
    kw_net_add_list(n, argv[1]);
    kw_meta m;
    memset(&m, 0, sizeof m);
    const char *topics[1] = {argv[2]};
    int rc = 1;
    kw_buf body, scratch;
    kw_buf_init(&body);
    kw_buf_init(&scratch);
    kw_tpo_list lo, hi;
    kw_tpo_init(&lo);
    kw_tpo_init(&hi);
    int e = kw_meta_fetch(n, topics, 1, 0, &m);
    const kw_meta_topic *t = e ? NULL : kw_meta_topic_find(&m, argv[2]);
    if (!t || !t->nparts) {
        fprintf(stderr, "tool_batches: topic %s: %s\n", argv[2], kw_strerror(e ? e : KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION));
        goto out;
    }
    for (int32_t i = 0; i < t->nparts && !e; i++) {
        e = kw_tpo_add(&lo, argv[2], t->parts[i].partition, -1);
        if (!e) e = kw_tpo_add(&hi, argv[2], t->parts[i].partition, -1);
    }
    if (!e) e = kw_list_offsets(n, &m, &lo, KW_TS_EARLIEST, 0, NULL);
    if (!e) e = kw_list_offsets(n, &m, &hi, KW_TS_LATEST, 0, NULL);
    if (e) {
        fprintf(stderr, "tool_batches: ListOffsets: %s\n", kw_strerror(e));
        goto out;
    }
    for (size_t i = 0; i < lo.n; i++) {
        fq q = {argv[2], lo.v[i].partition, lo.v[i].offset};
        int idx = kw_meta_route(n, &m, q.topic, q.partition);
        if (idx < 0) {
            fprintf(stderr, "tool_batches: %s [%d]: no leader\n", q.topic, q.partition);
            goto out;
        }
        while (q.offset < hi.v[i].offset) {
            kw_conn_req r = {.api_key = KW_API_Fetch, .min_version = 4, .max_version = 11, .encode = encode, .ud = &q};
            int16_t v;
            body.len = 0;
            e = kw_net_request(n, idx, &r, &body, &v);
            kw_arena a;
            kw_arena_init(&a);
            kw_fetch_resp resp;
            if (!e) e = kw_msg_decode(KW_API_Fetch, v, KW_RESP, body.data, body.len, &resp, &a, NULL);
            if (!e) e = resp.error_code;
            if (!e && (resp.n_responses != 1 || resp.responses[0].n_partitions != 1)) e = KW_ERR_CORRUPT;
            if (!e) e = resp.responses[0].partitions[0].error_code;
            int64_t before = q.offset;
            if (!e) {
                kw_bytes recs = resp.responses[0].partitions[0].records;
                if (recs.len > 0) e = print_set(&q, recs.p, (size_t)recs.len, &scratch);
                if (!e && q.offset == before) e = KW_ERR_CORRUPT; /* no progress */
            }
            kw_arena_free(&a);
            if (e) {
                fprintf(stderr, "tool_batches: %s [%d] at offset %lld: %s\n", q.topic, q.partition,
                        (long long)q.offset, kw_strerror(e));
                goto out;
            }
        }
    }
    rc = 0;
out:
    fflush(stdout);
    kw_tpo_free(&lo);
    kw_tpo_free(&hi);
    kw_buf_free(&body);
    kw_buf_free(&scratch);
    kw_meta_free(&m);
    kw_net_free(n);
    kw_config_free(cfg);
    return rc;
}
