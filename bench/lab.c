/*
 * bench/lab.c — the labs of LABS.md as data, grid expansion, and the lab outputs:
 * lab-form lines, CSV, gnuplot chart scripts and the plain-language reading.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lab.h"

#define SIZES3 {"16384", "32768", "65536"}

static const kw_lab lab_table[] = {
    {"P1", "batch size", KW_LAB_PRODUCE, 50000, {{"acks", "1"}, {"linger.ms", "20"}}, 2,
     {{"batch.size", "Batch size", {"1024", "2048", "4096", "8192"}, 4}}, 1,
     "A bigger batch.size lets more records share one batch, one request and one round trip."},
    {"P2", "compression", KW_LAB_PRODUCE, 50000, {{"acks", "1"}, {"batch.size", "16384"}, {"linger.ms", "5"}}, 3,
     {{"compression.type", "Compression", {"none", "gzip", "snappy", "lz4", "zstd"}, 5}}, 1,
     "Compression trades producer CPU for fewer bytes on the wire and on disk."},
    {"P3", "full grid", KW_LAB_PRODUCE, 100000, {{"acks", "1"}}, 1,
     {{"batch.size", "Batch size", SIZES3, 3},
      {"compression.type", "Compression", {"none", "gzip", "snappy"}, 3},
      {"linger.ms", "Linger.ms", {"0", "10", "50"}, 3}}, 3,
     "batch.size caps a batch, linger.ms lets it fill, compression shrinks what fills it."},
    {"C1", "fetch.min.bytes x max.poll.records", KW_LAB_CONSUME, 50000,
     {{"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}}, 2,
     {{"fetch.min.bytes", "Fetch min bytes", {"1024", "10240", "51200"}, 3},
      {"max.poll.records", "Max poll records", {"10", "100", "500"}, 3}}, 2,
     "The broker holds a fetch until fetch.min.bytes are ready or fetch.max.wait.ms passes."},
    {"C2", "fetch.max.bytes x max.poll.interval.ms", KW_LAB_CONSUME, 50000,
     {{"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}}, 2,
     {{"fetch.max.bytes", "Fetch max bytes", {"1024", "10240", "51200"}, 3},
      {"max.poll.interval.ms", "Max poll interval ms", {"500", "1000", "5000"}, 3}}, 2,
     "fetch.max.bytes caps what one fetch brings back, so small values mean many round trips."},
    {"C3", "max.poll.records x fetch.min.bytes x fetch.max.wait.ms", KW_LAB_CONSUME, 50000,
     {{"auto.offset.reset", "earliest"}, {"enable.auto.commit", "false"}}, 2,
     {{"max.poll.records", "Max poll records", {"10", "100", "500"}, 3},
      {"fetch.min.bytes", "Fetch min bytes", {"1024", "10240", "51200"}, 3},
      {"fetch.max.wait.ms", "Fetch max wait ms", {"100", "500", "1000"}, 3}}, 3,
     "fetch.min.bytes and fetch.max.wait.ms together decide how long the broker holds a fetch."},
    {"B1", "client socket buffers", KW_LAB_PRODUCE_CONSUME, 50000, {{"acks", "1"}}, 1,
     {{"socket.send.buffer.bytes", "Send buffer", {"131072", "524288", "1048576"}, 3},
      {"socket.receive.buffer.bytes", "Receive buffer", {"131072", "524288", "1048576"}, 3}}, 2,
     "The client's side of the broker lab: its own socket buffers (the broker's need a broker restart)."},
};

const kw_lab *kw_lab_all(size_t *n)
{
    *n = sizeof lab_table / sizeof lab_table[0];
    return lab_table;
}

const kw_lab *kw_lab_find(const char *name)
{
    for (size_t i = 0; i < sizeof lab_table / sizeof lab_table[0]; i++)
        if (!strcasecmp(lab_table[i].name, name)) return &lab_table[i];
    return NULL;
}

int kw_lab_points(const kw_lab *lab)
{
    int n = 1;
    for (int a = 0; a < lab->naxes; a++) n *= lab->axes[a].nvalues;
    return n;
}

/* Point index -> one value per axis; the first axis varies slowest (the labs' loop order). */
void kw_lab_point_at(const kw_lab *lab, int index, kw_lab_point *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->lab = lab;
    pt->index = index;
    int rest = index;
    for (int a = lab->naxes - 1; a >= 0; a--) {
        int nv = lab->axes[a].nvalues;
        pt->values[a] = lab->axes[a].values[rest % nv];
        rest /= nv;
    }
}

