DROP TRIGGER threads_counts ON threads;
DROP FUNCTION threads_counts();
DROP FUNCTION threads_counts_remove(BIGINT, BIGINT, BIGINT);
DROP FUNCTION threads_counts_add(BIGINT, BIGINT, TIMESTAMP);
DROP TABLE category_thread_counts;
