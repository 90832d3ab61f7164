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
    // Strict, as a consumer's build would be; emitted as ES modules for node.
    let tsconfig = serde_json::json!({
        "compilerOptions": {
            "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
            "lib": ["ES2022", "DOM"], "strict": true, "noUncheckedIndexedAccess": true,
            "skipLibCheck": true, "types": [],
            "rootDir": root, "outDir": out_dir.path().join("js"),
        },
        "files": [root.join("tests/sdk/e2e.mts")],
    });
    std::fs::write(out_dir.path().join("tsconfig.json"), tsconfig.to_string()).unwrap();
    // The SDK's own files are ES modules by their package.json; the copy under js/ needs one too.
    std::fs::create_dir_all(out_dir.path().join("js/generated/sdk")).unwrap();
    std::fs::write(out_dir.path().join("js/generated/sdk/package.json"), r#"{"type":"module"}"#).unwrap();
    let compiled = tools::tsc(out_dir.path(), &["-p", "tsconfig.json"]);
    assert!(
        compiled.status.success(),
        "tsc failed on tests/sdk/e2e.mts:\n{}{}",
        String::from_utf8_lossy(&compiled.stdout),
        String::from_utf8_lossy(&compiled.stderr)
    );
    let script = out_dir.path().join("js/tests/sdk/e2e.mjs");
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
