//! "Did you mean": the names closest to a mistyped one, for every command that takes a name.

/// The candidates nearest to `name` (ASCII case ignored) by edit distance: all those at the
/// smallest distance, at most three, and only when that distance is 3 or less.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let wanted = name.to_ascii_lowercase();
    let mut best: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (distance(&c.to_ascii_lowercase(), &wanted), c))
        .collect();
    best.sort();
    best.dedup();
    let nearest = best.first().map_or(usize::MAX, |(d, _)| *d);
    best.iter()
        .take_while(|(d, _)| *d == nearest && *d <= 3)
        .take(3)
        .map(|(_, n)| *n)
        .collect()
}

/// Levenshtein distance.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("ping", "ping"), 0);
        assert_eq!(distance("pnig", "ping"), 2);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_ignores_case_and_keeps_ties() {
        let names = ["Ping", "Hangup", "Hangups", "QueueStatus"];
        assert_eq!(closest("pnig", names), ["Ping"]);
        assert_eq!(closest("QUEUESTATS", names), ["QueueStatus"]);
        assert_eq!(closest("Hangupx", names), ["Hangup", "Hangups"]);
        assert!(closest("Originate", names).is_empty());
    }
}
