//! Every viewer × every level of restriction × every endpoint: content a
//! viewer may not read is 404 by id, missing from lists and counts, and its
//! marker never appears in any response body they get. Failed attempts to
//! act on it change nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use quorum_tests::world::{BOARD, ENTERPRISE, WORKERS};
use quorum_tests::{
    assert_field_error, assert_problem, both_backends, marker, query_value, Account, Coop, Response, TestApp,
};
use quorum_types::{Category, ErrorCode, Page, Post, Revision, Site, Thread};
use serde_json::json;

/// A post nobody has: acting on it must look exactly like acting on hidden content.
const NO_SUCH_ID: i64 = 987_654_321;

/// One restricted piece of content and who may read it.
struct Restricted {
    label: &'static str,
    marker: String,
    category: &'static str,
    thread_id: i64,
    /// The restricted post acted upon (never post number 1).
    post_id: i64,
    /// Names of the actors who may read it.
    readers: &'static [&'static str],
    /// Name of the actor who wrote the restricted post.
    author: &'static str,
    /// Whether the thread itself is hidden from non-readers.
    thread_hidden: bool,
    category_hidden: bool,
}

impl Restricted {
    fn readable_by(&self, actor: &str) -> bool {
        self.readers.contains(&actor)
    }

    /// Whether the actor may see the post's edit history: its author,
    /// moderators and admins, among those who can read it.
    fn history_visible_to(&self, actor: &str) -> bool {
        self.readable_by(actor) && (actor == self.author || actor == "moderator" || actor == "admin")
    }
}

struct Actor<'a> {
    name: &'static str,
    account: Option<&'a Account>,
}

impl Actor<'_> {
    fn auth(&self) -> Option<&str> {
        self.account.and_then(Account::auth)
    }
}

/// Sends requests as one actor and checks every body for forbidden markers.
struct Probe<'a> {
    app: &'a TestApp,
    actor: &'a Actor<'a>,
    forbidden: Vec<String>,
    checked: usize,
}

impl Probe<'_> {
    fn check(&mut self, resp: Response) -> Response {
        for m in &self.forbidden {
            assert!(!resp.contains(m), "{} sees marker {m} they may not read: {resp}", self.actor.name);
        }
        assert!(resp.status < 500, "server error for {}: {resp}", self.actor.name);
        self.checked += 1;
        resp
    }

    async fn get(&mut self, path: &str) -> Response {
        let resp = self.app.get(path, self.actor.auth()).await;
        self.check(resp)
    }

    async fn send(&mut self, method: &str, path: &str, body: Option<serde_json::Value>) -> Response {
        let token = self.actor.auth();
        let resp = match (method, body) {
            ("POST", Some(b)) => self.app.post(path, token, &b).await,
            ("PATCH", Some(b)) => self.app.patch(path, token, &b).await,
            ("PUT", None) => self.app.put_empty(path, token).await,
            ("DELETE", None) => self.app.delete(path, token).await,
            other => panic!("test bug: {other:?}"),
        };
        self.check(resp)
    }

    /// A GET by id: 200 when `readable`, else 404 `not_found`.
    async fn get_by_id(&mut self, path: &str, readable: bool) -> Response {
        let resp = self.get(path).await;
        if readable {
            resp.assert_status(200);
        } else {
            assert_problem(&resp, 404, ErrorCode::NotFound);
        }
        resp
    }
}

/// Counts that must not move when an attempt is refused.
fn snapshot(app: &TestApp) -> Vec<(&'static str, i64)> {
    [
        ("posts", "SELECT COUNT(*) AS n FROM posts"),
        ("deleted posts", "SELECT COUNT(*) AS n FROM posts WHERE deleted_at IS NOT NULL"),
        ("edited posts", "SELECT COUNT(*) AS n FROM posts WHERE edited_at IS NOT NULL"),
        ("revisions", "SELECT COUNT(*) AS n FROM post_revisions"),
        ("likes", "SELECT COUNT(*) AS n FROM likes"),
        ("like_count total", "SELECT CAST(COALESCE(SUM(like_count), 0) AS BIGINT) AS n FROM posts"),
        ("threads", "SELECT COUNT(*) AS n FROM threads"),
        ("deleted threads", "SELECT COUNT(*) AS n FROM threads WHERE deleted_at IS NOT NULL"),
        ("pinned threads", "SELECT COUNT(*) AS n FROM threads WHERE pinned"),
        ("locked threads", "SELECT COUNT(*) AS n FROM threads WHERE locked"),
        ("overwritten bodies", "SELECT COUNT(*) AS n FROM posts WHERE body LIKE '%overwritten%'"),
        ("retitled threads", "SELECT COUNT(*) AS n FROM threads WHERE title LIKE '%retitled%'"),
    ]
    .into_iter()
    .map(|(label, sql)| (label, app.count(sql)))
    .collect()
}

