/*
 * kwire/decode.h — the annotated, field-by-field view of Kafka frames (what `kwire
 * decode` and `--dump` print): printers for kwire's annotation walk (every field of a
 * request or response, with its offset, bytes, type and value).
 *
 * A kw_printer appends its output to a kw_buf (kw_print_frame_bytes feeds it one frame
 * at a time). It does no I/O: the caller writes the buffer out (kw_printer_flush does it
 * for a FILE*).
 *
 * TEXT format, one line per field (the hex column shortened here):
 *
 *   00000004  00 00  ...   request_api_key              int16          0 (Produce)
 *   offset    hex          indented name (or full path) type           value
 *
 *   - offset: 8 hex digits, relative to the current region (computed from the bytes
 *     pointers when the frame's data is given, see kw_print_frame.data); the hex column
 *     is 47 characters wide (16 bytes), then 2 spaces; the name (indented 2 per level)
 *     is padded to 28 columns and the type to 14, at least one space each;
 *   - longer fields continue on further lines whose offset advances by 16; fields
 *     longer than 64 bytes show their first 32 and last 16 bytes with "... (N bytes)"
 *     for the N bytes in between;
 *   - ENTER prints the struct/array/element name (and its type and value if the walker
 *     gave them); its hex only when its bytes are a prefix it owns (an array count, a
 *     records size, a tagged field's tag and size: at most 10 bytes), never a record
 *     batch walker's whole-extent ENTERs (types capitalised or in brackets: "Record",
 *     "[Header]"); LEAVE prints nothing, the indentation closes;
 *   - NOTE prints "!! <text>", ERROR prints "!! ERROR at offset 0x.. in <path>: <text>";
 *   - REGION prints "---- region N: <text> ----" (the walker's value, else its name and
 *     "(L bytes)") and offsets restart at 0 inside it;
 *     END_REGION prints "---- end of region N ----";
 *   - a frame heading (kw_printer_frame) is a line of its own starting with "==":
 *     "== TIME  stream N  SRC -> DST  DIRECTION  API vV  correlation_id C  size S
 *     [+L ms]" (parts left out when unknown; +L: a response's delay after its request);
 *   - control characters and invalid UTF-8 in names and values are shown as \xNN.
 *
 * JSON format: one document for the whole run, an object
 *
 *   {"frames": [ ITEM, ... ]}
 *
 * where ITEM is a frame {"kind":"frame", "time":1700000000.123456 (seconds),
 * "time_text":"2023-11-14 22:13:20.123456" (UTC), "stream_id":..., "stream":...,
 * "direction":..., "api":..., "api_key":..., "version":..., "correlation_id":...,
 * "size":..., "latency_us":..., "fields":[ FIELD, ... ]} (members absent when
 * unknown), or an event {"kind":"event",
 * "text":...} (stream gaps, unpaired responses). FIELD is a flat list entry, in walk order:
 *
 *   {"kind":"field", "path":"topics[0].name", "name":"name", "type":"compact_string",
 *    "region":0, "offset":34, "length":4, "hex":"03666f6f", "value":"foo"}
 *   {"kind":"enter", "path":..., "name":..., "type":..., "region":..., "offset":...,
 *    ["length":..., "hex":... for a length prefix, as in text], "value":...}
 *   {"kind":"leave", "path":...}
 *   {"kind":"region", "region":1, "value":"decompressed records ..."}
 *   {"kind":"end_region", "region":1}
 *   {"kind":"note", "path":<path of the previous field>, "value":...}
 *   {"kind":"error", "path":..., "region":..., "offset":..., "value":...}
 *
 * A secret field (a SASL password, client proof or token) shows no hex: text prints "(hidden)" in the hex column, JSON has
 * "redacted": true instead of "hex". SaslAuthenticate's auth_bytes are annotated as the
 * mechanism's message, its secrets redacted unless kw_print_opts.secrets is set.
 *
 * Values are always JSON strings (the walker's text; 64-bit integers stay exact);
 * "hex" is the field's full bytes unless json_hex_max cuts it ("hex_truncated":true).
 * Strings are escaped (quotes, backslash, controls as \u00XX, invalid UTF-8 bytes as
 * \u00XX), so the document is always valid JSON.
 *
 * Example: print one captured request frame (int32 size, header, body) as text.
 *
 *     kw_buf out; kw_buf_init(&out);
 *     kw_printer pr;
 *     kw_printer_init(&pr, &out, NULL);              // text, indented names
 *     int err = kw_print_frame_bytes(&pr, NULL, KW_PRINT_FRAME, KW_REQ, -1, -1, bytes, len);
 *     kw_printer_finish(&pr);
 *     kw_printer_flush(&pr, stdout);                  // and empties out
 *     if (err < 0) fprintf(stderr, "malformed: %s\n", kw_strerror(err));
 *     kw_buf_free(&out);
 */
#ifndef KWIRE_DECODE_H
#define KWIRE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kwire/errors.h"
#include "kwire/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Directions: KW_REQ (client -> broker body) and KW_RESP (broker -> client body). */
enum kw_dir { KW_REQ = 0, KW_RESP = 1 };

/* "Metadata" for 3; NULL for a key kwire does not describe. */
KW_API const char *kw_api_name(int api_key);

enum kw_print_fmt { KW_PRINT_TEXT = 0, KW_PRINT_JSON = 1 };

#define KW_PRINT_MAX_DEPTH 64   /* deeper ENTERs are still printed, paths are cut */
#define KW_PRINT_PATH_MAX 512

