//! Meetings: a thread's event in its organiser's wall time and IANA zone,
//! resolved to UTC; answers and counts only for the thread's audience;
//! upcoming events as each viewer may read them; iCalendar read back by a
//! real parser; personal calendar feeds that hold what their member may
//! read at the moment they are fetched.

use std::time::Duration;

use quorum_tests::world::{BOARD, WORKERS};
use quorum_tests::{assert_field_error, assert_problem, both_backends, ics, marker, Account, Coop, Response, TestApp};
use quorum_types::{
    Attendee, CalendarFeed, DatePoll, ErrorCode, Meeting, MeetingStatus, Notification, NotificationKind, Page,
    Participant, PollAnswer, PollCounts, PollVoter, RsvpAnswer,
};
use serde_json::{json, Value};

fn event(title: &str, start: &str, end: &str, timezone: &str) -> Value {
    json!({
        "title": title, "start": start, "end": end, "timezone": timezone,
        "place": "Co-op hall, 3 Mill Lane", "link": "https://meet.example.coop/board",
        "description": "Agenda: budget; rota, and AOB.",
    })
}

fn messages(resp: &Response, field: &str) -> String {
    assert_field_error(resp, field).errors.unwrap_or_default()[field].join(" ")
}

/// The event's `.ics`, parsed.
async fn ics_of(app: &TestApp, thread: i64, who: Option<&str>) -> Value {
    let resp = app.get(&format!("/threads/{thread}/event.ics"), who).await;
    resp.assert_status(200);
    assert!(resp.content_type.starts_with("text/calendar"), "{resp}");
    ics::parse(&resp.text())
}

/// A feed fetched with nothing but its URL.
async fn feed(app: &TestApp, url: &str) -> Response {
    let path = url.split_once("/api/v1").map(|(_, p)| p).expect("the URL names the API");
    app.request_with_headers(actix_web::http::Method::GET, path, &[], None).await
}