struct World {
    coop: Coop,
    restricted: Vec<Restricted>,
    /// The open thread in `lounge` holding the restricted post (scenario C).
    open_thread: i64,
    /// All posts of scenario C, in order: op, public, restricted, reply to restricted, restricted.
    open_posts: Vec<Post>,
    /// Every post id created, with the label of what restricts it ("" when nothing).
    all_posts: Vec<(i64, &'static str)>,
}

async fn build_world(app: &TestApp) -> World {
    let coop = Coop::create(app).await;
    let (admin, rep, worker, enterprise, participant) =
        (&coop.admin, &coop.rep, &coop.worker, &coop.enterprise, &coop.participant);
    app.create_category(admin, "board-room", &[BOARD], &[BOARD]).await;
    app.create_category(admin, "lounge", &["everyone"], &["signed-in"]).await;

    // A: a restricted category.
    let ma = marker("LEAKA");
    let a = app.create_thread(rep, "board-room", &format!("Board minutes {ma}"), &format!("Minutes {ma}"), None).await;
    let pa = app.reply(rep, a.thread.id, &format!("Follow-up {ma}"), None, None).await;
    app.patch(&format!("/posts/{}", pa.id), rep.auth(), &json!({"body": format!("Follow-up, amended {ma}")}))
        .await
        .assert_status(200);
    app.put_empty(&format!("/posts/{}/like", pa.id), admin.auth()).await.assert_status(200);

    // B: a restricted thread in an open category.
    let mb = marker("LEAKB");
    let b =
        app.create_thread(rep, "lounge", &format!("Shop floor {mb}"), &format!("Rota {mb}"), Some(&[WORKERS])).await;
    let pb = app.reply(worker, b.thread.id, &format!("Swap shifts {mb}"), None, None).await;
    app.patch(&format!("/posts/{}", pb.id), worker.auth(), &json!({"body": format!("Swap shifts, please {mb}")}))
        .await
        .assert_status(200);
    app.put_empty(&format!("/posts/{}/like", pb.id), rep.auth()).await.assert_status(200);

    // C: a restricted post in an open thread, and a public reply to it.
    let mc = marker("LEAKC");
    let c = app.create_thread(rep, "lounge", "Open notices", "Welcome, everyone.", None).await;
    let public = app.reply(participant, c.thread.id, "Glad to be here.", None, None).await;
    let pc = app.reply(rep, c.thread.id, &format!("Enterprise only {mc}"), None, Some(&[ENTERPRISE])).await;
    let reply_to_hidden = app.reply(rep, c.thread.id, "As I said above.", Some(pc.id), None).await;
    let pc2 = app.reply(rep, c.thread.id, &format!("Late note {mc}"), None, Some(&[ENTERPRISE])).await;
    app.patch(&format!("/posts/{}", pc.id), rep.auth(), &json!({"body": format!("Enterprise only, revised {mc}")}))
        .await
        .assert_status(200);
    app.put_empty(&format!("/posts/{}/like", pc.id), enterprise.auth()).await.assert_status(200);

    let all_posts = vec![
        (a.post.id, "A"),
        (pa.id, "A"),
        (b.post.id, "B"),
        (pb.id, "B"),
        (c.post.id, ""),
        (public.id, ""),
        (pc.id, "C"),
        (reply_to_hidden.id, ""),
        (pc2.id, "C"),
    ];
    let restricted = vec![
        Restricted {
            label: "A",
            marker: ma,
            category: "board-room",
            thread_id: a.thread.id,
            post_id: pa.id,
            readers: &["rep", "admin"],
            author: "rep",
            thread_hidden: true,
            category_hidden: true,
        },
        Restricted {
            label: "B",
            marker: mb,
            category: "lounge",
            thread_id: b.thread.id,
            post_id: pb.id,
            readers: &["worker", "rep", "admin"],
            author: "worker",
            thread_hidden: true,
            category_hidden: false,
        },
        Restricted {
            label: "C",
            marker: mc,
            category: "lounge",
            thread_id: c.thread.id,
            post_id: pc.id,
            readers: &["enterprise", "rep", "admin"],
            author: "rep",
            thread_hidden: false,
            category_hidden: false,
        },
    ];
    World {
        coop,
        restricted,
        open_thread: c.thread.id,
        open_posts: vec![c.post, public, pc, reply_to_hidden, pc2],
        all_posts,
    }
}

fn actors(coop: &Coop) -> Vec<Actor<'_>> {
    vec![
        Actor { name: "anonymous", account: None },
        Actor { name: "participant", account: Some(&coop.participant) },
        Actor { name: "worker", account: Some(&coop.worker) },
        Actor { name: "enterprise", account: Some(&coop.enterprise) },
        Actor { name: "moderator", account: Some(&coop.moderator) },
        Actor { name: "rep", account: Some(&coop.rep) },
        Actor { name: "admin", account: Some(&coop.admin) },
    ]
}

