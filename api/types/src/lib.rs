//! Wire types of the Quorum API: what goes over HTTP, nothing about storage.
//! Compiles without diesel so the SPA (wasm32) can share it; `ToSchema`
//! derives sit behind the `openapi` feature.

mod admin;
mod error;
mod forum;
pub mod lenient;
mod living;
mod meetings;
mod member_data;
mod people;
mod search;
mod site;

pub use admin::*;
pub use error::{ErrorCode, FieldErrors, Problem};
pub use forum::*;
pub use living::*;
pub use meetings::*;
pub use member_data::*;
pub use people::*;
pub use search::*;
pub use site::*;

use serde::{Deserialize, Serialize};

/// Reserved audience name: every visitor, anonymous included.
pub const AUDIENCE_EVERYONE: &str = "everyone";
/// Reserved audience name: any signed-in account.
pub const AUDIENCE_SIGNED_IN: &str = "signed-in";
/// Built-in group whose members see and do everything.
pub const GROUP_ADMINS: &str = "admins";
/// Built-in group whose members pin, lock, move and moderate what they can read.
pub const GROUP_MODERATORS: &str = "moderators";

/// Default and largest page sizes for every list endpoint.
pub const DEFAULT_PAGE_LIMIT: u32 = 20;
pub const MAX_PAGE_LIMIT: u32 = 100;

/// One page of a keyset-paginated list. `next_cursor` is opaque; pass it
/// back as `?cursor=` to get the following page, `null` on the last page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `?cursor=&limit=` accepted by every paginated list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[serde(default, deserialize_with = "crate::lenient::opt_int_query")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}
