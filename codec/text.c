/*
 * codec/text.c — UTF-8 validation, JSON strings, base64 and a small JSON reader (see
 * codec/text.h).
 */
#include "codec/text.h"

#include <stdio.h>
#include <string.h>

/* ---- UTF-8 ---- */

size_t kw_utf8_seq(const uint8_t *p, size_t n)
{
    if (!n) return 0;
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return 0; /* continuation byte, overlong lead 0xc0/0xc1, or above 0xf4 */
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) return 0;
    return len;
}

int kw_utf8_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) { i++; continue; }
        size_t l = kw_utf8_seq(p + i, n - i);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

/* ---- JSON strings ---- */

void kw_json_put(kw_buf *b, const void *src, size_t n)
{
    const uint8_t *p = src;
    kw_buf_put(b, "\"", 1);
    size_t i = 0, run = 0;
    while (i < n) {
        uint8_t c = p[i];
        size_t l = c < 0x80 ? 1 : kw_utf8_seq(p + i, n - i);
        if (l && c >= 0x20 && c != '"' && c != '\\') {
            i += l;
            continue;
        }
        kw_buf_put(b, p + run, i - run);
        if (!l) {
            kw_buf_put(b, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
        } else if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            kw_buf_put(b, e, 2);
        } else {
            char e[8];
            const char *s = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
            if (s) kw_buf_put(b, s, 2);
            else {
                snprintf(e, sizeof e, "\\u%04x", c);
                kw_buf_put(b, e, 6);
            }
        }
        i++;
        run = i;
    }
    kw_buf_put(b, p + run, n - run);
    kw_buf_put(b, "\"", 1);
}

void kw_json_put_cstr(kw_buf *b, const char *s)
{
    if (!s) kw_buf_put(b, "null", 4);
    else kw_json_put(b, s, strlen(s));
}

/* ---- base64 ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int kw_base64_encode(kw_buf *b, const void *src, size_t n)
{
    const uint8_t *p = src;
    char *o = (char *)kw_buf_extend(b, (n + 2) / 3 * 4);
    if (!o) return b->err;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64[v >> 18]; *o++ = b64[v >> 12 & 63]; *o++ = b64[v >> 6 & 63]; *o++ = b64[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *o++ = b64[v >> 18]; *o++ = b64[v >> 12 & 63]; *o++ = '='; *o++ = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = b64[v >> 18]; *o++ = b64[v >> 12 & 63]; *o++ = b64[v >> 6 & 63]; *o++ = '=';
    }
    return b->err;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int kw_base64_decode(kw_buf *b, const char *s, size_t n)
{
    if (n % 4) return KW_ERR_CORRUPT;
    size_t start = b->len;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = b64val(s[i + k])) < 0) {
                b->len = start;
                return KW_ERR_CORRUPT;
            }
        }
        uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        uint8_t out[3] = {(uint8_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x};
        /* the bits a padded group does not carry must be zero (canonical form) */
        if ((pad == 2 && (x & 0xffff)) || (pad == 1 && (x & 0xff))) {
            b->len = start;
            return KW_ERR_CORRUPT;
        }
        kw_buf_put(b, out, (size_t)(3 - pad));
    }
    return b->err;
}

/* ---- JSON reader ---- */

void kw_jr_init(kw_jr *r, const char *p, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->len = len;
}

static void jr_fail(kw_jr *r, const char *why)
{
    if (r->err) return;
    r->err = KW_ERR_CORRUPT;
    r->why = why;
}

static void jr_ws(kw_jr *r)
{
    while (r->off < r->len) {
        char c = r->p[r->off];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        r->off++;
    }
}

int kw_jr_peek(kw_jr *r)
{
    if (r->err) return 0;
    jr_ws(r);
    return r->off < r->len ? (unsigned char)r->p[r->off] : 0;
}

int kw_jr_eat(kw_jr *r, int c)
{
    if (kw_jr_peek(r) != c || r->off >= r->len) return 0;
    r->off++;
    return 1;
}

void kw_jr_expect(kw_jr *r, int c)
{
    static const char *msgs[] = {"expected '{'", "expected '}'", "expected '['", "expected ']'", "expected ':'",
                                 "expected ','", "expected '\"'"};
    const char set[] = "{}[]:,\"";
    if (kw_jr_eat(r, c)) return;
    const char *s = strchr(set, c);
    jr_fail(r, s ? msgs[s - set] : "unexpected byte");
}

static int jr_word(kw_jr *r, const char *w)
{
    size_t n = strlen(w);
    if (kw_jr_peek(r) != w[0] || r->len - r->off < n || memcmp(r->p + r->off, w, n)) return 0;
    r->off += n;
    return 1;
}

int kw_jr_null(kw_jr *r) { return jr_word(r, "null"); }

int kw_jr_bool(kw_jr *r, int *v)
{
    if (jr_word(r, "true")) { *v = 1; return 0; }
    if (jr_word(r, "false")) { *v = 0; return 0; }
    jr_fail(r, "expected true or false");
    return -1;
}

static int hex4(const char *p, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return -1;
        *v = *v << 4 | (uint32_t)d;
    }
    return 0;
}

