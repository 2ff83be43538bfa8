/*
 * bench/hlog.c — HdrHistogram interval logs: header and interval lines out, intervals
 * back in (format in bench/hlog.h), and the standard base64 the lines carry.
 */
#include "bench/hlog.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/admin/lag.h" /* kw__lag_printf */
#include "codec/grow.h"

/* ------------------------------------------------------------------ writing */

int kw_hlog_header(kw_buf *out, int64_t start_ms, const char *comment)
{
    if (comment && *comment) kw__lag_printf(out, "#[%s]\n", comment);
    kw__lag_printf(out, "#[Histogram log format version 1.3]\n");
    time_t s = (time_t)(start_ms / 1000);
    struct tm tm;
    char date[64] = "";
    if (localtime_r(&s, &tm)) strftime(date, sizeof date, "%a %b %d %H:%M:%S %Z %Y", &tm);
    double secs = (double)start_ms / 1000.0;
    kw__lag_printf(out, "#[StartTime: %.3f (seconds since epoch), %s]\n", secs, date);
    kw__lag_printf(out, "#[BaseTime: %.3f (seconds since epoch)]\n", secs);
    return kw__lag_printf(out, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                               "\"Interval_Compressed_Histogram\"\n");
}

int kw_hlog_interval(kw_buf *out, const char *tag, double start_s, double len_s, const kw_hdr *h, double max_ratio)
{
    if (tag && strpbrk(tag, ", \r\n")) return KW_ERR_INVALID_ARG;
    kw_buf enc;
    kw_buf_init(&enc);
    int rc = kw_hdr_encode(h, &enc);
    if (!rc) {
        if (tag && *tag) kw__lag_printf(out, "Tag=%s,", tag);
        kw__lag_printf(out, "%.3f,%.3f,%.3f,", start_s, len_s,
                       (double)kw_hdr_max(h) / (max_ratio > 0 ? max_ratio : 1.0));
        kw_base64_encode(out, enc.data, enc.len);
        kw_buf_put(out, "\n", 1);
        rc = out->err;
    }
    kw_buf_free(&enc);
    return rc;
}

/* ------------------------------------------------------------------ reading */

void kw_hlog_reader_init(kw_hlog_reader *r, const char *text, size_t len)
{
    memset(r, 0, sizeof *r);
    r->text = text;
    r->len = len;
}

static int fail(kw_hlog_reader *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(kw_hlog_reader *r, int rc, const char *fmt, ...)
{
    int n = snprintf(r->err, sizeof r->err, "line %d: ", r->line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
    va_end(ap);
    return rc;
}

/* A decimal number filling [p, end) exactly. */
static int parse_num(const char *p, const char *end, double *v)
{
    char tmp[64];
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= sizeof tmp) return -1;
    memcpy(tmp, p, n);
    tmp[n] = 0;
    char *e;
    errno = 0;
    *v = strtod(tmp, &e);
    return *e || errno || !isfinite(*v) ? -1 : 0;
}

/* "#[StartTime: 123.456 ..." / "#[BaseTime: ...": the number after the name. */
static int time_comment(const char *p, const char *end, const char *name, double *v)
{
    size_t n = strlen(name);
    if ((size_t)(end - p) < n || memcmp(p, name, n)) return 0;
    p += n;
    while (p < end && *p == ' ') p++;
    const char *q = p;
    while (q < end && *q != ' ' && *q != ']') q++;
    return parse_num(p, q, v) == 0;
}

static int interval_line(kw_hlog_reader *r, const char *p, const char *end, kw_hlog_entry *e)
{
    memset(e, 0, sizeof *e);
    if ((size_t)(end - p) > 4 && !memcmp(p, "Tag=", 4)) {
        const char *c = memchr(p + 4, ',', (size_t)(end - p - 4));
        if (!c) return fail(r, KW_ERR_CORRUPT, "a Tag= with no fields after it");
        size_t n = (size_t)(c - p - 4);
        if (n >= sizeof e->tag) return fail(r, KW_ERR_TOO_LARGE, "tag longer than %d bytes", KW_HLOG_TAG_MAX - 1);
        memcpy(e->tag, p + 4, n);
        e->tag[n] = 0;
        p = c + 1;
    }
    static const char *const names[] = {"StartTimestamp", "Interval_Length", "Interval_Max"};
    double *dst[] = {&e->start_s, &e->len_s, &e->max};
    for (int f = 0; f < 3; f++) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        if (!c || parse_num(p, c, dst[f]))
            return fail(r, KW_ERR_CORRUPT, "%s is not a number (expected [Tag=NAME,]START,LENGTH,MAX,HISTOGRAM)",
                        names[f]);
        p = c + 1;
    }
    kw_buf raw;
    kw_buf_init(&raw);
    int rc = kw_base64_decode(&raw, p, (size_t)(end - p));
    if (rc) {
        kw_buf_free(&raw);
        return fail(r, rc == KW_ERR_NOMEM ? rc : KW_ERR_CORRUPT, "the histogram is not base64");
    }
    rc = kw_hdr_decode(raw.data, raw.len, &e->h);
    kw_buf_free(&raw);
    if (rc) return fail(r, rc, "histogram: %s", kw_strerror(rc));
    /* times as HdrHistogram's reader takes them */
    if (!r->has_start) { r->start_time = e->start_s; r->has_start = 1; }
    if (!r->has_base) {
        r->base_time = e->start_s < r->start_time - 365 * 24 * 3600.0 ? r->start_time : 0.0;
        r->has_base = 1;
    }
    e->abs_start = e->start_s + r->base_time;
    return 1;
}

