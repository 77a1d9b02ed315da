DROP TRIGGER posts_counts_change ON posts;
DROP TRIGGER posts_counts_delete ON posts;
DROP TRIGGER posts_counts_insert ON posts;
DROP FUNCTION posts_counts();
DROP FUNCTION posts_counts_remove(BIGINT, BIGINT, BIGINT, TIMESTAMP);
DROP FUNCTION posts_counts_add(BIGINT, BIGINT, TIMESTAMP);
DROP INDEX posts_narrowed_live;
DROP TABLE thread_post_counts;
