/**
 * The remote runner's program (Perl 5, core modules only; perl-base is
 * Essential on Debian, so every Debian host has it). It runs on the far side of
 * one SSH exec channel for as long as the connection lives, and runs the
 * commands sent to it: sshd then forks no session and no login shell per
 * command, and the runner forks only `/bin/sh -c`.
 *
 * Protocol, the local spawn helper's (spawn-helper-script.ts) with a greeting and
 * a start confirmation; one line each way, fields separated by spaces, text
 * hex-encoded:
 *   in:  `R <id> <timeout ms> <hex command> <latest start>`
 *        `T <token>` (a clock probe)
 *   out: `H hv-runner 2 perl <now>` once, when the runner is up (`… python …` from the Python one)
 *        `T <token> <now>` for each clock probe
 *        `L <id> <ms late>` for a command that arrived after its latest start: not run
 *        `S <id>` when the command still runs 0.1 s after its fork (so it started; a quick
 *        command's `D` says so itself, and saves the line)
 *        `D <id> <exit code|-1> <signal number|0> <timed out 0|1> <duration ms> <hex stdout|-> <hex stderr|->`
 *        `F <id> <hex reason>` when it could not be started (pipe, fork)
 * `<now>` and `<latest start>` are the runner's monotonic clock in whole ms. The
 * watcher sets a command's latest start to the moment it stops waiting for it
 * (its send plus its timeout, in the runner's clock: runner-clock.ts), so a
 * command held up by a stalled link or a frozen host, delivered when the watcher
 * has already reported its timeout and moved on, is not run then (a start there
 * would be a second instance).
 * Each command runs as `/bin/sh -c` in its own session (its own process group),
 * SIGPIPE at its default (the runner ignores it; a shell must not inherit that),
 * stdin from /dev/null, stdout and stderr captured (first 4097 bytes of each:
 * one more than the watcher keeps, so it can tell output that was cut). At its
 * timeout the whole group gets SIGKILL (deadlines are scanned every 50 ms). A
 * command is done once its shell has exited and both pipes closed, or 20 ms
 * after the exit when a daemon it started keeps them open.
 *
 * When the connection goes away (stdin closes) the runner stops reading but
 * keeps enforcing the timeouts of the commands in flight, and exits once they
 * are done: a command is never left running past its timeout, as with the
 * `timeout -s KILL` wrapper of the one-channel-per-command path.
 * Replies are collected and written once per wake-up (one SSH packet for many).
 */
