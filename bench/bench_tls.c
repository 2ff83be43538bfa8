/*
 * bench/bench_tls.c — what TLS costs kwire's client, against plaintext, through the
 * connection state machine (client/conn) as the producer and the consumer use it:
 *
 *   produce  Produce requests (acks=0) each carrying a 16 KiB record batch of the labs'
 *            92-byte payload by reference (the producer's encoder), taken from the
 *            connection as a socket would
 *            (kw_conn_output_iov + kw_conn_written): with TLS this is where the frames
 *            are encrypted into records
 *   consume  1 MiB Fetch responses of the same batches fed to the connection
 *            (kw_conn_feed): with TLS, decrypted and then framed
 *
 * The broker side (an OpenSSL server over memory BIOs, tests/tls_util.h, or plain byte
 * copying) runs in the same thread but outside the timed calls: only the client's CPU
 * time (CLOCK_THREAD_CPUTIME_ID around the kw_conn_* calls) is counted. Printed: records
 * per CPU second and CPU nanoseconds per record for plaintext and TLS 1.3 (the cipher
 * OpenSSL negotiates, AES-GCM with AES-NI here), and what TLS adds per record. The
 * plaintext connection does little here (framing; records are not parsed), so compare
 * that addition with a client's whole cost per record (README: kwire's produce and
 * consume CPU per record). Argument: a scale factor (default 1: ~100 MiB each way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/lab.h"
#include "client/produce/accum.h"
#include "client/conn/conn.h"
#include "client/produce/producer.h"
#include "client/conn/tls.h"
#include "codec/batch.h"
#include "proto/desc.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"
#include "tests/tls_util.h"

#define BATCH_RECORDS 160  /* ~16 KiB batches */
#define FETCH_BYTES (1u << 20)

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double client_cpu; /* accumulated inside the kw_conn_* calls */

/* The broker end: plaintext in (requests) and out (responses), through TLS or not. */
typedef struct broker {
    int tls;
    tu_server sv;
    kw_buf in;
    uint8_t *cbuf;
    size_t ccap;
} broker;

/* Ciphertext (or plaintext) the client wrote. */
static void broker_take(broker *b, const kw_conn_iov *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (!b->tls) {
            kw_buf_put(&b->in, v[i].p, v[i].len);
            continue;
        }
        tu_server_in(&b->sv, v[i].p, v[i].len);
    }
    if (b->tls) {
        tu_server_step(&b->sv);
        uint8_t pt[16384];
        size_t got;
        while (b->sv.done && SSL_read_ex(b->sv.ssl, pt, sizeof pt, &got) == 1) kw_buf_put(&b->in, pt, got);
    }
}

/* Send plaintext to the client (TLS: encrypted first, outside the timing). */
static void broker_send(broker *b, kw_conn *c, const uint8_t *p, size_t n)
{
    const uint8_t *q = p;
    size_t qn = n;
    if (b->tls) {
        size_t w;
        if (n && SSL_write_ex(b->sv.ssl, p, n, &w) != 1) abort();
        qn = tu_server_out(&b->sv, &b->cbuf, &b->ccap);
        q = b->cbuf;
    }
    if (!qn) return;
    double t0 = cpu();
    kw_conn_feed(c, 0, q, qn);
    client_cpu += cpu() - t0;
}

/* The client's output, all of it, to the broker. */
static void flush_client(broker *b, kw_conn *c)
{
    for (;;) {
        kw_conn_iov v[64];
        size_t tot;
        double t0 = cpu();
        int n = kw_conn_output_iov(c, v, 64, &tot);
        client_cpu += cpu() - t0;
        if (n <= 0 || !tot) return;
        broker_take(b, v, n);
        t0 = cpu();
        kw_conn_written(c, 0, tot);
        client_cpu += cpu() - t0;
        if (b->tls) { /* the server's handshake answers */
            size_t m = tu_server_out(&b->sv, &b->cbuf, &b->ccap);
            if (m) {
                t0 = cpu();
                kw_conn_feed(c, 0, b->cbuf, m);
                client_cpu += cpu() - t0;
            }
        }
    }
}

/* Complete request frames the broker holds: (api, version, correlation id) of each. */
typedef struct hdr { int16_t api, ver; int32_t corr; } hdr;
static int next_request(broker *b, hdr *h)
{
    int32_t size;
    if (kw_frame_size_peek(b->in.data, b->in.len, &size) || size < 0) return 0;
    size_t sz = (size_t)size;
    if (b->in.len - 4 < sz) return 0;
    kw_req_header rh;
    size_t hl;
    if (kw_req_header_decode(b->in.data + 4, sz, &rh, &hl)) abort();
    h->api = rh.api_key;
    h->ver = rh.api_version;
    h->corr = rh.correlation_id;
    memmove(b->in.data, b->in.data + 4 + sz, b->in.len - 4 - sz);
    b->in.len -= 4 + sz;
    return 1;
}

