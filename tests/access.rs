//! Access control end to end, on the real server: every entity × operation × {anonymous, owner,
//! another user, admin} answers as the specs' `access:` declare (expectations are computed from
//! the model, so a changed rule is covered without a new test); owners see only their rows;
//! restricted fields stay hidden and unwritable; bad tokens are 401; login verifies VBWD's bcrypt
//! hashes and leaves argon2id behind; failed logins are throttled.

use base64::Engine as _;
use codegen::api;
use codegen::ir::{Allow, Entity, Field, FieldType, Model, ADMIN_ROLE};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use tests::server::{assert_match_openapi, token, with_server, with_server_configured, Api, Reply, TEST_SECRET};

fn model() -> Model {
    codegen::load_model(&tests::repo_root().join("model-spec")).unwrap_or_else(|d| panic!("{}", d.render()))
}

/// A caller and what its token says.
struct Caller {
    label: &'static str,
    api: Api,
    subject: Option<String>,
    roles: Vec<String>,
}

/// What a rule lets a caller do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    /// Only rows whose owner field holds the caller's subject.
    OwnRows,
    Unauthorized,
    Forbidden,
}

fn outcome(allow: &Allow, caller: &Caller) -> Outcome {
    if allow.public {
        return Outcome::Allowed;
    }
    if caller.subject.is_none() {
        return Outcome::Unauthorized;
    }
    let has = |role: &str| caller.roles.iter().any(|r| r == role);
    if has(ADMIN_ROLE) || allow.authenticated || allow.roles.iter().any(|r| has(r)) {
        Outcome::Allowed
    } else if allow.owner.is_some() {
        Outcome::OwnRows
    } else {
        Outcome::Forbidden
    }
}

/// The claims of a token the server issued (read without verifying: the server did that).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Unique, valid values per field: a counter per field keeps even `string(2)` keys distinct.
#[derive(Default)]
struct Values {
    counters: HashMap<String, u64>,
}

impl Values {
    fn next(&mut self, model: &Model, entity: &Entity, field: &Field) -> Value {
        let counter = self.counters.entry(format!("{}.{}", entity.name, field.name)).or_insert(0x10);
        *counter += 1;
        sample(model, &field.ty, field, *counter)
    }
}

fn sample(model: &Model, ty: &FieldType, field: &Field, n: u64) -> Value {
    match ty {
        FieldType::Uuid => json!(uuid::Uuid::new_v4()),
        FieldType::String(_) | FieldType::Text if field.validate.format.as_deref() == Some("email") => {
            json!(format!("u{n:x}-{}@example.com", &uuid::Uuid::new_v4().simple().to_string()[..6]))
        }
        FieldType::String(max) => {
            let text = format!("{n:x}{}", uuid::Uuid::new_v4().simple());
            json!(text.chars().take(*max as usize).collect::<String>())
        }
        FieldType::Text => json!(format!("text {n}")),
        FieldType::Bool => json!(true),
        FieldType::SmallInt | FieldType::Int | FieldType::BigInt => {
            json!(field.validate.min.map_or(1, |m| (m.ceil() as i64).max(1)))
        }
        FieldType::Float | FieldType::Double => json!(1.5),
        FieldType::Decimal { .. } => json!("1"),
        FieldType::Date => json!("2026-01-01"),
        FieldType::Timestamp(_) | FieldType::Timestamptz(_) => json!("2026-01-01T10:00:00Z"),
        FieldType::Time(_) => json!("10:00:00"),
        FieldType::Json | FieldType::Jsonb => json!({ "k": 1 }),
        FieldType::Bytes => json!("AQ=="),
        FieldType::Enum(name) => json!(model.enums.iter().find(|e| &e.name == name).unwrap().values[0]),
        FieldType::Array(inner) => json!([sample(model, inner, field, n)]),
        other => panic!("VBWD's specs hold no {other:?} field; add a sample value for it"),
    }
}

const PASSWORD: &str = "correct horse battery";

/// A create body: User references point at `user`, other references at the rows in `rows`;
/// fields only some roles may set are left to their defaults.
fn create_body(
    model: &Model,
    entity: &Entity,
    user: &str,
    rows: &BTreeMap<String, Value>,
    values: &mut Values,
) -> Map<String, Value> {
    let mut body = Map::new();
    for f in entity.fields.iter().filter(|f| api::writable(f)) {
        if f.write_roles.is_some() && !api::required_on_create(f) {
            continue;
        }
        let value = match &f.references {
            Some(r) if r.entity == "User" => json!(user),
            Some(r) => match rows.get(&r.entity) {
                Some(parent) => parent[&r.column].clone(),
                None if f.nullable => continue,
                None => panic!("{}.{}: parent {} not created yet", entity.name, f.name, r.entity),
            },
            None if api::is_password(entity, f) => json!(PASSWORD),
            None => values.next(model, entity, f),
        };
        body.insert(api::wire_name(entity, f).to_string(), value);
    }
    body
}

/// Entities in an order where every required parent comes first.
fn creation_order(model: &Model) -> Vec<&Entity> {
    let mut order: Vec<&Entity> = Vec::new();
    while order.len() < model.entities.len() {
        let before = order.len();
        for entity in &model.entities {
            let ready = entity
                .fields
                .iter()
                .all(|f| f.references.as_ref().is_none_or(|r| f.nullable || order.iter().any(|o| o.name == r.entity)));
            if ready && !order.iter().any(|o| o.name == entity.name) {
                order.push(entity);
            }
        }
        assert!(order.len() > before, "required references form a cycle");
    }
    order
}

fn key_of(entity: &Entity, row: &Value) -> String {
    let key = &row[&entity.pk_field().name];
    key.as_str().map_or_else(|| key.to_string(), String::from)
}

fn item(entity: &Entity, row: &Value) -> String {
    format!("{}/{}", api::collection_path(&entity.name), key_of(entity, row))
}

fn success(op: &str) -> u16 {
    match op {
        "create" => 201,
        "delete" => 204,
        _ => 200,
    }
}

/// The status an operation on the owner's row must get.
fn expected_status(op: &str, outcome: Outcome, owns_row: bool) -> u16 {
    match outcome {
        Outcome::Unauthorized => 401,
        Outcome::Forbidden => 403,
        Outcome::Allowed => success(op),
        Outcome::OwnRows if owns_row || op == "create" || op == "list" => success(op),
        // Another user's row does not exist for them: no leak of its existence.
        Outcome::OwnRows => 404,
    }
}

