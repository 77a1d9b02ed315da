-- Password resets by e-mail. The link's token is derived from `nonce`
-- with the server's key when the mail is built; only its SHA-256 is kept,
-- so neither the database nor the key alone gives the link. A reset works
-- once, for an hour; asking again, or changing the password, deletes the
-- ones still open.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    nonce TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets (user_id);
