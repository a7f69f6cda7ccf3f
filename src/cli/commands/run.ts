/**
 * `ha-valet [-p NAME]... [--dry-run] [--json]`: one reconcile pass over the
 * selected processes, then exit (what cron and systemd timers run).
 */
import type { Command } from 'commander';
import { collect } from '../options.js';

interface RunOptions {
  process?: string[];
  dryRun?: boolean;
  json?: boolean;
}

/** Registers `run`, the default command. */
export function register(program: Command): void {
  program
    .command('run', { isDefault: true })
    .description(
      'run one pass: test every host, restart what is down, stop extra instances (default command)',
    )
    .option('-p, --process <name>', 'only this process (repeatable)', collect)
    .option('--dry-run', 'run the tests and print the plan, but start or stop nothing')
    .option('--json', 'print the result as JSON')
    .action(async (options: RunOptions, command: Command) => {
      const { runPassCommand } = await import('../run-pass-command.js');
      process.exitCode = await runPassCommand(command, options);
    });
}
