/*
 * bench/json.c — the bench layer's JSON reader (bench/json.h): a recursive descent
 * over one document, depth-bounded, building a tree of kw_jv.
 */
#include "bench/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/buf.h"

typedef struct jp {
    const char *p;
    size_t len, off;
    int depth;
    char *err;
    size_t errlen;
    int failed;
} jp;

static void fail(jp *j, const char *fmt, ...)
{
    if (j->failed) return;
    j->failed = 1;
    if (!j->err || !j->errlen) return;
    int n = snprintf(j->err, j->errlen, "byte %zu: ", j->off);
    if (n < 0 || (size_t)n >= j->errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err + n, j->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

static void ws(jp *j)
{
    while (j->off < j->len) {
        char c = j->p[j->off];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        j->off++;
    }
}

static int lit(jp *j, const char *word)
{
    size_t n = strlen(word);
    if (j->len - j->off < n || memcmp(j->p + j->off, word, n)) return 0;
    j->off += n;
    return 1;
}

static int hex4(jp *j, uint32_t *out)
{
    if (j->len - j->off < 4) { fail(j, "a \\u escape cut short"); return -1; }
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = j->p[j->off + (size_t)k];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) { fail(j, "a \\u escape needs four hex digits"); return -1; }
        v = v << 4 | (uint32_t)d;
    }
    j->off += 4;
    *out = v;
    return 0;
}

static void put_utf8(kw_buf *b, uint32_t cp)
{
    uint8_t u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (uint8_t)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (uint8_t)(0xc0 | cp >> 6); u[1] = (uint8_t)(0x80 | (cp & 63)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (uint8_t)(0xe0 | cp >> 12); u[1] = (uint8_t)(0x80 | ((cp >> 6) & 63));
        u[2] = (uint8_t)(0x80 | (cp & 63)); n = 3;
    } else {
        u[0] = (uint8_t)(0xf0 | cp >> 18); u[1] = (uint8_t)(0x80 | ((cp >> 12) & 63));
        u[2] = (uint8_t)(0x80 | ((cp >> 6) & 63)); u[3] = (uint8_t)(0x80 | (cp & 63)); n = 4;
    }
    kw_buf_put(b, u, n);
}

/* A string at j->off (the opening quote): its bytes into *out (NUL-terminated, malloc'd). */
static int string(jp *j, char **out, size_t *outlen)
{
    j->off++; /* '"' */
    kw_buf b;
    kw_buf_init(&b);
    for (;;) {
        if (j->off >= j->len) { fail(j, "a string without its closing quote"); break; }
        unsigned char c = (unsigned char)j->p[j->off];
        if (c == '"') { j->off++; break; }
        if (c < 0x20) { fail(j, "a control character inside a string"); break; }
        if (c != '\\') {
            size_t s = j->off;
            while (j->off < j->len && j->p[j->off] != '"' && j->p[j->off] != '\\' &&
                   (unsigned char)j->p[j->off] >= 0x20)
                j->off++;
            kw_buf_put(&b, j->p + s, j->off - s);
            continue;
        }
        j->off++;
        if (j->off >= j->len) { fail(j, "a string without its closing quote"); break; }
        char e = j->p[j->off++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            kw_buf_put(&b, &map[simple - "\"\\/bfnrt"], 1);
            continue;
        }
        if (e != 'u') { j->off--; fail(j, "unknown escape '\\%c'", e); break; }
        uint32_t cp;
        if (hex4(j, &cp)) break;
        if (cp >= 0xdc00 && cp <= 0xdfff) { fail(j, "a lone low surrogate \\u%04x", (unsigned)cp); break; }
        if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t lo;
            if (!lit(j, "\\u")) { fail(j, "a high surrogate without its low half"); break; }
            if (hex4(j, &lo)) break;
            if (lo < 0xdc00 || lo > 0xdfff) { fail(j, "a high surrogate without its low half"); break; }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        put_utf8(&b, cp);
    }
    kw_buf_put(&b, "", 1);
    if (j->failed || b.err) {
        if (b.err) fail(j, "out of memory");
        kw_buf_free(&b);
        return -1;
    }
    *outlen = b.len - 1;
    *out = (char *)b.data;
    return 0;
}

static int number(jp *j, kw_jv *v)
{
    size_t s = j->off;
    if (j->off < j->len && j->p[j->off] == '-') j->off++;
    size_t d0 = j->off;
    while (j->off < j->len && j->p[j->off] >= '0' && j->p[j->off] <= '9') j->off++;
    size_t nd = j->off - d0;
    if (!nd) { fail(j, "a number needs digits"); return -1; }
    if (nd > 1 && j->p[d0] == '0') { j->off = d0; fail(j, "a number with a leading zero"); return -1; }
    int integer = 1;
    if (j->off < j->len && j->p[j->off] == '.') {
        integer = 0;
        j->off++;
        size_t f0 = j->off;
        while (j->off < j->len && j->p[j->off] >= '0' && j->p[j->off] <= '9') j->off++;
        if (j->off == f0) { fail(j, "a fraction needs digits"); return -1; }
    }
    if (j->off < j->len && (j->p[j->off] == 'e' || j->p[j->off] == 'E')) {
        integer = 0;
        j->off++;
        if (j->off < j->len && (j->p[j->off] == '+' || j->p[j->off] == '-')) j->off++;
        size_t e0 = j->off;
        while (j->off < j->len && j->p[j->off] >= '0' && j->p[j->off] <= '9') j->off++;
        if (j->off == e0) { fail(j, "an exponent needs digits"); return -1; }
    }
    size_t n = j->off - s;
    char tmp[64];
    if (n >= sizeof tmp) {
        if (integer) { j->off = s; fail(j, "an integer too long"); return -1; }
        /* a long fraction: its first digits carry every bit a double holds */
        char *big = malloc(n + 1);
        if (!big) { fail(j, "out of memory"); return -1; }
        memcpy(big, j->p + s, n);
        big[n] = 0;
        v->num = strtod(big, NULL);
        free(big);
    } else {
        memcpy(tmp, j->p + s, n);
        tmp[n] = 0;
        v->num = strtod(tmp, NULL);
        if (integer) {
            errno = 0;
            long long x = strtoll(tmp, NULL, 10);
            if (!errno) { v->i = x; v->is_int = 1; }
        }
    }
    v->type = KW_JV_NUM;
    return 0;
}

