CREATE TYPE "public"."reward_kind" AS ENUM('item', 'coupon');--> statement-breakpoint
CREATE TABLE "reward_coupon_codes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "reward_coupon_codes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reward_id" bigint NOT NULL,
	"code" text NOT NULL,
	"transaction_id" bigint,
	"member_id" bigint,
	"issued_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reward_coupon_codes_code_uq" UNIQUE("reward_id","code"),
	CONSTRAINT "reward_coupon_codes_transaction_uq" UNIQUE("transaction_id"),
	CONSTRAINT "reward_coupon_codes_issued" CHECK (("reward_coupon_codes"."transaction_id" is null) = ("reward_coupon_codes"."issued_at" is null) and ("reward_coupon_codes"."transaction_id" is null) = ("reward_coupon_codes"."member_id" is null))
);
--> statement-breakpoint
ALTER TABLE "rewards" ADD COLUMN "kind" "reward_kind" DEFAULT 'item' NOT NULL;--> statement-breakpoint
ALTER TABLE "rewards" ADD COLUMN "code_prefix" text;--> statement-breakpoint
ALTER TABLE "reward_coupon_codes" ADD CONSTRAINT "reward_coupon_codes_reward_id_rewards_id_fk" FOREIGN KEY ("reward_id") REFERENCES "public"."rewards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reward_coupon_codes_pool_idx" ON "reward_coupon_codes" USING btree ("reward_id","id") WHERE "reward_coupon_codes"."transaction_id" is null;--> statement-breakpoint
CREATE INDEX "reward_coupon_codes_member_idx" ON "reward_coupon_codes" USING btree ("member_id","issued_at") WHERE "reward_coupon_codes"."member_id" is not null;--> statement-breakpoint
ALTER TABLE "rewards" ADD CONSTRAINT "rewards_code_prefix_only_for_coupons" CHECK ("rewards"."code_prefix" is null or "rewards"."kind" = 'coupon');