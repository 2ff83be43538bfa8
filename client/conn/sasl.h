/*
 * client/conn/sasl.h — the SASL mechanisms kwire speaks, as pure builders and parsers:
 * bytes in, bytes out, no socket and no clock (time is passed in).
 *
 *   PLAIN        (RFC 4616)  one message: authzid NUL authcid NUL password
 *   SCRAM-SHA-*  (RFC 5802, RFC 7677 for SHA-256; SHA-512 the same with SHA-512)
 *                client-first, server-first parsed and checked, client-final with the
 *                proof, server-final's signature verified; PBKDF2-HMAC, HMAC and the
 *                digests come from OpenSSL's libcrypto, the nonce from RAND_bytes
 *   OAUTHBEARER  (RFC 7628)  the client's initial response with a bearer token and
 *                extensions; the unsecured JWT (alg "none") of Kafka's test setups;
 *                reading a JWT's exp/iat claims to know when it must be refreshed
 *
 * Kafka does no SASLprep (its Java client sends the UTF-8 bytes as given); nor does
 * kwire. Usernames are escaped as RFC 5802's saslname (',' -> "=2C", '=' -> "=3D").
 *
 * Secrets (password, salted password, keys, proof) are wiped (OPENSSL_cleanse) when a
 * kw_scram is freed.
 */
#ifndef KW_CLIENT_SASL_H
#define KW_CLIENT_SASL_H

#include <stddef.h>
#include <stdint.h>

#include "codec/buf.h"
#include "kwire.h"

/* ---- mechanisms by name ---- */
typedef enum kw_sasl_mech {
    KW_SASL_NONE = -1,
    KW_SASL_PLAIN = 0,
    KW_SASL_SCRAM_SHA_256,
    KW_SASL_SCRAM_SHA_512,
    KW_SASL_OAUTHBEARER
} kw_sasl_mech;

/* "PLAIN", "SCRAM-SHA-256", ...; NULL for another value. */
const char *kw_sasl_mech_name(int mech);
/* Case-sensitive as Kafka's mechanism names; KW_SASL_NONE when not one kwire speaks. */
int kw_sasl_mech_parse(const char *name);

/* ---- base64 (RFC 4648) ---- */
/* Append the encoding of p[0..n) to out: standard alphabet with padding, or url-safe
 * without padding (JWT). */
void kw_sasl_b64_encode(kw_buf *out, const void *p, size_t n, int url);
/* Decode strictly (standard alphabet, padding required; url: url-safe alphabet, no
 * padding). 0 or KW_ERR_CORRUPT (out then holds an unspecified prefix). */
int kw_sasl_b64_decode(kw_buf *out, const char *s, size_t n, int url);

/* ---- PLAIN ---- */
/* authzid (may be NULL or "") NUL user NUL password. 0 or KW_ERR_INVALID_ARG (a NUL in a
 * name would change the message's meaning). */
int kw_sasl_plain(kw_buf *out, const char *authzid, const char *user, const char *password);

/* ---- SCRAM ---- */
typedef enum kw_scram_hash { KW_SCRAM_SHA1, KW_SCRAM_SHA256, KW_SCRAM_SHA512 } kw_scram_hash;

#define KW_SCRAM_NONCE_BYTES 24          /* random bytes of a client nonce (32 base64 chars) */
#define KW_SCRAM_MIN_ITERATIONS 4096     /* as Kafka's client: fewer is refused */
#define KW_SCRAM_MAX_ITERATIONS 1000000  /* bound the PBKDF2 work a server can ask for */
#define KW_SCRAM_MAX_SALT 1024           /* decoded salt bytes */

typedef struct kw_scram {
    int hash;                /* kw_scram_hash */
    size_t hlen;             /* digest length */
    char *user, *password;   /* user already escaped as a saslname */
    char nonce[128];         /* client nonce (printable, no ',') */
    kw_buf first_bare;       /* client-first-message-bare */
    kw_buf auth_message;     /* client-first-bare "," server-first "," client-final-without-proof */
    uint8_t salted[64], server_sig[64];
    int32_t iterations;
    int step;                /* 0 nothing sent, 1 client-first sent, 2 client-final sent, 3 verified */
    char err[200];
} kw_scram;

