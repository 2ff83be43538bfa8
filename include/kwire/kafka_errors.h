/*
 * include/kwire/kafka_errors.h — Kafka broker error codes as an X-macro:
 * X(code, NAME, retriable, text): every code Kafka 4.4 defines. Codes, names and the
 * retriable flags are Kafka's (`make proto-gen` checks them against the kafka-clients
 * jar); the texts are kwire's own short wording.
 * UNKNOWN_SERVER_ERROR (-1) is not listed: local codes own the negative range and
 * the protocol layer maps a broker's -1 to 1000, KW_KAFKA_UNKNOWN_SERVER_ERROR.
 */
#ifndef KW_KAFKA_ERRORS_H
#define KW_KAFKA_ERRORS_H

#define KW_KAFKA_ERR_MAP(X) \
    X(1000, UNKNOWN_SERVER_ERROR, 0, "The broker hit an unexpected error while handling the request.") \
    X(1, OFFSET_OUT_OF_RANGE, 0, "The offset asked for lies outside the partition's log.") \
    X(2, CORRUPT_MESSAGE, 1, "A message failed its CRC check, is too large, has a null key on a compacted topic or is otherwise corrupt.") \
    X(3, UNKNOWN_TOPIC_OR_PARTITION, 1, "The broker does not know this topic or partition.") \
    X(4, INVALID_FETCH_SIZE, 0, "The fetch size asked for is invalid.") \
    X(5, LEADER_NOT_AVAILABLE, 1, "The partition has no leader right now (an election is under way).") \
    X(6, NOT_LEADER_OR_FOLLOWER, 1, "The broker is not the leader (or, for requests any replica may serve, not a replica) of the partition.") \
    X(7, REQUEST_TIMED_OUT, 1, "The request timed out on the broker.") \
    X(8, BROKER_NOT_AVAILABLE, 0, "The broker is not available.") \
    X(9, REPLICA_NOT_AVAILABLE, 1, "The replica is not available for the partition.") \
    X(10, MESSAGE_TOO_LARGE, 0, "A message is larger than the broker accepts.") \
    X(11, STALE_CONTROLLER_EPOCH, 0, "The controller epoch is stale: another broker is controller.") \
    X(12, OFFSET_METADATA_TOO_LARGE, 0, "The offset commit's metadata is too large.") \
    X(13, NETWORK_EXCEPTION, 1, "The connection closed before a response arrived.") \
    X(14, COORDINATOR_LOAD_IN_PROGRESS, 1, "The coordinator is still loading its state.") \
    X(15, COORDINATOR_NOT_AVAILABLE, 1, "The coordinator is not available.") \
    X(16, NOT_COORDINATOR, 1, "The broker is not the coordinator for this group or transaction.") \
    X(17, INVALID_TOPIC_EXCEPTION, 0, "The topic name is invalid, or the operation is not allowed on this topic.") \
    X(18, RECORD_LIST_TOO_LARGE, 0, "The message batch is larger than the topic's segment size.") \
    X(19, NOT_ENOUGH_REPLICAS, 1, "Fewer in-sync replicas than required: the messages were refused.") \
    X(20, NOT_ENOUGH_REPLICAS_AFTER_APPEND, 1, "The messages were written, but to fewer in-sync replicas than required.") \
    X(21, INVALID_REQUIRED_ACKS, 0, "The produce request's acks value is invalid.") \
    X(22, ILLEGAL_GENERATION, 0, "The group generation id is not the current one.") \
    X(23, INCONSISTENT_GROUP_PROTOCOL, 0, "The member's protocols do not match the group's, or its protocol type or list is empty.") \
    X(24, INVALID_GROUP_ID, 0, "The group id is invalid.") \
    X(25, UNKNOWN_MEMBER_ID, 0, "The coordinator does not know this member id.") \
    X(26, INVALID_SESSION_TIMEOUT, 0, "The session timeout is outside the broker's allowed range (group.min/max.session.timeout.ms).") \
    X(27, REBALANCE_IN_PROGRESS, 0, "The group is rebalancing: the member must rejoin.") \
    X(28, INVALID_COMMIT_OFFSET_SIZE, 0, "The committed offset's data size is invalid.") \
    X(29, TOPIC_AUTHORIZATION_FAILED, 0, "Not authorized to access the topic.") \
    X(30, GROUP_AUTHORIZATION_FAILED, 0, "Not authorized to access the group.") \
    X(31, CLUSTER_AUTHORIZATION_FAILED, 0, "Not authorized for this cluster operation.") \
    X(32, INVALID_TIMESTAMP, 0, "A message timestamp is outside the accepted range.") \
    X(33, UNSUPPORTED_SASL_MECHANISM, 0, "The broker does not support this SASL mechanism.") \
    X(34, ILLEGAL_SASL_STATE, 0, "The request is not valid in the current SASL state.") \
    X(35, UNSUPPORTED_VERSION, 0, "The broker does not support this API version.") \
    X(36, TOPIC_ALREADY_EXISTS, 0, "A topic with this name already exists.") \
    X(37, INVALID_PARTITIONS, 0, "The number of partitions is invalid (below 1).") \
    X(38, INVALID_REPLICATION_FACTOR, 0, "The replication factor is invalid (below 1, or more than the brokers available).") \
    X(39, INVALID_REPLICA_ASSIGNMENT, 0, "The replica assignment is invalid.") \
    X(40, INVALID_CONFIG, 0, "The configuration is invalid.") \
    X(41, NOT_CONTROLLER, 1, "The broker is not this cluster's controller.") \
    X(42, INVALID_REQUEST, 0, "The request is malformed or was sent to a broker that cannot handle it.") \
    X(43, UNSUPPORTED_FOR_MESSAGE_FORMAT, 0, "The broker's message format does not support this request.") \
    X(44, POLICY_VIOLATION, 0, "The request breaks a policy configured on the broker.") \
    X(45, OUT_OF_ORDER_SEQUENCE_NUMBER, 0, "The broker got a produce sequence number out of order.") \
    X(46, DUPLICATE_SEQUENCE_NUMBER, 0, "The broker got a duplicate produce sequence number.") \
    X(47, INVALID_PRODUCER_EPOCH, 0, "The producer epoch is older than the broker's.") \
    X(48, INVALID_TXN_STATE, 0, "The producer's transactional call is not valid in its current state.") \
    X(49, INVALID_PRODUCER_ID_MAPPING, 0, "The producer id is not the one assigned to this transactional id.") \
    X(50, INVALID_TRANSACTION_TIMEOUT, 0, "The transaction timeout exceeds the broker's transaction.max.timeout.ms.") \
    X(51, CONCURRENT_TRANSACTIONS, 1, "Another operation on the same transaction is in progress.") \
    X(52, TRANSACTION_COORDINATOR_FENCED, 0, "The transaction coordinator that sent the marker is no longer the coordinator.") \
    X(53, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 0, "Not authorized for this transactional id.") \
    X(54, SECURITY_DISABLED, 0, "Security features are disabled on the broker.") \
    X(55, OPERATION_NOT_ATTEMPTED, 0, "The broker did not attempt this operation.") \
    X(56, KAFKA_STORAGE_ERROR, 1, "The broker hit a disk error reading or writing the log.") \
    X(57, LOG_DIR_NOT_FOUND, 0, "The log directory named is not configured on the broker.") \
    X(58, SASL_AUTHENTICATION_FAILED, 0, "SASL authentication failed.") \
    X(59, UNKNOWN_PRODUCER_ID, 0, "The broker has no state for this producer id.") \
    X(60, REASSIGNMENT_IN_PROGRESS, 0, "A partition reassignment is in progress.") \
    X(61, DELEGATION_TOKEN_AUTH_DISABLED, 0, "Delegation tokens are not enabled.") \
    X(62, DELEGATION_TOKEN_NOT_FOUND, 0, "No such delegation token on the broker.") \
    X(63, DELEGATION_TOKEN_OWNER_MISMATCH, 0, "The principal is not the token's owner or renewer.") \
    X(64, DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, 0, "Delegation token requests are not allowed on this channel (plaintext, one-way TLS, or token-authenticated).") \
    X(65, DELEGATION_TOKEN_AUTHORIZATION_FAILED, 0, "Not authorized for this delegation token.") \
    X(66, DELEGATION_TOKEN_EXPIRED, 0, "The delegation token has expired.") \
    X(67, INVALID_PRINCIPAL_TYPE, 0, "This principal type is not supported.") \
    X(68, NON_EMPTY_GROUP, 0, "The group is not empty.") \
    X(69, GROUP_ID_NOT_FOUND, 0, "No group with this id.") \
    X(70, FETCH_SESSION_ID_NOT_FOUND, 1, "The broker has no fetch session with this id.") \
    X(71, INVALID_FETCH_SESSION_EPOCH, 1, "The fetch session epoch is not the expected one.") \
    X(72, LISTENER_NOT_FOUND, 1, "The partition's leader has no listener matching the one the metadata came from.") \
    X(73, TOPIC_DELETION_DISABLED, 0, "Topic deletion is disabled on the broker.") \
    X(74, FENCED_LEADER_EPOCH, 1, "The request's leader epoch is older than the broker's.") \
    X(75, UNKNOWN_LEADER_EPOCH, 1, "The request's leader epoch is newer than the broker's.") \
    X(76, UNSUPPORTED_COMPRESSION_TYPE, 0, "The client does not support the partition's compression type.") \
    X(77, STALE_BROKER_EPOCH, 0, "The broker epoch has changed.") \
    X(78, OFFSET_NOT_AVAILABLE, 1, "The new leader's high watermark has not caught up yet: offsets not available.") \
    X(79, MEMBER_ID_REQUIRED, 0, "The member must get a member id (join again with it) before entering the group.") \
    X(80, PREFERRED_LEADER_NOT_AVAILABLE, 1, "The preferred leader is not available.") \
    X(81, GROUP_MAX_SIZE_REACHED, 0, "The group has reached its maximum size.") \
    X(82, FENCED_INSTANCE_ID, 0, "Another member registered with the same group.instance.id: this static member is fenced.") \
    X(83, ELIGIBLE_LEADERS_NOT_AVAILABLE, 1, "No eligible leader is available for the partition.") \
    X(84, ELECTION_NOT_NEEDED, 1, "The partition needs no leader election.") \
    X(85, NO_REASSIGNMENT_IN_PROGRESS, 0, "No partition reassignment is in progress.") \
    X(86, GROUP_SUBSCRIBED_TO_TOPIC, 0, "The group is subscribed to the topic: its offsets cannot be deleted.") \
    X(87, INVALID_RECORD, 0, "The broker rejected a record as invalid.") \
    X(88, UNSTABLE_OFFSET_COMMIT, 1, "Unstable offsets (of open transactions) must be resolved first.") \
    X(89, THROTTLING_QUOTA_EXCEEDED, 1, "The throttling quota was exceeded.") \
    X(90, PRODUCER_FENCED, 0, "A newer producer with the same transactional id has fenced this one.") \
    X(91, RESOURCE_NOT_FOUND, 0, "The request refers to a resource that does not exist.") \
    X(92, DUPLICATE_RESOURCE, 0, "The request names the same resource twice.") \
    X(93, UNACCEPTABLE_CREDENTIAL, 0, "The credential does not meet the acceptance criteria.") \
    X(94, INCONSISTENT_VOTER_SET, 0, "The sender or receiver of a voter request is not one of the expected voters.") \
    X(95, INVALID_UPDATE_VERSION, 0, "The update version is invalid.") \
    X(96, FEATURE_UPDATE_FAILED, 0, "Updating the finalized features failed.") \
    X(97, PRINCIPAL_DESERIALIZATION_FAILURE, 0, "The forwarded request's principal could not be deserialized.") \
    X(98, SNAPSHOT_NOT_FOUND, 0, "No such snapshot.") \
    X(99, POSITION_OUT_OF_RANGE, 0, "The snapshot position is out of range.") \
    X(100, UNKNOWN_TOPIC_ID, 1, "The broker does not know this topic id.") \
    X(101, DUPLICATE_BROKER_REGISTRATION, 0, "This broker id is already registered.") \
    X(102, BROKER_ID_NOT_REGISTERED, 0, "This broker id is not registered.") \
    X(103, INCONSISTENT_TOPIC_ID, 1, "The topic id does not match the log's.") \
    X(104, INCONSISTENT_CLUSTER_ID, 0, "The cluster id does not match the broker's.") \
    X(105, TRANSACTIONAL_ID_NOT_FOUND, 0, "No such transactional id.") \
    X(106, FETCH_SESSION_TOPIC_ID_ERROR, 1, "The fetch session mixed topic ids and names inconsistently.") \
    X(107, INELIGIBLE_REPLICA, 0, "The new ISR contains an ineligible replica.") \
    X(108, NEW_LEADER_ELECTED, 0, "The partition state was updated but the leader changed.") \
    X(109, OFFSET_MOVED_TO_TIERED_STORAGE, 0, "The offset has moved to tiered storage.") \
    X(110, FENCED_MEMBER_EPOCH, 0, "The member epoch is fenced by the group coordinator.") \
    X(111, UNRELEASED_INSTANCE_ID, 0, "The instance id is still used by another member of the group.") \
    X(112, UNSUPPORTED_ASSIGNOR, 0, "The group does not support this assignor or its versions.") \
    X(113, STALE_MEMBER_EPOCH, 0, "The member epoch is stale.") \
    X(114, MISMATCHED_ENDPOINT_TYPE, 0, "The request went to an endpoint of the wrong type (broker or controller).") \
    X(115, UNSUPPORTED_ENDPOINT_TYPE, 0, "This endpoint type is not supported yet.") \
    X(116, UNKNOWN_CONTROLLER_ID, 0, "The controller id is not known.") \
    X(117, UNKNOWN_SUBSCRIPTION_ID, 0, "The telemetry subscription id is invalid or out of date.") \
    X(118, TELEMETRY_TOO_LARGE, 0, "The telemetry push is larger than the broker accepts.") \
    X(119, INVALID_REGISTRATION, 0, "The controller considers the broker registration invalid.") \
    X(120, TRANSACTION_ABORTABLE, 0, "The transaction failed on the broker and must be aborted.") \
    X(121, INVALID_RECORD_STATE, 0, "The record's state is invalid.") \
    X(122, SHARE_SESSION_NOT_FOUND, 1, "The broker has no share session with this id.") \
    X(123, INVALID_SHARE_SESSION_EPOCH, 1, "The share session epoch is not the expected one.") \
    X(124, FENCED_STATE_EPOCH, 0, "The share-group state epoch does not match the share coordinator's.") \
    X(125, INVALID_VOTER_KEY, 0, "The voter key does not match the receiving replica's.") \
    X(126, DUPLICATE_VOTER, 0, "The voter is already in the voter set.") \
    X(127, VOTER_NOT_FOUND, 0, "The voter is not in the voter set.") \
    X(128, INVALID_REGULAR_EXPRESSION, 0, "The regular expression is invalid.") \
    X(129, REBOOTSTRAP_REQUIRED, 0, "The client's metadata is stale: it must bootstrap again.") \
    X(130, STREAMS_INVALID_TOPOLOGY, 0, "The streams topology is invalid.") \
    X(131, STREAMS_INVALID_TOPOLOGY_EPOCH, 0, "The streams topology epoch is invalid.") \
    X(132, STREAMS_TOPOLOGY_FENCED, 0, "The streams topology was fenced by a newer one.") \
    X(133, SHARE_SESSION_LIMIT_REACHED, 1, "The broker has reached its limit of share sessions.") \
    X(134, GROUP_DELETION_FAILED, 0, "Deleting the group failed.") \
    X(135, STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED, 0, "Updating the streams topology description failed.") \
    X(136, CONTROLLER_ID_NOT_REGISTERED, 0, "The controller id is not registered.") \


enum {
#define KW__KERR_ENUM(code, name, retriable, text) KW_KAFKA_##name = (code),
    KW_KAFKA_ERR_MAP(KW__KERR_ENUM)
#undef KW__KERR_ENUM
    KW_KAFKA_NONE = 0
};

#endif
