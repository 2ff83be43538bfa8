/*
 * proto/frame.h — the push framer: Kafka frames out of a byte stream.
 *
 * Wire layout of every request and response on a connection:
 *     int32  size     big-endian, bytes that follow (header + body), 0..max
 *     bytes  payload  size bytes
 *
 * Bytes go in split anywhere; complete payloads come out one at a time. The framer holds
 * at most one partial frame (its size prefix and its payload) and nothing more: bytes
 * after a complete frame stay in the caller's input until the next call. When a whole
 * frame is already contiguous in the input it is returned in place (zero-copy); only a
 * frame split across inputs is copied, into a buffer of exactly its size.
 *
 * A size above the maximum (or negative) is an error that sticks: the stream cannot be
 * resynchronised, so the connection must be dropped.
 */
#ifndef KW_PROTO_FRAME_H
#define KW_PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "kwire.h"

#define KW_FRAME_MAX_DEFAULT (100u * 1024 * 1024) /* 100 MiB */

typedef struct kw_framer {
    size_t max;       /* largest payload accepted */
    uint8_t hdr[4];   /* size prefix being assembled */
    size_t hdr_have;  /* 0..4 bytes of it */
    uint8_t *buf;     /* partial payload (exactly `need` bytes allocated) */
    size_t need;      /* payload size of the frame being assembled */
    size_t have;      /* payload bytes in buf */
    size_t copied;    /* statistics: payload bytes copied (not zero-copy) */
    size_t frames;    /* statistics: frames returned */
    int err;          /* sticky: 0, KW_ERR_TOO_LARGE, KW_ERR_CORRUPT or KW_ERR_NOMEM */
} kw_framer;

void kw_framer_init(kw_framer *f, size_t max_frame);
void kw_framer_free(kw_framer *f);
/* Drop any partial frame and the error (for a new connection). */
void kw_framer_reset(kw_framer *f);

/*
 * Take bytes from *in / *inlen (advancing them past what was consumed) until one frame
 * is complete. Returns 1 with *frame / *flen set to the payload (valid until the next
 * call on this framer, and — when zero-copy — as long as the input is), 0 when all input
 * was consumed without completing a frame, or a negative KW_ERR_* (sticky).
 */
int kw_framer_next(kw_framer *f, const uint8_t **in, size_t *inlen, const uint8_t **frame, size_t *flen);

/*
 * What the first bytes a peer sent look like when they cannot start a Kafka answer to
 * ApiVersions (whose size prefix is small): "HTTP", "TLS" (a record header: the port
 * wants TLS), "SSH", "text" (a line-based protocol: printable ASCII), or NULL when
 * nothing is recognised (then the caller names the bytes). Pure.
 */
const char *kw_frame_sniff(const uint8_t *p, size_t len);
/* The largest frame an ApiVersions answer can plausibly be: a first frame above it (or
 * with a size under 4) means the peer is not a Kafka broker. */
#define KW_FRAME_APIVERSIONS_MAX (1u << 20)

/* Bytes currently buffered (prefix + partial payload). */
static inline size_t kw_framer_buffered(const kw_framer *f) { return f->hdr_have + f->have; }

#endif
