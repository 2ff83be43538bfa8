/*
 * tests/tool_bad_broker.c — a one-broker cluster that answers correctly until the
 * exchange under test, then answers it with one chosen defect (tests/integ_badinput.sh).
 *
 *   tool_bad_broker FAULT [metadata]
 *   tool_bad_broker --corpus DIR   writes the small malformed inputs for the fuzz corpora
 *                                  (DIR/batch-crc, batch-codec, batch-bomb: the bomb with
 *                                  2 MiB of zeros, above fuzz_batch's 1 MiB cap;
 *                                  DIR/resp-metadata-v9-as-v1: fuzz_proto_resp's input)
 *
 * Prints "127.0.0.1:PORT" on stdout once listening and serves until killed. The
 * cluster: node 1 (itself); topic "t", one partition led by node 1; any other topic
 * named in a Metadata request gets UNKNOWN_TOPIC_OR_PARTITION (a broker with
 * auto.create.topics.enable=false). Versions advertised: ApiVersions 0-2, Metadata 0-2
 * (0-1 for FAULT version), ListOffsets 1-3, Fetch 4-11, Produce 3-8, InitProducerId 0-1
 * (all non-flexible: every body below is the classic encoding).
 *
 * The log of t/0: offsets 0-2 and 3-4 in two good uncompressed batches (values
 * "v0".."v4"), high watermark 10 (so `consume -e` keeps fetching). ListOffsets: earliest
 * 0, latest 10. A Fetch at offset < 5 gets the two good batches (plus the bad batch for
 * the batch faults); a Fetch at 5 or later gets the frame faults, or an empty answer.
 * Produce: every request gets the frame fault (or, without one, offsets from 0 on).
 *
 * FAULT (what is wrong on the wire):
 *   none        nothing
 *   big         the answer's int32 size is 104857601 (kwire.max.response.bytes + 1),
 *               followed by a few bytes; the connection stays open
 *   truncated   the first half of a correct answer frame, then the connection closed
 *   truncated-once   the same for the first Fetch at offset >= 5 only; later whole
 *   correlation a correct answer carrying correlation id (request's + 1000)
 *   crc         batch 5-9 after the good ones, its CRC-32C field flipped
 *   bomb        batch 5-9 gzip-compressed (attributes 1): 80 MiB of zeros (80 KiB on the
 *               wire, built at start-up), above kwire.decompress.max.bytes (64 MiB)
 *   codec       batch 5-9 with codec id 5 in its attributes (only 0-4 exist); CRC valid
 *   version     Metadata advertised 0-1; each Metadata request (v1) is answered in
 *               v9's encoding (response header v1 with tagged fields, compact arrays
 *               and strings, throttle time first): a broker answering a version it was
 *               not asked for. A Kafka response does not name its version, so the
 *               client can only find out by the body not decoding at the version asked.
 * Frame faults (big, truncated, truncated-once, correlation) hit Fetch at offset >= 5
 * and every Produce, or with `metadata` every Metadata answer instead; version hits
 * Metadata. Requests this broker does not expect close
 * the connection with a message on stderr.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec/batch.h"
#include "codec/compress.h"
#include "codec/crc32c.h"
#include "proto/msg_apiversions.h"
#include "proto/msg_fetch.h"
#include "proto/msg_initproducerid.h"
#include "proto/msg_listoffsets.h"
#include "proto/msg_metadata.h"
#include "proto/msg_produce.h"
#include "proto/proto.h"
#include "tests/scripted_broker.h"

enum { F_NONE, F_BIG, F_TRUNC, F_TRUNC_ONCE, F_CORR, F_CRC, F_BOMB, F_CODEC, F_VERSION };
static const char *const fault_names[] = {"none", "big", "truncated", "truncated-once", "correlation",
                                          "crc", "bomb", "codec", "version"};

#define LOG_END 10
static size_t g_bomb_bytes = 80u << 20;

static int g_fault;
static int g_on_metadata; /* frame faults hit Metadata instead of Fetch and Produce */
static int g_port;
static int g_trunc_done;
static kw_buf g_good;  /* batches 0-2, 3-4 */
static kw_buf g_bad;   /* batch 5-9 for the batch faults */
static int64_t g_produce_next;

