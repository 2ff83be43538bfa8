/*
 * fuzz/fuzz_pcap_stream.c — arbitrary TCP segments into the reassembler (client/capture/pcap.c),
 * and arbitrary packets into the packet parser.
 *
 * Input: byte 0 selects the mode and options.
 *   bit 7 clear — segment mode: then records of
 *     ctl(1) len(1) data(len); ctl bit 0 direction, bit 1 SYN, bit 2 FIN, bit 3 RST,
 *     bits 4-7 pick a sequence offset (relative to what the direction sent so far:
 *     in order, behind = retransmission/overlap, ahead = hole/out of order).
 *   bit 7 set — packet mode: byte 1 picks the link type, then records of
 *     len(2, big-endian) packet(len), each parsed and, if TCP, fed to the reassembler.
 *   bit 0: give a server port (9092); bit 1: tiny bounds (frame 64, out-of-order 32);
 *   bit 2: print every frame as `kwire decode` does (annotation walk into the text
 *   printer, or the JSON printer with bit 3), so the whole decode path is exercised.
 * Every frame reported must be whole: its size field plus 4 equals its length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/capture/pcap.h"
#include "codec/buf.h"
#include "proto/print.h"
#include "proto/proto.h"

/* every frame byte is read into this, so the sanitizers see each access */
size_t kw__fuzz_pcap_sum;

typedef struct fuzz_ctx {
    size_t sum;
    kw_printer *pr; /* NULL: do not print */
} fuzz_ctx;

static int on_ev(void *ud, const kw_tcpr_ev *e)
{
    fuzz_ctx *c = ud;
    if (e->kind == KW_TCPR_FRAME) {
        if (e->len < 4 || (size_t)kw_ld32(e->data) + 4 != e->len) abort();
        for (size_t i = 0; i < e->len; i++) c->sum += e->data[i];
        if (c->pr) {
            kw_print_frame f;
            kw_print_frame_init(&f);
            f.stream = e->stream;
            if (e->is_request == 1)
                kw_print_frame_bytes(c->pr, &f, KW_PRINT_FRAME, KW_REQ, -1, -1, e->data, e->len);
            else if (e->paired)
                kw_print_frame_bytes(c->pr, &f, KW_PRINT_FRAME, KW_RESP, e->api_key, e->api_version, e->data, e->len);
            else /* the other forms, on bytes no walker expects */
                kw_print_frame_bytes(c->pr, &f, (e->len & 1) ? KW_PRINT_BODY : KW_PRINT_PAYLOAD, KW_RESP,
                                     KW_API_ApiVersions, 3, e->data, e->len);
            c->pr->out->len = 0; /* keep memory flat */
        }
    } else if (c->pr) {
        kw_printer_event(c->pr, e->stream);
    }
    if (e->stream) c->sum += strlen(e->stream);
    return 0;
}

static const int32_t deltas[16] = {0, 0, 0, 0, 1, 5, 20, 100, -1, -5, -20, -100, 3000, -3000, 70000, INT32_MIN};
static const int dlts[8] = {KW_DLT_EN10MB, KW_DLT_LINUX_SLL, KW_DLT_LINUX_SLL2, KW_DLT_NULL, KW_DLT_LOOP, KW_DLT_RAW, KW_DLT_IPV4, KW_DLT_IPV6};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    uint8_t mode = data[0];
    fuzz_ctx ctx = {0};
    kw_buf out;
    kw_buf_init(&out);
    kw_printer pr;
    kw_print_opts po = {0};
    po.fmt = (mode & 8) ? KW_PRINT_JSON : KW_PRINT_TEXT;
    kw_printer_init(&pr, &out, &po);
    if (mode & 4) ctx.pr = &pr;
    kw_tcpr_opts o = {0};
    if (mode & 1) o.port = 9092;
    if (mode & 2) { o.max_frame = 64; o.max_ooo_bytes = 32; o.max_pending = 4; }
    else { o.max_frame = 1 << 16; o.max_ooo_bytes = 1 << 12; }
    kw_tcpr *r = kw_tcpr_new(&o, on_ev, &ctx);
    if (!r) { kw_buf_free(&out); return 0; }
    size_t pos = 1;
    if (mode & 0x80) {
        int dlt = dlts[data[1] & 7];
        pos = 2;
        while (pos + 2 <= size) {
            size_t n = kw_ld16(data + pos);
            pos += 2;
            if (n > size - pos) n = size - pos;
            uint8_t *pkt = malloc(n ? n : 1); /* exact-size copy: reads past it are caught */
            if (!pkt) break;
            memcpy(pkt, data + pos, n);
            kw_tcp_seg s;
            if (kw_pkt_parse(dlt, pkt, n, (int64_t)pos, &s) == 1) {
                if (s.data < pkt || s.data + s.len > pkt + n) abort();
                kw_tcpr_feed(r, &s);
            }
            free(pkt);
            pos += n;
        }
    } else {
        uint32_t sent[2] = {1000, 0x7ffffff0u};
        while (pos + 2 <= size) {
            uint8_t ctl = data[pos], n = data[pos + 1];
            pos += 2;
            size_t len = n > size - pos ? size - pos : n;
            int dir = ctl & 1;
            kw_tcp_seg s;
            memset(&s, 0, sizeof s);
            s.family = 4;
            s.src[0] = 10; s.src[3] = (uint8_t)(1 + dir);
            s.dst[0] = 10; s.dst[3] = (uint8_t)(2 - dir);
            s.sport = dir ? 9092 : 40000;
            s.dport = dir ? 40000 : 9092;
            s.flags = (uint8_t)(((ctl & 2) ? KW_TCP_SYN : 0) | ((ctl & 4) ? KW_TCP_FIN : 0) |
                                ((ctl & 8) ? KW_TCP_RST : 0) | KW_TCP_ACK);
            if ((ctl & 2) && !dir) s.flags &= (uint8_t)~KW_TCP_ACK;
            s.seq = sent[dir] + (uint32_t)deltas[ctl >> 4];
            s.data = data + pos;
            s.len = len;
            s.ts_usec = (int64_t)pos;
            kw_tcpr_feed(r, &s);
            if (deltas[ctl >> 4] == 0) sent[dir] += (uint32_t)len + ((ctl & 2) ? 1 : 0);
            pos += len;
        }
    }
    kw_tcpr_finish(r);
    kw_tcpr_free(r);
    kw_printer_finish(&pr);
    kw_buf_free(&out);
    kw__fuzz_pcap_sum += ctx.sum;
    return 0;
}
