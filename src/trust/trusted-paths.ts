/**
 * Which paths decide what ha-valet runs or whom it trusts, pure: the config
 * file, the SSH keys and known_hosts of processes and jobs that use SSH, the etcd CA,
 * certificate, key and password files, and the state directory (operator
 * requests are files there). Each with the part it plays and where it was set.
 */
import path from 'node:path';
import type { Config, ConfiguredPath } from '../config/model.js';
import { DEFAULT_KEY_NAMES } from '../exec/ssh-auth.js';
import type { TrustRole } from './rules.js';

/** One path to check. */
export interface TrustedPath {
  path: string;
  role: TrustRole;
  /** What it is, for messages: `config file`, `ssh_key`, `state directory`. */
  label: string;
  /** The config line that set it (none for the config file itself and for defaults). */
  where: { line: number; section?: string; key?: string };
}

/** What the list depends on besides the config. */
export interface TrustContext {
  /** Home of the running user: default SSH keys and known_hosts live in ~/.ssh. */
  home: string;
  /** The resolved state_dir, and the config's own directory inside it. */
  stateDir: string;
  configStateDir: string;
}

/** The config file alone (all that can be checked when the config does not parse). */
export function configFilePath(file: string): TrustedPath {
  return { path: path.resolve(file), role: 'file', label: 'config file', where: { line: 0 } };
}

/** Every path of `config` that decides what runs or whom it trusts, config file first, without repeats. */
export function trustedPaths(config: Config, ctx: TrustContext): TrustedPath[] {
  const list: TrustedPath[] = [configFilePath(config.file)];
  const add = (file: string, role: TrustRole, key: string, fallbackLabel?: string): void => {
    const set = findSetting(config.paths, key, file);
    list.push({
      path: file,
      role,
      label: set || !fallbackLabel ? key : fallbackLabel,
      where: set ? { line: set.line, section: set.section, key } : { line: 0 },
    });
  };
  const sshDir = path.join(ctx.home, '.ssh');
  // A group's members run their own commands with their own SSH settings.
  const sections = config.processes.flatMap((p) => p.members ?? [p]);
  for (const process of [...sections, ...config.jobs]) {
    if (!process.candidates.some((c) => c.transport === 'ssh')) continue;
    const { keyFile, knownHostsFile } = process.ssh;
    if (keyFile) add(keyFile, 'ssh-key', 'ssh_key');
    else {
      for (const name of DEFAULT_KEY_NAMES) {
        add(path.join(sshDir, name), 'ssh-key', 'ssh_key', 'SSH key (default: ssh_key not set)');
      }
    }
    add(
      knownHostsFile ?? path.join(sshDir, 'known_hosts'),
      'file',
      'ssh_known_hosts',
      'known_hosts (default: ssh_known_hosts not set)',
    );
  }
  const coordination = config.global.coordination;
  if (coordination.backend === 'etcd') {
    const { tls, auth } = coordination.etcd;
    if (tls?.caFile) add(tls.caFile, 'file', 'etcd_ca_file');
    if (tls?.certFile) add(tls.certFile, 'file', 'etcd_cert_file');
    if (tls?.keyFile) add(tls.keyFile, 'secret', 'etcd_key_file');
    if (auth?.passwordFile) add(auth.passwordFile, 'secret', 'etcd_password_file');
  }
  add(ctx.stateDir, 'dir', 'state_dir', 'state directory (default: state_dir not set)');
  list.push({
    path: ctx.configStateDir,
    role: 'dir',
    label: 'state directory of this config',
    where: { line: 0 },
  });
  return withoutRepeats(list);
}

/** The first setting of `key` that resolved to `file`. */
function findSetting(
  paths: ConfiguredPath[] | undefined,
  key: string,
  file: string,
): ConfiguredPath | undefined {
  return paths?.find((p) => p.key === key && p.path === file);
}

/** Drops later entries for a path and role already listed (many processes share one key file). */
function withoutRepeats(list: TrustedPath[]): TrustedPath[] {
  const seen = new Set<string>();
  return list.filter((item) => {
    const id = `${item.role} ${item.path}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
