/**
 * Walks each trusted path from `/` down and judges every component: the
 * directories above it (a writable one lets others replace what is below),
 * symlinks on the way (their owner decides where they point) and the path
 * itself. When a symlink was on the way, the resolved path is walked too.
 * Pure given a FactReader; a missing path is not a trust problem (the code
 * that reads it reports that), but the directories above it still count.
 */
import path from 'node:path';
import type { Diagnostic } from '../config/model.js';
import type { FactReader } from './read-facts.js';
import { judgePath, type TrustProblem } from './rules.js';
import type { TrustedPath } from './trusted-paths.js';

/** A problem found on the way to (or at) a trusted path. */
export interface FoundProblem {
  target: TrustedPath;
  problem: TrustProblem;
}

/** Checks every target; at most one problem per path on disk (the target's own role wins over 'parent'). */
export function checkPaths(targets: TrustedPath[], reader: FactReader, runningUid: number): FoundProblem[] {
  const found = new Map<string, FoundProblem>();
  for (const target of targets) {
    for (const item of checkOne(target, reader, runningUid)) {
      const earlier = found.get(item.problem.path);
      if (!earlier || (earlier.problem.role === 'parent' && item.problem.role !== 'parent')) {
        found.set(item.problem.path, item);
      }
    }
  }
  return [...found.values()];
}

/** The problems of one target: its lexical path, then (when a symlink was on the way) its resolved path. */
function checkOne(target: TrustedPath, reader: FactReader, runningUid: number): FoundProblem[] {
  const lexical = path.resolve(target.path);
  const walked = walk(lexical, target, reader, runningUid);
  if (!walked.sawSymlink) return walked.problems;
  const real = reader.realpath(lexical);
  if (real === null || real === lexical) return walked.problems;
  return [...walked.problems, ...walk(real, target, reader, runningUid).problems];
}

/** Judges `/`, each directory below it, and the last component with the target's role. */
function walk(
  file: string,
  target: TrustedPath,
  reader: FactReader,
  runningUid: number,
): { problems: FoundProblem[]; sawSymlink: boolean } {
  const problems: FoundProblem[] = [];
  let sawSymlink = false;
  const components = prefixes(file);
  for (const [index, component] of components.entries()) {
    const facts = reader.facts(component);
    if (!facts) break; // missing: nothing below it exists either
    if (facts.kind === 'symlink') sawSymlink = true;
    const role = index === components.length - 1 ? target.role : 'parent';
    const problem = judgePath(facts, role, runningUid, reader.names);
    if (problem) problems.push({ target, problem });
  }
  return { problems, sawSymlink };
}

/** `/a/b/c` → `/`, `/a`, `/a/b`, `/a/b/c`. */
export function prefixes(absolute: string): string[] {
  const parts = absolute.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

const KIND_WORDS: Record<TrustProblem['kind'], string> = {
  dir: 'directory',
  symlink: 'symlink',
  file: 'file',
  other: 'path',
};

/** One diagnostic per problem, pointing at the config line that named the path when there is one. */
export function toDiagnostics(
  configFile: string,
  found: FoundProblem[],
  severity: Diagnostic['severity'],
): Diagnostic[] {
  return found.map(({ target, problem }) => {
    const { line, section, key } = target.where;
    const isTarget = problem.path === path.resolve(target.path);
    const what = isTarget
      ? `${target.label} ${problem.path}`
      : `${KIND_WORDS[problem.kind]} ${problem.path} (on the way to ${target.label} ${target.path})`;
    const message =
      `${what} is not safe: ${problem.problems.join('; ')} (${problem.found}); ` +
      `expected ${problem.expected}; fix: ${problem.fixes.join(' && ')}`;
    return {
      severity,
      file: configFile,
      line,
      ...(section !== undefined ? { section } : {}),
      ...(key !== undefined ? { key } : {}),
      message,
    };
  });
}
