-- Core forum schema. Timestamps are UTC, stored without zone.
CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    bio TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    password_hash TEXT NOT NULL,
    token_generation BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- `everyone` and `signed-in` are pseudo-groups: audiences may name them,
-- nobody is ever a stored member.
CREATE TABLE groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin BOOLEAN NOT NULL DEFAULT 0,
    pseudo BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- An audience is a set of groups, stored once per distinct set (`key` is
-- the sorted group ids), so readable audiences per viewer are few.
CREATE TABLE audiences (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    key TEXT NOT NULL UNIQUE
);

CREATE TABLE audience_groups (
    audience_id BIGINT NOT NULL REFERENCES audiences (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (audience_id, group_id)
);
CREATE INDEX audience_groups_group ON audience_groups (group_id);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    audience_id BIGINT NOT NULL REFERENCES audiences (id),
    posters_id BIGINT NOT NULL REFERENCES audiences (id),
    position INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE threads (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES categories (id),
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    audience_id BIGINT REFERENCES audiences (id),
    pinned BOOLEAN NOT NULL DEFAULT 0,
    locked BOOLEAN NOT NULL DEFAULT 0,
    post_counter INTEGER NOT NULL DEFAULT 0,
    -- Live posts without an audience of their own: everyone who reads the
    -- thread reads these, so lists add only the narrowed posts per viewer.
    open_posts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    -- Moved only by posts without their own audience, so ordering never
    -- reveals a restricted reply.
    bumped_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE INDEX threads_category_order ON threads (category_id, pinned, bumped_at, id);
CREATE INDEX threads_order ON threads (pinned, bumped_at, id);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    thread_id BIGINT NOT NULL REFERENCES threads (id),
    number INTEGER NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users (id),
    reply_to_id BIGINT REFERENCES posts (id),
    audience_id BIGINT REFERENCES audiences (id),
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    like_count BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP,
    deleted_at TIMESTAMP,
    UNIQUE (thread_id, number)
);
-- Keyset pagination walks a thread by id; `number` is storage order only
-- (the API numbers posts per viewer, so gaps never hint at hidden posts).
-- Covering, so numbering a page counts readable posts from the index alone.
CREATE INDEX posts_thread_id ON posts (thread_id, id, deleted_at, audience_id);
-- Narrowed posts of a thread, the only ones lists count per viewer.
CREATE INDEX posts_thread_audience ON posts (thread_id, audience_id);
CREATE INDEX posts_author ON posts (author_id);

CREATE TABLE post_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    post_id BIGINT NOT NULL REFERENCES posts (id),
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    editor_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (post_id, number)
);

CREATE TABLE likes (
    post_id BIGINT NOT NULL REFERENCES posts (id),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX likes_user ON likes (user_id, post_id);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family TEXT NOT NULL,
    -- The account's token generation when issued: a logout or password
    -- change racing a refresh cannot leave a live successor behind.
    generation BIGINT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family);

INSERT INTO groups (slug, name, description, builtin, pseudo, created_at) VALUES
    ('everyone', 'Everyone', 'Every visitor, signed in or not.', TRUE, TRUE, CURRENT_TIMESTAMP),
    ('signed-in', 'Signed-in members', 'Anyone with an account.', TRUE, TRUE, CURRENT_TIMESTAMP),
    ('admins', 'Administrators', 'See and do everything.', TRUE, FALSE, CURRENT_TIMESTAMP),
    ('moderators', 'Moderators', 'Pin, lock, move and moderate what they can read.', TRUE, FALSE, CURRENT_TIMESTAMP);
