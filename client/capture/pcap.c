/*
 * client/capture/pcap.c — Kafka traffic from packet captures (contracts in client/capture/pcap.h):
 * packet parsing (Ethernet with VLAN tags, Linux cooked SLL/SLL2, BSD loopback, raw IP;
 * IPv4 and IPv6; TCP), per-direction TCP reassembly with a bounded out-of-order queue,
 * Kafka frame splitting with resynchronisation after gaps, client-side identification
 * and request/response pairing by correlation id. Only kw_pcap_read() does I/O.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/buf.h"
#include "codec/grow.h"
#include "pcap.h"
#include "proto/proto.h"

/* ---- packet parsing ---- */

/*
 * IPv4 header: ver/ihl(1) tos(1) total_length(2) id(2) flags/frag_off(2) ttl(1)
 * protocol(1) checksum(2) src(4) dst(4) [options].
 * IPv6 header: ver/class/flow(4) payload_length(2) next_header(1) hop_limit(1)
 * src(16) dst(16), then extension headers.
 * TCP header: sport(2) dport(2) seq(4) ack(4) data_offset/flags(2) window(2)
 * checksum(2) urgent(2) [options].
 */
#define IPPROTO_TCP_ 6

static int parse_tcp(const uint8_t *p, size_t n, kw_tcp_seg *seg)
{
    if (n < 20) return KW_ERR_TRUNCATED;
    size_t doff = (size_t)(p[12] >> 4) * 4;
    if (doff < 20) return KW_ERR_CORRUPT;
    if (doff > n) return KW_ERR_TRUNCATED;
    seg->sport = kw_ld16(p);
    seg->dport = kw_ld16(p + 2);
    seg->seq = kw_ld32(p + 4);
    seg->flags = p[13];
    seg->data = p + doff;
    seg->len = n - doff;
    return 1;
}

static int parse_ipv4(const uint8_t *p, size_t n, kw_tcp_seg *seg)
{
    if (n < 20) return KW_ERR_TRUNCATED;
    if ((p[0] >> 4) != 4) return KW_ERR_CORRUPT;
    size_t ihl = (size_t)(p[0] & 15) * 4;
    if (ihl < 20) return KW_ERR_CORRUPT;
    if (ihl > n) return KW_ERR_TRUNCATED;
    size_t total = kw_ld16(p + 2);
    if (total == 0) total = n;              /* segmentation offload: length not filled in */
    if (total < ihl) return KW_ERR_CORRUPT;
    if (total > n) return KW_ERR_TRUNCATED; /* cut by the snap length */
    if (kw_ld16(p + 6) & 0x3fff) return 0;  /* a fragment (MF set or offset non-zero) */
    if (p[9] != IPPROTO_TCP_) return 0;
    seg->family = 4;
    memset(seg->src, 0, sizeof seg->src);
    memset(seg->dst, 0, sizeof seg->dst);
    memcpy(seg->src, p + 12, 4);
    memcpy(seg->dst, p + 16, 4);
    return parse_tcp(p + ihl, total - ihl, seg);
}

static int parse_ipv6(const uint8_t *p, size_t n, kw_tcp_seg *seg)
{
    if (n < 40) return KW_ERR_TRUNCATED;
    if ((p[0] >> 4) != 6) return KW_ERR_CORRUPT;
    size_t plen = kw_ld16(p + 4);
    if (plen == 0) plen = n - 40;            /* jumbogram or offload */
    if (plen > n - 40) return KW_ERR_TRUNCATED;
    uint8_t nh = p[6];
    seg->family = 6;
    memcpy(seg->src, p + 8, 16);
    memcpy(seg->dst, p + 24, 16);
    const uint8_t *q = p + 40;
    size_t left = plen;
    for (int hops = 0; hops < 16; hops++) {
        size_t hl;
        switch (nh) {
        case IPPROTO_TCP_: return parse_tcp(q, left, seg);
        case 0: case 43: case 60:            /* hop-by-hop, routing, destination options */
            if (left < 8) return KW_ERR_TRUNCATED;
            hl = ((size_t)q[1] + 1) * 8;
            break;
        case 51:                             /* authentication header */
            if (left < 8) return KW_ERR_TRUNCATED;
            hl = ((size_t)q[1] + 2) * 4;
            break;
        default:                             /* fragment (44), no next header (59), other */
            return 0;
        }
        if (hl > left) return KW_ERR_TRUNCATED;
        nh = q[0];
        q += hl;
        left -= hl;
    }
    return KW_ERR_CORRUPT;
}

