//! The people and groups of a small co-operative network, modelled on the
//! seed thread: enterprise members, worker members, other participants, a
//! board, and a moderator with no special right to read.

use crate::{Account, TestApp};

pub const ENTERPRISE: &str = "enterprise-members";
pub const WORKERS: &str = "worker-members";
pub const PARTICIPANTS: &str = "participants";
pub const BOARD: &str = "board";

pub struct Coop {
    pub admin: Account,
    /// In `participants` only.
    pub participant: Account,
    /// In `worker-members`.
    pub worker: Account,
    /// In `enterprise-members`.
    pub enterprise: Account,
    /// The international rep: `board`, `enterprise-members` and `worker-members`.
    pub rep: Account,
    /// In `moderators` and `participants`.
    pub moderator: Account,
}

impl Coop {
    pub const GROUPS: [&'static str; 4] = [ENTERPRISE, WORKERS, PARTICIPANTS, BOARD];

    /// Creates the four groups and six accounts (one admin, five members).
    pub async fn create(app: &TestApp) -> Coop {
        let admin = app.admin().await;
        for slug in Self::GROUPS {
            app.create_group(&admin, slug).await;
        }
        let participant = app.member(&admin, "pat", &[PARTICIPANTS]).await;
        let worker = app.member(&admin, "wren", &[WORKERS]).await;
        let enterprise = app.member(&admin, "ezra", &[ENTERPRISE]).await;
        let rep = app.member(&admin, "rhiannon", &[BOARD, ENTERPRISE, WORKERS]).await;
        let moderator = app.member(&admin, "morgan", &[quorum_types::GROUP_MODERATORS, PARTICIPANTS]).await;
        Coop { admin, participant, worker, enterprise, rep, moderator }
    }
}
