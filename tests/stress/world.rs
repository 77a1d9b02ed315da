//! The co-op world the load runs in, seeded through the API like a
//! federation forum: a board, worker and enterprise members, participants,
//! newcomers; a public and a members-only category; threads whose replies
//! are narrowed to single groups. Every narrowed text carries its
//! audience's CANARY, and the world remembers who may read what, so each
//! answer can be judged against the viewer who asked.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use quorum_tests::world::{BOARD, ENTERPRISE, PARTICIPANTS, WORKERS};
use quorum_types::{
    CreateCategoryRequest, CreateGroupRequest, CreatePostRequest, CreateThreadRequest, CreatedThread, LoginRequest,
    Post, RegisterRequest, TokenPair, AUDIENCE_EVERYONE, AUDIENCE_SIGNED_IN,
};
use rand::seq::SliceRandom;
use rand::Rng;

use crate::client::Client;

/// Every seeded member's password.
const PASSWORD: &str = "stress-test-passphrase";
/// Access tokens live 15 minutes; a long run signs in again before that.
const TOKEN_RENEWAL: Duration = Duration::from_secs(10 * 60);

const GROUPS: [&str; 4] = [BOARD, WORKERS, ENTERPRISE, PARTICIPANTS];
const MEMBER_GROUPS: [&str; 3] = [BOARD, WORKERS, ENTERPRISE];
pub const NEWS: &str = "news";
const MEMBERS: &str = "members";

/// Twenty people spread over the four groups (some in two, two in none).
const PEOPLE: [(&str, &[&str]); 20] = [
    ("ines", &[BOARD, WORKERS]),
    ("bao", &[BOARD, ENTERPRISE]),
    ("carmen", &[BOARD]),
    ("wren", &[WORKERS]),
    ("wojtek", &[WORKERS]),
    ("wanjiru", &[WORKERS]),
    ("walt", &[WORKERS]),
    ("wei", &[WORKERS]),
    ("winnie", &[WORKERS, PARTICIPANTS]),
    ("ezra", &[ENTERPRISE]),
    ("esme", &[ENTERPRISE]),
    ("emeka", &[ENTERPRISE]),
    ("elif", &[ENTERPRISE]),
    ("erik", &[ENTERPRISE]),
    ("pat", &[PARTICIPANTS]),
    ("priya", &[PARTICIPANTS]),
    ("pablo", &[PARTICIPANTS]),
    ("petra", &[PARTICIPANTS]),
    ("newcomer", &[]),
    ("nadia", &[]),
];

/// One level of visibility: everyone, or members of any of these groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Level {
    Everyone,
    Groups(Vec<&'static str>),
}

/// Someone the load acts as: a member, or an anonymous visitor.
pub struct Persona {
    pub name: String,
    /// The account id; 0 for a visitor.
    pub id: i64,
    pub groups: Vec<&'static str>,
    token: RefCell<Option<(String, Instant)>>,
}

impl Persona {
    pub fn visitor() -> Persona {
        Persona { name: "a visitor".into(), id: 0, groups: Vec::new(), token: RefCell::new(None) }
    }

