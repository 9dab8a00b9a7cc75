//! Sign-in: failures slow and then lock a user name and an address, in the store (so a lock
//! holds for another process on the same store), the same for a name nobody has; admins see
//! and lift locks. Time is moved with the application's clock, never waited for.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use homeward_app::{Acting, App, HashCost, LOCK_MS, SignIn, ThrottleScope, hash_password};
use homeward_core::Error;
use homeward_core::access::Role;
use homeward_core::party::{Party, PartyKind};
use homeward_store::testkit::{self, TestStore};
use homeward_store::{OpenMode, Store};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const T0: i64 = 1_748_822_400_000;

async fn each_backend(test: &str, f: impl AsyncFn(TestStore)) {
    f(testkit::sqlite().await.unwrap()).await;
    if let Some(pg) = testkit::postgres(test).await.unwrap() {
        f(pg).await;
    }
}

struct Setup {
    app: App,
    clock: Arc<AtomicI64>,
}

impl Setup {
    async fn new(store: Store) -> Setup {
        let clock = Arc::new(AtomicI64::new(T0));
        let read = clock.clone();
        let app = App::new(store)
            .with_clock(Arc::new(move || read.load(Ordering::SeqCst)))
            .with_hash_cost(HashCost::Test);
        Setup { app, clock }
    }
    fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }
    fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }
    async fn try_as(&self, user: &str, password: &str, from: &str) -> SignIn {
        self.app
            .sign_in(
                "",
                "ua",
                user,
                password,
                Some(from.parse::<IpAddr>().unwrap()),
            )
            .await
            .unwrap()
    }
    /// Fails as `user` until the lock, waiting out every pause; returns the outcomes.
    async fn fail_until_locked(&self, user: &str, from: &str) -> Vec<&'static str> {
        let mut seen = Vec::new();
        for _ in 0..100 {
            match self.try_as(user, "wrong password", from).await {
                SignIn::Failed => seen.push("failed"),
                SignIn::Wait {
                    until_ms,
                    locked: false,
                } => {
                    seen.push("wait");
                    assert!(until_ms > self.now());
                    self.advance(until_ms - self.now());
                }
                SignIn::Wait { locked: true, .. } => {
                    seen.push("locked");
                    return seen;
                }
                SignIn::Actor(_) => panic!("a wrong password signed in"),
            }
        }
        panic!("never locked: {seen:?}");
    }
}

fn local(code: &str) -> Acting<'static> {
    Acting::Local {
        party: code.parse().unwrap(),
        purpose: "test",
    }
}

async fn with_user(app: &App) {
    for (code, name) in [("UA", "Ukraine"), ("RU", "Russia")] {
        let party = Party {
            code: code.parse().unwrap(),
            name: name.into(),
            kind: PartyKind::Belligerent,
        };
        app.add_party(&local(code), &party).await.unwrap();
    }
    let hash = hash_password("correct horse battery", HashCost::Test).unwrap();
    app.create_user(&local("UA"), "olena", &[Role::Operator], Some(&hash))
        .await
        .unwrap();
}

#[tokio::test]
async fn failures_slow_then_lock_a_user_name_known_or_not_until_the_lock_ends() {
    each_backend("failures_slow_then_lock_a_user_name_known_or_not_until_the_lock_ends", async |t| {
        let s = Setup::new(t.store.clone()).await;
        with_user(&s.app).await;
        let from = "192.0.2.1";
        assert!(matches!(s.try_as("olena", "correct horse battery", from).await, SignIn::Actor(a) if a.user_name == "olena"));
        let known = s.fail_until_locked("olena", from).await;
        // Three free failures, then a pause before each attempt, locked by the tenth failure.
        assert_eq!(
            known,
            ["failed", "failed", "failed", "failed", "wait", "failed", "wait", "failed", "wait", "failed",
             "wait", "failed", "wait", "failed", "wait", "locked"]
        );
        // Locked: even the right password is refused, without a check, until the lock ends.
        let SignIn::Wait { until_ms, locked: true } = s.try_as("olena", "correct horse battery", from).await else {
            panic!("the lock did not hold");
        };
        assert_eq!(until_ms, s.now() + LOCK_MS);
        // Another process on the same store sees the same lock.
        let other = Setup::new(Store::open(&t.location, OpenMode::MustExist).await.unwrap()).await;
        other.advance(s.now() - T0);
        assert!(matches!(other.try_as("olena", "correct horse battery", "192.0.2.9").await, SignIn::Wait { locked: true, .. }));
        s.advance(LOCK_MS - 1);
        assert!(matches!(s.try_as("olena", "correct horse battery", from).await, SignIn::Wait { locked: true, .. }));
        s.advance(1);
        assert!(matches!(s.try_as("olena", "correct horse battery", from).await, SignIn::Actor(_)));
        // A success forgets the user name's failures (not the address's, which an attacker
        // with one account of their own could otherwise reset): three free ones again.
        for _ in 0..3 {
            assert!(matches!(s.try_as("olena", "wrong", "192.0.2.3").await, SignIn::Failed));
        }
        // A name nobody has is answered exactly as a known one.
        let unknown = s.fail_until_locked("nobody", "192.0.2.2").await;
        assert_eq!(unknown, known, "an unknown name must not be told apart");
    })
    .await;
}

