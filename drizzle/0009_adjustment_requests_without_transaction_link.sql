ALTER TABLE "adjustment_requests" DROP CONSTRAINT "adjustment_requests_referenceId_unique";--> statement-breakpoint
ALTER TABLE "adjustment_requests" DROP CONSTRAINT "adjustment_requests_transaction_id_point_transactions_id_fk";
--> statement-breakpoint
ALTER TABLE "adjustment_requests" DROP COLUMN "transaction_id";