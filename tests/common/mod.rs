//! The application started in-process on a fresh database (a temporary SQLite file, or a new database on
//! the PostgreSQL server named by `ITAKU_TEST_DATABASE_URL`), with browsers signed in as real users.
#![allow(dead_code)]

pub mod smtp;

use itaku::auth::Actor;
pub use itaku::auth::Role;
use itaku::config::Settings;
use itaku::db::Db;
use itaku::domain::ids::DepartmentId;
use itaku::services::accounts::{self, UserInput};
use rocket::http::{ContentType, Header};
pub use rocket::http::{Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;
use sqlx::Connection;

pub const PASSWORD: &str = "correct horse battery staple";
pub const ADMIN: &str = "admin@test.itaku.example";

/// The application under test. Dropping it drops its database, so a test that destructures a fixture
/// keeps it bound (`app: _app`) for as long as it sends requests.
pub struct TestApp {
    pub db: Db,
    pub url: TestDatabase,
    pub settings: Settings,
    /// A browser signed in as an administrator.
    pub admin: Browser,
}

impl std::ops::Deref for TestApp {
    type Target = Browser;
    fn deref(&self) -> &Browser {
        &self.admin
    }
}

/// What a form post answered: its status, its page (or JSON) and where it redirects to.
#[derive(Debug)]
pub struct Reply {
    pub status: Status,
    pub body: String,
    pub location: Option<String>,
}

impl Reply {
    async fn of(response: LocalResponse<'_>) -> Reply {
        let status = response.status();
        let location = response.headers().get_one("Location").map(str::to_string);
        Reply {
            status,
            body: response.into_string().await.unwrap_or_default(),
            location,
        }
    }
}

/// A client with its own cookie jar, signed in (or not) as one user.
pub struct Browser {
    pub client: Client,
    pub csrf: String,
}

/// Whether the suite runs against PostgreSQL.
pub fn postgres_base_url() -> Option<String> {
    std::env::var("ITAKU_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A database no other test uses, dropped (PostgreSQL) or deleted (SQLite) when the value is.
pub struct TestDatabase {
    url: String,
    name: String,
}

impl std::ops::Deref for TestDatabase {
    type Target = str;
    fn deref(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Display for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match postgres_base_url() {
            // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own
            // drops the database, forcing out the connections the test's pool still holds.
            Some(base) => {
                let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("a runtime to drop the test database");
                    runtime.block_on(async {
                        let mut conn = sqlx::AnyConnection::connect(&base).await.ok()?;
                        sqlx::Executor::execute(&mut conn, drop.as_str())
                            .await
                            .ok()?;
                        conn.close().await.ok()
                    })
                });
                dropped.join().ok();
            }
            None => {
                if let Some(path) = self.url.strip_prefix("sqlite://") {
                    for suffix in ["", "-wal", "-shm"] {
                        std::fs::remove_file(format!("{path}{suffix}")).ok();
                    }
                }
            }
        }
    }
}

/// A database no other test uses.
pub async fn fresh_database_url() -> TestDatabase {
    let name = format!("itaku_test_{}", itaku::random_token());
    let url = match postgres_base_url() {
        Some(base) => {
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&base)
                .await
                .expect("connect to the PostgreSQL test server");
            let create = format!("CREATE DATABASE {name}");
            sqlx::Executor::execute(&mut conn, create.as_str())
                .await
                .expect("create a test database");
            conn.close().await.ok();
            let (prefix, _) = base.rsplit_once('/').expect("the URL names a database");
            let (_, query) = base.split_once('?').unwrap_or(("", ""));
            if query.is_empty() {
                format!("{prefix}/{name}")
            } else {
                format!("{prefix}/{name}?{query}")
            }
        }
        None => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            format!("sqlite://{}", path.display())
        }
    };
    TestDatabase { url, name }
}

