/**
 * Picks the processes named with -p; an unknown name is a usage error listing the known ones.
 * A group's member stands for its group (issue 13): the group is one unit, so a command on a
 * member acts on the whole group, and says so.
 */
import type { Config, ProcessConfig } from '../config/model.js';
import { UsageError } from '../errors.js';
import { unitNamed } from '../config/find-unit.js';

/** Writes a note for the operator (stderr, so machine-readable stdout stays clean). */
function noteOnStderr(message: string): void {
  process.stderr.write(`note: ${message}\n`);
}

/** The selected processes in start order (all when `names` is empty). */
export function selectProcesses(
  config: Config,
  names: string[] | undefined,
  note: (message: string) => void = noteOnStderr,
): ProcessConfig[] {
  if (!names || names.length === 0) return config.processes;
  const unknown = names.filter((name) => !unitNamed(config, name));
  if (unknown.length > 0) {
    const list = config.processes.map((p) => p.name).join(', ') || '(none)';
    throw new UsageError(
      `unknown process ${unknown.map((n) => `'${n}'`).join(', ')} in ${config.file}; known: ${list}`,
    );
  }
  const wanted = new Set<ProcessConfig>();
  for (const name of names) {
    const unit = unitNamed(config, name)!;
    if (unit.name !== name) note(`${name} belongs to group ${unit.name}: acting on the whole group`);
    wanted.add(unit);
  }
  return config.processes.filter((p) => wanted.has(p));
}
