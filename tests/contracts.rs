//! The API contracts: `generated/openapi.json` checked by an independent validator
//! (openapi-spec-validator), the TypeScript SDK type-checked by `tsc --strict` together with
//! type-level tests of its contract (`tests/sdk/contract.test-d.ts`), and both in the gate.

use serde_json::Value;
use std::path::Path;
use tests::{copy_dir, repo_root, tools, xtask, Run, TempDir};

fn generate(spec: &Path, root: &TempDir) -> Run {
    let run = xtask(&["generate", "--root", &root.path().to_string_lossy(), "--spec-dir", &spec.to_string_lossy()]);
    assert_eq!(run.code, 0, "{run:?}");
    run
}

/// The fixture with one field of every wire type, generated into a scratch root.
fn contracts_fixture() -> TempDir {
    let root = TempDir::new("contracts");
    generate(&repo_root().join("tests/fixtures/valid-specs/contracts"), &root);
    root
}

fn validate_openapi(path: &Path) {
    let out = std::process::Command::new(tools::openapi_spec_validator()).arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "openapi-spec-validator rejected {}:\n{}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_tsc_passes(dir: &Path, args: &[&str]) {
    let out = tools::tsc(dir, args);
    assert!(
        out.status.success(),
        "tsc {args:?} failed in {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn vbwd_document() -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo_root().join("generated/openapi.json")).unwrap()).unwrap()
}

#[test]
fn vbwd_openapi_document_passes_an_independent_validator() {
    validate_openapi(&repo_root().join("generated/openapi.json"));
}

#[test]
fn every_wire_type_passes_the_validator_and_strict_tsc() {
    let root = contracts_fixture();
    validate_openapi(&root.path().join("generated/openapi.json"));
    assert_tsc_passes(&root.path().join("generated/sdk"), &["--strict", "--noEmit", "-p", "tsconfig.json"]);
}

#[test]
fn openapi_snapshot_of_every_wire_type() {
    let root = contracts_fixture();
    let text = std::fs::read_to_string(root.path().join("generated/openapi.json")).unwrap();
    insta::assert_snapshot!("openapi_contracts", text);
}

#[test]
fn sdk_passes_strict_tsc_with_the_type_level_contract_tests() {
    let dir = tools::typescript_project();
    assert_tsc_passes(&dir, &["--strict", "--noEmit", "-p", "tsconfig.json"]);
}

/// The type-level tests can fail: a contract line that no longer holds is reported by tsc.
#[test]
fn type_level_contract_tests_catch_a_broken_contract() {
    let dir = tools::typescript_project();
    let scratch = TempDir::new("broken_contract");
    copy_dir(&repo_root().join("generated/sdk/src"), &scratch.path().join("generated/sdk/src"));
    std::fs::create_dir_all(scratch.path().join("tests/sdk")).unwrap();
    // Break the contract: the Read type suddenly carries the secret.
    let types = scratch.path().join("generated/sdk/src/types.ts");
    let text = std::fs::read_to_string(&types).unwrap().replacen(
        "export interface User {\n",
        "export interface User {\n  password_hash: string;\n",
        1,
    );
    std::fs::write(&types, text).unwrap();
    for file in ["contract.test-d.ts", "tsconfig.json"] {
        std::fs::copy(dir.join(file), scratch.path().join("tests/sdk").join(file)).unwrap();
    }
    let out = tools::tsc(&scratch.path().join("tests/sdk"), &["--noEmit", "-p", "tsconfig.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "tsc accepted a Read type with password_hash");
    assert!(stdout.contains("Unused '@ts-expect-error' directive"), "{stdout}");
}

#[test]
fn required_and_nullable_are_independent() {
    let doc = vbwd_document();
    let schemas = &doc["components"]["schemas"];
    let (read, create) = (&schemas["User"], &schemas["UserCreate"]);
    // Read: every field present, unless only some roles see it; nullable where the column is.
    let read_required: Vec<&str> = read["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(read_required.contains(&"email") && read_required.contains(&"id"), "{read_required:?}");
    assert!(!read_required.contains(&"payment_customer_id"), "admin-only, so possibly absent: {read_required:?}");
    assert_eq!(read["properties"]["payment_customer_id"]["nullable"], true);
    let invoice = &schemas["UserInvoice"];
    assert!(invoice["required"].as_array().unwrap().contains(&serde_json::json!("paid_at")));
    assert_eq!(invoice["properties"]["paid_at"]["nullable"], true);
    assert_eq!(read["properties"]["email"].get("nullable"), None);
    // Create: required = not nullable and no default; a nullable field is optional and nullable.
    assert_eq!(create["required"], serde_json::json!(["email", "password"]));
    assert_eq!(create["properties"]["payment_customer_id"]["nullable"], true);
    assert_eq!(create["properties"]["status"]["default"], "PENDING");
    assert_eq!(create["properties"]["status"].get("nullable"), None);
}

#[test]
fn secrets_are_write_only_and_server_fields_read_only() {
    let doc = vbwd_document();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["User"]["properties"].get("password_hash"), None, "a secret in the Read schema");
    // The identity's password is taken as `password` (plain, write-only) and stored hashed.
    let password = &schemas["UserCreate"]["properties"]["password"];
    assert_eq!(
        (&password["writeOnly"], &password["format"]),
        (&serde_json::json!(true), &serde_json::json!("password"))
    );
    assert_eq!(schemas["PasswordResetTokenCreate"]["properties"]["token"]["writeOnly"], true);
    assert_eq!(schemas["User"]["properties"]["id"]["readOnly"], true);
    for input in ["UserCreate", "UserUpdate"] {
        for managed in ["id", "created_at", "updated_at"] {
            assert_eq!(schemas[input]["properties"].get(managed), None, "{input}.{managed}");
        }
    }
    assert_eq!(schemas["UserCreate"]["properties"].get("version"), None);
    assert_eq!(schemas["UserUpdate"]["properties"]["version"]["type"], "integer");
    // No schema anywhere names the hash; no Read schema names a secret.
    for (name, schema) in schemas.as_object().unwrap() {
        assert_eq!(schema["properties"].get("password_hash"), None, "{name}");
        if !name.ends_with("Create") && !name.ends_with("Update") && name != "Credentials" {
            assert_eq!(schema["properties"].get("token"), None, "{name}");
        }
    }
}

#[test]
fn every_operation_has_a_stable_unique_id_a_tag_and_problem_errors() {
    let doc = vbwd_document();
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method == "parameters" {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            assert_eq!(op["tags"].as_array().map(Vec::len), Some(1), "{id}");
            assert!(op["responses"]["400"]["$ref"].is_string(), "{id} has no problem+json 400");
        }
    }
    for id in ["listUsers", "getUser", "createUser", "updateUser", "deleteUser", "listRolesOfUser", "linkRoleToUser"] {
        assert!(ids.contains(id), "missing {id}");
    }
    assert_eq!(
        doc["components"]["responses"]["Conflict"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
}

#[test]
fn check_names_a_hand_edited_openapi_document_and_sdk_file() {
    let root = TempDir::new("contract_gate");
    copy_dir(&repo_root().join("model-spec"), &root.path().join("model-spec"));
    let spec = root.path().join("model-spec");
    generate(&spec, &root);
    let (r, s) = (root.path().to_string_lossy().into_owned(), spec.to_string_lossy().into_owned());
    let check = || xtask(&["check", "--offline", "--root", &r, "--spec-dir", &s]);
    assert_eq!(check().code, 0);
    let openapi = root.path().join("generated/openapi.json");
    std::fs::write(&openapi, std::fs::read_to_string(&openapi).unwrap().replace("\"3.0.3\"", "\"3.0.2\"")).unwrap();
    let types = root.path().join("generated/sdk/src/types.ts");
    std::fs::write(&types, std::fs::read_to_string(&types).unwrap() + "// edited\n").unwrap();
    let run = check();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("generated/openapi.json is not up to date"), "{}", run.stdout);
    assert!(run.stdout.contains("generated/sdk/src/types.ts is not up to date"), "{}", run.stdout);
}
