import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { Command, CommanderError } from 'commander';
import { isUuid } from './authorization/access';
import { relayToService } from './cli-relay';
import { ConfigError, loadConfig, type Config } from './config';
import { DataDirInUse } from './database/data-dir-lock';
import { openDatabase, type Database } from './database/data-source';
import { runPendingMigrations } from './database/migrate';
import { databaseAddress, unreachableReason } from './database/wait-for-database';
import { mintToken } from './dev-token';
import { notifyRevoked } from './events/notifier';
import { audit } from './modules/audit/audit.data';
import { recordChange } from './modules/common/mutation';
import { cleanName, domainOf, normalizeEmail } from './modules/common/validation';
import { resourcesByIds } from './modules/resources/resources.data';
import { byTypeAndName } from './modules/resources/resource.types';
import { removeMembership } from './modules/users/removal';
import { accountIdByEmail, accountsFor, addFounder, lockMembers, lockMembershipChanges, otherJoinedAdmins, subjectOf } from './modules/users/users.data';
import { insertWorkspace, workspaceName } from './modules/workspaces/workspaces.data';
import { AppError } from './server/errors';
import { StartupError } from './startup-error';

/**
 * The operator's command-line tool: `npm run cli -- <command>`. It reads the same environment
 * as the service (DATABASE_URL, DATA_DIR, AUTH_JWT_SECRET, ...) and opens the database with the
 * same factory. The embedded database is one process's: while the service holds it, the
 * commands run in the service (src/cli-relay.ts).
 */

/** A refusal to show the operator: one line, exit status 1. */
export class CliError extends Error {}

