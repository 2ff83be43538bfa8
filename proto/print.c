/*
 * proto/print.c — text and JSON printers for the annotation walk (formats described in
 * proto/print.h). Pure: everything is appended to a kw_buf; only kw_printer_flush
 * writes to a FILE*.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "proto/desc.h"
#include "proto/proto.h"
#include "proto/sasl_annot.h"

#define HEX_COL 47      /* 16 bytes as "xx " minus the last space */
#define NAME_COL 28     /* indent + name padded to this width */
#define TYPE_COL 14
#define MAX_INDENT 48
#define ELIDE_HEAD 32   /* bytes shown before "... (N bytes)" */
#define ELIDE_TAIL 16   /* and after */

static const char hexd[] = "0123456789abcdef";

static void puts_n(kw_buf *b, const char *s, size_t n) { kw_buf_put(b, s, n); }
static void puts_(kw_buf *b, const char *s) { kw_buf_put(b, s, strlen(s)); }
static void spaces(kw_buf *b, size_t n)
{
    uint8_t *p = kw_buf_extend(b, n);
    if (p) memset(p, ' ', n);
}

static void printf_(kw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_(kw_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    puts_n(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Length (2-4) of the valid UTF-8 multibyte sequence at p, or 0 if it is not one. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    if (cp >= 0x80 && cp <= 0x9f) return 0; /* C1 controls: escape them too */
    return len;
}

/* Text: printable ASCII and valid UTF-8 as is, everything else as \xNN. */
static void text_str(kw_buf *b, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            size_t j = i;
            while (j < n && p[j] >= 0x20 && p[j] < 0x7f) j++;
            puts_n(b, s + i, j - i);
            i = j;
            continue;
        }
        size_t l = c >= 0x80 ? utf8_seq(p + i, n - i) : 0;
        if (l) { puts_n(b, s + i, l); i += l; continue; }
        char e[4] = {'\\', 'x', hexd[c >> 4], hexd[c & 15]};
        puts_n(b, e, 4);
        i++;
    }
}

/* Display width of a sanitized string (UTF-8 sequences count as one column). */
static size_t text_width(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t w = 0, i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7f) { w++; i++; continue; }
        size_t l = c >= 0x80 ? utf8_seq(p + i, n - i) : 0;
        if (l) { w++; i += l; } else { w += 4; i++; }
    }
    return w;
}

void kw_json_str(kw_buf *b, const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    puts_n(b, "\"", 1);
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            size_t j = i;
            while (j < n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '"' && p[j] != '\\') j++;
            puts_n(b, s + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"': puts_(b, "\\\""); i++; continue;
        case '\\': puts_(b, "\\\\"); i++; continue;
        case '\n': puts_(b, "\\n"); i++; continue;
        case '\r': puts_(b, "\\r"); i++; continue;
        case '\t': puts_(b, "\\t"); i++; continue;
        default: break;
        }
        size_t l = c >= 0x80 ? utf8_seq(p + i, n - i) : 0;
        if (l) { puts_n(b, s + i, l); i += l; continue; }
        char e[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
        puts_n(b, e, 6);
        i++;
    }
    puts_n(b, "\"", 1);
}

static void json_cstr(kw_buf *b, const char *s)
{
    if (s) kw_json_str(b, s, strlen(s));
    else puts_(b, "null");
}

