-- Meetings: one event per thread (wall times and zone as the organiser
-- wrote them, UTC instants derived when saved), members' answers to it,
-- and the secret behind each member's personal calendar feed.

-- status: scheduled or cancelled. `sequence` rises on every change (the
-- iCalendar SEQUENCE); `uid` never changes once the thread has an event.
CREATE TABLE meetings (
    thread_id BIGINT PRIMARY KEY NOT NULL REFERENCES threads (id),
    uid TEXT NOT NULL UNIQUE,
    organiser_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    start_wall TEXT NOT NULL,
    end_wall TEXT NOT NULL,
    timezone TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    link TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_starts ON meetings (starts_at, thread_id);

-- going, maybe or not_going; one answer per member, changeable.
CREATE TABLE meeting_rsvps (
    thread_id BIGINT NOT NULL REFERENCES meetings (thread_id),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);

-- One feed secret per member, stored as SHA-256; rotating replaces it.
CREATE TABLE calendar_tokens (
    user_id BIGINT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- A date poll: the slots an organiser proposes for a thread's meeting
-- (each in its own IANA zone), and members' answers per slot: yes,
-- if_need_be or no.
CREATE TABLE poll_slots (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    thread_id BIGINT NOT NULL REFERENCES threads (id),
    position INTEGER NOT NULL,
    start_wall TEXT NOT NULL,
    end_wall TEXT NOT NULL,
    timezone TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL
);
CREATE INDEX poll_slots_thread ON poll_slots (thread_id, position);

CREATE TABLE poll_answers (
    slot_id BIGINT NOT NULL REFERENCES poll_slots (id),
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answer TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (slot_id, user_id)
);