fn check(reply: &Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text);
    if status == 401 {
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{what}");
    }
    if status >= 400 {
        assert_eq!(reply.header("content-type"), Some("application/problem+json"), "{what}");
    }
}

/// Fields the caller may not see are absent from its rows; the others are present.
fn check_visibility(entity: &Entity, caller: &Caller, rows: &[Value]) {
    let is_admin = caller.roles.iter().any(|r| r == ADMIN_ROLE);
    for f in entity.fields.iter().filter(|f| api::readable(f)) {
        let sees = f.read_roles.as_ref().is_none_or(|roles| is_admin || roles.iter().any(|r| caller.roles.contains(r)));
        for row in rows {
            assert_eq!(row.get(&f.name).is_some(), sees, "{} {}.{} visibility", caller.label, entity.name, f.name);
        }
    }
}

#[test]
fn every_entity_operation_and_caller_answers_as_declared() {
    let model = model();
    with_server("access_matrix", |admin| async move {
        let anonymous = admin.with_token(None);
        let mut users = Vec::new();
        for email in ["owner@x.io", "other@x.io"] {
            let reply = anonymous.post(api::REGISTER_PATH, &json!({ "email": email, "password": PASSWORD })).await;
            check(&reply, 201, "register");
            let token = reply.json["access_token"].as_str().unwrap().to_string();
            let issued = claims(&token);
            let roles = issued["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
            users.push((admin.with_token(Some(token)), issued["sub"].as_str().unwrap().to_string(), roles));
        }
        let (other_api, other_id, other_roles) = users.pop().unwrap();
        let (owner_api, owner_id, owner_roles) = users.pop().unwrap();
        assert_eq!(owner_roles, ["user"], "a registered USER gets the role user");
        let third = admin.post("/api/v1/users", &json!({ "email": "third@x.io", "password": PASSWORD })).await;
        check(&third, 201, "admin creates a user");
        let third_id = third.json["id"].as_str().unwrap().to_string();
        let callers = [
            Caller { label: "anonymous", api: anonymous, subject: None, roles: Vec::new() },
            Caller { label: "other user", api: other_api, subject: Some(other_id.clone()), roles: other_roles },
            Caller { label: "owner", api: owner_api, subject: Some(owner_id.clone()), roles: owner_roles },
            Caller {
                label: "admin",
                api: admin.clone(),
                subject: Some(uuid::Uuid::new_v4().to_string()),
                roles: vec![ADMIN_ROLE.into()],
            },
        ];
        let user_of = |caller: &Caller| match caller.label {
            "other user" => other_id.clone(),
            "admin" => third_id.clone(),
            _ => owner_id.clone(),
        };

        let mut values = Values::default();
        // Per entity: the owner's row (the one every caller reads, updates and deletes), and the
        // rows the matrix creates on the way (deleted at the end).
        let mut owners_rows: BTreeMap<String, Value> = BTreeMap::new();
        let mut extra_rows: Vec<(String, String)> = Vec::new();
        let mut checked = 0;
        let order = creation_order(&model);
        for &entity in &order {
            let access = &entity.access;
            let collection = api::collection_path(&entity.name);
            for caller in &callers {
                let body = create_body(&model, entity, &user_of(caller), &owners_rows, &mut values);
                let expected = expected_status("create", outcome(&access.create, caller), true);
                let reply = caller.api.post(&collection, &Value::Object(body)).await;
                check(&reply, expected, &format!("{} creates a {}", caller.label, entity.name));
                checked += 1;
                if reply.status == 201 {
                    if let (Outcome::OwnRows, Some(field)) = (outcome(&access.create, caller), &access.create.owner) {
                        assert_eq!(reply.json[field], json!(caller.subject), "the owner field is the creator");
                    }
                    if caller.label == "owner" && !owners_rows.contains_key(&entity.name) {
                        owners_rows.insert(entity.name.clone(), reply.json.clone());
                    } else {
                        extra_rows.push((entity.name.clone(), item(entity, &reply.json)));
                    }
                }
            }
            if !owners_rows.contains_key(&entity.name) {
                let row = if entity.name == "User" {
                    admin.get(&format!("{collection}/{owner_id}")).await
                } else {
                    let body = create_body(&model, entity, &owner_id, &owners_rows, &mut values);
                    admin.post(&collection, &Value::Object(body)).await
                };
                assert!(row.status < 300, "the owner's {}: {}", entity.name, row.text);
                owners_rows.insert(entity.name.clone(), row.json);
            }
            let row = owners_rows[&entity.name].clone();
            let path = item(entity, &row);
            for caller in &callers {
                let owns = caller.subject.as_deref() == Some(owner_id.as_str());
                let what = |op: &str| format!("{} {op}s {} {path}", caller.label, entity.name);

                let list_outcome = outcome(&access.list, caller);
                let listed = caller.api.get(&format!("{collection}?limit=1000")).await;
                check(&listed, expected_status("list", list_outcome, owns), &what("list"));
                if listed.status == 200 {
                    let rows = listed.json.as_array().unwrap();
                    let has_row = rows.iter().any(|r| key_of(entity, r) == key_of(entity, &row));
                    if list_outcome == Outcome::OwnRows {
                        let field = access.list.owner.as_ref().unwrap();
                        assert!(
                            rows.iter().all(|r| r[field] == json!(caller.subject)),
                            "{}: only own rows",
                            what("list")
                        );
                        assert_eq!(has_row, owns, "{}: the owner's row is listed to its owner only", what("list"));
                    } else {
                        assert!(has_row, "{}: every row is listed", what("list"));
                    }
                    check_visibility(entity, caller, rows);
                }

                let got = caller.api.get(&path).await;
                check(&got, expected_status("get", outcome(&access.get, caller), owns), &what("get"));
                if got.status == 200 {
                    check_visibility(entity, caller, std::slice::from_ref(&got.json));
                }

                let mut patch = Map::new();
                if let Some(version) = api::version_field(entity) {
                    let current = admin.get(&path).await;
                    patch.insert(version.name.clone(), current.json[&version.name].clone());
                }
                let owner_fields: Vec<&String> =
                    [&access.create, &access.update].iter().filter_map(|a| a.owner.as_ref()).collect();
                let plain = entity.fields.iter().find(|f| {
                    api::patchable(f)
                        && f.references.is_none()
                        && f.write_roles.is_none()
                        && !api::is_password(entity, f)
                        && !api::confirmed(entity, f)
                        && !owner_fields.contains(&&f.name)
                });
                if let Some(f) = plain {
                    patch.insert(f.name.clone(), values.next(&model, entity, f));
                }
                let updated = caller.api.patch(&path, &Value::Object(patch)).await;
                check(&updated, expected_status("update", outcome(&access.update, caller), owns), &what("update"));
                checked += 3;
            }
        }

        for route in api::link_routes(&model) {
            let owner = &owners_rows[&route.owner.entity];
            let other = &owners_rows[&route.other.entity];
            let list = route.list_path().replace("{id}", owner["id"].as_str().unwrap());
            let link = format!("{list}/{}", other[&route.other.reference.column].as_str().unwrap());
            for caller in &callers {
                let denied = match outcome(&Allow::default(), caller) {
                    Outcome::Unauthorized => Some(401),
                    Outcome::Allowed => None,
                    _ => Some(403),
                };
                let what = format!("{} on {list}", caller.label);
                check(&caller.api.send("PUT", &link, None).await, denied.unwrap_or(204), &what);
                check(&caller.api.get(&list).await, denied.unwrap_or(200), &what);
                check(&caller.api.delete(&link).await, denied.unwrap_or(204), &what);
                checked += 3;
            }
        }

        // Dependents first; the accounts last, for a deleted account ends its tokens (within the
        // second a row's state is remembered) and the callers act on to the end.
        let mut deletion: Vec<&Entity> = order.iter().rev().copied().collect();
        deletion.sort_by_key(|entity| entity.identity.is_some());
        for entity in deletion {
            for (_, path) in extra_rows.iter().filter(|(name, _)| name == &entity.name) {
                let reply = admin.delete(path).await;
                assert!(matches!(reply.status, 204 | 404), "cleanup {path}: {}", reply.text);
            }
            let path = item(entity, &owners_rows[&entity.name]);
            let mut gone = false;
            for caller in &callers {
                let owns = caller.subject.as_deref() == Some(owner_id.as_str());
                let expected = expected_status("delete", outcome(&entity.access.delete, caller), owns);
                let expected = if gone && expected == 204 { 404 } else { expected };
                let reply = caller.api.delete(&path).await;
                check(&reply, expected, &format!("{} deletes {path}", caller.label));
                gone |= reply.status == 204;
                checked += 1;
            }
        }
        assert!(checked >= model.entities.len() * 4 * 5, "{checked} checks");

        let exchanges = admin.exchanges();
        for ex in &exchanges {
            // `"token"` is the reset token's field (`access_token` does not match: its quote is not before).
            for leak in ["password_hash", "\"token\"", "$argon2", "$2b$", PASSWORD] {
                assert!(!ex.body.contains(leak), "{} {} leaked {leak}: {}", ex.method, ex.path, ex.body);
            }
        }
        assert_match_openapi(&exchanges);
    });
}

/// Signs `claims` with HS256-family `algorithm` and `secret`.
fn sign(algorithm: jsonwebtoken::Algorithm, claims: &Value, secret: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::new(algorithm), claims, &key).unwrap()
}

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[test]
fn tampered_expired_wrong_algorithm_and_unsigned_tokens_are_401() {
    with_server("access_tokens", |admin| async move {
        use jsonwebtoken::Algorithm::{HS256, HS384, HS512};
        let now = jsonwebtoken::get_current_timestamp();
        let subject = uuid::Uuid::new_v4().to_string();
        let admin_claims = json!({ "sub": subject, "roles": ["admin"], "exp": now + 600 });
        let user_token = token(&subject, &["user"]);
        let parts: Vec<&str> = user_token.split('.').collect();
        let bad = [
            ("tampered (roles raised to admin)", format!("{}.{}.{}", parts[0], b64(&admin_claims), parts[2])),
            ("tampered signature", format!("{}.{}.{}x", parts[0], parts[1], parts[2])),
            ("expired", sign(HS256, &json!({ "sub": subject, "roles": ["admin"], "exp": now - 3600 }), TEST_SECRET)),
            ("HS512 instead of HS256", sign(HS512, &admin_claims, TEST_SECRET)),
            ("HS384 instead of HS256", sign(HS384, &admin_claims, TEST_SECRET)),
            ("alg: none", format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT" })), b64(&admin_claims))),
            ("alg: none, upper case", format!("{}.{}.", b64(&json!({ "alg": "NONE" })), b64(&admin_claims))),
            ("another secret", sign(HS256, &admin_claims, "another secret, also 32 bytes long!!")),
            ("no exp", sign(HS256, &json!({ "sub": subject, "roles": ["admin"] }), TEST_SECRET)),
            ("no sub", sign(HS256, &json!({ "roles": ["admin"], "exp": now + 600 }), TEST_SECRET)),
            (
                "not before",
                sign(
                    HS256,
                    &json!({ "sub": subject, "roles": ["admin"], "exp": now + 600, "nbf": now + 300 }),
                    TEST_SECRET,
                ),
            ),
            ("malformed", "not-a-token".to_string()),
        ];
        let good = sign(HS256, &admin_claims, TEST_SECRET);
        for path in ["/api/v1/users", "/api/v1/tarif_plans", "/api/v1/users/00000000-0000-0000-0000-000000000000/roles"]
        {
            let ok = admin.raw("GET", path, None, &[("authorization", &format!("Bearer {good}"))]).await;
            assert!(ok.status == 200 || ok.status == 404, "a good token passes {path}: {}", ok.text);
            for (what, token) in &bad {
                let reply = admin.raw("GET", path, None, &[("authorization", &format!("Bearer {token}"))]).await;
                check(&reply, 401, &format!("{what} on {path}"));
                assert!(!reply.text.contains(token.as_str()), "the token is not echoed");
            }
            let basic = admin.raw("GET", path, None, &[("authorization", "Basic YWRtaW46YWRtaW4=")]).await;
            check(&basic, 401, &format!("Basic auth on {path}"));
        }
        let anonymous = admin.with_token(None);
        check(&anonymous.get("/api/v1/users").await, 401, "no token on an admin-only list");
        check(&anonymous.get("/api/v1/tarif_plans").await, 200, "no token on a public list");
        assert_match_openapi(&admin.exchanges());
    });
}

async fn login(api: &Api, email: &str, password: &str) -> Reply {
    api.post(api::LOGIN_PATH, &json!({ "email": email, "password": password })).await
}

async fn stored_hash(db_url: &str, email: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
    sqlx::query_scalar("SELECT password_hash FROM vbwd_user WHERE email = $1")
        .bind(email)
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

async fn set_status(db_url: &str, email: &str, status: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
    let sql = "UPDATE vbwd_user SET status = $1::userstatus WHERE email = $2";
    sqlx::query(sql).bind(status).bind(email).execute(&mut conn).await.unwrap();
}

async fn set_role(db_url: &str, email: &str, role: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
    let sql = "UPDATE vbwd_user SET role = $1::userrole WHERE email = $2";
    sqlx::query(sql).bind(role).bind(email).execute(&mut conn).await.unwrap();
}

/// A user row as VBWD's backend writes it: bcrypt via Python's `bcrypt.hashpw(pw, bcrypt.gensalt())`.
async fn insert_vbwd_user(db_url: &str, email: &str, role: &str) -> String {
    use sqlx::Connection;
    let hash = bcrypt::hash_with_result(PASSWORD, 12).unwrap().format_for_version(bcrypt::Version::TwoB);
    assert!(hash.starts_with("$2b$12$") && hash.len() == 60, "{hash}");
    let id = uuid::Uuid::new_v4();
    let mut conn = sqlx::PgConnection::connect(db_url).await.unwrap();
    sqlx::query(
        "INSERT INTO vbwd_user (id, email, password_hash, status, role, has_used_trial, created_at, updated_at, version) \
         VALUES ($1, $2, $3, 'ACTIVE', $4::userrole, false, now(), now(), 0)",
    )
    .bind(id)
    .bind(email)
    .bind(&hash)
    .bind(role)
    .execute(&mut conn)
    .await
    .unwrap();
    id.to_string()
}

#[test]
fn login_accepts_vbwd_bcrypt_hashes_and_leaves_argon2id() {
    with_server("access_login", |admin| async move {
        let anonymous = admin.with_token(None);
        let id = insert_vbwd_user(&admin.db_url, "vbwd@x.io", "USER").await;
        let reply = login(&anonymous, "vbwd@x.io", PASSWORD).await;
        check(&reply, 200, "login with a bcrypt hash");
        assert_eq!(reply.json["token_type"], json!("Bearer"));
        assert_eq!(reply.json["expires_in"], json!(3600));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let issued = claims(reply.json["access_token"].as_str().unwrap());
        assert_eq!((&issued["sub"], &issued["roles"]), (&json!(id), &json!(["user"])));
        let upgraded = stored_hash(&admin.db_url, "vbwd@x.io").await;
        assert!(upgraded.starts_with("$argon2id$v=19$"), "the bcrypt hash was upgraded: {upgraded}");
        check(&login(&anonymous, "vbwd@x.io", PASSWORD).await, 200, "login with the argon2id hash");
        assert_eq!(stored_hash(&admin.db_url, "vbwd@x.io").await, upgraded, "an argon2id hash is kept");

        let me = admin.with_token(Some(reply.json["access_token"].as_str().unwrap().to_string()));
        check(&me.get(&format!("/api/v1/users/{id}")).await, 200, "the token reads its own user");
        let other = insert_vbwd_user(&admin.db_url, "boss@x.io", "SUPER_ADMIN").await;
        check(&me.get(&format!("/api/v1/users/{other}")).await, 404, "another user's row");
        let boss = login(&anonymous, "boss@x.io", PASSWORD).await;
        let roles = claims(boss.json["access_token"].as_str().unwrap())["roles"].clone();
        assert_eq!(roles, json!(["admin", "super_admin"]), "roles come from the role column, as the spec maps them");

        // A new password through the API is stored as argon2id and replaces the old one.
        let version = me.get(&format!("/api/v1/users/{id}")).await.json["version"].clone();
        let changed = me
            .patch(
                &format!("/api/v1/users/{id}"),
                &json!({ "password": "a brand new one", "current_password": PASSWORD, "version": version }),
            )
            .await;
        check(&changed, 200, "owner changes their password");
        assert!(stored_hash(&admin.db_url, "vbwd@x.io").await.starts_with("$argon2id$"));
        check(&login(&anonymous, "vbwd@x.io", PASSWORD).await, 401, "the old password");
        check(&login(&anonymous, "vbwd@x.io", "a brand new one").await, 200, "the new password");

        let wrong = login(&anonymous, "vbwd@x.io", "nope nope").await;
        let unknown = login(&anonymous, "nobody@x.io", "nope nope").await;
        check(&wrong, 401, "wrong password");
        check(&unknown, 401, "unknown account");
        assert_eq!(wrong.json["detail"], unknown.json["detail"], "no hint whether the account exists");
        check(&anonymous.post(api::LOGIN_PATH, &json!({ "email": "vbwd@x.io" })).await, 422, "no password");
        check(&anonymous.raw("POST", api::LOGIN_PATH, Some(b"{".to_vec()), &[]).await, 400, "malformed JSON");

        insert_vbwd_user(&admin.db_url, "gone@x.io", "USER").await;
        set_status(&admin.db_url, "gone@x.io", "SUSPENDED").await;
        check(&login(&anonymous, "gone@x.io", "wrong wrong").await, 401, "a suspended account, wrong password");
        check(&login(&anonymous, "gone@x.io", PASSWORD).await, 403, "a suspended account cannot log in (login_when)");

        let register = |body: Value| {
            let anonymous = anonymous.clone();
            async move { anonymous.post(api::REGISTER_PATH, &body).await }
        };
        check(&register(json!({ "email": "new@x.io", "password": "short" })).await, 422, "a short password");
        check(
            &register(json!({ "email": "new@x.io", "password": PASSWORD, "role": "ADMIN" })).await,
            422,
            "choosing a role",
        );
        check(&register(json!({ "email": "vbwd@x.io", "password": PASSWORD })).await, 409, "a taken email");
        let created = register(json!({ "email": "new@x.io", "password": PASSWORD })).await;
        check(&created, 201, "register");
        assert_eq!(claims(created.json["access_token"].as_str().unwrap())["roles"], json!(["user"]));
        assert!(stored_hash(&admin.db_url, "new@x.io").await.starts_with("$argon2id$"));
        assert_match_openapi(&admin.exchanges());
    });
}

#[test]
fn failed_logins_are_throttled_per_account() {
    with_server("access_throttle", |admin| async move {
        let anonymous = admin.with_token(None);
        insert_vbwd_user(&admin.db_url, "victim@x.io", "USER").await;
        // Fifty at once: each attempt is counted before its password is checked, so no more than
        // the limit's five get as far as a 401.
        let attempts: Vec<_> = (0..50)
            .map(|_| {
                let anonymous = anonymous.clone();
                tokio::spawn(async move { login(&anonymous, "victim@x.io", "guess guess").await })
            })
            .collect();
        let mut replies = Vec::new();
        for attempt in attempts {
            replies.push(attempt.await.expect("a login"));
        }
        let count = |status| replies.iter().filter(|r| r.status == status).count();
        assert_eq!((count(401), count(429)), (5, 45), "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        let throttled = login(&anonymous, "VICTIM@x.io", PASSWORD).await;
        check(&throttled, 429, "the sixth attempt, even with the right password");
        let wait: u64 = throttled.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "Retry-After {wait}");
        check(&login(&anonymous, "other@x.io", "guess guess").await, 401, "other accounts are not locked");
        // The lockout is the attacker's: the owner, from a client of their own, still logs in.
        let own_client = anonymous.from_address([127, 0, 0, 2].into());
        check(&login(&own_client, "victim@x.io", PASSWORD).await, 200, "the owner from another client");
        assert_match_openapi(&admin.exchanges());
    });
}

/// The counts live in PostgreSQL: a second server on the same database (a replica, with a pool
/// and memory of its own) sees the first one's failures, and attempts split between the two still
/// get no more than five 401s.
#[test]
fn the_throttle_holds_across_two_servers_on_one_database() {
    with_server("access_replicas", |admin| async move {
        let replica =
            tests::server::start(&tests::server::config(&admin.db_url, false)).await.expect("a second server");
        let servers = [admin.with_token(None), Api::at(&format!("http://{}", replica.addr), &admin.db_url, None)];
        insert_vbwd_user(&admin.db_url, "victim@x.io", "USER").await;
        let attempts: Vec<_> = (0..50)
            .map(|i| {
                let server = servers[i % 2].clone();
                tokio::spawn(async move { login(&server, "victim@x.io", "guess guess").await })
            })
            .collect();
        let mut statuses = Vec::new();
        for attempt in attempts {
            statuses.push(attempt.await.expect("a login").status);
        }
        let count = |status| statuses.iter().filter(|s| **s == status).count();
        assert_eq!((count(401), count(429)), (5, 45), "{statuses:?}");
        for server in &servers {
            check(&login(server, "victim@x.io", PASSWORD).await, 429, "locked on either server");
            let own_client = server.from_address([127, 0, 0, 2].into());
            check(&login(&own_client, "victim@x.io", PASSWORD).await, 200, "the owner from another client");
        }
        replica.stop().await.expect("the replica stops");
        // The counters' table is the server's bookkeeping, not drift.
        let url = admin.db_url.clone();
        let run =
            tokio::task::spawn_blocking(move || tests::xtask(&["check", "--database-url", &url, "--format", "json"]))
                .await
                .unwrap();
        assert_eq!(run.code, 0, "{run:?}");
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        let listed = json!({ "kind": "bookkeeping table", "name": wire::LOGIN_FAILURES_TABLE });
        assert!(report["database"]["unmanaged"].as_array().unwrap().contains(&listed), "{report:#}");
        assert_match_openapi(&admin.exchanges());
    });
}

/// `normalize: lowercase` on the login field: a name differing only in case is the same name,
/// and logs in whatever its case; a row written before keeps its spelling and logs in as spelled.
#[test]
fn login_names_ignore_case() {
    with_server("access_case", |admin| async move {
        let anonymous = admin.with_token(None);
        let register = |email: &'static str| {
            let anonymous = anonymous.clone();
            async move { anonymous.post(api::REGISTER_PATH, &json!({ "email": email, "password": PASSWORD })).await }
        };
        let first = register("case@x.io").await;
        check(&first, 201, "register");
        check(&register("Case@x.io").await, 409, "the same name in another case");
        for spelling in ["case@x.io", "Case@x.io", "CASE@X.IO"] {
            check(&login(&anonymous, spelling, PASSWORD).await, 200, spelling);
        }
        let mixed = register("Mixed@X.io").await;
        check(&mixed, 201, "register in mixed case");
        let id = claims(mixed.json["access_token"].as_str().unwrap())["sub"].as_str().unwrap().to_string();
        assert_eq!(
            admin.get(&format!("/api/v1/users/{id}")).await.json["email"],
            json!("mixed@x.io"),
            "stored lower-cased"
        );
        insert_vbwd_user(&admin.db_url, "Legacy@x.io", "USER").await;
        check(&login(&anonymous, "Legacy@x.io", PASSWORD).await, 200, "a row written before, as spelled");
        // Registering a taken name tells that it exists: each such probe counts as a failed login.
        for _ in 0..5 {
            check(&register("CASE@x.io").await, 409, "a probe of a taken name");
        }
        let refused = register("case@X.io").await;
        check(&refused, 429, "the sixth probe since this client last logged in");
        assert!(refused.header("retry-after").is_some());
        check(&login(&anonymous, "case@x.io", PASSWORD).await, 429, "as after five failed logins");
        let own_client = anonymous.from_address([127, 0, 0, 2].into());
        check(&login(&own_client, "case@x.io", PASSWORD).await, 200, "the owner from another client");
        assert_match_openapi(&admin.exchanges());
    });
}

/// A token alone does not change its account's password or email: the current password must come
/// with it (wrong ones are throttled like failed logins); an admin changing another's row needs none.
#[test]
fn changing_ones_own_password_or_email_takes_the_current_one() {
    with_server("access_confirm", |admin| async move {
        let anonymous = admin.with_token(None);
        let registered =
            anonymous.post(api::REGISTER_PATH, &json!({ "email": "ann@x.io", "password": PASSWORD })).await;
        let token = registered.json["access_token"].as_str().unwrap().to_string();
        let me = format!("/api/v1/users/{}", claims(&token)["sub"].as_str().unwrap());
        let ann = admin.with_token(Some(token));
        for change in [json!({ "password": "a new password" }), json!({ "email": "eve@x.io" })] {
            let refused = ann.patch(&me, &change).await;
            check(&refused, 422, &format!("{change} without the current password"));
            assert_eq!(refused.json["errors"][0]["field"], json!(api::CURRENT_PASSWORD_FIELD), "{}", refused.text);
        }
        let wrong = json!({ "email": "eve@x.io", "current_password": "not my password" });
        check(&ann.patch(&me, &wrong).await, 403, "a wrong current password");
        assert_eq!(admin.get(&me).await.json["email"], json!("ann@x.io"), "nothing was written");
        let right = json!({ "email": "Ann2@x.io", "password": "a new password", "current_password": PASSWORD });
        check(&ann.patch(&me, &right).await, 200, "with the current password");
        check(&login(&anonymous, "ann2@x.io", "a new password").await, 200, "the new email and password");
        // An admin resetting another's credentials is not asked for theirs.
        check(&admin.patch(&me, &json!({ "email": "ann3@x.io" })).await, 200, "an admin");
        // Guessing through this door is throttled as at login: five wrong, then 429 even for the
        // right one. (The new password's token: the change ended the earlier one.)
        let fresh = login(&anonymous, "ann3@x.io", "a new password").await;
        let ann = admin.with_token(Some(fresh.json["access_token"].as_str().unwrap().to_string()));
        for _ in 0..5 {
            let guess = json!({ "password": "yet another one", "current_password": "a guess guess" });
            check(&ann.patch(&me, &guess).await, 403, "a wrong guess");
        }
        let throttled =
            ann.patch(&me, &json!({ "password": "yet another one", "current_password": "a new password" })).await;
        check(&throttled, 429, "the sixth, even right");
        assert!(throttled.header("retry-after").is_some());
        assert_match_openapi(&admin.exchanges());
    });
}

/// The app's role often may not create tables (PostgreSQL 15 gives `public`'s CREATE to its
/// owner only): `cargo xtask migrate`, run by the owner, creates the throttle's table, and a
/// server under the restricted role, started without migrating, finds it; without it, start-up
/// fails with a line saying what to do.
#[test]
fn a_server_under_a_role_that_may_not_create_tables_starts_once_migrate_ran() {
    /// Roles outlive databases: dropped when the test ends, pass or fail (after the database,
    /// which takes the role's privileges in it along).
    struct DropRole(String);
    impl Drop for DropRole {
        fn drop(&mut self) {
            let role = self.0.clone();
            tests::block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) = sqlx::PgConnection::connect(tests::server_url()).await {
                    let _ = sqlx::query(&format!("DROP ROLE IF EXISTS \"{role}\"")).execute(&mut conn).await;
                }
            });
        }
    }
    let mut guard = DropRole(String::new());
    let db = tests::TestDb::new("access_role");
    let role = format!("{}_app", db.name);
    guard.0.clone_from(&role);
    let (scheme, rest) = db.url.split_once("://").expect("a URL");
    let app_url = format!("{scheme}://{role}@{}", rest.rsplit_once('@').map_or(rest, |(_, host)| host));
    db.execute(&format!(
        "CREATE ROLE \"{role}\" LOGIN; GRANT USAGE ON SCHEMA public TO \"{role}\"; \
         ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \"{role}\"; \
         ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO \"{role}\"; \
         REVOKE CREATE ON SCHEMA public FROM PUBLIC"
    ));
    let config = tests::server::config(&app_url, false);
    let started = tests::block_on(async {
        match tests::server::start(&config).await {
            Ok(running) => running.stop().await.map(|()| String::new()).map_err(|e| e.to_string()),
            Err(message) => Err(message),
        }
    });
    let refused = started.expect_err("no table and no right to create it");
    assert!(refused.contains("_login_failures") && refused.contains("cargo xtask migrate"), "{refused}");
    let migrated = tests::xtask(&["migrate", "--database-url", &db.url]);
    assert_eq!(migrated.code, 0, "{migrated:?}");
    let started = tests::block_on(async {
        let running = tests::server::start(&config).await?;
        let anonymous = Api::at(&format!("http://{}", running.addr), &app_url, None);
        let reply = login(&anonymous, "nobody@x.io", "guess guess").await;
        running.stop().await.map_err(|e| e.to_string())?;
        Ok::<u16, String>(reply.status)
    });
    assert_eq!(started, Ok(401), "the restricted server counts a failed login in the migrated table");
}

