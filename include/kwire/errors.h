/*
 * kwire/errors.h — libkwire's error codes, version and export macro.
 *
 * Conventions of every libkwire call:
 *   - public names start with kw_ (internal ones, not exported, with kw__);
 *   - functions that can fail return int: 0 on success, a negative KW_ERR_* for a
 *     local failure, or a positive Kafka error code (KW_KAFKA_*, kwire/kafka_errors.h)
 *     passed through from a broker;
 *   - kw_strerror() and kw_err_name() describe any of those values.
 *
 * Example:
 *
 *     int err = kw_producer_send(p, &rec);
 *     if (err)
 *         fprintf(stderr, "send: %s (%s)%s\n", kw_strerror(err), kw_err_name(err),
 *                 kw_err_retriable(err) ? ", retriable" : "");
 */
#ifndef KWIRE_ERRORS_H
#define KWIRE_ERRORS_H

#include "kwire/kafka_errors.h"

/* Marks the functions libkwire.so exports (built with -fvisibility=hidden). */
#if defined(__GNUC__) || defined(__clang__)
#define KW_API __attribute__((visibility("default")))
#else
#define KW_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define KW_VERSION_STRING "0.1.0" /* also the shared library's version (soname libkwire.so.0) */

/* Local error codes: X(name, value, text). Values are negative and stable. */
#define KW_ERR_MAP(X)                                                              \
    X(TRUNCATED, -1, "input ends before the structure it announces")                \
    X(CRC, -2, "checksum mismatch")                                                 \
    X(CORRUPT, -3, "malformed input")                                               \
    X(TOO_LARGE, -4, "size exceeds a limit")                                        \
    X(UNSUPPORTED, -5, "unsupported feature, version or codec")                     \
    X(NOMEM, -6, "out of memory")                                                   \
    X(INVALID_ARG, -7, "invalid argument")                                          \
    X(VARINT, -8, "overlong or overflowing varint")                                 \
    X(INCOMPLETE, -9, "partial record batch at the end of the data")                \
    X(COMPRESS, -10, "compression failed")                                          \
    X(DECOMPRESS, -11, "decompression failed: corrupt compressed data")             \
    X(IO, -12, "I/O error")                                                         \
    X(TIMEOUT, -13, "timed out")                                                    \
    X(CONNECT, -14, "could not connect")                                            \
    X(DISCONNECTED, -15, "connection closed by peer")                               \
    X(CORRELATION, -16, "response with an unknown correlation id")                  \
    X(CONFIG, -17, "invalid setting")                                               \
    X(UNKNOWN_API, -18, "unknown API key")                                          \
    X(VERSION, -19, "no API version supported by both sides")                       \
    X(NOT_FOUND, -20, "not found")                                                  \
    X(QUEUE_FULL, -21, "buffer.memory exhausted and max.block.ms elapsed")          \
    X(MSG_TIMED_OUT, -22, "delivery.timeout.ms elapsed before the record was acknowledged") \
    X(RESOLVE, -23, "could not resolve host name")                                  \
    X(STATE, -24, "operation not valid in the current state")                       \
    X(DESTROYED, -25, "the client was closed before the operation completed")       \
    X(BOMB, -26, "decompressed data exceeds the decompression cap")                 \
    X(TLS, -27, "TLS handshake or record failure")                                  \
    X(AUTH, -28, "SASL authentication failed")

enum {
#define KW__ERR_ENUM(name, value, text) KW_ERR_##name = (value),
    KW_ERR_MAP(KW__ERR_ENUM)
#undef KW__ERR_ENUM
    KW_OK = 0
};

/* Text for a local (negative) or Kafka (positive) error code, or 0. Never NULL. */
KW_API const char *kw_strerror(int err);
/* Symbolic name: "KW_ERR_CRC", or Kafka's "NOT_LEADER_OR_FOLLOWER". Never NULL. */
KW_API const char *kw_err_name(int err);
/* 1 if err is a Kafka error code that Kafka marks retriable, else 0. */
KW_API int kw_err_retriable(int err);

#ifdef __cplusplus
}
#endif

#endif