/** The command ran in the service that holds the data directory, which printed its answer. */
class Relayed extends Error {
  constructor(readonly exitCode: number) {
    super('relayed');
  }
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

type Env = Record<string, string | undefined>;

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

// ---- The commands, as functions of an open database (the tests call them too) ---------------

/** Runs the pending migrations; answers their names. */
export async function migrate(db: Database): Promise<string[]> {
  const done = await runPendingMigrations(db);
  return done.map((m) => m.name);
}

async function requireMigrated(db: Database): Promise<void> {
  if (await db.dataSource.showMigrations()) throw new CliError('The database has pending migrations: run `migrate` first');
}

function emailArg(value: string, option: string): string {
  const email = normalizeEmail(value);
  if (!email) throw new CliError(`${option}: not a valid email: ${JSON.stringify(value)}`);
  return email;
}

/**
 * A workspace whose first ADMIN is the person of `adminEmail` (JOINED: the operator acts on
 * their behalf), with that email's domain internal. Audited with a null actor.
 */
export async function createWorkspaceCommand(db: Database, args: { name: string; adminEmail: string }) {
  await requireMigrated(db);
  let name: string;
  try {
    name = cleanName(args.name, '--name');
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const email = emailArg(args.adminEmail, '--admin-email');
  const workspaceId = randomUUID();
  const internalDomains = [domainOf(email)];
  const adminUserId = await db.dataSource.transaction(async (tx) => {
    // An account for the email: found, or made without a subject (their first sign-in claims it).
    const userId = (await accountsFor(tx, [email])).get(email)!;
    await insertWorkspace(tx, { id: workspaceId, name, internalDomains });
    await addFounder(tx, workspaceId, userId);
    await audit(tx, {
      workspaceId,
      actorId: null,
      action: 'createWorkspace',
      targetType: 'Workspace',
      targetId: workspaceId,
      details: { name, internalDomains, admin: { userId, email }, via: 'cli', operator: operatorName() },
    });
    return userId;
  });
  return { workspaceId, adminUserId };
}

/**
 * The "contact support" path: removes an ADMIN, which the API never does. Refuses the last
 * JOINED ADMIN; a sole resource ADMIN needs a replacement, as through the API. Audited with a
 * null actor.
 */
export async function removeAdminCommand(db: Database, args: { workspaceId: string; email: string; replacementEmail?: string }) {
  await requireMigrated(db);
  if (!isUuid(args.workspaceId)) throw new CliError(`--workspace: not a workspace id: ${JSON.stringify(args.workspaceId)}`);
  const email = emailArg(args.email, '--email');
  const replacementEmail = args.replacementEmail === undefined ? undefined : emailArg(args.replacementEmail, '--replacement-email');
  const { workspaceId } = args;
  const removed = await db.dataSource.transaction(async (tx) => {
    if ((await workspaceName(tx, workspaceId)) === undefined) throw new CliError(`No workspace ${workspaceId}`);
    await lockMembershipChanges(tx, workspaceId);
    const member = async (who: string, mode: 'update' | 'share') => {
      const id = await accountIdByEmail(tx, who);
      const [locked] = id ? await lockMembers(tx, workspaceId, [id], mode) : [];
      return locked && locked.status !== 'REMOVED' ? locked : undefined;
    };
    const target = await member(email, 'update');
    if (!target) throw new CliError(`${email} is not a member of workspace ${workspaceId}`);
    if (target.role !== 'ADMIN') throw new CliError(`${email} is a ${target.role}, not an ADMIN: remove them through the API (removeUser)`);
    if ((await otherJoinedAdmins(tx, workspaceId, target.userId)) === 0) {
      throw new CliError(`${email} is the last ADMIN of workspace ${workspaceId}: make someone else ADMIN first`);
    }
    let replacement = null;
    if (replacementEmail !== undefined) {
      replacement = (await member(replacementEmail, 'share')) ?? null;
      if (!replacement) throw new CliError(`--replacement-email: ${replacementEmail} is not a member of workspace ${workspaceId}`);
    }
    // The operator sees every resource: a refusal names them all.
    const describe = async (ids: string[]) => ({ resources: (await resourcesByIds(tx, ids)).sort(byTypeAndName), hiddenCount: 0 });
    const change = await removeMembership(tx, { workspaceId, target, replacement, actorId: null, via: 'cli', operator: operatorName(), describe });
    await recordChange(tx, change);
    return { userId: target.userId, reassigned: change.result };
  });
  // After the commit, as the API does: the instances close the person's sockets (the cancelled
  // jobs' events woke them at commit).
  await notifyRevoked(db.dataSource, { userId: removed.userId, workspaceId }).catch(() => undefined);
  return { removedUserId: removed.userId, reassigned: removed.reassigned.map((r) => ({ type: r.type, id: r.id, name: r.name })) };
}

/**
 * A development token (HS256 with AUTH_JWT_SECRET). Its subject is the account's own when the
 * person has signed in before (another one would not be let in), else `dev|<email>`.
 */
export async function tokenCommand(config: Config, db: Database | null, args: { email: string; name?: string; sub?: string; expiresIn: string }) {
  if (config.jwksUrl) throw new CliError('The service checks tokens from AUTH_JWKS_URL: it would not accept a token made here');
  if (!config.jwtSecret || config.jwtSecretGenerated) throw new CliError('Set AUTH_JWT_SECRET (the one the service uses) to mint a token');
  const email = emailArg(args.email, '--email');
  const expiresIn = durationArg(args.expiresIn, '--expires-in');
  let sub = args.sub;
  if (!sub && db) {
    sub = (await subjectOf(db.dataSource, email)) ?? undefined;
  }
  try {
    return await mintToken(config.jwtSecret, { sub: sub ?? `dev|${email}`, email, name: args.name, issuer: config.jwtIssuer, audience: config.jwtAudience }, expiresIn);
  } catch (error) {
    throw new CliError(`Could not mint the token: ${(error as Error).message}`);
  }
}

/** Who runs the command (the audit entry's actor is null): WSAPI_OPERATOR, else the OS user at this host. */
function operatorName(): string {
  return (process.env.WSAPI_OPERATOR?.trim() || `${userInfo().username}@${hostname()}`).slice(0, 200);
}

/** A token's lifetime: a positive whole number of s, m, h or d, at most a year (a negative one would mint an expired token). */
function durationArg(value: string, flag: string): string {
  const match = /^(\d{1,6})\s*(s|m|h|d)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'] : 0;
  if (seconds <= 0 || seconds > 366 * 86400) throw new CliError(`${flag}: a positive duration of at most a year, such as 30m, 12h or 7d (got ${JSON.stringify(value)})`);
  return `${seconds}s`;
}

// ---- The command line ------------------------------------------------------------------------

export interface CliOptions {
  env?: Env;
  io?: CliIo;
  /** An open database to use instead of opening one from the environment (tests). */
  database?: Database;
}

/** Runs one command line (without the node and script arguments); answers the exit status. */
export async function runCli(argv: string[], options: CliOptions = {}): Promise<number> {
  const io = options.io ?? stdio;
  const env = options.env ?? process.env;
  let config: Config | undefined;
  const configOf = () => (config ??= loadConfig(env));

  async function withDatabase<T>(run: (db: Database) => Promise<T>): Promise<T> {
    if (options.database) return run(options.database);
    const c = configOf();
    let db: Database;
    try {
      db = await openDatabase({ url: c.databaseUrl, dataDir: c.dataDir, poolSize: 2, applicationName: 'workspace-api-cli', holder: `the CLI (${argv[0]})` });
    } catch (error) {
      if (error instanceof DataDirInUse && error.held?.socket) throw new Relayed(await relayToService(error.held, argv, io));
      throw error;
    }
    try {
      return await run(db);
    } finally {
      await db.close();
    }
  }

  const program = new Command('workspace-api')
    .description('Operator commands for workspace-api. Reads the same environment as the service.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  program
    .command('migrate')
    .description('run the pending database migrations')
    .action(async () => {
      const names = await withDatabase(migrate);
      io.out(names.length === 0 ? 'The database is up to date.\n' : names.map((n) => `migrated: ${n}\n`).join(''));
    });

  program
    .command('create-workspace')
    .description('create a workspace whose first ADMIN is the person of --admin-email')
    .requiredOption('--name <name>', 'the workspace name')
    .requiredOption('--admin-email <email>', 'its first ADMIN (an account is made if they never signed in)')
    .action(async (opts: { name: string; adminEmail: string }) => {
      const made = await withDatabase((db) => createWorkspaceCommand(db, opts));
      io.out(JSON.stringify(made) + '\n');
    });

  program
    .command('remove-admin')
    .description('remove an ADMIN from a workspace (the API never does); refuses the last ADMIN')
    .requiredOption('--workspace <id>', 'the workspace id')
    .requiredOption('--email <email>', "the ADMIN's email")
    .option('--replacement-email <email>', 'takes over the resources of which the ADMIN is the sole ADMIN')
    .action(async (opts: { workspace: string; email: string; replacementEmail?: string }) => {
      const removed = await withDatabase((db) =>
        removeAdminCommand(db, { workspaceId: opts.workspace, email: opts.email, replacementEmail: opts.replacementEmail }),
      );
      io.out(JSON.stringify(removed) + '\n');
    });

  program
    .command('token')
    .description('mint a development token (HS256 with AUTH_JWT_SECRET) for a person')
    .requiredOption('--email <email>', 'their email')
    .option('--name <name>', 'their display name')
    .option('--sub <subject>', 'the subject (default: their account\'s, or dev|<email>); skips the database')
    .option('--expires-in <duration>', 'lifetime, e.g. 12h or 7d', '12h')
    .action(async (opts: { email: string; name?: string; sub?: string; expiresIn: string }) => {
      const c = configOf();
      const token = opts.sub ? await tokenCommand(c, null, opts) : await withDatabase((db) => tokenCommand(c, db, opts));
      io.out(token + '\n');
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // commander has written the message
    if (error instanceof Relayed) return error.exitCode;
    if (error instanceof CliError || error instanceof ConfigError || error instanceof StartupError) {
      io.err(`error: ${error.message}\n`);
      return 1;
    }
    if (error instanceof AppError) {
      const resources = error.extensions.resources as Array<{ type: string; id: string; name: string }> | undefined;
      io.err(`error: ${error.message}\n${(resources ?? []).map((r) => `  ${r.type} ${r.id} ${r.name}\n`).join('')}`);
      return 1;
    }
    const unreachable = unreachableReason(error);
    if (unreachable && config?.databaseUrl) {
      io.err(`error: DATABASE_URL ${databaseAddress(config.databaseUrl)} is unreachable (${unreachable})\n`);
      return 1;
    }
    io.err(`error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 2;
  }
}

if (require.main === module) {
  // Exiting (rather than dying of the signal) releases the data directory's lock.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
