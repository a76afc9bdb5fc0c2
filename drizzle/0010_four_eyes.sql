ALTER TABLE "program_settings" ADD COLUMN "staff_daily_points_cap" integer DEFAULT 50000 NOT NULL;--> statement-breakpoint
ALTER TABLE "adjustment_requests" ADD COLUMN "reference_type" text DEFAULT 'adjustment' NOT NULL;--> statement-breakpoint
ALTER TABLE "adjustment_requests" ADD COLUMN "related_transaction_id" bigint;--> statement-breakpoint
ALTER TABLE "adjustment_requests" ADD COLUMN "approval_rule" text DEFAULT 'member_threshold' NOT NULL;--> statement-breakpoint
ALTER TABLE "adjustment_requests" ADD COLUMN "approval_context" jsonb;--> statement-breakpoint
ALTER TABLE "adjustment_requests" ADD CONSTRAINT "adjustment_requests_related_transaction_id_point_transactions_id_fk" FOREIGN KEY ("related_transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "point_transactions_staff_moves_idx" ON "point_transactions" USING btree ("created_by","occurred_at") WHERE "point_transactions"."reference_type" in ('adjustment', 'reversal');--> statement-breakpoint
CREATE UNIQUE INDEX "adjustment_requests_pending_reference_uq" ON "adjustment_requests" USING btree ("reference_type","reference_id") WHERE "adjustment_requests"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "adjustment_requests_reference_idx" ON "adjustment_requests" USING btree ("reference_type","reference_id");--> statement-breakpoint
ALTER TABLE "program_settings" ADD CONSTRAINT "program_settings_four_eyes_limits" CHECK ("program_settings"."adjustment_approval_threshold" >= 0 and "program_settings"."staff_daily_points_cap" >= 0);--> statement-breakpoint
ALTER TABLE "adjustment_requests" ADD CONSTRAINT "adjustment_requests_reference_shape" CHECK (("adjustment_requests"."reference_type" = 'adjustment' and "adjustment_requests"."related_transaction_id" is null)
          or ("adjustment_requests"."reference_type" = 'reversal' and "adjustment_requests"."related_transaction_id" is not null and "adjustment_requests"."reference_id" = "adjustment_requests"."related_transaction_id"::text));--> statement-breakpoint
ALTER TABLE "adjustment_requests" ADD CONSTRAINT "adjustment_requests_approval_rule" CHECK ("adjustment_requests"."approval_rule" in ('member_threshold', 'daily_cap', 'redemption_reversal'));