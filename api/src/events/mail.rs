//! E-mail for members who are away: a mail per notification still unread a
//! few minutes after it happened, or a daily digest, per the member's
//! choice. Mail waits in `mail_outbox`; its text is built when it is sent,
//! from what the recipient may read then (a post they lost access to
//! meanwhile is left out), and it goes out from a background thread with
//! retries, never from a request. Every notification mail has an
//! unsubscribe link that works without signing in. A password-reset
//! request's mail follows from its event the same way; its link is made
//! when the mail is built, while the reset is still open.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};
use sha2::Sha256;

use crate::db::policy::Credential;
use crate::db::queries::audiences::Builtins;
use crate::db::queries::events::{EventRow, Kind};
use crate::db::queries::{notifications, now, password_resets, users, PageRequest};
use crate::db::schema::{mail_outbox, notifications as notifications_t, users as users_t};
use crate::db::{AnyConnection, Db};
use crate::error::ApiError;

/// A notification still unread this long after it happened is mailed.
pub const AWAY_MINUTES: i64 = 5;
/// Attempts before a mail is given up.
const MAX_ATTEMPTS: i32 = 5;
const EXCERPT_CHARS: usize = 600;
/// The outbox kind of a password-reset mail (its payload: the reset's id).
const PASSWORD_RESET: &str = "password_reset";

/// Mail settings (`QUORUM_SMTP_URL`, `QUORUM_MAIL_FROM`).
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://host:25` (plain, for a local relay), `smtp://…?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465`.
    pub smtp_url: crate::config::Secret,
    pub from: String,
    /// Links in mails point here.
    pub public_url: String,
    /// Signs unsubscribe links.
    pub key: crate::config::Secret,
}

/// Sends queued mail from a thread of its own.
#[derive(Clone)]
pub struct Mailer {
    wake: SyncSender<()>,
}

impl Mailer {
    /// Starts the mail thread. Once `stop` is set it sends what is due one
    /// last time (`finish_within` at most), then ends.
    pub fn start(
        db: Db,
        builtins: Builtins,
        settings: MailSettings,
        stop: super::Stop,
        finish_within: Duration,
    ) -> Result<(Mailer, std::thread::JoinHandle<()>), String> {
        let transport = Outgoing::from_url(settings.smtp_url.expose())?;
        let from: Mailbox = settings.from.parse().map_err(|e| format!("QUORUM_MAIL_FROM: {e}"))?;
        let (wake, woken) = sync_channel(1);
        let handle = std::thread::Builder::new()
            .name("quorum-mail".into())
            .spawn(move || send_loop(&db, &builtins, &transport, &from, &settings, &woken, &(stop, finish_within)))
            .map_err(|e| format!("cannot start the mail thread: {e}"))?;
        Ok((Mailer { wake }, handle))
    }

    /// Looks for due mail now.
    pub fn wake(&self) {
        let _ = self.wake.try_send(());
    }
}

fn send_loop(
    db: &Db,
    builtins: &Builtins,
    transport: &Outgoing,
    from: &Mailbox,
    settings: &MailSettings,
    woken: &Receiver<()>,
    (stop, finish_within): &(super::Stop, Duration),
) {
    let finish_within = *finish_within;
    let mut last_round = None;
    while last_round.is_none() {
        if !stop.stopped() {
            let _ = woken.recv_timeout(Duration::from_secs(10));
        }
        if stop.stopped() {
            // Shutting down: what is due goes out now, within the bound;
            // what is left stays queued in the database for the next start.
            last_round = Some(std::time::Instant::now() + finish_within);
        }
        loop {
            let due = match db.write_blocking_quiet(claim_due) {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the mail queue failed");
                    break;
                }
            };
            let out_of_time = last_round.is_some_and(|until| std::time::Instant::now() >= until);
            if due.is_empty() || out_of_time || (stop.stopped() && last_round.is_none()) {
                break;
            }
            for mail in due {
                let outcome =
                    db.read_blocking(|conn| compose(conn, builtins, settings, &mail)).and_then(|built| match built {
                        None => Ok(None),
                        Some((to, subject, body)) => {
                            deliver(transport, from, settings, &mail, &to, &subject, body).map(Some)
                        }
                    });
                let at = now();
                let recorded = db.write_blocking_quiet(|conn| {
                    let row = mail_outbox::table.find(mail.id);
                    match &outcome {
                        Ok(Some(())) => diesel::update(row).set(mail_outbox::sent_at.eq(Some(at))).execute(conn)?,
                        Ok(None) => diesel::update(row).set(mail_outbox::dropped_at.eq(Some(at))).execute(conn)?,
                        Err(e) => {
                            let attempts = mail.attempts + 1;
                            let retry = at + chrono::Duration::minutes(i64::from(attempts * attempts));
                            diesel::update(row)
                                .set((
                                    mail_outbox::attempts.eq(attempts),
                                    mail_outbox::send_after.eq(retry),
                                    mail_outbox::last_error.eq(Some(e.to_string())),
                                    mail_outbox::dropped_at.eq((attempts >= MAX_ATTEMPTS).then_some(at)),
                                ))
                                .execute(conn)?
                        }
                    };
                    if let (Ok(Some(())), Some(id)) = (&outcome, mail.notification_id) {
                        diesel::update(notifications_t::table.find(id))
                            .set(notifications_t::mailed_at.eq(Some(at)))
                            .execute(conn)?;
                    }
                    Ok(())
                });
                if let Err(e) = recorded {
                    tracing::warn!(error = %e, "recording a sent mail failed");
                }
                if let Err(e) = &outcome {
                    tracing::warn!(error = %e, mail = mail.id, "sending a mail failed; will retry");
                }
            }
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mail_outbox)]
struct Queued {
    id: i64,
    user_id: i64,
    kind: String,
    notification_id: Option<i64>,
    payload: String,
    created_at: NaiveDateTime,
    attempts: i32,
}

