//! The mixed load: connections acting as members and visitors, each step
//! judged against the world (the status this viewer must get, a body of
//! the right shape, no canary outside its audience).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use quorum_types::{Category, ErrorCode, LikeState, Page, Post, Problem, Thread};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::de::DeserializeOwned;

use crate::client::{Answer, Client, Exchange};
use crate::world::{Level, Persona, World};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Op {
    Categories,
    ThreadList,
    ThreadPage,
    SinglePost,
    Reply,
    Like,
    Unlike,
}

impl Op {
    pub const ALL: [Op; 7] =
        [Op::Categories, Op::ThreadList, Op::ThreadPage, Op::SinglePost, Op::Reply, Op::Like, Op::Unlike];

    pub fn name(self) -> &'static str {
        match self {
            Op::Categories => "category list",
            Op::ThreadList => "thread list",
            Op::ThreadPage => "thread page",
            Op::SinglePost => "single post",
            Op::Reply => "reply",
            Op::Like => "like",
            Op::Unlike => "unlike",
        }
    }

    /// Out of 100 steps of a member; a visitor only reads.
    fn weight(self) -> u32 {
        match self {
            Op::Categories => 10,
            Op::ThreadList => 20,
            Op::ThreadPage => 30,
            Op::SinglePost => 20,
            Op::Reply => 10,
            Op::Like | Op::Unlike => 5,
        }
    }

    fn writes(self) -> bool {
        matches!(self, Op::Reply | Op::Like | Op::Unlike)
    }
}

/// One request of the load, judged.
#[derive(Debug)]
pub struct Step {
    pub op: Op,
    pub started: Instant,
    pub took: Duration,
    /// None when no answer came.
    pub status: Option<u16>,
    pub problem: bool,
    /// Why the answer was not the one expected.
    pub fault: Option<String>,
    /// Content this viewer must not see, found in the answer.
    pub leaks: Vec<String>,
}

