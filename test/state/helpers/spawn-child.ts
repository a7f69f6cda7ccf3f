/** Spawns a compiled helper script of test/state/helpers as a real child process. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  /** Resolves with the exit code or signal name. */
  exited: Promise<number | string>;
  stderr(): string;
}

/** Runs `node helpers/<script>.js ...args`. */
export function spawnHelper(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, [path.join(here, `${script}.js`), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    proc.on('close', () => reject(new Error(`${script} exited before printing a line; stderr: ${err}`)));
  });
  firstLine.catch(() => undefined);
  const exited = new Promise<number | string>((resolve) =>
    proc.on('close', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { proc, firstLine, exited, stderr: () => err };
}
