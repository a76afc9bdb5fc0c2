ALTER TABLE "api_keys" ADD COLUMN "rate_limit_per_second" integer;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "replaced_by_id" bigint;--> statement-breakpoint
-- Keys created before names had to be unique: every active key but the newest of a name gets its id appended.
UPDATE "api_keys" AS k SET "name" = k."name" || ' #' || k."id" WHERE k."revoked_at" IS NULL AND EXISTS (SELECT 1 FROM "api_keys" AS n WHERE n."name" = k."name" AND n."revoked_at" IS NULL AND n."id" > k."id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_active_name_uq" ON "api_keys" USING btree ("name") WHERE "api_keys"."revoked_at" is null;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_rate_limit_positive" CHECK ("api_keys"."rate_limit_per_second" is null or "api_keys"."rate_limit_per_second" > 0);