DROP TRIGGER threads_counts_change;
DROP TRIGGER threads_counts_bump;
DROP TRIGGER threads_counts_delete;
DROP TRIGGER threads_counts_insert;
DROP TABLE category_thread_counts;