static int parse_ethertype(uint16_t type, const uint8_t *p, size_t n, kw_tcp_seg *seg)
{
    if (type == 0x0800) return parse_ipv4(p, n, seg);
    if (type == 0x86dd) return parse_ipv6(p, n, seg);
    return 0;
}

static int parse_ip_any(const uint8_t *p, size_t n, kw_tcp_seg *seg)
{
    if (n < 1) return KW_ERR_TRUNCATED;
    if ((p[0] >> 4) == 4) return parse_ipv4(p, n, seg);
    if ((p[0] >> 4) == 6) return parse_ipv6(p, n, seg);
    return 0;
}

int kw_pkt_parse(int dlt, const uint8_t *pkt, size_t caplen, int64_t ts_usec, kw_tcp_seg *seg)
{
    memset(seg, 0, sizeof *seg);
    seg->ts_usec = ts_usec;
    switch (dlt) {
    case KW_DLT_EN10MB: {
        /* dst(6) src(6) ethertype(2), optional 802.1Q/802.1ad tags: TPID(2) TCI(2) */
        if (caplen < 14) return KW_ERR_TRUNCATED;
        size_t off = 12;
        uint16_t type = kw_ld16(pkt + off);
        for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < 4; tags++) {
            off += 4;
            if (caplen < off + 2) return KW_ERR_TRUNCATED;
            type = kw_ld16(pkt + off);
        }
        off += 2;
        return parse_ethertype(type, pkt + off, caplen - off, seg);
    }
    case KW_DLT_LINUX_SLL:
        /* packet_type(2) arphrd(2) addr_len(2) addr(8) protocol(2) */
        if (caplen < 16) return KW_ERR_TRUNCATED;
        return parse_ethertype(kw_ld16(pkt + 14), pkt + 16, caplen - 16, seg);
    case KW_DLT_LINUX_SLL2:
        /* protocol(2) reserved(2) ifindex(4) arphrd(2) packet_type(1) addr_len(1) addr(8) */
        if (caplen < 20) return KW_ERR_TRUNCATED;
        return parse_ethertype(kw_ld16(pkt), pkt + 20, caplen - 20, seg);
    case KW_DLT_NULL:
    case KW_DLT_LOOP: {
        /* 4-byte address family: host byte order of the capturing machine (NULL) or
         * network order (LOOP). AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30. */
        if (caplen < 4) return KW_ERR_TRUNCATED;
        uint32_t be = kw_ld32(pkt);
        uint32_t le = (uint32_t)pkt[0] | (uint32_t)pkt[1] << 8 | (uint32_t)pkt[2] << 16 | (uint32_t)pkt[3] << 24;
        uint32_t fam = (dlt == KW_DLT_LOOP || be < 256) ? be : le;
        if (fam == 2) return parse_ipv4(pkt + 4, caplen - 4, seg);
        if (fam == 10 || fam == 24 || fam == 28 || fam == 30) return parse_ipv6(pkt + 4, caplen - 4, seg);
        return 0;
    }
    case KW_DLT_RAW:
    case KW_DLT_RAW_LT:
    case 14: /* DLT_RAW on OpenBSD */
        return parse_ip_any(pkt, caplen, seg);
    case KW_DLT_IPV4:
        return parse_ipv4(pkt, caplen, seg);
    case KW_DLT_IPV6:
        return parse_ipv6(pkt, caplen, seg);
    default:
        return KW_ERR_UNSUPPORTED;
    }
}

/* ---- reassembly ---- */

typedef struct ooo_seg {
    uint32_t seq;
    size_t len;
    uint8_t *data;
} ooo_seg;

typedef struct half {
    int init;            /* next is known */
    uint32_t next;       /* sequence number of the next byte expected */
    int fin;
    int resync;          /* framing lost: look for a frame boundary */
    kw_buf buf;          /* reassembled bytes; frames start at rpos */
    size_t rpos;
    ooo_seg *q;          /* held out-of-order segments, sorted by seq */
    size_t qn, qcap, qbytes;
    char name[136];      /* "src:port -> dst:port" */
} half;

typedef struct pending_req {
    int32_t corr;
    int16_t api_key, api_version;
    int64_t ts;
} pending_req;

