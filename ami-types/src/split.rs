//! One-pass line splitter shared by [`Message::parse`](crate::message::Message::parse) and the
//! [`Framer`](crate::framer::Framer).
//!
//! Why it exists: splitting an AMI event into header lines is the bulk of the framing cost. Calling
//! `memchr` once per line for `\n` and once more for `:` costs about 218 ns per 21-header event;
//! classifying 64 bytes at a time into bitmasks of `\n` and `:` (plus a "has a non-ASCII byte"
//! flag, so ASCII messages skip UTF-8 validation) and then walking the set bits costs about half
//! of that (see `shared/research/decode-cost-on-this-machine.md`).
//!
//! The splitter is a resumable [`Cursor`] over a growing buffer: it never looks at a byte twice,
//! keeps the masks of the block it is in between calls, and can be *rebased* when the owner drops
//! a prefix of the buffer, so framing a message that arrives one byte at a time stays linear.
//!
//! The SSE2 kernel is used on `x86_64` (SSE2 is part of that target's baseline, so no run-time
//! detection is needed); every other target uses a portable SWAR kernel that computes the same
//! masks eight bytes at a time. Both kernels are tested against each other and against a naive
//! byte loop.
#![deny(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::panic,
    clippy::unwrap_in_result,
    clippy::panic_in_result_fn
)]

use std::ops::ControlFlow;

/// Sentinel for "no colon on this line".
pub(crate) const NONE: usize = usize::MAX;

/// One complete line found by the [`Cursor`]; offsets are positions in the scanned buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    /// Position of the first byte of the line.
    pub start: usize,
    /// Position of the first `:` of the line, or [`NONE`].
    pub colon: usize,
    /// Position of the terminating `\n` (a `\r` before it is still part of `start..end`).
    pub end: usize,
}

/// Bitmasks of one 64-byte block: bit `i` describes byte `i` of the block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    /// Bytes equal to `\n`.
    pub nl: u64,
    /// Bytes equal to `:`.
    pub colon: u64,
    /// Whether any byte is >= 0x80.
    pub hi: bool,
}

/// A way of computing [`Masks`] for a 64-byte block.
pub(crate) trait Kernel {
    /// Classifies the 64 bytes of `block`.
    fn masks(block: &[u8; 64]) -> Masks;
}

/// SSE2 kernel: four 16-byte compares and `movemask`s per mask.
#[cfg(target_arch = "x86_64")]
pub(crate) struct Sse2;

#[cfg(target_arch = "x86_64")]
impl Kernel for Sse2 {
    #[inline(always)]
    fn masks(block: &[u8; 64]) -> Masks {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics are always available.
        // The four unaligned loads read bytes 0..16, 16..32, 32..48 and 48..64 of a 64-byte array
        // that `block` borrows, so they stay in bounds; `loadu` has no alignment requirement.
        unsafe {
            let p = block.as_ptr().cast::<__m128i>();
            let v = [
                _mm_loadu_si128(p),
                _mm_loadu_si128(p.add(1)),
                _mm_loadu_si128(p.add(2)),
                _mm_loadu_si128(p.add(3)),
            ];
            let nl = _mm_set1_epi8(b'\n' as i8);
            let colon = _mm_set1_epi8(b':' as i8);
            let mut m = Masks::default();
            for (k, x) in v.into_iter().enumerate() {
                let shift = 16 * k as u32;
                // `movemask` sets only the low 16 bits, so the casts are lossless.
                m.nl |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(x, nl)) as u16) << shift;
                m.colon |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(x, colon)) as u16) << shift;
            }
            let any = _mm_or_si128(_mm_or_si128(v[0], v[1]), _mm_or_si128(v[2], v[3]));
            m.hi = _mm_movemask_epi8(any) != 0;
            m
        }
    }
}

/// Portable kernel: SWAR (SIMD within a register) over eight 8-byte words.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
pub(crate) struct Swar;

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
const HI: u64 = 0x8080_8080_8080_8080;
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
const ONES: u64 = 0x0101_0101_0101_0101;

/// High bit of every byte of `w` that equals `b` (exact: no false positives across bytes).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn eq_bytes(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * u64::from(b));
    // High bit of each byte of `t` is set iff that byte of `x` is non-zero; the addition cannot
    // carry into the next byte because each operand byte is at most 0x7f.
    let t = ((x & LO7).wrapping_add(LO7)) | x;
    !t & HI
}

