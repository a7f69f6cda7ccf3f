/**
 * Builds the CLI bundle that bin/ha-valet prefers (see src/cli/load-cli.cts).
 * 1. esbuild packs src/cli/main.ts and its modules into one CommonJS file.
 *    The heavy, rarely needed packages (SSH, etcd, metrics, logging) stay out
 *    and load from node_modules when a command uses them.
 * 2. The bundle runs a few read-only commands (help, validate, status, nagios)
 *    on a throwaway state dir, so V8 compiles what such a run needs; that
 *    compiled code is saved beside it as the code cache.
 * Run from the package root after tsc (npm run build does both):
 *   node dist/scripts/build-bundle.js [REPO_ROOT]
 * The bundle goes to <outDir of this script>/bundle/, where load-cli looks.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { IMPORT_META_URL_NAME, compileBundle, writeCodeCache, type RunCli } from '../src/cli/load-cli.cjs';
import { writeStatusFixture } from './status-fixture.js';

/** Packages loaded from node_modules at run time instead of being packed in. */
const EXTERNAL = ['node-ssh', 'ssh2', 'etcd3', 'prom-client', 'winston'];

/** Commands the warm-up runs (argv after the program name); each must be read-only. */
const WARM_UP_COMMANDS = (config: string): string[][] => [
  ['--help'],
  ['-c', config, 'validate'],
  ['-c', config, 'status', '--no-probe'],
  ['-c', config, 'status', '--no-probe', '--json'],
  ['-c', config, 'nagios'],
];

export interface BundleBuild {
  bundle: string;
  cache: string;
  bundleBytes: number;
  cacheBytes: number;
  buildMs: number;
  warmMs: number;
}

/** Bundles REPO_ROOT/src/cli/main.ts into OUT_DIR/ha-valet.cjs and writes its warmed code cache. */
export async function buildBundle(repoRoot: string, outDir: string): Promise<BundleBuild> {
  const bundle = path.join(outDir, 'ha-valet.cjs');
  const cache = `${bundle}.cache`;
  const started = performance.now();
  // The old cache goes first; a start meanwhile would find no cache, not one of another bundle.
  await rm(cache, { force: true });
  await build({
    entryPoints: [path.join(repoRoot, 'src', 'cli', 'main.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: EXTERNAL,
    define: { 'import.meta.url': IMPORT_META_URL_NAME },
    legalComments: 'none',
    logLevel: 'warning',
  });
  const built = performance.now();
  const compiled = compileBundle(bundle);
  await warmUp(compiled.runCli);
  if (!writeCodeCache(cache, compiled)) throw new Error(`could not write the code cache ${cache}`);
  return {
    bundle,
    cache,
    bundleBytes: (await stat(bundle)).size,
    cacheBytes: (await stat(cache)).size,
    buildMs: built - started,
    warmMs: performance.now() - built,
  };
}

/** Runs the warm-up commands on a throwaway config and state dir, output discarded. */
async function warmUp(runCli: RunCli): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ha-valet-bundle-warm-'));
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const exitCode = process.exitCode;
  try {
    const config = await writeStatusFixture(dir, 20);
    process.stdout.write = process.stderr.write = () => true;
    for (const args of WARM_UP_COMMANDS(config)) await runCli([process.execPath, 'ha-valet', ...args]);
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.exitCode = exitCode;
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds into <outDir of this script>/bundle and says what it made. */
async function main(): Promise<void> {
  const repoRoot = path.resolve(process.argv[2] ?? process.cwd());
  const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bundle');
  const result = await buildBundle(repoRoot, outDir);
  const kib = (bytes: number): string => `${Math.round(bytes / 1024)} KiB`;
  process.stdout.write(
    `bundle: ${path.relative(process.cwd(), result.bundle)} (${kib(result.bundleBytes)}, ` +
      `${result.buildMs.toFixed(0)} ms), code cache ${kib(result.cacheBytes)} (warm-up ${result.warmMs.toFixed(0)} ms)\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
