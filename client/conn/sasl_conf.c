/*
 * client/conn/sasl_conf.c — SASL settings to a kw_sasl_conf (client/conn/sasl_conf.h): JAAS lines,
 * librdkafka's sasl.oauthbearer.config, and the OAUTHBEARER token sources with their
 * refresh (80% of the token's lifetime, as Java's sasl.login.refresh.window.factor).
 */
#include "client/conn/sasl_conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/crypto.h>

#define MAX_TOKEN 65536        /* longest token read from a file or a command */
#define REFRESH_FACTOR 0.8     /* fetch again after this share of the token's lifetime */

static int cfail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cfail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return KW_ERR_CONFIG;
}

static void free_secret(char **p)
{
    if (*p) {
        OPENSSL_cleanse(*p, strlen(*p));
        free(*p);
    }
    *p = NULL;
}

/* ---- JAAS ---- */

/* Call fn(key, klen, value, ud) for each option of a JAAS line; 0, or -1 (malformed,
 * err set) or fn's non-zero result. value is unquoted into a scratch buffer. */
typedef int (*jaas_fn)(const char *key, size_t klen, const char *value, void *ud);

static int jaas_each(const char *jaas, jaas_fn fn, void *ud, char *err, size_t errlen)
{
    const char *p = jaas;
    while (isspace((unsigned char)*p)) p++;
    const char *mod = p;
    while (*p && !isspace((unsigned char)*p) && *p != ';') p++;
    size_t ml = (size_t)(p - mod);
    if (!ml || !memmem(mod, ml, "LoginModule", 11)) {
        cfail(err, errlen, "sasl.jaas.config: does not start with a login module class (e.g. "
                           "org.apache.kafka.common.security.plain.PlainLoginModule required ...;)");
        return -1;
    }
    while (isspace((unsigned char)*p)) p++;
    const char *flag = p;
    while (*p && !isspace((unsigned char)*p) && *p != ';') p++;
    size_t fl = (size_t)(p - flag);
    static const char *const flags[] = {"required", "requisite", "sufficient", "optional"};
    int ok = 0;
    for (int i = 0; i < 4; i++) ok |= fl == strlen(flags[i]) && !strncmp(flag, flags[i], fl);
    if (!ok) {
        cfail(err, errlen, "sasl.jaas.config: the module class must be followed by required, requisite, "
                           "sufficient or optional");
        return -1;
    }
    char val[1024];
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p || *p == ';') break;
        const char *k = p;
        while (*p && *p != '=' && !isspace((unsigned char)*p) && *p != ';') p++;
        size_t kl = (size_t)(p - k);
        if (*p != '=' || !kl) {
            /* the text is not quoted back: it may be a password */
            cfail(err, errlen, "sasl.jaas.config: the text at offset %d is not an option key=value", (int)(k - jaas));
            return -1;
        }
        p++;
        size_t vl = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1]) p++;
                if (vl + 1 < sizeof val) val[vl++] = *p;
                p++;
            }
            if (*p != '"') {
                cfail(err, errlen, "sasl.jaas.config: the value of the option at offset %d has no closing quote",
                      (int)(k - jaas));
                return -1;
            }
            p++;
        } else {
            while (*p && !isspace((unsigned char)*p) && *p != ';') {
                if (vl + 1 < sizeof val) val[vl++] = *p;
                p++;
            }
        }
        val[vl] = 0;
        int r = fn(k, kl, val, ud);
        OPENSSL_cleanse(val, sizeof val);
        if (r) return r;
    }
    return 0;
}

typedef struct one_opt {
    const char *key;
    char *out;
    size_t cap;
    int found;
} one_opt;

static int one_cb(const char *key, size_t klen, const char *value, void *ud)
{
    one_opt *o = ud;
    if (klen == strlen(o->key) && !strncmp(key, o->key, klen)) {
        snprintf(o->out, o->cap, "%s", value);
        o->found = 1;
    }
    return 0;
}

int kw_jaas_option(const char *jaas, const char *key, char *out, size_t cap, char *err, size_t errlen)
{
    one_opt o = {key, out, cap, 0};
    if (cap) out[0] = 0;
    if (jaas_each(jaas, one_cb, &o, err, errlen)) return -1;
    return o.found;
}

