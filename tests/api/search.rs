//! Full-text search: found exactly by those who may read it (by word,
//! phrase, prefix and author, after audience and group changes, edits,
//! deletes, hides and moves), hostile queries never a 5xx, and the same
//! threads for the same query on both backends (each test runs on both,
//! against one expected set computed from the fixture).

use std::collections::BTreeSet;

use quorum_tests::world::{BOARD, ENTERPRISE, WORKERS};
use quorum_tests::{both_backends, marker, query_value, Account, Coop, Response, TestApp};
use quorum_types::{Page, SearchHit};
use serde_json::json;

/// Everyone who may search: nobody signed in, then each kind of member.
const VIEWERS: [&str; 7] = ["anonymous", "participant", "worker", "enterprise", "rep", "moderator", "admin"];

fn account<'a>(coop: &'a Coop, name: &str) -> Option<&'a Account> {
    match name {
        "anonymous" => None,
        "participant" => Some(&coop.participant),
        "worker" => Some(&coop.worker),
        "enterprise" => Some(&coop.enterprise),
        "rep" => Some(&coop.rep),
        "moderator" => Some(&coop.moderator),
        "admin" => Some(&coop.admin),
        other => panic!("no viewer {other}"),
    }
}

async fn search_raw(app: &TestApp, who: Option<&Account>, params: &str) -> Response {
    app.get(&format!("/search?{params}"), who.and_then(Account::auth)).await
}

async fn search(app: &TestApp, who: Option<&Account>, q: &str) -> Vec<SearchHit> {
    search_raw(app, who, &format!("q={}", query_value(q))).await.expect::<Page<SearchHit>>(200).items
}

/// One piece of restricted text and who may read it.
struct Secret {
    label: &'static str,
    /// The unique word in the post's text (or title).
    word: String,
    post_id: i64,
    author: &'static str,
    readers: &'static [&'static str],
}

/// The words searched for a secret: the word, a phrase around it, a
/// prefix of it, and the word with its author named.
fn queries(secret: &Secret) -> Vec<String> {
    let prefix: String = secret.word.chars().take(secret.word.len() - 6).collect();
    let author = match secret.author {
        "participant" => "pat",
        "worker" => "wren",
        "enterprise" => "ezra",
        "rep" => "rhiannon",
        "moderator" => "morgan",
        _ => "admin",
    };
    vec![
        secret.word.clone(),
        format!("\"minutes {} attached\"", secret.word),
        format!("{prefix}*"),
        format!("@{author} {}", secret.word),
    ]
}

/// Searches for every secret as every viewer and checks each is found
/// exactly by its readers, and never shows up for anybody else.
async fn assert_found_exactly_by_readers(app: &TestApp, coop: &Coop, secrets: &[Secret]) {
    for viewer in VIEWERS {
        let who = account(coop, viewer);
        for secret in secrets {
            let readable = secret.readers.contains(&viewer);
            for q in queries(secret) {
                let resp = search_raw(app, who, &format!("q={}", query_value(&q))).await;
                let page: Page<SearchHit> = resp.expect(200);
                let found = page.items.iter().any(|h| h.post_id == secret.post_id);
                assert_eq!(found, readable, "{viewer} searching {q:?} for {}: {resp}", secret.label);
                if !readable {
                    assert!(!resp.contains(&secret.word), "{viewer} sees {} in {resp}", secret.label);
                    assert!(page.items.is_empty(), "{viewer} gets hits for {}: {resp}", secret.label);
                }
            }
        }
    }
}

struct Fixture {
    coop: Coop,
    secrets: Vec<Secret>,
    open_thread: i64,
    members_thread: i64,
}