static void make_batches(kw_buf *out, size_t bytes, size_t *records)
{
    while (out->len < bytes) {
        kw_batch_writer w;
        kw_batch_opts o;
        kw_batch_opts_default(&o);
        if (kw_batch_begin(&w, out, &o)) abort();
        for (int i = 0; i < BATCH_RECORDS; i++) {
            kw_record r;
            memset(&r, 0, sizeof r);
            r.key_len = -1;
            r.value = (const uint8_t *)KW_LAB_PAYLOAD;
            r.value_len = KW_LAB_PAYLOAD_LEN;
            r.timestamp = 1700000000000LL + i;
            if (kw_batch_append(&w, &r)) abort();
        }
        if (kw_batch_seal(&w)) abort();
        kw_batch_writer_free(&w);
        *records += BATCH_RECORDS;
    }
}

static kw_buf g_batch; /* one 16 KiB batch */

static kw_pbatch g_pb; /* g_batch as the producer holds it */

/* The producer's own encoder: the batch referred to, not copied */
static int enc_produce(void *ud, int16_t v, kw_buf *out, kw_conn_refs *refs)
{
    (void)ud;
    static const char *const topic[1] = {"test-topic"};
    static const kw_uuid id[1] = {{{1}}}; /* named by id from v13 */
    kw_pbatch *const pb[1] = {&g_pb};
    return kw__produce_encode(out, refs, v, 0, 30000, topic, id, pb, 1);
}

static int enc_fetch(void *ud, int16_t v, kw_buf *out)
{
    (void)ud;
    kw_fetch_req q;
    kw_msg_defaults(KW_API_Fetch, KW_REQ, &q);
    q.rack_id = kw_s("");
    return kw_msg_encode(KW_API_Fetch, v, KW_REQ, &q, out);
}

static int g_done;
static void done_cb(void *ud, int err, const kw_conn_resp *r)
{
    (void)ud;
    (void)r;
    if (err) {
        fprintf(stderr, "bench_tls: request failed: %s\n", kw_strerror(err));
        exit(1);
    }
    g_done++;
}

typedef struct result { double produce_cpu, consume_cpu; size_t produce_records, consume_records; } result;

static result run(int tls, kw_tls_ctx *cx, SSL_CTX *sx, int produce_batches, int fetches)
{
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.name = "bench";
    o.host = "localhost";
    o.max_in_flight = 5;
    o.tls = tls ? cx : NULL;
    kw_conn *c = kw_conn_new(&o);
    broker b = {.tls = tls};
    kw_buf_init(&b.in);
    if (tls) tu_server_start(&b.sv, sx);
    kw_conn_request_connect(c);
    kw_conn_connecting(c, 0);
    kw_conn_connected(c, 0);
    /* handshake and ApiVersions */
    kw_buf resp;
    kw_buf_init(&resp);
    for (int i = 0; i < 20 && kw_conn_state_get(c) != KW_CONN_READY; i++) {
        flush_client(&b, c);
        hdr h;
        while (next_request(&b, &h)) {
            kw_apiversions_key keys[] = {{KW_API_Produce, 3, 12}, {KW_API_Fetch, 4, 17}, {KW_API_ApiVersions, 0, 4}};
            kw_apiversions_resp r;
            kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
            r.api_keys = keys;
            r.n_api_keys = 3;
            resp.len = 0;
            kw_response_encode(&resp, h.api, h.ver, h.corr, &r);
            broker_send(&b, c, resp.data, resp.len);
        }
    }
    if (kw_conn_state_get(c) != KW_CONN_READY) {
        fprintf(stderr, "bench_tls: no connection: %s\n", kw_conn_last_error(c));
        exit(1);
    }
    result res = {0};
    /* produce: acks=0 requests, each a batch by reference */
    client_cpu = 0;
    g_done = 0;
    for (int i = 0; i < produce_batches; i++) {
        kw_conn_req q = {.api_key = KW_API_Produce, .min_version = -1, .max_version = -1, .no_response = 1,
                         .encode_ref = enc_produce, .done = done_cb};
        double t0 = cpu();
        kw_conn_submit(c, &q, 0);
        client_cpu += cpu() - t0;
        flush_client(&b, c);
        b.in.len = 0; /* the broker reads and forgets */
    }
    if (g_done != produce_batches) abort();
    res.produce_cpu = client_cpu;
    res.produce_records = (size_t)produce_batches * BATCH_RECORDS;
    /* consume: 1 MiB Fetch responses */
    kw_buf batches;
    kw_buf_init(&batches);
    size_t per_fetch = 0;
    make_batches(&batches, FETCH_BYTES, &per_fetch);
    client_cpu = 0;
    g_done = 0;
    for (int i = 0; i < fetches; i++) {
        kw_conn_req q = {.api_key = KW_API_Fetch, .min_version = -1, .max_version = -1, .encode = enc_fetch,
                         .done = done_cb};
        kw_conn_submit(c, &q, 0);
        flush_client(&b, c);
        hdr h;
        if (!next_request(&b, &h)) abort();
        kw_fetch_partition_resp fp;
        kw_fetch_topic_resp ft;
        kw_fetch_resp fr;
        kw_msg_defaults(KW_API_Fetch, KW_RESP, &fr);
        memset(&fp, 0, sizeof fp);
        fp.last_stable_offset = fp.log_start_offset = -1;
        fp.preferred_read_replica = -1;
        fp.n_aborted_transactions = -1;
        fp.diverging_epoch.epoch = -1;
        fp.diverging_epoch.end_offset = -1;
        fp.current_leader.leader_id = fp.current_leader.leader_epoch = -1;
        fp.snapshot_id.end_offset = -1;
        fp.snapshot_id.epoch = -1;
        fp.records = kw_b(batches.data, batches.len);
        memset(&ft, 0, sizeof ft);
        ft.topic = kw_s("test-topic");
        ft.partitions = &fp;
        ft.n_partitions = 1;
        fr.responses = &ft;
        fr.n_responses = 1;
        resp.len = 0;
        if (kw_response_encode(&resp, KW_API_Fetch, h.ver, h.corr, &fr)) abort();
        broker_send(&b, c, resp.data, resp.len);
    }
    if (g_done != fetches) abort();
    res.consume_cpu = client_cpu;
    res.consume_records = (size_t)fetches * per_fetch;
    if (tls) tu_server_stop(&b.sv);
    free(b.cbuf);
    kw_buf_free(&b.in);
    kw_buf_free(&resp);
    kw_buf_free(&batches);
    kw_conn_free(c);
    return res;
}

