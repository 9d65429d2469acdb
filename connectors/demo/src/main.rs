//! Placeholder; the demo connector is being written.
fn main() {}
