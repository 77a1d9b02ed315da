-- Threads per category, kept on write so that the category list (the home
-- page) costs the same at any size. One row per category and thread
-- audience (0: the thread has no audience of its own), so a viewer's count
-- is the sum of the rows whose audience they read: the same rule as
-- `thread_readable` (live threads, thread audience open or readable; the
-- category's own audience is checked on the category row). Kept by the
-- triggers below in the writing transaction, whatever writes the thread.
CREATE TABLE category_thread_counts (
    category_id BIGINT NOT NULL REFERENCES categories (id),
    audience_key BIGINT NOT NULL,
    threads BIGINT NOT NULL,
    last_bumped_at TIMESTAMP,
    PRIMARY KEY (category_id, audience_key)
);

INSERT INTO category_thread_counts (category_id, audience_key, threads, last_bumped_at)
SELECT category_id, coalesce(audience_id, 0), count(*), max(bumped_at)
FROM threads WHERE deleted_at IS NULL
GROUP BY category_id, coalesce(audience_id, 0);

CREATE TRIGGER threads_counts_insert AFTER INSERT ON threads WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO category_thread_counts (category_id, audience_key, threads, last_bumped_at)
    VALUES (new.category_id, coalesce(new.audience_id, 0), 1, new.bumped_at)
    ON CONFLICT (category_id, audience_key) DO UPDATE SET
        threads = threads + 1,
        last_bumped_at = max(coalesce(last_bumped_at, excluded.last_bumped_at), excluded.last_bumped_at);
END;

CREATE TRIGGER threads_counts_delete AFTER DELETE ON threads WHEN old.deleted_at IS NULL BEGIN
    UPDATE category_thread_counts SET
        threads = threads - 1,
        last_bumped_at = (
            SELECT max(bumped_at) FROM threads
            WHERE category_id = old.category_id AND coalesce(audience_id, 0) = coalesce(old.audience_id, 0)
              AND deleted_at IS NULL
        )
    WHERE category_id = old.category_id AND audience_key = coalesce(old.audience_id, 0);
END;

-- A reply moves the thread forward: the common case, without a scan.
CREATE TRIGGER threads_counts_bump AFTER UPDATE OF bumped_at ON threads
WHEN new.deleted_at IS NULL AND old.deleted_at IS NULL
 AND new.category_id = old.category_id AND new.audience_id IS old.audience_id
 AND new.bumped_at >= old.bumped_at
BEGIN
    UPDATE category_thread_counts SET
        last_bumped_at = max(coalesce(last_bumped_at, new.bumped_at), new.bumped_at)
    WHERE category_id = new.category_id AND audience_key = coalesce(new.audience_id, 0);
END;

-- Anything else (deleted, restored, moved, audience changed, moved back
-- in time): take the old contribution out, put the new one in.
CREATE TRIGGER threads_counts_change AFTER UPDATE OF category_id, audience_id, deleted_at, bumped_at ON threads
WHEN NOT (new.deleted_at IS NULL AND old.deleted_at IS NULL
          AND new.category_id = old.category_id AND new.audience_id IS old.audience_id
          AND new.bumped_at >= old.bumped_at)
BEGIN
    UPDATE category_thread_counts SET
        threads = threads - 1,
        last_bumped_at = (
            SELECT max(bumped_at) FROM threads
            WHERE category_id = old.category_id AND coalesce(audience_id, 0) = coalesce(old.audience_id, 0)
              AND deleted_at IS NULL AND id <> old.id
        )
    WHERE old.deleted_at IS NULL
      AND category_id = old.category_id AND audience_key = coalesce(old.audience_id, 0);
    INSERT INTO category_thread_counts (category_id, audience_key, threads, last_bumped_at)
    SELECT new.category_id, coalesce(new.audience_id, 0), 1, new.bumped_at
    WHERE new.deleted_at IS NULL
    ON CONFLICT (category_id, audience_key) DO UPDATE SET
        threads = threads + 1,
        last_bumped_at = max(coalesce(last_bumped_at, excluded.last_bumped_at), excluded.last_bumped_at);
END;
