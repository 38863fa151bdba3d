"""redis-py (the Debian package) against the node: round trips, pipelines, binary keys and values,
values from 0 bytes to 8 MiB compared byte for byte, MGET/MSET, EXISTS/DELETE, scan_iter with MATCH,
and the connection commands it sends. Prints 'redis-py ok' and counts, or fails with an assertion."""
import hashlib, os, random, sys
import redis

host, port = sys.argv[1], int(sys.argv[2])
r = redis.Redis(host=host, port=port, socket_timeout=30)
assert r.ping() is True
assert r.set('py:plain', 'hello') is True
assert r.get('py:plain') == b'hello'
assert r.get('py:missing') is None
binary_key = bytes(range(256))[:200] + b'\x00\xff'
rnd = random.Random(7)
checked = 0
for size in [0, 1, 2, 100, 1447, 1448, 1449, 4096, 65535, 65536, 1 << 20, 3 << 20, 8 << 20]:
    value = rnd.randbytes(size)
    key = binary_key + b':%d' % size
    assert r.set(key, value) is True
    got = r.get(key)
    assert got == value, 'value of %d bytes came back as %r bytes' % (size, None if got is None else len(got))
    assert r.strlen(key) == size
    checked += 1
# Pipelines (no transaction: MULTI is not supported)
p = r.pipeline(transaction=False)
for i in range(500):
    p.set('py:pipe:%03d' % i, 'v%d' % i)
for i in range(500):
    p.get('py:pipe:%03d' % i)
results = p.execute()
assert results[:500] == [True] * 500
assert results[500:] == [b'v%d' % i for i in range(500)]
assert r.mset({'py:m1': 'a', 'py:m2': b'\x00\x01', 'py:m3': ''}) is True
assert r.mget(['py:m1', 'py:m2', 'py:m3', 'py:nope']) == [b'a', b'\x00\x01', b'', None]
assert r.exists('py:m1', 'py:m2', 'py:nope') == 2
assert r.delete('py:m1', 'py:m2', 'py:nope') == 2
assert r.exists('py:m1') == 0
keys = sorted(r.scan_iter(match='py:pipe:*', count=37))
assert keys == [b'py:pipe:%03d' % i for i in range(500)], len(keys)
assert r.dbsize() >= 500
info = r.info()
assert info['redis_version'].startswith('7.'), info.get('redis_version')
assert r.client_setname('py-client') is True
assert r.client_getname() in ('py-client', b'py-client')
assert r.echo(b'\x00echo\xff') == b'\x00echo\xff'
assert r.config_get('appendonly') == {'appendonly': 'no'}
print('redis-py ok: %d sizes byte for byte up to 8 MiB, 1000 pipelined commands, %d scanned keys' % (checked, len(keys)))
