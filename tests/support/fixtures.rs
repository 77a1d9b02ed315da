//! Typed shortcuts for the steps most tests take: accounts, groups,
//! categories, threads and replies. Each asserts its own success status.

use quorum_types::{
    Category, CreateCategoryRequest, CreateGroupRequest, CreatePostRequest, CreateThreadRequest, CreatedThread, Group,
    LoginRequest, Me, Page, Post, RegisterRequest, TokenPair,
};
use serde::de::DeserializeOwned;

use crate::TestApp;

/// The password of every account the fixtures create.
pub const PASSWORD: &str = "correct horse battery staple";

/// A random string to plant in content and look for in responses.
pub fn marker(label: &str) -> String {
    format!("{label}-{:016x}", rand::random::<u64>())
}

/// A signed-in person: their tokens and what `/me` said when they signed in.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
    pub me: Me,
}

impl Account {
    fn from_pair(username: &str, password: &str, pair: TokenPair) -> Account {
        Account {
            username: username.to_owned(),
            password: password.to_owned(),
            access_token: pair.access_token,
            refresh_token: pair.refresh_token.expect("a sign-in without refresh_cookie returns the refresh token"),
            me: pair.user,
        }
    }

    /// The bearer token, for the `token` argument of request helpers.
    pub fn auth(&self) -> Option<&str> {
        Some(&self.access_token)
    }

    pub fn id(&self) -> i64 {
        self.me.id
    }
}

/// Percent-encodes a query-string value (cursors are opaque and may hold `+/=`).
pub fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl TestApp {
    /// Registers `username` with `{username}@coop.example` and [`PASSWORD`].
    pub async fn register(&self, username: &str) -> Account {
        let req = RegisterRequest {
            username: username.to_owned(),
            email: format!("{username}@coop.example"),
            password: PASSWORD.to_owned(),
            display_name: None,
            time_zone: None,
            refresh_cookie: false,
            invite: None,
        };
        let pair: TokenPair = self.post("/auth/register", None, &req).await.expect(201);
        Account::from_pair(username, PASSWORD, pair)
    }

    pub async fn login(&self, login: &str, password: &str) -> Account {
        let req = LoginRequest { login: login.to_owned(), password: password.to_owned(), refresh_cookie: false };
        let pair: TokenPair = self.post("/auth/login", None, &req).await.expect(200);
        Account::from_pair(&pair.user.username.clone(), password, pair)
    }

    /// Creates an admin the way `quorum admin create` does, and signs in.
    pub async fn admin_named(&self, username: &str) -> Account {
        let email = format!("{username}@coop.example");
        if let Err(e) = quorum::admin::create_admin(self.db(), username, &email, PASSWORD) {
            panic!("create_admin({username}): {e:?}");
        }
        let admin = self.login(username, PASSWORD).await;
        assert!(admin.me.is_admin, "create_admin made a non-admin: {:?}", admin.me);
        admin
    }

    pub async fn admin(&self) -> Account {
        self.admin_named("admin").await
    }

    pub async fn create_group(&self, admin: &Account, slug: &str) -> Group {
        let req = CreateGroupRequest {
            slug: slug.to_owned(),
            name: format!("Group {slug}"),
            description: format!("Members of {slug}"),
        };
        self.post("/groups", admin.auth(), &req).await.expect(201)
    }

    pub async fn add_member(&self, admin: &Account, group: &str, username: &str) {
        self.put_empty(&format!("/groups/{group}/members/{username}"), admin.auth()).await.assert_status(204);
    }

    pub async fn remove_member(&self, admin: &Account, group: &str, username: &str) {
        self.delete(&format!("/groups/{group}/members/{username}"), admin.auth()).await.assert_status(204);
    }

    /// Registers `username` and puts them in `groups`.
    pub async fn member(&self, admin: &Account, username: &str, groups: &[&str]) -> Account {
        let account = self.register(username).await;
        for group in groups {
            self.add_member(admin, group, username).await;
        }
        account
    }

    pub async fn create_category(&self, admin: &Account, slug: &str, audience: &[&str], posters: &[&str]) -> Category {
        let req = CreateCategoryRequest {
            slug: slug.to_owned(),
            name: format!("Category {slug}"),
            description: format!("About {slug}"),
            audience: Some(strings(audience)),
            posters: Some(strings(posters)),
            position: None,
        };
        self.post("/categories", admin.auth(), &req).await.expect(201)
    }

    pub async fn create_thread(
        &self,
        author: &Account,
        category: &str,
        title: &str,
        body: &str,
        audience: Option<&[&str]>,
    ) -> CreatedThread {
        let req = CreateThreadRequest {
            category: category.to_owned(),
            title: title.to_owned(),
            body: body.to_owned(),
            audience: audience.map(strings),
        };
        self.post("/threads", author.auth(), &req).await.expect(201)
    }

    pub async fn reply(
        &self,
        author: &Account,
        thread_id: i64,
        body: &str,
        reply_to: Option<i64>,
        audience: Option<&[&str]>,
    ) -> Post {
        let req = CreatePostRequest { body: body.to_owned(), reply_to, audience: audience.map(strings) };
        self.post(&format!("/threads/{thread_id}/posts"), author.auth(), &req).await.expect(201)
    }

    /// One page of a list, asserting 200.
    pub async fn page<T: DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Page<T> {
        self.get(path, token).await.expect(200)
    }

    /// Every item of a list, following `next_cursor` to the end.
    pub async fn all<T: DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Vec<T> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let url = match &cursor {
                Some(c) => format!("{path}{separator}cursor={}", query_value(c)),
                None => path.to_owned(),
            };
            let page: Page<T> = self.page(&url, token).await;
            items.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return items,
            }
        }
        panic!("{path}: more than 1000 pages; is next_cursor ever null?");
    }
}
