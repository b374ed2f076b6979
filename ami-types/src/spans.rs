//! Header offsets stored in shared byte buffers, so that framing a message allocates nothing.
//!
//! Why it exists: a [`Message`](super::Message) needs its header offsets, and a vector per
//! message is one allocation (and one free, often on another thread) per event — at millions of
//! events a second that is a large share of a client's cost. [`SpanArena`] instead appends the
//! offsets of many messages to one [`BytesMut`] and cuts each message's part off as a [`Bytes`]:
//! a reference-count increment, like the message text itself. Spans are stored as their bytes
//! (`bytemuck`) and read back unaligned on access, so no alignment is needed.

use bytes::{Bytes, BytesMut};

use super::Span;

/// Bytes one span takes.
const SPAN_BYTES: usize = 16;

/// Room reserved at a time for the spans of many messages.
const ARENA_CHUNK: usize = 64 * 1024;

/// The header offsets of one message.
#[derive(Clone, Default)]
pub(crate) struct SpanList(Bytes);

impl SpanList {
    /// A list with its own buffer.
    pub(crate) fn from_slice(spans: &[Span]) -> SpanList {
        let mut bytes = BytesMut::with_capacity(spans.len() * SPAN_BYTES);
        put(&mut bytes, spans);
        SpanList(bytes.freeze())
    }

    /// Number of spans.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.0.len() / SPAN_BYTES
    }

    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.len() < SPAN_BYTES
    }

    /// Span `i`.
    #[inline(always)]
    pub(crate) fn get(&self, i: usize) -> Option<Span> {
        let at = i.checked_mul(SPAN_BYTES)?;
        self.0.get(at..at.checked_add(SPAN_BYTES)?).map(decode)
    }

    #[inline(always)]
    pub(crate) fn first(&self) -> Option<Span> {
        self.get(0)
    }

    /// The spans in order.
    #[inline(always)]
    pub(crate) fn iter(&self) -> SpanIter<'_> {
        SpanIter(self.0.chunks_exact(SPAN_BYTES))
    }

    /// A copy that shares no buffer with other lists.
    pub(crate) fn detached(&self) -> SpanList {
        SpanList(Bytes::copy_from_slice(&self.0))
    }
}

/// Iterator over a [`SpanList`].
#[derive(Clone, Debug)]
pub(crate) struct SpanIter<'a>(std::slice::ChunksExact<'a, u8>);

impl Iterator for SpanIter<'_> {
    type Item = Span;

    #[inline(always)]
    fn next(&mut self) -> Option<Span> {
        self.0.next().map(decode)
    }

    #[inline(always)]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for SpanIter<'_> {
    #[inline(always)]
    fn next_back(&mut self) -> Option<Span> {
        self.0.next_back().map(decode)
    }
}

impl ExactSizeIterator for SpanIter<'_> {}

/// Hands out [`SpanList`]s cut from shared chunks.
#[derive(Debug, Default)]
pub(crate) struct SpanArena(BytesMut);

impl SpanArena {
    /// Stores `spans` and returns them as a list sharing this arena's current chunk.
    #[inline]
    pub(crate) fn store(&mut self, spans: &[Span]) -> SpanList {
        let need = spans.len() * SPAN_BYTES;
        if self.0.capacity() - self.0.len() < need {
            // The chunk is shared with earlier lists: this starts a new one, and the old one is
            // freed with the last message that uses it.
            self.0 = BytesMut::with_capacity(need.max(ARENA_CHUNK));
        }
        put(&mut self.0, spans);
        SpanList(self.0.split().freeze())
    }
}

/// Appends spans as their in-memory bytes.
#[inline]
fn put(bytes: &mut BytesMut, spans: &[Span]) {
    bytes.extend_from_slice(bytemuck::cast_slice(spans));
}

#[inline(always)]
fn decode(chunk: &[u8]) -> Span {
    bytemuck::try_pod_read_unaligned(chunk).unwrap_or_default()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lists_cut_from_one_arena_keep_their_own_spans() {
        let mut arena = SpanArena::default();
        let a = arena.store(&[Span::new(0, 5, 7, 9), Span::new(10, 12, 14, 20)]);
        let b = arena.store(&[Span::new(1, 2, 3, 4)]);
        let big: Vec<Span> = (0..10_000).map(|i| Span::new(i, i, i, i)).collect();
        let c = arena.store(&big);
        assert_eq!(a.len(), 2);
        assert_eq!(a.get(1).unwrap().parts(), (10, 12, 14, 20));
        assert_eq!(a.get(2), None);
        assert_eq!(
            b.iter().map(Span::parts).collect::<Vec<_>>(),
            [(1, 2, 3, 4)]
        );
        assert_eq!(c.len(), 10_000);
        assert_eq!(
            c.iter().next_back().unwrap().parts(),
            (9999, 9999, 9999, 9999)
        );
        assert_eq!(SpanList::from_slice(&big).detached().len(), 10_000);
        assert!(SpanList::default().is_empty());
    }
}
