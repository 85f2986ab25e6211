-- plc_coach: intended end state after all migrations (0001_initial_schema).
-- Constraint names are the ones PostgreSQL generates for the unnamed constraints
-- that Alembic emits. Defects are kept on purpose (see README.md).

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE users (
    id UUID DEFAULT gen_random_uuid() NOT NULL,
    email VARCHAR(255) NOT NULL,
    name VARCHAR(255),
    role VARCHAR(50) NOT NULL,
    organization_id UUID,
    sso_provider VARCHAR(50),
    sso_id VARCHAR(255),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    last_login TIMESTAMP WITH TIME ZONE,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_role_check CHECK (role IN ('educator', 'coach', 'admin'))
);

CREATE TABLE sessions (
    id UUID DEFAULT gen_random_uuid() NOT NULL,
    user_id UUID NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    last_accessed_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id),
    CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE TABLE conversations (
    id UUID DEFAULT gen_random_uuid() NOT NULL,
    user_id UUID NOT NULL,
    title VARCHAR(255),
    status VARCHAR(50) DEFAULT 'active' NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    share_token VARCHAR(255),
    share_enabled BOOLEAN DEFAULT false NOT NULL,
    CONSTRAINT conversations_pkey PRIMARY KEY (id),
    CONSTRAINT conversations_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    CONSTRAINT conversations_share_token_key UNIQUE (share_token)
);

CREATE TABLE messages (
    id UUID DEFAULT gen_random_uuid() NOT NULL,
    conversation_id UUID NOT NULL,
    role VARCHAR(50) NOT NULL,
    content TEXT NOT NULL,
    citations JSONB,
    domains VARCHAR[],
    feedback_score INTEGER,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cost_usd NUMERIC(10, 6),
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT messages_pkey PRIMARY KEY (id),
    CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
    CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system'))
);

CREATE INDEX idx_users_email ON users (email);

CREATE INDEX idx_sessions_id ON sessions (id) WHERE expires_at > NOW();

CREATE INDEX idx_conversations_user ON conversations (user_id);

CREATE INDEX idx_conversations_share_token ON conversations (share_token);

CREATE INDEX idx_messages_conversation ON messages (conversation_id, created_at);
