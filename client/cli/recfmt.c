/*
 * client/cli/recfmt.c — kcat's -f format strings and the JSON record envelope (see
 * client/cli/recfmt.h).
 */
#include "client/cli/recfmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/grow.h"
#include "codec/text.h"

const char kw_recfmt_fields[] = "%t %p %o %T %k %K %s %S %R %h %%";

/* ---- format strings ---- */

static void lit_byte(kw_recfmt *f, size_t *lo, char v)
{
    if (f->nseg && f->seg[f->nseg - 1].kind == 0) f->seg[f->nseg - 1].len++;
    else f->seg[f->nseg++] = (kw_recfmt_seg){0, *lo, 1};
    f->lit[(*lo)++] = v;
}

static int hexdigit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int kw_recfmt_compile(kw_recfmt *f, const char *s, char *err, size_t errlen)
{
    size_t n = strlen(s);
    memset(f, 0, sizeof *f);
    f->lit = malloc(n + 1);
    f->seg = calloc(n + 1, sizeof *f->seg);
    if (!f->lit || !f->seg) {
        kw_recfmt_free(f);
        snprintf(err, errlen, "out of memory");
        return KW_ERR_NOMEM;
    }
    size_t lo = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '\\') {
            if (i + 1 >= n) {
                snprintf(err, errlen, "a lone '\\' at the end of '%s' (write \\\\ for a backslash)", s);
                goto bad;
            }
            char e = s[++i];
            if (e == 'x') {
                int h = i + 1 < n ? hexdigit(s[i + 1]) : -1, l = i + 2 < n ? hexdigit(s[i + 2]) : -1;
                if (h < 0 || l < 0) {
                    snprintf(err, errlen, "\\x at byte %zu of '%s' needs two hex digits", i, s);
                    goto bad;
                }
                lit_byte(f, &lo, (char)(h << 4 | l));
                i += 2;
                continue;
            }
            lit_byte(f, &lo, e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e);
        } else if (ch == '%') {
            if (i + 1 >= n) {
                snprintf(err, errlen, "a lone '%%' at the end of '%s' (write %%%% for a percent sign)", s);
                goto bad;
            }
            char k = s[++i];
            if (k == '%') lit_byte(f, &lo, '%');
            else if (k && strchr("tpoTkKsSRh", k)) f->seg[f->nseg++] = (kw_recfmt_seg){k, 0, 0};
            else {
                snprintf(err, errlen, "unknown field %%%c at byte %zu of '%s' (fields: %s)", k, i - 1, s,
                         kw_recfmt_fields);
                goto bad;
            }
        } else {
            lit_byte(f, &lo, ch);
        }
    }
    return 0;
bad:
    kw_recfmt_free(f);
    return KW_ERR_CONFIG;
}

void kw_recfmt_free(kw_recfmt *f)
{
    free(f->lit);
    free(f->seg);
    memset(f, 0, sizeof *f);
}

static void put_num(kw_buf *o, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    kw_buf_put(o, tmp, (size_t)n);
}

void kw_recfmt_render(const kw_recfmt *f, const kw_msg *m, kw_buf *o)
{
    for (int i = 0; i < f->nseg; i++) {
        const kw_recfmt_seg *s = &f->seg[i];
        switch (s->kind) {
        case 0: kw_buf_put(o, f->lit + s->off, s->len); break;
        case 't': kw_buf_put(o, m->topic, strlen(m->topic)); break;
        case 'p': put_num(o, m->partition); break;
        case 'o': put_num(o, m->offset); break;
        case 'T': put_num(o, m->timestamp); break;
        case 'k': if (m->key_len > 0) kw_buf_put(o, m->key, (size_t)m->key_len); break;
        case 'K': put_num(o, m->key_len < 0 ? -1 : m->key_len); break;
        case 's': if (m->value_len > 0) kw_buf_put(o, m->value, (size_t)m->value_len); break;
        case 'S': put_num(o, m->value_len < 0 ? -1 : m->value_len); break;
        case 'R': {
            uint8_t be[4];
            kw_be32(be, (uint32_t)(m->value_len < 0 ? -1 : m->value_len));
            kw_buf_put(o, be, 4);
            break;
        }
        case 'h': {
            kw_rd r;
            kw_header h;
            kw_rd_init(&r, m->hdr_data, m->hdr_len);
            for (int32_t k = 0; k < m->header_count && kw_record_header_next(&r, &h) == 1; k++) {
                if (k) kw_buf_put(o, ",", 1);
                kw_buf_put(o, h.key, (size_t)h.key_len);
                kw_buf_put(o, "=", 1);
                if (h.value_len > 0) kw_buf_put(o, h.value, (size_t)h.value_len);
            }
            break;
        }
        }
    }
}

/* ---- JSON envelope: writing ---- */

