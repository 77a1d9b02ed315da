//! `crash-write` and `crash-verify`: writers post replies, each with a
//! unique text, until the server is killed under them, noting every reply
//! that was acknowledged with 201; after the restart, every acknowledged
//! reply must be stored exactly once.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use quorum_types::{
    CreateCategoryRequest, CreateGroupRequest, CreatePostRequest, CreateThreadRequest, CreatedThread, Page, Post,
    Thread, TokenPair, AUDIENCE_EVERYONE, AUDIENCE_SIGNED_IN,
};
use rand::Rng;
use serde::de::DeserializeOwned;

use crate::args::Args;
use crate::client::{query_value, Client};
use crate::world::{login, sign_up};

const CATEGORY: &str = "crash";
const CREW: &str = "crash-crew";
const ACCOUNTS: usize = 4;
const PASSWORD: &str = "crash-writer-passphrase";
/// Every reply's text starts with this, then the round, writer and number.
const PREFIX: &str = "crash-r";
/// Writers give up this long after starting, if the server was never killed.
const GIVE_UP: Duration = Duration::from_secs(120);

#[derive(Debug, PartialEq, Eq)]
enum Sent {
    /// 201, with the new post's id.
    Acked(i64),
    /// Some other answer.
    Answered,
    /// None: the server is gone.
    Unanswered,
}

#[derive(Default)]
struct Tally {
    acked: Cell<u64>,
    unanswered: Cell<u64>,
    likes: Cell<u64>,
    unexpected: RefCell<Vec<String>>,
}

