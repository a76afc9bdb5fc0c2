CREATE TABLE "referrals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "referrals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"referrer_member_id" bigint NOT NULL,
	"referee_member_id" bigint NOT NULL,
	"code" text NOT NULL,
	"source" text NOT NULL,
	"status" text NOT NULL,
	"refusal_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"purchase_transaction_id" bigint,
	"rewarded_at" timestamp with time zone,
	"referrer_transaction_id" bigint,
	"referee_transaction_id" bigint,
	"referrer_points" bigint,
	"referee_points" bigint,
	"reversed_at" timestamp with time zone,
	"referrer_points_reversed" bigint,
	"referee_points_reversed" bigint,
	CONSTRAINT "referrals_refereeMemberId_unique" UNIQUE("referee_member_id"),
	CONSTRAINT "referrals_status" CHECK ("referrals"."status" in ('pending', 'rewarded', 'refused', 'reversed')),
	CONSTRAINT "referrals_source" CHECK ("referrals"."source" in ('signup', 'purchase')),
	CONSTRAINT "referrals_refusal" CHECK (("referrals"."status" = 'refused') = ("referrals"."refusal_reason" is not null)
          and ("referrals"."refusal_reason" is null or "referrals"."refusal_reason" in ('self_referral', 'already_member', 'monthly_limit')))
);
--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "referrer_reward_points" integer DEFAULT 500 NOT NULL;--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "referee_reward_points" integer DEFAULT 250 NOT NULL;--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "referral_refund_window_days" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "referral_monthly_limit" integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "referral_code" text;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referrer_member_id_members_id_fk" FOREIGN KEY ("referrer_member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referee_member_id_members_id_fk" FOREIGN KEY ("referee_member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_purchase_transaction_id_point_transactions_id_fk" FOREIGN KEY ("purchase_transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referrer_transaction_id_point_transactions_id_fk" FOREIGN KEY ("referrer_transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referee_transaction_id_point_transactions_id_fk" FOREIGN KEY ("referee_transaction_id") REFERENCES "public"."point_transactions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "referrals_referrer_idx" ON "referrals" USING btree ("referrer_member_id","rewarded_at");--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_referralCode_unique" UNIQUE("referral_code");--> statement-breakpoint
ALTER TABLE "program_settings" ADD CONSTRAINT "program_settings_referrals" CHECK ("program_settings"."referrer_reward_points" between 0 and 1000000 and "program_settings"."referee_reward_points" between 0 and 1000000
          and "program_settings"."referral_refund_window_days" between 0 and 365 and "program_settings"."referral_monthly_limit" between 0 and 10000);