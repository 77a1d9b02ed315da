-- Administration and moderation: suspensions, personal access tokens,
-- invitations, hidden posts, flags, the event log (which the audit log
-- reads) and idempotency keys.

ALTER TABLE users ADD COLUMN suspended_until TIMESTAMP;
ALTER TABLE users ADD COLUMN suspension_reason TEXT;

-- Secrets are stored as SHA-256; `prefix` is what lists show.
CREATE TABLE access_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- Comma-separated, sorted: read, write, moderate, admin.
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX access_tokens_user ON access_tokens (user_id, id);

CREATE TABLE invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    note TEXT NOT NULL DEFAULT '',
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE invite_groups (
    invite_id BIGINT NOT NULL REFERENCES invites (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (invite_id, group_id)
);

-- A hidden post shows as a notice to everyone but its author and moderators.
ALTER TABLE posts ADD COLUMN hidden_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN hidden_reason TEXT;

CREATE TABLE flags (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    post_id BIGINT NOT NULL REFERENCES posts (id),
    reporter_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    resolved_by BIGINT REFERENCES users (id),
    -- resolved (acted on) or dismissed
    resolution TEXT
);
CREATE INDEX flags_queue ON flags (resolved_at, id);
CREATE INDEX flags_post ON flags (post_id);
-- One open flag per person and post.
CREATE UNIQUE INDEX flags_open_once ON flags (post_id, reporter_id) WHERE resolved_at IS NULL;

-- What happened, written in the transaction of the write that did it.
-- Subscribers (notifications, live streams, mail) follow it after commit;
-- `audited` rows are the audit log: admin and moderator actions and every
-- change of rights.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT,
    category_id BIGINT,
    thread_id BIGINT,
    post_id BIGINT,
    user_id BIGINT,
    group_id BIGINT,
    target TEXT NOT NULL,
    before TEXT,
    after TEXT,
    client_address TEXT,
    audited BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX events_audit ON events (audited, id);
CREATE INDEX events_actor ON events (actor_id, id);

-- A POST sent again with the same key replays the first answer.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- NULL while the first request runs.
    status INTEGER,
    headers TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
