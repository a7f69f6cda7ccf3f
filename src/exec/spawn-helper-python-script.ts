/**
 * The spawn helper's program in Python 3 (3.8 or later, standard library only),
 * run as `python3 -I -S -c`. It speaks exactly the Perl helper's protocol with
 * the same semantics (spawn-helper-script.ts has the protocol), but starts each
 * command with os.posix_spawn: glibc runs it as clone(CLONE_VM|CLONE_VFORK), so
 * no page tables are copied, the floor of this machine's process creation.
 *
 * Per command: two O_CLOEXEC pipes, one posix_spawn of `/bin/sh -c LINE` in its
 * own session (setsid), stdin dup'ed from a /dev/null opened once, the pipes
 * dup'ed onto 1 and 2 (dup2 clears close-on-exec on the copies only), SIGPIPE
 * and SIGXFSZ back at their defaults (Python ignores them; a shell must not
 * inherit that), and the environment the helper was started with, read from
 * /proc/self/environ: under a C locale Python adds LC_CTYPE=C.UTF-8 to its own
 * (PEP 538, not switched off under -I), which the shell must not see. Exits are noticed through SIGCHLD written to a wakeup pipe
 * (signal.set_wakeup_fd) and reaped with waitpid(-1, WNOHANG); descriptors are
 * watched with epoll (selectors). Work per wake-up grows with the events: the
 * only scan over all commands is the deadline scan, at most every 50 ms (a
 * timeout fires at most that late). Replies of one wake-up go out in one write.
 */
export const SPAWN_HELPER_PYTHON_SCRIPT = String.raw`
import os, selectors, signal, sys, time
if sys.version_info < (3, 8) or not hasattr(os, 'posix_spawn'):
    sys.exit(3)
CAP = 4096; DRAIN = 0.02; SCAN = 0.05
now = time.monotonic
READ = selectors.EVENT_READ
SH = b'/bin/sh'
DEFAULTS = (signal.SIGPIPE, signal.SIGXFSZ)
NULL = os.open('/dev/null', os.O_RDONLY | os.O_CLOEXEC)
try:
    with open('/proc/self/environ', 'rb') as f:
        ENV = dict(v.split(b'=', 1) for v in f.read().split(b'\0') if b'=' in v)
except OSError:
    ENV = os.environb

class Job:
    __slots__ = ('id', 'pid', 'start', 'deadline', 'out', 'err', 'open', 'fds', 'status', 'exited', 'quiet', 'timedout')

jobs = {}; byfd = {}; draining = {}; replies = []
sel = selectors.DefaultSelector()

def close_fd(job, fd):
    sel.unregister(fd); del byfd[fd]; os.close(fd); job.open -= 1

def fail(id, why):
    replies.append(b'F %s %s\n' % (id, why.encode().hex().encode()))

def start(id, timeout, cmd):
    try:
        o_r, o_w = os.pipe()
    except OSError as e:
        return fail(id, 'pipe: %s' % e.strerror)
    try:
        e_r, e_w = os.pipe()
    except OSError as e:
        os.close(o_r); os.close(o_w)
        return fail(id, 'pipe: %s' % e.strerror)
    try:
        pid = os.posix_spawn(SH, [SH, b'-c', cmd], ENV, setsid=True, setsigdef=DEFAULTS,
                             file_actions=[(os.POSIX_SPAWN_DUP2, NULL, 0), (os.POSIX_SPAWN_DUP2, o_w, 1),
                                           (os.POSIX_SPAWN_DUP2, e_w, 2)])
    except (OSError, NotImplementedError) as e:
        os.close(o_r); os.close(e_r)
        return fail(id, 'posix_spawn: %s' % (getattr(e, 'strerror', None) or e))
    finally:
        os.close(o_w); os.close(e_w)
    job = Job(); t = now()
    job.id = id; job.pid = pid; job.start = t; job.deadline = t + timeout / 1000
    job.out = b''; job.err = b''; job.open = 2; job.fds = (o_r, e_r)
    job.status = 0; job.exited = None; job.quiet = 0.0; job.timedout = False
    jobs[pid] = job
    byfd[o_r] = job; byfd[e_r] = job
    sel.register(o_r, READ); sel.register(e_r, READ)

def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass

def finish(job):
    for fd in job.fds:
        if byfd.get(fd) is job: close_fd(job, fd)  # the number may be another job's by now
    if job.timedout: kill_group(job.pid)
    st = job.status
    code, sig = (-1, os.WTERMSIG(st)) if os.WIFSIGNALED(st) else (os.WEXITSTATUS(st), 0)
    ms = int((job.exited - job.start) * 1000 + 0.5)
    replies.append(b'D %s %d %d %d %d %s %s\n' % (job.id, code, sig, 1 if job.timedout else 0, ms,
                   job.out.hex().encode() or b'-', job.err.hex().encode() or b'-'))
    del jobs[job.pid]

def reap():
    while True:
        try:
            pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0: return
        job = jobs.get(pid)
        if job is None: continue
        job.status = st; job.exited = job.quiet = now(); draining[pid] = job

def send():
    data = b''.join(replies); replies.clear()
    while data:
        data = data[os.write(1, data):]

wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False); os.set_blocking(wake_w, False)
signal.signal(signal.SIGCHLD, lambda signum, frame: None)
signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
sel.register(0, READ); sel.register(wake_r, READ)
pending = b''; next_scan = 0.0
while True:
    wait = SCAN if jobs else None
    if draining:
        t = now()
        for job in draining.values():
            due = job.quiet + DRAIN - t
            if due < wait: wait = due
        if wait < 0: wait = 0
    polled = now()  # a drain ends only after a poll that began past its deadline (output read first)
    for key, _ in sel.select(wait):
        fd = key.fd
        if fd == 0:
            data = os.read(0, 65536)
            if not data:
                send(); os._exit(0)
            lines = (pending + data).split(b'\n'); pending = lines.pop()
            for line in lines:
                f = line.split(b' ')
                if len(f) == 4 and f[0] == b'R' and f[1].isdigit() and f[2].isdigit():
                    try:
                        cmd = bytes.fromhex(f[3].decode())
                    except ValueError:
                        continue
                    start(f[1], int(f[2]), cmd)
        elif fd == wake_r:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
            reap()
        else:
            job = byfd.get(fd)
            if job is None: continue
            data = os.read(fd, 65536)
            if not data:
                close_fd(job, fd); continue
            if fd == job.fds[0]:
                if len(job.out) < CAP: job.out += data[:CAP - len(job.out)]
            elif len(job.err) < CAP: job.err += data[:CAP - len(job.err)]
            if job.exited is not None: job.quiet = now()
    t = now()
    if jobs and t >= next_scan:
        next_scan = t + SCAN
        for job in jobs.values():
            if job.exited is None and not job.timedout and t >= job.deadline:
                job.timedout = True; kill_group(job.pid)
    if draining:
        for job in list(draining.values()):
            if job.open == 0 or polled >= job.quiet + DRAIN:
                del draining[job.pid]; finish(job)
    if replies: send()
`;
