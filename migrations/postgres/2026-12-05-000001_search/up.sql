-- Full-text search. The text is prepared by Quorum (plain text of the
-- rendered post, folded to lower case without accents, compounds also
-- joined: api/src/search/text.rs), so the `unaccent` extension is not
-- needed; the thread's title is stored on its opening post. The vector
-- is a generated column (title weighted A, body D) with a GIN index.
-- Who may read a hit is decided at query time by the same predicates as
-- every other read.
ALTER TABLE posts ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_body TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, search_title), 'A')
    || setweight(to_tsvector('english'::regconfig, search_body), 'D')
) STORED;
CREATE INDEX posts_search_vector ON posts USING GIN (search_vector);

-- Existing posts are indexed by Quorum right after this migration
-- (db::Db::migrate runs the reindex when it applied this one).
