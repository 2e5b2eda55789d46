//! A real SMTP server for the mail tests: `tests/smtp/smtp_sink.py` (aiosmtpd), started per test on a
//! free port; what it received is read back decoded.

use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpSink {
    /// Starts the server; panics with what to install when aiosmtpd is missing (`scripts/test`
    /// installs it).
    pub fn start() -> SmtpSink {
        let mut sink = SmtpSink {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        sink.restart();
        sink
    }

    /// The server is down: connections are refused.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Up again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "smtp", "smtp_sink.py"]
            .iter()
            .collect();
        let mut child = Command::new("python3")
            .arg(script)
            .args(["--port", &self.port.to_string()])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 for the SMTP test server");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(
            ready.trim(),
            "ready",
            "the SMTP test server did not start: install aiosmtpd (pip install aiosmtpd)"
        );
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        let mut all: Vec<Received> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                (path.extension()? == "json")
                    .then(|| serde_json::from_slice(&std::fs::read(path).ok()?).ok())
                    .flatten()
            })
            .collect();
        all.sort_by(|a: &Received, b| (&a.to, &a.subject).cmp(&(&b.to, &b.subject)));
        all
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The addresses of the two vendors `two_vendors` makes.
pub const VENDOR_A: &str = "contact@vendor-a.example.jp";
pub const VENDOR_B: &str = "contact@vendor-b.example.jp";

/// Departments and vendors of the mail tests: 税務課 and 市民課; 株式会社いろは印刷 (`super::NTA`,
/// `VENDOR_A`) and にほへ運輸株式会社 (`super::TOYOTA`, `VENDOR_B`).
pub struct TwoVendors {
    pub zeimu: i64,
    pub shimin: i64,
    pub vendor_a: i64,
    pub vendor_b: i64,
}

/// The application sending mail through `sink` (links under https://itaku.city.example.jp), with
/// `TwoVendors` registered.
pub async fn app_with_two_vendors(sink: &SmtpSink) -> (super::TestApp, TwoVendors) {
    let url = sink.url();
    let app = super::spawn_with(|s| {
        s.smtp_url = url;
        s.mail_from = "Itaku <itaku@city.example.jp>".into();
        s.public_url = "https://itaku.city.example.jp".into();
    })
    .await;
    let (zeimu, vendor_a) = app
        .seed_department_and_vendor("税務課", super::NTA, "株式会社いろは印刷")
        .await;
    let (shimin, vendor_b) = app
        .seed_department_and_vendor("市民課", super::TOYOTA, "にほへ運輸株式会社")
        .await;
    for (id, number, name, email) in [
        (vendor_a, super::NTA, "株式会社いろは印刷", VENDOR_A),
        (vendor_b, super::TOYOTA, "にほへ運輸株式会社", VENDOR_B),
    ] {
        let (status, body) = app
            .send_json(
                super::Method::Put,
                &format!("/api/v1/vendors/{id}"),
                &serde_json::json!({"corporate_number": number, "name": name, "email": email}),
            )
            .await;
        assert_eq!(status, rocket::http::Status::Ok, "{body}");
    }
    let ids = TwoVendors {
        zeimu,
        shimin,
        vendor_a,
        vendor_b,
    };
    (app, ids)
}
