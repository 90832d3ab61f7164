//! The generated TypeScript SDK, compiled with `tsc --strict` and run under node against the live
//! server: `tests/sdk/e2e.mts` registers and logs in, does CRUD, filters and orders, meets a stale
//! version (ApiError 409), another user's row (404), and links and unlinks.

use std::process::Command;
use tests::server::{token, with_server};
use tests::{repo_root, tools, TempDir};

#[test]
fn the_sdk_works_against_the_live_server_under_node() {
    let out_dir = TempDir::new("sdk_e2e");
    let root = repo_root();
    let script = tools::compile_node_script(&root, &root.join("tests/sdk/e2e.mts"), out_dir.path());
    with_server("sdk_e2e", |api| async move {
        let admin = token(&uuid::Uuid::new_v4().to_string(), &["admin"]);
        let run = Command::new("node")
            .arg(&script)
            .env("API_BASE_URL", &api.base)
            .env("API_ADMIN_TOKEN", admin)
            .output()
            .expect("run node (is Node.js installed?)");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "the SDK end-to-end script failed under node:\n{stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(stdout.contains("all expectations held"), "the script did not reach its end:\n{stdout}");
    });
}
