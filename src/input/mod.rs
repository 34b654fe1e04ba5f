//! The input layer: what a run reads and checks before anything is scored — criteria files
//! (`criteria`), the run file (`runfile`), tables from CSV, XLSX and Parquet (`ingest`), the unit
//! registry (`units`), which column holds which indicator (`captions`), the joined indicator
//! tables (`dataset`) and the guard against rates written as fractions (`plausibility`).

pub mod captions;
pub mod criteria;
pub mod dataset;
pub mod ingest;
pub mod plausibility;
pub mod runfile;
pub mod units;
