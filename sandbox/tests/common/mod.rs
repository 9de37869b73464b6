//! Starts the real conveyor-sandbox binary on a free loopback port for one test.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub const FULL: &str = "sk_test_full_0123456789abcdef";
pub const INACTIVE: &str = "sk_test_inactive_0123456789";
pub const READONLY: &str = "sk_test_readonly_0123456789";
pub const BENCH: &str = "sk_test_bench_0123456789";

pub struct Sandbox {
    child: Child,
    pub url: String,
    pub http: reqwest::Client,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    pub fn start(args: &[&str]) -> Sandbox {
        let mut child = Command::new(env!("CARGO_BIN_EXE_conveyor-sandbox"))
            .args(["--port", "0", "--bind", "127.0.0.1", "--quiet"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the sandbox binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("a first stdout line");
        let url = line
            .trim()
            .strip_prefix("conveyor-sandbox listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Sandbox { child, url, http }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v2{path}", self.url)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.api(path)).header("X-API-KEY", FULL)
    }

    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.api(path))
            .header("X-API-KEY", FULL)
    }

    /// GET with the full key; asserts 200 and returns the JSON.
    pub async fn json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path).send().await.expect("sent");
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.expect("JSON")
    }

    pub async fn admin(&self, path: &str) -> serde_json::Value {
        self.http
            .get(format!("{}/_sandbox/{path}", self.url))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("JSON")
    }

    pub async fn reset(&self) {
        let r = self
            .http
            .post(format!("{}/_sandbox/reset", self.url))
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 200);
    }
}

/// The list in a flat or HAL envelope.
pub fn items<'a>(body: &'a serde_json::Value, plural: &str) -> &'a Vec<serde_json::Value> {
    body.get(plural)
        .or_else(|| body.get("_embedded").and_then(|e| e.get(plural)))
        .and_then(|v| v.as_array())
        .unwrap_or_else(|| panic!("no {plural} in {body}"))
}

/// Sends `request` and asserts its status; the response is returned for further checks.
pub async fn expect_status(request: reqwest::RequestBuilder, status: u16) -> reqwest::Response {
    let response = request.send().await.expect("sent");
    assert_eq!(response.status(), status, "{}", response.url());
    response
}
