/*
 * client/config.h — kwire's settings: the KW_CONF_MAP table of every producer and
 * consumer setting and the kw_config calls, declared in the public kwire/config.h
 * (implemented in client/config.c). Library code includes this header.
 */
#ifndef KW_CLIENT_CONFIG_H
#define KW_CLIENT_CONFIG_H

#include "kwire/config.h"

#endif
