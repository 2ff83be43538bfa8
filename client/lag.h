/*
 * client/lag.h — consumer-group lag from a cluster snapshot (pure: no I/O), declared in
 * the public kwire/lag.h (implemented in client/lag.c; the snapshot is filled by
 * client/offsets.c); here the library's shared helpers besides.
 */
#ifndef KW_CLIENT_LAG_H
#define KW_CLIENT_LAG_H

#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"
#include "kwire/lag.h"

/* Library-internal: printf onto a kw_buf (sets out->err on failure); returns out->err. */
int kw__lag_printf(kw_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Library-internal: append s as a JSON string literal (with quotes). */
void kw__lag_json_str(kw_buf *out, const char *s);

#endif
