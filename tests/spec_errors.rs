//! The invalid-spec corpus: every case in fixtures/invalid-specs/ must fail with compiler-style
//! diagnostics (file:line:col, what, how to fix), snapshotted in full, and must write nothing.

use std::path::{Path, PathBuf};
use tests::xtask;

fn cases() -> Vec<PathBuf> {
    // Relative, so diagnostics (and snapshots) show stable paths: tests run in this crate's dir.
    let dir = Path::new("fixtures/invalid-specs");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("corpus directory").flatten().map(|e| e.path()).collect();
    cases.sort();
    cases
}

fn case_name(case: &Path) -> String {
    case.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn corpus_is_large_enough() {
    assert!(cases().len() >= 25, "the corpus must hold at least 25 invalid specs");
}

#[test]
fn every_invalid_spec_gets_positioned_diagnostics() {
    for case in cases() {
        let name = case_name(&case);
        let diags = codegen::load_model(&case).expect_err(&format!("{name} should be rejected"));
        let rendered = diags.render();
        let first = rendered.lines().next().unwrap_or_default();
        let prefix = format!("{}/", case.display());
        let location = first.strip_prefix(&prefix).unwrap_or_else(|| panic!("{name}: no file in `{first}`"));
        let mut parts = location.splitn(4, ':');
        let (file, line, col) = (parts.next().unwrap(), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        assert!(file.ends_with(".yaml"), "{name}: `{first}`");
        assert!(line.parse::<usize>().is_ok() && col.parse::<usize>().is_ok(), "{name}: no line:col in `{first}`");
        insta::assert_snapshot!(format!("spec_error__{name}"), rendered);
    }
}

#[test]
fn several_errors_are_reported_in_one_run() {
    let case = cases().into_iter().find(|c| case_name(c).contains("several_errors")).expect("the several-errors case");
    let diags = codegen::load_model(&case).expect_err("rejected");
    assert!(diags.len() >= 2, "{}", diags.render());
    let files: std::collections::BTreeSet<_> = diags.items.iter().map(|d| d.span.file.clone()).collect();
    assert!(files.len() >= 2, "errors from several files expected: {}", diags.render());
}

#[test]
fn a_bad_spec_exits_2_and_leaves_outputs_untouched() {
    let root = tests::TempDir::new("bad_spec_root");
    std::fs::create_dir_all(root.path().join("generated")).unwrap();
    std::fs::write(root.path().join("generated/README.md"), "previous output\n").unwrap();
    for case in cases() {
        let run = xtask(&["generate", "--spec-dir", &case.to_string_lossy(), "--root", &root.path().to_string_lossy()]);
        assert_eq!(run.code, 2, "{}: {run:?}", case_name(&case));
        assert!(run.stderr.contains(": error: "), "{}", run.stderr);
        assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    }
    assert_eq!(std::fs::read_to_string(root.path().join("generated/README.md")).unwrap(), "previous output\n");
    assert!(!root.path().join("migrations").exists(), "no migration may be written for a bad spec");
}
