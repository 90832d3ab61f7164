//! Random bodies, keys, headers and query strings against every operation of the API, as random
//! callers (admin, a user, anonymous, a garbage token), plus login and registration: whatever is
//! sent, the answer is never a 5xx, every error is problem+json, and no secret comes back.
//! Deterministic: the seed is printed on failure and can be set with `API_FUZZ_SEED`.

use codegen::api;
use codegen::ir::Model;
use serde_json::{json, Map, Value};
use tests::rng::Rng;
use tests::server::{token, with_server, Api};

const STRINGS: &[&str] = &[
    "",
    "x",
    "ACTIVE",
    "null",
    "true",
    "1e999",
    "-0",
    "2026-02-30",
    "2026-01-01T25:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "12345678901234567890.123456789",
    "NaN",
    "'; DROP TABLE vbwd_user; --",
    "\u{0}",
    "a\u{0}b",
    "ünïcödé €",
    "🦀🦀🦀",
    "\\",
    "\"",
    "%",
    "*",
    "(a,b)",
    "a@b.c",
];

fn random_string(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => "x".repeat(rng.pick(&[1, 64, 255, 256, 5000]).to_owned()),
        1 => (0..rng.below(12)).map(|_| char::from_u32(rng.below(0x2FFF) as u32).unwrap_or('?')).collect(),
        _ => (*rng.pick(STRINGS)).to_string(),
    }
}

fn random_value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 2 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.chance(50)),
        2 => json!(*rng.pick(&[0i64, 1, -1, 42, i64::from(i16::MAX) + 1, i64::from(i32::MAX) + 1, i64::MAX, i64::MIN])),
        3 => json!(*rng.pick(&[0.5, -1e308, 1e308, 3.4e39, f64::EPSILON])),
        4 | 5 => json!(random_string(rng)),
        6 => Value::Array((0..rng.below(4)).map(|_| random_value(rng, depth + 1)).collect()),
        _ => Value::Object((0..rng.below(4)).map(|_| (random_string(rng), random_value(rng, depth + 1))).collect()),
    }
}

/// A body: a valid-looking object with some fields wrong, a random value, or broken bytes.
fn random_body(rng: &mut Rng, fields: &[String]) -> Vec<u8> {
    match rng.below(10) {
        0 => b"{\"email\": ".to_vec(),
        1 => (0..rng.below(40)).map(|_| rng.next_u64() as u8).collect(),
        2 => serde_json::to_vec(&random_value(rng, 0)).unwrap(),
        _ => {
            let mut object = Map::new();
            for _ in 0..=rng.below(fields.len() + 1) {
                let name = if rng.chance(90) { rng.pick(fields).clone() } else { random_string(rng) };
                object.insert(name, random_value(rng, 1));
            }
            if rng.chance(50) {
                object.insert("version".into(), json!(rng.below(3)));
            }
            serde_json::to_vec(&object).unwrap()
        }
    }
}

/// Percent-encodes everything but unreserved characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn random_query(rng: &mut Rng, fields: &[String]) -> String {
    const OPS: &[&str] = &["eq", "neq", "lt", "lte", "gt", "gte", "in", "like", "ilike", "is", "not.is", "zz", ""];
    let mut parts = Vec::new();
    for _ in 0..rng.below(4) {
        let key = match rng.below(10) {
            0 => "limit".to_string(),
            1 => "offset".to_string(),
            2 => "order".to_string(),
            3 => random_string(rng),
            _ => rng.pick(fields).clone(),
        };
        let value = match key.as_str() {
            "limit" | "offset" => (*rng.pick(&["0", "-1", "5", "1001", "99999999999999999999", "x"])).to_string(),
            "order" => format!("{}.{}", rng.pick(fields), rng.pick(&["asc", "desc", "up", ""])),
            _ => match *rng.pick(OPS) {
                "in" => format!("in.({},\"{}\",{})", random_string(rng), random_string(rng), random_string(rng)),
                "is" => format!("is.{}", rng.pick(&["null", "true", "x"])),
                op => format!("{op}.{}", random_string(rng)),
            },
        };
        parts.push(format!("{}={}", encode(&key), encode(&value)));
    }
    if rng.chance(5) {
        parts.push("%ZZ=%%&&==".into());
    }
    parts.join("&")
}

fn key(rng: &mut Rng, real: Option<&str>) -> String {
    match (rng.below(4), real) {
        (0 | 1, Some(id)) => id.to_string(),
        (2, _) => uuid::Uuid::new_v4().to_string(),
        _ => encode(&random_string(rng)),
    }
}

