/**
 * `ha-valet move -p NAME... --to HOST [--wait [SECONDS]]`: switchover — start on
 * HOST, verify, then stop the old instance. Refuses a host that is not a
 * candidate (exit 2) or that does not answer its test (exit 1).
 */
import type { Command } from 'commander';
import { collect } from '../options.js';

interface MoveOptions {
  process: string[];
  to: string;
  wait?: string | boolean;
}

/** Registers `move`. */
export function register(program: Command): void {
  program
    .command('move')
    .description('switch a process over to HOST: start there, verify, then stop the old instance')
    .requiredOption('-p, --process <name>', 'the process to move (repeatable)', collect)
    .requiredOption('--to <host>', 'the candidate host to move it to')
    .option('--wait [seconds]', 'when a watcher runs: wait for its outcome (default 60 s)')
    .action(async (options: MoveOptions, command: Command) => {
      const { runOperatorCommand } = await import('../operator-command.js');
      process.exitCode = await runOperatorCommand(command, {
        type: 'move',
        names: options.process,
        host: options.to,
        hostFlag: '--to',
        wait: options.wait,
      });
    });
}
