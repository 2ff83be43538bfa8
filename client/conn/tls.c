/*
 * client/conn/tls.c — TLS over OpenSSL memory BIOs (client/conn/tls.h).
 *
 * Each session is an SSL object between two memory BIOs: rbio holds ciphertext fed in
 * from the socket, wbio collects what OpenSSL wants sent; both return "retry" when
 * empty (BIO_set_mem_eof_return -1), so SSL_* calls report WANT_READ instead of EOF.
 * Ciphertext is drained from wbio into a buffer the I/O layer writes from.
 *
 * Verification runs through a callback that records the first failure (error, the
 * certificate's subject, issuer, names and notAfter), so a failed handshake can say
 * "expired on ...", "is for DNS:x, not y" or "issued by ..., which ssl.ca.location does
 * not hold" instead of OpenSSL's "certificate verify failed".
 *
 * Sessions: the context caches nothing itself (SSL_SESS_CACHE_NO_INTERNAL_STORE); the
 * new-session callback hands each session (a TLS 1.3 ticket arrives after the
 * handshake, with the first records read) to the kw_tls that owns the SSL object.
 */
#include "client/conn/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "codec/buf.h"

struct kw_tls_ctx {
    SSL_CTX *ctx;
    int verify_peer, verify_host;
    char *ca_location; /* for messages */
};

struct kw_tls {
    SSL_CTX *ctx;
    int verify_peer, verify_host;
    char *ca_location;
    char *host;
    int host_is_ip;
    SSL *ssl;
    SSL_SESSION *session;  /* to offer on the next start */
    kw_buf out;            /* ciphertext drained from wbio */
    size_t out_off;
    int done;              /* handshake finished */
    size_t received;       /* ciphertext bytes fed since start */
    uint8_t first[5];      /* the first bytes received, to tell TLS from plaintext */
    size_t nfirst;
    /* the first verification failure of this handshake */
    long verr;
    int vdepth;
    char vsubject[128], vissuer[128], vnames[200], vnotafter[40], vnotbefore[40];
    char err[400];
};

static void set_err(kw_tls *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(kw_tls *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, sizeof t->err, fmt, ap);
    va_end(ap);
}

/* OpenSSL's reason for the last error ("certificate verify failed", "tlsv1 alert
 * unknown ca"), or fallback. */
static const char *ossl_reason(const char *fallback)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : fallback;
}

/* ---- context ---- */

static int pw_cb(char *buf, int size, int rwflag, void *ud)
{
    (void)rwflag;
    const char *pw = ud;
    if (!pw) return 0; /* never prompt on a terminal */
    size_t n = strlen(pw);
    if (n > (size_t)size) n = (size_t)size;
    memcpy(buf, pw, n);
    return (int)n;
}

static int new_session(SSL *ssl, SSL_SESSION *sess)
{
    kw_tls *t = SSL_get_app_data(ssl);
    if (!t) return 0;
    if (t->session) SSL_SESSION_free(t->session);
    t->session = sess;
    return 1; /* the reference is ours now */
}

static int ctx_fail(char *err, size_t errlen, SSL_CTX *ctx, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int ctx_fail(char *err, size_t errlen, SSL_CTX *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    SSL_CTX_free(ctx);
    ERR_clear_error();
    return -1;
}

/* A readable regular file (or, with dir_ok, a directory): 0, or -1 with the message. */
static int check_path(const char *setting, const char *path, int dir_ok, int *is_dir, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s: %s", setting, path, strerror(errno));
        return -1;
    }
    if (is_dir) *is_dir = S_ISDIR(st.st_mode);
    if (S_ISDIR(st.st_mode) && !dir_ok) {
        snprintf(err, errlen, "%s: %s is a directory, not a PEM file", setting, path);
        return -1;
    }
    return 0;
}

/* 1 if the PEM file holds an encrypted private key (PKCS#8 or the legacy Proc-Type). */
static int pem_encrypted(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[256];
    int enc = 0;
    for (int i = 0; i < 20000 && !enc && fgets(line, sizeof line, f); i++)
        enc = strstr(line, "BEGIN ENCRYPTED PRIVATE KEY") || strstr(line, "Proc-Type: 4,ENCRYPTED");
    fclose(f);
    return enc;
}

