/*
 * fuzz/fuzz_consumer_protocol.c — proto/consumer_protocol: the consumer protocol's
 * subscription and assignment bytes, as a leader reads its members' JoinGroup metadata
 * and a member reads its SyncGroup assignment. Input: byte 0 picks the kind (even:
 * subscription, odd: assignment), the rest are the bytes. Decoded, annotated, and when
 * decoded at a version kwire knows (no newer fields), encoded again at that version:
 * the same bytes must come back. Checks: no crash or sanitizer report, the round trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/consumer_protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ud, const kw_ann *a)
{
    (void)a;
    (*(size_t *)ud)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int kind = data[0] & 1 ? KW_CP_ASSIGNMENT : KW_CP_SUBSCRIPTION;
    const uint8_t *p = data + 1;
    size_t len = size - 1;
    kw_arena a;
    kw_arena_init(&a);
    kw_consumerprotocol_subscription s;
    kw_consumerprotocol_assignment as;
    int16_t v = -1;
    int e = kind == KW_CP_SUBSCRIPTION ? kw_cp_subscription_decode(p, len, &s, &v, &a, NULL)
                                       : kw_cp_assignment_decode(p, len, &as, &v, &a, NULL);
    size_t events = 0;
    kw_cp_annotate(kind, p, len, 0, 0, count, &events);
    if (!e && v >= 0 && v <= KW_CP_VERSION_MAX && len > 0) {
        kw_buf b;
        kw_buf_init(&b);
        int ee = kind == KW_CP_SUBSCRIPTION ? kw_cp_subscription_encode(&s, v, &b) : kw_cp_assignment_encode(&as, v, &b);
        if (ee || b.len != len || memcmp(b.data, p, len)) abort();
        kw_buf_free(&b);
    }
    kw_arena_free(&a);
    return 0;
}
