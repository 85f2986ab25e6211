-- MVP Database Schema - Simplified with API Gateway Integration
-- Story 1.3 (schema v2.0): jobs + job_results, client_id from API Gateway context.
-- Forward-only migration (sqlx plain file, no down script); rollback is manual.
-- The deployed migration adds idempotent guards around type/trigger creation
-- to support safe re-runs; tables and indexes are created unguarded, exactly
-- as in the story's schema listing.
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

-- Job status enum (guarded: skip if the type already exists)
DO $$ BEGIN
    CREATE TYPE job_status AS ENUM ('queued', 'processing', 'completed', 'failed');
EXCEPTION
    WHEN duplicate_object THEN null;
END $$;

-- Jobs table (modified for API Gateway)
CREATE TABLE jobs (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    client_id VARCHAR(50), -- From API Gateway context (not foreign key)
    status job_status DEFAULT 'queued',
    pdf_url VARCHAR(2048) NOT NULL,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW(),
    completed_at TIMESTAMP,
    error_message TEXT
);

-- Job results table (unchanged)
CREATE TABLE job_results (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    job_id UUID UNIQUE REFERENCES jobs(id),
    extracted_data JSONB, -- Flexible JSON storage
    confidence_score DECIMAL(3,2), -- 0.00 to 1.00
    tokens_used INTEGER,
    created_at TIMESTAMP DEFAULT NOW()
);

-- Basic indexes only
CREATE INDEX idx_jobs_status ON jobs(status);
CREATE INDEX idx_jobs_created_at ON jobs(created_at);
CREATE INDEX idx_jobs_client_id ON jobs(client_id); -- New index for client queries
CREATE INDEX idx_job_results_job_id ON job_results(job_id);

-- Auto-update trigger (unchanged)
CREATE OR REPLACE FUNCTION update_updated_at()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated_at = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Trigger (guarded: skip if jobs already has it)
DO $$ BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_trigger
        WHERE tgname = 'trigger_jobs_updated_at'
          AND tgrelid = 'jobs'::regclass
    ) THEN
        CREATE TRIGGER trigger_jobs_updated_at
            BEFORE UPDATE ON jobs
            FOR EACH ROW
            EXECUTE FUNCTION update_updated_at();
    END IF;
END $$;
