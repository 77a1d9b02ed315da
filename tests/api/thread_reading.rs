//! What the web app's thread page relies on: an empty audience is refused
//! rather than read as "no restriction", and a long thread can be opened
//! at any post (`around=`) and read backwards from there (`before=`), in
//! order and without gaps, counting only what the viewer may read.

use quorum_tests::{assert_field_error, assert_problem, both_backends, TestApp};
use quorum_types::{ErrorCode, Page, Post};
use serde_json::json;

fn ids(page: &Page<Post>) -> Vec<i64> {
    page.items.iter().map(|p| p.id).collect()
}

fn numbers(page: &Page<Post>) -> Vec<i64> {
    page.items.iter().map(|p| i64::from(p.number)).collect()
}

both_backends! {
    async fn an_empty_audience_is_refused_and_nothing_is_written(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        let member = app.member(&admin, "member", &["board"]).await;
        let created = app.create_thread(&member, "general", "Budget", "Opening", None).await;
        let thread = created.thread.id;
        let posts = "SELECT COUNT(*) AS n FROM posts";
        let threads = "SELECT COUNT(*) AS n FROM threads";
        let (posts_before, threads_before) = (app.count(posts), app.count(threads));

        let reply = json!({ "body": "For nobody?", "audience": [] });
        assert_field_error(&app.post(&format!("/threads/{thread}/posts"), member.auth(), &reply).await, "audience");
        let new_thread = json!({ "category": "general", "title": "Secret", "body": "Shh", "audience": [] });
        assert_field_error(&app.post("/threads", member.auth(), &new_thread).await, "audience");
        assert_eq!((app.count(posts), app.count(threads)), (posts_before, threads_before), "nothing was written");

        // Leaving the audience out still means "whoever reads the thread",
        // and naming a group still narrows.
        app.reply(&member, thread, "For everyone in the thread", None, None).await;
        let narrowed = app.reply(&member, thread, "Board only", None, Some(&["board"])).await;
        assert_eq!(narrowed.audience, Some(vec!["board".to_owned()]));
    }

    async fn a_long_thread_opens_at_any_post_and_reads_back_in_order(app: TestApp) {
        let admin = app.admin().await;
        app.create_group(&admin, "board").await;
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        let author = app.member(&admin, "author", &["board"]).await;
        let reader = app.register("reader").await;
        let created = app.create_thread(&author, "general", "Long", "Post 1", None).await;
        let thread = created.thread.id;
        let mut all = vec![created.post.id];
        let mut board_only = Vec::new();
        for n in 2..=120 {
            // Posts 5, 15, 25… are for the board: the reader never sees them.
            let audience: Option<&[&str]> = if n % 10 == 5 { Some(&["board"]) } else { None };
            let post = app.reply(&author, thread, &format!("Post {n}"), None, audience).await;
            if audience.is_some() {
                board_only.push(post.id);
            }
            all.push(post.id);
        }
        let path = format!("/threads/{thread}/posts");

        // Around post 60: up to 10 posts before it, it, then on; numbered as ever.
        let target = all[59];
        let page: Page<Post> = app.page(&format!("{path}?around={target}&limit=20"), author.auth()).await;
        assert_eq!(ids(&page), all[49..69].to_vec());
        assert_eq!(numbers(&page), (50..70).collect::<Vec<i64>>());
        let cursor = page.next_cursor.clone().expect("more after the window");
        let next: Page<Post> =
            app.page(&format!("{path}?cursor={}&limit=20", quorum_tests::query_value(&cursor)), author.auth()).await;
        assert_eq!(ids(&next), all[69..89].to_vec(), "the cursor continues after the window");

        // Backwards from the window's first post, to the start.
        let earlier: Page<Post> = app.page(&format!("{path}?before={}&limit=20", all[49]), author.auth()).await;
        assert_eq!(ids(&earlier), all[29..49].to_vec());
        assert_eq!(earlier.next_cursor, None);
        let start: Page<Post> = app.page(&format!("{path}?before={}&limit=100", all[10]), author.auth()).await;
        assert_eq!(ids(&start), all[..10].to_vec());
        assert_eq!(start.items[0].number, 1);
        let none: Page<Post> = app.page(&format!("{path}?before={}", all[0]), author.auth()).await;
        assert!(none.items.is_empty() && none.next_cursor.is_none());

        // Around the last post: the window ends there.
        let last: Page<Post> = app.page(&format!("{path}?around={}&limit=50", all[119]), author.auth()).await;
        assert_eq!(ids(&last), all[94..].to_vec());
        assert_eq!(last.next_cursor, None);

        // A reader outside the board: the same windows over the posts they
        // may read, numbered without gaps; a post they cannot read is only
        // a position, never content.
        let readable: Vec<i64> = all.iter().copied().filter(|id| !board_only.contains(id)).collect();
        let page: Page<Post> = app.page(&format!("{path}?around={target}&limit=20"), reader.auth()).await;
        let at = readable.iter().position(|id| *id == target).expect("post 60 is readable");
        assert_eq!(ids(&page), readable[at - 10..at + 10].to_vec());
        assert_eq!(numbers(&page), ((at as i64 - 9)..=(at as i64 + 10)).collect::<Vec<i64>>());
        let hidden = board_only[5];
        let page: Page<Post> = app.page(&format!("{path}?around={hidden}&limit=4"), reader.auth()).await;
        assert!(page.items.iter().all(|p| !board_only.contains(&p.id)), "no board-only post in {:?}", ids(&page));
        let earlier: Page<Post> = app.page(&format!("{path}?before={}&limit=100", all[119]), reader.auth()).await;
        let shown = readable.len() - 1;
        assert_eq!(ids(&earlier), readable[shown - 100..shown].to_vec());

        // Nonsense is refused; an unreadable thread stays a 404.
        for bad in [format!("{path}?around={target}&before={target}"), format!("{path}?cursor={cursor}&around=1")] {
            assert_problem(&app.get(&bad, author.auth()).await, 400, ErrorCode::BadRequest);
        }
        let around_min = app.page::<Post>(&format!("{path}?around={}", i64::MIN), author.auth()).await;
        assert_eq!(around_min.items[0].id, all[0]);
        let secret = app.create_thread(&author, "general", "Board", "Board only", Some(&["board"])).await;
        let secret_path = format!("/threads/{}/posts?around={}", secret.thread.id, secret.post.id);
        assert_problem(&app.get(&secret_path, reader.auth()).await, 404, ErrorCode::NotFound);
    }
}
