/*
 * fuzz/fuzz_json.c — bench/json's reader over arbitrary bytes: every document either
 * parses or is refused with a message; a parsed tree's member counts match its members,
 * and every string's length matches its bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "bench/json.h"

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
    if (v) walk(v, 0);
    else if (!err[0]) abort();
    kw_jv_free(v);
    free(text);
    return 0;
}
