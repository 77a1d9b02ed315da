//! `/admin/audit`: who did what, newest first, filtered by actor and action.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use quorum_types::AuditEntry;

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

/// One CSV field: always quoted, quotes doubled, and a leading `=`, `+`,
/// `-`, `@` or control character defused so spreadsheets never run it.
pub fn csv_field(value: &str) -> String {
    let defused = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    };
    format!("\"{}\"", defused.replace('"', "\"\""))
}

/// The entries as CSV (RFC 4180, CRLF line ends), with a header row.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::from("id,time,actor,action,target,before,after,client_address\r\n");
    for e in entries {
        let row = [
            e.id.to_string(),
            e.created_at.to_rfc3339(),
            e.actor.as_ref().map(|a| a.username.clone()).unwrap_or_else(|| "system".into()),
            e.action.clone(),
            e.target.clone(),
            compact(&e.before),
            compact(&e.after),
            e.client_address.clone().unwrap_or_default(),
        ];
        out.push_str(&row.iter().map(|v| csv_field(v)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Offers `text` as a file download (a `data:` link: no object URL to revoke).
fn download(name: &str, text: &str) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(link) = document.create_element("a") else { return };
    let href = format!("data:text/csv;charset=utf-8,{}", js_sys::encode_uri_component(text));
    let _ = link.set_attribute("href", &href);
    let _ = link.set_attribute("download", name);
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
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
    // Every entry the filter matches, page after page, then one file.
    let exporting = RwSignal::new(false);
    let export = move |_| {
        let (actor, action) = (actor.get_untracked(), action.get_untracked());
        exporting.set(true);
        error.set(None);
        spawn_local(async move {
            let mut all = Vec::new();
            let mut cursor: Option<String> = None;
            let outcome = loop {
                let mut params = vec![("limit", "100")];
                if !actor.trim().is_empty() {
                    params.push(("actor", actor.trim()));
                }
                if !action.trim().is_empty() {
                    params.push(("action", action.trim()));
                }
                match api::page::<AuditEntry>("/admin/audit", cursor.as_deref(), &params).await {
                    Ok(page) => {
                        all.extend(page.items);
                        match page.next_cursor {
                            Some(next) => cursor = Some(next),
                            None => break Ok(()),
                        }
                    }
                    Err(e) => break Err(e),
                }
            };
            match outcome {
                Ok(()) => download("audit-log.csv", &to_csv(&all)),
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
            <button type="button" on:click=export disabled=move || exporting.get()>
                {move || if exporting.get() { "Exporting…" } else { "Export as CSV" }}
            </button>
        </form>
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
    use super::{compact, csv_field};
    use serde_json::json;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("group:board"), r#""group:board""#);
        assert_eq!(csv_field(r#"{"a":"b, c"}"#), r#""{""a"":""b, c""}""#);
        assert_eq!(csv_field("=HYPERLINK(1)"), r#""'=HYPERLINK(1)""#);
        assert_eq!(csv_field(""), r#""""#);
    }

    #[test]
    fn values_show_on_one_line_and_none_as_nothing() {
        assert_eq!(compact(&None), "");
        assert_eq!(compact(&Some(json!(null))), "");
        assert_eq!(compact(&Some(json!({"reason": "spam"}))), r#"{"reason":"spam"}"#);
    }
}
