/**
 * `ha-valet start -p NAME... [--on HOST] [--wait [SECONDS]]`: ends a stop or
 * maintenance hold and clears given-up, latch and back-off; starts the process
 * (on HOST when given, else on the most preferred host that can run it).
 */
import type { Command } from 'commander';
import { collect } from '../options.js';

interface StartOptions {
  process: string[];
  on?: string;
  wait?: string | boolean;
}

/** Registers `start`. */
export function register(program: Command): void {
  program
    .command('start')
    .description('resume a stopped process and start it (on HOST with --on); clears given-up and latch')
    .requiredOption('-p, --process <name>', 'the process to start (repeatable)', collect)
    .option('--on <host>', 'the candidate host to start it on (default: the most preferred that can)')
    .option('--wait [seconds]', 'when a watcher runs: wait for its outcome (default 60 s)')
    .action(async (options: StartOptions, command: Command) => {
      const { runOperatorCommand } = await import('../operator-command.js');
      process.exitCode = await runOperatorCommand(command, {
        type: 'start',
        names: options.process,
        host: options.on,
        hostFlag: '--on',
        wait: options.wait,
      });
    });
}
