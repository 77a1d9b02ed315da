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

CREATE FUNCTION posts_counts_add(thread BIGINT, audience BIGINT, created TIMESTAMP) RETURNS void AS $$
    INSERT INTO thread_post_counts (thread_id, audience_id, posts, last_created_at)
    VALUES (thread, audience, 1, created)
    ON CONFLICT (thread_id, audience_id) DO UPDATE SET
        posts = thread_post_counts.posts + 1,
        last_created_at = greatest(thread_post_counts.last_created_at, excluded.last_created_at);
$$ LANGUAGE sql;

-- `without` is the post being taken out (written at `removed`): on UPDATE
-- its row is already the new one. Only when it was the newest is the newest
-- looked up again; and when this UPDATE waited for another transaction that
-- added a newer post, PostgreSQL applies it to that row's new version, whose
-- newer time the first branch keeps (the lookup's snapshot cannot see it).
CREATE FUNCTION posts_counts_remove(thread BIGINT, audience BIGINT, without BIGINT, removed TIMESTAMP) RETURNS void AS $$
    UPDATE thread_post_counts SET
        posts = thread_post_counts.posts - 1,
        last_created_at = CASE
            WHEN thread_post_counts.last_created_at > removed THEN thread_post_counts.last_created_at
            ELSE (
                SELECT max(p.created_at) FROM posts p
                WHERE p.thread_id = thread AND p.audience_id = audience
                  AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND p.id <> without
            )
        END
    WHERE thread_post_counts.thread_id = thread AND thread_post_counts.audience_id = audience;
$$ LANGUAGE sql;

CREATE FUNCTION posts_counts() RETURNS trigger AS $$
DECLARE
    was BOOLEAN := false;
    is_now BOOLEAN := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        was := OLD.audience_id IS NOT NULL AND OLD.deleted_at IS NULL AND OLD.hidden_at IS NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        is_now := NEW.audience_id IS NOT NULL AND NEW.deleted_at IS NULL AND NEW.hidden_at IS NULL;
    END IF;
    IF was AND is_now THEN
        IF NEW.thread_id = OLD.thread_id AND NEW.audience_id = OLD.audience_id
           AND NEW.created_at = OLD.created_at THEN
            RETURN NULL;
        END IF;
    END IF;
    IF was THEN
        PERFORM posts_counts_remove(OLD.thread_id, OLD.audience_id, OLD.id, OLD.created_at);
    END IF;
    IF is_now THEN
        PERFORM posts_counts_add(NEW.thread_id, NEW.audience_id, NEW.created_at);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Posts without an audience of their own (most of them) never call the
-- function.
CREATE TRIGGER posts_counts_insert AFTER INSERT ON posts
FOR EACH ROW WHEN (NEW.audience_id IS NOT NULL) EXECUTE FUNCTION posts_counts();
CREATE TRIGGER posts_counts_delete AFTER DELETE ON posts
FOR EACH ROW WHEN (OLD.audience_id IS NOT NULL) EXECUTE FUNCTION posts_counts();
CREATE TRIGGER posts_counts_change AFTER UPDATE OF thread_id, audience_id, created_at, deleted_at, hidden_at ON posts
FOR EACH ROW WHEN (OLD.audience_id IS NOT NULL OR NEW.audience_id IS NOT NULL) EXECUTE FUNCTION posts_counts();
