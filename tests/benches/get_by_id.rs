//! Generated `User::get` against the same query written by hand with sqlx, on one connection,
//! same database, same run (alternating rounds so drift in the machine hits both equally).
//! `cargo bench -p tests --bench get_by_id` (uses DATABASE_URL or a throwaway cluster).

use generated::{User, UserStatus};
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant};
use tests::{block_on, xtask, TestDb};

const ROWS: usize = 1000;
const ROUNDS: usize = 10;
const PER_ROUND: usize = 5000;

const HAND_WRITTEN: &str = "SELECT email, password_hash, status, role, payment_customer_id, has_used_trial, id, \
                            created_at, updated_at, version FROM vbwd_user WHERE id = $1";

fn main() {
    let db = TestDb::new("bench_get_by_id");
    assert_eq!(xtask(&["migrate", "--database-url", &db.url]).code, 0);
    block_on(async {
        let mut conn = PgConnection::connect(&db.url).await.unwrap();
        let mut ids = Vec::with_capacity(ROWS);
        for i in 0..ROWS {
            let new = serde_json::from_value(
                serde_json::json!({ "email": format!("u{i}@example.com"), "password_hash": "h" }),
            )
            .unwrap();
            ids.push(User::insert(&mut conn, new).await.unwrap().id);
        }
        let (mut generated, mut hand) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..ROUNDS {
            let start = Instant::now();
            for i in 0..PER_ROUND {
                let user = User::get(&mut conn, ids[i % ROWS]).await.unwrap();
                assert_eq!(user.status, UserStatus::Pending);
            }
            generated += start.elapsed();
            let start = Instant::now();
            for i in 0..PER_ROUND {
                let user: User = sqlx::query_as(HAND_WRITTEN).bind(ids[i % ROWS]).fetch_one(&mut conn).await.unwrap();
                assert_eq!(user.status, UserStatus::Pending);
            }
            hand += start.elapsed();
        }
        let total = (ROUNDS * PER_ROUND) as f64;
        let (g, h) = (total / generated.as_secs_f64(), total / hand.as_secs_f64());
        println!("get by id, {} calls each, one connection:", ROUNDS * PER_ROUND);
        println!("  generated User::get   {g:>9.0} ops/s");
        println!("  hand-written sqlx     {h:>9.0} ops/s");
        println!("  ratio                 {:>9.1} %", 100.0 * g / h);
    });
}
