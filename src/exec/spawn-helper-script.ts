/**
 * The spawn helper's program (Perl 5, core modules only; perl-base is Essential
 * on Debian). A small long-lived process forks far more cheaply than the
 * watcher: fork(2) copies page tables, and Node's grow with its heap (~6 ms
 * per spawn at 100 MB here, against well under 1 ms for this helper).
 *
 * Protocol, one line each way, fields separated by spaces, text hex-encoded:
 *   in:  `R <id> <timeout ms> <hex command>`
 *   out: `D <id> <exit code|-1> <signal number|0> <timed out 0|1> <duration ms> <hex stdout> <hex stderr>`
 *        or `F <id> <hex reason>` when the command could not be started (pipe, fork)
 * Each command runs as `/bin/sh -c` in its own session (its own process group),
 * stdin from /dev/null, stdout and stderr captured (first 4096 bytes of each),
 * SIGPIPE at its default (the helper ignores it; the shell must not inherit that).
 * On timeout the whole group gets SIGKILL. A command is done once its shell has
 * exited and both pipes closed, or 20 ms after the exit when a daemon it started
 * keeps them open. When the watcher goes away (stdin closes) the helper exits and
 * leaves the commands in flight running, as they would be had Node spawned them
 * (a start command interrupted by a watcher restart must not kill what it began).
 */
export const SPAWN_HELPER_SCRIPT = String.raw`
use strict; use warnings; use POSIX (); use Time::HiRes ();
$SIG{PIPE} = 'IGNORE'; $SIG{CHLD} = sub {};
my $CAP = 4096; my $DRAIN = 0.02;
my (%jobs, %byfd); my $rin = ''; vec($rin, 0, 1) = 1; my $in = '';
sub now { Time::HiRes::clock_gettime(Time::HiRes::CLOCK_MONOTONIC()) }
sub start_job {
  my ($id, $timeout, $cmd) = @_;
  my ($or, $ow, $er, $ew);
  pipe($or, $ow) or return reply_fail($id, "pipe: $!");
  pipe($er, $ew) or return reply_fail($id, "pipe: $!");
  my $pid = fork();
  return reply_fail($id, "fork: $!") unless defined $pid;
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
  for my $fh ($or, $er) { $byfd{fileno($fh)} = [$job, $fh == $or ? 'out' : 'err', $fh]; vec($rin, fileno($fh), 1) = 1; }
}
sub reply_fail { my ($id, $why) = @_; print STDOUT "F $id " . unpack('H*', $why) . "\n"; }
sub close_fh { my ($job, $fh) = @_; vec($rin, fileno($fh), 1) = 0; delete $byfd{fileno($fh)}; close($fh); $job->{open}--; }
sub finish {
  my ($job) = @_;
  for my $fh (@{$job->{fhs}}) { close_fh($job, $fh) if defined fileno($fh); }
  kill('KILL', -$job->{pid}) if $job->{timedout};
  my $st = $job->{status}; my ($code, $sig) = ($st & 127) ? (-1, $st & 127) : ($st >> 8, 0);
  my $ms = int((($job->{exited}) - $job->{start}) * 1000 + 0.5);
  print STDOUT join(' ', 'D', $job->{id}, $code, $sig, $job->{timedout} ? 1 : 0, $ms,
    unpack('H*', $job->{out}) || '-', unpack('H*', $job->{err}) || '-'), "\n";
  delete $jobs{$job->{pid}};
}
$| = 1;
# Work per wake-up grows with the events, not with the commands in flight: ready descriptors
# are found in the select bitmap, exited commands wait in %draining, and deadlines are
# scanned at most every $SCAN seconds (a timeout fires at most that late).
my %draining; my $SCAN = 0.05; my $next_scan = 0;
while (1) {
  my $t = now();
  my $wait = %jobs ? $SCAN : undef;
  for my $job (values %draining) { my $due = $job->{quiet} + $DRAIN - $t; $wait = $due if $due < $wait; }
  $wait = 0 if defined $wait && $wait < 0;
  # A drain ends only after a poll that began past its deadline came back (a select cut short by
  # SIGCHLD, or a long batch of forks, must not end it unread).
  my $rout = $rin; my $polled = now();
  my $ready = select($rout, undef, undef, $wait); $polled = 0 if $ready < 0;
  if ($ready > 0) {
    my $bits = unpack('b*', $rout);
    while ($bits =~ /1/g) {
      my $fd = pos($bits) - 1;
      if ($fd == 0) {
        my $n = sysread(STDIN, $in, 65536, length $in);
        exit 0 if !$n;
        while ($in =~ s/^R (\d+) (\d+) ([0-9a-f]*)\n//) { start_job($1, $2, pack('H*', $3)); }
        next;
      }
      my $entry = $byfd{$fd} or next; my ($job, $which, $fh) = @$entry;
      my $buf; my $n = sysread($fh, $buf, 65536);
      if (!$n) { close_fh($job, $fh); next; }
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
      next if defined $job->{exited} || $job->{timedout} || $t < $job->{deadline};
      $job->{timedout} = 1; kill('KILL', -$job->{pid});
    }
  }
  for my $job (values %draining) {
    next unless $job->{open} == 0 || $polled >= $job->{quiet} + $DRAIN;
    delete $draining{$job->{pid}}; finish($job);
  }
}
`;
