/*
 * kwire/config.h — settings for producers and consumers, by Kafka's names, with Kafka's
 * defaults and accepted values (Kafka 4.0's producer and consumer configuration), plus
 * kwire's own (kwire.*).
 *
 * One X-macro table (KW_CONF_MAP) gives each setting its id, name, type, default,
 * range or allowed values, the roles it applies to, and a one-line doc. A kw_config
 * holds one value per setting; it starts at the defaults (role-specific where Kafka's
 * producer and consumer defaults differ), is changed by name from "name=value" text
 * (-X) or a properties file (-F), then validated as a whole (cross-setting rules as
 * Kafka applies them). Failures return KW_ERR_CONFIG and leave a message naming the
 * setting and what it accepts in kw_config_error().
 *
 * Example:
 *
 *     kw_config *c = kw_config_new(KW_ROLE_PRODUCER);
 *     if (kw_config_set(c, "bootstrap.servers", "localhost:9092") ||
 *         kw_config_set_kv(c, "linger.ms=20") || kw_config_validate(c))
 *         fprintf(stderr, "%s\n", kw_config_error(c));    // names the setting
 *     printf("batch.size %lld\n", (long long)kw_config_int(c, KW_CONF_BATCH_SIZE));
 *     kw_config_free(c);
 */
#ifndef KWIRE_CONFIG_H
#define KWIRE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kwire/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum kw_conf_type {
    KW_CT_INT,      /* 32-bit integer */
    KW_CT_LONG,     /* 64-bit integer */
    KW_CT_BOOL,     /* true/false (also 1/0, yes/no, on/off) */
    KW_CT_ENUM,     /* one of a '|'-separated list of values */
    KW_CT_STRING,   /* any text (may be empty) */
    KW_CT_LIST,     /* comma-separated list (stored as the text) */
    KW_CT_DURATION  /* milliseconds: an integer, or with a unit suffix ms, s, m, h */
} kw_conf_type;

/* Roles a setting applies to (a bit set). */
#define KW_ROLE_PRODUCER 1
#define KW_ROLE_CONSUMER 2
#define KW_ROLE_ANY 3

/* Range limits used in the table. */
#define KW__I32MAX 2147483647LL
#define KW__I64MAX 9223372036854775807LL

/*
 * X(ID, "name", TYPE, "default", min, max, "enum values (a|b|c)", roles, "doc")
 * For ENUM the first listed value is not the default unless named as such. For
 * STRING, a NULL default means "not set" (Kafka's null), "" is an empty string.
 */