int kw_lab_point_settings(const kw_lab_point *pt, const char **names, const char **values, int max)
{
    int n = 0;
    for (int i = 0; i < pt->lab->nfixed && n < max; i++, n++) {
        names[n] = pt->lab->fixed[i][0];
        values[n] = pt->lab->fixed[i][1];
    }
    for (int a = 0; a < pt->lab->naxes && n < max; a++, n++) {
        names[n] = pt->lab->axes[a].setting;
        values[n] = pt->values[a];
    }
    return n;
}

void kw_lab_print_line(FILE *f, const kw_lab_point *pt, const kw_lab_result *r)
{
    for (int a = 0; a < pt->lab->naxes; a++) fprintf(f, "%s: %s, ", pt->lab->axes[a].label, pt->values[a]);
    fprintf(f, "Time taken: %.3f sec", r->seconds);
    fprintf(f, "  (%.0f records/s, %.1f records/%s", r->records_per_sec, r->records_per_batch,
            pt->lab->kind == KW_LAB_CONSUME ? "fetch" : "batch");
    if (r->failed) fprintf(f, ", %ld FAILED", r->failed);
    fprintf(f, "; %s ms p50 %.3f p95 %.3f p99 %.3f p99.9 %.3f p99.99 %.3f max %.3f)\n",
            pt->lab->kind == KW_LAB_CONSUME ? "fetch hold" : "latency", r->p50_ms, r->p95_ms, r->p99_ms, r->p999_ms,
            r->p9999_ms, r->max_ms);
}

void kw_lab_latency(kw_lab_result *r, const kw_hdr *us)
{
    r->p50_ms = (double)kw_hdr_value_at(us, 50) / 1000.0;
    r->p95_ms = (double)kw_hdr_value_at(us, 95) / 1000.0;
    r->p99_ms = (double)kw_hdr_value_at(us, 99) / 1000.0;
    r->p999_ms = (double)kw_hdr_value_at(us, 99.9) / 1000.0;
    r->p9999_ms = (double)kw_hdr_value_at(us, 99.99) / 1000.0;
    r->max_ms = (double)kw_hdr_max(us) / 1000.0;
}

/* CSV-safe: the lab's values are plain tokens; quote anything else. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
}

static const char *const metric_cols =
    "records,seconds,records_per_sec,mb_per_sec,records_per_batch,batch_fill_pct,wire_bytes_per_record,"
    "compression_ratio,p50_ms,p99_ms,requests,empty_fetches,failed,p95_ms,p999_ms,p9999_ms,max_ms";

void kw_lab_csv_header(FILE *f, const kw_lab *lab)
{
    fprintf(f, "lab,run");
    for (int a = 0; a < lab->naxes; a++) fprintf(f, ",%s", lab->axes[a].setting);
    fprintf(f, ",%s\n", metric_cols);
}

void kw_lab_csv_row(FILE *f, const kw_lab_point *pt, const kw_lab_result *r)
{
    fprintf(f, "%s,%d", pt->lab->name, pt->index + 1);
    for (int a = 0; a < pt->lab->naxes; a++) {
        fputc(',', f);
        csv_field(f, pt->values[a]);
    }
    fprintf(f, ",%ld,%.6f,%.1f,%.3f,%.2f,%.1f,%.2f,%.3f,%.3f,%.3f,%ld,%ld,%ld,%.3f,%.3f,%.3f,%.3f\n", r->records,
            r->seconds, r->records_per_sec, r->mb_per_sec, r->records_per_batch, r->batch_fill_pct,
            r->wire_bytes_per_record, r->compression_ratio, r->p50_ms, r->p99_ms, r->requests, r->empty_fetches,
            r->failed, r->p95_ms, r->p999_ms, r->p9999_ms, r->max_ms);
}

static int all_numeric(const kw_lab_axis *ax)
{
    for (int i = 0; i < ax->nvalues; i++)
        for (const char *p = ax->values[i]; *p; p++)
            if (!isdigit((unsigned char)*p)) return 0;
    return 1;
}

static const char *ext_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : "";
}

/* Index of value v of axis a within the grid order. */
static int point_index(const kw_lab *lab, const int *vi)
{
    int idx = 0;
    for (int a = 0; a < lab->naxes; a++) idx = idx * lab->axes[a].nvalues + vi[a];
    return idx;
}

