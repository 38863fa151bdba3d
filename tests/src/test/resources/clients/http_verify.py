"""Reads back, over HTTP, every key of a prefix that wrk_put.lua or node_keys.py wrote: the ordered
scan (GET /kv, following X-Pktstore-Next-After page by page), then a GET of each key, whose value
must be the key and '|' repeated 1 + n % 50 times (n: the key's last ':' field).
usage: http_verify.py HOST PORT PREFIX      prints 'verified N keys, B bad'"""
import http.client
import sys
import urllib.parse

host, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection(host, port, timeout=30)
keys = []
query = {'start': prefix, 'end': prefix[:-1] + chr(ord(prefix[-1]) + 1), 'limit': '1000'}
while True:
    c.request('GET', '/kv?' + urllib.parse.urlencode(query, safe=''))
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit('scan: %d %r' % (r.status, body[:200]))
    keys += [urllib.parse.unquote_to_bytes(line) for line in body.decode('ascii').splitlines()]
    after = r.getheader('X-Pktstore-Next-After')
    if after is None:
        break
    query.pop('start', None)
    query['after'] = urllib.parse.unquote(after)
bad = 0
for k in keys:
    c.request('GET', '/kv/' + urllib.parse.quote_from_bytes(k, safe=''))
    r = c.getresponse()
    v = r.read()
    n = int(k.rsplit(b':', 1)[1])
    if r.status != 200 or v != (k + b'|') * (1 + n % 50):
        bad += 1
        if bad < 5:
            print('BAD', k, r.status, len(v))
print('verified %d keys, %d bad' % (len(keys), bad))
sys.exit(1 if bad or not keys else 0)
