/*
 * fuzz/fuzz_conn.c — client/conn fed arbitrary response bytes.
 *
 * Input: byte 0 = chunk size seed, byte 1 = max in flight seed, the rest = the byte
 * stream "from the broker". Eight requests of assorted APIs are queued; the stream is fed
 * in chunks, and after each chunk the output is drained (written), the clock advances and
 * the connection is ticked; a dropped connection is reconnected. Two requests refer to
 * heap slices (kw_conn_ref) that their done callback frees at once; the output is
 * "written" through the gather list in pieces that end anywhere, reading every byte.
 * Checks: no crash or sanitizer report (a slice read after its request finished is a
 * use after free), and every request gets exactly one outcome by the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn/conn.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREQ 8
#define SLICE 5000
static int calls[NREQ];
static uint8_t *slices[NREQ]; /* requests by reference: their slice, freed by done */

static void done(void *ud, int err, const kw_conn_resp *r)
{
    int i = (int)(intptr_t)ud;
    calls[i]++;
    free(slices[i]);
    slices[i] = NULL;
    if (err == 0 && !r) abort();
    if (err != 0 && r) abort();
    if (r && r->len && !r->body) abort();
    /* touch every body byte: ASan checks the pointer range */
    if (r) {
        volatile uint8_t x = 0;
        for (size_t k = 0; k < r->len; k++) x ^= r->body[k];
        (void)x;
    }
}

static int enc(void *ud, int16_t v, kw_buf *out)
{
    (void)ud;
    kw_buf_i16(out, v);
    return 0;
}

static int enc_ref(void *ud, int16_t v, kw_buf *out, kw_conn_refs *refs)
{
    int i = (int)(intptr_t)ud;
    kw_buf_i16(out, v);
    if (!slices[i] || kw_conn_ref(refs, out, slices[i], SLICE)) return KW_ERR_NOMEM;
    kw_buf_i16(out, v);
    return 0;
}

/* Write up to max bytes from the gather list, reading each one. */
static void write_some(kw_conn *c, int64_t now, size_t max)
{
    kw_conn_iov v[8];
    size_t total;
    int n = kw_conn_output_iov(c, v, 8, &total);
    size_t done_bytes = 0;
    volatile uint8_t x = 0;
    for (int k = 0; k < n && done_bytes < max; k++)
        for (size_t j = 0; j < v[k].len && done_bytes < max; j++, done_bytes++) x ^= v[k].p[j];
    (void)x;
    if (done_bytes) kw_conn_written(c, now, done_bytes);
}

static uint64_t rng(void *ud) { (void)ud; return 0x123456789abcdefULL; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t chunk = (size_t)data[0] % 64 + 1;
    kw_conn_opts o;
    kw_conn_opts_default(&o);
    o.max_in_flight = data[1] % 6 + 1;
    o.max_response = 1 << 16;
    o.client_id = "fuzz";
    o.rng = rng;
    o.connections_max_idle_ms = 50;
    data += 2;
    size -= 2;
    memset(calls, 0, sizeof calls);
    kw_conn *c = kw_conn_new(&o);
    if (!c) return 0;
    static const int16_t keys[NREQ] = {KW_API_Metadata, KW_API_Produce, KW_API_Fetch, KW_API_ListOffsets,
                                       KW_API_FindCoordinator, KW_API_Metadata, KW_API_OffsetFetch,
                                       KW_API_CreateTopics};
    for (int i = 0; i < NREQ; i++) {
        kw_conn_req r = {.api_key = keys[i], .min_version = -1, .max_version = -1, .no_response = i == 1,
                         .timeout_ms = 100000, .encode = enc, .done = done, .ud = (void *)(intptr_t)i};
        slices[i] = NULL;
        if (i == 1 || i == 5) {
            slices[i] = malloc(SLICE);
            if (!slices[i]) abort();
            memset(slices[i], i, SLICE);
            r.encode = NULL;
            r.encode_ref = enc_ref;
        }
        if (kw_conn_submit(c, &r, 0)) abort();
    }
    int64_t now = 0;
    kw_conn_connecting(c, now);
    kw_conn_connected(c, now);
    size_t off = 0;
    int reconnects = 0;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk;
        write_some(c, now, chunk * 331);
        if (kw_conn_wants_socket(c) && kw_conn_state_get(c) != KW_CONN_CONNECTING)
            kw_conn_feed(c, now, data + off, n);
        off += n;
        now += 1000 * (int64_t)(n % 7);
        kw_conn_tick(c, now);
        if (!kw_conn_wants_socket(c) && reconnects < 4) {
            reconnects++;
            kw_conn_connecting(c, now);
            kw_conn_connected(c, now);
        }
    }
    kw_conn_tick(c, now + 200000000LL);
    kw_conn_free(c);
    for (int i = 0; i < NREQ; i++)
        if (calls[i] != 1 || slices[i]) abort();
    return 0;
}
