/** Picks the processes named with -p; an unknown name is a usage error listing the known ones. */
import type { Config, ProcessConfig } from '../config/model.js';
import { UsageError } from '../errors.js';

/** The selected processes in start order (all when `names` is empty). */
export function selectProcesses(config: Config, names: string[] | undefined): ProcessConfig[] {
  if (!names || names.length === 0) return config.processes;
  const known = new Map(config.processes.map((p) => [p.name, p]));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const list = config.processes.map((p) => p.name).join(', ') || '(none)';
    throw new UsageError(
      `unknown process ${unknown.map((n) => `'${n}'`).join(', ')} in ${config.file}; known: ${list}`,
    );
  }
  const wanted = new Set(names);
  return config.processes.filter((p) => wanted.has(p.name));
}
