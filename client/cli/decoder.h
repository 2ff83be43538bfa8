/*
 * client/cli/decoder.h — `kwire decode`'s driving of the printer (proto/print.h): the
 * input file of --request / --response (binary, or hex text), one frame decoded from it,
 * a capture's frames and stream events (client/capture/pcap.h) printed as they come, the
 * decode errors described on the error stream (the first KW__DECODER_MAX_ERROR_LINES;
 * the rest counted), and the capture's summary line.
 *
 * The printer's output goes to out (stdout for the command) after each frame or event;
 * messages go to err as "kwire decode: message" lines.
 */
#ifndef KW_CLIENT_CLI_DECODER_H
#define KW_CLIENT_CLI_DECODER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/capture/pcap.h"
#include "codec/buf.h"
#include "kwire/decode.h"

#define KW__DECODER_MAX_ERROR_LINES 10 /* decode errors described on err; the rest are counted */

typedef struct kw__decoder {
    kw_buf out;
    kw_printer pr;
    FILE *out_f, *err_f;
    uint64_t errors, undecoded, frames;
    int crc_seen;
    uint64_t requests, responses, unpaired, noreply, gaps, skipped, partial;
} kw__decoder;

/* A printer in text (or json) form, full paths when paths, secrets shown when secrets. */
void kw__decoder_init(kw__decoder *d, int json, int paths, int secrets, FILE *out, FILE *err);
void kw__decoder_free(kw__decoder *d);

/* Hex text in p[0..len) to bytes in place (spaces, tabs and line ends ignored): 0 with
 * *out_len set; -1 for a byte that is not a hex digit (its offset in *at), -2 for an odd
 * number of digits (the count in *digits). */
int kw__decoder_unhex(uint8_t *p, size_t len, size_t *out_len, size_t *at, size_t *digits);

/* FILE (stdin for "-"), at most max bytes (hex text: max * 3 + 4096 bytes of text) and
 * decoded when hex; malloc'd (never NULL on success, even empty), *len set. NULL with
 * the reason said on err. */
uint8_t *kw__decoder_read_input(kw__decoder *d, const char *path, int hex, size_t max, size_t *len);

/* After a frame is printed: count it, and describe a CRC mismatch or a decode error
 * (rc < 0 other than KW_ERR_UNSUPPORTED, or the printer's error) on err, as `what`. */
void kw__decoder_after_walk(kw__decoder *d, int rc, const char *what);

/* One request frame (size, header, body) / one response body (frame: whole frame) of
 * api and version, printed and checked (kw__decoder_after_walk with what). */
int kw__decoder_request(kw__decoder *d, const uint8_t *p, size_t len, const char *what);
int kw__decoder_response(kw__decoder *d, int api, int version, int frame, const uint8_t *p, size_t len,
                         const char *what);

/* kw_tcpr's callback (ud: the decoder): a frame printed and checked, or a stream event
 * as a remark between frames; the output written out. 0 or KW_ERR_IO. */
int kw__decoder_on_event(void *ud, const kw_tcpr_ev *e);

/* Write the printer's output to out: 0, or -1 ("writing output: ..." said). */
int kw__decoder_flush(kw__decoder *d);
/* End the output (the JSON document closed) and write it: 0 or -1. */
int kw__decoder_finish(kw__decoder *d);

/* The capture's summary line to f. */
void kw__decoder_summary(const kw__decoder *d, FILE *f, const char *path, uint64_t packets,
                         const kw_tcpr_stats *s);

/* Decode capture `path` (--port, --max-frame as given; 0: found / default), the summary
 * line on err unless quiet. 0 when everything decoded, -1 otherwise (said). */
int kw__decoder_capture(kw__decoder *d, const char *path, int port, size_t max_frame, int quiet);

#endif
