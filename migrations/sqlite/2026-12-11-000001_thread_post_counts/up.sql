-- Narrowed posts per thread, kept on write so that a thread list costs the
-- same however long its threads grow. One row per thread and post audience
-- for the live, shown posts with an audience of their own (posts without
-- one are counted on the thread, `threads.open_posts`), with the newest
-- one's time; a viewer's figure is the sum of the rows whose audience they
-- read (`policy::narrowed_count_readable`), the thread and category being
-- checked on the thread row. Kept by the triggers below in the writing
-- transaction, whatever writes the post (API, bulk seed, import).
CREATE TABLE thread_post_counts (
    thread_id BIGINT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    audience_id BIGINT NOT NULL REFERENCES audiences (id),
    posts BIGINT NOT NULL,
    last_created_at TIMESTAMP,
    PRIMARY KEY (thread_id, audience_id)
);

-- The counted posts of one thread and audience by time: what the triggers
-- read to find the newest after one is taken out (a counter cannot
-- un-max), one index step instead of a walk through the thread.
CREATE INDEX posts_narrowed_live ON posts (thread_id, audience_id, created_at)
WHERE audience_id IS NOT NULL AND deleted_at IS NULL AND hidden_at IS NULL;

INSERT INTO thread_post_counts (thread_id, audience_id, posts, last_created_at)
SELECT thread_id, audience_id, count(*), max(created_at)
FROM posts WHERE audience_id IS NOT NULL AND deleted_at IS NULL AND hidden_at IS NULL
GROUP BY thread_id, audience_id;

CREATE TRIGGER posts_counts_insert AFTER INSERT ON posts
WHEN new.audience_id IS NOT NULL AND new.deleted_at IS NULL AND new.hidden_at IS NULL
BEGIN
    INSERT INTO thread_post_counts (thread_id, audience_id, posts, last_created_at)
    VALUES (new.thread_id, new.audience_id, 1, new.created_at)
    ON CONFLICT (thread_id, audience_id) DO UPDATE SET
        posts = posts + 1,
        last_created_at = max(coalesce(last_created_at, excluded.last_created_at), excluded.last_created_at);
END;

CREATE TRIGGER posts_counts_delete AFTER DELETE ON posts
WHEN old.audience_id IS NOT NULL AND old.deleted_at IS NULL AND old.hidden_at IS NULL
BEGIN
    UPDATE thread_post_counts SET
        posts = posts - 1,
        last_created_at = (
            SELECT max(created_at) FROM posts
            WHERE thread_id = old.thread_id AND audience_id = old.audience_id
              AND deleted_at IS NULL AND hidden_at IS NULL
        )
    WHERE thread_id = old.thread_id AND audience_id = old.audience_id;
END;

-- Deleted, restored, hidden, shown, set aside into another thread: take
-- the old contribution out, put the new one in. Changes that leave a
-- counted post counted where it was (none today) are left alone.
CREATE TRIGGER posts_counts_change AFTER UPDATE OF thread_id, audience_id, created_at, deleted_at, hidden_at ON posts
WHEN ((old.audience_id IS NOT NULL AND old.deleted_at IS NULL AND old.hidden_at IS NULL)
   OR (new.audience_id IS NOT NULL AND new.deleted_at IS NULL AND new.hidden_at IS NULL))
 AND NOT (old.audience_id IS NOT NULL AND old.deleted_at IS NULL AND old.hidden_at IS NULL
          AND new.deleted_at IS NULL AND new.hidden_at IS NULL
          AND new.thread_id IS old.thread_id AND new.audience_id IS old.audience_id
          AND new.created_at IS old.created_at)
BEGIN
    UPDATE thread_post_counts SET
        posts = posts - 1,
        last_created_at = (
            SELECT max(created_at) FROM posts
            WHERE thread_id = old.thread_id AND audience_id = old.audience_id
              AND deleted_at IS NULL AND hidden_at IS NULL AND id <> old.id
        )
    WHERE old.audience_id IS NOT NULL AND old.deleted_at IS NULL AND old.hidden_at IS NULL
      AND thread_id = old.thread_id AND audience_id = old.audience_id;
    INSERT INTO thread_post_counts (thread_id, audience_id, posts, last_created_at)
    SELECT new.thread_id, new.audience_id, 1, new.created_at
    WHERE new.audience_id IS NOT NULL AND new.deleted_at IS NULL AND new.hidden_at IS NULL
    ON CONFLICT (thread_id, audience_id) DO UPDATE SET
        posts = posts + 1,
        last_created_at = max(coalesce(last_created_at, excluded.last_created_at), excluded.last_created_at);
END;
