#!/usr/bin/python3
"""kpy_group.py BOOTSTRAP — kafka-python producer then group consumer, for a traffic capture.

Produces 4 records (key kpy-i, value value-i, no headers, timestamp 1700000001000+i) to
topic "traffic" partition 1, then consumes "traffic" in group "kpy-group" from the earliest
offset (auto commit off) until it has seen every record of both partitions (the 6 kcat
records in partition 0 plus these 4), commits synchronously, and closes (LeaveGroup).
"""
import sys
import time

from kafka import KafkaConsumer, KafkaProducer


def main():
    boot = sys.argv[1].split(",")
    p = KafkaProducer(bootstrap_servers=boot, client_id="kpy-capture", acks=1, linger_ms=200)
    for i in range(4):
        p.send("traffic", key=b"kpy-%d" % i, value=b"value-%d" % i, partition=1,
               timestamp_ms=1700000001000 + i)
    p.flush(timeout=15)
    p.close(timeout=5)

    c = KafkaConsumer("traffic", bootstrap_servers=boot, client_id="kpy-capture",
                      group_id="kpy-group", auto_offset_reset="earliest",
                      enable_auto_commit=False, fetch_max_wait_ms=100,
                      heartbeat_interval_ms=1000, session_timeout_ms=10000)
    seen = 0
    deadline = time.time() + 60
    while seen < 10 and time.time() < deadline:
        for _tp, msgs in c.poll(timeout_ms=500).items():
            seen += len(msgs)
    c.commit()
    print("consumed", seen, "committed", {tp.partition: c.committed(tp)
                                          for tp in c.assignment()})
    c.close()
    return 0 if seen == 10 else 1


if __name__ == "__main__":
    sys.exit(main())