#[tokio::test]
async fn an_address_is_locked_after_many_failures_and_an_admin_sees_and_lifts_locks() {
    each_backend("an_address_is_locked_after_many_failures_and_an_admin_sees_and_lifts_locks", async |t| {
        let s = Setup::new(t.store.clone()).await;
        with_user(&s.app).await;
        let from = "198.51.100.7";
        // Many names, one failure each: only the address's count grows.
        let mut outcomes = Vec::new();
        for i in 0..200 {
            match s.try_as(&format!("guess{i}"), "wrong", from).await {
                SignIn::Failed => outcomes.push("failed"),
                SignIn::Wait { until_ms, locked: false } => {
                    outcomes.push("wait");
                    s.advance(until_ms - s.now());
                }
                SignIn::Wait { locked: true, .. } => {
                    outcomes.push("locked");
                    break;
                }
                SignIn::Actor(_) => panic!("signed in"),
            }
        }
        assert_eq!(outcomes.iter().filter(|o| **o != "wait").count(), 50, "{outcomes:?}");
        assert_eq!(outcomes.last(), Some(&"locked"));
        assert!(outcomes[..10].iter().all(|o| *o == "failed"), "ten free failures: {outcomes:?}");
        // The right password of a real user is refused from that address, not from another.
        assert!(matches!(s.try_as("olena", "correct horse battery", from).await, SignIn::Wait { locked: true, .. }));
        assert!(matches!(s.try_as("olena", "correct horse battery", "198.51.100.8").await, SignIn::Actor(_)));
        // A token sign-in from the locked address is refused too.
        let token = s.app.create_token(&local("UA"), "olena", Role::Operator).await.unwrap();
        assert!(matches!(
            s.app.sign_in(&token, "", "", "", Some(from.parse().unwrap())).await.unwrap(),
            SignIn::Wait { locked: true, .. }
        ));
        // A locked user name too, to list.
        s.fail_until_locked("olena", "203.0.113.5").await;
        let locks = s.app.sign_in_locks(&local("UA")).await.unwrap();
        let listed: Vec<(ThrottleScope, &str)> = locks.iter().map(|l| (l.scope, l.subject.as_str())).collect();
        assert_eq!(listed.len(), 2, "{locks:?}");
        assert!(listed.contains(&(ThrottleScope::Address, from)) && listed.contains(&(ThrottleScope::User, "UA/olena")), "{locks:?}");
        assert!(locks.iter().all(|l| l.locked_until > s.now()));
        // RU's admin sees the address, not UA's user, and cannot lift UA's user's lock.
        let ru = s.app.sign_in_locks(&local("RU")).await.unwrap();
        assert_eq!(ru.iter().map(|l| l.scope).collect::<Vec<_>>(), vec![ThrottleScope::Address]);
        assert!(matches!(s.app.lift_sign_in_lock(&local("RU"), ThrottleScope::User, "olena").await, Err(Error::NotFound(_))));
        // Lifted: the address and the user sign in at once; lifting again is not found.
        s.app.lift_sign_in_lock(&local("UA"), ThrottleScope::Address, from).await.unwrap();
        s.app.lift_sign_in_lock(&local("UA"), ThrottleScope::User, "olena").await.unwrap();
        assert!(matches!(s.try_as("olena", "correct horse battery", from).await, SignIn::Actor(_)));
        assert!(matches!(s.app.lift_sign_in_lock(&local("UA"), ThrottleScope::Address, from).await, Err(Error::NotFound(_))));
        assert!(matches!(
            s.app.lift_sign_in_lock(&local("UA"), ThrottleScope::Address, "not an address").await,
            Err(Error::Invalid { field, .. }) if field == "address"
        ));
        assert!(s.app.sign_in_locks(&local("UA")).await.unwrap().is_empty());
        // Each lift is an event.
        assert_eq!(t.store.verify_log().await.unwrap().first_break, None);
    })
    .await;
}
