//! Data sets: the demo forum (`seed --demo`) and a large generated one for
//! benchmarks (`seed --bulk`).

use std::time::Instant;

use chrono::{Datelike, Duration};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::auth::password;
use crate::db::queries::audiences::{self, Builtins};
use crate::db::queries::categories::{self, NewCategory};
use crate::db::queries::mentions::{self, Place};
use crate::db::queries::posts::{self, NewReply};
use crate::db::queries::threads::{self, NewThread};
use crate::db::queries::{groups, likes, meetings, now, search, users};
use crate::db::{bulk, AnyConnection, Db};
use crate::error::ApiError;
use crate::markdown;
use quorum_types::RsvpAnswer;

/// A one-page PDF: the demo Board report's attachment.
fn board_report_pdf() -> Vec<u8> {
    let text = "BT /F1 18 Tf 72 720 Td (Board report, July) Tj 0 -28 Td /F1 12 Tf \
                (Accepted into the global federation; a two-year grant for the mapping project.) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    pdf
}

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password-2026";

const GROUPS: [(&str, &str, &str); 4] = [
    ("enterprise-members", "Enterprise members", "Member co-operatives, through their delegates."),
    ("worker-members", "Worker members", "Individual worker members of the network."),
    ("participants", "Participants", "Friends and supporters taking part in the forum."),
    ("board", "Board", "The network's elected board."),
];

struct Person {
    username: &'static str,
    name: &'static str,
    zone: &'static str,
    groups: &'static [&'static str],
}

const PEOPLE: [Person; 6] = [
    Person { username: "maren", name: "Maren Okafor", zone: "Europe/London", groups: &["enterprise-members", "board"] },
    Person { username: "tobias", name: "Tobias Lindqvist", zone: "Europe/Stockholm", groups: &["worker-members"] },
    Person { username: "ana", name: "Ana Ferreira", zone: "Europe/Lisbon", groups: &["participants"] },
    Person { username: "kofi", name: "Kofi Mensah", zone: "Africa/Accra", groups: &["enterprise-members"] },
    Person { username: "jude", name: "Jude Barlow", zone: "Europe/Berlin", groups: &["worker-members", "moderators"] },
    Person { username: "ines", name: "Inês Duarte", zone: "Europe/Lisbon", groups: &["enterprise-members", "board"] },
];

/// The long thread's replies: (author index in `PEOPLE`, text), cycled.
const LONG_THREAD: [(usize, &str); 8] = [
    (
        1,
        "Our bakery co-op pays for three separate tools today: invoicing, payroll and the member register. \
         A shared licence would cut that by more than half.",
    ),
    (
        3,
        "In Ghana we keep the register on paper and the books in a spreadsheet. Anything we pick must work \
         offline for a week at a time.",
    ),
    (2, "I can help test the member register part. Is there a demo account we could all use?"),
    (0, "The federation negotiated a group rate with two suppliers last year; I will dig out the terms."),
    (4, "Whatever we choose, members must be able to export their own data. No lock-in for co-ops."),
    (5, "Three of our members already use the same open-source ledger. We could start from there."),
    (1, "Agreed on export. Let us list must-haves and nice-to-haves before the next call."),
    (3, "Must-have for us: receipts in more than one currency. Nice-to-have: a phone app."),
];

fn ensure_group(conn: &mut AnyConnection, slug: &str, name: &str, description: &str) -> Result<(), ApiError> {
    match groups::get(conn, slug) {
        Ok(_) => Ok(()),
        Err(_) => groups::create(conn, &crate::db::policy::Viewer::system(), slug, name, description).map(|_| ()),
    }
}

fn as_viewer(conn: &mut AnyConnection, builtins: &Builtins, id: i64) -> Result<crate::db::policy::Viewer, ApiError> {
    users::viewer(conn, builtins, id, None, crate::db::policy::Credential::Session, None)
}

