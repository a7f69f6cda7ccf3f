/** Finding the unit a name on the command line (or in `with`) stands for. */
import type { Config, ProcessConfig } from './model.js';

/** The unit a name stands for: the process or group of that name, or the group a member belongs to. */
export function unitNamed(config: Pick<Config, 'processes'>, name: string): ProcessConfig | undefined {
  return (
    config.processes.find((p) => p.name === name) ??
    config.processes.find((p) => p.members?.some((m) => m.name === name))
  );
}
