//! The analyses over a scored and ranked run, each returning facts the report words: the
//! self-assessment against the appraisal (`appraisal`), last year across the mergers (`compare`),
//! award proposals by stated rules (`awards`), the ranking's uncertainty by Monte Carlo
//! (`uncertainty`), what changed between two criteria sets (`revision`), and whether each criterion
//! does its job (`audit`).

pub mod appraisal;
pub mod audit;
pub mod awards;
pub mod compare;
pub mod revision;
pub mod uncertainty;
