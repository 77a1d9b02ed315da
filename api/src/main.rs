//! The `quorum` binary: serve, migrate, backup, restore, export, import,
//! openapi, admin, seed, reindex, check.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use quorum::config::Settings;
use quorum::db::Db;
use quorum::startup::Application;

#[derive(Parser)]
#[command(name = "quorum", version, about = "A discussion forum for networks of co-operatives")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (and the web app, when built).
    Serve {
        /// Address to listen on (also QUORUM_BIND).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply pending database migrations (the server also applies them at
    /// start, under a lock).
    Migrate {
        /// List the migrations that would run, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a consistent copy of the database to FILE while the forum runs
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump --format=custom).
    Backup {
        /// A new file: an existing one is never overwritten.
        file: std::path::PathBuf,
    },
    /// Restore a backup made by `quorum backup` into an empty database.
    Restore { file: std::path::PathBuf },
    /// Write the whole forum as versioned JSON lines, for `quorum import`
    /// on either backend. Safe while the forum runs.
    Export {
        /// A new file (never overwritten); standard output when `-` or absent.
        file: Option<std::path::PathBuf>,
        /// Also write what signs people in: password hashes, sessions,
        /// access tokens, calendar feed secrets, invitation codes' hashes,
        /// the token signing secret, and queued mail. Without it, imported
        /// accounts have no password.
        #[arg(long)]
        with_secrets: bool,
    },
    /// Read a file written by `quorum export` into an EMPTY database, in one
    /// transaction (`-`: standard input).
    Import { file: std::path::PathBuf },
    /// Print the OpenAPI document.
    Openapi,
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Load data: the demo forum, or a large set for benchmarks.
    Seed(SeedArgs),
    /// Rebuild the full-text search index from every post's text.
    Reindex,
    /// Check the database's integrity and Quorum's stored counters; exits
    /// non-zero when any check fails.
    Check,
    /// Remove uploads no post references once older than
    /// QUORUM_UPLOAD_UNUSED_AFTER (the server does this by itself every
    /// QUORUM_UPLOAD_SWEEP_INTERVAL).
    SweepUploads,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an administrator; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Set a member's password (one who forgot theirs, on a forum that
    /// sends no e-mail); read from standard input. Signs the member out
    /// everywhere.
    SetPassword {
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Args)]
struct SeedArgs {
    /// The demo forum: groups, people and an international thread.
    #[arg(long, conflicts_with = "bulk")]
    demo: bool,
    /// A large generated data set.
    #[arg(long, requires_all = ["threads", "posts"])]
    bulk: bool,
    /// Threads to generate with --bulk.
    #[arg(long)]
    threads: Option<u64>,
    /// Posts to generate with --bulk, spread over the threads.
    #[arg(long)]
    posts: Option<u64>,
}

fn main() -> ExitCode {
    quorum::telemetry::init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("quorum: {message}");
            ExitCode::FAILURE
        }
    }
}

fn settings() -> Result<Settings, String> {
    Settings::from_env()
}

