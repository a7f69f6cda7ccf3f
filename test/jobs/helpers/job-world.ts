/** A temp dir with a config of job sections (given the dir) and its own state dir. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Writes `<tmp>/ha_valet.cfg`: [DEFAULT] with the state dir, then `sections(dir)`. */
export async function writeJobConfig(
  prefix: string,
  sections: (dir: string) => string[],
): Promise<{ dir: string; configPath: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const configPath = path.join(dir, 'ha_valet.cfg');
  await writeFile(configPath, ['[DEFAULT]', `state_dir = ${dir}/state`, '', ...sections(dir), ''].join('\n'));
  return { dir, configPath };
}
