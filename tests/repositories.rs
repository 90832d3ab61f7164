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

#[test]
fn list_filters_orders_and_pages_with_bound_values() {
    use runtime::repo::{Cmp, ListQuery};
    let db = migrated("repo_list");
    block_on(async {
        let mut conn = connect(&db).await;
        for (i, (slug, period, active)) in [
            ("a", "MONTHLY", true),
            ("b", "YEARLY", true),
            ("c", "MONTHLY", false),
            ("d", "WEEKLY", true),
            ("e", "MONTHLY", true),
        ]
        .into_iter()
        .enumerate()
        {
            let plan = json!({ "name": format!("Plan {slug}"), "slug": slug, "price_float": i as f64 * 10.0,
                               "billing_period": period, "is_active": active, "sort_order": i });
            TarifPlan::insert(&mut conn, input(plan)).await.unwrap();
        }
        let slugs = |plans: Vec<TarifPlan>| plans.into_iter().map(|p| p.slug).collect::<Vec<_>>();
        let query = ListQuery {
            filters: vec![
                TarifPlanFilter::IsActive(Cmp::Eq(true)),
                TarifPlanFilter::BillingPeriod(Cmp::In(vec![BillingPeriod::Monthly, BillingPeriod::Weekly])),
            ],
            order: vec![(TarifPlanField::SortOrder, true)],
            ..ListQuery::default()
        };
        assert_eq!(slugs(TarifPlan::list(&mut conn, query).await.unwrap()), ["e", "d", "a"]);
        let page = ListQuery {
            order: vec![(TarifPlanField::PriceFloat, false)],
            filters: vec![TarifPlanFilter::PriceFloat(Cmp::Gte(10.0))],
            limit: 2,
            offset: 1,
            ..ListQuery::default()
        };
        assert_eq!(slugs(TarifPlan::list(&mut conn, page).await.unwrap()), ["c", "d"]);
        let hostile = ListQuery {
            filters: vec![TarifPlanFilter::Name(Cmp::ILike("plan%' OR '1'='1".into()))],
            ..ListQuery::default()
        };
        assert!(TarifPlan::list(&mut conn, hostile).await.unwrap().is_empty(), "values are bound, not spliced");
        let nulls = ListQuery { filters: vec![TarifPlanFilter::PriceId(Cmp::IsNull)], ..ListQuery::default() };
        assert_eq!(TarifPlan::list(&mut conn, nulls).await.unwrap().len(), 5);
        assert_eq!(TarifPlanField::from_name("slug"), Some(TarifPlanField::Slug));
        assert_eq!(UserField::from_name("password_hash"), None, "secret fields are not listable");
    });
}

/// Insert, get, list, update (version +1) for one entity; returns the updated row.
macro_rules! crud {
    ($conn:expr, $entity:ty, $new:expr, $patch:expr) => {{
        let row = <$entity>::insert($conn, input($new))
            .await
            .unwrap_or_else(|e| panic!("{}: insert: {e}", stringify!($entity)));
        assert_eq!(<$entity>::get($conn, row.id).await.unwrap(), row, "{}: get", stringify!($entity));
        let listed = <$entity>::list($conn, runtime::repo::ListQuery::default()).await.unwrap();
        assert!(listed.contains(&row), "{}: list", stringify!($entity));
        let updated = <$entity>::update($conn, row.id, row.version, input($patch))
            .await
            .unwrap_or_else(|e| panic!("{}: update: {e}", stringify!($entity)));
        assert_eq!(updated.version, row.version + 1, "{}: version", stringify!($entity));
        assert_ne!(updated, row, "{}: the patch changed nothing", stringify!($entity));
        updated
    }};
}

