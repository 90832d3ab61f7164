//! The generated REST API end to end: the real server (`runtime::server::start`, as the binary
//! runs it) on a fresh database, real HTTP over loopback. CRUD of every entity and link is
//! driven by the model itself, so a new spec is covered without a new test; every response is
//! checked against the OpenAPI document, and no response may carry a secret.

use codegen::api;
use codegen::ir::{Entity, Field, FieldType, Model};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use tests::server::{assert_match_openapi, with_server, with_server_migrating, Api, Exchange, Reply};

fn model() -> Model {
    codegen::load_model(&tests::repo_root().join("model-spec")).unwrap_or_else(|d| panic!("{}", d.render()))
}

/// A valid value of `field` for this model; `variant` 1 for creates, 2 for updates.
fn sample(model: &Model, field: &Field, ty: &FieldType, variant: u8) -> Value {
    let v = field.validate.clone();
    match ty {
        FieldType::Uuid => json!(uuid::Uuid::new_v4()),
        FieldType::String(_) | FieldType::Text => {
            let max = match ty {
                FieldType::String(n) => *n as usize,
                _ => 100,
            };
            let text = if v.format.as_deref() == Some("email") {
                format!("v{variant}.{}@example.com", &uuid::Uuid::new_v4().simple().to_string()[..8])
            } else {
                format!("v{variant}-{}", uuid::Uuid::new_v4().simple())
            };
            json!(text.chars().take(max.min(v.max_length.unwrap_or(u64::MAX) as usize)).collect::<String>())
        }
        FieldType::Bool => json!(variant == 1),
        FieldType::SmallInt | FieldType::Int | FieldType::BigInt => {
            let min = v.min.map_or(i64::MIN, |m| m.ceil() as i64);
            json!(i64::from(variant).max(min))
        }
        FieldType::Float | FieldType::Double => json!(f64::from(variant) + 0.5),
        FieldType::Decimal { scale, .. } => {
            json!(if *scale == 0 { variant.to_string() } else { format!("{variant}.{}", "2".repeat(*scale as usize)) })
        }
        FieldType::Date => json!(format!("2026-01-0{variant}")),
        FieldType::Timestamp(_) | FieldType::Timestamptz(_) => json!(format!("2026-01-0{variant}T10:00:00Z")),
        FieldType::Time(_) => json!(format!("10:00:0{variant}")),
        FieldType::Json | FieldType::Jsonb => json!({ "k": variant, "list": [variant, "x"] }),
        FieldType::Bytes => json!(if variant == 1 { "AQ==" } else { "Ag==" }),
        FieldType::Enum(name) => {
            let values = &model.enums.iter().find(|e| &e.name == name).expect("enum").values;
            json!(values[usize::from(variant) % values.len()])
        }
        FieldType::Array(inner) => json!([sample(model, field, inner, variant)]),
        other => panic!("VBWD's specs hold no {other:?} field; add a sample value for it"),
    }
}

/// A create body with every writable field; references point at rows created before.
fn create_body(model: &Model, entity: &Entity, created: &BTreeMap<String, Value>) -> Option<Map<String, Value>> {
    let mut body = Map::new();
    for f in entity.fields.iter().filter(|f| api::writable(f)) {
        let value = match &f.references {
            Some(r) => match created.get(&r.entity) {
                Some(parent) => parent[&r.column].clone(),
                None if f.nullable => continue,
                None => return None, // its parent is not created yet
            },
            None if api::is_password(entity, f) => json!("correct horse battery"),
            None => sample(model, f, &f.ty, 1),
        };
        body.insert(api::wire_name(entity, f).to_string(), value);
    }
    Some(body)
}

/// The body's fields, as the response must show them (secrets absent).
fn assert_echoes(entity: &Entity, sent: &Map<String, Value>, row: &Value) {
    for (name, value) in sent {
        let field = entity.fields.iter().find(|f| api::wire_name(entity, f) == name).unwrap();
        if field.secret {
            assert!(row.get(name).is_none(), "{}.{name} is secret but was returned", entity.name);
        } else {
            assert_eq!(&row[name], value, "{}.{name} did not round-trip", entity.name);
        }
    }
}

