/*
 * tests/test_batch_interop.c — record sets written by real clients (tests/data/, see
 * tests/data/README.md for how they were captured and what they contain): librdkafka
 * (kcat) and kafka-python magic-2 batches with every codec, and kafka-python legacy
 * message sets of magic 0 and 1 (plain, gzip, xerial snappy). Every decoded field and
 * record is asserted; the uncompressed batches are also re-encoded with the writer and
 * must come out byte for byte identical; every file is annotated without an error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/batch.h"
#include "codec/compress.h"

static uint8_t *load(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s (tests run from the top directory)", path);
    uint8_t *p = malloc(1 << 16);
    assert_non_null(p);
    *len = fread(p, 1, 1 << 16, f);
    fclose(f);
    return p;
}

/* The "first = max timestamp" column of a README table row "| name | ... | ts |". */
static int64_t readme_timestamp(const char *name)
{
    FILE *f = fopen("tests/data/README.md", "r");
    assert_non_null(f);
    char line[512], prefix[96];
    snprintf(prefix, sizeof prefix, "| %s |", name);
    int64_t ts = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, prefix, strlen(prefix))) continue;
        char *last = strrchr(line, '|');
        *last = 0;
        char *cell = strrchr(line, '|');
        ts = strtoll(cell + 1, NULL, 10);
        break;
    }
    fclose(f);
    assert_true(ts > 1600000000000LL);
    return ts;
}

static void assert_slice(const uint8_t *p, int32_t len, const char *want, int32_t want_len)
{
    assert_int_equal(len, want_len);
    if (want_len < 0) { assert_null(p); return; }
    assert_non_null(p);
    if (want_len > 0) assert_memory_equal(p, want, (size_t)want_len);
}

#define S(x) x, (int32_t)(sizeof(x) - 1)
#define NUL NULL, -1

typedef struct want_hdr { const char *k; int32_t kl; const char *v; int32_t vl; } want_hdr;
typedef struct want_rec {
    const char *k; int32_t kl;
    const char *v; int32_t vl;
    int64_t ts_delta;
    int nh;
    want_hdr h[2];
} want_rec;

static const char V4[] = "value-4-abcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefgh"
                         "abcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefgh";

/* kafka-python's five records (README 1b). */
static const want_rec KPY[5] = {
    {S("key-0"), S("value-0"), 0, 1, {{S("h1"), S("v1")}}},
    {S("key-1"), "", 0, 1, 0, {{0}}},
    {NUL, S("value-2"), 2, 2, {{S("h1"), S("v1")}, {S("h2"), "", 0}}},
    {S("key-3"), NUL, 10, 0, {{0}}},
    {S("key-4"), S(V4), 100, 1, {{S("h-\xc3\xa9"), "\x00\xff", 2}}},
};

/* librdkafka's five records (README 1a): every one with h1=v1, all timestamps equal. */
static const want_rec RDK[5] = {
    {S("key-0"), S("value-0"), 0, 1, {{S("h1"), S("v1")}}},
    {S("key-1"), "", 0, 0, 1, {{S("h1"), S("v1")}}},
    {NUL, S("no-delimiter-record"), 0, 1, {{S("h1"), S("v1")}}},
    {S("key-3"), S("value-3"), 0, 1, {{S("h1"), S("v1")}}},
    {S("key-4"), S("value:with:colons"), 0, 1, {{S("h1"), S("v1")}}},
};