kw_tls_ctx *kw_tls_ctx_new(const kw_tls_opts *o, char *err, size_t errlen)
{
    char scratch[8];
    if (!err || !errlen) { err = scratch; errlen = sizeof scratch; }
    err[0] = 0;
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        snprintf(err, errlen, "TLS: cannot create an OpenSSL context: %s", ossl_reason("out of memory"));
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session);
    if (o->ca_location && *o->ca_location) {
        int is_dir = 0;
        if (check_path("ssl.ca.location", o->ca_location, 1, &is_dir, err, errlen)) {
            SSL_CTX_free(ctx);
            return NULL;
        }
        if (SSL_CTX_load_verify_locations(ctx, is_dir ? NULL : o->ca_location, is_dir ? o->ca_location : NULL) != 1) {
            ctx_fail(err, errlen, ctx, "ssl.ca.location: %s: no PEM certificate could be read (%s)", o->ca_location,
                     ossl_reason("unreadable"));
            return NULL;
        }
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        ctx_fail(err, errlen, ctx, "TLS: cannot load the system's CA certificates (%s); set ssl.ca.location",
                 ossl_reason("unreadable"));
        return NULL;
    }
    const char *cert = o->cert_location && *o->cert_location ? o->cert_location : NULL;
    const char *key = o->key_location && *o->key_location ? o->key_location : cert;
    if (o->key_location && *o->key_location && !cert) {
        ctx_fail(err, errlen, ctx, "ssl.key.location is set but ssl.certificate.location is not: a client key needs "
                                   "its certificate");
        return NULL;
    }
    if (cert) {
        if (check_path("ssl.certificate.location", cert, 0, NULL, err, errlen) ||
            check_path("ssl.key.location", key, 0, NULL, err, errlen)) {
            SSL_CTX_free(ctx);
            return NULL;
        }
        if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
            ctx_fail(err, errlen, ctx, "ssl.certificate.location: %s: no PEM certificate could be read (%s)", cert,
                     ossl_reason("unreadable"));
            return NULL;
        }
        char *pw = o->key_password ? strdup(o->key_password) : NULL;
        if (o->key_password && !pw) {
            ctx_fail(err, errlen, ctx, "TLS: out of memory");
            return NULL;
        }
        SSL_CTX_set_default_passwd_cb(ctx, pw_cb);
        SSL_CTX_set_default_passwd_cb_userdata(ctx, pw);
        int ok = SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1;
        SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
        if (pw) {
            OPENSSL_cleanse(pw, strlen(pw));
            free(pw);
        }
        if (!ok) {
            if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
                ctx_fail(err, errlen, ctx, "ssl.key.location: %s is not the key of the certificate in %s", key, cert);
            else if (pem_encrypted(key))
                ctx_fail(err, errlen, ctx, "ssl.key.location: %s is encrypted and ssl.key.password %s", key,
                         o->key_password ? "does not decrypt it" : "is not set");
            else
                ctx_fail(err, errlen, ctx, "ssl.key.location: %s: no PEM private key could be read (%s)", key,
                         ossl_reason("unreadable"));
            return NULL;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            ctx_fail(err, errlen, ctx, "ssl.key.location: %s is not the key of the certificate in %s", key, cert);
            return NULL;
        }
    }
    kw_tls_ctx *c = calloc(1, sizeof *c);
    char *ca = o->ca_location ? strdup(o->ca_location) : NULL;
    if (!c || (o->ca_location && !ca)) {
        free(c);
        free(ca);
        ctx_fail(err, errlen, ctx, "TLS: out of memory");
        return NULL;
    }
    c->ctx = ctx;
    c->ca_location = ca;
    c->verify_peer = o->verify_peer;
    c->verify_host = o->verify_peer && o->verify_host;
    return c;
}

void kw_tls_ctx_free(kw_tls_ctx *c)
{
    if (!c) return;
    SSL_CTX_free(c->ctx);
    free(c->ca_location);
    free(c);
}

/* ---- one connection ---- */

kw_tls *kw_tls_new(kw_tls_ctx *c, const char *host)
{
    kw_tls *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->host = strdup(host ? host : "");
    t->ca_location = c->ca_location ? strdup(c->ca_location) : NULL;
    if (!t->host || (c->ca_location && !t->ca_location)) {
        free(t->host);
        free(t->ca_location);
        free(t);
        return NULL;
    }
    unsigned char a[16];
    t->host_is_ip = inet_pton(AF_INET, t->host, a) == 1 || inet_pton(AF_INET6, t->host, a) == 1;
    SSL_CTX_up_ref(c->ctx);
    t->ctx = c->ctx;
    t->verify_peer = c->verify_peer;
    t->verify_host = c->verify_host;
    kw_buf_init(&t->out);
    return t;
}

