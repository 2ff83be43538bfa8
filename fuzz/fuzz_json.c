/*
 * fuzz/fuzz_json.c — bench/json's reader over arbitrary bytes: every document either
 * parses or is refused with a message; a parsed tree's member counts match its members,
 * and every string's length matches its bytes. The same bytes then go through the
 * readers built on it (bench/worker.h, bench/trogdor.h): the workload of a start line,
 * the last status of a saved worker output, a coordinator's task list and an HTTP
 * answer — each accepts or refuses with a message, never reads outside the input.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/json.h"
#include "bench/trogdor.h"
#include "bench/worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const kw_jv *v, int depth)
{
    if (depth > KW_JV_MAX_DEPTH + 1) abort();
    if (v->type == KW_JV_STR && (!v->str || v->str[v->len] != 0)) abort();
    if (v->type == KW_JV_ARR || v->type == KW_JV_OBJ) {
        size_t n = 0;
        for (const kw_jv *m = v->child; m; m = m->next) {
            if ((v->type == KW_JV_OBJ) != (m->key != NULL)) abort();
            walk(m, depth + 1);
            n++;
        }
        if (n != v->len) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size ? size : 1); /* a private copy so ASan sees any read past the end */
    if (!text) return 0;
    memcpy(text, data, size);
    char err[160];
    kw_jv *v = kw_jv_parse(text, size, err, sizeof err);
    if (v) {
        walk(v, 0);
        kw_trogdor_task *t = NULL;
        int n = 0;
        if (kw_trogdor_tasks(v, "", &t, &n, err, sizeof err) == 0)
            for (int i = 0; i < n; i++) {
                kw_wk_status st;
                if (t[i].status && kw_wk_status_read(t[i].status, &st, err, sizeof err) == 0) {
                    if (!st.h || !st.int_h) abort();
                    kw_wk_status_free(&st);
                }
            }
        free(t);
    } else if (!err[0]) {
        abort();
    }
    kw_jv_free(v);
    kw_workload w;
    if (kw_workload_parse(text, size, &w, err, sizeof err) && !err[0]) abort();
    kw_workload_free(&w);
    kw_wk_status st;
    if (kw_wk_status_last(text, size, &st, err, sizeof err) == 1) kw_wk_status_free(&st);
    int status;
    size_t off, len;
    if (kw_http_answer(text, size, &status, &off, &len, err, sizeof err) == 0 && (off > size || len > size - off))
        abort();
    free(text);
    return 0;
}