fn open_db(settings: &Settings) -> Result<Db, String> {
    let db = Db::connect(&settings.database_url, 2).map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    Ok(db)
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Openapi => {
            let mut out = std::io::stdout().lock();
            out.write_all(quorum::openapi::document_json().as_bytes()).map_err(|e| format!("writing the document: {e}"))
        }
        Command::Migrate { dry_run } => {
            let settings = settings()?;
            if dry_run {
                let pending = quorum::db::pending_migrations(&settings.database_url).map_err(|e| e.to_string())?;
                if pending.is_empty() {
                    println!("no pending migrations");
                } else {
                    println!("{} pending migration(s), would run in this order:", pending.len());
                    for name in pending {
                        println!("  {name}");
                    }
                }
                return Ok(());
            }
            let db = Db::connect(&settings.database_url, 1).map_err(|e| e.to_string())?;
            let applied = db.migrate().map_err(|e| e.to_string())?;
            println!("applied {applied} migration(s)");
            Ok(())
        }
        Command::Backup { file } => {
            let settings = settings()?;
            let summary = quorum::backup::backup(&settings.database_url, &file)?;
            println!("{summary}");
            Ok(())
        }
        Command::Restore { file } => {
            let settings = settings()?;
            let summary = quorum::backup::restore(&settings.database_url, &file)?;
            println!("{summary}");
            Ok(())
        }
        Command::Export { file, with_secrets } => {
            let settings = settings()?;
            let file = file.filter(|f| f.as_os_str() != "-");
            let summary = quorum::portable::export(&settings.database_url, file.as_deref(), with_secrets)?;
            // The export itself may be on standard output.
            if file.is_some() {
                println!("{summary}");
            } else {
                eprintln!("{summary}");
            }
            Ok(())
        }
        Command::Import { file } => {
            let settings = settings()?;
            let summary = quorum::portable::import(&settings.database_url, &file)?;
            println!("{summary}");
            Ok(())
        }
        Command::Serve { bind } => {
            let mut settings = settings()?;
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            serve(settings)
        }
        Command::Admin { command: AdminCommand::Create { username, email, password_stdin: _ } } => {
            let settings = settings()?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let db = open_db(&settings)?;
            let id = quorum::admin::create_admin(&db, &username, &email, password).map_err(|e| e.to_string())?;
            println!("created administrator {username} (id {id})");
            Ok(())
        }
        Command::Admin { command: AdminCommand::SetPassword { username, password_stdin: _ } } => {
            let settings = settings()?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let db = open_db(&settings)?;
            quorum::admin::set_password(&db, &username, password).map_err(|e| e.to_string())?;
            println!("set the password of {username}; their sessions are signed out");
            Ok(())
        }
        Command::Check => {
            let settings = settings()?;
            let db = Db::connect(&settings.database_url, 1).map_err(|e| e.to_string())?;
            let report = quorum::check::run(&db)?;
            println!("{report}");
            report.passed().then_some(()).ok_or_else(|| "the database failed its checks".to_string())
        }
        Command::Reindex => {
            let settings = settings()?;
            let db = open_db(&settings)?;
            let started = std::time::Instant::now();
            // A progress line only on a terminal; logs get the summary alone.
            let terminal = std::io::stderr().is_terminal();
            let mut shown = 0u64;
            let indexed = quorum::db::queries::search::reindex(&db, |p| {
                if terminal && (p.done - shown >= 20_000 || p.done == p.total) {
                    shown = p.done;
                    let percent = p.done * 100 / p.total.max(1);
                    eprint!("\rindexing posts: {}/{} ({percent}%)   ", p.done, p.total);
                }
            })
            .map_err(|e| e.to_string())?;
            if terminal && shown > 0 {
                eprintln!();
            }
            println!("indexed {indexed} posts in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::SweepUploads => {
            let settings = settings()?;
            let db = open_db(&settings)?;
            let started = std::time::Instant::now();
            let files = quorum::uploads::LocalStore::new(&settings.uploads.dir);
            let removed =
                quorum::uploads::sweep(&db, &files, settings.uploads.unused_after).map_err(|e| e.to_string())?;
            println!("removed {removed} unused upload(s) in {:.1?}", started.elapsed());
            Ok(())
        }
        Command::Seed(args) => {
            let settings = settings()?;
            let db = open_db(&settings)?;
            if args.demo {
                let files = quorum::uploads::LocalStore::new(&settings.uploads.dir);
                let summary = quorum::seed::demo(&db, &files).map_err(|e| e.to_string())?;
                println!("{summary}");
                Ok(())
            } else if args.bulk {
                let (threads, posts) = (args.threads.unwrap_or(0), args.posts.unwrap_or(0));
                let summary = quorum::seed::bulk(&db, threads, posts).map_err(|e| e.to_string())?;
                println!("{summary}");
                Ok(())
            } else {
                Err("say what to seed: --demo, or --bulk --threads N --posts M".into())
            }
        }
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone()).await.map_err(|e| e.to_string())?;
        let host = settings.bind.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h).to_owned();
        tracing::info!(url = %format!("http://{host}:{}/", app.port()), "Quorum is listening");
        println!("Quorum is listening on http://{host}:{}/", app.port());
        if let Some(token) = app.setup_token() {
            // An address to open in a browser: "any address" means this machine.
            let local = match host.as_str() {
                "0.0.0.0" => "127.0.0.1",
                "[::]" => "[::1]",
                other => other,
            };
            // On the terminal only: logs are often shipped elsewhere, and the
            // token is the key to the first admin account.
            let url = format!("http://{local}:{}/setup#{token}", app.port());
            tracing::info!("No admin account yet: the set-up link is printed on standard output");
            println!("No admin account yet. Create one at {url}");
        }
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}