void kw_tls_stop(kw_tls *t)
{
    if (!t) return;
    if (t->ssl) {
        SSL_set_app_data(t->ssl, NULL);
        /* a socket that closed is no reason to forget the session: freed without this,
         * OpenSSL marks it not resumable (a session that failed is dropped by the
         * caller through kw_tls_forget_session) */
        SSL_set_shutdown(t->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_free(t->ssl); /* frees both BIOs */
        t->ssl = NULL;
    }
    t->out.len = t->out_off = 0;
    if (t->out.cap > ((size_t)1 << 20)) {
        kw_buf_free(&t->out);
        kw_buf_init(&t->out);
    }
    t->done = 0;
}

void kw_tls_free(kw_tls *t)
{
    if (!t) return;
    kw_tls_stop(t);
    if (t->session) SSL_SESSION_free(t->session);
    SSL_CTX_free(t->ctx);
    kw_buf_free(&t->out);
    free(t->host);
    free(t->ca_location);
    free(t);
}

/* Common name of a certificate name, or its one-line form. */
static void name_text(X509_NAME *n, char *dst, size_t cap)
{
    dst[0] = 0;
    if (!n) return;
    char cn[100];
    if (X509_NAME_get_text_by_NID(n, NID_commonName, cn, sizeof cn) > 0) snprintf(dst, cap, "CN=%.100s", cn);
    else X509_NAME_oneline(n, dst, (int)cap);
}

static void time_text(const ASN1_TIME *at, char *dst, size_t cap)
{
    struct tm tm;
    dst[0] = 0;
    if (at && ASN1_TIME_to_tm(at, &tm) == 1) strftime(dst, cap, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* "DNS:a, DNS:b, IP:127.0.0.1" from subjectAltName, else the CN. */
static void names_text(X509 *x, char *dst, size_t cap)
{
    size_t o = 0;
    dst[0] = 0;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && o + 1 < cap; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        char one[80] = "";
        if (g->type == GEN_DNS) {
            const unsigned char *s = ASN1_STRING_get0_data(g->d.dNSName);
            snprintf(one, sizeof one, "DNS:%.*s", ASN1_STRING_length(g->d.dNSName) > 60 ? 60 : ASN1_STRING_length(g->d.dNSName), s);
        } else if (g->type == GEN_IPADD) {
            char ip[INET6_ADDRSTRLEN] = "?";
            int l = ASN1_STRING_length(g->d.iPAddress);
            const unsigned char *s = ASN1_STRING_get0_data(g->d.iPAddress);
            if (l == 4) inet_ntop(AF_INET, s, ip, sizeof ip);
            else if (l == 16) inet_ntop(AF_INET6, s, ip, sizeof ip);
            snprintf(one, sizeof one, "IP:%s", ip);
        }
        if (one[0]) o += (size_t)snprintf(dst + o, cap - o, "%s%s", o ? ", " : "", one);
    }
    GENERAL_NAMES_free(gens);
    if (!dst[0]) {
        char cn[100];
        if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn) > 0)
            snprintf(dst, cap, "CN=%.100s (no subjectAltName)", cn);
    }
}

static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    kw_tls *t = ssl ? SSL_get_app_data(ssl) : NULL;
    if (ok || !t || t->verr) return ok;
    t->verr = X509_STORE_CTX_get_error(xs);
    t->vdepth = X509_STORE_CTX_get_error_depth(xs);
    X509 *x = X509_STORE_CTX_get_current_cert(xs);
    if (x) {
        name_text(X509_get_subject_name(x), t->vsubject, sizeof t->vsubject);
        name_text(X509_get_issuer_name(x), t->vissuer, sizeof t->vissuer);
        names_text(x, t->vnames, sizeof t->vnames);
        time_text(X509_get0_notAfter(x), t->vnotafter, sizeof t->vnotafter);
        time_text(X509_get0_notBefore(x), t->vnotbefore, sizeof t->vnotbefore);
    }
    return ok;
}