/* "name":value for bytes that may be null or binary: the string itself when UTF-8,
 * else base64 and "name_encoding":"base64". */
static void json_bytes(kw_buf *o, const char *name, const uint8_t *p, int32_t len)
{
    kw_buf_put(o, "\"", 1);
    kw_buf_put(o, name, strlen(name));
    kw_buf_put(o, "\":", 2);
    if (len < 0) {
        kw_buf_put(o, "null", 4);
        return;
    }
    if (kw_utf8_valid(p, (size_t)len)) {
        kw_json_put(o, p, (size_t)len);
        return;
    }
    kw_buf_put(o, "\"", 1);
    kw_base64_encode(o, p, (size_t)len);
    kw_buf_put(o, "\",\"", 3);
    kw_buf_put(o, name, strlen(name));
    kw_buf_put(o, "_encoding\":\"base64\"", 19);
}

void kw_recjson_write(kw_buf *o, const kw_msg *m)
{
    char tmp[160];
    kw_buf_put(o, "{\"topic\":", 9);
    kw_json_put_cstr(o, m->topic);
    int n = snprintf(tmp, sizeof tmp, ",\"partition\":%d,\"offset\":%lld,\"timestamp\":%lld,\"timestamp_type\":\"%s\",",
                     m->partition, (long long)m->offset, (long long)m->timestamp,
                     m->ts_log_append ? "LogAppendTime" : "CreateTime");
    kw_buf_put(o, tmp, (size_t)n);
    json_bytes(o, "key", m->key, m->key_len);
    kw_buf_put(o, ",", 1);
    json_bytes(o, "value", m->value, m->value_len);
    kw_buf_put(o, ",\"headers\":[", 12);
    kw_rd r;
    kw_header h;
    kw_rd_init(&r, m->hdr_data, m->hdr_len);
    for (int32_t k = 0; k < m->header_count && kw_record_header_next(&r, &h) == 1; k++) {
        kw_buf_put(o, k ? ",{" : "{", k ? 2 : 1);
        json_bytes(o, "name", h.key, h.key_len);
        kw_buf_put(o, ",", 1);
        json_bytes(o, "value", h.value, h.value_len);
        kw_buf_put(o, "}", 1);
    }
    kw_buf_put(o, "]}\n", 3);
}

/* ---- JSON envelope: reading ---- */

void kw_recjson_init(kw_recjson *r)
{
    memset(r, 0, sizeof *r);
    kw_buf_init(&r->store);
}

void kw_recjson_free(kw_recjson *r)
{
    kw_buf_free(&r->store);
    free(r->headers);
    memset(r, 0, sizeof *r);
}

/* A field's bytes while parsing: offset into store and length (-1 null). */
typedef struct span {
    size_t off;
    long len;
    int base64;
} span;

typedef struct hspan {
    span name, value;
} hspan;

static int fail(kw_jr *j, char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s at byte %zu", what ? what : (j->why ? j->why : "malformed JSON"), j->off);
    return KW_ERR_CORRUPT;
}

/* The field name just read into store at `at` (n bytes), cut to 31 bytes (no known name is
 * longer), into dst[32]. */
static void field_name(char *dst, const kw_buf *store, size_t at, long n)
{
    size_t k = n > 31 ? 31 : (size_t)n;
    if (k) memcpy(dst, store->data + at, k);
    dst[k] = 0;
}

/* A string or null into store. */
static int read_bytes(kw_jr *j, kw_buf *store, span *s)
{
    s->off = store->len;
    if (kw_jr_null(j)) { s->len = -1; return 0; }
    s->len = kw_jr_string(j, store);
    return s->len < 0 ? -1 : 0;
}

static int read_encoding(kw_jr *j, kw_buf *store, int *base64)
{
    size_t at = store->len;
    long n = kw_jr_string(j, store);
    if (n < 0) return -1;
    int ok = 0;
    if (n == 6 && !memcmp(store->data + at, "base64", 6)) { *base64 = 1; ok = 1; }
    else if ((n == 5 && !memcmp(store->data + at, "utf-8", 5)) || (n == 4 && !memcmp(store->data + at, "utf8", 4))) {
        *base64 = 0;
        ok = 1;
    }
    store->len = at;
    return ok ? 0 : -2;
}

/* Replace a base64 span's text by its bytes (appended to store). */
static int decode_span(kw_buf *store, span *s, const char *name, char *err, size_t errlen)
{
    if (!s->base64 || s->len < 0) return 0;
    /* the text is in store too: make room first, so decoding does not move it */
    if (kw_buf_reserve(store, (size_t)s->len)) {
        snprintf(err, errlen, "out of memory");
        return KW_ERR_NOMEM;
    }
    size_t at = store->len;
    if (kw_base64_decode(store, (const char *)store->data + s->off, (size_t)s->len)) {
        snprintf(err, errlen, "%s: \"%s_encoding\":\"base64\" but its text is not base64", name, name);
        return KW_ERR_CORRUPT;
    }
    s->off = at;
    s->len = (long)(store->len - at);
    return 0;
}

