//! Removals: what the previous dump documented and this one lacks gets `removed`.

use toml_edit::{value, Item};

use crate::import::dump::{DocParam, Dump};
use crate::import::spec_files::{get_str, sub_tables, Kind, Loc};

use super::Merge;

impl Merge<'_> {
    /// Items the previous dump documented and this one does not get `removed`.
    pub(super) fn removals(&mut self, prev: &Dump) {
        let removed = (prev.version + 1).to_string();
        let dump = self.dump;
        for old in &prev.actions {
            let now = dump
                .actions
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(&old.name));
            let now = now.map(|a| a.params.as_slice());
            self.removal(Kind::Action, &old.name, &old.params, now, &removed);
        }
        for old in &prev.events {
            let now = dump
                .events
                .iter()
                .find(|e| e.name.eq_ignore_ascii_case(&old.name));
            let now = now.map(|e| e.params.as_slice());
            self.removal(Kind::Event, &old.name, &old.params, now, &removed);
        }
    }

    /// Marks the action or event `name` removed when this dump lacks it (`now` is `None`), or
    /// those of its params or fields that the previous dump had (`old`) and this one lacks.
    fn removal(
        &mut self,
        kind: Kind,
        name: &str,
        old: &[DocParam],
        now: Option<&[DocParam]>,
        removed: &str,
    ) {
        let Some(loc) = self.files.find(kind, name) else {
            return;
        };
        let (noun, member) = match kind {
            Kind::Action => ("action", "param"),
            _ => ("event", "field"),
        };
        let Some(now) = now else {
            let what = format!("{noun} {name}");
            return self.mark_removed(kind, loc, None, &what, removed);
        };
        let gone = old
            .iter()
            .filter(|p| !now.iter().any(|q| q.name.eq_ignore_ascii_case(&p.name)));
        for p in gone {
            let t = self.files.get(kind, loc);
            let i = match kind {
                Kind::Action => sub_tables(t, member).iter().position(|q| {
                    get_str(q, "name").is_some_and(|n| n.eq_ignore_ascii_case(&p.name))
                }),
                // A field the event has through a fieldset is the fieldset's, not marked here.
                _ => {
                    let t = t.clone();
                    self.files.covers(&t, &p.name).and_then(|c| c.own)
                }
            };
            if let Some(i) = i {
                let what = format!("{noun} {name}, {member} {}", p.name);
                self.mark_removed(kind, loc, Some((member, i)), &what, removed);
            }
        }
    }

    fn mark_removed(
        &mut self,
        kind: Kind,
        loc: Loc,
        member: Option<(&str, usize)>,
        what: &str,
        removed: &str,
    ) {
        let item = self.files.get_mut(kind, loc);
        let t = match member {
            None => item,
            Some((key, i)) => match item
                .get_mut(key)
                .and_then(Item::as_array_of_tables_mut)
                .and_then(|a| a.get_mut(i))
            {
                Some(t) => t,
                None => return,
            },
        };
        match get_str(t, "removed") {
            Some(r) if r == removed => {}
            Some(r) => {
                let text =
                    format!("{what}: the spec says removed in {r}, the imports show {removed}");
                self.disagree(text);
            }
            None => {
                t.insert("removed", value(removed));
                self.change(format!("{what}: removed = {removed}"));
            }
        }
    }
}