/// A login takes as long for an unknown account as for one holding a legacy bcrypt hash (cost 12,
/// several times an argon2id check): timing tells no one which accounts exist or are not upgraded.
#[test]
fn login_time_tells_nothing_of_the_account() {
    with_server("access_timing", |admin| async move {
        let anonymous = admin.with_token(None);
        insert_vbwd_user(&admin.db_url, "legacy@x.io", "USER").await;
        let _ = login(&anonymous, "warm@x.io", "up up up up").await;
        let (mut unknown, mut legacy) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            for (email, times) in [("nobody@x.io", &mut unknown), ("legacy@x.io", &mut legacy)] {
                let started = std::time::Instant::now();
                check(&login(&anonymous, email, "wrong wrong").await, 401, email);
                times.push(started.elapsed().as_secs_f64());
            }
        }
        let fastest = |times: &[f64]| times.iter().copied().fold(f64::MAX, f64::min);
        let (unknown, legacy) = (fastest(&unknown), fastest(&legacy));
        assert!(unknown.max(legacy) / unknown.min(legacy) < 1.5, "unknown {unknown:.3} s, bcrypt {legacy:.3} s");
    });
}

#[test]
fn passwords_are_hashed_only_when_authorized_and_a_few_at_a_time() {
    with_server("access_hashing", |admin| async move {
        let anonymous = admin.with_token(None);
        let registered =
            anonymous.post(api::REGISTER_PATH, &json!({ "email": "ann@x.io", "password": PASSWORD })).await;
        check(&registered, 201, "register");
        let stranger = anonymous.post(api::REGISTER_PATH, &json!({ "email": "eve@x.io", "password": PASSWORD })).await;
        let eve = admin.with_token(Some(stranger.json["access_token"].as_str().unwrap().to_string()));
        let ann = claims(registered.json["access_token"].as_str().unwrap())["sub"].as_str().unwrap().to_string();
        // A password change of another's row is refused before anything is hashed: forty at once
        // all get their 404, none is turned away for want of a hashing slot.
        let spawn_all = |count: usize, send: &dyn Fn() -> tokio::task::JoinHandle<Reply>| {
            (0..count).map(|_| send()).collect::<Vec<_>>()
        };
        let theirs = format!("/api/v1/users/{ann}");
        let patches = spawn_all(40, &|| {
            let (eve, theirs) = (eve.clone(), theirs.clone());
            tokio::spawn(async move { eve.patch(&theirs, &json!({ "password": "another password" })).await })
        });
        for patch in patches {
            check(&patch.await.unwrap(), 404, "a password change of another's row");
        }
        // A burst of registrations with a taken email: a few are hashed (and conflict), the rest
        // are told at once to come back: the name's probes are throttled, the hashing is bounded.
        let registers = spawn_all(300, &|| {
            let anonymous = anonymous.clone();
            tokio::spawn(async move {
                anonymous.post(api::REGISTER_PATH, &json!({ "email": "ann@x.io", "password": PASSWORD })).await
            })
        });
        let mut statuses = BTreeMap::new();
        for register in registers {
            let reply = register.await.unwrap();
            if [429, 503].contains(&reply.status) {
                assert!(reply.header("retry-after").is_some(), "it says when to retry: {:?}", reply.headers);
            }
            *statuses.entry(reply.status).or_insert(0) += 1;
        }
        let conflicts = statuses.get(&409).copied().unwrap_or_default();
        assert!(statuses.keys().all(|s| [409, 429, 503].contains(s)), "{statuses:?}");
        assert!((1..=10).contains(&conflicts), "a probe of a taken name counts as a failed login: {statuses:?}");
        assert_match_openapi(&admin.exchanges());
    });
}

