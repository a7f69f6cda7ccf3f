/**
 * `ha-valet reset -p NAME... [--wait [SECONDS]]`: clears given-up, the latch,
 * back-off and the restart history, so the next pass acts again.
 */
import type { Command } from 'commander';
import { collect } from '../options.js';

interface ResetOptions {
  process: string[];
  wait?: string | boolean;
}

/** Registers `reset`. */
export function register(program: Command): void {
  program
    .command('reset')
    .description('revive a given-up or latched process: clear given-up, latch, back-off and restart history')
    .requiredOption('-p, --process <name>', 'the process to reset (repeatable)', collect)
    .option('--wait [seconds]', 'when a watcher runs: wait for its outcome (default 60 s)')
    .action(async (options: ResetOptions, command: Command) => {
      const { runOperatorCommand } = await import('../operator-command.js');
      process.exitCode = await runOperatorCommand(command, {
        type: 'reset',
        names: options.process,
        wait: options.wait,
      });
    });
}
