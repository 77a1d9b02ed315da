//! HTTP-level integration tests for the Quorum API. Every suite that touches
//! the database runs twice: on a temp SQLite file and on a fresh schema of
//! the PostgreSQL test database (see `quorum_tests::both_backends!`).

mod actions;
mod auth;
mod bad_input;
mod check;
mod content;
mod cookie_session;
mod demo;
mod hardening;
mod hostile_markdown;
mod http_semantics;
mod leak_matrix;
mod limits;
mod living;
mod mail;
mod management;
mod meetings;
mod member_data;
mod migrations;
mod openapi;
mod operations;
mod password_reset;
mod portable;
mod profiles;
mod property;
mod scripting;
mod scripting_guide;
mod search;
mod seed_scenario;
mod shutdown;
mod site;
mod thread_reading;
mod times;
mod uploads;
mod web_app;