fn uids(calendar: &Value) -> Vec<String> {
    let mut uids: Vec<String> = calendar["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["UID"].as_str().unwrap_or_default().to_owned())
        .collect();
    uids.sort();
    uids
}

/// Notifications are made after commit: ask until they are there.
async fn notifications(app: &TestApp, who: &Account, at_least: usize) -> Vec<Notification> {
    let mut last = Vec::new();
    for _ in 0..60 {
        last = app.page::<Notification>("/notifications?limit=100", who.auth()).await.items;
        if last.len() >= at_least {
            return last;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

both_backends! {
    async fn the_seed_meeting_is_at_15z_in_winter_and_14z_in_summer(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "general", &["signed-in"], &["signed-in"]).await;
        let organiser = &coop.rep;
        let thread = app.create_thread(organiser, "general", "International call", "Details below.", None).await.thread.id;
        let url = format!("/threads/{thread}/event");
        app.get(&url, organiser.auth()).await.assert_status(404);

        let created = app.put(&url, organiser.auth(), &event("Board call", "2023-12-14T15:00", "2023-12-14T16:30", "Europe/London")).await;
        assert_eq!(created.location(), format!("/api/v1/threads/{thread}/event"));
        let winter: Meeting = created.expect(201);
        assert_eq!(winter.start_utc.to_rfc3339(), "2023-12-14T15:00:00+00:00");
        assert_eq!(winter.end_utc.to_rfc3339(), "2023-12-14T16:30:00+00:00");
        assert_eq!((winter.start_wall.as_str(), winter.timezone.as_str()), ("2023-12-14T15:00", "Europe/London"));
        assert_eq!((winter.status, winter.sequence), (MeetingStatus::Scheduled, 0));
        assert_eq!(winter.organiser.username, organiser.username);
        assert!(winter.can_edit && winter.can_rsvp);
        assert_eq!(winter.place.as_deref(), Some("Co-op hall, 3 Mill Lane"));

        // The same again changes nothing.
        let same: Meeting = app.put(&url, organiser.auth(), &event("Board call", "2023-12-14T15:00", "2023-12-14T16:30", "Europe/London")).await.expect(200);
        assert_eq!(same.sequence, 0);

        // Summer time: the same wall time is an hour earlier in UTC.
        let summer: Meeting = app.put(&url, organiser.auth(), &event("Board call", "2024-07-11T15:00", "2024-07-11T16:30", "Europe/London")).await.expect(200);
        assert_eq!(summer.start_utc.to_rfc3339(), "2024-07-11T14:00:00+00:00");
        assert_eq!((summer.sequence, summer.uid.as_str()), (1, winter.uid.as_str()));

        // Abbreviations, offsets and unknown names are refused with real zones.
        let before = app.count("SELECT COUNT(*) AS n FROM events");
        let cet = messages(&app.put(&url, organiser.auth(), &event("x", "2023-12-14T16:00", "2023-12-14T17:00", "CET")).await, "timezone");
        assert!(cet.contains("Europe/Paris") && cet.contains("Europe/Berlin") && cet.contains("abbreviation"), "{cet}");
        let offset = messages(&app.put(&url, organiser.auth(), &event("x", "2023-12-14T16:00", "2023-12-14T17:00", "GMT+1")).await, "timezone");
        assert!(offset.contains("Europe/Paris"), "{offset}");
        let mars = messages(&app.put(&url, organiser.auth(), &event("x", "2023-12-14T16:00", "2023-12-14T17:00", "Mars/Olympus")).await, "timezone");
        assert!(mars.contains("\"Mars/Olympus\" is not a time zone name"), "{mars}");

        // A wall time the clocks skip, and one they repeat, are refused...
        let gap = messages(&app.put(&url, organiser.auth(), &event("x", "2024-03-31T01:30", "2024-03-31T03:00", "Europe/London")).await, "start");
        assert!(gap.contains("does not exist"), "{gap}");
        let twice = messages(&app.put(&url, organiser.auth(), &event("x", "2024-10-27T01:30", "2024-10-27T03:00", "Europe/London")).await, "start");
        assert!(twice.contains("happens twice") && twice.contains("fold=later"), "{twice}");
        let backwards = messages(&app.put(&url, organiser.auth(), &event("x", "2024-07-11T15:00", "2024-07-11T14:00", "Europe/London")).await, "end");
        assert!(backwards.contains("after"), "{backwards}");
        // ...and nothing was written.
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM events"), before);
        let kept: Meeting = app.get(&url, coop.participant.auth()).await.expect(200);
        assert_eq!((kept.sequence, kept.start_utc), (1, summer.start_utc));
        assert!(!kept.can_edit && kept.can_rsvp);

        // Saying which of the repeated hours is accepted.
        let mut later = event("Board call", "2024-10-27T01:30", "2024-10-27T03:00", "Europe/London");
        later["fold"] = json!("later");
        let folded: Meeting = app.put(&url, organiser.auth(), &later).await.expect(200);
        assert_eq!(folded.start_utc.to_rfc3339(), "2024-10-27T01:30:00+00:00");
        later["fold"] = json!("earlier");
        let folded: Meeting = app.put(&url, organiser.auth(), &later).await.expect(200);
        assert_eq!(folded.start_utc.to_rfc3339(), "2024-10-27T00:30:00+00:00");

        // Only the organiser (the thread's author) or a moderator changes it.
        let winter_again = event("Board call", "2023-12-14T15:00", "2023-12-14T16:30", "Europe/London");
        assert_problem(&app.put(&url, coop.participant.auth(), &winter_again).await, 403, ErrorCode::Forbidden);
        assert_problem(&app.put(&url, None, &winter_again).await, 401, ErrorCode::Unauthorized);
        let by_moderator: Meeting = app.put(&url, coop.moderator.auth(), &winter_again).await.expect(200);
        assert_eq!((by_moderator.organiser.username.as_str(), by_moderator.sequence), (organiser.username.as_str(), 4));
        assert_problem(&app.post_empty(&format!("{url}/cancel"), coop.participant.auth()).await, 403, ErrorCode::Forbidden);
    }

    async fn answers_counts_and_events_stay_inside_the_audience(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_category(&coop.admin, "board-room", &[BOARD], &[BOARD]).await;
        let secret = marker("board-away-day");
        let board = app.create_thread(&coop.rep, "board-room", "Away day", "Board only.", None).await.thread.id;
        let board_event: Meeting = app
            .put(&format!("/threads/{board}/event"), coop.rep.auth(), &event(&secret, "2030-01-15T10:00", "2030-01-15T16:00", "Europe/London"))
            .await
            .expect(201);
        let open = app.create_thread(&coop.worker, "general", "Open meeting", "All welcome.", None).await.thread.id;
        let open_event: Meeting = app
            .put(&format!("/threads/{open}/event"), coop.worker.auth(), &event("Open meeting", "2030-02-01T18:00", "2030-02-01T20:00", "Europe/Paris"))
            .await
            .expect(201);
        assert_eq!(open_event.start_utc.to_rfc3339(), "2030-02-01T17:00:00+00:00");

        // Outside the audience the board's event, its answers and counts do not exist.
        app.put(&format!("/threads/{board}/event/rsvp"), coop.rep.auth(), &json!({"answer": "going"})).await.assert_status(200);
        for who in [coop.worker.auth(), coop.participant.auth(), coop.moderator.auth(), None] {
            for path in [format!("/threads/{board}/event"), format!("/threads/{board}/event/attendees"), format!("/threads/{board}/event.ics")] {
                let resp = app.get(&path, who).await;
                assert_problem(&resp, 404, ErrorCode::NotFound);
                assert!(!resp.contains(&secret), "{resp}");
            }
            let answered = app.put(&format!("/threads/{board}/event/rsvp"), who, &json!({"answer": "going"})).await;
            assert!(answered.status == 404 || (who.is_none() && answered.status == 401), "{answered}");
        }
        let board_seen: Meeting = app.get(&format!("/threads/{board}/event"), coop.rep.auth()).await.expect(200);
        assert_eq!((board_seen.counts.going, board_seen.my_answer), (1, Some(RsvpAnswer::Going)));

        // Answers are changeable; counts and who follow.
        let url = format!("/threads/{open}/event/rsvp");
        app.put(&url, coop.participant.auth(), &json!({"answer": "going"})).await.assert_status(200);
        app.put(&url, coop.enterprise.auth(), &json!({"answer": "maybe"})).await.assert_status(200);
        let changed: Meeting = app.put(&url, coop.participant.auth(), &json!({"answer": "not_going"})).await.expect(200);
        assert_eq!((changed.counts.going, changed.counts.maybe, changed.counts.not_going), (0, 1, 1));
        assert_eq!(changed.my_answer, Some(RsvpAnswer::NotGoing));
        assert_field_error(&app.put(&url, coop.participant.auth(), &json!({"answer": "perhaps"})).await, "body");
        let who: Page<Attendee> = app.page(&format!("/threads/{open}/event/attendees"), coop.rep.auth()).await;
        let answers: Vec<(String, RsvpAnswer)> = who.items.iter().map(|a| (a.user.username.clone(), a.answer)).collect();
        assert_eq!(answers, vec![("ezra".to_owned(), RsvpAnswer::Maybe), ("pat".to_owned(), RsvpAnswer::NotGoing)]);
        // The open category is for signed-in members: anonymous sees nothing of it.
        assert_problem(&app.get(&format!("/threads/{open}/event/attendees"), None).await, 404, ErrorCode::NotFound);

        // Upcoming events: each viewer gets what they may read.
        let titles = |page: Page<Meeting>| page.items.into_iter().map(|m| m.thread_id).collect::<Vec<_>>();
        let from = "from=2029-12-01";
        assert_eq!(titles(app.page(&format!("/events?{from}"), coop.rep.auth()).await), vec![board, open]);
        let worker_list = app.get(&format!("/events?{from}"), coop.worker.auth()).await;
        assert!(!worker_list.contains(&secret), "{worker_list}");
        assert_eq!(titles(worker_list.expect(200)), vec![open]);
        assert_eq!(titles(app.page(&format!("/events?{from}"), None).await), Vec::<i64>::new());
        assert_eq!(titles(app.page(&format!("/events?{from}&to=2030-01-20"), coop.rep.auth()).await), vec![board]);
        assert_eq!(titles(app.page(&format!("/events?{from}&category=general"), coop.rep.auth()).await), vec![open]);
        assert_eq!(titles(app.page(&format!("/events?{from}&limit=1"), coop.rep.auth()).await), vec![board]);
        let paged: Page<Meeting> = app.page(&format!("/events?{from}&limit=1"), coop.rep.auth()).await;
        let next = paged.next_cursor.expect("a second page");
        assert_eq!(titles(app.page(&format!("/events?{from}&limit=1&cursor={next}"), coop.rep.auth()).await), vec![open]);
        assert_problem(&app.get(&format!("/events?{from}&category=board-room"), coop.worker.auth()).await, 404, ErrorCode::NotFound);
        app.get("/events?from=yesterday", coop.worker.auth()).await.assert_status(400);
        // The default window starts now: a past event is not upcoming.
        let past = app.create_thread(&coop.worker, "general", "Last year", "Done.", None).await.thread.id;
        app.put(&format!("/threads/{past}/event"), coop.worker.auth(), &event("Past", "2023-12-14T15:00", "2023-12-14T16:30", "Europe/London")).await.assert_status(201);
        assert_eq!(titles(app.page("/events", coop.worker.auth()).await), vec![open]);
        assert_eq!(board_event.thread_id, board);

        // A change tells those going or maybe (not those not going); so does a cancellation.
        app.put(&format!("/threads/{open}/event"), coop.worker.auth(), &event("Open meeting", "2030-02-01T19:00", "2030-02-01T21:00", "Europe/Paris")).await.assert_status(200);
        let told = notifications(&app, &coop.enterprise, 1).await;
        assert_eq!(told.iter().map(|n| (n.kind, n.thread_id)).collect::<Vec<_>>(), vec![(NotificationKind::EventChanged, open)]);
        let cancelled: Meeting = app.post_empty(&format!("/threads/{open}/event/cancel"), coop.worker.auth()).await.expect(200);
        assert_eq!((cancelled.status, cancelled.sequence, cancelled.can_rsvp), (MeetingStatus::Cancelled, 2, false));
        let told = notifications(&app, &coop.enterprise, 2).await;
        assert_eq!(told[0].kind, NotificationKind::EventCancelled, "{told:?}");
        assert!(notifications(&app, &coop.participant, 0).await.iter().all(|n| n.thread_id != open));
        assert_problem(&app.put(&url, coop.enterprise.auth(), &json!({"answer": "going"})).await, 409, ErrorCode::Conflict);
        // Cancelling again changes nothing; scheduling again brings it back.
        let again: Meeting = app.post_empty(&format!("/threads/{open}/event/cancel"), coop.worker.auth()).await.expect(200);
        assert_eq!(again.sequence, 2);
        let back: Meeting = app.put(&format!("/threads/{open}/event"), coop.worker.auth(), &event("Open meeting", "2030-02-01T19:00", "2030-02-01T21:00", "Europe/Paris")).await.expect(200);
        assert_eq!((back.status, back.sequence), (MeetingStatus::Scheduled, 3));
    }

    async fn an_event_reads_back_from_ics_with_its_zone_uid_and_sequence(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "general", &["signed-in"], &["signed-in"]).await;
        let thread = app.create_thread(&coop.rep, "general", "International call", "Details below.", None).await.thread.id;
        let url = format!("/threads/{thread}/event");
        let mut body = event("Board call, Q4; budget", "2023-12-14T15:00", "2023-12-14T16:30", "Europe/London");
        body["description"] = json!(format!("Agenda:\n1. Budget; rota, and AOB\n{}", "A long line that calendar files must fold. ".repeat(4)));
        let first: Meeting = app.put(&url, coop.rep.auth(), &body).await.expect(201);
        let raw = app.get(&format!("{url}.ics"), coop.participant.auth()).await.text();
        assert!(raw.lines().all(|l| l.len() <= 75), "unfolded lines:\n{raw}");
        assert!(raw.contains("\r\n "), "long lines are folded:\n{raw}");
        let cal = ics_of(&app, thread, coop.participant.auth()).await;
        assert_eq!(cal["zones"], json!(["Europe/London"]));
        let e = &cal["events"][0];
        assert_eq!(e["UID"], json!(first.uid));
        assert_eq!((e["SEQUENCE"].as_i64(), e["STATUS"].as_str()), (Some(0), Some("CONFIRMED")));
        assert_eq!(e["SUMMARY"], json!("Board call, Q4; budget"));
        assert_eq!(e["DESCRIPTION"].as_str().map(|d| d.starts_with("Agenda:\n1. Budget; rota, and AOB\n")), Some(true), "{e}");
        assert_eq!(e["DTSTART_TZID"], json!("Europe/London"));
        assert_eq!(e["DTSTART"], json!("2023-12-14T15:00:00Z"));
        assert_eq!(e["DTSTART_BY_VTIMEZONE"], json!("2023-12-14T15:00:00Z"));
        assert_eq!(e["DTEND_BY_VTIMEZONE"], json!("2023-12-14T16:30:00Z"));
        assert_eq!(e["URL"], json!("https://meet.example.coop/board"));

        // Moved to summer: same UID, higher SEQUENCE, the instant an hour earlier.
        body["start"] = json!("2024-07-11T15:00");
        body["end"] = json!("2024-07-11T16:30");
        app.put(&url, coop.rep.auth(), &body).await.assert_status(200);
        let cal = ics_of(&app, thread, coop.participant.auth()).await;
        let e = &cal["events"][0];
        assert_eq!((e["UID"].as_str(), e["SEQUENCE"].as_i64()), (Some(first.uid.as_str()), Some(1)));
        assert_eq!(e["DTSTART"], json!("2024-07-11T14:00:00Z"));
        assert_eq!(e["DTSTART_BY_VTIMEZONE"], json!("2024-07-11T14:00:00Z"));

        // Zones far from London, and the second of a repeated hour.
        for (zone, start, end, utc) in [
            ("Asia/Kolkata", "2024-07-11T15:00", "2024-07-11T16:00", "2024-07-11T09:30:00Z"),
            ("America/New_York", "2024-11-03T01:30", "2024-11-03T03:00", "2024-11-03T06:30:00Z"),
            ("Australia/Sydney", "2024-01-10T09:00", "2024-01-10T10:00", "2024-01-09T22:00:00Z"),
        ] {
            let mut other = event("Elsewhere", start, end, zone);
            other["fold"] = json!("later");
            app.put(&url, coop.rep.auth(), &other).await.assert_status(200);
            let cal = ics_of(&app, thread, coop.participant.auth()).await;
            let e = &cal["events"][0];
            assert_eq!(e["DTSTART"], json!(utc), "{zone}: {cal}");
            if let Some(by_zone) = e["DTSTART_BY_VTIMEZONE"].as_str() {
                assert_eq!(by_zone, utc, "{zone}: {cal}");
            }
        }

        // Cancelled: the calendar learns of it.
        app.post_empty(&format!("{url}/cancel"), coop.rep.auth()).await.assert_status(200);
        let cal = ics_of(&app, thread, coop.participant.auth()).await;
        let e = &cal["events"][0];
        assert_eq!((e["STATUS"].as_str(), e["SEQUENCE"].as_i64(), e["UID"].as_str()), (Some("CANCELLED"), Some(5), Some(first.uid.as_str())));
    }

    async fn a_calendar_feed_holds_what_its_member_may_read_when_fetched(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_category(&coop.admin, "board-room", &[BOARD], &[BOARD]).await;
        let board = app.create_thread(&coop.rep, "board-room", "Away day", "Board only.", None).await.thread.id;
        let board_event: Meeting = app.put(&format!("/threads/{board}/event"), coop.rep.auth(), &event("Away day", "2030-01-15T10:00", "2030-01-15T16:00", "Europe/London")).await.expect(201);
        let open = app.create_thread(&coop.worker, "general", "Open meeting", "All welcome.", None).await.thread.id;
        let open_event: Meeting = app.put(&format!("/threads/{open}/event"), coop.worker.auth(), &event("Open meeting", "2030-02-01T18:00", "2030-02-01T20:00", "Europe/Paris")).await.expect(201);

        app.add_member(&coop.admin, BOARD, &coop.enterprise.username).await;
        let mine: CalendarFeed = app.post_empty("/me/calendar-token", coop.enterprise.auth()).await.expect(201);
        assert!(mine.url.ends_with(&format!("/api/v1/calendar/{}.ics", mine.token)), "{mine:?}");
        assert!(mine.webcal_url.starts_with("webcal://"), "{mine:?}");
        let theirs: CalendarFeed = app.post_empty("/me/calendar-token", coop.participant.auth()).await.expect(201);

        // No header needed; a Board member sees both, a participant only the open one.
        let resp = feed(&app, &mine.url).await;
        resp.assert_status(200);
        assert!(resp.content_type.starts_with("text/calendar"), "{resp}");
        assert_eq!(resp.header("cache-control"), Some("no-store"));
        let mut both = vec![board_event.uid.clone(), open_event.uid.clone()];
        both.sort();
        assert_eq!(uids(&ics::parse(&resp.text())), both);
        let cal = ics::parse(&feed(&app, &theirs.url).await.text());
        assert_eq!(uids(&cal), vec![open_event.uid.clone()]);
        assert_eq!(cal["events"][0]["DTSTART"], json!("2030-02-01T17:00:00Z"));

        // Losing the group takes the Board's event out of the very next fetch.
        app.remove_member(&coop.admin, BOARD, &coop.enterprise.username).await;
        assert_eq!(uids(&ics::parse(&feed(&app, &mine.url).await.text())), vec![open_event.uid.clone()]);

        // The secret opens the feed and nothing else.
        assert_problem(&app.get("/me", Some(&mine.token)).await, 401, ErrorCode::Unauthorized);
        assert_problem(&app.get(&format!("/threads/{open}/event"), Some(&mine.token)).await, 401, ErrorCode::Unauthorized);
        assert_problem(&app.get("/calendar/qrm_cal_guessed.ics", None).await, 404, ErrorCode::NotFound);

        // A personal access token cannot make one.
        let token: quorum_types::CreatedToken = app.post("/me/tokens", coop.worker.auth(), &json!({"name": "w", "scopes": ["read", "write"]})).await.expect(201);
        assert_problem(&app.post_empty("/me/calendar-token", Some(&token.secret)).await, 403, ErrorCode::Forbidden);

        // Rotating replaces the old URL; revoking ends the new one.
        let rotated: CalendarFeed = app.post_empty("/me/calendar-token", coop.enterprise.auth()).await.expect(201);
        assert_problem(&feed(&app, &mine.url).await, 404, ErrorCode::NotFound);
        feed(&app, &rotated.url).await.assert_status(200);
        app.delete("/me/calendar-token", coop.enterprise.auth()).await.assert_status(204);
        assert_problem(&feed(&app, &rotated.url).await, 404, ErrorCode::NotFound);
        app.delete("/me/calendar-token", coop.enterprise.auth()).await.assert_status(204);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM calendar_tokens WHERE token_hash LIKE 'qrm_cal_%'"), 0, "secrets are stored hashed");
    }

    async fn a_date_poll_finds_a_time_and_becomes_the_event(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_category(&coop.admin, "board-room", &[BOARD], &[BOARD]).await;
        // A Europe/London organiser; members in Paris and Accra answer.
        let (organiser, paris, accra) = (&coop.rep, &coop.worker, &coop.enterprise);
        let thread = app.create_thread(organiser, "general", "When shall we meet?", "Pick what suits you.", None).await.thread.id;
        let url = format!("/threads/{thread}/poll");
        app.get(&url, paris.auth()).await.assert_status(404);
        let slot = |start: &str, end: &str| json!({"start": start, "end": end, "timezone": "Europe/London"});
        let three = json!({"slots": [
            slot("2030-03-12T15:00", "2030-03-12T16:00"),
            slot("2030-03-14T10:00", "2030-03-14T11:00"),
            slot("2030-07-02T15:00", "2030-07-02T16:00"),
        ]});
        let proposed: DatePoll = app.put(&url, organiser.auth(), &three).await.expect(201);
        let utc: Vec<String> = proposed.slots.iter().map(|s| s.start_utc.to_rfc3339()).collect();
        assert_eq!(utc, vec!["2030-03-12T15:00:00+00:00", "2030-03-14T10:00:00+00:00", "2030-07-02T14:00:00+00:00"]);
        assert!(proposed.slots.iter().all(|s| s.timezone == "Europe/London"));
        assert!(proposed.can_edit && proposed.can_answer);
        let ids: Vec<i64> = proposed.slots.iter().map(|s| s.id).collect();
        // The same slots again change nothing; bad ones name their place.
        let same: DatePoll = app.put(&url, organiser.auth(), &three).await.expect(200);
        assert_eq!(same.slots.iter().map(|s| s.id).collect::<Vec<_>>(), ids);
        let mut bad = three.clone();
        bad["slots"][1]["timezone"] = json!("CET");
        let cet = messages(&app.put(&url, organiser.auth(), &bad).await, "slots[1].timezone");
        assert!(cet.contains("Europe/Paris"), "{cet}");
        assert_field_error(&app.put(&url, organiser.auth(), &json!({"slots": []})).await, "slots");
        assert_problem(&app.put(&url, paris.auth(), &three).await, 403, ErrorCode::Forbidden);

        // Answers: changeable, counted, and who answered what.
        let answers = format!("{url}/answers");
        let answer = |id: i64, a: &str| json!({"slot_id": id, "answer": a});
        app.put(&answers, paris.auth(), &json!({"answers": [answer(ids[0], "yes"), answer(ids[1], "no"), answer(ids[2], "if_need_be")]})).await.assert_status(200);
        app.put(&answers, accra.auth(), &json!({"answers": [answer(ids[0], "if_need_be"), answer(ids[2], "yes")]})).await.assert_status(200);
        let mine: DatePoll = app.put(&answers, paris.auth(), &json!({"answers": [answer(ids[1], "if_need_be")]})).await.expect(200);
        assert_eq!(mine.slots.iter().map(|s| s.my_answer).collect::<Vec<_>>(), vec![Some(PollAnswer::Yes), Some(PollAnswer::IfNeedBe), Some(PollAnswer::IfNeedBe)]);
        let seen: DatePoll = app.get(&url, organiser.auth()).await.expect(200);
        let counts: Vec<PollCounts> = seen.slots.iter().map(|s| s.counts).collect();
        assert_eq!(counts, vec![
            PollCounts { yes: 1, if_need_be: 1, no: 0 },
            PollCounts { yes: 0, if_need_be: 1, no: 0 },
            PollCounts { yes: 1, if_need_be: 1, no: 0 },
        ]);
        let who: Page<PollVoter> = app.page(&answers, organiser.auth()).await;
        assert_eq!(who.items.iter().map(|v| (v.user.username.as_str(), v.answers.len())).collect::<Vec<_>>(), vec![("wren", 3), ("ezra", 2)]);
        let foreign = messages(&app.put(&answers, paris.auth(), &json!({"answers": [answer(ids[2] + 1000, "yes")]})).await, "answers[0].slot_id");
        assert!(foreign.contains("not a slot"), "{foreign}");
        assert_problem(&app.put(&answers, None, &json!({"answers": [answer(ids[0], "yes")]})).await, 401, ErrorCode::Unauthorized);

        // A Board-only poll: outsiders find no poll, no counts, no answers.
        let board = app.create_thread(organiser, "board-room", "Board away day", "Dates?", None).await.thread.id;
        let board_poll: DatePoll = app.put(&format!("/threads/{board}/poll"), organiser.auth(), &three).await.expect(201);
        app.put(&format!("/threads/{board}/poll/answers"), organiser.auth(), &json!({"answers": [answer(board_poll.slots[0].id, "yes")]})).await.assert_status(200);
        for who in [paris.auth(), coop.moderator.auth(), None] {
            assert_problem(&app.get(&format!("/threads/{board}/poll"), who).await, 404, ErrorCode::NotFound);
            assert_problem(&app.get(&format!("/threads/{board}/poll/answers"), who).await, 404, ErrorCode::NotFound);
        }
        let outsider = app.put(&format!("/threads/{board}/poll/answers"), paris.auth(), &json!({"answers": [answer(board_poll.slots[0].id, "no")]})).await;
        assert_problem(&outsider, 404, ErrorCode::NotFound);
        // Nor can they answer a Board slot through a poll they can read.
        let smuggled = app.put(&answers, paris.auth(), &json!({"answers": [answer(board_poll.slots[0].id, "no")]})).await;
        assert_field_error(&smuggled, "answers[0].slot_id");

        // The chosen slot becomes the thread's event in one step.
        let choose = format!("{url}/choose");
        assert_problem(&app.post(&choose, paris.auth(), &json!({"slot_id": ids[2], "title": "x"})).await, 403, ErrorCode::Forbidden);
        let chosen = app.post(&choose, organiser.auth(), &json!({"slot_id": ids[2], "title": "Summer meeting", "link": "https://meet.example.coop/summer"})).await;
        let event: Meeting = chosen.expect(201);
        assert_eq!(event.start_utc.to_rfc3339(), "2030-07-02T14:00:00+00:00");
        assert_eq!((event.start_wall.as_str(), event.timezone.as_str(), event.sequence), ("2030-07-02T15:00", "Europe/London", 0));
        let fetched: Meeting = app.get(&format!("/threads/{thread}/event"), accra.auth()).await.expect(200);
        assert_eq!(fetched.uid, event.uid);
        let rechosen: Meeting = app.post(&choose, organiser.auth(), &json!({"slot_id": ids[0], "title": "Spring meeting"})).await.expect(200);
        assert_eq!((rechosen.start_utc.to_rfc3339().as_str(), rechosen.sequence, rechosen.uid.as_str()), ("2030-03-12T15:00:00+00:00", 1, event.uid.as_str()));
        assert_field_error(&app.post(&choose, organiser.auth(), &json!({"slot_id": board_poll.slots[0].id, "title": "x"})).await, "slot_id");
    }

    async fn participants_zones_and_live_meeting_news_follow_the_read_rule(app: TestApp) {
        let coop = Coop::create(&app).await;
        app.create_category(&coop.admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_category(&coop.admin, "board-room", &[BOARD], &[BOARD]).await;
        let (organiser, paris, accra) = (&coop.rep, &coop.worker, &coop.enterprise);
        for (who, zone) in [(organiser, "Europe/London"), (paris, "Europe/Paris"), (accra, "Africa/Accra")] {
            app.patch("/me", who.auth(), &json!({"time_zone": zone})).await.assert_status(200);
        }
        let thread = app.create_thread(organiser, "general", "Spring call", "When suits?", None).await.thread.id;
        app.reply(accra, thread, "Mornings are best here.", None, None).await;
        // Paris writes only to the worker members: a participant does not learn of that post's author.
        app.reply(paris, thread, &marker("workers only"), None, Some(&[WORKERS])).await;
        app.reply(organiser, thread, "Noted, thank you.", None, None).await;
        let url = format!("/threads/{thread}/participants");
        let zones = |list: Vec<Participant>| {
            list.into_iter().map(|p| (p.user.username, p.time_zone)).collect::<Vec<_>>()
        };
        let pair = |who: &Account, zone: &str| (who.username.clone(), zone.to_owned());
        let all: Vec<Participant> = app.get(&url, organiser.auth()).await.expect(200);
        assert_eq!(zones(all), vec![pair(organiser, "Europe/London"), pair(accra, "Africa/Accra"), pair(paris, "Europe/Paris")]);
        let some: Vec<Participant> = app.get(&url, coop.participant.auth()).await.expect(200);
        assert_eq!(zones(some), vec![pair(organiser, "Europe/London"), pair(accra, "Africa/Accra")]);
        assert_problem(&app.get(&url, None).await, 404, ErrorCode::NotFound);
        let board = app.create_thread(organiser, "board-room", "Board call", "Board only.", None).await.thread.id;
        let board_url = format!("/threads/{board}/participants");
        assert_problem(&app.get(&board_url, coop.participant.auth()).await, 404, ErrorCode::NotFound);
        let _: Vec<Participant> = app.get(&board_url, organiser.auth()).await.expect(200);

        // Changes to an event or a poll reach the open pages of those who read the thread, and no one else.
        let mut participant = app.stream(&coop.participant.access_token, None).await;
        participant.until(Duration::from_secs(5), |e| e.event == "notifications").await;
        let call = event("Call", "2030-03-12T15:00", "2030-03-12T16:00", "Europe/London");
        app.put(&format!("/threads/{board}/event"), organiser.auth(), &call).await.assert_status(201);
        app.put(&format!("/threads/{thread}/event"), organiser.auth(), &call).await.assert_status(201);
        let slots = json!({"slots": [{"start": "2030-03-14T10:00", "end": "2030-03-14T11:00", "timezone": "Europe/London"}]});
        let poll: DatePoll = app.put(&format!("/threads/{thread}/poll"), organiser.auth(), &slots).await.expect(201);
        let answer = json!({"answers": [{"slot_id": poll.slots[0].id, "answer": "yes"}]});
        app.put(&format!("/threads/{thread}/poll/answers"), accra.auth(), &answer).await.assert_status(200);
        app.put(&format!("/threads/{board}/poll"), organiser.auth(), &slots).await.assert_status(201);
        app.post_empty(&format!("/threads/{board}/event/cancel"), organiser.auth()).await.assert_status(200);
        let got = participant.drain(Duration::from_secs(3)).await;
        let news: Vec<(i64, String)> = got
            .iter()
            .filter(|e| e.event == "meeting")
            .map(|e| (e.data["thread_id"].as_i64().unwrap_or_default(), e.data["kind"].as_str().unwrap_or_default().to_owned()))
            .collect();
        let expected = ["event.scheduled", "poll.changed", "poll.answered"].map(|k| (thread, k.to_owned()));
        assert_eq!(news, expected, "{got:?}");
    }
}
