/*
 * client/conn/sasl.c — SASL mechanisms as pure code (client/conn/sasl.h): PLAIN, SCRAM-SHA-256/512
 * (RFC 5802 / RFC 7677; SHA-1 for the RFC 5802 test vector), OAUTHBEARER's client
 * initial response (RFC 7628), the unsecured JWT, and reading a JWT's claims.
 *
 * SCRAM in one page (RFC 5802 section 3), H the hash, HMAC keyed with its first argument:
 *   SaltedPassword  = PBKDF2-HMAC-H(password, salt, i)
 *   ClientKey       = HMAC(SaltedPassword, "Client Key");  StoredKey = H(ClientKey)
 *   AuthMessage     = client-first-bare "," server-first "," client-final-without-proof
 *   ClientProof     = ClientKey XOR HMAC(StoredKey, AuthMessage)        (sent as p=)
 *   ServerSignature = HMAC(HMAC(SaltedPassword, "Server Key"), AuthMessage) (checked v=)
 * with client-final-without-proof = "c=biws,r=<client nonce + server nonce>" ("biws" is
 * base64 of the GS2 header "n,,": no channel binding, no authorization identity).
 */
#include "client/conn/sasl.h"
#include "codec/text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define MAX_SERVER_MSG 65536 /* longest SCRAM server message accepted */

static const char *const MECH_NAMES[] = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"};

const char *kw_sasl_mech_name(int mech)
{
    return mech >= 0 && mech < (int)(sizeof MECH_NAMES / sizeof MECH_NAMES[0]) ? MECH_NAMES[mech] : NULL;
}

int kw_sasl_mech_parse(const char *name)
{
    for (int i = 0; name && i < (int)(sizeof MECH_NAMES / sizeof MECH_NAMES[0]); i++)
        if (!strcmp(name, MECH_NAMES[i])) return i;
    return KW_SASL_NONE;
}

int kw__sasl_memeq(const uint8_t *a, const uint8_t *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

/* ---- base64 ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void kw_sasl_b64_encode(kw_buf *out, const void *src, size_t n, int url)
{
    const uint8_t *p = src;
    const char *al = url ? B64URL : B64;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        char q[4] = {al[(v >> 18) & 63], al[(v >> 12) & 63], al[(v >> 6) & 63], al[v & 63]};
        size_t k = n - i >= 3 ? 4 : n - i + 1;
        if (k < 4 && !url) {
            for (size_t j = k; j < 4; j++) q[j] = '=';
            k = 4;
        }
        kw_buf_put(out, q, k);
    }
}

static int b64val(char c, int url)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
}

int kw_sasl_b64_decode(kw_buf *out, const char *s, size_t n, int url)
{
    size_t pad = 0;
    if (!url) {
        if (n % 4) return KW_ERR_CORRUPT;
        while (pad < 2 && n > pad && s[n - 1 - pad] == '=') pad++;
    } else if (n % 4 == 1) {
        return KW_ERR_CORRUPT;
    }
    size_t m = n - pad;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < m; i++) {
        int v = b64val(s[i], url);
        if (v < 0) return KW_ERR_CORRUPT;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            uint8_t byte = (uint8_t)(acc >> bits);
            kw_buf_put(out, &byte, 1);
        }
    }
    /* the leftover bits of the last character must be zero (canonical encoding) */
    if (bits && (acc & ((1u << bits) - 1))) return KW_ERR_CORRUPT;
    return out->err ? out->err : 0;
}

/* ---- PLAIN ---- */

int kw_sasl_plain(kw_buf *out, const char *authzid, const char *user, const char *password)
{
    if (!user || !password) return KW_ERR_INVALID_ARG;
    size_t az = authzid ? strlen(authzid) : 0;
    kw_buf_put(out, authzid ? authzid : "", az);
    kw_buf_put(out, "", 1);
    kw_buf_put(out, user, strlen(user));
    kw_buf_put(out, "", 1);
    kw_buf_put(out, password, strlen(password));
    return out->err;
}

/* ---- SCRAM ---- */