/// Behind a trusted proxy the client is the address it forwards: one client's lockout is not
/// every client's. From an untrusted peer the header is the client's to forge, and ignored.
#[test]
fn the_throttle_keys_on_the_client_a_trusted_proxy_names() {
    let proxy = |config: &mut runtime::server::Config| config.trusted_proxies = vec![[127, 0, 0, 1].into()];
    with_server_configured("access_proxy", proxy, |admin| async move {
        let anonymous = admin.with_token(None);
        insert_vbwd_user(&admin.db_url, "shared@x.io", "USER").await;
        let from = |client: &str, password: &'static str| {
            let (anonymous, client) = (anonymous.clone(), client.to_string());
            async move {
                let body = json!({ "email": "shared@x.io", "password": password }).to_string().into_bytes();
                // What the client sent itself comes first; the trusted proxy appends the peer it saw.
                let forwarded = format!("192.0.2.1, {client}");
                let proxy_hops = [("x-forwarded-for", forwarded.as_str())];
                anonymous.raw("POST", api::LOGIN_PATH, Some(body), &proxy_hops).await
            }
        };
        for _ in 0..5 {
            check(&from("203.0.113.7", "guess guess").await, 401, "a failure from one client");
        }
        check(&from("203.0.113.7", PASSWORD).await, 429, "that client is locked out");
        check(&from("198.51.100.1", PASSWORD).await, 200, "another client behind the same proxy is not");
        let untrusted = anonymous.from_address([127, 0, 0, 3].into());
        for _ in 0..5 {
            check(&login(&untrusted, "shared@x.io", "guess guess").await, 401, "a failure from an untrusted peer");
        }
        let forged = untrusted.raw(
            "POST",
            api::LOGIN_PATH,
            Some(json!({ "email": "shared@x.io", "password": PASSWORD }).to_string().into_bytes()),
            &[("x-forwarded-for", "192.0.2.99")],
        );
        check(&forged.await, 429, "a forged X-Forwarded-For from an untrusted peer changes nothing");
    });
}

