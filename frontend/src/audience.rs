//! Saying in words who will see a post: "Visible to: Worker members,
//! Enterprise members".

use quorum_types::{Group, AUDIENCE_EVERYONE, AUDIENCE_SIGNED_IN, GROUP_ADMINS};

/// A group's display name, from the list the API gave, or its slug.
pub fn group_name(slug: &str, groups: &[Group]) -> String {
    groups.iter().find(|g| g.slug == slug).map(|g| g.name.clone()).unwrap_or_else(|| match slug {
        AUDIENCE_EVERYONE => "Everyone".into(),
        AUDIENCE_SIGNED_IN => "Signed-in members".into(),
        other => other.to_string(),
    })
}

/// The sentence under an audience picker or on a restricted post. An
/// empty audience means "whoever can see the place it is posted in".
pub fn visible_to(audience: &[String], groups: &[Group], place: &str) -> String {
    if audience.is_empty() {
        return format!("Visible to: everyone who can see this {place}");
    }
    let names: Vec<String> = audience.iter().map(|slug| group_name(slug, groups)).collect();
    format!("Visible to: {}", names.join(", "))
}

/// Groups a post may be narrowed to: every group but the pseudo-group
/// `everyone` (which narrows nothing) and `admins` (who see everything).
pub fn pickable(groups: &[Group]) -> Vec<Group> {
    groups.iter().filter(|g| g.slug != AUDIENCE_EVERYONE && g.slug != GROUP_ADMINS).cloned().collect()
}

/// The groups a category may be opened to: the pseudo-groups `everyone`
/// and `signed-in` first (the group list does not include them), then the rest.
pub fn with_pseudo_groups(groups: &[Group]) -> Vec<Group> {
    let pseudo = [(AUDIENCE_EVERYONE, "Everyone"), (AUDIENCE_SIGNED_IN, "Signed-in members")];
    let mut all: Vec<Group> = pseudo
        .iter()
        .map(|(slug, name)| Group {
            slug: (*slug).into(),
            name: (*name).into(),
            description: String::new(),
            builtin: true,
            member_count: 0,
        })
        .collect();
    all.retain(|p| !groups.iter().any(|g| g.slug == p.slug));
    all.extend(groups.iter().cloned());
    all
}

/// Adds or removes `slug`, keeping the order in which groups were ticked.
pub fn toggle(audience: &mut Vec<String>, slug: &str, on: bool) {
    let present = audience.iter().any(|s| s == slug);
    if on && !present {
        audience.push(slug.to_string());
    } else if !on {
        audience.retain(|s| s != slug);
    }
}

/// Whether a category read by `readers` lets the holders of `group` read.
fn reads(readers: &[String], group: &str) -> bool {
    group == GROUP_ADMINS
        || readers.iter().any(|r| r == AUDIENCE_EVERYONE || r == group)
        || (group != AUDIENCE_EVERYONE && readers.iter().any(|r| r == AUDIENCE_SIGNED_IN))
}

