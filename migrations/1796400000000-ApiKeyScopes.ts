import { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys get scopes (what they may do; existing keys keep doing everything: FULL) and an optional expiry. */
export class ApiKeyScopes1796400000000 implements MigrationInterface {
  name = 'ApiKeyScopes1796400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_keys" ADD "scopes" text array NOT NULL DEFAULT '{FULL}'`);
    await q.query(`ALTER TABLE "api_keys" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_scopes_check" CHECK (cardinality("scopes") > 0 AND "scopes" <@ ARRAY['READ', 'JOBS', 'FULL']::text[])`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "api_keys_scopes_check"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "expires_at"`);
    await q.query(`ALTER TABLE "api_keys" DROP COLUMN "scopes"`);
  }
}
