/*
 * proto/sasl_annot.c — SASL messages annotated field by field with secrets hidden
 * (proto/sasl_annot.h).
 */
#include "proto/sasl_annot.h"

#include <stdio.h>
#include <string.h>

#include "proto/proto.h"

typedef struct walk {
    const uint8_t *base;
    size_t off0;
    int depth, show, rc;
    kw_ann_cb cb;
    void *ud;
} walk;

static void field(walk *w, const char *name, const uint8_t *b, size_t n, const char *value, int secret)
{
    if (w->rc) return;
    kw_ann a = {KW_ANN_FIELD, name, "sasl_text", b, w->off0 + (size_t)(b - w->base), n, value, w->depth, secret};
    w->rc = w->cb(w->ud, &a);
}

/* "\"text\"" (the printer escapes what is not printable), cut to fit. */
static const char *quoted(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    snprintf(dst, cap, "\"%.*s\"%s", (int)(n > cap - 20 ? cap - 20 : n), (const char *)p, n > cap - 20 ? "..." : "");
    return dst;
}

static const char *redacted(char *dst, size_t cap, const char *prefix, size_t n)
{
    snprintf(dst, cap, "%s<redacted, %zu bytes>", prefix, n);
    return dst;
}

/* A secret: redacted unless the walk shows secrets. */
static void secret_field(walk *w, const char *name, const uint8_t *b, size_t n, const uint8_t *s, size_t sn,
                         const char *prefix)
{
    char v[400];
    if (w->show) {
        char q[380];
        snprintf(v, sizeof v, "%s%s", prefix, quoted(q, sizeof q, s, sn));
        field(w, name, b, n, v, 0);
    } else {
        field(w, name, b, n, redacted(v, sizeof v, prefix, sn), 1);
    }
}

/* The length of "n,," / "y,," / "n,a=authzid," at p, or 0. */
static size_t gs2_len(const uint8_t *p, size_t len)
{
    if (len < 3) return 0;
    size_t i;
    if (p[0] == 'n' || p[0] == 'y') i = 1;
    else if (p[0] == 'p' && p[1] == '=') {
        i = 2;
        while (i < len && p[i] != ',') i++;
    } else return 0;
    if (i >= len || p[i] != ',') return 0;
    i++;
    while (i < len && p[i] != ',') i++;
    return i < len ? i + 1 : 0;
}

static const char *scram_name(char a, int dir)
{
    switch (a) {
    case 'n': return "username";
    case 'r': return "nonce";
    case 'c': return "channel_binding";
    case 'p': return "proof";
    case 's': return "salt";
    case 'i': return "iterations";
    case 'v': return "server_signature";
    case 'e': return dir == KW_RESP ? "server_error" : "error";
    case 'm': return "mandatory_extension";
    default: return "attribute";
    }
}

/* SCRAM attributes "a=value[,...]": one field per attribute, its comma included. */
static void scram_attrs(walk *w, const uint8_t *p, size_t len, int dir)
{
    size_t i = 0;
    while (i < len && !w->rc) {
        size_t s = i;
        while (i < len && p[i] != ',') i++;
        size_t end = i < len ? i + 1 : i; /* the comma goes with its attribute */
        const uint8_t *a = p + s;
        size_t an = i - s;
        char v[400], q[360];
        if (an >= 2 && a[1] == '=') {
            const uint8_t *val = a + 2;
            size_t vn = an - 2;
            if (a[0] == 'p' && dir == KW_REQ) {
                secret_field(w, "proof", a, end - s, val, vn, "");
            } else if (a[0] == 's') {
                size_t pad = vn >= 2 && val[vn - 1] == '=' ? (val[vn - 2] == '=' ? 2 : 1) : 0;
                snprintf(v, sizeof v, "%s (base64 of %zu bytes)", quoted(q, sizeof q, val, vn),
                         vn % 4 ? 0 : vn / 4 * 3 - pad);
                field(w, "salt", a, end - s, v, 0);
            } else if (a[0] == 'c' && vn == 4 && !memcmp(val, "biws", 4)) {
                field(w, "channel_binding", a, end - s, "\"biws\" (base64 of \"n,,\": no channel binding)", 0);
            } else {
                field(w, scram_name((char)a[0], dir), a, end - s, quoted(v, sizeof v, val, vn), 0);
            }
        } else {
            field(w, "attribute", a, end - s, quoted(v, sizeof v, a, an), 0);
        }
        i = end;
    }
}

