CREATE TABLE IF NOT EXISTS "events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trace_id" text NOT NULL,
	"span_id" text NOT NULL,
	"parent_span_id" text,
	"project_id" text DEFAULT 'default' NOT NULL,
	"feature" text NOT NULL,
	"user_id" text,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"input_tokens" integer NOT NULL,
	"output_tokens" integer NOT NULL,
	"cached_tokens" integer DEFAULT 0 NOT NULL,
	"latency_ms" integer NOT NULL,
	"estimated_cost_usd" numeric(12, 6) NOT NULL,
	"verified_cost_usd" numeric(12, 6),
	"is_cache_hit" boolean DEFAULT false NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "model_pricing" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"model" text NOT NULL,
	"input_price_per_1k" numeric(10, 6) NOT NULL,
	"output_price_per_1k" numeric(10, 6) NOT NULL,
	"effective_date" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "prompt_analysis" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"input_token_ratio" numeric(8, 4),
	"redundancy_score" numeric(5, 4),
	"suggestions" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "cost_aggregates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" text DEFAULT 'default' NOT NULL,
	"feature" text NOT NULL,
	"model" text NOT NULL,
	"period" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"total_cost" numeric(12, 6) DEFAULT '0' NOT NULL,
	"total_tokens" integer DEFAULT 0 NOT NULL,
	"call_count" integer DEFAULT 0 NOT NULL,
	"avg_latency" numeric(10, 2) DEFAULT '0' NOT NULL
);
--> statement-breakpoint
DO $$ BEGIN
 ALTER TABLE "prompt_analysis" ADD CONSTRAINT "prompt_analysis_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;
EXCEPTION
 WHEN duplicate_object THEN null;
END $$;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_events_feature_time" ON "events" ("project_id","feature","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_events_user_time" ON "events" ("project_id","user_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_events_created_at" ON "events" ("created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_events_trace" ON "events" ("trace_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "idx_model_pricing_uniq" ON "model_pricing" ("provider","model","effective_date");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_prompt_analysis_event" ON "prompt_analysis" ("event_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "idx_cost_agg_uniq" ON "cost_aggregates" ("project_id","feature","model","period","period_start");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idx_cost_agg_period" ON "cost_aggregates" ("project_id","period","period_start");