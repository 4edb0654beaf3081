import { openDatabase } from '../../src/database/data-source';
import { runPendingMigrations } from '../../src/database/migrate';
import { freshDatabase } from '../support/harness';

/** The migration chain replays from zero, reverts to zero and replays again, on this database. */
describe('migrations', () => {
  it('go up, all the way down, and up again', async () => {
    const fresh = await freshDatabase();
    const ds = fresh.database.dataSource;
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      expect(applied.length).toBe(ds.migrations.length);
      const tables = async () =>
        (await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`))[0].n;
      expect(await tables()).toBeGreaterThan(15);
      for (let i = 0; i < applied.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      expect(await tables()).toBe(0);
      expect((await ds.runMigrations({ transaction: 'each' })).length).toBe(ds.migrations.length);
    } finally {
      await fresh.database.close();
      await fresh.drop();
    }
  });
});

describe('migrations when several instances start together', () => {
  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;

  onPostgres('run once: the others wait for the lock and find nothing left to do', async () => {
    const fresh = await freshDatabase();
    const others = await Promise.all([1, 2].map(() => openDatabase({ url: fresh.url, poolSize: 3 })));
    try {
      const ran = await Promise.all([fresh.database, ...others].map((db) => runPendingMigrations(db)));
      expect(ran.map((r) => r.length).sort()).toEqual([0, 0, fresh.database.dataSource.migrations.length]);
      const [row] = await fresh.database.dataSource.query(`SELECT count(*)::int AS n FROM typeorm_migrations`);
      expect(row.n).toBe(fresh.database.dataSource.migrations.length);
    } finally {
      for (const db of others) await db.close();
      await fresh.database.close();
      await fresh.drop();
    }
  });
});

describe('the InvitedBy migration', () => {
  it('fills invited_by from the audit entry written with the invitation, and leaves the rest null', async () => {
    const fresh = await freshDatabase();
    const ds = fresh.database.dataSource;
    const undone = async () => (await ds.query(`SELECT 1 FROM typeorm_migrations WHERE name = 'InvitedBy1796225847311'`)).length === 0;
    try {
      await ds.runMigrations({ transaction: 'each' });
      while (!(await undone())) await ds.undoLastMigration({ transaction: 'each' });
      const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
      const [ws, ada, bea, once, twice, other, byOperator] = [0, 1, 2, 3, 4, 5, 6].map(uuid);
      await ds.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'Old')`, [ws]);
      for (const id of [ada, bea, once, twice, other, byOperator]) await ds.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [id, `${id}@old.test`]);
      const T = (day: number) => `2026-01-0${day}T10:00:00.123456Z`;
      const member = (id: string, invitedAt: string) =>
        ds.query(`INSERT INTO memberships (workspace_id, user_id, role, status, invited_at) VALUES ($1, $2, 'MEMBER', 'INVITED', $3)`, [ws, id, invitedAt]);
      const invited = (actor: string | null, target: string, at: string) =>
        ds.query(`INSERT INTO audit_log (workspace_id, actor_id, action, target_type, target_id, at) VALUES ($1, $2, 'inviteUsers', 'WorkspaceUser', $3, $4)`, [
          ws,
          actor,
          target,
          at,
        ]);
      await member(once, T(1));
      await invited(ada, once, T(1));
      await member(twice, T(3)); // invited by Ada, declined, invited again by Bea
      await invited(ada, twice, T(2));
      await invited(bea, twice, T(3));
      await member(other, T(4)); // no entry of that invitation (the demo, a founder, a direct insert)
      await invited(ada, other, T(2));
      await member(byOperator, T(5));
      await invited(null, byOperator, T(5));

      await ds.runMigrations({ transaction: 'each' });
      const rows = await ds.query(`SELECT user_id, invited_by FROM memberships WHERE workspace_id = $1`, [ws]);
      expect(Object.fromEntries(rows.map((r: any) => [r.user_id, r.invited_by]))).toEqual({ [once]: ada, [twice]: bea, [other]: null, [byOperator]: null });
    } finally {
      await fresh.database.close();
      await fresh.drop();
    }
  });
});