/// Categories `open` (everyone), `members` (signed-in) and `boardroom`
/// (board); a secret at each level of restriction.
async fn fixture(app: &TestApp) -> Fixture {
    let coop = Coop::create(app).await;
    let admin = &coop.admin;
    app.create_category(admin, "open", &["everyone"], &["signed-in"]).await;
    app.create_category(admin, "members", &["signed-in"], &["signed-in"]).await;
    app.create_category(admin, "boardroom", &[BOARD], &[BOARD]).await;
    let text = |word: &str| format!("Our minutes {word} attached, for the record.");

    let public = marker("public");
    let open = app.create_thread(&coop.participant, "open", "Open news", &text(&public), None).await;
    let board_word = marker("board");
    let board_title = marker("boardtitle");
    let board =
        app.create_thread(&coop.rep, "boardroom", &format!("Decision {board_title}"), &text(&board_word), None).await;
    let worker_word = marker("worker");
    let workers =
        app.create_thread(&coop.worker, "members", "Workers only", &text(&worker_word), Some(&[WORKERS])).await;
    let narrowed_word = marker("narrowed");
    let narrowed = app.reply(&coop.enterprise, open.thread.id, &text(&narrowed_word), None, Some(&[ENTERPRISE])).await;
    let members_word = marker("members");
    let members_thread = app.create_thread(&coop.moderator, "members", "Members", "Hello all.", None).await;
    let members = app.reply(&coop.moderator, members_thread.thread.id, &text(&members_word), None, None).await;

    const EVERYONE: &[&str] = &["anonymous", "participant", "worker", "enterprise", "rep", "moderator", "admin"];
    const SIGNED_IN: &[&str] = &["participant", "worker", "enterprise", "rep", "moderator", "admin"];
    let secrets = vec![
        Secret { label: "public post", word: public, post_id: open.post.id, author: "participant", readers: EVERYONE },
        Secret {
            label: "board post",
            word: board_word,
            post_id: board.post.id,
            author: "rep",
            readers: &["rep", "admin"],
        },
        Secret {
            label: "workers' thread",
            word: worker_word,
            post_id: workers.post.id,
            author: "worker",
            readers: &["worker", "rep", "admin"],
        },
        Secret {
            label: "enterprise reply",
            word: narrowed_word,
            post_id: narrowed.id,
            author: "enterprise",
            readers: &["enterprise", "rep", "admin"],
        },
        Secret {
            label: "members' reply",
            word: members_word,
            post_id: members.id,
            author: "moderator",
            readers: SIGNED_IN,
        },
    ];
    // The board thread's title, found through its opening post.
    for viewer in VIEWERS {
        let hits = search(app, account(&coop, viewer), &board_title).await;
        let readable = viewer == "rep" || viewer == "admin";
        assert_eq!(hits.iter().any(|h| h.post_id == board.post.id), readable, "{viewer} and the board title");
        assert_eq!(hits.len(), usize::from(readable), "{viewer}: {hits:?}");
        if readable {
            assert!(hits[0].thread_title_html.contains("<mark>"), "{:?}", hits[0]);
        }
        let titles =
            search_raw(app, account(&coop, viewer), &format!("q={}&in=titles", query_value(&board_title))).await;
        assert_eq!(titles.expect::<Page<SearchHit>>(200).items.len(), usize::from(readable), "{viewer}: {titles}");
    }
    Fixture { coop, secrets, open_thread: open.thread.id, members_thread: members_thread.thread.id }
}

