//! The application started in-process on a fresh database: a temporary SQLite file, or a new database
//! on the PostgreSQL server named by `ITAKU_TEST_DATABASE_URL`.
#![allow(dead_code)]

use itaku::config::Settings;
use itaku::db::Db;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;
use sqlx::Connection;

pub struct TestApp {
    pub client: Client,
    pub db: Db,
    pub url: String,
    pub settings: Settings,
}

/// Whether the suite runs against PostgreSQL.
pub fn postgres_base_url() -> Option<String> {
    std::env::var("ITAKU_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// A database URL no other test uses.
pub async fn fresh_database_url() -> String {
    let name = format!("itaku_test_{}", itaku::random_token());
    match postgres_base_url() {
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
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let url = fresh_database_url().await;
    let mut settings = Settings {
        database_url: url.clone(),
        max_connections: 4,
        ..Settings::default()
    };
    configure(&mut settings);
    let db = Db::connect(&url, settings.max_connections)
        .await
        .expect("connect and migrate");
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="));
    let rocket = itaku::app::build_with(figment, settings.clone(), db.clone());
    let client = Client::tracked(rocket).await.expect("a valid rocket");
    TestApp {
        client,
        db,
        url,
        settings,
    }
}

impl TestApp {
    pub async fn get_json(&self, uri: &str) -> (Status, Value) {
        let response = self.client.get(uri.to_string()).dispatch().await;
        json_of(response).await
    }

    pub async fn send_json(&self, method: &str, uri: &str, body: &Value) -> (Status, Value) {
        let request = match method {
            "POST" => self.client.post(uri.to_string()),
            "PUT" => self.client.put(uri.to_string()),
            other => panic!("unsupported method {other}"),
        };
        let response = request
            .header(ContentType::JSON)
            .body(body.to_string())
            .dispatch()
            .await;
        json_of(response).await
    }

    pub async fn get_html(&self, uri: &str) -> (Status, String) {
        let response = self.client.get(uri.to_string()).dispatch().await;
        let status = response.status();
        (status, response.into_string().await.unwrap_or_default())
    }

    pub async fn post_form(
        &self,
        uri: &str,
        pairs: &[(&str, &str)],
    ) -> (Status, String, Option<String>) {
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
        let status = response.status();
        let location = response.headers().get_one("Location").map(str::to_string);
        (
            status,
            response.into_string().await.unwrap_or_default(),
            location,
        )
    }

    /// Creates a department and a vendor and returns their ids.
    pub async fn seed_department_and_vendor(
        &self,
        department: &str,
        corporate_number: &str,
        vendor: &str,
    ) -> (i64, i64) {
        let (status, d) = self
            .send_json(
                "POST",
                "/api/v1/departments",
                &serde_json::json!({"name": department}),
            )
            .await;
        assert_eq!(status, Status::Created, "{d}");
        let (status, v) = self
            .send_json(
                "POST",
                "/api/v1/vendors",
                &serde_json::json!({"corporate_number": corporate_number, "name": vendor}),
            )
            .await;
        assert_eq!(status, Status::Created, "{v}");
        (d["id"].as_i64().unwrap(), v["id"].as_i64().unwrap())
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

pub fn corporate_number(seed: u64) -> String {
    itaku::domain::corporate_number::with_check_digit(seed)
        .as_str()
        .to_string()
}
