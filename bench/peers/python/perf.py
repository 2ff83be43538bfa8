"""bench/peers/python/perf.py — the Python peers of `kwire bench compare`: produce N
records of one payload, or consume N records from the start of every partition of a
topic (no group, no commits), with confluent-kafka (librdkafka) or kafka-python, and
print one JSON line of what was measured.

    perf.py confluent|kafka-python produce BOOTSTRAP TOPIC N PAYLOAD_FILE [name=value ...]
    perf.py confluent|kafka-python consume BOOTSTRAP TOPIC N [name=value ...]
    -> {"records": N, "failed": F, "seconds": S, "client": "confluent-kafka 2.16.1 (librdkafka 2.x)"}

Settings come by the client's own names (bench/peers.c maps Kafka's names): librdkafka's
for confluent, kafka-python's keywords otherwise. seconds: produce from the first send to
the end of flush(); consume from the consumer's creation to the N-th record. The module
missing: a line on stderr and exit 3; bad arguments: exit 2; fewer records than asked:
exit 1 (the line still printed).
"""
import json
import sys
import time


def die(code, msg):
    sys.stderr.write("perf.py: %s\n" % msg)
    sys.exit(code)


def kafka_python_value(key, value):
    if key == "compression_type":
        return None if value == "none" else value
    if key == "acks":
        return "all" if value in ("all", "-1") else int(value)
    if key in ("client_id", "isolation_level"):
        return value
    return int(value)


def confluent(mode, bootstrap, topic, n, payload, settings):
    try:
        import confluent_kafka
    except ImportError:
        die(3, "confluent-kafka not installed for %s" % sys.executable)
    v = confluent_kafka.version()
    version = "confluent-kafka %s (librdkafka %s)" % (v[0] if isinstance(v, tuple) else v, confluent_kafka.libversion()[0])
    conf = {"bootstrap.servers": bootstrap}
    conf.update(settings)
    if mode == "produce":
        p = confluent_kafka.Producer(conf)
        failed = [0]

        def report(err, msg):
            if err is not None:
                failed[0] += 1

        start = time.monotonic()
        for _ in range(n):
            while True:
                try:
                    p.produce(topic, payload, on_delivery=report)
                    break
                except BufferError:  # queue.buffering.max.messages reached: serve reports
                    p.poll(0.05)
            p.poll(0)
        left = p.flush(600)
        seconds = time.monotonic() - start
        return {"records": n - failed[0] - left, "failed": failed[0] + left, "seconds": seconds, "client": version}
    start = time.monotonic()
    conf.setdefault("group.id", "kwire-compare-unused")  # required by the API; no commits
    conf["enable.auto.commit"] = False
    c = confluent_kafka.Consumer(conf)
    md = c.list_topics(topic, timeout=30)
    parts = sorted(md.topics[topic].partitions) if topic in md.topics else []
    c.assign([confluent_kafka.TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING) for p in parts])
    got, idle = 0, time.monotonic()
    while got < n and time.monotonic() - idle < 15:
        msgs = c.consume(num_messages=10000, timeout=0.5)
        ok = sum(1 for m in msgs if m.error() is None)
        if ok:
            got += ok
            idle = time.monotonic()
    seconds = time.monotonic() - start
    c.close()
    return {"records": min(got, n), "failed": 0, "seconds": seconds, "client": version}


def kafka_python(mode, bootstrap, topic, n, payload, settings):
    try:
        import kafka
        from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    except ImportError:
        die(3, "kafka-python not installed for %s" % sys.executable)
    version = "kafka-python %s" % kafka.__version__
    kw = {k: kafka_python_value(k, v) for k, v in settings.items()}
    bs = bootstrap.split(",")
    if mode == "produce":
        p = KafkaProducer(bootstrap_servers=bs, **kw)
        failed = [0]

        def err(_):
            failed[0] += 1

        start = time.monotonic()
        for _ in range(n):
            p.send(topic, payload).add_errback(err)
        p.flush()
        seconds = time.monotonic() - start
        p.close()
        return {"records": n - failed[0], "failed": failed[0], "seconds": seconds, "client": version}
    start = time.monotonic()
    c = KafkaConsumer(bootstrap_servers=bs, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest", **kw)
    parts = None
    for _ in range(100):
        parts = c.partitions_for_topic(topic)
        if parts:
            break
        time.sleep(0.1)
    c.assign([TopicPartition(topic, p) for p in sorted(parts or [])])
    c.seek_to_beginning()
    got, idle = 0, time.monotonic()
    max_records = None if "max_poll_records" in kw else 100000
    while got < n and time.monotonic() - idle < 15:
        for recs in c.poll(timeout_ms=500, max_records=max_records).values():
            got += len(recs)
            idle = time.monotonic()
    seconds = time.monotonic() - start
    c.close()
    return {"records": min(got, n), "failed": 0, "seconds": seconds, "client": version}


def main(argv):
    if len(argv) < 6 or argv[1] not in ("confluent", "kafka-python") or argv[2] not in ("produce", "consume"):
        die(2, "usage: perf.py confluent|kafka-python produce|consume BOOTSTRAP TOPIC N [PAYLOAD_FILE] [name=value ...]")
    client, mode, bootstrap, topic = argv[1:5]
    try:
        n = int(argv[5])
    except ValueError:
        die(2, "bad record count %r" % argv[5])
    rest = argv[6:]
    payload = b""
    if mode == "produce":
        if not rest:
            die(2, "produce needs PAYLOAD_FILE")
        with open(rest[0], "rb") as f:
            payload = f.read().rstrip(b"\n")
        rest = rest[1:]
    settings = {}
    for a in rest:
        if "=" not in a:
            die(2, "expected name=value, got %r" % a)
        k, v = a.split("=", 1)
        settings[k] = v
    run = confluent if client == "confluent" else kafka_python
    result = run(mode, bootstrap, topic, n, payload, settings)
    print(json.dumps(result))
    sys.stdout.flush()
    return 0 if result["records"] == n else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
