/**
 * The typed configuration every later stage works from. Produced only by
 * `loadConfig` (src/config/load-config.ts); nothing downstream sees raw text.
 */

import type { JobConfig } from '../jobs/job-config.js';

/** How a candidate host's commands are run. */
export type Transport = 'local' | 'ssh';

/** Where a value came from, for messages that name file and line. */
export interface SourceRef {
  file: string;
  line: number;
}

/** A problem found while loading: errors make the config invalid, warnings do not. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  section?: string;
  key?: string;
  message: string;
}

/** SSH settings used when `transport = ssh` (issue 4). */
export interface SshSettings {
  /** `ssh_port`, default 22. */
  port: number;
  /** Login user: the section's `user` (or `ssh_user`), else the current user. */
  user?: string;
  /** `ssh_key`: path of a private key; else agent, else ~/.ssh/id_*. */
  keyFile?: string;
  /** `ssh_known_hosts`, default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  /** `ssh_verify_host_key`, default true; false is the explicit opt-out (warns on use). */
  verifyHostKey: boolean;
  /**
   * `ssh_runner`, default true: commands go through one long-lived remote runner per
   * connection (Perl on the host) instead of an exec channel each; false keeps one
   * exec channel per command (also the fallback when the runner cannot start).
   */
  runner: boolean;
  /** `connect_timeout`, default 5 s. */
  connectTimeoutMs: number;
}

/** One step of a hook list (issue 5). */
export interface HookStep {
  /** Template with {process} {from_host} {to_host} {reason} / %MASTER% %SLAVE%. */
  command: string;
  /** A failing optional step never aborts the failover. */
  optional: boolean;
  timeoutMs: number;
}

export interface Hooks {
  beforeFailover: HookStep[];
  afterFailover: HookStep[];
  onFailed: HookStep[];
  onGivenUp: HookStep[];
  onSplitBrain: HookStep[];
}

/** The commands of one process, rendered for one host. */
export interface CommandSet {
  start: string;
  stop: string;
  test: string;
  /** `fence` with `{host}` = this host: run on the watcher's own machine, never through this host. */
  fence?: string;
}

/** How a process fences a host before failing over from it (issue 12). */
export interface FenceSettings {
  /** `fence_timeout` (30 s): a fence still running then counts as failed. */
  timeoutMs: number;
  /**
   * `fence_required`: without a successful fence, no failover from a host that is not
   * confirmed down. Default: yes when `fence` is set, no when it is not (today's behaviour).
   */
  required: boolean;
}

/** A `test = tcp://host:port` check: connect, optionally send a line and match the reply. */
export interface TcpTest {
  kind: 'tcp';
  host: string;
  port: number;
  /** `test_send`, escapes decoded, newline-terminated. */
  send?: string;
  /** `test_expect`: a regular expression the reply must match; a `priority` group is read as the priority. */
  expect?: string;
}

/** A `test = http://…` / `https://…` check: one GET, status and optional body match. */
export interface HttpTest {
  kind: 'http';
  url: string;
  /** `expect_status`: accepted codes; classes as 200-299 ranges. Default 2xx. */
  expectStatus: Array<[number, number]>;
  /** `test_expect`: a regular expression the body must match; a `priority` group is read as the priority. */
  expect?: string;
  /** `tls_verify` (yes): verify the server certificate and name. */
  tlsVerify: boolean;
  /** `tls_ca`: a PEM file of CAs trusted instead of the system's. */
  tlsCaFile?: string;
}

/** A test that needs no process: run by the watcher itself (issue 14). */
export type NativeTest = TcpTest | HttpTest;

/** One host a process may run on, in preference order. */
export interface Candidate {
  host: string;
  /** 1-based position in the preference list (1 = most preferred). */
  rank: number;
  transport: Transport;
  commands: CommandSet;
  /** Set when `test` is a tcp:// or http(s):// URL (then `commands.test` is that URL, not a shell line). */
  nativeTest?: NativeTest;
}

/** A virtual IP that follows the service (`vip`, `vip_interface`; issue 13). */
export interface VipConfig {
  /** The address with its prefix length, as `ip addr` takes it: `192.0.2.10/24` (IPv6 canonical). */
  cidr: string;
  /** The address alone, canonical (as `ip -o addr show` prints it). */
  address: string;
  prefixLength: number;
  family: 4 | 6;
  /** The interface to add the address on, per candidate host (`vip_interface` rendered for each). */
  interfaces: Record<string, string>;
}

