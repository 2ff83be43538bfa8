/*
 * bench/hlog.h — HdrHistogram interval logs (the "histogram log format version 1.3"
 * that HdrHistogram's HistogramLogWriter writes and its HistogramLogReader and
 * HistogramLogProcessor read): writing the header and interval lines, and reading them
 * back. Pure: text in and out of memory; the caller does the file I/O.
 *
 * A log is lines of text:
 *   #[...]                                       comments; two carry times:
 *   #[StartTime: 1763783731.123 (seconds since epoch), Sat Nov 22 03:55:31 UTC 2025]
 *   #[BaseTime: 1763783731.123 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   [Tag=NAME,]START,LENGTH,MAX,BASE64
 * START is in seconds from BaseTime (absolute when no BaseTime is given and START is
 * within a year of StartTime, as HdrHistogram's reader decides), LENGTH in seconds, MAX
 * the interval's largest value divided by a unit ratio (kwire: microseconds written as
 * milliseconds, ratio 1000; readers skip it), BASE64 the histogram's V2 compressed form
 * (client/core/hdr.h) in standard base64 with padding. A tag holds no comma, space or line
 * break.
 */
#ifndef KW_BENCH_HLOG_H
#define KW_BENCH_HLOG_H

#include <stddef.h>
#include <stdint.h>

#include "client/core/hdr.h"
#include "codec/buf.h"
#include "codec/text.h"

#define KW_HLOG_TAG_MAX 128 /* bytes of a tag, NUL included, the reader accepts */

/*
 * The header: an optional comment line "#[COMMENT]", the format version, StartTime and
 * BaseTime (both start_ms, wall clock, ms since the epoch; the date in local time) and
 * the legend. Returns out->err.
 */
int kw_hlog_header(kw_buf *out, int64_t start_ms, const char *comment);
/*
 * One interval line: tag (NULL or "" for none), start_s (from the base time), len_s,
 * max = kw_hdr_max(h) / max_ratio, then h encoded. 0, KW_ERR_INVALID_ARG (a tag with a
 * comma, space or line break), or kw_hdr_encode's errors.
 */
int kw_hlog_interval(kw_buf *out, const char *tag, double start_s, double len_s, const kw_hdr *h, double max_ratio);

/* The lines carry standard base64 with padding: kw_base64_encode / kw_base64_decode
 * (codec/text.h). */

typedef struct kw_hlog_reader {
    const char *text;
    size_t len, off;
    int line;                  /* of the last line read, from 1 */
    double start_time;         /* StartTime, s since the epoch (0 until seen) */
    double base_time;          /* BaseTime (0 until seen) */
    int has_start, has_base;
    char err[200];             /* "line N: what was wrong" after an error */
} kw_hlog_reader;

typedef struct kw_hlog_entry {
    char tag[KW_HLOG_TAG_MAX]; /* "" when the line has none */
    double start_s, len_s;     /* as written */
    double abs_start;          /* seconds since the epoch (HdrHistogram's reading of the times) */
    double max;                /* the Interval_Max column */
    kw_hdr *h;                 /* decoded histogram, the caller's to kw_hdr_free */
} kw_hlog_entry;

void kw_hlog_reader_init(kw_hlog_reader *r, const char *text, size_t len);
/*
 * The next interval: 1 with *e filled, 0 at the end, or a negative KW_ERR_* with
 * r->err naming the line and the fault (a field that is not a number, bad base64, a
 * histogram kw_hdr_decode refuses, a tag too long).
 */
int kw_hlog_next(kw_hlog_reader *r, kw_hlog_entry *e);

/* The intervals of any number of logs added up per tag (kw_hlog_merge_text). */
typedef struct kw_hlog_merged {
    int n, cap;                /* tags, in order of first appearance; slots allocated */
    char (*tags)[KW_HLOG_TAG_MAX];
    kw_hdr **h;                /* per tag: the sum of its intervals (the first one's layout) */
    uint64_t *intervals;       /* per tag: intervals added */
    double first_start, last_end; /* seconds since the epoch, over every interval added */
} kw_hlog_merged;

void kw_hlog_merged_free(kw_hlog_merged *m);
/*
 * Add every interval of one log (text[0..len)) to m: counts add, index by index for
 * histograms of the same layout (see kw_hdr_add). 0, KW_ERR_NOMEM, or the error of
 * kw_hlog_next with its message in err (errlen bytes). Intervals before a fault stay added.
 */
int kw_hlog_merge_text(kw_hlog_merged *m, const char *text, size_t len, char *err, size_t errlen);

#endif
