//! Property: for random groups, memberships and audiences at all three
//! levels, "GET /posts/{id} is 200" agrees exactly with "the post is in
//! GET /threads/{thread}/posts" and with a model of the rule computed here;
//! and each viewer's post numbers run 1, 2, 3 … without gaps, the same by id.
//!
//! Spawning a server per case would be slow, so each backend gets one server
//! (on its own thread) and every case builds a fresh world inside it: new
//! groups, a new category, new threads. The accounts are shared; their
//! memberships in earlier cases' groups cannot matter, as a case only ever
//! names its own groups.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use quorum_tests::{Account, Backend, TestApp};
use quorum_types::{Category, Page, Post, Thread};

const GROUPS: usize = 3;
/// Signed-in viewers with random memberships; the last one is a moderator.
const MEMBERS: usize = 4;
const THREADS: usize = 2;
const REPLIES: usize = 3;
const CASES: u32 = 14;

/// A category audience.
#[derive(Debug, Clone)]
enum Audience {
    Everyone,
    SignedIn,
    Groups(BTreeSet<usize>),
}

#[derive(Debug, Clone)]
struct ThreadSpec {
    audience: Option<BTreeSet<usize>>,
    /// Audiences of the replies (posts 2, 3, …); post 1 has none of its own.
    replies: Vec<Option<BTreeSet<usize>>>,
}

#[derive(Debug, Clone)]
struct World {
    /// Groups of each member viewer.
    memberships: Vec<BTreeSet<usize>>,
    category: Audience,
    threads: Vec<ThreadSpec>,
}

fn group_set() -> impl Strategy<Value = BTreeSet<usize>> {
    proptest::collection::btree_set(0..GROUPS, 0..=GROUPS)
}

/// A narrowing of `above` (`None` = no narrowing), respecting the subset rule:
/// when the level above is a set of groups, the narrowing must stay inside it.
fn narrow(raw: Option<BTreeSet<usize>>, above: Option<&BTreeSet<usize>>) -> Option<BTreeSet<usize>> {
    let raw = raw?;
    let narrowed: BTreeSet<usize> = match above {
        Some(above) => raw.intersection(above).copied().collect(),
        None => raw,
    };
    if narrowed.is_empty() {
        None
    } else {
        Some(narrowed)
    }
}

