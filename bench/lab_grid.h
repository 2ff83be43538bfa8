/*
 * bench/lab_grid.h — `kwire bench lab`'s run of a whole grid (bench/lab.h): the points to
 * run (all, or the lab's --quick subset), each point's settings applied on top of the
 * command's, one timed run of a point (its producer and/or consumer part as the lab's
 * kind says, combined into one result), the order of the runs (one unrecorded warm-up run
 * first, then round the grid `repeat` times over; a lab that sweeps broker settings
 * instead starts a broker per point, warms it up and holds the point's runs together),
 * each point's median, the stop when a run delivers no record, and the --json document.
 *
 * The runs themselves, the brokers, the progress display and each point's output are the
 * caller's, through the callbacks of kw__lab_grid.
 */
#ifndef KW_BENCH_LAB_GRID_H
#define KW_BENCH_LAB_GRID_H

#include <stdio.h>

#include "bench/lab.h"
#include "bench/lab_run.h"
#include "client/core/config.h"

typedef struct kw__lab_grid {
    const kw_lab *lab;
    const int *pts;        /* the grid points to run (kw__lab_select), in grid order */
    int npts;
    int repeat;            /* runs per point (after the warm-up) */
    int restarts;          /* 1: a broker started per point (kw_lab_has_broker_axes) */
    long live;             /* consumer labs: records/s written during each run, or 0 */
    void *ud;
    /* one part of a run: role KW_ROLE_PRODUCER (live 0) or KW_ROLE_CONSUMER; fills r
     * (zeroed), 0 or -1 (said) */
    int (*run)(void *ud, int role, const kw_lab_point *pt, long live, kw_lab_result *r);
    /* restarts: the point's broker, started (0 or -1, said) and stopped */
    int (*start_broker)(void *ud, const kw_lab_point *pt);
    void (*stop_broker)(void *ud);
    void (*progress)(void *ud, int done, int total);                            /* may be NULL */
    void (*point_done)(void *ud, const kw_lab_point *pt, const kw_lab_result *r); /* may be NULL */
    kw_lab_warn_fn warn;   /* why the lab stopped */
    /* storage given by the caller: res[npts] (each point's median), runs[npts * repeat] */
    kw_lab_result *res, *runs;
    int ran;               /* out: points with a median in res[0 .. ran) */
} kw__lab_grid;

/* The grid points to run into pts (room for kw_lab_points): all, or with quick the lab's
 * quick subset; returns their count. */
int kw__lab_select(const kw_lab *lab, int quick, int *pts);

/* The point's client settings that apply to role (a consumer lab's producer settings and
 * the reverse are skipped) set on cfg, then cfg validated: 0, or -1 (kw_config_error). */
int kw__lab_apply_point(kw_config *cfg, int role, const kw_lab_point *pt);

/* One timed run of a point: the producer part, the consumer part, or both (their seconds,
 * failures and requests added up), and records/s and MB/s of the records delivered. */
int kw__lab_run_point(const kw__lab_grid *g, const kw_lab_point *pt, kw_lab_result *r);

/* Runs the whole grid, warm-ups included, reported to progress (kw__lab_grid_runs). */
int kw__lab_grid_runs(const kw__lab_grid *g);
/* Run the grid: 0, or -1 when a run failed, delivered no record (the lab stops) or a
 * point's median run has failed records (the lab goes on). point_done gets each point's
 * median once its last run is done. */
int kw__lab_grid_run(kw__lab_grid *g);

/* The whole grid for the reading and the chart: grid[pts[j]] = res[j] for j < ran, every
 * point not run left empty with failed = 1 (no figure). grid has kw_lab_points entries. */
void kw__lab_grid_fill(const kw_lab *lab, const kw_lab_result *res, const int *pts, int ran, kw_lab_result *grid);

/* The progress bar, "\rP1 [#####.....] 3/13 runs", ended by a newline at the last run. */
void kw__lab_progress(FILE *f, const kw_lab *lab, int done, int total);

/* --json: the lab, its fixed settings and every point run (settings and figures), one line. */
void kw__lab_json(FILE *f, const kw_lab *lab, const kw_lab_result *res, const int *pts, int n, long records, long live,
                  const char *broker);

#endif