typedef struct conn {
    struct conn *next;   /* hash chain */
    int id;
    int family;
    uint8_t a[16], b[16]; /* a: the side seen first */
    uint16_t ap, bp;
    half h[2];           /* h[0]: a -> b, h[1]: b -> a */
    int client;          /* -1 unknown, else index of the half carrying requests */
    pending_req *pend;   /* FIFO of unanswered requests */
    size_t pn, pcap;
    int64_t last_ts;
} conn;

#define NBUCKETS 1024

struct kw_tcpr {
    kw_tcpr_opts o;
    kw_tcpr_cb cb;
    void *ud;
    int stop;            /* the callback's non-zero return, sticky */
    conn *bucket[NBUCKETS];
    size_t nconns;
    int next_id;
    kw_tcpr_stats st;
};

kw_tcpr *kw_tcpr_new(const kw_tcpr_opts *opts, kw_tcpr_cb cb, void *ud)
{
    kw_tcpr *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    if (opts) r->o = *opts;
    if (!r->o.max_frame) r->o.max_frame = KW_PCAP_MAX_FRAME_DEFAULT;
    if (r->o.max_frame > INT32_MAX) r->o.max_frame = INT32_MAX;
    if (!r->o.max_ooo_bytes) r->o.max_ooo_bytes = 8u << 20;
    if (!r->o.max_conns) r->o.max_conns = 4096;
    if (!r->o.max_pending) r->o.max_pending = 4096;
    r->cb = cb;
    r->ud = ud;
    r->next_id = 1;
    return r;
}

const kw_tcpr_stats *kw_tcpr_get_stats(const kw_tcpr *r) { return &r->st; }

static void emit(kw_tcpr *r, kw_tcpr_ev *ev)
{
    if (r->stop || !r->cb) return;
    int rc = r->cb(r->ud, ev);
    if (rc) r->stop = rc;
}

static void ev_init(kw_tcpr_ev *ev, kw_tcpr_ev_kind kind, const conn *c, int hi, int64_t ts)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->conn = c->id;
    ev->stream = c->h[hi].name;
    ev->is_request = c->client < 0 ? -1 : c->client == hi;
    ev->ts_usec = ts;
    ev->api_key = -1;
    ev->api_version = -1;
}

static void fmt_ep(char *dst, size_t cap, int family, const uint8_t *addr, uint16_t port)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, ip, sizeof ip);
    if (family == 6) snprintf(dst, cap, "[%s]:%u", ip, port);
    else snprintf(dst, cap, "%s:%u", ip, port);
}

static unsigned hash_tuple(const kw_tcp_seg *s)
{
    /* symmetric: both directions land in the same bucket */
    uint32_t h = (uint32_t)s->sport ^ s->dport;
    for (int i = 0; i < 16; i++) h = h * 31 + (s->src[i] ^ s->dst[i]);
    return h % NBUCKETS;
}

/* Find the connection of s; *hi gets the half (direction) index. */
static conn *lookup(kw_tcpr *r, const kw_tcp_seg *s, int *hi)
{
    for (conn *c = r->bucket[hash_tuple(s)]; c; c = c->next) {
        if (c->family != s->family) continue;
        if (c->ap == s->sport && c->bp == s->dport && !memcmp(c->a, s->src, 16) && !memcmp(c->b, s->dst, 16)) { *hi = 0; return c; }
        if (c->bp == s->sport && c->ap == s->dport && !memcmp(c->b, s->src, 16) && !memcmp(c->a, s->dst, 16)) { *hi = 1; return c; }
    }
    return NULL;
}

static conn *create(kw_tcpr *r, const kw_tcp_seg *s)
{
    if (r->nconns >= r->o.max_conns) return NULL;
    conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->id = r->next_id++;
    c->family = s->family;
    memcpy(c->a, s->src, 16);
    memcpy(c->b, s->dst, 16);
    c->ap = s->sport;
    c->bp = s->dport;
    c->client = -1;
    char ea[64], eb[64];
    fmt_ep(ea, sizeof ea, c->family, c->a, c->ap);
    fmt_ep(eb, sizeof eb, c->family, c->b, c->bp);
    snprintf(c->h[0].name, sizeof c->h[0].name, "%s -> %s", ea, eb);
    snprintf(c->h[1].name, sizeof c->h[1].name, "%s -> %s", eb, ea);
    for (int i = 0; i < 2; i++) kw_buf_init(&c->h[i].buf);
    if (r->o.port > 0) {
        if (c->bp == r->o.port) c->client = 0;
        else if (c->ap == r->o.port) c->client = 1;
    }
    unsigned b = hash_tuple(s);
    c->next = r->bucket[b];
    r->bucket[b] = c;
    r->nconns++;
    r->st.conns++;
    return c;
}

