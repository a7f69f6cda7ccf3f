/**
 * `ha-valet maintenance on|off -p NAME... [--wait [SECONDS]]`: in maintenance,
 * passes keep probing and reporting but never start, stop or run hooks.
 */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { collect } from '../options.js';

interface MaintenanceOptions {
  process: string[];
  wait?: string | boolean;
}

/** Registers `maintenance`. */
export function register(program: Command): void {
  program
    .command('maintenance')
    .description('maintenance on: probe and report only, never act; maintenance off: act again')
    .argument('<on|off>', "'on' or 'off'")
    .requiredOption('-p, --process <name>', 'the process (repeatable)', collect)
    .option('--wait [seconds]', 'when a watcher runs: wait for its outcome (default 60 s)')
    .action(async (mode: string, options: MaintenanceOptions, command: Command) => {
      const wanted = mode.trim().toLowerCase();
      if (wanted !== 'on' && wanted !== 'off') {
        throw new UsageError(`maintenance expects 'on' or 'off', got '${mode}'`);
      }
      const { runOperatorCommand } = await import('../operator-command.js');
      process.exitCode = await runOperatorCommand(command, {
        type: wanted === 'on' ? 'maintenance-on' : 'maintenance-off',
        names: options.process,
        wait: options.wait,
      });
    });
}
