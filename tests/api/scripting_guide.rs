//! The scripting guide (docs/scripting.md) cannot rot: its `sh` examples
//! run, in order, with bash, curl and jq against a live server, and what
//! they claim to do is checked in the database.

use std::process::Command;

use quorum_tests::{both_backends, TestApp, PASSWORD};

/// The `sh` code blocks of the guide, in order.
fn examples() -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scripting.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

both_backends! {
    async fn the_scripting_guide_runs_as_written(app: TestApp) {
        let blocks = examples();
        assert!(blocks.len() >= 7, "expected the guide's examples, found {}", blocks.len());
        let admin = app.admin_named("ada").await;
        for name in ["maren", "tobias", "jude"] {
            app.register(name).await;
        }
        // The thread the guide moves, in a category the guide does not make.
        app.create_category(&admin, "general", &["signed-in"], &["signed-in"]).await;
        app.create_thread(&admin, "general", "Exchange visit to Bologna", "Who would like to come?", None).await;

        let dir = std::env::temp_dir().join(format!("quorum-guide-{:016x}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let script = format!("set -euo pipefail\n{}", blocks.join("\n"));
        let output = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(&dir)
            .env("QUORUM", &app.address)
            .env("ADMIN", "ada")
            .env("PASSWORD", PASSWORD)
            .output()
            .unwrap_or_else(|e| panic!("bash: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "the guide failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}");

        // What the guide says it did.
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM access_tokens WHERE name = 'membership sync'"), 1);
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM groups WHERE slug IN ('enterprise-members', 'worker-members', 'participants', 'board')"), 4);
        assert_eq!(
            app.count("SELECT COUNT(*) AS n FROM group_members gm JOIN groups g ON g.id = gm.group_id JOIN users u ON u.id = gm.user_id \
                       WHERE g.slug = 'worker-members' AND u.username IN ('maren', 'tobias')"),
            2
        );
        assert!(stdout.contains("someone-new"), "the unknown name is reported: {stdout}");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM categories WHERE slug = 'federation'"), 1);
        assert_eq!(
            app.count("SELECT COUNT(*) AS n FROM threads t JOIN categories c ON c.id = t.category_id \
                       WHERE t.title = 'Exchange visit to Bologna' AND c.slug = 'federation'"),
            1
        );
        let audit = std::fs::read_to_string(dir.join("audit.csv")).unwrap_or_default();
        assert!(audit.lines().count() > 5 && audit.contains("thread.moved"), "{audit}");
        assert_eq!(app.count("SELECT COUNT(*) AS n FROM posts WHERE body LIKE 'The federation confirmed%'"), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
