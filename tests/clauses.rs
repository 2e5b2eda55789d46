//! 情報セキュリティ特約条項 as data: the clauses a contract gets and keeps across catalogue editions,
//! the dated submissions they owe (across a fiscal year's end and a contract's extension), the
//! vendor's submissions and the officer's review, and the ledger's 特約条項 column.

mod common;
use common::{corporate_number, Method, Role, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::{json, Value};

/// An officer's app, the vendor's browser and one important contract of that vendor.
struct World {
    app: common::TestApp,
    vendor: common::Browser,
    department_id: i64,
    vendor_id: i64,
}

async fn world() -> World {
    let app = common::spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("情報政策課", NTA, "株式会社いろは情報")
        .await;
    let vendor = app
        .browser_as("iroha@example.jp", Role::Vendor, Some(NTA), &[])
        .await;
    World {
        app,
        vendor,
        department_id,
        vendor_id,
    }
}

impl World {
    async fn contract(&self, number: &str, start: &str, end: &str) -> i64 {
        let body = json!({"contract_number": number, "title": "住民情報システム運用",
            "department_id": self.department_id, "vendor_id": self.vendor_id,
            "start_date": start, "end_date": end, "importance": "重要"});
        let (status, created) = self
            .app
            .send_json(Method::Post, "/api/v1/contracts", &body)
            .await;
        assert_eq!(status, Status::Created, "{created}");
        created["id"].as_i64().unwrap()
    }

    async fn clauses(&self, contract_id: i64) -> Value {
        let (status, set) = self
            .app
            .get_json(&format!("/api/v1/contracts/{contract_id}/clauses"))
            .await;
        assert_eq!(status, Status::Ok, "{set}");
        set
    }

    async fn report(&self, as_of: &str) -> Value {
        let (status, report) = self
            .app
            .get_json(&format!("/api/v1/reports/clauses?as_of={as_of}"))
            .await;
        assert_eq!(status, Status::Ok, "{report}");
        report
    }
}

/// A file the evidence check takes (a PDF of the logs).
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";

/// The obligation of `set` named `what`.
fn owed<'a>(set: &'a Value, what: &str) -> &'a Value {
    set["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["what"] == what)
        .unwrap_or_else(|| panic!("{what} not owed: {set}"))
}

fn whats(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect()
}

