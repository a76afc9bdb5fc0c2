CREATE TYPE "public"."earning_cap_period" AS ENUM('day', 'week', 'month');--> statement-breakpoint
CREATE TABLE "earning_caps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "earning_caps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"event_type" "campaign_event_type",
	"max_awards_per_member" integer,
	"max_points" integer,
	"period" "earning_cap_period" NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "earning_caps_one_limit" CHECK (("earning_caps"."max_awards_per_member" is not null and "earning_caps"."max_points" is null and "earning_caps"."event_type" is not null and "earning_caps"."max_awards_per_member" >= 1)
          or ("earning_caps"."max_awards_per_member" is null and "earning_caps"."max_points" is not null and "earning_caps"."max_points" >= 1)),
	CONSTRAINT "earning_caps_window" CHECK ("earning_caps"."ends_at" is null or "earning_caps"."ends_at" > "earning_caps"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "earning_rules" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "earning_rules_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"skus" text[] DEFAULT '{}' NOT NULL,
	"categories" text[] DEFAULT '{}' NOT NULL,
	"channels" text[] DEFAULT '{}' NOT NULL,
	"min_spend_cents" bigint,
	"points_per_currency_unit" integer,
	"bonus_points" integer,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "earning_rules_earns_something" CHECK ("earning_rules"."points_per_currency_unit" is not null or "earning_rules"."bonus_points" is not null),
	CONSTRAINT "earning_rules_rate_range" CHECK ("earning_rules"."points_per_currency_unit" is null or "earning_rules"."points_per_currency_unit" between 0 and 1000),
	CONSTRAINT "earning_rules_bonus_range" CHECK ("earning_rules"."bonus_points" is null or "earning_rules"."bonus_points" between 1 and 1000000),
	CONSTRAINT "earning_rules_min_spend" CHECK ("earning_rules"."min_spend_cents" is null or "earning_rules"."min_spend_cents" >= 0),
	CONSTRAINT "earning_rules_window" CHECK ("earning_rules"."ends_at" is null or "earning_rules"."ends_at" > "earning_rules"."starts_at")
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "categories" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "channels" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "point_transactions" ADD COLUMN "applied_rules" jsonb;