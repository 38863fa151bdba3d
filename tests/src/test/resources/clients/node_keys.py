"""Keys with values anyone can recompute, written through a proxy and found again on the nodes.

  node_keys.py write HOST PORT PREFIX COUNT            SET PREFIX:0..COUNT-1; exit 1 on any error
  node_keys.py locate PREFIX COUNT NODES               each key on exactly one node (ip,ip,...), right value;
                                                       prints 'NODE KEYS' per node and 'located N'
  node_keys.py read HOST PORT PREFIX COUNT NODES       through HOST:PORT, every key that lives on NODES reads back
  node_keys.py load HOST PORT PREFIX SECONDS LOG       unique keys, one connection, reconnecting after errors,
                                                       for SECONDS; logs each acknowledged key; prints
                                                       'acked A errors E acked_after_error B'
  node_keys.py acked LOG NODES                         every acknowledged key is on some node with its value
Nodes are reached directly on port 6379."""
import socket
import sys
import time


def value_of(key):
    """The value stored under a key: its name repeated, 1..50 times (17 B .. ~1 KB)."""
    n = int(key.rsplit(b':', 1)[1])
    return (key + b'|') * (1 + n % 50)


class Conn:
    def __init__(self, host, port, timeout=10):
        self.s = socket.create_connection((host, port), timeout=timeout)
        self.f = self.s.makefile('rb')

    def command(self, *args):
        out = b'*%d\r\n' % len(args)
        for a in args:
            out += b'$%d\r\n' % len(a) + a + b'\r\n'
        self.s.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line:
            raise OSError('connection closed')
        kind, rest = line[:1], line[1:-2]
        if kind == b'$':
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if kind == b'*':
            return [self.read() for _ in range(int(rest))]
        if kind == b'-':
            raise RuntimeError(rest.decode())
        if kind == b':':
            return int(rest)
        return rest

    def close(self):
        self.s.close()


def keys(prefix, count):
    return [b'%s:%d' % (prefix.encode(), i) for i in range(count)]


def mget(conn, names):
    got = []
    for i in range(0, len(names), 200):
        got += conn.command(b'MGET', *names[i:i + 200])
    return got


def locate(names, nodes):
    """-> {key: node} for keys found; exits on a key found twice or with a wrong value."""
    where = {}
    for node in nodes:
        c = Conn(node, 6379)
        for k, v in zip(names, mget(c, names)):
            if v is None:
                continue
            if v != value_of(k):
                sys.exit('BAD %s on %s: %d bytes' % (k, node, len(v)))
            if k in where:
                sys.exit('%s is on both %s and %s' % (k, where[k], node))
            where[k] = node
        c.close()
    return where


def main():
    cmd = sys.argv[1]
    if cmd == 'write':
        host, port, prefix, count = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
        c = Conn(host, port)
        for k in keys(prefix, count):
            reply = c.command(b'SET', k, value_of(k))
            if reply != b'OK':
                sys.exit('SET %s: %r' % (k, reply))
        print('wrote %d' % count)
    elif cmd == 'locate':
        prefix, count, nodes = sys.argv[2], int(sys.argv[3]), sys.argv[4].split(',')
        where = locate(keys(prefix, count), nodes)
        for node in nodes:
            print(node, sum(1 for n in where.values() if n == node))
        print('located %d' % len(where))
        sys.exit(0 if len(where) == count else 1)
    elif cmd == 'read':
        host, port, prefix, count, nodes = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), sys.argv[6].split(',')
        where = locate(keys(prefix, count), nodes)
        wanted = sorted(where)
        c = Conn(host, port)
        bad = 0
        for k, v in zip(wanted, mget(c, wanted)):
            if v != value_of(k):
                bad += 1
                if bad < 5:
                    print('BAD', k, None if v is None else len(v))
        print('read %d keys through %s:%d, %d bad' % (len(wanted), host, port, bad))
        sys.exit(1 if bad or not wanted else 0)
    elif cmd == 'load':
        host, port, prefix, seconds, log = sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), sys.argv[6]
        deadline = time.time() + seconds
        acked = errors = after = n = 0
        c = None
        with open(log, 'w', buffering=1) as out:
            while time.time() < deadline:
                k = b'%s:%d' % (prefix.encode(), n)
                n += 1
                try:
                    if c is None:
                        c = Conn(host, port, timeout=2)
                    if c.command(b'SET', k, value_of(k)) == b'OK':
                        out.write(k.decode() + '\n')
                        acked += 1
                        after += 1 if errors else 0
                    else:
                        errors += 1
                except (OSError, RuntimeError):
                    errors += 1
                    if c is not None:
                        c.close()
                        c = None
                    time.sleep(0.05)
        print('acked %d errors %d acked_after_error %d' % (acked, errors, after))
    elif cmd == 'acked':
        log, nodes = sys.argv[2], sys.argv[3].split(',')
        names = [line.strip().encode() for line in open(log) if line.strip()]
        where = locate(names, nodes)
        missing = [k for k in names if k not in where]
        for k in missing[:5]:
            print('LOST', k)
        print('acknowledged %d, found %d, lost %d' % (len(names), len(where), len(missing)))
        sys.exit(1 if missing else 0)
    else:
        sys.exit(__doc__)


main()
