"""kafka-python driver for the interop tests.

produce BOOTSTRAP TOPIC PARTITIONS COUNT COMPRESSION BASE_TIMESTAMP
    Sends COUNT messages round-robin over the partitions with keys, values, headers and explicit
    timestamps, waits for every acknowledgement (acks=all) and prints one JSON line per message:
    {"partition", "offset", "key", "value", "headers", "timestamp"} (bytes as hex).
consume BOOTSTRAP TOPIC PARTITIONS
    Reads every partition from its beginning to its end offset without a consumer group (assign,
    seek_to_beginning) and prints one JSON line per record, in the same shape.
group-consume BOOTSTRAP TOPIC GROUP
    Subscribes as a member of GROUP (auto_offset_reset=earliest, no auto-commit), reads every
    assigned partition from the committed offset to its end offset, commits, leaves the group, and
    prints one JSON line per record in the same shape; "committed" on stderr after the commit.
Prints the broker version kafka-python inferred on stderr.
"""
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition


def record_json(partition, offset, key, value, headers, timestamp):
    return json.dumps({
        "partition": partition,
        "offset": offset,
        "key": None if key is None else key.hex(),
        "value": None if value is None else value.hex(),
        "headers": [[k, None if v is None else v.hex()] for k, v in headers],
        "timestamp": timestamp,
    })


def produce(bootstrap, topic, partitions, count, compression, base_timestamp):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        compression_type=None if compression == "none" else compression,
        linger_ms=5,
        request_timeout_ms=30000,
    )
    print("api_version", producer.config["api_version"], file=sys.stderr)
    sent = []
    for i in range(count):
        partition = i % partitions
        key = None if i % 9 == 4 else ("key-%d" % i).encode()
        value = bytes([0, 255, i % 256]) if i % 5 == 2 else ("python value %d %s" % (i, "p" * i)).encode()
        headers = [("index", str(i).encode()), ("bin", bytes([i % 256, 1]))] if i % 2 == 0 else []
        timestamp = base_timestamp + i
        future = producer.send(topic, key=key, value=value, headers=headers, partition=partition, timestamp_ms=timestamp)
        sent.append((future, key, value, headers, timestamp))
    producer.flush(timeout=60)
    for future, key, value, headers, timestamp in sent:
        metadata = future.get(timeout=60)
        print(record_json(metadata.partition, metadata.offset, key, value, headers, timestamp))
    producer.close(timeout=30)


def consume(bootstrap, topic, partitions):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        consumer_timeout_ms=1000,
    )
    print("api_version", consumer.config["api_version"], file=sys.stderr)
    assignment = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(assignment)
    consumer.seek_to_beginning()
    end = consumer.end_offsets(assignment)
    position = {tp: 0 for tp in assignment}
    deadline = time.monotonic() + 60
    while any(position[tp] < end[tp] for tp in assignment):
        if time.monotonic() > deadline:
            sys.exit("timed out: read %s of %s" % (position, end))
        for tp, records in consumer.poll(timeout_ms=500).items():
            for r in records:
                print(record_json(r.partition, r.offset, r.key, r.value, r.headers, r.timestamp))
                position[tp] = r.offset + 1
    consumer.close()


def group_consume(bootstrap, topic, group):
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=10000,
        heartbeat_interval_ms=500,
    )
    print("api_version", consumer.config["api_version"], file=sys.stderr)
    consumer.subscribe([topic])
    deadline = time.monotonic() + 50
    end = None
    while True:
        if time.monotonic() > deadline:
            sys.exit("timed out: assignment %s, end offsets %s" % (consumer.assignment(), end))
        for tp, records in consumer.poll(timeout_ms=200).items():
            for r in records:
                print(record_json(r.partition, r.offset, r.key, r.value, r.headers, r.timestamp))
        assignment = consumer.assignment()
        if not assignment:
            continue
        if end is None or set(end) != set(assignment):
            end = consumer.end_offsets(list(assignment))
        if all(consumer.position(tp) >= end[tp] for tp in assignment):
            break
    consumer.commit()
    print("committed", file=sys.stderr)
    consumer.close()


def main(argv):
    if argv[1] == "produce":
        produce(argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6], int(argv[7]))
    elif argv[1] == "consume":
        consume(argv[2], argv[3], int(argv[4]))
    elif argv[1] == "group-consume":
        group_consume(argv[2], argv[3], argv[4])
    else:
        sys.exit("unknown mode " + argv[1])


if __name__ == "__main__":
    main(sys.argv)
