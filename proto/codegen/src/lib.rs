//! Code generation for the ECMA2 contract: compiles `proto/ecma2/v1/*.proto` with `protox` (no
//! system `protoc`), writes the Rust messages and tonic stubs, and a descriptor set for runtime
//! reflection, into `proto/rust/src/generated/`. [`check`] regenerates into a scratch directory
//! and reports every file that differs, so drift between the protos and the checked-in code fails
//! CI.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use prost::Message;

/// The repository's `proto/` directory.
pub fn proto_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the checked-in generated code lives.
pub fn generated_dir() -> PathBuf {
    proto_root().join("rust/src/generated")
}

/// The contract's `.proto` files, relative to [`proto_root`], in a stable order.
pub fn proto_files() -> Result<Vec<String>> {
    let dir = proto_root().join("ecma2/v1");
    let mut files = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".proto") {
            files.push(format!("ecma2/v1/{name}"));
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("no .proto files under {}", dir.display());
    }
    Ok(files)
}

/// Generates every output file into `out`.
pub fn generate(out: &Path) -> Result<()> {
    let root = proto_root();
    let files = proto_files()?;
    let mut compiler = protox::Compiler::new([&root]).context("starting protox")?;
    compiler.include_imports(true).include_source_info(true);
    compiler
        .open_files(&files)
        .map_err(|e| anyhow::anyhow!("compiling the protos: {e}"))?;
    let fds = compiler.file_descriptor_set();

    fs::create_dir_all(out)?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .build_transport(false)
        .emit_rerun_if_changed(false)
        // Secret gets a hand-written Debug that never prints the value.
        .skip_debug(["ecma2.v1.Secret"])
        // Binary values and fragments are sliced, not copied, as they cross the host.
        .bytes(".")
        .out_dir(out)
        .compile_fds(fds.clone())
        .context("generating Rust code")?;

    // The runtime descriptor set carries names and types only; comments stay in the protos.
    let mut bare = fds;
    for file in &mut bare.file {
        file.source_code_info = None;
    }
    fs::write(out.join("ecma2.v1.bin"), bare.encode_to_vec())?;
    Ok(())
}

/// Regenerates into a scratch directory and compares with the checked-in files. Returns the
/// names of the files that differ, are missing, or are extra.
pub fn drift() -> Result<Vec<String>> {
    let scratch = tempfile::tempdir()?;
    generate(scratch.path())?;
    let mut names: Vec<String> = Vec::new();
    for dir in [scratch.path().to_path_buf(), generated_dir()] {
        if dir.exists() {
            for entry in fs::read_dir(&dir)? {
                let name = entry?.file_name().to_string_lossy().into_owned();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names.sort();
    let mut differing = Vec::new();
    for name in names {
        let fresh = fs::read(scratch.path().join(&name)).ok();
        let checked_in = fs::read(generated_dir().join(&name)).ok();
        if fresh != checked_in {
            differing.push(name);
        }
    }
    Ok(differing)
}