int kw_lab_chart_script(FILE *f, const kw_lab *lab, const kw_lab_result *r, int n, const char *out_path)
{
    const char *ext = ext_of(out_path);
    int npanels = lab->naxes >= 3 ? lab->axes[2].nvalues : 1;
    int nseries = lab->naxes >= 2 ? lab->axes[1].nvalues : 1;
    int width = npanels > 1 ? 560 * npanels + 160 : 800;
    if (!strcasecmp(ext, "svg"))
        fprintf(f, "set terminal svg size %d,520 dynamic font 'Helvetica,12' background '#ffffff'\n", width);
    else if (!strcasecmp(ext, "png"))
        fprintf(f, "set terminal pngcairo size %d,520 font 'Helvetica,11' background '#ffffff'\n", width);
    else
        return -1;
    double ymax = 0;
    for (int i = 0; i < n; i++)
        if (r[i].records_per_sec > ymax) ymax = r[i].records_per_sec;
    const kw_lab_axis *x = &lab->axes[0];
    int numeric = all_numeric(x);
    /* one datablock per (panel, series): x position, records/s, x label */
    for (int p = 0; p < npanels; p++)
        for (int s = 0; s < nseries; s++) {
            fprintf(f, "$d%d_%d << EOD\n", p, s);
            for (int v = 0; v < x->nvalues; v++) {
                int vi[KW_LAB_MAX_AXES] = {v, s, p};
                int idx = point_index(lab, vi);
                if (idx >= n) continue;
                if (r[idx].failed) fprintf(f, "%s NaN %s\n", numeric ? x->values[v] : "0", x->values[v]);
                else fprintf(f, "%s %.1f %s\n", numeric ? x->values[v] : "0", r[idx].records_per_sec, x->values[v]);
            }
            fprintf(f, "EOD\n");
        }
    fprintf(f, "set output '%s'\n", out_path);
    fprintf(f, "set grid ytics lc rgb '#dddddd'\n");
    fprintf(f, "set ylabel 'records/s'\nset yrange [0:%.0f]\nset format y '%%.0s%%c'\n", ymax > 0 ? ymax * 1.15 : 1);
    fprintf(f, "set xlabel '%s'\n", x->setting);
    if (nseries > 1) fprintf(f, "set key top left title '%s' box opaque\n", lab->axes[1].setting);
    else fprintf(f, "unset key\n");
    if (numeric) {
        double lo = atof(x->values[0]), hi = atof(x->values[x->nvalues - 1]);
        if (lo > 0 && hi / lo >= 8) fprintf(f, "set logscale x 2\n");
        fprintf(f, "set xtics (");
        for (int i = 0; i < x->nvalues; i++) fprintf(f, "%s'%s' %s", i ? ", " : "", x->values[i], x->values[i]);
        fprintf(f, ")\nset offsets graph 0.06, graph 0.06, 0, 0\n");
    } else {
        fprintf(f, "set style fill solid 0.8 border -1\nset boxwidth 0.6\nset xrange [-0.6:%d.6]\n", x->nvalues - 1);
    }
    if (npanels > 1) fprintf(f, "set multiplot layout 1,%d title 'kwire lab %s: %s (%ld records)'\n", npanels, lab->name, lab->title, lab->records);
    else fprintf(f, "set title 'kwire lab %s: %s (%ld records)'\n", lab->name, lab->title, lab->records);
    for (int p = 0; p < npanels; p++) {
        if (npanels > 1) fprintf(f, "set title '%s = %s'\n", lab->axes[2].setting, lab->axes[2].values[p]);
        fprintf(f, "plot ");
        for (int s = 0; s < nseries; s++) {
            const char *title = nseries > 1 ? lab->axes[1].values[s] : "records/s";
            if (numeric)
                fprintf(f, "%s$d%d_%d using 1:2 with linespoints lw 2 pt 7 ps 1.2 title '%s'", s ? ", \\\n     " : "", p, s, title);
            else
                fprintf(f, "%s$d%d_%d using 0:2:xtic(3) with boxes lc rgb '#3a78b5' title '%s'", s ? ", \\\n     " : "", p, s, title);
        }
        fprintf(f, "\n");
    }
    if (npanels > 1) fprintf(f, "unset multiplot\n");
    return 0;
}

