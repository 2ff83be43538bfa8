/*
 * tests/tls_util.h — what the TLS tests share: certificates made at test time with
 * libcrypto (EC P-256 keys, a CA, leaf certificates with subjectAltNames, validity in
 * the past or the future) written as PEM into a temporary directory, and an OpenSSL
 * server over memory BIOs that a client's ciphertext is pumped to and from.
 * Header-only (static functions); a test includes it once.
 */
#ifndef KW_TESTS_TLS_UTIL_H
#define KW_TESTS_TLS_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* ---- certificates ---- */

typedef struct tu_cert {
    EVP_PKEY *key;
    X509 *x;
} tu_cert;

static long tu_serial = 1;

static inline int tu_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v;
    X509V3_set_ctx(&v, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v, nid, value);
    if (!e) return -1;
    int ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

/* A certificate for cn (signed by issuer, or self-signed when issuer is NULL), valid
 * from now+from_s to now+to_s; san like "DNS:localhost,IP:127.0.0.1" or NULL. */
static inline tu_cert tu_make(const char *cn, const tu_cert *issuer, int ca, const char *san, long from_s, long to_s)
{
    tu_cert c = {EVP_EC_gen("P-256"), X509_new()};
    if (!c.key || !c.x) abort();
    X509_set_version(c.x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c.x), tu_serial++);
    X509_gmtime_adj(X509_getm_notBefore(c.x), from_s);
    X509_gmtime_adj(X509_getm_notAfter(c.x), to_s);
    X509_set_pubkey(c.x, c.key);
    X509_NAME *n = X509_get_subject_name(c.x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(c.x, issuer ? X509_get_subject_name(issuer->x) : n);
    X509 *ix = issuer ? issuer->x : c.x;
    if (tu_ext(c.x, ix, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE") ||
        tu_ext(c.x, ix, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") ||
        tu_ext(c.x, ix, NID_subject_key_identifier, "hash") ||
        (issuer && tu_ext(c.x, ix, NID_authority_key_identifier, "keyid")) ||
        (san && tu_ext(c.x, ix, NID_subject_alt_name, san)))
        abort();
    if (!X509_sign(c.x, issuer ? issuer->key : c.key, EVP_sha256())) abort();
    return c;
}

static inline void tu_free(tu_cert *c)
{
    EVP_PKEY_free(c->key);
    X509_free(c->x);
    c->key = NULL;
    c->x = NULL;
}

/* dir/name as a path in buf. */
static inline const char *tu_path(char *buf, size_t cap, const char *dir, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
    return buf;
}

static inline void tu_write_cert(const char *path, const tu_cert *c, const tu_cert *chain_extra)
{
    FILE *f = fopen(path, "w");
    if (!f || !PEM_write_X509(f, c->x) || (chain_extra && !PEM_write_X509(f, chain_extra->x))) abort();
    fclose(f);
}

/* The key as PEM, encrypted with AES-256-CBC when password is not NULL. */
static inline void tu_write_key(const char *path, const tu_cert *c, const char *password)
{
    FILE *f = fopen(path, "w");
    if (!f) abort();
    int ok = password ? PEM_write_PKCS8PrivateKey(f, c->key, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)password)
                      : PEM_write_PrivateKey(f, c->key, NULL, NULL, 0, NULL, NULL);
    if (!ok) abort();
    fclose(f);
}

/* A fresh temporary directory into buf. */
static inline const char *tu_tmpdir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/kwire-tls-XXXXXX");
    if (!mkdtemp(buf)) abort();
    return buf;
}

/* Remove the files named and the directory. */
static inline void tu_rmdir(const char *dir, const char *const *names, int n)
{
    char p[512];
    for (int i = 0; i < n; i++) unlink(tu_path(p, sizeof p, dir, names[i]));
    rmdir(dir);
}

/* ---- an OpenSSL server over memory BIOs ---- */

typedef struct tu_server {
    SSL_CTX *ctx;
    SSL *ssl;
    int done, failed;
} tu_server;

/* A server context with cert (+ its issuer in the chain when given); min/max
 * version 0 = OpenSSL's defaults. client_ca: require a client certificate signed by it. */
static inline SSL_CTX *tu_server_ctx(const tu_cert *cert, const tu_cert *chain, int min_version, int max_version,
                              const tu_cert *client_ca)
{
    SSL_CTX *s = SSL_CTX_new(TLS_server_method());
    if (!s || SSL_CTX_use_certificate(s, cert->x) != 1 || SSL_CTX_use_PrivateKey(s, cert->key) != 1) abort();
    if (chain) {
        X509_up_ref(chain->x);
        if (SSL_CTX_add_extra_chain_cert(s, chain->x) != 1) abort();
    }
    if (min_version) SSL_CTX_set_min_proto_version(s, min_version);
    if (max_version) SSL_CTX_set_max_proto_version(s, max_version);
    if (client_ca) {
        X509_STORE_add_cert(SSL_CTX_get_cert_store(s), client_ca->x);
        SSL_CTX_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    SSL_CTX_set_session_id_context(s, (const unsigned char *)"kwire-test", 10);
    return s;
}

static inline void tu_server_start(tu_server *sv, SSL_CTX *ctx)
{
    memset(sv, 0, sizeof *sv);
    sv->ctx = ctx;
    sv->ssl = SSL_new(ctx);
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    if (!sv->ssl || !rb || !wb) abort();
    BIO_set_mem_eof_return(rb, -1);
    BIO_set_mem_eof_return(wb, -1);
    SSL_set_bio(sv->ssl, rb, wb);
    SSL_set_accept_state(sv->ssl);
}

static inline void tu_server_stop(tu_server *sv)
{
    SSL_set_shutdown(sv->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(sv->ssl);
    sv->ssl = NULL;
}

/* Ciphertext from the client into the server. */
static inline void tu_server_in(tu_server *sv, const uint8_t *p, size_t n)
{
    if (n && BIO_write(SSL_get_rbio(sv->ssl), p, (int)n) != (int)n) abort();
}

/* Ciphertext the server wants sent, appended to out (a malloc'd buffer grown as needed). */
static inline size_t tu_server_out(tu_server *sv, uint8_t **out, size_t *cap)
{
    BIO *wb = SSL_get_wbio(sv->ssl);
    size_t n = BIO_ctrl_pending(wb);
    if (n > *cap) {
        *out = realloc(*out, n);
        if (!*out) abort();
        *cap = n;
    }
    if (n && BIO_read(wb, *out, (int)n) != (int)n) abort();
    return n;
}

/* Advance the server's handshake (records a failure). */
static inline void tu_server_step(tu_server *sv)
{
    if (sv->done || sv->failed) return;
    ERR_clear_error();
    int r = SSL_do_handshake(sv->ssl);
    if (r == 1) {
        sv->done = 1;
        return;
    }
    int e = SSL_get_error(sv->ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) sv->failed = 1;
}

#endif
