/*
 * fuzz/fuzz_conn.c — client/conn fed arbitrary response bytes.
 *
 * Input: byte 0 = chunk size seed, byte 1 = max in flight seed, the rest = the byte
 * stream "from the broker". Eight requests of assorted APIs are queued; the stream is fed
 * in chunks, and after each chunk the output is drained (written), the clock advances and
 * the connection is ticked; a dropped connection is reconnected. Checks: no crash or
 * sanitizer report, and every request gets exactly one outcome by the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/conn.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREQ 8
static int calls[NREQ];

static void done(void *ud, int err, const kw_conn_resp *r)
{
    int i = (int)(intptr_t)ud;
    calls[i]++;
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
        if (kw_conn_submit(c, &r, 0)) abort();
    }
    int64_t now = 0;
    kw_conn_connecting(c, now);
    kw_conn_connected(c, now);
    size_t off = 0;
    int reconnects = 0;
    while (off < size) {
        size_t len;
        if (kw_conn_output(c, &len)) kw_conn_written(c, now, len);
        size_t n = size - off < chunk ? size - off : chunk;
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
        if (calls[i] != 1) abort();
    return 0;
}