/* unsecuredLoginExtension_KEY=VALUE options appended to a "k=v,k2=v2" list */
static int ext_cb(const char *key, size_t klen, const char *value, void *ud)
{
    static const char pre[] = "unsecuredLoginExtension_";
    kw_buf *b = ud;
    if (klen > sizeof pre - 1 && !strncmp(key, pre, sizeof pre - 1)) {
        if (b->len) kw_buf_put(b, ",", 1);
        kw_buf_put(b, key + sizeof pre - 1, klen - (sizeof pre - 1));
        kw_buf_put(b, "=", 1);
        kw_buf_put(b, value, strlen(value));
    }
    return 0;
}

/* ---- sasl.oauthbearer.config ---- */

static char *dup_n(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

/* Parse librdkafka's "k=v k=v" into the unsecured JWT's fields and extensions. */
static int oauth_config(kw_sasl_setup *s, const char *text, kw_buf *ext, char *err, size_t errlen)
{
    kw_jwt_unsecured *j = &s->src.jwt;
    for (const char *p = text; *p;) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p) break;
        const char *k = p;
        while (*p && !isspace((unsigned char)*p)) p++;
        size_t l = (size_t)(p - k);
        const char *eq = memchr(k, '=', l);
        if (!eq || eq == k)
            return cfail(err, errlen, "sasl.oauthbearer.config: '%.*s' is not key=value", (int)l, k);
        size_t kl = (size_t)(eq - k), vl = l - kl - 1;
        const char *v = eq + 1;
        char **dst = NULL;
        if (kl == 9 && !strncmp(k, "principal", 9)) dst = (char **)&j->principal;
        else if (kl == 18 && !strncmp(k, "principalClaimName", 18)) dst = (char **)&j->principal_claim;
        else if (kl == 5 && !strncmp(k, "scope", 5)) dst = (char **)&j->scope;
        else if (kl == 14 && !strncmp(k, "scopeClaimName", 14)) dst = (char **)&j->scope_claim;
        if (dst) {
            free(*dst);
            if (!(*dst = dup_n(v, vl))) return KW_ERR_NOMEM;
            continue;
        }
        if (kl == 11 && !strncmp(k, "lifeSeconds", 11)) {
            char num[24];
            snprintf(num, sizeof num, "%.*s", (int)(vl < 23 ? vl : 23), v);
            char *e;
            long long n = strtoll(num, &e, 10);
            if (*e || !vl || n <= 0 || n > 315360000)
                return cfail(err, errlen, "sasl.oauthbearer.config: lifeSeconds=%s is not 1..315360000", num);
            j->life_s = n;
            continue;
        }
        if (kl > 10 && !strncmp(k, "extension_", 10)) {
            if (ext->len) kw_buf_put(ext, ",", 1);
            kw_buf_put(ext, k + 10, l - 10);
            continue;
        }
        return cfail(err, errlen, "sasl.oauthbearer.config: unknown key '%.*s' (accepts principal, "
                                  "principalClaimName, scope, scopeClaimName, lifeSeconds, extension_NAME)",
                     (int)kl, k);
    }
    return 0;
}

/* ---- the setup ---- */

void kw_sasl_setup_free(kw_sasl_setup *s)
{
    free_secret(&s->username);
    free_secret(&s->password);
    free(s->extensions);
    free(s->src.where);
    free((char *)s->src.jwt.principal);
    free((char *)s->src.jwt.principal_claim);
    free((char *)s->src.jwt.scope);
    free((char *)s->src.jwt.scope_claim);
    if (s->src.token.data) OPENSSL_cleanse(s->src.token.data, s->src.token.cap);
    kw_buf_free(&s->src.token);
    memset(s, 0, sizeof *s);
}