/// A token login issued ends when its account's password, role or status changes; a token
/// issued after the change works.
#[test]
fn tokens_end_with_a_password_role_or_status_change() {
    with_server("access_sessions", |admin| async move {
        let anonymous = admin.with_token(None);
        let mut callers = Vec::new();
        for email in ["suspended@x.io", "demoted@x.io", "changed@x.io"] {
            let reply = anonymous.post(api::REGISTER_PATH, &json!({ "email": email, "password": PASSWORD })).await;
            check(&reply, 201, "register");
            let token = reply.json["access_token"].as_str().unwrap().to_string();
            let me = format!("/api/v1/users/{}", claims(&token)["sub"].as_str().unwrap());
            let caller = admin.with_token(Some(token));
            check(&caller.get(&me).await, 200, "the fresh token");
            callers.push((email, caller, me));
        }
        set_status(&admin.db_url, "suspended@x.io", "SUSPENDED").await;
        set_role(&admin.db_url, "demoted@x.io", "VENDOR").await;
        let (_, changer, me) = &callers[2];
        let change = json!({ "password": "a new password", "current_password": PASSWORD });
        check(&changer.patch(me, &change).await, 200, "the owner changes it");
        // Each server remembers a row's state for up to a second.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        for (email, caller, me) in &callers {
            check(&caller.get(me).await, 401, &format!("{email}: the earlier token"));
        }
        let again = login(&anonymous, "changed@x.io", "a new password").await;
        check(&again, 200, "log in with the new password");
        let fresh = admin.with_token(Some(again.json["access_token"].as_str().unwrap().to_string()));
        check(&fresh.get(me).await, 200, "the token issued after the change");
        let unchanged = token(&uuid::Uuid::new_v4().to_string(), &["admin"]);
        check(&admin.with_token(Some(unchanged)).get("/api/v1/users").await, 200, "tokens without a stamp");
    });
}

