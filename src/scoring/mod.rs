//! The scoring core: units scored against a criteria file (`score`: plan, bind, evaluate) and
//! the official ranking of the scores (`rank`), kept apart from them. Pure functions of the
//! inputs; nothing here words a sentence.

pub mod rank;
pub mod score;
