//! The reference for `cargo xtask bench`: a plain actix-web handler that
//! returns a fixed 2.3 KB JSON body, no database. Quorum's figures are
//! printed as ratios against it, measured in the same run.
//!
//! Usage: `baseline 127.0.0.1:18090`

use actix_web::{web, App, HttpResponse, HttpServer};

fn body() -> String {
    let items: Vec<serde_json::Value> = (0..12)
        .map(|i| {
            serde_json::json!({
                "id": i,
                "title": format!("A thread about federations and worker exchanges, number {i}"),
                "author": {"id": i, "username": format!("member{i}"), "display_name": "A Member"},
                "reply_count": i * 3,
                "last_activity_at": "2026-11-27T12:00:00Z",
            })
        })
        .collect();
    serde_json::json!({"items": items, "next_cursor": null}).to_string()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18090".into());
    let body = web::Data::new(body());
    HttpServer::new(move || {
        App::new().app_data(body.clone()).route(
            "/",
            web::get().to(|body: web::Data<String>| async move {
                HttpResponse::Ok().content_type("application/json").body(body.get_ref().clone())
            }),
        )
    })
    .bind(bind)?
    .run()
    .await
}
