/*
 * client/admin.h — cluster administration (CreateTopics), declared in the public
 * kwire/admin.h (implemented in client/admin.c).
 */
#ifndef KW_CLIENT_ADMIN_H
#define KW_CLIENT_ADMIN_H

#include "client/net.h"
#include "kwire/admin.h"

#endif
