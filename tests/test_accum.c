/* tests/test_accum.c — client/accum: batch.size, linger.ms, flush, buffer.memory, order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "client/produce/accum.h"
#include "codec/compress.h"

static const char PAYLOAD[] = "{\"data\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";

static kw_record rec_of(const char *value, int64_t ts)
{
    kw_record r = {0};
    r.key_len = -1;
    r.value = (const uint8_t *)value;
    r.value_len = (int32_t)strlen(value);
    r.timestamp = ts;
    return r;
}

static kw_accum_opts opts(size_t batch_size, int64_t linger, size_t mem, int codec)
{
    kw_accum_opts o = {batch_size, linger, mem, codec, KW_LEVEL_DEFAULT};
    return o;
}

/* Decode a sealed batch; check its records are the values appended, in order. */
static int32_t check_batch(const kw_pbatch *b, int first_index)
{
    kw_rd in;
    kw_rd_init(&in, b->buf.data, b->buf.len);
    kw_batch hb;
    kw_buf scratch;
    kw_buf_init(&scratch);
    kw_batch_reader_opts ro = {1, 0};
    assert_int_equal(kw_batch_next(&in, &hb, &scratch, &ro), 1);
    assert_int_equal(hb.record_count, b->count);
    kw_record_iter it;
    kw_record_iter_init(&it, &hb);
    kw_record r;
    int32_t n = 0;
    while (kw_record_iter_next(&it, &r) == 1) {
        char want[32];
        snprintf(want, sizeof want, "v%d", first_index + n);
        assert_int_equal(r.value_len, (int32_t)strlen(want));
        assert_memory_equal(r.value, want, strlen(want));
        assert_int_equal((intptr_t)b->opaque[n], first_index + n);
        n++;
    }
    assert_int_equal(n, b->count);
    assert_int_equal(kw_batch_next(&in, &hb, &scratch, &ro), 0);
    kw_buf_free(&scratch);
    return n;
}

static void test_batch_size_seals_full_batches(void **st)
{
    (void)st;
    kw_accum a;
    kw_accum_opts o = opts(1024, 1000, 1 << 20, KW_CODEC_NONE);
    assert_int_equal(kw_accum_init(&a, &o, 3), 0);
    int sealed_prev_count = 0;
    for (int i = 0; i < 100; i++) {
        char v[32];
        snprintf(v, sizeof v, "v%d", i);
        kw_record r = rec_of(v, 1000 + i);
        int sp;
        assert_int_equal(kw_accum_append(&a, 1, &r, (void *)(intptr_t)i, 0, 0, &sp), 0);
        sealed_prev_count += sp;
    }
    /* values are tiny: check that sealed batches never pass batch.size and keep order */
    int next = 0, batches = 0;
    kw_pbatch *b;
    kw_accum_flush_begin(&a);
    while ((b = kw_accum_drain(&a, 1, 0))) {
        assert_true(b->raw_bytes <= 1024);
        assert_true(b->seal_reason == KW_SEAL_FULL || b->seal_reason == KW_SEAL_FLUSH);
        next += check_batch(b, next);
        batches++;
        kw_accum_release(&a, b);
    }
    kw_accum_flush_end(&a);
    assert_int_equal(next, 100);
    assert_true(batches >= 2);
    assert_int_equal(a.sealed[KW_SEAL_FULL] + a.sealed[KW_SEAL_FLUSH], (uint64_t)batches);
    assert_int_equal(a.mem_used, 0);
    assert_null(kw_accum_drain(&a, 0, 0));
    kw_accum_free(&a);
}

static void test_lab_payload_fills_batch(void **st)
{
    (void)st;
    kw_accum a;
    kw_accum_opts o = opts(16384, 5, 32 << 20, KW_CODEC_NONE);
    assert_int_equal(kw_accum_init(&a, &o, 1), 0);
    int seals = 0;
    for (int i = 0; i < 1000; i++) {
        kw_record r = rec_of(PAYLOAD, 0);
        int sp;
        assert_int_equal(kw_accum_append(&a, 0, &r, NULL, 0, 0, &sp), 0);
        seals += sp;
    }
    kw_pbatch *b = kw_accum_drain(&a, 0, 0);
    assert_non_null(b);
    assert_int_equal(b->seal_reason, KW_SEAL_FULL);
    /* a 92-byte value takes 98 bytes as a record (length, attrs, deltas, key -1, value, headers) */
    assert_in_range(b->count, 160, 166);
    assert_true(b->raw_bytes <= 16384 && b->raw_bytes > 16384 - 120);
    kw_accum_release(&a, b);
    kw_accum_free(&a);
}

