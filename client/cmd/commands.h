/*
 * client/cmd/commands.h — the table of kwire commands: X(name, function, short options,
 * long options, json, summary). The options (client/cli/args.h: getopt's "t:p:e", long names
 * with "=" when they take a value) let main accept -tT, -p2, -ec5 and --name=value
 * before the command reads its arguments; json says whether --json means something to
 * the command (if not, main refuses it). Each command is
 * `int kw__cmd_NAME(kw_cli *cli, int argc, char **argv)` in its own client/cmd/cmd_NAME.c;
 * argv[0] is the command name, global options already removed.
 * Adding a command is one line here.
 */
#ifndef KW_COMMANDS_H
#define KW_COMMANDS_H

#include "cli.h"

#define KW_COMMAND_MAP(X) \
    X("broker", kw__cmd_broker, "h", "brokers=,topic=,control=,port-file=,dir=,kafka,help", 0, \
      "run the embedded broker (librdkafka's mock cluster) in the foreground") \
    X("api-versions", kw__cmd_api_versions, "h", "all,help", 1, \
      "the API versions a broker supports and the ones kwire uses") \
    X("metadata", kw__cmd_metadata, "h", "auto-create,help", 1, "brokers, controller, topics and partition leaders") \
    X("topics", kw__cmd_topics, "h", "partitions=,replication-factor=,config=,if-not-exists,validate-only,help", 0, \
      "create topics (CreateTopics) or list them") \
    X("decode", kw__cmd_decode, "h", "port=,max-frame=,request=,response,frame,hex,paths,json,help", 1, \
      "print captured or saved Kafka requests and responses field by field") \
    X("explain", kw__cmd_explain, "h", \
      "version=,records=,topic=,partition=,offset=,topic-id=,group=,timestamp=,partitions=,replication-factor=," \
      "raw=,paths,json,help", 1, "build a request as the client would and print it field by field (no connection)") \
    X("bench", kw__cmd_bench, "t:n:h", \
      "records=,csv=,chart=,lab=,json,topic=,num-records=,messages=,record-size=,payload=,throughput=,repeat=," \
      "quick,live=,kafka-version=,acks=,duration=,hlog=,mock,partitions=,peers=,produce-only,reporting-interval=," \
      "help", 1, \
      "run a lab of docs/LABS.md: grid of settings, lines, CSV, chart, reading") \
    X("produce", kw__cmd_produce, "t:p:k:K:H:lJh", "help", 1, "write one record per input line to a topic") \
    X("consume", kw__cmd_consume, "t:p:o:c:f:g:evJh", "commit,stats,help", 1, \
      "read records of a topic from a start offset, timestamp or committed offset") \
    X("groups", kw__cmd_groups, "h", "help", 1, "consumer groups (ListGroups), or one group's members, offsets and lag") \
    X("lag", kw__cmd_lag, "g:t:vh", "watch=,threshold=,help", 1, "a group's lag per partition; --watch with a threshold") \
    X("exporter", kw__cmd_exporter, "h", "listen=,group-filter=,group=,interval=,help", 0, \
      "Prometheus exporter of offsets and consumer-group lag (kafka_exporter names)")

#define KW__CMD_DECL(name, fn, shorts, longs, json, summary) int fn(kw_cli *cli, int argc, char **argv);
KW_COMMAND_MAP(KW__CMD_DECL)
#undef KW__CMD_DECL

#endif