/// With an issuer and audience configured, tokens carry them and must: one minted for another
/// service with the same key, or without them, is refused; so is one claiming to live a year.
#[test]
fn tokens_of_another_issuer_or_audience_are_refused() {
    use runtime::server::{Audience, Keys, TokenConfig};
    let ours = Audience { issuer: Some("vbwd".into()), audience: Some("vbwd-api".into()) };
    let configured = ours.clone();
    with_server_configured(
        "access_audience",
        move |c| c.token_audience = configured,
        |admin| async move {
            let mint = |audience: Audience, ttl: u64| {
                let keys = Keys::new(&TokenConfig::Hs256 { secret: TEST_SECRET.into() }, ttl).unwrap();
                let token = keys.for_audience(audience).issue(&uuid::Uuid::new_v4().to_string(), vec!["admin".into()]);
                admin.with_token(Some(token.unwrap()))
            };
            check(&mint(ours.clone(), 3600).get("/api/v1/users").await, 200, "our issuer and audience");
            let foreign_issuer = Audience { issuer: Some("billing".into()), ..ours.clone() };
            check(&mint(foreign_issuer, 3600).get("/api/v1/users").await, 401, "another issuer");
            let foreign_audience = Audience { audience: Some("billing-api".into()), ..ours.clone() };
            check(&mint(foreign_audience, 3600).get("/api/v1/users").await, 401, "another audience");
            check(&mint(Audience::default(), 3600).get("/api/v1/users").await, 401, "neither");
            check(&mint(ours.clone(), 365 * 86_400).get("/api/v1/users").await, 401, "a token for a year");
            let anonymous = admin.with_token(None);
            let registered =
                anonymous.post(api::REGISTER_PATH, &json!({ "email": "aud@x.io", "password": PASSWORD })).await;
            let issued = claims(registered.json["access_token"].as_str().unwrap());
            assert_eq!((issued["iss"].as_str(), issued["aud"].as_str()), (Some("vbwd"), Some("vbwd-api")), "{issued}");
        },
    );
}

