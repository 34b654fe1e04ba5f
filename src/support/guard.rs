//! Isolation of third-party readers (polars' Parquet decoder, calamine): a panic inside one is
//! turned into an error that names the file, instead of a crash with a backtrace. The panic
//! message is kept for the error text and not printed while a guarded call runs. Readers'
//! allocation failures cannot be caught this way, so size guards stay with each reader; a reader
//! that aborts the process is run in a supervised child by the command layer
//! (`commands::supervise`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

static GUARDED: AtomicUsize = AtomicUsize::new(0);
static LAST: Mutex<String> = Mutex::new(String::new());
static HOOK: Once = Once::new();

fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.load(Ordering::SeqCst) > 0 {
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                if let Ok(mut last) = LAST.lock() {
                    *last = crate::support::text::clip(&msg, 160);
                }
            } else {
                previous(info);
            }
        }));
    });
}

/// Run `f`; a panic inside it (also one resumed from a worker thread) comes back as
/// `Err(message)`.
pub fn isolate<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    GUARDED.fetch_add(1, Ordering::SeqCst);
    let r = catch_unwind(AssertUnwindSafe(f));
    GUARDED.fetch_sub(1, Ordering::SeqCst);
    r.map_err(|_| LAST.lock().map(|s| s.clone()).unwrap_or_default())
}
