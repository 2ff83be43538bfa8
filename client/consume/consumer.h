/*
 * client/consume/consumer.h — the consumer: assigned partitions or a group member's, fetched
 * from their leaders and handed out. Its public calls and their contract (start
 * positions, fetching, delivery, errors, waiting, group membership) are in
 * kwire/consumer.h; the library includes this header.
 */
#ifndef KW_CLIENT_CONSUMER_H
#define KW_CLIENT_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "client/consume/assignor.h"
#include "client/core/config.h"
#include "client/core/hdr.h"
#include "client/conn/net.h"
#include "client/core/rate.h"

#include "kwire/consumer.h"

/* The consumer's Fetch request, in two parts (kwire explain shows it with them): the
 * request level (a consumer's replica id -1, no fetch session, no rack) from the fetch
 * knobs, and one partition from its offset and max.partition.fetch.bytes; every other
 * field at its description's default (the follower-only ones are then not written). */
struct kw_fetch_req;
struct kw_fetch_partition;
void kw__fetch_req_init(struct kw_fetch_req *r, int32_t max_wait_ms, int32_t min_bytes, int32_t max_bytes,
                        int isolation);
void kw__fetch_part_init(struct kw_fetch_partition *fp, int32_t partition, int64_t offset, int32_t part_max_bytes);

#endif
