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
