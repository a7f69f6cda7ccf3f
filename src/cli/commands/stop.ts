/**
 * `ha-valet stop -p NAME... [--wait [SECONDS]]`: stops every instance and holds
 * the process stopped (status maintenance) until `ha-valet start`.
 */
import type { Command } from 'commander';
import { collect } from '../options.js';

interface StopOptions {
  process: string[];
  wait?: string | boolean;
}

/** Registers `stop`. */
export function register(program: Command): void {
  program
    .command('stop')
    .description("stop a process everywhere and keep it stopped until 'ha-valet start'")
    .requiredOption('-p, --process <name>', 'the process to stop (repeatable)', collect)
    .option('--wait [seconds]', 'when a watcher runs: wait for its outcome (default 60 s)')
    .action(async (options: StopOptions, command: Command) => {
      const { runOperatorCommand } = await import('../operator-command.js');
      process.exitCode = await runOperatorCommand(command, {
        type: 'stop',
        names: options.process,
        wait: options.wait,
      });
    });
}
