/**
 * After a process's pass: make every client's hosts-file line for the name point
 * at the active host (deadpool's /etc/hosts protocol), through the clients' own
 * executors, all at once. A client that cannot be updated is reported and
 * retried next pass, never skipped silently.
 */
import type { ActContext } from '../act/context.js';
import { describeFailure } from '../act/context.js';
import type { Candidate, HostsEntryConfig, ProcessConfig } from '../config/model.js';
import type { Executor } from '../exec/executor.js';
import type { JournalEntry } from '../state/model.js';
import { ensureEntryCommand, readEntryCommand } from './hosts-commands.js';
import type { HostsEntryRecord } from '../state/resource-records.js';
import type { ServiceAfterPass, VipDeps } from './reconcile-vip.js';

/** The executor for a client host: reached like the process's candidates. */
export function clientExecutor(
  context: Pick<ActContext, 'pool'>,
  process: ProcessConfig,
  host: string,
): Executor {
  const client: Candidate = {
    host,
    rank: 0,
    transport: process.transport,
    commands: { start: '', stop: '', test: '' },
  };
  return context.pool.forCandidate(process, client);
}

/** Reads the address each client's hosts file gives the name ('' = no line), or why it could not. */
export async function readClientEntries(
  context: Pick<ActContext, 'pool'>,
  process: ProcessConfig,
  entry: HostsEntryConfig,
): Promise<Array<{ host: string; address: string | null; reason: string | null }>> {
  return Promise.all(
    entry.clients.map(async (host) => {
      const result = await clientExecutor(context, process, host).run(readEntryCommand(entry), {
        timeoutMs: process.testTimeoutMs,
      });
      if (result.exitCode !== 0) return { host, address: null, reason: describeRead(result) };
      return { host, address: result.stdout.trim(), reason: null };
    }),
  );
}

/** Points the name at the active host on every client; returns the sentence to add and the record to keep. */
export async function reconcileHostsEntry(
  process: ProcessConfig,
  entry: HostsEntryConfig,
  service: ServiceAfterPass,
  deps: VipDeps,
): Promise<{ summary: string; record: HostsEntryRecord | null }> {
  const follows = service.status === 'up' || service.status === 'split-brain';
  const target = deps.dryRun ? (service.plannedHost ?? service.activeHost) : service.activeHost;
  if (!(follows || (deps.dryRun && service.plannedHost)) || target === null) {
    return { summary: '', record: null };
  }
  if (deps.dryRun) {
    const seen = await readClientEntries(deps, process, entry);
    const stale = seen.filter((c) => c.address !== target).map((c) => c.host);
    const tail = stale.length > 0 ? ` [dry run: would point it at ${target} on ${stale.join(', ')}]` : '';
    return { summary: `${entry.name} on clients: ${describeSeen(seen)}${tail}`, record: null };
  }
  if (!(deps.mayStartAction ?? deps.mayAct)()) return { summary: '', record: null };
  const command = ensureEntryCommand(entry, target);
  const results = await Promise.all(
    entry.clients.map(async (host) => {
      const result = await clientExecutor(deps, process, host).run(command, {
        timeoutMs: process.testTimeoutMs,
      });
      const words = result.stdout.trim().split(/\s+/);
      const ok = result.exitCode === 0 && (words[0] === 'changed' || words[0] === 'unchanged');
      return {
        host,
        ok,
        changed: ok && words[0] === 'changed',
        previous: words[1] ?? '',
        reason: ok ? null : describeRead(result),
        exitCode: result.exitCode,
        durationMs: result.durationMs,
      };
    }),
  );
  const at = deps.now();
  const journal: JournalEntry[] = results
    .filter((r) => r.changed || !r.ok)
    .map((r) => ({
      at,
      process: process.name,
      event: 'hosts-entry',
      host: r.host,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      ok: r.ok,
      reason: r.ok
        ? `${entry.file}: ${entry.name} ${r.previous} → ${target}`
        : `${entry.file}: ${entry.name} → ${target} failed: ${r.reason}`,
      ...(deps.epoch ? { epoch: deps.epoch } : {}),
    }));
  if (journal.length > 0) await deps.recordJournal(journal);
  const changed = results.filter((r) => r.changed).map((r) => r.host);
  const failed = results.filter((r) => !r.ok).map((r) => ({ host: r.host, reason: r.reason ?? '' }));
  const parts: string[] = [];
  if (changed.length > 0) parts.push(`${entry.name} → ${target} on ${changed.join(', ')}`);
  if (failed.length > 0)
    parts.push(`${entry.name} not updated on ${failed.map((f) => `${f.host} (${f.reason})`).join(', ')}`);
  return {
    summary: parts.join('; '),
    record: { name: entry.name, address: target, failed, at },
  };
}

/** 'c1 10.0.0.1, c2 none, c3 unreadable'. */
function describeSeen(seen: Array<{ host: string; address: string | null }>): string {
  return seen.map((c) => `${c.host} ${c.address === null ? 'unreadable' : c.address || 'none'}`).join(', ');
}

/** Why a client command failed: transport, timeout, exit and the first of stderr. */
function describeRead(result: Parameters<typeof describeFailure>[0]): string {
  const detail = result.stderr.trim().split('\n')[0];
  return `${describeFailure(result)}${detail ? `: ${detail.slice(0, 160)}` : ''}`;
}
