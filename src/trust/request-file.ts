/**
 * Whether an operator request file may be carried out: only a regular file
 * owned by root or the user ha-valet runs as. The trust check keeps others out
 * of the state directory; this refuses whatever got in anyway.
 */
import { idNames } from './read-facts.js';
import { describeUser, isTrustedOwner } from './rules.js';

/** What is known about a claimed request file. */
export interface RequestFileFacts {
  file: string;
  uid: number;
  kind: 'file' | 'symlink' | 'other';
}

/** Why the request in `facts` is refused, or null when it may be carried out. */
export function refuseRequestFile(facts: RequestFileFacts, runningUid: number | null): string | null {
  return refuseForeignFile(facts, runningUid, 'request file', 'refused, not carried out');
}

/**
 * The same rule for any file ha-valet acts on (request files, state files): why the
 * `what` in `facts` is refused (`outcome` says what happens then), or null.
 */
export function refuseForeignFile(
  facts: RequestFileFacts,
  runningUid: number | null,
  what: string,
  outcome: string,
): string | null {
  if (facts.kind === 'symlink') return `${what} ${facts.file} is a symlink: ${outcome}`;
  if (facts.kind !== 'file') return `${what} ${facts.file} is not a regular file: ${outcome}`;
  if (runningUid === null || isTrustedOwner(facts.uid, runningUid)) return null;
  return (
    `${what} ${facts.file} is owned by ${describeUser(facts.uid, idNames())}, ` +
    `not by root or the user ha-valet runs as: ${outcome}`
  );
}