/* Start an exchange. nonce NULL: KW_SCRAM_NONCE_BYTES from RAND_bytes, base64 (tests
 * give the RFC's). 0, KW_ERR_INVALID_ARG (bad hash, empty user, a nonce with ',' or
 * non-printable characters), KW_ERR_NOMEM or KW_ERR_IO (no randomness). */
int kw_scram_init(kw_scram *s, int hash, const char *user, const char *password, const char *nonce);
void kw_scram_free(kw_scram *s);
/* client-first-message: "n,,n=<user>,r=<nonce>". */
int kw_scram_client_first(kw_scram *s, kw_buf *out);
/* Parse server-first-message (r=<nonce>,s=<salt>,i=<n>[,ext]) and append the
 * client-final-message with the proof. 0, or KW_ERR_CORRUPT (malformed, a nonce that does
 * not extend ours, iterations out of [MIN, MAX], a mandatory extension) / KW_ERR_AUTH
 * (the server sent e=<error>) with kw_scram_error() saying which. */
int kw_scram_client_final(kw_scram *s, const uint8_t *server_first, size_t len, kw_buf *out);
/* Check server-final-message: v=<signature> must equal ours. 0, KW_ERR_AUTH (wrong
 * signature: the server does not know the password; or e=<error>) or KW_ERR_CORRUPT. */
int kw_scram_server_final(kw_scram *s, const uint8_t *server_final, size_t len);
const char *kw_scram_error(const kw_scram *s);

/* Append name escaped as an RFC 5802 saslname (',' -> "=2C", '=' -> "=3D"). */
void kw_scram_saslname(kw_buf *out, const char *name);

/* ---- OAUTHBEARER ---- */
/* RFC 7628 client initial response: "n,," ^A "auth=Bearer <token>" ^A [key=value ^A]* ^A.
 * extensions: "key=value" pairs separated by ',' (NULL or "" for none); keys are
 * letters only and not "auth", values printable ASCII. 0 or KW_ERR_INVALID_ARG with err
 * saying what was wrong. */
int kw_oauth_initial(kw_buf *out, const char *token, size_t token_len, const char *extensions, char *err,
                     size_t errlen);

/* The unsecured JWT Kafka's test setups accept (OAuthBearerUnsecuredJws): header
 * {"alg":"none"}, claims {"iat":now,"exp":now+life,"<principal_claim>":principal[,
 * "<scope_claim>":[scopes...]]}, empty signature: base64url(h) "." base64url(c) ".".
 * scope: space- or comma-separated names, or NULL. Times in seconds. */
typedef struct kw_jwt_unsecured {
    const char *principal;        /* required */
    const char *principal_claim;  /* NULL: "sub" */
    const char *scope;            /* NULL: no scope claim */
    const char *scope_claim;      /* NULL: "scope" */
    int64_t life_s;               /* <= 0: 3600 */
} kw_jwt_unsecured;
int kw_jwt_unsecured_build(kw_buf *out, const kw_jwt_unsecured *j, int64_t now_s);

/* Claims of a compact JWT (header.claims.signature) read without checking the
 * signature: the client only needs to know when to refresh it. exp/iat -1 when absent.
 * sub: the principal claim's text (NUL-terminated, cut to fit). 0 or KW_ERR_CORRUPT
 * (not three base64url parts, claims not a JSON object). */
typedef struct kw_jwt_claims {
    int64_t exp_s, iat_s;
    char sub[128];
} kw_jwt_claims;
int kw_jwt_claims_read(const char *token, size_t len, kw_jwt_claims *out);

/* Constant-time comparison of two equal-length byte strings: 1 equal, 0 not. */
int kw__sasl_memeq(const uint8_t *a, const uint8_t *b, size_t n);

#endif