int kw_hlog_next(kw_hlog_reader *r, kw_hlog_entry *e)
{
    while (r->off < r->len) {
        const char *p = r->text + r->off;
        const char *nl = memchr(p, '\n', r->len - r->off);
        const char *end = nl ? nl : r->text + r->len;
        r->off = (size_t)(end - r->text) + (nl ? 1 : 0);
        r->line++;
        if (end > p && end[-1] == '\r') end--;
        if (end == p) continue;
        if (*p == '#') {
            double v;
            if (time_comment(p, end, "#[StartTime:", &v)) { r->start_time = v; r->has_start = 1; }
            else if (time_comment(p, end, "#[BaseTime:", &v)) { r->base_time = v; r->has_base = 1; }
            continue;
        }
        if (*p == '"') continue; /* the legend */
        return interval_line(r, p, end, e);
    }
    return 0;
}

/* ------------------------------------------------------------------ merging */

void kw_hlog_merged_free(kw_hlog_merged *m)
{
    for (int i = 0; i < m->n; i++) kw_hdr_free(m->h[i]);
    free(m->tags);
    free(m->h);
    free(m->intervals);
    memset(m, 0, sizeof *m);
}

static int merged_slot(kw_hlog_merged *m, const char *tag, kw_hdr *like)
{
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->tags[i], tag)) return i;
    /* three arrays, one capacity (codec/grow.h) */
    size_t need = (size_t)m->n + 1;
    int ct = m->cap, ch = m->cap, cc = m->cap;
    char(*t)[KW_HLOG_TAG_MAX] = kw__grow(m->tags, sizeof *t, need, &ct, 8);
    if (t) m->tags = t;
    kw_hdr **h = kw__grow(m->h, sizeof *h, need, &ch, 8);
    if (h) m->h = h;
    uint64_t *c = kw__grow(m->intervals, sizeof *c, need, &cc, 8);
    if (c) m->intervals = c;
    if (!t || !h || !c) return KW_ERR_NOMEM;
    m->cap = ct;
    if (!(m->h[m->n] = kw_hdr_new(like->lowest, like->highest, like->digits))) return KW_ERR_NOMEM;
    snprintf(m->tags[m->n], KW_HLOG_TAG_MAX, "%s", tag);
    m->intervals[m->n] = 0;
    return m->n++;
}

int kw_hlog_merge_text(kw_hlog_merged *m, const char *text, size_t len, char *err, size_t errlen)
{
    kw_hlog_reader r;
    kw_hlog_reader_init(&r, text, len);
    kw_hlog_entry e;
    int rc;
    while ((rc = kw_hlog_next(&r, &e)) == 1) {
        int slot = merged_slot(m, e.tag, e.h);
        if (slot < 0) {
            kw_hdr_free(e.h);
            snprintf(err, errlen, "out of memory");
            return slot;
        }
        kw_hdr_add(m->h[slot], e.h);
        m->intervals[slot]++;
        double end = e.abs_start + e.len_s;
        if (m->first_start == 0 || e.abs_start < m->first_start) m->first_start = e.abs_start;
        if (end > m->last_end) m->last_end = end;
        kw_hdr_free(e.h);
    }
    if (rc < 0) snprintf(err, errlen, "%s", r.err);
    return rc;
}
