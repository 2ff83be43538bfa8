/*
 * client/conn/auth.c — the SASL exchange of one connection (client/conn/auth.h): SaslHandshake,
 * SaslAuthenticate rounds per mechanism, the broker's errors turned into one line each.
 */
#include "client/conn/auth.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proto/desc.h"
#include "proto/msg_saslauthenticate.h"
#include "proto/msg_saslhandshake.h"
#include "proto/proto.h"

/* kw_auth.step */
enum { HS_NEXT, HS_SENT, AU_NEXT, AU_SENT, DONE, FAILED };

static int fail(kw_auth *a, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(kw_auth *a, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->err, sizeof a->err, fmt, ap);
    va_end(ap);
    a->step = FAILED;
    return err;
}

static const char *mech_name(const kw_auth *a)
{
    const char *m = kw_sasl_mech_name(a->conf->mech);
    return m ? m : "?";
}

/* Printable text of a broker string (error message, mechanism), cut to fit. */
static void text(char *dst, size_t cap, const char *p, int32_t len)
{
    size_t k = 0;
    for (int32_t i = 0; p && i < len && k + 1 < cap; i++)
        dst[k++] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
    dst[k] = 0;
}

static void wipe_msg(kw_auth *a)
{
    if (a->msg.data) OPENSSL_cleanse(a->msg.data, a->msg.cap);
    a->msg.len = 0;
}

void kw_auth_free(kw_auth *a)
{
    wipe_msg(a);
    kw_buf_free(&a->msg);
    if (a->scram_live) kw_scram_free(&a->scram);
    a->scram_live = 0;
}

int kw_auth_start(kw_auth *a, const kw_sasl_conf *c, int16_t au_version)
{
    kw_auth_free(a);
    memset(a, 0, sizeof *a);
    kw_buf_init(&a->msg);
    if (!c || !kw_sasl_mech_name(c->mech)) return KW_ERR_INVALID_ARG;
    a->conf = c;
    a->au_version = au_version;
    return 0;
}

int kw_auth_next_api(const kw_auth *a, int16_t *version)
{
    if (a->step == HS_NEXT) {
        *version = 1;
        return KW_API_SaslHandshake;
    }
    if (a->step == AU_NEXT) {
        *version = a->au_version;
        return KW_API_SaslAuthenticate;
    }
    return -1;
}

/* The mechanism's first client message into a->msg. */
static int first_message(kw_auth *a, int64_t now_us)
{
    const kw_sasl_conf *c = a->conf;
    wipe_msg(a);
    switch (c->mech) {
    case KW_SASL_PLAIN:
        if (kw_sasl_plain(&a->msg, NULL, c->username, c->password))
            return fail(a, KW_ERR_AUTH, "SASL PLAIN: sasl.username and sasl.password are needed");
        return 0;
    case KW_SASL_SCRAM_SHA_256:
    case KW_SASL_SCRAM_SHA_512: {
        int h = c->mech == KW_SASL_SCRAM_SHA_256 ? KW_SCRAM_SHA256 : KW_SCRAM_SHA512;
        if (a->scram_live) kw_scram_free(&a->scram);
        a->scram_live = 1;
        int e = kw_scram_init(&a->scram, h, c->username, c->password, NULL);
        if (!e) e = kw_scram_client_first(&a->scram, &a->msg);
        if (e) return fail(a, KW_ERR_AUTH, "SASL %s: cannot start (%s)", mech_name(a), kw_strerror(e));
        return 0;
    }
    case KW_SASL_OAUTHBEARER: {
        kw_buf tok;
        kw_buf_init(&tok);
        char err[300] = "";
        int e = c->token ? c->token(c->token_ud, now_us, &tok, err, sizeof err) : KW_ERR_CONFIG;
        if (!e) e = kw_oauth_initial(&a->msg, (const char *)tok.data, tok.len, c->extensions, err, sizeof err);
        if (tok.data) OPENSSL_cleanse(tok.data, tok.cap);
        kw_buf_free(&tok);
        if (e) return fail(a, KW_ERR_AUTH, "SASL OAUTHBEARER: no token: %s", err[0] ? err : kw_strerror(e));
        return 0;
    }
    default: return fail(a, KW_ERR_AUTH, "SASL: mechanism %d is not one kwire speaks", c->mech);
    }
}