export const SSH_RUNNER_SCRIPT = String.raw`
use strict; use warnings; use POSIX (); use Time::HiRes ();
$SIG{PIPE} = 'IGNORE'; $SIG{CHLD} = sub {};
my $CAP = 4097; my $DRAIN = 0.02; my $SCAN = 0.05; my $SAY_STARTED = 0.1;
my (%jobs, %byfd, %draining); my $rin = ''; vec($rin, 0, 1) = 1;
my ($in, $out, $eof, $next_scan) = ('', '', 0, 0);
sub now { Time::HiRes::clock_gettime(Time::HiRes::CLOCK_MONOTONIC()) }
sub emit { $out .= join(' ', @_) . "\n"; }
sub flush_out {
  while (length $out) {
    my $n = syswrite(STDOUT, $out);
    if (!defined $n) { next if $!{EINTR}; $out = ''; return; }
    substr($out, 0, $n, '');
  }
}
sub fail_job { my ($id, $why) = @_; emit('F', $id, unpack('H*', $why)); }
sub run_job {
  my ($id, $timeout, $cmd) = @_;
  my ($or, $ow, $er, $ew);
  pipe($or, $ow) or return fail_job($id, "pipe: $!");
  pipe($er, $ew) or return fail_job($id, "pipe: $!");
  my $pid = fork();
  return fail_job($id, "fork: $!") unless defined $pid;
  if ($pid == 0) {
    POSIX::setsid(); $SIG{PIPE} = 'DEFAULT';
    open(STDIN, '<', '/dev/null');
    POSIX::dup2(fileno($ow), 1); POSIX::dup2(fileno($ew), 2);
    exec('/bin/sh', '-c', $cmd) or POSIX::_exit(127);
  }
  close($ow); close($ew);
  my $t = now();
  my $job = { id => $id, pid => $pid, start => $t, deadline => $t + $timeout / 1000,
              out => '', err => '', open => 2, fhs => [$or, $er] };
  $jobs{$pid} = $job;
  $byfd{fileno($or)} = [$job, 'out', $or]; $byfd{fileno($er)} = [$job, 'err', $er];
  vec($rin, fileno($_), 1) = 1 for ($or, $er);
}
sub drop_fh { my ($job, $fh) = @_; vec($rin, fileno($fh), 1) = 0; delete $byfd{fileno($fh)}; close($fh); $job->{open}--; }
sub done_job {
  my ($job) = @_;
  for my $fh (@{$job->{fhs}}) { drop_fh($job, $fh) if defined fileno($fh); }
  kill('KILL', -$job->{pid}) if $job->{timedout};
  my $st = $job->{status}; my ($code, $sig) = ($st & 127) ? (-1, $st & 127) : ($st >> 8, 0);
  emit('D', $job->{id}, $code, $sig, $job->{timedout} ? 1 : 0, int(($job->{exited} - $job->{start}) * 1000 + 0.5),
    unpack('H*', $job->{out}) || '-', unpack('H*', $job->{err}) || '-');
  delete $jobs{$job->{pid}}; delete $draining{$job->{pid}};
}
emit('H', 'hv-runner', 2, 'perl', int(now() * 1000)); flush_out();
until ($eof && !%jobs) {
  my $t = now();
  my $wait = %jobs ? $SCAN : undef;
  for my $job (values %draining) { my $due = $job->{quiet} + $DRAIN - $t; $wait = $due if $due < $wait; }
  $wait = 0 if defined $wait && $wait < 0;
  my $rout = $rin;
  # A drain ends only after a select that began past its deadline: output already written is read first.
  my $polled = now();
  if (select($rout, undef, undef, $wait) > 0) {
    my $bits = unpack('b*', $rout);
    while ($bits =~ /1/g) {
      my $fd = pos($bits) - 1;
      if ($fd == 0) {
        my $n = sysread(STDIN, $in, 65536, length $in);
        next if !defined $n && $!{EINTR};
        if (!$n) { $eof = 1; vec($rin, 0, 1) = 0; next; }
        while ($in =~ s/^([^\n]*)\n//) {
          my $line = $1;
          if ($line =~ /^R (\d+) (\d+) ([0-9a-f]*) (\d+)$/) {
            my ($id, $timeout, $hex, $latest) = ($1, $2, $3, $4);
            my $late = int(now() * 1000) - $latest;
            if ($late > 0) { emit('L', $id, $late); } else { run_job($id, $timeout, pack('H*', $hex)); }
          } elsif ($line =~ /^T (\d+)$/) { emit('T', $1, int(now() * 1000)); }
        }
        next;
      }
      my $entry = $byfd{$fd} or next; my ($job, $which, $fh) = @$entry;
      my $buf; my $n = sysread($fh, $buf, 65536);
      next if !defined $n && $!{EINTR};
      if (!$n) { drop_fh($job, $fh); next; }
      $job->{$which} .= substr($buf, 0, $CAP - length $job->{$which}) if length $job->{$which} < $CAP;
      $job->{quiet} = now() if defined $job->{exited};
    }
  }
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
    my $job = $jobs{$pid} or next; $job->{status} = $?; $job->{exited} = $job->{quiet} = now();
    $draining{$pid} = $job;
  }
  $t = now();
  if ($t >= $next_scan) {
    $next_scan = $t + $SCAN;
    for my $job (values %jobs) {
      if (!$job->{told} && $t >= $job->{start} + $SAY_STARTED) { $job->{told} = 1; emit('S', $job->{id}); }
      next if defined $job->{exited} || $job->{timedout} || $t < $job->{deadline};
      $job->{timedout} = 1; kill('KILL', -$job->{pid});
    }
  }
  for my $job (values %draining) { done_job($job) if $job->{open} == 0 || $polled >= $job->{quiet} + $DRAIN; }
  if ($eof) { $out = ''; } else { flush_out(); }
}
`;