static const EVP_MD *scram_md(int hash)
{
    switch (hash) {
    case KW_SCRAM_SHA1: return EVP_sha1();
    case KW_SCRAM_SHA256: return EVP_sha256();
    case KW_SCRAM_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

static int scram_fail(kw_scram *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int scram_fail(kw_scram *s, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return err;
}

void kw_scram_saslname(kw_buf *out, const char *name)
{
    for (const char *p = name; *p; p++) {
        if (*p == ',') kw_buf_put(out, "=2C", 3);
        else if (*p == '=') kw_buf_put(out, "=3D", 3);
        else kw_buf_put(out, p, 1);
    }
}

/* printable ASCII except ',' (RFC 5802 "printable") */
static int nonce_ok(const char *p, size_t n)
{
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x21 || p[i] > 0x7e || p[i] == ',') return 0;
    return 1;
}

int kw_scram_init(kw_scram *s, int hash, const char *user, const char *password, const char *nonce)
{
    memset(s, 0, sizeof *s);
    kw_buf_init(&s->first_bare);
    kw_buf_init(&s->auth_message);
    const EVP_MD *md = scram_md(hash);
    if (!md || !user || !*user || !password) return KW_ERR_INVALID_ARG;
    s->hash = hash;
    s->hlen = (size_t)EVP_MD_get_size(md);
    if (nonce) {
        if (!nonce_ok(nonce, strlen(nonce)) || strlen(nonce) >= sizeof s->nonce) return KW_ERR_INVALID_ARG;
        snprintf(s->nonce, sizeof s->nonce, "%s", nonce);
    } else {
        uint8_t r[KW_SCRAM_NONCE_BYTES];
        if (RAND_bytes(r, sizeof r) != 1) return KW_ERR_IO;
        kw_buf b;
        kw_buf_init(&b);
        kw_sasl_b64_encode(&b, r, sizeof r, 0);
        if (b.err || b.len >= sizeof s->nonce) {
            kw_buf_free(&b);
            return KW_ERR_NOMEM;
        }
        memcpy(s->nonce, b.data, b.len);
        s->nonce[b.len] = 0;
        kw_buf_free(&b);
    }
    kw_buf u;
    kw_buf_init(&u);
    kw_scram_saslname(&u, user);
    kw_buf_put(&u, "", 1);
    s->user = u.err ? NULL : (char *)kw_buf_detach(&u, NULL);
    kw_buf_free(&u);
    s->password = strdup(password);
    if (!s->user || !s->password) {
        kw_scram_free(s);
        return KW_ERR_NOMEM;
    }
    return 0;
}

void kw_scram_free(kw_scram *s)
{
    if (s->password) {
        OPENSSL_cleanse(s->password, strlen(s->password));
        free(s->password);
    }
    free(s->user);
    if (s->auth_message.data) OPENSSL_cleanse(s->auth_message.data, s->auth_message.cap);
    kw_buf_free(&s->first_bare);
    kw_buf_free(&s->auth_message);
    OPENSSL_cleanse(s->salted, sizeof s->salted);
    OPENSSL_cleanse(s->server_sig, sizeof s->server_sig);
    s->user = s->password = NULL;
}

const char *kw_scram_error(const kw_scram *s) { return s->err; }

int kw_scram_client_first(kw_scram *s, kw_buf *out)
{
    if (s->step != 0 || !s->user) return KW_ERR_STATE;
    s->first_bare.len = 0;
    kw_buf_put(&s->first_bare, "n=", 2);
    kw_buf_put(&s->first_bare, s->user, strlen(s->user));
    kw_buf_put(&s->first_bare, ",r=", 3);
    kw_buf_put(&s->first_bare, s->nonce, strlen(s->nonce));
    if (s->first_bare.err) return s->first_bare.err;
    kw_buf_put(out, "n,,", 3);
    kw_buf_put(out, s->first_bare.data, s->first_bare.len);
    if (out->err) return out->err;
    s->step = 1;
    return 0;
}

/* The value of attribute `a` at *p (which must start "a="), up to ',' or the end;
 * *p moves past the ','. NULL when the attribute is not there. */
static const char *attr(const char **p, const char *end, char a, size_t *n)
{
    if (end - *p < 2 || (*p)[0] != a || (*p)[1] != '=') return NULL;
    const char *v = *p + 2, *e = v;
    while (e < end && *e != ',') e++;
    *n = (size_t)(e - v);
    *p = e < end ? e + 1 : e;
    return v;
}

/* Text of a server's e=<error> attribute, printable only, into the error message. */
static int server_error(kw_scram *s, const char *v, size_t n, const char *when)
{
    char t[100];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof t; i++) t[k++] = v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?';
    t[k] = 0;
    return scram_fail(s, KW_ERR_AUTH, "the server refused the SCRAM %s: %s", when, t);
}

int kw_scram_client_final(kw_scram *s, const uint8_t *msg, size_t len, kw_buf *out)
{
    if (s->step != 1) return KW_ERR_STATE;
    if (len > MAX_SERVER_MSG) return scram_fail(s, KW_ERR_CORRUPT, "server-first-message of %zu bytes", len);
    const char *p = (const char *)msg, *end = p + len;
    size_t n;
    const char *v;
    if ((v = attr(&p, end, 'e', &n))) return server_error(s, v, n, "client-first-message");
    if (len >= 2 && p[0] == 'm' && p[1] == '=')
        return scram_fail(s, KW_ERR_CORRUPT, "server-first-message asks for a mandatory extension (m=)");
    const char *r = attr(&p, end, 'r', &n);
    size_t rn = n, cn = strlen(s->nonce);
    if (!r) return scram_fail(s, KW_ERR_CORRUPT, "server-first-message does not start with r=<nonce>");
    if (!nonce_ok(r, rn)) return scram_fail(s, KW_ERR_CORRUPT, "server nonce has characters SCRAM forbids");
    if (rn <= cn || memcmp(r, s->nonce, cn))
        return scram_fail(s, KW_ERR_CORRUPT, "server nonce does not extend the client's nonce");
    const char *salt64 = attr(&p, end, 's', &n);
    size_t sn = n;
    if (!salt64) return scram_fail(s, KW_ERR_CORRUPT, "server-first-message has no s=<salt> after the nonce");
    const char *it = attr(&p, end, 'i', &n);
    if (!it || !n || n > 9) return scram_fail(s, KW_ERR_CORRUPT, "server-first-message has no i=<iterations>");
    int64_t iters = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)it[i]))
            return scram_fail(s, KW_ERR_CORRUPT, "iteration count '%.*s' is not a number", (int)n, it);
        iters = iters * 10 + (it[i] - '0');
    }
    if (iters < KW_SCRAM_MIN_ITERATIONS || iters > KW_SCRAM_MAX_ITERATIONS)
        return scram_fail(s, KW_ERR_CORRUPT, "iteration count %lld outside %d..%d", (long long)iters,
                          KW_SCRAM_MIN_ITERATIONS, KW_SCRAM_MAX_ITERATIONS);
    kw_buf salt;
    kw_buf_init(&salt);
    if (kw_sasl_b64_decode(&salt, salt64, sn, 0) || !salt.len || salt.len > KW_SCRAM_MAX_SALT) {
        int nomem = salt.err == KW_ERR_NOMEM;
        kw_buf_free(&salt);
        return nomem ? KW_ERR_NOMEM : scram_fail(s, KW_ERR_CORRUPT, "salt is not base64 of 1..%d bytes", KW_SCRAM_MAX_SALT);
    }
    s->iterations = (int32_t)iters;

    const EVP_MD *md = scram_md(s->hash);
    int hl = (int)s->hlen;
    uint8_t ck[64], sk[64], csig[64], svk[64];
    unsigned int l;
    int ok = PKCS5_PBKDF2_HMAC(s->password, (int)strlen(s->password), salt.data, (int)salt.len, (int)iters, md, hl,
                               s->salted) == 1;
    kw_buf_free(&salt);
    /* AuthMessage */
    kw_buf *am = &s->auth_message;
    am->len = 0;
    kw_buf_put(am, s->first_bare.data, s->first_bare.len);
    kw_buf_put(am, ",", 1);
    kw_buf_put(am, msg, len);
    kw_buf_put(am, ",", 1);
    size_t wo_start = am->len;
    kw_buf_put(am, "c=biws,r=", 9);
    kw_buf_put(am, r, rn);
    size_t wo_len = am->len - wo_start;
    if (am->err) return am->err;
    ok = ok && HMAC(md, s->salted, hl, (const uint8_t *)"Client Key", 10, ck, &l);
    ok = ok && EVP_Digest(ck, (size_t)hl, sk, &l, md, NULL);
    ok = ok && HMAC(md, sk, hl, am->data, am->len, csig, &l);
    ok = ok && HMAC(md, s->salted, hl, (const uint8_t *)"Server Key", 10, svk, &l);
    ok = ok && HMAC(md, svk, hl, am->data, am->len, s->server_sig, &l);
    if (ok) {
        for (int i = 0; i < hl; i++) ck[i] ^= csig[i]; /* ck now holds the proof */
        kw_buf_put(out, am->data + wo_start, wo_len);
        kw_buf_put(out, ",p=", 3);
        kw_sasl_b64_encode(out, ck, (size_t)hl, 0);
    }
    OPENSSL_cleanse(ck, sizeof ck);
    OPENSSL_cleanse(sk, sizeof sk);
    OPENSSL_cleanse(csig, sizeof csig);
    OPENSSL_cleanse(svk, sizeof svk);
    if (!ok) return scram_fail(s, KW_ERR_IO, "libcrypto failed to compute the SCRAM proof");
    if (out->err) return out->err;
    s->step = 2;
    return 0;
}