const char *kw__sasl_what(const uint8_t *p, size_t len, int dir)
{
    if (!len) return "empty";
    if (dir == KW_RESP) {
        if (len >= 2 && p[0] == 'r' && p[1] == '=') return "SCRAM server-first-message";
        if (len >= 2 && (p[0] == 'v' || p[0] == 'e') && p[1] == '=') return "SCRAM server-final-message";
        if (p[0] == '{') return "OAUTHBEARER error (JSON)";
        return "server message";
    }
    if (len == 1 && p[0] == 1) return "OAUTHBEARER acknowledgement of an error";
    if (memchr(p, 0, len)) return "PLAIN message";
    size_t g = gs2_len(p, len);
    if (g && g < len && p[g] == 1) return "OAUTHBEARER client initial response";
    if (g) return "SCRAM client-first-message";
    if (len >= 2 && p[0] == 'c' && p[1] == '=') return "SCRAM client-final-message";
    return "client message of no known mechanism";
}

int kw__sasl_annotate(const uint8_t *p, size_t len, size_t off, int depth, int dir, int show_secrets, kw_ann_cb cb,
                      void *ud, const char **what)
{
    walk w = {p, off, depth, show_secrets, 0, cb, ud};
    const char *kind = kw__sasl_what(p, len, dir);
    if (what) *what = kind;
    char v[400], q[360];
    if (!len) return 0;
    if (dir == KW_RESP) {
        if (p[0] == '{') field(&w, "error", p, len, quoted(v, sizeof v, p, len), 0);
        else if (len >= 2 && p[1] == '=') scram_attrs(&w, p, len, dir);
        else {
            snprintf(v, sizeof v, "%zu bytes", len);
            field(&w, "data", p, len, v, 0);
        }
        return w.rc;
    }
    if (len == 1 && p[0] == 1) {
        field(&w, "kvsep", p, 1, "0x01 (the client acknowledges the server's error)", 0);
        return w.rc;
    }
    const uint8_t *z1 = memchr(p, 0, len);
    if (z1) { /* PLAIN: authzid NUL authcid NUL passwd */
        size_t a = (size_t)(z1 - p) + 1;
        const uint8_t *z2 = memchr(p + a, 0, len - a);
        snprintf(v, sizeof v, "%s%s", quoted(q, sizeof q, p, a - 1), a == 1 ? " (none: the user itself)" : "");
        field(&w, "authzid", p, a, v, 0);
        if (!z2) {
            secret_field(&w, "rest", p + a, len - a, p + a, len - a, "");
            return w.rc;
        }
        size_t b = (size_t)(z2 - p) + 1;
        field(&w, "authcid", p + a, b - a, quoted(v, sizeof v, p + a, b - a - 1), 0);
        secret_field(&w, "passwd", p + b, len - b, p + b, len - b, "");
        return w.rc;
    }
    size_t g = gs2_len(p, len);
    if (g) {
        const char *gv = g == 3 && p[0] == 'n' ? "\"n,,\" (no channel binding, no authorization identity)"
                                               : quoted(v, sizeof v, p, g);
        field(&w, "gs2_header", p, g, gv, 0);
        if (g < len && p[g] == 1) { /* OAUTHBEARER: ^A key=value ^A ... ^A */
            field(&w, "kvsep", p + g, 1, "0x01", 0);
            size_t i = g + 1;
            while (i < len && !w.rc) {
                size_t s = i;
                while (i < len && p[i] != 1) i++;
                size_t end = i < len ? i + 1 : i;
                if (i == s) {
                    field(&w, "end", p + s, end - s, "0x01 (end of the message)", 0);
                } else if (i - s >= 12 && !memcmp(p + s, "auth=Bearer ", 12)) {
                    secret_field(&w, "auth", p + s, end - s, p + s + 12, i - s - 12, "Bearer ");
                } else {
                    field(&w, "extension", p + s, end - s, quoted(v, sizeof v, p + s, i - s), 0);
                }
                i = end;
            }
        } else {
            scram_attrs(&w, p + g, len - g, dir);
        }
        return w.rc;
    }
    if (len >= 2 && p[0] == 'c' && p[1] == '=') {
        scram_attrs(&w, p, len, dir);
        return w.rc;
    }
    secret_field(&w, "data", p, len, p, len, "");
    return w.rc;
}
