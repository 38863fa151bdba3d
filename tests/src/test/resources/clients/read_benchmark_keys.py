"""Reads back every key a redis-benchmark run wrote (SET and MSET of -d bytes of 'x'), directly from
the node or through twemproxy (which refuses SCAN: then the keys are enumerated from -r instead).
With scan, HOST may name several nodes (ip,ip,...; a cluster run's keys carry hash tags nobody can
enumerate): each is scanned and read directly.
usage: read_benchmark_keys.py HOST PORT VALUE_SIZE KEYSPACE scan|enumerate"""
import sys
import redis

host, port, size, keyspace, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def benchmark_data(count):
    """The value redis-benchmark 7 sends for -d COUNT: its genBenchmarkRandomData, state 1234."""
    state = 1234
    out = bytearray()
    for _ in range(count):
        state = (state * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(ord('0') + ((state >> 16) & 63))
    return bytes(out)


expected = benchmark_data(size)
bad = 0
checked = 0
for node in host.split(','):
    r = redis.Redis(host=node, port=port, socket_timeout=60)
    if mode == 'scan':
        keys = list(r.scan_iter(match=b'key:*', count=1000))
    else:
        candidates = [b'key:%012d' % i for i in range(keyspace)] + [b'key:{tag}:%012d' % i for i in range(keyspace)]
        keys = []
        for i in range(0, len(candidates), 500):
            chunk = candidates[i:i + 500]
            for k, v in zip(chunk, r.mget(chunk)):
                if v is not None:
                    keys.append(k)
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        # one GET per key: a cluster node refuses an MGET over several slots (CROSSSLOT)
        pipe = r.pipeline(transaction=False)
        for k in chunk:
            pipe.get(k)
        for k, v in zip(chunk, pipe.execute()):
            checked += 1
            if not k.startswith(b'key:') or v != expected:
                bad += 1
                if bad < 5:
                    print('BAD', node, k, None if v is None else len(v))
print('checked %d keys, %d bad' % (checked, bad))
sys.exit(1 if bad or checked == 0 else 0)