#[test]
fn owners_cannot_raise_their_roles_or_reach_other_rows() {
    with_server("access_owners", |admin| async move {
        let anonymous = admin.with_token(None);
        let mut ids = Vec::new();
        let mut apis = Vec::new();
        for email in ["a@x.io", "b@x.io"] {
            let reply = anonymous.post(api::REGISTER_PATH, &json!({ "email": email, "password": PASSWORD })).await;
            let token = reply.json["access_token"].as_str().unwrap().to_string();
            ids.push(claims(&token)["sub"].as_str().unwrap().to_string());
            apis.push(admin.with_token(Some(token)));
        }
        let (a, b) = (&apis[0], &apis[1]);
        let me = format!("/api/v1/users/{}", ids[0]);
        let version = a.get(&me).await.json["version"].clone();
        for field in
            [json!({ "role": "ADMIN" }), json!({ "status": "ACTIVE" }), json!({ "payment_customer_id": "cus_1" })]
        {
            let mut body = field.as_object().unwrap().clone();
            body.insert("version".into(), version.clone());
            check(&a.patch(&me, &Value::Object(body)).await, 403, &format!("owner sets {field}"));
        }
        check(
            &admin.patch(&me, &json!({ "payment_customer_id": "cus_1", "version": version })).await,
            200,
            "admin sets it",
        );
        assert!(
            a.get(&me).await.json.get("payment_customer_id").is_none(),
            "an admin-only field is hidden from the owner"
        );
        assert_eq!(admin.get(&me).await.json["payment_customer_id"], json!("cus_1"), "and shown to an admin");
        check(&a.get("/api/v1/users?payment_customer_id=eq.cus_1").await, 403, "listing users is admin-only");

        let theirs = a.post("/api/v1/user_details", &json!({ "user_id": ids[1] })).await;
        check(&theirs, 403, "creating a row owned by someone else");
        let mine = a.post("/api/v1/user_details", &json!({ "first_name": "Ann" })).await;
        check(&mine, 201, "creating a row without naming the owner");
        assert_eq!(mine.json["user_id"], json!(ids[0]), "the owner field is the subject");
        let details = format!("/api/v1/user_details/{}", mine.json["id"].as_str().unwrap());
        let give_away = a.patch(&details, &json!({ "user_id": ids[1], "version": 0 })).await;
        check(&give_away, 403, "giving a row away");
        check(
            &a.patch(&details, &json!({ "balance": "1000.00", "version": 0 })).await,
            403,
            "setting an admin-only field",
        );
        check(&b.get(&details).await, 404, "another user's row");
        check(
            &b.patch(&details, &json!({ "first_name": "Eve", "version": 0 })).await,
            404,
            "updating another user's row",
        );
        let filtered = b.get(&format!("/api/v1/user_details?user_id=eq.{}", ids[0])).await;
        check(&filtered, 200, "filtering for another user's rows");
        assert_eq!(filtered.json, json!([]), "finds nothing");
        check(&a.get("/api/v1/payment_methods?config=eq.x").await, 400, "filtering on a hidden field");
        check(&anonymous.get("/api/v1/user_details").await, 401, "anonymous");
        assert_eq!(a.get(&details).await.json["first_name"], json!("Ann"), "nothing changed");
        assert_match_openapi(&admin.exchanges());
    });
}