static void describe_point(char *out, size_t n, const kw_lab *lab, int index)
{
    kw_lab_point pt;
    kw_lab_point_at(lab, index, &pt);
    size_t used = 0;
    out[0] = 0;
    for (int a = 0; a < lab->naxes && used < n; a++)
        used += (size_t)snprintf(out + used, n - used, "%s%s=%s", a ? ", " : "", lab->axes[a].setting, pt.values[a]);
}

void kw_lab_reading(FILE *f, const kw_lab *lab, const kw_lab_result *r, int n)
{
    if (n <= 0) return;
    int best = -1, worst = -1;
    for (int i = 0; i < n; i++) {
        if (r[i].failed) continue;
        if (best < 0 || r[i].records_per_sec > r[best].records_per_sec) best = i;
        if (worst < 0 || r[i].records_per_sec < r[worst].records_per_sec) worst = i;
    }
    fprintf(f, "\nReading (lab %s, %s):\n", lab->name, lab->title);
    if (best < 0) {
        fprintf(f, "  Every run had failed records: no setting can be called a winner.\n");
        return;
    }
    char bdesc[256], wdesc[256];
    describe_point(bdesc, sizeof bdesc, lab, best);
    describe_point(wdesc, sizeof wdesc, lab, worst);
    fprintf(f, "  Fastest: %s at %.0f records/s (%.3f s).\n", bdesc, r[best].records_per_sec, r[best].seconds);
    if (worst != best)
        fprintf(f, "  Slowest: %s at %.0f records/s (%.3f s), %.1fx slower.\n", wdesc, r[worst].records_per_sec,
                r[worst].seconds, r[worst].records_per_sec > 0 ? r[best].records_per_sec / r[worst].records_per_sec : 0);
    const char *unit = lab->kind == KW_LAB_CONSUME ? "fetch" : "batch";
    if (worst != best) {
        fprintf(f, "  Why: records per %s went from %.1f to %.1f", unit, r[worst].records_per_batch,
                r[best].records_per_batch);
        if (r[worst].requests && r[best].requests)
            fprintf(f, ", requests from %ld to %ld", r[worst].requests, r[best].requests);
        if (r[worst].wire_bytes_per_record > 0)
            fprintf(f, ", wire bytes per record from %.1f to %.1f", r[worst].wire_bytes_per_record,
                    r[best].wire_bytes_per_record);
        fprintf(f, ".\n");
        if (r[best].compression_ratio > 1.05 || r[worst].compression_ratio > 1.05)
            fprintf(f, "  Compression ratio: %.2f (slowest) vs %.2f (fastest).\n", r[worst].compression_ratio,
                    r[best].compression_ratio);
        if (r[best].p99_ms > 0 || r[worst].p99_ms > 0)
            fprintf(f, "  Latency p99: %.1f ms (slowest) vs %.1f ms (fastest)%s.\n", r[worst].p99_ms, r[best].p99_ms,
                    r[best].p99_ms > r[worst].p99_ms ? ": the faster setting waits longer per record — the "
                                                      "throughput/latency trade-off" : "");
    }
    /* each setting's own effect: mean records/s per value, other settings averaged out */
    for (int a = 0; a < lab->naxes; a++) {
        const kw_lab_axis *ax = &lab->axes[a];
        double sum[KW_LAB_MAX_VALUES] = {0};
        int cnt[KW_LAB_MAX_VALUES] = {0};
        for (int i = 0; i < n; i++) {
            if (r[i].failed) continue;
            kw_lab_point pt;
            kw_lab_point_at(lab, i, &pt);
            for (int v = 0; v < ax->nvalues; v++)
                if (pt.values[a] == ax->values[v]) { sum[v] += r[i].records_per_sec; cnt[v]++; }
        }
        int bv = -1;
        fprintf(f, "  %s:", ax->setting);
        for (int v = 0; v < ax->nvalues; v++) {
            double mean = cnt[v] ? sum[v] / cnt[v] : NAN;
            fprintf(f, " %s -> %.0f/s%s", ax->values[v], mean, v + 1 < ax->nvalues ? "," : "");
            if (cnt[v] && (bv < 0 || mean > sum[bv] / cnt[bv])) bv = v;
        }
        if (bv >= 0) fprintf(f, " (best on average: %s)", ax->values[bv]);
        fprintf(f, "\n");
    }
    fprintf(f, "  %s\n", lab->note);
}