#define KW_CONF_MAP(X)                                                                              \
    X(BOOTSTRAP_SERVERS, "bootstrap.servers", KW_CT_LIST, "", 0, 0, NULL, KW_ROLE_ANY,                \
      "host1:port1,host2:port2,... used for the first connection")                                  \
    X(CLIENT_ID, "client.id", KW_CT_STRING, "", 0, 0, NULL, KW_ROLE_ANY,                              \
      "client id sent in every request header")                                                     \
    X(ACKS, "acks", KW_CT_ENUM, "all", 0, 0, "all|-1|0|1", KW_ROLE_PRODUCER,                          \
      "acknowledgements the leader waits for: 0 none, 1 leader, all/-1 in-sync replicas")           \
    X(BATCH_SIZE, "batch.size", KW_CT_INT, "16384", 0, KW__I32MAX, NULL, KW_ROLE_PRODUCER,            \
      "upper bound in bytes of one partition's record batch")                                       \
    X(LINGER_MS, "linger.ms", KW_CT_DURATION, "5", 0, KW__I32MAX, NULL, KW_ROLE_PRODUCER,             \
      "time a batch may wait for more records before it is sent")                                   \
    X(BUFFER_MEMORY, "buffer.memory", KW_CT_LONG, "33554432", 0, KW__I64MAX, NULL, KW_ROLE_PRODUCER,  \
      "bytes the producer may hold in records waiting to be sent")                                  \
    X(MAX_BLOCK_MS, "max.block.ms", KW_CT_DURATION, "60000", 0, KW__I64MAX, NULL, KW_ROLE_PRODUCER,   \
      "how long send() blocks when buffer.memory is full or metadata is missing")                   \
    X(COMPRESSION_TYPE, "compression.type", KW_CT_ENUM, "none", 0, 0, "none|gzip|snappy|lz4|zstd",    \
      KW_ROLE_PRODUCER, "codec for produced record batches")                                        \
    X(COMPRESSION_GZIP_LEVEL, "compression.gzip.level", KW_CT_INT, "-1", -1, 9, NULL,                 \
      KW_ROLE_PRODUCER, "gzip level 1..9, or -1 for zlib's default")                                \
    X(COMPRESSION_LZ4_LEVEL, "compression.lz4.level", KW_CT_INT, "9", 1, 17, NULL, KW_ROLE_PRODUCER,  \
      "lz4 level 1..17")                                                                            \
    X(COMPRESSION_ZSTD_LEVEL, "compression.zstd.level", KW_CT_INT, "3", -131072, 22, NULL,            \
      KW_ROLE_PRODUCER, "zstd level -131072..22")                                                   \
    X(MAX_IN_FLIGHT, "max.in.flight.requests.per.connection", KW_CT_INT, "5", 1, KW__I32MAX, NULL,    \
      KW_ROLE_ANY, "unacknowledged requests pipelined on one connection")                           \
    X(RETRIES, "retries", KW_CT_INT, "2147483647", 0, KW__I32MAX, NULL, KW_ROLE_PRODUCER,             \
      "how many times a failed produce is retried (bounded by delivery.timeout.ms)")                \
    X(RETRY_BACKOFF_MS, "retry.backoff.ms", KW_CT_DURATION, "100", 0, KW__I64MAX, NULL, KW_ROLE_ANY,  \
      "first wait before retrying a failed request (doubles per attempt)")                          \
    X(RETRY_BACKOFF_MAX_MS, "retry.backoff.max.ms", KW_CT_DURATION, "1000", 0, KW__I64MAX, NULL,      \
      KW_ROLE_ANY, "longest wait between retries")                                                  \
    X(DELIVERY_TIMEOUT_MS, "delivery.timeout.ms", KW_CT_DURATION, "120000", 0, KW__I32MAX, NULL,      \
      KW_ROLE_PRODUCER, "time from send() to success or failure, retries included")                 \
    X(REQUEST_TIMEOUT_MS, "request.timeout.ms", KW_CT_DURATION, "30000", 0, KW__I32MAX, NULL,         \
      KW_ROLE_ANY, "how long a sent request may wait for its response")                             \
    X(MAX_REQUEST_SIZE, "max.request.size", KW_CT_INT, "1048576", 0, KW__I32MAX, NULL,                \
      KW_ROLE_PRODUCER, "largest produce request in bytes")                                         \
    X(ENABLE_IDEMPOTENCE, "enable.idempotence", KW_CT_BOOL, "true", 0, 0, NULL, KW_ROLE_PRODUCER,     \
      "exactly-once per partition via producer id and sequence numbers")                            \
    X(PARTITIONER, "partitioner", KW_CT_ENUM, "default", 0, 0,                                        \
      "default|murmur2|sticky|round_robin", KW_ROLE_PRODUCER,                                       \
      "default: murmur2 of the key, sticky without one; murmur2; sticky; round_robin")             \
    X(PARTITIONER_IGNORE_KEYS, "partitioner.ignore.keys", KW_CT_BOOL, "false", 0, 0, NULL,            \
      KW_ROLE_PRODUCER, "the default partitioner ignores keys and sticks to batches")               \
    X(METADATA_MAX_AGE_MS, "metadata.max.age.ms", KW_CT_DURATION, "300000", 0, KW__I64MAX, NULL,      \
      KW_ROLE_ANY, "metadata is refreshed at least this often")                                     \
    X(RECONNECT_BACKOFF_MS, "reconnect.backoff.ms", KW_CT_DURATION, "50", 0, KW__I64MAX, NULL,        \
      KW_ROLE_ANY, "first wait before reconnecting to a broker (doubles per failure, +-20%)")       \
    X(RECONNECT_BACKOFF_MAX_MS, "reconnect.backoff.max.ms", KW_CT_DURATION, "1000", 0, KW__I64MAX,    \
      NULL, KW_ROLE_ANY, "longest wait before reconnecting")                                        \
    X(SEND_BUFFER_BYTES, "send.buffer.bytes", KW_CT_INT, "131072", -1, KW__I32MAX, NULL, KW_ROLE_ANY, \
      "SO_SNDBUF; -1 leaves the OS default")                                                        \
    X(RECEIVE_BUFFER_BYTES, "receive.buffer.bytes", KW_CT_INT, "32768", -1, KW__I32MAX, NULL,         \
      KW_ROLE_ANY, "SO_RCVBUF; -1 leaves the OS default (consumer default 65536)")                  \
    X(CONNECTIONS_MAX_IDLE_MS, "connections.max.idle.ms", KW_CT_DURATION, "540000", -1, KW__I64MAX,   \
      NULL, KW_ROLE_ANY, "idle connections are closed after this long; -1 never")                   \
    X(SOCKET_SETUP_TIMEOUT_MS, "socket.connection.setup.timeout.ms", KW_CT_DURATION, "10000", 0,      \
      KW__I64MAX, NULL, KW_ROLE_ANY, "time a TCP connect may take (doubles per failure)")           \
    X(SOCKET_SETUP_TIMEOUT_MAX_MS, "socket.connection.setup.timeout.max.ms", KW_CT_DURATION, "30000", \
      0, KW__I64MAX, NULL, KW_ROLE_ANY, "longest connect timeout")                                  \
    X(FETCH_MIN_BYTES, "fetch.min.bytes", KW_CT_INT, "1", 0, KW__I32MAX, NULL, KW_ROLE_CONSUMER,      \
      "the broker waits for at least this much data")                                               \
    X(FETCH_MAX_BYTES, "fetch.max.bytes", KW_CT_INT, "52428800", 0, KW__I32MAX, NULL,                 \
      KW_ROLE_CONSUMER, "most data one fetch response should hold")                                 \
    X(MAX_PARTITION_FETCH_BYTES, "max.partition.fetch.bytes", KW_CT_INT, "1048576", 0, KW__I32MAX,    \
      NULL, KW_ROLE_CONSUMER, "most data per partition in one fetch")                               \
    X(FETCH_MAX_WAIT_MS, "fetch.max.wait.ms", KW_CT_DURATION, "500", 0, KW__I32MAX, NULL,             \
      KW_ROLE_CONSUMER, "how long the broker may hold a fetch waiting for fetch.min.bytes")         \
    X(MAX_POLL_RECORDS, "max.poll.records", KW_CT_INT, "500", 1, KW__I32MAX, NULL, KW_ROLE_CONSUMER,  \
      "most records one poll returns")                                                              \
    X(MAX_POLL_INTERVAL_MS, "max.poll.interval.ms", KW_CT_DURATION, "300000", 1, KW__I32MAX, NULL,    \
      KW_ROLE_CONSUMER, "longest gap between polls before the member leaves its group")             \
    X(ISOLATION_LEVEL, "isolation.level", KW_CT_ENUM, "read_uncommitted", 0, 0,                       \
      "read_uncommitted|read_committed", KW_ROLE_CONSUMER,                                          \
      "read_committed hides aborted and open transactional records")                                \
    X(CHECK_CRCS, "check.crcs", KW_CT_BOOL, "true", 0, 0, NULL, KW_ROLE_CONSUMER,                     \
      "verify the CRC-32C of every fetched record batch")                                           \
    X(AUTO_OFFSET_RESET, "auto.offset.reset", KW_CT_ENUM, "latest", 0, 0, "latest|earliest|none",     \
      KW_ROLE_CONSUMER, "where to start without a committed offset")                                \
    X(ENABLE_AUTO_COMMIT, "enable.auto.commit", KW_CT_BOOL, "true", 0, 0, NULL, KW_ROLE_CONSUMER,     \
      "commit consumed offsets periodically (needs group.id)")                                      \
    X(AUTO_COMMIT_INTERVAL_MS, "auto.commit.interval.ms", KW_CT_DURATION, "5000", 0, KW__I32MAX, NULL,\
      KW_ROLE_CONSUMER, "how often offsets are auto-committed")                                     \
    X(GROUP_ID, "group.id", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_CONSUMER,                         \
      "consumer group; unset = no group (no commits)")                                              \
    X(DEFAULT_API_TIMEOUT_MS, "default.api.timeout.ms", KW_CT_DURATION, "60000", 0, KW__I32MAX, NULL,     \
      KW_ROLE_CONSUMER, "how long a blocking call (start offsets, committed offsets, lag) retries")   \
    X(SESSION_TIMEOUT_MS, "session.timeout.ms", KW_CT_DURATION, "45000", 0, KW__I32MAX, NULL,         \
      KW_ROLE_CONSUMER, "group session timeout")                                                    \
    X(HEARTBEAT_INTERVAL_MS, "heartbeat.interval.ms", KW_CT_DURATION, "3000", 0, KW__I32MAX, NULL,    \
      KW_ROLE_CONSUMER, "group heartbeat interval (below session.timeout.ms)")                      \
    X(GROUP_PROTOCOL, "group.protocol", KW_CT_ENUM, "classic", 0, 0, "classic|consumer", KW_ROLE_CONSUMER, \
      "group membership: classic (JoinGroup/SyncGroup) or consumer (KIP-848 heartbeats)")          \
    X(GROUP_INSTANCE_ID, "group.instance.id", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_CONSUMER,       \
      "static membership: a restart within the session timeout keeps the assignment")              \
    X(PARTITION_ASSIGNMENT_STRATEGY, "partition.assignment.strategy", KW_CT_LIST,                    \
      "range,cooperative-sticky", 0, 0, NULL, KW_ROLE_CONSUMER,                                    \
      "classic assignors, preferred first: range, roundrobin, cooperative-sticky")                 \
    X(GROUP_REMOTE_ASSIGNOR, "group.remote.assignor", KW_CT_STRING, NULL, 0, 0, NULL,                 \
      KW_ROLE_CONSUMER, "consumer protocol: the broker-side assignor (uniform, range); unset: the broker's") \
    X(CLIENT_RACK, "client.rack", KW_CT_STRING, "", 0, 0, NULL, KW_ROLE_CONSUMER,                     \
      "the consumer's rack, sent to the group")                                                     \
    X(DECOMPRESS_MAX_BYTES, "kwire.decompress.max.bytes", KW_CT_LONG, "67108864", 1, KW__I64MAX,      \
      NULL, KW_ROLE_ANY, "cap on one batch's decompressed size (decompression-bomb guard)")         \
    X(MAX_RESPONSE_BYTES, "kwire.max.response.bytes", KW_CT_INT, "104857600", 8, KW__I32MAX, NULL,    \
      KW_ROLE_ANY, "largest response frame accepted; a bigger one drops the connection")              \
    X(SECURITY_PROTOCOL, "security.protocol", KW_CT_ENUM, "PLAINTEXT", 0, 0,                          \
      "PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL", KW_ROLE_ANY,                                          \
      "SSL: TLS; SASL_PLAINTEXT: SASL authentication; SASL_SSL: both; PLAINTEXT: neither")           \
    X(SSL_CA_LOCATION, "ssl.ca.location", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_ANY,                \
      "CA certificate(s) that signed the brokers: a PEM file or a hashed directory; unset: system CAs") \
    X(SSL_CERTIFICATE_LOCATION, "ssl.certificate.location", KW_CT_STRING, NULL, 0, 0, NULL,           \
      KW_ROLE_ANY, "client certificate (PEM) for brokers that ask for one")                          \
    X(SSL_KEY_LOCATION, "ssl.key.location", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_ANY,              \
      "the client certificate's private key (PEM); unset: read from ssl.certificate.location")       \
    X(SSL_KEY_PASSWORD, "ssl.key.password", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_ANY,              \
      "password of an encrypted ssl.key.location (never printed)")                                   \
    X(SSL_ENDPOINT_IDENTIFICATION_ALGORITHM, "ssl.endpoint.identification.algorithm", KW_CT_ENUM,     \
      "https", 0, 0, "https|none", KW_ROLE_ANY,                                                      \
      "https: the broker's certificate must name the host connected to; none (or empty): no check")  \
    X(ENABLE_SSL_CERTIFICATE_VERIFICATION, "enable.ssl.certificate.verification", KW_CT_BOOL, "true", \
      0, 0, NULL, KW_ROLE_ANY, "verify the broker's certificate chain (false accepts any certificate)") \
    X(SASL_MECHANISM, "sasl.mechanism", KW_CT_ENUM, "GSSAPI", 0, 0,                                   \
      "GSSAPI|PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER", KW_ROLE_ANY,                            \
      "SASL mechanism with SASL_*; kwire speaks all but GSSAPI (Kafka's default)")                   \
    X(SASL_USERNAME, "sasl.username", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_ANY,                    \
      "user for PLAIN and SCRAM (or from sasl.jaas.config)")                                         \
    X(SASL_PASSWORD, "sasl.password", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_ANY,                    \
      "password for PLAIN and SCRAM (never printed)")                                                \
    X(SASL_JAAS_CONFIG, "sasl.jaas.config", KW_CT_STRING, NULL, 0, 0, NULL, KW_ROLE_ANY,              \
      "Java clients' JAAS line: username, password, unsecuredLogin* options are read from it")       \
    X(SASL_OAUTHBEARER_CONFIG, "sasl.oauthbearer.config", KW_CT_STRING, NULL, 0, 0, NULL,             \
      KW_ROLE_ANY, "unsecured JWT: principal=NAME [scope=a,b] [lifeSeconds=N] [principalClaimName=sub]" \
      " [scopeClaimName=scope] [extension_KEY=VALUE ...]")                                          \
    X(SASL_OAUTHBEARER_TOKEN_FILE, "kwire.sasl.oauthbearer.token.file", KW_CT_STRING, NULL, 0, 0,     \
      NULL, KW_ROLE_ANY, "file holding the OAUTHBEARER token (a JWT); read again before it expires")  \
    X(SASL_OAUTHBEARER_TOKEN_COMMAND, "kwire.sasl.oauthbearer.token.command", KW_CT_STRING, NULL, 0,  \
      0, NULL, KW_ROLE_ANY, "command printing the OAUTHBEARER token on stdout; run again before it expires")