/// Settings for tests: uploads are parsed by the `itaku` binary cargo built for this test run (the test
/// binary itself cannot be a parse worker).
pub fn test_settings() -> Settings {
    Settings {
        parse_worker: env!("CARGO_BIN_EXE_itaku").into(),
        // Every test signs in from the same address, many at once; the throttle's own tests set
        // these low.
        password_check_queue: 1_000,
        sign_in_rate_per_address: 100_000,
        sign_in_rate: 100_000,
        sign_in_failures_per_address: 100_000,
        // The suite's administrator signs in with its password alone; the two-factor tests turn
        // the requirement on.
        mfa_required_roles: Vec::new(),
        // The tests run reminders when they choose, on the day they choose.
        remind_in_process: false,
        ..Settings::default()
    }
}

impl TestApp {
    /// The parse sandbox the application's services use, for tests that call services directly.
    pub fn sandbox(&self) -> itaku::sandbox::Sandbox {
        itaku::sandbox::Sandbox::from_settings(&self.settings)
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let url = fresh_database_url().await;
    let mut settings = Settings {
        database_url: url.to_string(),
        max_connections: 4,
        ..test_settings()
    };
    configure(&mut settings);
    let db = Db::connect(&url, settings.max_connections)
        .await
        .expect("connect and migrate");
    add_user(&db, ADMIN, Role::Admin, None, &[]).await;
    let admin = Browser::signed_in(&db, &settings, ADMIN, PASSWORD).await;
    TestApp {
        db,
        url,
        settings,
        admin,
    }
}

/// Creates a user with the test password; returns its id.
pub async fn add_user(
    db: &Db,
    email: &str,
    role: Role,
    vendor: Option<&str>,
    department_ids: &[i64],
) -> i64 {
    let input = UserInput {
        email: Some(email.into()),
        display_name: None,
        role: Some(role.code().into()),
        vendor_identifier: vendor.map(str::to_string),
        department_ids: department_ids
            .iter()
            .copied()
            .map(DepartmentId::new)
            .collect(),
        password: Some(PASSWORD.into()),
        active: true,
    };
    accounts::create_user(db, &Actor::system("test"), &input)
        .await
        .expect("create a test user")
        .0
        .get()
}

fn rocket_for(db: &Db, settings: &Settings) -> rocket::Rocket<rocket::Build> {
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="));
    itaku::app::build_with(figment, settings.clone(), db.clone())
}

/// The value of the first `name="…" value="…"` hidden field in a page.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
}

impl TestApp {
    /// A new browser signed in as a new user of the given role.
    pub async fn browser_as(
        &self,
        email: &str,
        role: Role,
        vendor: Option<&str>,
        department_ids: &[i64],
    ) -> Browser {
        add_user(&self.db, email, role, vendor, department_ids).await;
        Browser::signed_in(&self.db, &self.settings, email, PASSWORD).await
    }

    /// A browser nobody signed in to.
    pub async fn anonymous(&self) -> Browser {
        Browser::anonymous(&self.db, &self.settings).await
    }

    /// Synthetic vendors and contracts, as `itaku seed` makes them, as of today.
    pub async fn seed_synthetic(&self, vendors: usize, contracts: usize, seed: u64) {
        let plan = itaku::services::seed::Plan {
            vendors,
            contracts,
            seed,
        };
        let mut quiet = |_: &str, _: u64, _: u64| {};
        let today = itaku::services::today();
        itaku::services::seed::run(&self.db, &self.settings, plan, today, &mut quiet)
            .await
            .expect("seeded");
    }

    /// Creates a department and a vendor (as the administrator) and returns their ids.
    pub async fn seed_department_and_vendor(
        &self,
        department: &str,
        corporate_number: &str,
        vendor: &str,
    ) -> (i64, i64) {
        let (status, d) = self
            .send_json(
                Method::Post,
                "/api/v1/departments",
                &serde_json::json!({"name": department}),
            )
            .await;
        assert_eq!(status, Status::Created, "{d}");
        (
            d["id"].as_i64().unwrap(),
            self.seed_vendor(corporate_number, vendor).await,
        )
    }

