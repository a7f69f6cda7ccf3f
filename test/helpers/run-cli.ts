/** Runs the compiled CLI as a real child process, the way a user would. */
import { spawn } from 'node:child_process';
import { cliMain } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Run as this user and group (the caller must be root). */
  uid?: number;
  gid?: number;
  /** Run under this umask (through /bin/sh), e.g. '000'. */
  umask?: string;
  /** Run inside this network namespace (`ip netns exec NS …`). */
  netns?: string;
}

/** Runs `ha-valet ARGS...` and resolves with its exit code and output. */
export function runCliProcess(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const node = [process.execPath, cliMain, ...args];
  const inNetns = options.netns ? ['ip', 'netns', 'exec', options.netns, ...node] : node;
  const [command, ...argv] = options.umask
    ? ['/bin/sh', '-c', `umask ${options.umask} && exec "$@"`, 'sh', ...inNetns]
    : inNetns;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, argv, {
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