static void free_conn(conn *c)
{
    for (int i = 0; i < 2; i++) {
        kw_buf_free(&c->h[i].buf);
        for (size_t j = 0; j < c->h[i].qn; j++) free(c->h[i].q[j].data);
        free(c->h[i].q);
    }
    free(c->pend);
    free(c);
}

/* Signed distance a - b in sequence space. */
static int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

/* --- frame classification --- */

/* Request header: api_key int16, api_version int16, correlation_id int32, client_id
 * nullable string (int16 length). 1 if p (a frame's payload of n bytes) looks like one,
 * 0 if not, -1 if more bytes are needed to tell. strict: only keys/versions kwire describes. */
static int looks_like_request(const uint8_t *p, size_t n, int strict)
{
    int16_t key, ver, cid;
    int32_t corr;
    if (kw_req_header_peek(p, n, &key, &ver, &corr, &cid)) return -1;
    if (key < 0 || ver < 0) return 0;
    int16_t lo, hi;
    if (kw_api_described(key, &lo, &hi) == 0) {
        if (ver > hi + 4) return 0;
    } else if (strict || key > 100 || ver > 30) {
        return 0;
    }
    if (cid < -1) return 0;
    return 1;
}

static const pending_req *find_pending(const conn *c, int32_t corr, size_t *idx)
{
    for (size_t i = 0; i < c->pn; i++)
        if (c->pend[i].corr == corr) { if (idx) *idx = i; return &c->pend[i]; }
    return NULL;
}

/*
 * Could a frame start at p (n bytes available) in half hi? 1 yes, 0 no, -1 need more.
 * Requests must look like a request header kwire knows; responses must carry the
 * correlation id of a pending request; unknown direction: a request header.
 */
static int boundary_at(const kw_tcpr *r, const conn *c, int hi, const uint8_t *p, size_t n)
{
    int32_t size, corr;
    if (kw_frame_size_peek(p, n, &size)) return -1;
    if (size < 4 || (size_t)size > r->o.max_frame) return 0;
    if (c->client >= 0 && c->client != hi) {
        if (kw_resp_correlation_peek(p + 4, n - 4, &corr)) return -1;
        return find_pending(c, corr, NULL) != NULL;
    }
    if (size < 10) return 0;
    int lr = looks_like_request(p + 4, n - 4, 1);
    if (lr != 1) return lr;
    int16_t key, ver, cid;
    kw_req_header_peek(p + 4, n - 4, &key, &ver, &corr, &cid); /* n >= 14: looks_like_request read it */
    return cid <= size - 10;
}

static void add_pending(kw_tcpr *r, conn *c, int32_t corr, int16_t key, int16_t ver, int64_t ts)
{
    if (c->pn >= r->o.max_pending) {
        /* requests that never get a response (acks=0) pile up: forget the older half at
         * once, so a long run of them costs amortised O(1) per request */
        size_t drop = c->pn / 2 ? c->pn / 2 : 1;
        memmove(c->pend, c->pend + drop, (c->pn - drop) * sizeof *c->pend);
        c->pn -= drop;
        r->st.noreply += drop;
    }
    pending_req *np = kw__grow_sz(c->pend, sizeof *np, c->pn + 1, &c->pcap, 16);
    if (!np) return;
    c->pend = np;
    c->pend[c->pn++] = (pending_req){corr, key, ver, ts};
}

