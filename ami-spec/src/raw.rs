//! Serde mirrors of the TOML, as written: unchecked, with spans where errors need a location.

use serde::Deserialize;
use toml::Spanned;

/// A whole spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    pub module: Spanned<Module>,
    #[serde(default, rename = "enum")]
    pub enums: Vec<Spanned<Enum>>,
    #[serde(default, rename = "fieldset")]
    pub fieldsets: Vec<Spanned<Fieldset>>,
    #[serde(default, rename = "event")]
    pub events: Vec<Spanned<Event>>,
    #[serde(default, rename = "action")]
    pub actions: Vec<Spanned<Action>>,
}

/// `[module]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Module {
    pub name: Spanned<String>,
    pub synopsis: Spanned<String>,
}

/// `[[enum]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Enum {
    pub name: Spanned<String>,
    pub synopsis: Option<Spanned<String>>,
    pub needs_synopsis: Option<Spanned<bool>>,
    #[serde(default, rename = "variant")]
    pub variants: Vec<Variant>,
}

/// `[[enum.variant]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Variant {
    pub name: Spanned<String>,
    pub wire: Spanned<String>,
    pub value: Option<i64>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    pub text: Option<String>,
    pub doc: Option<String>,
}

/// `[[fieldset]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fieldset {
    pub name: Spanned<String>,
    pub synopsis: Spanned<String>,
    #[serde(default, rename = "field")]
    pub fields: Vec<Field>,
}

/// `[[event]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Event {
    pub name: Spanned<String>,
    pub rust: Option<Spanned<String>>,
    pub synopsis: Option<Spanned<String>>,
    pub needs_synopsis: Option<Spanned<bool>>,
    pub privilege: Option<String>,
    pub since: Option<String>,
    pub removed: Option<String>,
    #[serde(default, rename = "field")]
    pub fields: Vec<Field>,
    #[serde(default, rename = "include")]
    pub includes: Vec<Include>,
}

/// `[[event.field]]`, `[[fieldset.field]]` and `[[action.response.field]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Field {
    pub name: Spanned<String>,
    pub rust: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    #[serde(rename = "enum")]
    pub enum_name: Option<Spanned<String>>,
    pub unit: Option<Spanned<String>>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub repeated: bool,
    #[serde(default)]
    pub prefix_match: bool,
    #[serde(default)]
    pub case_variants: Vec<Spanned<String>>,
    pub since: Option<String>,
    pub removed: Option<String>,
    pub doc: Option<String>,
}

/// `[[event.include]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Include {
    pub fieldset: Spanned<String>,
    pub prefix: Option<Spanned<String>>,
    pub rust: Spanned<String>,
    #[serde(default)]
    pub required: bool,
}

/// `[[action]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Action {
    pub name: Spanned<String>,
    pub rust: Option<Spanned<String>>,
    pub synopsis: Option<Spanned<String>>,
    pub needs_synopsis: Option<Spanned<bool>>,
    pub privilege: Option<Vec<String>>,
    pub since: Option<String>,
    pub removed: Option<String>,
    pub follow_up: Option<Spanned<String>>,
    #[serde(default, rename = "param")]
    pub params: Vec<Param>,
    pub response: Spanned<Response>,
    #[serde(default, rename = "example")]
    pub examples: Vec<Example>,
}

/// `[[action.param]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Param {
    pub name: Spanned<String>,
    pub rust: Option<Spanned<String>>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    #[serde(rename = "enum")]
    pub enum_name: Option<Spanned<String>>,
    pub unit: Option<Spanned<String>>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub repeated: bool,
    pub indexed: Option<Spanned<bool>>,
    #[serde(default)]
    pub secret: bool,
    pub default: Option<String>,
    pub since: Option<String>,
    pub removed: Option<String>,
    pub doc: Option<String>,
}

/// `[action.response]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Response {
    pub kind: Spanned<String>,
    pub items: Option<Spanned<Vec<Spanned<String>>>>,
    pub complete: Option<Spanned<String>>,
    #[serde(rename = "field")]
    pub fields: Option<Spanned<Vec<Field>>>,
}

/// `[[action.example]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Example {
    pub title: String,
    pub request: String,
    pub response: String,
}

/// Just the top-level items of a file and their spans, to attribute and skip broken items.
#[derive(Debug, Deserialize)]
pub(crate) struct Skeleton {
    pub module: Option<Spanned<toml::Table>>,
    #[serde(default, rename = "enum")]
    pub enums: Vec<Spanned<toml::Table>>,
    #[serde(default, rename = "fieldset")]
    pub fieldsets: Vec<Spanned<toml::Table>>,
    #[serde(default, rename = "event")]
    pub events: Vec<Spanned<toml::Table>>,
    #[serde(default, rename = "action")]
    pub actions: Vec<Spanned<toml::Table>>,
}