#[rocket::async_test]
async fn a_quarterly_access_log_is_owed_across_the_fiscal_year_end_and_follows_an_extension() {
    let w = world().await;
    let id = w.contract("R8-101", "2026-11-15", "2027-05-31").await;
    let set = w.clauses(id).await;
    assert_eq!(set["catalogue"], "itaku-clauses@2", "{set}");
    let ids: Vec<&str> = set["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clause_id"].as_str().unwrap())
        .collect();
    for clause in [
        "deletion",
        "incident-report",
        "access-log",
        "mfa",
        "vulnerability-scan",
    ] {
        assert!(ids.contains(&clause), "{clause} missing: {ids:?}");
    }
    let third = owed(&set, "アクセスログの提出（2026年度第3四半期）");
    assert_eq!(third["period_start"], "2026-11-15");
    assert_eq!(third["period_end"], "2026-12-31");
    assert_eq!(third["due_on"], "2027-01-14");
    let fourth = owed(&set, "アクセスログの提出（2026年度第4四半期）");
    assert_eq!(fourth["due_on"], "2027-04-14");
    let first = owed(&set, "アクセスログの提出（2027年度第1四半期）");
    assert_eq!(
        first["period_end"], "2027-05-31",
        "cut at the contract's end"
    );
    let first_id = first["id"].clone();

    let late = w.report("2027-01-20").await;
    let entry = late["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "アクセスログの提出（2026年度第3四半期）")
        .unwrap_or_else(|| panic!("{late}"));
    assert_eq!(entry["contract_number"], "R8-101");
    assert_eq!(entry["deadline"], "2027-01-14");
    assert_eq!(entry["days_overdue"], 6);
    let (_, all) = w.app.get_json("/api/v1/reports/all?as_of=2027-01-20").await;
    assert!(
        whats(&all["clauses"]["overdue"]).contains(&"アクセスログの提出（2026年度第3四半期）"),
        "{all}"
    );
    let spring = w.report("2027-03-01").await;
    assert!(whats(&spring["due_soon"]).contains(&"アクセスログの提出（2026年度第4四半期）"));

    // Extended by four months: the cut quarter becomes whole under the same obligation, one is added.
    let (status, body) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{id}"),
            &json!({"contract_number": "R8-101", "title": "住民情報システム運用",
                "department_id": w.department_id, "vendor_id": w.vendor_id,
                "start_date": "2026-11-15", "end_date": "2027-09-30", "importance": "重要"}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let extended = w.clauses(id).await;
    let first = owed(&extended, "アクセスログの提出（2027年度第1四半期）");
    assert_eq!(first["id"], first_id);
    assert_eq!(first["period_end"], "2027-06-30");
    assert_eq!(first["due_on"], "2027-07-14");
    let second = owed(&extended, "アクセスログの提出（2027年度第2四半期）");
    assert_eq!(second["due_on"], "2027-10-14");

    // The vendor hands in the third quarter's log; the officer returns it, then accepts the second.
    let third_id = third["id"].as_i64().unwrap();
    let submit = |note: &'static str| {
        let vendor = &w.vendor;
        async move {
            vendor
                .post_multipart(
                    &format!("/api/v1/clause-obligations/{third_id}/submissions"),
                    &[("submission.note", note)],
                    Some(("access-log-2026Q3.pdf", PDF)),
                )
                .await
        }
    };
    let common::Reply { status, body, .. } = w
        .vendor
        .post_multipart(
            &format!("/api/v1/clause-obligations/{third_id}/submissions"),
            &[("submission.note", "ファイルなし")],
            None,
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    let common::Reply { status, body, .. } = submit("第3四半期分").await;
    assert_eq!(status, Status::Created, "{body}");
    let first_submission = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let common::Reply { status, body, .. } = submit("二重提出").await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "waiting for review: {body}"
    );
    assert!(body.contains("確認待ち"), "{body}");
    let waiting = w.report("2027-01-20").await;
    let entry = waiting["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "アクセスログの提出（2026年度第3四半期）")
        .unwrap();
    assert_eq!(entry["submission"], "submitted", "{entry}");

    let (status, body) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/clause-submissions/{first_submission}/review"),
            &json!({"decision": "return"}),
        )
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a reason is needed: {body}"
    );
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/clause-submissions/{first_submission}/review"),
            &json!({"decision": "return", "comment": "12月分が欠けています"}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let common::Reply { status, body, .. } = submit("12月分を追加しました").await;
    assert_eq!(status, Status::Created, "{body}");
    let second_submission = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let today = itaku::services::today().to_string();
    let (status, body) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/clause-submissions/{second_submission}/review"),
            &json!({"decision": "accept", "accepted_on": today}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let after = w.report("2027-01-20").await;
    assert!(
        !whats(&after["overdue"]).contains(&"アクセスログの提出（2026年度第3四半期）"),
        "{after}"
    );
    let set = w.clauses(id).await;
    let third = owed(&set, "アクセスログの提出（2026年度第3四半期）");
    assert_eq!(third["status"], "accepted");
    assert_eq!(third["submissions"].as_array().unwrap().len(), 2);

    // The vendor sees the same on its contract page, and its file is logged when opened.
    let (status, page) = w.vendor.get_html(&format!("/contracts/{id}")).await;
    assert_eq!(status, Status::Ok);
    assert!(
        page.contains("アクセスログの提出（2026年度第4四半期）"),
        "{page}"
    );
    assert!(page.contains("令和9年1月14日"));
    let response = w
        .vendor
        .client
        .get(format!("/clause-submissions/{second_submission}/file"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let mut conn = w.app.db.acquire().await.unwrap();
    let logged: Vec<(String,)> = sqlx::query_as(
        "SELECT action FROM audit_log WHERE entity_type = 'clause_submission' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let actions: Vec<&str> = logged.iter().map(|(a,)| a.as_str()).collect();
    let log = format!("{actions:?}");
    for action in ["upload", "review", "download"] {
        assert!(actions.contains(&action), "{action} not logged: {log}");
    }
}

#[rocket::async_test]
async fn contracts_on_the_first_and_the_second_edition_keep_their_own_terms() {
    let w = world().await;
    let old = w.contract("R8-201", "2026-04-01", "2027-03-31").await;
    let new = w.contract("R8-202", "2026-04-01", "2027-03-31").await;
    let (status, set) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{old}/clauses"),
            &json!({"catalogue": "itaku-clauses@1", "clauses": ["アクセスログの提出", "mfa"]}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{set}");
    assert_eq!(set["catalogue"], "itaku-clauses@1");
    let ids: Vec<&str> = set["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clause_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["deletion", "access-log", "mfa"],
        "the deletion clause stays"
    );
    assert_eq!(
        owed(&set, "アクセスログの提出（2026年度第1四半期）")["due_on"],
        "2026-07-30",
        "30 days in the first edition"
    );
    assert_eq!(
        owed(
            &w.clauses(new).await,
            "アクセスログの提出（2026年度第1四半期）"
        )["due_on"],
        "2026-07-14",
        "14 days in the second"
    );
    let (status, refused) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{old}/clauses"),
            &json!({"catalogue": "itaku-clauses@1", "clauses": ["vulnerability-scan"]}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert!(
        refused.to_string().contains("vulnerability-scan"),
        "{refused}"
    );
    assert!(common::error_fields(&refused).contains(&"clauses"));
    let (status, refused) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{old}/clauses"),
            &json!({"catalogue": "itaku-clauses@9", "clauses": []}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert!(common::error_fields(&refused).contains(&"catalogue"));

    // Removing a clause removes what it owed: nothing was handed in for it.
    let (status, set) = w
        .app
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{old}/clauses"),
            &json!({"clauses": ["mfa"]}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{set}");
    assert_eq!(
        set["catalogue"], "itaku-clauses@1",
        "the contract's own edition"
    );
    assert!(!set.to_string().contains("アクセスログ"), "{set}");
    let report = w.report("2026-08-01").await;
    let logs: Vec<&Value> = report["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"].as_str().unwrap().starts_with("アクセスログ"))
        .collect();
    assert_eq!(logs.len(), 1, "{report}");
    assert_eq!(logs[0]["what"], "アクセスログの提出（2026年度第1四半期）");
    assert_eq!(logs[0]["contract_number"], "R8-202");

    let (status, _) = w
        .vendor
        .send_json(
            Method::Put,
            &format!("/api/v1/contracts/{old}/clauses"),
            &json!({"clauses": []}),
        )
        .await;
    assert_eq!(
        status,
        Status::Forbidden,
        "a vendor does not choose clauses"
    );
}

#[rocket::async_test]
async fn a_vendor_cannot_see_or_hand_in_what_another_vendors_contract_owes() {
    let w = world().await;
    let id = w.contract("R8-301", "2026-04-01", "2027-03-31").await;
    let obligation = owed(
        &w.clauses(id).await,
        "アクセスログの提出（2026年度第1四半期）",
    )["id"]
        .as_i64()
        .unwrap();
    let common::Reply { status, body, .. } = w
        .vendor
        .post_multipart(
            &format!("/api/v1/clause-obligations/{obligation}/submissions"),
            &[],
            Some(("log.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    let submission = serde_json::from_str::<Value>(&body).unwrap()["id"]
        .as_i64()
        .unwrap();
    w.app.seed_vendor(TOYOTA, "他社株式会社").await;
    let other = w
        .app
        .browser_as("other@example.jp", Role::Vendor, Some(TOYOTA), &[])
        .await;
    let (status, _) = other
        .get_json(&format!("/api/v1/contracts/{id}/clauses"))
        .await;
    assert_eq!(status, Status::NotFound);
    let common::Reply { status, .. } = other
        .post_multipart(
            &format!("/api/v1/clause-obligations/{obligation}/submissions"),
            &[],
            Some(("log.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::NotFound);
    let common::Reply { status, .. } = other
        .post_multipart(
            &format!("/clause-obligations/{obligation}/submissions"),
            &[],
            Some(("log.pdf", PDF)),
        )
        .await;
    assert_eq!(status, Status::NotFound);
    let response = other
        .client
        .get(format!("/clause-submissions/{submission}/file"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let (status, _) = other
        .send_json(
            Method::Post,
            &format!("/api/v1/clause-submissions/{submission}/review"),
            &json!({"decision": "accept"}),
        )
        .await;
    assert_eq!(status, Status::Forbidden);
    let (_, report) = other
        .get_json("/api/v1/reports/clauses?as_of=2026-08-01")
        .await;
    assert!(!report.to_string().contains("R8-301"), "{report}");
}

/// A ledger of two contracts with a 特約条項 column.
fn ledger_with_clauses(first: &str, second: &str) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let header = [
        "契約番号",
        "件名",
        "所管課",
        "事業者名",
        "法人番号",
        "契約開始日",
        "契約終了日",
        "重要度",
        "特約条項",
    ];
    let vendor = corporate_number(41);
    let rows = [
        [
            "L-1",
            "窓口業務",
            "市民課",
            "株式会社ほへと",
            &vendor,
            "2026-04-01",
            "2027-03-31",
            "重要",
            first,
        ],
        [
            "L-2",
            "清掃業務",
            "市民課",
            "株式会社ほへと",
            &vendor,
            "2026-04-01",
            "2027-03-31",
            "通常",
            second,
        ],
    ];
    for (at, row) in std::iter::once(&header).chain(&rows).enumerate() {
        for (column, text) in row.iter().enumerate() {
            sheet.write_string(at as u32, column as u16, *text).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

async fn clause_ids(app: &common::TestApp, number: &str) -> Vec<String> {
    let (_, list) = app.get_json(&format!("/api/v1/contracts?q={number}")).await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, set) = app
        .get_json(&format!("/api/v1/contracts/{id}/clauses"))
        .await;
    set["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clause_id"].as_str().unwrap().to_string())
        .collect()
}

#[rocket::async_test]
async fn the_ledger_column_names_clauses_by_title_or_id_all_or_nothing() {
    let app = common::spawn().await;
    let (status, refused) = app
        .import_ledger(ledger_with_clauses(
            "アクセスログの提出、多要素認証の実施確認",
            "access-log, 謎の条項",
        ))
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    let error = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["message"].as_str().unwrap_or("").contains("謎の条項"))
        .unwrap_or_else(|| panic!("{refused}"));
    assert_eq!(error["cell"], "I3", "{error}");
    let (_, contracts) = app.get_json("/api/v1/contracts").await;
    assert_eq!(contracts["total"], 0, "nothing was written");

    let ledger = ledger_with_clauses("アクセスログの提出、多要素認証の実施確認", "");
    let (status, report) = app.import_ledger(ledger.clone()).await;
    assert_eq!(status, Status::Ok, "{report}");
    assert_eq!(report["imported"], 2);
    assert_eq!(
        clause_ids(&app, "L-1").await,
        ["deletion", "access-log", "mfa"]
    );
    assert_eq!(
        clause_ids(&app, "L-2").await,
        ["deletion", "incident-report"],
        "an ordinary contract's defaults"
    );
    let (status, again) = app.import_ledger(ledger).await;
    assert_eq!(status, Status::Ok, "{again}");
    assert_eq!(
        (again["unchanged"].as_i64(), again["updated"].as_i64()),
        (Some(2), Some(0)),
        "{again}"
    );

    let (status, changed) = app
        .import_ledger(ledger_with_clauses("アクセスログ提出", ""))
        .await;
    assert_eq!(status, Status::Ok, "{changed}");
    assert_eq!(changed["updated"], 1, "{changed}");
    assert_eq!(clause_ids(&app, "L-1").await, ["deletion", "access-log"]);
}

#[rocket::async_test]
async fn a_contract_registered_after_its_end_gets_no_dated_submissions() {
    let w = world().await;
    let id = w.contract("R6-900", "2024-04-01", "2025-03-31").await;
    let set = w.clauses(id).await;
    let ids: Vec<&str> = set["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clause_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["deletion", "incident-report"], "{set}");
    assert!(set["obligations"].as_array().unwrap().is_empty(), "{set}");
}
