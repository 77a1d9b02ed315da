//! What a viewer may do: one function, [`allows`], behind every check the
//! API makes and every `can_*` flag it returns, so a flag never offers what
//! the API then refuses. Read rights are decided first, by the queries'
//! predicates: a target here is always one the viewer can read.

use quorum_types::ErrorCode;

use super::{Credential, Scope, Viewer};
use crate::error::ApiError;

/// Everything a member, moderator or admin can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    StartThread,
    Reply,
    /// Retitle.
    EditThread,
    DeleteThread,
    PinThread,
    LockThread,
    MoveThread,
    RestoreThread,
    EditPost,
    DeletePost,
    ViewHistory,
    LikePost,
    FlagPost,
    HidePost,
    RestorePost,
    /// The moderators' queue of flagged posts.
    ReviewFlags,
    /// The list of deleted threads and replies, to restore from.
    ReviewDeleted,
    /// Groups and memberships.
    ManageGroups,
    ManageCategories,
    /// Accounts: list, suspend, their tokens.
    ManageUsers,
    ManageSettings,
    ManageInvites,
    ViewAudit,
    /// Profile, password.
    EditProfile,
    /// Create and revoke one's own personal access tokens (and calendar feed).
    ManageOwnTokens,
    /// Create, change or cancel a thread's event: its author (the
    /// organiser) or a moderator, like retitling.
    ScheduleEvent,
    /// Answer going / maybe / not going to an event.
    Rsvp,
    /// Answer yes / if need be / no to a date poll's slots.
    AnswerPoll,
    /// Download the archive of one's own data.
    ExportOwnData,
    /// Upload a file to put in a post.
    Upload,
    /// Delete one's own account (a signed-in session only).
    DeleteOwnAccount,
}

/// What a category's facts are, for starting threads in it.
#[derive(Debug, Clone, Copy)]
pub struct CategoryFacts {
    pub posters_audience_id: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct ThreadFacts {
    pub author_id: i64,
    pub locked: bool,
    /// Whether others have live replies in it that the viewer can read
    /// (only consulted for an author deleting their thread).
    pub replies_by_others: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct PostFacts {
    pub author_id: i64,
    pub thread_locked: bool,
    /// The first post carries the thread.
    pub opens_thread: bool,
    pub hidden: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct MeetingFacts {
    pub cancelled: bool,
}

/// What an action is done to.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A thread's event (of a thread the viewer can read).
    Meeting(MeetingFacts),
    /// The forum as a whole (administration, moderation queues, oneself).
    Site,
    Category(CategoryFacts),
    Thread(ThreadFacts),
    Post(PostFacts),
}

/// Why an action is refused, as the API will say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: &'static str,
    /// For refusals that are a request field's fault.
    pub field: Option<&'static str>,
}

impl Refusal {
    fn new(code: ErrorCode, message: &'static str) -> Refusal {
        Refusal { code, message, field: None }
    }

