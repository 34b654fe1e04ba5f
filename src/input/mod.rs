//! The input layer: what a run reads and checks before anything is scored — criteria files
//! (`criteria`), the run file (`runfile`), tables from CSV, XLSX and Parquet (`ingest`), the unit
//! registry (`units`), which column holds which indicator (`captions`), the joined indicator
//! tables (`dataset`), the guard against rates written as fractions (`plausibility`), and a
//! criteria annex as offices write it (`annex`, for `criteria import`).

pub mod annex;
pub mod captions;
pub mod criteria;
pub mod dataset;
pub mod ingest;
pub mod plausibility;
pub mod runfile;
pub mod units;
