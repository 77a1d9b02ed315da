//! Administration: groups and their members, categories and who may read
//! and post in them, what to set up first on an empty install, and what
//! happens to a member's posts when they delete their account.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use quorum_types::{
    AdminSettings, BulkMembersRequest, BulkMembersResult, Category, CreateCategoryRequest, CreateGroupRequest,
    DeletedAccountPosts, Group, Page, UpdateCategoryRequest, UpdateGroupRequest, UpdateSettingsRequest, UserSummary,
    AUDIENCE_EVERYONE, AUDIENCE_SIGNED_IN,
};

use crate::api::{self, ApiError};
use crate::audience;
use crate::components::{load_groups, ConfirmButton, ErrorBox, FormError, Loading, SignedIn, TextField};
use crate::pages::set_title;
use crate::session::use_session;
use crate::time::plural;

/// Signed in as an administrator, or told why not.
#[component]
pub fn AdminOnly(children: ChildrenFn) -> impl IntoView {
    let s = use_session();
    let children = StoredValue::new(children);
    let is_admin = Memo::new(move |_| s.is_admin());
    view! {
        <SignedIn why="as an administrator to see this page">
            {move || {
                if is_admin.get() {
                    children.with_value(|c| c()).into_any()
                } else {
                    view! {
                        <h1>"Administrators only"</h1>
                        <p>"This page is for the forum's administrators."</p>
                    }
                        .into_any()
                }
            }}
        </SignedIn>
    }
}

fn all_groups() -> LocalResource<Result<Vec<Group>, ApiError>> {
    LocalResource::new(load_groups)
}

fn all_categories() -> LocalResource<Result<Vec<Category>, ApiError>> {
    LocalResource::new(|| async {
        api::page::<Category>("/categories", None, &[("limit", "100")]).await.map(|p| p.items)
    })
}

#[component]
pub fn AdminHome() -> impl IntoView {
    set_title(|| Some("Administration".into()));
    view! {
        <AdminOnly>
            <AdminHomeBody/>
        </AdminOnly>
    }
}

#[component]
fn AdminHomeBody() -> impl IntoView {
    let groups = all_groups();
    let categories = all_categories();
    let checklist = move || {
        let custom_groups = groups.get()?.ok()?.iter().filter(|g| !g.builtin).count();
        let category_count = categories.get()?.ok()?.len();
        Some((custom_groups, category_count))
    };
    view! {
        <h1>"Administration"</h1>
        <nav aria-label="Administration" class="admin-nav">
            <a class="button" href="/admin/groups">"Groups"</a>
            <a class="button" href="/admin/categories">"Categories"</a>
            <a class="button" href="/admin/people">"People"</a>
            <a class="button" href="/admin/invites">"Registration and invitations"</a>
            <a class="button" href="/admin/audit">"Audit log"</a>
            <a class="button" href="/admin/tokens">"Access tokens"</a>
        </nav>
        {move || match checklist() {
            None => view! { <Loading/> }.into_any(),
            Some((groups, categories)) if categories == 0 || groups == 0 => {
                view! {
                    <section class="checklist card" aria-labelledby="setup-heading">
                        <h2 id="setup-heading">"Set up your forum"</h2>
                        <p>"Nobody can post until there is a category. A network usually sets up three things:"</p>
                        <ol>
                            <li class:done={groups > 0}>
                                <strong>"Groups"</strong>
                                " for the kinds of member you have (for example enterprise members, worker members, the board). "
                                "Posts and categories can be limited to groups. "
                                <a href="/admin/groups">"Create groups"</a>
                                {(groups > 0).then(|| format!(" ({} so far)", groups))}
                            </li>
                            <li class:done={categories > 0}>
                                <strong>"Categories"</strong>
                                " and who may read and post in each. "
                                <a href="/admin/categories">"Create categories"</a>
                            </li>
                            <li>
                                <strong>"Members"</strong>
                                ": people register at " <code>"/register"</code>
                                "; add them to groups on each group's page."
                            </li>
                        </ol>
                    </section>
                }
                    .into_any()
            }
            Some((groups, categories)) => {
                view! {
                    <p>
                        {plural(groups as i64, "group", "groups")} " of your own and "
                        {plural(categories as i64, "category", "categories")} "."
                    </p>
                }
                    .into_any()
            }
        }}
        <DeletedPostsSetting/>
    }
}

