/*
 * client/cmd/commands.h — the table of kwire commands: X(name, function, summary).
 * Each command is `int kw__cmd_NAME(kw_cli *cli, int argc, char **argv)` in its own
 * client/cmd/cmd_NAME.c; argv[0] is the command name, global options already removed.
 * Adding a command is one line here.
 */
#ifndef KW_COMMANDS_H
#define KW_COMMANDS_H

#include "cli.h"

#define KW_COMMAND_MAP(X) \
    X("broker", kw__cmd_broker, "run the embedded broker (librdkafka's mock cluster) in the foreground") \
    X("api-versions", kw__cmd_api_versions, "the API versions a broker supports and the ones kwire uses") \
    X("metadata", kw__cmd_metadata, "brokers, controller, topics and partition leaders") \
    X("topics", kw__cmd_topics, "create topics (CreateTopics) or list them") \
    X("decode", kw__cmd_decode, "print captured or saved Kafka requests and responses field by field") \
    X("explain", kw__cmd_explain, "build a request as the client would and print it field by field (no connection)") \
    X("bench", kw__cmd_bench, "run a lab of LABS.md: grid of settings, lines, CSV, chart, reading") \
    X("produce", kw__cmd_produce, "write one record per input line to a topic") \
    X("consume", kw__cmd_consume, "read records of a topic from a start offset, timestamp or committed offset") \
    X("groups", kw__cmd_groups, "consumer groups (ListGroups), or one group's members, offsets and lag") \
    X("lag", kw__cmd_lag, "a group's lag per partition; --watch with a threshold") \
    X("exporter", kw__cmd_exporter, "Prometheus exporter of offsets and consumer-group lag (kafka_exporter names)")

#define KW__CMD_DECL(name, fn, summary) int fn(kw_cli *cli, int argc, char **argv);
KW_COMMAND_MAP(KW__CMD_DECL)
#undef KW__CMD_DECL

#endif