/// The demo forum, a small living network: groups, six people, three
/// categories with threads in each (the public one included, so a
/// signed-out visitor sees a forum), a long thread with a board-only reply
/// inside it, the international thread whose Board report only enterprise
/// and worker members can read (edited once, its PDF attached), mentions,
/// likes, a meeting time every reader sees in their own zone, and the call
/// as the thread's event with answers.
pub fn demo(db: &Db, files: &dyn crate::uploads::FileStore) -> Result<String, ApiError> {
    let hash = password::hash(DEMO_PASSWORD)?;
    // The Board report's PDF goes into the file store first; its row is
    // written with the rest, and the report's edit links it.
    let report_pdf = board_report_pdf();
    let report_upload = crate::uploads::new_id();
    let report_key = crate::uploads::storage_key(&report_upload);
    files.put(&report_key, &report_pdf).map_err(|e| ApiError::internal(format!("storing the demo PDF: {e}")))?;
    db.write_blocking(move |conn| {
        let builtins = Builtins::load(conn)?;
        if users::find_by_login(conn, "maren")?.is_some() {
            return Err(ApiError::new(quorum_types::ErrorCode::Conflict, "the demo data is already loaded"));
        }
        for (slug, name, description) in GROUPS {
            ensure_group(conn, slug, name, description)?;
        }
        let mut ids = Vec::new();
        for person in &PEOPLE {
            let id = users::insert(
                conn,
                &users::NewUser {
                    username: person.username.into(),
                    email: format!("{}@demo.example.org", person.username),
                    display_name: person.name.into(),
                    bio: String::new(),
                    time_zone: person.zone.into(),
                    password_hash: hash.clone(),
                    token_generation: 0,
                    created_at: now(),
                },
            )?;
            for group in person.groups {
                groups::add_member(conn, &crate::db::policy::Viewer::system(), group, person.username)?;
            }
            ids.push(id);
        }
        let [maren, tobias, ana, kofi, jude, ines] = [ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]];
        let admin = crate::db::policy::Viewer::system();
        let strings = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let categories_to_make = [
            (
                "general",
                "General",
                "Anything about the network, open to everyone.",
                strings(&["everyone"]),
                strings(&["signed-in"]),
                0,
            ),
            (
                "international",
                "International",
                "Federations, exchanges and solidarity across borders.",
                strings(&["signed-in"]),
                strings(&["enterprise-members", "worker-members"]),
                1,
            ),
            ("board", "Board room", "Papers and minutes for the board.", strings(&["board"]), strings(&["board"]), 2),
        ];
        for (slug, name, description, audience, posters, position) in &categories_to_make {
            categories::create(
                conn,
                &admin,
                NewCategory {
                    slug,
                    name,
                    description,
                    audience: Some(audience),
                    posters: Some(posters),
                    position: Some(*position),
                },
            )?;
        }

        let mut posts_made = 0usize;
        let mut threads_made = 0usize;
        // Writes a post as `who` the way the API would: mentions resolved
        // against who can read it, then rendered.
        let mut write = |conn: &mut AnyConnection, who: i64, place: Place, text: &str, reply_to: Option<i64>| {
            // A new thread's text is its title, a line break, then the opening post.
            let (title, body) = match place {
                Place::NewThread { .. } => text.split_once('\n').unwrap_or((text, text)),
                _ => ("", text),
            };
            let viewer = as_viewer(conn, &builtins, who)?;
            let names = markdown::mentions::candidates(body);
            let resolved = mentions::resolve(conn, &viewer, &builtins, &names, &place)?;
            let rendered = markdown::render_post(body, &resolved.mentions)?;
            let linked = resolved.linked(&rendered.mentions);
            posts_made += 1;
            match place {
                Place::NewThread { category, audience } => {
                    threads_made += 1;
                    let created = threads::create(
                        conn,
                        &viewer,
                        &builtins,
                        NewThread {
                            category: &category,
                            title,
                            body,
                            body_html: &rendered.html,
                            audience: audience.as_deref(),
                            mentions: &linked,
                            quotes: &rendered.quotes,
                        },
                    )?;
                    Ok::<_, ApiError>((created.thread.id, created.post.id))
                }
                Place::Reply { thread_id, audience } => {
                    let reply = NewReply {
                        body,
                        body_html: &rendered.html,
                        reply_to,
                        audience: audience.as_deref(),
                        mentions: &linked,
                        quotes: &rendered.quotes,
                    };
                    Ok((thread_id, posts::create(conn, &viewer, &builtins, thread_id, reply)?.id))
                }
                Place::Edit { .. } => Err(ApiError::bad_request("not a new post")),
            }
        };
        let new_thread = |category: &str, audience: Option<&[&str]>| Place::NewThread {
            category: category.to_owned(),
            audience: audience.map(&strings),
        };
        let in_thread =
            |thread_id: i64, audience: Option<&[&str]>| Place::Reply { thread_id, audience: audience.map(&strings) };
        let like = |conn: &mut AnyConnection, who: i64, post: i64| -> Result<(), ApiError> {
            let viewer = as_viewer(conn, &builtins, who)?;
            likes::like(conn, &viewer, post).map(|_| ())
        };

        // General: open to everyone, so a signed-out visitor sees a forum.
        let (welcome, welcome_post) = write(
            conn,
            jude,
            new_thread("general", None),
            "Welcome to the network's forum\n\
             This is where member co-operatives, worker members and friends of the network talk between \
             assemblies. Introduce yourself below: who you are, which co-op you belong to, and what you hope \
             to find here.\n\n\
             Some categories are open to everyone, some to signed-in members, and the board room to the board \
             only. A post can also be narrowed to some groups: you will always see who can read it.",
            None,
        )?;
        write(
            conn,
            ana,
            in_thread(welcome, None),
            "Hello from Lisbon! I support the network as a participant and help with translations. \
             Ask me about anything Portuguese.",
            None,
        )?;
        write(
            conn,
            kofi,
            in_thread(welcome, None),
            "Greetings from Accra. I am the delegate of a cocoa farmers' co-operative, a member enterprise \
             of the network since last year.",
            None,
        )?;
        for who in [ana, kofi, tobias] {
            like(conn, who, welcome_post)?;
        }

        // A long thread, with a board-only reply in the middle of an open discussion.
        let (software, software_post) = write(
            conn,
            tobias,
            new_thread("general", None),
            "Shared accounting software for small co-ops\n\
             Several of us pay for the same kinds of tools on our own. Could the network negotiate one \
             licence, or pick an open-source option and share the set-up work? Say what your co-op uses today \
             and what it must be able to do.",
            None,
        )?;
        let mut previous = software_post;
        for round in 0..5 {
            for (n, (who, text)) in LONG_THREAD.iter().enumerate() {
                let body = if round == 0 {
                    (*text).to_owned()
                } else {
                    format!("{text}\n\n(Round {} of the survey.)", round + 1)
                };
                let reply_to = (n % 3 == 0).then_some(previous);
                let (_, id) = write(conn, ids[*who], in_thread(software, None), &body, reply_to)?;
                previous = id;
                if n % 4 == 1 {
                    like(conn, ids[(who + 1) % ids.len()], id)?;
                }
            }
            if round == 2 {
                write(
                    conn,
                    maren,
                    in_thread(software, Some(&["board"])),
                    "For the board: the reserve fund could underwrite the first year's licence if at least ten \
                     member co-ops join. To be decided at the December board meeting.",
                    None,
                )?;
            }
        }

        // International: the thread this forum is modelled on.
        let opening = "International news, federation links and Board reports\n\
                       One thread for what our international representatives bring back from the European \
                       and global federations of industry and service co-operatives: Board reports, federation \
                       newsletters, and news of members working across borders.\n\n\
                       Once viewing levels are in place, Board reports here are for **enterprise and worker \
                       members** only.\n\n\
                       I hand over the federation seat next spring. If you would like to take it on, say so here.";
        let (thread_id, opening_post) = write(conn, maren, new_thread("international", None), opening, None)?;
        write(
            conn,
            tobias,
            in_thread(thread_id, None),
            "The European federation's summer newsletter is out: \
             [read it on their site](https://federation.example.org/newsletter/summer). \
             The piece on worker buyouts is worth your time.",
            None,
        )?;
        let report_text = "**Board report, July**\n\n\
             - Our application to the global federation was accepted at its general assembly, and I was \
             co-opted to its board until the next elections.\n\
             - A foundation close to one of our members has pledged a two-year grant for a mapping project \
             on digital co-operation.\n\n\
             Questions and reactions welcome in this thread.";
        let (_, report) = write(
            conn,
            maren,
            in_thread(thread_id, Some(&["enterprise-members", "worker-members"])),
            report_text,
            None,
        )?;
        // The report is edited once, so it has a history, and gains its PDF.
        let as_maren = as_viewer(conn, &builtins, maren)?;
        let attachment = crate::db::queries::uploads::create(
            conn,
            &as_maren,
            crate::db::queries::uploads::NewUpload {
                id: &report_upload,
                size: report_pdf.len() as i64,
                kind: crate::uploads::Kind::Pdf,
                filename: "board-report-july.pdf",
                storage_key: &report_key,
            },
        )?;
        let edited = format!(
            "{report_text}\n\n*Corrected: the grant runs for two years, not three.*\n\nThe full report: {}",
            attachment.markdown
        );
        posts::update(
            conn,
            &as_maren,
            &builtins,
            report,
            posts::NewText { body: &edited, body_html: &markdown::render(&edited)?, mentions: &[], quotes: &[] },
        )?;
        let (_, call) = write(
            conn,
            ana,
            in_thread(thread_id, None),
            "After our table at the autumn assembly I would like to gather people for an online call on \
             international solidarity, early December. Reply here if you want to join, @kofi and @tobias \
             especially.",
            None,
        )?;
        // The meeting time, written so that nobody can misread it.
        let day = next_december_14();
        write(
            conn,
            jude,
            in_thread(thread_id, None),
            &format!(
                "Confirmed: [date={day} time=15:00 timezone=\"Europe/London\"], one hour. \
                 Everyone sees it in their own time zone, with London time beside it."
            ),
            Some(call),
        )?;
        like(conn, kofi, opening_post)?;
        like(conn, tobias, call)?;
        // The call as the thread's event, with answers: it shows on the
        // events page and in calendar feeds, in every reader's own zone.
        let event = crate::calendar::meeting(&quorum_types::MeetingRequest {
            title: "Online call: international solidarity".into(),
            start: format!("{day}T15:00"),
            end: format!("{day}T16:00"),
            timezone: "Europe/London".into(),
            fold: None,
            place: None,
            link: Some("https://meet.demo.example.org/solidarity".into()),
            description: Some("One hour: what each co-op can offer, and who drafts the proposal.".into()),
        })?;
        let organiser = as_viewer(conn, &builtins, jude)?;
        meetings::put(conn, &organiser, thread_id, &event)?;
        for (who, answer) in [(ana, RsvpAnswer::Going), (tobias, RsvpAnswer::Going), (kofi, RsvpAnswer::Maybe)] {
            let viewer = as_viewer(conn, &builtins, who)?;
            meetings::answer(conn, &viewer, thread_id, answer)?;
        }

        // The board room: the board only.
        let (minutes, _) = write(
            conn,
            maren,
            new_thread("board", None),
            "Minutes of the November board meeting\n\
             Present: Maren, Inês. Decisions: the reserve fund policy is renewed for a year; the federation \
             seat is advertised in the international category; the licence question goes to December.",
            None,
        )?;
        write(
            conn,
            ines,
            in_thread(minutes, None),
            "Thanks, Maren. One correction: the reserve fund policy is renewed until the next general \
             assembly, not for a calendar year.",
            None,
        )?;
        Ok(format!(
            "loaded the demo forum: 4 groups, {} people (password {DEMO_PASSWORD:?}), 3 categories, \
             {threads_made} threads with {posts_made} posts",
            PEOPLE.len()
        ))
    })
}

