//! `/admin/audit`: who did what, newest first, filtered by actor and action.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use quorum_types::AuditEntry;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{ErrorBox, Loading, TimeAgo};
use crate::pages::admin::AdminOnly;
use crate::pages::set_title;
use crate::paging::Paging;

/// Action families to pick from; the API also takes any exact action.
const FAMILIES: [(&str, &str); 10] = [
    ("", "All actions"),
    ("user.", "Suspensions (user.)"),
    ("settings.", "Settings (settings.)"),
    ("group.", "Groups (group.)"),
    ("category.", "Categories (category.)"),
    ("thread.", "Threads (thread.)"),
    ("post.", "Posts (post.)"),
    ("flag.", "Flags (flag.)"),
    ("token.", "Tokens (token.)"),
    ("invite.", "Invitations (invite.)"),
];

/// A before or after value on one line; nothing for none.
pub fn compact(value: &Option<serde_json::Value>) -> String {
    match value {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(v) => v.to_string(),
    }
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line
/// break; a leading `=`, `+`, `-` or `@` gets a `'` first, so a spreadsheet
/// never runs a cell as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// The entries as CSV, a header line first, lines ending in CRLF.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("id,created_at,actor,action,target,before,after,client_address\r\n");
    for e in entries {
        let fields = [
            e.id.to_string(),
            e.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.actor.as_ref().map(|a| a.username.clone()).unwrap_or_else(|| "system".into()),
            e.action.clone(),
            e.target.clone(),
            compact(&e.before),
            compact(&e.after),
            e.client_address.clone().unwrap_or_default(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Every entry matching the filter, page after page, as a CSV download.
async fn export_csv(actor: String, action: String) -> Result<usize, ApiError> {
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![("limit", "100")];
        if !actor.trim().is_empty() {
            params.push(("actor", actor.trim()));
        }
        if !action.trim().is_empty() {
            params.push(("action", action.trim()));
        }
        let page = api::page::<AuditEntry>("/admin/audit", cursor.as_deref(), &params).await?;
        entries.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let csv = to_csv(&entries);
    let href = format!("data:text/csv;charset=utf-8,{}", js_sys::encode_uri_component(&csv));
    let name = format!("audit-{}.csv", crate::time::now().format("%Y-%m-%d"));
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        if let Ok(a) = doc.create_element("a") {
            let _ = a.set_attribute("href", &href);
            let _ = a.set_attribute("download", &name);
            if let Some(body) = doc.body() {
                let _ = body.append_child(&a);
                if let Some(a) = a.dyn_ref::<web_sys::HtmlElement>() {
                    a.click();
                }
                let _ = body.remove_child(&a);
            }
        }
    }
    Ok(entries.len())
}

#[component]
pub fn Audit() -> impl IntoView {
    set_title(|| Some("Audit log".into()));
    view! {
        <AdminOnly>
            <AuditBody/>
        </AdminOnly>
    }
}

#[component]
fn AuditBody() -> impl IntoView {
    let query = use_query_map();
    let actor = RwSignal::new(query.with_untracked(|q| q.get("actor")).unwrap_or_default());
    let action = RwSignal::new(query.with_untracked(|q| q.get("action")).unwrap_or_default());
    let entries = RwSignal::new(Paging::<AuditEntry>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let (actor, action) = (actor.get_untracked(), action.get_untracked());
        let cursor = if reset { None } else { entries.with_untracked(|p| p.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        if reset {
            entries.set(Paging::default());
        }
        spawn_local(async move {
            let mut params = vec![("limit", "50")];
            if !actor.trim().is_empty() {
                params.push(("actor", actor.trim()));
            }
            if !action.trim().is_empty() {
                params.push(("action", action.trim()));
            }
            match api::page::<AuditEntry>("/admin/audit", cursor.as_deref(), &params).await {
                Ok(page) => entries.update(|p| p.push(page, |e| e.id)),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    load(true);
    let exporting = RwSignal::new(false);
    let exported = RwSignal::new(None::<usize>);
    let export = move |_| {
        exporting.set(true);
        exported.set(None);
        error.set(None);
        spawn_local(async move {
            match export_csv(actor.get_untracked(), action.get_untracked()).await {
                Ok(n) => exported.set(Some(n)),
                Err(e) => error.set(Some(e)),
            }
            exporting.set(false);
        });
    };
    let filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load(true);
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin">"Administration"</a></nav>
        <h1>"Audit log"</h1>
        <p class="meta">"Every administrator and moderator action and every change of rights, newest first."</p>
        <form class="inline-form" role="search" aria-label="Filter the audit log" on:submit=filter>
            <div class="field">
                <label for="field-audit-actor">"Actor (username)"</label>
                <input id="field-audit-actor" type="text" bind:value=actor/>
            </div>
            <div class="field">
                <label for="field-audit-action">"Action"</label>
                <input id="field-audit-action" type="text" list="audit-families" bind:value=action placeholder="e.g. user.suspended or group."/>
                <datalist id="audit-families">
                    {FAMILIES.into_iter().skip(1).map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </datalist>
            </div>
            <button type="submit">"Filter"</button>
            <button type="button" disabled=move || exporting.get() on:click=export>
                {move || if exporting.get() { "Exporting…" } else { "Export as CSV" }}
            </button>
        </form>
        <p role="status" class="saved">{move || exported.get().map(|n| format!("Exported {n} entries."))}</p>
        {move || error.get().map(|e| view! { <ErrorBox error=e/> })}
        {move || {
            (entries.with(|p| p.loaded && p.items.is_empty()) && !loading.get())
                .then(|| view! { <p class="muted">"No entries match."</p> })
        }}
        <table class="audit">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Actor"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Target"</th>
                    <th scope="col">"Before"</th>
                    <th scope="col">"After"</th>
                    <th scope="col">"From"</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || entries.with(|p| p.items.clone()) key=|e| e.id let:entry>
                    <tr>
                        <td><TimeAgo at=entry.created_at/></td>
                        <td>{entry.actor.as_ref().map(|a| a.username.clone()).unwrap_or_else(|| "system".into())}</td>
                        <td><code>{entry.action.clone()}</code></td>
                        <td><code>{entry.target.clone()}</code></td>
                        <td class="json">{compact(&entry.before)}</td>
                        <td class="json">{compact(&entry.after)}</td>
                        <td>{entry.client_address.clone().unwrap_or_default()}</td>
                    </tr>
                </For>
            </tbody>
        </table>
        {move || {
            if loading.get() {
                view! { <Loading/> }.into_any()
            } else if entries.with(|p| p.has_more()) {
                view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more entries"</button> }
                    .into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::compact;
    use serde_json::json;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        use quorum_types::{AuditEntry, UserSummary};
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").expect("a time").to_utc();
        let entry = AuditEntry {
            id: 7,
            action: "group.member_added".into(),
            actor: Some(UserSummary { id: 1, username: "ada".into(), display_name: "Ada".into() }),
            target: "group:board".into(),
            before: None,
            after: Some(json!({"members": ["bo", "cy"]})),
            client_address: Some("=cmd|' /C calc'!A0".into()),
            created_at: at,
        };
        let csv = super::to_csv(&[entry]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "id,created_at,actor,action,target,before,after,client_address");
        assert_eq!(
            lines[1],
            r#"7,2026-12-01T10:00:00Z,ada,group.member_added,group:board,,"{""members"":[""bo"",""cy""]}",'=cmd|' /C calc'!A0"#
        );
        assert_eq!(lines[2], "");
    }

    #[test]
    fn values_show_on_one_line_and_none_as_nothing() {
        assert_eq!(compact(&None), "");
        assert_eq!(compact(&Some(json!(null))), "");
        assert_eq!(compact(&Some(json!({"reason": "spam"}))), r#"{"reason":"spam"}"#);
    }
}
