//! One spec file's text, and byte offsets turned into `line:column`.

use crate::error::{Error, ErrorKind};
use std::ops::Range;
use std::path::PathBuf;

/// A loaded spec file.
pub(crate) struct Source {
    /// The name errors show: the path for files on disk, the given name for inline sources.
    pub name: String,
    /// Its path, or its given name for inline sources.
    pub path: PathBuf,
    /// Its contents.
    pub text: String,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl Source {
    /// Wraps a file's path and contents.
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            name: path.display().to_string(),
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let column = match self.text.get(start..offset) {
            Some(prefix) => prefix.chars().count(),
            None => offset - start,
        };
        (line + 1, column + 1)
    }

    /// `file:line:column` of a byte offset.
    pub fn locate(&self, offset: usize) -> String {
        let (line, column) = self.position(offset);
        format!("{}:{line}:{column}", self.name)
    }

    /// An error at the start of `span`.
    pub fn error(&self, span: &Range<usize>, context: impl Into<String>, kind: ErrorKind) -> Error {
        let (line, column) = self.position(span.start);
        Error {
            file: self.name.clone(),
            line,
            column,
            context: context.into(),
            kind,
        }
    }
}