int kw_sasl_setup_init(kw_sasl_setup *s, const kw_config *c, int *on, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    kw_buf_init(&s->src.token);
    *on = 0;
    const char *proto = kw_config_str(c, KW_CONF_SECURITY_PROTOCOL);
    if (!proto || strncmp(proto, "SASL_", 5)) return 0;
    const char *mname = kw_config_str(c, KW_CONF_SASL_MECHANISM);
    int mech = kw_sasl_mech_parse(mname);
    if (mech == KW_SASL_NONE)
        return cfail(err, errlen, "sasl.mechanism: %s%s is not supported by kwire; set PLAIN, SCRAM-SHA-256, "
                                  "SCRAM-SHA-512 or OAUTHBEARER",
                     mname ? mname : "?", mname && !strcmp(mname, "GSSAPI") ? " (Kerberos, Kafka's default)" : "");
    const char *jaas = kw_config_str(c, KW_CONF_SASL_JAAS_CONFIG);
    char ju[256] = "", jp[256] = "", jsub[256] = "", jlife[32] = "";
    kw_buf ext;
    kw_buf_init(&ext);
    int rc = 0;
    if (jaas && (kw_jaas_option(jaas, "username", ju, sizeof ju, err, errlen) < 0 ||
                 kw_jaas_option(jaas, "password", jp, sizeof jp, err, errlen) < 0 ||
                 kw_jaas_option(jaas, "unsecuredLoginStringClaim_sub", jsub, sizeof jsub, err, errlen) < 0 ||
                 kw_jaas_option(jaas, "unsecuredLoginLifetimeSeconds", jlife, sizeof jlife, err, errlen) < 0 ||
                 jaas_each(jaas, ext_cb, &ext, err, errlen)))
        rc = KW_ERR_CONFIG;
    s->conf.mech = mech;
    if (!rc && (mech == KW_SASL_PLAIN || mech == KW_SASL_SCRAM_SHA_256 || mech == KW_SASL_SCRAM_SHA_512)) {
        const char *u = kw_config_str(c, KW_CONF_SASL_USERNAME), *pw = kw_config_str(c, KW_CONF_SASL_PASSWORD);
        if (!u && ju[0]) u = ju;
        if (!pw && jp[0]) pw = jp;
        if (!u || !*u || !pw)
            rc = cfail(err, errlen, "sasl.username and sasl.password: SASL %s needs both (or sasl.jaas.config "
                                    "with username and password)", mname);
        else if (!(s->username = strdup(u)) || !(s->password = strdup(pw)))
            rc = KW_ERR_NOMEM;
        s->conf.username = s->username;
        s->conf.password = s->password;
    }
    if (!rc && mech == KW_SASL_OAUTHBEARER) {
        const char *file = kw_config_str(c, KW_CONF_SASL_OAUTHBEARER_TOKEN_FILE);
        const char *cmd = kw_config_str(c, KW_CONF_SASL_OAUTHBEARER_TOKEN_COMMAND);
        const char *ocfg = kw_config_str(c, KW_CONF_SASL_OAUTHBEARER_CONFIG);
        if (ocfg) rc = oauth_config(s, ocfg, &ext, err, errlen);
        if (!rc && !s->src.jwt.principal && jsub[0] && !(s->src.jwt.principal = strdup(jsub))) rc = KW_ERR_NOMEM;
        if (!rc && jlife[0] && !s->src.jwt.life_s) s->src.jwt.life_s = strtoll(jlife, NULL, 10);
        int n = (file != NULL) + (cmd != NULL);
        if (!rc && n > 1)
            rc = cfail(err, errlen, "kwire.sasl.oauthbearer.token.file and kwire.sasl.oauthbearer.token.command: "
                                    "set one token source, not both");
        else if (!rc && file && *file) {
            s->src.kind = KW_TOKEN_FILE;
            if (!(s->src.where = strdup(file))) rc = KW_ERR_NOMEM;
        } else if (!rc && cmd && *cmd) {
            s->src.kind = KW_TOKEN_COMMAND;
            if (!(s->src.where = strdup(cmd))) rc = KW_ERR_NOMEM;
        } else if (!rc && s->src.jwt.principal && *s->src.jwt.principal) {
            s->src.kind = KW_TOKEN_UNSECURED;
        } else if (!rc) {
            rc = cfail(err, errlen, "sasl.mechanism=OAUTHBEARER needs a token: kwire.sasl.oauthbearer.token.file, "
                                    "kwire.sasl.oauthbearer.token.command, or sasl.oauthbearer.config="
                                    "principal=NAME for an unsecured JWT");
        }
        s->src.exp_s = -1;
        s->conf.token = kw_token_get;
        s->conf.token_ud = &s->src;
    }
    if (!rc && ext.len) {
        /* check the extensions' form now rather than at the first connection */
        kw_buf probe;
        kw_buf_init(&probe);
        kw_buf_put(&ext, "", 1);
        char e2[200];
        if (kw_oauth_initial(&probe, "x", 1, (const char *)ext.data, e2, sizeof e2))
            rc = cfail(err, errlen, "OAUTHBEARER extensions: %s", e2);
        kw_buf_free(&probe);
        if (!rc && !(s->extensions = strdup((const char *)ext.data))) rc = KW_ERR_NOMEM;
        s->conf.extensions = s->extensions;
    }
    OPENSSL_cleanse(jp, sizeof jp);
    kw_buf_free(&ext);
    if (rc) {
        if (rc == KW_ERR_NOMEM) cfail(err, errlen, "SASL settings: out of memory");
        kw_sasl_setup_free(s);
        return rc;
    }
    *on = 1;
    return 0;
}