static void line(const char *dir, const char *mode, size_t recs, double secs)
{
    printf("  %-8s %-10s %10zu records  %8.3f s CPU  %12.0f records/s  %7.1f ns/record\n", dir, mode, recs, secs,
           (double)recs / secs, secs * 1e9 / (double)recs);
}

int main(int argc, char **argv)
{
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    if (scale < 1) scale = 1;
    size_t n = 0;
    make_batches(&g_batch, 1, &n); /* one batch */
    g_pb.buf = g_batch;
    tu_cert ca = tu_make("bench CA", NULL, 1, NULL, -3600, 86400);
    tu_cert srv = tu_make("broker", &ca, 0, "DNS:localhost", -3600, 86400);
    SSL_CTX *sx = tu_server_ctx(&srv, NULL, 0, 0, NULL);
    kw_tls_opts to = {.verify_peer = 0};
    kw_tls_ctx *cx = kw_tls_ctx_new(&to, NULL, 0);
    int batches = 6000 * scale, fetches = 100 * scale; /* ~100 MiB each way */
    printf("bench_tls: client CPU through client/conn, %d produce requests of one %zu-byte batch (%d records of "
           "%d bytes), %d Fetch responses of %u KiB\n",
           batches, g_batch.len, BATCH_RECORDS, KW_LAB_PAYLOAD_LEN, fetches, FETCH_BYTES >> 10);
    result best[2];
    for (int t = 0; t < 2; t++) {
        /* best of three (a shared machine): the least CPU each way */
        for (int k = 0; k < 3; k++) {
            result r = run(t, cx, sx, batches, fetches);
            if (!k || r.produce_cpu < best[t].produce_cpu) { best[t].produce_cpu = r.produce_cpu; best[t].produce_records = r.produce_records; }
            if (!k || r.consume_cpu < best[t].consume_cpu) { best[t].consume_cpu = r.consume_cpu; best[t].consume_records = r.consume_records; }
        }
    }
    line("produce", "plaintext", best[0].produce_records, best[0].produce_cpu);
    line("produce", "TLSv1.3", best[1].produce_records, best[1].produce_cpu);
    line("consume", "plaintext", best[0].consume_records, best[0].consume_cpu);
    line("consume", "TLSv1.3", best[1].consume_records, best[1].consume_cpu);
    /* the connection's plaintext work is small (framing, iovecs: records are not parsed
     * here), so the difference is what TLS adds to a client's whole cost per record */
    double pa = best[1].produce_cpu / best[1].produce_records - best[0].produce_cpu / best[0].produce_records;
    double cadd = best[1].consume_cpu / best[1].consume_records - best[0].consume_cpu / best[0].consume_records;
    double pbytes = (double)g_batch.len / BATCH_RECORDS;
    printf("  TLS adds per record: produce %.1f ns (%.0f MB/s of batches encrypted), consume %.1f ns (%.0f MB/s "
           "decrypted)\n",
           pa * 1e9, pbytes / pa / 1e6, cadd * 1e9, pbytes / cadd / 1e6);
    kw_tls_ctx_free(cx);
    SSL_CTX_free(sx);
    tu_free(&ca);
    tu_free(&srv);
    kw_buf_free(&g_batch);
    return 0;
}
