/**
 * Installs a Debian package the suite runs for real (sshd, etcd, chromium, nft, arping …) when its
 * program is missing, so `npm test` works on a fresh machine as root, as `.ci/run` does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Runs apt-get (update once first when the install alone fails); throws naming the package. */
export function ensureDebianPackage(
  program: string,
  pkg: string,
  options: { recommends?: boolean } = {},
): void {
  if (existsSync(program)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync(
      'apt-get',
      ['install', '-y', '-qq', ...(options.recommends ? [] : ['--no-install-recommends']), pkg],
      {
        env,
        stdio: 'ignore',
        timeout: 600_000,
      },
    ).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 600_000 });
    install();
  }
  if (!existsSync(program)) {
    throw new Error(
      `${program} is missing and 'apt-get install ${pkg}' did not provide it; install it by hand`,
    );
  }
}

/** Python 3 for the spawn, connect and SSH runner helpers' tests (`.ci/run` installs the same). */
export function ensurePython3(): void {
  ensureDebianPackage('/usr/bin/python3', 'python3-minimal');
}