/* Two partitions, linger.ms 20, and record "v0" in partition 0 at t = 100 ms. */
static void lingering_v0(kw_accum *a)
{
    kw_accum_opts o = opts(16384, 20, 1 << 20, KW_CODEC_NONE);
    assert_int_equal(kw_accum_init(a, &o, 2), 0);
    kw_record r = rec_of("v0", 5);
    assert_int_equal(kw_accum_append(a, 0, &r, (void *)0, 0, 100, NULL), 0);
}

/* The next linger deadline skips batches whose linger is over (ready, held back by the
 * caller): partition 0's ended at 120, partition 1's ends at 150. */
static void test_next_linger_after(void **st)
{
    (void)st;
    kw_accum a;
    lingering_v0(&a);
    kw_record r = rec_of("v1", 5);
    assert_int_equal(kw_accum_append(&a, 1, &r, (void *)0, 0, 130, NULL), 0);
    assert_int_equal(kw_accum_next_linger_ms(&a, 110), 120);
    assert_int_equal(kw_accum_next_linger_ms(&a, 125), 150);
    assert_int_equal(kw_accum_next_linger_ms(&a, 150), INT64_MAX);
    kw_accum_free(&a);
}

static void test_linger_and_flush(void **st)
{
    (void)st;
    kw_accum a;
    lingering_v0(&a);
    assert_false(kw_accum_ready(&a, 0, 119));
    assert_null(kw_accum_drain(&a, 0, 119));
    assert_int_equal(kw_accum_next_linger_ms(&a, 119), 120);
    assert_int_equal(kw_accum_next_linger_ms(&a, 120), INT64_MAX); /* over: ready, not a deadline */
    assert_true(kw_accum_ready(&a, 0, 120));
    kw_pbatch *b = kw_accum_drain(&a, 0, 120);
    assert_non_null(b);
    assert_int_equal(b->seal_reason, KW_SEAL_LINGER);
    assert_int_equal(b->sealed_ms, 120);
    check_batch(b, 0);
    kw_accum_release(&a, b);
    assert_int_equal(kw_accum_next_linger_ms(&a, 0), INT64_MAX);

    kw_record r = rec_of("v0", 5);
    assert_int_equal(kw_accum_append(&a, 1, &r, (void *)0, 0, 200, NULL), 0);
    assert_false(kw_accum_ready(&a, 1, 201));
    kw_accum_flush_begin(&a);
    assert_true(kw_accum_ready(&a, 1, 201));
    b = kw_accum_drain(&a, 1, 201);
    assert_int_equal(b->seal_reason, KW_SEAL_FLUSH);
    kw_accum_release(&a, b);
    kw_accum_flush_end(&a);
    assert_int_equal(kw_accum_pending_batches(&a), 0);
    kw_accum_free(&a);
}

static void test_buffer_memory_bound(void **st)
{
    (void)st;
    kw_accum a;
    kw_accum_opts o = opts(1024, 0, 8192, KW_CODEC_NONE);
    assert_int_equal(kw_accum_init(&a, &o, 1), 0);
    int accepted = 0, rc = 0;
    for (int i = 0; i < 1000; i++) {
        kw_record r = rec_of(PAYLOAD, 0);
        rc = kw_accum_append(&a, 0, &r, NULL, 0, 0, NULL);
        if (rc) break;
        accepted++;
        assert_true(a.mem_used <= 8192);
    }
    assert_int_equal(rc, KW_ERR_QUEUE_FULL);
    assert_in_range(accepted, 50, 80);
    size_t pending = kw_accum_pending_batches(&a);
    /* releasing one batch lets appends go on */
    kw_pbatch *b = kw_accum_drain(&a, 0, 0);
    assert_non_null(b);
    kw_accum_release(&a, b);
    assert_int_equal(kw_accum_pending_batches(&a), pending - 1);
    kw_record r = rec_of(PAYLOAD, 0);
    assert_int_equal(kw_accum_append(&a, 0, &r, NULL, 0, 0, NULL), 0);
    kw_accum_free(&a);
}

