//! Pieces every page uses: loading and error states, labelled fields with
//! their server-side messages, times, the audience picker, the Markdown
//! editor with preview.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use quorum_types::{Group, Preview, PreviewRequest};

use crate::api::{self, ApiError};
use crate::app::Clock;
use crate::audience;
use crate::session::use_session;
use crate::time;

/// A form's request: whether it is in flight, and its last failure (shown
/// next to the fields it names, or above the button).
#[derive(Clone, Copy)]
pub struct Submission {
    pub sending: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
}

impl Submission {
    pub fn new() -> Self {
        Submission { sending: RwSignal::new(false), error: RwSignal::new(None) }
    }

    /// Sends `request`; hands a success to `done`, keeps a failure for the form.
    pub fn run<T: 'static>(
        self,
        request: impl std::future::Future<Output = api::ApiResult<T>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        self.sending.set(true);
        self.error.set(None);
        spawn_local(async move {
            match request.await {
                Ok(value) => done(value),
                Err(e) => self.error.set(Some(e)),
            }
            self.sending.set(false);
        });
    }
}

impl Default for Submission {
    fn default() -> Self {
        Self::new()
    }
}

/// A destructive action that asks once more before it runs. `open` is the
/// caller's, so a failure can close the question again.
#[component]
pub fn ConfirmButton(
    /// The first button, e.g. "Delete group".
    label: &'static str,
    /// Said with the confirming button, e.g. "Delete this post?".
    #[prop(default = "")]
    question: &'static str,
    #[prop(default = "Yes, delete")] yes: &'static str,
    #[prop(default = "danger")] class: &'static str,
    open: RwSignal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Show
            when=move || open.get()
            fallback=move || view! { <button type="button" class=class on:click=move |_| open.set(true)>{label}</button> }
        >
            <span role="group" aria-label=format!("Confirm: {label}")>
                {question} " "
                <button type="button" class="danger" on:click=move |_| on_confirm.run(())>{yes}</button>
                <button type="button" on:click=move |_| open.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}

#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! { <p class="loading" aria-busy="true" role="status">{label}</p> }
}

/// A page-level failure, with a way to try again when that can help.
#[component]
pub fn ErrorBox(error: ApiError, #[prop(optional)] retry: Option<Callback<()>>) -> impl IntoView {
    view! {
        <div class="error-box" role="alert">
            <p>{error.detail.clone()}</p>
            {retry.map(|retry| view! { <button type="button" on:click=move |_| retry.run(())>"Try again"</button> })}
        </div>
    }
}

/// The form-level message: a failure without a field of its own.
#[component]
pub fn FormError(
    error: RwSignal<Option<ApiError>>,
    #[prop(optional)] fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        error.get().filter(|e| fields.iter().all(|f| e.field(f).is_none()) || e.fields.is_empty()).map(|e| {
            view! {
                <p class="form-error" role="alert">
                    {e.detail}
                </p>
            }
        })
    }
}

/// A field's server message (for the first of `names` that has one), shown
/// until the field is changed: a message about a value no longer there
/// would only mislead.
fn fresh_message(
    error: RwSignal<Option<ApiError>>,
    value: RwSignal<String>,
    names: &'static [&'static str],
    name: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let value_at_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        error.track();
        value_at_error.set(Some(value.get_untracked()));
    });
    move || {
        let message = error.with(|e| {
            let e = e.as_ref()?;
            e.field(name).or_else(|| names.iter().find_map(|n| e.field(n)))
        })?;
        let unchanged = value.with(|v| value_at_error.with(|at| at.as_deref() == Some(v.as_str())));
        unchanged.then_some(message)
    }
}

fn field_id(name: &str) -> String {
    format!("field-{name}")
}

/// A labelled input whose server-side message (problem+json `errors`)
/// appears under it and is announced with it.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    /// The element id, when `name` (the API's field) is not unique on the page.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| field_id(name));
    let message = fresh_message(error, value, &[], name);
    let described = format!("{id}-hint {id}-error");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                name=name
                type=kind
                autocomplete=autocomplete
                required=required
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=described
                bind:value=value
            />
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <p class="field-error" id=format!("{id}-error")>{message}</p>
        </div>
    }
}

