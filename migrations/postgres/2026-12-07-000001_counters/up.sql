-- Threads per category, kept on write so that the category list (the home
-- page) costs the same at any size. One row per category and thread
-- audience (0: the thread has no audience of its own), so a viewer's count
-- is the sum of the rows whose audience they read: the same rule as
-- `thread_readable` (live threads, thread audience open or readable; the
-- category's own audience is checked on the category row). Kept by the
-- trigger below in the writing transaction, whatever writes the thread.
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

CREATE FUNCTION threads_counts_add(category BIGINT, audience BIGINT, bumped TIMESTAMP) RETURNS void AS $$
    INSERT INTO category_thread_counts (category_id, audience_key, threads, last_bumped_at)
    VALUES (category, coalesce(audience, 0), 1, bumped)
    ON CONFLICT (category_id, audience_key) DO UPDATE SET
        threads = category_thread_counts.threads + 1,
        last_bumped_at = greatest(category_thread_counts.last_bumped_at, excluded.last_bumped_at);
$$ LANGUAGE sql;

-- `without` is the thread being taken out: on UPDATE its row is already
-- the new one.
CREATE FUNCTION threads_counts_remove(category BIGINT, audience BIGINT, without BIGINT) RETURNS void AS $$
    UPDATE category_thread_counts SET
        threads = threads - 1,
        last_bumped_at = (
            SELECT max(bumped_at) FROM threads
            WHERE category_id = category AND coalesce(audience_id, 0) = coalesce(audience, 0)
              AND deleted_at IS NULL AND id <> without
        )
    WHERE category_id = category AND audience_key = coalesce(audience, 0);
$$ LANGUAGE sql;

CREATE FUNCTION threads_counts() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.deleted_at IS NULL THEN
            PERFORM threads_counts_add(NEW.category_id, NEW.audience_id, NEW.bumped_at);
        END IF;
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.deleted_at IS NULL THEN
            PERFORM threads_counts_remove(OLD.category_id, OLD.audience_id, OLD.id);
        END IF;
        RETURN NULL;
    END IF;
    -- UPDATE. A reply moves the thread forward: the common case, without a scan.
    IF NEW.deleted_at IS NULL AND OLD.deleted_at IS NULL
       AND NEW.category_id = OLD.category_id AND NEW.audience_id IS NOT DISTINCT FROM OLD.audience_id
       AND NEW.bumped_at >= OLD.bumped_at THEN
        IF NEW.bumped_at > OLD.bumped_at THEN
            UPDATE category_thread_counts SET
                last_bumped_at = greatest(last_bumped_at, NEW.bumped_at)
            WHERE category_id = NEW.category_id AND audience_key = coalesce(NEW.audience_id, 0);
        END IF;
        RETURN NULL;
    END IF;
    IF OLD.deleted_at IS NULL THEN
        PERFORM threads_counts_remove(OLD.category_id, OLD.audience_id, OLD.id);
    END IF;
    IF NEW.deleted_at IS NULL THEN
        PERFORM threads_counts_add(NEW.category_id, NEW.audience_id, NEW.bumped_at);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER threads_counts AFTER INSERT OR DELETE OR UPDATE OF category_id, audience_id, deleted_at, bumped_at
ON threads FOR EACH ROW EXECUTE FUNCTION threads_counts();
