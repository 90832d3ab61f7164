//! External checkers the contract tests run: openapi-spec-validator and schemathesis (PyPI, each in
//! a virtualenv under `target/tools/`) and TypeScript (npm, from `tests/sdk/package-lock.json`). Each is installed on
//! first use from pinned versions; when Python or npm is missing, the test fails saying so.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// The `openapi-spec-validator` executable, installed from `tests/tools/requirements.txt`.
pub fn openapi_spec_validator() -> PathBuf {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| venv("venv", "requirements.txt", "openapi-spec-validator")).join("bin/openapi-spec-validator")
}

/// The `schemathesis` executable, installed from `tests/tools/schemathesis.txt`.
pub fn schemathesis() -> PathBuf {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| venv("schemathesis-venv", "schemathesis.txt", "schemathesis")).join("bin/schemathesis")
}

/// A virtualenv under `target/tools/`, (re)installed from a pinned requirements file when it changes.
fn venv(dir: &str, requirements: &str, what: &str) -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = crate::repo_root();
    let requirements = root.join("tests/tools").join(requirements);
    let wanted = std::fs::read_to_string(&requirements).expect("read the pinned requirements");
    let venv = root.join("target/tools").join(dir);
    let stamp = venv.join("requirements.stamp");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        let _ = std::fs::remove_dir_all(&venv);
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "create a Python virtualenv (needs python3 with venv; Debian: apt-get install python3-venv)",
        );
        run(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&requirements),
            &format!("install {what} from PyPI"),
        );
        std::fs::write(&stamp, &wanted).expect("write the virtualenv stamp");
    }
    venv
}

/// `tests/sdk/`, with TypeScript installed by `npm ci` from the committed lockfile.
pub fn typescript_project() -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = crate::repo_root().join("tests/sdk");
    let lock = std::fs::read_to_string(dir.join("package-lock.json")).expect("read tests/sdk/package-lock.json");
    let stamp = dir.join("node_modules/.lock.stamp");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(lock.as_str()) {
        run(
            Command::new("npm").args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir),
            "install TypeScript with npm (needs Node.js and npm; Debian: apt-get install nodejs npm)",
        );
        std::fs::write(&stamp, &lock).expect("write the node_modules stamp");
    }
    dir
}

/// Runs `tsc` from `tests/sdk/node_modules` with these arguments, in `dir`.
pub fn tsc(dir: &Path, args: &[&str]) -> std::process::Output {
    let tsc = typescript_project().join("node_modules/typescript/bin/tsc");
    Command::new("node").arg(tsc).args(args).current_dir(dir).output().expect("run node (is Node.js installed?)")
}

fn run(command: &mut Command, what: &str) {
    match command.output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "could not {what}: {:?} exited with {}\n{}{}",
            command,
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("could not {what}: {:?} did not start: {e}", command.get_program()),
    }
}

/// Compiles `script` (an `.mts` under `root` importing `root/generated/sdk`) strictly, as a
/// consumer's build would, into `out/js` as ES modules; panics with tsc's output on failure.
/// Returns the `.mjs` to run under node.
pub fn compile_node_script(root: &Path, script: &Path, out: &Path) -> PathBuf {
    let tsconfig = serde_json::json!({
        "compilerOptions": {
            "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext",
            "lib": ["ES2022", "DOM"], "strict": true, "noUncheckedIndexedAccess": true,
            "skipLibCheck": true, "types": [],
            "rootDir": root, "outDir": out.join("js"),
        },
        "files": [script],
    });
    std::fs::write(out.join("tsconfig.json"), tsconfig.to_string()).expect("write tsconfig.json");
    // The SDK's own files are ES modules by their package.json; the copy under js/ needs one too.
    std::fs::create_dir_all(out.join("js/generated/sdk")).expect("create js/");
    std::fs::write(out.join("js/generated/sdk/package.json"), r#"{"type":"module"}"#).expect("write package.json");
    let compiled = tsc(out, &["-p", "tsconfig.json"]);
    assert!(
        compiled.status.success(),
        "tsc failed on {}:\n{}{}",
        script.display(),
        String::from_utf8_lossy(&compiled.stdout),
        String::from_utf8_lossy(&compiled.stderr)
    );
    let relative = script.strip_prefix(root).expect("the script lies under root");
    out.join("js").join(relative).with_extension("mjs")
}
