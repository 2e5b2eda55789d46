//! 再委託先: the chain of subcontractors, the vendor's applications, the officer's decisions, and
//! 無承認の再委託 judged on any day like every other obligation. On the database the suite runs against.

mod common;
use common::{corporate_number, Method, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::{json, Value};

type World = common::VendorContract;

async fn world() -> World {
    common::vendor_contract("R8-001").await
}

impl World {
    async fn apply(&self, body: Value) -> (Status, Value) {
        self.vendor
            .send_json(
                Method::Post,
                &format!("/api/v1/contracts/{}/subcontractors", self.contract_id),
                &body,
            )
            .await
    }

    async fn approve(&self, id: i64, day: &str) {
        let (status, body) = self
            .app
            .send_json(
                Method::Post,
                &format!("/api/v1/subcontractors/{id}/decision"),
                &json!({"decision": "approve", "approved_on": day}),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
    }

    async fn unapproved(&self, as_of: &str) -> Vec<Value> {
        let (status, report) = self
            .app
            .get_json(&format!("/api/v1/reports/all?as_of={as_of}"))
            .await;
        assert_eq!(status, Status::Ok, "{report}");
        report["subcontracting"]["unapproved"]
            .as_array()
            .unwrap()
            .clone()
    }
}

#[rocket::async_test]
async fn a_second_level_subcontractor_at_work_before_its_approval_is_flagged_until_approved() {
    let w = world().await;
    let (status, first) = w
        .apply(json!({"name": "株式会社ちりぬ封入", "corporate_number": TOYOTA, "work": "封入封緘",
                      "data_items": "氏名・住所・税額", "personal_data": true, "personal_records": "150,000",
                      "location": "和歌山市", "start_date": "令和8年4月1日"}))
        .await;
    assert_eq!(status, Status::Created, "{first}");
    let first = first["id"].as_i64().unwrap();
    w.approve(first, "2026-03-25").await;
    let (status, second) = w
        .apply(
            json!({"parent_id": first, "name": "Overseas Print Ltd.", "foreign_company": true,
                      "work": "宛名印字", "uses_cloud": true, "start_date": "2026-05-01"}),
        )
        .await;
    assert_eq!(status, Status::Created, "{second}");
    let second = second["id"].as_i64().unwrap();

    assert!(
        w.unapproved("2026-04-30").await.is_empty(),
        "before it starts"
    );
    let flagged = w.unapproved("2026-05-10").await;
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0]["contract_number"], "R8-001");
    assert_eq!(flagged[0]["what"], "無承認の再委託（Overseas Print Ltd.）");
    assert_eq!(flagged[0]["deadline"], "2026-05-01");
    assert_eq!(flagged[0]["days_overdue"], 9);
    w.approve(second, "2026-05-20").await;
    assert_eq!(
        w.unapproved("2026-05-19").await.len(),
        1,
        "judged as of the day"
    );
    assert!(
        w.unapproved("2026-05-20").await.is_empty(),
        "approved that day"
    );

    // The chain, each after the one it works for, and its vendor's to-do list on the day.
    let (_, chain) = w
        .vendor
        .get_json(&format!(
            "/api/v1/contracts/{}/subcontractors",
            w.contract_id
        ))
        .await;
    assert_eq!(chain["total"], 2);
    assert_eq!(chain["items"][1]["depth"], 2);
    assert_eq!(chain["items"][1]["subcontractor"]["parent_id"], first);
    let (_, page) = w
        .vendor
        .get_html(&format!("/contracts/{}", w.contract_id))
        .await;
    assert!(
        page.contains("再々委託") && page.contains("委託元: 株式会社ちりぬ封入"),
        "{page}"
    );
    assert!(page.contains("承認済"));
    let (_, dashboard) = w.app.get_html("/dashboard?as_of=2026-05-10").await;
    assert!(dashboard.contains("無承認の再委託（Overseas Print Ltd.）"));
}