typedef struct kw_print_opts {
    int fmt;              /* KW_PRINT_TEXT or KW_PRINT_JSON */
    int paths;            /* text: full paths instead of indented names */
    size_t elide;         /* text: fields longer than this are elided (0 = 64) */
    size_t json_hex_max;  /* json: at most this many bytes as hex (0 = all) */
    int secrets;          /* show SASL secrets (passwords, proofs, tokens) instead of
                             "<redacted, N bytes>" (kwire --dump-secrets) */
} kw_print_opts;

/* What a frame heading says; fields left at their "unknown" values are omitted. */
typedef struct kw_print_frame {
    int64_t ts_usec;        /* capture time, microseconds since the epoch; < 0 unknown */
    const char *stream;     /* "10.0.0.1:40000 -> 10.0.0.2:9092", or NULL */
    int stream_id;          /* < 0 unknown */
    const char *direction;  /* "request" / "response", or NULL */
    const char *api_name;   /* "Produce", or NULL */
    int api_key;            /* < 0 unknown */
    int api_version;        /* < 0 unknown */
    int64_t correlation_id; /* < INT32_MIN unknown */
    int64_t size;           /* frame bytes, < 0 unknown */
    int64_t latency_usec;   /* a response: time since its request was seen; < 0 unknown */
    /* Optional: the bytes being annotated. When set, offsets outside regions are
     * computed from each field's bytes pointer (bytes - data), so walkers that report
     * offsets relative to a nested slice (a records field) still line up. */
    const uint8_t *data;
    size_t data_len;
} kw_print_frame;

/* An initialiser with every member "unknown". */
KW_API void kw_print_frame_init(kw_print_frame *f);

/* Where the last KW_ANN_ERROR of the current frame said decoding stopped (cleared by
 * kw_printer_frame; kw_printer.errors counts every ERROR seen). */
typedef struct kw_print_error {
    int set;
    int region;
    size_t off;
    char path[KW_PRINT_PATH_MAX];
    char msg[256];
} kw_print_error;

typedef struct kw_printer {
    kw_print_opts o;
    kw_buf *out;
    /* path stack */
    int depth;                               /* ENTERs open (may exceed the stored names) */
    size_t name_end[KW_PRINT_MAX_DEPTH + 1]; /* path length after each level */
    char path[KW_PRINT_PATH_MAX];
    size_t path_len;
    char last_path[KW_PRINT_PATH_MAX];       /* path of the last field, for NOTEs */
    /* regions */
    int region;          /* current region number (0 = the frame itself) */
    int regions_opened;  /* numbering */
    int region_stack[KW_PRINT_MAX_DEPTH];
    int region_depth;
    /* json */
    int doc_open, frame_open, items, fields;
    int errors, notes;
    int crc_mismatches;   /* record batches whose CRC did not match (their NOTEs) */
    size_t name_col, type_col; /* text columns of the frame being printed (0: the defaults) */
    int deferred;              /* text: the frame's column padding left as marks from ... */
    size_t deferred_at;        /* ... this offset of out, filled in when its widths are known */
    const uint8_t *data;  /* see kw_print_frame.data */
    size_t data_len;
    int soften;           /* kw_print_frame_bytes: ERRORs of an undescribed body become NOTEs */
    int softened;
    kw_print_error err;
} kw_printer;

/* Set up a printer writing into out (not owned). opts may be NULL (text defaults). */
KW_API void kw_printer_init(kw_printer *p, kw_buf *out, const kw_print_opts *opts);

/* Start a frame: a heading line (text) or a frame object (json). Closes an open frame. */
KW_API void kw_printer_frame(kw_printer *p, const kw_print_frame *f);
/* A free-standing remark between frames (gaps, unpaired responses). */
KW_API void kw_printer_event(kw_printer *p, const char *text);
/* End the output: closes the JSON document (text: nothing). */
KW_API void kw_printer_finish(kw_printer *p);
/* Write what has been produced to f and empty the buffer. 0 or KW_ERR_IO / NOMEM. */
KW_API int kw_printer_flush(kw_printer *p, FILE *f);

/*
 * Print one Kafka frame as `kwire decode` shows it: a heading, then every field. It
 * starts a new frame (kw_printer_frame) with heading f (NULL: everything from the
 * bytes; members left unknown in f are filled in from them).
 *   form KW_PRINT_FRAME    bytes = int32 size, header, body
 *        KW_PRINT_PAYLOAD  bytes = header and body, the size left off (what a
 *                          connection's frame tap sees); shown with its size field
 *        KW_PRINT_BODY     bytes = the body alone
 *   dir  KW_REQ / KW_RESP (above). A request's API and version come from its
 *        header when there is one; a response's are the request's: api_key, version.
 * A body kwire does not describe is shown as raw bytes with a note, not an error, and
 * the result is KW_ERR_UNSUPPORTED. An ApiVersions response refusing the version asked
 * (error 35, KIP-511) is shown in the older layout the broker used, with a note.
 * Returns 0, KW_ERR_UNSUPPORTED, or a negative KW_ERR_* for malformed bytes (an ERROR
 * is printed and p->err says where decoding stopped).
 */
enum kw_print_form { KW_PRINT_FRAME = 0, KW_PRINT_PAYLOAD = 1, KW_PRINT_BODY = 2 };
KW_API int kw_print_frame_bytes(kw_printer *p, const kw_print_frame *f, int form, int dir, int api_key, int version,
                         const uint8_t *bytes, size_t len);

/* Format a capture time (microseconds since the epoch) as "YYYY-MM-DD HH:MM:SS.uuuuuu" UTC. */
KW_API void kw_print_time(char *dst, size_t cap, int64_t ts_usec);

#ifdef __cplusplus
}
#endif

#endif
