import pino from 'pino';
import { ConfigError, loadConfig } from '../../src/config';
import { Mailer, type MailTransport } from '../../src/modules/mail/mailer';
import { enqueueMail } from '../../src/modules/mail/mail.data';
import { createWorkspace } from '../support/fixtures';
import { freshDatabase, startTestServer, type TestServer } from '../support/harness';
import { INVITE, uniqueEmail } from './users.support';

const log = pino({ level: 'silent' });

/** A transport that fails `failures` times, then delivers; it records what it was given. */
function flakyTransport(failures: number): MailTransport & { calls: string[] } {
  let left = failures;
  const calls: string[] = [];
  return {
    calls,
    sendMail: async (message) => {
      calls.push(message.to);
      if (left-- > 0) throw new Error('451 mail server busy');
    },
  };
}

describe('the Mailer', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    fresh = await freshDatabase({ migrated: true });
  });
  afterAll(async () => {
    await fresh.database.close();
    await fresh.drop();
  });
  const db = () => fresh.database.dataSource;

  async function queue(to: string[]) {
    await db().transaction((tx) => enqueueMail(tx, to.map((t) => ({ to: t, subject: 'Hello', body: 'Accept: https://x.test/a' }))));
  }
  const row = async (to: string) => (await db().query(`SELECT attempts, sent_at, last_error, next_attempt_at FROM outbox_mail WHERE to_address = $1`, [to]))[0];
  const makeDue = (to: string) => db().query(`UPDATE outbox_mail SET next_attempt_at = now() WHERE to_address = $1`, [to]);

  it('retries a failed mail with growing back-off until it goes out', async () => {
    const transport = flakyTransport(2);
    const mailer = new Mailer(db(), log, { from: 'ws <no-reply@x.test>', transport, retryBaseMs: 60_000 });
    await queue(['retry@x.test']);

    await mailer.flush();
    let r = await row('retry@x.test');
    expect(r).toMatchObject({ attempts: 1, sent_at: null, last_error: '451 mail server busy' });
    const firstDelay = r.next_attempt_at.getTime() - Date.now();
    expect(firstDelay).toBeGreaterThan(30_000);
    expect(firstDelay).toBeLessThanOrEqual(60_000);

    await mailer.flush(); // not due yet: no attempt
    expect(transport.calls).toHaveLength(1);

    await makeDue('retry@x.test');
    await mailer.flush();
    r = await row('retry@x.test');
    expect(r.attempts).toBe(2);
    expect(r.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(80_000); // doubled

    await makeDue('retry@x.test');
    await mailer.flush();
    r = await row('retry@x.test');
    expect(r).toMatchObject({ attempts: 3, last_error: null });
    expect(r.sent_at).not.toBeNull();
    expect(transport.calls).toEqual(['retry@x.test', 'retry@x.test', 'retry@x.test']);
  });

  it('gives up after the last attempt and keeps the mail with its error', async () => {
    const transport = flakyTransport(Infinity);
    const mailer = new Mailer(db(), log, { from: 'ws <no-reply@x.test>', transport, maxAttempts: 2, retryBaseMs: 1 });
    await queue(['never@x.test']);
    for (let i = 0; i < 4; i++) {
      await makeDue('never@x.test');
      await mailer.flush();
    }
    expect(transport.calls).toHaveLength(2);
    expect(await row('never@x.test')).toMatchObject({ attempts: 2, sent_at: null, last_error: '451 mail server busy' });
  });

  it('sends each mail once when two instances drain the outbox at the same time', async () => {
    const recipients = Array.from({ length: 45 }, (_, i) => `twice-${i}@x.test`);
    await queue(recipients);
    const a = flakyTransport(0);
    const b = flakyTransport(0);
    const one = new Mailer(db(), log, { from: 'a@x.test', transport: a, batchSize: 5 });
    const two = new Mailer(db(), log, { from: 'b@x.test', transport: b, batchSize: 5 });
    await Promise.all([one.flush(), two.flush()]);
    expect([...a.calls, ...b.calls].filter((to) => to.startsWith('twice-')).sort()).toEqual([...recipients].sort());
  });
});

describe('an invitation whose mail cannot be sent', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Nothing listens on port 1: every SMTP connection is refused.
    server = await startTestServer({ SMTP_URL: 'smtp://127.0.0.1:1' });
  });
  afterAll(() => server.close());

  it('is kept; the failure is recorded for a retry', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const email = uniqueEmail('unmailable');
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [email], role: 'MEMBER' } }, admin.token);
    expect(res.errors).toBeUndefined();
    await server.service.services.mailer.flush();
    const [mail] = await server.db.query(`SELECT attempts, sent_at, last_error, next_attempt_at > now() AS later FROM outbox_mail WHERE to_address = $1`, [email]);
    expect(mail).toMatchObject({ attempts: 1, sent_at: null, later: true });
    expect(mail.last_error).toMatch(/ECONNREFUSED|connect/i);
    const [membership] = await server.db.query(
      `SELECT m.status FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND u.email = $2`,
      [workspaceId, email],
    );
    expect(membership.status).toBe('INVITED');
    expect(server.service.services.mailer.sent).toEqual([]);
  });
});

describe('MAIL_FROM', () => {
  it('defaults to a no-reply address and takes one address, refusing header injection', () => {
    expect(loadConfig({}).mailFrom).toBe('workspace-api <no-reply@localhost>');
    expect(loadConfig({ MAIL_FROM: 'Acme <team@acme.test>' }).mailFrom).toBe('Acme <team@acme.test>');
    expect(() => loadConfig({ MAIL_FROM: 'a@b.test\r\nBcc: x@y.test' })).toThrow(ConfigError);
    expect(() => loadConfig({ MAIL_FROM: 'nobody' })).toThrow('MAIL_FROM');
  });
});
