//! The web pages in a real headless Chromium, driven through chromedriver's WebDriver
//! protocol on loopback. Skipped, loudly, where Chromium is not installed.

use crate::common::each_backend;
use homeward_core::access::Role;
use serde_json::{Value, json};
use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Option<Driver> {
    let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let (Some(chromedriver), true) = (
        chromedriver,
        std::path::Path::new("/usr/bin/chromium").exists(),
    ) else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED browser test: install chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        return None;
    };
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/status", driver.base))
            .await
            .is_ok()
        {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

async fn call(c: &reqwest::Client, method: reqwest::Method, url: String, body: Value) -> Value {
    let request = c.request(method, url);
    // chromedriver refuses a body on GET, and requires one (an object) on POST.
    let request = if body.is_null() {
        request
    } else {
        request.json(&body)
    };
    let resp = request.send().await.unwrap();
    let v: Value = resp.json().await.unwrap();
    v["value"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_with_a_token_and_sees_the_round() {
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend("a_person_signs_in_with_a_token_and_sees_the_round", async |r| {
        let c = reqwest::Client::new();
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-quic",
                     format!("--user-data-dir={}", profile.path().display())]
        }}}});
        let session = call(&c, reqwest::Method::POST, format!("{}/session", driver.base), caps).await;
        let sid = session["sessionId"].as_str().unwrap_or_else(|| panic!("no WebDriver session: {session}")).to_owned();
        let s = format!("{}/session/{sid}", driver.base);
        call(&c, reqwest::Method::POST, format!("{s}/url"), json!({"url": r.url("/")})).await;
        let find = async |css: &str| {
            let el = call(&c, reqwest::Method::POST, format!("{s}/element"), json!({"using": "css selector", "value": css})).await;
            el.as_object().unwrap().values().next().unwrap().as_str().unwrap().to_owned()
        };
        // Not signed in: the dashboard sends the browser to the sign-in form.
        let token_field = find("input[name=token]").await;
        call(&c, reqwest::Method::POST, format!("{s}/element/{token_field}/value"), json!({"text": r.token("UA", Role::Negotiator)})).await;
        let button = find("form.login button").await;
        call(&c, reqwest::Method::POST, format!("{s}/element/{button}/click"), json!({})).await;
        let mut text = String::new();
        for _ in 0..50 {
            let body = find("body").await;
            text = call(&c, reqwest::Method::GET, format!("{s}/element/{body}/text"), Value::Null).await.as_str().unwrap_or("").to_owned();
            if text.contains("Commitments") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let url = call(&c, reqwest::Method::GET, format!("{s}/url"), Value::Null).await;
        assert!(text.contains("Istanbul talks, second round"), "{}: {text} at {url}", r.backend);
        assert!(text.contains("of 1,000 (+200 possible)"), "{text}");
        assert!(text.contains("ua-negotiator"), "{text}");
        let shot = call(&c, reqwest::Method::GET, format!("{s}/screenshot"), Value::Null).await;
        assert!(shot.as_str().is_some_and(|b| b.len() > 1000), "a screenshot of the dashboard");
        c.delete(s).send().await.unwrap();
    })
    .await;
}
