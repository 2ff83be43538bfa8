/*
 * fuzz/fuzz_http_request.c — the exporter's HTTP request parser (client/admin/exporter.c):
 * any bytes, fed whole and cut in half, must parse to "complete", "need more" or a
 * clear error, never read past the input, and agree with themselves when re-fed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/admin/exporter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy so ASan sees any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    kw_http_req req;
    int rc = kw_http_parse(buf, size, &req);
    if (rc != 1 && rc != 0 && rc != KW_ERR_CORRUPT && rc != KW_ERR_TOO_LARGE) abort();
    if (rc == 1) {
        if (req.len == 0 || req.len > size || req.len > KW_HTTP_MAX_REQUEST) abort();
        if (req.version != 10 && req.version != 11) abort();
        if (req.path[0] != '/' || strlen(req.path) > KW_HTTP_MAX_PATH) abort();
        int status = kw_http_route(&req);
        if (status != 200 && status != 404 && status != 405) abort();
        /* The head alone parses to the same request. */
        kw_http_req again;
        if (kw_http_parse(buf, req.len, &again) != 1 || again.len != req.len ||
            strcmp(again.path, req.path) != 0 || strcmp(again.method, req.method) != 0)
            abort();
        kw_buf out;
        kw_buf_init(&out);
        if (kw_http_response(&out, status, KW_EXP_CONTENT_TYPE, buf, size, 0) || out.len < size) abort();
        kw_buf_free(&out);
    }
    /* The first half, when complete, is the same request head as the whole input's. */
    if (size > 1) {
        kw_http_req pre;
        int prc = kw_http_parse(buf, size / 2, &pre);
        if (prc == 1 && (pre.len > size / 2 || (rc == 1 && pre.len != req.len))) abort();
    }
    free(buf);
    return 0;
}