/** A name record on client hosts that follows the service (`hosts_entry`; deadpool's /etc/hosts protocol). */
export interface HostsEntryConfig {
  /** The name clients look up, e.g. db.internal. */
  name: string;
  /** Client hosts whose hosts file gets the line, reached like the candidates (same transport and SSH settings). */
  clients: string[];
  /** `hosts_file`, default /etc/hosts. */
  file: string;
}

/** A monitored process: one section of ha_valet.cfg. */
export interface ProcessConfig {
  name: string;
  source: SourceRef;
  host: string;
  user?: string;
  port?: number;
  protocol?: string;
  /** This file's own priority (>= 1, lower = preferred); used by the one-file-per-host shape. */
  priority: number;
  /** Start order across processes, lower first. */
  order: number;
  /** `host` then the other `stand_by_list` hosts, in list order. */
  candidates: Candidate[];
  transport: Transport;
  ssh: SshSettings;
  /** `test_timeout` (10 s), `start_timeout` (30 s), `stop_timeout` (30 s). */
  testTimeoutMs: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  /** Consecutive bad checks before acting on a host (`check_count`, 1). */
  checkCount: number;
  /** Flap damping: `max_restarts` (10) starts within `restart_window` (150 s). */
  maxRestarts: number;
  restartWindowMs: number;
  /** `given_up_retry` (10 min); null = `never`. */
  givenUpRetryMs: number | null;
  /**
   * `min_uptime` (1 s): an instance never seen up this long after its verified start died early;
   * its host backs off from the 3rd early death in a row. Running this long clears the host's back-off.
   */
  minUptimeMs: number;
  /**
   * Capped exponential back-off of one host after failed starts and repeated early deaths
   * (`backoff_initial` 1 s, `backoff_max` 10 s: the longest a start waits when every host backs off).
   */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** `failback` (false) and `failback_delay` (30 s). */
  failback: boolean;
  failbackDelayMs: number;
  /** `priority_wait` (20 s): a watcher with own priority N waits (N-1) x this before starting. */
  priorityWaitMs: number;
  /** `latch` (false): stop acting after one failover until reset. */
  latch: boolean;
  hooks: Hooks;
  /** The virtual IP that moves with the service, when `vip` is set. */
  vip?: VipConfig;
  /** The hosts-file line that moves with the service, when `hosts_entry` is set. */
  hostsEntry?: HostsEntryConfig;
  /** Fencing settings; absent = no `fence` and not required (configs made before issue 12). */
  fencing?: FenceSettings;
  /** On a member section: the `group` it belongs to (the unit decide works on is the group). */
  group?: string;
  /**
   * On a group unit: its member sections, in start order (`order`, then file order). The unit's
   * candidates carry the hosts and the group's `fence`; its commands run member by member
   * (src/act/group-actions.ts), never as lines of their own.
   */
  members?: ProcessConfig[];
}

export interface EtcdSettings {
  endpoints: string[];
  prefix: string;
  leaseTtlMs: number;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  auth?: { username: string; passwordFile?: string };
}

export type CoordinationSettings = { backend: 'local' } | { backend: 'etcd'; etcd: EtcdSettings };

/** Settings of the whole file (the `[DEFAULT]` section and command-line overrides). */
export interface GlobalSettings {
  /** `state_dir`; undefined = the default location chosen at run time. */
  stateDir?: string;
  /** `interval` for `watch` (5 s). */
  intervalMs: number;
  coordination: CoordinationSettings;
  /** `quorum`: live watchers that must agree before a failover; absent = a majority of the live ones. */
  quorum?: number;
  /** `observation_max_age`: older peer observations do not count; absent = 3 x the interval. */
  observationMaxAgeMs?: number;
}

/** Where a path-valued key (ssh_key, state_dir, …) was set, for messages about the file it names. */
export interface ConfiguredPath {
  key: string;
  /** The resolved path. */
  path: string;
  line: number;
  section: string;
}

export interface Config {
  file: string;
  /** In start order (by `order`, then file order). */
  processes: ProcessConfig[];
  /** Job sections (a section with `run`), in file order. */
  jobs: JobConfig[];
  global: GlobalSettings;
  warnings: Diagnostic[];
  /** Every path-valued key as set (absent in configs built by hand). */
  paths?: ConfiguredPath[];
}
