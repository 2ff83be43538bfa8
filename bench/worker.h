/*
 * bench/worker.h — kwire as a worker of Apache Kafka's distributed test framework,
 * Trogdor: the workload its ExternalCommandWorker hands over, the status lines the
 * worker writes back, and the exact merge of many workers' statuses.
 *
 * The protocol (Trogdor's ExternalCommandWorker): the agent starts the command and
 * writes one line on its stdin, {"id": TASK_ID, "workload": {...}}; every line the
 * command writes on stdout that is a JSON object is read: "status" replaces the task's
 * status (shown by the agent and the coordinator's REST API), "log" is logged, "error"
 * ends the task with that error. Exit code 0 ends it as done, anything else as an
 * error. To stop a task the agent closes the command's stdout, sends SIGTERM, and
 * SIGKILL after the spec's shutdownGracePeriodMs (5 s by default): what a worker writes
 * after SIGTERM is not read, so the status every statusIntervalMs is what a stopped
 * task keeps.
 *
 * The workload takes the fields of Trogdor's ProduceBenchSpec and ConsumeBenchSpec that
 * kwire can honour, so a ProduceBench spec moves into an ExternalCommandSpec's
 * "workload" unchanged apart from its node field:
 *   bootstrapServers (required), targetMessagesPerSec (0 or absent: as fast as the
 *   producer takes them), maxMessages (per worker), activeTopics (produce: an object
 *   NAME -> {numPartitions, replicationFactor, configs}, created when missing; consume:
 *   an array of names, "NAME:P" for one partition; either form expands one "[A-B]" range,
 *   "foo[1-3]" = foo1, foo2, foo3), inactiveTopics (produce: created, never written),
 *   producerConf, consumerConf, adminClientConf, commonClientConf (kwire's settings by
 *   Kafka's names: client/core/config.h), keyGenerator ({"type":"sequential","size":N,
 *   "startOffset":S}: the record number + S, little-endian in N bytes, as Trogdor's;
 *   {"type":"null"}: no key), valueGenerator ({"type":"constant","size":N}: N zero
 *   bytes, Trogdor's default of 512), consumerGroup (consume: join that group; without
 *   it the worker assigns itself every partition), durationMs (the worker stops by
 *   itself after that long; Trogdor's task durationMs stops it from outside);
 * and kwire's own:
 *   kind ("produce", default, or "consume"), recordSize (value bytes, instead of a
 *   valueGenerator), labPayload (true: the labs' 92-byte payload, docs of bench lab),
 *   statusIntervalMs (default 2000), latencyLog (a file: every record's latency in us,
 *   one per line, for checking a merge), consumeFrom ("earliest", default, or "latest").
 * Any other field is an error naming it.
 *
 * Latency (microseconds, client/core/hdr.h's default layout): produce, acknowledgement minus
 * the record's intended send time when targetMessagesPerSec paces the run (the response
 * time of bench/latency.h: a stall counts for every record it delayed), else minus the
 * send call; consume, arrival minus the record's timestamp (CreateTime, ms: clocks of
 * different hosts must agree).
 */
#ifndef KW_BENCH_WORKER_H
#define KW_BENCH_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/json.h"
#include "client/core/hdr.h"
#include "codec/buf.h"

#define KW_WK_MAX_TOPICS 1024      /* topics after expanding ranges */
#define KW_WK_DEFAULT_VALUE 512    /* Trogdor's ConstantPayloadGenerator default */
#define KW_WK_DEFAULT_STATUS_MS 2000

enum { KW_WK_PRODUCE, KW_WK_CONSUME };
/* where a setting came from, and so which clients it goes to */
enum { KW_WK_CONF_COMMON, KW_WK_CONF_PRODUCER, KW_WK_CONF_CONSUMER, KW_WK_CONF_ADMIN };

typedef struct kw_wk_topic {
    char *name;
    int32_t partition;           /* consume "NAME:P": P; else -1 (every partition) */
    int32_t partitions;          /* produce: numPartitions, -1 for the broker's default */
    int16_t replication_factor;  /* -1 for the broker's default */
    int inactive;                /* from inactiveTopics: created, not written */
    char **configs;              /* "name=value" */
    int nconfigs;
} kw_wk_topic;

typedef struct kw_workload {
    char *task_id;
    int kind;
    char *bootstrap;
    int64_t target_per_sec;      /* 0: unpaced */
    int64_t max_messages;        /* 0: no limit */
    int64_t duration_ms;         /* 0: no limit */
    kw_wk_topic *topics;
    int ntopics, captopics;
    char **conf_names, **conf_values;
    int *conf_src;               /* KW_WK_CONF_* */
    int nconf, capconf;          /* settings; slots allocated in each of the three */
    int32_t value_size;
    int32_t key_size;            /* 0: null key */
    int64_t key_start;
    int lab_payload;
    char *group;
    int64_t status_interval_ms;
    char *latency_log;
    int from_latest;
} kw_workload;