fn item_path(entity: &Entity, row: &Value) -> String {
    let key =
        row[&entity.pk_field().name].as_str().map_or_else(|| row[&entity.pk_field().name].to_string(), String::from);
    format!("{}/{key}", api::collection_path(&entity.name))
}

/// Fails if any response carries a secret field's name or a secret value that was sent.
fn assert_no_secrets(model: &Model, exchanges: &[Exchange], secret_values: &[String]) {
    let secret_names: Vec<String> = model
        .entities
        .iter()
        .flat_map(|e| e.fields.iter().filter(|f| f.secret).map(|f| format!("\"{}\"", f.name)))
        .collect();
    assert!(!secret_names.is_empty(), "the model declares no secret: the scan would prove nothing");
    for ex in exchanges.iter().filter(|ex| ex.path != "/openapi.json") {
        for needle in secret_names.iter().chain(secret_values) {
            assert!(!ex.body.contains(needle.as_str()), "{} {} leaked {needle}: {}", ex.method, ex.path, ex.body);
        }
    }
}

#[test]
fn every_entity_and_link_over_http() {
    let model = model();
    with_server("api_every_entity", |api| async move {
        let mut created: BTreeMap<String, Value> = BTreeMap::new();
        let mut order: Vec<&Entity> = Vec::new();
        let mut secret_values = Vec::new();
        // Parents before children: create whatever has its required parents, until all are made.
        while order.len() < model.entities.len() {
            let before = order.len();
            for entity in &model.entities {
                if created.contains_key(&entity.name) {
                    continue;
                }
                let Some(body) = create_body(&model, entity, &created) else { continue };
                for f in entity.fields.iter().filter(|f| f.secret) {
                    secret_values.extend(body.get(api::wire_name(entity, f)).and_then(Value::as_str).map(String::from));
                }
                let row = create_and_update(&api, &model, entity, body).await;
                created.insert(entity.name.clone(), row);
                order.push(entity);
            }
            assert!(order.len() > before, "required references form a cycle among the remaining entities");
        }
        assert_eq!(secret_values.len(), 2, "password_hash and the reset token were sent");

        for route in api::link_routes(&model) {
            let owner = &created[&route.owner.entity];
            let other = &created[&route.other.entity];
            let list = route.list_path().replace("{id}", owner["id"].as_str().unwrap());
            let item = format!("{list}/{}", other[&route.other.reference.column].as_str().unwrap());
            assert_eq!(api.send("PUT", &item, None).await.status, 204, "link {item}");
            assert_eq!(api.send("PUT", &item, None).await.status, 204, "linking twice is not an error");
            let keys = api.get(&list).await;
            assert_eq!((keys.status, &keys.json), (200, &json!([other["id"]])), "{list}");
            assert_eq!(api.delete(&item).await.status, 204);
            assert_eq!(api.delete(&item).await.status, 404, "unlinking what is not linked");
            assert_eq!(api.get(&list).await.json, json!([]));
            let nobody = route.list_path().replace("{id}", &uuid::Uuid::new_v4().to_string());
            assert_eq!(api.get(&nobody).await.status, 404, "keys of a missing {}", route.owner.entity);
            let missing_other = format!("{list}/{}", uuid::Uuid::new_v4());
            assert_eq!(
                api.send("PUT", &missing_other, None).await.status,
                404,
                "link to a missing {}",
                route.other.entity
            );
        }

        for entity in order.iter().rev() {
            let path = item_path(entity, &created[&entity.name]);
            assert_eq!(api.delete(&path).await.status, 204, "delete {path}");
            assert_eq!(api.get(&path).await.status, 404, "{path} after delete");
            assert_eq!(api.delete(&path).await.status, 404, "{path} deleted twice");
        }
        let exchanges = api.exchanges();
        assert_no_secrets(&model, &exchanges, &secret_values);
        assert_match_openapi(&exchanges);
    });
}