int kw_scram_server_final(kw_scram *s, const uint8_t *msg, size_t len)
{
    if (s->step != 2) return KW_ERR_STATE;
    if (len > MAX_SERVER_MSG) return scram_fail(s, KW_ERR_CORRUPT, "server-final-message of %zu bytes", len);
    const char *p = (const char *)msg, *end = p + len;
    size_t n;
    const char *v;
    if ((v = attr(&p, end, 'e', &n))) return server_error(s, v, n, "proof");
    if (!(v = attr(&p, end, 'v', &n)))
        return scram_fail(s, KW_ERR_CORRUPT, "server-final-message has neither v=<signature> nor e=<error>");
    kw_buf sig;
    kw_buf_init(&sig);
    int rc = kw_sasl_b64_decode(&sig, v, n, 0);
    if (!rc && (sig.len != s->hlen || !kw__sasl_memeq(sig.data, s->server_sig, s->hlen)))
        rc = scram_fail(s, KW_ERR_AUTH, "the server's signature is wrong: it does not know this user's password "
                                        "(a server impersonating the broker?)");
    else if (rc)
        rc = scram_fail(s, KW_ERR_CORRUPT, "server signature is not base64");
    kw_buf_free(&sig);
    if (!rc) s->step = 3;
    return rc;
}

