ALTER TABLE "point_transactions" DROP CONSTRAINT "point_transactions_amount_non_zero";--> statement-breakpoint
ALTER TABLE "point_transactions" DROP CONSTRAINT "point_transactions_lot_shape";--> statement-breakpoint
ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_amount_non_zero" CHECK ("point_transactions"."amount" <> 0 or ("point_transactions"."type" in ('earn', 'reverse') and "point_transactions"."spend_amount" is not null));--> statement-breakpoint
ALTER TABLE "point_transactions" ADD CONSTRAINT "point_transactions_lot_shape" CHECK (("point_transactions"."type" in ('earn', 'adjust', 'reverse') and "point_transactions"."amount" > 0 and "point_transactions"."remaining" between 0 and "point_transactions"."amount" and "point_transactions"."expires_at" is not null)
          or ("point_transactions"."type" = 'earn' and "point_transactions"."amount" = 0 and "point_transactions"."remaining" is null)
          or ("point_transactions"."type" = 'reverse' and "point_transactions"."remaining" is null)
          or ("point_transactions"."type" in ('redeem', 'expire', 'adjust') and "point_transactions"."amount" < 0 and "point_transactions"."remaining" is null));