/// Contradictions in a category's choices, as `(field, message)`: a wide
/// choice ticked with narrower ones it already includes, and posters who
/// could not read what they post.
pub fn category_problems(readers: &[String], posters: &[String], groups: &[Group]) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    for (field, chosen) in [("audience", readers), ("posters", posters)] {
        let has = |slug: &str| chosen.iter().any(|c| c == slug);
        if has(AUDIENCE_EVERYONE) && chosen.len() > 1 {
            problems.push((field, "“Everyone” already includes every other choice: untick the others.".to_string()));
        } else if has(AUDIENCE_SIGNED_IN) && chosen.len() > 1 {
            problems.push((field, "“Signed-in members” already includes every group: untick the groups.".to_string()));
        }
    }
    let outside: Vec<String> = posters.iter().filter(|p| !reads(readers, p)).map(|p| group_name(p, groups)).collect();
    if !outside.is_empty() {
        problems.push((
            "posters",
            format!("Posters must be able to read the category; these could not: {}.", outside.join(", ")),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(slug: &str, name: &str) -> Group {
        Group { slug: slug.into(), name: name.into(), description: String::new(), builtin: false, member_count: 0 }
    }

    fn groups() -> Vec<Group> {
        vec![
            group("everyone", "Everyone"),
            group("signed-in", "Signed-in members"),
            group("admins", "Administrators"),
            group("enterprise-members", "Enterprise members"),
            group("worker-members", "Worker members"),
        ]
    }

    #[test]
    fn names_follow_the_order_of_the_audience() {
        let audience = vec!["worker-members".to_string(), "enterprise-members".to_string()];
        assert_eq!(visible_to(&audience, &groups(), "thread"), "Visible to: Worker members, Enterprise members");
    }

    #[test]
    fn no_audience_means_the_surrounding_place() {
        assert_eq!(visible_to(&[], &groups(), "thread"), "Visible to: everyone who can see this thread");
        assert_eq!(visible_to(&[], &groups(), "category"), "Visible to: everyone who can see this category");
    }

    #[test]
    fn unknown_slugs_are_shown_as_they_are() {
        let audience = vec!["board".to_string(), "signed-in".to_string()];
        assert_eq!(visible_to(&audience, &[], "thread"), "Visible to: board, Signed-in members");
    }

    #[test]
    fn the_picker_leaves_out_everyone_and_admins() {
        let slugs: Vec<String> = pickable(&groups()).into_iter().map(|g| g.slug).collect();
        assert_eq!(slugs, ["signed-in", "enterprise-members", "worker-members"]);
    }

    #[test]
    fn categories_can_be_opened_to_everyone_and_signed_in_members() {
        let listed = vec![group("admins", "Administrators"), group("board", "Board")];
        let slugs: Vec<String> = with_pseudo_groups(&listed).into_iter().map(|g| g.slug).collect();
        assert_eq!(slugs, ["everyone", "signed-in", "admins", "board"]);
        let slugs: Vec<String> = with_pseudo_groups(&groups()).into_iter().map(|g| g.slug).collect();
        assert_eq!(slugs.iter().filter(|s| *s == "everyone").count(), 1, "no duplicates when listed");
    }

    #[test]
    fn contradictory_category_choices_are_named() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(category_problems(&v(&["everyone"]), &v(&["signed-in"]), &groups()).is_empty());
        assert!(category_problems(&v(&["worker-members"]), &v(&["worker-members", "admins"]), &groups()).is_empty());
        assert!(category_problems(&v(&["signed-in"]), &v(&["worker-members"]), &groups()).is_empty());
        let fields = |r: &[&str], p: &[&str]| -> Vec<&str> {
            category_problems(&v(r), &v(p), &groups()).into_iter().map(|(f, _)| f).collect()
        };
        assert_eq!(fields(&["everyone", "signed-in"], &["signed-in"]), ["audience"]);
        assert_eq!(fields(&["signed-in", "worker-members"], &["worker-members"]), ["audience"]);
        assert_eq!(fields(&["worker-members"], &["signed-in"]), ["posters"]);
        assert_eq!(fields(&["signed-in"], &["everyone"]), ["posters"]);
        let (_, message) = &category_problems(&v(&["worker-members"]), &v(&["enterprise-members"]), &groups())[0];
        assert!(message.contains("Enterprise members"), "{message}");
    }

    #[test]
    fn toggling_keeps_tick_order_and_no_duplicates() {
        let mut audience = Vec::new();
        toggle(&mut audience, "worker-members", true);
        toggle(&mut audience, "enterprise-members", true);
        toggle(&mut audience, "worker-members", true);
        assert_eq!(audience, ["worker-members", "enterprise-members"]);
        toggle(&mut audience, "worker-members", false);
        assert_eq!(audience, ["enterprise-members"]);
    }
}
