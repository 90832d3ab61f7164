//! The generated repositories against a live PostgreSQL (fresh database, migrations applied):
//! CRUD, optimistic locking under concurrency, error mapping, and exact round trips.

use generated::*;
use runtime::repo::RepoError;
use serde_json::json;
use sqlx::{Connection, PgConnection};
use tests::{block_on, xtask, TestDb};

fn migrated(label: &str) -> TestDb {
    let db = TestDb::new(label);
    let run = xtask(&["migrate", "--database-url", &db.url]);
    assert_eq!(run.code, 0, "{run:?}");
    db
}

async fn connect(db: &TestDb) -> PgConnection {
    PgConnection::connect(&db.url).await.expect("connect")
}

/// Inputs are plain JSON, exactly as an API client would send them.
fn input<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("valid input")
}

async fn new_user(conn: &mut PgConnection, email: &str) -> User {
    User::insert(conn, input(json!({ "email": email, "password_hash": "$2b$12$hash" }))).await.expect("insert user")
}

#[test]
fn user_crud_with_app_side_defaults() {
    let db = migrated("repo_crud");
    block_on(async {
        let mut conn = connect(&db).await;
        let user = new_user(&mut conn, "a@example.com").await;
        assert_eq!(
            (user.status, user.role, user.has_used_trial, user.version),
            (UserStatus::Pending, UserRole::User, false, 0)
        );
        assert_eq!(user.created_at, user.updated_at);
        assert_eq!(User::get(&mut conn, user.id).await.unwrap(), user);
        assert_eq!(User::get_by_email(&mut conn, "a@example.com").await.unwrap(), user);

        let patch: UserPatch = input(json!({ "status": "ACTIVE", "payment_customer_id": "cus_1" }));
        let updated = User::update(&mut conn, user.id, 0, patch).await.unwrap();
        assert_eq!((updated.status, updated.version), (UserStatus::Active, 1));
        assert_eq!(updated.payment_customer_id.as_deref(), Some("cus_1"));
        assert!(updated.updated_at >= user.updated_at);
        assert_eq!(updated.email, user.email, "fields absent from the patch stay");

        let clear: UserPatch = input(json!({ "payment_customer_id": null }));
        let cleared = User::update(&mut conn, user.id, 1, clear).await.unwrap();
        assert_eq!((cleared.payment_customer_id, cleared.version), (None, 2));

        User::delete(&mut conn, user.id).await.unwrap();
        assert!(matches!(User::get(&mut conn, user.id).await, Err(RepoError::NotFound)));
        assert!(matches!(User::delete(&mut conn, user.id).await, Err(RepoError::NotFound)));
    });
}

#[test]
fn stale_version_is_a_conflict_and_the_row_is_untouched() {
    let db = migrated("repo_stale");
    block_on(async {
        let mut conn = connect(&db).await;
        let user = new_user(&mut conn, "stale@example.com").await;
        let patch: UserPatch = input(json!({ "status": "SUSPENDED" }));
        match User::update(&mut conn, user.id, 7, patch.clone()).await {
            Err(RepoError::VersionConflict { expected: 7, actual: 0 }) => {}
            other => panic!("expected a version conflict, got {other:?}"),
        }
        assert_eq!(User::get(&mut conn, user.id).await.unwrap(), user);
        assert!(matches!(User::update(&mut conn, uuid::Uuid::new_v4(), 0, patch).await, Err(RepoError::NotFound)));
    });
}

