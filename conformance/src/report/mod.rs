//! Report writers: a human summary (a table, then each failure with the rule, what was sent,
//! what came back and the doc section), JSON, and JUnit XML for CI systems.

pub mod human;
pub mod json;
pub mod junit;