static void put_utf8(kw_buf *b, uint32_t cp)
{
    uint8_t o[4];
    size_t n;
    if (cp < 0x80) { o[0] = (uint8_t)cp; n = 1; }
    else if (cp < 0x800) { o[0] = (uint8_t)(0xc0 | cp >> 6); o[1] = (uint8_t)(0x80 | (cp & 63)); n = 2; }
    else if (cp < 0x10000) {
        o[0] = (uint8_t)(0xe0 | cp >> 12); o[1] = (uint8_t)(0x80 | (cp >> 6 & 63)); o[2] = (uint8_t)(0x80 | (cp & 63)); n = 3;
    } else {
        o[0] = (uint8_t)(0xf0 | cp >> 18); o[1] = (uint8_t)(0x80 | (cp >> 12 & 63));
        o[2] = (uint8_t)(0x80 | (cp >> 6 & 63)); o[3] = (uint8_t)(0x80 | (cp & 63)); n = 4;
    }
    kw_buf_put(b, o, n);
}

long kw_jr_string(kw_jr *r, kw_buf *out)
{
    if (kw_jr_peek(r) != '"') { jr_fail(r, "expected a string"); return -1; }
    r->off++;
    size_t start = out->len;
    while (r->off < r->len) {
        unsigned char c = (unsigned char)r->p[r->off];
        if (c == '"') {
            r->off++;
            return out->err ? -1 : (long)(out->len - start);
        }
        if (c < 0x20) { jr_fail(r, "control character inside a string"); return -1; }
        if (c != '\\') {
            size_t l = c < 0x80 ? 1 : kw_utf8_seq((const uint8_t *)r->p + r->off, r->len - r->off);
            if (!l) { jr_fail(r, "invalid UTF-8 inside a string"); return -1; }
            kw_buf_put(out, r->p + r->off, l);
            r->off += l;
            continue;
        }
        if (r->off + 1 >= r->len) break;
        char e = r->p[r->off + 1];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k) {
            kw_buf_put(out, to + (k - from), 1);
            r->off += 2;
            continue;
        }
        if (e != 'u') { jr_fail(r, "unknown escape inside a string"); return -1; }
        uint32_t cp, lo;
        if (r->len - r->off < 6 || hex4(r->p + r->off + 2, &cp)) { jr_fail(r, "bad \\u escape"); return -1; }
        r->off += 6;
        if (cp >= 0xdc00 && cp <= 0xdfff) { jr_fail(r, "lone low surrogate in \\u escape"); return -1; }
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (r->len - r->off < 6 || r->p[r->off] != '\\' || r->p[r->off + 1] != 'u' ||
                hex4(r->p + r->off + 2, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                jr_fail(r, "high surrogate without its low half in \\u escape");
                return -1;
            }
            r->off += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        put_utf8(out, cp);
    }
    jr_fail(r, "unterminated string");
    return -1;
}

int kw_jr_int(kw_jr *r, int64_t *v)
{
    int c = kw_jr_peek(r);
    if (c != '-' && (c < '0' || c > '9')) { jr_fail(r, "expected an integer"); return -1; }
    size_t i = r->off;
    int neg = r->p[i] == '-';
    if (neg) i++;
    if (i >= r->len || r->p[i] < '0' || r->p[i] > '9') { jr_fail(r, "expected an integer"); return -1; }
    uint64_t x = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    size_t digits = 0;
    for (; i < r->len && r->p[i] >= '0' && r->p[i] <= '9'; i++, digits++) {
        uint64_t d = (uint64_t)(r->p[i] - '0');
        if (x > (lim - d) / 10) { jr_fail(r, "integer out of range"); return -1; }
        x = x * 10 + d;
    }
    if (i < r->len && (r->p[i] == '.' || r->p[i] == 'e' || r->p[i] == 'E')) {
        jr_fail(r, "expected an integer, not a fraction");
        return -1;
    }
    if (digits > 1 && r->p[neg ? r->off + 1 : r->off] == '0') { jr_fail(r, "leading zero in a number"); return -1; }
    r->off = i;
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}

static void skip_number(kw_jr *r)
{
    size_t i = r->off;
    if (i < r->len && r->p[i] == '-') i++;
    size_t d0 = i;
    while (i < r->len && strchr("0123456789.eE+-", r->p[i])) i++;
    if (i == d0) { jr_fail(r, "expected a value"); return; }
    r->off = i;
}

void kw_jr_skip(kw_jr *r)
{
    int c = kw_jr_peek(r);
    if (r->err) return;
    if (c == '"') {
        kw_buf tmp;
        kw_buf_init(&tmp);
        kw_jr_string(r, &tmp);
        kw_buf_free(&tmp);
        return;
    }
    if (c == '{' || c == '[') {
        if (++r->depth > KW_JSON_MAX_DEPTH) { jr_fail(r, "nested too deep"); return; }
        int close = c == '{' ? '}' : ']';
        r->off++;
        if (!kw_jr_eat(r, close)) {
            do {
                if (c == '{') {
                    kw_buf tmp;
                    kw_buf_init(&tmp);
                    kw_jr_string(r, &tmp);
                    kw_buf_free(&tmp);
                    kw_jr_expect(r, ':');
                }
                kw_jr_skip(r);
            } while (!r->err && kw_jr_eat(r, ','));
            kw_jr_expect(r, close);
        }
        r->depth--;
        return;
    }
    if (jr_word(r, "null") || jr_word(r, "true") || jr_word(r, "false")) return;
    skip_number(r);
}

int kw_jr_at_end(kw_jr *r)
{
    jr_ws(r);
    return r->off >= r->len;
}
