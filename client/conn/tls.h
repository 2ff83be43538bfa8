/*
 * client/conn/tls.h — TLS for one broker connection through OpenSSL, driven by memory BIOs:
 * sans-I/O like client/conn. The connection hands it the ciphertext the socket read
 * (kw_tls_feed), takes the plaintext out (kw_tls_read), gives it plaintext to send
 * (kw_tls_write) and takes the ciphertext to write (kw_tls_pending / kw_tls_consumed).
 * No socket, no clock: a test can run a whole handshake against an in-process server.
 *
 * A kw_tls_ctx holds the settings every connection shares (an SSL_CTX: CA, client
 * certificate and key, verification); a kw_tls is one broker's TLS state. It lives as
 * long as the broker's connection object, across reconnects: kw_tls_start begins a
 * session on a new socket, kw_tls_stop ends it, and the last session the broker gave
 * (TLS 1.2 session id or TLS 1.3 ticket) is offered again on the next start (session
 * resumption: an abbreviated handshake).
 *
 * TLS 1.2 and 1.3. The host name is sent as SNI (not for an IP address, RFC 6066) and,
 * with verify_host, checked against the certificate's subjectAltName (DNS or IP
 * entries; OpenSSL's X509_check_host rules, no partial wildcards).
 *
 * Failures return KW_ERR_TLS and leave one line in kw_tls_error() saying what was wrong
 * in the user's terms: an expired certificate (and when it expired), a certificate for
 * another host (and which names it has), a CA that did not sign it, a peer that answers
 * in plaintext, an alert the broker sent.
 */
#ifndef KW_CLIENT_TLS_H
#define KW_CLIENT_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "kwire.h"

typedef struct kw_tls_opts {
    const char *ca_location;   /* PEM file, or a directory of hashed PEM files; NULL: system CAs */
    const char *cert_location; /* client certificate (chain) in PEM, or NULL */
    const char *key_location;  /* its private key in PEM; NULL: read from cert_location's file */
    const char *key_password;  /* for an encrypted key, or NULL */
    int verify_peer;           /* enable.ssl.certificate.verification */
    int verify_host;           /* ssl.endpoint.identification.algorithm=https */
} kw_tls_opts;

typedef struct kw_tls_ctx kw_tls_ctx;
typedef struct kw_tls kw_tls;

/* The shared context. NULL with err saying which setting and why (unreadable file, no
 * certificate in it, wrong key password, key not matching the certificate). */
kw_tls_ctx *kw_tls_ctx_new(const kw_tls_opts *o, char *err, size_t errlen);
/* Drop the creator's reference (connections keep theirs). NULL is fine. */
void kw_tls_ctx_free(kw_tls_ctx *c);

/* One broker's TLS state for host (SNI and the hostname check). NULL when out of memory. */
kw_tls *kw_tls_new(kw_tls_ctx *c, const char *host);
void kw_tls_free(kw_tls *t);

/* A new socket: a fresh TLS session (resuming the last one when there is one); the
 * ClientHello is then pending. 0, KW_ERR_NOMEM or KW_ERR_TLS. */
int kw_tls_start(kw_tls *t);
/* The socket is gone: drop the session state and buffers (the resumable session stays). */
void kw_tls_stop(kw_tls *t);

/* Ciphertext the socket read. 0 or KW_ERR_NOMEM. */
int kw_tls_feed(kw_tls *t, const uint8_t *p, size_t len);
/* Advance the handshake over what was fed: 1 done, 0 more bytes needed, KW_ERR_TLS. */
int kw_tls_handshake(kw_tls *t);
int kw_tls_handshake_done(const kw_tls *t);
/* Plaintext out: up to cap bytes into buf, *n of them (0: nothing decrypted yet). 0,
 * KW_ERR_DISCONNECTED (the peer closed the TLS session: close_notify) or KW_ERR_TLS. */
int kw_tls_read(kw_tls *t, uint8_t *buf, size_t cap, size_t *n);
/* Plaintext in: encrypted into records at once (memory BIOs never block). 0 or KW_ERR_TLS. */
int kw_tls_write(kw_tls *t, const uint8_t *p, size_t len);
/* Ciphertext waiting to be written (NULL/0 when none), and how much of it was written. */
const uint8_t *kw_tls_pending(kw_tls *t, size_t *len);
void kw_tls_consumed(kw_tls *t, size_t n);

/* The peer closed the socket before the handshake finished: set the error to what that
 * most likely means and return KW_ERR_TLS. */
int kw_tls_eof_in_handshake(kw_tls *t);

/* After the handshake: "TLSv1.3", the cipher suite, 1 if the session was resumed. */
const char *kw_tls_version(const kw_tls *t);
const char *kw_tls_cipher(const kw_tls *t);
int kw_tls_resumed(const kw_tls *t);
/* 1 when a resumable session is held for the next start; forget it (after a failure). */
int kw_tls_has_session(const kw_tls *t);
void kw_tls_forget_session(kw_tls *t);
/* The last failure ("" if none). */
const char *kw_tls_error(const kw_tls *t);

/* 1 if p looks like the start of a TLS record (content type 20..24, version 3.x). */
int kw_tls_looks_like_record(const uint8_t *p, size_t len);

#endif