/// Packs the high bit of each of the 8 bytes of `h` into the low 8 bits (byte `k` -> bit `k`).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn gather(h: u64) -> u64 {
    // Every product bit lands on a distinct position, so there are no carries; byte k's bit ends
    // up at bit 56 + k.
    ((h >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

impl Kernel for Swar {
    #[inline(always)]
    fn masks(block: &[u8; 64]) -> Masks {
        let mut m = Masks::default();
        let mut hi = 0;
        for (k, chunk) in block.chunks_exact(8).enumerate() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let w = u64::from_le_bytes(word);
            let shift = 8 * k as u32;
            m.nl |= gather(eq_bytes(w, b'\n')) << shift;
            m.colon |= gather(eq_bytes(w, b':')) << shift;
            hi |= w & HI;
        }
        m.hi = hi != 0;
        m
    }
}

/// The kernel used by the crate on this target.
#[cfg(target_arch = "x86_64")]
pub(crate) type Native = Sse2;
/// The kernel used by the crate on this target.
#[cfg(not(target_arch = "x86_64"))]
pub(crate) type Native = Swar;

/// Receives the lines found by [`Cursor::scan`].
pub(crate) trait Sink {
    /// What stops the scan.
    type Out;

    /// Called before the lines of a block are handed out: every line still to come from this
    /// block starts at or after `line_start` and ends before `block_end`.
    #[inline(always)]
    fn block(&mut self, block_end: usize, line_start: usize) {
        let _ = (block_end, line_start);
    }

    /// One complete line; `Break` stops the scan right after it.
    fn line(&mut self, line: Line) -> ControlFlow<Self::Out>;
}

/// Resumable line scanner over a buffer that only grows at its end (until the owner rebases it).
///
/// All positions it reports are offsets into the `buf` passed to [`Cursor::next_line`]; the
/// caller must pass the same bytes every time (it may append bytes, and may drop a prefix only
/// through [`Cursor::rebase`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor {
    /// Position of bit 0 of the current masks.
    block_pos: usize,
    /// Bytes before this position have been classified.
    scanned: usize,
    /// Unconsumed bits of the current block (bits of returned lines are cleared).
    nl: u64,
    colon: u64,
    /// Whether the current block holds a byte >= 0x80.
    hi: bool,
    /// Whether an earlier block, since the last rebase, held a byte >= 0x80.
    hi_seen: bool,
    /// Start of the line being scanned.
    line_start: usize,
    /// First colon of the current line seen in an earlier block, or [`NONE`].
    line_colon: usize,
}

impl Default for Cursor {
    fn default() -> Self {
        Self::new()
    }
}

impl Cursor {
    /// A cursor at position 0 of an empty buffer.
    pub(crate) const fn new() -> Self {
        Cursor {
            block_pos: 0,
            scanned: 0,
            nl: 0,
            colon: 0,
            hi: false,
            hi_seen: false,
            line_start: 0,
            line_colon: NONE,
        }
    }

    /// Start of the line that has not been returned yet.
    #[inline]
    pub(crate) fn line_start(&self) -> usize {
        self.line_start
    }

    /// Number of bytes already classified (everything when `next_line` returned `None`).
    #[inline]
    pub(crate) fn scanned(&self) -> usize {
        self.scanned
    }

    /// Whether a byte >= 0x80 may lie in `buf[..scanned]`.
    ///
    /// Conservative (tracked per 64-byte block): it may also come from bytes dropped by the last
    /// rebase, but a non-ASCII byte that is still in the buffer is never missed.
    #[inline]
    pub(crate) fn non_ascii(&self) -> bool {
        self.hi_seen | self.hi
    }

    /// Next complete line of `buf`, or `None` when every byte has been scanned.
    #[inline(always)]
    pub(crate) fn next_line(&mut self, buf: &[u8]) -> Option<Line> {
        self.next_line_with::<Native>(buf)
    }

    /// [`Cursor::next_line`] with an explicit kernel (tests compare kernels).
    #[inline(always)]
    pub(crate) fn next_line_with<K: Kernel>(&mut self, buf: &[u8]) -> Option<Line> {
        struct First;
        impl Sink for First {
            type Out = Line;
            #[inline(always)]
            fn line(&mut self, line: Line) -> ControlFlow<Line> {
                ControlFlow::Break(line)
            }
        }
        self.scan_with::<K, _>(buf, &mut First)
    }

