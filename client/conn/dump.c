/*
 * client/conn/dump.c — `--dump`: kw_net_set_dump (kwire/admin.h). Every request and
 * response frame a kw_net exchanges, annotated field by field by proto/print.h (the same
 * walk as `kwire decode`), written to a FILE as it passes. It is a frame tap the net is
 * given (kw_net_set_frame_tap): net.c hands over the bytes and the broker's name and
 * knows nothing of printing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "client/conn/net.h"
#include "codec/buf.h"
#include "proto/print.h"
#include "proto/proto.h"

typedef struct dump {
    FILE *out;
    kw_buf buf;
    kw_printer pr;
} dump;

static void dump_frame(void *ud, const char *peer, int dir, int16_t api_key, int16_t version, const uint8_t *payload,
                       size_t len)
{
    dump *d = ud;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    kw_print_frame f;
    kw_print_frame_init(&f);
    f.ts_usec = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    char stream[320];
    snprintf(stream, sizeof stream, dir == KW_REQ ? "kwire -> %s" : "%s -> kwire", peer);
    f.stream = stream;
    f.direction = dir == KW_REQ ? "request" : "response";
    f.size = (int64_t)len + 4;
    kw_print_frame_bytes(&d->pr, &f, KW_PRINT_PAYLOAD, dir, api_key, version, payload, len);
    kw_printer_flush(&d->pr, d->out);
}

/* At kw_net_free: the JSON document is closed, and everything written out. */
static void dump_done(void *ud)
{
    dump *d = ud;
    kw_printer_finish(&d->pr);
    kw_printer_flush(&d->pr, d->out);
    fflush(d->out);
    kw_buf_free(&d->buf);
    free(d);
}

int kw_net_set_dump(kw_net *n, FILE *out, int flags)
{
    if (!n || !out) return KW_ERR_INVALID_ARG;
    dump *d = calloc(1, sizeof *d);
    if (!d) return KW_ERR_NOMEM;
    d->out = out;
    kw_buf_init(&d->buf);
    kw_print_opts po = {0};
    po.fmt = flags & KW_NET_DUMP_JSON ? KW_PRINT_JSON : KW_PRINT_TEXT;
    po.secrets = (flags & KW_NET_DUMP_SECRETS) != 0;
    kw_printer_init(&d->pr, &d->buf, &po);
    int e = kw_net_set_frame_tap(n, dump_frame, dump_done, d);
    if (e) {
        kw_buf_free(&d->buf);
        free(d);
    }
    return e;
}