/* ---- token sources ---- */

static int read_file(const char *path, kw_buf *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) return cfail(err, errlen, "kwire.sasl.oauthbearer.token.file: %s: %s", path, strerror(errno));
    uint8_t *d = kw_buf_extend(out, MAX_TOKEN + 1);
    size_t n = d ? fread(d, 1, MAX_TOKEN + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!d) return KW_ERR_NOMEM;
    out->len -= MAX_TOKEN + 1 - n;
    if (bad) return cfail(err, errlen, "kwire.sasl.oauthbearer.token.file: %s: read error", path);
    if (n > MAX_TOKEN) return cfail(err, errlen, "kwire.sasl.oauthbearer.token.file: %s is over %d bytes", path, MAX_TOKEN);
    return 0;
}

static int run_command(const char *cmd, kw_buf *out, char *err, size_t errlen)
{
    FILE *f = popen(cmd, "r");
    if (!f) return cfail(err, errlen, "kwire.sasl.oauthbearer.token.command: cannot run '%s': %s", cmd, strerror(errno));
    uint8_t chunk[4096];
    size_t n, total = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        total += n;
        if (total <= MAX_TOKEN) kw_buf_put(out, chunk, n);
    }
    int st = pclose(f);
    OPENSSL_cleanse(chunk, sizeof chunk);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return cfail(err, errlen, "kwire.sasl.oauthbearer.token.command: '%s' failed (%s %d)", cmd,
                     st != -1 && WIFEXITED(st) ? "exit status" : "signal",
                     st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    if (total > MAX_TOKEN)
        return cfail(err, errlen, "kwire.sasl.oauthbearer.token.command: '%s' printed over %d bytes", cmd, MAX_TOKEN);
    return out->err;
}

static void trim(kw_buf *b)
{
    size_t s = 0, e = b->len;
    while (s < e && isspace(b->data[s])) s++;
    while (e > s && isspace(b->data[e - 1])) e--;
    if (s) memmove(b->data, b->data + s, e - s);
    b->len = e - s;
}

int kw_token_get(void *ud, int64_t now_us, kw_buf *out, char *err, size_t errlen)
{
    kw_token_source *t = ud;
    if (!t->token.len || now_us >= t->refresh_at_us) {
        if (t->token.data) OPENSSL_cleanse(t->token.data, t->token.cap);
        t->token.len = 0;
        t->token.err = 0;
        int64_t wall = (int64_t)time(NULL);
        int rc = 0;
        const char *what = t->kind == KW_TOKEN_FILE ? "kwire.sasl.oauthbearer.token.file" : "kwire.sasl.oauthbearer.token.command";
        if (t->kind == KW_TOKEN_FILE) rc = read_file(t->where, &t->token, err, errlen);
        else if (t->kind == KW_TOKEN_COMMAND) rc = run_command(t->where, &t->token, err, errlen);
        else if (t->kind == KW_TOKEN_UNSECURED) {
            rc = kw_jwt_unsecured_build(&t->token, &t->jwt, wall);
            what = "sasl.oauthbearer.config";
        } else rc = cfail(err, errlen, "no OAUTHBEARER token source");
        if (rc) {
            t->token.len = 0;
            return rc;
        }
        trim(&t->token);
        if (!t->token.len) return cfail(err, errlen, "%s: the token is empty", what);
        t->fetches++;
        kw_jwt_claims cl;
        t->exp_s = -1;
        t->refresh_at_us = now_us; /* no readable exp: fetched again next time */
        if (kw_jwt_claims_read((const char *)t->token.data, t->token.len, &cl) == 0 && cl.exp_s > 0) {
            t->exp_s = cl.exp_s;
            if (cl.exp_s <= wall) {
                char when[40];
                time_t e = (time_t)cl.exp_s;
                struct tm tm;
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&e, &tm));
                t->token.len = 0;
                return cfail(err, errlen, "%s: the token expired at %s (its exp claim)", what, when);
            }
            int64_t start = cl.iat_s > 0 && cl.iat_s <= wall ? cl.iat_s : wall;
            double left = (double)(cl.exp_s - start) * REFRESH_FACTOR - (double)(wall - start);
            t->refresh_at_us = now_us + (left > 0 ? (int64_t)(left * 1e6) : 0);
        }
    }
    kw_buf_put(out, t->token.data, t->token.len);
    return out->err;
}
