//! "Load more" over a keyset-paginated list.

use quorum_types::Page;

/// Items loaded so far and where the next page starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Paging<T> {
    pub items: Vec<T>,
    next: Option<String>,
    /// True once the first page has arrived.
    pub loaded: bool,
}

impl<T> Default for Paging<T> {
    fn default() -> Self {
        Paging { items: Vec::new(), next: None, loaded: false }
    }
}

impl<T> Paging<T> {
    /// Appends a page, skipping items already shown (a list that moved
    /// between two pages can repeat one).
    pub fn push(&mut self, page: Page<T>, key: impl Fn(&T) -> i64) {
        for item in page.items {
            let k = key(&item);
            if !self.items.iter().any(|seen| key(seen) == k) {
                self.items.push(item);
            }
        }
        self.next = page.next_cursor;
        self.loaded = true;
    }

    /// Puts earlier items (oldest first) before those shown, skipping any
    /// already there; the cursor for what follows is unchanged.
    pub fn prepend(&mut self, earlier: Vec<T>, key: impl Fn(&T) -> i64) {
        let mut merged: Vec<T> =
            earlier.into_iter().filter(|item| !self.items.iter().any(|seen| key(seen) == key(item))).collect();
        merged.append(&mut self.items);
        self.items = merged;
    }

    /// The cursor to ask for next; `None` on the first page and after the last.
    pub fn cursor(&self) -> Option<&str> {
        self.next.as_deref()
    }

    pub fn has_more(&self) -> bool {
        self.next.is_some()
    }

    /// Updates one loaded item in place (a like, an edit).
    pub fn update(&mut self, key: impl Fn(&T) -> bool, change: impl FnOnce(&mut T)) {
        if let Some(item) = self.items.iter_mut().find(|i| key(i)) {
            change(item);
        }
    }

    pub fn remove(&mut self, key: impl Fn(&T) -> bool) {
        self.items.retain(|i| !key(i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(items: &[i64], next: Option<&str>) -> Page<i64> {
        Page { items: items.to_vec(), next_cursor: next.map(String::from) }
    }

    #[test]
    fn pages_append_until_the_cursor_runs_out() {
        let mut p = Paging::default();
        assert!(!p.loaded && !p.has_more() && p.cursor().is_none());
        p.push(page(&[1, 2, 3], Some("c1")), |i| *i);
        assert_eq!((p.items.as_slice(), p.cursor(), p.loaded), (&[1, 2, 3][..], Some("c1"), true));
        p.push(page(&[4, 5], None), |i| *i);
        assert_eq!(p.items, [1, 2, 3, 4, 5]);
        assert!(!p.has_more());
    }

    #[test]
    fn an_item_seen_twice_is_shown_once() {
        let mut p = Paging::default();
        p.push(page(&[1, 2], Some("c1")), |i| *i);
        p.push(page(&[2, 3], Some("c2")), |i| *i);
        assert_eq!(p.items, [1, 2, 3]);
        assert_eq!(p.cursor(), Some("c2"));
    }

    #[test]
    fn earlier_items_go_first_and_keep_the_cursor() {
        let mut p = Paging::default();
        p.push(page(&[5, 6], Some("c1")), |i| *i);
        p.prepend(vec![3, 4, 5], |i| *i);
        assert_eq!(p.items, [3, 4, 5, 6]);
        assert_eq!(p.cursor(), Some("c1"));
    }

    #[test]
    fn items_update_and_disappear_in_place() {
        let mut p = Paging::default();
        p.push(page(&[1, 2, 3], None), |i| *i);
        p.update(|i| *i == 2, |i| *i = 20);
        p.remove(|i| *i == 1);
        assert_eq!(p.items, [20, 3]);
    }
}