typedef enum kw_conf_id {
#define KW__CONF_ENUM(id, name, type, def, lo, hi, vals, roles, doc) KW_CONF_##id,
    KW_CONF_MAP(KW__CONF_ENUM)
#undef KW__CONF_ENUM
    KW_CONF__COUNT
} kw_conf_id;

typedef struct kw_conf_desc {
    const char *name;
    kw_conf_type type;
    const char *def; /* default as text; NULL = unset */
    int64_t min, max;
    const char *values; /* ENUM: "a|b|c" */
    int roles;
    const char *doc;
} kw_conf_desc;

typedef struct kw_config kw_config;

/* A config with every setting at its default for the role (KW_ROLE_PRODUCER,
 * KW_ROLE_CONSUMER or KW_ROLE_ANY). NULL when out of memory. */
KW_API kw_config *kw_config_new(int role);
KW_API void kw_config_free(kw_config *c);
KW_API kw_config *kw_config_dup(const kw_config *c);

/* Set a setting by name from text. Names are Kafka's; "partitioner.class" is accepted for
 * "partitioner" (kwire names or Kafka's class names of the same partitioners). */
KW_API int kw_config_set(kw_config *c, const char *name, const char *value);
/* "name=value" (as given to -X); spaces around name and value are trimmed. */
KW_API int kw_config_set_kv(kw_config *c, const char *kv);
/* Properties text: name=value lines (also name: value), # and ! comments, blank lines.
 * Errors name the line: "FILE:3: linger.ms: ...". */
