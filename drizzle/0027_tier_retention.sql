ALTER TABLE "program_settings" ADD COLUMN "tier_qualification_months" integer DEFAULT 12 NOT NULL;--> statement-breakpoint
ALTER TABLE "program_settings" ADD COLUMN "tier_grace_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tiers" ADD COLUMN "benefits" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "tier_grace_ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "program_settings" ADD CONSTRAINT "program_settings_tier_retention" CHECK ("program_settings"."tier_qualification_months" between 1 and 24 and "program_settings"."tier_grace_days" between 0 and 365);--> statement-breakpoint
ALTER TABLE "tiers" ADD CONSTRAINT "tiers_benefits_count" CHECK (cardinality("tiers"."benefits") <= 10);