/// Makes an RSA key pair with the openssl CLI; returns (private PEM, public PEM).
fn rsa_key_pair(dir: &std::path::Path) -> (Vec<u8>, Vec<u8>) {
    let (private, public) = (dir.join("private.pem"), dir.join("public.pem"));
    let openssl = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new("openssl").args(args).output().unwrap_or_else(|e| {
            panic!("the RS256 test makes its RSA key with the openssl CLI; install it (apt-get install openssl): {e}")
        });
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let os = |s: &str| std::ffi::OsStr::new(s).to_owned();
    openssl(&[
        &os("genpkey"),
        &os("-algorithm"),
        &os("RSA"),
        &os("-pkeyopt"),
        &os("rsa_keygen_bits:2048"),
        &os("-out"),
        private.as_os_str(),
    ]);
    openssl(&[&os("pkey"), &os("-in"), private.as_os_str(), &os("-pubout"), &os("-out"), public.as_os_str()]);
    (std::fs::read(private).unwrap(), std::fs::read(public).unwrap())
}

#[test]
fn rs256_tokens_verify_with_the_public_key_and_key_confusion_fails() {
    use runtime::server::TokenConfig;
    let keys = tests::TempDir::new("rs256_keys");
    let (private_pem, public_pem) = rsa_key_pair(keys.path());
    let db = tests::TestDb::new("access_rs256");
    let mut config = tests::server::config(&db.url, true);
    config.token = TokenConfig::Rs256 { public_pem: public_pem.clone(), private_pem: Some(private_pem) };
    tests::block_on(async {
        let running = tests::server::start(&config).await.unwrap_or_else(|e| panic!("{e}"));
        let base = format!("http://{}", running.addr);
        let client = reqwest::Client::new();
        let registered: Value = client
            .post(format!("{base}{}", api::REGISTER_PATH))
            .json(&json!({ "email": "rsa@x.io", "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let issued = registered["access_token"].as_str().unwrap();
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(issued.split('.').next().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(header["alg"], json!("RS256"));
        let me = format!("{base}/api/v1/users/{}", claims(issued)["sub"].as_str().unwrap());
        let status = |token: String| {
            let request = client.get(format!("{base}/api/v1/users")).bearer_auth(token);
            async move { request.send().await.unwrap().status().as_u16() }
        };
        assert_eq!(client.get(&me).bearer_auth(issued).send().await.unwrap().status().as_u16(), 200);
        let now = jsonwebtoken::get_current_timestamp();
        let admin = json!({ "sub": "x", "roles": ["admin"], "exp": now + 600 });
        // Key confusion: an HS256 token whose HMAC key is the server's public key.
        let confused = sign(jsonwebtoken::Algorithm::HS256, &admin, std::str::from_utf8(&public_pem).unwrap());
        assert_eq!(status(confused).await, 401, "HS256 signed with the public key");
        assert_eq!(status(token("x", &["admin"])).await, 401, "an HS256 token with the test secret");
        running.stop().await.unwrap();
    });
    // A server that only verifies tokens cannot serve login: it says so and does not start.
    config.token = TokenConfig::Rs256 { public_pem, private_pem: None };
    let error = tests::block_on(tests::server::start(&config)).unwrap_err();
    assert!(error.contains("JWT_PRIVATE_KEY_FILE") && !error.contains('\n'), "{error}");
}
