//! Plain-text layout for the terminal: aligned columns, indented blocks, wrapped words.

/// Rows as aligned columns; the last column is not padded.
pub fn columns(rows: &[Vec<String>], gap: &str) -> String {
    let count = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..count)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                let pad = widths[i] - c.chars().count();
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(gap);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Each non-empty line indented by two spaces.
pub fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}

/// Words wrapped at `width` columns, each line starting with `prefix`.
pub fn wrap(text: &str, prefix: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(prefix);
    for word in text.split(' ') {
        if line.len() > prefix.len() && line.len() + 1 + word.len() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(prefix);
        }
        if line.len() > prefix.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if line.len() > prefix.len() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_wrap_breaks_lines() {
        let rows = vec![
            vec!["a".to_owned(), "bb".to_owned(), "c".to_owned()],
            vec!["ddd".to_owned(), "e".to_owned(), String::new()],
        ];
        assert_eq!(columns(&rows, " "), "a   bb c\nddd e\n");
        assert_eq!(wrap("one two three", "> ", 9), "> one two\n> three\n");
        assert_eq!(indent("a\n\nb"), "  a\n\n  b\n");
    }
}
