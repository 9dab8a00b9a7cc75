use homeward_core::access::Role;
use homeward_demo::{Scale, Seeded};
use homeward_server::{App, router};
use homeward_store::Store;
use homeward_store::testkit::{self, TestStore};

/// A running server over a freshly seeded store.
pub struct Running {
    pub base: String,
    pub seeded: Seeded,
    pub store: Store,
    pub backend: &'static str,
    _store: TestStore,
    _server: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn token(&self, party: &str, role: Role) -> String {
        self.seeded.token(party, role).unwrap().to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

pub const T0: i64 = 1_748_822_400_000;

async fn start(t: TestStore, backend: &'static str) -> Running {
    start_signing(t, backend, None).await
}

/// A running server over a freshly seeded store that signs with `key` when given one (as
/// `homeward serve --key` does).
pub async fn start_signing(
    t: TestStore,
    backend: &'static str,
    key: Option<homeward_ledger::keys::PartyKey>,
) -> Running {
    let seeded = homeward_demo::seed(&t.store, Scale(0.02), T0)
        .await
        .unwrap();
    let at_t0 = App::new(t.store.clone()).with_clock(std::sync::Arc::new(|| T0));
    homeward_demo::exchange::run_exchange(&at_t0, &seeded, 8)
        .await
        .unwrap();
    let store = t.store.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = serve(&t.store, key, listener);
    Running {
        base,
        seeded,
        store,
        backend,
        _store: t,
        _server: server,
    }
}

/// Serves `store` on `listener` as `homeward serve` does, signing with `key` when given.
fn serve(
    store: &Store,
    key: Option<homeward_ledger::keys::PartyKey>,
    listener: tokio::net::TcpListener,
) -> tokio::task::JoinHandle<()> {
    let state = App::new(store.clone()).with_hash_cost(homeward_app::HashCost::Test);
    let app = router(match key {
        Some(key) => state.with_key(key),
        None => state,
    });
    tokio::spawn(async move {
        // As `homeward serve` does: sign-in counts failures by the peer's address.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    })
}

impl Running {
    /// Stops serving (the store stays, as a stopped process leaves its file).
    pub fn stop(&mut self) {
        self._server.abort();
    }

    /// Serves the store again on the same address, as a restarted process would.
    pub async fn resume(&mut self, key: Option<homeward_ledger::keys::PartyKey>) {
        let addr = self.base.trim_start_matches("http://").to_owned();
        // The stopped server's task lets go of the address when it is next polled: wait for
        // that, a bounded number of times.
        let mut listener = None;
        for _ in 0..100 {
            match tokio::net::TcpListener::bind(&addr).await {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
        let listener = listener.unwrap_or_else(|| panic!("{addr} still taken after 2 s"));
        self._server = serve(&self.store, key, listener);
    }
}

/// Runs `f` against a seeded server on each available database.
pub async fn each_backend(test: &str, f: impl AsyncFn(&Running)) {
    let lite = start(testkit::sqlite().await.unwrap(), "sqlite").await;
    f(&lite).await;
    if let Some(pg) = testkit::postgres(test).await.unwrap() {
        let pg = start(pg, "postgres").await;
        f(&pg).await;
    }
}

/// An HTTP client that never follows redirects (tests look at them) and keeps no cookies.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Uploads `bytes` as a list of `party`'s (`kind`, category pow unless `extra` says
/// otherwise, with the other form fields in `extra`); returns the import report.
pub async fn upload_as(
    r: &Running,
    party: &str,
    bytes: Vec<u8>,
    name: &str,
    kind: &str,
    extra: &[(&str, &str)],
) -> serde_json::Value {
    let mut form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        )
        .text("kind", kind.to_owned());
    if !extra.iter().any(|(k, _)| *k == "category") {
        form = form.text("category", "pow");
    }
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    let resp = client()
        .post(r.url("/api/v1/lists"))
        .bearer_auth(r.token(party, Role::Operator))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let report: serde_json::Value = resp.json().await.unwrap();
    assert!(report["list"].is_i64(), "{report}");
    report
}

/// Two pairs waiting for a reviewer: a request list of UA's against a holding list RU
/// gave, reconciled. Their links' ids.
pub async fn pairs_to_review(r: &Running) -> Vec<i64> {
    let request = upload_as(
        r,
        "UA",
        "прізвище,ім'я,по батькові,дата народження\nГнатюк,Остап,Богданович,03.03.1997\nЛевчук,Марко,Ігорович,11.11.1991\n".as_bytes().to_vec(),
        "asked.csv",
        "request",
        &[],
    )
    .await;
    let holding = upload_as(
        r,
        "UA",
        "ФИО,дата рождения\nГнатюк Остап Богданович,03.03.1997\nЛевчук Марко Игоревич,11.11.1991\n"
            .as_bytes()
            .to_vec(),
        "held.csv",
        "holding",
        &[("from", "RU")],
    )
    .await;
    let reviewer = r.token("UA", Role::Reviewer);
    let reconciled = client()
        .post(r.url("/api/v1/reconcile"))
        .bearer_auth(&reviewer)
        .json(&serde_json::json!({"request": request["list"], "holding": holding["list"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(reconciled.status(), reqwest::StatusCode::OK);
    let queue: serde_json::Value = client()
        .get(r.url("/api/v1/links?decision=candidate"))
        .bearer_auth(&reviewer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    queue
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect()
}

/// A browserless page session: the cookie the sign-in form set and the session's
/// anti-forgery token, which every form of its pages carries.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl Session {
    /// Signs `party`'s `role` in through the sign-in form, as a browser would.
    pub async fn open(r: &Running, party: &str, role: Role) -> Session {
        let c = client();
        let resp = c
            .post(r.url("/login"))
            .form(&[("token", r.token(party, role))])
            .send()
            .await
            .unwrap();
        let cookie = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("homeward_session="))
            .unwrap_or_else(|| panic!("{party} {role:?}: no session cookie"))
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let start = c
            .get(r.url("/"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = start
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap_or_else(|| panic!("no form on the start page: {start}"))
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        Session { cookie, csrf }
    }

    /// A page in `lang` (an `Accept-Language`): its status and text.
    pub async fn page(&self, r: &Running, path: &str, lang: &str) -> (reqwest::StatusCode, String) {
        let resp = client()
            .get(r.url(path))
            .header("cookie", &self.cookie)
            .header("accept-language", lang)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    }

    /// Posts a page's form (its anti-forgery token added) in `lang`, following a redirect
    /// once as a browser would: the final status, where it landed and its text.
    pub async fn post(
        &self,
        r: &Running,
        path: &str,
        fields: &[(&str, &str)],
        lang: &str,
    ) -> (reqwest::StatusCode, String, String) {
        let mut form = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let resp = client()
            .post(r.url(path))
            .header("cookie", &self.cookie)
            .header("accept-language", lang)
            .form(&form)
            .send()
            .await
            .unwrap();
        match resp.headers().get("location").and_then(|l| l.to_str().ok()) {
            Some(to) if resp.status().is_redirection() => {
                let to = to.to_owned();
                let (status, text) = self.page(r, &to, lang).await;
                (status, to, text)
            }
            _ => (resp.status(), path.to_owned(), resp.text().await.unwrap()),
        }
    }
}
