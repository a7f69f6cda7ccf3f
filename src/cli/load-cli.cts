/**
 * How bin/ha-valet loads the CLI. Preferred: the single-file bundle
 * (<outDir>/bundle/ha-valet.cjs, built by scripts/build-bundle.ts) compiled
 * with V8's code cache beside it, so a start skips resolving, parsing and
 * compiling some forty modules. Otherwise the compiled modules
 * (<outDir>/src/cli/main.js): when there is no bundle, when it is older than
 * the last tsc build (a developer rebuilt without bundling), when it fails to
 * load, or when HA_VALET_NO_BUNDLE=1. HA_VALET_DEBUG_LOAD=1 says which on stderr. Only this package's own build output is
 * ever compiled here; nothing from a config file.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';

/** The CLI's entry point: runs argv, resolves with the exit code. */
export type RunCli = (argv: string[]) => Promise<number>;

/** Where the bundle, its code cache and the tsc build stamp live. */
export interface BundlePaths {
  bundle: string;
  cache: string;
  /** tsc's incremental build info; a bundle older than it is stale. */
  buildInfo: string;
}

/** What was loaded; `cache` says how V8's code cache went ('none' for the modules). */
export interface LoadedCli {
  runCli: RunCli;
  via: 'bundle' | 'modules';
  cache: 'accepted' | 'rejected' | 'missing' | 'none';
  /** After a run: writes a fresh code cache when the stored one was missing or rejected (best effort). */
  refreshCache(): void;
}

/** A compiled bundle and the script it came from (its code cache can be taken from it). */
export interface CompiledBundle {
  script: vm.Script;
  runCli: RunCli;
}

/** The variables a CommonJS module sees, plus the value the bundle uses for `import.meta.url`. */
type BundleFactory = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: { runCli?: unknown } },
  filename: string,
  dirname: string,
  importMetaUrl: string,
) => void;

/** The name scripts/build-bundle.ts defines `import.meta.url` as. */
export const IMPORT_META_URL_NAME = '__haValetImportMetaUrl';

/** The bundle beside this build: <outDir>/bundle/ha-valet.cjs. */
export function defaultBundlePaths(): BundlePaths {
  const outDir = path.resolve(__dirname, '../..');
  const bundle = path.join(outDir, 'bundle', 'ha-valet.cjs');
  return { bundle, cache: `${bundle}.cache`, buildInfo: path.join(outDir, '.tsbuildinfo') };
}

/** Loads the bundle when it is there and current, else the compiled modules. */
export async function loadCli(
  paths: BundlePaths = defaultBundlePaths(),
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedCli> {
  if (env.HA_VALET_NO_BUNDLE !== '1' && isBundleCurrent(paths)) {
    const cachedData = readOptional(paths.cache);
    try {
      const compiled = compileBundle(paths.bundle, cachedData);
      const cache = !cachedData ? 'missing' : compiled.script.cachedDataRejected ? 'rejected' : 'accepted';
      if (env.HA_VALET_DEBUG_LOAD === '1') debugLoad(`bundle ${paths.bundle} (code cache ${cache})`);
      return {
        runCli: compiled.runCli,
        via: 'bundle',
        cache,
        refreshCache: () => {
          if (cache !== 'accepted') writeCodeCache(paths.cache, compiled.script);
        },
      };
    } catch (error) {
      // A damaged or foreign bundle: the compiled modules do the same job, only slower to start.
      if (env.HA_VALET_DEBUG_LOAD === '1') debugLoad(`bundle ${paths.bundle} failed: ${String(error)}`);
    }
  }
  if (env.HA_VALET_DEBUG_LOAD === '1') debugLoad('compiled modules');
  const { runCli } = (await import('./main.js')) as { runCli: RunCli };
  return { runCli, via: 'modules', cache: 'none', refreshCache: () => {} };
}

/** True when the bundle exists and is not older than the last tsc build (when that is known). */
export function isBundleCurrent(paths: BundlePaths): boolean {
  const bundle = statSync(paths.bundle, { throwIfNoEntry: false });
  if (!bundle) return false;
  const built = statSync(paths.buildInfo, { throwIfNoEntry: false });
  return !built || bundle.mtimeMs >= built.mtimeMs;
}

/** Compiles and evaluates the bundle as a CommonJS module, with CACHED_DATA as V8's code cache. */
export function compileBundle(bundlePath: string, cachedData?: Buffer): CompiledBundle {
  // A `#!` line would not parse inside the wrapper; keep it as a comment so line numbers hold.
  const source = readFileSync(bundlePath, 'utf8').replace(/^#!/, '//');
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname, ${IMPORT_META_URL_NAME}) {${source}\n})`,
    {
      filename: bundlePath,
      ...(cachedData ? { cachedData } : {}),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    },
  );
  const factory = script.runInThisContext() as BundleFactory;
  const module: { exports: { runCli?: unknown } } = { exports: {} };
  factory(
    module.exports,
    createRequire(bundlePath),
    module,
    bundlePath,
    path.dirname(bundlePath),
    pathToFileURL(bundlePath).href,
  );
  if (typeof module.exports.runCli !== 'function') {
    throw new Error(`${bundlePath} does not export runCli; rebuild it with npm run build`);
  }
  return { script, runCli: module.exports.runCli as RunCli };
}

/** Writes SCRIPT's code cache to FILE atomically; a read-only install just keeps compiling. */
export function writeCodeCache(file: string, script: vm.Script): boolean {
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, file);
    return true;
  } catch {
    rmSync(temp, { force: true });
    return false;
  }
}

/** With HA_VALET_DEBUG_LOAD=1: says on stderr how the CLI was loaded. */
function debugLoad(what: string): void {
  process.stderr.write(`ha-valet: loaded ${what}\n`);
}

/** FILE's bytes, or undefined when it can't be read. */
function readOptional(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
