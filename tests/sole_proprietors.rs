//! Vendors without a 法人番号 (個人事業主): identified by their 登録番号 (T + 13 digits) or the
//! municipality's 業者番号, they are registered, sign in, answer check sheets and appear in ledgers; and a
//! 個人番号 (12 digits) typed where an identifier belongs is refused and kept nowhere.

mod common;
use common::{Method, Role};

use common::{check_sheet_labelled, corporate_number, spawn, TestApp, NTA};
use itaku::auth::policy::EditScope;
use itaku::auth::Actor;
use itaku::config::Settings;
use itaku::services::ledger;
use rocket::http::Status;
use serde_json::{json, Value};
use std::process::Command;

const MY_NUMBER: &str = "123456789012";
const REFUSED: &str = "個人番号（マイナンバー）は入力できません";

/// A department, a vendor registered with `fields`, a contract with it and a vendor user for it.
async fn sole_proprietor(app: &TestApp, fields: Value, email: &str, identifier: &str) -> i64 {
    let (status, department) = app
        .send_json(
            Method::Post,
            "/api/v1/departments",
            &json!({"name": "環境課"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{department}");
    let (status, vendor) = app
        .send_json(Method::Post, "/api/v1/vendors", &fields)
        .await;
    assert_eq!(status, Status::Created, "{vendor}");
    let body = json!({"contract_number": "R7-K-1", "title": "公園清掃",
        "department_id": department["id"], "vendor_identifier": identifier,
        "start_date": "令和7年4月1日", "end_date": "令和8年3月31日"});
    let (status, contract) = app
        .send_json(Method::Post, "/api/v1/contracts", &body)
        .await;
    assert_eq!(status, Status::Created, "{contract}");
    assert_eq!(contract["vendor"]["id"], vendor["id"]);
    common::add_user(&app.db, email, Role::Vendor, Some(identifier), &[]).await;
    contract["id"].as_i64().unwrap()
}

async fn answers_its_own_check_sheet(
    app: &TestApp,
    email: &str,
    label: &str,
    identifier: &str,
    kind: &str,
) {
    let vendor = common::Browser::signed_in(&app.db, &app.settings, email, common::PASSWORD).await;
    let (status, list) = vendor.get_json("/api/v1/contracts").await;
    assert_eq!(status, Status::Ok);
    assert_eq!(list["total"], 1);
    let contract = &list["items"][0];
    assert_eq!(contract["vendor"]["identifier"], identifier);
    assert_eq!(contract["vendor"]["identifier_kind"], kind);
    assert_eq!(contract["vendor"]["corporate_number"], Value::Null);
    let id = contract["id"].as_i64().unwrap();

    let (status, page) = vendor.get_html(&format!("/contracts/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains(&format!("{label} {identifier}")),
        "the page names the kind"
    );

    let sheet = check_sheet_labelled(label, identifier, "山田 太郎", |_| "はい", |_| "");
    vendor.submit_check_sheet(id, sheet).await;

    let someone_else = format!("T{}", corporate_number(4_242));
    let sheet = check_sheet_labelled("登録番号", &someone_else, "山田 太郎", |_| "はい", |_| "");
    let response = vendor
        .post_bytes(&format!("/api/v1/contracts/{id}/checklists"), sheet)
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body = response.into_string().await.unwrap();
    assert!(body.contains("一致しません"), "{body}");
}

#[rocket::async_test]
async fn a_sole_proprietor_with_a_registration_number_signs_in_and_answers_its_check_sheet() {
    let app = spawn().await;
    let invoice = format!("T{}", corporate_number(31_337));
    sole_proprietor(
        &app,
        json!({"invoice_number": invoice, "name": "やまだ清掃（山田 太郎）"}),
        "yamada@test.itaku.example",
        &invoice,
    )
    .await;
    answers_its_own_check_sheet(
        &app,
        "yamada@test.itaku.example",
        "登録番号",
        &invoice,
        "invoice_number",
    )
    .await;
}

#[rocket::async_test]
async fn a_sole_proprietor_with_only_a_vendor_code_signs_in_and_answers_its_check_sheet() {
    let app = spawn().await;
    sole_proprietor(
        &app,
        json!({"vendor_code": "K-0042", "name": "鈴木造園"}),
        "suzuki@test.itaku.example",
        "K-0042",
    )
    .await;
    answers_its_own_check_sheet(
        &app,
        "suzuki@test.itaku.example",
        "業者番号",
        "K-0042",
        "vendor_code",
    )
    .await;
    let (_, vendors) = app.get_json("/api/v1/vendors?q=K-0042").await;
    assert_eq!(vendors["total"], 1, "found by its 業者番号");
}

#[rocket::async_test]
async fn a_corporations_registration_number_names_the_corporation() {
    let app = spawn().await;
    app.seed_department_and_vendor("総務課", NTA, "株式会社A")
        .await;
    let (status, created) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"invoice_number": format!("T{NTA}"), "name": "株式会社A（重複）"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{created}");
    let ledger = format!(
        "契約番号,件名,所管課,事業者名,登録番号,業者番号,契約期間\n\
         K-1,印刷,総務課,株式会社A,T{NTA},,R7.4.1～R8.3.31\n\
         K-2,清掃,総務課,鈴木造園,,K-0042,R7.4.1～R8.3.31\n\
         K-3,剪定,総務課,鈴木造園,,K-0042,R7.4.1～R8.3.31\n"
    );
    let import = |bytes: Vec<u8>| {
        let app = &app;
        async move {
            ledger::import(
                &app.db,
                &Actor::system("test"),
                &EditScope::everything(),
                &bytes,
                &Settings::default(),
                &app.sandbox(),
                false,
                &mut |_, _| {},
            )
            .await
            .unwrap()
        }
    };
    let report = import(ledger.clone().into_bytes()).await;
    assert!(report.accepted(), "{:?}", report.errors);
    assert_eq!(report.created_vendors, 1, "only 鈴木造園 is new");
    let again = import(ledger.into_bytes()).await;
    assert_eq!((again.unchanged, again.created_vendors), (3, 0));
    let (_, list) = app.get_json("/api/v1/contracts?per_page=10").await;
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contract_number"] == "K-1")
        .unwrap();
    assert_eq!(first["vendor"]["corporate_number"], NTA);
}

fn contains_my_number(text: &str) -> bool {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    text.contains(MY_NUMBER) || text.contains("1234 5678 9012") || digits.contains(MY_NUMBER)
}

#[rocket::async_test]
async fn a_my_number_is_refused_everywhere_and_kept_nowhere() {
    let app = spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("総務課", NTA, "株式会社A")
        .await;
    for field in ["corporate_number", "invoice_number", "vendor_code"] {
        let (status, body) = app
            .send_json(
                Method::Post,
                "/api/v1/vendors",
                &json!({field: "1234 5678 9012", "name": "個人"}),
            )
            .await;
        assert_eq!(status, Status::UnprocessableEntity, "{field}");
        let errors = body["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["message"] == REFUSED),
            "{body}"
        );
        assert!(!contains_my_number(&body.to_string()), "{body}");
    }
    let (status, body) = app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "X-1", "title": "x", "department_id": department,
                "vendor_identifier": MY_NUMBER, "start_date": "2025-04-01", "end_date": "2026-03-31"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(!contains_my_number(&body.to_string()), "{body}");

    let ledger = format!(
        "契約番号,件名,所管課,事業者名,法人番号,契約期間\nK-1,印刷,総務課,山田,{MY_NUMBER},R7.4.1～R8.3.31\n"
    );
    let response = app
        .post_bytes("/api/v1/ledger/import", ledger.clone().into_bytes())
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body = response.into_string().await.unwrap();
    assert!(body.contains(REFUSED) && body.contains("E2"), "{body}");
    assert!(!contains_my_number(&body), "{body}");

    let contract = app.create_contract("R7-1", department, vendor).await;
    let sheet = check_sheet_labelled("法人番号", MY_NUMBER, "株式会社A", |_| "はい", |_| "");
    let response = app
        .post_bytes(&format!("/api/v1/contracts/{contract}/checklists"), sheet)
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body = response.into_string().await.unwrap();
    assert!(body.contains(REFUSED), "{body}");
    assert!(!contains_my_number(&body), "{body}");

    let rows: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT summary, before_json, after_json FROM audit_log")
            .fetch_all(&mut *app.db.acquire().await.unwrap())
            .await
            .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert!(!contains_my_number(&format!("{row:?}")), "{row:?}");
    }
    let kept: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM vendors WHERE corporate_number LIKE '%123456789012%'
         OR invoice_number LIKE '%123456789012%' OR vendor_code LIKE '%123456789012%'",
    )
    .fetch_one(&mut *app.db.acquire().await.unwrap())
    .await
    .unwrap();
    assert_eq!(kept, 0);

    // The command line prints every refusal, and logs: neither holds the number.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("台帳.csv");
    std::fs::write(&file, ledger).unwrap();
    let url = common::fresh_database_url().await;
    for json in [false, true] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_itaku"));
        command
            .args(["--database-url", &url, "ledger", "import"])
            .arg(&file)
            .env("RUST_LOG", "trace")
            .env_remove("DATABASE_URL");
        if json {
            command.arg("--json");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(printed.contains(REFUSED), "{printed}");
        assert!(!contains_my_number(&printed), "{printed}");
    }
}
