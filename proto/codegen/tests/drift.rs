//! Fails when the checked-in generated code no longer matches the protos.

#[test]
fn generated_code_matches_the_protos() {
    let differing = ecma2_codegen::drift().expect("regenerating");
    assert!(
        differing.is_empty(),
        "out of date: {differing:?}; run `cargo run -p ecma2-codegen`"
    );
}