int kw_tls_start(kw_tls *t)
{
    kw_tls_stop(t);
    t->err[0] = 0;
    t->verr = 0;
    t->received = t->nfirst = 0;
    ERR_clear_error();
    SSL *ssl = SSL_new(t->ctx);
    BIO *rb = BIO_new(BIO_s_mem()), *wb = BIO_new(BIO_s_mem());
    if (!ssl || !rb || !wb) {
        SSL_free(ssl);
        BIO_free(rb);
        BIO_free(wb);
        set_err(t, "TLS: out of memory");
        return KW_ERR_NOMEM;
    }
    BIO_set_mem_eof_return(rb, -1);
    BIO_set_mem_eof_return(wb, -1);
    SSL_set_bio(ssl, rb, wb);
    SSL_set_app_data(ssl, t);
    SSL_set_connect_state(ssl);
    t->ssl = ssl;
    int ok = 1;
    if (!t->host_is_ip && t->host[0]) ok = SSL_set_tlsext_host_name(ssl, t->host) == 1;
    if (ok && t->verify_host) {
        X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = t->host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, t->host) == 1
                           : X509_VERIFY_PARAM_set1_host(vp, t->host, 0) == 1;
    }
    SSL_set_verify(ssl, t->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, verify_cb);
    if (ok && t->session) ok = SSL_set_session(ssl, t->session) == 1;
    if (!ok) {
        set_err(t, "TLS: cannot set up a session for %s: %s", t->host, ossl_reason("?"));
        kw_tls_stop(t);
        return KW_ERR_TLS;
    }
    int r = kw_tls_handshake(t); /* writes the ClientHello */
    return r < 0 ? r : 0;
}

int kw_tls_looks_like_record(const uint8_t *p, size_t len)
{
    if (len >= 1 && (p[0] < 20 || p[0] > 24)) return 0;
    if (len >= 2 && p[1] != 3) return 0;
    return 1;
}