#[test]
fn every_entity_and_link_round_trips_through_its_repository() {
    let db = migrated("repo_every_entity");
    block_on(async {
        let c = &mut connect(&db).await;
        let currency =
            crud!(c, Currency, json!({"code": "EUR", "name": "Euro", "symbol": "€"}), json!({"symbol": "EUR"}));
        let country = crud!(c, Country, json!({"code": "DE", "name": "Germany"}), json!({"is_enabled": true}));
        let tax_class =
            crud!(c, TaxClass, json!({"name": "Standard", "code": "std"}), json!({"default_rate": "19.00"}));
        let tax = crud!(
            c,
            Tax,
            json!({"name": "VAT", "code": "vat", "rate": "19.00", "tax_class_id": tax_class.id}),
            json!({"rate": "7.00"})
        );
        let tax_rate = crud!(
            c,
            TaxRate,
            json!({"tax_id": tax.id, "rate": "16.00", "valid_from": "2020-07-01"}),
            json!({"valid_to": "2020-12-31"})
        );
        let price = crud!(
            c,
            Price,
            json!({"price_float": 9.99, "price_decimal": "9.99", "currency_id": currency.id, "gross_amount": "9.99", "net_amount": "8.39"}),
            json!({"description": "promo"})
        );
        let plan = crud!(
            c,
            TarifPlan,
            json!({"name": "Pro", "slug": "pro", "price_float": 9.99, "billing_period": "MONTHLY", "price_id": price.id}),
            json!({"trial_days": 14})
        );
        let category =
            crud!(c, TarifPlanCategory, json!({"name": "Main", "slug": "main"}), json!({"is_single": false}));
        let user =
            crud!(c, User, json!({"email": "all@example.com", "password_hash": "h"}), json!({"status": "ACTIVE"}));
        let details = crud!(c, UserDetails, json!({"user_id": user.id}), json!({"city": "Berlin"}));
        let case = crud!(c, UserCase, json!({"user_id": user.id}), json!({"status": "ACTIVE"}));
        let token = crud!(
            c,
            PasswordResetToken,
            json!({"user_id": user.id, "token": "tok", "expires_at": "2030-01-01T00:00:00"}),
            json!({"used_at": "2029-01-01T00:00:00"})
        );
        let role = crud!(c, Role, json!({"name": "Admin", "slug": "admin"}), json!({"is_system": true}));
        let permission = crud!(
            c,
            Permission,
            json!({"name": "users.read", "resource": "users", "action": "read"}),
            json!({"description": "Read users"})
        );
        let level =
            crud!(c, UserAccessLevel, json!({"name": "Gold", "slug": "gold"}), json!({"linked_plan_slug": "pro"}));
        let subscription = crud!(
            c,
            Subscription,
            json!({"user_id": user.id, "tarif_plan_id": plan.id}),
            json!({"status": "TRIALING"})
        );
        let addon = crud!(c, AddOn, json!({"name": "Extra", "slug": "extra"}), json!({"price": "4.50"}));
        let invoice = crud!(
            c,
            UserInvoice,
            json!({"user_id": user.id, "invoice_number": "INV-1", "amount": "9.99", "subscription_id": subscription.id}),
            json!({"status": "PAID"})
        );
        let addon_sub = crud!(
            c,
            AddOnSubscription,
            json!({"user_id": user.id, "addon_id": addon.id, "invoice_id": invoice.id}),
            json!({"status": "ACTIVE"})
        );
        let line = crud!(
            c,
            InvoiceLineItem,
            json!({"invoice_id": invoice.id, "item_type": "SUBSCRIPTION", "item_id": subscription.id, "description": "Pro", "unit_price": "9.99", "total_price": "9.99"}),
            json!({"quantity": 2})
        );
        let bundle = crud!(
            c,
            TokenBundle,
            json!({"name": "100 tokens", "token_amount": 100, "price": "5.00"}),
            json!({"is_active": false})
        );
        let purchase = crud!(
            c,
            TokenBundlePurchase,
            json!({"user_id": user.id, "bundle_id": bundle.id, "token_amount": 100, "price": "5.00"}),
            json!({"tokens_credited": true})
        );
        let balance = crud!(c, UserTokenBalance, json!({"user_id": user.id}), json!({"balance": 100}));
        let transaction = crud!(
            c,
            TokenTransaction,
            json!({"user_id": user.id, "amount": 100, "transaction_type": "PURCHASE"}),
            json!({"description": "bought"})
        );
        let usage = crud!(
            c,
            FeatureUsage,
            json!({"user_id": user.id, "feature_name": "export", "period_start": "2026-11-01T00:00:00"}),
            json!({"usage_count": 3})
        );
        let method = crud!(c, PaymentMethod, json!({"code": "card", "name": "Card"}), json!({"position": 1}));
        // The one entity without a version column: updates carry no version.
        let translation =
            PaymentMethodTranslation::insert(c, input(json!({"payment_method_id": method.id, "locale": "de"})))
                .await
                .unwrap();
        assert_eq!(PaymentMethodTranslation::get(c, translation.id).await.unwrap(), translation);
        let renamed =
            PaymentMethodTranslation::update(c, translation.id, input(json!({"name": "Karte"}))).await.unwrap();
        assert_eq!(renamed.name.as_deref(), Some("Karte"));

        assert!(UserRoles::link(c, user.id, role.id).await.unwrap());
        assert!(RolePermissions::link(c, role.id, permission.id).await.unwrap());
        assert!(UserAccessLevelPermissions::link(c, level.id, permission.id).await.unwrap());
        assert!(UserUserAccessLevels::link(c, user.id, level.id).await.unwrap());
        assert!(AddOnTarifPlans::link(c, addon.id, plan.id).await.unwrap());
        assert!(TarifPlanCategoryPlans::link(c, category.id, plan.id).await.unwrap());
        UserRoles::unlink(c, user.id, role.id).await.unwrap();
        RolePermissions::unlink(c, role.id, permission.id).await.unwrap();
        UserAccessLevelPermissions::unlink(c, level.id, permission.id).await.unwrap();
        UserUserAccessLevels::unlink(c, user.id, level.id).await.unwrap();

        // Children before parents (some foreign keys have no ON DELETE action).
        PaymentMethodTranslation::delete(c, renamed.id).await.unwrap();
        PaymentMethod::delete(c, method.id).await.unwrap();
        FeatureUsage::delete(c, usage.id).await.unwrap();
        TokenTransaction::delete(c, transaction.id).await.unwrap();
        UserTokenBalance::delete(c, balance.id).await.unwrap();
        TokenBundlePurchase::delete(c, purchase.id).await.unwrap();
        TokenBundle::delete(c, bundle.id).await.unwrap();
        InvoiceLineItem::delete(c, line.id).await.unwrap();
        AddOnSubscription::delete(c, addon_sub.id).await.unwrap();
        UserInvoice::delete(c, invoice.id).await.unwrap();
        AddOn::delete(c, addon.id).await.unwrap();
        Subscription::delete(c, subscription.id).await.unwrap();
        UserAccessLevel::delete(c, level.id).await.unwrap();
        Permission::delete(c, permission.id).await.unwrap();
        Role::delete(c, role.id).await.unwrap();
        PasswordResetToken::delete(c, token.id).await.unwrap();
        UserCase::delete(c, case.id).await.unwrap();
        UserDetails::delete(c, details.id).await.unwrap();
        User::delete(c, user.id).await.unwrap();
        TarifPlanCategory::delete(c, category.id).await.unwrap();
        TarifPlan::delete(c, plan.id).await.unwrap();
        Price::delete(c, price.id).await.unwrap();
        TaxRate::delete(c, tax_rate.id).await.unwrap();
        Tax::delete(c, tax.id).await.unwrap();
        TaxClass::delete(c, tax_class.id).await.unwrap();
        Country::delete(c, country.id).await.unwrap();
        Currency::delete(c, currency.id).await.unwrap();
        let tables: Vec<&str> =
            vec![User::TABLE, Currency::TABLE, TarifPlan::TABLE, PaymentMethod::TABLE, UserInvoice::TABLE, Tax::TABLE];
        let sql = tables.iter().map(|t| format!("(SELECT count(*) FROM {t})")).collect::<Vec<_>>().join(" + ");
        let left: i64 = sqlx::query_scalar(&format!("SELECT {sql}")).fetch_one(&mut *c).await.unwrap();
        assert_eq!(left, 0, "rows left after deleting everything");
        assert!(matches!(Currency::get(c, currency.id).await, Err(RepoError::NotFound)));
    });
}
