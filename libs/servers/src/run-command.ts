// Runs a short command to completion with its output prefixed (initdb, docker compose).
import { spawn } from 'node:child_process';
import { LinePrefixer } from './line-prefixer.js';

export interface RunOptions {
  readonly name: string;
  readonly write: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly uid?: number;
  readonly gid?: number;
  readonly timeoutMs: number;
  /** Print the output (true) or only collect it (false). */
  readonly echo?: boolean;
}

export interface RunResult {
  /** Exit code; null when it was killed (including by the timeout) or could not start. */
  readonly code: number | null;
  readonly lines: readonly string[];
  readonly error?: string;
}

export function runCommand(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const child = spawn(command, [...args], {
      env: options.env,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const onLine = (line: string) => {
      lines.push(line);
      if (options.echo !== false) options.write(`[${options.name}] ${line}`);
    };
    const prefixers = [child.stdout, child.stderr].map((stream) => {
      const p = new LinePrefixer('', onLine);
      stream.setEncoding('utf8');
      stream.on('data', (t: string) => p.push(t));
      return p;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, lines, error: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      for (const p of prefixers) p.flush();
      resolve({ code, lines });
    });
  });
}
