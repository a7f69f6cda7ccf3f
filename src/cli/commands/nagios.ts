/**
 * `ha-valet nagios [-p NAME]... [--stale-after DURATION] [--expect-watcher]`: a
 * check plugin (monitoring-plugins guidelines). Reads the state dir like
 * `status --no-probe`, plus the watcher heartbeat. Prints one status line with
 * perfdata and one line per process; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
 * (config error, unreadable state, bad arguments).
 */
import type { Command } from 'commander';
import type { GlobalOptions } from '../options.js';

interface NagiosOptions {
  process?: string[];
  staleAfter?: string;
  expectWatcher?: boolean;
}

/** Registers the nagios command. */
export function register(program: Command): void {
  program
    .command('nagios')
    .description('Nagios/Icinga check: one status line with perfdata, exit 0/1/2/3')
    .option('-p, --process <name>', 'only this process (repeatable)', collect)
    .option(
      '--stale-after <duration>',
      'watcher heartbeat older than this is WARNING (default 3 x interval, at least 30s)',
    )
    .option('--expect-watcher', 'WARNING when no watcher heartbeat exists at all (not just a stale one)')
    .action(async (options: NagiosOptions) => {
      await runNagios(program.opts<GlobalOptions>(), options);
    });
}

/** Runs the check; every failure becomes UNKNOWN output, never an exception. */
async function runNagios(global: GlobalOptions, options: NagiosOptions): Promise<void> {
  // Started together so the module files load in parallel; a failed load is still UNKNOWN.
  const modules = Promise.all([
    import('../../config/load-config.js'),
    import('../../report/gather-status.js'),
  ]);
  modules.catch(() => undefined); // awaited (and reported) inside the try below
  const { renderNagios, renderNagiosUnknown } = await import('../../report/nagios.js');
  let result;
  try {
    const [{ resolveConfigPath, parseDefines }, { gatherStatus }] = await modules;
    const { report } = await gatherStatus({
      configPath: resolveConfigPath(global.config, process.env),
      defines: parseDefines(global.define),
      processNames: options.process,
      probe: false,
      expectWatcher: options.expectWatcher,
      staleAfterMs: options.staleAfter === undefined ? undefined : await parseStaleAfter(options.staleAfter),
    });
    result = renderNagios(report);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result = renderNagiosUnknown(message);
  }
  process.stdout.write(result.text);
  process.exitCode = result.exitCode;
}

/** `--stale-after`: a duration. */
async function parseStaleAfter(text: string): Promise<number> {
  const { DURATION_FORM, tryParseDuration } = await import('../../config/duration.js');
  const ms = tryParseDuration(text);
  if (ms === null) throw new Error(`--stale-after expects ${DURATION_FORM}, got '${text}'`);
  return ms;
}

/** Collects a repeatable option (not imported from main.js: a value import of the entry would deadlock its top-level await). */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