static void test_requeue_keeps_order_and_oversized_record(void **st)
{
    (void)st;
    kw_accum a;
    kw_accum_opts o = opts(64, 0, 1 << 20, KW_CODEC_GZIP);
    assert_int_equal(kw_accum_init(&a, &o, 1), 0);
    kw_record r = rec_of(PAYLOAD, 0); /* larger than batch.size: gets a batch of its own */
    int sp = -1;
    assert_int_equal(kw_accum_append(&a, 0, &r, (void *)0, 0, 0, &sp), 0);
    assert_int_equal(sp, 0);
    assert_int_equal(kw_accum_append(&a, 0, &r, (void *)1, 0, 0, &sp), 0);
    kw_pbatch *b1 = kw_accum_drain(&a, 0, 0), *b2 = kw_accum_drain(&a, 0, 0);
    assert_non_null(b1);
    assert_non_null(b2);
    assert_int_equal(b1->count, 1);
    assert_int_equal((intptr_t)b1->opaque[0], 0);
    assert_int_equal((intptr_t)b2->opaque[0], 1);
    kw_accum_requeue(&a, b2);
    kw_accum_requeue(&a, b1);
    assert_ptr_equal(kw_accum_drain(&a, 0, 0), b1);
    assert_ptr_equal(kw_accum_drain(&a, 0, 0), b2);
    /* a sealed batch keeps no compression scratch (only its own bytes are held) */
    assert_null(b1->w.scratch.data);
    assert_int_equal(b1->w.scratch.cap, 0);
    /* compressed with gzip, and still decodable */
    kw_rd in;
    kw_rd_init(&in, b1->buf.data, b1->buf.len);
    kw_batch hb;
    kw_buf scratch;
    kw_buf_init(&scratch);
    kw_batch_reader_opts ro = {1, 0};
    assert_int_equal(kw_batch_next(&in, &hb, &scratch, &ro), 1);
    assert_int_equal(hb.attributes & KW_ATTR_CODEC_MASK, KW_CODEC_GZIP);
    kw_buf_free(&scratch);
    kw_accum_release(&a, b1);
    kw_accum_release(&a, b2);
    assert_int_equal(kw_accum_append(&a, 5, &r, NULL, 0, 0, NULL), KW_ERR_INVALID_ARG);
    assert_int_equal(kw_accum_set_partitions(&a, 6), 0);
    assert_int_equal(kw_accum_append(&a, 5, &r, NULL, 0, 0, NULL), 0);
    kw_accum_free(&a);
}

/* queued bytes: the sealed batches waiting (not the open one, not those handed out) */
static void test_queued_bytes(void **st)
{
    (void)st;
    kw_accum a;
    kw_accum_opts o = opts(1024, 1000, 1 << 20, KW_CODEC_NONE);
    assert_int_equal(kw_accum_init(&a, &o, 2), 0);
    assert_int_equal(kw_accum_queued_bytes(&a), 0);
    for (int i = 0; i < 60; i++) {
        kw_record r = rec_of("0123456789012345678901234567890123456789", 1000 + i);
        assert_int_equal(kw_accum_append(&a, i % 2, &r, NULL, 0, 0, NULL), 0);
    }
    size_t sealed = 0;
    for (int p = 0; p < 2; p++)
        for (const kw_pbatch *b = a.head[p]; b; b = b->next) sealed += b->mem;
    assert_true(sealed > 0);
    assert_int_equal(kw_accum_queued_bytes(&a), sealed);
    assert_true(kw_accum_queued_bytes(&a) < a.mem_used); /* the open batches are not counted */
    kw_pbatch *b = kw_accum_drain(&a, 0, 0);
    assert_non_null(b);
    assert_int_equal(kw_accum_queued_bytes(&a), sealed - b->mem); /* in flight: not waiting */
    kw_accum_requeue(&a, b);                                     /* a retry waits again */
    assert_int_equal(kw_accum_queued_bytes(&a), sealed);
    kw_accum_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_size_seals_full_batches),
        cmocka_unit_test(test_lab_payload_fills_batch),
        cmocka_unit_test(test_linger_and_flush),
        cmocka_unit_test(test_next_linger_after),
        cmocka_unit_test(test_buffer_memory_bound),
        cmocka_unit_test(test_requeue_keeps_order_and_oversized_record),
        cmocka_unit_test(test_queued_bytes),
    };
    return cmocka_run_group_tests_name("accum", tests, NULL, NULL);
}
