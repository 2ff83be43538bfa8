/*
 * kwire.h — libkwire, a Kafka wire-protocol client library: everything public in one
 * include. Build with `pkg-config --cflags --libs kwire`.
 *
 *   kwire/errors.h    error codes (negative KW_ERR_*, positive Kafka codes), kw_strerror,
 *                     the version, the KW_API export macro
 *   kwire/types.h     kw_buf (output of the formatting calls), kw_header, kw_tp, kw_uuid
 *   kwire/config.h    settings by Kafka's names (kw_config)
 *   kwire/producer.h  the producer (kw_producer)
 *   kwire/consumer.h  the consumer: assigned partitions, or a group member (kw_consumer)
 *   kwire/admin.h     broker connections (kw_net), metadata, topic creation, offsets, groups
 *   kwire/lag.h       consumer-group lag (snapshot, report, table, JSON)
 *   kwire/decode.h    the annotated field-by-field view of Kafka frames (kw_printer)
 *   kwire/bench.h     latency and size histograms (kw_hdr, kw_hist)
 *
 * Each header opens with a short example; examples/ holds complete programs.
 */
#ifndef KWIRE_H
#define KWIRE_H

#include "kwire/errors.h"
#include "kwire/types.h"
#include "kwire/config.h"
#include "kwire/bench.h"
#include "kwire/producer.h"
#include "kwire/consumer.h"
#include "kwire/admin.h"
#include "kwire/lag.h"
#include "kwire/decode.h"

#endif
