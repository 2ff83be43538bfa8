/*
 * client/consumer.h — the consumer: assigned partitions or a group member's, fetched
 * from their leaders and handed out. Its public calls and their contract (start
 * positions, fetching, delivery, errors, waiting, group membership) are in
 * kwire/consumer.h; the library includes this header.
 */
#ifndef KW_CLIENT_CONSUMER_H
#define KW_CLIENT_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "client/assignor.h"
#include "client/config.h"
#include "client/hdr.h"
#include "client/net.h"
#include "client/rate.h"

#include "kwire/consumer.h"

#endif
