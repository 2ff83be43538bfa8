/*
 * client/capture/pcap.h — Kafka traffic from packet captures: link/IP/TCP parsing, TCP stream
 * reassembly, splitting into Kafka frames and pairing responses with requests.
 *
 * Two layers:
 *   - a pure core (no I/O): kw_pkt_parse() turns one captured packet into a TCP segment,
 *     and a kw_tcpr reassembler takes segments in capture order and reports Kafka
 *     frames and stream events through a callback;
 *   - kw_pcap_read(): the libpcap loop (pcap/pcapng files) feeding the core.
 *
 * Reassembly, per direction of each TCP connection: bytes are delivered in sequence
 * order; retransmitted and overlapping bytes are dropped (the first copy wins);
 * out-of-order segments wait (bounded per direction); when the wait bound is exceeded,
 * or at the end of the capture, a hole is reported as a GAP event and the stream
 * resynchronises at the next frame boundary it can recognise. A connection whose start
 * was not captured begins at its first data segment and resynchronises the same way.
 *
 * Frames: int32 size (bounded by max_frame, default 100 MiB; a larger size is treated
 * as lost framing and resynchronised) then size bytes. The client side is the one that
 * sent the SYN, or the one talking to the given port, or else the side whose first frame
 * parses as a request header with an API key and version kwire knows. Each response is
 * paired with its request by correlation id; the request's API key and version come
 * with it.
 */
#ifndef KW_CLIENT_PCAP_H
#define KW_CLIENT_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define KW_PCAP_MAX_FRAME_DEFAULT (100u * 1024 * 1024)

/* One TCP segment as parsed from a packet (data points into the packet). */
typedef struct kw_tcp_seg {
    int family;              /* 4 or 6 */
    uint8_t src[16], dst[16]; /* IPv4 uses the first 4 bytes */
    uint16_t sport, dport;
    uint32_t seq;
    uint8_t flags;           /* KW_TCP_* */
    const uint8_t *data;
    size_t len;
    int64_t ts_usec;
} kw_tcp_seg;

#define KW_TCP_FIN 0x01
#define KW_TCP_SYN 0x02
#define KW_TCP_RST 0x04
#define KW_TCP_ACK 0x10

/* Link types (values of pcap_datalink()). */
#define KW_DLT_NULL 0
#define KW_DLT_EN10MB 1
#define KW_DLT_RAW 12
#define KW_DLT_RAW_LT 101     /* LINKTYPE_RAW as stored in files */
#define KW_DLT_LOOP 108
#define KW_DLT_LINUX_SLL 113
#define KW_DLT_IPV4 228
#define KW_DLT_IPV6 229
#define KW_DLT_LINUX_SLL2 276

/*
 * Parse one captured packet of link type dlt: 1 with *seg filled (a TCP segment,
 * possibly with no data), 0 when the packet is not TCP over IPv4/IPv6 or is an IP
 * fragment, KW_ERR_TRUNCATED / KW_ERR_CORRUPT for a malformed packet,
 * KW_ERR_UNSUPPORTED for an unknown link type.
 */
int kw_pkt_parse(int dlt, const uint8_t *pkt, size_t caplen, int64_t ts_usec, kw_tcp_seg *seg);

/* ---- reassembly ---- */

typedef enum kw_tcpr_ev_kind {
    KW_TCPR_FRAME,   /* a whole Kafka frame */
    KW_TCPR_GAP,     /* bytes missing (lost or not captured); framing resynchronised */
    KW_TCPR_SKIP,    /* bytes dropped while looking for a frame boundary */
    KW_TCPR_OVERSIZE,/* a size field above max_frame: treated as lost framing */
    KW_TCPR_UNPAIRED,/* a response whose correlation id matches no request */
    KW_TCPR_NOREPLY, /* at the end: a request that got no response */
    KW_TCPR_PARTIAL  /* at the end: an incomplete frame left in a stream */
} kw_tcpr_ev_kind;

typedef struct kw_tcpr_ev {
    kw_tcpr_ev_kind kind;
    int conn;               /* connection number, from 1 in order of appearance */
    const char *stream;     /* "10.0.0.1:40000 -> 10.0.0.2:9092" for this direction */
    int is_request;         /* 1 client->server, 0 server->client, -1 not yet known */
    /* FRAME: the whole frame (size field included), valid during the callback */
    const uint8_t *data;
    size_t len;
    int64_t ts_usec;        /* time of the segment that completed the frame / event */
    /* FRAME: request header fields; for a response, the paired request's (paired = 1) */
    int paired;
    int16_t api_key, api_version;
    int32_t correlation_id;
    int64_t req_ts_usec;    /* response: when its request was seen */
    /* GAP / SKIP / OVERSIZE / PARTIAL: bytes concerned */
    uint64_t bytes;
} kw_tcpr_ev;

typedef int (*kw_tcpr_cb)(void *ud, const kw_tcpr_ev *ev);

typedef struct kw_tcpr_opts {
    size_t max_frame;        /* 0 = KW_PCAP_MAX_FRAME_DEFAULT */
    int port;                /* > 0: the server port (the other side is the client) */
    size_t max_ooo_bytes;    /* out-of-order bytes held per direction (0 = 8 MiB) */
    size_t max_conns;        /* connections tracked at once (0 = 4096) */
    size_t max_pending;      /* unanswered requests remembered per connection (0 = 4096) */
} kw_tcpr_opts;

typedef struct kw_tcpr kw_tcpr;

/* Counters, for the summary line and the tests. */
typedef struct kw_tcpr_stats {
    uint64_t segments, data_bytes, retransmitted_bytes, ooo_segments;
    uint64_t gaps, gap_bytes, skipped_bytes, oversize;
    uint64_t requests, responses, paired, unpaired, noreply, partial;
    uint64_t conns;
} kw_tcpr_stats;

/* NULL when out of memory. */
kw_tcpr *kw_tcpr_new(const kw_tcpr_opts *opts, kw_tcpr_cb cb, void *ud);
/* Feed one segment (capture order). Returns 0, or the callback's non-zero value. */
int kw_tcpr_feed(kw_tcpr *r, const kw_tcp_seg *seg);
/* End of capture: report held holes, partial frames and requests without a response. */
int kw_tcpr_finish(kw_tcpr *r);
const kw_tcpr_stats *kw_tcpr_get_stats(const kw_tcpr *r);
void kw_tcpr_free(kw_tcpr *r);

/*
 * Read a pcap or pcapng file and feed every TCP segment to r. Returns 0, the
 * callback's non-zero value, or KW_ERR_IO (message in errbuf: cannot open, bad file,
 * unsupported link type). *packets counts the packets read (may be NULL).
 */
int kw_pcap_read(const char *path, kw_tcpr *r, uint64_t *packets, char *errbuf, size_t errlen);

#endif
