/*
 * client/conn/sasl_conf.h — from settings to what a connection authenticates with: the
 * mechanism and credentials (sasl.mechanism, sasl.username, sasl.password, or the Java
 * clients' sasl.jaas.config), and for OAUTHBEARER a token source:
 *
 *   kwire.sasl.oauthbearer.token.file     a file holding the token (a JWT), read again
 *                                         when 80% of its lifetime (exp - iat, or exp -
 *                                         the time it was read) has passed; also Java's
 *                                         sasl.oauthbearer.token.endpoint.url=file://PATH
 *   kwire.sasl.oauthbearer.token.command  a command (sh -c) printing the token on
 *                                         stdout, run again at the same point; it runs
 *                                         in the connecting thread, so keep it quick
 *   sasl.oauthbearer.config               librdkafka's unsecured JWT: principal=NAME
 *                                         [scope=a,b] [lifeSeconds=N (3600)]
 *                                         [principalClaimName=sub] [scopeClaimName=scope]
 *                                         [extension_KEY=VALUE ...]; also Java's
 *                                         unsecuredLoginStringClaim_sub and friends in
 *                                         sasl.jaas.config
 * A token without a readable exp claim is fetched again for every authentication.
 * Extensions (extension_KEY=VALUE, unsecuredLoginExtension_KEY) go with any source.
 *
 * Reading a token file or running a command is the only I/O here.
 */
#ifndef KW_CLIENT_SASL_CONF_H
#define KW_CLIENT_SASL_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "client/conn/auth.h"
#include "client/core/config.h"
#include "codec/buf.h"

enum { KW_TOKEN_NONE, KW_TOKEN_FILE, KW_TOKEN_COMMAND, KW_TOKEN_UNSECURED };

typedef struct kw_token_source {
    int kind;                  /* KW_TOKEN_* */
    char *where;               /* file path or command */
    kw_jwt_unsecured jwt;      /* KW_TOKEN_UNSECURED (strings owned) */
    kw_buf token;              /* the cached token */
    int64_t refresh_at_us;     /* fetch again from then on (caller's monotonic clock) */
    int64_t exp_s;             /* the cached token's exp claim, -1 unknown */
    uint64_t fetches;          /* how many times it was fetched */
} kw_token_source;

typedef struct kw_sasl_setup {
    kw_sasl_conf conf;         /* what connections use; points into this struct */
    char *username, *password, *extensions;
    kw_token_source src;
} kw_sasl_setup;

/*
 * The SASL part of a config. *on is set to 1 when security.protocol is SASL_* (conf
 * then ready), else 0 and nothing is held. 0, or KW_ERR_CONFIG with err naming the
 * setting (GSSAPI, missing credentials, no token source or two of them, malformed
 * sasl.oauthbearer.config or sasl.jaas.config), or KW_ERR_NOMEM.
 */
int kw_sasl_setup_init(kw_sasl_setup *s, const kw_config *c, int *on, char *err, size_t errlen);
/* Wipes the secrets it held. */
void kw_sasl_setup_free(kw_sasl_setup *s);

/* The token source as a kw_token_fn (ud = the kw_token_source). */
int kw_token_get(void *ud, int64_t now_us, kw_buf *out, char *err, size_t errlen);

/* Parse a JAAS line ("Module required k=v k2=\"v 2\";"): the value of option key into
 * out (NUL-terminated). 1 found, 0 not there, -1 malformed (err set). */
int kw_jaas_option(const char *jaas, const char *key, char *out, size_t cap, char *err, size_t errlen);

#endif
