/*
 * proto/msg_findcoordinator.h — FindCoordinator (key 10) request and response, versions
 * 0–6, as C structs (described in proto/msg_findcoordinator.c). Versions 0–3 carry one
 * key and one answer; v4+ batch several keys and answer with one entry per key.
 */
#ifndef KW_PROTO_MSG_FINDCOORDINATOR_H
#define KW_PROTO_MSG_FINDCOORDINATOR_H

#include "proto/desc.h"

/* key_type values */
#define KW_COORD_GROUP 0
#define KW_COORD_TRANSACTION 1
#define KW_COORD_SHARE 2 /* v6+ */

typedef struct kw_findcoordinator_req {
    kw_str key;                                        /* v0–3 */
    int8_t key_type;                                   /* v1+ */
    kw_str *coordinator_keys; int32_t n_coordinator_keys; /* v4+ */
} kw_findcoordinator_req;

typedef struct kw_findcoordinator_coord {             /* v4+ */
    kw_str key;
    int32_t node_id;
    kw_str host;
    int32_t port;
    int16_t error_code;
    kw_str error_message; /* nullable */
} kw_findcoordinator_coord;

typedef struct kw_findcoordinator_resp {
    int32_t throttle_time_ms; /* v1+ */
    int16_t error_code;       /* v0–3 */
    kw_str error_message;     /* v1–3, nullable */
    int32_t node_id;          /* v0–3 */
    kw_str host;              /* v0–3 */
    int32_t port;             /* v0–3 */
    kw_findcoordinator_coord *coordinators; int32_t n_coordinators; /* v4+ */
} kw_findcoordinator_resp;

#endif
