//! Code generation for the ECMA2 contract: compiles `proto/ecma2/v1/*.proto` with `protox` (no
//! system `protoc`), writes the Rust messages and tonic stubs, and a descriptor set for runtime
//! reflection, into `proto/rust/src/generated/`, and the C# messages and gRPC-Web clients of the
//! .NET bridge into `bridge/dotnet/Generated/` ([`csharp`]). [`drift`] regenerates into a scratch
//! directory and reports every file that differs, so drift between the protos and the checked-in
//! code fails CI.

pub mod csharp;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use prost::Message;

/// The repository's `proto/` directory.
pub fn proto_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the checked-in generated Rust code lives.
pub fn generated_dir() -> PathBuf {
    proto_root().join("rust/src/generated")
}

/// Where the checked-in generated C# code of the .NET bridge lives.
pub fn csharp_dir() -> PathBuf {
    proto_root().join("../bridge/dotnet/Generated")
}

/// Every output: (checked-in directory, name of its scratch subdirectory).
fn outputs() -> [(PathBuf, &'static str); 2] {
    [(generated_dir(), "rust"), (csharp_dir(), "csharp")]
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

/// The compiled protos, with comments.
fn compile() -> Result<prost_types::FileDescriptorSet> {
    let root = proto_root();
    let files = proto_files()?;
    let mut compiler = protox::Compiler::new([&root]).context("starting protox")?;
    compiler.include_imports(true).include_source_info(true);
    compiler
        .open_files(&files)
        .map_err(|e| anyhow::anyhow!("compiling the protos: {e}"))?;
    Ok(compiler.file_descriptor_set())
}

/// Generates every output into its checked-in directory.
pub fn generate_all() -> Result<()> {
    let fds = compile()?;
    generate(&generated_dir(), fds.clone())?;
    generate_csharp(&csharp_dir(), &fds)
}

/// Writes the C# files into `out`, removing stale `.cs` files there.
pub fn generate_csharp(out: &Path, fds: &prost_types::FileDescriptorSet) -> Result<()> {
    let files = csharp::emit(fds)?;
    fs::create_dir_all(out)?;
    for entry in fs::read_dir(out)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "cs") {
            fs::remove_file(&path)?;
        }
    }
    for file in files {
        fs::write(out.join(&file.name), file.text)?;
    }
    Ok(())
}

/// Generates the Rust output files into `out`.
pub fn generate(out: &Path, fds: prost_types::FileDescriptorSet) -> Result<()> {
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
/// paths (relative to the repository) of the files that differ, are missing, or are extra.
pub fn drift() -> Result<Vec<String>> {
    let scratch = tempfile::tempdir()?;
    let fds = compile()?;
    generate(&scratch.path().join("rust"), fds.clone())?;
    generate_csharp(&scratch.path().join("csharp"), &fds)?;
    let mut differing = Vec::new();
    for (checked_in_dir, sub) in outputs() {
        let fresh_dir = scratch.path().join(sub);
        let mut names: Vec<String> = Vec::new();
        for dir in [&fresh_dir, &checked_in_dir] {
            if dir.exists() {
                for entry in fs::read_dir(dir)? {
                    let name = entry?.file_name().to_string_lossy().into_owned();
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        names.sort();
        for name in names {
            let fresh = fs::read(fresh_dir.join(&name)).ok();
            let checked_in = fs::read(checked_in_dir.join(&name)).ok();
            if fresh != checked_in {
                differing.push(checked_in_dir.join(&name).display().to_string());
            }
        }
    }
    Ok(differing)
}