    fn member(name: &str, id: i64, groups: &[&'static str], token: String) -> Persona {
        Persona { name: name.into(), id, groups: groups.to_vec(), token: RefCell::new(Some((token, Instant::now()))) }
    }

    pub fn signed_in(&self) -> bool {
        self.id != 0
    }

    pub fn admits(&self, level: &Level) -> bool {
        match level {
            Level::Everyone => true,
            Level::Groups(groups) => groups.iter().any(|g| self.groups.contains(g)),
        }
    }

    /// Whether every level admits this persona.
    pub fn reads(&self, levels: &[Level]) -> bool {
        levels.iter().all(|level| self.admits(level))
    }

    /// The bearer token, renewed by signing in again when it is old.
    pub async fn token(&self, client: &Client) -> Result<Option<String>, String> {
        let current = self.token.borrow().clone();
        match current {
            None => Ok(None),
            Some((token, issued)) if issued.elapsed() < TOKEN_RENEWAL => Ok(Some(token)),
            Some(_) => {
                let token = login(client, &self.name, PASSWORD).await?;
                *self.token.borrow_mut() = Some((token.clone(), Instant::now()));
                Ok(Some(token))
            }
        }
    }
}

/// A unique string planted in content of one audience: seen by anyone
/// outside it, it is a leak.
pub struct Canary {
    pub label: &'static str,
    pub text: String,
    pub level: Level,
}

pub struct ThreadInfo {
    pub id: i64,
    /// The category's level, then the thread's own when narrowed.
    pub levels: Vec<Level>,
    /// Groups a reply here may be narrowed to.
    pub narrow_to: Vec<&'static str>,
    /// The canary every reply without an audience of its own carries.
    pub canary: Option<usize>,
}

pub struct PostInfo {
    pub id: i64,
    pub author: i64,
    pub levels: Vec<Level>,
}

pub struct World {
    pub members: Vec<Rc<Persona>>,
    pub visitor: Rc<Persona>,
    pub canaries: Vec<Canary>,
    pub categories: Vec<(&'static str, Level)>,
    pub threads: Vec<ThreadInfo>,
    /// Every post created so far, seeded or by the load.
    pub posts: RefCell<Vec<PostInfo>>,
}

/// A reply ready to send, and what its post will be.
pub struct Reply {
    pub request: CreatePostRequest,
    pub levels: Vec<Level>,
}

pub async fn login(client: &Client, login: &str, password: &str) -> Result<String, String> {
    let request = LoginRequest { login: login.into(), password: password.into(), refresh_cookie: false };
    let answer = client.call(Method::POST, "/auth/login", None, Some(&request), &[200]).await?;
    Ok(answer.json::<TokenPair>()?.access_token)
}

/// A sign-up with tokens in the body.
pub fn sign_up(name: &str, password: &str) -> RegisterRequest {
    RegisterRequest {
        username: name.into(),
        email: format!("{name}@coop.example"),
        password: password.into(),
        display_name: None,
        time_zone: None,
        refresh_cookie: false,
        invite: None,
    }
}

impl World {
    /// Seeds the world as the admin (groups, people, categories, threads
    /// and narrowed replies), all through the API.
    pub async fn seed(client: &Client, admin: &str, admin_password: &str) -> Result<World, String> {
        let admin = login(client, admin, admin_password).await?;
        let admin = Some(admin.as_str());
        for slug in GROUPS {
            let group =
                CreateGroupRequest { slug: slug.into(), name: slug.replace('-', " "), description: String::new() };
            client.call(Method::POST, "/groups", admin, Some(&group), &[201]).await?;
        }
        let mut members = Vec::new();
        for (name, groups) in PEOPLE {
            let request = sign_up(name, PASSWORD);
            let pair: TokenPair =
                client.call(Method::POST, "/auth/register", None, Some(&request), &[201]).await?.json()?;
            for group in groups {
                let path = format!("/groups/{group}/members/{name}");
                client.call(Method::PUT, &path, admin, None::<&()>, &[204]).await?;
            }
            members.push(Rc::new(Persona::member(name, pair.user.id, groups, pair.access_token)));
        }

        let canary = |label: &'static str, level: Level| Canary {
            label,
            text: format!("CANARY-{label}-{:016x}", rand::random::<u64>()),
            level,
        };
        let members_level = Level::Groups(MEMBER_GROUPS.to_vec());
        let mut canaries = vec![canary(MEMBERS, members_level.clone())];
        canaries.extend(GROUPS.map(|g| canary(g, Level::Groups(vec![g]))));

        let mut world = World {
            members,
            visitor: Rc::new(Persona::visitor()),
            canaries,
            categories: vec![(NEWS, Level::Everyone), (MEMBERS, members_level.clone())],
            threads: Vec::new(),
            posts: RefCell::new(Vec::new()),
        };
        let members_canary = world.canaries[0].text.clone();
        for (slug, audience, description) in [
            (NEWS, vec![AUDIENCE_EVERYONE], "International news, open to all.".to_string()),
            (MEMBERS, MEMBER_GROUPS.to_vec(), format!("For members only. {members_canary}")),
        ] {
            let category = CreateCategoryRequest {
                slug: slug.into(),
                name: slug.into(),
                description,
                audience: Some(audience.iter().map(|s| (*s).to_owned()).collect()),
                posters: Some(match slug {
                    NEWS => vec![AUDIENCE_SIGNED_IN.to_owned()],
                    _ => audience.iter().map(|s| (*s).to_owned()).collect(),
                }),
                position: None,
            };
            client.call(Method::POST, "/categories", admin, Some(&category), &[201]).await?;
        }

        let board_canary = world.canary_of(BOARD).map(|c| world.canaries[c].text.clone()).unwrap_or_default();
        let threads: [(&str, &'static str, String, Option<&'static str>); 6] = [
            ("ines", NEWS, "International news: the summer round-up".into(), None),
            ("wren", NEWS, "Conference: who is going?".into(), None),
            ("priya", NEWS, "Newsletter: co-op spotlight".into(), None),
            ("ines", MEMBERS, "Board report, third quarter".into(), None),
            ("walt", MEMBERS, "Worker members' assembly".into(), None),
            ("bao", MEMBERS, format!("Board only: budget {board_canary}"), Some(BOARD)),
        ];
        let mut rng = rand::thread_rng();
        for (author, category, title, audience) in threads {
            world.start_thread(client, author, category, &title, audience).await?;
            let thread = world.threads.len() - 1;
            for n in 0..4 {
                let Some(author) = world.pick_reader(thread, &mut rng) else { continue };
                world.seed_reply(client, &author, thread, None, n).await?;
            }
            for group in world.threads[thread].narrow_to.clone() {
                for n in 0..2 {
                    let levels = &world.threads[thread].levels;
                    let author: Vec<Rc<Persona>> = world
                        .members
                        .iter()
                        .filter(|m| m.groups.contains(&group) && m.reads(levels))
                        .cloned()
                        .collect();
                    let Some(author) = author.choose(&mut rng).cloned() else { continue };
                    world.seed_reply(client, &author, thread, Some(group), n).await?;
                }
            }
        }
        Ok(world)
    }

