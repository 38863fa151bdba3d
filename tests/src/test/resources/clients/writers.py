"""Write load for the kill -9 test: N writer connections, each SETting random values (0..3000 bytes)
to its own keys one request at a time, logging every attempt ("T key digest") before sending it and
every acknowledgement ("A key digest") after the reply, so the verifier knows what was acknowledged
and what may or may not have been committed when the node died.

usage: writers.py IP PORT WRITERS LOGDIR SEED SECONDS CYCLE"""
import hashlib, os, random, socket, sys, threading, time

ip, port, writers, logdir, seed, seconds, cycle = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4],
                                                    int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]))
KEYS_PER_WRITER = 200


def resp(*args):
    out = b'*%d\r\n' % len(args)
    for a in args:
        out += b'$%d\r\n' % len(a) + a + b'\r\n'
    return out


def writer(w):
    rnd = random.Random(seed * 1000 + w)
    log = open(os.path.join(logdir, 'writer-%d-cycle-%d.log' % (w, cycle)), 'w', buffering=1)
    try:
        s = socket.create_connection((ip, port), timeout=5)
    except OSError as e:
        log.write('E connect %s\n' % e)
        return
    s.settimeout(3)
    deadline = time.time() + seconds
    sent = 0
    while time.time() < deadline:
        key = b'w%d:k%d' % (w, rnd.randrange(KEYS_PER_WRITER))
        value = b'%d/%d/%d:' % (cycle, w, sent) + rnd.randbytes(rnd.choice([0, 10, 100, 1000, rnd.randrange(3000)]))
        digest = hashlib.sha256(value).hexdigest()
        log.write('T %s %s\n' % (key.decode(), digest))
        try:
            s.sendall(resp(b'SET', key, value))
            reply = b''
            while not reply.endswith(b'\r\n'):
                chunk = s.recv(64)
                if not chunk:
                    raise OSError('closed')
                reply += chunk
        except OSError as e:
            log.write('E %s\n' % e)
            return
        if reply != b'+OK\r\n':
            log.write('X %s %r\n' % (key.decode(), reply))
            return
        log.write('A %s %s\n' % (key.decode(), digest))
        sent += 1


threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print('writers done')
