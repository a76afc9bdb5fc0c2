CREATE TABLE "ledger_snapshots" (
	"taken_at" timestamp with time zone PRIMARY KEY NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"liability" bigint NOT NULL,
	"members" bigint NOT NULL,
	"tier_members" jsonb NOT NULL,
	CONSTRAINT "ledger_snapshots_requestedAt_unique" UNIQUE("requested_at")
);
