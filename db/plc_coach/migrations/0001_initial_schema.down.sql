-- Alembic revision 001, downgrade() (equivalent of `alembic downgrade 001:base --sql`,
-- alembic_version bookkeeping and the BEGIN/COMMIT wrapper omitted).
-- Running downgrade 001 ->

DROP INDEX idx_messages_conversation;

DROP INDEX idx_conversations_share_token;

DROP INDEX idx_conversations_user;

DROP INDEX idx_sessions_id;

DROP INDEX idx_users_email;

DROP TABLE messages;

DROP TABLE conversations;

DROP TABLE sessions;

DROP TABLE users;

DROP EXTENSION IF EXISTS vector;
