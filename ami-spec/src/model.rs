//! The checked spec model: what `xtask codegen`, the docs and the CLI consume.
//!
//! Every value here has passed validation (see `validate.rs`): names are unique, every enum,
//! fieldset and event reference resolves, list responses name their completion event.

use std::path::PathBuf;

/// The whole spec: every module file, in file-name order.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The modules, sorted by file name.
    pub modules: Vec<Module>,
}

/// One spec file: an Asterisk module or domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// snake_case module name, also the generated file's name.
    pub name: String,
    /// One-line description.
    pub synopsis: String,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// Enumerations declared here.
    pub enums: Vec<EnumDef>,
    /// Field sets declared here.
    pub fieldsets: Vec<Fieldset>,
    /// Events declared here.
    pub events: Vec<Event>,
    /// Actions declared here.
    pub actions: Vec<Action>,
}

/// Asterisk versions an item exists in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Since {
    /// First Asterisk major version that has it, when known.
    pub since: Option<String>,
    /// First Asterisk major version that no longer has it.
    pub removed: Option<String>,
}

/// An open enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Rust type name.
    pub name: String,
    /// One-line description; a generic one when `needs_synopsis`.
    pub synopsis: String,
    /// The importer added it and nobody has written its synopsis yet.
    pub needs_synopsis: bool,
    /// Known values.
    pub variants: Vec<Variant>,
}

/// One known value of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// The spelling we send and accept.
    pub wire: String,
    /// Asterisk's numeric value, also accepted.
    pub value: Option<i64>,
    /// Other accepted spellings.
    pub aliases: Vec<String>,
    /// Human description Asterisk prints beside it, also accepted.
    pub text: Option<String>,
    /// Our explanation.
    pub doc: Option<String>,
}

/// A reusable group of fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Fieldset {
    /// Rust type name.
    pub name: String,
    /// One-line description.
    pub synopsis: String,
    /// Its fields.
    pub fields: Vec<Field>,
}

/// An event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Wire name.
    pub name: String,
    /// Rust type name.
    pub rust: String,
    /// One-line description; a generic one when `needs_synopsis`.
    pub synopsis: String,
    /// The importer added it and nobody has written its synopsis yet.
    pub needs_synopsis: bool,
    /// Class in its `Privilege:` header.
    pub privilege: Option<String>,
    /// Version range.
    pub since: Since,
    /// Its own fields.
    pub fields: Vec<Field>,
    /// Fieldsets it carries.
    pub includes: Vec<Include>,
}

/// A fieldset carried by an event, with a header prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    /// Name of the fieldset.
    pub fieldset: String,
    /// Prefix of its header names.
    pub prefix: String,
    /// Rust field name.
    pub rust: String,
    /// Whether it must be present.
    pub required: bool,
}

/// The type of a parameter or field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// Text.
    String,
    /// Signed integer.
    Int,
    /// Unsigned integer.
    Uint,
    /// Floating point number.
    Float,
    /// Boolean.
    Bool,
    /// A spec enum, by name.
    Enum(String),
    /// A duration in the given unit.
    Duration(Unit),
    /// Comma-separated list.
    List,
    /// `name=value`.
    Variable,
    /// Channel name or `/regex/`.
    ChannelPattern,
}

/// Unit of a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
}

/// A header of an event, fieldset or response.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Wire header name.
    pub name: String,
    /// Rust field name.
    pub rust: String,
    /// Its type.
    pub ty: Type,
    /// Decoding fails when it is missing.
    pub required: bool,
    /// May appear many times.
    pub repeated: bool,
    /// The wire name only starts with `name`.
    pub prefix_match: bool,
    /// Other capitalisations seen on the wire.
    pub case_variants: Vec<String>,
    /// Asterisk versions that send it, when narrower than its item's.
    pub since: Since,
    /// Our explanation.
    pub doc: Option<String>,
}

/// An action.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    /// Wire name.
    pub name: String,
    /// Rust type name.
    pub rust: String,
    /// One-line description; a generic one when `needs_synopsis`.
    pub synopsis: String,
    /// The importer added it and nobody has written its synopsis yet.
    pub needs_synopsis: bool,
    /// Write classes needed; empty means any logged-in user (when `privilege_known`).
    pub privilege: Vec<String>,
    /// Whether the spec states the privilege; `false` when the key is absent (not recorded).
    pub privilege_known: bool,
    /// Version range.
    pub since: Since,
    /// Event it later causes.
    pub follow_up: Option<String>,
    /// Parameters, without ActionID.
    pub params: Vec<Param>,
    /// Response shape.
    pub response: Response,
    /// Wire transcripts.
    pub examples: Vec<Example>,
}

