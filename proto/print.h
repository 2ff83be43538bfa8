/*
 * proto/print.h — printers for the annotation walk (codec/annot.h): the teaching view.
 * The printer, its output formats and kw_print_frame_bytes are declared in the public
 * kwire/decode.h; here, the walk callback and helpers the library shares.
 */
#ifndef KW_PROTO_PRINT_H
#define KW_PROTO_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "codec/annot.h"
#include "codec/buf.h"
#include "kwire/decode.h"

/* The walk callback: kw_msg_annotate(..., kw_print_cb, printer). Always returns 0. */
int kw_print_cb(void *ud, const kw_ann *a);

/* kw_print_opts, kw_print_frame, kw_printer and their calls: kwire/decode.h */

/* Append s (n bytes) as a JSON string literal, quotes included. */
void kw_json_str(kw_buf *out, const char *s, size_t n);

#endif
