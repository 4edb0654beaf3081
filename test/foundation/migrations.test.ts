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
