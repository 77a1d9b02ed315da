//! Quorum: a discussion forum for networks of co-operatives, as a JSON API.

pub mod admin;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod check;
pub mod compose;
pub mod config;
pub mod cpu;
pub mod db;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod markdown;
pub mod metrics;
pub mod observe;
pub mod openapi;
pub mod portable;
pub mod routes;
pub mod search;
pub mod seed;
pub mod spa;
pub mod startup;
pub mod telemetry;
pub mod throttle;
pub mod uploads;
pub mod validate;