pub async fn write(mut args: Args) -> Result<(), String> {
    let url = args.required("url")?;
    let admin = args.required("admin")?;
    let round: u32 = args.number("round", 1)?;
    let acked_path = args.required("acked")?;
    let writers: usize = args.number("writers", 16)?;
    args.finish()?;
    let password = crate::admin_password()?;

    let client = Rc::new(Client::new(&url, writers + 2, Duration::from_secs(10)));
    let admin = login(&client, &admin, &password).await?;
    let tokens = Rc::new(prepare(&client, &admin).await?);
    let mut threads = Vec::new();
    for t in 1..=2 {
        let request = CreateThreadRequest {
            category: CATEGORY.into(),
            title: format!("Crash round {round}, thread {t}"),
            body: format!("Replies of round {round} land here."),
            audience: None,
        };
        let created: CreatedThread =
            client.call(Method::POST, "/threads", Some(&admin), Some(&request), &[201]).await?.json()?;
        threads.push(created.thread.id);
    }
    let file =
        OpenOptions::new().create(true).append(true).open(&acked_path).map_err(|e| format!("{acked_path}: {e}"))?;
    let file = Rc::new(RefCell::new(file));

    println!("writing: {writers} writers, round {round}");
    let _ = std::io::stdout().flush();
    let tally = Rc::new(Tally::default());
    let recent = Rc::new(RefCell::new(Vec::<(i64, usize)>::new()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (client, tokens, tally, file, recent) =
            (Rc::clone(&client), Rc::clone(&tokens), Rc::clone(&tally), Rc::clone(&file), Rc::clone(&recent));
        let thread = threads[w % threads.len()];
        tasks.push(actix_web::rt::spawn(async move {
            let account = w % ACCOUNTS;
            let token = tokens[account].as_str();
            for n in 1.. {
                if started.elapsed() > GIVE_UP {
                    break;
                }
                let like = { recent.borrow().iter().rev().find(|(_, by)| *by != account).map(|(id, _)| *id) };
                let sent = match like.filter(|_| n % 5 == 0) {
                    Some(post) => like_once(&client, token, post, &tally).await,
                    None => {
                        let text = format!("{PREFIX}{round}-w{w}-n{n}-{:08x}", rand::thread_rng().gen::<u32>());
                        let sent = reply_once(&client, token, thread, &text, n % 4 == 0, &tally).await;
                        if let Sent::Acked(id) = sent {
                            let written = writeln!(file.borrow_mut(), "{text}\t{id}");
                            if let Err(e) = written.and_then(|()| file.borrow_mut().flush()) {
                                tally.unexpected.borrow_mut().push(format!("cannot note {text}: {e}"));
                            }
                            recent.borrow_mut().push((id, account));
                        }
                        sent
                    }
                };
                if sent == Sent::Unanswered {
                    break;
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let unexpected = tally.unexpected.borrow();
    println!(
        "round {round}: acknowledged {} replies and {} likes; {} requests unanswered (server gone); {} unexpected answers",
        tally.acked.get(),
        tally.likes.get(),
        tally.unanswered.get(),
        unexpected.len()
    );
    for example in unexpected.iter().take(5) {
        println!("  {example}");
    }
    if unexpected.is_empty() {
        Ok(())
    } else {
        Err(format!("round {round}: {} unexpected answers before the kill", unexpected.len()))
    }
}

/// The category, the crew group and the writers' accounts, created on the
/// first round and found again on later ones; returns the writers' tokens.
async fn prepare(client: &Client, admin: &str) -> Result<Vec<String>, String> {
    let group = CreateGroupRequest { slug: CREW.into(), name: "Crash crew".into(), description: String::new() };
    client.call(Method::POST, "/groups", Some(admin), Some(&group), &[201, 409]).await?;
    let category = CreateCategoryRequest {
        slug: CATEGORY.into(),
        name: "Crash tests".into(),
        description: String::new(),
        audience: Some(vec![AUDIENCE_EVERYONE.into()]),
        posters: Some(vec![AUDIENCE_SIGNED_IN.into()]),
        position: None,
    };
    client.call(Method::POST, "/categories", Some(admin), Some(&category), &[201, 409]).await?;
    let mut tokens = Vec::new();
    for i in 0..ACCOUNTS {
        let name = format!("crash-writer-{i}");
        let request = sign_up(&name, PASSWORD);
        let answer = client.call(Method::POST, "/auth/register", None, Some(&request), &[201, 409]).await?;
        let token = match answer.status {
            201 => answer.json::<TokenPair>()?.access_token,
            _ => login(client, &name, PASSWORD).await?,
        };
        client.call(Method::PUT, &format!("/groups/{CREW}/members/{name}"), Some(admin), None::<&()>, &[204]).await?;
        tokens.push(token);
    }
    Ok(tokens)
}

async fn reply_once(client: &Client, token: &str, thread: i64, text: &str, narrow: bool, tally: &Tally) -> Sent {
    let request = CreatePostRequest {
        body: format!("{text} written under load."),
        reply_to: None,
        audience: narrow.then(|| vec![CREW.to_owned()]),
    };
    let path = format!("/threads/{thread}/posts");
    let answer = match client.post(&path, Some(token), &request).await.result {
        Ok(answer) => answer,
        Err(_) => {
            tally.unanswered.set(tally.unanswered.get() + 1);
            return Sent::Unanswered;
        }
    };
    let post =
        if answer.status == 201 { answer.json::<Post>() } else { Err(answer.text().chars().take(200).collect()) };
    match post {
        Ok(post) => {
            tally.acked.set(tally.acked.get() + 1);
            Sent::Acked(post.id)
        }
        Err(why) => {
            tally.unexpected.borrow_mut().push(format!("POST {path}: {} {why}", answer.status));
            Sent::Answered
        }
    }
}

async fn like_once(client: &Client, token: &str, post: i64, tally: &Tally) -> Sent {
    let path = format!("/posts/{post}/like");
    match client.send(Method::PUT, &path, Some(token), None::<&()>).await.result {
        Ok(answer) if answer.status == 200 => tally.likes.set(tally.likes.get() + 1),
        Ok(answer) => tally.unexpected.borrow_mut().push(format!("PUT {path}: {} {}", answer.status, answer.text())),
        Err(_) => {
            tally.unanswered.set(tally.unanswered.get() + 1);
            return Sent::Unanswered;
        }
    }
    Sent::Answered
}

pub async fn verify(mut args: Args) -> Result<(), String> {
    let url = args.required("url")?;
    let admin = args.required("admin")?;
    let acked_path = args.required("acked")?;
    args.finish()?;
    let password = crate::admin_password()?;

    let client = Client::new(&url, 4, Duration::from_secs(30));
    let admin = login(&client, &admin, &password).await?;
    let mut stored: BTreeMap<String, u32> = BTreeMap::new();
    let threads: Vec<Thread> = all_pages(&client, &format!("/threads?category={CATEGORY}&limit=100"), &admin).await?;
    for thread in &threads {
        let posts: Vec<Post> = all_pages(&client, &format!("/threads/{}/posts?limit=100", thread.id), &admin).await?;
        for post in posts {
            if let Some(text) = post.body.split_whitespace().next().filter(|t| t.starts_with(PREFIX)) {
                *stored.entry(text.to_owned()).or_default() += 1;
            }
        }
    }
    let acked_file = std::fs::read_to_string(&acked_path).map_err(|e| format!("{acked_path}: {e}"))?;
    let acked: BTreeSet<&str> =
        acked_file.lines().filter_map(|l| l.split('\t').next()).filter(|t| !t.is_empty()).collect();
    let missing: Vec<&str> = acked.iter().copied().filter(|t| !stored.contains_key(*t)).collect();
    let duplicated: Vec<(&String, &u32)> = stored.iter().filter(|(_, n)| **n > 1).collect();
    let unacknowledged = stored.keys().filter(|t| !acked.contains(t.as_str())).count();
    println!(
        "acknowledged {}, found {}, missing {}, duplicated {} ({} more stored whose answer the kill cut off; {} threads read)",
        acked.len(),
        acked.len() - missing.len(),
        missing.len(),
        duplicated.len(),
        unacknowledged,
        threads.len()
    );
    for text in missing.iter().take(5) {
        println!("  MISSING {text}");
    }
    for (text, n) in duplicated.iter().take(5) {
        println!("  DUPLICATED {text} ({n} times)");
    }
    if missing.is_empty() && duplicated.is_empty() {
        Ok(())
    } else {
        Err(format!("{} acknowledged replies missing, {} stored more than once", missing.len(), duplicated.len()))
    }
}

/// Every item of a list, following `next_cursor`.
async fn all_pages<T: DeserializeOwned>(client: &Client, path: &str, token: &str) -> Result<Vec<T>, String> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}&cursor={}", query_value(c)),
            None => path.to_owned(),
        };
        let page: Page<T> = client.call(Method::GET, &url, Some(token), None::<&()>, &[200]).await?.json()?;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}
