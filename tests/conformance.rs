//! The API against an independent property-based tester: schemathesis (pinned in
//! `tests/tools/schemathesis.txt`) runs every check in all four phases (examples, coverage,
//! fuzzing, stateful via the document's links) against the real server and the `/openapi.json`
//! it serves, as an admin, as an ordinary registered user and anonymously. Any failure or server
//! error fails the test with schemathesis's own report (each failure with a curl line).
//!
//! Seeded and time-boxed; `CONFORMANCE_SEED=N` and `CONFORMANCE_SECONDS=S` (seconds per caller,
//! default 70/40/25) run it with another seed, or longer.

use serde_json::json;
use tests::conformance::{schemathesis, seconds};
use tests::server::with_server;

#[test]
fn an_independent_property_based_tester_finds_nothing() {
    with_server("conformance", |api| async move {
        // An ordinary user, registered as anyone would.
        let anonymous = api.with_token(None);
        let account = json!({ "email": "conformance@example.com", "password": "a long enough password" });
        let registered = anonymous.post("/api/v1/auth/register", &account).await;
        assert_eq!(registered.status, 201, "register: {}", registered.text);
        let user_token = registered.json["access_token"].as_str().expect("a token").to_string();
        let admin_token = tests::server::token(&uuid::Uuid::new_v4().to_string(), &["admin"]);

        schemathesis(&api.base, "admin", Some(&admin_token), seconds(70));
        schemathesis(&api.base, "an ordinary user", Some(&user_token), seconds(40));
        schemathesis(&api.base, "anonymous", None, seconds(25));
    });
}
