//! The spec files as editable TOML documents (toml_edit keeps their layout and comments), with
//! the lookups the merge needs: items by name, the headers an event covers, the spellings an
//! enum accepts.

use std::path::{Path, PathBuf};

use heck::{ToSnakeCase, ToUpperCamelCase};
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

/// One spec file.
pub struct SpecFile {
    /// File stem, e.g. `app_queue`.
    pub stem: String,
    /// Its text when loaded; empty for a file this import creates.
    pub original: String,
    /// The document being edited.
    pub doc: DocumentMut,
}

/// Every spec file of a folder.
pub struct SpecFiles {
    /// The folder.
    pub dir: PathBuf,
    /// The files, by stem.
    pub files: Vec<SpecFile>,
}

/// The kind of a top-level item array.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// `[[action]]`.
    Action,
    /// `[[event]]`.
    Event,
    /// `[[enum]]`.
    Enum,
    /// `[[fieldset]]`.
    Fieldset,
}

impl Kind {
    /// The TOML key of its array of tables.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Action => "action",
            Kind::Event => "event",
            Kind::Enum => "enum",
            Kind::Fieldset => "fieldset",
        }
    }
}

/// Where an item is: file index and index in its array.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Loc {
    /// Index into [`SpecFiles::files`].
    pub file: usize,
    /// Index into the file's array of that kind.
    pub index: usize,
}

/// A string value of a table.
pub fn get_str<'a>(t: &'a Table, key: &str) -> Option<&'a str> {
    t.get(key).and_then(Item::as_str)
}

/// A bool value of a table, `false` when absent.
pub fn get_bool(t: &Table, key: &str) -> bool {
    t.get(key).and_then(Item::as_bool).unwrap_or(false)
}

/// The strings of an array value.
pub fn get_strs(t: &Table, key: &str) -> Vec<String> {
    t.get(key)
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The tables of a sub-array (`field`, `param`, `variant`, …), empty when absent.
pub fn sub_tables<'a>(t: &'a Table, key: &str) -> Vec<&'a Table> {
    t.get(key)
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// Appends `item` to the sub-array `key` of `t`, creating it when absent.
pub fn push_sub(t: &mut Table, key: &str, item: Table) {
    if !t.contains_key(key) {
        t.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    if let Some(array) = t.get_mut(key).and_then(Item::as_array_of_tables_mut) {
        array.push(item);
    }
}

/// The default Rust field name of a wire name (as `ami-spec` derives it).
pub fn field_name(wire: &str) -> String {
    let name: String = wire
        .replace("(0)", "")
        .to_snake_case()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    }
}

/// The default Rust type name of a wire name (as `ami-spec` derives it).
pub fn type_name(wire: &str) -> String {
    wire.to_upper_camel_case()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

impl SpecFiles {
    /// Loads every `*.toml` file of `dir`.
    pub fn load(dir: &Path) -> Result<SpecFiles, String> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let doc: DocumentMut = text
                .parse()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            files.push(SpecFile {
                stem,
                original: text,
                doc,
            });
        }
        Ok(SpecFiles {
            dir: dir.to_path_buf(),
            files,
        })
    }

    /// Writes the files that changed; returns their names.
    pub fn write(&self) -> Result<Vec<String>, String> {
        let mut written = Vec::new();
        for file in &self.files {
            let text = file.doc.to_string();
            if text != file.original {
                let path = self.dir.join(format!("{}.toml", file.stem));
                std::fs::write(&path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
                written.push(format!("{}.toml", file.stem));
            }
        }
        Ok(written)
    }

    /// The items of one kind in one file.
    pub fn items(&self, file: usize, kind: Kind) -> Vec<&Table> {
        sub_tables(self.files[file].doc.as_table(), kind.key())
    }

    /// Every item of a kind, with its location.
    pub fn all(&self, kind: Kind) -> Vec<(Loc, &Table)> {
        let mut out = Vec::new();
        for file in 0..self.files.len() {
            for (index, t) in self.items(file, kind).into_iter().enumerate() {
                out.push((Loc { file, index }, t));
            }
        }
        out
    }

    /// The item of that kind and name (case-insensitively for actions and events, which match so
    /// on the wire; exactly for enums and fieldsets).
    pub fn find(&self, kind: Kind, name: &str) -> Option<Loc> {
        let same = |n: &str| match kind {
            Kind::Action | Kind::Event => n.eq_ignore_ascii_case(name),
            Kind::Enum | Kind::Fieldset => n == name,
        };
        self.all(kind)
            .into_iter()
            .find(|(_, t)| get_str(t, "name").is_some_and(same))
            .map(|(l, _)| l)
    }

    /// The item at `loc`.
    pub fn get(&self, kind: Kind, loc: Loc) -> &Table {
        self.items(loc.file, kind)[loc.index]
    }

    /// The item at `loc`, mutably.
    pub fn get_mut(&mut self, kind: Kind, loc: Loc) -> &mut Table {
        self.files[loc.file].doc[kind.key()]
            .as_array_of_tables_mut()
            .and_then(|a| a.get_mut(loc.index))
            .expect("a location found by `find`")
    }

    /// Appends an item to a file; returns its location.
    pub fn push(&mut self, file: usize, kind: Kind, item: Table) -> Loc {
        let doc = self.files[file].doc.as_table_mut();
        push_sub(doc, kind.key(), item);
        let index = self.items(file, kind).len() - 1;
        Loc { file, index }
    }

    /// The index of the file with that stem, created with a `[module]` table when missing.
    pub fn file(&mut self, stem: &str, created: &mut Vec<String>) -> usize {
        if let Some(i) = self.files.iter().position(|f| f.stem == stem) {
            return i;
        }
        let mut doc = DocumentMut::new();
        let mut module = Table::new();
        module.insert("name", toml_edit::value(stem));
        module.insert(
            "synopsis",
            toml_edit::value(format!(
                "AMI actions and events of Asterisk's `{stem}` module."
            )),
        );
        doc.insert("module", Item::Table(module));
        self.files.push(SpecFile {
            stem: stem.to_string(),
            original: String::new(),
            doc,
        });
        created.push(format!("{stem}.toml"));
        self.files.len() - 1
    }

    /// Whether a Rust type name is taken by an enum or fieldset.
    pub fn type_taken(&self, name: &str) -> bool {
        self.find(Kind::Enum, name).is_some() || self.find(Kind::Fieldset, name).is_some()
    }

    /// Whether an action or event of that kind already has this Rust type name.
    pub fn rust_item_taken(&self, kind: Kind, rust: &str) -> bool {
        self.all(kind).iter().any(|(_, t)| {
            let own = get_str(t, "rust").map(str::to_string);
            own.unwrap_or_else(|| type_name(get_str(t, "name").unwrap_or_default())) == rust
        })
    }
}

