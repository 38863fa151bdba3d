"""Reads back every key a redis-benchmark run wrote (SET and MSET of -d bytes of 'x'), directly from
the node or through twemproxy (which refuses SCAN: then the keys are enumerated from -r instead).
usage: read_benchmark_keys.py HOST PORT VALUE_SIZE KEYSPACE scan|enumerate"""
import sys
import redis

host, port, size, keyspace, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
r = redis.Redis(host=host, port=port, socket_timeout=60)


def benchmark_data(count):
    """The value redis-benchmark 7 sends for -d COUNT: its genBenchmarkRandomData, state 1234."""
    state = 1234
    out = bytearray()
    for _ in range(count):
        state = (state * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(ord('0') + ((state >> 16) & 63))
    return bytes(out)


expected = benchmark_data(size)
if mode == 'scan':
    keys = list(r.scan_iter(count=1000))
else:
    candidates = [b'key:%012d' % i for i in range(keyspace)] + [b'key:{tag}:%012d' % i for i in range(keyspace)]
    keys = []
    for i in range(0, len(candidates), 500):
        chunk = candidates[i:i + 500]
        for k, v in zip(chunk, r.mget(chunk)):
            if v is not None:
                keys.append(k)
bad = 0
checked = 0
for i in range(0, len(keys), 500):
    chunk = keys[i:i + 500]
    for k, v in zip(chunk, r.mget(chunk)):
        checked += 1
        if not k.startswith(b'key:') or v != expected:
            bad += 1
            if bad < 5:
                print('BAD', k, None if v is None else len(v))
print('checked %d keys, %d bad' % (checked, bad))
sys.exit(1 if bad or checked == 0 else 0)