    async fn start_thread(
        &mut self,
        client: &Client,
        author: &str,
        category: &'static str,
        title: &str,
        audience: Option<&'static str>,
    ) -> Result<(), String> {
        let author = self.member(author)?;
        let mut levels: Vec<Level> =
            self.categories.iter().filter(|(slug, _)| *slug == category).map(|(_, level)| level.clone()).collect();
        let canary = match audience {
            Some(group) => {
                levels.push(Level::Groups(vec![group]));
                self.canary_of(group)
            }
            None if category == MEMBERS => self.canary_of(MEMBERS),
            None => None,
        };
        let narrow_to: Vec<&'static str> = match (audience, category) {
            (Some(group), _) => vec![group],
            (None, MEMBERS) => MEMBER_GROUPS.to_vec(),
            (None, _) => GROUPS.to_vec(),
        };
        let canary_text = canary.map(|c| self.canaries[c].text.as_str()).unwrap_or("");
        let request = CreateThreadRequest {
            category: category.into(),
            title: title.into(),
            body: format!("Opening post by {}. {canary_text}", author.name),
            audience: audience.map(|g| vec![g.to_owned()]),
        };
        let token = author.token(client).await?;
        let created: CreatedThread =
            client.call(Method::POST, "/threads", token.as_deref(), Some(&request), &[201]).await?.json()?;
        self.posts.borrow_mut().push(PostInfo { id: created.post.id, author: author.id, levels: levels.clone() });
        self.threads.push(ThreadInfo { id: created.thread.id, levels, narrow_to, canary });
        Ok(())
    }

    async fn seed_reply(
        &self,
        client: &Client,
        author: &Persona,
        thread: usize,
        narrow: Option<&'static str>,
        n: u64,
    ) -> Result<(), String> {
        let reply = self.reply(thread, narrow, &author.name, n);
        let path = format!("/threads/{}/posts", self.threads[thread].id);
        let token = author.token(client).await?;
        let post: Post =
            client.call(Method::POST, &path, token.as_deref(), Some(&reply.request), &[201]).await?.json()?;
        self.record_post(post.id, author.id, reply.levels);
        Ok(())
    }

    fn member(&self, name: &str) -> Result<Rc<Persona>, String> {
        self.members.iter().find(|m| m.name == name).cloned().ok_or_else(|| format!("nobody called {name}"))
    }

    fn canary_of(&self, label: &str) -> Option<usize> {
        self.canaries.iter().position(|c| c.label == label)
    }

    /// A member who can read the thread.
    pub fn pick_reader(&self, thread: usize, rng: &mut impl Rng) -> Option<Rc<Persona>> {
        let levels = &self.threads[thread].levels;
        let readers: Vec<&Rc<Persona>> = self.members.iter().filter(|m| m.reads(levels)).collect();
        readers.choose(rng).map(|m| Rc::clone(m))
    }

    /// The text and audience of a reply to `thread`, narrowed to `narrow`
    /// or open; either way it carries the canary of whoever may read it.
    pub fn reply(&self, thread: usize, narrow: Option<&'static str>, who: &str, n: u64) -> Reply {
        let info = &self.threads[thread];
        let mut levels = info.levels.clone();
        let canary = match narrow {
            Some(group) => {
                levels.push(Level::Groups(vec![group]));
                self.canary_of(group)
            }
            None => info.canary,
        };
        let canary = canary.map(|c| self.canaries[c].text.as_str()).unwrap_or("");
        let body = format!(
            "Reply {n} from {who}. {canary}\n\nSee the [minutes](https://coop.example/minutes/{n}) and **vote** by Friday."
        );
        let request = CreatePostRequest { body, reply_to: None, audience: narrow.map(|g| vec![g.to_owned()]) };
        Reply { request, levels }
    }

    pub fn record_post(&self, id: i64, author: i64, levels: Vec<Level>) {
        self.posts.borrow_mut().push(PostInfo { id, author, levels });
    }

    /// Who the `n`th connection acts as: one in five is a visitor, the
    /// others go round the members.
    pub fn persona_for(&self, n: usize) -> Rc<Persona> {
        if n % 5 == 4 {
            Rc::clone(&self.visitor)
        } else {
            Rc::clone(&self.members[(n - n / 5) % self.members.len()])
        }
    }

    /// Canaries in `text` that `viewer` may not see.
    pub fn leaks(&self, viewer: &Persona, text: &str) -> Vec<&str> {
        self.canaries.iter().filter(|c| !viewer.admits(&c.level) && text.contains(&c.text)).map(|c| c.label).collect()
    }

    pub fn summary(&self) -> String {
        format!(
            "{} members in {} groups and visitors; {} threads, {} seeded posts, {} canaries",
            self.members.len(),
            GROUPS.len(),
            self.threads.len(),
            self.posts.borrow().len(),
            self.canaries.len()
        )
    }
}