static kw_jv *value(jp *j);

static kw_jv *container(jp *j, kw_jv *v, char close)
{
    int obj = close == '}';
    v->type = obj ? KW_JV_OBJ : KW_JV_ARR;
    if (++j->depth > KW_JV_MAX_DEPTH) { fail(j, "nested deeper than %d", KW_JV_MAX_DEPTH); return v; }
    j->off++;
    ws(j);
    if (j->off < j->len && j->p[j->off] == close) { j->off++; j->depth--; return v; }
    kw_jv **tail = &v->child;
    for (;;) {
        char *key = NULL;
        size_t key_len = 0;
        if (obj) {
            ws(j);
            if (j->off >= j->len || j->p[j->off] != '"') { fail(j, "expected an object key (a string)"); return v; }
            if (string(j, &key, &key_len)) return v;
            ws(j);
            if (j->off >= j->len || j->p[j->off] != ':') { free(key); fail(j, "expected ':' after an object key"); return v; }
            j->off++;
        }
        kw_jv *m = value(j);
        if (!m) { free(key); return v; }
        m->key = key;
        m->key_len = key_len;
        *tail = m;
        tail = &m->next;
        v->len++;
        if (j->failed) return v;
        ws(j);
        if (j->off < j->len && j->p[j->off] == ',') { j->off++; continue; }
        if (j->off < j->len && j->p[j->off] == close) { j->off++; break; }
        fail(j, obj ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
        return v;
    }
    j->depth--;
    return v;
}

/* One value at j->off (after whitespace); NULL only when out of memory or at a fault
 * before anything was allocated (j->failed says which). */
static kw_jv *value(jp *j)
{
    ws(j);
    if (j->off >= j->len) { fail(j, "expected a value, found the end"); return NULL; }
    kw_jv *v = calloc(1, sizeof *v);
    if (!v) { fail(j, "out of memory"); return NULL; }
    char c = j->p[j->off];
    if (c == '{') return container(j, v, '}');
    if (c == '[') return container(j, v, ']');
    if (c == '"') {
        v->type = KW_JV_STR;
        if (string(j, &v->str, &v->len)) v->str = NULL;
        return v;
    }
    if (c == '-' || (c >= '0' && c <= '9')) { number(j, v); return v; }
    if (lit(j, "true")) { v->type = KW_JV_BOOL; v->boolean = 1; return v; }
    if (lit(j, "false")) { v->type = KW_JV_BOOL; return v; }
    if (lit(j, "null")) return v;
    fail(j, "unexpected '%c'", (c >= 0x20 && c < 0x7f) ? c : '?');
    return v;
}

kw_jv *kw_jv_parse(const char *text, size_t len, char *err, size_t errlen)
{
    jp j = {.p = text, .len = len, .err = err, .errlen = errlen};
    if (err && errlen) err[0] = 0;
    kw_jv *v = value(&j);
    if (!j.failed) {
        ws(&j);
        if (j.off < j.len) fail(&j, "unexpected text after the value");
    }
    if (j.failed) {
        kw_jv_free(v);
        return NULL;
    }
    return v;
}

void kw_jv_free(kw_jv *v)
{
    while (v) {
        kw_jv *next = v->next;
        kw_jv_free(v->child); /* depth is bounded by KW_JV_MAX_DEPTH */
        free(v->str);
        free(v->key);
        free(v);
        v = next;
    }
}

const kw_jv *kw_jv_get(const kw_jv *obj, const char *key)
{
    if (!obj || obj->type != KW_JV_OBJ) return NULL;
    size_t n = strlen(key);
    for (const kw_jv *m = obj->child; m; m = m->next)
        if (m->key_len == n && !memcmp(m->key, key, n)) return m;
    return NULL;
}

const char *kw_jv_str(const kw_jv *v) { return v && v->type == KW_JV_STR ? v->str : NULL; }

const char *kw_jv_type_name(kw_jv_type t)
{
    switch (t) {
    case KW_JV_NULL: return "null";
    case KW_JV_BOOL: return "true/false";
    case KW_JV_NUM: return "a number";
    case KW_JV_STR: return "a string";
    case KW_JV_ARR: return "an array";
    case KW_JV_OBJ: return "an object";
    }
    return "?";
}
