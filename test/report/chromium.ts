/** Headless Debian Chromium for page tests: installs the package when it is missing. */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Installs Debian's chromium (we run as root) unless it is already there. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const result = spawnSync('apt-get', args, { env, stdio: 'inherit', timeout: 600_000 });
    if (result.status !== 0)
      throw new Error(
        `apt-get ${args.join(' ')} failed (exit ${result.status}); install Debian's chromium by hand`,
      );
  }
}

/** Launches headless Chromium through playwright-core. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
