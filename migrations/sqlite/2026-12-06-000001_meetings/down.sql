DROP TABLE poll_answers;
DROP TABLE poll_slots;
DROP TABLE calendar_tokens;
DROP TABLE meeting_rsvps;
DROP TABLE meetings;
