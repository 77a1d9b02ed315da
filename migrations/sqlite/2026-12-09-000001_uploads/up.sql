-- Files members upload to put in their posts. An upload not yet in a post
-- is its uploader's alone; once a post references it, it has that post's
-- readers. The bytes live in the file store under `storage_key`.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY NOT NULL,
    uploader_id BIGINT NOT NULL REFERENCES users (id),
    post_id BIGINT REFERENCES posts (id),
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX uploads_post ON uploads (post_id);
CREATE INDEX uploads_unused ON uploads (created_at) WHERE post_id IS NULL;
