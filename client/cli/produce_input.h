/*
 * client/cli/produce_input.h — `kwire produce`'s input to records and its bookkeeping:
 * lines sliced from chunks of input (one record each; -k one key, -K a key from each line,
 * -J a JSON envelope per line), sent through the producer, the read-ahead bound, the
 * delivery reports counted per partition (--json: one report line per input record), the
 * finish after Ctrl-C and the summary on stderr.
 *
 * The command reads the input (read/poll stay there) and installs the signal handlers;
 * the flags they set are given here as stop (stop reading, deliver what was accepted) and
 * abandon (give it up).
 *
 * Read-ahead: more input is taken only while the producer holds less than (brokers + 1)
 * x read_ahead bytes in sealed batches waiting for a send slot (read_ahead =
 * max(batch.size, max.request.size)), at most max_block_ms, not past a stop.
 */
#ifndef KW_CLIENT_PRODUCE_INPUT_H
#define KW_CLIENT_PRODUCE_INPUT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client/cli/recfmt.h"
#include "client/produce/producer.h"
#include "codec/buf.h"

#define KW_PINPUT_MAX_NOTED 64 /* brokers whose failed connection is said on stderr */

typedef struct kw_pinput_part {
    int64_t lo, hi; /* offsets written (hi -1: none known, acks=0) */
    uint64_t n;     /* records delivered */
} kw_pinput_part;

typedef struct kw_pinput {
    /* set by the caller after kw_pinput_init */
    kw_producer *p;
    const char *topic;     /* -t (NULL with -J: each record's own) */
    int32_t partition;     /* -p, -1 by default */
    int partition_given;
    const char *key; int32_t key_len;     /* -k */
    const char *delim; size_t delim_len;  /* -K */
    const kw_header *hdrs; int nhdrs;     /* -H */
    int json_in;           /* -J: each line is a JSON envelope (client/cli/recfmt.h) */
    int json_out;          /* --json: a delivery report per input record to out */
    int quiet;             /* -q: no notes on stderr (the second interrupt's is still said) */
    size_t read_ahead;
    int64_t max_block_ms;
    const volatile sig_atomic_t *stop, *abandon;
    FILE *out;             /* --json reports (stdout by kw_pinput_init) */
    /* kept by the module */
    kw_recjson rj;
    uint64_t records;      /* input records (lines) seen: the number in a JSON report */
    uint64_t sent, failed, refused, bytes;
    kw_pinput_part *parts; int32_t nparts;
    int first_err, first_cause;
    char first_why[768];   /* the first refusal in words */
    uint8_t noted[KW_PINPUT_MAX_NOTED];
    kw_buf jout;           /* --json: reports waiting to be written */
    int fatal;             /* every broker failed for good (kw_net_fatal): input stops */
} kw_pinput;

/* Defaults (partition -1, out stdout) and storage; kw_pinput_free releases it. */
void kw_pinput_init(kw_pinput *c);
void kw_pinput_free(kw_pinput *c);

/* The producer's delivery callback (ud: the kw_pinput): counts and --json report. */
void kw_pinput_on_delivery(void *ud, const kw_delivery *d);
/* kw_net_set_notify's callback: a broker that cannot be reached is said once. */
void kw_pinput_on_net_failure(void *ud, int idx, int err, const char *why);

/* The record of one input line (counted as input record c->records + 1). 0 with *r
 * filled (slices into s or c's storage), 1 for a blank line under -J (not a record), or
 * the error of a line refused (counted, first_why set, --json report queued). */
int kw_pinput_line_record(kw_pinput *c, const char *s, size_t n, kw_producer_record *r);
/* Send every complete line of [p, p+n) (and the unterminated rest when final); returns
 * the bytes consumed. Stops early once stop is set or every broker failed. */
size_t kw_pinput_feed(kw_pinput *c, const char *p, size_t n, int final);
/* Hold the input back while the read-ahead bound is reached (see the top). */
void kw_pinput_wait_read_ahead(kw_pinput *c);
/* Write the --json reports waiting. */
void kw_pinput_flush_json(kw_pinput *c);
/* After the input: deliver what was accepted unless abandon is set (said on stderr). */
void kw_pinput_finish(kw_pinput *c);

/* The bytes a record counts for in the summary: key + value + header names and values. */
uint64_t kw_pinput_record_bytes(const kw_producer_record *r);
/* -v: the batching figures, one line (empty when no batch was sent); call before
 * kw_producer_close. */
void kw_pinput_verbose_line(const kw_producer *p, char *out, size_t len);
/* The summary to f: records sent, failed, refused, bytes, per partition the offsets, the
 * first error, last (the last failed request, may be empty) and verbose. */
void kw_pinput_summary(const kw_pinput *c, FILE *f, const char *last, const char *verbose);

#endif
