/*
 * client/consume/consumer.h — the consumer: assigned partitions or a group member's, fetched
 * from their leaders and handed out. Its public calls and their contract (start
 * positions, fetching, delivery, errors, waiting, group membership) are in
 * kwire/consumer.h; the library includes this header.
 */
#ifndef KW_CLIENT_CONSUMER_H
#define KW_CLIENT_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "client/consume/assignor.h"
#include "client/core/config.h"
#include "client/core/hdr.h"
#include "client/conn/net.h"
#include "client/core/rate.h"

#include "kwire/consumer.h"

#endif
