/*
 * client/admin/admin.h — cluster administration (CreateTopics), declared in the public
 * kwire/admin.h (implemented in client/admin/admin.c).
 */
#ifndef KW_CLIENT_ADMIN_H
#define KW_CLIENT_ADMIN_H

#include "client/conn/net.h"
#include "kwire/admin.h"

/* The CreateTopics request body kw_create_topics sends (also kwire explain's). */
int kw__create_topics_encode(const kw_topic_spec *topics, int nt, int32_t timeout_ms, int validate_only,
                             int16_t version, kw_buf *out);

#endif
