/**
 * The connect helper's program (Python 3, standard library only): plain
 * `tcp://` checks for the watcher, many at once, with non-blocking sockets and
 * one epoll. A connect made here costs a fraction of one made through Node's
 * socket machinery (JS objects, streams, an Error with a stack per refusal),
 * which dominated a watcher of 1,000 checks a second (BENCHMARKS.md, issue 14).
 *
 * Protocol, one line each way, fields separated by spaces:
 *   in:  `<id> <timeout ms> <ip address> <port>`
 *   out: `<id> <result> <duration ms>` where result is `OK` (connected, then closed at once),
 *        `T` (no answer within the timeout) or the errno name (`ECONNREFUSED`, `EHOSTUNREACH`, …)
 * The helper exits when its stdin closes. A connect still pending is dropped then.
 */
export const CONNECT_HELPER_SCRIPT = String.raw`
import errno, os, selectors, socket, sys, time
sel = selectors.DefaultSelector()
jobs = {}
now = time.monotonic
buf = b''
out = []
def reply(id, result, started):
    out.append(b'%s %s %d\n' % (id, result, int((now() - started) * 1000 + 0.5)))
def start(line):
    fields = line.split(b' ')
    if len(fields) != 4:
        return
    id, timeout, host, port = fields
    started = now()
    family = socket.AF_INET6 if b':' in host else socket.AF_INET
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
    except OSError as e:
        reply(id, errno.errorcode.get(e.errno, 'EIO').encode(), started)
        return
    s.setblocking(False)
    code = s.connect_ex((host.decode(), int(port)))
    if code == 0:
        s.close(); reply(id, b'OK', started)
    elif code == errno.EINPROGRESS:
        jobs[s.fileno()] = (id, s, started, started + int(timeout) / 1000)
        sel.register(s, selectors.EVENT_WRITE)
    else:
        s.close(); reply(id, errno.errorcode.get(code, 'EIO').encode(), started)
os.set_blocking(0, False)
sel.register(0, selectors.EVENT_READ)
next_scan = 0
while True:
    timeout = 0.05 if jobs else None
    for key, _ in sel.select(timeout):
        fd = key.fd
        if fd == 0:
            try:
                data = os.read(0, 65536)
            except BlockingIOError:
                continue
            if not data:
                sys.exit(0)
            buf += data
            *lines, buf = buf.split(b'\n')
            for line in lines:
                start(line)
            continue
        id, s, started, _ = jobs.pop(fd)
        sel.unregister(s)
        code = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        s.close()
        reply(id, b'OK' if code == 0 else errno.errorcode.get(code, 'EIO').encode(), started)
    t = now()
    if jobs and t >= next_scan:
        next_scan = t + 0.02
        for fd, (id, s, started, deadline) in list(jobs.items()):
            if t >= deadline:
                del jobs[fd]; sel.unregister(s); s.close(); reply(id, b'T', started)
    if out:
        data = b''.join(out); out.clear()
        while data:
            try:
                data = data[os.write(1, data):]
            except BlockingIOError:
                time.sleep(0.001)
`;