    /// Hands every complete line of `buf` to `sink` until it breaks (returns `Some` of its
    /// value) or every byte is scanned (returns `None`); resumable either way.
    ///
    /// This is the hot loop of the crate: the scanner state lives in locals for its duration.
    #[inline(always)]
    pub(crate) fn scan<S: Sink>(&mut self, buf: &[u8], sink: &mut S) -> Option<S::Out> {
        self.scan_with::<Native, S>(buf, sink)
    }

    /// [`Cursor::scan`] with an explicit kernel.
    #[inline(always)]
    pub(crate) fn scan_with<K: Kernel, S: Sink>(
        &mut self,
        buf: &[u8],
        sink: &mut S,
    ) -> Option<S::Out> {
        let mut nl = self.nl;
        let mut colons = self.colon;
        let mut block_pos = self.block_pos;
        let mut scanned = self.scanned;
        let mut line_start = self.line_start;
        let mut line_colon = self.line_colon;
        if nl != 0 {
            sink.block(scanned, line_start);
        }
        let out = 'scan: loop {
            while nl != 0 {
                let i = nl.trailing_zeros() as usize;
                // Bits up to and including the lowest newline.
                let upto = nl ^ (nl - 1);
                let c = colons & upto;
                let colon = if line_colon != NONE {
                    line_colon
                } else if c != 0 {
                    block_pos + c.trailing_zeros() as usize
                } else {
                    NONE
                };
                nl &= !upto;
                colons &= !upto;
                let end = block_pos + i;
                let line = Line {
                    start: line_start,
                    colon,
                    end,
                };
                line_start = end + 1;
                line_colon = NONE;
                if let ControlFlow::Break(r) = sink.line(line) {
                    break 'scan Some(r);
                }
            }
            // The rest of the block belongs to the unfinished line: remember what it holds.
            if line_colon == NONE && colons != 0 {
                line_colon = block_pos + colons.trailing_zeros() as usize;
            }
            colons = 0;
            let rest = match buf.get(scanned..) {
                Some(rest) if !rest.is_empty() => rest,
                _ => break 'scan None,
            };
            let m = match rest.first_chunk::<64>() {
                Some(block) => K::masks(block),
                None => {
                    // Short tail: zero padding never matches `\n`, `:` or a high byte.
                    let mut pad = [0u8; 64];
                    if let Some(head) = pad.get_mut(..rest.len()) {
                        head.copy_from_slice(rest);
                    }
                    K::masks(&pad)
                }
            };
            block_pos = scanned;
            scanned += rest.len().min(64);
            nl = m.nl;
            colons = m.colon;
            self.hi_seen |= self.hi;
            self.hi = m.hi;
            if nl != 0 {
                sink.block(scanned, line_start);
            }
        };
        self.nl = nl;
        self.colon = colons;
        self.block_pos = block_pos;
        self.scanned = scanned;
        self.line_start = line_start;
        self.line_colon = line_colon;
        out
    }

    /// Shifts every position down by `k` after the owner dropped the first `k` bytes.
    ///
    /// `k` must not exceed [`Cursor::line_start`] (only whole, returned lines may be dropped).
    /// The non-ASCII record is narrowed to the bytes kept when `k` reaches the current block.
    #[inline]
    pub(crate) fn rebase(&mut self, k: usize) {
        debug_assert!(k <= self.line_start);
        let k = k.min(self.line_start);
        if k >= self.block_pos {
            // Bits below `d` belong to returned lines (already clear for `nl` and `colon`).
            let d = (k - self.block_pos) as u32;
            self.nl = self.nl.checked_shr(d).unwrap_or(0);
            self.colon = self.colon.checked_shr(d).unwrap_or(0);
            // Earlier blocks lie entirely before `k`: dropped. The current block's flag is kept
            // (conservatively: its non-ASCII byte may have been in the dropped part).
            self.hi_seen = false;
            self.block_pos = 0;
        } else {
            self.block_pos -= k;
        }
        self.scanned -= k;
        self.line_start -= k;
        if self.line_colon != NONE {
            self.line_colon -= k;
        }
    }

    /// Forgets the scanned part of the unfinished line and restarts at position 0.
    ///
    /// Only meaningful right after `next_line` returned `None`: the owner then drops the first
    /// [`Cursor::scanned`] bytes of its buffer.
    #[inline]
    pub(crate) fn forget_scanned(&mut self) {
        *self = Cursor::new();
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference masks, one byte at a time.
    fn naive(block: &[u8; 64]) -> Masks {
        let mut m = Masks::default();
        for (i, &b) in block.iter().enumerate() {
            m.nl |= u64::from(b == b'\n') << i;
            m.colon |= u64::from(b == b':') << i;
            m.hi |= b >= 0x80;
        }
        m
    }

    /// Reference split: every complete line with its first colon and non-ASCII flag.
    fn naive_lines(buf: &[u8]) -> Vec<Line> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if b == b'\n' {
                let line = &buf[start..i];
                out.push(Line {
                    start,
                    colon: line
                        .iter()
                        .position(|&c| c == b':')
                        .map_or(NONE, |c| start + c),
                    end: i,
                });
                start = i + 1;
            }
        }
        out
    }

    /// Feeds `data` in chunks of the given sizes, collecting lines with kernel `K`; positions are
    /// mapped back to `data` although the buffer is compacted after every chunk.
    fn chunked_lines<K: Kernel>(data: &[u8], sizes: &[usize]) -> Vec<Line> {
        let mut buf: Vec<u8> = Vec::new();
        let mut cur = Cursor::new();
        let mut dropped = 0;
        let mut out = Vec::new();
        let mut fed = 0;
        let mut sizes = sizes.iter().copied().cycle();
        while fed < data.len() {
            let n = sizes.next().unwrap_or(1).clamp(1, data.len() - fed);
            buf.extend_from_slice(&data[fed..fed + n]);
            fed += n;
            while let Some(mut l) = cur.next_line_with::<K>(&buf) {
                l.start += dropped;
                l.end += dropped;
                if l.colon != NONE {
                    l.colon += dropped;
                }
                out.push(l);
            }
            assert!(buf[..cur.scanned()].is_ascii() || cur.non_ascii());
            // Drop the consumed lines, as the framer does.
            let k = cur.line_start();
            buf.drain(..k);
            cur.rebase(k);
            dropped += k;
            assert!(buf[..cur.scanned()].is_ascii() || cur.non_ascii());
        }
        out
    }

    fn fixtures() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/captures");
        let mut out = Vec::new();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_some_and(|x| x == "ami") {
                    if let Ok(data) = std::fs::read(&path) {
                        out.push(data);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn kernels_agree_on_every_byte_value() {
        let mut block = [0u8; 64];
        for start in 0..=255u8 {
            for (i, b) in block.iter_mut().enumerate() {
                *b = start.wrapping_add((i as u8).wrapping_mul(7));
            }
            let expected = naive(&block);
            assert_eq!(Swar::masks(&block), expected);
            #[cfg(target_arch = "x86_64")]
            assert_eq!(Sse2::masks(&block), expected);
        }
    }

    #[test]
    fn fixtures_split_identically_with_both_kernels() {
        let all = fixtures();
        assert!(!all.is_empty(), "no fixtures found");
        for data in &all {
            let expected = naive_lines(data);
            for sizes in [&[usize::MAX][..], &[1], &[63, 1, 64, 65, 7], &[200, 3]] {
                assert_eq!(chunked_lines::<Swar>(data, sizes), expected);
                assert_eq!(chunked_lines::<Native>(data, sizes), expected);
            }
        }
    }

    proptest! {
        #[test]
        fn kernels_agree_on_random_blocks(bytes in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b':'), Just(b'\r'), Just(0x80u8), Just(0xffu8), any::<u8>()],
            64,
        )) {
            let mut block = [0u8; 64];
            block.copy_from_slice(&bytes);
            prop_assert_eq!(Swar::masks(&block), naive(&block));
            prop_assert_eq!(Native::masks(&block), naive(&block));
        }

        #[test]
        fn random_chunking_matches_naive(
            data in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(b':'), Just(b'\r'), Just(b'a'), Just(0xc3u8), any::<u8>()],
                0..600,
            ),
            sizes in proptest::collection::vec(1usize..100, 1..20),
        ) {
            let expected = naive_lines(&data);
            prop_assert_eq!(chunked_lines::<Swar>(&data, &sizes), expected.clone());
            prop_assert_eq!(chunked_lines::<Native>(&data, &sizes), expected);
        }
    }
}