/// Create, read back (by key and by a list filter), update, and a stale update.
async fn create_and_update(api: &Api, model: &Model, entity: &Entity, body: Map<String, Value>) -> Value {
    let collection = api::collection_path(&entity.name);
    let created = api.post(&collection, &Value::Object(body.clone())).await;
    assert_eq!(created.status, 201, "create {}: {}", entity.name, created.text);
    assert_echoes(entity, &body, &created.json);
    let path = item_path(entity, &created.json);
    assert_eq!(created.header("location"), Some(path.as_str()));
    let versioned = api::version_field(entity).is_some();
    if versioned {
        assert_eq!(created.header("etag"), Some("\"0\""));
    }
    let read = api.get(&path).await;
    assert_eq!((read.status, &read.json), (200, &created.json), "get {path}");
    let pk = &entity.pk_field().name;
    let key = created.json[pk].as_str().unwrap().to_string();
    let listed = api.get(&format!("{collection}?{pk}=eq.{key}")).await;
    assert_eq!((listed.status, &listed.json), (200, &json!([created.json])), "list {collection} by key");

    let mut patch: Map<String, Value> = entity
        .fields
        .iter()
        .filter(|f| api::patchable(f) && f.references.is_none())
        .map(|f| {
            let value = if api::is_password(entity, f) { json!("a new password") } else { sample(model, f, &f.ty, 2) };
            (api::wire_name(entity, f).to_string(), value)
        })
        .collect();
    let sent = patch.clone();
    if versioned {
        patch.insert("version".into(), json!(0));
    }
    let updated = api.patch(&path, &Value::Object(patch.clone())).await;
    assert_eq!(updated.status, 200, "update {path}: {}", updated.text);
    assert_echoes(entity, &sent, &updated.json);
    if versioned {
        assert_eq!(updated.json["version"], json!(1));
        assert_eq!(updated.header("etag"), Some("\"1\""));
        let stale = api.patch(&path, &Value::Object(patch)).await;
        assert_eq!(stale.status, 409, "stale update of {path}: {}", stale.text);
        assert_eq!(api.get(&path).await.json, updated.json, "a refused update changes nothing");
    }
    updated.json
}

async fn new_user(api: &Api, email: &str, status: &str) -> Value {
    let reply =
        api.post("/api/v1/users", &json!({ "email": email, "password": "h-secret-pw", "status": status })).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json
}

fn emails(reply: &Reply) -> Vec<&str> {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect()
}

#[test]
fn filters_order_and_pagination() {
    with_server("api_filters", |api| async move {
        for (email, status) in [
            ("a@x.io", "ACTIVE"),
            ("b@x.io", "PENDING"),
            ("c@y.io", "ACTIVE"),
            ("d@y.io", "SUSPENDED"),
            ("E@z.io", "ACTIVE"),
        ] {
            new_user(&api, email, status).await;
        }
        // The email is stored lower-cased (`normalize: lowercase`).
        let active = api.get("/api/v1/users?status=eq.ACTIVE&order=email.desc").await;
        assert_eq!(emails(&active), ["e@z.io", "c@y.io", "a@x.io"]);
        let not_active = api.get("/api/v1/users?status=neq.ACTIVE&order=email").await;
        assert_eq!(emails(&not_active), ["b@x.io", "d@y.io"]);
        let some = api.get("/api/v1/users?status=in.(PENDING,SUSPENDED)&order=email.asc").await;
        assert_eq!(emails(&some), ["b@x.io", "d@y.io"]);
        assert_eq!(emails(&api.get("/api/v1/users?email=like.*y.io&order=email").await), ["c@y.io", "d@y.io"]);
        assert_eq!(emails(&api.get("/api/v1/users?email=ilike.E*").await), ["e@z.io"]);
        assert_eq!(emails(&api.get("/api/v1/users?email=gte.c&email=lt.d&order=email").await), ["c@y.io"]);
        assert_eq!(emails(&api.get("/api/v1/users?payment_customer_id=not.is.null").await).len(), 0);
        assert_eq!(emails(&api.get("/api/v1/users?payment_customer_id=is.null").await).len(), 5);
        let all = emails(&api.get("/api/v1/users?order=status,email.desc").await).join(" ");
        assert_eq!(all, "b@x.io e@z.io c@y.io a@x.io d@y.io", "PENDING < ACTIVE < SUSPENDED: enum order");
        let mut paged = Vec::new();
        for offset in [0, 2, 4] {
            let page = api.get(&format!("/api/v1/users?order=email&limit=2&offset={offset}")).await;
            paged.extend(emails(&page).into_iter().map(String::from));
        }
        assert_eq!(paged, ["a@x.io", "b@x.io", "c@y.io", "d@y.io", "e@z.io"], "pages in order, no overlap");
        problem(&api.get("/api/v1/users?limit=5000").await, 400, "a limit above the document's maximum (1000)");
        let created = api.get("/api/v1/users?created_at=gt.2000-01-01T00:00:00Z&has_used_trial=eq.false").await;
        assert_eq!(emails(&created).len(), 5, "timestamps with an offset and booleans filter");
        assert_match_openapi(&api.exchanges());
    });
}

