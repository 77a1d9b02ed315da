//! A secret the server shows once (a token, an invitation link): in a
//! read-only field to select, with a Copy button and a warning.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

/// Writes `text` to the clipboard (`navigator.clipboard.writeText`), which
/// browsers offer on secure origins only; false when it is not there or
/// the browser refused.
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let clipboard =
        js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("clipboard")).unwrap_or(JsValue::UNDEFINED);
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
    let Some(write) = write else { return false };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else { return false };
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise)).await.is_ok()
}

/// The secret with a Copy button. `warning` says what happens once the page
/// is left (it cannot be shown again).
#[component]
pub fn ShownOnce(
    /// The field's label, e.g. "Your new token".
    label: &'static str,
    secret: String,
    warning: &'static str,
    /// The element id of the field, unique on the page.
    id: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let value = secret.clone();
    let copy = move |_| {
        let value = value.clone();
        spawn_local(async move { copied.set(Some(copy_to_clipboard(&value).await)) });
    };
    let select_all = move |ev: leptos::ev::FocusEvent| {
        if let Some(input) =
            ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
        {
            input.select();
        }
    };
    view! {
        <div class="shown-once field">
            <label for=id>{label}</label>
            <div class="secret-row">
                <input id=id class="secret" type="text" readonly=true value=secret spellcheck="false" on:focus=select_all/>
                <button type="button" on:click=copy>"Copy"</button>
            </div>
            <p class="notice" role="note">{warning}</p>
            <p role="status" class="saved">
                {move || match copied.get() {
                    Some(true) => "Copied to the clipboard",
                    Some(false) => "This browser did not allow copying: select the text and copy it yourself.",
                    None => "",
                }}
            </p>
        </div>
    }
}
