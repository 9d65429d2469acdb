//! `ecma2-codegen`: regenerate the contract's Rust and C# code, or with `--check` fail on drift.

use anyhow::{Result, bail};

fn main() -> Result<()> {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    if check {
        let differing = ecma2_codegen::drift()?;
        if !differing.is_empty() {
            bail!(
                "generated code is out of date with the protos ({}); run `cargo run -p ecma2-codegen`",
                differing.join(", ")
            );
        }
        println!("generated code matches the protos");
    } else {
        ecma2_codegen::generate_all()?;
        println!(
            "wrote {} and {}",
            ecma2_codegen::generated_dir().display(),
            ecma2_codegen::csharp_dir().display()
        );
    }
    Ok(())
}
