/** Headless Debian Chromium for page tests: installs the package when it is missing. */
import { ensureDebianPackage } from '../helpers/debian-package.js';
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
  ensureDebianPackage(CHROMIUM_PATH, 'chromium', { recommends: true });
}

/** Launches headless Chromium through playwright-core. */
export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