/// A header an event declares, directly or through an included fieldset.
#[derive(Debug, Clone)]
pub struct Covered {
    /// Its `type`.
    pub ty: String,
    /// Its `enum`, when `type = "enum"`.
    pub enum_name: Option<String>,
    /// Index among the event's own fields, when it is one (not included, not prefix-matched).
    pub own: Option<usize>,
}

fn covered_by(field: &Table, prefix: &str, header: &str) -> bool {
    let name = format!("{prefix}{}", get_str(field, "name").unwrap_or_default());
    if name.eq_ignore_ascii_case(header)
        || get_strs(field, "case_variants")
            .iter()
            .any(|v| format!("{prefix}{v}").eq_ignore_ascii_case(header))
    {
        return true;
    }
    get_bool(field, "prefix_match")
        && header.len() >= name.len()
        && header.is_char_boundary(name.len())
        && header[..name.len()].eq_ignore_ascii_case(&name)
}

fn covered(field: &Table, own: Option<usize>) -> Covered {
    Covered {
        ty: get_str(field, "type").unwrap_or("string").to_string(),
        enum_name: get_str(field, "enum").map(str::to_string),
        own: own.filter(|_| !get_bool(field, "prefix_match")),
    }
}

impl SpecFiles {
    /// How the item `t` (an event, or any table with `field`s and `include`s) covers `header`.
    pub fn covers(&self, t: &Table, header: &str) -> Option<Covered> {
        for (i, f) in sub_tables(t, "field").into_iter().enumerate() {
            if covered_by(f, "", header) {
                return Some(covered(f, Some(i)));
            }
        }
        for inc in sub_tables(t, "include") {
            let prefix = get_str(inc, "prefix").unwrap_or_default();
            let Some(set) = get_str(inc, "fieldset").and_then(|n| self.find(Kind::Fieldset, n))
            else {
                continue;
            };
            for f in sub_tables(self.get(Kind::Fieldset, set), "field") {
                if covered_by(f, prefix, header) {
                    return Some(covered(f, None));
                }
            }
        }
        None
    }

    /// The spellings an enum accepts (wire, aliases, value, text), ASCII-lowercased, per variant.
    pub fn enum_spellings(&self, name: &str) -> Option<Vec<Vec<String>>> {
        self.spellings(name, true)
    }

    /// Like [`Self::enum_spellings`] without the numeric `value`s: what a header may carry as
    /// text. Two enums are the same only when these agree; `value`s are Asterisk's internal
    /// numbers, which unrelated enums share (0, 1, 2…).
    pub fn enum_wire_spellings(&self, name: &str) -> Option<Vec<Vec<String>>> {
        self.spellings(name, false)
    }

    fn spellings(&self, name: &str, with_values: bool) -> Option<Vec<Vec<String>>> {
        let loc = self.find(Kind::Enum, name)?;
        let variants = sub_tables(self.get(Kind::Enum, loc), "variant");
        Some(
            variants
                .into_iter()
                .map(|v| {
                    let mut s: Vec<String> = get_strs(v, "aliases");
                    s.extend(get_str(v, "wire").map(str::to_string));
                    s.extend(get_str(v, "text").map(str::to_string));
                    if with_values {
                        s.extend(
                            v.get("value")
                                .and_then(Item::as_integer)
                                .map(|n| n.to_string()),
                        );
                    }
                    s.iter().map(|x| x.to_ascii_lowercase()).collect()
                })
                .collect(),
        )
    }
}
