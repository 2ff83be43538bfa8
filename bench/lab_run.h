/*
 * bench/lab_run.h — one run of a lab's grid point (bench/lab.h) against a cluster: a
 * fresh producer or consumer made from the point's settings, timed from the first send
 * to the end of flush() (producer) or to the N-th record received (consumer), and the
 * run's figures taken from the client's statistics.
 *
 * Messages for the user (a refused send, a consumer error) go to warn(ud, text); the
 * caller prints them. kw_lab_fill_produce / kw_lab_fill_consume are the pure part: the
 * result's figures from the clients' statistics.
 */
#ifndef KW_BENCH_LAB_RUN_H
#define KW_BENCH_LAB_RUN_H

#include "bench/lab.h"
#include "client/core/config.h"
#include "kwire/consumer.h"
#include "kwire/producer.h"

typedef void (*kw_lab_warn_fn)(void *ud, const char *text);

/* Produce `records` records of the labs' payload to topic with a producer made from cfg
 * (not kept), at `rate` records/s when rate > 0, else as fast as the producer takes them;
 * adds the run's seconds and requests to r and sets its producer figures. 0, or -1 when
 * no producer could be made (warned). */
int kw_lab_run_produce(const kw_config *cfg, const char *topic, long records, long rate, kw_lab_result *r,
                       kw_lab_warn_fn warn, void *ud);
/* Consume `records` records of topic from the beginning with a consumer made from cfg.
 * live > 0: the consumer starts at the end of the topic and a producer made from pcfg,
 * on a thread of its own, writes the records at `live` records/s meanwhile; the run is
 * timed from the producer's start and each record's latency (arrival - its CreateTime)
 * measured. Sets r's consumer figures (failed: records not received). 0 or -1 (warned). */
int kw_lab_run_consume(const kw_config *cfg, const kw_config *pcfg, const char *topic, long records, long live,
                       kw_lab_result *r, kw_lab_warn_fn warn, void *ud);

/* ---- pure parts, exposed for tests ---- */
/* r's producer figures from s after a run of `records` records, `failed` of them failed:
 * records per batch, batch fill, compression ratio, wire bytes per record, requests
 * (added), delivery latency. */
void kw_lab_fill_produce(kw_lab_result *r, const kw_producer_stats *s, long records, long failed);
/* r's consumer figures from s after a run that asked for `records` and got `got`. */
void kw_lab_fill_consume(kw_lab_result *r, const kw_consumer_stats *s, long records, long got);

#endif