static int read_header(kw_jr *j, kw_buf *store, hspan *h, char *err, size_t errlen)
{
    int has_name = 0, has_value = 0;
    memset(h, 0, sizeof *h);
    kw_jr_expect(j, '{');
    if (!kw_jr_eat(j, '}')) {
        do {
            size_t at = store->len;
            long n = kw_jr_string(j, store);
            if (n < 0) return fail(j, err, errlen, NULL);
            char key[32];
            field_name(key, store, at, n);
            store->len = at;
            kw_jr_expect(j, ':');
            int e = 0;
            if (!strcmp(key, "name")) { e = read_bytes(j, store, &h->name); has_name = 1; }
            else if (!strcmp(key, "value")) { e = read_bytes(j, store, &h->value); has_value = 1; }
            else if (!strcmp(key, "name_encoding")) e = read_encoding(j, store, &h->name.base64);
            else if (!strcmp(key, "value_encoding")) e = read_encoding(j, store, &h->value.base64);
            else return fail(j, err, errlen, "a header has name, value, name_encoding and value_encoding; unknown field");
            if (e == -2) return fail(j, err, errlen, "an encoding is \"base64\" or \"utf-8\"; unknown encoding");
            if (e) return fail(j, err, errlen, NULL);
        } while (kw_jr_eat(j, ','));
        kw_jr_expect(j, '}');
    }
    if (j->err) return fail(j, err, errlen, NULL);
    if (!has_name || h->name.len < 0) return fail(j, err, errlen, "a header needs a non-null \"name\"");
    if (!has_value) h->value.len = -1;
    int e = decode_span(store, &h->name, "header name", err, errlen);
    if (!e) e = decode_span(store, &h->value, "header value", err, errlen);
    return e;
}

