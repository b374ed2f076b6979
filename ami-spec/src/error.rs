//! Errors found while loading the spec, each with its `file:line:column`.

use std::fmt;

/// One problem in the spec, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file: its path when loaded from disk, its given name for inline sources.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The item it is about, e.g. `action QueueAdd, param Queue`; empty when none.
    pub context: String,
    /// What is wrong.
    pub kind: ErrorKind,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.context.is_empty() {
            write!(f, "{}: ", self.context)?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for Error {}

/// What is wrong with the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file or folder could not be read.
    #[error("cannot read: {0}")]
    Io(String),
    /// TOML syntax error, unknown or missing key, or a value of the wrong TOML type.
    #[error("{0}")]
    Toml(String),
    /// A name declared twice where it must be unique.
    #[error("duplicate {what} \"{name}\" (first defined at {first})")]
    Duplicate {
        /// What kind of name (`action`, `param`, `enum variant wire spelling`, …).
        what: &'static str,
        /// The name as written here.
        name: String,
        /// `file:line:column` of the first declaration.
        first: String,
    },
    /// Two items of one Rust type or namespace would get the same Rust name.
    #[error("Rust name \"{name}\" is also used by {other} (at {first})")]
    DuplicateRust {
        /// The Rust name.
        name: String,
        /// The other item, e.g. `field Channel`.
        other: String,
        /// `file:line:column` of the other item.
        first: String,
    },
    /// A `type` that is not one of the spec's types.
    #[error(
        "unknown type \"{0}\" (expected one of: string, int, uint, float, bool, enum, duration, \
         list, variable, channel_pattern)"
    )]
    UnknownType(String),
    /// `type = "enum"` without `enum = "…"`.
    #[error("type \"enum\" needs `enum = \"…\"` naming the enum")]
    MissingEnum,
    /// `enum = "…"` on a type other than `enum`.
    #[error("`enum` is only allowed with type = \"enum\" (this is type \"{0}\")")]
    UnexpectedEnum(String),
    /// `type = "duration"` without `unit`.
    #[error("type \"duration\" needs `unit = \"s\"` or `unit = \"ms\"`")]
    MissingUnit,
    /// A `unit` other than `s` or `ms`.
    #[error("unknown unit \"{0}\" (expected \"s\" or \"ms\")")]
    InvalidUnit(String),
    /// `unit = "…"` on a type other than `duration`.
    #[error("`unit` is only allowed with type = \"duration\" (this is type \"{0}\")")]
    UnexpectedUnit(String),
    /// A reference to an enum, fieldset or event that no spec file declares.
    #[error("unknown {what} \"{name}\"{hint}")]
    Dangling {
        /// `enum`, `fieldset` or `event`.
        what: &'static str,
        /// The name referred to.
        name: String,
        /// ` (did you mean "…"?)` when a name differs only in case, else empty.
        hint: String,
    },
    /// A response `kind` that is not one of the spec's kinds.
    #[error(
        "unknown response kind \"{0}\" (expected one of: plain, fields, list, command, goodbye)"
    )]
    UnknownResponseKind(String),
    /// A `list` response without `complete`.
    #[error("list response needs `complete = \"…\"`, the event that ends the list")]
    ListWithoutComplete,
    /// A `list` response without `items`, or with an empty one.
    #[error("list response needs `items = [\"…\"]`, the events that carry the items")]
    ListWithoutItems,
    /// A response key that does not belong to the response's kind.
    #[error("`{key}` is only allowed in a \"{allowed}\" response (this one is \"{kind}\")")]
    MisplacedResponseKey {
        /// The key (`field`, `items`, `complete`).
        key: &'static str,
        /// The kind it belongs to.
        allowed: &'static str,
        /// The response's kind.
        kind: String,
    },
    /// A module, type, variant or Rust field name that is not the identifier it must be.
    #[error("{what} \"{name}\" is not {expected}{hint}")]
    InvalidIdent {
        /// What the name is (`module name`, `Rust field name`, …).
        what: &'static str,
        /// The name.
        name: String,
        /// What it must be (`a snake_case identifier`, …).
        expected: &'static str,
        /// Advice when the name was derived rather than written, else empty.
        hint: String,
    },
    /// A wire name or spelling that cannot appear on the wire.
    #[error("{what} \"{name}\" {reason}")]
    InvalidWire {
        /// What the name is (`wire name`, `wire spelling`, `prefix`, …).
        what: &'static str,
        /// The name.
        name: String,
        /// Why (`is empty`, `contains whitespace`, …).
        reason: &'static str,
    },
    /// An item with neither a `synopsis` nor `needs_synopsis = true`.
    #[error("missing `synopsis` (write one line, or mark the item `needs_synopsis = true`)")]
    MissingSynopsis,
    /// `needs_synopsis` on an item that has a synopsis.
    #[error("`needs_synopsis` is only for items without a synopsis: remove it")]
    NeedlessNeedsSynopsis,
    /// A synopsis that is empty or spans several lines.
    #[error("synopsis must be one non-empty line")]
    InvalidSynopsis,
    /// A `case_variants` entry that differs from the name by more than case.
    #[error("case variant \"{variant}\" is not a capitalisation of \"{name}\"")]
    NotACaseVariant {
        /// The entry.
        variant: String,
        /// The field's name.
        name: String,
    },
    /// A param named `ActionID`, which every action has implicitly.
    #[error("ActionID must not be declared: every action has it implicitly")]
    ActionIdParam,
    /// `indexed = true` on a param whose name is not an index-0 name.
    #[error(
        "an indexed param is named by its first entry: `Name(0)` or `Name-000000` (six digits)"
    )]
    IndexedWithoutIndex,
    /// A param both `repeated` and `indexed`.
    #[error("a param cannot be both `repeated` and `indexed`")]
    RepeatedAndIndexed,
    /// An enum variant named like the generated catch-all variant.
    #[error("variant name \"Other\" is reserved for the generated catch-all variant")]
    ReservedVariant,
}

/// Every error found in one load, in file and position order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}
