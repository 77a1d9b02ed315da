//! One diesel schema for both backends (mirrors migrations/*/up.sql).

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        email -> Text,
        display_name -> Text,
        bio -> Text,
        time_zone -> Text,
        password_hash -> Text,
        token_generation -> BigInt,
        created_at -> Timestamp,
        suspended_until -> Nullable<Timestamp>,
        suspension_reason -> Nullable<Text>,
        email_notifications -> Text,
        last_seen_at -> Nullable<Timestamp>,
        digest_sent_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    groups (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        builtin -> Bool,
        pseudo -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audiences (id) {
        id -> BigInt,
        key -> Text,
    }
}

diesel::table! {
    audience_groups (audience_id, group_id) {
        audience_id -> BigInt,
        group_id -> BigInt,
    }
}

diesel::table! {
    categories (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        audience_id -> BigInt,
        posters_id -> BigInt,
        position -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    threads (id) {
        id -> BigInt,
        category_id -> BigInt,
        author_id -> BigInt,
        title -> Text,
        audience_id -> Nullable<BigInt>,
        pinned -> Bool,
        locked -> Bool,
        post_counter -> Integer,
        open_posts -> Integer,
        created_at -> Timestamp,
        bumped_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Live threads per category and thread audience (0: none), kept by
    /// triggers on `threads`.
    category_thread_counts (category_id, audience_key) {
        category_id -> BigInt,
        audience_key -> BigInt,
        threads -> BigInt,
        last_bumped_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Live, shown posts with an audience of their own per thread and
    /// audience, with the newest one's time, kept by triggers on `posts`.
    thread_post_counts (thread_id, audience_id) {
        thread_id -> BigInt,
        audience_id -> BigInt,
        posts -> BigInt,
        last_created_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        thread_id -> BigInt,
        number -> Integer,
        author_id -> BigInt,
        reply_to_id -> Nullable<BigInt>,
        audience_id -> Nullable<BigInt>,
        body -> Text,
        body_html -> Text,
        like_count -> BigInt,
        created_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        hidden_at -> Nullable<Timestamp>,
        hidden_reason -> Nullable<Text>,
        search_title -> Text,
        search_body -> Text,
    }
}

// SQLite only: the FTS5 index of `posts.search_title` and `search_body`
// (PostgreSQL keeps a `search_vector` column on `posts` instead, which
// only `db/queries/search.rs` names).
diesel::table! {
    posts_fts (rowid) {
        rowid -> BigInt,
        rank -> Double,
    }
}

diesel::table! {
    post_revisions (id) {
        id -> BigInt,
        post_id -> BigInt,
        number -> Integer,
        body -> Text,
        body_html -> Text,
        editor_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    likes (post_id, user_id) {
        post_id -> BigInt,
        user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        family -> Text,
        generation -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    throttles (key) {
        key -> Text,
        attempts -> Integer,
        last_attempt_at -> Timestamp,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    access_tokens (id) {
        id -> BigInt,
        user_id -> BigInt,
        name -> Text,
        prefix -> Text,
        token_hash -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    invites (id) {
        id -> BigInt,
        code_hash -> Text,
        prefix -> Text,
        created_by -> BigInt,
        note -> Text,
        max_uses -> Integer,
        uses -> Integer,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invite_groups (invite_id, group_id) {
        invite_id -> BigInt,
        group_id -> BigInt,
    }
}

diesel::table! {
    flags (id) {
        id -> BigInt,
        post_id -> BigInt,
        reporter_id -> BigInt,
        reason -> Text,
        note -> Text,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<BigInt>,
        resolution -> Nullable<Text>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        kind -> Text,
        actor_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        thread_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
        target -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        client_address -> Nullable<Text>,
        audited -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> BigInt,
        key -> Text,
        request_hash -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    post_mentions (post_id) {
        post_id -> BigInt,
        user_id -> Nullable<BigInt>,
        group_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    post_quotes (post_id, quoted_id) {
        post_id -> BigInt,
        quoted_id -> BigInt,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        post_id -> BigInt,
        thread_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        mailed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    watches (user_id) {
        user_id -> BigInt,
        thread_id -> Nullable<BigInt>,
        category_id -> Nullable<BigInt>,
        level -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    thread_reads (user_id, thread_id) {
        user_id -> BigInt,
        thread_id -> BigInt,
        last_read_post_id -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    category_reads (user_id, category_id) {
        user_id -> BigInt,
        category_id -> BigInt,
        read_up_to_post_id -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dispatch_cursors (name) {
        name -> Text,
        last_event_id -> BigInt,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        notification_id -> Nullable<BigInt>,
        payload -> Text,
        created_at -> Timestamp,
        send_after -> Timestamp,
        attempts -> Integer,
        sent_at -> Nullable<Timestamp>,
        dropped_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    meetings (thread_id) {
        thread_id -> BigInt,
        uid -> Text,
        organiser_id -> BigInt,
        title -> Text,
        start_wall -> Text,
        end_wall -> Text,
        timezone -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        place -> Text,
        link -> Text,
        description -> Text,
        status -> Text,
        sequence -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meeting_rsvps (thread_id, user_id) {
        thread_id -> BigInt,
        user_id -> BigInt,
        answer -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_tokens (user_id) {
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    poll_slots (id) {
        id -> BigInt,
        thread_id -> BigInt,
        position -> Integer,
        start_wall -> Text,
        end_wall -> Text,
        timezone -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
    }
}

diesel::table! {
    poll_answers (slot_id, user_id) {
        slot_id -> BigInt,
        user_id -> BigInt,
        answer -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    uploads (id) {
        id -> Text,
        uploader_id -> BigInt,
        post_id -> Nullable<BigInt>,
        size -> BigInt,
        content_type -> Text,
        filename -> Text,
        storage_key -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        nonce -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(group_members -> groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(audience_groups -> groups (group_id));
diesel::joinable!(audience_groups -> audiences (audience_id));
diesel::joinable!(threads -> categories (category_id));
diesel::joinable!(posts -> threads (thread_id));
diesel::joinable!(thread_post_counts -> threads (thread_id));
diesel::joinable!(posts_fts -> posts (rowid));
diesel::joinable!(likes -> users (user_id));
diesel::joinable!(likes -> posts (post_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(access_tokens -> users (user_id));
diesel::joinable!(invite_groups -> invites (invite_id));
diesel::joinable!(invite_groups -> groups (group_id));
diesel::joinable!(flags -> posts (post_id));
diesel::joinable!(notifications -> posts (post_id));
diesel::joinable!(meetings -> threads (thread_id));
diesel::joinable!(poll_answers -> poll_slots (slot_id));
diesel::joinable!(meeting_rsvps -> users (user_id));
diesel::joinable!(uploads -> posts (post_id));
diesel::joinable!(password_resets -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    users,
    groups,
    group_members,
    audiences,
    audience_groups,
    categories,
    category_thread_counts,
    threads,
    thread_post_counts,
    posts,
    posts_fts,
    post_revisions,
    likes,
    refresh_tokens,
    throttles,
    access_tokens,
    invites,
    invite_groups,
    flags,
    events,
    idempotency_keys,
    post_mentions,
    post_quotes,
    notifications,
    watches,
    thread_reads,
    category_reads,
    dispatch_cursors,
    mail_outbox,
    meetings,
    meeting_rsvps,
    calendar_tokens,
    poll_slots,
    poll_answers,
    uploads,
    password_resets,
);
