//! Rendering of criteria-file problems: `file:line:col`, the offending line with a caret
//! under the value, one sentence and a hint. It owns byte-span → line/column mapping and
//! nothing else; validation decides *what* is wrong, this module only shows *where*.

use std::fmt;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The source line, without its newline (a window of it when very long).
    pub source_line: String,
    /// The caret's column inside `source_line`.
    pub shown_column: usize,
    /// Width of the caret run (at least 1).
    pub width: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// Characters of a source line shown in a diagnostic.
const MAX_SHOWN: usize = 120;

/// A criteria file's text, able to turn byte spans into diagnostics.
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn diag(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let start = span.start.min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = self.text[..start].matches('\n').count() + 1;
        let column = self.text[line_start..start].chars().count() + 1;
        let end = span.end.clamp(start, line_end);
        let width = self.text[start..end].chars().count().max(1);
        let full = self.text[line_start..line_end].trim_end_matches('\r');
        // A very long line (a generated or damaged file) is shown as a window around the caret.
        let (source_line, shown_column, width) = if full.chars().count() > MAX_SHOWN {
            let from = column.saturating_sub(1 + MAX_SHOWN / 2);
            let window: String = full.chars().skip(from).take(MAX_SHOWN).collect();
            let lead = if from > 0 { "…" } else { "" };
            let caret = column - from + lead.chars().count();
            let room = (MAX_SHOWN + 1).saturating_sub(caret).max(1);
            (format!("{lead}{window}…"), caret, width.min(room))
        } else {
            (full.to_string(), column, width)
        };
        Diagnostic {
            file: self.name.to_string(),
            line,
            column,
            shown_column,
            source_line,
            width,
            message: message.into(),
            hint: None,
        }
    }
}

impl Diagnostic {
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let num = self.line.to_string();
        let pad = " ".repeat(num.len());
        let vi = crate::support::i18n::current() == crate::support::i18n::Lang::Vi;
        writeln!(f, "{}: {}", if vi { "lỗi" } else { "error" }, self.message)?;
        writeln!(f, "{pad}--> {}:{}:{}", self.file, self.line, self.column)?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{num} | {}", self.source_line)?;
        write!(
            f,
            "{pad} | {}{}",
            " ".repeat(self.shown_column - 1),
            "^".repeat(self.width)
        )?;
        if let Some(h) = &self.hint {
            write!(f, "\n{pad} = {}: {h}", if vi { "gợi ý" } else { "hint" })?;
        }
        Ok(())
    }
}
