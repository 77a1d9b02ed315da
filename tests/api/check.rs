//! `quorum check` without HTTP: it passes on a fresh database and on data
//! the seeders wrote, and names exactly the invariant broken by hand.

use quorum::check::Report;
use quorum_tests::{both_backends, TestApp};

fn check(app: &TestApp) -> Report {
    quorum::check::run(app.db()).unwrap_or_else(|e| panic!("quorum check could not run: {e}"))
}

/// The names of the failed checks.
fn failures(report: &Report) -> Vec<&'static str> {
    report.failed().map(|f| f.name).collect()
}

both_backends! {
    async fn check_passes_then_names_each_broken_invariant(app: TestApp) {
        let fresh = check(&app);
        assert!(fresh.passed(), "a fresh database fails:\n{fresh}");

        quorum::seed::demo(app.db(), &app.files()).unwrap_or_else(|e| panic!("demo seed: {e:?}"));
        quorum::seed::bulk(app.db(), 3, 60).unwrap_or_else(|e| panic!("bulk seed: {e:?}"));
        let seeded = check(&app);
        assert!(seeded.passed(), "the seeded database fails:\n{seeded}");

        let thread = app.count("SELECT MIN(id) AS n FROM threads");
        let counter = app.count(&format!("SELECT CAST(post_counter AS BIGINT) AS n FROM threads WHERE id = {thread}"));
        let post = app.count(&format!("SELECT MIN(id) AS n FROM posts WHERE thread_id = {thread}"));
        let category = app.count("SELECT MIN(category_id) AS n FROM category_thread_counts WHERE audience_key = 0");
        let first_in_category = app.count(&format!(
            "SELECT MIN(id) AS n FROM threads WHERE category_id = {category} AND audience_id IS NULL AND deleted_at IS NULL"
        ));
        let counts_row = format!("category_id = {category} AND audience_key = 0");
        let narrowed_thread = app.count("SELECT MIN(thread_id) AS n FROM thread_post_counts WHERE posts > 0");
        let narrowed_audience = app.count(&format!(
            "SELECT MIN(audience_id) AS n FROM thread_post_counts WHERE thread_id = {narrowed_thread} AND posts > 0"
        ));
        let narrowed_row = format!("thread_id = {narrowed_thread} AND audience_id = {narrowed_audience}");
        let live_narrowed = format!("{narrowed_row} AND deleted_at IS NULL AND hidden_at IS NULL");
        let first_narrowed = app.count(&format!("SELECT MIN(id) AS n FROM posts WHERE {live_narrowed}"));

        let breakages = [
            (
                "threads.open_posts",
                format!("thread {thread}"),
                format!("UPDATE threads SET open_posts = open_posts + 1 WHERE id = {thread}"),
                format!("UPDATE threads SET open_posts = open_posts - 1 WHERE id = {thread}"),
            ),
            (
                "threads.post_counter",
                format!("thread {thread}"),
                format!("UPDATE threads SET post_counter = 0 WHERE id = {thread}"),
                format!("UPDATE threads SET post_counter = {counter} WHERE id = {thread}"),
            ),
            (
                "posts.like_count",
                format!("post {post}"),
                format!("UPDATE posts SET like_count = like_count + 1 WHERE id = {post}"),
                format!("UPDATE posts SET like_count = like_count - 1 WHERE id = {post}"),
            ),
            (
                "first post",
                format!("thread {thread}"),
                format!("UPDATE posts SET number = 0 WHERE thread_id = {thread} AND number = 1"),
                format!("UPDATE posts SET number = 1 WHERE thread_id = {thread} AND number = 0"),
            ),
            (
                "counts each category's live threads",
                format!("category {category}"),
                format!("UPDATE category_thread_counts SET threads = threads + 1 WHERE {counts_row}"),
                format!("UPDATE category_thread_counts SET threads = threads - 1 WHERE {counts_row}"),
            ),
            (
                "every live thread is in category_thread_counts",
                format!("thread {first_in_category}"),
                format!("DELETE FROM category_thread_counts WHERE {counts_row}"),
                format!(
                    "INSERT INTO category_thread_counts (category_id, audience_key, threads, last_bumped_at) \
                     SELECT category_id, 0, COUNT(*), MAX(bumped_at) FROM threads \
                     WHERE category_id = {category} AND audience_id IS NULL AND deleted_at IS NULL GROUP BY category_id"
                ),
            ),
            (
                "counts each thread's live, shown narrowed posts",
                format!("thread {narrowed_thread}"),
                format!("UPDATE thread_post_counts SET posts = posts + 1 WHERE {narrowed_row}"),
                format!("UPDATE thread_post_counts SET posts = posts - 1 WHERE {narrowed_row}"),
            ),
            (
                "counts each thread's live, shown narrowed posts",
                format!("thread {narrowed_thread}"),
                format!("UPDATE thread_post_counts SET last_created_at = NULL WHERE {narrowed_row}"),
                format!(
                    "UPDATE thread_post_counts SET last_created_at = \
                     (SELECT MAX(created_at) FROM posts WHERE {live_narrowed}) WHERE {narrowed_row}"
                ),
            ),
            (
                "every live, shown narrowed post is in thread_post_counts",
                format!("post {first_narrowed}"),
                format!("DELETE FROM thread_post_counts WHERE {narrowed_row}"),
                format!(
                    "INSERT INTO thread_post_counts (thread_id, audience_id, posts, last_created_at) \
                     SELECT thread_id, audience_id, COUNT(*), MAX(created_at) FROM posts \
                     WHERE {live_narrowed} GROUP BY thread_id, audience_id"
                ),
            ),
        ];
        for (invariant, culprit, breaking, restoring) in breakages {
            assert_eq!(app.execute(&breaking), 1, "{breaking}");
            let report = check(&app);
            let failed = failures(&report);
            assert!(
                failed.len() == 1 && failed[0].contains(invariant),
                "after `{breaking}` only the {invariant} check should fail:\n{report}"
            );
            assert!(report.to_string().contains(&format!("(first: {culprit})")), "{culprit} not named:\n{report}");
            app.execute(&restoring);
        }
        let restored = check(&app);
        assert!(restored.passed(), "the restored database fails:\n{restored}");
    }
}
