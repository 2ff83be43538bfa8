/*
 * proto/sasl_annot.h — the teaching view of SASL messages: the auth_bytes of a
 * SaslAuthenticate request or response annotated as the mechanism's message, field by
 * field, with the secrets in it hidden.
 *
 * The mechanism is read from the bytes themselves (a dump may start mid-exchange, and a
 * saved frame has no SaslHandshake before it):
 *   client  "\0user\0password"                 PLAIN: authzid, authcid, passwd
 *           "n,,n=user,r=nonce"                SCRAM client-first: gs2_header, n, r
 *           "c=biws,r=nonce,p=proof"           SCRAM client-final: c, r, p
 *           "n,,\x01auth=Bearer T\x01...\x01"  OAUTHBEARER: gs2_header, auth, extensions
 *           "\x01"                             OAUTHBEARER: the acknowledgement of an error
 *   server  "r=nonce,s=salt,i=4096"            SCRAM server-first: r, s, i
 *           "v=signature" / "e=error"          SCRAM server-final
 *           "{...}"                            OAUTHBEARER error (JSON)
 * Secrets — the password, the client proof, the bearer token, and client bytes of no
 * known form — are reported with kw_ann.secret set and the value "<redacted, N bytes>"
 * unless show_secrets is set (kwire --dump-secrets).
 */
#ifndef KW_PROTO_SASL_ANNOT_H
#define KW_PROTO_SASL_ANNOT_H

#include <stddef.h>

#include "codec/annot.h"

/* Annotate p[0..len) (the auth_bytes contents, after their length prefix), dir KW_REQ
 * (client) or KW_RESP (server); off: p's offset in the region; depth: the events' depth.
 * Every byte is covered by exactly one FIELD, in order. Returns the callback's non-zero
 * result, else 0. *what: a name for the message ("SCRAM client-first-message"). */
int kw__sasl_annotate(const uint8_t *p, size_t len, size_t off, int depth, int dir, int show_secrets, kw_ann_cb cb,
                      void *ud, const char **what);
/* Only the description of what the bytes are (as *what above), without a walk. */
const char *kw__sasl_what(const uint8_t *p, size_t len, int dir);

#endif
