/*
 * fuzz/fuzz_group.c — client/group, the membership state machine, fed arbitrary
 * answers.
 *
 * Input: byte 0 chooses the member (bit 0: consumer protocol, bit 1: static member, bit
 * 2: cooperative-sticky, bit 3: the metadata does not know the second topic); then steps
 * of [kind, version, len u16 big-endian, len bytes]. Each step takes the request the
 * group wants sent (if any), encodes it at a version within the client's range for its
 * API, and answers it with the step's bytes as the response body (kind 0), a transport
 * error (kind 1), or nothing (kind 2: the clock moves on by the version byte in 100 ms);
 * kind 3 reports a failed commit, kind 4 a poll, kind 5 a metadata update. Every event
 * is taken and done. At the end the member leaves. Checks: no crash or sanitizer report;
 * an assignment event never holds a partition twice, and the owned set never does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/consume/group.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int unknown_second;
static const kw_uuid ids[2] = {{{1}}, {{2}}};

static int32_t m_parts(void *ud, const char *t)
{
    (void)ud;
    if (!strcmp(t, "orders")) return 3;
    if (!strcmp(t, "refunds") && !unknown_second) return 2;
    return -1;
}

static const char *m_name(void *ud, const kw_uuid *id)
{
    (void)ud;
    if (!memcmp(id, &ids[0], sizeof *id)) return "orders";
    if (!memcmp(id, &ids[1], sizeof *id) && !unknown_second) return "refunds";
    return NULL;
}

static int m_id(void *ud, const char *t, kw_uuid *id)
{
    (void)ud;
    if (!strcmp(t, "orders")) { *id = ids[0]; return 0; }
    if (!strcmp(t, "refunds") && !unknown_second) { *id = ids[1]; return 0; }
    return -1;
}

static void no_dups(const kw_tp *p, int n)
{
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (p[i].partition == p[j].partition && !strcmp(p[i].topic, p[j].topic)) abort();
}

static void drain(kw_group *g, int64_t now)
{
    kw_group_event ev;
    while (kw_group_next_event(g, &ev)) {
        no_dups(ev.parts, ev.n);
        kw_group_event_done(g, now);
    }
    const kw_tp *own;
    int n = kw_group_owned(g, &own);
    no_dups(own, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t opt = data[0];
    unknown_second = (opt & 8) != 0;
    kw_group_opts o = {.group_id = "g", .protocol = opt & 1 ? KW_GROUP_CONSUMER : KW_GROUP_CLASSIC,
                       .instance_id = opt & 2 ? "static-1" : NULL, .session_timeout_ms = 10000,
                       .heartbeat_interval_ms = 1000, .max_poll_interval_ms = 30000, .retry_backoff_ms = 100,
                       .retry_backoff_max_ms = 1000, .meta = {m_parts, m_name, m_id, NULL}};
    o.assignors[0] = opt & 4 ? KW_ASG_COOP_STICKY : KW_ASG_RANGE;
    o.nassignors = 1;
    kw_group *g = kw_group_new(&o);
    if (!g) return 0;
    const char *topics[2] = {"orders", "refunds"};
    kw_group_subscribe(g, topics, 2);
    int64_t now = 1000000;
    kw_group_polled(g, now);
    kw_buf req;
    kw_buf_init(&req);
    size_t off = 1;
    while (off + 4 <= size) {
        uint8_t kind = data[off], vb = data[off + 1];
        size_t len = (size_t)data[off + 2] << 8 | data[off + 3];
        off += 4;
        if (len > size - off) len = size - off;
        const uint8_t *body = data + off;
        off += len;
        kw_group_tick(g, now);
        kw_group_req r;
        int have = kw_group_next_request(g, now, &r);
        int16_t lo = 0, hi = 0, v = 0;
        if (have) {
            if (kw_api_range(r.api_key, &lo, &hi)) abort();
            v = (int16_t)(lo + vb % (hi - lo + 1));
            req.len = 0;
            kw_group_encode(g, r.id, v, &req);
        }
        switch (kind % 6) {
        case 0: if (have) kw_group_response(g, now, r.id, 0, v, body, len); break;
        case 1: if (have) kw_group_response(g, now, r.id, KW_ERR_DISCONNECTED, v, NULL, 0); break;
        case 2: now += (int64_t)vb * 100000; break;
        case 3: kw_group_commit_failed(g, now, 1 + vb % 120); break;
        case 4: kw_group_polled(g, now); break;
        case 5: unknown_second = 0; kw_group_metadata_updated(g, now); break;
        }
        drain(g, now);
        now += 1000;
    }
    kw_group_leave(g, now);
    drain(g, now);
    kw_group_req r;
    for (int i = 0; i < 4 && kw_group_next_request(g, now, &r); i++) {
        req.len = 0;
        kw_group_encode(g, r.id, 0, &req);
        kw_group_response(g, now, r.id, KW_ERR_DISCONNECTED, 0, NULL, 0);
        drain(g, now);
    }
    kw_buf_free(&req);
    kw_group_free(g);
    return 0;
}