static void deliver_frame(kw_tcpr *r, conn *c, int hi, const uint8_t *f, size_t len, int64_t ts)
{
    if (c->client < 0) {
        /* The first whole frame decides: requests come first on a connection. */
        int lr = looks_like_request(f + 4, len - 4, 0);
        c->client = lr == 1 ? hi : 1 - hi;
    }
    kw_tcpr_ev ev;
    ev_init(&ev, KW_TCPR_FRAME, c, hi, ts);
    ev.data = f;
    ev.len = len;
    if (c->client == hi) {
        r->st.requests++;
        if (len >= 4 && !kw_req_header_peek(f + 4, len - 4, &ev.api_key, &ev.api_version, &ev.correlation_id, NULL))
            add_pending(r, c, ev.correlation_id, ev.api_key, ev.api_version, ts);
        emit(r, &ev);
        return;
    }
    r->st.responses++;
    int32_t corr = 0;
    int have = len >= 4 && !kw_resp_correlation_peek(f + 4, len - 4, &corr);
    ev.correlation_id = corr;
    size_t idx;
    const pending_req *pr = have ? find_pending(c, corr, &idx) : NULL;
    if (pr) {
        ev.paired = 1;
        ev.api_key = pr->api_key;
        ev.api_version = pr->api_version;
        ev.req_ts_usec = pr->ts;
        r->st.paired++;
        /* Responses come in request order: earlier entries never get one (acks=0). */
        r->st.noreply += idx;
        memmove(c->pend, c->pend + idx + 1, (c->pn - idx - 1) * sizeof *c->pend);
        c->pn -= idx + 1;
        emit(r, &ev);
        return;
    }
    r->st.unpaired++;
    kw_tcpr_ev u;
    ev_init(&u, KW_TCPR_UNPAIRED, c, hi, ts);
    u.correlation_id = corr;
    emit(r, &u);
    emit(r, &ev);
}

/* Split the reassembled bytes of half hi into frames. */
static void split_frames(kw_tcpr *r, conn *c, int hi, int64_t ts)
{
    half *h = &c->h[hi];
    while (!r->stop) {
        const uint8_t *p = h->buf.data + h->rpos;
        size_t n = h->buf.len - h->rpos;
        if (h->resync) {
            size_t off = 0;
            int found = 0;
            for (; off < n; off++) {
                int b = boundary_at(r, c, hi, p + off, n - off);
                if (b == 1) { found = 1; break; }
                if (b < 0) break; /* cannot tell yet: wait for more bytes */
            }
            if (off) {
                kw_tcpr_ev ev;
                ev_init(&ev, KW_TCPR_SKIP, c, hi, ts);
                ev.bytes = off;
                r->st.skipped_bytes += off;
                h->rpos += off;
                emit(r, &ev);
            }
            if (!found) break;
            h->resync = 0;
            continue;
        }
        int32_t size;
        if (kw_frame_size_peek(p, n, &size)) break;
        if (size < 4 || (size_t)size > r->o.max_frame) {
            /* lost framing: the resync scan skips this position and looks further */
            if (size > 0) {
                kw_tcpr_ev ev;
                ev_init(&ev, KW_TCPR_OVERSIZE, c, hi, ts);
                ev.bytes = (uint32_t)size;
                r->st.oversize++;
                emit(r, &ev);
            }
            h->resync = 1;
            continue;
        }
        if (n - 4 < (size_t)size) break;
        deliver_frame(r, c, hi, p, (size_t)size + 4, ts);
        h->rpos += (size_t)size + 4;
    }
    /* compact */
    if (h->rpos == h->buf.len) {
        h->buf.len = 0;
        h->rpos = 0;
    } else if (h->rpos > 65536 && h->rpos > h->buf.len / 2) {
        memmove(h->buf.data, h->buf.data + h->rpos, h->buf.len - h->rpos);
        h->buf.len -= h->rpos;
        h->rpos = 0;
    }
}

/* Append in-order bytes (already trimmed to start at h->next). */
static void append(kw_tcpr *r, half *h, const uint8_t *d, size_t n)
{
    /* The buffer stays bounded: split_frames() consumes it down to less than one
     * frame (at most max_frame + 4 bytes) or a few bytes of an undecided boundary. */
    kw_buf_put(&h->buf, d, n);
    h->next += (uint32_t)n;
    r->st.data_bytes += n;
}

/* Move held segments that have become in order into the buffer. */
static void drain(kw_tcpr *r, half *h)
{
    size_t i = 0;
    for (; i < h->qn; i++) {
        ooo_seg *q = &h->q[i];
        int32_t rel = seq_diff(q->seq, h->next);
        if (rel > 0) break;
        size_t skip = (size_t)(-(int64_t)rel);
        if (skip < q->len) {
            r->st.retransmitted_bytes += skip;
            append(r, h, q->data + skip, q->len - skip);
        } else {
            r->st.retransmitted_bytes += q->len;
        }
        h->qbytes -= q->len;
        free(q->data);
    }
    if (i) {
        memmove(h->q, h->q + i, (h->qn - i) * sizeof *h->q);
        h->qn -= i;
    }
}