/// An IANA zone name, typed or picked from the browser's list (a
/// `<datalist>`), with the server's message for `field` under it (an
/// abbreviation such as `CET` is refused with suggestions).
#[component]
pub fn ZoneField(
    label: &'static str,
    /// The element id (unique on the page).
    #[prop(into)]
    id: String,
    /// The API's name for the field, for its message (none: the form
    /// shows it elsewhere).
    #[prop(optional, into)]
    field: Option<String>,
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let list = format!("{id}-zones");
    let names = time::zone_names(&value.get_untracked());
    let message =
        Signal::derive(move || error.with(|e| field.as_deref().and_then(|f| e.as_ref().and_then(|e| e.field(f)))));
    let message = move || message.get();
    let described = format!("{id}-hint {id}-error");
    view! {
        <div class="field zone-field">
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type="text"
                list=list.clone()
                autocomplete="off"
                spellcheck="false"
                required=required
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=described
                bind:value=value
            />
            <datalist id=list>{names.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}</datalist>
            <p class="hint" id=format!("{id}-hint")>{hint.unwrap_or("An IANA zone name, such as Europe/London.")}</p>
            <p class="field-error" id=format!("{id}-error")>{message}</p>
        </div>
    }
}

/// The zone a writer starts from: their profile's (unless it is still the
/// default UTC), else the browser's, else UTC.
pub fn author_zone() -> String {
    let s = use_session();
    s.me.with_untracked(|m| m.as_ref().map(|m| m.time_zone.clone()))
        .filter(|z| z != "UTC")
        .or_else(time::browser_zone)
        .unwrap_or_else(|| "UTC".into())
}

/// A `<time>` showing "5 minutes ago", with the full date and time in the
/// viewer's zone as its tooltip and accessible description.
#[component]
pub fn TimeAgo(at: DateTime<Utc>) -> impl IntoView {
    let s = use_session();
    let clock = expect_context::<Clock>();
    let zone = s.zone;
    view! {
        <time datetime=at.to_rfc3339() title=move || zone.with(|z| time::absolute(at, z))>
            {move || zone.with(|z| time::relative(clock.0.get(), at, z))}
        </time>
    }
}

/// Every group (the API lists up to 100 per page; a forum has far fewer).
pub async fn load_groups() -> api::ApiResult<Vec<Group>> {
    api::page::<Group>("/groups", None, &[("limit", "100")]).await.map(|p| p.items)
}

/// Every group, for pickers and for naming audiences; loaded once per page
/// and again when the account changes. Without them, slugs stand in for names.
pub fn use_groups() -> LocalResource<Vec<Group>> {
    let s = use_session();
    LocalResource::new(move || {
        s.me.track();
        async { load_groups().await.unwrap_or_default() }
    })
}

/// Who will see a post or thread. No ticks means "whoever can see the
/// place"; the sentence under it always says who that is in words.
#[component]
pub fn AudiencePicker(
    audience: RwSignal<Vec<String>>,
    groups: LocalResource<Vec<Group>>,
    place: &'static str,
    error: RwSignal<Option<ApiError>>,
    /// "Only some groups" is chosen; the form must not post while it is and
    /// no group is ticked (see [`audience_unfinished`]).
    restricted: RwSignal<bool>,
) -> impl IntoView {
    let all_groups = move || groups.get().unwrap_or_default();
    let sentence = move || {
        if audience_unfinished(restricted, audience) {
            return AUDIENCE_NEEDED.to_string();
        }
        let chosen = if restricted.get() { audience.get() } else { Vec::new() };
        audience::visible_to(&chosen, &all_groups(), place)
    };
    let message = move || error.get().and_then(|e| e.field("audience"));
    let everyone_label = format!("Everyone who can see the {place}");
    view! {
        <fieldset class="audience">
            <legend>"Who can see this"</legend>
            <label class="choice">
                <input
                    type="radio"
                    name="audience-mode"
                    prop:checked=move || !restricted.get()
                    on:change=move |_| {
                        restricted.set(false);
                        audience.set(Vec::new());
                    }
                />
                {everyone_label}
            </label>
            <label class="choice">
                <input
                    type="radio"
                    name="audience-mode"
                    prop:checked=move || restricted.get()
                    on:change=move |_| restricted.set(true)
                />
                "Only some groups"
            </label>
            <Show when=move || restricted.get()>
                <div class="group-choices">
                    {move || match groups.get() {
                        None => view! { <Loading label="Loading groups…"/> }.into_any(),
                        Some(list) => {
                            audience::pickable(&list)
                                .into_iter()
                                .map(|g| {
                                    let slug = g.slug.clone();
                                    let checked_slug = g.slug.clone();
                                    view! {
                                        <label class="choice">
                                            <input
                                                type="checkbox"
                                                prop:checked=move || audience.with(|a| a.contains(&checked_slug))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    audience.update(|a| audience::toggle(a, &slug, on));
                                                }
                                            />
                                            {g.name.clone()}
                                        </label>
                                    }
                                })
                                .collect_view()
                                .into_any()
                        }
                    }}
                </div>
            </Show>
            <p class="visible-to" id="audience-sentence" class:field-error=move || audience_unfinished(restricted, audience) aria-live="polite">
                {sentence}
            </p>
            <p class="field-error">{message}</p>
        </fieldset>
    }
}