/* ---- OAUTHBEARER ---- */

static int ext_fail(char *err, size_t errlen, const char *fmt, const char *a, size_t n)
{
    if (err && errlen) snprintf(err, errlen, fmt, (int)n, a);
    return KW_ERR_INVALID_ARG;
}

int kw_oauth_initial(kw_buf *out, const char *token, size_t token_len, const char *extensions, char *err,
                     size_t errlen)
{
    if (err && errlen) err[0] = 0;
    if (!token || !token_len) return ext_fail(err, errlen, "the token is empty%.*s", "", 0);
    for (size_t i = 0; i < token_len; i++)
        if (token[i] < 0x20 || token[i] > 0x7e)
            return ext_fail(err, errlen, "the token has a byte that is not printable ASCII%.*s", "", 0);
    kw_buf_put(out, "n,,\x01" "auth=Bearer ", 16);
    kw_buf_put(out, token, token_len);
    kw_buf_put(out, "\x01", 1);
    for (const char *p = extensions; p && *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        const char *eq = memchr(p, '=', l);
        if (l) {
            if (!eq || eq == p) return ext_fail(err, errlen, "extension '%.*s' is not key=value", p, l);
            size_t kl = (size_t)(eq - p);
            for (size_t i = 0; i < kl; i++)
                if (!isalpha((unsigned char)p[i]))
                    return ext_fail(err, errlen, "extension key '%.*s' must be letters only", p, kl);
            if (kl == 4 && !memcmp(p, "auth", 4)) return ext_fail(err, errlen, "extension key '%.*s' is reserved", p, kl);
            for (const char *q = eq + 1; q < p + l; q++)
                if (*q < 0x21 || *q > 0x7e)
                    return ext_fail(err, errlen, "extension '%.*s' has a value that is not printable ASCII", p, kl);
            kw_buf_put(out, p, l);
            kw_buf_put(out, "\x01", 1);
        }
        if (!e) break;
        p = e + 1;
    }
    kw_buf_put(out, "\x01", 1);
    return out->err;
}