/* Give up waiting for the hole before the first held segment: report it, jump over it. */
static void skip_hole(kw_tcpr *r, conn *c, int hi, int64_t ts)
{
    half *h = &c->h[hi];
    if (!h->qn) return;
    uint32_t lost = (uint32_t)seq_diff(h->q[0].seq, h->next);
    kw_tcpr_ev ev;
    ev_init(&ev, KW_TCPR_GAP, c, hi, ts);
    ev.bytes = lost + (h->buf.len - h->rpos); /* the partial frame before the hole is lost too */
    r->st.gaps++;
    r->st.gap_bytes += lost;
    r->st.skipped_bytes += h->buf.len - h->rpos;
    h->buf.len = 0;
    h->rpos = 0;
    h->next = h->q[0].seq;
    h->resync = 1;
    emit(r, &ev);
    drain(r, h);
}

static void hold(kw_tcpr *r, conn *c, int hi, uint32_t seq, const uint8_t *d, size_t n, int64_t ts)
{
    half *h = &c->h[hi];
    r->st.ooo_segments++;
    ooo_seg *nq = kw__grow_sz(h->q, sizeof *nq, h->qn + 1, &h->qcap, 8);
    if (!nq) return;
    h->q = nq;
    uint8_t *copy = malloc(n);
    if (!copy) return;
    memcpy(copy, d, n);
    /* insertion keeps the queue sorted by distance from next */
    int32_t rel = seq_diff(seq, h->next);
    size_t i = h->qn;
    while (i > 0 && seq_diff(h->q[i - 1].seq, h->next) > rel) i--;
    memmove(h->q + i + 1, h->q + i, (h->qn - i) * sizeof *h->q);
    h->q[i] = (ooo_seg){seq, n, copy};
    h->qn++;
    h->qbytes += n;
    while (h->qbytes > r->o.max_ooo_bytes && h->qn && !r->stop) {
        skip_hole(r, c, hi, ts);
        split_frames(r, c, hi, ts);
    }
}

/* Report what is left of a connection and drop it. */
static void finalize(kw_tcpr *r, conn *c, int64_t ts)
{
    for (int hi = 0; hi < 2; hi++) {
        half *h = &c->h[hi];
        while (h->qn && !r->stop) {
            skip_hole(r, c, hi, ts);
            split_frames(r, c, hi, ts);
        }
        size_t left = h->buf.len - h->rpos;
        if (left && !r->stop) {
            kw_tcpr_ev ev;
            ev_init(&ev, KW_TCPR_PARTIAL, c, hi, ts);
            ev.bytes = left;
            r->st.partial++;
            emit(r, &ev);
        }
    }
    for (size_t i = 0; i < c->pn && !r->stop; i++) {
        kw_tcpr_ev ev;
        int hi = c->client < 0 ? 0 : c->client;
        ev_init(&ev, KW_TCPR_NOREPLY, c, hi, ts);
        ev.api_key = c->pend[i].api_key;
        ev.api_version = c->pend[i].api_version;
        ev.correlation_id = c->pend[i].corr;
        ev.req_ts_usec = c->pend[i].ts;
        r->st.noreply++;
        emit(r, &ev);
    }
    c->pn = 0;
}

static void unlink_conn(kw_tcpr *r, conn *c)
{
    for (unsigned b = 0; b < NBUCKETS; b++)
        for (conn **pp = &r->bucket[b]; *pp; pp = &(*pp)->next)
            if (*pp == c) { *pp = c->next; r->nconns--; free_conn(c); return; }
}

