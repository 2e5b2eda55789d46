//! Check-sheet submissions: the vendor downloads, fills and uploads; the officer reviews; versions
//! are kept and compared; nothing is stored from a refused sheet.

mod common;
use common::{Method, Reply, Role};

use common::{filled_check_sheet, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::json;

struct Setup {
    app: common::TestApp,
    vendor: common::Browser,
    officer: common::Browser,
    contract_id: i64,
}

async fn setup() -> Setup {
    let app = common::spawn().await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社いろは印刷")
        .await;
    let body = json!({"contract_number": "R7-001", "title": "住民税通知書の印刷", "department_id": department_id, "vendor_id": vendor_id,
                      "start_date": "2025-04-01", "end_date": "2035-03-31", "importance": "important"});
    let (status, contract) = app
        .send_json(Method::Post, "/api/v1/contracts", &body)
        .await;
    assert_eq!(status, Status::Created);
    let vendor = app
        .browser_as("vendor@test.itaku.example", Role::Vendor, Some(NTA), &[])
        .await;
    let officer = app
        .browser_as(
            "officer@test.itaku.example",
            Role::Officer,
            None,
            &[department_id],
        )
        .await;
    Setup {
        app,
        vendor,
        officer,
        contract_id: contract["id"].as_i64().unwrap(),
    }
}

/// Uploads a sheet from the vendor's page; answers the new submission's page.
async fn upload(setup: &Setup, file_name: &str, sheet: &[u8]) -> String {
    let Reply {
        status, location, ..
    } = setup
        .vendor
        .post_file(
            &format!("/contracts/{}/checklists", setup.contract_id),
            file_name,
            sheet,
        )
        .await;
    assert_eq!(status, Status::SeeOther, "{file_name} is accepted");
    location.expect("the submission's page")
}

/// The submission id in its page's address (`/checklists/12?…`).
fn submission_id(location: &str) -> i64 {
    location
        .trim_start_matches("/checklists/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The sheet answered はい throughout except C-4 (a mandatory item) answered いいえ.
fn sheet_with_one_no() -> Vec<u8> {
    filled_check_sheet(NTA, |id| if id == "C-4" { "いいえ" } else { "はい" })
}

#[rocket::async_test]
async fn the_vendor_is_asked_for_a_sheet_and_gets_one_prefilled_for_it() {
    let Setup {
        app: _app,
        vendor,
        contract_id,
        ..
    } = setup().await;
    let (_, portal) = vendor.get_html("/").await;
    assert!(
        portal.contains("チェックシートの提出（契約時）"),
        "the portal asks for the first check sheet"
    );
    let template = vendor
        .client
        .get(format!("/contracts/{contract_id}/checklist-template.xlsx"))
        .dispatch()
        .await;
    assert_eq!(template.status(), Status::Ok);
    assert_eq!(
        template.headers().get_one("Content-Disposition"),
        Some("attachment; filename=\"checksheet-R7-001.xlsx\"")
    );
    let bytes = template.into_bytes().await.unwrap();
    let blank = itaku::excel::checksheet::read(
        &bytes,
        &itaku::checklist::Definition::builtin(),
        &itaku::excel::Limits::default(),
    );
    assert_eq!(
        blank.respondent.identifier.as_deref(),
        Some(NTA),
        "prefilled for the contract's vendor"
    );
}

#[rocket::async_test]
async fn a_sheet_of_another_company_or_with_an_unreadable_answer_stores_nothing() {
    let Setup {
        app: _app,
        vendor,
        contract_id,
        ..
    } = setup().await;
    let uri = format!("/contracts/{contract_id}/checklists");
    let Reply {
        status, body: html, ..
    } = vendor
        .post_file(&uri, "他社.xlsx", &filled_check_sheet(TOYOTA, |_| "はい"))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(
        html.contains("事業者（")
            && html.contains("一致しません")
            && html.contains("何も保存していません")
    );
    let bad = filled_check_sheet(NTA, |id| if id == "F-2" { "検討中" } else { "はい" });
    let Reply {
        status, body: html, ..
    } = vendor.post_file(&uri, "bad.xlsx", &bad).await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("F-2") && html.contains("「検討中」は回答として読み取れません"));
    let (_, list) = vendor
        .get_json(&format!("/api/v1/contracts/{contract_id}/checklists"))
        .await;
    assert_eq!(list["total"], 0);
}

#[rocket::async_test]
async fn an_accepted_sheet_is_kept_byte_for_byte_with_mandatory_noes_first() {
    let setup = setup().await;
    let first = sheet_with_one_no();
    let location = upload(&setup, "第1版.xlsx", &first).await;
    let (_, page) = setup.vendor.get_html(&location).await;
    assert!(page.contains("受け付けました") && page.contains("第1版") && page.contains("確認待ち"));
    assert!(page.contains("はい 49件・いいえ 1件"));
    let c4 = page.find("<td>C-4</td>").unwrap();
    let a1 = page.find("<td>A-1</td>").unwrap();
    assert!(c4 < a1, "a mandatory item answered いいえ comes first");
    let original = setup
        .vendor
        .client
        .get(format!("/checklists/{}/file", submission_id(&location)))
        .dispatch()
        .await;
    assert_eq!(
        original.into_bytes().await.unwrap(),
        first,
        "the original file is kept byte for byte"
    );
}

#[rocket::async_test]
async fn a_return_needs_a_reason_and_the_vendor_is_asked_to_resubmit() {
    let setup = setup().await;
    let first_id = submission_id(&upload(&setup, "第1版.xlsx", &sheet_with_one_no()).await);
    let review = format!("/checklists/{first_id}/review");
    let Reply {
        status, body: html, ..
    } = setup
        .officer
        .post_form(&review, &[("decision", "return")])
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("差戻しの理由"));
    let Reply { status, .. } = setup
        .officer
        .post_form(
            &review,
            &[
                ("decision", "return"),
                ("items[C-4]", "私物端末の禁止規程を添付してください"),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let (_, page) = setup
        .vendor
        .get_html(&format!("/checklists/{first_id}"))
        .await;
    assert!(page.contains("差戻し") && page.contains("私物端末の禁止規程を添付してください"));
    let (_, portal) = setup.vendor.get_html("/").await;
    assert!(portal.contains("差し戻されたチェックシートの再提出"));
}

#[rocket::async_test]
async fn a_returned_sheet_is_owed_again_the_set_number_of_days_after_its_return() {
    let setup = setup().await;
    let first_id = submission_id(&upload(&setup, "第1版.xlsx", &sheet_with_one_no()).await);
    let Reply { status, .. } = setup
        .officer
        .post_form(
            &format!("/checklists/{first_id}/review"),
            &[
                ("decision", "return"),
                ("comment", "規程を添付してください"),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let today = itaku::services::today();
    let returned_on = |day: chrono::NaiveDate| {
        let officer = &setup.officer;
        let contract = setup.contract_id;
        async move {
            let (_, report) = officer
                .get_json(&format!("/api/v1/reports/checklists?as_of={day}"))
                .await;
            report["returned"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["contract_id"] == contract)
                .cloned()
        }
    };
    // The default: owed 14 days after the return, not the same day.
    let entry = returned_on(today).await.expect("listed as returned today");
    let due = today + chrono::Days::new(14);
    assert_eq!(entry["deadline"], due.to_string(), "{entry}");
    assert_eq!(entry["days_remaining"], 14);
    // The day before the return the version was waiting for review, not returned.
    let yesterday = today - chrono::Days::new(1);
    assert!(returned_on(yesterday).await.is_none());
    // A day past the deadline it is overdue.
    let late = returned_on(due + chrono::Days::new(1)).await.unwrap();
    assert_eq!(late["days_overdue"], 1, "{late}");
}

#[rocket::async_test]
async fn a_second_upload_is_a_new_version_compared_with_the_first_and_approved() {
    let setup = setup().await;
    let first_id = submission_id(&upload(&setup, "第1版.xlsx", &sheet_with_one_no()).await);
    let Reply { status, .. } = setup
        .officer
        .post_form(
            &format!("/checklists/{first_id}/review"),
            &[
                ("decision", "return"),
                ("items[C-4]", "規程を添付してください"),
            ],
        )
        .await;
    assert_eq!(status, Status::SeeOther);
    let location = upload(&setup, "第2版.xlsx", &filled_check_sheet(NTA, |_| "はい")).await;
    let (_, page) = setup.officer.get_html(&location).await;
    assert!(
        page.contains("第2版")
            && page.contains("第1版から1項目の回答が変わりました")
            && page.contains("前の版: いいえ</span> → 今回: <strong>はい</strong>")
    );
    // The reviewer's comment on the item is carried into the new version's review, marked as such.
    assert!(
        page.contains("value=\"規程を添付してください\"")
            && page.contains("前の版のコメントを引き継いでいます"),
        "{page}"
    );
    let (_, versions) = setup
        .officer
        .get_json(&format!(
            "/api/v1/contracts/{}/checklists",
            setup.contract_id
        ))
        .await;
    assert_eq!(versions["total"], 2);
    assert_eq!(
        versions["items"][1]["status"], "returned",
        "the first is untouched"
    );
    let second_id = versions["items"][0]["id"].as_i64().unwrap();
    let (status, approved) = setup
        .officer
        .send_json(
            Method::Post,
            &format!("/api/v1/checklists/{second_id}/review"),
            &json!({"decision": "approve", "comment": "確認しました"}),
        )
        .await;
    assert_eq!(status, Status::Ok, "{approved}");
    assert_eq!(approved["submission"]["status"], "approved");
    let (_, portal) = setup.vendor.get_html("/").await;
    assert!(!portal.contains("チェックシートの提出（契約時）") && !portal.contains("再提出"));
}

#[rocket::async_test]
async fn only_the_contracts_vendor_and_its_officers_may_submit() {
    let Setup {
        app, contract_id, ..
    } = setup().await;
    let (status, _) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": TOYOTA, "name": "株式会社へと"}),
        )
        .await;
    assert_eq!(status, Status::Created);
    let other_vendor = app
        .browser_as("other@test.itaku.example", Role::Vendor, Some(TOYOTA), &[])
        .await;
    let ciso = app
        .browser_as("ciso@test.itaku.example", Role::Ciso, None, &[])
        .await;
    let sheet = filled_check_sheet(NTA, |_| "はい");
    let response = other_vendor
        .post_bytes(
            &format!("/api/v1/contracts/{contract_id}/checklists"),
            sheet.clone(),
        )
        .await;
    assert_eq!(response.status(), Status::NotFound);
    let response = ciso
        .post_bytes(
            &format!("/api/v1/contracts/{contract_id}/checklists"),
            sheet.clone(),
        )
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let template = other_vendor
        .client
        .get(format!("/contracts/{contract_id}/checklist-template.xlsx"))
        .dispatch()
        .await;
    assert_eq!(template.status(), Status::NotFound);
    let response = app
        .post_bytes(
            &format!("/api/v1/contracts/{contract_id}/checklists?file_name=..%2F..%2Fetc%2Fpasswd"),
            sheet,
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    let (_, list) = app
        .get_json(&format!("/api/v1/contracts/{contract_id}/checklists"))
        .await;
    assert!(
        !list["items"][0]["file_name"]
            .as_str()
            .unwrap()
            .contains('/'),
        "no path in a stored name"
    );
}

#[rocket::async_test]
async fn answers_export_side_by_side_and_vendor_text_stays_text() {
    let Setup {
        app,
        vendor,
        officer,
        contract_id,
    } = setup().await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "法人番号").unwrap();
    sheet.write_string(0, 1, NTA).unwrap();
    for (column, header) in ["項番", "回答", "備考"].iter().enumerate() {
        sheet.write_string(2, column as u16, *header).unwrap();
    }
    for (index, item) in itaku::checklist::Definition::builtin()
        .items
        .iter()
        .enumerate()
    {
        let row = 3 + index as u32;
        sheet.write_string(row, 0, &item.id).unwrap();
        sheet
            .write_string(row, 1, if item.id == "C-4" { "×" } else { "○" })
            .unwrap();
        if item.id == "A-1" {
            sheet
                .write_string(row, 2, "=HYPERLINK(\"http://evil.example\",\"x\")")
                .unwrap();
        }
    }
    let response = vendor
        .post_bytes(
            &format!("/api/v1/contracts/{contract_id}/checklists"),
            workbook.save_to_buffer().unwrap(),
        )
        .await;
    let status = response.status();
    let text = response.into_string().await.unwrap();
    assert_eq!(status, Status::Created, "{text}");
    let created: serde_json::Value = serde_json::from_str(&text).unwrap();
    let submission_id = created["submission_id"].as_i64().unwrap();

    let read = |bytes: Vec<u8>| {
        itaku::excel::read_tables(&bytes, &itaku::excel::Limits::default())
            .unwrap()
            .remove(0)
    };
    let export = vendor
        .client
        .get(format!("/checklists/{submission_id}/export.xlsx"))
        .dispatch()
        .await;
    assert_eq!(export.status(), Status::Ok);
    let table = read(export.into_bytes().await.unwrap());
    let a1 = table
        .rows
        .iter()
        .find(|r| r.cell(0).as_text() == "A-1")
        .unwrap();
    assert_eq!(a1.cell(4).as_text(), "はい");
    assert_eq!(
        a1.cell(5),
        &itaku::excel::Cell::Text("=HYPERLINK(\"http://evil.example\",\"x\")".into()),
        "written as text, not a formula"
    );

    let matrix = officer
        .client
        .get("/checklists/matrix.xlsx")
        .dispatch()
        .await;
    assert_eq!(matrix.status(), Status::Ok);
    let bytes = matrix.into_bytes().await.unwrap();
    let xml = {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
        let mut text = String::new();
        archive
            .by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    assert!(!xml.contains("<f>"), "no formulas anywhere");
    let table = read(bytes);
    let header = &table.rows[0];
    let c4 = (0..60)
        .find(|&column| header.cell(column).as_text().starts_with("C-4"))
        .expect("a column per item");
    let vendor_row = table
        .rows
        .iter()
        .find(|r| r.cell(0).as_text() == "株式会社いろは印刷")
        .expect("a row per vendor");
    assert_eq!(vendor_row.cell(c4).as_text(), "いいえ");
    let (status, _) = vendor.get_html("/checklists/matrix.xlsx").await;
    assert_eq!(
        status,
        Status::Forbidden,
        "vendors do not get the cross-vendor matrix"
    );
    let (_, log) = app.get_html("/audit?action=export").await;
    assert!(
        log.contains("チェックシート回答一覧を出力（1社）")
            && log.contains("チェックシート出力 R7-001")
    );
}

#[rocket::async_test]
async fn a_new_edition_is_a_new_file_not_a_code_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut edition = itaku::checklist::Definition::builtin();
    edition.id = "mic-outsourcing-2027".into();
    edition.edition = "令和9年度版".into();
    edition.items.truncate(5);
    edition.items[4].requirement = "令和9年度に追加された確認項目".into();
    std::fs::write(
        dir.path().join("mic-outsourcing-2027.toml"),
        edition.to_toml().unwrap(),
    )
    .unwrap();
    let folder = dir.path().to_string_lossy().into_owned();
    let app = common::spawn_with(|settings| {
        settings.checklists_dir = folder.clone();
        settings.checklist_definition = "mic-outsourcing-2027".into();
    })
    .await;
    let (department_id, vendor_id) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let body = json!({"contract_number": "R9-1", "title": "業務", "department_id": department_id, "vendor_id": vendor_id,
                      "start_date": "2027-04-01", "end_date": "2028-03-31"});
    let (_, contract) = app
        .send_json(Method::Post, "/api/v1/contracts", &body)
        .await;
    let id = contract["id"].as_i64().unwrap();
    let template = app
        .client
        .get(format!("/contracts/{id}/checklist-template.xlsx"))
        .dispatch()
        .await
        .into_bytes()
        .await
        .unwrap();
    let table = itaku::excel::read_tables(&template, &itaku::excel::Limits::default())
        .unwrap()
        .remove(0);
    let texts: Vec<String> = table
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().map(|c| c.as_text()))
        .collect();
    assert!(texts.iter().any(|t| t == "令和9年度に追加された確認項目"));
    assert!(!texts.iter().any(|t| t == "L-4"));
    // A sheet of the old edition has items the new one does not know.
    let response = app
        .post_bytes(
            &format!("/api/v1/contracts/{id}/checklists"),
            filled_check_sheet(NTA, |_| "はい"),
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let result: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(result["definition"], "mic-outsourcing-2027");
    assert!(result["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("チェックシート定義（mic-outsourcing-2027）にありません"));
}

/// Issue 21, finding 11: a sheet with the 法人番号 left empty and another company's name was accepted;
/// a check-sheet original was served as .xlsx whatever it was; names and file names took
/// right-to-left overrides and zero-width characters.
#[rocket::async_test]
async fn the_respondent_must_be_the_vendor_and_originals_keep_their_type() {
    let Setup {
        app,
        vendor,
        contract_id,
        ..
    } = setup().await;
    let uri = format!("/api/v1/contracts/{contract_id}/checklists");
    let empty_number = common::check_sheet("", "株式会社よその会社", |_| "はい", |_| "");
    let response = vendor.post_bytes(&uri, empty_number).await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let refused = response.into_string().await.unwrap();
    assert!(
        refused.contains("回答者欄の法人番号が記入されていません"),
        "{refused}"
    );

    // The right 法人番号 under a differently written name: accepted, with a warning.
    let renamed = common::check_sheet(NTA, "㈱いろは印刷", |_| "はい", |_| "");
    let response = vendor.post_bytes(&uri, renamed).await;
    assert_eq!(response.status(), Status::Created);
    let accepted: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert!(
        !accepted.to_string().contains("異なります"),
        "㈱ and 株式会社 are the same name: {accepted}"
    );
    let other_name = common::check_sheet(NTA, "株式会社にほへ", |_| "はい", |_| "");
    let response = vendor.post_bytes(&uri, other_name).await;
    assert_eq!(response.status(), Status::Created);
    let warned = response.into_string().await.unwrap();
    assert!(
        warned.contains("株式会社にほへ") && warned.contains("異なります"),
        "{warned}"
    );

    // An .xls original comes back as .xls.
    let xls = std::fs::read(format!(
        "{}/tests/fixtures/checksheet-libreoffice.xls",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let response = vendor
        .post_bytes(
            &format!("{uri}?file_name=%E5%9B%9E%E7%AD%94.xls"),
            xls.clone(),
        )
        .await;
    assert_eq!(response.status(), Status::Created);
    let created: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    let id = created["submission_id"].as_i64().unwrap();
    let download = vendor
        .client
        .get(format!("/checklists/{id}/file"))
        .dispatch()
        .await;
    assert_eq!(download.status(), Status::Ok);
    assert_eq!(
        download.headers().get_one("Content-Type"),
        Some("application/vnd.ms-excel")
    );
    assert!(download
        .headers()
        .get_one("Content-Disposition")
        .unwrap()
        .contains(".xls"));
    assert_eq!(download.into_bytes().await.unwrap(), xls);

    // A file name that reads backwards, and a vendor name with a zero-width space.
    let response = vendor
        .post_bytes(
            &format!("{uri}?file_name=%E2%80%AEslx.exe"),
            common::filled_check_sheet(NTA, |_| "はい"),
        )
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    assert!(response.into_string().await.unwrap().contains("[U+202E]"));
    let (status, body) = app
        .send_json(
            Method::Post,
            "/api/v1/vendors",
            &json!({"corporate_number": common::corporate_number(77), "name": "株式会社\u{200B}いろは"}),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(body.to_string().contains("見えない文字"), "{body}");
}
