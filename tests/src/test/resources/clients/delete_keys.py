"""Deletes every key matching a pattern (SCAN + DEL), directly on a node. usage: delete_keys.py HOST PORT PATTERN"""
import sys
import redis

r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]), socket_timeout=60)
keys = list(r.scan_iter(match=sys.argv[3], count=1000))
for i in range(0, len(keys), 500):
    r.delete(*keys[i:i + 500])
print('deleted %d keys' % len(keys))
