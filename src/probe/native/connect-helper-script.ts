/**
 * The connect helper's program (Python 3, standard library only): plain
 * `tcp://` checks for the watcher, many at once, with non-blocking sockets and
 * one epoll. A connect made here costs a fraction of one made through Node's
 * socket machinery (JS objects, streams, an Error with a stack per refusal),
 * which dominated a watcher of 1,000 checks a second (BENCHMARKS.md, issue 14).
 *
 * Two ways to ask, one line each way, fields separated by spaces.
 *
 * One check (a pass, or a process the watcher checks itself):
 *   in:  `<id> <timeout ms> <ip address> <port>`
 *   out: `<id> <result> <duration ms>` where result is `OK` (connected, then closed at once),
 *        `T` (no answer within the timeout) or the errno name (`ECONNREFUSED`, `EHOSTUNREACH`, …)
 *
 * Watched checks (tcp-watch.ts): the helper checks a process's hosts on its own schedule
 * and says only what the watcher needs to hear, so a check that changed nothing costs
 * the watcher nothing.
 *   in:  `W <key> <interval ms> <timeout ms> <first in ms> <ip> <port> [<ip> <port> …]`
 *        checks every target at once each round, a round every interval; replaces key's watch
 *   in:  `H <key> <1|0> <seq>`  hot: report every round / only a round whose results changed;
 *        rounds begun from now on carry seq (the watcher's cycle count: a round begun before
 *        its latest cycle ended, and an action changed things, is stale and dropped there)
 *   in:  `U <key>`        stops watching key
 *   out: `R <key> <lag ms> <seq> <result> <duration ms> [<result> <duration ms> …]` a round
 *        reported (the first, a changed one, or any while hot); lag = how much later than due
 *        it began, seq = the seq it began under
 *   out: `L <key> <lag ms>` a quiet round that began more than half an interval late, or the
 *        first on time again after such
 *   out: `N <checks> <worst lag ms> <key of worst>` once a second: checks made since the last
 *        N line and the latest round begun most late
 * Rounds keep a fixed rate: each is due one interval after the previous one was due, begins
 * up to a quarter interval (at most 250 ms) early with others due then (one wake-up for several), never before the previous
 * one ended (one slow host delays only its own process). The helper exits when its stdin closes; a
 * connect still pending is dropped then.
 */
