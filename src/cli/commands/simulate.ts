/**
 * `ha-valet simulate [-p NAME]... [--down HOST]... [--unreachable HOST]...
 * [--up HOST=PRIORITY]... [--start-fails HOST]... [--fence-fails HOST]... [--hook-fails NAME]...
 * [--from-state] [--passes N] [--json]`:
 * what passes would do in a described world, without running any command.
 */
import type { Command } from 'commander';
import { collect } from '../options.js';
import type { WorldFlags } from '../../simulate/world.js';

export interface SimulateOptions extends WorldFlags {
  process?: string[];
  fromState?: boolean;
  passes: string;
  json?: boolean;
}

/** Registers the simulate command. */
export function register(program: Command): void {
  program
    .command('simulate')
    .description(
      'show what passes would do in a world you describe (start, stop, hooks, give up) without running any command',
    )
    .option('-p, --process <name>', 'only this process (repeatable)', collect)
    .option('--down <host>', 'the service is not running on HOST, but HOST answers (test exits 0)', collect)
    .option(
      '--unreachable <host>',
      'HOST does not answer (a dead machine or network): never started on',
      collect,
    )
    .option('--up <host=priority>', 'the service runs on HOST and its test exits PRIORITY', collect)
    .option('--start-fails <host>', 'a start on HOST fails (exit 1)', collect)
    .option('--fence-fails <host>', 'the fence of HOST fails (exit 1): no failover from it', collect)
    .option(
      '--hook-fails <name>',
      'every step of hook NAME fails (exit 1), e.g. before_failover: the failover is aborted',
      collect,
    )
    .option('--from-state', 'start from the stored state and last observations (default: a fresh state)')
    .option('--passes <n>', 'how many passes to simulate, one watcher interval apart', '3')
    .option('--json', 'print the simulation as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Hosts not named are down (reachable, not running), or as last stored with --from-state.',
        'A simulated start that works makes the host answer its rank as the priority.',
        'Hooks and fences succeed unless --hook-fails / --fence-fails name them;',
        'hook names: before_failover, after_failover, on_failed, on_given_up, on_split_brain.',
        'Example: ha-valet simulate --unreachable Host_A   # where does every process land without Host_A?',
      ].join('\n'),
    )
    .action(async (options: SimulateOptions, command: Command) => {
      const { runSimulateCommand } = await import('../simulate-command.js');
      await runSimulateCommand(command, options);
    });
}
