/*
 * client/cmd/bench_perf.h — `kwire bench produce` and `kwire bench consume`
 * (client/cmd/cmd_bench_perf.c), `kwire bench e2e` and `kwire bench merge`
 * (client/cmd/cmd_bench_latency.c), `kwire bench worker` (client/cmd/cmd_bench_worker.c), dispatched from kw__cmd_bench; argv[0] is the
 * subcommand, global options already removed.
 */
#ifndef KW_BENCH_PERF_H
#define KW_BENCH_PERF_H

#include "cli.h"

int kw__bench_produce(kw_cli *cli, int argc, char **argv);
int kw__bench_consume(kw_cli *cli, int argc, char **argv);
int kw__bench_e2e(kw_cli *cli, int argc, char **argv);
int kw__bench_merge(kw_cli *cli, int argc, char **argv);
/* client/cmd/cmd_bench_worker.c: `bench worker`, and `bench merge --trogdor / --status` */
int kw__bench_worker(kw_cli *cli, int argc, char **argv);
int kw__bench_merge_workers(kw_cli *cli, int argc, char **argv);

#endif
