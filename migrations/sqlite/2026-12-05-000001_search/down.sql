DROP TRIGGER posts_fts_delete;
DROP TRIGGER posts_fts_update;
DROP TRIGGER posts_fts_insert;
DROP TABLE posts_fts;
ALTER TABLE posts DROP COLUMN search_body;
ALTER TABLE posts DROP COLUMN search_title;
