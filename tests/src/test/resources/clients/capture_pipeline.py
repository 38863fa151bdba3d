"""The redis-py session of the committed replay captures: one connection, a pipeline of 150 SETs with
values of 0..3000 bytes (seeded, so every recording sends the same bytes), their GETs in pipelines of
four checked byte for byte, then a DEL of every third key. usage: capture_pipeline.py HOST

The GETs go four at a time so every flight of replies fits TCP's initial window (10 segments): a
capture injected into a live node (tcpreplay) then does not depend on the node's congestion window
growing exactly as the recorded node's did under the recorded client's ACKs."""
import random
import sys
import redis

rnd = random.Random(7)
r = redis.Redis(host=sys.argv[1], port=6379, socket_timeout=30)
values = {b'pipe:%03d' % i: rnd.randbytes(rnd.choice([0, 1, 10, 100, 1000, rnd.randrange(3000)])) for i in range(150)}
p = r.pipeline(transaction=False)
for k, v in values.items():
    p.set(k, v)
assert all(p.execute())
keys = list(values)
got = []
for i in range(0, len(keys), 4):
    p = r.pipeline(transaction=False)
    for k in keys[i:i + 4]:
        p.get(k)
    got += p.execute()
bad = sum(1 for (k, v), g in zip(values.items(), got) if g != v)
deleted = r.delete(*[k for i, k in enumerate(values) if i % 3 == 0])
print('pipeline ok: %d set, %d bad, %d deleted' % (len(values), bad, deleted))
sys.exit(1 if bad or deleted != 50 else 0)
