//! Read tracking without a browser: where a thread opens, and how far the
//! viewer has read given where the posts sit on screen.

/// A post's vertical extent relative to the viewport (CSS pixels; 0 is the
/// top edge of the viewport).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PostBox {
    pub id: i64,
    pub top: f64,
    pub bottom: f64,
}

/// The first post after `last_read`, in the order shown; `None` when the
/// thread was never opened (it opens at the top) or everything is read.
pub fn first_unread(ids: &[i64], last_read: Option<i64>) -> Option<i64> {
    let last_read = last_read?;
    ids.iter().copied().find(|id| *id > last_read)
}

/// The newest post whose end has been on screen: it is above the
/// viewport's bottom edge. Posts not laid out (no height) do not count.
pub fn read_up_to(boxes: &[PostBox], viewport_height: f64) -> Option<i64> {
    boxes.iter().filter(|b| b.bottom > b.top && b.bottom <= viewport_height + 2.0).map(|b| b.id).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_at_the_first_post_after_the_last_read() {
        assert_eq!(first_unread(&[3, 8, 9, 15], Some(8)), Some(9));
        // Ids need not be contiguous: a hidden post may sit in between.
        assert_eq!(first_unread(&[3, 8, 12, 15], Some(9)), Some(12));
        assert_eq!(first_unread(&[3, 8], Some(8)), None);
        assert_eq!(first_unread(&[3, 8], None), None);
    }

    #[test]
    fn a_post_counts_as_read_once_its_end_was_on_screen() {
        let boxes = [
            PostBox { id: 1, top: -900.0, bottom: -500.0 },
            PostBox { id: 2, top: -500.0, bottom: 100.0 },
            PostBox { id: 3, top: 100.0, bottom: 700.0 },
            PostBox { id: 4, top: 700.0, bottom: 1300.0 },
        ];
        assert_eq!(read_up_to(&boxes, 900.0), Some(3));
        assert_eq!(read_up_to(&boxes, 1300.0), Some(4));
        assert_eq!(read_up_to(&boxes[2..], 600.0), None);
    }

    #[test]
    fn posts_without_a_layout_are_not_read() {
        let boxes = [PostBox { id: 1, top: 10.0, bottom: 200.0 }, PostBox { id: 2, top: 0.0, bottom: 0.0 }];
        assert_eq!(read_up_to(&boxes, 900.0), Some(1));
    }
}