int kw_jwt_unsecured_build(kw_buf *out, const kw_jwt_unsecured *j, int64_t now_s)
{
    if (!j || !j->principal || !*j->principal) return KW_ERR_INVALID_ARG;
    int64_t life = j->life_s > 0 ? j->life_s : 3600;
    kw_buf c;
    kw_buf_init(&c);
    char num[64];
    snprintf(num, sizeof num, "{\"iat\":%lld,\"exp\":%lld,", (long long)now_s, (long long)(now_s + life));
    kw_buf_put(&c, num, strlen(num));
    kw_json_put_cstr(&c, j->principal_claim && *j->principal_claim ? j->principal_claim : "sub");
    kw_buf_put(&c, ":", 1);
    kw_json_put_cstr(&c, j->principal);
    if (j->scope && *j->scope) {
        kw_buf_put(&c, ",", 1);
        kw_json_put_cstr(&c, j->scope_claim && *j->scope_claim ? j->scope_claim : "scope");
        kw_buf_put(&c, ":[", 2);
        int first = 1;
        for (const char *p = j->scope; *p;) {
            size_t l = strcspn(p, " ,");
            if (l) {
                char one[256];
                snprintf(one, sizeof one, "%.*s", (int)(l < sizeof one ? l : sizeof one - 1), p);
                if (!first) kw_buf_put(&c, ",", 1);
                kw_json_put_cstr(&c, one);
                first = 0;
            }
            p += l;
            if (*p) p++;
        }
        kw_buf_put(&c, "]", 1);
    }
    kw_buf_put(&c, "}", 1);
    static const char hdr[] = "{\"alg\":\"none\"}";
    kw_sasl_b64_encode(out, hdr, sizeof hdr - 1, 1);
    kw_buf_put(out, ".", 1);
    kw_sasl_b64_encode(out, c.data, c.len, 1);
    kw_buf_put(out, ".", 1);
    int e = c.err ? c.err : out->err;
    kw_buf_free(&c);
    return e;
}

/* ---- reading a JWT's claims: a small bounded JSON walk ---- */

typedef struct js {
    const char *p, *end;
    int depth;
} js;

