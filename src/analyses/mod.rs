//! The analyses over a scored and ranked run, each returning facts the report words: the
//! self-assessment against the appraisal (`appraisal`), last year across the mergers (`compare`),
//! award proposals by stated rules (`awards`) and the ranking's uncertainty by Monte Carlo
//! (`uncertainty`).

pub mod appraisal;
pub mod awards;
pub mod compare;
pub mod uncertainty;
