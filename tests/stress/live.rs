//! `live`: what live updates and notifications cost. Opens many event
//! streams as the world's members, then posts replies at a steady
//! concurrency, first ones that notify nobody, then ones that mention five
//! members in a thread ten members watch; prints posts per second and
//! latency for each, how fast events reach a stream, and the server's
//! memory per open stream.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use futures_util::StreamExt;
use quorum_types::{CreatePostRequest, CreateThreadRequest, CreatedThread, Post};

use crate::args::Args;
use crate::client::Client;
use crate::memory::{self, mib};
use crate::world::{World, NEWS};

pub async fn run(mut args: Args) -> Result<(), String> {
    let url = args.required("url")?;
    let streams: usize = args.number("streams", 1000)?;
    let posts: usize = args.number("posts", 400)?;
    let writers: usize = args.number("writers", 16)?;
    let pid: u32 = args.number("pid", 0)?;
    let admin = args.required("admin")?;
    args.finish()?;
    let password = crate::admin_password()?;
    let client = Rc::new(Client::new(&url, writers + 4, Duration::from_secs(60)));
    let world = World::seed(&client, &admin, &password).await?;
    let mut tokens = Vec::new();
    for member in &world.members {
        tokens.push(member.token(&client).await?.ok_or("a member without a token")?);
    }

    // Memory before and after opening the streams.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = memory::read(pid).map(|(_, rss)| rss);
    let received = Rc::new(RefCell::new(0u64));
    let probe = Rc::new(RefCell::new(Vec::<(i64, Instant)>::new()));
    let sse = awc::Client::builder()
        .connector(awc::Connector::new().limit(streams + 8))
        .timeout(Duration::from_secs(3600))
        .finish();
    for n in 0..streams {
        let token = tokens[n % tokens.len()].clone();
        let response = sse
            .get(format!("{}/api/v1/stream", url.trim_end_matches('/')))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .map_err(|e| format!("opening stream {n}: {e}"))?;
        let received = Rc::clone(&received);
        let probe = (n == 0).then(|| Rc::clone(&probe));
        actix_web::rt::spawn(async move {
            let mut body = response;
            let mut text = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                text.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = text.find("\n\n") {
                    let frame: String = text.drain(..end + 2).collect();
                    if frame.contains("event: post") {
                        *received.borrow_mut() += 1;
                        if let Some(probe) = &probe {
                            let id = frame
                                .split("\"post_id\":")
                                .nth(1)
                                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                                .and_then(|n| n.parse().ok())
                                .unwrap_or(0);
                            probe.borrow_mut().push((id, Instant::now()));
                        }
                    }
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = memory::read(pid).map(|(_, rss)| rss);
    println!("{streams} event streams open");
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "server memory: RSS {} before, {} with the streams open: {:.1} KiB per stream",
            mib(before),
            mib(after),
            after.saturating_sub(before) as f64 / streams.max(1) as f64
        );
    }

    let author = &world.members[0];
    let token = author.token(&client).await?.ok_or("no token")?;
    // A thread only its author watches; and one that ten members watch.
    let quiet = new_thread(&client, &token, "Quiet thread").await?;
    let busy = new_thread(&client, &token, "Busy thread").await?;
    for member in world.members.iter().skip(1).take(10) {
        let t = member.token(&client).await?.ok_or("no token")?;
        let body = CreatePostRequest { body: "Watching this.".into(), reply_to: None, audience: None };
        client.call(Method::POST, &format!("/threads/{busy}/posts"), Some(&t), Some(&body), &[201]).await?;
    }
    let mentions: String = world.members.iter().skip(11).take(5).map(|m| format!("@{} ", m.name)).collect();
    tokio::time::sleep(Duration::from_secs(2)).await;

    for (label, thread, text) in [
        ("replies that notify nobody", quiet, "A reply.".to_string()),
        ("replies with 5 mentions, 10 watchers", busy, format!("{mentions}have a look.")),
    ] {
        *received.borrow_mut() = 0;
        probe.borrow_mut().clear();
        let (elapsed, latencies, ids) = post_many(&client, &token, thread, &text, posts, writers).await?;
        let first = Instant::now() - elapsed;
        // Wait until the probe stream has seen the last post, or 30 s.
        let last_id = ids.iter().copied().max().unwrap_or(0);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && !probe.borrow().iter().any(|(id, _)| *id == last_id) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let delivered = probe.borrow().iter().map(|(_, at)| *at).max().unwrap_or_else(Instant::now);
        let mut latencies = latencies;
        latencies.sort_unstable();
        let pct = |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p) as usize).copied().unwrap_or_default();
        let spread = delivered.duration_since(first).as_secs_f64();
        println!(
            "{label}: {posts} posts by {writers} writers in {:.2} s = {:.0} posts/s, p50 {:.1} ms, p99 {:.1} ms; \
             last event on a stream {:.2} s after the first post ({:.0} events/s dispatched); {} messages to streams",
            elapsed.as_secs_f64(),
            posts as f64 / elapsed.as_secs_f64(),
            pct(0.5).as_secs_f64() * 1000.0,
            pct(0.99).as_secs_f64() * 1000.0,
            spread,
            posts as f64 / spread.max(0.001),
            received.borrow()
        );
    }
    Ok(())
}

async fn new_thread(client: &Client, token: &str, title: &str) -> Result<i64, String> {
    let request =
        CreateThreadRequest { category: NEWS.into(), title: title.into(), body: "Measuring.".into(), audience: None };
    let created: CreatedThread =
        client.call(Method::POST, "/threads", Some(token), Some(&request), &[201]).await?.json()?;
    Ok(created.thread.id)
}

async fn post_many(
    client: &Rc<Client>,
    token: &str,
    thread: i64,
    text: &str,
    posts: usize,
    writers: usize,
) -> Result<(Duration, Vec<Duration>, Vec<i64>), String> {
    let next = Rc::new(RefCell::new(0usize));
    let latencies = Rc::new(RefCell::new(Vec::with_capacity(posts)));
    let ids = Rc::new(RefCell::new(Vec::with_capacity(posts)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let (client, next, latencies, ids) =
            (Rc::clone(client), Rc::clone(&next), Rc::clone(&latencies), Rc::clone(&ids));
        let (token, text) = (token.to_owned(), text.to_owned());
        tasks.push(actix_web::rt::spawn(async move {
            loop {
                let n = {
                    let mut next = next.borrow_mut();
                    if *next >= posts {
                        return Ok::<(), String>(());
                    }
                    *next += 1;
                    *next
                };
                let body = CreatePostRequest { body: format!("{text} ({n})"), reply_to: None, audience: None };
                let sent = Instant::now();
                let post: Post = client
                    .call(Method::POST, &format!("/threads/{thread}/posts"), Some(&token), Some(&body), &[201])
                    .await?
                    .json()?;
                latencies.borrow_mut().push(sent.elapsed());
                ids.borrow_mut().push(post.id);
            }
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed();
    let latencies = latencies.borrow().clone();
    let ids = ids.borrow().clone();
    Ok((elapsed, latencies, ids))
}
