/*
 * client/conn/auth.h — Kafka's SASL exchange on one connection, as pure code: which request
 * to send next (SaslHandshake, then SaslAuthenticate rounds), what each response means,
 * and when it is done. client/conn runs it after ApiVersions, and again before the
 * session the broker granted ends (KIP-368 re-authentication).
 *
 *   SaslHandshake v1 (mechanism)     -> error_code, the listener's enabled mechanisms
 *   SaslAuthenticate (auth_bytes)    -> error_code, error_message, auth_bytes,
 *                                       session_lifetime_ms (v1+)
 *     PLAIN        1 round: "\0user\0password" -> empty
 *     SCRAM-SHA-*  2 rounds: client-first -> server-first; client-final -> server-final
 *                  (the server's signature is verified before the session counts)
 *     OAUTHBEARER  1 round: initial response -> empty; a failed token is answered with
 *                  a JSON error, which the client acknowledges with a single 0x01 so the
 *                  broker can finish with SASL_AUTHENTICATION_FAILED (RFC 7628 3.2.3)
 *
 * Failures are fatal for the connection's broker (retrying the same credentials only
 * repeats them) and leave one line in kw_auth.err:
 *   UNSUPPORTED_SASL_MECHANISM (33)   the listener does not enable the mechanism (and
 *                                     which ones it enables)
 *   ILLEGAL_SASL_STATE (34)           a SASL request the listener did not expect (a
 *                                     PLAINTEXT/SSL listener, or out of order)
 *   SASL_AUTHENTICATION_FAILED (58)   wrong password or unknown user (the broker's text)
 *   a server message that does not parse, a SCRAM signature that does not verify, a
 *   token that cannot be had.
 */
#ifndef KW_CLIENT_AUTH_H
#define KW_CLIENT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "client/conn/sasl.h"
#include "codec/buf.h"

/* Where an OAUTHBEARER token comes from: fills out with the token (a compact JWT) for
 * this authentication; 0, or an error with err set. now_us is the caller's monotonic
 * clock. See client/conn/sasl_conf.h for kwire's sources (file, command, unsecured JWT). */
typedef int (*kw_token_fn)(void *ud, int64_t now_us, kw_buf *out, char *err, size_t errlen);

/* A mechanism and its credentials (settings: sasl.mechanism, sasl.username, ...). */
typedef struct kw_sasl_conf {
    int mech;                 /* kw_sasl_mech */
    const char *username;     /* PLAIN, SCRAM */
    const char *password;
    kw_token_fn token;        /* OAUTHBEARER */
    void *token_ud;
    const char *extensions;   /* OAUTHBEARER extensions "k=v,k2=v2", or NULL */
} kw_sasl_conf;

enum { KW_AUTH_MORE = 1, KW_AUTH_DONE = 2 };

typedef struct kw_auth {
    const kw_sasl_conf *conf;
    int step;                 /* handshake next/sent, authenticate next/sent, done, failed */
    int16_t au_version;       /* SaslAuthenticate version to send */
    kw_buf msg;               /* the client message of the next SaslAuthenticate */
    kw_scram scram;
    int scram_live;
    int rounds;
    int oauth_failed;         /* the server answered the token with a JSON error */
    int64_t session_lifetime_ms;
    int kafka_err;            /* the broker's error code that ended it, 0 */
    char err[400];
} kw_auth;

/* Start an exchange: SaslHandshake v1 comes next; SaslAuthenticate at au_version
 * (0..2, the highest both sides support). Frees what a previous exchange held. 0, or
 * KW_ERR_INVALID_ARG. */
int kw_auth_start(kw_auth *a, const kw_sasl_conf *c, int16_t au_version);
void kw_auth_free(kw_auth *a);

/* The next request's API key (KW_API_SaslHandshake or KW_API_SaslAuthenticate) and
 * version; -1 when nothing is to be sent. */
int kw_auth_next_api(const kw_auth *a, int16_t *version);
/* Encode the next request's body at version (the API of kw_auth_next_api). now_us: for
 * the OAUTHBEARER token source. 0 or an error (KW_ERR_AUTH with err when the mechanism
 * cannot produce its message, e.g. no token). */
int kw_auth_encode(kw_auth *a, int64_t now_us, int16_t version, kw_buf *out);
/* The request was encoded and will be sent: the exchange waits for its response. */
void kw_auth_sent(kw_auth *a);
/* A response body for the request sent (api, version): KW_AUTH_MORE (a SaslAuthenticate
 * follows), KW_AUTH_DONE (authenticated; session_lifetime_ms set), or KW_ERR_AUTH /
 * KW_ERR_CORRUPT with err. */
int kw_auth_response(kw_auth *a, int api_key, int16_t version, const uint8_t *body, size_t len);

#endif
