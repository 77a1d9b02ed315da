DROP TRIGGER posts_counts_change;
DROP TRIGGER posts_counts_delete;
DROP TRIGGER posts_counts_insert;
DROP INDEX posts_narrowed_live;
DROP TABLE thread_post_counts;
