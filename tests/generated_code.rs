//! The generated Rust crate: representative files snapshotted, and files of a removed entity
//! removed by generate.

use codegen::generate::render_all;
use tests::{copy_dir, repo_root, xtask, TempDir};

fn vbwd_file(path: &str) -> String {
    let model = codegen::load_model(&repo_root().join("model-spec")).unwrap_or_else(|d| panic!("{}", d.render()));
    render_all(&model).into_iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{path} not generated")).contents
}

#[test]
fn plain_entity_snapshot() {
    insta::assert_snapshot!("rust_country", vbwd_file("generated/src/country.rs"));
}

#[test]
fn entity_with_secrets_snapshot() {
    insta::assert_snapshot!("rust_user", vbwd_file("generated/src/user.rs"));
}

#[test]
fn join_table_snapshot() {
    insta::assert_snapshot!("rust_user_roles", vbwd_file("generated/src/user_roles.rs"));
}

#[test]
fn removing_an_entity_spec_removes_its_generated_files() {
    let root = TempDir::new("remove_entity");
    copy_dir(&repo_root().join("model-spec"), &root.path().join("model-spec"));
    let (root_arg, spec_arg) =
        (root.path().to_string_lossy().into_owned(), root.path().join("model-spec").to_string_lossy().into_owned());
    assert_eq!(xtask(&["generate", "--root", &root_arg, "--spec-dir", &spec_arg]).code, 0);
    assert!(root.path().join("generated/src/user_case.rs").exists());
    std::fs::remove_file(root.path().join("model-spec/entities/user_case.yaml")).unwrap();
    let refused = xtask(&["generate", "--root", &root_arg, "--spec-dir", &spec_arg]);
    assert_eq!(refused.code, 2, "dropping the table needs an acknowledgement: {refused:?}");
    let run = xtask(&["generate", "--root", &root_arg, "--spec-dir", &spec_arg, "--allow-data-loss"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("wrote   migrations/0002_drop_vbwd_user_case"), "{}", run.stdout);
    assert!(run.stdout.contains("removed generated/src/user_case.rs"), "{}", run.stdout);
    assert!(!root.path().join("generated/src/user_case.rs").exists());
    let lib = std::fs::read_to_string(root.path().join("generated/src/lib.rs")).unwrap();
    assert!(!lib.contains("user_case"), "lib.rs still mentions the removed entity");
}

#[test]
fn a_hand_edited_generated_rust_file_is_named_by_check() {
    let root = TempDir::new("edited_rust");
    copy_dir(&repo_root().join("model-spec"), &root.path().join("model-spec"));
    let (root_arg, spec_arg) =
        (root.path().to_string_lossy().into_owned(), root.path().join("model-spec").to_string_lossy().into_owned());
    assert_eq!(xtask(&["generate", "--root", &root_arg, "--spec-dir", &spec_arg]).code, 0);
    let file = root.path().join("generated/src/user.rs");
    let edited = std::fs::read_to_string(&file).unwrap().replace("pub email", "pub(crate) email");
    std::fs::write(&file, edited).unwrap();
    let run = xtask(&["check", "--offline", "--root", &root_arg, "--spec-dir", &spec_arg]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("generated/src/user.rs is not up to date"), "{}", run.stdout);
}