/// A parameter of an action.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Wire header name, e.g. `UnitAmount(0)` for indexed ones.
    pub name: String,
    /// Rust field name.
    pub rust: String,
    /// Its type.
    pub ty: Type,
    /// Constructor argument when true.
    pub required: bool,
    /// One header per value.
    pub repeated: bool,
    /// Sent as `Name(0)`, `Name(1)`, … or `Name-000000`, `Name-000001`, … (see
    /// [`Param::index_pattern`]).
    pub indexed: bool,
    /// A credential: never shown in `Debug` output.
    pub secret: bool,
    /// Asterisk's default.
    pub default: Option<String>,
    /// Asterisk versions that accept it, when narrower than its action's.
    pub since: Since,
    /// Our explanation.
    pub doc: Option<String>,
}

/// The shape of an action's response.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// Only `Message`.
    Plain,
    /// Typed headers.
    Fields(Vec<Field>),
    /// An event list.
    List {
        /// Event names carrying items.
        items: Vec<String>,
        /// Completion event name.
        complete: String,
    },
    /// `Output:` lines.
    Command,
    /// Logoff's `Response: Goodbye`.
    Goodbye,
}

/// A wire transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// What it shows.
    pub title: String,
    /// The request as sent.
    pub request: String,
    /// What came back.
    pub response: String,
}

impl Spec {
    /// All actions of every module.
    pub fn actions(&self) -> impl Iterator<Item = (&Module, &Action)> {
        self.modules
            .iter()
            .flat_map(|m| m.actions.iter().map(move |a| (m, a)))
    }

    /// All events of every module.
    pub fn events(&self) -> impl Iterator<Item = (&Module, &Event)> {
        self.modules
            .iter()
            .flat_map(|m| m.events.iter().map(move |e| (m, e)))
    }

    /// All enums of every module.
    pub fn enums(&self) -> impl Iterator<Item = (&Module, &EnumDef)> {
        self.modules
            .iter()
            .flat_map(|m| m.enums.iter().map(move |e| (m, e)))
    }

    /// All fieldsets of every module.
    pub fn fieldsets(&self) -> impl Iterator<Item = (&Module, &Fieldset)> {
        self.modules
            .iter()
            .flat_map(|m| m.fieldsets.iter().map(move |e| (m, e)))
    }

    /// The event of that wire name.
    pub fn event(&self, name: &str) -> Option<&Event> {
        self.events().map(|(_, e)| e).find(|e| e.name == name)
    }

    /// The fieldset of that name.
    pub fn fieldset(&self, name: &str) -> Option<&Fieldset> {
        self.fieldsets().map(|(_, f)| f).find(|f| f.name == name)
    }

    /// The enum of that name.
    pub fn enum_def(&self, name: &str) -> Option<&EnumDef> {
        self.enums().map(|(_, e)| e).find(|e| e.name == name)
    }
}

impl Param {
    /// For an indexed param, its name's stem and whether the index is six zero-padded digits
    /// (`Action-000000` gives `("Action-", true)`, `UnitAmount(0)` gives `("UnitAmount",
    /// false)`). Padded params are per-step headers that a step may leave out, so each of their
    /// entries is optional.
    pub fn index_pattern(&self) -> Option<(&str, bool)> {
        if !self.indexed {
            return None;
        }
        index_pattern(&self.name)
    }

    /// The index of `header` when it is an entry of this indexed param (`UnitAmount(3)` gives
    /// 3, `Action-000012` gives 12; the stem compared ignoring ASCII case); `None` otherwise.
    pub fn index_of(&self, header: &str) -> Option<usize> {
        let (stem, padded) = self.index_pattern()?;
        let rest = header
            .get(..stem.len())
            .filter(|h| h.eq_ignore_ascii_case(stem))
            .and_then(|_| header.get(stem.len()..))?;
        let digits = if padded {
            Some(rest).filter(|r| r.len() == 6)?
        } else {
            rest.strip_prefix('(')?.strip_suffix(')')?
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
}

/// The stem of an index-0 header name and whether its index is padded; see
/// [`Param::index_pattern`].
pub fn index_pattern(name: &str) -> Option<(&str, bool)> {
    if let Some(stem) = name.strip_suffix("(0)") {
        return Some((stem, false));
    }
    name.strip_suffix("000000")
        .filter(|stem| stem.ends_with('-'))
        .map(|stem| (stem, true))
}