/// Why a form with an audience picker cannot be sent yet.
pub const AUDIENCE_NEEDED: &str = "Tick at least one group, or choose who can see the whole place.";

/// "Only some groups" with none ticked: the post button stays disabled,
/// since an empty list would otherwise mean no restriction at all.
pub fn audience_unfinished(restricted: RwSignal<bool>, audience: RwSignal<Vec<String>>) -> bool {
    restricted.get() && audience.with(|a| a.is_empty())
}

/// A Markdown textarea with Write/Preview; the preview is rendered by the
/// server's own renderer and sanitiser, so it shows exactly what posting will.
#[component]
pub fn MarkdownEditor(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
    #[prop(default = 8)] rows: u32,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Textarea>,
    /// The element id, when `name` is not unique on the page.
    #[prop(optional, into)]
    id: Option<String>,
    /// Where the post would go (a reply in this thread, or a new thread in
    /// this category) and its audience: the preview then also warns of
    /// mentioned people who could not read it.
    #[prop(optional, into)]
    thread_id: Option<i64>,
    #[prop(optional, into)] category: Option<String>,
    #[prop(optional, into)] audience: Option<RwSignal<Vec<String>>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| field_id(name));
    let previewing = RwSignal::new(false);
    let preview = RwSignal::new(None::<Result<Preview, ApiError>>);
    let show_preview = move |_| {
        previewing.set(true);
        preview.set(None);
        let request = PreviewRequest {
            body: value.get_untracked(),
            thread_id,
            category: category.clone(),
            audience: audience.map(|a| a.get_untracked()).filter(|a| !a.is_empty()),
        };
        spawn_local(async move {
            let result = api::post::<_, Preview>("/preview", &request).await;
            preview.set(Some(result));
        });
    };
    let message = fresh_message(error, value, &["body"], name);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let uploading = RwSignal::new(Vec::<String>::new());
    let upload_error = RwSignal::new(None::<String>);
    // Each file goes up on its own; its Markdown lands where the caret is.
    let start_uploads = move |files: Vec<web_sys::File>| {
        if !files.is_empty() {
            upload_error.set(None);
        }
        for file in files {
            let name = file.name();
            uploading.update(|u| u.push(name.clone()));
            spawn_local(async move {
                let result = api::upload(&file).await;
                uploading.update(|u| {
                    if let Some(i) = u.iter().position(|n| *n == name) {
                        u.remove(i);
                    }
                });
                match result {
                    Ok(upload) => {
                        let el = node_ref.get_untracked();
                        let at = el.as_ref().and_then(|el| el.selection_start().ok().flatten());
                        let snippet = format!("{}\n", upload.markdown);
                        value.update(|b| *b = time::insert_at(b, at, &snippet));
                    }
                    Err(e) => upload_error.set(Some(format!("{name} was not attached: {}", e.detail))),
                }
            });
        }
    };
    let files_id = format!("{id}-files");
    let status_id = format!("{id}-uploads");
    view! {
        <div class="field editor">
            <div class="editor-head">
                <label for=id.clone()>{label}</label>
                <div class="tabs" role="group" aria-label="Editor mode">
                    <button
                        type="button"
                        aria-pressed=move || if previewing.get() { "false" } else { "true" }
                        on:click=move |_| previewing.set(false)
                    >
                        "Write"
                    </button>
                    <button
                        type="button"
                        aria-pressed=move || if previewing.get() { "true" } else { "false" }
                        on:click=show_preview
                    >
                        "Preview"
                    </button>
                </div>
            </div>
            <textarea
                id=id.clone()
                name=name
                rows=rows
                class:hidden=move || previewing.get()
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=format!("{id}-error {id}-hint")
                node_ref=node_ref
                bind:value=value
                on:paste=move |ev: web_sys::ClipboardEvent| {
                    let files = files_of(ev.clipboard_data().and_then(|d| d.files()));
                    if !files.is_empty() {
                        ev.prevent_default();
                        start_uploads(files);
                    }
                }
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| {
                    let files = files_of(ev.data_transfer().and_then(|d| d.files()));
                    if !files.is_empty() {
                        ev.prevent_default();
                        start_uploads(files);
                    }
                }
            ></textarea>
            <div class="attach-row">
                <input
                    type="file"
                    id=files_id.clone()
                    multiple=true
                    class="visually-hidden"
                    tabindex="-1"
                    aria-hidden="true"
                    accept=ATTACHABLE
                    aria-label="Files to attach"
                    node_ref=file_input
                    on:change=move |_| {
                        if let Some(input) = file_input.get_untracked() {
                            let files = files_of(input.files());
                            input.set_value("");
                            start_uploads(files);
                        }
                    }
                />
                <button
                    type="button"
                    class="attach"
                    aria-describedby=status_id.clone()
                    on:click=move |_| {
                        if let Some(input) = file_input.get_untracked() {
                            input.click();
                        }
                    }
                >
                    "Attach file"
                </button>
                <span class="hint">"or drop or paste images and files here (images, PDF, text)"</span>
            </div>
            <div id=status_id class="upload-status" role="status" aria-live="polite">
                {move || {
                    uploading
                        .get()
                        .into_iter()
                        .map(|name| {
                            view! {
                                <p class="uploading">
                                    <progress aria-label=format!("Uploading {name}")></progress>
                                    " Uploading " {name.clone()} "…"
                                </p>
                            }
                        })
                        .collect_view()
                }}
                {move || upload_error.get().map(|e| view! { <p class="field-error upload-error">{e}</p> })}
            </div>
            <Show when=move || previewing.get()>
                <div class="preview post-body" aria-live="polite">
                    {move || match preview.get() {
                        None => view! { <Loading label="Rendering preview…"/> }.into_any(),
                        Some(Ok(p)) if p.body_html.trim().is_empty() => {
                            view! { <p class="muted">"Nothing to preview yet."</p> }.into_any()
                        }
                        Some(Ok(p)) => {
                            view! {
                                {(!p.warnings.is_empty())
                                    .then(|| {
                                        view! {
                                            <ul class="preview-warnings notice" role="status">
                                                {p.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
                                            </ul>
                                        }
                                    })}
                                <div inner_html=p.body_html></div>
                            }
                                .into_any()
                        }
                        Some(Err(e)) => view! { <p class="form-error">{e.detail}</p> }.into_any(),
                    }}
                </div>
            </Show>
            <p class="hint" id=format!("{id}-hint")>"Markdown: **bold**, _italic_, [links](https://…), lists, > quotes."</p>
            <p class="field-error" id=format!("{id}-error")>{message}</p>
        </div>
    }
}

/// What the Attach button offers (the server reads the type from the bytes).
const ATTACHABLE: &str = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.txt,.pdf";

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Shows `children` to signed-in people; asks the rest to log in, once the
/// session has been restored (never flashes the login prompt on reload).
#[component]
pub fn SignedIn(#[prop(default = "to see this page")] why: &'static str, children: ChildrenFn) -> impl IntoView {
    let s = use_session();
    let here = leptos_router::hooks::use_location();
    // Only signing in or out re-renders the page, not an edit of the account.
    let signed_in = Memo::new(move |_| s.me.with(|m| m.is_some()));
    move || {
        if !s.ready.get() {
            view! { <Loading/> }.into_any()
        } else if signed_in.get() {
            children().into_any()
        } else {
            let next = format!("{}{}", here.pathname.get(), here.search.get());
            let href = format!("/login?next={}", api::segment(&next));
            view! {
                <h1>"Please log in"</h1>
                <p>"You need to log in " {why} ". " <a href=href>"Log in to continue"</a></p>
            }
            .into_any()
        }
    }
}

/// Up to two initials of a display name ("Ana Lima" → "AL"), for avatars.
pub fn initials(display_name: &str) -> String {
    let letters: String =
        display_name.split_whitespace().filter_map(|w| w.chars().find(|c| c.is_alphanumeric())).take(2).collect();
    if letters.is_empty() {
        "?".into()
    } else {
        letters.to_uppercase()
    }
}

/// One of eight avatar colours, the same for a username wherever it shows
/// (classes, as the CSP allows no inline styles).
pub fn avatar_class(username: &str) -> String {
    let hash = username.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("avatar avatar-{}", hash % 8)
}

/// A generated-initials avatar linking to the member's profile. It repeats
/// the name link beside it, so it is hidden from assistive technology and
/// left out of the tab order.
#[component]
pub fn Avatar(username: String, display_name: String, #[prop(optional)] large: bool) -> impl IntoView {
    let class = format!("{}{}", avatar_class(&username), if large { " large" } else { "" });
    if large {
        return view! { <span class=class aria-hidden="true">{initials(&display_name)}</span> }.into_any();
    }
    view! {
        <a class=class href=format!("/u/{}", api::segment(&username)) aria-hidden="true" tabindex="-1">
            {initials(&display_name)}
        </a>
    }
    .into_any()
}

/// A member's name, linking to their profile page.
#[component]
pub fn AuthorLink(username: String, display_name: String, #[prop(optional, into)] id: Option<String>) -> impl IntoView {
    view! { <a class="author" id=id href=format!("/u/{}", api::segment(&username))>{display_name}</a> }
}