/// Reads, lists and counts, as one actor.
async fn check_reads(app: &TestApp, world: &World, actor: &Actor<'_>) {
    let name = actor.name;
    let can =
        |label: &str| label.is_empty() || world.restricted.iter().any(|r| r.label == label && r.readable_by(name));
    let mut probe = Probe {
        app,
        actor,
        forbidden: world.restricted.iter().filter(|r| !r.readable_by(name)).map(|r| r.marker.clone()).collect(),
        checked: 0,
    };
    let (a, b, c) = (&world.restricted[0], &world.restricted[1], &world.restricted[2]);

    // The site, the same for everyone.
    let site: Site = probe.get("/site").await.expect(200);
    assert!(!site.needs_setup, "{name}: {site:?}");

    // Categories: board-room listed only for its readers; counts only readable threads.
    let categories: Page<Category> = probe.get("/categories?limit=100").await.expect(200);
    let board_room = categories.items.iter().find(|c| c.slug == "board-room");
    assert_eq!(board_room.is_some(), a.readable_by(name), "{name}: board-room in /categories: {categories:?}");
    if let Some(board_room) = board_room {
        assert_eq!(board_room.thread_count, 1, "{name}");
    }
    let lounge = categories.items.iter().find(|c| c.slug == "lounge").expect("lounge is open to everyone");
    let lounge_threads = if b.readable_by(name) { 2 } else { 1 };
    assert_eq!(lounge.thread_count, lounge_threads, "{name}: lounge thread_count");
    let resp = probe.get_by_id("/categories/board-room", a.readable_by(name)).await;
    if resp.status == 200 {
        assert_eq!(resp.json::<Category>().thread_count, 1);
    }
    let lounge: Category = probe.get("/categories/lounge").await.expect(200);
    assert_eq!(lounge.thread_count, lounge_threads, "{name}: GET /categories/lounge thread_count");

    // Thread lists, with and without a category.
    let mut expected_threads = BTreeSet::from([world.open_thread]);
    for r in [a, b] {
        if r.readable_by(name) {
            expected_threads.insert(r.thread_id);
        }
    }
    let listed: Page<Thread> = probe.get("/threads?limit=100").await.expect(200);
    assert_eq!(listed.items.iter().map(|t| t.id).collect::<BTreeSet<_>>(), expected_threads, "{name}: /threads");
    let in_lounge: Page<Thread> = probe.get("/threads?category=lounge&limit=100").await.expect(200);
    let expected_lounge: BTreeSet<i64> = expected_threads.iter().copied().filter(|id| *id != a.thread_id).collect();
    assert_eq!(in_lounge.items.iter().map(|t| t.id).collect::<BTreeSet<_>>(), expected_lounge, "{name}: lounge");
    let in_board_room = probe.get("/threads?category=board-room").await;
    if a.readable_by(name) {
        let page: Page<Thread> = in_board_room.expect(200);
        assert_eq!(page.items.len(), 1);
    } else if in_board_room.status != 404 {
        // An unreadable category filter may be 404 or an empty page, never its threads.
        let page: Page<Thread> = in_board_room.expect(200);
        assert!(page.items.is_empty(), "{name}: threads of board-room listed: {in_board_room}");
    }

    // Each thread by id, its posts, and its reply count; kept, by thread id,
    // for the numbering checks below.
    let mut readable: BTreeMap<i64, (Thread, Vec<Post>)> = BTreeMap::new();
    for r in [a, b] {
        let resp = probe.get_by_id(&format!("/threads/{}", r.thread_id), r.readable_by(name)).await;
        let thread = (resp.status == 200).then(|| resp.json::<Thread>());
        if let Some(thread) = &thread {
            assert_eq!(thread.reply_count, 1, "{name}: thread {}", r.label);
            assert!(resp.contains(&r.marker), "sanity: the marker is in the title");
        }
        let resp = probe.get_by_id(&format!("/threads/{}/posts", r.thread_id), r.readable_by(name)).await;
        if let Some(thread) = thread {
            let posts: Page<Post> = resp.json();
            assert_eq!(posts.items.len(), 2, "{name}: posts of {}", r.label);
            readable.insert(r.thread_id, (thread, posts.items));
        }
    }
    let open: Thread = probe.get(&format!("/threads/{}", world.open_thread)).await.expect(200);
    let posts: Page<Post> = probe.get(&format!("/threads/{}/posts", world.open_thread)).await.expect(200);
    readable.insert(world.open_thread, (open.clone(), posts.items.clone()));
    assert_eq!(readable.keys().copied().collect::<BTreeSet<_>>(), expected_threads, "{name}");
    // Numbers count only the posts this viewer reads: no gap betrays C's posts.
    let expected_numbers: Vec<i32> = if c.readable_by(name) { vec![1, 2, 3, 4, 5] } else { vec![1, 2, 3] };
    assert_eq!(posts.items.iter().map(|p| p.number).collect::<Vec<_>>(), expected_numbers, "{name}: open thread");
    let expected_ids: Vec<i64> =
        world.open_posts.iter().filter(|p| c.readable_by(name) || p.audience.is_none()).map(|p| p.id).collect();
    assert_eq!(posts.items.iter().map(|p| p.id).collect::<Vec<_>>(), expected_ids, "{name}: open thread ids");
    assert_eq!(open.reply_count, expected_numbers.len() as i64 - 1, "{name}: reply_count of the open thread");
    let newest: DateTime<Utc> = posts.items.iter().map(|p| p.created_at).max().expect("posts");
    assert_eq!(open.last_activity_at, newest, "{name}: last_activity_at must be the newest readable post");
    let listed_open = listed.items.iter().find(|t| t.id == world.open_thread).expect("open thread listed");
    assert_eq!(listed_open.reply_count, open.reply_count, "{name}: reply_count in /threads");
    assert_eq!(listed_open.last_activity_at, newest, "{name}: last_activity_at in /threads");

    // The public reply to the hidden post does not point at it.
    let reply_to_hidden = &world.open_posts[3];
    let expected_reply_to = if c.readable_by(name) { Some(c.post_id) } else { None };
    let in_list = posts.items.iter().find(|p| p.id == reply_to_hidden.id).expect("public reply listed");
    assert_eq!(in_list.reply_to, expected_reply_to, "{name}: reply_to in the posts list");
    let by_id: Post = probe.get(&format!("/posts/{}", reply_to_hidden.id)).await.expect(200);
    assert_eq!(by_id.reply_to, expected_reply_to, "{name}: reply_to of GET /posts/{{id}}");

    // Numbering, in every thread the actor reads, page by page: 1, 2, 3 …
    // with no gap, and as many posts as reply_count + 1.
    let mut numbers: BTreeMap<i64, i32> = BTreeMap::new();
    for (thread_id, (thread, whole)) in &readable {
        let walked = walk_posts(&mut probe, *thread_id, 2).await;
        assert_eq!(&walked, whole, "{name}: pages of 2 concatenate to the whole list of thread {thread_id}");
        let got: Vec<i32> = walked.iter().map(|p| p.number).collect();
        assert_eq!(got, (1..=walked.len() as i32).collect::<Vec<_>>(), "{name}: numbers in thread {thread_id}");
        assert_eq!(walked.len() as i64, thread.reply_count + 1, "{name}: posts vs reply_count of thread {thread_id}");
        numbers.extend(walked.iter().map(|p| (p.id, p.number)));
    }

    // Every post by id, numbered as in its thread's list.
    for (id, label) in &world.all_posts {
        let resp = probe.get_by_id(&format!("/posts/{id}"), can(label)).await;
        if resp.status == 200 {
            let post: Post = resp.json();
            assert_eq!(Some(&post.number), numbers.get(id), "{name}: number of post {id} by id and in the list");
        }
    }

    // Revisions and likes of each restricted post.
    for r in &world.restricted {
        let readable = r.readable_by(name);
        let path = format!("/posts/{}/revisions", r.post_id);
        if r.history_visible_to(name) {
            let resp = probe.get_by_id(&path, true).await;
            let revisions: Page<Revision> = resp.json();
            assert!(revisions.items.len() >= 2, "{name}: one edit, at least two revisions: {resp}");
            assert_eq!(revisions.items[0].number, 1);
            assert!(revisions.items[0].body.contains(&r.marker));
        } else if readable {
            // A reader who is not the author nor a moderator: 403, and no text.
            let resp = probe.get(&path).await;
            assert_problem(&resp, 403, ErrorCode::Forbidden);
            assert!(!resp.contains(&r.marker), "{name}: a refused history shows its text: {resp}");
        } else {
            probe.get_by_id(&path, false).await;
        }
        let resp = probe.get_by_id(&format!("/posts/{}/likes", r.post_id), readable).await;
        if readable {
            let likes: Page<serde_json::Value> = resp.json();
            assert_eq!(likes.items.len(), 1, "{name}: likes of {}", r.label);
        }
    }

    // The authors' pages.
    for username in ["rhiannon", "wren"] {
        let resp = probe.get(&format!("/users/{username}")).await;
        if actor.account.is_some() {
            resp.assert_status(200);
        }
    }

    // Sanity: readers do get the markers, so the scans above can fail.
    for r in world.restricted.iter().filter(|r| r.readable_by(name)) {
        let resp = probe.get(&format!("/threads/{}/posts", r.thread_id)).await;
        assert!(resp.contains(&r.marker), "{name} should read {}: {resp}", r.label);
    }
    assert!(probe.checked >= 29, "only {} responses checked", probe.checked);
}

