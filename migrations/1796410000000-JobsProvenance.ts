import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Job provenance and heartbeats (Job.apiKey, lastReportAt, heartbeatSeconds), StorageFolder.uri,
 * the index of the heartbeat sweep and of the finishedAt order, and the Idempotency-Key table.
 * Existing jobs' last report is taken as their last change (updated_at); a new row's is its insert.
 */
export class JobsProvenance1796410000000 implements MigrationInterface {
  name = 'JobsProvenance1796410000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "storage_folders" ADD "uri" text`);
    await q.query(`ALTER TABLE "jobs" ADD "api_key_id" uuid`);
    await q.query(`ALTER TABLE "jobs" ADD "heartbeat_seconds" integer`);
    await q.query(`ALTER TABLE "jobs" ADD "last_report_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`UPDATE "jobs" SET "last_report_at" = "updated_at"`);
    await q.query(`ALTER TABLE "jobs" ALTER COLUMN "last_report_at" SET NOT NULL`);
    await q.query(`ALTER TABLE "jobs" ALTER COLUMN "last_report_at" SET DEFAULT now()`);
    await q.query(`ALTER TABLE "jobs" ADD CONSTRAINT "jobs_heartbeat_seconds_check" CHECK ("heartbeat_seconds" BETWEEN 10 AND 86400)`);
    await q.query(
      `ALTER TABLE "jobs" ADD CONSTRAINT "FK_5e474e4b086d55f7d6d2cb4ae27" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(`CREATE INDEX "jobs_heartbeat_due_idx" ON "jobs" ("last_report_at") WHERE status = 'PROCESSING' AND heartbeat_seconds IS NOT NULL`);
    await q.query(`CREATE INDEX "jobs_workspace_finished_idx" ON "jobs" ("workspace_id", "finished_at", "id")`);
    await q.query(
      `CREATE TABLE "idempotency_keys" ("caller_id" uuid NOT NULL, "key" text NOT NULL, "user_id" uuid NOT NULL, "request_hash" text NOT NULL, "state" text NOT NULL, "claim_id" uuid NOT NULL, "response_status" integer, "response_body" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "idempotency_keys_state_check" CHECK ("state" IN ('RUNNING', 'COMMITTED', 'DONE')), CONSTRAINT "PK_bdf4460bde873b9f9d38fbd2da0" PRIMARY KEY ("caller_id", "key"))`,
    );
    await q.query(`CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" ("created_at")`);
    await q.query(
      `ALTER TABLE "idempotency_keys" ADD CONSTRAINT "FK_4d2181624ba2d61e76a07175198" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "idempotency_keys"`);
    await q.query(`DROP INDEX "public"."jobs_workspace_finished_idx"`);
    await q.query(`DROP INDEX "public"."jobs_heartbeat_due_idx"`);
    await q.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_5e474e4b086d55f7d6d2cb4ae27"`);
    await q.query(`ALTER TABLE "jobs" DROP CONSTRAINT "jobs_heartbeat_seconds_check"`);
    await q.query(`ALTER TABLE "jobs" DROP COLUMN "last_report_at"`);
    await q.query(`ALTER TABLE "jobs" DROP COLUMN "heartbeat_seconds"`);
    await q.query(`ALTER TABLE "jobs" DROP COLUMN "api_key_id"`);
    await q.query(`ALTER TABLE "storage_folders" DROP COLUMN "uri"`);
  }
}