/* An uncompressed batch of n records "v<offset>" at base. */
static void good_batch(kw_buf *out, int64_t base, int n)
{
    kw_batch_opts o;
    kw_batch_opts_default(&o);
    o.base_offset = base;
    kw_batch_writer w;
    if (kw_batch_begin(&w, out, &o)) exit(1);
    for (int i = 0; i < n; i++) {
        char v[16];
        int len = snprintf(v, sizeof v, "v%lld", (long long)(base + i));
        kw_record r = {.timestamp = 1000 + base + i, .key_len = -1, .value = (const uint8_t *)v, .value_len = len};
        if (kw_batch_append(&w, &r)) exit(1);
    }
    if (kw_batch_seal(&w)) exit(1);
    kw_batch_writer_free(&w);
}

/* A batch from its parts (codec/batch.h layout, magic 2):
 *   int64 baseOffset, int32 batchLength, int32 partitionLeaderEpoch, int8 magic,
 *   uint32 crc (CRC-32C of attributes..end), int16 attributes, int32 lastOffsetDelta,
 *   int64 baseTimestamp, int64 maxTimestamp, int64 producerId, int16 producerEpoch,
 *   int32 baseSequence, int32 recordCount, records (compressed when the codec says so) */
static void raw_batch(kw_buf *out, int64_t base, int n, int16_t attributes, const uint8_t *recs, size_t len)
{
    size_t start = out->len;
    kw_buf_i64(out, base);
    kw_buf_i32(out, (int32_t)(KW_BATCH_HEADER_SIZE - KW_BATCH_OVERHEAD_LEN + len));
    kw_buf_i32(out, -1);
    kw_buf_i8(out, 2);
    kw_buf_i32(out, 0);
    kw_buf_i16(out, attributes);
    kw_buf_i32(out, n - 1);
    kw_buf_i64(out, 1000 + base);
    kw_buf_i64(out, 1000 + base + n - 1);
    kw_buf_i64(out, -1);
    kw_buf_i16(out, -1);
    kw_buf_i32(out, -1);
    kw_buf_i32(out, n);
    kw_buf_put(out, recs, len);
    if (out->err) exit(1);
    uint8_t *b = out->data + start;
    kw_be32(b + KW_BATCH_CRC_OFFSET, kw_crc32c(0, b + KW_BATCH_ATTR_OFFSET, out->len - start - KW_BATCH_ATTR_OFFSET));
}

static void build_log(void)
{
    kw_buf_init(&g_good);
    kw_buf_init(&g_bad);
    good_batch(&g_good, 0, 3);
    good_batch(&g_good, 3, 2);
    if (g_fault == F_CRC) {
        good_batch(&g_bad, 5, 5);
        g_bad.data[KW_BATCH_CRC_OFFSET] ^= 0xff;
    } else if (g_fault == F_CODEC) {
        /* the records of a plain batch 5-9, under codec id 5 */
        kw_buf plain;
        kw_buf_init(&plain);
        good_batch(&plain, 5, 5);
        raw_batch(&g_bad, 5, 5, 5, plain.data + KW_BATCH_HEADER_SIZE, plain.len - KW_BATCH_HEADER_SIZE);
        kw_buf_free(&plain);
    } else if (g_fault == F_BOMB) {
        uint8_t *zeros = calloc(1, g_bomb_bytes);
        kw_buf z;
        kw_buf_init(&z);
        if (!zeros || kw_compress(KW_CODEC_GZIP, 9, zeros, g_bomb_bytes, &z)) exit(1);
        free(zeros);
        raw_batch(&g_bad, 5, 5, KW_CODEC_GZIP, z.data, z.len);
        kw_buf_free(&z);
    }
}

static int str_is(kw_str s, const char *c)
{
    return s.len >= 0 && (size_t)s.len == strlen(c) && !memcmp(s.p, c, (size_t)s.len);
}

static int frame_fault(void) { return g_fault == F_BIG || g_fault == F_TRUNC || g_fault == F_TRUNC_ONCE || g_fault == F_CORR; }

/* Send out (a whole answer frame for correlation id corr) with the frame fault, if any.
 * Returns 1 when the connection must be closed. */
