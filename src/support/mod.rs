//! The support layer, beneath everything else: the run's language and its messages (`i18n`),
//! numbers as officials write them (`numfmt`), text keys and the one did-you-mean and yes/no
//! vocabulary (`text`), descriptive statistics (`stats`), the one calendar (`calendar`), errors and their exit codes (`error`), and
//! the isolation of third-party readers (`guard`). It imports nothing of the layers above.

pub mod calendar;
pub mod error;
pub mod guard;
pub mod i18n;
pub mod numfmt;
pub mod prefetch;
pub mod stats;
pub mod text;
