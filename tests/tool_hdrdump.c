/*
 * tests/tool_hdrdump.c — kwire's reader of HdrHistogram interval logs (bench/hlog.c)
 * printing what it decoded, in the form tests/java/HlogCheck.java prints for
 * HdrHistogram's Java reader, so tests/integ_hdr_java.sh can compare the two line by line:
 *
 *   tag TAG intervals N layout LOWEST HIGHEST DIGITS count N max V mean HEXBITS p50.0 V ... p100.0 V
 *   TAG VALUE COUNT        (each recorded value: its range's highest value, its count)
 *
 * Tags sorted by name, the untagged ones as "(untagged)". Usage: tool_hdrdump FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hlog.h"

static const double pcts[] = {50.0, 95.0, 99.0, 99.9, 99.99, 100.0};
static const char *const pct_names[] = {"p50.0", "p95.0", "p99.0", "p99.9", "p99.99", "p100.0"};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    kw_buf b;
    kw_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) kw_buf_put(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return b.data ? (char *)b.data : calloc(1, 1);
}

static const kw_hlog_merged *g_m;
static const char *name_of(int i) { return g_m->tags[i][0] ? g_m->tags[i] : "(untagged)"; }
static int by_name(const void *a, const void *b) { return strcmp(name_of(*(const int *)a), name_of(*(const int *)b)); }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tool_hdrdump FILE...\n");
        return 2;
    }
    kw_hlog_merged m = {0};
    for (int i = 1; i < argc; i++) {
        size_t len;
        char *text = slurp(argv[i], &len);
        if (!text) { fprintf(stderr, "tool_hdrdump: cannot read %s\n", argv[i]); return 1; }
        char err[256];
        int rc = kw_hlog_merge_text(&m, text, len, err, sizeof err);
        free(text);
        if (rc < 0) { fprintf(stderr, "tool_hdrdump: %s: %s\n", argv[i], err); return 1; }
    }
    g_m = &m;
    int *order = malloc((size_t)(m.n ? m.n : 1) * sizeof *order);
    for (int i = 0; i < m.n; i++) order[i] = i;
    qsort(order, (size_t)m.n, sizeof *order, by_name);
    for (int k = 0; k < m.n; k++) {
        int i = order[k];
        const kw_hdr *h = m.h[i];
        double mean = kw_hdr_mean(h);
        uint64_t bits;
        memcpy(&bits, &mean, sizeof bits);
        printf("tag %s intervals %llu layout %lld %lld %d count %llu max %lld mean %llx", name_of(i),
               (unsigned long long)m.intervals[i], (long long)h->lowest, (long long)h->highest, h->digits,
               (unsigned long long)h->total, (long long)kw_hdr_max(h), (unsigned long long)bits);
        for (int p = 0; p < 6; p++) printf(" %s %lld", pct_names[p], (long long)kw_hdr_value_at(h, pcts[p]));
        printf("\n");
        for (int32_t j = 0; j < h->len; j++)
            if (h->counts[j])
                printf("%s %lld %llu\n", name_of(i), (long long)kw_hdr_highest_equiv(h, kw_hdr_value_from_index(h, j)),
                       (unsigned long long)h->counts[j]);
    }
    free(order);
    kw_hlog_merged_free(&m);
    return 0;
}