#[test]
fn concurrent_updates_with_the_same_version_let_exactly_one_win() {
    let db = migrated("repo_concurrent");
    block_on(async {
        let mut conn = connect(&db).await;
        let user = new_user(&mut conn, "race@example.com").await;
        let attempts = (0..8).map(|i| {
            let url = db.url.clone();
            async move {
                let mut conn = PgConnection::connect(&url).await.expect("connect");
                let patch: UserPatch = input(json!({ "payment_customer_id": format!("cus_{i}") }));
                User::update(&mut conn, user.id, 0, patch).await
            }
        });
        let mut handles = Vec::new();
        for attempt in attempts {
            handles.push(tokio::spawn(attempt));
        }
        let mut wins = 0;
        let mut conflicts = 0;
        for handle in handles {
            match handle.await.unwrap() {
                Ok(_) => wins += 1,
                Err(RepoError::VersionConflict { expected: 0, actual: 1 }) => conflicts += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((wins, conflicts), (1, 7));
        assert_eq!(User::get(&mut conn, user.id).await.unwrap().version, 1, "the version moves by exactly one");
    });
}

#[test]
fn duplicate_email_is_a_unique_violation_naming_the_field() {
    let db = migrated("repo_unique");
    block_on(async {
        let mut conn = connect(&db).await;
        new_user(&mut conn, "dup@example.com").await;
        let again = User::insert(&mut conn, input(json!({ "email": "dup@example.com", "password_hash": "x" }))).await;
        match again {
            Err(RepoError::UniqueViolation { constraint, field }) => {
                assert_eq!(constraint, "ix_vbwd_user_email");
                assert_eq!(field.as_deref(), Some("email"));
            }
            other => panic!("expected a unique violation, got {other:?}"),
        }
    });
}

#[test]
fn missing_parent_is_a_foreign_key_violation_naming_the_field() {
    let db = migrated("repo_fk");
    block_on(async {
        let mut conn = connect(&db).await;
        let orphan = UserDetails::insert(&mut conn, input(json!({ "user_id": uuid::Uuid::new_v4() }))).await;
        match orphan {
            Err(RepoError::ForeignKeyViolation { constraint, field }) => {
                assert_eq!(constraint, "vbwd_user_details_user_id_fkey");
                assert_eq!(field.as_deref(), Some("user_id"));
            }
            other => panic!("expected a foreign key violation, got {other:?}"),
        }
    });
}

#[test]
fn user_roles_link_unlink_and_list() {
    let db = migrated("repo_links");
    block_on(async {
        let mut conn = connect(&db).await;
        let user = new_user(&mut conn, "linked@example.com").await;
        let admin = Role::insert(&mut conn, input(json!({ "name": "Admin", "slug": "admin" }))).await.unwrap();
        let editor = Role::insert(&mut conn, input(json!({ "name": "Editor", "slug": "editor" }))).await.unwrap();
        assert!(UserRoles::link(&mut conn, user.id, admin.id).await.unwrap());
        assert!(!UserRoles::link(&mut conn, user.id, admin.id).await.unwrap(), "linking twice adds nothing");
        assert!(UserRoles::link(&mut conn, user.id, editor.id).await.unwrap());
        let mut expected = vec![admin.id, editor.id];
        expected.sort();
        assert_eq!(UserRoles::roles_for_user(&mut conn, user.id).await.unwrap(), expected);
        assert_eq!(UserRoles::users_for_role(&mut conn, admin.id).await.unwrap(), vec![user.id]);
        UserRoles::unlink(&mut conn, user.id, admin.id).await.unwrap();
        assert_eq!(UserRoles::roles_for_user(&mut conn, user.id).await.unwrap(), vec![editor.id]);
        assert!(matches!(UserRoles::unlink(&mut conn, user.id, admin.id).await, Err(RepoError::NotFound)));
        let missing = UserRoles::link(&mut conn, user.id, uuid::Uuid::new_v4()).await;
        assert!(matches!(missing, Err(RepoError::ForeignKeyViolation { .. })), "{missing:?}");
    });
}

#[test]
fn decimals_json_jsonb_and_enums_round_trip_exactly() {
    let db = migrated("repo_round_trip");
    block_on(async {
        let mut conn = connect(&db).await;
        let eur = Currency::insert(
            &mut conn,
            input(json!({ "code": "EUR", "name": "Euro", "symbol": "€", "exchange_rate": "1.234567" })),
        )
        .await
        .unwrap();
        assert_eq!(eur.exchange_rate.to_string(), "1.234567");
        let fetched = Currency::get(&mut conn, eur.id).await.unwrap();
        assert_eq!(fetched.exchange_rate, "1.234567".parse::<rust_decimal::Decimal>().unwrap());

        let card = PaymentMethod::insert(
            &mut conn,
            input(json!({
                "code": "card", "name": "Card", "fee_amount": "0.0125",
                "currencies": ["EUR", "USD"], "config": { "capture": true, "nested": { "n": 1.5 } }
            })),
        )
        .await
        .unwrap();
        let card = PaymentMethod::get(&mut conn, card.id).await.unwrap();
        assert_eq!(card.fee_amount.map(|d| d.to_string()).as_deref(), Some("0.0125"));
        assert_eq!(card.currencies, json!(["EUR", "USD"]), "json column");
        assert_eq!(card.countries, json!([]), "app-side default for a json column");
        assert_eq!(card.config, json!({ "capture": true, "nested": { "n": 1.5 } }));
        assert_eq!((card.fee_type.as_str(), card.fee_charged_to.as_str()), ("none", "customer"));

        let user = new_user(&mut conn, "json@example.com").await;
        let details =
            UserDetails::insert(&mut conn, input(json!({ "user_id": user.id, "config": { "theme": "dark" } })))
                .await
                .unwrap();
        assert_eq!(details.config, Some(json!({ "theme": "dark" })), "jsonb column");
        assert_eq!(details.balance, rust_decimal::Decimal::ZERO, "app-side decimal default applied");

        let plan = TarifPlan::insert(
            &mut conn,
            input(json!({ "name": "Pro", "slug": "pro", "price_float": 9.99, "billing_period": "ONE_TIME" })),
        )
        .await
        .unwrap();
        assert_eq!(TarifPlan::get(&mut conn, plan.id).await.unwrap().billing_period, BillingPeriod::OneTime);
    });
}

#[test]
fn secrets_are_never_serialized() {
    let db = migrated("repo_secrets");
    block_on(async {
        let mut conn = connect(&db).await;
        let user = new_user(&mut conn, "secret@example.com").await;
        let body = serde_json::to_value(&user).unwrap();
        assert!(body.get("password_hash").is_none(), "{body}");
        assert_eq!(body["email"], "secret@example.com");
        let token = PasswordResetToken::insert(
            &mut conn,
            input(json!({ "user_id": user.id, "token": "t0k3n", "expires_at": "2030-01-01T00:00:00" })),
        )
        .await
        .unwrap();
        let body = serde_json::to_value(&token).unwrap();
        assert!(body.get("token").is_none(), "{body}");
    });
}