/// Asserts a problem+json error with this status; returns its body.
fn problem(reply: &Reply, status: u16, what: &str) -> Value {
    assert_eq!(reply.status, status, "{what}: {}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/problem+json"), "{what}");
    assert_eq!(reply.json["status"], json!(status), "{what}");
    for leak in ["SELECT", "INSERT", "UPDATE ", "violates", "duplicate key", "vbwd_"] {
        assert!(!reply.text.contains(leak), "{what}: the error leaks SQL ({leak}): {}", reply.text);
    }
    reply.json.clone()
}

#[test]
fn bad_requests_get_problem_details() {
    with_server("api_errors", |api| async move {
        let user = new_user(&api, "taken@x.io", "ACTIVE").await;
        let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
        let malformed = api.raw("POST", "/api/v1/users", Some(b"{\"email\": ".to_vec()), &[]).await;
        problem(&malformed, 400, "malformed JSON");
        problem(&api.get("/api/v1/users?colour=eq.red").await, 400, "unknown filter field");
        problem(&api.get("/api/v1/users?password_hash=eq.x").await, 400, "filter on a secret");
        problem(&api.get("/api/v1/users?status=approx.ACTIVE").await, 400, "unknown operator");
        problem(&api.get("/api/v1/users?status=eq.NOPE").await, 400, "a value not of the field's type");
        problem(&api.get("/api/v1/users?order=colour.desc").await, 400, "order on an unknown field");
        problem(&api.get("/api/v1/users?limit=-3").await, 400, "negative limit");
        problem(&api.get("/api/v1/users/not-a-uuid").await, 404, "a malformed key names no row");
        problem(&api.get(&format!("/api/v1/users/{}", uuid::Uuid::new_v4())).await, 404, "missing row");
        problem(&api.get("/api/v1/nothing").await, 404, "unknown route");
        problem(&api.send("PUT", "/api/v1/users", None).await, 405, "method not allowed");

        let duplicate = api.post("/api/v1/users", &json!({ "email": "taken@x.io", "password": "a-password" })).await;
        let body = problem(&duplicate, 409, "duplicate email");
        assert!(body["detail"].as_str().unwrap().contains("email"), "{body}");

        let invalid = api
            .post(
                "/api/v1/users",
                &json!({ "email": "not-an-email", "status": "NOPE", "role": 3, "id": "x", "colour": "red" }),
            )
            .await;
        let body = problem(&invalid, 422, "invalid create");
        let mut fields: Vec<&str> =
            body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["colour", "email", "id", "password", "role", "status"], "every error at once: {body}");
        let long = api
            .post("/api/v1/users", &json!({ "email": format!("{}@x.io", "a".repeat(300)), "password": "a-password" }))
            .await;
        problem(&long, 422, "too long for varchar(255)");
        let not_null = api.post("/api/v1/users", &json!({ "email": null, "password": "a-password" })).await;
        problem(&not_null, 422, "null for a non-nullable field");
        problem(&api.post("/api/v1/users", &json!([1, 2])).await, 422, "not an object");
        let orphan = api.post("/api/v1/user_details", &json!({ "user_id": uuid::Uuid::new_v4() })).await;
        let body = problem(&orphan, 409, "reference to a missing row: a conflict with the database's state");
        assert_eq!(body["errors"][0]["field"], json!("user_id"));
        let price = api
            .post("/api/v1/token_bundles", &json!({ "name": "n", "token_amount": 1, "price": "123456789012.5" }))
            .await;
        problem(&price, 422, "decimal wider than its precision");

        problem(&api.patch(&path, &json!({ "status": "ACTIVE", "version": 5 })).await, 409, "stale version");
        problem(
            &api.patch(&path, &json!({ "created_at": "2020-01-01T00:00:00Z", "version": 0 })).await,
            422,
            "read-only field",
        );
        let by_etag =
            api.raw("PATCH", &path, Some(br#"{"status":"SUSPENDED"}"#.to_vec()), &[("if-match", "\"0\"")]).await;
        assert_eq!((by_etag.status, by_etag.header("etag")), (200, Some("\"1\"")), "If-Match carries the version");
        let stale_etag =
            api.raw("PATCH", &path, Some(br#"{"status":"ACTIVE"}"#.to_vec()), &[("if-match", "\"0\"")]).await;
        problem(&stale_etag, 412, "stale If-Match (RFC 9110: the precondition failed)");
        let weak = api.raw("PATCH", &path, Some(br#"{"status":"ACTIVE"}"#.to_vec()), &[("if-match", "W/\"1\"")]).await;
        problem(&weak, 412, "a weak tag never matches (strong comparison)");
        let malformed = api.raw("PATCH", &path, Some(br#"{"status":"ACTIVE"}"#.to_vec()), &[("if-match", "one")]).await;
        problem(&malformed, 400, "an If-Match that is not a list of entity tags");
        let any = api.raw("PATCH", &path, Some(br#"{"status":"ACTIVE"}"#.to_vec()), &[("if-match", "\"7\", *")]).await;
        problem(&any, 400, "`*` cannot be listed with tags");
        let listed =
            api.raw("PATCH", &path, Some(br#"{"status":"ACTIVE"}"#.to_vec()), &[("if-match", "\"9\", \"1\"")]).await;
        assert_eq!((listed.status, listed.header("etag")), (200, Some("\"2\"")), "one of several tags matches");
        let unconditional = api.patch(&path, &json!({ "status": "SUSPENDED" })).await;
        assert_eq!(
            (unconditional.status, unconditional.header("etag")),
            (200, Some("\"3\"")),
            "without a version or If-Match the update applies to the current version: {}",
            unconditional.text
        );
        // DELETE honours If-Match too: a stale one is 412 and the row survives.
        let stale_delete = api.raw("DELETE", &path, None, &[("if-match", "\"2\"")]).await;
        problem(&stale_delete, 412, "DELETE with a stale If-Match");
        assert_eq!(api.get(&path).await.status, 200, "the row survives a failed precondition");
        let text = api.raw("POST", "/api/v1/users", Some(b"email=x".to_vec()), &[("content-type", "text/plain")]).await;
        problem(&text, 415, "a text/plain body");

        let role = api.post("/api/v1/roles", &json!({ "name": "Admin", "slug": "admin" })).await.json;
        let link = format!("{path}/roles/{}", role["id"].as_str().unwrap());
        assert_eq!(api.send("PUT", &link, None).await.status, 204);
        let subscription_plan = api
            .post(
                "/api/v1/tarif_plans",
                &json!({ "name": "P", "slug": "p", "price_float": 1.0, "billing_period": "MONTHLY" }),
            )
            .await;
        let plan_path = format!("/api/v1/tarif_plans/{}", subscription_plan.json["id"].as_str().unwrap());
        let subscription = api
            .post(
                "/api/v1/subscriptions",
                &json!({ "user_id": user["id"], "tarif_plan_id": subscription_plan.json["id"] }),
            )
            .await;
        assert_eq!(subscription.status, 201, "{}", subscription.text);
        problem(&api.delete(&plan_path).await, 409, "delete a row others still refer to");
        assert_match_openapi(&api.exchanges());
    });
}

#[test]
fn twenty_concurrent_updates_with_one_version_let_exactly_one_win() {
    with_server("api_race", |api| async move {
        let user = new_user(&api, "race@x.io", "PENDING").await;
        let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
        let attempts: Vec<_> = (0..20)
            .map(|i| {
                let (api, path) = (api.clone(), path.clone());
                tokio::spawn(async move {
                    api.patch(&path, &json!({ "payment_customer_id": format!("cus_{i}"), "version": 0 })).await.status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for attempt in attempts {
            statuses.push(attempt.await.unwrap());
        }
        statuses.sort_unstable();
        assert_eq!(statuses, [vec![200], vec![409; 19]].concat());
        assert_eq!(api.get(&path).await.json["version"], json!(1), "the version moved by exactly one");
        assert_match_openapi(&api.exchanges());
    });
}

#[test]
fn operational_endpoints() {
    with_server("api_ops", |api| async move {
        let served = api.get("/openapi.json").await;
        let generated = std::fs::read_to_string(tests::repo_root().join("generated/openapi.json")).unwrap();
        assert_eq!(served.status, 200);
        assert!(served.text == generated, "/openapi.json differs from generated/openapi.json");
        assert_eq!(api.get("/healthz").await.json, json!({ "status": "ok" }));
        let ready = api.get("/readyz").await;
        assert_eq!((ready.status, ready.json), (200, json!({ "status": "ready" })));
        assert!(api.get("/healthz").await.header("x-request-id").is_some(), "every response names its request");
        let kept = api.raw("GET", "/healthz", None, &[("x-request-id", "trace-42.a_b")]).await;
        assert_eq!(kept.header("x-request-id"), Some("trace-42.a_b"), "a plain request id is kept");
        let forged = api.raw("GET", "/healthz", None, &[("x-request-id", "x\tlevel=error msg=forged")]).await;
        let replaced = forged.header("x-request-id").unwrap_or_default();
        assert!(uuid::Uuid::parse_str(replaced).is_ok(), "anything else is replaced: {replaced}");
    });
    with_server_migrating("api_unmigrated", false, |api| async move {
        let ready = api.get("/readyz").await;
        assert_eq!(ready.status, 503, "not ready before the migrations: {}", ready.text);
        assert!(ready.json["detail"].as_str().unwrap().contains("not applied"));
        assert_eq!(api.get("/healthz").await.status, 200, "alive all the same");
    });
}

#[test]
fn an_unreachable_database_stops_start_up_with_one_line() {
    let config = tests::server::config("postgres://postgres:hunter2@127.0.0.1:1/nowhere", true);
    let error = tests::block_on(tests::server::start(&config)).unwrap_err();
    assert!(error.starts_with("cannot connect to the database at postgres://postgres@127.0.0.1:1/nowhere"), "{error}");
    assert!(!error.contains("hunter2") && !error.contains('\n'), "{error}");
}

#[test]
fn shutdown_lets_in_flight_requests_finish() {
    let db = tests::TestDb::new("api_shutdown");
    let config = tests::server::config(&db.url, true);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        use sqlx::Connection;
        let running = tests::server::start(&config).await.unwrap();
        let base = format!("http://{}", running.addr);
        let client = reqwest::Client::new();
        let admin = tests::server::token("00000000-0000-0000-0000-000000000001", &["admin"]);
        let user: Value = client
            .post(format!("{base}/api/v1/users"))
            .bearer_auth(&admin)
            .json(&json!({ "email": "slow@x.io", "password": "a-password" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Hold the row's lock so the update below stays in flight while the server is stopped.
        let mut blocker = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let mut tx = blocker.begin().await.unwrap();
        sqlx::query("SELECT 1 FROM vbwd_user WHERE id = $1 FOR UPDATE")
            .bind(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).unwrap())
            .execute(&mut *tx)
            .await
            .unwrap();
        let path = format!("{base}/api/v1/users/{}", user["id"].as_str().unwrap());
        let request = client.patch(&path).bearer_auth(&admin).json(&json!({ "status": "ACTIVE", "version": 0 }));
        let in_flight = tokio::spawn(request.send());
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let stopping = tokio::spawn(running.stop());
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!stopping.is_finished(), "the server stopped before its in-flight request finished");
        tx.rollback().await.unwrap();
        let response = in_flight.await.unwrap().expect("the in-flight request was answered");
        assert_eq!(response.status(), 200);
        stopping.await.unwrap().expect("clean stop");
        assert!(reqwest::get(format!("{base}/healthz")).await.is_err(), "still listening after stop");
    });
}

/// Every request's work is bounded in time: pooled connections carry the statement timeout (a
/// slow query is cut off while readiness answers beside it), a client trickling its headers is
/// dropped, oversized conditions are refused before any query, and a stop with such a client
/// still connected ends within its grace period.
#[test]
fn slow_queries_and_slow_clients_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = tests::TestDb::new("api_deadlines");
    let mut config = tests::server::config(&db.url, true);
    (config.statement_timeout_ms, config.shutdown_grace_ms) = (300, 500);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let running = tests::server::start(&config).await.unwrap();
        let base = format!("http://{}", running.addr);
        let pool = running.pool.clone();
        let slow = tokio::spawn(async move { sqlx::query("SELECT pg_sleep(5)").execute(&pool).await });
        let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
        assert_eq!(ready.status(), 200, "readiness answers while a query runs");
        let cut = slow.await.unwrap().expect_err("the statement timeout cuts the query off");
        let code = cut.as_database_error().and_then(sqlx::error::DatabaseError::code).map(std::borrow::Cow::into_owned);
        assert_eq!(code.as_deref(), Some("57014"), "{cut}");

        let admin = tests::server::token("00000000-0000-0000-0000-000000000001", &["admin"]);
        let api = Api::at(&base, &db.url, Some(admin));
        // A pattern within the caps that costs PostgreSQL seconds over a large row (every start
        // of 4,000 a's, then a b that never comes): the statement timeout cuts it off with a 503,
        // and readiness answers meanwhile.
        sqlx::query(
            "INSERT INTO vbwd_tax_class (id, name, code, default_rate, is_default, description, created_at, updated_at, version) \
             VALUES (gen_random_uuid(), 'large', 'L', 19, false, repeat('a', 1000000), now(), now(), 0)",
        )
        .execute(&running.pool)
        .await
        .unwrap();
        let costly = format!("/api/v1/tax_classes?description=like.*{}b*", "a".repeat(4000));
        let (cut, ready) = tokio::join!(api.get(&costly), async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            reqwest::get(format!("{base}/readyz")).await.unwrap().status()
        });
        let cut = problem(&cut, 503, "a costly pattern past the statement timeout");
        assert!(cut["detail"].as_str().unwrap().contains("time limit"), "{cut}");
        assert_eq!(ready, 200, "readiness answers while the pattern runs");
        let pattern = format!("like.*{}*", "a".repeat(60 * 1024));
        let refused = problem(&api.get(&format!("/api/v1/countries?name={pattern}")).await, 400, "a 60 KB pattern");
        assert!(refused["detail"].as_str().unwrap().contains("4096 characters"), "{refused}");
        let many: Vec<String> = (0..40).map(|i| format!("code=neq.X{i}")).collect();
        let refused = problem(&api.get(&format!("/api/v1/countries?{}", many.join("&"))).await, 400, "40 conditions");
        assert!(refused["detail"].as_str().unwrap().contains("at most 32 conditions per field"), "{refused}");

        // One header byte a second: the connection is closed once the header deadline passes.
        let mut trickle = tokio::net::TcpStream::connect(running.addr).await.unwrap();
        let started = std::time::Instant::now();
        let dropped = async {
            for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".iter().cycle() {
                if trickle.write_all(&[*byte]).await.is_err() {
                    break;
                }
                let mut buf = [0u8; 512];
                // Anything read (the close, or an error) ends it; a second of silence sends on.
                if tokio::time::timeout(std::time::Duration::from_secs(1), trickle.read(&mut buf)).await.is_ok() {
                    break;
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(30), dropped).await.expect("dropped within 30 s");
        assert!(started.elapsed() >= std::time::Duration::from_secs(5), "not dropped before the deadline");

        let mut idle = tokio::net::TcpStream::connect(running.addr).await.unwrap();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost").await.unwrap();
        let stopping = std::time::Instant::now();
        running.stop().await.expect("a clean stop");
        assert!(stopping.elapsed() < std::time::Duration::from_secs(3), "stopped within its grace period");
    });
}

/// A URL or a head longer than HTTP reads is refused before any handler runs, yet as every other
/// error is: problem+json, as the document says (414 on lists, 431 on every operation).
#[test]
fn heads_too_long_to_read_are_problems_too() {
    with_server("api_heads", |api| async move {
        let address = api.base.trim_start_matches("http://").to_string();
        // The whole request is sent before the answer is read, as a client does.
        let answer = |head: String| {
            let address = address.clone();
            async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
                stream.write_all(head.as_bytes()).await.unwrap();
                let mut reply = Vec::new();
                stream.read_to_end(&mut reply).await.unwrap();
                String::from_utf8(reply).unwrap()
            }
        };
        let long = format!("GET /api/v1/countries?name=eq.{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
        let huge = format!("GET /api/v1/countries HTTP/1.1\r\nHost: x\r\nX-Huge: {}\r\n\r\n", "h".repeat(500_000));
        for (head, status) in [(long, 414), (huge, 431)] {
            let reply = answer(head).await;
            assert!(reply.starts_with(&format!("HTTP/1.1 {status} ")), "{status}: {}", &reply[..reply.len().min(300)]);
            assert!(reply.contains("content-type: application/problem+json\r\n"), "{reply}");
            let body: Value = serde_json::from_str(reply.split("\r\n\r\n").nth(1).unwrap()).unwrap();
            assert_eq!(body["status"], json!(status), "{reply}");
        }
        assert_eq!(api.get("/api/v1/countries").await.status, 200, "and the server goes on");
    });
}

#[test]
fn server_and_document_agree_on_list_limits() {
    assert_eq!(runtime::server::DEFAULT_LIMIT, api::DEFAULT_LIMIT, "the default limit the document promises");
    assert_eq!(runtime::repo::MAX_LIMIT, api::MAX_LIMIT, "the cap the document promises");
}

/// jsonb values come back as PostgreSQL holds them: numbers of any size and precision (compared as
/// jsonb, which compares numbers by value), unicode of every plane, deep nesting, and JSON `null`
/// in a NOT NULL column. A value PostgreSQL refuses (NUL) is a 422 that writes nothing.
#[test]
fn json_values_round_trip_exactly() {
    use sqlx::Connection;
    with_server("api_json", |api| async move {
        let nested = (0..100).fold("\"bottom\"".to_string(), |inner, _| format!("[{inner}]"));
        let config = format!(
            r#"{{"huge": 1e400, "max": -1.7976931348623155e+308, "tiny": 2.2250738585e-313, "long": 123456789012345678901234567890.000000000000000000001,
                "big_int": 340282366920938463463374607431768211457, "zero": -0, "tenth": 0.1,
                "text": ["😀", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u202eRTL", "e\u0301", "\t\n\"\\", "\ud83d\ude00"], "deep": {nested}, "null": null}}"#
        );
        let body = format!(r#"{{"name": "JSON", "slug": "json", "config": {config}}}"#);
        let created = api.raw("POST", "/api/v1/add_ons", Some(body.into_bytes()), &[]).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let path = format!("/api/v1/add_ons/{}", created.json["id"].as_str().unwrap());
        let read = api.get(&path).await;
        let mut db = sqlx::PgConnection::connect(&api.db_url).await.unwrap();
        let same = |returned: String| {
            let config = config.clone();
            sqlx::query_scalar::<_, bool>("SELECT $1::jsonb = $2::jsonb").bind(config).bind(returned)
        };
        let returned = serde_json::to_string(&read.json["config"]).unwrap();
        assert!(same(returned.clone()).fetch_one(&mut db).await.unwrap(), "sent {config}\nread {returned}");
        assert!(returned.contains(&"0".repeat(400)), "1e400 kept every digit: {returned}");
        assert!(returned.contains("340282366920938463463374607431768211457"), "an integer past u128: {returned}");

        let nulled = api.patch(&path, &json!({ "config": null })).await;
        assert_eq!((nulled.status, &nulled.json["config"]), (200, &Value::Null), "JSON null in a NOT NULL column");
        let stored: Option<String> = sqlx::query_scalar("SELECT config::text FROM vbwd_addon WHERE slug = 'json'")
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(stored.as_deref(), Some("null"), "stored as JSON null, not SQL NULL");

        let nul = api.patch(&path, &json!({ "config": { "a\u{0}": 1 } })).await;
        problem(&nul, 422, "NUL in a jsonb key");
        assert_eq!(api.get(&path).await.json["config"], Value::Null, "the refused write changed nothing");
        assert_match_openapi(&api.exchanges());
    });
}