    /// A vendor registered under its 法人番号 by the administrator; its id.
    pub async fn seed_vendor(&self, corporate_number: &str, name: &str) -> i64 {
        let (status, v) = self
            .send_json(
                Method::Post,
                "/api/v1/vendors",
                &serde_json::json!({"corporate_number": corporate_number, "name": name}),
            )
            .await;
        assert_eq!(status, Status::Created, "{v}");
        v["id"].as_i64().unwrap()
    }
}

impl Browser {
    pub async fn anonymous(db: &Db, settings: &Settings) -> Browser {
        let client = Client::tracked(rocket_for(db, settings))
            .await
            .expect("a valid rocket");
        Browser {
            client,
            csrf: String::new(),
        }
    }

    /// Signs in through the real sign-in form and keeps the session's CSRF token.
    pub async fn signed_in(db: &Db, settings: &Settings, email: &str, password: &str) -> Browser {
        let mut browser = Browser::anonymous(db, settings).await;
        let status = browser.sign_in(email, password).await;
        assert_eq!(status, Status::SeeOther, "sign-in as {email}");
        let (_, html) = browser.get_html("/account").await;
        browser.csrf = html
            .split("<meta name=\"csrf-token\" content=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a signed-in page carries the CSRF token")
            .to_string();
        browser
    }

    /// Posts the sign-in form; answers the status (303 on success).
    pub async fn sign_in(&self, email: &str, password: &str) -> Status {
        let (_, login) = self.get_html("/login").await;
        let token = hidden_field(&login, "csrf_token").expect("the sign-in form has a token");
        let reply = self
            .post_form_raw(
                "/login",
                &[
                    ("email", email),
                    ("password", password),
                    ("csrf_token", &token),
                ],
            )
            .await;
        reply.status
    }

    pub async fn get_json(&self, uri: &str) -> (Status, Value) {
        let response = self.client.get(uri.to_string()).dispatch().await;
        json_of(response).await
    }

    /// Sends JSON with the session's CSRF header, as a browser script would.
    pub async fn send_json(&self, method: Method, uri: &str, body: &Value) -> (Status, Value) {
        let response = self
            .client
            .req(method, uri.to_string())
            .header(ContentType::JSON)
            .header(Header::new("X-CSRF-Token", self.csrf.clone()))
            .body(body.to_string())
            .dispatch()
            .await;
        json_of(response).await
    }

    /// Submits a check sheet to a contract through the API; answers the new submission's id.
    pub async fn submit_check_sheet(&self, contract_id: i64, sheet: Vec<u8>) -> i64 {
        let response = self
            .post_bytes(
                &format!("/api/v1/contracts/{contract_id}/checklists"),
                sheet,
            )
            .await;
        assert_eq!(response.status(), Status::Created);
        let created: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
        created["submission_id"].as_i64().unwrap()
    }