int kw_tls_feed(kw_tls *t, const uint8_t *p, size_t len)
{
    if (!t->ssl) return KW_ERR_STATE;
    for (size_t i = 0; i < len && t->nfirst < sizeof t->first; i++) t->first[t->nfirst++] = p[i];
    t->received += len;
    while (len > 0) {
        int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
        int w = BIO_write(SSL_get_rbio(t->ssl), p, chunk);
        if (w <= 0) return KW_ERR_NOMEM;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Why the handshake failed, in the user's terms. */
static void handshake_error(kw_tls *t)
{
    if (t->nfirst > 0 && !kw_tls_looks_like_record(t->first, t->nfirst)) {
        set_err(t, "TLS handshake with %s failed: the broker answered in plaintext, not TLS (first bytes %02x %02x): "
                   "this port is a PLAINTEXT or SASL_PLAINTEXT listener; set security.protocol to match",
                t->host, t->first[0], t->nfirst > 1 ? t->first[1] : 0);
        return;
    }
    long v = t->verr ? t->verr : SSL_get_verify_result(t->ssl);
    const char *ca = t->ca_location ? t->ca_location : "the system's CA store";
    if (v != X509_V_OK && t->verr) {
        const char *who = t->vdepth == 0 ? "the broker's certificate" : "a certificate in the broker's chain";
        switch (v) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            set_err(t, "TLS handshake with %s failed: %s (%s) expired on %s", t->host, who, t->vsubject, t->vnotafter);
            return;
        case X509_V_ERR_CERT_NOT_YET_VALID:
            set_err(t, "TLS handshake with %s failed: %s (%s) is not valid before %s", t->host, who, t->vsubject,
                    t->vnotbefore);
            return;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            set_err(t, "TLS handshake with %s failed: the broker's certificate is for %s, not %s "
                       "(ssl.endpoint.identification.algorithm=https checks the name)",
                    t->host, t->vnames[0] ? t->vnames : t->vsubject, t->host);
            return;
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            set_err(t, "TLS handshake with %s failed: the broker's certificate chain ends at %s, a CA that %s does "
                       "not hold (ssl.ca.location)",
                    t->host, t->vsubject, ca);
            return;
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            set_err(t, "TLS handshake with %s failed: %s (%s, issued by %s) is not signed by a CA in %s "
                       "(ssl.ca.location)",
                    t->host, who, t->vsubject, t->vissuer, ca);
            return;
        default:
            set_err(t, "TLS handshake with %s failed: %s (%s) did not verify: %s", t->host, who, t->vsubject,
                    X509_verify_cert_error_string(v));
            return;
        }
    }
    const char *r = ossl_reason("handshake failed");
    const char *hint = "";
    if (strstr(r, "certificate required")) hint = ": the broker wants a client certificate (ssl.certificate.location, "
                                                 "ssl.key.location)";
    else if (strstr(r, "unknown ca") || strstr(r, "bad certificate") || strstr(r, "certificate unknown"))
        hint = ": the broker did not accept kwire's client certificate";
    else if (strstr(r, "protocol version") || strstr(r, "unsupported protocol"))
        hint = ": no TLS version in common (kwire speaks TLS 1.2 and 1.3)";
    else if (strstr(r, "wrong version number") || strstr(r, "packet length too long") || strstr(r, "record layer"))
        hint = ": the broker's answer is not TLS";
    set_err(t, "TLS handshake with %s failed: %s%s", t->host, r, hint);
}

int kw_tls_handshake(kw_tls *t)
{
    if (!t->ssl) return KW_ERR_STATE;
    if (t->done) return 1;
    if (t->nfirst > 0 && !kw_tls_looks_like_record(t->first, t->nfirst)) {
        handshake_error(t);
        return KW_ERR_TLS;
    }
    ERR_clear_error();
    int r = SSL_do_handshake(t->ssl);
    if (r == 1) {
        t->done = 1;
        return 1;
    }
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    handshake_error(t);
    return KW_ERR_TLS;
}

int kw_tls_handshake_done(const kw_tls *t) { return t->ssl && t->done; }

int kw_tls_eof_in_handshake(kw_tls *t)
{
    if (t->nfirst > 0 && !kw_tls_looks_like_record(t->first, t->nfirst)) handshake_error(t);
    else if (t->received == 0)
        set_err(t, "TLS handshake with %s failed: the broker closed the connection without answering the "
                   "ClientHello: this port is probably a PLAINTEXT or SASL_PLAINTEXT listener; set "
                   "security.protocol to match",
                t->host);
    else
        set_err(t, "TLS handshake with %s failed: the broker closed the connection in the middle of the handshake "
                   "(after %zu bytes)", t->host, t->received);
    return KW_ERR_TLS;
}

int kw_tls_read(kw_tls *t, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    if (!t->ssl || !t->done) return KW_ERR_STATE;
    ERR_clear_error();
    size_t got = 0;
    int r = SSL_read_ex(t->ssl, buf, cap, &got);
    if (r == 1) {
        *n = got;
        return 0;
    }
    int e = SSL_get_error(t->ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    if (e == SSL_ERROR_ZERO_RETURN) {
        set_err(t, "the broker closed the TLS session (close_notify)");
        return KW_ERR_DISCONNECTED;
    }
    set_err(t, "TLS record from %s rejected: %s", t->host, ossl_reason("decryption failed"));
    return KW_ERR_TLS;
}

int kw_tls_write(kw_tls *t, const uint8_t *p, size_t len)
{
    if (!t->ssl || !t->done) return KW_ERR_STATE;
    ERR_clear_error();
    size_t w = 0;
    if (len && SSL_write_ex(t->ssl, p, len, &w) != 1) {
        set_err(t, "TLS write to %s failed: %s", t->host, ossl_reason("?"));
        return KW_ERR_TLS;
    }
    return 0;
}

const uint8_t *kw_tls_pending(kw_tls *t, size_t *len)
{
    *len = 0;
    if (!t->ssl) return NULL;
    BIO *wb = SSL_get_wbio(t->ssl);
    size_t pend = BIO_ctrl_pending(wb);
    if (pend) {
        if (t->out_off && t->out_off == t->out.len) t->out.len = t->out_off = 0;
        uint8_t *d = kw_buf_extend(&t->out, pend);
        if (d) {
            int r = BIO_read(wb, d, (int)pend);
            t->out.len -= pend - (r > 0 ? (size_t)r : 0);
        } else {
            t->out.err = 0; /* try again later; what is buffered still goes out */
        }
    }
    *len = t->out.len - t->out_off;
    return *len ? t->out.data + t->out_off : NULL;
}

void kw_tls_consumed(kw_tls *t, size_t n)
{
    size_t have = t->out.len - t->out_off;
    t->out_off += n < have ? n : have;
    if (t->out_off == t->out.len) {
        t->out.len = t->out_off = 0;
    } else if (t->out_off >= ((size_t)64 << 10)) {
        memmove(t->out.data, t->out.data + t->out_off, t->out.len - t->out_off);
        t->out.len -= t->out_off;
        t->out_off = 0;
    }
}

const char *kw_tls_version(const kw_tls *t) { return t->ssl && t->done ? SSL_get_version(t->ssl) : ""; }
const char *kw_tls_cipher(const kw_tls *t) { return t->ssl && t->done ? SSL_get_cipher_name(t->ssl) : ""; }
int kw_tls_resumed(const kw_tls *t) { return t->ssl && t->done && SSL_session_reused(t->ssl); }
int kw_tls_has_session(const kw_tls *t) { return t->session != NULL; }

void kw_tls_forget_session(kw_tls *t)
{
    if (t->session) SSL_SESSION_free(t->session);
    t->session = NULL;
}
const char *kw_tls_error(const kw_tls *t) { return t->err; }
