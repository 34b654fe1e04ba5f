//! The one error type at the boundary of the library. It owns the mapping from failures to
//! exit codes (via [`Error::exit_code`]); modules below return it with enough context (file,
//! row, column, criterion id) that `main` only has to print it.

use std::path::PathBuf;

use crate::input::criteria::diagnostic::Diagnostic;

/// A data problem in an input table, located as the user sees it in Excel.
#[derive(Debug, Clone, PartialEq)]
pub struct DataIssue {
    pub file: String,
    /// 1-based row as shown by Excel or a text editor; `None` for file-level problems.
    pub row: Option<usize>,
    /// Column letter and header, e.g. `C (ty_le_dung_han)`.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for DataIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let vi = crate::support::i18n::current() == crate::support::i18n::Lang::Vi;
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, ", {} {r}", if vi { "dòng" } else { "row" })?;
        }
        if let Some(c) = &self.column {
            write!(
                f,
                ", {} {}",
                if vi { "cột" } else { "column" },
                crate::support::text::clip(c, 120)
            )?;
        }
        // Messages quote input; a 20 MB cell must not be printed whole.
        write!(f, ": {}", crate::support::text::clip(&self.message, 1200))
    }
}

/// A file-system error in the run's language: the common ones in words ("không có tệp hoặc thư
/// mục này"), others as the system says them.
pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => {
            crate::tr!("không có tệp hoặc thư mục này", "no such file or folder")
        }
        ErrorKind::PermissionDenied => crate::tr!("không có quyền truy cập", "permission denied"),
        ErrorKind::IsADirectory => crate::tr!(
            "đây là một thư mục, không phải một tệp",
            "this is a folder, not a file"
        ),
        _ => e.to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", crate::tr!("không đọc được {}: {}", "cannot read {}: {}", .path.display(), io_words(.source)))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", crate::tr!("không ghi được {}: {}", "cannot write {}: {}", .path.display(), io_words(.source)))]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A configuration file that does not validate — criteria, run file, award rules, column map,
    /// derive mapping — every problem located at its line and column.
    #[error("{}", render_diagnostics(.0))]
    Config(Vec<Diagnostic>),
    /// Input data problems, all collected before anything is written.
    #[error("{}", render_data_issues(.0))]
    Data(Vec<DataIssue>),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Other(String),
    /// A supervised child run already reported its problem; exit with its code.
    #[error("")]
    Exited(u8),
}

impl Error {
    /// 1 for bad data or run-time failure, 2 for bad usage or a bad criteria file.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            Error::Exited(c) => *c,
            _ => 1,
        }
    }

    pub fn data(file: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Data(vec![DataIssue {
            file: file.into(),
            row: None,
            column: None,
            message: message.into(),
        }])
    }
}

/// How many data issues are listed before the rest are only counted.
const MAX_LISTED: usize = 30;

fn render_data_issues(issues: &[DataIssue]) -> String {
    let n = issues.len();
    let s = if n == 1 { "" } else { "s" };
    let mut out = crate::tr!(
        "{n} lỗi trong dữ liệu đầu vào (chưa ghi tệp nào):",
        "{n} problem{s} in the input data (nothing was written):"
    );
    for i in issues.iter().take(MAX_LISTED) {
        out.push_str("\n  - ");
        out.push_str(&i.to_string());
    }
    if issues.len() > MAX_LISTED {
        let more = issues.len() - MAX_LISTED;
        out.push_str(&crate::tr!(
            "\n  … và {more} lỗi khác",
            "\n  … and {more} more"
        ));
    }
    out
}

fn render_diagnostics(diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let n = diags.len();
    let s = if n == 1 { "" } else { "s" };
    // Criteria, mapping and (later) run files share this rendering: name the files.
    let mut files: Vec<&str> = diags.iter().map(|d| d.file.as_str()).collect();
    files.dedup();
    let files = files.join(", ");
    out.push_str(&crate::tr!(
        "{n} lỗi trong {files}",
        "{n} error{s} in {files}"
    ));
    out
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
