import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { ADMIN_KEY, WRITE_KEY, bearer } from '../helpers.js';

/**
 * The built server as a child process on a temporary database file, for tests that stop it (kill -9, SIGTERM) and
 * start it again. Processes and files left by a test are removed after it.
 */

const BIN = fileURLToPath(new URL('../../dist/src/cli/bin.js', import.meta.url));
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  exited: Promise<Exit>;
  stderr: () => string;
}

const running = new Set<ChildProcess>();
const dirs: string[] = [];

afterEach(() => {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  running.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'segmentum-test-'));
  dirs.push(dir);
  return join(dir, 'segmentum.duckdb');
}

/** Starts `segmentum serve --port 0` and reads the real port from the line it prints once listening. */
export async function startServer(db: string): Promise<ServerProcess> {
  const args = [BIN, 'serve', '--port', '0', '--db', db, '--write-key', WRITE_KEY, '--admin-key', ADMIN_KEY, '--log-level', 'warn'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  let err = '';
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<Exit>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await listeningPort(proc, exited, () => err);
  // The line says localhost; the server listens on 127.0.0.1 only, so ask for it by address.
  return { proc, url: `http://127.0.0.1:${port}`, exited, stderr: () => err };
}

/** The exit of a stopping server, or a failure naming what it waited for. */
export async function exitWithin(server: ServerProcess, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server did not exit within ${ms} ms of the signal\n${server.stderr()}`)), ms);
  });
  try {
    return await Promise.race([server.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function admin<T>(url: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: bearer(ADMIN_KEY) } });
  return { status: res.status, body: (await res.json()) as T };
}


/** The port a starting `segmentum serve` prints once listening; fails with its output if it exits or takes 15 s. */
export function listeningPort(proc: ChildProcess, exited: Promise<unknown>, stderr: () => string): Promise<string> {
  let out = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 15 s\n${out}\n${stderr()}`)), 15_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /Segmentum is running on http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${JSON.stringify(e)}) before listening\n${stderr()}`));
    });
  });
}