int kw_tcpr_feed(kw_tcpr *r, const kw_tcp_seg *s)
{
    if (r->stop) return r->stop;
    if (s->family != 4 && s->family != 6) return 0;
    if (r->o.port > 0 && s->sport != r->o.port && s->dport != r->o.port) return 0;
    r->st.segments++;
    int hi = 0;
    conn *c = lookup(r, s, &hi);
    int syn = (s->flags & KW_TCP_SYN) != 0;
    if (c && syn && c->h[hi].init && seq_diff(s->seq + 1, c->h[hi].next) != 0 &&
        (c->h[hi].buf.len || c->h[hi].fin || c->pn)) {
        /* the same addresses and ports reused by a new connection */
        finalize(r, c, s->ts_usec);
        unlink_conn(r, c);
        c = NULL;
    }
    if (!c) {
        if (!syn && s->len == 0) return r->stop;
        c = create(r, s);
        if (!c) return r->stop;
        hi = 0;
    }
    c->last_ts = s->ts_usec;
    half *h = &c->h[hi];
    uint32_t seq = s->seq;
    if (syn) {
        if (!(s->flags & KW_TCP_ACK) && c->client < 0 && r->o.port <= 0) c->client = hi;
        if (!h->init) {
            h->init = 1;
            h->next = seq + 1;
        }
        seq++;
    }
    if (s->len) {
        if (!h->init) {
            /* start not captured: begin here and find a frame boundary */
            h->init = 1;
            h->next = seq;
            h->resync = 1;
        }
        int32_t rel = seq_diff(seq, h->next);
        if (rel > 0) {
            hold(r, c, hi, seq, s->data, s->len, s->ts_usec);
        } else {
            size_t skip = (size_t)(-(int64_t)rel);
            if (skip >= s->len) {
                r->st.retransmitted_bytes += s->len;
            } else {
                r->st.retransmitted_bytes += skip;
                append(r, h, s->data + skip, s->len - skip);
                drain(r, h);
                split_frames(r, c, hi, s->ts_usec);
            }
        }
    }
    if (s->flags & KW_TCP_FIN) h->fin = 1;
    if ((s->flags & KW_TCP_RST) || (c->h[0].fin && c->h[1].fin && !c->h[0].qn && !c->h[1].qn)) {
        finalize(r, c, s->ts_usec);
        unlink_conn(r, c);
    }
    return r->stop;
}

int kw_tcpr_finish(kw_tcpr *r)
{
    /* oldest connections first (lowest ids), so reports come in a stable order */
    for (;;) {
        conn *best = NULL;
        for (unsigned b = 0; b < NBUCKETS; b++)
            for (conn *c = r->bucket[b]; c; c = c->next)
                if (!best || c->id < best->id) best = c;
        if (!best) break;
        finalize(r, best, best->last_ts);
        unlink_conn(r, best);
    }
    return r->stop;
}

void kw_tcpr_free(kw_tcpr *r)
{
    if (!r) return;
    for (unsigned b = 0; b < NBUCKETS; b++) {
        conn *c = r->bucket[b];
        while (c) { conn *n = c->next; free_conn(c); c = n; }
    }
    free(r);
}

/* ---- the libpcap loop ---- */

int kw_pcap_read(const char *path, kw_tcpr *r, uint64_t *packets, char *errbuf, size_t errlen)
{
    char perr[PCAP_ERRBUF_SIZE] = "";
    uint64_t np = 0;
    if (packets) *packets = 0;
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
    if (!pc) {
        /* libpcap names the file itself when it cannot open it ("F: No such file ...") */
        size_t pl = strlen(path);
        if (!strncmp(perr, path, pl) && perr[pl] == ':') snprintf(errbuf, errlen, "%s", perr);
        else snprintf(errbuf, errlen, "%s: %s", path, perr);
        return KW_ERR_IO;
    }
    int dlt = pcap_datalink(pc);
    kw_tcp_seg probe;
    if (kw_pkt_parse(dlt, NULL, 0, 0, &probe) == KW_ERR_UNSUPPORTED) {
        snprintf(errbuf, errlen, "%s: unsupported link type %d (%s)", path, dlt,
                 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
        pcap_close(pc);
        return KW_ERR_IO;
    }
    struct pcap_pkthdr *ph;
    const u_char *data;
    int rc = 0, n;
    while ((n = pcap_next_ex(pc, &ph, &data)) == 1) {
        np++;
        kw_tcp_seg seg;
        int64_t ts = (int64_t)ph->ts.tv_sec * 1000000 + ph->ts.tv_usec;
        if (kw_pkt_parse(dlt, data, ph->caplen, ts, &seg) != 1) continue;
        rc = kw_tcpr_feed(r, &seg);
        if (rc) break;
    }
    if (n == -1 && !rc) {
        snprintf(errbuf, errlen, "%s: %s", path, pcap_geterr(pc));
        rc = KW_ERR_IO;
    }
    pcap_close(pc);
    if (packets) *packets = np;
    return rc;
}
