/**
 * The spawner in effect for local commands: HA_VALET_SPAWN (read on every
 * command, so a test or bench may switch), the choice made for its value
 * (once: choose-spawn-helper.ts), and one helper pool per program, shared by
 * every LocalExecutor of the process. A helper program that turns out not to
 * run here is dropped and the next in the order is chosen. Each choice is
 * logged once at debug level.
 */
import { chooseSpawnHelper, type SpawnKind } from './choose-spawn-helper.js';
import { SpawnHelperPool } from './spawn-helper.js';

/** The helper pools started so far, by program kind. */
const pools = new Map<SpawnKind, SpawnHelperPool>();
/** The kind in use for each HA_VALET_SPAWN value seen. */
const chosen = new Map<string, SpawnKind>();
/** Helper programs that could not run here. */
const broken = new Set<SpawnKind>();
let debug: (message: string) => void = () => undefined;

const NAMES: Record<SpawnKind, string> = {
  python: 'the Python spawn helper',
  perl: 'the Perl spawn helper',
  direct: 'Node itself (no spawn helper)',
};

/** Where the one line about the choice goes (the CLI's logger, at debug level). */
export function setSpawnLog(log: (message: string) => void): void {
  debug = log;
}

/** The helper pool local commands go through now, or null to spawn them directly. */
export function currentSpawnHelpers(): SpawnHelperPool | null {
  const requested = process.env.HA_VALET_SPAWN ?? '';
  const kind = chosen.get(requested);
  if (kind === 'direct') return null;
  const pool = kind ? pools.get(kind) : undefined;
  if (pool?.isAvailable()) return pool;
  if (pool) broken.add(pool.program.kind);
  return chooseFor(requested);
}

/** The spawn mode in effect: 'python', 'perl' or 'direct'. */
export function spawnMode(): SpawnKind {
  return currentSpawnHelpers()?.program.kind ?? 'direct';
}

/** PIDs of the spawn helpers running now (benchmarks read their CPU time). */
export function spawnHelperPids(): number[] {
  return [...pools.values()].flatMap((pool) => pool.pids());
}

/** Chooses (again) for a HA_VALET_SPAWN value, starting its pool if new, and logs the choice. */
function chooseFor(requested: string): SpawnHelperPool | null {
  const program = chooseSpawnHelper({ requested, exclude: broken });
  const kind = program?.kind ?? 'direct';
  const why = [
    requested ? `HA_VALET_SPAWN=${requested}` : '',
    [...broken].map((b) => `${NAMES[b]} did not run`).join(', '),
  ].filter(Boolean);
  debug(
    `local commands are spawned by ${NAMES[kind]}${program ? ` (${program.description})` : ''}${why.length ? `; ${why.join('; ')}` : ''}`,
  );
  chosen.set(requested, kind);
  if (!program) return null;
  let pool = pools.get(kind);
  if (!pool) {
    pool = new SpawnHelperPool(program);
    pools.set(kind, pool);
  }
  return pool;
}
