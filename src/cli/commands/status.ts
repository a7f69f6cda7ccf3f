/**
 * `ha-valet status [-p NAME]... [--json] [--no-probe] [--full] [--expect-watcher]`:
 * what each process is doing, as a table or as JSON (schema: src/report/status-schema.ts).
 * Exit 0 when every selected process is up, 1 otherwise.
 */
import type { Command } from 'commander';
import { EXIT_NOT_UP } from '../../errors.js';
import type { TrustSetting } from '../../trust/check-trust.js';
import type { GlobalOptions } from '../options.js';

interface StatusOptions {
  process?: string[];
  json?: boolean;
  probe: boolean;
  full?: boolean;
  expectWatcher?: boolean;
}

/** Registers the status command. */
export function register(program: Command): void {
  program
    .command('status')
    .description('show each process: state, active host, every candidate host with its last check')
    .option('-p, --process <name>', 'only this process (repeatable)', collect)
    .option('--json', 'print the report as JSON (schemaVersion 1)')
    .option('--no-probe', "don't run the test commands; show the watcher's last observations (instant)")
    .option('--full', 'also check each host is reachable, each command executable, the state dir writable')
    .option('--expect-watcher', 'report a missing watcher heartbeat as a problem')
    .action(async (options: StatusOptions) => {
      await runStatus(program.opts<GlobalOptions>(), options);
    });
}

/** Gathers the report and prints it. */
async function runStatus(global: GlobalOptions, options: StatusOptions): Promise<void> {
  // Started together so the module files load in parallel.
  const [{ resolveConfigPath, parseDefines }, { gatherStatus }, table] = await Promise.all([
    import('../../config/load-config.js'),
    import('../../report/gather-status.js'),
    options.json ? null : import('../../report/render-table.js'),
  ]);
  const { report } = await gatherStatus({
    configPath: resolveConfigPath(global.config, process.env),
    defines: parseDefines(global.define),
    processNames: options.process,
    probe: options.probe,
    full: options.full,
    expectWatcher: options.expectWatcher,
    warn: (message) => process.stderr.write(`ha-valet: warning: ${message}\n`),
    ...(options.probe || options.full ? { trust: await trustSetting(global) } : {}),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (table) {
    process.stdout.write(table.renderStatusTable(report, { color: table.shouldUseColor(process.stdout) }));
  }
  if (report.processes.some((p) => p.state !== 'up')) process.exitCode = EXIT_NOT_UP;
}

/** --trust-check / $HA_VALET_TRUST_CHECK (only needed when probing). */
async function trustSetting(global: GlobalOptions): Promise<TrustSetting> {
  const { resolveTrustSetting } = await import('../../trust/check-trust.js');
  return resolveTrustSetting(global.trustCheck);
}

/** Collects a repeatable option (not imported from main.js: a value import of the entry would deadlock its top-level await). */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
