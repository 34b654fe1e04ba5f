//! The language of everything officials read: Vietnamese by default, English on `--lang en`.
//! Criteria-file texts carry their own `*_en` variants; fixed texts of the tool are chosen
//! with [`Lang::pick`] next to where they are used, so each label is written once per language.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A criteria text with an optional English variant.
    pub fn text<'a>(self, vi: &'a str, en: Option<&'a String>) -> &'a str {
        match (self, en) {
            (Lang::En, Some(e)) => e,
            _ => vi,
        }
    }
}

/// The language of messages for this run, set once from the command line by `run`. A global
/// because messages are formed deep in readers and validators that have no other reason to
/// know the language.
static CURRENT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

pub fn set(lang: Lang) {
    CURRENT.store(lang as u8, std::sync::atomic::Ordering::Relaxed);
}

pub fn current() -> Lang {
    match CURRENT.load(std::sync::atomic::Ordering::Relaxed) {
        1 => Lang::En,
        _ => Lang::Vi,
    }
}

/// `tr!("vi {x}", "en {x}")`: a message in the run's language (Vietnamese by default).
#[macro_export]
macro_rules! tr {
    ($vi:literal, $en:literal $(,)?) => {
        match $crate::support::i18n::current() {
            $crate::support::i18n::Lang::Vi => format!($vi),
            $crate::support::i18n::Lang::En => format!($en),
        }
    };
    ($vi:literal, $en:literal, $($arg:tt)*) => {
        match $crate::support::i18n::current() {
            $crate::support::i18n::Lang::Vi => format!($vi, $($arg)*),
            $crate::support::i18n::Lang::En => format!($en, $($arg)*),
        }
    };
}
