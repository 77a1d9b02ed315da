-- Full-text search. The text is prepared by Quorum (plain text of the
-- rendered post, folded to lower case without accents, compounds also
-- joined: api/src/search/text.rs) and stored on the post; the thread's
-- title is stored on its opening post. FTS5 indexes both, kept in step
-- by triggers in the writing transaction. Who may read a hit is decided
-- at query time by the same predicates as every other read.
ALTER TABLE posts ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN search_body TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE posts_fts USING fts5(
    title, body,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, title, body) VALUES (new.id, new.search_title, new.search_body);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF search_title, search_body ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
    INSERT INTO posts_fts (rowid, title, body) VALUES (new.id, new.search_title, new.search_body);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.id;
END;

-- Existing posts are indexed by Quorum right after this migration
-- (db::Db::migrate runs the reindex when it applied this one).
