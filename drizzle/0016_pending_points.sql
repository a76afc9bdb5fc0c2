CREATE TABLE "lot_vestings" (
	"lot_id" bigint PRIMARY KEY NOT NULL,
	"member_id" bigint NOT NULL,
	"points" bigint NOT NULL,
	"vested_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "pending_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "point_transactions" ADD COLUMN "vests_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "lot_vestings" ADD CONSTRAINT "lot_vestings_lot_id_point_transactions_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lot_vestings" ADD CONSTRAINT "lot_vestings_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "point_transactions_pending_lots_idx" ON "point_transactions" USING btree ("vests_at") WHERE "point_transactions"."vests_at" is not null;--> statement-breakpoint
ALTER TABLE "program_settings" ADD CONSTRAINT "program_settings_pending_days" CHECK ("program_settings"."pending_days" between 0 and 365);