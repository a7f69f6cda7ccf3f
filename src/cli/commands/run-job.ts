/**
 * `ha-valet run-job NAME [--json]`: runs a job once now, outside its schedule,
 * through the acting watcher when one runs (else this command acts itself).
 */
import type { Command } from 'commander';

export interface RunJobOptions {
  json?: boolean;
  wait: string;
}

/** Registers `run-job`. */
export function register(program: Command): void {
  program
    .command('run-job')
    .description(
      'run a job once now, on the most preferred host that answers (never beside a run in progress)',
    )
    .argument('<name>', 'the job section to run')
    .option('--json', 'print the run as JSON')
    .option(
      '--wait <seconds>',
      'how long to wait for the acting watcher to run it (default: the job timeout + 30 s)',
      '',
    )
    .action(async (name: string, options: RunJobOptions, command: Command) => {
      const { runJobCommand } = await import('../run-job-command.js');
      process.exitCode = await runJobCommand(command, name, options);
    });
}