int kw_recjson_parse(kw_recjson *r, const char *line, size_t len, char *err, size_t errlen)
{
    kw_jr j;
    kw_jr_init(&j, line, len);
    r->store.len = 0;
    r->store.err = 0;
    r->topic = NULL;
    r->partition = -1;
    r->has_timestamp = 0;
    r->timestamp = -1;
    r->nheaders = 0;
    span topic = {0, -1, 0}, key = {0, -1, 0}, value = {0, -1, 0};
    hspan *hs = NULL;
    size_t nh = 0, hcap = 0;
    int rc = 0;
    kw_jr_expect(&j, '{');
    if (!j.err && !kw_jr_eat(&j, '}')) {
        do {
            size_t at = r->store.len;
            long n = kw_jr_string(&j, &r->store);
            if (n < 0) break;
            char name[32];
            field_name(name, &r->store, at, n);
            r->store.len = at;
            kw_jr_expect(&j, ':');
            int e = 0;
            int64_t v;
            if (!strcmp(name, "topic")) {
                e = read_bytes(&j, &r->store, &topic);
            } else if (!strcmp(name, "partition")) {
                if (!kw_jr_null(&j)) {
                    e = kw_jr_int(&j, &v);
                    if (!e && (v < -1 || v > INT32_MAX)) { rc = fail(&j, err, errlen, "partition out of range"); goto out; }
                    if (!e) r->partition = (int32_t)v;
                }
            } else if (!strcmp(name, "timestamp")) {
                if (!kw_jr_null(&j)) {
                    e = kw_jr_int(&j, &r->timestamp);
                    r->has_timestamp = !e;
                }
            } else if (!strcmp(name, "offset") || !strcmp(name, "timestamp_type")) {
                kw_jr_skip(&j); /* the broker assigns these */
            } else if (!strcmp(name, "key")) {
                e = read_bytes(&j, &r->store, &key);
            } else if (!strcmp(name, "value")) {
                e = read_bytes(&j, &r->store, &value);
            } else if (!strcmp(name, "key_encoding") || !strcmp(name, "value_encoding")) {
                e = read_encoding(&j, &r->store, name[0] == 'k' ? &key.base64 : &value.base64);
                if (e == -2) { rc = fail(&j, err, errlen, "an encoding is \"base64\" or \"utf-8\"; unknown encoding"); goto out; }
            } else if (!strcmp(name, "headers")) {
                if (kw_jr_null(&j)) continue;
                kw_jr_expect(&j, '[');
                if (!j.err && !kw_jr_eat(&j, ']')) {
                    do {
                        hspan *m = kw__grow_sz(hs, sizeof *m, nh + 1, &hcap, 8);
                        if (!m) { rc = KW_ERR_NOMEM; snprintf(err, errlen, "out of memory"); goto out; }
                        hs = m;
                        rc = read_header(&j, &r->store, &hs[nh], err, errlen);
                        if (rc) goto out;
                        nh++;
                    } while (kw_jr_eat(&j, ','));
                    kw_jr_expect(&j, ']');
                }
            } else {
                char what[96];
                snprintf(what, sizeof what, "unknown field \"%s\"", name);
                rc = fail(&j, err, errlen, what);
                goto out;
            }
            if (e) break;
        } while (kw_jr_eat(&j, ','));
        kw_jr_expect(&j, '}');
    }
    if (j.err) { rc = fail(&j, err, errlen, NULL); goto out; }
    if (!kw_jr_at_end(&j)) { rc = fail(&j, err, errlen, "text after the object"); goto out; }
    if (topic.base64) { rc = fail(&j, err, errlen, "a topic name is text, not base64"); goto out; }
    if ((rc = decode_span(&r->store, &key, "key", err, errlen)) ||
        (rc = decode_span(&r->store, &value, "value", err, errlen)))
        goto out;
    if (key.len > INT32_MAX || value.len > INT32_MAX) { rc = fail(&j, err, errlen, "a key or value over 2 GiB"); goto out; }
    if (r->store.err) { rc = KW_ERR_NOMEM; snprintf(err, errlen, "out of memory"); goto out; }
    if (nh > r->hcap) {
        kw_header *m = realloc(r->headers, nh * sizeof *m);
        if (!m) { rc = KW_ERR_NOMEM; snprintf(err, errlen, "out of memory"); goto out; }
        r->headers = m;
        r->hcap = nh;
    }
    /* the topic's bytes get their own NUL-terminated copy at the end (room made first:
     * the copy comes from the store itself) */
    if (topic.len >= 0 && kw_buf_reserve(&r->store, (size_t)topic.len + 1)) {
        rc = KW_ERR_NOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    const uint8_t *base = r->store.data;
    if (topic.len >= 0) {
        size_t at = r->store.len;
        kw_buf_put(&r->store, base + topic.off, (size_t)topic.len);
        kw_buf_put(&r->store, "", 1);
        if (r->store.err) { rc = KW_ERR_NOMEM; snprintf(err, errlen, "out of memory"); goto out; }
        if (memchr(base + at, 0, (size_t)topic.len)) { rc = fail(&j, err, errlen, "a topic name has no NUL byte"); goto out; }
        r->topic = (const char *)base + at;
    }
    /* the store no longer moves: offsets become pointers */
    r->key = key.len >= 0 ? base + key.off : NULL;
    r->key_len = (int32_t)key.len;
    r->value = value.len >= 0 ? base + value.off : NULL;
    r->value_len = (int32_t)value.len;
    for (size_t i = 0; i < nh; i++) {
        r->headers[i].key = base + hs[i].name.off;
        r->headers[i].key_len = (int32_t)hs[i].name.len;
        r->headers[i].value = hs[i].value.len >= 0 ? base + hs[i].value.off : NULL;
        r->headers[i].value_len = (int32_t)hs[i].value.len;
    }
    r->nheaders = (int32_t)nh;
out:
    free(hs);
    return rc;
}

void kw_recjson_report(kw_buf *out, uint64_t record, const char *topic, int32_t partition, int64_t offset, int err,
                       const char *why)
{
    char tmp[96];
    int n = snprintf(tmp, sizeof tmp, "{\"record\":%" PRIu64 ",\"topic\":", record);
    kw_buf_put(out, tmp, (size_t)n);
    kw_json_put_cstr(out, topic);
    n = snprintf(tmp, sizeof tmp, ",\"partition\":%d,\"offset\":%" PRId64 ",\"error\":", partition, offset);
    kw_buf_put(out, tmp, (size_t)n);
    if (!err) kw_buf_put(out, "null", 4);
    else {
        n = snprintf(tmp, sizeof tmp, "{\"code\":%d,\"name\":", err);
        kw_buf_put(out, tmp, (size_t)n);
        kw_json_put_cstr(out, kw_err_name(err));
        kw_buf_put(out, ",\"message\":", 11);
        kw_json_put_cstr(out, why && *why ? why : kw_strerror(err));
        kw_buf_put(out, "}", 1);
    }
    kw_buf_put(out, "}\n", 2);
}

void kw_recfmt_split_key(const char *s, size_t n, const char *delim, size_t dlen, const char **key,
                         int32_t *key_len, const char **value, int32_t *value_len)
{
    const char *d = dlen == 1 ? memchr(s, delim[0], n) : memmem(s, n, delim, dlen);
    if (!d) {
        *key = NULL;
        *key_len = -1;
        *value = s;
        *value_len = (int32_t)n;
        return;
    }
    *key = s;
    *key_len = (int32_t)(d - s);
    *value = d + dlen;
    *value_len = (int32_t)(n - (size_t)(d - s) - dlen);
}
