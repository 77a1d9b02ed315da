-- Attempts at guessable things (passwords, the setup token, sign-ups) per
-- account or client address, shared by every instance on this database.
-- `key` is a SHA-256 of the rule and the subject: typed logins are not stored.
CREATE TABLE throttles (
    key TEXT PRIMARY KEY NOT NULL,
    attempts INTEGER NOT NULL,
    last_attempt_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP
);
CREATE INDEX throttles_last_attempt ON throttles (last_attempt_at);
