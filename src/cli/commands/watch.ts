/**
 * `ha-valet watch [-p NAME]... [--interval SECONDS] [--http ADDR] [--metrics-file PATH]`:
 * runs passes in a loop until SIGTERM/SIGINT; SIGHUP reloads the config.
 */
import type { Command } from 'commander';
import { collect } from '../options.js';
import type { WatchOptions } from '../watch-command.js';

/** Registers `watch`. */
export function register(program: Command): void {
  program
    .command('watch')
    .description('keep watching: run a pass for each process every interval, until stopped')
    .option('-p, --process <name>', 'only this process (repeatable)', collect)
    .option(
      '--interval <seconds>',
      "time between passes of a process, e.g. '5', '0.5', '500ms' (default: config interval, 5 s)",
    )
    .option(
      '--http <addr>',
      'serve /status, /metrics, /healthz and a status page on ADDR (e.g. 127.0.0.1:9280)',
    )
    .option(
      '--http-token-file <file>',
      'require Authorization: Bearer TOKEN (the token in FILE) on --http; allows a non-loopback address',
    )
    .option('--http-allow-remote', 'allow --http on a non-loopback address without a token (firewall it)')
    .option(
      '--metrics-file <path>',
      "write Prometheus metrics to PATH after every pass (node_exporter's textfile collector)",
    )
    .action(async (options: WatchOptions, command: Command) => {
      const { runWatchCommand } = await import('../watch-command.js');
      process.exitCode = await runWatchCommand(command, options);
    });
}
