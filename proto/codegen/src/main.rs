//! `ecma2-codegen`: regenerate the contract's Rust code, or with `--check` fail on drift.

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    if check {
        let differing = ecma2_codegen::drift()?;
        if !differing.is_empty() {
            bail!(
                "generated code in {} is out of date with the protos ({}); run `cargo run -p ecma2-codegen`",
                ecma2_codegen::generated_dir().display(),
                differing.join(", ")
            );
        }
        println!("generated code matches the protos");
    } else {
        ecma2_codegen::generate(&ecma2_codegen::generated_dir())?;
        println!("wrote {}", ecma2_codegen::generated_dir().display());
    }
    Ok(())
}