/// Every post of a thread, following `next_cursor` with pages of `limit`.
async fn walk_posts(probe: &mut Probe<'_>, thread_id: i64, limit: u32) -> Vec<Post> {
    let mut posts = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let path = match &cursor {
            Some(c) => format!("/threads/{thread_id}/posts?limit={limit}&cursor={}", query_value(c)),
            None => format!("/threads/{thread_id}/posts?limit={limit}"),
        };
        let page: Page<Post> = probe.get(&path).await.expect(200);
        posts.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return posts,
        }
    }
    panic!("{}: next_cursor never ends for thread {thread_id}", probe.actor.name);
}

/// Attempts to act on hidden content: each is 404 (or, for `reply_to`, the
/// same 422 as a post that does not exist), indistinguishable from a missing id.
async fn check_refused_actions(app: &TestApp, world: &World, actor: &Actor<'_>) {
    let name = actor.name;
    let mut probe = Probe {
        app,
        actor,
        forbidden: world.restricted.iter().filter(|r| !r.readable_by(name)).map(|r| r.marker.clone()).collect(),
        checked: 0,
    };
    for r in world.restricted.iter().filter(|r| !r.readable_by(name)) {
        let post = r.post_id;
        let overwrite = json!({"body": "overwritten by a stranger"});
        let attempts: Vec<(&str, String, Option<serde_json::Value>)> = vec![
            ("PUT", format!("/posts/{post}/like"), None),
            ("DELETE", format!("/posts/{post}/like"), None),
            ("PATCH", format!("/posts/{post}"), Some(overwrite.clone())),
            ("DELETE", format!("/posts/{post}"), None),
        ];
        for (method, path, body) in attempts {
            let missing_path = path.replace(&post.to_string(), &NO_SUCH_ID.to_string());
            let resp = probe.send(method, &path, body.clone()).await;
            let missing = probe.send(method, &missing_path, body).await;
            if actor.account.is_none() {
                // Signed out: refused before the id is looked at, the same way for both.
                assert_eq!((resp.status, resp.problem().code), (missing.status, missing.problem().code), "{resp}");
                assert!(resp.status == 401 || resp.status == 404, "{resp}");
            } else {
                assert_problem(&resp, 404, ErrorCode::NotFound);
                assert_problem(&missing, 404, ErrorCode::NotFound);
            }
        }

        if r.thread_hidden {
            let thread = r.thread_id;
            let attempts: Vec<(&str, String, Option<serde_json::Value>)> = vec![
                ("POST", format!("/threads/{thread}/posts"), Some(json!({"body": "knock knock"}))),
                ("PATCH", format!("/threads/{thread}"), Some(json!({"title": "retitled"}))),
                ("PATCH", format!("/threads/{thread}"), Some(json!({"pinned": true}))),
                ("PATCH", format!("/threads/{thread}"), Some(json!({"locked": true}))),
                ("DELETE", format!("/threads/{thread}"), None),
            ];
            for (method, path, body) in attempts {
                let resp = probe.send(method, &path, body).await;
                if actor.account.is_none() {
                    assert!(resp.status == 401 || resp.status == 404, "{resp}");
                } else {
                    assert_problem(&resp, 404, ErrorCode::NotFound);
                }
            }
        } else if actor.account.is_some() {
            // The thread is readable: replying to the hidden post is the same
            // 422 as replying to a post that does not exist.
            let path = format!("/threads/{}/posts", r.thread_id);
            let resp = probe.send("POST", &path, Some(json!({"body": "re: that", "reply_to": post}))).await;
            assert_field_error(&resp, "reply_to");
            let missing = probe.send("POST", &path, Some(json!({"body": "re: that", "reply_to": NO_SUCH_ID}))).await;
            assert_field_error(&missing, "reply_to");
        }

        if r.category_hidden {
            let body = json!({"category": r.category, "title": "retitled", "body": "let me in"});
            let resp = probe.send("POST", "/threads", Some(body)).await;
            let body = json!({"category": "no-such-category", "title": "retitled", "body": "let me in"});
            let missing = probe.send("POST", "/threads", Some(body)).await;
            assert_eq!(
                (resp.status, resp.problem().code, resp.problem().errors),
                (missing.status, missing.problem().code, missing.problem().errors),
                "a hidden category must look exactly like a missing one: {resp} vs {missing}"
            );
            if actor.account.is_none() {
                assert_problem(&resp, 401, ErrorCode::Unauthorized);
            } else {
                // A category named in a body is a field of the request: 422 on
                // `category`, the same for hidden as for missing.
                assert_field_error(&resp, "category");
            }
        }
    }
}