/* Decode one magic-2 file and assert every header field and record. */
static void check_v2(const char *name, int codec, size_t size, int32_t batch_len, int64_t first_ts,
                     int64_t max_ts, const want_rec *want)
{
    size_t len;
    uint8_t *p = load(name, &len);
    assert_int_equal(len, size);
    assert_int_equal(kw_records_magic(p, len), 2);
    kw_rd in;
    kw_rd_init(&in, p, len);
    kw_buf scratch;
    kw_buf_init(&scratch);
    kw_batch_reader_opts o = {1, 0};
    kw_batch b;
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &o), 1);
    assert_true(b.base_offset == 0);
    assert_int_equal(b.batch_length, batch_len);
    assert_int_equal(b.leader_epoch, 0);
    assert_int_equal(b.magic, 2);
    assert_true(b.crc == b.crc_computed);
    assert_int_equal(b.attributes, codec); /* CreateTime, not transactional, not control */
    assert_int_equal(b.compressed, codec != 0);
    assert_int_equal(b.last_offset_delta, 4);
    assert_true(b.base_timestamp == first_ts);
    assert_true(b.max_timestamp == max_ts);
    assert_true(b.producer_id == -1);
    assert_int_equal(b.producer_epoch, -1);
    assert_int_equal(b.base_sequence, -1);
    assert_int_equal(b.record_count, 5);
    assert_ptr_equal(b.raw, p);
    assert_int_equal(b.raw_len, len);
    kw_record_iter it;
    kw_record_iter_init(&it, &b);
    kw_record r;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(kw_record_iter_next(&it, &r), 1);
        assert_true(r.offset == i);
        assert_int_equal(r.attributes, 0);
        assert_true(r.timestamp == first_ts + want[i].ts_delta);
        assert_slice(r.key, r.key_len, want[i].k, want[i].kl);
        assert_slice(r.value, r.value_len, want[i].v, want[i].vl);
        assert_int_equal(r.header_count, want[i].nh);
        kw_rd hr;
        kw_rd_init(&hr, r.hdr_data, r.hdr_len);
        kw_header h;
        for (int k = 0; k < want[i].nh; k++) {
            assert_int_equal(kw_record_header_next(&hr, &h), 1);
            assert_slice(h.key, h.key_len, want[i].h[k].k, want[i].h[k].kl);
            assert_slice(h.value, h.value_len, want[i].h[k].v, want[i].h[k].vl);
        }
        assert_int_equal(kw_record_header_next(&hr, &h), 0);
    }
    assert_int_equal(kw_record_iter_next(&it, &r), 0);
    assert_int_equal(kw_batch_next(&in, &b, &scratch, &o), 0);

    /* the writer makes the same batch: byte-exact when uncompressed */
    kw_batch_opts wo;
    kw_batch_opts_default(&wo);
    wo.codec = codec;
    wo.leader_epoch = 0;
    kw_buf out;
    kw_buf_init(&out);
    kw_batch_writer w;
    assert_int_equal(kw_batch_begin(&w, &out, &wo), 0);
    for (int i = 0; i < 5; i++) {
        kw_header hs[2];
        for (int k = 0; k < want[i].nh; k++) {
            hs[k].key = (const uint8_t *)want[i].h[k].k; hs[k].key_len = want[i].h[k].kl;
            hs[k].value = (const uint8_t *)want[i].h[k].v; hs[k].value_len = want[i].h[k].vl;
        }
        kw_record wr = {.timestamp = first_ts + want[i].ts_delta,
                        .key = (const uint8_t *)want[i].k, .key_len = want[i].kl,
                        .value = (const uint8_t *)want[i].v, .value_len = want[i].vl,
                        .headers = hs, .header_count = want[i].nh};
        assert_int_equal(kw_batch_append(&w, &wr), 0);
    }
    assert_int_equal(kw_batch_seal(&w), 0);
    kw_batch_writer_free(&w);
    if (codec == KW_CODEC_NONE) {
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, p, len);
    } else {
        /* compressed bytes differ between libraries; the decoded records may not */
        kw_rd_init(&in, out.data, out.len);
        kw_batch b2;
        kw_buf scratch2;
        kw_buf_init(&scratch2);
        assert_int_equal(kw_batch_next(&in, &b2, &scratch2, &o), 1);
        assert_int_equal(b2.records_len, b.records_len);
        assert_memory_equal(b2.records, b.records, b.records_len);
        assert_memory_equal(out.data + 21, p + 21, 2); /* attributes */
        assert_memory_equal(out.data + 23, p + 23, 61 - 23); /* lastOffsetDelta..recordsCount */
        kw_buf_free(&scratch2);
    }
    kw_buf_free(&out);
    kw_buf_free(&scratch);
    free(p);
}

static void test_rdkafka_batches(void **st)
{
    (void)st;
    static const struct { const char *name; size_t size; int32_t bl; } f[5] = {
        {"rdkafka-none.records", 196, 184}, {"rdkafka-gzip.records", 178, 166},
        {"rdkafka-snappy.records", 177, 165}, {"rdkafka-lz4.records", 191, 179},
        {"rdkafka-zstd.records", 174, 162},
    };
    for (int codec = 0; codec <= 4; codec++) {
        int64_t ts = readme_timestamp(f[codec].name);
        check_v2(f[codec].name, codec, f[codec].size, f[codec].bl, ts, ts, RDK);
    }
}

static void test_kafka_python_batches(void **st)
{
    (void)st;
    static const struct { const char *name; size_t size; int32_t bl; } f[5] = {
        {"kpy-none.records", 293, 281}, {"kpy-gzip.records", 173, 161},
        {"kpy-snappy.records", 187, 175}, {"kpy-lz4.records", 186, 174},
        {"kpy-zstd.records", 170, 158},
    };
    for (int codec = 0; codec <= 4; codec++)
        check_v2(f[codec].name, codec, f[codec].size, f[codec].bl, 1700000000000LL, 1700000000100LL, KPY);
}

