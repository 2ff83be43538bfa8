#!/usr/bin/env bash
# scripts/protogen/run.sh — `make proto-gen`: fetch the pinned kafka-clients jars with
# Maven into the tree's .cache/ (once), then regenerate proto/'s descriptions from their
# message specifications (scripts/protogen/protogen.py), and check include/kwire/kafka_errors.h
# against the newest jar's error codes (scripts/protogen/ErrorCodes.java).
# Needs Maven, a JDK and Python 3; building kwire needs none of them.
set -euo pipefail
cd "$(dirname "$0")/../.."
NEW=4.4.0   # the newest Kafka 4.x: its versions are described
OLD=3.9.2   # the last 3.x: keys 4-7 (removed in 4.0) and what 4.0 removed
V40=4.0.0
repo=.cache/maven
jar() { echo "$repo/org/apache/kafka/kafka-clients/$1/kafka-clients-$1.jar"; }
for v in $NEW $OLD $V40; do
  if [ ! -f "$(jar $v)" ]; then
    mvn -q -Dmaven.repo.local="$repo" dependency:get -Dartifact=org.apache.kafka:kafka-clients:$v -Dtransitive=false
  fi
done
python3 scripts/protogen/protogen.py --jar "$(jar $NEW)" --jar-version $NEW --old-jar "$(jar $OLD)" \
  --old-version $OLD --v40-jar "$(jar $V40)" --out proto
# the consumer protocol's subscription and assignment, carried inside JoinGroup / SyncGroup bytes
python3 scripts/protogen/datagen.py --jar "$(jar $NEW)" --jar-version $NEW --out proto
# the error table: codes, names and retriable flags as the jar has them (its texts are ours)
SLF4J=1.7.36   # Errors' static initializer logs through slf4j
slf=$repo/org/slf4j/slf4j-api/$SLF4J/slf4j-api-$SLF4J.jar
[ -f "$slf" ] || mvn -q -Dmaven.repo.local="$repo" dependency:get -Dartifact=org.slf4j:slf4j-api:$SLF4J -Dtransitive=false
java -cp "$(jar $NEW):$slf" scripts/protogen/ErrorCodes.java 2>/dev/null | python3 scripts/protogen/check_errors.py include/kwire/kafka_errors.h
