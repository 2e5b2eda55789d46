//! Ledgers as municipalities keep them (tests/fixtures/ledgers/, made by openpyxl, LibreOffice and as a
//! finance system's CP932 export): merged 所管課, 契約期間 in one cell, 契約金額 as people type it, 合計
//! and note rows, one sheet per department; and every error of a file reported in one pass.

mod common;
use common::{Method, Role};

use common::{spawn, TestApp, NTA};
use itaku::auth::policy::EditScope;
use itaku::auth::Actor;
use itaku::config::Settings;
use itaku::services::ledger::{self, ImportReport};
use rocket::http::Status;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/ledgers/{name}")).unwrap()
}

async fn import(app: &TestApp, bytes: &[u8]) -> ImportReport {
    ledger::import(
        &app.db,
        &Actor::system("test"),
        &EditScope::everything(),
        bytes,
        &Settings::default(),
        &app.sandbox(),
        false,
        &mut |_, _| {},
    )
    .await
    .unwrap()
}

fn by_number<'a>(list: &'a Value, number: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contract_number"] == number)
        .unwrap_or_else(|| panic!("{number} is missing"))
}

/// What every fixture must read as, whatever its layout.
async fn assert_the_five_contracts(app: &TestApp, name: &str) {
    let (_, list) = app.get_json("/api/v1/contracts?per_page=50").await;
    assert_eq!(list["total"], 5, "{name}");
    for (number, department, start, end, amount) in [
        ("R7-001", "税務課", "2025-04-01", "2026-03-31", 1_234_000),
        ("R7-002", "税務課", "2025-04-01", "2026-03-31", 1_234_000),
        ("R7-003", "税務課", "2025-04-01", "2026-03-31", 980_000),
        ("R7-004", "管財課", "2025-04-01", "2026-03-31", 550_000),
        ("R1-001", "管財課", "2019-04-01", "2020-03-31", 3_300_000),
    ] {
        let contract = by_number(&list, number);
        assert_eq!(
            contract["department"]["name"], department,
            "{name} {number}"
        );
        assert_eq!(contract["start_date"], start, "{name} {number}");
        assert_eq!(contract["end_date"], end, "{name} {number}");
        assert_eq!(contract["amount"], amount, "{name} {number}");
    }
}

#[rocket::async_test]
async fn merged_departments_one_cell_periods_amounts_and_total_rows_are_read_in_every_format() {
    for name in ["merged-total.xlsx", "merged-total.ods", "merged-total.xls"] {
        let app = spawn().await;
        let report = import(&app, &fixture(name)).await;
        assert!(report.accepted(), "{name}: {:?}", report.errors);
        assert_eq!(report.imported, 5, "{name}");
        let skipped: Vec<(u32, &str)> = report
            .skipped
            .iter()
            .map(|s| (s.row, s.text.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [(8, "合計"), (9, "※契約金額は税込です。")],
            "{name}"
        );
        assert_the_five_contracts(&app, name).await;
    }
}

#[rocket::async_test]
async fn contracts_are_filtered_by_amount() {
    let app = spawn().await;
    assert!(import(&app, &fixture("merged-total.xlsx")).await.accepted());
    for (query, total) in [
        ("amount_min=1000000", 3),
        ("amount_max=1%2C000%2C000", 2),
        ("amount_min=100%E4%B8%87%E5%86%86&amount_max=2000000", 2),
    ] {
        let (status, list) = app.get_json(&format!("/api/v1/contracts?{query}")).await;
        assert_eq!(status, Status::Ok, "{query}: {list}");
        assert_eq!(list["total"], total, "{query}");
    }
    let (status, body) = app.get_json("/api/v1/contracts?amount_min=abc").await;
    assert_eq!(status, Status::UnprocessableEntity, "{body}");
    let (status, page) = app.get_html("/contracts?amount_min=1000000").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("R1-001") && !page.contains("R7-003"));
}

#[rocket::async_test]
async fn a_sheet_per_department_is_read_when_there_is_no_department_column() {
    for name in [
        "per-department.xlsx",
        "per-department.ods",
        "per-department.xls",
    ] {
        let app = spawn().await;
        let report = import(&app, &fixture(name)).await;
        assert!(report.accepted(), "{name}: {:?}", report.errors);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("シート名を所管課として読みました（税務課、管財課）")),
            "{name}: {:?}",
            report.warnings
        );
        assert_eq!(report.skipped.len(), 2, "{name}: the 小計 rows");
        assert_the_five_contracts(&app, name).await;
    }
}

#[rocket::async_test]
async fn a_finance_systems_cp932_export_is_read() {
    let app = spawn().await;
    let report = import(&app, &fixture("finance-cp932.csv")).await;
    assert!(report.accepted(), "{:?}", report.errors);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(
        report.skipped[0].row, 7,
        "CRLF rows are numbered as Excel shows them"
    );
    assert_the_five_contracts(&app, "finance-cp932.csv").await;
}