/* Legacy sets (README 1c): the five records without headers. */
static void check_legacy(const char *name, int8_t magic, int codec, size_t size)
{
    size_t len;
    uint8_t *p = load(name, &len);
    assert_int_equal(len, size);
    assert_int_equal(kw_records_magic(p, len), magic);
    kw_batch_reader_opts o = {1, 0};
    kw_msgset_reader r;
    kw_msgset_reader_init(&r, p, len, &o);
    kw_legacy_msg m;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(kw_msgset_next(&r, &m), 1);
        assert_int_equal(m.magic, magic);
        assert_int_equal(m.attributes, 0);
        assert_true(m.crc == m.crc_computed);
        /*
         * Offsets: plain messages carry 0..4. Inside a wrapper (offset 0 in this Produce
         * request: the broker assigns real offsets), magic 0 inner offsets are absolute
         * (0..4); magic 1 inner offsets are relative, resolved as wrapper offset - last
         * relative (4) + relative: -4..0.
         */
        int64_t want_off = (codec && magic == 1) ? i - 4 : i;
        assert_true(m.offset == want_off);
        assert_true(m.timestamp == (magic == 1 ? 1700000000000LL + KPY[i].ts_delta : -1));
        assert_slice(m.key, m.key_len, KPY[i].k, KPY[i].kl);
        assert_slice(m.value, m.value_len, KPY[i].v, KPY[i].vl);
    }
    assert_int_equal(kw_msgset_next(&r, &m), 0);
    kw_msgset_reader_free(&r);
    /* the wrapper itself: offset 0, key null, codec attribute, magic 1 timestamp 0 */
    if (codec) {
        assert_true(kw_ld64(p) == 0);
        assert_int_equal(p[16], magic);
        assert_int_equal(p[17], codec);
        if (magic == 1) assert_true(kw_ld64(p + 18) == 0);
    } else {
        /* plain sets are what kw_msgset_append writes for the same messages */
        kw_buf out;
        kw_buf_init(&out);
        for (int i = 0; i < 5; i++)
            assert_int_equal(kw_msgset_append(&out, magic, i, 0, 1700000000000LL + KPY[i].ts_delta,
                                              KPY[i].k, KPY[i].kl, KPY[i].v, KPY[i].vl), 0);
        assert_int_equal(out.len, len);
        assert_memory_equal(out.data, p, len);
        kw_buf_free(&out);
    }
    free(p);
}

static void test_kafka_python_legacy(void **st)
{
    (void)st;
    check_legacy("kpy-magic0-none.records", 0, 0, 300);
    check_legacy("kpy-magic1-none.records", 1, 0, 340);
    check_legacy("kpy-magic0-gzip.records", 0, KW_CODEC_GZIP, 146);
    check_legacy("kpy-magic0-snappy.records", 0, KW_CODEC_SNAPPY, 181);
    check_legacy("kpy-magic1-gzip.records", 1, KW_CODEC_GZIP, 172);
    check_legacy("kpy-magic1-snappy.records", 1, KW_CODEC_SNAPPY, 210);
}

/* ---- annotation of every file ---- */

typedef struct tally { int errors, crc_valid, crc_other, records, messages, regions, end_regions, depth_bad; } tally;

static int count(void *ud, const kw_ann *a)
{
    tally *t = ud;
    if (a->kind == KW_ANN_ERROR) t->errors++;
    if (a->kind == KW_ANN_FIELD && !strcmp(a->name, "crc")) {
        if (!strcmp(a->value, "valid")) t->crc_valid++;
        else t->crc_other++;
    }
    if (a->kind == KW_ANN_ENTER && !strcmp(a->type, "Record")) t->records++;
    if (a->kind == KW_ANN_ENTER && !strcmp(a->type, "Message")) t->messages++;
    if (a->kind == KW_ANN_REGION) t->regions++;
    if (a->kind == KW_ANN_END_REGION) t->end_regions++;
    if (a->depth < 0) t->depth_bad++;
    return 0;
}

static void test_annotate_every_file(void **st)
{
    (void)st;
    static const char *v2[] = {"rdkafka-none", "rdkafka-gzip", "rdkafka-snappy", "rdkafka-lz4", "rdkafka-zstd",
                               "kpy-none", "kpy-gzip", "kpy-snappy", "kpy-lz4", "kpy-zstd"};
    for (size_t i = 0; i < sizeof v2 / sizeof v2[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.records", v2[i]);
        size_t len;
        uint8_t *p = load(name, &len);
        tally t = {0};
        assert_int_equal(kw_records_annotate(p, len, 0, count, &t), 0);
        assert_int_equal(t.errors, 0);
        assert_int_equal(t.crc_valid, 1);
        assert_int_equal(t.crc_other, 0);
        assert_int_equal(t.records, 5);
        int compressed = strstr(v2[i], "none") == NULL;
        assert_int_equal(t.regions, compressed);
        assert_int_equal(t.end_regions, compressed);
        free(p);
    }
    static const char *legacy[] = {"kpy-magic0-none", "kpy-magic1-none", "kpy-magic0-gzip", "kpy-magic0-snappy",
                                   "kpy-magic1-gzip", "kpy-magic1-snappy"};
    for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.records", legacy[i]);
        size_t len;
        uint8_t *p = load(name, &len);
        tally t = {0};
        assert_int_equal(kw_records_annotate(p, len, 0, count, &t), 0);
        int compressed = strstr(legacy[i], "none") == NULL;
        assert_int_equal(t.errors, 0);
        assert_int_equal(t.messages, compressed ? 6 : 5); /* wrapper + five inner */
        assert_int_equal(t.crc_valid, compressed ? 6 : 5);
        assert_int_equal(t.regions, compressed);
        assert_int_equal(t.end_regions, compressed);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rdkafka_batches),
        cmocka_unit_test(test_kafka_python_batches),
        cmocka_unit_test(test_kafka_python_legacy),
        cmocka_unit_test(test_annotate_every_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
