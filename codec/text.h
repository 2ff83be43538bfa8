/*
 * codec/text.h — bytes as text: UTF-8 validation, JSON strings (write and read), base64
 * (RFC 4648, with padding) and a small JSON reader for one-line documents. Kafka's
 * strings are UTF-8 and its keys, values and headers are bytes: these functions let the
 * command print both losslessly (a JSON string where the bytes are UTF-8 text, base64
 * where they are not) and read the same back.
 *
 * Readers never trust input: every length is bounded by the input, every escape checked.
 */
#ifndef KW_CODEC_TEXT_H
#define KW_CODEC_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"

/* Length of the valid UTF-8 sequence at p[0..n) (1..4), or 0 when p does not start one
 * (a stray continuation byte, an overlong form, a surrogate, above U+10FFFF, cut short). */
size_t kw_utf8_seq(const uint8_t *p, size_t n);
/* 1 when all of p[0..n) is valid UTF-8 (NUL bytes allowed), else 0. */
int kw_utf8_valid(const uint8_t *p, size_t n);

/* Append p[0..n) as a JSON string with its quotes: '"', '\\' and control characters
 * escaped, valid UTF-8 copied as is. Bytes that are not valid UTF-8 are written as
 * U+FFFD; callers that must keep them check kw_utf8_valid first and use base64. */
void kw_json_put(kw_buf *b, const void *p, size_t n);
/* The same for a NUL-terminated string; NULL writes null. */
void kw_json_put_cstr(kw_buf *b, const char *s);

/* Standard base64 (RFC 4648) of p[0..n) appended, with padding, no quotes; returns
 * b->err. */
int kw_base64_encode(kw_buf *b, const void *p, size_t n);
/* Decode base64 text s[0..n) (padding required when the length is not a multiple of 4;
 * no whitespace; the bits a padded group does not carry must be zero) and append the
 * bytes. 0, KW_ERR_CORRUPT (b unchanged in length) or KW_ERR_NOMEM. */
int kw_base64_decode(kw_buf *b, const char *s, size_t n);

/*
 * JSON reader over one document in memory. Each call skips leading whitespace; on a
 * syntax error it sets r->err (sticky, KW_ERR_CORRUPT) with r->off at the offending
 * byte and r->why naming what was expected; every later call returns at once.
 */
typedef struct kw_jr {
    const char *p;
    size_t len, off;
    int err;
    const char *why;
    int depth; /* nesting while skipping, bounded by KW_JSON_MAX_DEPTH */
} kw_jr;
#define KW_JSON_MAX_DEPTH 64

void kw_jr_init(kw_jr *r, const char *p, size_t len);
/* The next non-space byte, not consumed (0 at the end). */
int kw_jr_peek(kw_jr *r);
/* Consume c when it is the next non-space byte: 1, else 0 (no error). */
int kw_jr_eat(kw_jr *r, int c);
/* Require c next (error "expected 'c'" when not there). */
void kw_jr_expect(kw_jr *r, int c);
/* The literal null: 1 and consumed when it is next, else 0. */
int kw_jr_null(kw_jr *r);
/* A string: its bytes (escapes resolved, \u surrogate pairs joined to UTF-8) appended to
 * out; returns the appended length, or -1 on error. */
long kw_jr_string(kw_jr *r, kw_buf *out);
/* An integer (optional '-', digits, no fraction or exponent) into *v: 0, or -1 on error
 * or overflow. */
int kw_jr_int(kw_jr *r, int64_t *v);
/* true or false into *v: 0 or -1. */
int kw_jr_bool(kw_jr *r, int *v);
/* Skip any one value (nested up to KW_JSON_MAX_DEPTH). */
void kw_jr_skip(kw_jr *r);
/* 1 when only whitespace is left. */
int kw_jr_at_end(kw_jr *r);

#endif
