"""Redis Cluster clients on the node's slot map.

  cluster_keys.py write HOST PREFIX COUNT     python3-redis's RedisCluster (from one start node) SETs
                                              PREFIX:0..COUNT-1, each to the node owning its slot
  cluster_keys.py verify HOST PREFIX COUNT    every key reads back byte for byte through RedisCluster
                                              (GET, and MGET split per node by mget_nonatomic)
  cluster_keys.py ownership NODES             on each node directly (ip,ip,...): every key it holds hashes
                                              to a slot it owns (by its CLUSTER SLOTS); prints 'NODE KEYS'
Values: the key's name repeated 1..50 times (see node_keys.py)."""
import sys
import redis
from redis.cluster import RedisCluster
from redis.crc import key_slot


def value_of(key):
    n = int(key.rsplit(b':', 1)[1])
    return (key + b'|') * (1 + n % 50)


def names(prefix, count):
    return [b'%s:%d' % (prefix.encode(), i) for i in range(count)]


cmd = sys.argv[1]
if cmd in ('write', 'verify'):
    host, prefix, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
    rc = RedisCluster(host=host, port=6379, socket_timeout=30)
    keys = names(prefix, count)
    if cmd == 'write':
        for k in keys:
            if rc.set(k, value_of(k)) is not True:
                sys.exit('SET %s failed' % k)
        print('wrote %d through %d nodes' % (count, len(rc.get_nodes())))
    else:
        bad = sum(1 for k in keys if rc.get(k) != value_of(k))
        got = rc.mget_nonatomic(keys)
        bad += sum(1 for k, v in zip(keys, got) if v != value_of(k))
        print('verified %d keys, %d bad' % (count, bad))
        sys.exit(1 if bad else 0)
elif cmd == 'ownership':
    total = 0
    for node in sys.argv[2].split(','):
        r = redis.Redis(host=node, port=6379, socket_timeout=30)
        owned = []
        for lo, hi, master, *replicas in r.execute_command('CLUSTER', 'SLOTS'):
            ip = master[0].decode() if isinstance(master[0], bytes) else master[0]
            if ip == node:
                owned.append((lo, hi))
        if not owned:
            sys.exit('%s owns no slots by its own CLUSTER SLOTS' % node)
        held = list(r.scan_iter(count=1000))
        for k in held:
            s = key_slot(k)
            if not any(lo <= s <= hi for lo, hi in owned):
                sys.exit('%s holds %s (slot %d) outside its slots %s' % (node, k, s, owned))
        total += len(held)
        print(node, len(held))
    print('total %d' % total)
else:
    sys.exit(__doc__)