export const CONNECT_HELPER_SCRIPT = String.raw`
import errno, heapq, os, select, socket, sys, time
now = time.monotonic
ep = select.epoll()
NB = socket.SOCK_STREAM | socket.SOCK_NONBLOCK
EIN = errno.EINPROGRESS
codes = errno.errorcode
IN, OUT, ERR = select.EPOLLIN, select.EPOLLOUT, select.EPOLLERR | select.EPOLLHUP
conns = {}
watches = {}
heap = []
out = []
seq = 0
checks = 0
worst = (0, b'-')
def name(code):
    return codes.get(code, 'EIO').encode()
class One:
    __slots__ = ('id', 'started')
    def __init__(self, id, started):
        self.id = id; self.started = started
    def done(self, i, result, t):
        out.append(b'%s %s %d\n' % (self.id, result, int((t - self.started) * 1000 + 0.5)))
class Watch:
    __slots__ = ('key', 'interval', 'timeout', 'limit', 'targets', 'hot', 'last', 'res', 'ms',
                 'left', 'started', 'due', 'late', 'dead', 'seq', 'began', 'early')
    def done(self, i, result, t):
        global checks, worst
        self.res[i] = result
        self.ms[i] = int((t - self.started) * 1000 + 0.5)
        self.left -= 1
        if self.left or self.dead:
            return
        checks += len(self.targets)
        lag = int((self.started - self.due) * 1000)
        if lag > worst[0]:
            worst = (lag, self.key)
        late = lag > self.limit
        if self.hot or self.res != self.last:
            out.append(b'R %s %d %s %s\n' % (self.key, lag, self.began, b' '.join(b'%s %d' % p for p in zip(self.res, self.ms))))
        elif late != self.late:
            out.append(b'L %s %d\n' % (self.key, lag))
        self.late = late
        self.last = self.res
        # Fixed rate: due one interval after it was due (a round begun early or late does not
        # move the next); a round that overran its interval is followed at once (its lag shows).
        self.due = max(self.due + self.interval, now())
        schedule(self)
def schedule(w):
    global seq
    seq += 1
    heapq.heappush(heap, (w.due, seq, w))
def connect(owner, i, family, addr, timeout, t):
    try:
        s = socket.socket(family, NB)
    except OSError as e:
        owner.done(i, name(e.errno), t); return
    try:
        code = s.connect_ex(addr)
    except (OSError, ValueError, OverflowError) as e:
        # An address the system cannot use now (a scope whose interface is gone): that host only.
        s.close(); owner.done(i, name(getattr(e, 'errno', None) or errno.EADDRNOTAVAIL), now()); return
    if code == EIN:
        fd = s.fileno()
        conns[fd] = (owner, i, s, t + timeout)
        ep.register(fd, OUT)
    else:
        s.close(); owner.done(i, b'OK' if code == 0 else name(code), now())
def target(host, port):
    return (socket.AF_INET6 if b':' in host else socket.AF_INET, (host.decode(), int(port)))
def begin(w, t):
    w.started = t
    w.began = w.seq
    w.left = len(w.targets)
    w.res = [None] * w.left
    w.ms = [0] * w.left
    for i, (family, addr) in enumerate(w.targets):
        connect(w, i, family, addr, w.timeout, t)
def command(line):
    f = line.split(b' ')
    t = now()
    if f[0] == b'W' and len(f) >= 7 and len(f) % 2 == 1:
        old = watches.get(f[1])
        if old: old.dead = True
        w = Watch()
        w.key = f[1]; w.interval = int(f[2]) / 1000; w.timeout = int(f[3]) / 1000
        w.limit = int(f[2]) // 2
        w.early = min(0.25, w.interval / 4)
        w.targets = [target(f[k], f[k + 1]) for k in range(5, len(f), 2)]
        w.hot = False; w.last = None; w.late = False; w.dead = False; w.seq = b'0'
        w.due = t + int(f[4]) / 1000
        watches[w.key] = w
        schedule(w)
    elif f[0] == b'H' and len(f) == 4:
        w = watches.get(f[1])
        if w: w.hot = f[2] == b'1'; w.seq = f[3]
    elif f[0] == b'U' and len(f) == 2:
        w = watches.pop(f[1], None)
        if w: w.dead = True
    elif len(f) == 4:
        family, addr = target(f[2], f[3])
        connect(One(f[0], t), 0, family, addr, int(f[1]) / 1000, t)
os.set_blocking(0, False)
ep.register(0, IN)
buf = b''
next_scan = 0
next_tick = now() + 1
while True:
    t = now()
    wait = next_tick - t
    if heap and heap[0][0] - t < wait:
        wait = heap[0][0] - t
    if conns and wait > 0.02:
        wait = 0.02
    for fd, events in ep.poll(max(wait, 0)):
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
                try:
                    command(line)
                except (ValueError, OSError, IndexError):
                    pass
            continue
        owner, i, s, _ = conns.pop(fd)
        # Connected: writable, no error flagged (closing the socket also takes it off the epoll).
        code = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) if events & ERR else 0
        s.close()
        owner.done(i, b'OK' if code == 0 else name(code), now())
    t = now()
    # The round due first begins on time; with it every round due within its own early
    # (a quarter interval, at most 250 ms): one wake-up for several (each costs more than a
    # connect here).
    begun = False
    while heap and (heap[0][0] <= t or (begun and heap[0][0] - heap[0][2].early <= t)):
        begun = True
        w = heapq.heappop(heap)[2]
        if not w.dead:
            begin(w, t)
    if conns and t >= next_scan:
        next_scan = t + 0.02
        for fd, (owner, i, s, deadline) in list(conns.items()):
            if t >= deadline:
                del conns[fd]; ep.unregister(fd); s.close(); owner.done(i, b'T', t)
    if t >= next_tick:
        next_tick = t + 1
        if watches:
            out.append(b'N %d %d %s\n' % (checks, worst[0], worst[1]))
        checks = 0
        worst = (0, b'-')
    if out:
        data = b''.join(out); out.clear()
        while data:
            try:
                data = data[os.write(1, data):]
            except BlockingIOError:
                time.sleep(0.001)
`;
