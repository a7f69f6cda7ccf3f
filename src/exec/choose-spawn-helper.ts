/**
 * Which program spawns local shell commands: the Python helper (posix_spawn,
 * the cheapest), else the Perl helper, else Node itself ('direct').
 * `HA_VALET_SPAWN=python|perl|direct` asks for one; a helper that cannot run
 * here falls back along that order. Python counts when it is 3.8 or later
 * (os.posix_spawn with setsid): read from the name its path resolves to
 * (`/usr/bin/python3` → `python3.11`), else asked of the interpreter once.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { SPAWN_HELPER_PYTHON_SCRIPT } from './spawn-helper-python-script.js';
import { SPAWN_HELPER_SCRIPT } from './spawn-helper-script.js';

export const SPAWN_KINDS = ['python', 'perl', 'direct'] as const;
export type SpawnKind = (typeof SPAWN_KINDS)[number];

/** A helper program to start: `command args…`, reading requests on stdin. */
export interface SpawnProgram {
  kind: Exclude<SpawnKind, 'direct'>;
  command: string;
  args: string[];
  /** What the log says about it ('/usr/bin/python3 3.11'). */
  description: string;
}

export interface ChooseOptions {
  /** HA_VALET_SPAWN's value ('' or unknown: the default order). */
  requested?: string;
  /** Kinds already found not to work in this process. */
  exclude?: ReadonlySet<SpawnKind>;
  /** Python interpreters tried before `python3` in PATH (default: /usr/bin/python3). */
  pythonPaths?: string[];
  /** The PATH to search (default: the process's). */
  searchPath?: string;
}

/** The oldest Python whose os.posix_spawn has `setsid`. */
const MIN_PYTHON: [number, number] = [3, 8];

/** The program for the requested kind, or the first that works in the default order; null = direct. */
export function chooseSpawnHelper(options: ChooseOptions = {}): SpawnProgram | null {
  const requested = SPAWN_KINDS.find((kind) => kind === options.requested);
  if (requested === 'direct') return null;
  const order = requested ? [requested, ...SPAWN_KINDS.filter((k) => k !== requested)] : SPAWN_KINDS;
  for (const kind of order) {
    if (kind === 'direct') return null;
    if (options.exclude?.has(kind)) continue;
    const program = kind === 'python' ? findPython(options) : findPerl(options);
    if (program) return program;
  }
  return null;
}

/** A Python ≥ 3.8 running the Python helper, or null. */
function findPython(options: ChooseOptions): SpawnProgram | null {
  const found = findPython3(options);
  return found
    ? {
        kind: 'python',
        command: found.path,
        args: ['-I', '-S', '-c', SPAWN_HELPER_PYTHON_SCRIPT],
        description: `${found.path} ${found.version.join('.')}`,
      }
    : null;
}

/**
 * The first Python ≥ 3.8 among `pythonPaths` (default /usr/bin/python3), then python3 in
 * PATH; null when there is none. Also the connect helper's interpreter (probe/native).
 */
export function findPython3(
  options: Pick<ChooseOptions, 'pythonPaths' | 'searchPath'> = {},
): { path: string; version: [number, number] } | null {
  // Asked by the spawn helper and the connect helper: look (and maybe run Python) once.
  const key = JSON.stringify([options.pythonPaths ?? null, options.searchPath ?? process.env.PATH ?? '']);
  if (!pythonFound.has(key)) pythonFound.set(key, lookForPython3(options));
  return pythonFound.get(key)!;
}

const pythonFound = new Map<string, { path: string; version: [number, number] } | null>();

function lookForPython3(
  options: Pick<ChooseOptions, 'pythonPaths' | 'searchPath'>,
): { path: string; version: [number, number] } | null {
  const candidates = [...(options.pythonPaths ?? ['/usr/bin/python3'])];
  const inPath = findInPath('python3', options.searchPath);
  if (inPath) candidates.push(inPath);
  for (const candidate of candidates) {
    if (!isExecutable(candidate)) continue;
    const version = pythonVersion(candidate);
    if (!version || compareVersions(version, MIN_PYTHON) < 0) continue;
    return { path: candidate, version };
  }
  return null;
}

/** Perl from PATH running the Perl helper, or null. */
function findPerl(options: ChooseOptions): SpawnProgram | null {
  const perl = findInPath('perl', options.searchPath);
  return perl ? { kind: 'perl', command: perl, args: ['-e', SPAWN_HELPER_SCRIPT], description: perl } : null;
}

/** [major, minor] of the Python at `file`: from its resolved name, else by running it once. */
function pythonVersion(file: string): [number, number] | null {
  let resolved = file;
  try {
    resolved = realpathSync(file);
  } catch {
    return null;
  }
  const named = /python(\d+)\.(\d+)$/.exec(path.basename(resolved));
  if (named) return [Number(named[1]), Number(named[2])];
  const asked = spawnSync(file, ['-I', '-S', '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
    timeout: 5000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const printed = /^(\d+)\.(\d+)\s*$/.exec(asked.stdout ?? '');
  return asked.status === 0 && printed ? [Number(printed[1]), Number(printed[2])] : null;
}

/** Negative when a < b. */
function compareVersions(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** The first executable `program` in the PATH's directories, or null. */
function findInPath(program: string, searchPath = process.env.PATH ?? ''): string | null {
  for (const dir of searchPath.split(':')) {
    const file = path.join(dir || '.', program);
    if (isExecutable(file)) return file;
  }
  return null;
}

/** True when `file` exists and may be executed. */
function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