static int send_faulty(int fd, kw_buf *out, int32_t corr)
{
    if (g_fault == F_BIG) {
        uint8_t hdr[8];
        kw_be32(hdr, 104857601u);
        kw_be32(hdr + 4, (uint32_t)corr);
        sb_write(fd, hdr, sizeof hdr);
        return 0;
    }
    if (g_fault == F_TRUNC || (g_fault == F_TRUNC_ONCE && !g_trunc_done)) {
        g_trunc_done = 1;
        sb_write(fd, out->data, out->len / 2);
        return 1;
    }
    if (g_fault == F_CORR) kw_be32(out->data + 4, (uint32_t)(corr + 1000));
    sb_reply(fd, out);
    return 0;
}

static int serve_fetch(int fd, const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_fetch_req q;
    if (kw_msg_decode(KW_API_Fetch, h->api_version, KW_REQ, body, bl, &q, &a, NULL) || q.n_topics != 1 ||
        q.topics[0].n_partitions != 1 || !str_is(q.topics[0].topic, "t")) {
        fprintf(stderr, "tool_bad_broker: unexpected Fetch\n");
        kw_arena_free(&a);
        return 1;
    }
    int64_t want = q.topics[0].partitions[0].fetch_offset;
    kw_arena_free(&a);
    kw_buf recs;
    kw_buf_init(&recs);
    if (want < 5) {
        kw_buf_put(&recs, g_good.data, g_good.len);
        kw_buf_put(&recs, g_bad.data, g_bad.len);
    } else if (!frame_fault() || g_on_metadata || (g_fault == F_TRUNC_ONCE && g_trunc_done)) {
        usleep(100 * 1000); /* nothing new: hold the fetch a little, as a broker would */
        if (want == 5 && g_fault == F_TRUNC_ONCE) good_batch(&recs, 5, 5);
    } else {
        good_batch(&recs, 5, 5);
    }
    kw_fetch_partition_resp pr;
    memset(&pr, 0, sizeof pr);
    pr.high_watermark = LOG_END;
    pr.last_stable_offset = LOG_END;
    pr.log_start_offset = 0;
    pr.n_aborted_transactions = -1;
    pr.preferred_read_replica = -1;
    pr.records = kw_b(recs.data ? recs.data : (const uint8_t *)"", recs.len);
    kw_fetch_topic_resp tr;
    memset(&tr, 0, sizeof tr);
    tr.topic = kw_s("t");
    tr.partitions = &pr;
    tr.n_partitions = 1;
    kw_fetch_resp r;
    kw_msg_defaults(KW_API_Fetch, KW_RESP, &r);
    r.responses = &tr;
    r.n_responses = 1;
    int e = kw_response_encode(out, KW_API_Fetch, h->api_version, h->correlation_id, &r);
    kw_buf_free(&recs);
    if (e) return 1;
    if (want >= 5 && frame_fault() && !g_on_metadata) {
        int close_it = send_faulty(fd, out, h->correlation_id);
        out->len = 0;
        return close_it;
    }
    return 0;
}

static int serve_produce(int fd, const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_produce_req q;
    if (kw_msg_decode(KW_API_Produce, h->api_version, KW_REQ, body, bl, &q, &a, NULL) || q.n_topic_data != 1 ||
        q.topic_data[0].n_partition_data != 1) {
        fprintf(stderr, "tool_bad_broker: unexpected Produce\n");
        kw_arena_free(&a);
        return 1;
    }
    const kw_produce_partition *pd = &q.topic_data[0].partition_data[0];
    int32_t n = pd->records.len >= KW_BATCH_HEADER_SIZE ? (int32_t)kw_ld32(pd->records.p + 57) : 0;
    kw_produce_partition_resp pr;
    memset(&pr, 0, sizeof pr);
    pr.index = pd->index;
    pr.base_offset = g_produce_next;
    pr.log_append_time_ms = -1;
    pr.log_start_offset = 0;
    pr.error_message = KW_STR_NULL;
    pr.current_leader.leader_id = -1;
    pr.current_leader.leader_epoch = -1;
    kw_produce_topic_resp tr = {.name = q.topic_data[0].name, .partition_responses = &pr, .n_partition_responses = 1};
    kw_produce_resp r;
    kw_msg_defaults(KW_API_Produce, KW_RESP, &r);
    r.responses = &tr;
    r.n_responses = 1;
    int e = kw_response_encode(out, KW_API_Produce, h->api_version, h->correlation_id, &r);
    kw_arena_free(&a);
    if (e) return 1;
    if (frame_fault() && !g_on_metadata) {
        int close_it = send_faulty(fd, out, h->correlation_id);
        out->len = 0;
        return close_it;
    }
    g_produce_next += n;
    return 0;
}

