//! `quorum seed --demo` makes a small living network: something to read for
//! a signed-out visitor, a long thread with a board-only reply inside it,
//! the Board report only members can read, an edit, mentions, likes and a
//! meeting time, each seen exactly as its readers' groups allow.

use quorum::seed::{demo, DEMO_PASSWORD};
use quorum_tests::{both_backends, TestApp};
use quorum_types::{Category, Meeting, Page, Post, Revision, RsvpAnswer, Thread};

async fn posts(app: &TestApp, thread: i64, token: Option<&str>) -> Vec<Post> {
    app.all::<Post>(&format!("/threads/{thread}/posts"), token).await
}

fn thread_titled<'a>(threads: &'a [Thread], title: &str) -> &'a Thread {
    threads.iter().find(|t| t.title.starts_with(title)).unwrap_or_else(|| panic!("no thread {title:?} in {threads:?}"))
}

both_backends! {
    async fn the_demo_is_a_living_network_seen_through_each_readers_groups(app: TestApp) {
        let summary = demo(app.db(), &app.files()).unwrap_or_else(|e| panic!("demo seed: {e:?}"));
        assert!(summary.contains("6 people") && summary.contains("4 threads"), "{summary}");

        // A signed-out visitor sees the public category and its threads, not the others.
        let categories: Page<Category> = app.page("/categories", None).await;
        let slugs: Vec<&str> = categories.items.iter().map(|c| c.slug.as_str()).collect();
        assert_eq!(slugs, ["general"]);
        assert_eq!(categories.items[0].thread_count, 2);
        let open: Vec<Thread> = app.all("/threads?category=general", None).await;
        let long = thread_titled(&open, "Shared accounting software");
        assert_eq!(long.reply_count, 40, "the board-only reply is not counted for a visitor");
        let anonymous = posts(&app, long.id, None).await;
        assert_eq!(anonymous.len(), 41);
        assert!(anonymous.iter().all(|p| !p.body.contains("reserve fund")));
        assert!(anonymous.iter().any(|p| p.like_count > 0));

        // The board sees its reply inside the open thread, and its own room.
        let maren = app.login("maren", DEMO_PASSWORD).await;
        let seen = posts(&app, long.id, maren.auth()).await;
        assert_eq!(seen.len(), 42);
        let board_reply = seen.iter().find(|p| p.body.contains("reserve fund")).expect("the board-only reply");
        assert_eq!(board_reply.audience.as_deref(), Some(&["board".to_string()][..]));
        let board: Vec<Thread> = app.all("/threads?category=board", maren.auth()).await;
        assert_eq!(board.len(), 1);

        // The international thread: a participant does not see the Board report; a member does, edited once.
        let ana = app.login("ana", DEMO_PASSWORD).await;
        let international: Vec<Thread> = app.all("/threads?category=international", ana.auth()).await;
        let thread = thread_titled(&international, "International news").id;
        let for_ana = posts(&app, thread, ana.auth()).await;
        assert!(for_ana.iter().all(|p| !p.body.contains("Board report, July")), "a participant reads the Board report");
        app.get("/threads?category=board", ana.auth()).await.assert_status(404);
        let kofi = app.login("kofi", DEMO_PASSWORD).await;
        let for_kofi = posts(&app, thread, kofi.auth()).await;
        let report = for_kofi.iter().find(|p| p.body.contains("Board report, July")).expect("a member reads the report");
        assert!(report.edited_at.is_some());
        let history: Page<Revision> = app.page(&format!("/posts/{}/revisions", report.id), maren.auth()).await;
        assert_eq!(history.items.len(), 2);
        // Its PDF: a link for the members, 404 for the participant.
        let start = report.body.find("/api/v1/uploads/").expect("the report links its PDF");
        let url: String = report.body[start..].chars().take_while(|c| *c != ')').collect();
        assert!(report.body_html.contains(&format!("href=\"{url}\"")), "{}", report.body_html);
        let pdf = app.get(&url, kofi.auth()).await;
        assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")), "{pdf}");
        assert!(pdf.body.starts_with(b"%PDF-") && pdf.body.ends_with(b"%%EOF\n"));
        app.get(&url, ana.auth()).await.assert_status(404);

        // Mentions became links; the meeting time is 15:00 in London, in UTC in the JSON.
        let call = for_kofi.iter().find(|p| p.body.contains("@kofi")).expect("the call for the meeting");
        assert!(call.body_html.contains("href=\"/u/kofi\""), "{}", call.body_html);
        let time = for_kofi.iter().find(|p| !p.dates.is_empty()).expect("the meeting time");
        assert_eq!(time.reply_to, Some(call.id));
        let date = &time.dates[0];
        assert_eq!(date.timezone, "Europe/London");
        assert!(date.wall_time.contains("15:00"), "{date:?}");
        assert_eq!(date.start_utc.format("%m-%d %H:%M").to_string(), "12-14 15:00");

        // The call is the thread's event, with answers, for whoever reads the thread.
        let event: Meeting = app.get(&format!("/threads/{thread}/event"), ana.auth()).await.expect(200);
        assert_eq!(event.timezone, "Europe/London");
        assert!(event.start_wall.ends_with("15:00"), "{event:?}");
        assert_eq!(event.start_utc, date.start_utc);
        assert_eq!(event.organiser.username, "maren", "the thread's author organises");
        assert_eq!((event.counts.going, event.counts.maybe), (2, 1), "{event:?}");
        assert_eq!(event.my_answer, Some(RsvpAnswer::Going));
        app.get(&format!("/threads/{thread}/event"), None).await.assert_status(404);
    }
}
