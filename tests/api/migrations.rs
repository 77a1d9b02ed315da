//! Both migration trees hold the same migrations, each reversible.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn migration_dirs(backend: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(backend);
    let entries = std::fs::read_dir(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()));
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn sqlite_and_postgres_have_the_same_reversible_migrations() {
    let sqlite = migration_dirs("sqlite");
    let postgres = migration_dirs("postgres");
    assert!(!sqlite.is_empty(), "no migrations under migrations/sqlite");
    assert_eq!(sqlite, postgres, "migration folder names differ between sqlite and postgres");
    for backend in ["sqlite", "postgres"] {
        for name in &sqlite {
            let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(backend).join(name);
            for file in ["up.sql", "down.sql"] {
                let sql =
                    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{backend}/{name}/{file}: {e}"));
                if file == "up.sql" {
                    assert!(!sql.trim().is_empty(), "{backend}/{name}/{file} is empty");
                }
            }
        }
    }
}
