/*
 * bench/bench_proto.c — speed of the description engine: decode of a 1 MiB Fetch v11
 * response (100-byte records in batches: records stay slices, so this is the message
 * walk), encode of a 1 MiB Produce v11 request, decode of a Metadata v12 response with
 * many topics (the walk where every byte is a field), and annotation speed with a
 * callback that formats each line of text into a reused buffer. Times are CPU time of
 * this process (the machine is shared), decode arenas are reset between messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/batch.h"
#include "proto/msg_fetch.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define NTOPICS 4
#define NPARTS 8
#define BATCH_RECORDS 160 /* ~16 KiB batches of 100-byte values */

/* Record batches of 100-byte records: about `bytes` of them. */
static void make_batches(kw_buf *out, size_t bytes)
{
    uint8_t value[100];
    memset(value, 'v', sizeof value);
    while (out->len < bytes) {
        kw_batch_writer w; kw_batch_opts o; kw_batch_opts_default(&o);
        o.base_offset = (int64_t)out->len;
        if (kw_batch_begin(&w, out, &o)) abort();
        for (int i = 0; i < BATCH_RECORDS; i++) {
            kw_record r; memset(&r, 0, sizeof r);
            r.key_len = -1; r.value = value; r.value_len = 100; r.timestamp = 1700000000000LL + i;
            if (kw_batch_append(&w, &r)) abort();
        }
        if (kw_batch_seal(&w)) abort();
        kw_batch_writer_free(&w);
    }
}

typedef struct fmt { char line[512]; size_t lines, chars; } fmt;
static int fmt_cb(void *ud, const kw_ann *a)
{
    fmt *f = ud;
    int n = snprintf(f->line, sizeof f->line, "%06zx %*s%s (%s) %s\n", a->off, 2 * a->depth, "", a->name,
                     a->type ? a->type : "", a->value ? a->value : "");
    f->lines++;
    f->chars += n > 0 ? (size_t)n : 0;
    return 0;
}

static void report(const char *what, size_t bytes, int iters, double secs, double *rate)
{
    double gbs = (double)bytes * iters / secs / 1e9;
    printf("%-44s %8.3f GB/s  (%zu bytes x %d in %.3f s)\n", what, gbs, bytes, iters, secs);
    if (rate) *rate = gbs;
}