const DELETED_POSTS_CHOICES: [(DeletedAccountPosts, &str); 3] = [
    (DeletedAccountPosts::Keep, "Keep them under the member's name (the name cannot be taken again)"),
    (DeletedAccountPosts::Anonymise, "Keep them, shown as by \u{201c}a former member\u{201d}"),
    (DeletedAccountPosts::Remove, "Remove them (threads others replied to keep their title and a notice)"),
];

/// What happens to a member's posts when they delete their account.
#[component]
fn DeletedPostsSetting() -> impl IntoView {
    let s = use_session();
    let settings = LocalResource::new(|| async { api::get::<AdminSettings>("/admin/settings").await });
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let choose = move |mode: DeletedAccountPosts| {
        error.set(None);
        saved.set(false);
        let request = UpdateSettingsRequest { deleted_account_posts: Some(mode), ..Default::default() };
        spawn_local(async move {
            match api::patch::<_, AdminSettings>("/admin/settings", &request).await {
                Ok(now) => {
                    saved.set(true);
                    // Members read the setting from the site facts before deleting.
                    s.site.update(|site| {
                        if let Some(site) = site {
                            site.deleted_account_posts = now.deleted_account_posts;
                        }
                    });
                    settings.refetch();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="deleted-posts-heading">
            <h2 id="deleted-posts-heading">"When a member deletes their account"</h2>
            <p>
                "Their e-mail address, profile, likes, memberships, notifications and tokens always go. "
                "Their posts and threads:"
            </p>
            {move || match settings.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(current)) => {
                    view! {
                        <fieldset>
                            <legend>"Posts of deleted accounts"</legend>
                            {DELETED_POSTS_CHOICES
                                .into_iter()
                                .map(|(mode, label)| {
                                    view! {
                                        <label class="choice">
                                            <input
                                                type="radio"
                                                name="deleted_account_posts"
                                                value=mode.as_str()
                                                checked=current.deleted_account_posts == mode
                                                on:change=move |_| choose(mode)
                                            />
                                            {label}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                    }
                        .into_any()
                }
            }}
            <FormError error=error/>
            <p role="status" class="saved">{move || saved.get().then_some("Saved")}</p>
        </section>
    }
}

#[component]
pub fn Groups() -> impl IntoView {
    set_title(|| Some("Groups".into()));
    view! {
        <AdminOnly>
            <GroupsBody/>
        </AdminOnly>
    }
}

#[component]
fn GroupsBody() -> impl IntoView {
    let navigate = use_navigate();
    let groups = all_groups();
    let slug = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateGroupRequest {
            slug: slug.get_untracked(),
            name: name.get_untracked(),
            description: description.get_untracked(),
        };
        let navigate = navigate.clone();
        error.set(None);
        spawn_local(async move {
            match api::post::<_, Group>("/groups", &request).await {
                Ok(group) => navigate(&format!("/admin/groups/{}", group.slug), Default::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin">"Administration"</a></nav>
        <h1>"Groups"</h1>
        {move || match groups.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
            Some(Ok(list)) => {
                view! {
                    <ul class="rows">
                        {list
                            .into_iter()
                            .map(|g| {
                                let href = format!("/admin/groups/{}", g.slug);
                                view! {
                                    <li>
                                        <a href=href>{g.name}</a>
                                        <span class="muted">" " {g.slug.clone()}</span>
                                        {g.builtin.then(|| view! { <span class="badge">"built in"</span> })}
                                        <span class="meta">{plural(g.member_count, "member", "members")}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
        <section class="card">
            <h2>"New group"</h2>
            <form class="stack" on:submit=submit>
                <TextField label="Slug" name="slug" value=slug error=error required=true hint="Lower-case letters, digits and hyphens, e.g. worker-members."/>
                <TextField label="Name" name="name" value=name error=error required=true/>
                <TextField label="Description" name="description" value=description error=error/>
                <FormError error=error fields=&["slug", "name", "description"]/>
                <button type="submit" class="primary">"Create group"</button>
            </form>
        </section>
    }
}

#[component]
pub fn GroupPage() -> impl IntoView {
    view! {
        <AdminOnly>
            <GroupBody/>
        </AdminOnly>
    }
}

#[component]
fn GroupBody() -> impl IntoView {
    let params = use_params_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let path = format!("/groups/{}", api::segment(&slug));
    let group = {
        let path = path.clone();
        LocalResource::new(move || {
            let path = path.clone();
            async move { api::get::<Group>(&path).await }
        })
    };
    set_title(move || group.get().and_then(|g| g.ok()).map(|g| g.name));
    view! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/admin">"Administration"</a>
            " › "
            <a href="/admin/groups">"Groups"</a>
        </nav>
        {move || match group.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <h1>"Group"</h1> <ErrorBox error=e/> }.into_any(),
            Some(Ok(g)) => view! { <GroupEditor group=g path=path.clone() reload=Callback::new(move |_| group.refetch())/> }.into_any(),
        }}
    }
}

#[component]
fn GroupEditor(group: Group, path: String, reload: Callback<()>) -> impl IntoView {
    let navigate = use_navigate();
    let name = RwSignal::new(group.name.clone());
    let description = RwSignal::new(group.description.clone());
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let confirm = RwSignal::new(false);
    let save = {
        let path = path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let request =
                UpdateGroupRequest { name: Some(name.get_untracked()), description: Some(description.get_untracked()) };
            let path = path.clone();
            error.set(None);
            saved.set(false);
            spawn_local(async move {
                match api::patch::<_, Group>(&path, &request).await {
                    Ok(_) => {
                        saved.set(true);
                        reload.run(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let delete = {
        let path = path.clone();
        Callback::new(move |()| {
            let path = path.clone();
            let navigate = navigate.clone();
            spawn_local(async move {
                match api::delete(&path).await {
                    Ok(()) => navigate("/admin/groups", Default::default()),
                    Err(e) => {
                        confirm.set(false);
                        error.set(Some(e))
                    }
                }
            });
        })
    };
    view! {
        <h1>{group.name.clone()}</h1>
        <p class="meta">
            {group.slug.clone()} " · " {plural(group.member_count, "member", "members")}
            {group.builtin.then_some(" · built in")}
        </p>
        <Members path=path.clone() reload=reload/>
        <section class="card">
            <h2>"Rename"</h2>
            <form class="stack" on:submit=save>
                <TextField label="Name" name="name" value=name error=error required=true/>
                <TextField label="Description" name="description" value=description error=error/>
                <FormError error=error fields=&["name", "description"]/>
                <button type="submit" class="primary">"Save group"</button>
                <p role="status" class="saved">{move || saved.get().then_some("Saved")}</p>
            </form>
        </section>
        {(!group.builtin)
            .then(|| {
                view! {
                    <section class="card danger-zone">
                        <h2>"Delete"</h2>
                        <p>"Deleting a group removes its memberships. Posts limited to it stay limited."</p>
                        <ConfirmButton label="Delete group" open=confirm on_confirm=delete/>
                    </section>
                }
            })}
    }
}

#[component]
fn Members(path: String, reload: Callback<()>) -> impl IntoView {
    let members_path = format!("{path}/members");
    let bulk_path = members_path.clone();
    let members = {
        let members_path = members_path.clone();
        LocalResource::new(move || {
            let members_path = members_path.clone();
            async move { api::page::<UserSummary>(&members_path, None, &[("limit", "100")]).await }
        })
    };
    let username = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let add = {
        let members_path = members_path.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let who = username.get_untracked().trim().to_string();
            if who.is_empty() {
                return;
            }
            let url = format!("{members_path}/{}", api::segment(&who));
            error.set(None);
            spawn_local(async move {
                match api::put_empty(&url).await {
                    Ok(()) => {
                        username.set(String::new());
                        members.refetch();
                        reload.run(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let remove = move |who: String| {
        let url = format!("{members_path}/{}", api::segment(&who));
        spawn_local(async move {
            match api::delete(&url).await {
                Ok(()) => {
                    members.refetch();
                    reload.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>"Members"</h2>
            {move || match members.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                Some(Ok(Page { items, next_cursor })) => {
                    let remove = remove.clone();
                    view! {
                        {items.is_empty().then(|| view! { <p class="muted">"No members yet."</p> })}
                        <ul class="rows members">
                            {items
                                .into_iter()
                                .map(|m| {
                                    let remove = remove.clone();
                                    let who = m.username.clone();
                                    view! {
                                        <li>
                                            <span>{m.display_name.clone()}</span>
                                            <span class="muted">" @" {m.username.clone()}</span>
                                            <button type="button" class="link-button danger-text" aria-label=format!("Remove {}", m.username) on:click=move |_| remove(who.clone())>
                                                "Remove"
                                            </button>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {next_cursor.map(|_| view! { <p class="meta">"Showing the first 100 members."</p> })}
                    }
                        .into_any()
                }
            }}
            <form class="inline-form" on:submit=add>
                <TextField label="Username to add" name="member" value=username error=error required=true/>
                <button type="submit">"Add member"</button>
            </form>
            <FormError error=error/>
        </section>
        // Only the list reloads: reloading the group would rebuild this
        // section and lose the summary of what was done.
        <BulkMembers path=bulk_path done=Callback::new(move |_| members.refetch())/>
    }
}

/// Usernames from pasted text: one per line, or separated by commas,
/// semicolons or spaces; a leading `@` dropped; each once, in order.
pub fn parse_usernames(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        let name = word.trim().trim_start_matches('@');
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Many members at once (`PUT /groups/{slug}/members`): add the listed
/// usernames, or make the list the whole membership; says what it did.
#[component]
fn BulkMembers(path: String, done: Callback<()>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let replace = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let result = RwSignal::new(None::<BulkMembersResult>);
    let sending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let usernames = parse_usernames(&text.get_untracked());
        let url = if replace.get_untracked() { format!("{path}?replace=true") } else { path.clone() };
        error.set(None);
        result.set(None);
        sending.set(true);
        spawn_local(async move {
            match api::put_json::<_, BulkMembersResult>(&url, &BulkMembersRequest { usernames }).await {
                Ok(r) => {
                    result.set(Some(r));
                    done.run(());
                }
                Err(e) => error.set(Some(e)),
            }
            sending.set(false);
        });
    };
    let line = |label: &'static str, names: Vec<String>| {
        (!names.is_empty())
            .then(|| view! { <li><strong>{label}</strong> " (" {names.len()} "): " {names.join(", ")}</li> })
    };
    view! {
        <section class="card" aria-labelledby="bulk-members-heading">
            <h2 id="bulk-members-heading">"Many members at once"</h2>
            <form class="stack" on:submit=submit>
                <div class="field">
                    <label for="field-bulk-usernames">"Usernames"</label>
                    <textarea id="field-bulk-usernames" rows=5 bind:value=text aria-describedby="bulk-usernames-hint"></textarea>
                    <p class="hint" id="bulk-usernames-hint">"One per line, or separated by commas or spaces, e.g. pasted from the membership register."</p>
                    <p class="field-error">{move || error.get().and_then(|e| e.field("usernames"))}</p>
                </div>
                <label class="choice">
                    <input type="checkbox" bind:checked=replace/>
                    "Make this the whole membership: remove anyone not listed"
                </label>
                <FormError error=error fields=&["usernames"]/>
                <button type="submit" disabled=move || sending.get() || text.with(|t| parse_usernames(t).is_empty() && !replace.get())>
                    {move || if replace.get() { "Set the membership" } else { "Add them" }}
                </button>
            </form>
            {move || {
                result
                    .get()
                    .map(|r| {
                        view! {
                            <ul class="bulk-result" role="status">
                                {line("Added", r.added)}
                                {line("Already members", r.already_present)}
                                {line("Removed", r.removed)}
                                {line("Unknown, nothing done", r.unknown)}
                            </ul>
                        }
                    })
            }}
        </section>
    }
}

#[component]
pub fn Categories() -> impl IntoView {
    set_title(|| Some("Categories".into()));
    view! {
        <AdminOnly>
            <CategoriesBody/>
        </AdminOnly>
    }
}

#[component]
fn CategoriesBody() -> impl IntoView {
    let categories = all_categories();
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin">"Administration"</a></nav>
        <h1>"Categories"</h1>
        {move || match categories.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No categories yet."</p> }.into_any(),
            Some(Ok(list)) => {
                view! {
                    <ul class="rows">
                        {list
                            .into_iter()
                            .map(|c| {
                                let href = format!("/admin/categories/{}", c.slug);
                                view! {
                                    <li>
                                        <a href=href>{c.name}</a>
                                        <span class="muted">" " {c.slug.clone()}</span>
                                        <span class="meta">"read: " {c.audience.join(", ")} " · post: " {c.posters.join(", ")}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
        <section class="card">
            <h2>"New category"</h2>
            <CategoryForm existing=None/>
        </section>
    }
}

#[component]
pub fn CategoryEdit() -> impl IntoView {
    view! {
        <AdminOnly>
            <CategoryEditBody/>
        </AdminOnly>
    }
}

#[component]
fn CategoryEditBody() -> impl IntoView {
    let params = use_params_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let category = LocalResource::new(move || {
        let slug = slug.clone();
        async move { api::get::<Category>(&format!("/categories/{}", api::segment(&slug))).await }
    });
    set_title(move || category.get().and_then(|c| c.ok()).map(|c| c.name));
    view! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/admin">"Administration"</a>
            " › "
            <a href="/admin/categories">"Categories"</a>
        </nav>
        {move || match category.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(e)) => view! { <h1>"Category"</h1> <ErrorBox error=e/> }.into_any(),
            Some(Ok(c)) => {
                view! {
                    <h1>{c.name.clone()}</h1>
                    <CategoryForm existing=Some(c)/>
                }
                    .into_any()
            }
        }}
    }
}

/// Groups ticked in one of the category form's fieldsets.
#[component]
fn GroupChecks(
    legend: &'static str,
    chosen: RwSignal<Vec<String>>,
    groups: LocalResource<Result<Vec<Group>, ApiError>>,
    field: &'static str,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let list = move || audience::with_pseudo_groups(&groups.get().and_then(|g| g.ok()).unwrap_or_default());
    view! {
        <fieldset>
            <legend>{legend}</legend>
            {move || {
                list()
                    .into_iter()
                    .map(|g| {
                        let slug = g.slug.clone();
                        let checked = g.slug.clone();
                        view! {
                            <label class="choice">
                                <input
                                    type="checkbox"
                                    prop:checked=move || chosen.with(|c| c.contains(&checked))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| audience::toggle(c, &slug, on));
                                    }
                                />
                                {g.name.clone()}
                            </label>
                        }
                    })
                    .collect_view()
            }}
            <p class="visible-to">
                {move || {
                    let names: Vec<String> = chosen.get().iter().map(|s| audience::group_name(s, &list())).collect();
                    if names.is_empty() { "Nobody but administrators".to_string() } else { names.join(", ") }
                }}
            </p>
            <p class="field-error" role="alert">{move || error.get().and_then(|e| e.field(field))}</p>
        </fieldset>
    }
}

#[component]
fn CategoryForm(existing: Option<Category>) -> impl IntoView {
    let navigate = use_navigate();
    let groups = all_groups();
    let editing = existing.is_some();
    let original_slug = existing.as_ref().map(|c| c.slug.clone());
    let slug = RwSignal::new(existing.as_ref().map(|c| c.slug.clone()).unwrap_or_default());
    let name = RwSignal::new(existing.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|c| c.description.clone()).unwrap_or_default());
    let readers =
        RwSignal::new(existing.as_ref().map(|c| c.audience.clone()).unwrap_or_else(|| vec![AUDIENCE_EVERYONE.into()]));
    let posters =
        RwSignal::new(existing.as_ref().map(|c| c.posters.clone()).unwrap_or_else(|| vec![AUDIENCE_SIGNED_IN.into()]));
    let error = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let confirm = RwSignal::new(false);
    let submit = {
        let navigate = navigate.clone();
        let original_slug = original_slug.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let navigate = navigate.clone();
            let original_slug = original_slug.clone();
            error.set(None);
            saved.set(false);
            let known = groups.get_untracked().and_then(|g| g.ok()).unwrap_or_default();
            let problems = audience::category_problems(&readers.get_untracked(), &posters.get_untracked(), &known);
            if !problems.is_empty() {
                let mut fields = std::collections::BTreeMap::<String, Vec<String>>::new();
                for (field, message) in problems {
                    fields.entry(field.to_string()).or_default().push(message);
                }
                error.set(Some(ApiError {
                    status: 422,
                    detail: "Check who can read and who can post.".into(),
                    fields,
                }));
                return;
            }
            spawn_local(async move {
                let result = match original_slug {
                    Some(slug) => {
                        let request = UpdateCategoryRequest {
                            name: Some(name.get_untracked()),
                            description: Some(description.get_untracked()),
                            audience: Some(readers.get_untracked()),
                            posters: Some(posters.get_untracked()),
                            position: None,
                        };
                        api::patch::<_, Category>(&format!("/categories/{}", api::segment(&slug)), &request).await
                    }
                    None => {
                        let request = CreateCategoryRequest {
                            slug: slug.get_untracked(),
                            name: name.get_untracked(),
                            description: description.get_untracked(),
                            audience: Some(readers.get_untracked()),
                            posters: Some(posters.get_untracked()),
                            position: None,
                        };
                        api::post::<_, Category>("/categories", &request).await
                    }
                };
                match result {
                    Ok(c) if !editing => navigate(&format!("/c/{}", c.slug), Default::default()),
                    Ok(_) => saved.set(true),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let delete = Callback::new(move |()| {
        let navigate = navigate.clone();
        let Some(slug) = original_slug.clone() else { return };
        spawn_local(async move {
            match api::delete(&format!("/categories/{}", api::segment(&slug))).await {
                Ok(()) => navigate("/admin/categories", Default::default()),
                Err(e) => {
                    confirm.set(false);
                    error.set(Some(e))
                }
            }
        });
    });
    view! {
        <form class="stack" on:submit=submit>
            {(!editing).then(|| view! { <TextField label="Slug" name="slug" value=slug error=error required=true hint="Lower-case letters, digits and hyphens; used in links (/c/slug)."/> })}
            <TextField label="Name" name="name" value=name error=error required=true/>
            <TextField label="Description" name="description" value=description error=error/>
            <GroupChecks legend="Who can read" chosen=readers groups=groups field="audience" error=error/>
            <GroupChecks legend="Who can start threads and reply" chosen=posters groups=groups field="posters" error=error/>
            <FormError error=error fields=&["slug", "name", "description", "audience", "posters"]/>
            <button type="submit" class="primary">{if editing { "Save category" } else { "Create category" }}</button>
            <p role="status" class="saved">{move || saved.get().then_some("Saved")}</p>
        </form>
        {editing
            .then(|| {
                view! {
                    <section class="danger-zone">
                        <ConfirmButton
                            label="Delete category"
                            question="Only an empty category can be deleted."
                            open=confirm
                            on_confirm=delete
                        />
                    </section>
                }
            })}
    }
}

#[cfg(test)]
mod tests {
    use super::parse_usernames;

    #[test]
    fn pasted_usernames_split_on_lines_commas_and_spaces_once_each() {
        assert_eq!(parse_usernames("ada\nbo, @cy;dee  ada\r\n\n"), ["ada", "bo", "cy", "dee"]);
        assert!(parse_usernames(" \n, ;").is_empty());
    }
}