void kw_print_time(char *dst, size_t cap, int64_t ts_usec)
{
    if (cap == 0) return;
    int64_t sec = ts_usec / 1000000, usec = ts_usec % 1000000;
    if (usec < 0) { usec += 1000000; sec--; }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { snprintf(dst, cap, "%" PRId64 ".%06" PRId64, sec, usec); return; }
    snprintf(dst, cap, "%04d-%02d-%02d %02d:%02d:%02d.%06d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)usec);
}

void kw_print_frame_init(kw_print_frame *f)
{
    memset(f, 0, sizeof *f);
    f->ts_usec = -1;
    f->stream_id = -1;
    f->api_key = -1;
    f->api_version = -1;
    f->correlation_id = (int64_t)INT32_MIN - 1;
    f->size = -1;
    f->latency_usec = -1;
}

static void reset_walk(kw_printer *p)
{
    p->depth = 0;
    p->path_len = 0;
    p->path[0] = 0;
    p->last_path[0] = 0;
    p->region = 0;
    p->regions_opened = 0;
    p->region_depth = 0;
}

void kw_printer_init(kw_printer *p, kw_buf *out, const kw_print_opts *opts)
{
    memset(p, 0, sizeof *p);
    if (opts) p->o = *opts;
    if (p->o.elide == 0) p->o.elide = 64;
    if (p->o.elide < ELIDE_HEAD + ELIDE_TAIL) p->o.elide = ELIDE_HEAD + ELIDE_TAIL;
    p->out = out;
    reset_walk(p);
}

/* ---- paths ---- */

/* Append ".name" (or "[i]" without a dot) to a path buffer of KW_PRINT_PATH_MAX. */
static size_t path_append(char *dst, size_t len, const char *name)
{
    if (!name || !*name) return len;
    size_t cap = KW_PRINT_PATH_MAX - 1;
    if (len && name[0] != '[' && len < cap) dst[len++] = '.';
    size_t n = strlen(name);
    if (n > cap - len) n = cap - len;
    memcpy(dst + len, name, n);
    len += n;
    dst[len] = 0;
    return len;
}

/* Path of a field named name at the current level, into dst. */
static void field_path(const kw_printer *p, const char *name, char *dst)
{
    memcpy(dst, p->path, p->path_len + 1);
    path_append(dst, p->path_len, name);
}

/*
 * Path for an ERROR. Some walkers name the failing field by its path from their own
 * root ("topic_data[0].partition_data[0].records") while the printer's stack already
 * holds part of it ("body.topic_data[0].partition_data[0]"): join them on the longest
 * overlap so no component appears twice.
 */
static void error_path(const kw_printer *p, const char *name, char *dst)
{
    if (!name || (!strchr(name, '.') && !strchr(name, '['))) { field_path(p, name, dst); return; }
    size_t nl = strlen(name);
    for (size_t i = 0; i < p->path_len; i++) {
        if (i && p->path[i - 1] != '.' && p->path[i] != '[') continue; /* component starts only */
        size_t tail = p->path_len - i;
        if (tail > nl || memcmp(p->path + i, name, tail)) continue;
        if (name[tail] && name[tail] != '.' && name[tail] != '[') continue;
        size_t keep = i && p->path[i - 1] == '.' ? i - 1 : i;
        memcpy(dst, p->path, keep);
        dst[keep] = 0;
        path_append(dst, keep, name);
        return;
    }
    field_path(p, name, dst);
}

static void push(kw_printer *p, const char *name)
{
    if (p->depth < KW_PRINT_MAX_DEPTH) {
        p->name_end[p->depth] = p->path_len;
        p->path_len = path_append(p->path, p->path_len, name);
    }
    p->depth++;
}

static void pop(kw_printer *p)
{
    if (p->depth == 0) return;
    p->depth--;
    if (p->depth < KW_PRINT_MAX_DEPTH) {
        p->path_len = p->name_end[p->depth];
        p->path[p->path_len] = 0;
    }
}

/* ---- text ---- */

static void hex_bytes(kw_buf *b, const uint8_t *bytes, size_t n, int pad)
{
    for (size_t i = 0; i < n; i++) {
        char h[3] = {hexd[bytes[i] >> 4], hexd[bytes[i] & 15], ' '};
        puts_n(b, h, i + 1 < n ? 3 : 2);
    }
    if (pad) spaces(b, HEX_COL - (n ? n * 3 - 1 : 0));
}

/* An offset as at least 8 hex digits and two spaces ("%08zx  " without printf). */
static void hex_off(kw_buf *b, size_t off)
{
    char t[2 * sizeof off + 2];
    size_t n = 0;
    for (size_t v = off; v || n < 8; v >>= 4) t[sizeof t - 3 - n++] = hexd[v & 15];
    t[sizeof t - 2] = t[sizeof t - 1] = ' ';
    puts_n(b, t + sizeof t - 2 - n, n + 2);
}

/* One hex line: offset, up to 16 bytes, padding when the right side follows. */
static void hex_line(kw_buf *b, size_t off, const uint8_t *bytes, size_t n, int pad)
{
    hex_off(b, off);
    hex_bytes(b, bytes, n, pad);
}

/*
 * Deferred columns: a frame's text is printed in one walk, its columns as wide as its
 * longest name (with its indent, or its path) and its longest type, at least NAME_COL
 * and TYPE_COL. Until the walk ends each padding is a mark in the output: a NUL byte
 * (printed text never holds one: text_str escapes control bytes), then the width
 * written so far in two bytes, PAD_TYPE set for the type column; defer_end turns the
 * marks into spaces.
 */
#define PAD_TYPE 0x8000u
#define PAD_W_MAX 0x7fffu

static void pad_mark(kw_buf *b, int type_col, size_t w)
{
    unsigned v = (type_col ? PAD_TYPE : 0) | (unsigned)(w > PAD_W_MAX ? PAD_W_MAX : w);
    uint8_t m[3] = {0, (uint8_t)(v >> 8), (uint8_t)v};
    puts_n(b, (const char *)m, 3);
}

static void defer_begin(kw_printer *p)
{
    if (p->o.fmt != KW_PRINT_TEXT) return;
    p->deferred = 1;
    p->deferred_at = p->out->len;
    p->name_col = NAME_COL;
    p->type_col = TYPE_COL;
}

static void defer_end(kw_printer *p)
{
    if (!p->deferred) return;
    p->deferred = 0;
    kw_buf *b = p->out;
    if (b->err || p->deferred_at > b->len) return;
    const uint8_t *s = b->data + p->deferred_at, *end = b->data + b->len;
    if (!memchr(s, 0, (size_t)(end - s))) return;
    kw_buf t;
    kw_buf_init(&t);
    while (s < end) {
        const uint8_t *m = memchr(s, 0, (size_t)(end - s));
        if (!m || end - m < 3) m = end;
        kw_buf_put(&t, s, (size_t)(m - s));
        if (m == end) break;
        unsigned v = (unsigned)m[1] << 8 | m[2];
        size_t w = v & PAD_W_MAX, col = v & PAD_TYPE ? p->type_col : p->name_col;
        spaces(&t, w < col ? col - w + 1 : 1);
        s = m + 3;
    }
    if (t.err) {
        b->err = t.err;
    } else {
        b->len = p->deferred_at;
        kw_buf_put(b, t.data, t.len);
    }
    kw_buf_free(&t);
}

/* Right side: indented name (or path), type, value. */
static void right_side(kw_printer *p, const char *name, const char *type, const char *value)
{
    kw_buf *b = p->out;
    size_t w;
    puts_(b, "  ");
    if (p->o.paths) {
        char path[KW_PRINT_PATH_MAX];
        field_path(p, name, path);
        size_t n = strlen(path);
        text_str(b, path, n);
        w = text_width(path, n);
    } else {
        size_t n = (size_t)p->depth * 2;
        w = n > MAX_INDENT ? MAX_INDENT : n;
        spaces(b, w);
        if (name) { size_t l = strlen(name); text_str(b, name, l); w += text_width(name, l); }
    }
    if (type || value) {
        size_t ncol = p->name_col ? p->name_col : NAME_COL, tcol = p->type_col ? p->type_col : TYPE_COL;
        if (p->deferred) {
            if (w > p->name_col) p->name_col = w;
            pad_mark(b, 0, w);
        } else {
            spaces(b, w < ncol ? ncol - w + 1 : 1);
        }
        size_t tw = 0;
        if (type) { size_t l = strlen(type); text_str(b, type, l); tw = text_width(type, l); }
        if (value) {
            if (p->deferred) {
                if (tw > p->type_col) p->type_col = tw;
                pad_mark(b, 1, tw);
            } else {
                spaces(b, tw < tcol ? tcol - tw + 1 : 1);
            }
            text_str(b, value, strlen(value));
        }
    }
    puts_(b, "\n");
}


/*
 * An ENTER shows its bytes only when they are a prefix it owns: an array count, a
 * records size, a tagged field's tag and size (at most two varints, 10 bytes). Record
 * batch walkers report a record's or header's whole extent on ENTER instead; their
 * types ("RecordBatch", "Record", "[Record]", "Header", "[Header]", "Message", ...
 * capitalised or bracketed) are never repeated as hex, their fields follow.
 */
static size_t enter_prefix(const kw_ann *a)
{
    if (!a->bytes || a->len > 10) return 0;
    if (a->type && (a->type[0] == '[' || (a->type[0] >= 'A' && a->type[0] <= 'Z'))) return 0;
    return a->len;
}

static void text_field(kw_printer *p, const kw_ann *a)
{
    kw_buf *b = p->out;
    if (a->secret) {
        hex_off(b, a->off);
        puts_(b, "(hidden)");
        spaces(b, HEX_COL - 8);
        right_side(p, a->name, a->type, a->value);
        return;
    }
    size_t len = a->bytes ? a->len : 0;
    size_t first = len < 16 ? len : 16;
    hex_line(b, a->off, a->bytes, first, 1);
    right_side(p, a->name, a->type, a->value);
    if (len <= 16) return;
    if (len <= p->o.elide) {
        for (size_t i = 16; i < len; i += 16) {
            hex_line(b, a->off + i, a->bytes + i, len - i < 16 ? len - i : 16, 0);
            puts_(b, "\n");
        }
        return;
    }
    for (size_t i = 16; i < ELIDE_HEAD; i += 16) {
        hex_line(b, a->off + i, a->bytes + i, 16, 0);
        puts_(b, "\n");
    }
    spaces(b, 10);
    printf_(b, "... (%zu bytes)\n", len - ELIDE_HEAD - ELIDE_TAIL);
    hex_line(b, a->off + len - ELIDE_TAIL, a->bytes + len - ELIDE_TAIL, ELIDE_TAIL, 0);
    puts_(b, "\n");
}

static void text_ann(kw_printer *p, const kw_ann *a)
{
    kw_buf *b = p->out;
    switch (a->kind) {
    case KW_ANN_FIELD:
        text_field(p, a);
        break;
    case KW_ANN_ENTER:
        hex_line(b, a->off, a->bytes, enter_prefix(a), 1);
        right_side(p, a->name, a->type, a->value);
        push(p, a->name);
        break;
    case KW_ANN_LEAVE:
        pop(p);
        break;
    case KW_ANN_REGION:
        spaces(b, 10);
        printf_(b, "---- region %d: ", p->region);
        if (a->value) {
            text_str(b, a->value, strlen(a->value));
        } else {
            if (a->name) text_str(b, a->name, strlen(a->name));
            printf_(b, " (%zu bytes)", a->len);
        }
        puts_(b, " ----\n");
        break;
    case KW_ANN_END_REGION:
        spaces(b, 10);
        printf_(b, "---- end of region %d ----\n", p->region);
        break;
    case KW_ANN_NOTE:
        puts_(b, "!! ");
        if (a->value) text_str(b, a->value, strlen(a->value));
        puts_(b, "\n");
        break;
    case KW_ANN_ERROR:
        printf_(b, "!! ERROR at offset 0x%zx", a->off);
        if (p->region) printf_(b, " of region %d", p->region);
        if (p->err.path[0]) { puts_(b, " in "); text_str(b, p->err.path, strlen(p->err.path)); }
        puts_(b, ": ");
        if (a->value) text_str(b, a->value, strlen(a->value));
        puts_(b, "\n");
        break;
    }
}

/* ---- json ---- */

static void json_open_doc(kw_printer *p)
{
    if (p->doc_open) return;
    puts_(p->out, "{\"frames\": [\n");
    p->doc_open = 1;
}

static void json_close_frame(kw_printer *p)
{
    if (!p->frame_open) return;
    puts_(p->out, p->fields ? "\n]}" : "]}");
    p->frame_open = 0;
}

static void json_item_sep(kw_printer *p)
{
    json_open_doc(p);
    json_close_frame(p);
    if (p->items++) puts_(p->out, ",\n");
}

static void json_hex(kw_printer *p, const uint8_t *bytes, size_t len)
{
    kw_buf *b = p->out;
    size_t n = len;
    if (p->o.json_hex_max && n > p->o.json_hex_max) n = p->o.json_hex_max;
    puts_(b, "\"hex\": \"");
    uint8_t *d = kw_buf_extend(b, n * 2);
    if (d)
        for (size_t i = 0; i < n; i++) { d[2 * i] = (uint8_t)hexd[bytes[i] >> 4]; d[2 * i + 1] = (uint8_t)hexd[bytes[i] & 15]; }
    puts_(b, "\"");
    if (n < len) puts_(b, ", \"hex_truncated\": true");
}

static void json_ann(kw_printer *p, const kw_ann *a)
{
    kw_buf *b = p->out;
    static const char *const kinds[] = {"field", "enter", "leave", "region", "end_region", "note", "error"};
    if ((unsigned)a->kind > KW_ANN_ERROR) return;
    puts_(b, p->fields++ ? ",\n  {\"kind\": " : "\n  {\"kind\": ");
    json_cstr(b, kinds[a->kind]);
    char path[KW_PRINT_PATH_MAX];
    switch (a->kind) {
    case KW_ANN_FIELD:
    case KW_ANN_ENTER:
    case KW_ANN_ERROR:
        field_path(p, a->kind == KW_ANN_ERROR ? NULL : a->name, path);
        if (a->kind == KW_ANN_ERROR) memcpy(path, p->err.path, sizeof path);
        puts_(b, ", \"path\": ");
        json_cstr(b, path);
        if (a->name) { puts_(b, ", \"name\": "); json_cstr(b, a->name); }
        if (a->type) { puts_(b, ", \"type\": "); json_cstr(b, a->type); }
        printf_(b, ", \"region\": %d, \"offset\": %zu", p->region, a->off);
        if (a->kind == KW_ANN_FIELD && a->secret) {
            printf_(b, ", \"length\": %zu, \"redacted\": true", a->bytes ? a->len : 0);
        } else if (a->kind == KW_ANN_FIELD || (a->kind == KW_ANN_ENTER && enter_prefix(a))) {
            size_t n = a->kind == KW_ANN_FIELD ? (a->bytes ? a->len : 0) : enter_prefix(a);
            printf_(b, ", \"length\": %zu, ", n);
            json_hex(p, a->bytes, n);
        }
        if (a->value) { puts_(b, ", \"value\": "); json_cstr(b, a->value); }
        break;
    case KW_ANN_LEAVE:
        puts_(b, ", \"path\": ");
        json_cstr(b, p->path);
        break;
    case KW_ANN_REGION:
        printf_(b, ", \"region\": %d, \"length\": %zu", p->region, a->len);
        if (a->name) { puts_(b, ", \"name\": "); json_cstr(b, a->name); }
        if (a->value) { puts_(b, ", \"value\": "); json_cstr(b, a->value); }
        break;
    case KW_ANN_END_REGION:
        printf_(b, ", \"region\": %d", p->region);
        break;
    case KW_ANN_NOTE:
        puts_(b, ", \"path\": ");
        json_cstr(b, p->last_path);
        if (a->value) { puts_(b, ", \"value\": "); json_cstr(b, a->value); }
        break;
    }
    puts_(b, "}");
    if (a->kind == KW_ANN_ENTER) push(p, a->name);
    else if (a->kind == KW_ANN_LEAVE) pop(p);
}

/* ---- the callback ---- */

int kw_print_cb(void *ud, const kw_ann *a_in)
{
    kw_printer *p = ud;
    if (p->o.fmt == KW_PRINT_JSON && !p->frame_open) {
        /* fields outside any frame: open an anonymous one (before any state changes) */
        kw_print_frame f;
        kw_print_frame_init(&f);
        kw_printer_frame(p, &f);
    }
    kw_ann fixed = *a_in;
    const kw_ann *a = &fixed;
    if (p->soften && fixed.kind == KW_ANN_ERROR) {
        fixed.kind = KW_ANN_NOTE;
        p->softened = 1;
    }
    if (a_in->kind == KW_ANN_NOTE && a_in->name && !strcmp(a_in->name, "crc")) p->crc_mismatches++;
    if (p->data && p->region == 0 && a_in->kind != KW_ANN_REGION && a_in->bytes >= p->data &&
        a_in->bytes <= p->data + p->data_len)
        fixed.off = (size_t)(a_in->bytes - p->data);
    switch (a->kind) {
    case KW_ANN_FIELD:
        field_path(p, a->name, p->last_path);
        break;
    case KW_ANN_REGION:
        if (p->region_depth < KW_PRINT_MAX_DEPTH) p->region_stack[p->region_depth] = p->region;
        p->region_depth++;
        p->region = ++p->regions_opened;
        break;
    case KW_ANN_NOTE:
        p->notes++;
        break;
    case KW_ANN_ERROR:
        p->errors++;
        p->err.set = 1;
        p->err.region = p->region;
        p->err.off = a->off;
        error_path(p, a->name, p->err.path);
        snprintf(p->err.msg, sizeof p->err.msg, "%s", a->value ? a->value : "decoding failed");
        break;
    default:
        break;
    }
    if (p->o.fmt == KW_PRINT_JSON) json_ann(p, a);
    else text_ann(p, a);
    if (a->kind == KW_ANN_END_REGION && p->region_depth > 0) {
        p->region_depth--;
        /* the region just printed as ending is the current one; back to the enclosing one */
        p->region = p->region_depth < KW_PRINT_MAX_DEPTH ? p->region_stack[p->region_depth] : 0;
    }
    return 0;
}

/* ---- frames, events, output ---- */

void kw_printer_frame(kw_printer *p, const kw_print_frame *f)
{
    kw_buf *b = p->out;
    char ts[64];
    reset_walk(p);
    memset(&p->err, 0, sizeof p->err); /* the error record is per frame; p->errors counts all */
    p->data = f->data;
    p->data_len = f->data ? f->data_len : 0;
    if (f->ts_usec >= 0) kw_print_time(ts, sizeof ts, f->ts_usec);
    if (p->o.fmt == KW_PRINT_JSON) {
        json_item_sep(p);
        puts_(b, "{\"kind\": \"frame\"");
        if (f->ts_usec >= 0) {
            printf_(b, ", \"time\": %" PRId64 ".%06" PRId64 ", \"time_text\": ", f->ts_usec / 1000000, f->ts_usec % 1000000);
            json_cstr(b, ts);
        }
        if (f->stream_id >= 0) printf_(b, ", \"stream_id\": %d", f->stream_id);
        if (f->stream) { puts_(b, ", \"stream\": "); json_cstr(b, f->stream); }
        if (f->direction) { puts_(b, ", \"direction\": "); json_cstr(b, f->direction); }
        if (f->api_name) { puts_(b, ", \"api\": "); json_cstr(b, f->api_name); }
        if (f->api_key >= 0) printf_(b, ", \"api_key\": %d", f->api_key);
        if (f->api_version >= 0) printf_(b, ", \"version\": %d", f->api_version);
        if (f->correlation_id >= INT32_MIN) printf_(b, ", \"correlation_id\": %" PRId64, f->correlation_id);
        if (f->size >= 0) printf_(b, ", \"size\": %" PRId64, f->size);
        if (f->latency_usec >= 0) printf_(b, ", \"latency_us\": %" PRId64, f->latency_usec);
        puts_(b, ", \"fields\": [");
        p->frame_open = 1;
        p->fields = 0;
        return;
    }
    if (p->items++) puts_(b, "\n");
    puts_(b, "==");
    const char *sep = " ";
    if (f->ts_usec >= 0) { printf_(b, "%s%s", sep, ts); sep = "  "; }
    if (f->stream_id >= 0) { printf_(b, "%sstream %d", sep, f->stream_id); sep = "  "; }
    if (f->stream) { puts_(b, sep); text_str(b, f->stream, strlen(f->stream)); sep = "  "; }
    if (f->direction) { puts_(b, sep); text_str(b, f->direction, strlen(f->direction)); sep = "  "; }
    if (f->api_name) { puts_(b, sep); text_str(b, f->api_name, strlen(f->api_name)); sep = "  "; }
    else if (f->api_key >= 0) { printf_(b, "%sapi %d", sep, f->api_key); sep = "  "; }
    if (f->api_version >= 0) { printf_(b, " v%d", f->api_version); sep = "  "; }
    if (f->correlation_id >= INT32_MIN) { printf_(b, "%scorrelation_id %" PRId64, sep, f->correlation_id); sep = "  "; }
    if (f->size >= 0) { printf_(b, "%ssize %" PRId64, sep, f->size); sep = "  "; }
    if (f->latency_usec >= 0)
        printf_(b, "%s+%" PRId64 ".%03d ms", sep, f->latency_usec / 1000, (int)(f->latency_usec % 1000));
    puts_(b, "\n");
}

void kw_printer_event(kw_printer *p, const char *text)
{
    kw_buf *b = p->out;
    if (p->o.fmt == KW_PRINT_JSON) {
        json_item_sep(p);
        puts_(b, "{\"kind\": \"event\", \"text\": ");
        json_cstr(b, text ? text : "");
        puts_(b, "}");
        return;
    }
    puts_(b, "!! ");
    if (text) text_str(b, text, strlen(text));
    puts_(b, "\n");
}

void kw_printer_finish(kw_printer *p)
{
    if (p->o.fmt != KW_PRINT_JSON) return;
    if (!p->doc_open) {
        puts_(p->out, "{\"frames\": []}\n");
        return;
    }
    json_close_frame(p);
    puts_(p->out, p->items ? "\n]}\n" : "]}\n");
    p->doc_open = 0;
    p->items = 0;
}

int kw_printer_flush(kw_printer *p, FILE *f)
{
    kw_buf *b = p->out;
    if (b->err) return b->err;
    if (b->len && fwrite(b->data, 1, b->len, f) != b->len) return KW_ERR_IO;
    b->len = 0;
    return fflush(f) ? KW_ERR_IO : 0;
}

/* ---- whole frames ---- */

static int silent(void *ud, const kw_ann *a) { (void)ud; (void)a; return 0; }

/* 1 if kwire describes (api, version) in direction dir. */
static int described(int api_key, int version, int dir)
{
    int16_t lo, hi;
    if (kw_api_described(api_key, &lo, &hi) || version < lo || version > hi) return 0;
    return kw__api_desc(api_key, dir) != NULL;
}

/* SaslAuthenticate's auth_bytes field becomes the mechanism's message (sasl_annot.h):
 * an ENTER over its length prefix, the message's fields, secrets redacted. */
typedef struct sasl_filter {
    kw_printer *p;
    int dir, version;
} sasl_filter;

static int sasl_cb(void *ud, const kw_ann *a)
{
    sasl_filter *f = ud;
    if (a->kind != KW_ANN_FIELD || !a->name || strcmp(a->name, "auth_bytes") || !a->bytes || !a->len)
        return kw_print_cb(f->p, a);
    size_t pre = 4;
    if (f->version >= 2) { /* compact bytes: a uvarint length + 1 */
        pre = 0;
        while (pre < a->len && pre < 5 && (a->bytes[pre] & 0x80)) pre++;
        pre++;
    }
    if (pre > a->len) return kw_print_cb(f->p, a);
    const uint8_t *c = a->bytes + pre;
    size_t n = a->len - pre;
    char v[96];
    snprintf(v, sizeof v, "%zu bytes: %s", n, kw__sasl_what(c, n, f->dir));
    kw_ann e = {KW_ANN_ENTER, a->name, a->type, a->bytes, a->off, pre, v, a->depth, 0};
    kw_print_cb(f->p, &e);
    kw__sasl_annotate(c, n, a->off + pre, a->depth + 1, f->dir, f->p->o.secrets, kw_print_cb, f->p, NULL);
    kw_ann l = {KW_ANN_LEAVE, a->name, NULL, NULL, 0, 0, NULL, a->depth, 0};
    kw_print_cb(f->p, &l);
    return 0;
}

static int walk(int form, int dir, int api, int version, const uint8_t *b, size_t len, kw_ann_cb cb, void *ud)
{
    sasl_filter sf;
    if (api == KW_API_SaslAuthenticate && cb == kw_print_cb) {
        sf = (sasl_filter){ud, dir, version};
        cb = sasl_cb;
        ud = &sf;
    }
    if (form == KW_PRINT_BODY) return kw_msg_annotate(api, (int16_t)version, dir, b, len, 0, cb, ud);
    if (dir == KW_REQ) return kw_request_frame_annotate(b, len, cb, ud);
    return kw_response_frame_annotate(api, (int16_t)version, b, len, cb, ud);
}

static void emit_note(kw_printer *p, const char *text)
{
    kw_ann n = {KW_ANN_NOTE, "body", NULL, NULL, 0, 0, text, 0};
    kw_print_cb(p, &n);
}

static void emit_field(kw_printer *p, const char *name, const char *type, const uint8_t *b, size_t off, size_t len,
                       const char *value)
{
    kw_ann a = {KW_ANN_FIELD, name, type, b, off, len, value, 0};
    kw_print_cb(p, &a);
}

/* An undescribed body: its bytes, so they can still be read. */
static void raw_body(kw_printer *p, int form, int dir, int api, int version, const uint8_t *b, size_t len)
{
    size_t start = 0;
    if (form != KW_PRINT_BODY) {
        size_t hl = 0;
        int32_t corr;
        kw_req_header h;
        if (len < 4) return;
        if (dir == KW_REQ ? kw_req_header_decode(b + 4, len - 4, &h, &hl)
                          : kw_resp_header_decode(api, (int16_t)version, b + 4, len - 4, &corr, &hl))
            return;
        if (hl > len - 4) return;
        start = 4 + hl;
    }
    char v[64];
    snprintf(v, sizeof v, "%zu bytes, not decoded", len - start);
    emit_field(p, "raw_body", "bytes", b + start, start, len - start, v);
}

/*
 * ApiVersions refused (KIP-511): the broker answers error 35 in an older layout. Shown
 * at the oldest version whose layout fits, else error_code and the rest as bytes.
 * Returns 1 when it printed the response, 0 when the ordinary walk applies.
 */
static int apiversions_refusal(kw_printer *p, int form, int version, const uint8_t *b, size_t len, int *rc)
{
    size_t body = form == KW_PRINT_BODY ? 0 : 8; /* ApiVersions responses use header v0 */
    if (version <= 0 || len < body + 2 || kw_ld16(b + body) != 35) return 0;
    if (walk(form, KW_RESP, KW_API_ApiVersions, version, b, len, silent, NULL) == 0) return 0;
    char msg[200], v[3][32];
    for (int old = 0; old < version; old++) {
        if (walk(form, KW_RESP, KW_API_ApiVersions, old, b, len, silent, NULL)) continue;
        snprintf(msg, sizeof msg, "UNSUPPORTED_VERSION: the broker answered the v%d request in the v%d format",
                 version, old);
        emit_note(p, msg);
        *rc = walk(form, KW_RESP, KW_API_ApiVersions, old, b, len, kw_print_cb, p);
        return 1;
    }
    if (body) {
        snprintf(v[0], sizeof v[0], "%d", (int32_t)kw_ld32(b));
        snprintf(v[1], sizeof v[1], "%d", (int32_t)kw_ld32(b + 4));
        emit_field(p, "size", "int32", b, 0, 4, v[0]);
        emit_field(p, "correlation_id", "int32", b + 4, 4, 4, v[1]);
    }
    snprintf(v[2], sizeof v[2], "35 (UNSUPPORTED_VERSION)");
    emit_field(p, "error_code", "int16", b + body, body, 2, v[2]);
    emit_field(p, "rest", "bytes", b + body + 2, body + 2, len - body - 2,
               "not decoded: no ApiVersions version's layout fits");
    snprintf(msg, sizeof msg, "UNSUPPORTED_VERSION: the broker does not support ApiVersions v%d; "
             "a client retries with a lower version", version);
    emit_note(p, msg);
    *rc = 0;
    return 1;
}

int kw_print_frame_bytes(kw_printer *p, const kw_print_frame *f, int form, int dir, int api_key, int version,
                         const uint8_t *bytes, size_t len)
{
    if (form == KW_PRINT_PAYLOAD) {
        /* give it back its size field: offsets and sizes then read as on the wire */
        if (len > INT32_MAX) return KW_ERR_TOO_LARGE;
        kw_buf fr;
        kw_buf_init(&fr);
        kw_buf_i32(&fr, (int32_t)len);
        kw_buf_put(&fr, bytes, len);
        int rc = fr.err ? fr.err : kw_print_frame_bytes(p, f, KW_PRINT_FRAME, dir, api_key, version, fr.data, fr.len);
        kw_buf_free(&fr);
        return rc;
    }
    kw_print_frame h;
    if (f) h = *f;
    else kw_print_frame_init(&h);
    if (form == KW_PRINT_FRAME && dir == KW_REQ) {
        kw_req_header rh;
        size_t hl;
        if (len >= 4 && kw_req_header_decode(bytes + 4, len - 4, &rh, &hl) == 0) {
            api_key = rh.api_key;
            version = rh.api_version;
            if (h.correlation_id < INT32_MIN) h.correlation_id = rh.correlation_id;
        } else {
            api_key = version = -1;
        }
    } else if (form == KW_PRINT_FRAME && h.correlation_id < INT32_MIN) {
        int32_t corr;
        size_t hl;
        if (len >= 4 && kw_resp_header_decode(api_key, (int16_t)version, bytes + 4, len - 4, &corr, &hl) == 0)
            h.correlation_id = corr;
    }
    if (!h.direction) h.direction = dir == KW_REQ ? "request" : "response";
    if (h.api_key < 0) h.api_key = api_key;
    if (!h.api_name) h.api_name = kw_api_name(api_key);
    if (h.api_version < 0) h.api_version = version;
    if (h.size < 0) h.size = (int64_t)len;
    if (!h.data) { h.data = bytes; h.data_len = len; }
    kw_printer_frame(p, &h);

    /* a request whose header cannot be read: the walk reports where it stops */
    int unsupported = api_key >= 0 && !described(api_key, version, dir);
    int rc = 0;
    p->soften = unsupported;
    p->softened = 0;
    defer_begin(p);
    if (!(dir == KW_RESP && api_key == KW_API_ApiVersions && apiversions_refusal(p, form, version, bytes, len, &rc)))
        rc = walk(form, dir, api_key, version, bytes, len, kw_print_cb, p);
    p->soften = 0;
    if (unsupported) {
        if (!p->softened) emit_note(p, "body not decoded: kwire has no description of this API version");
        raw_body(p, form, dir, api_key, version, bytes, len);
        defer_end(p);
        return KW_ERR_UNSUPPORTED;
    }
    defer_end(p);
    if (rc < 0) return rc;
    return p->err.set ? KW_ERR_CORRUPT : 0;
}