both_backends! {
    async fn every_viewer_finds_exactly_what_they_may_read(app: TestApp) {
        let f = fixture(&app).await;
        assert_found_exactly_by_readers(&app, &f.coop, &f.secrets).await;
    }

    async fn audience_and_group_changes_show_on_the_next_search(app: TestApp) {
        let mut f = fixture(&app).await;
        let admin = f.coop.admin.clone();
        // The board room opens to every member.
        app.patch("/categories/boardroom", admin.auth(), &json!({ "audience": ["signed-in"] }))
            .await
            .assert_status(200);
        f.secrets[1].readers = &["participant", "worker", "enterprise", "rep", "moderator", "admin"];
        // The rep leaves the worker members: the workers' thread is gone for them.
        app.remove_member(&admin, WORKERS, "rhiannon").await;
        f.secrets[2].readers = &["worker", "admin"];
        assert_found_exactly_by_readers(&app, &f.coop, &f.secrets).await;
    }

    async fn edits_deletes_hides_and_moves_show_on_the_next_search(app: TestApp) {
        let mut f = fixture(&app).await;
        let admin = f.coop.admin.clone();
        // Edit: the old word is gone, the new one is found.
        let old = f.secrets[0].word.clone();
        let new = marker("edited");
        let body = format!("Our minutes {new} attached, for the record.");
        app.patch(&format!("/posts/{}", f.secrets[0].post_id), f.coop.participant.auth(), &json!({ "body": body }))
            .await
            .assert_status(200);
        assert!(search(&app, Some(&admin), &old).await.is_empty(), "the edited-out word is still found");
        f.secrets[0].word = new;
        // Retitle.
        let title_word = marker("retitled");
        app.patch(&format!("/threads/{}", f.open_thread), admin.auth(), &json!({ "title": format!("Now {title_word}") }))
            .await
            .assert_status(200);
        let hits = search(&app, None, &title_word).await;
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(search(&app, None, "\"open news\"").await.is_empty(), "the old title is still found");
        // Move: the members' thread goes to the board room, its posts with it.
        app.patch(&format!("/threads/{}", f.members_thread), admin.auth(), &json!({ "category": "boardroom" }))
            .await
            .assert_status(200);
        f.secrets[4].readers = &["rep", "admin"];
        assert_found_exactly_by_readers(&app, &f.coop, &f.secrets).await;
        // Hide: nobody finds a hidden post.
        app.put(&format!("/posts/{}/hidden", f.secrets[0].post_id), f.coop.moderator.auth(), &json!({ "reason": "spam" }))
            .await
            .assert_status(200);
        f.secrets[0].readers = &[];
        // Delete: nobody finds a deleted post.
        app.delete(&format!("/posts/{}", f.secrets[3].post_id), admin.auth()).await.assert_status(204);
        f.secrets[3].readers = &[];
        assert_found_exactly_by_readers(&app, &f.coop, &f.secrets).await;
    }

    async fn hostile_queries_get_results_or_400(app: TestApp) {
        let f = fixture(&app).await;
        let long = "word ".repeat(2048);
        let hostile: Vec<String> = [
            "\"", "\"\"", "*", "**", "-", "--", "@", "#", "NEAR(", "NEAR(a b)", "NEAR(a b, 2)", "'; --",
            "'; DROP TABLE posts; --", "OR OR", "AND", "NOT", "a OR b", "x NOT y", "((", "(()", ")", "(a", "a)",
            "^start", "title:secret", "{title body}: x", "body : x", "x + y", "\"unbalanced", "co-op*", "-x -y",
            "🙂", "🙂 minutes", "minutes\u{0}", "\u{0}", "%", "_", "\\", ":*", "a:*", "x & y | !z", "<->", "x <-> y",
            "!!x", "$1", "?", "rank:", "*x*", "x**", "\u{202e}rtl", "ᾤ", "ﬁnance",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .chain([long.clone(), "x".repeat(10_240), format!("\"{}\"", "y ".repeat(300))])
        .collect();
        for viewer in ["anonymous", "rep"] {
            let who = account(&f.coop, viewer);
            for q in &hostile {
                for extra in ["", "&in=titles", "&in=posts&order=newest"] {
                    let resp = search_raw(&app, who, &format!("q={}{extra}", query_value(q))).await;
                    assert!(
                        resp.status == 200 || resp.status == 400,
                        "{viewer} {q:?}{extra}: {resp}"
                    );
                }
            }
        }
        for params in ["", "q=", "q=x&in=everything", "q=x&order=random", "q=x&before=yesterday", "q=x&limit=0",
                       "q=x&cursor=garbage", "q=x&limit=1000"] {
            let resp = search_raw(&app, None, params).await;
            assert_eq!(resp.status, 400, "{params}: {resp}");
        }
    }

    async fn posts_you_cannot_read_never_move_a_result(app: TestApp) {
        // Relevance weighs rare words above common ones. Were "how common"
        // counted over every post, Board posts full of one word would
        // push a non-member's results around and betray that they exist.
        let coop = Coop::create(&app).await;
        let admin = &coop.admin;
        app.create_category(admin, "open", &["everyone"], &["signed-in"]).await;
        app.create_category(admin, "boardroom", &[BOARD], &[BOARD]).await;
        let (alpha, beta) = (marker("alpha"), marker("beta"));
        let many = app
            .create_thread(&coop.participant, "open", "Notes", &format!("{alpha} {alpha} {alpha} and {beta}"), None)
            .await;
        let once = app.create_thread(&coop.worker, "open", "Other notes", &format!("{alpha}, {beta} {beta}"), None).await;
        let q = format!("{alpha} {beta}");
        let order = |hits: Vec<SearchHit>| hits.iter().map(|h| h.post_id).collect::<Vec<_>>();
        let before = order(search(&app, Some(&coop.participant), &q).await);
        assert_eq!(before.len(), 2, "{before:?}");
        assert_eq!(BTreeSet::from_iter(before.clone()), BTreeSet::from([many.post.id, once.post.id]));
        for i in 0..12 {
            app.create_thread(&coop.rep, "boardroom", &format!("Board {i}"), &format!("{alpha} minute {i}"), None)
                .await;
        }
        assert_eq!(search(&app, Some(&coop.rep), &alpha).await.len(), 14);
        for viewer in ["anonymous", "participant", "worker", "enterprise"] {
            let after = order(search(&app, account(&coop, viewer), &q).await);
            assert_eq!(after, before, "{viewer}: the order moved with posts they cannot read");
        }
    }

    async fn same_threads_for_the_same_query_on_both_backends(app: TestApp) {
        let admin = app.admin().await;
        app.create_category(&admin, "news", &["everyone"], &["signed-in"]).await;
        app.create_category(&admin, "events", &["everyone"], &["signed-in"]).await;
        let anna = app.register("anna").await;
        let bob = app.register("bob").await;
        // (label, category, author, title, body)
        let data: [(&str, &str, &Account, &str, &str); 8] = [
            ("hyphen", "news", &anna, "Federation update", "The co-operative movement grows."),
            ("diaeresis", "news", &bob, "Letter from Utrecht", "A coöperative bakery opened."),
            ("plain", "events", &anna, "Cooperatives meet", "Annual report of the cooperative sector."),
            ("school", "events", &bob, "École d'été", "Summer school for members: running meetings."),
            ("draft", "news", &anna, "Draft budget", "The annual budget report, a draft for the meeting."),
            ("reversed", "news", &bob, "Report of words", "Report annual, words reversed, and coop notes."),
            ("runs", "events", &anna, "Who runs it", "She runs the exchange programme."),
            ("other", "events", &bob, "Unrelated", "Nothing to see here: gardening."),
        ];
        let mut ids = std::collections::BTreeMap::new();
        for (label, category, author, title, body) in data {
            let created = app.create_thread(author, category, title, body, None).await;
            ids.insert(label, created.thread.id);
        }
        let expect = |labels: &[&str]| -> BTreeSet<i64> { labels.iter().map(|l| ids[l]).collect() };
        let cases: Vec<(&str, BTreeSet<i64>)> = vec![
            ("cooperative", expect(&["hyphen", "diaeresis", "plain"])),
            ("co-operative", expect(&["hyphen", "diaeresis", "plain"])),
            ("coöperative", expect(&["hyphen", "diaeresis", "plain"])),
            ("COOPERATIVES", expect(&["hyphen", "diaeresis", "plain"])),
            ("coop*", expect(&["hyphen", "diaeresis", "plain", "reversed"])),
            ("operative", expect(&["hyphen"])),
            ("\"annual report\"", expect(&["plain"])),
            ("annual report", expect(&["plain", "draft", "reversed"])),
            ("annual report -draft", expect(&["plain", "reversed"])),
            ("annual report -\"budget report\"", expect(&["plain", "reversed"])),
            ("report @anna", expect(&["plain", "draft"])),
            ("report #news", expect(&["draft", "reversed"])),
            ("ecole", expect(&["school"])),
            ("meeting", expect(&["draft", "school", "plain"])),
            ("run", expect(&["school", "runs"])),
            ("gardening", expect(&["other"])),
            ("the gardening", expect(&["other"])),
            ("nothingmatches", expect(&[])),
        ];
        for (q, expected) in cases {
            let hits = search(&app, None, q).await;
            let found: BTreeSet<i64> = hits.iter().map(|h| h.thread_id).collect();
            assert_eq!(found, expected, "{q:?}: {hits:?}");
        }
        // Titles only, posts only.
        let titles = search_raw(&app, None, "q=report&in=titles").await.expect::<Page<SearchHit>>(200);
        let found: BTreeSet<i64> = titles.items.iter().map(|h| h.thread_id).collect();
        assert_eq!(found, expect(&["reversed"]));
        let posts = search_raw(&app, None, "q=cooperatives&in=posts").await.expect::<Page<SearchHit>>(200);
        let found: BTreeSet<i64> = posts.items.iter().map(|h| h.thread_id).collect();
        assert_eq!(found, expect(&["hyphen", "diaeresis", "plain"]));
        // Snippets: escaped text with <mark> and nothing else.
        let hits = search(&app, None, "bakery").await;
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].snippet, "A coöperative <mark>bakery</mark> opened.");
        // Paging, newest first: every hit once.
        let all: Vec<SearchHit> = app.all("/search?q=report&order=newest&limit=1", None).await;
        let mut seen: Vec<i64> = all.iter().map(|h| h.post_id).collect();
        assert_eq!(seen.len(), 3, "{all:?}");
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first: {seen:?}");
        seen.dedup();
        assert_eq!(seen.len(), 3);
        let ranked: Vec<SearchHit> = app.all("/search?q=report&limit=2", None).await;
        assert_eq!(ranked.iter().map(|h| h.post_id).collect::<BTreeSet<_>>().len(), 3, "{ranked:?}");
        // `quorum reindex` rebuilds the same index.
        let before = search(&app, None, "cooperative").await;
        let indexed = quorum::db::queries::search::reindex(app.db(), |_| ()).expect("reindex");
        assert_eq!(indexed as i64, app.count("SELECT COUNT(*) AS n FROM posts"));
        assert_eq!(search(&app, None, "cooperative").await, before);
    }
}
