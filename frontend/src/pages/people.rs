//! `/admin/people`: every account, searchable and by group, with
//! suspension (a reason the member is told, an optional end) and its lifting.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{AdminUser, SuspendRequest};

use crate::api::{self, ApiError};
use crate::components::{load_groups, ErrorBox, Loading, TimeAgo};
use crate::pages::admin::AdminOnly;
use crate::pages::set_title;
use crate::paging::Paging;

/// A date from `<input type="date">` (`2026-12-31`) as the end of that day, UTC.
pub fn end_of_day(date: &str) -> Option<DateTime<Utc>> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(23, 59, 59)?.and_utc())
}

#[component]
pub fn People() -> impl IntoView {
    set_title(|| Some("People".into()));
    view! {
        <AdminOnly>
            <PeopleBody/>
        </AdminOnly>
    }
}

#[component]
fn PeopleBody() -> impl IntoView {
    let groups = LocalResource::new(load_groups);
    let q = RwSignal::new(String::new());
    let group = RwSignal::new(String::new());
    let people = RwSignal::new(Paging::<AdminUser>::default());
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |reset: bool| {
        let (q, group) = (q.get_untracked(), group.get_untracked());
        let cursor = if reset { None } else { people.with_untracked(|p| p.cursor().map(String::from)) };
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let mut query = vec![("limit", "50")];
            if !q.trim().is_empty() {
                query.push(("q", q.trim()));
            }
            if !group.is_empty() {
                query.push(("group", group.as_str()));
            }
            match api::page::<AdminUser>("/admin/users", cursor.as_deref(), &query).await {
                Ok(page) => people.update(|p| {
                    if reset {
                        *p = Paging::default();
                    }
                    p.push(page, |u| u.id)
                }),
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    load(true);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load(true);
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin">"Administration"</a></nav>
        <h1>"People"</h1>
        <form class="inline-form" role="search" aria-label="Find people" on:submit=search>
            <div class="field">
                <label for="field-people-q">"Search"</label>
                <input id="field-people-q" type="search" bind:value=q placeholder="username, name or e-mail"/>
            </div>
            <div class="field">
                <label for="field-people-group">"Group"</label>
                <select id="field-people-group" on:change=move |ev| {
                    group.set(event_target_value(&ev));
                    load(true);
                }>
                    <option value="">"Any group"</option>
                    {move || {
                        groups
                            .get()
                            .and_then(|g| g.ok())
                            .unwrap_or_default()
                            .into_iter()
                            .map(|g| view! { <option value=g.slug.clone()>{g.name}</option> })
                            .collect_view()
                    }}
                </select>
            </div>
            <button type="submit">"Search"</button>
        </form>
        {move || error.get().map(|e| view! { <ErrorBox error=e retry=Callback::new(move |_| load(true))/> })}
        {move || {
            (people.with(|p| p.loaded && p.items.is_empty()) && !loading.get())
                .then(|| view! { <p class="muted">"Nobody matches."</p> })
        }}
        <ul class="rows people">
            <For
                each=move || people.with(|p| p.items.clone())
                key=|u| (u.id, u.suspended_until, u.suspension_reason.clone())
                let:person
            >
                <PersonRow person=person people=people/>
            </For>
        </ul>
        {move || {
            if loading.get() {
                view! { <Loading/> }.into_any()
            } else if people.with(|p| p.has_more()) {
                view! { <button type="button" class="load-more" on:click=move |_| load(false)>"Load more people"</button> }
                    .into_any()
            } else {
                ().into_any()
            }
        }}
    }
}

/// Whether the account is suspended now (the API gives an end only then).
fn suspended(person: &AdminUser) -> bool {
    person.suspended_until.is_some_and(|until| until > crate::time::now())
}

/// A suspension's end worth showing: none for "until lifted", which the API
/// stores as the last day of year 9999.
pub fn shown_end(until: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    until.filter(|t| t.year() < 9999)
}

#[component]
fn PersonRow(person: AdminUser, people: RwSignal<Paging<AdminUser>>) -> impl IntoView {
    let id = person.id;
    let username = person.username.clone();
    let path = format!("/admin/users/{}/suspension", api::segment(&person.username));
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let replace = move |updated: AdminUser| people.update(|p| p.update(|x| x.id == id, |x| *x = updated));
    let suspend = {
        let path = path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let request = SuspendRequest { reason: reason.get_untracked(), until: end_of_day(&until.get_untracked()) };
            let path = path.clone();
            error.set(None);
            spawn_local(async move {
                match api::put_json::<_, AdminUser>(&path, &request).await {
                    Ok(updated) => {
                        open.set(false);
                        replace(updated);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let unsuspend = move |_| {
        let path = path.clone();
        error.set(None);
        spawn_local(async move {
            match api::delete_json::<AdminUser>(&path).await {
                Ok(updated) => replace(updated),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let is_suspended = suspended(&person);
    view! {
        <li class="person">
            <strong>{person.display_name.clone()}</strong>
            <span class="muted">"@" {username.clone()}</span>
            <span class="muted">{person.email.clone()}</span>
            {(!person.groups.is_empty()).then(|| view! { <span class="meta-groups">{person.groups.join(", ")}</span> })}
            {is_suspended
                .then(|| {
                    view! {
                        <span class="badge suspended">"Suspended"</span>
                        <span class="suspension">
                            {person.suspension_reason.clone().unwrap_or_default()}
                            {match shown_end(person.suspended_until) {
                                Some(at) => view! { " · until " <TimeAgo at=at/> }.into_any(),
                                None => view! { " · until lifted" }.into_any(),
                            }}
                        </span>
                    }
                })}
            <span class="meta">"joined " <TimeAgo at=person.created_at/></span>
            <span role="group" aria-label=format!("Account {username}")>
                {if is_suspended {
                    view! { <button type="button" on:click=unsuspend>"Lift suspension"</button> }.into_any()
                } else {
                    view! {
                        <button type="button" aria-expanded=move || if open.get() { "true" } else { "false" } on:click=move |_| open.update(|o| *o = !*o)>
                            "Suspend"
                        </button>
                    }
                        .into_any()
                }}
            </span>
            <Show when=move || open.get()>
                <form class="stack suspend-form" aria-label=format!("Suspend {}", person.username) on:submit=suspend.clone()>
                    <div class="field">
                        <label for=format!("suspend-reason-{id}")>"Reason (the member is told)"</label>
                        <input id=format!("suspend-reason-{id}") type="text" required=true bind:value=reason/>
                        <p class="field-error">{move || error.get().and_then(|e| e.field("reason"))}</p>
                    </div>
                    <div class="field">
                        <label for=format!("suspend-until-{id}")>"Until (optional; empty means until lifted)"</label>
                        <input id=format!("suspend-until-{id}") type="date" bind:value=until/>
                        <p class="field-error">{move || error.get().and_then(|e| e.field("until"))}</p>
                    </div>
                    <div class="actions">
                        <button type="submit" class="danger">"Suspend account"</button>
                        <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
            {move || {
                error
                    .get()
                    .filter(|e| e.field("reason").is_none() && e.field("until").is_none())
                    .map(|e| view! { <p class="form-error" role="alert">{e.detail}</p> })
            }}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::end_of_day;

    #[test]
    fn a_date_means_the_end_of_that_day() {
        assert_eq!(end_of_day("2026-12-31").map(|t| t.to_rfc3339()).as_deref(), Some("2026-12-31T23:59:59+00:00"));
        assert_eq!(end_of_day(""), None);
        assert_eq!(end_of_day("31/12/2026"), None);
    }

    #[test]
    fn until_lifted_has_no_end_to_show() {
        let lifted = end_of_day("9999-12-31").map(|t| t - chrono::Duration::hours(23));
        assert_eq!(super::shown_end(lifted), None);
        let soon = end_of_day("2027-01-02");
        assert_eq!(super::shown_end(soon), soon);
    }
}