/// Runs `connections` connections until `until`, handing each step to `sink`.
pub async fn run(
    client: Rc<Client>,
    world: Rc<World>,
    connections: usize,
    until: Instant,
    sink: Rc<RefCell<dyn FnMut(Step)>>,
) {
    let mut tasks = Vec::new();
    for n in 0..connections {
        let (client, world, sink) = (Rc::clone(&client), Rc::clone(&world), Rc::clone(&sink));
        let persona = world.persona_for(n);
        tasks.push(actix_web::rt::spawn(async move {
            let mut rng = StdRng::from_entropy();
            let mut seq = 0u64;
            while Instant::now() < until {
                seq += 1;
                let step = one_step(&client, &world, &persona, &mut rng, n as u64 * 1_000_000_000 + seq).await;
                (sink.borrow_mut())(step);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
}

fn pick_op(persona: &Persona, rng: &mut StdRng) -> Op {
    let ops: Vec<Op> = Op::ALL.into_iter().filter(|op| persona.signed_in() || !op.writes()).collect();
    let total: u32 = ops.iter().map(|op| op.weight()).sum();
    let mut roll = rng.gen_range(0..total);
    for op in &ops {
        if roll < op.weight() {
            return *op;
        }
        roll -= op.weight();
    }
    Op::Categories
}

/// Checks a body answered with the expected status.
type Verify = Box<dyn FnOnce(&Answer) -> Result<(), String>>;
/// Runs after the expected answer (a new post joins the world).
type After = Box<dyn FnOnce(&Answer)>;

/// What to send and what must come back.
struct Plan {
    op: Op,
    method: Method,
    path: String,
    body: Option<serde_json::Value>,
    expected: u16,
    verify: Verify,
    after: Option<After>,
}

fn parses<T: DeserializeOwned>(answer: &Answer) -> Result<(), String> {
    answer.json::<T>().map(|_| ())
}

fn readable(persona: &Persona, levels: &[Level]) -> u16 {
    if persona.reads(levels) {
        200
    } else {
        404
    }
}

async fn one_step(client: &Client, world: &Rc<World>, persona: &Persona, rng: &mut StdRng, seq: u64) -> Step {
    let op = pick_op(persona, rng);
    let plan = plan(world, persona, op, rng, seq).unwrap_or_else(plan_categories);
    let token = match persona.token(client).await {
        Ok(token) => token,
        Err(why) => {
            let now = Instant::now();
            let fault = Some(format!("signing in again as {}: {why}", persona.name));
            return Step { op, started: now, took: Duration::ZERO, status: None, problem: false, fault, leaks: vec![] };
        }
    };
    let exchange = client.send(plan.method.clone(), &plan.path, token.as_deref(), plan.body.as_ref()).await;
    judge(world, persona, plan, exchange)
}

fn plan_categories() -> Plan {
    Plan {
        op: Op::Categories,
        method: Method::GET,
        path: "/categories".into(),
        body: None,
        expected: 200,
        verify: Box::new(parses::<Page<Category>>),
        after: None,
    }
}

/// None when this persona has nothing to do of that kind (no post it may like).
fn plan(world: &Rc<World>, persona: &Persona, op: Op, rng: &mut StdRng, seq: u64) -> Option<Plan> {
    let get = |path: String, expected: u16, verify: Verify| Plan {
        op,
        method: Method::GET,
        path,
        body: None,
        expected,
        verify,
        after: None,
    };
    match op {
        Op::Categories => Some(plan_categories()),
        Op::ThreadList => {
            let choice = world.categories.choose(rng)?;
            if rng.gen_bool(0.2) {
                return Some(get("/threads?limit=20".into(), 200, Box::new(parses::<Page<Thread>>)));
            }
            let (slug, level) = choice;
            let expected = readable(persona, std::slice::from_ref(level));
            Some(get(format!("/threads?category={slug}&limit=20"), expected, Box::new(parses::<Page<Thread>>)))
        }
        Op::ThreadPage => {
            let thread = world.threads.choose(rng)?;
            let limit = [10, 25, 50].choose(rng).copied().unwrap_or(25);
            let expected = readable(persona, &thread.levels);
            Some(get(format!("/threads/{}/posts?limit={limit}", thread.id), expected, Box::new(parses::<Page<Post>>)))
        }
        Op::SinglePost => {
            let (id, expected) = {
                let posts = world.posts.borrow();
                let post = posts.choose(rng)?;
                (post.id, readable(persona, &post.levels))
            };
            let verify = Box::new(move |answer: &Answer| {
                let post: Post = answer.json()?;
                if post.id == id {
                    Ok(())
                } else {
                    Err(format!("asked for post {id}, got post {}", post.id))
                }
            });
            Some(get(format!("/posts/{id}"), expected, verify))
        }
        Op::Reply => {
            let threads: Vec<usize> =
                (0..world.threads.len()).filter(|&t| persona.reads(&world.threads[t].levels)).collect();
            let thread = *threads.choose(rng)?;
            let groups: Vec<&'static str> =
                world.threads[thread].narrow_to.iter().copied().filter(|g| persona.groups.contains(g)).collect();
            let narrow = if rng.gen_bool(0.35) { groups.choose(rng).copied() } else { None };
            let reply = world.reply(thread, narrow, &persona.name, seq);
            let (author, levels, world) = (persona.id, reply.levels, Rc::clone(world));
            Some(Plan {
                op,
                method: Method::POST,
                path: format!("/threads/{}/posts", world.threads[thread].id),
                body: serde_json::to_value(&reply.request).ok(),
                expected: 201,
                verify: Box::new(parses::<Post>),
                after: Some(Box::new(move |answer: &Answer| {
                    if let Ok(post) = answer.json::<Post>() {
                        world.record_post(post.id, author, levels);
                    }
                })),
            })
        }
        Op::Like | Op::Unlike => {
            let id = {
                let posts = world.posts.borrow();
                let mine_or_unreadable = |i: usize| posts[i].author == persona.id || !persona.reads(&posts[i].levels);
                let candidates: Vec<usize> = (0..8).map(|_| rng.gen_range(0..posts.len().max(1))).collect();
                let pick = candidates.into_iter().find(|&i| i < posts.len() && !mine_or_unreadable(i))?;
                posts[pick].id
            };
            let liked = op == Op::Like;
            Some(Plan {
                op,
                method: if liked { Method::PUT } else { Method::DELETE },
                path: format!("/posts/{id}/like"),
                body: None,
                expected: 200,
                verify: Box::new(move |answer: &Answer| {
                    let state: LikeState = answer.json()?;
                    if state.post_id == id && state.liked_by_me == liked && state.like_count >= i64::from(liked) {
                        Ok(())
                    } else {
                        Err(format!("like state after {}: {state:?}", if liked { "PUT" } else { "DELETE" }))
                    }
                }),
                after: None,
            })
        }
    }
}

/// Unreadable content is a plain 404 problem, like content that never was.
fn not_found(answer: &Answer) -> Result<(), String> {
    let problem: Problem = answer.json()?;
    if answer.problem && problem.code == ErrorCode::NotFound {
        Ok(())
    } else {
        Err(format!("a 404 that is not a not_found problem: {}", answer.text()))
    }
}

fn judge(world: &World, persona: &Persona, plan: Plan, exchange: Exchange) -> Step {
    let Plan { op, method, path, expected, verify, after, .. } = plan;
    let what = format!("{method} {path} as {}", persona.name);
    let mut step = Step {
        op,
        started: exchange.started,
        took: exchange.took,
        status: None,
        problem: false,
        fault: None,
        leaks: vec![],
    };
    let answer = match exchange.result {
        Ok(answer) => answer,
        Err(failure) => {
            step.fault = Some(format!("{what}: {failure}"));
            return step;
        }
    };
    step.status = Some(answer.status);
    step.problem = answer.problem;
    step.leaks = world.leaks(persona, answer.text()).into_iter().map(|c| format!("{what}: canary of {c}")).collect();
    if answer.status == expected {
        let verdict = if expected == 404 { not_found(&answer) } else { verify(&answer) };
        match verdict {
            Ok(()) => {
                if let Some(after) = after {
                    after(&answer);
                }
            }
            Err(why) => step.fault = Some(format!("{what}: {why}")),
        }
    } else {
        let code = answer.json::<Problem>().map(|p| format!(" {}", p.code.as_str())).unwrap_or_default();
        step.fault = Some(format!("{what}: {}{code} (expected {expected})", answer.status));
        if expected == 404 && answer.status < 300 {
            step.leaks.push(format!("{what}: {} for content this viewer cannot read", answer.status));
        }
    }
    step
}
