/**
 * How bin/ha-valet loads the CLI. Preferred: the single-file bundle
 * (<outDir>/bundle/ha-valet.cjs, built by scripts/build-bundle.ts) compiled
 * with V8's code cache beside it, so a start skips resolving, parsing and
 * compiling some forty modules. Otherwise the compiled modules
 * (<outDir>/src/cli/main.js): when there is no bundle, when it is older than
 * the last tsc build (a developer rebuilt without bundling), when it fails to
 * load, or when HA_VALET_NO_BUNDLE=1.
 * HA_VALET_DEBUG_LOAD=1 says which on stderr. Only this package's own build output is
 * ever compiled here; nothing from a config file.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** A compiled bundle, the script it came from (its code cache can be taken from it) and that cache's tag. */
export interface CompiledBundle {
  script: vm.Script;
  runCli: RunCli;
  /** Ties a code cache to this exact bundle text and Node version (see cacheTag). */
  tag: string;
  /** How the code cache given went: 'missing' also when it was made for another bundle or Node. */
  cache: 'accepted' | 'rejected' | 'missing';
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
    try {
      const compiled = compileBundle(paths.bundle, paths.cache);
      const { cache } = compiled;
      if (env.HA_VALET_DEBUG_LOAD === '1') debugLoad(`bundle ${paths.bundle} (code cache ${cache})`);
      return {
        runCli: compiled.runCli,
        via: 'bundle',
        cache,
        refreshCache: () => {
          if (cache !== 'accepted') writeCodeCache(paths.cache, compiled);
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

/**
 * The tag a code cache must carry to be used: a hash of the bundle text and
 * the Node version. V8 itself only checks the source length (and its flags,
 * rejecting a cache made under other flags), so without this a cache written
 * by an old process for an old bundle of the same length would run old code.
 */
export function cacheTag(source: string): string {
  return createHash('sha256').update(source).update(`\0${process.version}`).digest('hex');
}

/** The first line of a code cache file: this format's mark and the tag. */
function cacheHeader(tag: string): string {
  return `HVC1 ${tag}\n`;
}

/**
 * Compiles and evaluates the bundle as a CommonJS module, with the code cache
 * in CACHE_FILE when that was made for this very bundle and Node.
 */
export function compileBundle(bundlePath: string, cacheFile?: string): CompiledBundle {
  // A `#!` line would not parse inside the wrapper; keep it as a comment so line numbers hold.
  const source = readFileSync(bundlePath, 'utf8').replace(/^#!/, '//');
  const tag = cacheTag(source);
  const cachedData = cacheFile ? readCache(cacheFile, tag) : undefined;
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
  const cache = !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted';
  return { script, runCli: module.exports.runCli as RunCli, tag, cache };
}

/**
 * Writes the compiled bundle's code cache, tagged, to FILE atomically. A
 * read-only install just keeps compiling (checked first: making the cache costs).
 */
export function writeCodeCache(file: string, compiled: CompiledBundle): boolean {
  const temp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    accessSync(path.dirname(file), constants.W_OK);
    const data = compiled.script.createCachedData();
    writeFileSync(temp, Buffer.concat([Buffer.from(cacheHeader(compiled.tag)), data]), { flag: 'wx' });
    renameSync(temp, file);
    return true;
  } catch {
    rmSync(temp, { force: true });
    return false;
  }
}

/** The V8 data of the code cache in FILE when its tag is TAG; else undefined. */
function readCache(file: string, tag: string): Buffer | undefined {
  const bytes = readOptional(file);
  const header = Buffer.from(cacheHeader(tag));
  if (!bytes || bytes.length <= header.length || !bytes.subarray(0, header.length).equals(header)) {
    return undefined;
  }
  return bytes.subarray(header.length);
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