both_backends! {
    async fn hidden_content_does_not_exist_for_those_who_cannot_read_it(app: TestApp) {
        let world = build_world(&app).await;
        let actors = actors(&world.coop);
        for actor in &actors {
            check_reads(&app, &world, actor).await;
        }

        let before = snapshot(&app);
        for actor in &actors {
            check_refused_actions(&app, &world, actor).await;
        }
        assert_eq!(snapshot(&app), before, "refused attempts changed the database");

        // The same reads again: nothing about them moved either.
        for actor in &actors {
            check_reads(&app, &world, actor).await;
        }
    }

    async fn readers_can_act_on_what_they_read(app: TestApp) {
        let world = build_world(&app).await;
        let coop = &world.coop;
        let c = &world.restricted[2];

        // The enterprise member reads the restricted post of C: like (idempotent), reply to it.
        let post = format!("/posts/{}", c.post_id);
        let liked = app.put_empty(&format!("{post}/like"), coop.enterprise.auth()).await;
        assert_eq!(liked.value()["like_count"], 1, "{liked}");
        let reply = app.reply(&coop.enterprise, c.thread_id, "Agreed.", Some(c.post_id), None).await;
        assert_eq!(reply.reply_to, Some(c.post_id));
        assert_eq!(reply.number, 6, "numbered among the posts its author reads");
        let as_participant: Post = app.get(&format!("/posts/{}", reply.id), coop.participant.auth()).await.expect(200);
        assert_eq!((as_participant.number, as_participant.reply_to), (4, None), "the participant reads four posts");
        // The edit history is the author's (and moderators'), not every reader's.
        assert_problem(&app.get(&format!("{post}/revisions"), coop.enterprise.auth()).await, 403, ErrorCode::Forbidden);
        let revisions: Page<Revision> = app.page(&format!("{post}/revisions"), coop.rep.auth()).await;
        assert!(revisions.items.len() >= 2, "{revisions:?}");
        assert!(revisions.items.iter().all(|r| r.body.contains(&c.marker)));

        // The worker member posts into B and likes its first post.
        let b = &world.restricted[1];
        app.reply(&coop.worker, b.thread_id, "Count me in.", None, None).await;
        let thread: Thread = app.get(&format!("/threads/{}", b.thread_id), coop.worker.auth()).await.expect(200);
        assert_eq!(thread.reply_count, 2);
        let for_admin: Thread = app.get(&format!("/threads/{}", b.thread_id), coop.admin.auth()).await.expect(200);
        assert_eq!(for_admin.reply_count, 2);

        // The moderator can lock the open thread (they can read it) but not A's.
        let open = format!("/threads/{}", world.open_thread);
        let locked: Thread = app.patch(&open, coop.moderator.auth(), &json!({"locked": true})).await.expect(200);
        assert!(locked.locked);

        // In the locked thread the author of C's post may no longer delete it;
        // the admin may. Readers' numbers close up; non-readers see no change at all.
        let open_posts = format!("{open}/posts");
        let participant_before: Page<Post> = app.page(&open_posts, coop.participant.auth()).await;
        let participant_thread_before: Thread = app.get(&open, coop.participant.auth()).await.expect(200);
        assert_problem(&app.delete(&post, coop.rep.auth()).await, 422, ErrorCode::ThreadLocked);
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE deleted_at IS NOT NULL AND id = {}", c.post_id)), 0);
        app.delete(&post, coop.admin.auth()).await.assert_status(204);
        for reader in [&coop.enterprise, &coop.rep, &coop.admin] {
            let posts: Page<Post> = app.page(&open_posts, reader.auth()).await;
            let numbered: Vec<(i64, i32)> = posts.items.iter().map(|p| (p.id, p.number)).collect();
            let expected: Vec<(i64, i32)> = [world.open_posts[0].id, world.open_posts[1].id, world.open_posts[3].id, world.open_posts[4].id, reply.id]
                .into_iter()
                .zip(1..)
                .collect();
            assert_eq!(numbered, expected, "{}: later posts move down", reader.username);
            let by_id: Post = app.get(&format!("/posts/{}", reply.id), reader.auth()).await.expect(200);
            assert_eq!((by_id.number, by_id.reply_to), (5, None), "{}", reader.username);
        }
        let participant_after: Page<Post> = app.page(&open_posts, coop.participant.auth()).await;
        assert_eq!(participant_after, participant_before, "deleting a post the participant never read changes nothing they see");
        let participant_thread_after: Thread = app.get(&open, coop.participant.auth()).await.expect(200);
        assert_eq!(participant_thread_after, participant_thread_before);
        let a = &world.restricted[0];
        let refused = app.patch(&format!("/threads/{}", a.thread_id), coop.moderator.auth(), &json!({"locked": true})).await;
        assert_problem(&refused, 404, ErrorCode::NotFound);
        assert_eq!(app.count(&format!("SELECT COUNT(*) AS n FROM threads WHERE locked AND id = {}", a.thread_id)), 0);

        // The admin reads and deletes A's reply.
        app.delete(&format!("/posts/{}", a.post_id), coop.admin.auth()).await.assert_status(204);
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) AS n FROM posts WHERE deleted_at IS NOT NULL AND id = {}", a.post_id)),
            1
        );
    }
}
