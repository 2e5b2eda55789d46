//! Ledger import through the service, the API, the pages and the CLI.

mod common;
use common::{Method, Reply, Role};

use common::{corporate_number, spawn, NTA, TOYOTA};
use itaku::auth::policy::EditScope;
use itaku::auth::Actor;
use itaku::config::Settings;
use itaku::services::ledger;
use rocket::http::Status;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A ledger as a municipal clerk keeps it: title rows, headers in their own order and words,
/// real Excel dates (some formatted as 和暦), 和暦 text, full-width digits and an extra column.
fn clerk_workbook(bad_row: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("R7台帳").unwrap();
    let wareki = Format::new().set_num_format("[$-ja-JP-x-gannen]ggge\"年\"m\"月\"d\"日\";@");
    sheet
        .merge_range(0, 0, 0, 8, "令和7年度 業務委託契約台帳", &Format::new())
        .unwrap();
    let headers = [
        "No.",
        "委託業務名",
        "担当課",
        "契約相手方",
        "法人番号",
        "履行期間開始",
        "履行期間終了",
        "個人情報",
        "重要度",
        "担当者メモ",
        "消去期限（日）",
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(2, column as u16, *header).unwrap();
    }
    let rows: Vec<(&str, &str, &str, &str, String, &str)> = vec![
        (
            "R7-001",
            "住民税通知書の印刷",
            "税務課",
            "株式会社いろは印刷",
            NTA.to_string(),
            "○",
        ),
        (
            "R7-002",
            "庁舎清掃",
            "管財課",
            "株式会社へと清掃",
            TOYOTA.to_string(),
            "×",
        ),
        (
            "R7-003",
            "健診データ入力",
            "健康推進課",
            "株式会社ちりぬ",
            corporate_number(123_456_789),
            "あり",
        ),
    ];
    for (i, (number, title, department, vendor, corporate, personal)) in rows.iter().enumerate() {
        let r = 3 + i as u32 * 2; // a blank row between entries
        sheet.write_string(r, 0, *number).unwrap();
        sheet.write_string(r, 1, *title).unwrap();
        sheet.write_string(r, 2, *department).unwrap();
        sheet.write_string(r, 3, *vendor).unwrap();
        if i == 1 {
            sheet
                .write_number(r, 4, corporate.parse::<f64>().unwrap())
                .unwrap();
        } else {
            sheet.write_string(r, 4, corporate.as_str()).unwrap();
        }
        sheet
            .write_datetime_with_format(r, 5, ExcelDateTime::from_ymd(2025, 4, 1).unwrap(), &wareki)
            .unwrap();
        match i {
            0 => sheet.write_string(r, 6, "令和8年3月31日").unwrap(),
            1 => sheet.write_string(r, 6, "R8.3.31").unwrap(),
            _ => sheet
                .write_datetime_with_format(
                    r,
                    6,
                    ExcelDateTime::from_ymd(2026, 3, 31).unwrap(),
                    &wareki,
                )
                .unwrap(),
        };
        sheet.write_string(r, 7, *personal).unwrap();
        sheet
            .write_string(r, 8, if i == 0 { "重要" } else { "通常" })
            .unwrap();
        sheet.write_string(r, 9, "電話で確認済み").unwrap();
        sheet.write_string(r, 10, "３０").unwrap();
    }
    if bad_row {
        sheet.write_string(7, 4, "7000012050003").unwrap();
        sheet.write_string(5, 6, "令和8年2月30日").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[rocket::async_test]
async fn imports_a_clerks_workbook_once_and_only_once() {
    let app = spawn().await;
    let bytes = clerk_workbook(false);
    let report = ledger::import(
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
    .unwrap();
    assert!(report.accepted(), "{:?}", report.errors);
    assert_eq!(
        (report.imported, report.updated, report.unchanged),
        (3, 0, 0)
    );
    assert_eq!(report.created_departments, 3);
    assert_eq!(report.created_vendors, 3);
    assert_eq!(report.header_row, Some(3));
    assert_eq!(report.ignored_columns, vec!["担当者メモ".to_string()]);

    let (_, list) = app.get_json("/api/v1/contracts?per_page=10").await;
    assert_eq!(list["total"], 3);
    let first = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contract_number"] == "R7-001")
        .unwrap();
    assert_eq!(first["start_date"], "2025-04-01");
    assert_eq!(first["end_date"], "2026-03-31");
    assert_eq!(first["handles_personal_data"], true);
    assert_eq!(first["importance"], "important");
    assert_eq!(first["deletion_days"], 30);
    let second = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["contract_number"] == "R7-002")
        .unwrap();
    assert_eq!(
        second["vendor"]["corporate_number"], TOYOTA,
        "a number cell keeps all 13 digits"
    );

    let again = ledger::import(
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
    .unwrap();
    assert_eq!((again.imported, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!((again.created_departments, again.created_vendors), (0, 0));
}

#[rocket::async_test]
async fn a_ledger_with_bad_rows_writes_nothing_and_names_each_row() {
    let app = spawn().await;
    let report = ledger::import(
        &app.db,
        &Actor::system("test"),
        &EditScope::everything(),
        &clerk_workbook(true),
        &Settings::default(),
        &app.sandbox(),
        false,
        &mut |_, _| {},
    )
    .await
    .unwrap();
    assert!(!report.accepted());
    let messages: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        messages
            .contains(&"8行目 法人番号: 法人番号のチェックディジットが一致しません".to_string()),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("6行目 契約終了日:") && m.contains("存在しない日付")),
        "{messages:?}"
    );
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["total"], 0);
    let (_, vendors) = app.get_json("/api/v1/vendors").await;
    assert_eq!(vendors["total"], 0, "no vendor was created either");
}

#[rocket::async_test]
async fn updates_changed_rows_and_keeps_values_for_missing_columns() {
    let app = spawn().await;
    let full = format!(
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日,重要度,クラウド利用\n\
         A-1,旧件名,税務課,株式会社A,{NTA},2025-04-01,2026-03-31,重要,有\n"
    );
    ledger::import(
        &app.db,
        &Actor::system("test"),
        &EditScope::everything(),
        full.as_bytes(),
        &Settings::default(),
        &app.sandbox(),
        false,
        &mut |_, _| {},
    )
    .await
    .unwrap();
    let lean = format!("契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\nA-1,新件名,税務課,株式会社A,{NTA},2025-04-01,2026-03-31\n");
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&lean);
    let report = ledger::import(
        &app.db,
        &Actor::system("test"),
        &EditScope::everything(),
        &sjis,
        &Settings::default(),
        &app.sandbox(),
        false,
        &mut |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!(
        (report.imported, report.updated, report.unchanged),
        (0, 1, 0),
        "{:?}",
        report.errors
    );
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["items"][0]["title"], "新件名");
    assert_eq!(
        list["items"][0]["importance"], "important",
        "a column the ledger lacks keeps its value"
    );
    assert_eq!(list["items"][0]["uses_cloud"], true);
}

#[rocket::async_test]
async fn the_api_imports_with_dry_run() {
    let app = spawn().await;
    let bytes = clerk_workbook(false);
    let dry = app
        .post_bytes("/api/v1/ledger/import?dry_run=true", bytes.clone())
        .await;
    assert_eq!(dry.status(), Status::Ok);
    let report: serde_json::Value =
        serde_json::from_str(&dry.into_string().await.unwrap()).unwrap();
    assert_eq!(report["imported"], 3);
    assert_eq!(report["dry_run"], true);
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["total"], 0, "a dry run writes nothing");

    let real = app.post_bytes("/api/v1/ledger/import", bytes).await;
    assert_eq!(real.status(), Status::Ok);
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["total"], 3);

    let refused = app
        .post_bytes("/api/v1/ledger/import", clerk_workbook(true))
        .await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let report: serde_json::Value =
        serde_json::from_str(&refused.into_string().await.unwrap()).unwrap();
    assert_eq!(report["errors"][0]["row"], 6);
    assert_eq!(report["errors"][0]["column"], "契約終了日");
    assert_eq!(report["errors"][0]["cell"], "G6");

    let garbage = app
        .post_bytes(
            "/api/v1/ledger/import",
            b"\x89PNG\r\n\x1a\n\0\0\0binary".to_vec(),
        )
        .await;
    assert_eq!(garbage.status(), Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn oversized_uploads_are_refused_with_413() {
    let app = common::spawn_with(|settings| settings.upload_limit_bytes = 64 * 1024).await;
    let big = vec![b'a'; 65 * 1024];
    let response = app.post_bytes("/api/v1/ledger/import", big).await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    let body = response.into_string().await.unwrap();
    assert!(body.contains("大きすぎます"), "{body}");
}

#[rocket::async_test]
async fn the_upload_page_previews_then_imports() {
    let app = spawn().await;
    let Reply {
        status, body: html, ..
    } = app
        .post_file("/ledger/preview", "台帳.xlsx", &clerk_workbook(false))
        .await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("まだ取り込んでいません"));
    assert!(html.contains("R7-003"));
    let token = html
        .split("name=\"token\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["total"], 0);

    let Reply {
        status, body: html, ..
    } = app.post_form("/ledger/import", &[("token", &token)]).await;
    assert_eq!(status, Status::Ok);
    assert!(html.contains("取り込みました"));
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(list["total"], 3);
    let Reply { status, .. } = app.post_form("/ledger/import", &[("token", &token)]).await;
    assert_eq!(
        status,
        Status::BadRequest,
        "a confirmed upload cannot be imported twice"
    );

    let Reply {
        status, body: html, ..
    } = app
        .post_file("/ledger/preview", "bad.xlsx", &clerk_workbook(true))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert!(html.contains("取り込めません"));
    assert!(html.contains("8行目") && html.contains("チェックディジット"));
}

#[rocket::async_test]
async fn an_officer_imports_only_rows_of_its_own_departments() {
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
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\n\
         T-1,印刷,税務課,株式会社A,{NTA},R7.4.1,R8.3.31\n\
         C-1,窓口,市民課,株式会社A,{NTA},R7.4.1,R8.3.31\n\
         N-1,新規,新設課,株式会社A,{NTA},R7.4.1,R8.3.31\n"
    );
    let response = officer
        .post_bytes("/api/v1/ledger/import", ledger.into_bytes())
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let report: serde_json::Value =
        serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    let errors: Vec<(i64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, 3);
    assert!(errors[0].1.contains("担当していない所管課"));
    assert_eq!(errors[1].0, 4);
    assert!(errors[1].1.contains("登録されていません"));
    assert_eq!(report["imported"], 0);
    let (_, list) = app.get_json("/api/v1/contracts").await;
    assert_eq!(
        list["total"], 0,
        "nothing was written, not even the officer's own row"
    );
    let (_, departments) = app.get_json("/api/v1/departments").await;
    assert_eq!(departments["total"], 2, "no department was created");

    let own = format!("契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\nT-1,印刷,税務課,株式会社A,{NTA},R7.4.1,R8.3.31\n");
    let response = officer
        .post_bytes("/api/v1/ledger/import", own.into_bytes())
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (_, log) = app.get_html("/audit?entity_type=contract").await;
    assert!(log.contains("契約登録 T-1（台帳取込）") && log.contains("officer@test.itaku.example"));
}

#[rocket::async_test]
async fn the_preview_shows_every_field_as_read_and_a_wrong_or_missing_file_is_named() {
    let app = spawn().await;
    let Reply {
        status, body: html, ..
    } = app
        .post_file("/ledger/preview", "台帳.xlsx", &clerk_workbook(false))
        .await;
    assert_eq!(status, Status::Ok);
    // Dates in 和暦, the department, importance and personal data as the contracts will hold them.
    assert!(
        html.contains("令和")
            && html.contains("<th>所管課</th>")
            && html.contains("<th>重要度</th>")
    );
    assert!(
        html.contains("<th>個人情報</th>") && html.contains("終了後"),
        "{html}"
    );

    let Reply {
        status, body: html, ..
    } = app
        .post_file(
            "/ledger/preview",
            "メモ.txt",
            "これは台帳ではありません".as_bytes(),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{html}");
    assert!(html.contains("取り込めません"), "{html}");

    let Reply {
        status, body: html, ..
    } = app.post_file("/ledger/preview", "", b"").await;
    assert!(status.code >= 400, "{status}");
    assert!(html.contains("ファイルを選んで"), "{html}");
}
