/*
 * client/produce/producer.h — the Kafka producer: a single-threaded event loop over kw_net. Its
 * public calls and their contract (batching, idempotence, retries, delivery reports) are
 * in kwire/producer.h; here, what the library and its tests use besides.
 */
#ifndef KW_CLIENT_PRODUCER_H
#define KW_CLIENT_PRODUCER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/produce/accum.h"
#include "client/core/config.h"
#include "client/conn/conn.h"
#include "client/core/hdr.h"
#include "client/core/rate.h"
#include "codec/batch.h"
#include "proto/desc.h"
#include "kwire/producer.h"

/* kw_producer_set_dump: kwire/producer.h */
/* Tap every request/response frame; call before the first send. */
void kw_producer_set_tap(kw_producer *p, void (*tap)(void *, int, int16_t, int16_t, const uint8_t *, size_t),
                         void *ud);
/* ---- pure parts, exposed for tests ---- */
/* What to do with a batch after a per-partition error code (or a KW_ERR_* of the request). */
enum kw_pact { KW_PACT_OK, KW_PACT_RETRY, KW_PACT_FAIL };
int kw__produce_action(int err, int idempotent);
/* Insert a batch to be retried into its partition's queue in base_seq order (before the
 * first batch with a higher or unassigned sequence), keeping order across retries. */
void kw__produce_requeue(kw_accum *a, kw_pbatch *b);
/* Append a Produce request body at version (from its description in proto/): one topic
 * entry per run of equal names in topics[] (batches of a topic stand together), named
 * by ids[i] from v13 (KW_ERR_VERSION when an id is zero there), partition and records
 * from each batch; each batch placed with kw_conn_ref(refs, ...): referred to, not
 * copied, when refs comes from a connection; copied when refs is NULL. */
struct kw_produce_resp;
int kw__produce_encode(kw_buf *out, kw_conn_refs *refs, int16_t version, int16_t acks, int32_t timeout_ms,
                       const char *const *topics, const kw_uuid *ids, kw_pbatch *const *b, int n);
/* The same, copying the batches, with a zero id sent as it is from v13 (a request shown
 * without a broker: kwire explain). */
int kw__produce_encode_any_id(kw_buf *out, int16_t version, int16_t acks, int32_t timeout_ms,
                              const char *const *topics, const kw_uuid *ids, kw_pbatch *const *b, int n);
/* The InitProducerId request body the producer sends (idempotence: transactional_id
 * NULL, timeout 60000 ms), or with a transactional id and timeout (kwire explain). */
int kw__initproducerid_encode(const char *transactional_id, int32_t transaction_timeout_ms, int16_t version,
                              kw_buf *out);
/* A partition's outcome in a Produce response decoded at version: its error code (a
 * broker's -1 as KW_KAFKA_UNKNOWN_SERVER_ERROR) and base offset, or KW_ERR_NOT_FOUND
 * when absent. The topic is matched by id from v13, by name before. */
int kw__produce_result(const struct kw_produce_resp *r, int16_t version, const char *topic, const kw_uuid *id,
                       int32_t partition, int64_t *base_offset);
/* Retry wait for a batch's n-th attempt: retry.backoff.ms * 2^(n-1), at most max. */
int64_t kw__produce_backoff_ms(int64_t base_ms, int64_t max_ms, int attempts);

#endif
