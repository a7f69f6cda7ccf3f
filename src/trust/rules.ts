/**
 * The trust rule, pure: given what lstat(2) says about one path and the part
 * it plays, is it safe to let it decide what ha-valet runs? Like sshd's
 * StrictModes and cron's checks of /etc/cron.d: owned by the running user or
 * root, and not writable by anyone else; secrets also not readable by others.
 */

/** The part a path plays; each forbids its own mode bits. */
export type TrustRole =
  /** The config file, known_hosts, etcd CA and certificate: nobody else may write it. */
  | 'file'
  /** etcd password, etcd client key, HTTP token: nobody else may write it, others may not read it. */
  | 'secret'
  /** An SSH private key: no access at all for group or others (OpenSSH refuses such a key). */
  | 'ssh-key'
  /** The state directory: nobody else may write it (sticky or not: they could plant requests). */
  | 'dir'
  /** A directory above a checked path: nobody else may write it, unless it is sticky (like /tmp). */
  | 'parent';

/** What lstat(2) says about one path. */
export interface PathFacts {
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** st_mode & 0o7777. */
  mode: number;
  uid: number;
  gid: number;
}

/** Names of ids, for messages (the I/O side reads /etc/passwd and /etc/group); null when unknown. */
export interface IdNames {
  user(uid: number): string | null;
  group(gid: number): string | null;
}

/** One path that fails the rule, with what would fix it. */
export interface TrustProblem {
  path: string;
  kind: PathFacts['kind'];
  role: TrustRole;
  /** e.g. 'owned by uid 1001 (hvt123)', 'group and others can write it'. */
  problems: string[];
  /** e.g. 'owned by root, not writable by group or others'. */
  expected: string;
  /** Shell commands that fix it, e.g. `chmod go-w /etc/ha-valet/ha_valet.cfg`. */
  fixes: string[];
  /** `mode 0666, owner root, group root` (the facts as found). */
  found: string;
}

const STICKY = 0o1000;
const GROUP_OTHER_WRITE = 0o022;

/** Mode bits a role forbids (for 'parent', unless the directory is sticky). */
export const FORBIDDEN_BITS: Record<TrustRole, number> = {
  file: GROUP_OTHER_WRITE,
  secret: GROUP_OTHER_WRITE | 0o007,
  'ssh-key': 0o077,
  dir: GROUP_OTHER_WRITE,
  parent: GROUP_OTHER_WRITE,
};

/** True when `uid` may own what ha-valet trusts: root, or the user it runs as. */
export function isTrustedOwner(uid: number, runningUid: number): boolean {
  return uid === 0 || uid === runningUid;
}

/** Judges one path; null when it is safe. A symlink is judged by its owner only (its target is judged too). */
export function judgePath(
  facts: PathFacts,
  role: TrustRole,
  runningUid: number,
  names: IdNames,
): TrustProblem | null {
  const problems: string[] = [];
  const fixes: string[] = [];
  if (!isTrustedOwner(facts.uid, runningUid)) {
    problems.push(`owned by ${describeId('uid', facts.uid, names.user(facts.uid))}`);
    const flag = facts.kind === 'symlink' ? '-h ' : ''; // change the link, not its target
    fixes.push(`chown ${flag}${names.user(runningUid) ?? runningUid} ${facts.path}`);
  }
  const exempt = facts.kind === 'symlink' || (role === 'parent' && (facts.mode & STICKY) !== 0);
  const bad = exempt ? 0 : facts.mode & FORBIDDEN_BITS[role];
  if (bad !== 0) {
    problems.push(describeAccess(bad));
    fixes.push(`chmod ${symbolicRemoval(bad)} ${facts.path}`);
  }
  if (problems.length === 0) return null;
  return {
    path: facts.path,
    kind: facts.kind,
    role,
    problems,
    expected: describeExpected(role, runningUid, names),
    fixes,
    found: `mode ${octal(facts.mode)}, owner ${describeId('uid', facts.uid, names.user(facts.uid))}, group ${describeId('gid', facts.gid, names.group(facts.gid))}`,
  };
}

/** `group and others can write it`, `others can read it`, … from the offending bits. */
export function describeAccess(bits: number): string {
  const who = (shift: number): string => {
    const verbs = [bits & (0o4 << shift) ? 'read' : '', bits & (0o2 << shift) ? 'write' : '']
      .filter(Boolean)
      .join(' and ');
    return verbs || (bits & (0o1 << shift) ? 'search' : '');
  };
  const group = who(3);
  const others = who(0);
  if (group && group === others) return `group and others can ${group} it`;
  return [group ? `group can ${group} it` : '', others ? `others can ${others} it` : '']
    .filter(Boolean)
    .join(', ');
}

/** `go-w`, `g-w,o-rwx`: the chmod argument that removes exactly `bits`. */
export function symbolicRemoval(bits: number): string {
  const letters = (shift: number): string =>
    (bits & (0o4 << shift) ? 'r' : '') +
    (bits & (0o2 << shift) ? 'w' : '') +
    (bits & (0o1 << shift) ? 'x' : '');
  const group = letters(3);
  const others = letters(0);
  if (group && group === others) return `go-${group}`;
  return [group ? `g-${group}` : '', others ? `o-${others}` : ''].filter(Boolean).join(',');
}

/** What the role expects, in words. */
function describeExpected(role: TrustRole, runningUid: number, names: IdNames): string {
  const you = describeId('uid', runningUid, names.user(runningUid));
  const owner = runningUid === 0 ? 'owned by root' : `owned by ${you} or root`;
  const access: Record<TrustRole, string> = {
    file: 'not writable by group or others',
    secret: 'not writable by group or others, not readable by others',
    'ssh-key': 'no access for group or others (chmod 600)',
    dir: 'not writable by group or others',
    parent: 'not writable by group or others (unless sticky, like /tmp)',
  };
  return `${owner}, ${access[role]}`;
}

/** `root`, else `uid 1001 (alice)` (or `uid 1001` when the name is unknown). */
export function describeUser(uid: number, names: IdNames): string {
  return describeId('uid', uid, names.user(uid));
}

/** `root` for id 0, else `uid 1001 (alice)` (or `uid 1001` when the name is unknown). */
function describeId(label: 'uid' | 'gid', id: number, name: string | null): string {
  if (id === 0) return name ?? 'root';
  return name ? `${label} ${id} (${name})` : `${label} ${id}`;
}

/** `0644`, `1777`. */
export function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