static void js_ws(js *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

/* A string at j->p: its raw contents (escapes kept) in *s, *n. 0 or -1. */
static int js_string(js *j, const char **s, size_t *n)
{
    if (j->p >= j->end || *j->p != '"') return -1;
    const char *b = ++j->p;
    while (j->p < j->end && *j->p != '"') {
        if (*j->p == '\\') j->p++;
        j->p++;
    }
    if (j->p >= j->end) return -1;
    *s = b;
    *n = (size_t)(j->p - b);
    j->p++;
    return 0;
}

static int js_skip(js *j);

static int js_skip_seq(js *j, char close, int object)
{
    if (++j->depth > 32) return -1;
    j->p++;
    js_ws(j);
    if (j->p < j->end && *j->p == close) { j->p++; j->depth--; return 0; }
    for (;;) {
        js_ws(j);
        if (object) {
            const char *s;
            size_t n;
            if (js_string(j, &s, &n)) return -1;
            js_ws(j);
            if (j->p >= j->end || *j->p != ':') return -1;
            j->p++;
        }
        if (js_skip(j)) return -1;
        js_ws(j);
        if (j->p >= j->end) return -1;
        if (*j->p == close) { j->p++; j->depth--; return 0; }
        if (*j->p != ',') return -1;
        j->p++;
    }
}

static int js_skip(js *j)
{
    js_ws(j);
    if (j->p >= j->end) return -1;
    char c = *j->p;
    if (c == '"') { const char *s; size_t n; return js_string(j, &s, &n); }
    if (c == '{') return js_skip_seq(j, '}', 1);
    if (c == '[') return js_skip_seq(j, ']', 0);
    const char *b = j->p;
    while (j->p < j->end && (isalnum((unsigned char)*j->p) || *j->p == '-' || *j->p == '+' || *j->p == '.')) j->p++;
    return j->p > b ? 0 : -1;
}

/* A JSON number's integer part (seconds may be written 1.7e9 or 1700000000.5). */
static int64_t js_seconds(const char *b, const char *e)
{
    char t[40];
    size_t n = (size_t)(e - b) < sizeof t - 1 ? (size_t)(e - b) : sizeof t - 1;
    memcpy(t, b, n);
    t[n] = 0;
    char *x;
    double d = strtod(t, &x);
    if (x == t || d < 0 || d > 9.2e15) return -1;
    return (int64_t)d;
}

int kw_jwt_claims_read(const char *token, size_t len, kw_jwt_claims *out)
{
    out->exp_s = out->iat_s = -1;
    out->sub[0] = 0;
    const char *d1 = memchr(token, '.', len);
    if (!d1) return KW_ERR_CORRUPT;
    const char *d2 = memchr(d1 + 1, '.', (size_t)(token + len - d1 - 1));
    if (!d2 || memchr(d2 + 1, '.', (size_t)(token + len - d2 - 1))) return KW_ERR_CORRUPT;
    kw_buf c;
    kw_buf_init(&c);
    int rc = kw_sasl_b64_decode(&c, d1 + 1, (size_t)(d2 - d1 - 1), 1);
    if (rc) {
        kw_buf_free(&c);
        return KW_ERR_CORRUPT;
    }
    js j = {(const char *)c.data, (const char *)c.data + c.len, 0};
    js_ws(&j);
    rc = KW_ERR_CORRUPT;
    if (j.p < j.end && *j.p == '{') {
        j.p++;
        js_ws(&j);
        if (j.p < j.end && *j.p == '}') rc = 0;
        while (j.p < j.end && *j.p != '}') {
            const char *k;
            size_t kn;
            js_ws(&j);
            if (js_string(&j, &k, &kn)) break;
            js_ws(&j);
            if (j.p >= j.end || *j.p != ':') break;
            j.p++;
            js_ws(&j);
            const char *vb = j.p;
            int is_str = j.p < j.end && *j.p == '"';
            if (js_skip(&j)) break;
            if (kn == 3 && !memcmp(k, "exp", 3) && !is_str) out->exp_s = js_seconds(vb, j.p);
            else if (kn == 3 && !memcmp(k, "iat", 3) && !is_str) out->iat_s = js_seconds(vb, j.p);
            else if (kn == 3 && !memcmp(k, "sub", 3) && is_str) {
                size_t sl = (size_t)(j.p - vb) - 2;
                if (sl >= sizeof out->sub) sl = sizeof out->sub - 1;
                memcpy(out->sub, vb + 1, sl);
                out->sub[sl] = 0;
            }
            js_ws(&j);
            if (j.p < j.end && *j.p == ',') { j.p++; continue; }
            if (j.p < j.end && *j.p == '}') rc = 0;
            break;
        }
    }
    kw_buf_free(&c);
    return rc;
}