int kw_auth_encode(kw_auth *a, int64_t now_us, int16_t version, kw_buf *out)
{
    if (a->step == HS_NEXT) {
        kw_saslhandshake_req q = {kw_s(mech_name(a))};
        return kw_msg_encode(KW_API_SaslHandshake, version, KW_REQ, &q, out);
    }
    if (a->step != AU_NEXT) return KW_ERR_STATE;
    if (a->rounds == 0 && !a->msg.len) {
        int e = first_message(a, now_us);
        if (e) return e;
    }
    kw_saslauthenticate_req q = {kw_b(a->msg.data ? a->msg.data : (const uint8_t *)"", a->msg.len)};
    int e = kw_msg_encode(KW_API_SaslAuthenticate, version, KW_REQ, &q, out);
    wipe_msg(a); /* the frame holds it now */
    return e;
}

void kw_auth_sent(kw_auth *a)
{
    if (a->step == HS_NEXT) a->step = HS_SENT;
    else if (a->step == AU_NEXT) {
        a->step = AU_SENT;
        a->rounds++;
    }
}

static int handshake_response(kw_auth *a, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena ar;
    kw_arena_init(&ar);
    kw_saslhandshake_resp r;
    kw_proto_err pe;
    int e = kw_msg_decode(KW_API_SaslHandshake, version, KW_RESP, body, len, &r, &ar, &pe);
    if (e) {
        kw_arena_free(&ar);
        return fail(a, KW_ERR_CORRUPT, "malformed SaslHandshake v%d response: %s at %s", version, kw_strerror(e),
                    pe.path[0] ? pe.path : "its start");
    }
    char enabled[200] = "";
    size_t o = 0;
    for (int32_t i = 0; i < r.n_mechanisms && o + 1 < sizeof enabled; i++) {
        char m[64];
        text(m, sizeof m, r.mechanisms[i].p, r.mechanisms[i].len);
        o += (size_t)snprintf(enabled + o, sizeof enabled - o, "%s%s", i ? ", " : "", m);
    }
    int ec = r.error_code;
    kw_arena_free(&ar);
    if (ec == 0) {
        a->step = AU_NEXT;
        return KW_AUTH_MORE;
    }
    a->kafka_err = ec;
    if (ec == KW_KAFKA_UNSUPPORTED_SASL_MECHANISM)
        return fail(a, KW_ERR_AUTH, "SASL: the broker does not enable %s on this listener (it enables %s) "
                                    "[UNSUPPORTED_SASL_MECHANISM]",
                    mech_name(a), enabled[0] ? enabled : "none");
    if (ec == KW_KAFKA_ILLEGAL_SASL_STATE)
        return fail(a, KW_ERR_AUTH, "SASL: the broker refused the SASL handshake: this listener does not "
                                    "authenticate with SASL%s%s; set security.protocol to PLAINTEXT or SSL "
                                    "[ILLEGAL_SASL_STATE]",
                    enabled[0] ? " (enabled: " : "", enabled[0] ? enabled : "");
    return fail(a, KW_ERR_AUTH, "SASL: SaslHandshake failed: %s [%s]", kw_strerror(ec), kw_err_name(ec));
}

