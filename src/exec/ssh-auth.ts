/**
 * Which credentials a connection offers: `ssh_key` when set; otherwise the
 * agent at SSH_AUTH_SOCK and the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa.
 * Passwords are never used.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface SshCredentials {
  privateKey?: string;
  agent?: string;
  /** Where the key came from, for messages. */
  source: string;
}

/** Default identity files, in the order OpenSSH tries them. */
export const DEFAULT_KEY_NAMES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/** Reads a key file, or returns null when it does not exist. */
async function readKeyIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Resolves credentials; returns a message instead when none are usable
 * (missing ssh_key file, no agent and no default key).
 */
export async function resolveCredentials(
  keyFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): Promise<SshCredentials | string> {
  if (keyFile) {
    try {
      return { privateKey: await readFile(keyFile, 'utf8'), source: keyFile };
    } catch (error) {
      return `cannot read ssh_key ${keyFile}: ${(error as Error).message}`;
    }
  }
  const credentials: SshCredentials = { source: '' };
  const sources: string[] = [];
  if (env.SSH_AUTH_SOCK) {
    credentials.agent = env.SSH_AUTH_SOCK;
    sources.push(`agent ${env.SSH_AUTH_SOCK}`);
  }
  for (const name of DEFAULT_KEY_NAMES) {
    const file = path.join(home, '.ssh', name);
    const key = await readKeyIfPresent(file).catch(() => null);
    if (key) {
      credentials.privateKey = key;
      sources.push(file);
      break;
    }
  }
  if (sources.length === 0) {
    return `no ssh_key set, no SSH_AUTH_SOCK agent and no ~/.ssh/${DEFAULT_KEY_NAMES.join('|')} in ${home}`;
  }
  credentials.source = sources.join(' + ');
  return credentials;
}
