/**
 * `ha-valet history [-p NAME]... [--since DURATION|TIME] [--limit N] [--json]`:
 * prints the journal of the selected config, oldest first.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { JournalEntry } from '../../state/model.js';
import type { GlobalOptions } from '../options.js';
import { collect } from '../options.js';

interface HistoryOptions {
  process?: string[];
  since?: string;
  limit?: string;
  json?: boolean;
}

/** Registers the history command. */
export function register(program: Command): void {
  program
    .command('history')
    .description('show the journal of decisions and actions, oldest first')
    .option('-p, --process <name>', 'only this process (repeatable)', collect)
    .option(
      '--since <when>',
      "only entries since a duration ago ('90s', '2h') or an ISO time ('2026-11-22T12:00:00Z')",
    )
    .option('--limit <n>', 'only the newest N entries')
    .option('--json', 'print the entries as a JSON array')
    .action(async (options: HistoryOptions) => {
      await runHistory(program.opts<GlobalOptions>(), options);
    });
}

/** Loads the config, reads its journal and prints the selected entries. */
async function runHistory(global: GlobalOptions, options: HistoryOptions): Promise<void> {
  const now = Date.now();
  const since = options.since === undefined ? undefined : await parseSince(options.since, now);
  const limit = options.limit === undefined ? undefined : parseLimit(options.limit);
  const { loadConfig, parseDefines, resolveConfigPath } = await import('../../config/load-config.js');
  const { configStateDir, describeStateLayout, resolveStateDir } = await import('../../state/state-dir.js');
  const { FileJournal } = await import('../../state/journal.js');

  const configPath = resolveConfigPath(global.config, process.env);
  const config = await loadConfig(configPath, { defines: parseDefines(global.define), env: process.env });
  const { unitNamed } = await import('../../config/find-unit.js');
  // A group's journal lines carry the group's name (and the member's): a member selects its group.
  const names = options.process?.map((name) => unitNamed(config, name)?.name ?? name);
  const filter = { process: names, since, limit };
  let entries: JournalEntry[];
  let skippedLines = 0;
  let where: string;
  if (config.global.coordination.backend === 'etcd') {
    // The shared journal lives in etcd, written by whichever watcher led.
    const { createCoordinator } = await import('../../coord/create-coordinator.js');
    const coordinator = await createCoordinator(config);
    try {
      entries = await coordinator.journal.read(filter);
    } finally {
      await coordinator.close();
    }
    where = `etcd (${config.global.coordination.etcd.prefix})`;
  } else {
    const layout = describeStateLayout(configStateDir(resolveStateDir(config.global.stateDir), configPath));
    const journal = new FileJournal(layout.journalPath);
    entries = await journal.read(filter);
    skippedLines = journal.skippedLines;
    where = layout.journalPath;
  }

  const known = new Set(config.processes.map((p) => p.name));
  const unknown = (names ?? []).filter(
    (name) => !known.has(name) && !entries.some((e) => e.process === name),
  );
  if (unknown.length > 0) {
    const list = [...known].join(', ') || '(none)';
    process.stderr.write(
      `ha-valet: no process named ${unknown.join(', ')} in ${configPath} or its journal; processes: ${list}\n`,
    );
  }
  if (skippedLines > 0) {
    process.stderr.write(`ha-valet: skipped ${skippedLines} malformed line(s) in ${where}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return;
  }
  if (entries.length === 0) process.stderr.write(`ha-valet: no journal entries in ${where}\n`);
  process.stdout.write(entries.map((e) => `${formatEntry(e)}\n`).join(''));
}

/** One human line: `2026-11-22T12:00:01Z Ostro start on Host_B ok exit 0 (812 ms): reason`. */
export function formatEntry(entry: JournalEntry): string {
  const parts = [new Date(entry.at).toISOString().replace(/\.\d{3}Z$/, 'Z'), entry.process, entry.event];
  if (entry.host) parts.push(`on ${entry.host}`);
  if (entry.ok !== undefined) parts.push(entry.ok ? 'ok' : 'failed');
  if (entry.exitCode !== undefined)
    parts.push(entry.exitCode === null ? 'no exit code' : `exit ${entry.exitCode}`);
  if (entry.durationMs !== undefined) parts.push(`(${Math.round(entry.durationMs)} ms)`);
  if (entry.by) parts.push(`by ${entry.by}`);
  if (entry.epoch) parts.push(`epoch ${entry.epoch}`);
  let line = parts.join(' ');
  if (entry.reason) line += `: ${entry.reason}`;
  return line;
}

/** `--since`: a duration ago or an absolute ISO time, as epoch ms. */
async function parseSince(text: string, now: number): Promise<number> {
  const { DURATION_FORM, tryParseDuration } = await import('../../config/duration.js');
  const ago = tryParseDuration(text);
  if (ago !== null) return now - ago;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = Date.parse(text.trim());
    if (Number.isFinite(at)) return at;
  }
  throw new UsageError(
    `--since expects ${DURATION_FORM} (that long ago) or an ISO time like 2026-11-22T12:00:00Z, got '${text}'`,
  );
}

/** `--limit`: a whole number >= 0. */
function parseLimit(text: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new UsageError(`--limit expects a whole number of entries like 20, got '${text}'`);
  return Number(text.trim());
}
