//! Decode benchmarks over a realistic Asterisk 20 event stream.
//!
//! The corpus is built in memory from real events captured from Asterisk 20
//! (`fixtures/captures/*.ami`): a weighted mix of call-flow events (Newexten, VarSet, Newchannel,
//! Hangup, DialBegin/End, Cdr, BridgeEnter/Leave, Status, LocalBridge, …) averaging about 480
//! bytes and 21 headers, each copy with fresh `Uniqueid`/`Linkedid` values, repeated to more than
//! 2 MB after a greeting line.
//!
//! `framing` measures [`Framer`]: the corpus is pushed in 64 KiB chunks (a typical socket read)
//! and every message is taken out with its headers split. `typed_decode` measures
//! [`Event::decode`] into the generated types, on pre-framed messages and together with framing.
//!
//! Run: `cargo bench -p ami-types --bench decode -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::sync::OnceLock;

use ami_types::{Event, Frame, Framer, Message};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Size of one `push`, like one socket read.
const CHUNK: usize = 64 << 10;

/// Minimum corpus size.
const CORPUS_BYTES: usize = 2 << 20;

/// Event names in the corpus and how many of each per round.
const MIX: &[(&str, usize)] = &[
    ("Newexten", 4),
    ("VarSet", 2),
    ("Newchannel", 1),
    ("Newstate", 1),
    ("Hangup", 1),
    ("DialBegin", 1),
    ("DialEnd", 1),
    ("Cdr", 1),
    ("BridgeEnter", 1),
    ("BridgeLeave", 1),
    ("Status", 2),
    ("LocalBridge", 2),
    ("ParkedCall", 1),
    ("CoreShowChannel", 1),
    ("QueueMember", 1),
    ("DeviceStateChange", 1),
];

/// The benchmark corpus: a greeting line, then > 2 MB of events.
pub struct Corpus {
    /// The bytes, as received from a socket.
    pub bytes: Vec<u8>,
    /// Number of events in `bytes`.
    pub events: usize,
}

/// The shared corpus, built (and described on stderr) once.
pub fn shared_corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(build_corpus)
}

/// A copy of the corpus bytes (greeting line first).
pub fn corpus() -> Vec<u8> {
    shared_corpus().bytes.clone()
}

/// Every event of the capture fixtures, framed by the crate itself.
fn fixture_events() -> Vec<Message> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/captures");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures/captures is readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ami"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let data = std::fs::read(&path).expect("fixture is readable");
        let mut framer = Framer::new();
        framer.push(&data);
        while let Some(frame) = framer.finish() {
            if let Ok(Frame::Message(m)) = frame {
                if m.event().is_some() {
                    out.push(m);
                }
            }
        }
    }
    out
}

fn build_corpus() -> Corpus {
    let events = fixture_events();
    let by_name: Vec<Vec<&Message>> = MIX
        .iter()
        .map(|(name, _)| {
            let v: Vec<&Message> = events.iter().filter(|m| m.event() == Some(*name)).collect();
            assert!(!v.is_empty(), "no {name} event in the fixtures");
            v
        })
        .collect();
    let mut bytes = b"Asterisk Call Manager/9.0.0\r\n".to_vec();
    let (mut n, mut headers, mut event_bytes) = (0usize, 0usize, 0usize);
    let mut round = 0usize;
    while bytes.len() < CORPUS_BYTES {
        for ((_, weight), instances) in MIX.iter().zip(&by_name) {
            for j in 0..*weight {
                let src = instances[(round * weight + j) % instances.len()];
                // Vary the ids so that no two copies are byte-identical.
                let ids: Vec<(String, String)> = src
                    .iter()
                    .map(|(k, v)| {
                        let lk = k.to_ascii_lowercase();
                        let v = if lk.ends_with("uniqueid") || lk.ends_with("linkedid") {
                            format!("17641{:05}.{}", round % 100_000, n % 10_000)
                        } else {
                            v.to_owned()
                        };
                        (k.to_owned(), v)
                    })
                    .collect();
                let m = Message::from_headers(ids.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                bytes.extend_from_slice(m.as_bytes());
                bytes.extend_from_slice(b"\r\n");
                n += 1;
                headers += m.len();
                event_bytes += m.as_bytes().len() + 2;
            }
        }
        round += 1;
    }
    eprintln!(
        "corpus: {} bytes, {n} events, {:.0} bytes and {:.1} headers per event on average",
        bytes.len(),
        event_bytes as f64 / n as f64,
        headers as f64 / n as f64,
    );
    Corpus { bytes, events: n }
}

/// Frames `data` pushed in `chunk`-byte pieces; returns (messages, headers) seen.
fn frame_all(data: &[u8], chunk: usize) -> (usize, usize) {
    let mut framer = Framer::new();
    let (mut messages, mut headers) = (0, 0);
    for piece in data.chunks(chunk) {
        framer.push(piece);
        while let Some(frame) = framer.next_frame() {
            if let Ok(Frame::Message(m)) = frame {
                messages += 1;
                headers += black_box(&m).len();
            }
        }
    }
    (messages, headers)
}

/// Framing plus header split, per event and per byte.
fn framing(c: &mut Criterion) {
    let corpus = shared_corpus();
    assert_eq!(frame_all(&corpus.bytes, CHUNK).0, corpus.events);
    let mut group = c.benchmark_group("framing");
    group.throughput(Throughput::Elements(corpus.events as u64));
    group.bench_function("events_64k_chunks", |b| {
        b.iter(|| frame_all(black_box(&corpus.bytes), CHUNK))
    });
    group.throughput(Throughput::Bytes(corpus.bytes.len() as u64));
    group.bench_function("bytes_64k_chunks", |b| {
        b.iter(|| frame_all(black_box(&corpus.bytes), CHUNK))
    });
    group.finish();
}

/// Every message of the corpus, framed once.
fn framed_corpus() -> Vec<Message> {
    let mut framer = Framer::new();
    framer.push(&shared_corpus().bytes);
    let mut out = Vec::new();
    while let Some(frame) = framer.next_frame() {
        if let Ok(Frame::Message(m)) = frame {
            out.push(m);
        }
    }
    out
}

/// Decodes each message into its typed [`Event`]; returns how many decoded to a known type.
fn decode_all(messages: &[Message]) -> usize {
    let mut typed = 0;
    for m in messages {
        if let Ok(event) = Event::decode(black_box(m)) {
            typed += usize::from(!matches!(event, Event::Unknown(_)));
            black_box(&event);
        }
    }
    typed
}

/// Typed decode alone (messages already framed), and framing plus typed decode.
fn typed_decode(c: &mut Criterion) {
    let corpus = shared_corpus();
    let messages = framed_corpus();
    assert_eq!(
        decode_all(&messages),
        corpus.events,
        "every corpus event decodes to its type"
    );
    let mut group = c.benchmark_group("typed_decode");
    group.throughput(Throughput::Elements(corpus.events as u64));
    group.bench_function("events_preframed", |b| {
        b.iter(|| decode_all(black_box(&messages)))
    });
    group.bench_function("frame_and_decode_64k_chunks", |b| {
        b.iter(|| {
            let mut framer = Framer::new();
            let mut typed = 0usize;
            for piece in black_box(&corpus.bytes).chunks(CHUNK) {
                framer.push(piece);
                while let Some(frame) = framer.next_frame() {
                    if let Ok(Frame::Message(m)) = frame {
                        typed += usize::from(Event::decode(&m).is_ok());
                    }
                }
            }
            typed
        })
    });
    group.finish();
}

criterion_group!(benches, framing, typed_decode);
criterion_main!(benches);
