/*
 * bench/bench_batch.c — record batch encode and decode throughput: 1 MiB batches of
 * 100-byte records (16-byte key, 84-byte value, no headers), uncompressed and with
 * each codec. Encode = begin, append until the 1 MiB budget refuses a record, seal.
 * Decode = kw_batch_next (CRC check, decompression) and iterate every record (slices).
 * Prints records/s and GB/s (of uncompressed batch bytes), the best batch time over
 * several repetitions (the machine may be shared: the best is the least disturbed), and
 * the targets (>= 30 M records/s each way, uncompressed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec/batch.h"
#include "codec/compress.h"

#define BATCH_BYTES (1u << 20)
#define REC_BYTES 100
#define KEY_BYTES 16
#define TARGET_MRPS 30.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Somewhat compressible values: words from a small vocabulary, varying per record. */
static void make_payloads(uint8_t *vals, int n)
{
    static const char *words[] = {"kafka ", "batch ", "record ", "offset ", "topic ", "broker ", "lag ", "zstd "};
    uint32_t x = 12345;
    for (int i = 0; i < n; i++) {
        uint8_t *v = vals + (size_t)i * REC_BYTES;
        size_t o = 0;
        while (o < REC_BYTES) {
            x = x * 1103515245u + 12345u;
            const char *w = words[(x >> 16) & 7];
            for (size_t k = 0; w[k] && o < REC_BYTES; k++) v[o++] = (uint8_t)w[k];
        }
        snprintf((char *)v, KEY_BYTES, "key-%011d", i);
    }
}

static volatile uint64_t sink;

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 7;
    int last_codec = argc > 2 ? atoi(argv[2]) : KW_CODEC_ZSTD; /* "bench_batch 7 0": uncompressed only */
    if (reps < 1) reps = 1;
    const int nvals = 20000;
    uint8_t *vals = malloc((size_t)nvals * REC_BYTES);
    if (!vals) return 1;
    make_payloads(vals, nvals);
    printf("record batch v2: 1 MiB batches of %d-byte records (key %d + value %d), best of %d\n",
           REC_BYTES, KEY_BYTES, REC_BYTES - KEY_BYTES, reps);
    printf("%-8s %8s %10s | %12s %9s | %12s %9s\n", "codec", "records", "wire bytes", "encode rec/s", "GB/s",
           "decode rec/s", "GB/s");
    double enc_none = 0, dec_none = 0;
    for (int codec = 0; codec <= last_codec; codec++) {
        kw_buf out, scratch;
        kw_buf_init(&out);
        kw_buf_init(&scratch);
        kw_batch_opts o;
        kw_batch_opts_default(&o);
        o.codec = codec;
        o.max_bytes = BATCH_BYTES;
        int inner = codec ? 3 : 50; /* batches per repetition, each timed on its own */
        double best_enc = 1e30, best_dec = 1e30;
        int32_t count = 0;
        size_t raw_bytes = 0, wire = 0;
        kw_batch_writer w;
        kw_batch_begin(&w, &out, &o); /* allocate the buffers once, untimed */
        kw_batch_writer_free(&w);
        for (int r = 0; r < reps; r++) {
            for (int b = 0; b < inner; b++) {
                double t0 = now();
                out.len = 0;
                if (kw_batch_begin(&w, &out, &o)) return 1;
                kw_record rec = {.timestamp = 1700000000000LL, .key_len = KEY_BYTES, .value_len = REC_BYTES - KEY_BYTES};
                for (int i = 0;; i++) {
                    const uint8_t *v = vals + (size_t)(i % nvals) * REC_BYTES;
                    rec.key = v;
                    rec.value = v + KEY_BYTES;
                    rec.timestamp++;
                    if (kw_batch_append(&w, &rec)) break;
                }
                raw_bytes = out.len;
                if (kw_batch_seal(&w)) return 1;
                double t = now() - t0;
                if (t < best_enc) best_enc = t;
                count = w.count;
                kw_batch_writer_free(&w);
            }
        }
        wire = out.len;
        kw_batch_reader_opts ro = {1, 0};
        for (int r = 0; r < reps; r++) {
            uint64_t acc = 0;
            for (int b = 0; b < inner; b++) {
                double t0 = now();
                kw_rd in;
                kw_rd_init(&in, out.data, out.len);
                kw_batch bt;
                if (kw_batch_next(&in, &bt, &scratch, &ro) != 1) { fprintf(stderr, "decode failed\n"); return 1; }
                kw_record_iter it;
                kw_record_iter_init(&it, &bt);
                kw_record rec;
                int rc;
                while ((rc = kw_record_iter_next(&it, &rec)) == 1) acc += (uint64_t)rec.value_len + rec.value[0];
                if (rc) { fprintf(stderr, "iterate failed\n"); return 1; }
                double t = now() - t0;
                if (t < best_dec) best_dec = t;
            }
            sink += acc;
        }
        double enc = count / best_enc, dec = count / best_dec;
        if (codec == 0) { enc_none = enc; dec_none = dec; }
        printf("%-8s %8d %10zu | %10.2f M %9.3f | %10.2f M %9.3f\n", kw_codec_name(codec), count, wire,
               enc / 1e6, raw_bytes / best_enc / 1e9, dec / 1e6, raw_bytes / best_dec / 1e9);
        kw_buf_free(&out);
        kw_buf_free(&scratch);
    }
    printf("target (uncompressed): encode >= %.0f M rec/s: %.1f M (%s); decode >= %.0f M rec/s: %.1f M (%s)\n",
           TARGET_MRPS, enc_none / 1e6, enc_none >= TARGET_MRPS * 1e6 ? "met" : "NOT met", TARGET_MRPS,
           dec_none / 1e6, dec_none >= TARGET_MRPS * 1e6 ? "met" : "NOT met");
    free(vals);
    return 0;
}