/// Mails in the outbox neither sent nor dropped (for `/metrics`).
pub fn queue_size(conn: &mut AnyConnection) -> Result<i64, ApiError> {
    Ok(mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::dropped_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Takes up to 20 due mails, pushing their time back while they are sent,
/// so another instance does not send them too.
fn claim_due(conn: &mut AnyConnection) -> Result<Vec<Queued>, ApiError> {
    let at = now();
    let due: Vec<Queued> = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .filter(mail_outbox::dropped_at.is_null())
        .filter(mail_outbox::send_after.le(at))
        .order(mail_outbox::id)
        .limit(20)
        .select(Queued::as_select())
        .load(conn)?;
    let ids: Vec<i64> = due.iter().map(|m| m.id).collect();
    diesel::update(mail_outbox::table.filter(mail_outbox::id.eq_any(&ids)))
        .set(mail_outbox::send_after.eq(at + chrono::Duration::minutes(10)))
        .execute(conn)?;
    Ok(due)
}

/// Queues a mail for each password-reset request, and for each new
/// notification whose recipient wants mail at once.
pub fn enqueue(conn: &mut AnyConnection, batch: &[EventRow]) -> Result<(), ApiError> {
    for event in batch.iter().filter(|e| Kind::parse(&e.kind) == Some(Kind::PasswordResetRequested)) {
        // The reset's id; its link is built when the mail is sent.
        let reset = event
            .after
            .as_deref()
            .and_then(|after| serde_json::from_str::<serde_json::Value>(after).ok())
            .and_then(|after| after.get("reset").and_then(serde_json::Value::as_i64));
        let (Some(user), Some(reset)) = (event.user_id, reset) else { continue };
        diesel::insert_into(mail_outbox::table)
            .values((
                mail_outbox::user_id.eq(user),
                mail_outbox::kind.eq(PASSWORD_RESET),
                mail_outbox::payload.eq(reset.to_string()),
                mail_outbox::created_at.eq(event.created_at),
                mail_outbox::send_after.eq(event.created_at),
            ))
            .execute(conn)?;
    }
    for event in batch.iter().filter(|e| Kind::parse(&e.kind) == Some(Kind::NotificationCreated)) {
        let (Some(user), Some(post)) = (event.user_id, event.post_id) else { continue };
        let preference: Option<String> =
            users_t::table.find(user).select(users_t::email_notifications).first(conn).optional()?;
        if preference.as_deref() != Some("immediate") {
            continue;
        }
        // The notification this event announced (likes fold into one).
        let notification: Option<i64> = notifications_t::table
            .filter(notifications_t::user_id.eq(user))
            .filter(notifications_t::post_id.eq(post))
            .filter(notifications_t::mailed_at.is_null())
            .order(notifications_t::id.desc())
            .select(notifications_t::id)
            .first(conn)
            .optional()?;
        let Some(notification) = notification else { continue };
        let queued: bool = diesel::select(diesel::dsl::exists(
            mail_outbox::table
                .filter(mail_outbox::notification_id.eq(notification))
                .filter(mail_outbox::sent_at.is_null())
                .filter(mail_outbox::dropped_at.is_null()),
        ))
        .get_result(conn)?;
        if queued {
            continue;
        }
        diesel::insert_into(mail_outbox::table)
            .values((
                mail_outbox::user_id.eq(user),
                mail_outbox::kind.eq("notification"),
                mail_outbox::notification_id.eq(Some(notification)),
                mail_outbox::created_at.eq(event.created_at),
                mail_outbox::send_after.eq(event.created_at + chrono::Duration::minutes(AWAY_MINUTES)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Queues the daily digest of everyone who chose it and has unread
/// notifications since their last one.
pub fn enqueue_digests(conn: &mut AnyConnection) -> Result<(), ApiError> {
    let at = now();
    let day_ago = at - chrono::Duration::hours(24);
    let due: Vec<i64> = users_t::table
        .filter(users_t::email_notifications.eq("daily"))
        .filter(users_t::digest_sent_at.is_null().or(users_t::digest_sent_at.lt(day_ago)))
        .select(users_t::id)
        .load(conn)?;
    for user in due {
        diesel::insert_into(mail_outbox::table)
            .values((
                mail_outbox::user_id.eq(user),
                mail_outbox::kind.eq("digest"),
                mail_outbox::created_at.eq(at),
                mail_outbox::send_after.eq(at),
            ))
            .execute(conn)?;
        diesel::update(users_t::table.find(user)).set(users_t::digest_sent_at.eq(Some(at))).execute(conn)?;
    }
    Ok(())
}

/// The unsubscribe token of an account: its id and a MAC over it.
pub fn unsubscribe_token(key: &[u8], user_id: i64) -> String {
    let mac = mac_of(key, user_id);
    format!("{user_id}.{mac}")
}

fn mac_of(key: &[u8], user_id: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(format!("quorum unsubscribe {user_id}").as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The account an unsubscribe token names, when genuine.
pub fn check_unsubscribe(key: &[u8], token: &str) -> Option<i64> {
    let (id, mac) = token.split_once('.')?;
    let id: i64 = id.parse().ok()?;
    let expected = mac_of(key, id);
    use subtle::ConstantTimeEq;
    (!expected.is_empty() && bool::from(expected.as_bytes().ct_eq(mac.as_bytes()))).then_some(id)
}

/// Recipient, subject and text of a queued mail, built with what the
/// recipient may read now; `None` when nothing is left to tell.
fn compose(
    conn: &mut AnyConnection,
    builtins: &Builtins,
    settings: &MailSettings,
    mail: &Queued,
) -> Result<Option<(Mailbox, String, String)>, ApiError> {
    let user = users::find(conn, mail.user_id)?;
    let Ok(to) = format!("{} <{}>", user.display_name.replace(['<', '>', '"'], ""), user.email).parse::<Mailbox>()
    else {
        return Ok(None);
    };
    if mail.kind == PASSWORD_RESET {
        // Only while the reset is still open: a newer one has its own mail.
        let Ok(id) = mail.payload.parse::<i64>() else { return Ok(None) };
        let Some((owner, token)) = password_resets::mail_token(conn, settings.key.expose().as_bytes(), id)? else {
            return Ok(None);
        };
        if owner != user.id {
            return Ok(None);
        }
        let base = settings.public_url.trim_end_matches('/');
        let minutes = password_resets::LIFETIME_MINUTES;
        let text = format!(
            "Someone, probably you, asked to reset the password of the account {username} on the forum at {base}.\n\n\
             To choose a new password, open this link within {minutes} minutes:\n\n\
             {base}/reset-password?token={token}\n\n\
             The link works once. If you did not ask, ignore this mail: your password stays as it is.\n",
            username = user.username,
        );
        return Ok(Some((to, "Resetting your password".into(), text)));
    }
    if user.email_notifications == "off" {
        return Ok(None);
    }
    let Ok(reader) = users::viewer(conn, builtins, user.id, None, Credential::Session, None) else {
        return Ok(None);
    };
    let page = PageRequest { after: None, limit: 50 };
    let (unread, _) = notifications::list(conn, &reader, true, &page)?;
    let items: Vec<_> = match mail.kind.as_str() {
        "notification" => unread.into_iter().filter(|n| Some(n.id) == mail.notification_id).collect(),
        _ => unread.into_iter().filter(|n| n.updated_at.naive_utc() <= mail.created_at).collect(),
    };
    if items.is_empty() {
        return Ok(None);
    }
    let base = settings.public_url.trim_end_matches('/');
    let mut text = String::new();
    let subject =
        if items.len() == 1 { describe(&items[0]) } else { format!("{} things happened on the forum", items.len()) };
    for n in &items {
        text.push_str(&format!("{}\n\n", describe(n)));
        if !n.excerpt.is_empty() {
            let excerpt: String = n.excerpt.chars().take(EXCERPT_CHARS).collect();
            for line in excerpt.lines() {
                text.push_str(&format!("> {line}\n"));
            }
            text.push('\n');
        }
        text.push_str(&format!("{base}/t/{}#post-{}\n\n---\n\n", n.thread_id, n.post_id));
    }
    let token = unsubscribe_token(settings.key.expose().as_bytes(), user.id);
    text.push_str(&format!(
        "You get these because of your e-mail setting on the forum. No more e-mail: {base}/api/v1/unsubscribe?token={token}\n"
    ));
    Ok(Some((to, subject, text)))
}

fn describe(n: &quorum_types::Notification) -> String {
    use quorum_types::NotificationKind::*;
    let who = n.actor.as_ref().map_or_else(|| "Someone".to_owned(), |a| a.display_name.clone());
    let title = &n.thread_title;
    match n.kind {
        Reply => format!("{who} replied to you in “{title}”"),
        Watching => format!("{who} posted in “{title}”"),
        Mention => format!("{who} mentioned you in “{title}”"),
        GroupMention => format!("{who} mentioned your group in “{title}”"),
        Quote => format!("{who} quoted you in “{title}”"),
        Like if n.others > 0 => format!("{who} and {} others liked your post in “{title}”", n.others),
        Like => format!("{who} liked your post in “{title}”"),
        NewThread => format!("{who} started “{title}”"),
        EventChanged => format!("{who} changed the event in “{title}”"),
        EventCancelled => format!("{who} cancelled the event in “{title}”"),
    }
}

fn deliver(
    transport: &Outgoing,
    from: &Mailbox,
    settings: &MailSettings,
    mail: &Queued,
    to: &Mailbox,
    subject: &str,
    body: String,
) -> Result<(), ApiError> {
    let token = unsubscribe_token(settings.key.expose().as_bytes(), mail.user_id);
    let base = settings.public_url.trim_end_matches('/');
    let mut message = Message::builder().from(from.clone()).to(to.clone()).subject(subject);
    if mail.kind != PASSWORD_RESET {
        message = message
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{base}/api/v1/unsubscribe?token={token}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let message = message
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| ApiError::internal(format!("building a mail: {e}")))?;
    transport.send(&message)
}

/// Where mail goes: an SMTP server, or (`file:///path`, for development and
/// tests) a directory where each mail is written as a `.eml` file.
enum Outgoing {
    Smtp(Box<SmtpTransport>),
    Directory(std::path::PathBuf),
}

impl Outgoing {
    fn from_url(url: &str) -> Result<Outgoing, String> {
        if let Some(path) = url.strip_prefix("file://") {
            let dir = std::path::PathBuf::from(path);
            std::fs::create_dir_all(&dir).map_err(|e| format!("QUORUM_SMTP_URL: cannot create {path}: {e}"))?;
            return Ok(Outgoing::Directory(dir));
        }
        let smtp = SmtpTransport::from_url(url)
            .map_err(|e| format!("QUORUM_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Outgoing::Smtp(Box::new(smtp)))
    }

    fn send(&self, message: &Message) -> Result<(), ApiError> {
        match self {
            Outgoing::Smtp(smtp) => {
                smtp.send(message).map(|_| ()).map_err(|e| ApiError::internal(format!("SMTP: {e}")))
            }
            Outgoing::Directory(dir) => {
                // Written under a temporary name, then renamed: a reader
                // never sees half a mail.
                let name = format!(
                    "{}-{}",
                    chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
                    crate::db::queries::tokens::random_token()
                );
                let partial = dir.join(format!(".{name}.tmp"));
                write_private(&partial, &message.formatted())
                    .and_then(|()| std::fs::rename(&partial, dir.join(format!("{name}.eml"))))
                    .map_err(|e| ApiError::internal(format!("writing a mail to {}: {e}", dir.display())))
            }
        }
    }
}

/// Writes a file only its owner may read (a mail may hold a reset link).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}
