/**
 * The CLI entry: builds the commander program and maps typed errors to output
 * and exit codes in exactly one place. Command modules are imported lazily so
 * a cron pass loads only what it uses.
 */
import { Command, CommanderError } from 'commander';
import { HaValetError, EXIT_USAGE } from '../errors.js';
import { VERSION } from '../version.js';
import { findInvokedCommand } from './invoked-command.js';
import { collect } from './options.js';

export type { GlobalOptions } from './options.js';
export { collect } from './options.js';

/**
 * Builds the program; each command lives in src/cli/commands/<name>.ts. Given
 * the argv, registers only the command it invokes (see invoked-command.ts);
 * without one, or when unclear (help, unknown command), registers them all.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command('ha-valet')
    .description('Keeps each configured service running on exactly one host of a stand-by list.')
    .option(
      '-c, --config <file>',
      'config file (default: $HA_VALET_CONFIG, ./ha_valet.cfg, /etc/ha-valet/ha_valet.cfg)',
    )
    .option('-D, --define <NAME=VALUE>', 'value for an @NAME@ placeholder (repeatable)', collect)
    .option('--log-level <level>', 'error, warn, info or debug', 'info')
    .option('--log-format <format>', 'text or json', 'text')
    .option('--log-file <file>', 'also write the log to this file')
    .option(
      '--trust-check <mode>',
      'files others can change (config, keys, state dir): enforce (refuse), warn or off (default: $HA_VALET_TRUST_CHECK or enforce)',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError();
  const invoked = argv ? findInvokedCommand(argv, COMMAND_NAMES, DEFAULT_COMMAND) : null;
  const loaders = invoked ? [COMMAND_MODULES[invoked]!] : Object.values(COMMAND_MODULES);
  const registrars = await Promise.all(loaders.map((load) => load()));
  for (const { register } of registrars) register(program);
  return program;
}

/** Every command module by command name, in help order; keep each one's heavy imports inside its action. */
const COMMAND_MODULES: Record<string, () => Promise<{ register(program: Command): void }>> = {
  run: () => import('./commands/run.js'),
  watch: () => import('./commands/watch.js'),
  validate: () => import('./commands/validate.js'),
  history: () => import('./commands/history.js'),
  doctor: () => import('./commands/doctor.js'),
  status: () => import('./commands/status.js'),
  nagios: () => import('./commands/nagios.js'),
  cluster: () => import('./commands/cluster.js'),
  move: () => import('./commands/move.js'),
  start: () => import('./commands/start.js'),
  stop: () => import('./commands/stop.js'),
  maintenance: () => import('./commands/maintenance.js'),
  reset: () => import('./commands/reset.js'),
};
const COMMAND_NAMES: ReadonlySet<string> = new Set(Object.keys(COMMAND_MODULES));
/** The command that runs when none is named (registered with `isDefault` in commands/run.ts). */
const DEFAULT_COMMAND = 'run';

/** Runs the CLI and returns the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof HaValetError) {
      process.stderr.write(`ha-valet: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `ha-valet: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 70;
  }
}

// Run when executed directly (node dist/src/cli/main.js …); bin/ha-valet imports runCli instead.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  void runCli(process.argv).then((code) => (process.exitCode = code));
}
