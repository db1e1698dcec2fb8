import type { Command } from 'commander';
import type { KeyScope } from '../access/index.js';
import { AppError } from '../kernel/index.js';
import { openBackend, type BackendOptions, type KeyViewT } from './backend.js';
import { columns, table, type Io } from './output.js';

/**
 * `segmentum keys ...`: API keys on the database file or through a running server (--url, with a key that has the
 * manage scope). Every answer is the API's (src/api/key-routes.ts), so --json prints the same document either way.
 */

interface Common extends BackendOptions {
  json?: boolean | undefined;
}

const SCOPES: readonly KeyScope[] = ['track', 'read', 'manage'];

/** Registers the group; `readOptions` adds --db, --url, --admin-key and --json as for the other read commands. */
export function registerKeysCommands(program: Command, readOptions: (c: Command) => Command, io: Io): void {
  const g = program.command('keys').description('List, create and revoke API keys (scopes: track, read, manage)');

  readOptions(g.command('list').description('Every key with its scopes, revoked ones included')).action((o: Common) => keysList(o, io));

  readOptions(
    g
      .command('create')
      .description('Create a key; its text is printed once (always shown later for track keys only)')
      .argument('<label>', 'what the key is for (1 to 100 characters)'),
  )
    .requiredOption('--scopes <scopes>', 'comma-separated: track (a write key, alone), or read and/or manage')
    .action((label: string, o: Common & { scopes: string }) => keysCreate(label, o, io));

  readOptions(g.command('revoke').description('Revoke a key: refused from then on').argument('<id>', 'the key id (keys list)')).action(
    (id: string, o: Common) => keysRevoke(id, o, io),
  );
}

const isScope = (s: string): s is KeyScope => SCOPES.some((x) => x === s);

function parseScopes(text: string): KeyScope[] {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const scopes = parts.filter(isScope);
  if (parts.length === 0 || scopes.length < parts.length) {
    throw new AppError('config.invalid', `--scopes takes track, read or manage, comma-separated; got "${text}".`);
  }
  return scopes;
}

function printKey(io: Io, k: KeyViewT): void {
  io.out(
    table([
      ['id', k.id],
      ['label', k.label],
      ['scopes', k.scopes.join(', ')],
      ['created', k.createdAt],
      ['revoked', k.revokedAt],
      ['key', k.key ?? `${k.prefix}... (only its hash is stored)`],
    ]),
  );
}

export async function keysList(o: Common, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const res = await b.keysList();
    if (o.json) return io.out(JSON.stringify(res));
    io.out(
      columns(
        ['id', 'label', 'scopes', 'created', 'revoked', 'key'],
        res.items.map((k) => [k.id, k.label, k.scopes.join(','), k.createdAt, k.revokedAt, k.key ?? (k.prefix ? `${k.prefix}...` : null)]),
      ),
    );
  } finally {
    await b.close();
  }
}

export async function keysCreate(label: string, o: Common & { scopes: string }, io: Io): Promise<void> {
  const scopes = parseScopes(o.scopes);
  const trimmed = label.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw new AppError('config.invalid', 'A key label has 1 to 100 characters.');
  const b = await openBackend(o);
  try {
    const k = await b.keysCreate(trimmed, scopes);
    if (o.json) return io.out(JSON.stringify(k));
    printKey(io, k);
    if (!k.scopes.includes('track')) io.err('Keep the key now: only its hash is stored, it cannot be shown again.');
  } finally {
    await b.close();
  }
}

export async function keysRevoke(id: string, o: Common, io: Io): Promise<void> {
  const b = await openBackend(o);
  try {
    const k = await b.keysRevoke(id);
    if (o.json) return io.out(JSON.stringify(k));
    printKey(io, k);
  } finally {
    await b.close();
  }
}
