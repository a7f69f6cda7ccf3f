/**
 * `ha-valet validate [--explain] [--json]`: checks the config and reports every
 * problem at once. Exit 0 when valid (warnings allowed), 2 when not.
 */
import type { Command } from 'commander';
import { EXIT_USAGE } from '../../errors.js';
import type { GlobalOptions } from '../options.js';

interface ValidateOptions {
  explain?: boolean;
  json?: boolean;
}

/** Registers the validate command. */
export function register(program: Command): void {
  program
    .command('validate')
    .description('check the config file and report every problem; exit 0 if valid, 2 if not')
    .option('--explain', 'show each process in start order, its hosts in preference order and their commands')
    .option('--json', 'print the result (or the problems) as JSON')
    .action(async (options: ValidateOptions) => {
      await runValidate(program.opts<GlobalOptions>(), options);
    });
}

/** Loads, checks (also who may change the files it names) and reports; sets process.exitCode to 2 when invalid. */
async function runValidate(global: GlobalOptions, options: ValidateOptions): Promise<void> {
  const { parseConfigText, parseDefines, readConfigFile, resolveConfigPath } =
    await import('../../config/load-config.js');
  const { formatDiagnostic } = await import('../../config/diagnostics.js');
  const { explainJson, formatExplain, formatSummary } = await import('../../config/explain.js');
  const { resolveTrustSetting, trustDiagnostics } = await import('../../trust/check-trust.js');

  const file = resolveConfigPath(global.config, process.env);
  const defines = parseDefines(global.define);
  const trust = resolveTrustSetting(global.trustCheck);
  const text = await readConfigFile(file);
  const parsed = parseConfigText(text, file, { defines, env: process.env });
  const trustProblems =
    trust.mode === 'off'
      ? [
          {
            severity: 'warning' as const,
            file,
            line: 0,
            message: `file trust check is off (${trust.source})`,
          },
        ]
      : trustDiagnostics(file, parsed.config, { severity: trust.mode === 'warn' ? 'warning' : 'error' });
  const diagnostics = [...parsed.diagnostics, ...trustProblems];
  const config = trustProblems.some((d) => d.severity === 'error') ? null : parsed.config;

  if (options.json) {
    process.stdout.write(`${JSON.stringify(explainJson(file, config, diagnostics), null, 2)}\n`);
  } else {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const warnings = diagnostics.filter((d) => d.severity === 'warning');
    for (const d of [...errors, ...warnings]) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (config) process.stdout.write(`${options.explain ? formatExplain(config) : formatSummary(config)}\n`);
    else {
      const counts = `${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
      process.stderr.write(`ha-valet: ${file} is invalid (${counts}); nothing was run\n`);
    }
  }
  if (!config) process.exitCode = EXIT_USAGE;
}
