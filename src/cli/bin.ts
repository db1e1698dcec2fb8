#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../main.js';
import { demoCommand, profileCommand, quarantineListCommand, quarantineReplayCommand, statsCommand } from './commands.js';
import { registerClvCommand } from './clv-command.js';
import { registerDedupCommand } from './dedup-command.js';
import { printError, processIo } from './output.js';
import { registerImportCommand } from './import-command.js';
import { registerClusterCommand } from './cluster-command.js';
import { registerModelCommands } from './model-command.js';
import { registerClustersCommands } from './cluster-profiles.js';
import { registerIdentityCommands } from './identity-command.js';
import { registerKeysCommands } from './keys-command.js';
import { registerQualityCommand } from './quality-command.js';
import { registerSegmentsCommands } from './segments-command.js';
import { serve } from './serve.js';

const io = processIo;
// `segmentum segments members x --csv | head`: a reader that stops reading early is not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
});
const program = new Command('segmentum')
  .description('Open-source audience segmentation: Segment-compatible ingest, unified profiles, segments.')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const dbOption = () => new Option('--db <path>', 'database file (default ./segmentum-data/segmentum.duckdb, env SEGMENTUM_DB)');
const readOptions = (c: Command): Command =>
  c
    .addOption(dbOption())
    .option('--url <url>', 'talk to a running server instead of opening the database')
    .option('--admin-key <key>', 'admin key for --url (env SEGMENTUM_ADMIN_KEY)')
    .option('--json', 'print JSON');

program
  .command('serve')
  .description('Serve the tracking API, management API and docs')
  .option('--port <port>', 'port (default 8787)')
  .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
  .addOption(dbOption())
  .option('--write-key <key>', 'accept this write key (env SEGMENTUM_WRITE_KEY)')
  .option('--admin-key <key>', 'accept this admin key (env SEGMENTUM_ADMIN_KEY)')
  .option('--demo', 'load the demo data set when the database is empty')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
  .option('--config <file>', 'JSON file with any option (limits, identity, dedup window...), env SEGMENTUM_CONFIG')
  .option('--json', 'accepted for symmetry; the server logs JSON lines')
  .action((o) => serve(o, process.env, io));

program
  .command('demo')
  .description('Generate and load the deterministic French e-commerce demo audience')
  .option('--profiles <n>', 'people to generate', '10000')
  .option('--days <n>', 'days of history', '180')
  .option('--seed <n>', 'random seed: same seed, same data', '42')
  .option('--now <iso>', 'end of the generated window (default: today 00:00 UTC)')
  .option('--customers-csv <file>', 'write a dirty customer file (CRM export with duplicates) of --profiles records instead, and load nothing')
  .addOption(dbOption())
  .option('--json', 'print JSON')
  .action((o) => demoCommand(o, io));

readOptions(program.command('stats').description('Counts of profiles, events, quarantined events, duplicates, accounts')).action((o) =>
  statsCommand(o, io),
);

readOptions(
  program.command('profile').description('Show a profile by profile id, userId, anonymousId or email').argument('<id>'),
).action((id: string, o) => profileCommand(id, o, io));

const quarantine = program.command('quarantine').description('Inspect and replay rejected events');
readOptions(quarantine.command('list').description('List quarantined events'))
  .option('--code <code>', 'only this error code')
  .option('--status <status>', 'pending (default) or replayed')
  .option('--limit <n>', 'at most this many', '50')
  .action((o) => quarantineListCommand(o, io));
readOptions(quarantine.command('replay').description('Submit quarantined events again after a fix'))
  .option('--id <id...>', 'these quarantine ids')
  .option('--code <code>', 'every pending event with this code')
  .option('--all', 'every pending event')
  .option('--limit <n>', 'at most this many', '1000')
  .action((o) => quarantineReplayCommand(o, io));

registerSegmentsCommands(program, readOptions, io);
registerKeysCommands(program, readOptions, io);
registerIdentityCommands(program, readOptions, io);
registerQualityCommand(program, readOptions, io);
registerClusterCommand(program, readOptions, io);
registerDedupCommand(program, io);
registerImportCommand(program, io);
registerClvCommand(program, readOptions, io);
registerClustersCommands(program, readOptions, io);
registerModelCommands(program, readOptions, io);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    printError(io, e, process.argv.includes('--json'));
    process.exitCode = 1;
  }
}
