import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795970590596 implements MigrationInterface {
    name = 'Initial1795970590596'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "workspaces" ("id" uuid NOT NULL, "name" text NOT NULL, "internal_domains" text array NOT NULL DEFAULT '{}', "last_event_seq" bigint NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_098656ae401f3e1a4586f47fd8e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "workspace_id" uuid NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_id" uuid, "action" text NOT NULL, "target_type" text NOT NULL, "target_id" text NOT NULL, "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "audit_log_workspace_idx" ON "audit_log"  ("workspace_id", "id") `);
        await queryRunner.query(`CREATE TABLE "users" ("id" uuid NOT NULL, "subject" text, "email" text NOT NULL, "name" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "users_subject_key" ON "users"  ("subject") `);
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "user_id" uuid NOT NULL, "name" text NOT NULL, "secret_hash" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_hash_key" ON "api_keys"  ("secret_hash") `);
        await queryRunner.query(`CREATE INDEX "api_keys_owner_idx" ON "api_keys"  ("workspace_id", "user_id") `);
        await queryRunner.query(`CREATE TABLE "groups" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "name" text NOT NULL, "description" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_659d1483316afb28afd3a90646e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "group_managers" ("group_id" uuid NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_d38542c23d52ca4eb5091f6537b" PRIMARY KEY ("group_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "group_managers_user_idx" ON "group_managers"  ("user_id") `);
        await queryRunner.query(`CREATE TABLE "group_members" ("group_id" uuid NOT NULL, "user_id" uuid NOT NULL, CONSTRAINT "PK_f5939ee0ad233ad35e03f5c65c1" PRIMARY KEY ("group_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "group_members_user_idx" ON "group_members"  ("user_id") `);
        await queryRunner.query(`CREATE TABLE "resources" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "type" text NOT NULL, "name" text NOT NULL, "description" text, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_632484ab9dff41bba94f9b7c85e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "resources_workspace_type_idx" ON "resources"  ("workspace_id", "type", "created_at") `);
        await queryRunner.query(`CREATE TABLE "issue_tags" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "project_id" uuid, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_273b1be6d9fe9f7302d3fc82880" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "issues" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "project_id" uuid NOT NULL, "title" text NOT NULL, "status" text NOT NULL DEFAULT 'OPEN', "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "resolved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9d8ecbbeff46229c700f0449257" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "issues_project_idx" ON "issues"  ("project_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "issue_tag_links" ("issue_id" uuid NOT NULL, "tag_id" uuid NOT NULL, CONSTRAINT "PK_bb716b096acf27b0585f7c2a6f0" PRIMARY KEY ("issue_id", "tag_id"))`);
        await queryRunner.query(`CREATE INDEX "issue_tag_links_tag_idx" ON "issue_tag_links"  ("tag_id") `);
        await queryRunner.query(`CREATE TABLE "storage_folders" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_72fe09caf0f36c8c5bf6280017d" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "jobs" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "type" text NOT NULL, "status" text NOT NULL, "progress" double precision NOT NULL DEFAULT '0', "user_id" uuid NOT NULL, "project_id" uuid, "dataset_id" uuid, "folder_id" uuid, "error_message" text, "error_details" text, "retry_of" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_cf0a6c42b72fcc7f7c237def345" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "jobs_workspace_status_idx" ON "jobs"  ("workspace_id", "status") `);
        await queryRunner.query(`CREATE INDEX "jobs_workspace_user_created_idx" ON "jobs"  ("workspace_id", "user_id", "created_at", "id") `);
        await queryRunner.query(`CREATE INDEX "jobs_workspace_created_idx" ON "jobs"  ("workspace_id", "created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "outbox_mail" ("id" BIGSERIAL NOT NULL, "to_address" text NOT NULL, "subject" text NOT NULL, "body" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, "last_error" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d209706daddb0762c743fb58634" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "outbox_mail_pending_idx" ON "outbox_mail"  ("sent_at", "next_attempt_at") `);
        await queryRunner.query(`CREATE TABLE "resource_group_roles" ("resource_id" uuid NOT NULL, "group_id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "role" text NOT NULL, CONSTRAINT "PK_350275fe220f804ab0a7e4974cc" PRIMARY KEY ("resource_id", "group_id"))`);
        await queryRunner.query(`CREATE INDEX "resource_group_roles_group_idx" ON "resource_group_roles"  ("group_id") `);
        await queryRunner.query(`CREATE TABLE "resource_user_roles" ("resource_id" uuid NOT NULL, "user_id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "role" text NOT NULL, CONSTRAINT "PK_dafa0778231092491249d062a9e" PRIMARY KEY ("resource_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "resource_user_roles_user_idx" ON "resource_user_roles"  ("workspace_id", "user_id") `);
        await queryRunner.query(`CREATE TABLE "project_tags" ("id" uuid NOT NULL, "workspace_id" uuid NOT NULL, "name" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9c867fa530adf5a4fe96e19fa27" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "project_tag_links" ("project_id" uuid NOT NULL, "tag_id" uuid NOT NULL, CONSTRAINT "PK_2fe227d334212378df23e75578c" PRIMARY KEY ("project_id", "tag_id"))`);
        await queryRunner.query(`CREATE INDEX "project_tag_links_tag_idx" ON "project_tag_links"  ("tag_id") `);
        await queryRunner.query(`CREATE TABLE "memberships" ("workspace_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" text NOT NULL, "status" text NOT NULL, "invited_at" TIMESTAMP WITH TIME ZONE NOT NULL, "declined_at" TIMESTAMP WITH TIME ZONE, "joined_at" TIMESTAMP WITH TIME ZONE, "removed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b30e6ce2c364503f9840fa6440b" PRIMARY KEY ("workspace_id", "user_id"))`);
        await queryRunner.query(`CREATE INDEX "memberships_user_idx" ON "memberships"  ("user_id") `);
        await queryRunner.query(`CREATE TABLE "job_events" ("workspace_id" uuid NOT NULL, "seq" bigint NOT NULL, "job_id" uuid NOT NULL, "job_user_id" uuid NOT NULL, "job_type" text NOT NULL, "status" text NOT NULL, "progress" double precision NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_5b235a6786f6be4e208b8cdd058" PRIMARY KEY ("workspace_id", "seq"))`);
        await queryRunner.query(`CREATE INDEX "job_events_occurred_idx" ON "job_events"  ("occurred_at") `);
        await queryRunner.query(`ALTER TABLE "audit_log" ADD CONSTRAINT "FK_d65f841d6520dc60a9dfcb9367a" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_deb68fe8625b21785d1c48283e4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "groups" ADD CONSTRAINT "FK_b249fc0de77c1575349389dcf57" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_managers" ADD CONSTRAINT "FK_296a8e649100dc513610c5e6e3f" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_managers" ADD CONSTRAINT "FK_7d8d167d6b48bc22bff7e57c5d7" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_members" ADD CONSTRAINT "FK_2c840df5db52dc6b4a1b0b69c6e" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "group_members" ADD CONSTRAINT "FK_20a555b299f75843aa53ff8b0ee" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "resources" ADD CONSTRAINT "FK_b972ecf980676aa2928c7c55081" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "issue_tags" ADD CONSTRAINT "FK_b760fa394b57b80e36c5feb84a2" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "issue_tags" ADD CONSTRAINT "FK_252c30c50b808d9825daa412de5" FOREIGN KEY ("project_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "issues" ADD CONSTRAINT "FK_11f35e8296e10c229e7b68c68d4" FOREIGN KEY ("project_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "issue_tag_links" ADD CONSTRAINT "FK_39af80490b5c1e91d2aac77da8b" FOREIGN KEY ("issue_id") REFERENCES "issues"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "issue_tag_links" ADD CONSTRAINT "FK_c9e11ec1de249b474be60e4f689" FOREIGN KEY ("tag_id") REFERENCES "issue_tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "storage_folders" ADD CONSTRAINT "FK_f8702863aebe1086eaecc07ef68" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "jobs" ADD CONSTRAINT "FK_58f07a7fbd5d546cc8ff788ea2d" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "jobs" ADD CONSTRAINT "FK_9027c8f0ba75fbc1ac46647d043" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "jobs" ADD CONSTRAINT "FK_570051510a95166a699cd7dafd5" FOREIGN KEY ("project_id") REFERENCES "resources"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "jobs" ADD CONSTRAINT "FK_34099056edcd5f456ff1903d02d" FOREIGN KEY ("dataset_id") REFERENCES "resources"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "jobs" ADD CONSTRAINT "FK_ab890340c7a5b34a8473326f548" FOREIGN KEY ("folder_id") REFERENCES "storage_folders"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "jobs" ADD CONSTRAINT "FK_aea330b0b11aae3f8b2539b3fe8" FOREIGN KEY ("retry_of") REFERENCES "jobs"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "resource_group_roles" ADD CONSTRAINT "FK_e0e286e2bd871392f05d48ddc26" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "resource_group_roles" ADD CONSTRAINT "FK_e67ecd7c811da34921bb518952f" FOREIGN KEY ("group_id") REFERENCES "groups"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "resource_user_roles" ADD CONSTRAINT "FK_518eda4fb7b059d9f6a07c3bb28" FOREIGN KEY ("resource_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "resource_user_roles" ADD CONSTRAINT "FK_6c064a4657403870e15a93bc6d4" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "project_tags" ADD CONSTRAINT "FK_f1788c8293fcadcba2ebffca3d4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "project_tag_links" ADD CONSTRAINT "FK_e28b521a0c806bb06c81ef7192b" FOREIGN KEY ("project_id") REFERENCES "resources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "project_tag_links" ADD CONSTRAINT "FK_0eb6202c2d1c9ded5a736795ceb" FOREIGN KEY ("tag_id") REFERENCES "project_tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "memberships" ADD CONSTRAINT "FK_9b76ecf1dda18a6adec17fe71c4" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "memberships" ADD CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // Uniqueness on normalised names and emails: the database, not only the code, keeps these rules
        // (the entities mark these indexes synchronize: false, since TypeORM cannot describe them).
        await queryRunner.query(`CREATE UNIQUE INDEX "users_email_key" ON "users" (lower("email"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "groups_workspace_name_key" ON "groups" ("workspace_id", lower(btrim("name")))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "project_tags_workspace_name_key" ON "project_tags" ("workspace_id", lower(btrim("name")))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "issue_tags_workspace_name_key" ON "issue_tags" ("workspace_id", lower(btrim("name"))) WHERE "project_id" IS NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "issue_tags_project_name_key" ON "issue_tags" ("project_id", lower(btrim("name"))) WHERE "project_id" IS NOT NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX "storage_folders_workspace_name_key" ON "storage_folders" ("workspace_id", lower(btrim("name")))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        for (const index of ['storage_folders_workspace_name_key', 'issue_tags_project_name_key', 'issue_tags_workspace_name_key', 'project_tags_workspace_name_key', 'groups_workspace_name_key', 'users_email_key']) {
            await queryRunner.query(`DROP INDEX "public"."${index}"`);
        }
        await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "FK_7c1e2fdfed4f6838e0c05ae5051"`);
        await queryRunner.query(`ALTER TABLE "memberships" DROP CONSTRAINT "FK_9b76ecf1dda18a6adec17fe71c4"`);
        await queryRunner.query(`ALTER TABLE "project_tag_links" DROP CONSTRAINT "FK_0eb6202c2d1c9ded5a736795ceb"`);
        await queryRunner.query(`ALTER TABLE "project_tag_links" DROP CONSTRAINT "FK_e28b521a0c806bb06c81ef7192b"`);
        await queryRunner.query(`ALTER TABLE "project_tags" DROP CONSTRAINT "FK_f1788c8293fcadcba2ebffca3d4"`);
        await queryRunner.query(`ALTER TABLE "resource_user_roles" DROP CONSTRAINT "FK_6c064a4657403870e15a93bc6d4"`);
        await queryRunner.query(`ALTER TABLE "resource_user_roles" DROP CONSTRAINT "FK_518eda4fb7b059d9f6a07c3bb28"`);
        await queryRunner.query(`ALTER TABLE "resource_group_roles" DROP CONSTRAINT "FK_e67ecd7c811da34921bb518952f"`);
        await queryRunner.query(`ALTER TABLE "resource_group_roles" DROP CONSTRAINT "FK_e0e286e2bd871392f05d48ddc26"`);
        await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_aea330b0b11aae3f8b2539b3fe8"`);
        await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_ab890340c7a5b34a8473326f548"`);
        await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_34099056edcd5f456ff1903d02d"`);
        await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_570051510a95166a699cd7dafd5"`);
        await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_9027c8f0ba75fbc1ac46647d043"`);
        await queryRunner.query(`ALTER TABLE "jobs" DROP CONSTRAINT "FK_58f07a7fbd5d546cc8ff788ea2d"`);
        await queryRunner.query(`ALTER TABLE "storage_folders" DROP CONSTRAINT "FK_f8702863aebe1086eaecc07ef68"`);
        await queryRunner.query(`ALTER TABLE "issue_tag_links" DROP CONSTRAINT "FK_c9e11ec1de249b474be60e4f689"`);
        await queryRunner.query(`ALTER TABLE "issue_tag_links" DROP CONSTRAINT "FK_39af80490b5c1e91d2aac77da8b"`);
        await queryRunner.query(`ALTER TABLE "issues" DROP CONSTRAINT "FK_11f35e8296e10c229e7b68c68d4"`);
        await queryRunner.query(`ALTER TABLE "issue_tags" DROP CONSTRAINT "FK_252c30c50b808d9825daa412de5"`);
        await queryRunner.query(`ALTER TABLE "issue_tags" DROP CONSTRAINT "FK_b760fa394b57b80e36c5feb84a2"`);
        await queryRunner.query(`ALTER TABLE "resources" DROP CONSTRAINT "FK_b972ecf980676aa2928c7c55081"`);
        await queryRunner.query(`ALTER TABLE "group_members" DROP CONSTRAINT "FK_20a555b299f75843aa53ff8b0ee"`);
        await queryRunner.query(`ALTER TABLE "group_members" DROP CONSTRAINT "FK_2c840df5db52dc6b4a1b0b69c6e"`);
        await queryRunner.query(`ALTER TABLE "group_managers" DROP CONSTRAINT "FK_7d8d167d6b48bc22bff7e57c5d7"`);
        await queryRunner.query(`ALTER TABLE "group_managers" DROP CONSTRAINT "FK_296a8e649100dc513610c5e6e3f"`);
        await queryRunner.query(`ALTER TABLE "groups" DROP CONSTRAINT "FK_b249fc0de77c1575349389dcf57"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_deb68fe8625b21785d1c48283e4"`);
        await queryRunner.query(`ALTER TABLE "audit_log" DROP CONSTRAINT "FK_d65f841d6520dc60a9dfcb9367a"`);
        await queryRunner.query(`DROP INDEX "public"."job_events_occurred_idx"`);
        await queryRunner.query(`DROP TABLE "job_events"`);
        await queryRunner.query(`DROP INDEX "public"."memberships_user_idx"`);
        await queryRunner.query(`DROP TABLE "memberships"`);
        await queryRunner.query(`DROP INDEX "public"."project_tag_links_tag_idx"`);
        await queryRunner.query(`DROP TABLE "project_tag_links"`);
        await queryRunner.query(`DROP TABLE "project_tags"`);
        await queryRunner.query(`DROP INDEX "public"."resource_user_roles_user_idx"`);
        await queryRunner.query(`DROP TABLE "resource_user_roles"`);
        await queryRunner.query(`DROP INDEX "public"."resource_group_roles_group_idx"`);
        await queryRunner.query(`DROP TABLE "resource_group_roles"`);
        await queryRunner.query(`DROP INDEX "public"."outbox_mail_pending_idx"`);
        await queryRunner.query(`DROP TABLE "outbox_mail"`);
        await queryRunner.query(`DROP INDEX "public"."jobs_workspace_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."jobs_workspace_user_created_idx"`);
        await queryRunner.query(`DROP INDEX "public"."jobs_workspace_status_idx"`);
        await queryRunner.query(`DROP TABLE "jobs"`);
        await queryRunner.query(`DROP TABLE "storage_folders"`);
        await queryRunner.query(`DROP INDEX "public"."issue_tag_links_tag_idx"`);
        await queryRunner.query(`DROP TABLE "issue_tag_links"`);
        await queryRunner.query(`DROP INDEX "public"."issues_project_idx"`);
        await queryRunner.query(`DROP TABLE "issues"`);
        await queryRunner.query(`DROP TABLE "issue_tags"`);
        await queryRunner.query(`DROP INDEX "public"."resources_workspace_type_idx"`);
        await queryRunner.query(`DROP TABLE "resources"`);
        await queryRunner.query(`DROP INDEX "public"."group_members_user_idx"`);
        await queryRunner.query(`DROP TABLE "group_members"`);
        await queryRunner.query(`DROP INDEX "public"."group_managers_user_idx"`);
        await queryRunner.query(`DROP TABLE "group_managers"`);
        await queryRunner.query(`DROP TABLE "groups"`);
        await queryRunner.query(`DROP INDEX "public"."api_keys_owner_idx"`);
        await queryRunner.query(`DROP INDEX "public"."api_keys_hash_key"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
        await queryRunner.query(`DROP INDEX "public"."users_subject_key"`);
        await queryRunner.query(`DROP TABLE "users"`);
        await queryRunner.query(`DROP INDEX "public"."audit_log_workspace_idx"`);
        await queryRunner.query(`DROP TABLE "audit_log"`);
        await queryRunner.query(`DROP TABLE "workspaces"`);
    }

}