    /// A contract from 2025-04-01 to 2030-03-31 created through the API; answers its id.
    pub async fn create_contract(&self, number: &str, department_id: i64, vendor_id: i64) -> i64 {
        let body = serde_json::json!({"contract_number": number, "title": "業務",
            "department_id": department_id, "vendor_id": vendor_id,
            "start_date": "2025-04-01", "end_date": "2030-03-31"});
        let (status, created) = self
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created, "{created}");
        created["id"].as_i64().unwrap()
    }

    /// Imports a ledger through the API: the status and the report.
    pub async fn import_ledger(&self, bytes: Vec<u8>) -> (Status, Value) {
        let response = self.post_bytes("/api/v1/ledger/import", bytes).await;
        let status = response.status();
        let body = response.into_string().await.unwrap_or_default();
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// Posts a raw body with the session's CSRF header.
    pub async fn post_bytes(&self, uri: &str, body: Vec<u8>) -> LocalResponse<'_> {
        self.client
            .post(uri.to_string())
            .header(Header::new("X-CSRF-Token", self.csrf.clone()))
            .body(body)
            .dispatch()
            .await
    }

    pub async fn get_html(&self, uri: &str) -> (Status, String) {
        let response = self.client.get(uri.to_string()).dispatch().await;
        let status = response.status();
        (status, response.into_string().await.unwrap_or_default())
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all = pairs.to_vec();
        let csrf = self.csrf.clone();
        all.push(("csrf_token", &csrf));
        self.post_form_raw(uri, &all).await
    }

    /// Posts exactly the given fields.
    pub async fn post_form_raw(&self, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .client
            .post(uri.to_string())
            .header(ContentType::Form)
            .body(body)
            .dispatch()
            .await;
        Reply::of(response).await
    }

    /// Posts one file as `multipart/form-data` with the session's CSRF token.
    pub async fn post_file(&self, uri: &str, file_name: &str, bytes: &[u8]) -> Reply {
        self.post_multipart(uri, &[], Some((file_name, bytes)))
            .await
    }

    /// A multipart form with text fields and an optional file named `file`; the CSRF token goes both
    /// in the form (pages) and in the header (the API).
    pub async fn post_multipart(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Reply {
        let boundary = "ItakuTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        let csrf = self.csrf.clone();
        for (name, value) in [("csrf_token", csrf.as_str())].iter().chain(fields) {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((file_name, bytes)) = file {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let content_type =
            ContentType::new("multipart", "form-data").with_params(("boundary", boundary));
        let response = self
            .client
            .post(uri.to_string())
            .header(content_type)
            .header(rocket::http::Header::new("X-CSRF-Token", self.csrf.clone()))
            .body(body)
            .dispatch()
            .await;
        Reply::of(response).await
    }
}

async fn json_of(response: LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    let text = response.into_string().await.unwrap_or_default();
    let value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, value)
}

pub use itaku::web::percent_encode as urlencode;

/// Valid corporate numbers for tests (国税庁, トヨタ自動車, and generated ones).
pub const NTA: &str = "7000012050002";
pub const TOYOTA: &str = "1180301018771";

/// `text` as a query string value, every byte but letters and digits percent-encoded.
pub fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn corporate_number(seed: u64) -> String {
    itaku::domain::corporate_number::with_check_digit(seed)
        .as_str()
        .to_string()
}

/// A check sheet answered in full for the built-in definition, with the respondent's 法人番号;
/// `answer` picks each item's answer.
pub fn filled_check_sheet(
    corporate_number: &str,
    answer: impl Fn(&str) -> &'static str,
) -> Vec<u8> {
    check_sheet(corporate_number, "テスト株式会社", answer, |_| "")
}

/// A check sheet answered in full: the respondent's name and 法人番号, each item's answer, and the
/// 備考 written against the item's position.
pub fn check_sheet<'a>(
    corporate_number: &str,
    company: &str,
    answer: impl Fn(&str) -> &'static str,
    note: impl Fn(usize) -> &'a str,
) -> Vec<u8> {
    check_sheet_labelled("法人番号", corporate_number, company, answer, note)
}

