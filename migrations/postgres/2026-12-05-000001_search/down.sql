DROP INDEX posts_search_vector;
ALTER TABLE posts DROP COLUMN search_vector;
ALTER TABLE posts DROP COLUMN search_body;
ALTER TABLE posts DROP COLUMN search_title;
