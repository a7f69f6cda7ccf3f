/**
 * The remote runner's program in Python 3 (3.8 or later: os.posix_spawn with
 * setsid), preferred over the Perl one (ssh-runner-script.ts) where the host
 * has it: posix_spawn starts `/bin/sh` without copying the runner (glibc uses
 * a vfork-style clone), which here costs ~1.3 ms per command in all against
 * ~2.2 ms for Perl's fork (BENCHMARKS.md, "Shell checks over SSH").
 *
 * The same protocol, the same rules as the Perl runner (see there): `H`
 * greeting, `R` requests (not run, `L`, when they arrive past their latest
 * start), `T` clock probes, `S` for a command still running 0.1 s after its
 * start, `D`/`F` answers; own session per command, SIGPIPE at its default,
 * (and SIGXFSZ, which Python ignores), stdin from /dev/null, 4097 bytes of each stream, group SIGKILL at the
 * timeout, done at exit plus 20 ms when a daemon holds the pipes; on end of
 * input it finishes the commands in flight (timeouts included) and exits.
 * Commands get the environment the runner was started with
 * (/proc/self/environ), not Python's locale-coerced copy of it.
 */
export const SSH_RUNNER_PYTHON_SCRIPT = String.raw`
import os, signal, selectors, time
CAP, DRAIN, SCAN, SAY_STARTED = 4097, 0.02, 0.05, 0.1
def environ():
    try:
        with open('/proc/self/environ', 'rb') as f:
            return dict(kv.split(b'=', 1) for kv in f.read().split(b'\0') if b'=' in kv)
    except OSError:
        return os.environb
ENV = environ()
NULL = os.open('/dev/null', os.O_RDONLY)
now = time.monotonic
sel = selectors.DefaultSelector()
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False); os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
sel.register(0, selectors.EVENT_READ, 'in')
sel.register(wake_r, selectors.EVENT_READ, 'wake')
jobs, draining, out = {}, {}, []
def emit(*fields):
    out.append(' '.join(str(f) for f in fields) + '\n')
def flush():
    data = ''.join(out).encode(); out.clear()
    while data:
        try:
            data = data[os.write(1, data):]
        except OSError:
            return
def run(jid, timeout, cmd):
    fds = []
    try:
        r1, w1 = os.pipe(); fds += [r1, w1]
        r2, w2 = os.pipe(); fds += [r2, w2]
        pid = os.posix_spawn('/bin/sh', [b'sh', b'-c', cmd], ENV, setsid=True,
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ), file_actions=[(os.POSIX_SPAWN_DUP2, NULL, 0),
            (os.POSIX_SPAWN_DUP2, w1, 1), (os.POSIX_SPAWN_DUP2, w2, 2)])
    except OSError as e:
        for fd in fds: os.close(fd)
        return emit('F', jid, str(e).encode().hex())
    os.close(w1); os.close(w2)
    t = now()
    job = {'id': jid, 'pid': pid, 'start': t, 'deadline': t + timeout / 1000, 'out': b'', 'err': b'',
           'open': 2, 'exited': None, 'quiet': None, 'status': 0, 'timedout': False, 'told': False}
    jobs[pid] = job
    sel.register(r1, selectors.EVENT_READ, (job, 'out'))
    sel.register(r2, selectors.EVENT_READ, (job, 'err'))
    job['fds'] = [r1, r2]
def drop(job, fd):
    sel.unregister(fd); os.close(fd); job['fds'].remove(fd); job['open'] -= 1
def killgroup(pid):
    try: os.killpg(pid, signal.SIGKILL)
    except OSError: pass
def done(job):
    for fd in list(job['fds']): drop(job, fd)
    if job['timedout']: killgroup(job['pid'])
    st = job['status']
    code, sig = (-1, os.WTERMSIG(st)) if os.WIFSIGNALED(st) else (os.WEXITSTATUS(st), 0)
    emit('D', job['id'], code, sig, 1 if job['timedout'] else 0, int((job['exited'] - job['start']) * 1000 + 0.5),
         job['out'].hex() or '-', job['err'].hex() or '-')
    del jobs[job['pid']]; draining.pop(job['pid'], None)
emit('H', 'hv-runner', 2, 'python', int(now() * 1000)); flush()
pending, eof, next_scan = b'', False, 0.0
while not (eof and not jobs):
    t = now()
    wait = SCAN if jobs else None
    for job in draining.values():
        due = job['quiet'] + DRAIN - t
        wait = due if wait is None or due < wait else wait
    polled = now()  # a drain ends only after a select that began past its deadline (output read first)
    for key, _ in sel.select(None if wait is None else max(0.0, wait)):
        if key.data == 'in':
            chunk = os.read(0, 65536)
            if not chunk:
                eof = True; sel.unregister(0); continue
            pending += chunk
            *lines, pending = pending.split(b'\n')
            for line in lines:
                f = line.split(b' ')
                if len(f) == 5 and f[0] == b'R' and f[1].isdigit() and f[2].isdigit() and f[4].isdigit():
                    try: cmd = bytes.fromhex(f[3].decode())
                    except ValueError: continue
                    late = int(now() * 1000) - int(f[4])
                    if late > 0: emit('L', int(f[1]), late)
                    else: run(int(f[1]), int(f[2]), cmd)
                elif len(f) == 2 and f[0] == b'T' and f[1].isdigit():
                    emit('T', int(f[1]), int(now() * 1000))
        elif key.data == 'wake':
            try: os.read(wake_r, 4096)
            except OSError: pass
        else:
            job, which = key.data
            data = os.read(key.fd, 65536)
            if not data:
                drop(job, key.fd); continue
            if len(job[which]) < CAP: job[which] += data[:CAP - len(job[which])]
            if job['exited'] is not None: job['quiet'] = now()
    while jobs:
        try: pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError: break
        if pid == 0: break
        job = jobs.get(pid)
        if job is None or job['exited'] is not None: continue
        job['status'] = st; job['exited'] = job['quiet'] = now(); draining[pid] = job
    t = now()
    if t >= next_scan:
        next_scan = t + SCAN
        for job in jobs.values():
            if not job['told'] and t >= job['start'] + SAY_STARTED:
                job['told'] = True; emit('S', job['id'])
            if job['exited'] is None and not job['timedout'] and t >= job['deadline']:
                job['timedout'] = True; killgroup(job['pid'])
    for job in list(draining.values()):
        if job['open'] == 0 or polled >= job['quiet'] + DRAIN: done(job)
    if eof: out.clear()
    else: flush()
`;