async fn assert_sane(api: &Api, method: &str, path: &str, body: Option<Vec<u8>>, headers: &[(&str, &str)], seed: u64) {
    let reply = api.raw(method, path, body, headers).await;
    assert!(reply.status < 500, "seed {seed}: {method} {path} -> {}: {}", reply.status, reply.text);
    if reply.status >= 400 {
        assert_eq!(reply.header("content-type"), Some("application/problem+json"), "seed {seed}: {method} {path}");
    }
    // Error bodies may name a secret field ("password_hash: is required"), never hold its value.
    let leaks: &[&str] =
        if reply.status < 300 { &["\"password_hash\"", "\"token\"", "fuzz-secret"] } else { &["fuzz-secret"] };
    for secret in leaks {
        assert!(!reply.text.contains(secret), "seed {seed}: {method} {path} leaked {secret}: {}", reply.text);
    }
}

#[test]
fn random_requests_never_get_a_server_error() {
    let model: Model =
        codegen::load_model(&tests::repo_root().join("model-spec")).unwrap_or_else(|d| panic!("{}", d.render()));
    let seed = tests::rng::seed_from_env("API_FUZZ_SEED", 0x5EED_2026);
    let rounds: usize = std::env::var("API_FUZZ_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(12);
    with_server("api_fuzz", |api| async move {
        let mut rng = Rng::new(seed);
        let user = api.post("/api/v1/users", &json!({ "email": "fuzz@x.io", "password": "fuzz-secret" })).await;
        let role = api.post("/api/v1/roles", &json!({ "name": "Fuzz", "slug": "fuzz" })).await;
        let user_id = user.json["id"].as_str().unwrap_or_default().to_string();
        let callers = [
            api.clone(),
            api.with_token(Some(token(&user_id, &["user"]))),
            api.with_token(None),
            api.with_token(Some("garbage.garbage.garbage".into())),
        ];
        let real = |entity: &str| match entity {
            "User" => user.json["id"].as_str().map(String::from),
            "Role" => role.json["id"].as_str().map(String::from),
            _ => None,
        };
        let mut sent = 0;
        for _ in 0..rounds {
            for entity in &model.entities {
                let mut fields: Vec<String> = entity.fields.iter().map(|f| f.name.clone()).collect();
                fields.push("password".into());
                let collection = api::collection_path(&entity.name);
                let id = real(&entity.name);
                let item = format!("{collection}/{}", key(&mut rng, id.as_deref()));
                let if_match = [("if-match", *rng.pick(&["\"0\"", "W/\"1\"", "*", "garbage", "\"99999999999\""]))];
                let headers: &[(&str, &str)] = if rng.chance(30) { &if_match } else { &[] };
                let query = random_query(&mut rng, &fields);
                assert_sane(rng.pick(&callers), "GET", &format!("{collection}?{query}"), None, &[], seed).await;
                assert_sane(rng.pick(&callers), "GET", &item, None, &[], seed).await;
                let body = Some(random_body(&mut rng, &fields));
                assert_sane(rng.pick(&callers), "POST", &collection, body, &[], seed).await;
                let body = Some(random_body(&mut rng, &fields));
                assert_sane(rng.pick(&callers), "PATCH", &item, body, headers, seed).await;
                if rng.chance(10) {
                    let path = format!("{collection}/{}", uuid::Uuid::new_v4());
                    assert_sane(rng.pick(&callers), "DELETE", &path, None, &[], seed).await;
                }
                sent += 5;
            }
            for route in api::link_routes(&model) {
                let owner = key(&mut rng, real(&route.owner.entity).as_deref());
                let other = key(&mut rng, real(&route.other.entity).as_deref());
                let list = route.list_path().replace("{id}", &owner);
                assert_sane(rng.pick(&callers), "GET", &list, None, &[], seed).await;
                let method = *rng.pick(&["PUT", "DELETE"]);
                assert_sane(rng.pick(&callers), method, &format!("{list}/{other}"), None, &[], seed).await;
                sent += 2;
            }
            let credentials = ["email".to_string(), "password".to_string(), "role".to_string()];
            for path in [api::LOGIN_PATH, api::REGISTER_PATH] {
                let body = Some(random_body(&mut rng, &credentials));
                assert_sane(rng.pick(&callers), "POST", path, body, &[], seed).await;
                sent += 1;
            }
        }
        eprintln!("api fuzz: {sent} requests, seed {seed}, no 5xx");
    });
}