int main(void)
{
    /* ---- a 1 MiB Fetch v11 response ---- */
    kw_buf recs[NTOPICS * NPARTS];
    kw_fetch_partition_resp parts[NTOPICS][NPARTS];
    kw_fetch_topic_resp topics[NTOPICS];
    char names[NTOPICS][16];
    for (int t = 0; t < NTOPICS; t++) {
        snprintf(names[t], sizeof names[t], "topic-%d", t);
        for (int p = 0; p < NPARTS; p++) {
            kw_buf *rb = &recs[t * NPARTS + p];
            kw_buf_init(rb);
            make_batches(rb, (1 << 20) / (NTOPICS * NPARTS) - 200);
            kw_fetch_partition_resp *pr = &parts[t][p];
            memset(pr, 0, sizeof *pr);
            pr->partition_index = p;
            pr->high_watermark = pr->last_stable_offset = 1000000;
            pr->log_start_offset = 0;
            pr->n_aborted_transactions = -1;
            pr->preferred_read_replica = -1;
            pr->records = kw_b(rb->data, rb->len);
        }
        memset(&topics[t], 0, sizeof topics[t]);
        topics[t].topic = kw_s(names[t]);
        topics[t].partitions = parts[t];
        topics[t].n_partitions = NPARTS;
    }
    kw_fetch_resp fr;
    kw_msg_defaults(KW_API_Fetch, KW_RESP, &fr);
    fr.responses = topics; fr.n_responses = NTOPICS;
    kw_buf fb; kw_buf_init(&fb);
    if (kw_msg_encode(KW_API_Fetch, 11, KW_RESP, &fr, &fb)) abort();

    int iters = 0;
    double t0 = now(), secs;
    kw_arena a; kw_arena_init(&a); /* reset between messages, as a consumer loop would */
    do {
        kw_arena_reset(&a);
        kw_fetch_resp d;
        if (kw_msg_decode(KW_API_Fetch, 11, KW_RESP, fb.data, fb.len, &d, &a, NULL)) abort();
        if (d.responses[NTOPICS - 1].partitions[NPARTS - 1].records.len <= 0) abort();
        iters++;
    } while ((secs = now() - t0) < 0.5);
    double fetch_dec;
    report("decode Fetch v11 response (1 MiB)", fb.len, iters, secs, &fetch_dec);
    printf("  %.2f us per decode, %d record-batch slices, 0 copies of record bytes\n", secs / iters * 1e6,
           NTOPICS * NPARTS);

    /* ---- a 1 MiB Produce v11 request ---- */
    kw_produce_partition pp[NTOPICS][NPARTS];
    kw_produce_topic pt[NTOPICS];
    for (int t = 0; t < NTOPICS; t++) {
        for (int p = 0; p < NPARTS; p++) pp[t][p] = (kw_produce_partition){p, parts[t][p].records};
        pt[t] = (kw_produce_topic){.name = kw_s(names[t]), .partition_data = pp[t], .n_partition_data = NPARTS};
    }
    kw_produce_req q = {KW_STR_NULL, -1, 30000, pt, NTOPICS};
    kw_buf pb; kw_buf_init(&pb);
    iters = 0;
    t0 = now();
    do {
        pb.len = 0;
        if (kw_msg_encode(KW_API_Produce, 11, KW_REQ, &q, &pb)) abort();
        iters++;
    } while ((secs = now() - t0) < 0.5);
    report("encode Produce v11 request (1 MiB)", pb.len, iters, secs, NULL);
    /* the floor: one memcpy of the same bytes */
    kw_buf cb; kw_buf_init(&cb);
    if (kw_buf_reserve(&cb, pb.len)) abort();
    iters = 0;
    t0 = now();
    do {
        memcpy(cb.data, pb.data, pb.len);
        __asm__ volatile("" ::"r"(cb.data) : "memory");
        iters++;
    } while ((secs = now() - t0) < 0.5);
    report("  memcpy of the same bytes (reference)", pb.len, iters, secs, NULL);

    /* ---- a Metadata v12 response where every byte is a field ---- */
    enum { MT = 2000, MP = 6 };
    kw_metadata_topic *mt = calloc(MT, sizeof *mt);
    kw_metadata_partition *mp = calloc((size_t)MT * MP, sizeof *mp);
    static int32_t reps[3] = {1, 2, 3};
    static char tnames[MT][24];
    kw_metadata_broker brokers[3] = {{1, kw_s("broker-1.example"), 9092, kw_s("a")},
                                     {2, kw_s("broker-2.example"), 9092, kw_s("b")},
                                     {3, kw_s("broker-3.example"), 9092, kw_s("c")}};
    for (int t = 0; t < MT; t++) {
        snprintf(tnames[t], sizeof tnames[t], "orders.events.%04d", t);
        mt[t].name = kw_s(tnames[t]);
        memset(mt[t].topic_id.b, t + 1, 16);
        mt[t].partitions = mp + (size_t)t * MP; mt[t].n_partitions = MP;
        mt[t].topic_authorized_operations = INT32_MIN;
        for (int p = 0; p < MP; p++) {
            kw_metadata_partition *x = &mp[(size_t)t * MP + p];
            x->partition_index = p; x->leader_id = 1 + p % 3; x->leader_epoch = 7;
            x->replica_nodes = reps; x->n_replica_nodes = 3;
            x->isr_nodes = reps; x->n_isr_nodes = 3;
        }
    }
    kw_metadata_resp mr;
    kw_msg_defaults(KW_API_Metadata, KW_RESP, &mr);
    mr.brokers = brokers; mr.n_brokers = 3;
    mr.cluster_id = kw_s("cluster"); mr.controller_id = 1;
    mr.topics = mt; mr.n_topics = MT;
    kw_buf mb; kw_buf_init(&mb);
    if (kw_msg_encode(KW_API_Metadata, 12, KW_RESP, &mr, &mb)) abort();
    iters = 0;
    t0 = now();
    do {
        kw_arena_reset(&a);
        kw_metadata_resp d;
        if (kw_msg_decode(KW_API_Metadata, 12, KW_RESP, mb.data, mb.len, &d, &a, NULL)) abort();
        iters++;
    } while ((secs = now() - t0) < 0.5);
    report("decode Metadata v12 response (2000 topics)", mb.len, iters, secs, NULL);
    printf("  %.2f us per decode, %.1f ns per partition\n", secs / iters * 1e6,
           secs / iters * 1e9 / (MT * MP));
    iters = 0;
    t0 = now();
    kw_buf eb; kw_buf_init(&eb);
    do {
        eb.len = 0;
        if (kw_msg_encode(KW_API_Metadata, 12, KW_RESP, &mr, &eb)) abort();
        iters++;
    } while ((secs = now() - t0) < 0.5);
    report("encode Metadata v12 response (2000 topics)", eb.len, iters, secs, NULL);

    /* ---- annotation into formatted text ---- */
    fmt f = {{0}, 0, 0};
    iters = 0;
    t0 = now();
    do {
        f.lines = f.chars = 0;
        if (kw_msg_annotate(KW_API_Metadata, 12, KW_RESP, mb.data, mb.len, 0, fmt_cb, &f)) abort();
        iters++;
    } while ((secs = now() - t0) < 0.5);
    printf("%-44s %8.1f MB/s  (%zu lines, %.1f MB of text per pass: %.2f M lines/s)\n",
           "annotate Metadata v12 response", (double)mb.len * iters / secs / 1e6, f.lines, (double)f.chars / 1e6,
           (double)f.lines * iters / secs / 1e6);
    iters = 0;
    t0 = now();
    do {
        f.lines = f.chars = 0;
        if (kw_msg_annotate(KW_API_Fetch, 11, KW_RESP, fb.data, fb.len, 0, fmt_cb, &f)) abort();
        iters++;
    } while ((secs = now() - t0) < 0.5);
    printf("%-44s %8.1f MB/s  (%zu lines, every record, %.1f MB of text per pass: %.2f M lines/s)\n",
           "annotate Fetch v11 response (1 MiB)", (double)fb.len * iters / secs / 1e6, f.lines,
           (double)f.chars / 1e6, (double)f.lines * iters / secs / 1e6);

    for (int i = 0; i < NTOPICS * NPARTS; i++) kw_buf_free(&recs[i]);
    kw_arena_free(&a);
    kw_buf_free(&fb); kw_buf_free(&pb); kw_buf_free(&cb); kw_buf_free(&mb); kw_buf_free(&eb);
    free(mt); free(mp);
    return 0;
}
