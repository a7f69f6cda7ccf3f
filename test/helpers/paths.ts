/** Paths tests need, valid whatever outDir the tests were compiled to. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: tests run from it (npm test). Fixtures live under test/fixtures/. */
export const repoRoot = process.env.HA_VALET_REPO ?? process.cwd();

/** A file under test/fixtures/. */
export function fixture(...parts: string[]): string {
  return path.join(repoRoot, 'test', 'fixtures', ...parts);
}

/**
 * The CLI entry beside these compiled tests (<outDir>/src/cli/entry.cjs), as
 * bin/ha-valet runs it: through the bundle when this build has one
 * (npm test builds it), else the compiled modules.
 */
export const cliMain = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/entry.cjs');