static int authenticate_response(kw_auth *a, int16_t version, const uint8_t *body, size_t len)
{
    kw_arena ar;
    kw_arena_init(&ar);
    kw_saslauthenticate_resp r;
    kw_proto_err pe;
    int e = kw_msg_decode(KW_API_SaslAuthenticate, version, KW_RESP, body, len, &r, &ar, &pe);
    if (e) {
        kw_arena_free(&ar);
        return fail(a, KW_ERR_CORRUPT, "malformed SaslAuthenticate v%d response: %s at %s", version,
                    kw_strerror(e), pe.path[0] ? pe.path : "its start");
    }
    int rc;
    const char *user = a->conf->username ? a->conf->username : "";
    if (r.error_code) {
        char msg[240];
        text(msg, sizeof msg, r.error_message.p, r.error_message.len);
        a->kafka_err = r.error_code;
        if (a->oauth_failed && !msg[0]) snprintf(msg, sizeof msg, "the token was refused");
        if (r.error_code == KW_KAFKA_ILLEGAL_SASL_STATE)
            rc = fail(a, KW_ERR_AUTH, "SASL %s: the broker did not expect this SaslAuthenticate: %s "
                                      "[ILLEGAL_SASL_STATE]",
                      mech_name(a), msg[0] ? msg : "(no message)");
        else if (a->conf->mech == KW_SASL_OAUTHBEARER)
            rc = fail(a, KW_ERR_AUTH, "SASL OAUTHBEARER authentication failed: %s [%s]",
                      msg[0] ? msg : kw_strerror(r.error_code), kw_err_name(r.error_code));
        else
            rc = fail(a, KW_ERR_AUTH, "SASL %s authentication as '%s' failed: %s [%s]", mech_name(a), user,
                      msg[0] ? msg : kw_strerror(r.error_code), kw_err_name(r.error_code));
        kw_arena_free(&ar);
        return rc;
    }
    const uint8_t *sb = r.auth_bytes.len > 0 ? r.auth_bytes.p : (const uint8_t *)"";
    size_t sl = r.auth_bytes.len > 0 ? (size_t)r.auth_bytes.len : 0;
    rc = KW_AUTH_DONE;
    switch (a->conf->mech) {
    case KW_SASL_SCRAM_SHA_256:
    case KW_SASL_SCRAM_SHA_512:
        if (a->rounds == 1) {
            wipe_msg(a);
            e = kw_scram_client_final(&a->scram, sb, sl, &a->msg);
            if (e) rc = fail(a, e == KW_ERR_NOMEM ? e : e == KW_ERR_AUTH ? KW_ERR_AUTH : KW_ERR_CORRUPT,
                             "SASL %s: %s", mech_name(a), kw_scram_error(&a->scram));
            else rc = KW_AUTH_MORE;
        } else {
            e = kw_scram_server_final(&a->scram, sb, sl);
            if (e) rc = fail(a, KW_ERR_AUTH, "SASL %s: %s", mech_name(a), kw_scram_error(&a->scram));
        }
        break;
    case KW_SASL_OAUTHBEARER:
        if (sl && a->rounds == 1) {
            /* RFC 7628: the server's JSON error; acknowledge it so the broker can fail */
            a->oauth_failed = 1;
            wipe_msg(a);
            kw_buf_put(&a->msg, "\x01", 1);
            rc = a->msg.err ? a->msg.err : KW_AUTH_MORE;
        } else if (sl || a->oauth_failed) {
            rc = fail(a, KW_ERR_AUTH, "SASL OAUTHBEARER: the broker refused the token");
        }
        break;
    default:
        if (sl) rc = fail(a, KW_ERR_CORRUPT, "SASL %s: unexpected server message of %zu bytes", mech_name(a), sl);
        break;
    }
    if (rc == KW_AUTH_MORE) a->step = AU_NEXT;
    if (rc == KW_AUTH_DONE) {
        a->step = DONE;
        a->session_lifetime_ms = r.session_lifetime_ms > 0 ? r.session_lifetime_ms : 0;
        if (a->scram_live) {
            kw_scram_free(&a->scram);
            a->scram_live = 0;
        }
    }
    kw_arena_free(&ar);
    return rc;
}

int kw_auth_response(kw_auth *a, int api_key, int16_t version, const uint8_t *body, size_t len)
{
    if (api_key == KW_API_SaslHandshake && a->step == HS_SENT) return handshake_response(a, version, body, len);
    if (api_key == KW_API_SaslAuthenticate && a->step == AU_SENT) return authenticate_response(a, version, body, len);
    return fail(a, KW_ERR_STATE, "SASL: a response out of turn");
}
