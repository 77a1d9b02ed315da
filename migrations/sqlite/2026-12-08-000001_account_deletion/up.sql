-- Accounts their members deleted: kept (posts point at them), emptied of
-- everything personal, never signed in to again.
ALTER TABLE users ADD COLUMN deleted_at TIMESTAMP;
