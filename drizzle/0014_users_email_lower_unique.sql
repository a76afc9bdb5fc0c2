CREATE TYPE "public"."hold_status" AS ENUM('active', 'captured', 'voided');--> statement-breakpoint
CREATE TABLE "point_holds" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "point_holds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"member_id" bigint NOT NULL,
	"points" bigint NOT NULL,
	"reference_id" text NOT NULL,
	"status" "hold_status" DEFAULT 'active' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"decided_at" timestamp with time zone,
	"capture_transaction_id" bigint,
	CONSTRAINT "point_holds_reference_uq" UNIQUE("reference_id"),
	CONSTRAINT "point_holds_points_positive" CHECK ("point_holds"."points" > 0),
	CONSTRAINT "point_holds_decided" CHECK (("point_holds"."status" = 'active' and "point_holds"."decided_at" is null and "point_holds"."capture_transaction_id" is null)
          or ("point_holds"."status" = 'voided' and "point_holds"."decided_at" is not null and "point_holds"."capture_transaction_id" is null)
          or ("point_holds"."status" = 'captured' and "point_holds"."decided_at" is not null and "point_holds"."capture_transaction_id" is not null))
);
--> statement-breakpoint
DROP INDEX "users_email_lower_idx";--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "hold_ttl_seconds" integer DEFAULT 900 NOT NULL;--> statement-breakpoint
ALTER TABLE "point_holds" ADD CONSTRAINT "point_holds_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "point_holds" ADD CONSTRAINT "point_holds_capture_transaction_id_point_transactions_id_fk" FOREIGN KEY ("capture_transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "point_holds_member_active_idx" ON "point_holds" USING btree ("member_id","expires_at") WHERE "point_holds"."status" = 'active';--> statement-breakpoint
-- Accounts whose emails differ only in letter case: the one most likely to be the person's keeps
-- the email (linked to a member, then verified, then the oldest); the others lose it (they can no
-- longer sign in by password, and an admin can give them another address). Each change is audited.
WITH ranked AS (
  SELECT id, email, row_number() OVER (
    PARTITION BY lower(email)
    ORDER BY (member_id IS NOT NULL) DESC, (email_verified IS NOT NULL) DESC, created_at, id
  ) AS n
  FROM users
  WHERE email IS NOT NULL
), cleared AS (
  UPDATE users SET email = NULL FROM ranked WHERE users.id = ranked.id AND ranked.n > 1 RETURNING users.id, ranked.email
)
INSERT INTO audit_log (actor, action, target_type, target_id, reason, before, after)
SELECT 'job:migration', 'user.email_cleared', 'user', id,
       'Another account has this email in another letter case; emails are now unique whatever the case.',
       jsonb_build_object('email', email), jsonb_build_object('email', NULL)
FROM cleared;--> statement-breakpoint

CREATE UNIQUE INDEX "users_email_lower_uq" ON "users" USING btree (lower("email"));--> statement-breakpoint
ALTER TABLE "program_settings" ADD CONSTRAINT "program_settings_hold_ttl" CHECK ("program_settings"."hold_ttl_seconds" between 60 and 604800);