KW_API int kw_config_load_text(kw_config *c, const char *text, size_t len, const char *origin);
KW_API int kw_config_load_file(kw_config *c, const char *path);
/* Cross-setting rules, as Kafka applies them (see config.c). Call once after setting. */
KW_API int kw_config_validate(kw_config *c);

/* The message for the last KW_ERR_CONFIG (or ""). */
KW_API const char *kw_config_error(const kw_config *c);

/* Typed getters; an id of the wrong type is a programming error (returns 0 / NULL). */
KW_API int64_t kw_config_int(const kw_config *c, kw_conf_id id);     /* INT, LONG, DURATION */
KW_API int kw_config_bool(const kw_config *c, kw_conf_id id);
KW_API int kw_config_enum(const kw_config *c, kw_conf_id id);        /* index into its values */
KW_API const char *kw_config_str(const kw_config *c, kw_conf_id id); /* STRING/LIST/ENUM text, or NULL if unset */
/* 1 for a setting whose value is a secret (passwords, a JAAS line): printed redacted. */
KW_API int kw_config_secret(kw_conf_id id);
/* 1 if the setting was given explicitly (not a default). */
KW_API int kw_config_is_set(const kw_config *c, kw_conf_id id);
/* acks as the wire value: -1, 0 or 1. */
KW_API int kw_config_acks(const kw_config *c);

/* Setting id for a name (aliases included), or KW_ERR_NOT_FOUND. */
KW_API int kw_config_lookup(const char *name);
KW_API const kw_conf_desc *kw_config_desc(kw_conf_id id);
/* Closest known name to a misspelt one, or NULL if none is close. */
KW_API const char *kw_config_suggest(const char *name);
/* The value as text ("<unset>" for an unset string, "<redacted, N chars>" for a set
 * secret) into buf; returns buf. */
KW_API const char *kw_config_format(const kw_config *c, kw_conf_id id, char *buf, size_t len);
/* Print every setting for the role: name = value  # doc. */
KW_API void kw_config_dump(const kw_config *c, FILE *out, int role);

#ifdef __cplusplus
}
#endif

#endif
