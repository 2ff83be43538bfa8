/*
 * bench/json.h — a small JSON reader for the bench layer: one document in memory
 * parsed into a tree of values (RFC 8259 grammar, strict: no comments, no trailing
 * commas, no leading zeros, no control characters inside strings). The Trogdor worker
 * reads its start line and `bench merge --trogdor` the coordinator's task list with it.
 *
 * Never trusts input: nesting is bounded (KW_JV_MAX_DEPTH), every escape checked
 * (\u surrogate pairs joined into UTF-8, a lone surrogate refused), every number parsed
 * from a bounded copy. Self-contained (codec/buf.h only), so that it can be folded into
 * a shared JSON reader later without touching its callers' logic.
 */
#ifndef KW_BENCH_JSON_H
#define KW_BENCH_JSON_H

#include <stddef.h>
#include <stdint.h>

#define KW_JV_MAX_DEPTH 64   /* arrays and objects nested deeper are refused */

typedef enum { KW_JV_NULL, KW_JV_BOOL, KW_JV_NUM, KW_JV_STR, KW_JV_ARR, KW_JV_OBJ } kw_jv_type;

typedef struct kw_jv {
    kw_jv_type type;
    int boolean;             /* KW_JV_BOOL */
    double num;              /* KW_JV_NUM */
    int64_t i;               /* KW_JV_NUM written as an integer within int64: its value */
    int is_int;              /* 1 when i holds the exact value */
    char *str;               /* KW_JV_STR: the bytes, NUL-terminated (may hold NULs: see len) */
    size_t len;              /* KW_JV_STR: bytes; KW_JV_ARR / KW_JV_OBJ: members */
    char *key;               /* the member name when this value sits in an object */
    size_t key_len;
    struct kw_jv *child;     /* KW_JV_ARR / KW_JV_OBJ: first member, in document order */
    struct kw_jv *next;      /* next sibling */
} kw_jv;

/*
 * Parse text[0..len) as one JSON value (whitespace around it allowed, nothing else).
 * The tree (to kw_jv_free), or NULL with err (errlen bytes) saying what was wrong and at
 * which byte ("byte 12: expected ':' after an object key"), or "out of memory".
 */
kw_jv *kw_jv_parse(const char *text, size_t len, char *err, size_t errlen);
void kw_jv_free(kw_jv *v);

/* The member of obj named key (the first one when repeated), or NULL (also when obj is
 * NULL or not an object). */
const kw_jv *kw_jv_get(const kw_jv *obj, const char *key);
/* The string of v when it is a string, else NULL. */
const char *kw_jv_str(const kw_jv *v);
/* Its name for messages: "null", "true/false", "a number", "a string", "an array", "an object". */
const char *kw_jv_type_name(kw_jv_type t);

#endif