/// The next 14 December (today's, if it is still ahead), as `YYYY-MM-DD`.
fn next_december_14() -> String {
    let today = now().date();
    let this_year = chrono::NaiveDate::from_ymd_opt(today.year(), 12, 14);
    let day = match this_year {
        Some(d) if d > today => d,
        _ => chrono::NaiveDate::from_ymd_opt(today.year() + 1, 12, 14).unwrap_or(today),
    };
    day.format("%Y-%m-%d").to_string()
}

const BULK_BATCH: usize = 1000;
const BULK_BATCHES_PER_TRANSACTION: usize = 50;

/// How many distinct rare words bulk posts carry (`ref0` … `ref49999`).
pub const RARE_WORDS: i64 = 50_000;

const BODIES: [&str; 8] = [
    "Thanks for sharing this. Our co-op discussed it at the last general meeting and we would like to take part.",
    "Here is the link to the federation's latest report: [annual report](https://federation.example.org/report). \
     Section 3 covers worker buyouts.",
    "Could someone summarise the main decisions for those of us who missed the call?\n\n- budget\n- next steps\n- who leads",
    "We tried something similar in our bakery co-op last year. The hardest part was agreeing on a schedule \
     that works across three time zones.",
    "**Update:** the working group meets again next month. Minutes from the last meeting are attached to \
     the board papers.",
    "+1 to this. Happy to help with translation into Spanish and Portuguese.",
    "A longer reflection on the exchange programme: it worked because each host co-op had a named contact, \
     a budget line, and a clear end date. Without those three it would have drifted.",
    "Does anyone have contacts at the Finnish federation? We are looking for partners for a worker exchange.",
];

