-- A living forum: mentions and quotes, notifications, watching, read
-- tracking, e-mail, and where each once-only subscriber of the event log
-- has got to.

-- Whom a post mentions (an account or a group), as resolved when written.
CREATE TABLE post_mentions (
    post_id BIGINT NOT NULL REFERENCES posts (id),
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE
);
CREATE INDEX post_mentions_post ON post_mentions (post_id);

-- Which posts a post quotes.
CREATE TABLE post_quotes (
    post_id BIGINT NOT NULL REFERENCES posts (id),
    quoted_id BIGINT NOT NULL REFERENCES posts (id),
    PRIMARY KEY (post_id, quoted_id)
);

-- reply, watching, mention, group_mention, quote, like, new_thread.
-- Likes on one post are one notification while unread (`count` rises).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    post_id BIGINT NOT NULL REFERENCES posts (id),
    thread_id BIGINT NOT NULL REFERENCES threads (id),
    actor_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    count INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    mailed_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, read_at);
CREATE UNIQUE INDEX notifications_one_unread_like ON notifications (user_id, post_id, kind) WHERE read_at IS NULL AND kind = 'like';

-- watching, normal or muted, per thread or per category.
CREATE TABLE watches (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_id BIGINT REFERENCES threads (id),
    category_id BIGINT REFERENCES categories (id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX watches_thread ON watches (user_id, thread_id) WHERE thread_id IS NOT NULL;
CREATE UNIQUE INDEX watches_category ON watches (user_id, category_id) WHERE category_id IS NOT NULL;
CREATE INDEX watches_by_thread ON watches (thread_id, level);
CREATE INDEX watches_by_category ON watches (category_id, level);

-- The newest post a member has read in a thread; a category's mark makes
-- every post up to it read.
CREATE TABLE thread_reads (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_id BIGINT NOT NULL REFERENCES threads (id),
    last_read_post_id BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);
CREATE TABLE category_reads (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    read_up_to_post_id BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, category_id)
);

-- Each once-only subscriber (notifications, mail) and the last event it
-- handled: locked while it works, so instances sharing the database take
-- turns and nothing is handled twice.
CREATE TABLE dispatch_cursors (
    name TEXT PRIMARY KEY NOT NULL,
    last_event_id BIGINT NOT NULL
);

-- E-mail: off, immediate (while away) or daily (a digest).
ALTER TABLE users ADD COLUMN email_notifications TEXT NOT NULL DEFAULT 'immediate';
ALTER TABLE users ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE users ADD COLUMN digest_sent_at TIMESTAMP;

-- Mail waiting to go; its text is built when it is sent, with what the
-- recipient may read then.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- notification, digest or password_reset
    kind TEXT NOT NULL,
    notification_id BIGINT,
    payload TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    send_after TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TIMESTAMP,
    dropped_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, dropped_at, send_after);