#[rocket::async_test]
async fn without_a_department_column_or_sheets_named_after_departments_the_column_is_missing() {
    let app = spawn().await;
    let csv = format!(
        "契約番号,件名,事業者名,法人番号,契約期間\nK-1,印刷,株式会社A,{NTA},R7.4.1～R8.3.31\n"
    );
    let report = import(&app, csv.as_bytes()).await;
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].message, "必須の列がありません: 所管課");
    let csv = "契約番号,件名,所管課,事業者名,法人番号\nK-1,印刷,総務課,株式会社A,7000012050002\n";
    let report = import(&app, csv.as_bytes()).await;
    assert!(
        report.errors[0]
            .message
            .contains("契約開始日、契約終了日、（または 契約期間）"),
        "{:?}",
        report.errors
    );
}

#[rocket::async_test]
async fn every_error_of_a_ledger_is_reported_in_one_pass_with_its_cell() {
    let app = spawn().await;
    let (tax, _) = app
        .seed_department_and_vendor("税務課", NTA, "株式会社A")
        .await;
    let (status, _) = app
        .send_json(
            Method::Post,
            "/api/v1/departments",
            &serde_json::json!({"name": "市民課"}),
        )
        .await;
    assert_eq!(status, Status::Created);
    let officer = app
        .browser_as("officer@test.itaku.example", Role::Officer, None, &[tax])
        .await;
    let ledger = format!(
        "契約番号,件名,所管課,事業者名,法人番号,契約期間,契約金額\r\n\
         T-1,印刷,税務課,株式会社A,{NTA},R7.4.1～R8.3.31,\"1,000円\"\r\n\
         C-1,窓口,市民課,株式会社A,{NTA},R7.4.1～R8.3.31,\r\n\
         T-2,入力,税務課,株式会社A,{NTA},R8.3.31～R7.4.1,未定\r\n"
    );
    let response = officer
        .post_bytes("/api/v1/ledger/import", ledger.into_bytes())
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let report: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    let errors: Vec<(i64, &str, &str)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["cell"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1), (3, "C3"), "{errors:?}");
    assert!(errors[0].2.contains("担当していない所管課"));
    assert_eq!((errors[1].0, errors[1].1), (4, "F4"), "{errors:?}");
    assert!(errors[1].2.contains("契約終了日は契約開始日以降"));
    assert_eq!((errors[2].0, errors[2].1), (4, "G4"), "{errors:?}");
    assert!(errors[2].2.contains("「未定」は金額として読み取れません"));
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["total"], 0, "nothing was written");
}

#[rocket::async_test]
async fn the_amount_is_kept_shown_in_yen_and_a_later_ledger_without_it_keeps_it() {
    let app = spawn().await;
    let first = format!(
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日,契約金額（千円）\n\
         K-1,印刷,総務課,株式会社A,{NTA},R7.4.1,R8.3.31,\"1,234\"\n"
    );
    assert!(import(&app, first.as_bytes()).await.accepted());
    let again = format!(
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\n\
         K-1,印刷,総務課,株式会社A,{NTA},R7.4.1,R8.3.31\n"
    );
    let report = import(&app, again.as_bytes()).await;
    assert_eq!(report.unchanged, 1);
    let (_, list) = app.get_json("/api/v1/contracts").await;
    let contract = by_number(&list, "K-1");
    assert_eq!(contract["amount"], 1_234_000);
    let (status, html) = app
        .get_html(&format!("/contracts/{}", contract["id"]))
        .await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("1,234,000円"), "{html}");
}

#[rocket::async_test]
async fn errors_on_a_sheet_per_department_name_the_sheet() {
    let app = spawn().await;
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for (sheet_name, rows) in [
        ("総務課", vec![["S-1", "印刷", "R7.4.1～R8.3.31"]]),
        (
            "税務課",
            vec![
                ["S-1", "入力", "R7.4.1～R8.3.31"],
                ["T-2", "封入", "R7.4.31～R8.3.31"],
            ],
        ),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name).unwrap();
        for (column, header) in ["契約番号", "件名", "事業者名", "法人番号", "契約期間"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, column as u16, *header).unwrap();
        }
        for (offset, [number, title, period]) in rows.iter().enumerate() {
            let row = 1 + offset as u32;
            for (column, value) in [*number, *title, "株式会社A", NTA, *period]
                .iter()
                .enumerate()
            {
                sheet.write_string(row, column as u16, *value).unwrap();
            }
        }
    }
    let report = import(&app, &workbook.save_to_buffer().unwrap()).await;
    let errors: Vec<(Option<String>, String)> = report
        .errors
        .iter()
        .map(|e| (e.cell.clone(), e.message.clone()))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0.as_deref(), Some("税務課!A2"), "{errors:?}");
    assert!(errors[0].1.contains("総務課 2行目と重複"), "{errors:?}");
    assert_eq!(errors[1].0.as_deref(), Some("税務課!E3"), "{errors:?}");
}
