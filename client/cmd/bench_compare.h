/*
 * client/cmd/bench_compare.h — `kwire bench compare` (client/cmd/cmd_bench_compare.c):
 * kwire against Kafka's Java client, franz-go, librdkafka and kafka-python (bench/compare_run.h), called from
 * kw__cmd_bench with argv[0] == "compare".
 */
#ifndef KW_CMD_BENCH_COMPARE_H
#define KW_CMD_BENCH_COMPARE_H

#include "cli.h"

int kw__cmd_bench_compare(kw_cli *cli, int argc, char **argv);

#endif
