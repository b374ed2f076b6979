//! A link checker for the project's Markdown: every relative link must name an existing file,
//! and its `#anchor`, if any, a heading (or an HTML `id`) of that file. Run as a test over the
//! reference, the guide and the READMEs.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::markdown::slug;

/// The link targets of a Markdown text, outside code blocks and code spans, with their line.
pub fn links_in(text: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    for (n, line) in prose_lines(text) {
        let trimmed = line.trim_start();
        // A reference definition: `[label]: target`.
        if let Some(definition) = trimmed.strip_prefix('[') {
            if let Some((label, rest)) = definition.split_once("]:") {
                if !label.contains(']') {
                    if let Some(target) = rest.split_whitespace().next() {
                        links.push((n, target.to_owned()));
                    }
                    continue;
                }
            }
        }
        let line = strip_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = closing_paren(after) else {
                break;
            };
            let inner = &after[..end];
            let target = match inner.strip_prefix('<') {
                Some(bracketed) => bracketed.split('>').next().unwrap_or_default(),
                None => inner.split_whitespace().next().unwrap_or_default(),
            };
            links.push((n, target.to_owned()));
            rest = &after[end..];
        }
    }
    links
}

/// The anchors a Markdown text defines: its headings as GitHub names them (a repeated heading
/// gets `-1`, `-2`, …) and HTML `id`/`name` attributes.
pub fn anchors_in(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (_, line) in prose_lines(text) {
        let trimmed = line.trim_start();
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        if (1..=6).contains(&level) && trimmed[level..].starts_with(' ') {
            let base = slug(&link_text(trimmed[level..].trim()));
            let count = seen.entry(base.clone()).or_insert(0);
            anchors.insert(if *count == 0 {
                base.clone()
            } else {
                format!("{base}-{count}")
            });
            *count += 1;
        }
        for attr in ["id=\"", "name=\""] {
            let mut rest = line;
            while let Some(at) = rest.find(attr) {
                let after = &rest[at + attr.len()..];
                if let Some(end) = after.find('"') {
                    anchors.insert(after[..end].to_owned());
                }
                rest = after;
            }
        }
    }
    anchors
}

/// Checks every relative link of `files` (paths relative to `root`); returns the broken ones.
pub fn check(root: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut broken = Vec::new();
    let mut anchor_cache: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    for file in files {
        let path = root.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                broken.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let dir = path.parent().unwrap_or(root).to_path_buf();
        for (line, target) in links_in(&text) {
            if target.is_empty() || is_external(&target) {
                continue;
            }
            let (file_part, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target.as_str(), None),
            };
            let target_path = if file_part.is_empty() {
                path.clone()
            } else {
                dir.join(file_part)
            };
            let at = format!("{}:{line}: {target}", file.display());
            if !target_path.exists() {
                broken.push(format!("{at}: no such file"));
                continue;
            }
            let Some(anchor) = anchor else {
                continue;
            };
            if target_path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let anchors = anchor_cache.entry(target_path.clone()).or_insert_with(|| {
                anchors_in(&std::fs::read_to_string(&target_path).unwrap_or_default())
            });
            if !anchors.contains(anchor) {
                broken.push(format!("{at}: no heading with anchor #{anchor}"));
            }
        }
    }
    broken
}

fn is_external(target: &str) -> bool {
    target.contains("://") || target.starts_with("mailto:")
}

/// Lines outside fenced code blocks, numbered from 1.
fn prose_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut fence: Option<&str> = None;
    text.lines().enumerate().filter_map(move |(i, line)| {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                match fence {
                    None => fence = Some(marker),
                    Some(open) if open == marker => fence = None,
                    Some(_) => {}
                }
                return None;
            }
        }
        fence.is_none().then_some((i + 1, line))
    })
}

fn strip_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            out.push(c);
        }
    }
    out
}

/// Index of the `)` closing a link target that starts right after `(`.
fn closing_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// A heading's text with links reduced to their text: `[a](b)` → `a`.
fn link_text(heading: &str) -> String {
    let mut out = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find("](") {
            Some(mid) => {
                out.push_str(&after[..mid]);
                let target = &after[mid + 2..];
                rest = closing_paren(target).map_or("", |end| &target[end + 1..]);
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::workspace_root;

    #[test]
    fn links_are_found_outside_code() {
        let text = "See [a](a.md#x) and `[b](b.md)`.\n\n```\n[c](c.md)\n```\n[d]: d.md\n\
                    [e](https://example.com) [f](<f g.md> \"title\")\n";
        let links: Vec<String> = links_in(text).into_iter().map(|(_, l)| l).collect();
        assert_eq!(links, ["a.md#x", "d.md", "https://example.com", "f g.md"]);
    }

    #[test]
    fn anchors_follow_github() {
        let text = "# Guide\n## Events and filtering\n## Events and filtering\n\
                    ### Action `QueueStatus`\n<a id=\"custom\"></a>\n```\n# not a heading\n```\n";
        let anchors: Vec<String> = anchors_in(text).into_iter().collect();
        assert_eq!(
            anchors,
            [
                "action-queuestatus",
                "custom",
                "events-and-filtering",
                "events-and-filtering-1",
                "guide"
            ]
        );
    }

    #[test]
    fn check_reports_missing_files_and_anchors() {
        let dir = std::env::temp_dir().join(format!("xtask-links-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/b.md"), "# Title\n## Event `AOC-D`\n").unwrap();
        std::fs::write(
            dir.join("a.md"),
            "# A\n[ok](sub/b.md#event-aoc-d) [self](#a) [file](sub/b.md) [web](https://x.y)\n\
             [gone](missing.md) [bad](sub/b.md#nothing) [here](#nowhere)\n",
        )
        .unwrap();
        let broken = check(&dir, &[PathBuf::from("a.md")]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            broken,
            [
                "a.md:3: missing.md: no such file",
                "a.md:3: sub/b.md#nothing: no heading with anchor #nothing",
                "a.md:3: #nowhere: no heading with anchor #nowhere",
            ]
        );
    }

    /// Every relative link of the reference, the guide and the READMEs resolves.
    #[test]
    fn every_relative_link_resolves() {
        let root = workspace_root();
        let mut files = vec![
            PathBuf::from("README.md"),
            PathBuf::from("docs/guide.md"),
            PathBuf::from("ami-spec/spec/README.md"),
        ];
        let mut pages: Vec<PathBuf> = std::fs::read_dir(root.join(super::super::REFERENCE_DIR))
            .expect("docs/reference exists: run `cargo xtask docs`")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .map(|p| p.strip_prefix(&root).unwrap_or(&p).to_path_buf())
            .collect();
        pages.sort();
        assert!(pages.len() > 10, "the reference has pages");
        files.extend(pages);
        let broken = check(&root, &files);
        assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    }
}