    fn forbidden(message: &'static str) -> Refusal {
        Refusal::new(ErrorCode::Forbidden, message)
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        match r.field {
            Some(field) => ApiError::field(field, r.message),
            None => ApiError::new(r.code, r.message),
        }
    }
}

/// Whether `viewer` may do `action` to `target` (which they can read).
pub fn allows(viewer: &Viewer, action: Action, target: Target) -> Result<(), Refusal> {
    if viewer.credential == Credential::System {
        return Ok(());
    }
    let Some(account) = &viewer.account else {
        return Err(Refusal::new(ErrorCode::Unauthorized, "sign in first: send a valid bearer token"));
    };
    let moderator = account.is_admin || account.is_moderator;
    let admin = account.is_admin;
    let own = |author_id: i64| author_id == account.id;
    use Action::*;
    let scope = match (action, target) {
        (StartThread, Target::Category(c)) => {
            if !viewer.scope.includes(c.posters_audience_id) {
                return Err(Refusal::forbidden("you may reply here but not start threads in this category"));
            }
            Scope::Write
        }
        (Reply, Target::Thread(t)) => {
            if t.locked && !moderator {
                return Err(Refusal::new(ErrorCode::ThreadLocked, "this thread is locked"));
            }
            if t.locked {
                Scope::Moderate
            } else {
                Scope::Write
            }
        }
        (EditThread | ScheduleEvent, Target::Thread(t)) => author_or_moderator(own(t.author_id), moderator, t.locked)?,
        (AnswerPoll, Target::Thread(_)) => Scope::Write,
        (Rsvp, Target::Meeting(m)) => {
            if m.cancelled {
                return Err(Refusal::new(ErrorCode::Conflict, "this event is cancelled"));
            }
            Scope::Write
        }
        (DeleteThread, Target::Thread(t)) => {
            if moderator && !own(t.author_id) {
                Scope::Moderate
            } else if own(t.author_id) {
                if t.locked && !moderator {
                    return Err(Refusal::new(ErrorCode::ThreadLocked, "this thread is locked"));
                }
                // Once others have replied, their posts go only by a moderator's decision.
                if t.replies_by_others && !moderator {
                    return Err(Refusal::forbidden("others have replied: ask a moderator to remove this thread"));
                }
                if moderator && (t.replies_by_others || t.locked) {
                    Scope::Moderate
                } else {
                    Scope::Write
                }
            } else {
                return Err(Refusal::forbidden("only the author or a moderator may delete this thread"));
            }
        }
        (PinThread | LockThread | MoveThread | RestoreThread, Target::Thread(_))
        | (HidePost | RestorePost, Target::Post(_))
        | (ReviewFlags | ReviewDeleted, Target::Site) => {
            if !moderator {
                return Err(Refusal::forbidden("only moderators may do this"));
            }
            Scope::Moderate
        }
        (EditPost, Target::Post(p)) => author_or_moderator(own(p.author_id), moderator, p.thread_locked)?,
        (DeletePost, Target::Post(p)) => {
            let scope = author_or_moderator(own(p.author_id), moderator, p.thread_locked)?;
            if p.opens_thread {
                return Err(Refusal {
                    code: ErrorCode::ValidationFailed,
                    message: "the first post carries the thread: delete the thread instead",
                    field: Some("id"),
                });
            }
            scope
        }
        (ViewHistory, Target::Post(p)) => {
            if own(p.author_id) {
                Scope::Read
            } else if moderator {
                Scope::Moderate
            } else {
                return Err(Refusal::forbidden("the edit history is for the author and moderators"));
            }
        }
        (LikePost, Target::Post(p)) => {
            if own(p.author_id) {
                return Err(Refusal::new(ErrorCode::CannotLikeOwnPost, "you cannot like your own post"));
            }
            if p.hidden {
                return Err(Refusal::forbidden("a hidden post cannot be liked"));
            }
            Scope::Write
        }
        (FlagPost, Target::Post(p)) => {
            if own(p.author_id) {
                return Err(Refusal::forbidden("you cannot flag your own post; edit or delete it instead"));
            }
            if p.hidden {
                return Err(Refusal::forbidden("a moderator has hidden this post already"));
            }
            Scope::Write
        }
        (ManageGroups | ManageCategories | ManageUsers | ManageSettings | ManageInvites | ViewAudit, Target::Site) => {
            if !admin {
                return Err(Refusal::forbidden("only administrators may do this"));
            }
            Scope::Admin
        }
        (EditProfile | Upload, Target::Site) => Scope::Write,
        (ExportOwnData, Target::Site) => Scope::Read,
        (DeleteOwnAccount, Target::Site) => {
            // Irreversible, so never at the hands of a token a script holds.
            if matches!(viewer.credential, Credential::AccessToken { .. }) {
                return Err(Refusal::forbidden("personal access tokens cannot delete an account: sign in to do that"));
            }
            Scope::Write
        }
        (ManageOwnTokens, Target::Site) => {
            if matches!(viewer.credential, Credential::AccessToken { .. }) {
                return Err(Refusal::forbidden("personal access tokens cannot manage tokens: sign in to do that"));
            }
            Scope::Write
        }
        _ => return Err(Refusal::forbidden("this action does not apply here")),
    };
    if viewer.has_scope(scope) {
        Ok(())
    } else {
        Err(Refusal::new(ErrorCode::InsufficientScope, insufficient(scope)))
    }
}

/// `allows`, for a `can_*` flag.
pub fn can(viewer: &Viewer, action: Action, target: Target) -> bool {
    allows(viewer, action, target).is_ok()
}

/// `allows`, as a request's check: the refusal becomes the API's answer.
pub fn require(viewer: &Viewer, action: Action, target: Target) -> Result<(), ApiError> {
    allows(viewer, action, target).map_err(ApiError::from)
}

/// Authors change their own content, moderators anyone's; once the thread
/// is locked, only moderators.
fn author_or_moderator(own: bool, moderator: bool, locked: bool) -> Result<Scope, Refusal> {
    if !own && !moderator {
        return Err(Refusal::forbidden("only the author or a moderator may change this"));
    }
    if locked && !moderator {
        return Err(Refusal::new(ErrorCode::ThreadLocked, "this thread is locked"));
    }
    Ok(if own && !locked { Scope::Write } else { Scope::Moderate })
}

fn insufficient(scope: Scope) -> &'static str {
    match scope {
        Scope::Read => "this access token lacks the read scope",
        Scope::Write => "this access token lacks the write scope",
        Scope::Moderate => "this access token lacks the moderate scope",
        Scope::Admin => "this access token lacks the admin scope",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::policy::{Account, ReadScope};

    fn viewer(id: i64, moderator: bool, admin: bool, credential: Credential) -> Viewer {
        Viewer {
            account: Some(Account { id, username: format!("u{id}"), is_admin: admin, is_moderator: moderator }),
            principals: vec![1, 2],
            scope: ReadScope::Audiences(vec![1]),
            credential,
            address: None,
        }
    }

    fn post(author_id: i64) -> Target {
        Target::Post(PostFacts { author_id, thread_locked: false, opens_thread: false, hidden: false })
    }

    #[test]
    fn tokens_never_exceed_their_scopes_or_their_account() {
        let read_only = viewer(1, true, false, Credential::AccessToken { id: 9, scopes: vec![Scope::Read] });
        assert_eq!(
            allows(&read_only, Action::LikePost, post(2)).err().map(|r| r.code),
            Some(ErrorCode::InsufficientScope)
        );
        assert!(can(&read_only, Action::ViewHistory, post(1)));
        let writer =
            viewer(1, false, false, Credential::AccessToken { id: 9, scopes: vec![Scope::Write, Scope::Admin] });
        assert!(can(&writer, Action::LikePost, post(2)));
        // The admin scope on a member's token grants nothing the member lacks.
        assert!(!can(&writer, Action::ManageGroups, Target::Site));
        assert!(!can(&writer, Action::ManageOwnTokens, Target::Site));
        let moderator = viewer(1, true, false, Credential::AccessToken { id: 9, scopes: vec![Scope::Write] });
        // Editing someone else's post is moderation: the write scope is not enough.
        assert!(!can(&moderator, Action::EditPost, post(2)));
        assert!(can(&moderator, Action::EditPost, post(1)));
    }

    #[test]
    fn nobody_likes_their_own_post_and_anonymous_does_nothing() {
        let member = viewer(1, false, false, Credential::Session);
        assert_eq!(
            allows(&member, Action::LikePost, post(1)).err().map(|r| r.code),
            Some(ErrorCode::CannotLikeOwnPost)
        );
        let anonymous = Viewer { credential: Credential::Anonymous, ..Viewer::system() };
        assert_eq!(allows(&anonymous, Action::Reply, post(1)).err().map(|r| r.code), Some(ErrorCode::Unauthorized));
    }
}
