"""Checks a recovered node against the writers' logs of every cycle so far. For each key: the value
must be the last acknowledged one, or an attempt made after it whose outcome is unknown (sent, no
acknowledgement seen before the node died); a key never acknowledged may be absent. Anything else
is a lost acknowledged write or a value that never was (torn, or from nowhere).

usage: verify_writes.py IP PORT LOGDIR    prints 'verified KEYS keys, LOST lost, BAD bad' and exits 1 on any"""
import glob, hashlib, os, re, socket, sys

ip, port, logdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
acked = {}       # key -> digest of the last acknowledged value
pending = {}     # key -> set of digests attempted after the last acknowledgement

def cycle_of(path):
    return int(re.search(r'cycle-(\d+)', path).group(1))

for path in sorted(glob.glob(os.path.join(logdir, '*.log')), key=lambda p: (cycle_of(p), p)):
    last_try = None
    for line in open(path):
        parts = line.split()
        if not parts:
            continue
        if parts[0] == 'T' and len(parts) == 3:
            last_try = (parts[1], parts[2])
            pending.setdefault(parts[1], set()).add(parts[2])
        elif parts[0] == 'A' and len(parts) == 3:
            acked[parts[1]] = parts[2]
            pending[parts[1]] = set()
            last_try = None

s = socket.create_connection((ip, port), timeout=30)
f = s.makefile('rb')

def command(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        out += b'$%d\r\n' % len(a) + a + b'\r\n'
    s.sendall(out)
    return read()

def read():
    line = f.readline()
    if line.startswith(b'$'):
        n = int(line[1:])
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if line.startswith(b'*'):
        return [read() for _ in range(int(line[1:]))]
    if line.startswith(b'-'):
        raise RuntimeError(line.decode().strip())
    return line.strip()

present = {}
cursor = b'0'
while True:
    cursor, keys = command(b'SCAN', cursor, b'COUNT', b'500')
    for k in keys:
        present[k.decode()] = None
    if cursor == b'0':
        break
for k in list(present):
    value = command(b'GET', k.encode())
    present[k] = hashlib.sha256(value).hexdigest() if value is not None else None

lost = bad = 0
for key in set(acked) | set(pending) | set(present):
    got = present.get(key)
    allowed = set(pending.get(key, set()))
    if key in acked:
        allowed.add(acked[key])
    if got is None:
        if key in acked:
            lost += 1
            print('LOST', key, 'acknowledged', acked[key])
        continue
    if got not in allowed:
        bad += 1
        print('BAD', key, 'holds', got, 'allowed', sorted(allowed))
print('verified %d keys, %d acknowledged, %d lost, %d bad' % (len(present), len(acked), lost, bad))
sys.exit(1 if lost or bad else 0)