static int serve_metadata(int fd, const kw_req_header *h, const uint8_t *body, size_t bl, kw_buf *out)
{
    kw_arena a;
    kw_arena_init(&a);
    kw_metadata_req q;
    if (kw_msg_decode(KW_API_Metadata, h->api_version, KW_REQ, body, bl, &q, &a, NULL)) exit(3);
    /* the topics asked for (all topics: t), unknown ones with error 3 */
    int32_t nt = q.n_topics > 0 ? q.n_topics : 1;
    kw_metadata_topic *t = calloc((size_t)nt, sizeof *t);
    if (!t) exit(1);
    sb_cluster1 c;
    kw_metadata_resp r;
    sb_cluster1_metadata(&c, g_port, t, nt, &r);
    for (int32_t i = 0; i < nt; i++) {
        t[i].topic_authorized_operations = INT32_MIN;
        t[i].name = q.n_topics > 0 ? q.topics[i].name : kw_s("t");
        if (str_is(t[i].name, "t")) {
            t[i].partitions = &c.part;
            t[i].n_partitions = 1;
        } else {
            t[i].error_code = KW_KAFKA_UNKNOWN_TOPIC_OR_PARTITION;
        }
    }
    int16_t v = g_fault == F_VERSION ? 9 : h->api_version;
    if (kw_response_encode(out, KW_API_Metadata, v, h->correlation_id, &r)) exit(4);
    free(t);
    kw_arena_free(&a);
    if (frame_fault() && g_on_metadata) {
        int close_it = send_faulty(fd, out, h->correlation_id);
        out->len = 0;
        return close_it;
    }
    return 0;
}

static int serve_frame(int node, int fd, const uint8_t *p, size_t len)
{
    (void)node;
    kw_req_header h;
    size_t hl;
    if (kw_req_header_decode(p, len, &h, &hl)) return 1;
    const uint8_t *body = p + hl;
    size_t bl = len - hl;
    kw_buf out;
    kw_buf_init(&out);
    int close_it = 0;
    if (h.api_key == KW_API_ApiVersions) {
        kw_apiversions_key keys[] = {{KW_API_ApiVersions, 0, 2}, {KW_API_Metadata, 0, g_fault == F_VERSION ? 1 : 2},
                                     {KW_API_ListOffsets, 1, 3}, {KW_API_Fetch, 4, 11},
                                     {KW_API_Produce, 3, 8},     {KW_API_InitProducerId, 0, 1}};
        kw_apiversions_resp r;
        kw_msg_defaults(KW_API_ApiVersions, KW_RESP, &r);
        r.api_keys = keys;
        r.n_api_keys = (int32_t)(sizeof keys / sizeof keys[0]);
        /* asked above v2: answer UNSUPPORTED_VERSION in a v0 body, as a broker does */
        if (h.api_version > 2) r.error_code = KW_KAFKA_UNSUPPORTED_VERSION;
        kw_response_encode(&out, KW_API_ApiVersions, h.api_version > 2 ? 0 : h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_Metadata) {
        close_it = serve_metadata(fd, &h, body, bl, &out);
    } else if (h.api_key == KW_API_ListOffsets) {
        kw_arena a;
        kw_arena_init(&a);
        kw_listoffsets_req q;
        if (kw_msg_decode(KW_API_ListOffsets, h.api_version, KW_REQ, body, bl, &q, &a, NULL) || q.n_topics != 1 ||
            q.topics[0].n_partitions != 1)
            exit(5);
        int64_t ts = q.topics[0].partitions[0].timestamp;
        kw_listoffsets_resp_partition rp = {.partition_index = 0, .timestamp = -1,
                                            .offset = ts == -2 ? 0 : LOG_END, .leader_epoch = -1};
        kw_listoffsets_resp_topic rt = {.name = kw_s("t"), .partitions = &rp, .n_partitions = 1};
        kw_listoffsets_resp r;
        kw_msg_defaults(KW_API_ListOffsets, KW_RESP, &r);
        r.topics = &rt;
        r.n_topics = 1;
        kw_response_encode(&out, KW_API_ListOffsets, h.api_version, h.correlation_id, &r);
        kw_arena_free(&a);
    } else if (h.api_key == KW_API_InitProducerId) {
        kw_initproducerid_resp r;
        kw_msg_defaults(KW_API_InitProducerId, KW_RESP, &r);
        r.producer_id = 1000;
        r.producer_epoch = 0;
        kw_response_encode(&out, KW_API_InitProducerId, h.api_version, h.correlation_id, &r);
    } else if (h.api_key == KW_API_Fetch) {
        close_it = serve_fetch(fd, &h, body, bl, &out);
    } else if (h.api_key == KW_API_Produce) {
        close_it = serve_produce(fd, &h, body, bl, &out);
    } else {
        fprintf(stderr, "tool_bad_broker: unexpected request, API key %d\n", h.api_key);
        close_it = 1;
    }
    if (!close_it) sb_reply(fd, &out);
    kw_buf_free(&out);
    return close_it;
}

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
        perror(path);
        exit(1);
    }
}

