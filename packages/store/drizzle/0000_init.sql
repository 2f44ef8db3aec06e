CREATE SEQUENCE "public"."agl_queue_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE SEQUENCE "public"."agl_resources_touch_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "attempts" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "attempts_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rollout_id" text NOT NULL,
	"attempt_id" text NOT NULL,
	"sequence_id" integer NOT NULL,
	"start_time" double precision NOT NULL,
	"end_time" double precision,
	"status" text NOT NULL,
	"worker_id" text,
	"last_heartbeat_time" double precision,
	"metadata" jsonb,
	CONSTRAINT "attempts_rollout_id_attempt_id_pk" PRIMARY KEY("rollout_id","attempt_id")
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "resources_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"resources_id" text PRIMARY KEY NOT NULL,
	"create_time" double precision NOT NULL,
	"update_time" double precision NOT NULL,
	"version" integer NOT NULL,
	"resources" jsonb NOT NULL,
	"touch_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "rollouts_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rollout_id" text PRIMARY KEY NOT NULL,
	"input" jsonb,
	"start_time" double precision NOT NULL,
	"end_time" double precision,
	"mode" text,
	"resources_id" text,
	"status" text NOT NULL,
	"config" jsonb NOT NULL,
	"metadata" jsonb,
	"enqueue_seq" bigint,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"latest_attempt_id" text
);
--> statement-breakpoint
CREATE TABLE "span_counters" (
	"rollout_id" text PRIMARY KEY NOT NULL,
	"counter" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spans" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "spans_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"rollout_id" text NOT NULL,
	"attempt_id" text NOT NULL,
	"span_id" text NOT NULL,
	"sequence_id" bigint NOT NULL,
	"trace_id" text NOT NULL,
	"parent_id" text,
	"name" text NOT NULL,
	"start_time" double precision,
	"end_time" double precision,
	"payload" json NOT NULL,
	CONSTRAINT "spans_rollout_id_attempt_id_span_id_pk" PRIMARY KEY("rollout_id","attempt_id","span_id")
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "workers_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"worker_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"heartbeat_stats" jsonb,
	"last_heartbeat_time" double precision,
	"last_dequeue_time" double precision,
	"last_busy_time" double precision,
	"last_idle_time" double precision,
	"current_rollout_id" text,
	"current_attempt_id" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_rollout_sequence_idx" ON "attempts" USING btree ("rollout_id","sequence_id");--> statement-breakpoint
CREATE UNIQUE INDEX "resources_seq_idx" ON "resources" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "resources_touch_idx" ON "resources" USING btree ("touch_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "rollouts_seq_idx" ON "rollouts" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "rollouts_status_idx" ON "rollouts" USING btree ("status");--> statement-breakpoint
CREATE INDEX "rollouts_queue_idx" ON "rollouts" USING btree ("enqueue_seq") WHERE "rollouts"."enqueue_seq" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "spans_rollout_order_idx" ON "spans" USING btree ("rollout_id","sequence_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "workers_seq_idx" ON "workers" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "workers_status_idx" ON "workers" USING btree ("status");