fn world() -> impl Strategy<Value = World> {
    let category = prop_oneof![
        Just(Audience::Everyone),
        Just(Audience::SignedIn),
        proptest::collection::btree_set(0..GROUPS, 1..=GROUPS).prop_map(Audience::Groups),
    ];
    let thread = (
        proptest::option::of(group_set()),
        proptest::collection::vec(proptest::option::weighted(0.6, group_set()), REPLIES),
    );
    (proptest::collection::vec(group_set(), MEMBERS), category, proptest::collection::vec(thread, THREADS)).prop_map(
        |(memberships, category, raw_threads)| {
            let category_groups = match &category {
                Audience::Groups(g) => Some(g.clone()),
                _ => None,
            };
            let threads = raw_threads
                .into_iter()
                .map(|(audience, replies)| {
                    let audience = narrow(audience, category_groups.as_ref());
                    let above = audience.clone().or_else(|| category_groups.clone());
                    let replies = replies.into_iter().map(|r| narrow(r, above.as_ref())).collect();
                    ThreadSpec { audience, replies }
                })
                .collect();
            World { memberships, category, threads }
        },
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Viewer {
    Anonymous,
    Member(usize),
    Admin,
}

fn allowed(groups: &Option<BTreeSet<usize>>, mine: &BTreeSet<usize>) -> bool {
    groups.as_ref().is_none_or(|g| !g.is_disjoint(mine))
}

/// Whether the viewer is in the category's audience.
fn model_reads_category(world: &World, viewer: Viewer) -> bool {
    match (viewer, &world.category) {
        (Viewer::Admin, _) => true,
        (_, Audience::Everyone) => true,
        (Viewer::Anonymous, _) => false,
        (Viewer::Member(_), Audience::SignedIn) => true,
        (Viewer::Member(i), Audience::Groups(g)) => !g.is_disjoint(&world.memberships[i]),
    }
}

/// The rule, as the brief states it: category AND thread AND post audience;
/// admins read everything; moderators get nothing extra.
fn model_can_read(world: &World, viewer: Viewer, thread: usize, reply: Option<usize>) -> bool {
    let mine = match viewer {
        Viewer::Admin => return true,
        Viewer::Anonymous => BTreeSet::new(),
        Viewer::Member(i) => world.memberships[i].clone(),
    };
    let spec = &world.threads[thread];
    let post_audience = reply.and_then(|r| spec.replies[r].clone());
    model_reads_category(world, viewer) && allowed(&spec.audience, &mine) && allowed(&post_audience, &mine)
}

struct Fixture {
    app: TestApp,
    admin: Account,
    members: Vec<Account>,
    case: AtomicUsize,
}

fn slugs(prefix: &str, groups: &BTreeSet<usize>) -> Vec<String> {
    groups.iter().map(|g| format!("{prefix}-g{g}")).collect()
}

async fn check_world(fx: &Fixture, world: &World) -> Result<(), TestCaseError> {
    let app = &fx.app;
    let admin = &fx.admin;
    let prefix = format!("p{}", fx.case.fetch_add(1, Ordering::SeqCst));
    for g in 0..GROUPS {
        app.create_group(admin, &format!("{prefix}-g{g}")).await;
    }
    for (member, groups) in fx.members.iter().zip(&world.memberships) {
        for g in groups {
            app.add_member(admin, &format!("{prefix}-g{g}"), &member.username).await;
        }
    }
    let category_audience = match &world.category {
        Audience::Everyone => vec!["everyone".to_owned()],
        Audience::SignedIn => vec!["signed-in".to_owned()],
        Audience::Groups(g) => slugs(&prefix, g),
    };
    let category = format!("{prefix}-cat");
    let audience: Vec<&str> = category_audience.iter().map(String::as_str).collect();
    app.create_category(admin, &category, &audience, &["signed-in"]).await;

    // ids[t][0] is the first post, ids[t][r + 1] reply r.
    let mut threads = Vec::new();
    for (t, spec) in world.threads.iter().enumerate() {
        let audience = spec.audience.as_ref().map(|g| slugs(&prefix, g));
        let audience_refs: Option<Vec<&str>> = audience.as_ref().map(|a| a.iter().map(String::as_str).collect());
        let created =
            app.create_thread(admin, &category, &format!("Thread {t}"), "First post.", audience_refs.as_deref()).await;
        let mut ids = vec![created.post.id];
        for (r, reply_audience) in spec.replies.iter().enumerate() {
            let audience = reply_audience.as_ref().map(|g| slugs(&prefix, g));
            let refs: Option<Vec<&str>> = audience.as_ref().map(|a| a.iter().map(String::as_str).collect());
            let post = app.reply(admin, created.thread.id, &format!("Reply {r}"), None, refs.as_deref()).await;
            ids.push(post.id);
        }
        threads.push((created.thread.id, ids));
    }

    let mut viewers = vec![(Viewer::Anonymous, None)];
    viewers.extend(fx.members.iter().enumerate().map(|(i, m)| (Viewer::Member(i), m.auth())));
    viewers.push((Viewer::Admin, admin.auth()));

    for (viewer, token) in viewers {
        let mut readable_threads = 0;
        for (t, (thread_id, ids)) in threads.iter().enumerate() {
            let thread_readable = model_can_read(world, viewer, t, None);
            let list = app.get(&format!("/threads/{thread_id}/posts?limit=100"), token).await;
            let listed_posts: Vec<Post> = match list.status {
                200 => list.json::<Page<Post>>().items,
                404 => Vec::new(),
                _ => return Err(TestCaseError::fail(format!("{viewer:?}: {list}"))),
            };
            let listed: BTreeSet<i64> = listed_posts.iter().map(|p| p.id).collect();
            // Numbered 1, 2, 3 … among what this viewer reads: no gaps.
            let numbers: Vec<i32> = listed_posts.iter().map(|p| p.number).collect();
            prop_assert_eq!(numbers, (1..=listed_posts.len() as i32).collect::<Vec<_>>(), "{:?}: numbers", viewer);
            let by_thread_id = app.get(&format!("/threads/{thread_id}"), token).await;
            prop_assert_eq!(by_thread_id.status == 200, thread_readable, "{:?}: {}", viewer, by_thread_id);
            prop_assert_eq!(list.status == 200, thread_readable, "{:?}: {}", viewer, list);
            let mut visible = 0;
            for (n, id) in ids.iter().enumerate() {
                let reply = n.checked_sub(1);
                let expected = model_can_read(world, viewer, t, reply);
                let got = app.get(&format!("/posts/{id}"), token).await;
                prop_assert!(got.status == 200 || got.status == 404, "{:?}: {}", viewer, got);
                let by_id = got.status == 200;
                prop_assert_eq!(by_id, listed.contains(id), "{:?}: GET /posts/{} vs list {:?}", viewer, id, listed);
                if by_id {
                    let number = listed_posts.iter().find(|p| p.id == *id).map(|p| p.number);
                    prop_assert_eq!(
                        Some(got.json::<Post>().number),
                        number,
                        "{:?}: number of post {} by id",
                        viewer,
                        id
                    );
                }
                prop_assert_eq!(
                    by_id,
                    expected,
                    "{:?}: post {} of thread {} (model says {})",
                    viewer,
                    n + 1,
                    t,
                    expected
                );
                visible += usize::from(expected);
            }
            if thread_readable {
                readable_threads += 1;
                let thread: Thread = by_thread_id.json();
                prop_assert_eq!(thread.reply_count, visible as i64 - 1, "{:?}: reply_count", viewer);
            }
        }
        let category_readable = model_reads_category(world, viewer);
        let got = app.get(&format!("/categories/{category}"), token).await;
        prop_assert_eq!(got.status == 200, category_readable, "{:?}: {}", viewer, got);
        if category_readable {
            let seen: Category = got.json();
            prop_assert_eq!(seen.thread_count, readable_threads, "{:?}: thread_count", viewer);
            let listed = app.get(&format!("/threads?category={category}&limit=100"), token).await;
            prop_assert_eq!(listed.status, 200, "{}", listed);
            let listed: BTreeSet<i64> = listed.json::<Page<Thread>>().items.iter().map(|t| t.id).collect();
            let expected: BTreeSet<i64> = threads
                .iter()
                .enumerate()
                .filter(|(t, _)| model_can_read(world, viewer, *t, None))
                .map(|(_, (id, _))| *id)
                .collect();
            prop_assert_eq!(listed, expected, "{:?}: /threads?category=", viewer);
        }
    }
    Ok(())
}

fn run(backend: Backend) {
    let Some(app) = TestApp::spawn_in_background(backend) else { return };
    let (admin, members) = actix_web::rt::System::new().block_on(async {
        let admin = app.admin().await;
        let mut members = Vec::new();
        for i in 0..MEMBERS {
            members.push(app.register(&format!("viewer{i}")).await);
        }
        // The last viewer moderates, which must not widen what they read.
        app.add_member(&admin, quorum_types::GROUP_MODERATORS, &members[MEMBERS - 1].username).await;
        (admin, members)
    });
    let fx = Fixture { app, admin, members, case: AtomicUsize::new(0) };
    let config = Config { cases: CASES, max_shrink_iters: 64, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&world(), |world| actix_web::rt::System::new().block_on(check_world(&fx, &world)));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn visibility_by_id_list_and_model_agree_sqlite() {
    run(Backend::Sqlite);
}

#[test]
fn visibility_by_id_list_and_model_agree_postgres() {
    run(Backend::Postgres);
}
