//! Times inside posts: resolved to UTC when the post is saved, carried in
//! the post's JSON as `dates` and in its HTML as `<time>` elements; zone
//! abbreviations and wall times that do not exist or happen twice are a
//! 422 that says so, and nothing is written.

use quorum_tests::{assert_field_error, both_backends, TestApp};
use quorum_types::{Page, Post, Preview};
use serde_json::json;

const LONDON: &str = "Board call on [date=2023-12-14 time=15:00 timezone=\"Europe/London\"], \
                      workshop [date-range from=2024-07-02T09:30 to=2024-07-02T12:00 timezone=\"Europe/Paris\"].";

both_backends! {
    async fn times_in_posts_are_saved_in_utc_with_their_zone(app: TestApp) {
        let admin = app.admin().await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        let author = app.register("organiser").await;
        let reader = app.register("reader").await;
        let created = app.create_thread(&author, "general", "Winter meeting", LONDON, None).await;
        let dates = &created.post.dates;
        assert_eq!(dates.len(), 2, "{dates:?}");
        assert_eq!(dates[0].start_utc.to_rfc3339(), "2023-12-14T15:00:00+00:00");
        assert_eq!(dates[0].timezone, "Europe/London");
        assert_eq!(dates[0].wall_time, "2023-12-14T15:00");
        assert_eq!(dates[0].end_utc, None);
        // Paris in summer is two hours ahead of UTC.
        assert_eq!(dates[1].start_utc.to_rfc3339(), "2024-07-02T07:30:00+00:00");
        assert_eq!(dates[1].end_utc.map(|e| e.to_rfc3339()).as_deref(), Some("2024-07-02T10:00:00+00:00"));
        assert!(created.post.body_html.contains("<time class=\"quorum-date\" datetime=\"2023-12-14T15:00:00Z\""));
        assert!(created.post.body_html.contains("15:00 Europe/London (15:00 UTC)"), "{}", created.post.body_html);

        // Another reader gets the same dates from the thread page.
        let page: Page<Post> = app.page(&format!("/threads/{}/posts", created.thread.id), reader.auth()).await;
        assert_eq!(page.items[0].dates, created.post.dates);

        // The preview shows the same.
        let preview: Preview = app.post("/preview", author.auth(), &json!({ "body": LONDON })).await.expect(200);
        assert_eq!(preview.body_html, created.post.body_html);
        assert_eq!(preview.dates, created.post.dates);
    }

    async fn ambiguous_times_are_refused_and_nothing_is_written(app: TestApp) {
        let admin = app.admin().await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        let author = app.register("organiser").await;
        let created = app.create_thread(&author, "general", "Winter meeting", "Agenda to follow.", None).await;
        let before = app.count("SELECT COUNT(*) AS n FROM posts");
        let url = format!("/threads/{}/posts", created.thread.id);

        let cet = app.post(&url, author.auth(), &json!({ "body": "At [date=2023-12-14 time=16:00 timezone=\"CET\"]" })).await;
        let problem = assert_field_error(&cet, "body");
        let message = problem.errors.unwrap_or_default()["body"].join(" ");
        assert!(message.contains("CET") && message.contains("Europe/Paris") && message.contains("Europe/Berlin"), "{message}");

        let gap = app.post(&url, author.auth(), &json!({ "body": "[date=2026-03-29 time=01:30 timezone=Europe/London]" })).await;
        let message = assert_field_error(&gap, "body").errors.unwrap_or_default()["body"].join(" ");
        assert!(message.contains("does not exist"), "{message}");

        let twice = app.post(&url, author.auth(), &json!({ "body": "[date=2026-10-25 time=01:30 timezone=Europe/London]" })).await;
        let message = assert_field_error(&twice, "body").errors.unwrap_or_default()["body"].join(" ");
        assert!(message.contains("happens twice") && message.contains("fold=later"), "{message}");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts"), before, "a refused post was written");

        // Saying which of the two is accepted.
        let chosen = app.reply(&author, created.thread.id, "[date=2026-10-25 time=01:30 timezone=Europe/London fold=later]", None, None).await;
        assert_eq!(chosen.dates[0].start_utc.to_rfc3339(), "2026-10-25T01:30:00+00:00");

        // An edit is held to the same rule and leaves the post as it was.
        let edit = app.patch(&format!("/posts/{}", chosen.id), author.auth(), &json!({ "body": "[date=2023-12-14 time=16:00 timezone=EST]" })).await;
        let message = assert_field_error(&edit, "body").errors.unwrap_or_default()["body"].join(" ");
        assert!(message.contains("America/New_York"), "{message}");
        let kept: Post = app.get(&format!("/posts/{}", chosen.id), author.auth()).await.expect(200);
        assert_eq!(kept.dates, chosen.dates);
    }
}
