import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks and their deliveries. A webhook keeps its position in its workspace's event log
 * (event_seq) and when a sender should next look at it (due_at); a delivery keeps the body it
 * sends, so it does not need the event once made. One delivery per webhook and event.
 */
export class Webhooks1796420000000 implements MigrationInterface {
  name = 'Webhooks1796420000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "webhooks" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "url" text NOT NULL, "secret" text NOT NULL, "statuses" text array NOT NULL DEFAULT '{}', "types" text array NOT NULL DEFAULT '{}', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "event_seq" bigint NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9e8795cfc899ab7bdaa831e8527" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "webhooks_due_idx" ON "webhooks"  ("due_at") WHERE "due_at" IS NOT NULL`);
    await q.query(`CREATE INDEX "webhooks_workspace_idx" ON "webhooks"  ("workspace_id", "created_at") `);
    await q.query(
      `CREATE TABLE "webhook_deliveries" ("id" BIGSERIAL NOT NULL, "webhook_id" uuid NOT NULL, "seq" bigint NOT NULL, "body" text NOT NULL, "status" text NOT NULL DEFAULT 'PENDING', "attempts" integer NOT NULL DEFAULT '0', "last_status_code" integer, "last_error" text, "next_attempt_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "webhook_deliveries_pending_idx" ON "webhook_deliveries"  ("webhook_id", "seq") WHERE "status" = 'PENDING'`);
    await q.query(`CREATE UNIQUE INDEX "webhook_deliveries_event_key" ON "webhook_deliveries"  ("webhook_id", "seq") `);
    await q.query(
      `ALTER TABLE "webhooks" ADD CONSTRAINT "FK_3ed8fd5f3708d4acac990ad2369" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "webhooks" ADD CONSTRAINT "FK_eb68180d7bcb926c84b0cafb447" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "FK_a0286aeb96db651efd1ae2966f2"`);
    await q.query(`ALTER TABLE "webhooks" DROP CONSTRAINT "FK_eb68180d7bcb926c84b0cafb447"`);
    await q.query(`ALTER TABLE "webhooks" DROP CONSTRAINT "FK_3ed8fd5f3708d4acac990ad2369"`);
    await q.query(`DROP INDEX "public"."webhook_deliveries_event_key"`);
    await q.query(`DROP INDEX "public"."webhook_deliveries_pending_idx"`);
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP INDEX "public"."webhooks_workspace_idx"`);
    await q.query(`DROP INDEX "public"."webhooks_due_idx"`);
    await q.query(`DROP TABLE "webhooks"`);
  }
}