/*
 * Read the start line (text[0..len), one JSON object {"id":..., "workload":{...}}) into
 * *w (to kw_workload_free, also after an error). 0, or -1 with err saying what was
 * wrong: bad JSON (the byte), a missing or mistyped field, unknown fields (every one
 * named: "unknown workload fields: foo, bar"), a bad range, no topic, nothing to stop
 * the run (neither maxMessages nor durationMs).
 */
int kw_workload_parse(const char *text, size_t len, kw_workload *w, char *err, size_t errlen);
void kw_workload_free(kw_workload *w);

/* ---- status ---- */

typedef struct kw_wk_status {
    char task[256];
    int kind;
    char state[16];              /* "running", "done", "stopped" (SIGTERM, durationMs) or "failed" */
    int64_t start_ms;            /* wall clock, ms since the epoch, when the work started */
    int64_t elapsed_ms;
    uint64_t records, bytes, errors;
    int64_t int_start_ms, int_len_ms;   /* the last interval: from start_ms, its length */
    uint64_t int_records, int_bytes, int_errors;
    kw_hdr *h;                   /* cumulative latency (us) */
    kw_hdr *int_h;               /* the last interval's */
    char error[256];             /* with state "failed" */
} kw_wk_status;

/*
 * One status line: {"status":{"kwire":1,"task":..,"kind":..,"state":..,"startMs":..,
 * "elapsedMs":..,"records":..,"bytes":..,"errors":..,"recordsPerSec":..,"mbPerSec":..,
 * "latencyMs":{p50..max},"histogram":BASE64,"interval":{"startMs":..,"lengthMs":..,
 * "records":..,"bytes":..,"errors":..,"histogram":BASE64}[,"error":..]}}\n — the
 * histograms in HdrHistogram's V2 compressed encoding, base64 (bench/hlog.h), as an
 * HdrHistogram log line carries them. Returns 0 or the encoder's error.
 */
int kw_wk_status_line(kw_buf *out, const kw_wk_status *s);
/* An {"error": MSG} line (Trogdor ends the task with MSG). Returns out->err. */
int kw_wk_error_line(kw_buf *out, const char *msg);
/* A {"log": MSG} line. Returns out->err. */
int kw_wk_log_line(kw_buf *out, const char *msg);

/*
 * Read a status object (the value of "status", as the worker wrote it or as the
 * coordinator returns it) into *s (histograms decoded; kw_wk_status_free). 0, or -1
 * with err naming the missing or bad field (a histogram that does not decode included).
 */
int kw_wk_status_read(const kw_jv *status, kw_wk_status *s, char *err, size_t errlen);
void kw_wk_status_free(kw_wk_status *s);
/* The last status of a worker's saved stdout (text[0..len), its lines): 1 with *s
 * filled, 0 when no line carries a status, -1 with err when the last one is bad. Lines
 * that are not JSON objects are skipped (Trogdor logs them). */
int kw_wk_status_last(const char *text, size_t len, kw_wk_status *s, char *err, size_t errlen);

/* ---- merge ---- */

typedef struct kw_wk_merged {
    int workers;
    uint64_t records, bytes, errors;
    int64_t first_start_ms, last_end_ms;   /* wall clock, over the workers added */
    kw_hdr *h;                             /* the sum of their cumulative histograms */
} kw_wk_merged;

/* Add one worker's cumulative figures: counts add, the histograms index by index (exact
 * for the same layout, client/core/hdr.h). 0 or KW_ERR_NOMEM. */
int kw_wk_merge_add(kw_wk_merged *m, const kw_wk_status *s);
void kw_wk_merged_free(kw_wk_merged *m);
/* Records/s and MB/s (10^6 bytes) over the span from the first start to the last end. */
double kw_wk_merged_rate(const kw_wk_merged *m, double *mb_per_s);

/* ---- running one ---- */

typedef struct kw_wk_run {
    const kw_workload *w;
    volatile sig_atomic_t *stop;   /* set (by a SIGTERM handler): finish now, flushing briefly */
    /* every line to write (status, log, error), newline included */
    void (*emit)(void *ud, const char *line, size_t len);
    void *ud;
    int64_t flush_ms;              /* at a stop, how long the producer may flush (default 2000) */
    char err[512];
} kw_wk_run;

/*
 * Run the workload against the cluster: create its topics (produce), then produce or
 * consume until maxMessages, durationMs or *stop; a status line every
 * statusIntervalMs and a final one. 0 when the run ended by itself or by *stop (state
 * "done" or "stopped"), -1 when it failed (r->err says why; the final status has state
 * "failed"): settings refused, the cluster unreachable, topics not creatable, records
 * that could not be delivered.
 */
int kw_worker_run(kw_wk_run *r);

#endif
