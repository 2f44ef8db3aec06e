CREATE INDEX "rollouts_end_time_idx" ON "rollouts" USING btree ("end_time");--> statement-breakpoint
CREATE INDEX "spans_start_time_idx" ON "spans" USING btree ("start_time");