DROP TABLE calendar_tokens;
DROP TABLE meeting_rsvps;
DROP TABLE meetings;