#[rocket::async_test]
async fn a_refused_application_is_not_flagged_and_says_why() {
    let w = world().await;
    let (_, applied) = w
        .apply(json!({"name": "株式会社ぬるを", "corporate_number": corporate_number(7), "work": "データ入力",
                      "start_date": "2026-06-01"}))
        .await;
    let id = applied["id"].as_i64().unwrap();
    let (status, refused) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/subcontractors/{id}/decision"),
            &json!({"decision": "refuse"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(refused["errors"][0]["field"], "reason");
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/subcontractors/{id}/decision"),
            &json!({"decision": "refuse", "reason": "個人情報を海外で扱うため"}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert!(w.unapproved("2026-07-01").await.is_empty());
    let (status, again) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/subcontractors/{id}/decision"),
            &json!({"decision": "approve", "approved_on": "2026-07-01"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "decided once: {again}");
    // The vendor hears of it.
    let (_, page) = w
        .vendor
        .get_html(&format!("/contracts/{}", w.contract_id))
        .await;
    assert!(page.contains("不承認") && page.contains("個人情報を海外で扱うため"));
}

#[rocket::async_test]
async fn an_application_names_each_wrong_field_and_stores_nothing() {
    let w = world().await;
    let (status, refused) = w
        .apply(json!({"name": " ", "corporate_number": "1234567890123", "work": "",
                      "start_date": "2027-04-01", "end_date": "2027-03-01", "personal_records": "たくさん"}))
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    let fields = common::error_fields(&refused);
    for field in [
        "name",
        "corporate_number",
        "work",
        "start_date",
        "end_date",
        "personal_records",
    ] {
        assert!(fields.contains(&field), "{field} missing: {refused}");
    }
    let (status, _) = w
        .apply(
            json!({"name": "A社", "foreign_company": true, "corporate_number": NTA, "work": "x",
                      "start_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a foreign company has no 法人番号"
    );
    let (status, _) = w
        .apply(json!({"name": "A社", "corporate_number": TOYOTA, "work": "x", "start_date": "2026-04-01",
                      "parent_id": 999_999}))
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a parent outside the chain"
    );
    let (_, chain) = w
        .app
        .get_json(&format!(
            "/api/v1/contracts/{}/subcontractors",
            w.contract_id
        ))
        .await;
    assert_eq!(chain["total"], 0, "nothing was stored");
}

#[rocket::async_test]
async fn a_vendor_cannot_apply_or_read_under_another_vendors_contract() {
    let w = world().await;
    let other_vendor = w.app.seed_vendor(TOYOTA, "ほへと株式会社").await;
    let other_contract = w
        .app
        .create_contract("R8-999", w.department_id, other_vendor)
        .await;
    let path = format!("/api/v1/contracts/{other_contract}/subcontractors");
    let (status, _) = w
        .vendor
        .send_json(
            Method::Post,
            &path,
            &json!({"name": "株式会社わかよ", "corporate_number": corporate_number(9), "work": "x",
                    "start_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = w.vendor.get_json(&path).await;
    assert_eq!(status, Status::NotFound);
    let (_, chain) = w.app.get_json(&path).await;
    assert_eq!(
        chain["total"], 0,
        "nothing was stored under the other contract"
    );
    // A vendor cannot decide on its own application either.
    let (_, own) = w
        .apply(
            json!({"name": "株式会社わかよ", "corporate_number": corporate_number(9), "work": "x",
                      "start_date": "2026-04-01"}),
        )
        .await;
    let (status, _) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/subcontractors/{}/decision", own["id"]),
            &json!({"decision": "approve", "approved_on": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, Status::Forbidden);
}

#[rocket::async_test]
async fn the_contract_page_form_applies_and_a_refused_form_keeps_what_was_typed() {
    let w = world().await;
    let page_path = format!("/contracts/{}", w.contract_id);
    let (_, page) = w.vendor.get_html(&page_path).await;
    let csrf = common::hidden_field(&page, "csrf_token").unwrap();
    let action = format!("/contracts/{}/subcontractors", w.contract_id);
    let refused = w
        .vendor
        .post_form(
            &action,
            &[
                ("csrf_token", &csrf),
                ("name", "株式会社ちりぬ封入"),
                ("corporate_number", "123"),
                ("work", "封入封緘"),
                ("start_date", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(
        refused.body.contains("value=\"株式会社ちりぬ封入\""),
        "kept"
    );
    assert!(
        refused.body.contains("href=\"#corporate_number\""),
        "the summary links the field"
    );
    let saved = w
        .vendor
        .post_form(
            &action,
            &[
                ("csrf_token", &csrf),
                ("name", "株式会社ちりぬ封入"),
                ("corporate_number", TOYOTA),
                ("work", "封入封緘"),
                ("personal_data", "on"),
                ("start_date", "2026-04-01"),
            ],
        )
        .await;
    assert_eq!(saved.status, Status::SeeOther, "{}", saved.body);
    let (_, page) = w.vendor.get_html(&page_path).await;
    assert!(page.contains("承認待ち") && page.contains("株式会社ちりぬ封入"));
}

impl World {
    /// A deletion certificate for `contract_id` listing `subcontractors`, accepted on `accepted_on`.
    async fn deletion_accepted(&self, contract_id: i64, subcontractors: &[i64], accepted_on: &str) {
        let ids: Vec<String> = subcontractors.iter().map(i64::to_string).collect();
        let mut fields = vec![
            ("deletion.data_items", "住民税データ"),
            ("deletion.media", "サーバー"),
            ("deletion.quantity", "1台"),
            ("deletion.method", "上書き消去"),
            ("deletion.responsible_person", "情報 太郎"),
            ("deletion.deleted_on", "2026-04-10"),
        ];
        fields.extend(
            ids.iter()
                .map(|id| ("deletion.subcontractor_ids", id.as_str())),
        );
        let common::Reply { status, body, .. } = self
            .vendor
            .post_multipart(
                &format!("/api/v1/contracts/{contract_id}/deletion-certificates"),
                &fields,
                Some(("deletion.pdf", common::PDF)),
            )
            .await;
        assert_eq!(status, Status::Created, "{body}");
        let created: Value = serde_json::from_str(&body).unwrap();
        let (status, body) = self
            .app
            .send_json(
                Method::Post,
                &format!("/api/v1/deletion-certificates/{}/review", created["id"]),
                &json!({"decision": "accept", "accepted_on": accepted_on}),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
    }

    async fn retention(&self, as_of: &str) -> Value {
        let (status, report) = self
            .app
            .get_json(&format!("/api/v1/reports/retention?as_of={as_of}"))
            .await;
        assert_eq!(status, Status::Ok, "{report}");
        report
    }
}

#[rocket::async_test]
async fn data_stays_retained_until_every_subcontractor_that_held_it_has_its_deletion_proven() {
    let w = world().await;
    // Ended 2026-03-31; deletion due 30 days later, on 2026-04-30.
    let ended = w
        .app
        .send_json(
            Method::Post,
            "/api/v1/contracts",
            &json!({"contract_number": "R7-050", "title": "課税資料の入力", "department_id": w.department_id,
                    "vendor_id": w.vendor_id, "start_date": "2025-04-01", "end_date": "2026-03-31",
                    "deletion_days": 30, "subcontracting_allowed": true}),
        )
        .await
        .1["id"]
        .as_i64()
        .unwrap();
    let mut holders = Vec::new();
    for (name, seed) in [("株式会社入力センター", 21), ("株式会社保管庫", 22)] {
        let (status, created) = w
            .vendor
            .send_json(
                Method::Post,
                &format!("/api/v1/contracts/{ended}/subcontractors"),
                &json!({"name": name, "corporate_number": corporate_number(seed), "work": "データ入力",
                        "personal_data": true, "start_date": "2025-04-01"}),
            )
            .await;
        assert_eq!(status, Status::Created, "{created}");
        let id = created["id"].as_i64().unwrap();
        w.approve(id, "2025-03-20").await;
        holders.push(id);
    }
    // One that never touched the data needs no certificate.
    let (_, printer) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/contracts/{ended}/subcontractors"),
            &json!({"name": "株式会社封筒", "corporate_number": corporate_number(23), "work": "封筒の納品",
                    "start_date": "2025-04-01"}),
        )
        .await;
    w.approve(printer["id"].as_i64().unwrap(), "2025-03-20")
        .await;

    // The vendor's certificate lists one of the two, accepted in time.
    w.deletion_accepted(ended, &[holders[0]], "2026-04-20")
        .await;
    let report = w.retention("2026-05-01").await;
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{report}");
    assert_eq!(violations[0]["contract_number"], "R7-050");
    // The other subcontractor's own certificate, accepted late, ends it and the history says so.
    w.deletion_accepted(ended, &[holders[1]], "2026-05-10")
        .await;
    assert_eq!(
        w.retention("2026-05-09").await["violations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let after = w.retention("2026-05-10").await;
    assert!(
        after["violations"].as_array().unwrap().is_empty(),
        "{after}"
    );
    assert_eq!(after["resolved_late"][0]["days_late"], 10);
    // The page says whose deletion is proven.
    let (_, page) = w.vendor.get_html(&format!("/contracts/{ended}")).await;
    assert!(page.contains("データを扱った再委託先の消去証明"), "{page}");
    assert!(
        !page.contains("株式会社封筒 <span class=\"badge"),
        "a subcontractor without data needs none"
    );
    // A certificate may list only the contract's own subcontractors.
    let common::Reply { status, body, .. } = w
        .vendor
        .post_multipart(
            &format!("/api/v1/contracts/{ended}/deletion-certificates"),
            &[
                ("deletion.data_items", "x"),
                ("deletion.media", "x"),
                ("deletion.quantity", "x"),
                ("deletion.method", "x"),
                ("deletion.responsible_person", "x"),
                ("deletion.deleted_on", "2026-04-10"),
                ("deletion.subcontractor_ids", "999999"),
            ],
            Some(("deletion.pdf", common::PDF)),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    assert!(body.contains("subcontractor_ids"));
}

/// A ledger of two contracts, with a 再委託先 sheet of the rows given (契約番号, 再委託先名, 法人番号,
/// 業務内容, 開始日, 承認日, 親の再委託先).
fn ledger_with_subcontractors(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let contracts: Vec<[&str; 7]> = ["L-1", "L-2"]
        .iter()
        .map(|number| {
            [
                *number,
                "通知書印刷",
                "税務課",
                "株式会社いろは印刷",
                NTA,
                "2026-04-01",
                "2027-03-31",
            ]
        })
        .collect();
    let contract_header = [
        "契約番号",
        "件名",
        "所管課",
        "事業者名",
        "法人番号",
        "契約開始日",
        "契約終了日",
    ];
    let subcontractor_header = [
        "契約番号",
        "再委託先名",
        "法人番号",
        "業務内容",
        "開始日",
        "承認日",
        "親の再委託先",
    ];
    for (name, header, rows) in [
        ("契約台帳", contract_header, contracts.as_slice()),
        ("再委託先", subcontractor_header, rows),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).unwrap();
        for (at, row) in std::iter::once(&header).chain(rows).enumerate() {
            for (column, text) in row.iter().enumerate() {
                sheet.write_string(at as u32, column as u16, *text).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[rocket::async_test]
async fn the_ledger_sheet_of_subcontractors_is_imported_with_the_contracts_all_or_nothing() {
    let app = common::spawn().await;
    let tokyo = corporate_number(31);
    let osaka = corporate_number(32);
    let bad = ledger_with_subcontractors(&[
        [
            "L-1",
            "株式会社封入",
            &tokyo,
            "封入封緘",
            "2026-04-01",
            "2026-03-20",
            "",
        ],
        [
            "L-1",
            "株式会社宛名",
            "12345",
            "宛名印字",
            "2026-05-01",
            "",
            "株式会社封入",
        ],
        ["L-9", "株式会社迷子", "", "保管", "2026-05-01", "", ""],
        [
            "L-2",
            "株式会社孫",
            &osaka,
            "発送",
            "そのうち",
            "",
            "株式会社いない",
        ],
    ]);
    let (status, refused) = app.import_ledger(bad).await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    let cells: Vec<&str> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["cell"].as_str())
        .collect();
    for cell in ["再委託先!C3", "再委託先!A4", "再委託先!E5"] {
        assert!(cells.contains(&cell), "{cell} not named: {refused}");
    }
    assert!(
        refused
            .to_string()
            .contains("親の再委託先「株式会社いない」"),
        "{refused}"
    );
    let (_, contracts) = app.get_json("/api/v1/contracts").await;
    assert_eq!(contracts["total"], 0, "nothing was written");

    let good = ledger_with_subcontractors(&[
        [
            "L-1",
            "株式会社宛名",
            &osaka,
            "宛名印字",
            "2026-05-01",
            "",
            "株式会社封入",
        ],
        [
            "L-1",
            "株式会社封入",
            &tokyo,
            "封入封緘",
            "2026-04-01",
            "2026-03-20",
            "",
        ],
        [
            "L-2",
            "Overseas Ltd.",
            "",
            "保管",
            "2026-04-01",
            "2026-03-31",
            "",
        ],
    ]);
    let (status, report) = app.import_ledger(good.clone()).await;
    assert_eq!(status, Status::Ok, "{report}");
    assert_eq!(report["subcontractors"], 3);
    let (_, contracts) = app.get_json("/api/v1/contracts").await;
    let l1 = contracts["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contract_number"] == "L-1")
        .unwrap()["id"]
        .clone();
    let (_, chain) = app
        .get_json(&format!("/api/v1/contracts/{l1}/subcontractors"))
        .await;
    assert_eq!(chain["total"], 2);
    assert_eq!(chain["items"][0]["subcontractor"]["name"], "株式会社封入");
    assert_eq!(chain["items"][0]["subcontractor"]["status"], "approved");
    assert_eq!(chain["items"][1]["depth"], 2, "the parent is written first");
    assert_eq!(chain["items"][1]["subcontractor"]["status"], "applied");
    // Unapproved from its start: on the dashboard like any obligation.
    let (_, all) = app
        .get_json("/api/v1/reports/subcontracting?as_of=2026-05-02")
        .await;
    assert_eq!(
        all["unapproved"][0]["what"],
        "無承認の再委託（株式会社宛名）"
    );
    // The same file again changes nothing.
    let (_, again) = app.import_ledger(good).await;
    assert_eq!(again["subcontractors"], 0, "{again}");
}

#[rocket::async_test]
async fn a_subcontractor_with_its_own_account_sees_only_its_part_of_the_chain() {
    let w = world().await;
    let (_, first) = w
        .apply(
            json!({"name": "株式会社ちりぬ封入", "corporate_number": TOYOTA, "work": "封入封緘",
                      "start_date": "2026-04-01"}),
        )
        .await;
    let first = first["id"].as_i64().unwrap();
    let below = corporate_number(51);
    let (status, _) = w
        .apply(
            json!({"parent_id": first, "name": "株式会社をわか宛名", "corporate_number": below,
                      "work": "宛名印字", "start_date": "2026-05-01"}),
        )
        .await;
    assert_eq!(status, Status::Created);
    let (status, _) = w
        .apply(
            json!({"name": "株式会社よたれ保管", "corporate_number": corporate_number(52),
                      "work": "帳票の保管", "start_date": "2026-04-01"}),
        )
        .await;
    assert_eq!(status, Status::Created);

    w.app.seed_vendor(TOYOTA, "株式会社ちりぬ封入").await;
    let sub = w
        .app
        .browser_as(
            "chirinu@example.jp",
            common::Role::Vendor,
            Some(TOYOTA),
            &[],
        )
        .await;
    let (status, parts) = sub.get_json("/api/v1/subcontracting").await;
    assert_eq!(status, Status::Ok, "{parts}");
    assert_eq!(parts["total"], 1, "{parts}");
    let part = &parts["items"][0];
    assert_eq!(part["contract_number"], "R8-001");
    assert_eq!(part["passed_on_by"], "株式会社いろは印刷");
    let names: Vec<(&str, i64)> = part["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l[0]["name"].as_str().unwrap(), l[1].as_i64().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("株式会社ちりぬ封入", 0), ("株式会社をわか宛名", 1)],
        "itself and those below it, not its sibling"
    );
    let (_, home) = sub.get_html("/").await;
    assert!(home.contains("再委託先として関わる業務"), "{home}");
    assert!(home.contains("株式会社をわか宛名"));
    assert!(!home.contains("株式会社よたれ保管"));
    let (status, _) = sub
        .get_json(&format!(
            "/api/v1/contracts/{}/subcontractors",
            w.contract_id
        ))
        .await;
    assert_eq!(
        status,
        Status::NotFound,
        "the whole chain stays the vendor's"
    );
    let (status, _) = sub.get_html(&format!("/contracts/{}", w.contract_id)).await;
    assert_eq!(status, Status::NotFound);

    let (status, mine) = w.vendor.get_json("/api/v1/subcontracting").await;
    assert_eq!((status, mine["total"].as_i64()), (Status::Ok, Some(0)));
    let (status, _) = w.app.get_json("/api/v1/subcontracting").await;
    assert_eq!(
        status,
        Status::Forbidden,
        "staff see the whole chain on the contract"
    );
}
