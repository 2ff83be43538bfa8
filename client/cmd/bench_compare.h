/*
 * client/cmd/bench_compare.h — `kwire bench compare` (client/cmd/cmd_bench_compare.c):
 * kwire against librdkafka (kcat) and kafka-python on one broker, called from
 * kw__cmd_bench with argv[0] == "compare".
 */
#ifndef KW_BENCH_COMPARE_H
#define KW_BENCH_COMPARE_H

#include "cli.h"

int kw__cmd_bench_compare(kw_cli *cli, int argc, char **argv);

#endif
