//! Headless Chromium (Debian's `chromium`) driven through `chromedriver`
//! (Debian's `chromium-driver`), one chromedriver per test process and one
//! fresh browser profile per test.

use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::process::{TempDir, free_port, reap_when_test_exits};

fn program(var: &str, default: &str, package: &str) -> PathBuf {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.is_file(),
        "{} not found: install it (sudo apt-get install {package}; `make test` does this) or set {var}",
        path.display()
    );
    path
}

/// The chromedriver of this process: its port.
fn chromedriver() -> u16 {
    static DRIVER: OnceLock<Result<u16, String>> = OnceLock::new();
    let started = DRIVER.get_or_init(|| {
        let bin = program("CHROMEDRIVER", "/usr/bin/chromedriver", "chromium-driver");
        let port = free_port();
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, which the Chromium instances it starts
            // join: the watchdog stops them all together.
            .process_group(0)
            .spawn()
            .map_err(|e| format!("starting chromedriver: {e}"))?;
        reap_when_test_exits(Some(child.id()), "");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start listening within 20 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(port)
    });
    match started {
        Ok(port) => *port,
        Err(e) => panic!("{e}"),
    }
}

/// One browser session with its own empty profile.
pub struct Browser {
    pub client: Client,
    driver_port: u16,
    _profile: TempDir,
}

impl Browser {
    /// A desktop-sized window.
    pub async fn new() -> Browser {
        Browser::with_window(1280, 900).await
    }

    /// A window of `width` × `height` CSS pixels (390 × 844 is a phone).
    pub async fn with_window(width: u32, height: u32) -> Browser {
        let chromium = program("CHROMIUM", "/usr/bin/chromium", "chromium");
        let driver_port = chromedriver();
        let profile = TempDir::new("chromium");
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        }))
        .expect("capabilities are a JSON object");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{driver_port}"))
            .await
            .unwrap_or_else(|e| panic!("chromium did not start through chromedriver: {e}"));
        Browser { client, driver_port, _profile: profile }
    }

    /// Opens `url` and waits until the page has hydrated (the layout sets
    /// `data-hydrated` from an effect, which only runs in the browser).
    pub async fn open_hydrated(&self, url: &str) {
        self.client.goto(url).await.expect("navigation");
        self.wait_for("[data-hydrated=\"true\"]").await;
    }

    /// Signs in through the login page and waits for the signed-in page.
    pub async fn login(&self, base_url: &str, username: &str, password: &str) {
        self.open_hydrated(&format!("{base_url}/login")).await;
        self.wait_for("#username").await.send_keys(username).await.expect("typing the user name");
        self.wait_for("#password").await.send_keys(password).await.expect("typing the password");
        self.wait_for("#login-form button[type=submit]").await.click().await.expect("submitting");
        self.wait_for("#user-name").await;
        self.wait_for("[data-hydrated=\"true\"]").await;
    }

    /// Waits up to 20 s for an element matching `css`.
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        let found = self.client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css(css)).await;
        match found {
            Ok(e) => e,
            Err(e) => {
                let logs = self.console().await.join("\n");
                panic!("no element {css} within 20 s: {e}\nbrowser console:\n{logs}")
            }
        }
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.expect("element text")
    }

    /// Runs JavaScript and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    /// Browser console messages since the last call, as `LEVEL message`.
    /// Panics when the log cannot be read, so an empty answer means an
    /// empty console.
    pub async fn console(&self) -> Vec<String> {
        let session =
            self.client.session_id().await.expect("webdriver session").expect("webdriver session id");
        let url = format!("http://127.0.0.1:{}/session/{session}/se/log", self.driver_port);
        let res = reqwest::Client::new()
            .post(url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
            .expect("chromedriver answers the log request");
        assert!(res.status().is_success(), "reading the browser log: HTTP {}", res.status());
        let answer: Value = res.json().await.expect("the browser log is JSON");
        answer["value"]
            .as_array()
            .unwrap_or_else(|| panic!("unexpected browser log answer: {answer}"))
            .iter()
            .map(|e| {
                format!("{} {}", e["level"].as_str().unwrap_or("?"), e["message"].as_str().unwrap_or(""))
            })
            .collect()
    }

    /// Console messages at level SEVERE (errors, failed hydration).
    pub async fn console_errors(&self) -> Vec<String> {
        self.console().await.into_iter().filter(|l| l.starts_with("SEVERE")).collect()
    }

    /// Ends the session (closes Chromium).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