/// A large, realistic data set: `threads` threads holding `posts` posts in
/// all, spread over categories with mixed audiences, some restricted
/// replies, replies-to and likes. Written in multi-row batches inside
/// transactions; markdown is rendered once per template.
pub fn bulk(db: &Db, thread_total: u64, post_total: u64) -> Result<String, ApiError> {
    if thread_total == 0 || post_total < thread_total {
        return Err(ApiError::bad_request("--threads must be at least 1 and --posts at least --threads"));
    }
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(2026);
    let hash = password::hash("bulk-password-2026")?;
    let rendered =
        BODIES.iter().map(|b| Ok(((*b).to_owned(), markdown::render(b)?))).collect::<Result<Vec<_>, ApiError>>()?;
    // What the search index holds of each template, computed once.
    let indexed: Vec<String> = rendered.iter().map(|(_, html)| search::body_text(html)).collect();

    // Groups, categories and people first, in one transaction.
    let user_count = (post_total / 500).clamp(50, 5000) as i64;
    let setup = db.write_blocking(|conn| {
        for (slug, name, description) in GROUPS {
            ensure_group(conn, slug, name, description)?;
        }
        let admin = crate::db::policy::Viewer::system();
        let plan: [(&str, &[&str], &[&str]); 4] = [
            ("bulk-general", &["everyone"], &["signed-in"]),
            ("bulk-members", &["signed-in"], &["signed-in"]),
            ("bulk-international", &["signed-in"], &["enterprise-members", "worker-members"]),
            ("bulk-board", &["board"], &["board"]),
        ];
        let mut category_ids = Vec::new();
        for (slug, audience, posters) in plan {
            let audience: Vec<String> = audience.iter().map(|s| (*s).to_owned()).collect();
            let posters: Vec<String> = posters.iter().map(|s| (*s).to_owned()).collect();
            if categories::readable_row(conn, &admin, slug).is_err() {
                categories::create(
                    conn,
                    &admin,
                    NewCategory {
                        slug,
                        name: slug,
                        description: "Generated for benchmarks.",
                        audience: Some(&audience),
                        posters: Some(&posters),
                        position: Some(10),
                    },
                )?;
            }
            let row = categories::readable_row(conn, &admin, slug)?;
            category_ids.push((row.id, slug == "bulk-board"));
        }
        let names = ["enterprise-members".to_owned(), "worker-members".to_owned()];
        let restricted = audiences::resolve(conn, &names, "audience")?.id;
        let group_ids: Vec<i64> = GROUPS
            .iter()
            .map(|(slug, _, _)| audiences::resolve(conn, &[(*slug).to_owned()], "audience").map(|a| a.group_ids[0]))
            .collect::<Result<_, _>>()?;
        let (max_user, max_thread, max_post) = bulk::max_ids(conn)?;
        let base = now();
        let people: Vec<bulk::UserRow> = (1..=user_count)
            .map(|n| bulk::UserRow {
                id: max_user + n,
                username: format!("bulk{}", max_user + n),
                email: format!("bulk{}@bulk.example.org", max_user + n),
                display_name: format!("Bulk Member {}", max_user + n),
                bio: String::new(),
                time_zone: "Europe/London".into(),
                password_hash: hash.clone(),
                token_generation: 0,
                created_at: base,
            })
            .collect();
        for chunk in people.chunks(BULK_BATCH / 10) {
            bulk::insert_users(conn, chunk)?;
        }
        // 40% enterprise, 40% worker, 20% participants, every 25th on the board.
        let members: Vec<bulk::MemberRow> = people
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                let main = match i % 5 {
                    0 | 1 => group_ids[0],
                    2 | 3 => group_ids[1],
                    _ => group_ids[2],
                };
                let mut rows = vec![bulk::MemberRow { group_id: main, user_id: p.id, created_at: base }];
                if i % 25 == 0 {
                    rows.push(bulk::MemberRow { group_id: group_ids[3], user_id: p.id, created_at: base });
                }
                rows
            })
            .collect();
        for chunk in members.chunks(BULK_BATCH / 5) {
            bulk::insert_members(conn, chunk)?;
        }
        Ok((category_ids, restricted, max_user, max_thread, max_post))
    })?;
    let (category_ids, restricted, first_user, first_thread, first_post) = setup;
    let user_id = |n: i64| first_user + 1 + n.rem_euclid(user_count);

    // Threads and posts, generated thread by thread and flushed in batches.
    let per_thread = post_total / thread_total;
    let extra = post_total % thread_total;
    let start = now() - Duration::seconds(post_total as i64 + 60);
    let mut post_id = first_post;
    let mut clock = 0i64;
    let mut pending_threads: Vec<bulk::ThreadRow> = Vec::new();
    let mut pending_posts: Vec<bulk::PostRow> = Vec::with_capacity(BULK_BATCH * BULK_BATCHES_PER_TRANSACTION);
    let mut pending_likes: Vec<bulk::LikeRow> = Vec::new();
    let mut written_posts = 0u64;
    let flush = |threads: &mut Vec<bulk::ThreadRow>, posts: &mut Vec<bulk::PostRow>, likes: &mut Vec<bulk::LikeRow>| {
        let (t, p, l) = (std::mem::take(threads), std::mem::take(posts), std::mem::take(likes));
        db.write_blocking(move |conn| {
            for chunk in t.chunks(BULK_BATCH) {
                bulk::insert_threads(conn, chunk)?;
            }
            for chunk in p.chunks(BULK_BATCH) {
                bulk::insert_posts(conn, chunk)?;
            }
            for chunk in l.chunks(BULK_BATCH) {
                bulk::insert_likes(conn, chunk)?;
            }
            Ok(())
        })
    };
    for t in 0..thread_total as i64 {
        let thread_id = first_thread + 1 + t;
        let (category_id, board_only) = category_ids[(t as usize) % category_ids.len()];
        let count = per_thread + u64::from((t as u64) < extra);
        let author = user_id(rng.gen_range(0..user_count));
        let thread_restricted = !board_only && t % 20 == 7;
        let created = start + Duration::seconds(clock);
        let mut bumped = created;
        let mut open_posts = 0;
        let first_post_id = post_id + 1;
        let title = format!("Generated thread {thread_id}: notes from the network");
        for number in 1..=count as i64 {
            post_id += 1;
            clock += 1;
            let at = start + Duration::seconds(clock);
            let template = rng.gen_range(0..rendered.len());
            let (body, html) = &rendered[template];
            // A rare word per post (each in about one post in RARE_WORDS), so
            // searches for rare words have something to find.
            let rare = format!("ref{}", post_id % RARE_WORDS);
            let narrowed = number > 1 && !board_only && !thread_restricted && rng.gen_ratio(1, 10);
            if !narrowed {
                bumped = at;
                open_posts += 1;
            }
            let like_count = if rng.gen_ratio(1, 8) { rng.gen_range(1..=3) } else { 0 };
            let post_author = if number == 1 { author } else { user_id(rng.gen_range(0..user_count)) };
            for k in 0..like_count {
                let liker = user_id(post_author - first_user + 1 + k);
                pending_likes.push(bulk::LikeRow { post_id, user_id: liker, created_at: at });
            }
            pending_posts.push(bulk::PostRow {
                id: post_id,
                thread_id,
                number: number as i32,
                author_id: post_author,
                reply_to_id: (number > 2 && rng.gen_ratio(1, 5)).then(|| rng.gen_range(first_post_id..post_id)),
                audience_id: narrowed.then_some(restricted),
                body: format!("{body}\n\n{rare}"),
                body_html: format!("{html}<p>{rare}</p>\n"),
                like_count,
                created_at: at,
                edited_at: None,
                deleted_at: None,
                search_title: if number == 1 { search::title_text(1, &title) } else { String::new() },
                search_body: format!("{} {rare}", indexed[template]),
            });
        }
        pending_threads.push(bulk::ThreadRow {
            id: thread_id,
            category_id,
            author_id: author,
            title,
            audience_id: thread_restricted.then_some(restricted),
            pinned: t < 3,
            locked: false,
            post_counter: count as i32,
            open_posts,
            created_at: created,
            bumped_at: bumped,
            deleted_at: None,
        });
        if pending_posts.len() >= BULK_BATCH * BULK_BATCHES_PER_TRANSACTION {
            written_posts += pending_posts.len() as u64;
            flush(&mut pending_threads, &mut pending_posts, &mut pending_likes)?;
        }
    }
    written_posts += pending_posts.len() as u64;
    flush(&mut pending_threads, &mut pending_posts, &mut pending_likes)?;
    db.write_blocking(|conn| Ok(bulk::sync_sequences(conn)?))?;
    db.read_blocking(|conn| Ok(bulk::analyze(conn)?))?;
    Ok(format!(
        "generated {user_count} people, {thread_total} threads and {written_posts} posts in {:.1} s",
        started.elapsed().as_secs_f64()
    ))
}
