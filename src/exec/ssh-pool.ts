/**
 * SshExecutorPool: one SshExecutor (and its connections) per
 * user@host:port and credentials, reused across checks and passes.
 */
import os from 'node:os';
import type { SshSettings } from '../config/model.js';
import type { Executor } from './executor.js';
import { knownHostsFileOf, type WarnFn } from './ssh-connection.js';
import { SshExecutor, type SshExecutorOptions } from './ssh-executor.js';

export class SshExecutorPool {
  private executors = new Map<string, SshExecutor>();

  constructor(private readonly options: SshExecutorOptions & { warn?: WarnFn } = {}) {}

  /** The executor for HOST with SETTINGS; cached per user@host:port (and key, known_hosts, verification). */
  forHost(settings: SshSettings, host: string): Executor {
    const user = settings.user ?? os.userInfo().username;
    const key = [
      `${user}@${host}:${settings.port}`,
      settings.keyFile ?? '',
      knownHostsFileOf(settings),
      settings.verifyHostKey ? 'verify' : 'no-verify',
      settings.connectTimeoutMs,
    ].join('\u0000');
    let executor = this.executors.get(key);
    if (!executor) {
      executor = new SshExecutor({ host, user, settings }, this.options);
      this.executors.set(key, executor);
    }
    return executor;
  }

  /** Closes every connection; idempotent. */
  async closeAll(): Promise<void> {
    const executors = [...this.executors.values()];
    this.executors.clear();
    await Promise.all(executors.map((executor) => executor.close()));
  }
}
