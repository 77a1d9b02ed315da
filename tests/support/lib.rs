//! Harness for Quorum's HTTP-level tests: a real server on port 0 over a
//! throw-away database (a temp SQLite file or a fresh schema in PostgreSQL),
//! typed request helpers built on the `quorum_types` wire types, and the
//! fixtures most suites share.

mod app;
mod fixtures;
pub mod html;
mod http;
pub mod ics;
pub mod jwt;
pub mod smtp;
pub mod sse;
pub mod world;

pub use app::{Backend, EmptyDatabase, TestApp, JWT_SECRET};
pub use fixtures::{marker, query_value, strings, Account, PASSWORD};
pub use http::{assert_field_error, assert_problem, Response, API};
pub use world::Coop;

/// Generates one test module per async fn, with `sqlite` and `postgres`
/// tests that each spawn a fresh [`TestApp`] and run the body against it.
///
/// ```text
/// both_backends! {
///     async fn health(app: TestApp) { app.get_root("/healthz").await.assert_status(200); }
/// }
/// ```
///
/// A leading `spawn = <fn(Backend) -> impl Future<Output = Option<TestApp>>>;`
/// starts the servers some other way (e.g. [`TestApp::spawn_with_web_app`]).
///
/// When PostgreSQL is unreachable the `postgres` test prints a line and
/// returns early, unless `CI` is set, in which case it fails.
#[macro_export]
macro_rules! both_backends {
    (spawn = $spawn:expr; $( $(#[$meta:meta])* async fn $name:ident($app:ident : $ty:ty) $body:block )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: $ty) $body

                #[::actix_web::test]
                async fn sqlite() {
                    let app = ($spawn)($crate::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    run(app).await;
                }

                #[::actix_web::test]
                async fn postgres() {
                    if let Some(app) = ($spawn)($crate::Backend::Postgres).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident : $ty:ty) $body:block )*) => {
        $crate::both_backends! {
            spawn = $crate::TestApp::spawn;
            $( $(#[$meta])* async fn $name($app : $ty) $body )*
        }
    };
}
