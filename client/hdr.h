/*
 * client/hdr.h — latency histograms with HdrHistogram's layout and its V2 encoding,
 * written from the published algorithm (HdrHistogram's documentation and format).
 *
 * Why in client/: the client's own latency figures use it — the producer's delivery
 * latency (kw_producer_stats) and the consumer's broker hold time — and bench/ (paced
 * runs, interval logs, merge) sits above client/, which may not include bench/. It is
 * pure: no clock, no I/O; callers pass values in.
 *
 * Layout (as HdrHistogram's, so a count here is the count of the same index there):
 * sub_count = the smallest power of two >= 2 * 10^digits (2048 for 3 digits); bucket 0
 * holds values 0 .. sub_count-1 at unit resolution (units of 2^unit_mag, unit_mag =
 * floor(log2(lowest))); bucket k >= 1 holds the upper half of sub_count sub-buckets at
 * 2^k units each; the counts array is (buckets + 1) * sub_count / 2 long. Any value v is
 * within v / 10^digits of the value its bucket stands for. The default layout is the
 * benchmarks': microseconds, 1 us to 1 h (3,600,000,000), 3 significant digits:
 * 23,552 counts, one allocation.
 *
 * Percentiles, mean and max are computed as HdrHistogram computes them (value at
 * percentile = the highest value equivalent to the bucket where the cumulative count
 * reaches ceil(percentile * total / 100); mean from each bucket's median value; max =
 * the highest value equivalent to the largest recorded one), so the figures of a
 * histogram and of its encoded form read by HdrHistogram's own tools agree.
 *
 * Merge: kw_hdr_add adds counts index by index when both layouts agree (exact); with
 * another layout each source bucket is recorded at its value, as HdrHistogram does.
 *
 * Encoding: the V2 compressed form (cookie 0x1c849314): a 4-byte cookie, a 4-byte
 * length, then a zlib stream of the 40-byte V2 header (cookie 0x1c849313, payload
 * length, normalizing offset 0, significant digits, lowest, highest, conversion ratio
 * 1.0) and the counts up to the largest recorded value as ZigZag LEB128 (at most 9
 * bytes, the ninth carrying 8 bits), a run of N > 1 zero counts written as -N.
 */
#ifndef KW_CLIENT_HDR_H
#define KW_CLIENT_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"
#include "kwire/bench.h"

/* kw_hdr and its calls: kwire/bench.h */

#endif