/// A check sheet answered in full whose 回答者欄 gives the vendor's identifier under `label` (法人番号,
/// 登録番号, 業者番号 …).
pub fn check_sheet_labelled<'a>(
    label: &str,
    identifier: &str,
    company: &str,
    answer: impl Fn(&str) -> &'static str,
    note: impl Fn(usize) -> &'a str,
) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "事業者名").unwrap();
    sheet.write_string(0, 1, company).unwrap();
    sheet.write_string(1, 0, label).unwrap();
    sheet.write_string(1, 1, identifier).unwrap();
    sheet.write_string(2, 0, "記入日").unwrap();
    sheet.write_string(2, 1, "R7.4.1").unwrap();
    for (column, header) in ["項番", "確認項目", "回答", "備考"].iter().enumerate() {
        sheet.write_string(4, column as u16, *header).unwrap();
    }
    for (index, item) in itaku::checklist::Definition::builtin()
        .items
        .iter()
        .enumerate()
    {
        let row = 5 + index as u32;
        sheet.write_string(row, 0, &item.id).unwrap();
        sheet.write_string(row, 1, &item.requirement).unwrap();
        sheet.write_string(row, 2, answer(&item.id)).unwrap();
        sheet.write_string(row, 3, note(index)).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

/// The smallest file the evidence uploads accept: a PDF by its content.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// As the administrator: an ISMS certificate for the vendor, and an audit report and a deletion
/// certificate (each with a PDF) for the contract. Answers their ids.
pub async fn seed_evidence(app: &TestApp, vendor_id: i64, contract_id: i64) -> (i64, i64, i64) {
    let (status, certification) = app
        .send_json(
            Method::Post,
            &format!("/api/v1/vendors/{vendor_id}/certifications"),
            &serde_json::json!({"scheme": "isms", "number": "JQA-IM0685", "issued_on": "2025-04-01",
                                "valid_until": "2028-03-31", "scope": "全社"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{certification}");
    let admin = &app.admin;
    let response = admin
        .client
        .put(format!(
            "/api/v1/certifications/{}/file?file_name=isms.pdf",
            certification["id"]
        ))
        .header(rocket::http::Header::new(
            "X-CSRF-Token",
            admin.csrf.clone(),
        ))
        .body(PDF)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let Reply { status, body, .. } = admin
        .post_multipart(
            &format!("/api/v1/contracts/{contract_id}/audit-reports"),
            &[
                ("report.kind", "third_party"),
                ("report.auditor", "監査法人A"),
                ("report.audited_on", "2025-10-01"),
                ("report.findings", "0"),
                ("report.follow_up", "none"),
            ],
            Some(("report.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let audit: Value = serde_json::from_str(&body).unwrap();
    let Reply { status, body, .. } = admin
        .post_multipart(
            &format!("/api/v1/contracts/{contract_id}/deletion-certificates"),
            &[
                ("deletion.data_items", "住民データ"),
                ("deletion.media", "サーバー"),
                ("deletion.quantity", "1台"),
                ("deletion.method", "上書き消去"),
                ("deletion.responsible_person", "情報太郎"),
                ("deletion.deleted_on", "2025-10-01"),
                ("deletion.covers_backups", "on"),
            ],
            Some(("deletion.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let deletion: Value = serde_json::from_str(&body).unwrap();
    (
        certification["id"].as_i64().unwrap(),
        audit["id"].as_i64().unwrap(),
        deletion["id"].as_i64().unwrap(),
    )
}

/// The fields a validation error names, in order.
pub fn error_fields(error: &Value) -> Vec<&str> {
    error["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str()).collect())
        .unwrap_or_default()
}

/// A contract of 株式会社いろは印刷 (`NTA`) in 税務課, running from 2026-04-01 to 2027-03-31 and allowing
/// subcontracting, with the vendor's user signed in.
pub struct VendorContract {
    pub app: TestApp,
    pub department_id: i64,
    pub vendor_id: i64,
    pub contract_id: i64,
    pub vendor: Browser,
}

pub async fn vendor_contract(number: &str) -> VendorContract {
    let app = spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    let body = serde_json::json!({"contract_number": number, "title": "納税通知書の印刷",
        "department_id": department_id, "vendor_id": vendor_id, "start_date": "2026-04-01",
        "end_date": "2027-03-31", "subcontracting_allowed": true});
    let (status, created) = app
        .send_json(Method::Post, "/api/v1/contracts", &body)
        .await;
    assert_eq!(status, Status::Created, "{created}");
    let vendor = app
        .browser_as("iroha@example.jp", Role::Vendor, Some(NTA), &[])
        .await;
    VendorContract {
        contract_id: created["id"].as_i64().unwrap(),
        app,
        department_id,
        vendor_id,
        vendor,
    }
}