static int write_corpus(const char *dir)
{
    static const struct { int fault; const char *name; } b[] = {
        {F_CRC, "batch-crc"}, {F_CODEC, "batch-codec"}, {F_BOMB, "batch-bomb"}};
    g_bomb_bytes = 2u << 20;
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        g_fault = b[i].fault;
        build_log();
        write_file(dir, b[i].name, g_bad.data, g_bad.len);
        kw_buf_free(&g_good);
        kw_buf_free(&g_bad);
    }
    /* fuzz_proto_resp input: api key (1 byte), version (int16), body as the client reads
     * it for Metadata v1 (after the correlation id): v9's tagged-field byte and body */
    g_fault = F_VERSION;
    kw_buf req, out;
    kw_buf_init(&req);
    kw_buf_init(&out);
    kw_metadata_req q;
    kw_msg_defaults(KW_API_Metadata, KW_REQ, &q);
    kw_metadata_req_topic t = {.name = kw_s("t")};
    q.topics = &t;
    q.n_topics = 1;
    kw_req_header h = {.api_key = KW_API_Metadata, .api_version = 1, .correlation_id = 7};
    if (kw_msg_encode(KW_API_Metadata, 1, KW_REQ, &q, &req)) return 1;
    serve_metadata(-1, &h, req.data, req.len, &out);
    uint8_t *in = malloc(out.len);
    if (!in || out.len < 8) return 1;
    in[0] = KW_API_Metadata;
    in[1] = 0;
    in[2] = 1;
    memcpy(in + 3, out.data + 8, out.len - 8);
    write_file(dir, "resp-metadata-v9-as-v1", in, out.len - 5);
    free(in);
    kw_buf_free(&req);
    kw_buf_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--corpus")) return write_corpus(argv[2]);
    g_fault = -1;
    if (argc == 3 && !strcmp(argv[2], "metadata")) {
        g_on_metadata = 1;
        argc = 2;
    }
    for (int i = 0; argc == 2 && i < (int)(sizeof fault_names / sizeof fault_names[0]); i++)
        if (!strcmp(argv[1], fault_names[i])) g_fault = i;
    if (g_fault < 0) {
        fprintf(stderr, "usage: tool_bad_broker none|big|truncated|truncated-once|correlation|crc|bomb|codec|version "
                        "[metadata]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    build_log();
    int lfd = sb_listen(&g_port);
    if (lfd < 0) {
        perror("tool_bad_broker: listen");
        return 1;
    }
    printf("127.0.0.1:%d\n", g_port);
    fflush(stdout);
    sb_serve(&lfd, 1, serve_frame);
    return 0;
}
