//! The list of qualified bidders (入札参加資格者名簿) into the vendor registry: through the service, the
//! API, the page and the CLI; matched by identifier, so a second import changes nothing.

mod common;
use common::Role;

use common::{spawn, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::Value;
use std::process::Command;

/// A list as a contract office keeps it in Excel: a title row, merged 業種 cells, a corporation, a sole
/// proprietor with a 登録番号 and one with only its 業者番号.
fn master_list(changed_address: bool) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("名簿").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            7,
            "令和7・8年度 入札参加資格者名簿（役務）",
            &Default::default(),
        )
        .unwrap();
    let headers = [
        "業者番号",
        "商号又は名称",
        "法人番号",
        "登録番号",
        "所在地",
        "代表者",
        "連絡先",
        "メール",
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(2, column as u16, *header).unwrap();
    }
    let sole = format!("T{}", common::corporate_number(5_150));
    let address = if changed_address {
        "東京都港区2-2-2"
    } else {
        "東京都港区1-1-1"
    };
    let rows: [[&str; 8]; 3] = [
        [
            "00101",
            "株式会社いろは印刷",
            NTA,
            "",
            address,
            "代表取締役 伊呂波 一",
            "03-1234-5678",
            "info@iroha.example",
        ],
        [
            "00102",
            "山田清掃（山田 太郎）",
            "",
            &sole,
            "横浜市中区3-3",
            "山田 太郎",
            "045-111-2222",
            "",
        ],
        [
            "00103",
            "鈴木造園",
            "",
            "",
            "川崎市4-4",
            "鈴木 花子",
            "044-333-4444",
            "",
        ],
    ];
    for (offset, row) in rows.iter().enumerate() {
        for (column, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet
                    .write_string(3 + offset as u32, column as u16, *value)
                    .unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn by_code<'a>(vendors: &'a [Value], code: &str) -> &'a Value {
    vendors
        .iter()
        .find(|v| v["vendor_code"] == code)
        .unwrap_or_else(|| panic!("{code} missing"))
}

#[rocket::async_test]
async fn the_list_is_imported_once_and_a_second_import_changes_nothing() {
    let app = spawn().await;
    // Registered before, by its 法人番号 alone: the list adds its 業者番号 and its details.
    app.seed_department_and_vendor("総務課", NTA, "株式会社いろは印刷")
        .await;

    let response = app
        .post_bytes("/api/v1/vendors/import?dry_run=true", master_list(false))
        .await;
    assert_eq!(response.status(), Status::Ok);
    let dry: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(
        (dry["imported"].as_i64(), dry["updated"].as_i64()),
        (Some(2), Some(1))
    );
    let (_, list) = app.get_json("/api/v1/vendors").await;
    assert_eq!(list["total"], 1, "a dry run writes nothing");

    let response = app
        .post_bytes("/api/v1/vendors/import", master_list(false))
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (_, list) = app.get_json("/api/v1/vendors").await;
    let mut vendors = Vec::new();
    for listed in list["items"].as_array().unwrap() {
        let (status, vendor) = app
            .get_json(&format!("/api/v1/vendors/{}", listed["id"]))
            .await;
        assert_eq!(status, Status::Ok);
        vendors.push(vendor);
    }
    assert_eq!(vendors.len(), 3);
    let iroha = by_code(&vendors, "00101");
    assert_eq!(iroha["corporate_number"], NTA);
    assert_eq!(iroha["representative"], "代表取締役 伊呂波 一");
    assert_eq!(iroha["phone"], "03-1234-5678");
    let yamada = by_code(&vendors, "00102");
    assert_eq!(yamada["corporate_number"], Value::Null);
    assert!(yamada["invoice_number"].as_str().unwrap().starts_with('T'));
    let suzuki = by_code(&vendors, "00103");
    assert_eq!(suzuki["invoice_number"], Value::Null);

    let response = app
        .post_bytes("/api/v1/vendors/import", master_list(false))
        .await;
    let again: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(
        (
            again["imported"].as_i64(),
            again["updated"].as_i64(),
            again["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(3)),
        "{again}"
    );
    let response = app
        .post_bytes("/api/v1/vendors/import", master_list(true))
        .await;
    let moved: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(
        (moved["updated"].as_i64(), moved["unchanged"].as_i64()),
        (Some(1), Some(2))
    );
    let (_, list) = app.get_json("/api/v1/vendors").await;
    assert_eq!(list["total"], 3);

    // The list assigns 業者番号: a new one replaces the registered one.
    let renumbered = format!("業者番号,商号又は名称,法人番号\n00999,株式会社いろは印刷,{NTA}\n");
    let response = app
        .post_bytes("/api/v1/vendors/import", renumbered.into_bytes())
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (_, found) = app.get_json("/api/v1/vendors?q=00999").await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["items"][0]["identifier"], NTA);

    let (status, page) = app.get_html("/vendors/import").await;
    assert_eq!(status, Status::Ok);
    assert!(page.contains("入札参加資格者名簿の取込"));
}

#[rocket::async_test]
async fn a_bad_list_writes_nothing_and_names_every_cell() {
    let app = spawn().await;
    let csv = format!(
        "業者番号,商号又は名称,法人番号,登録番号,メール\r\n\
         00101,株式会社いろは印刷,{NTA},,info@iroha.example\r\n\
         00102,,{TOYOTA},,\r\n\
         00103,個人,,123456789012,\r\n\
         00101,重複,,,\r\n\
         00104,ほへと,,,not-a-mail\r\n"
    );
    let response = app
        .post_bytes("/api/v1/vendors/import", csv.into_bytes())
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body = response.into_string().await.unwrap();
    let report: Value = serde_json::from_str(&body).unwrap();
    let errors: Vec<(i64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["cell"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "B3".to_string()),
            (4, "D4".to_string()),
            (5, "A5".to_string()),
            (6, "E6".to_string())
        ],
        "{body}"
    );
    assert!(!body.contains("123456789012"));
    let (_, list) = app.get_json("/api/v1/vendors").await;
    assert_eq!(
        list["total"], 0,
        "nothing was written, not even the good row"
    );
}

#[rocket::async_test]
async fn the_command_line_imports_with_exit_codes() {
    let url = common::fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("名簿.xlsx");
    std::fs::write(&file, master_list(false)).unwrap();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_itaku"))
            .args(["--database-url", &url, "vendors", "import"])
            .args(args)
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let path = file.to_str().unwrap();
    let (code, out) = run(&[path, "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["imported"], 3);
    let (code, out) = run(&[path]);
    assert_eq!(code, Some(0));
    assert!(out.contains("新規 0 件、更新 0 件、変更なし 3 件"), "{out}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "商号又は名称,所在地\nいろは,東京\n").unwrap();
    assert_eq!(run(&[bad.to_str().unwrap()]).0, Some(1));
    assert_eq!(run(&["--no-such-flag"]).0, Some(2));
}

#[rocket::async_test]
async fn vendors_may_not_import_and_officers_change_only_vendors_they_work_with() {
    let app = spawn().await;
    let (tax, _) = app
        .seed_department_and_vendor("税務課", TOYOTA, "はにほ株式会社")
        .await;
    app.seed_department_and_vendor("総務課", NTA, "株式会社いろは印刷")
        .await;
    let vendor = app
        .browser_as("v@test.itaku.example", Role::Vendor, Some(NTA), &[])
        .await;
    let response = vendor
        .post_bytes("/api/v1/vendors/import", master_list(false))
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let officer = app
        .browser_as("o@test.itaku.example", Role::Officer, None, &[tax])
        .await;
    let response = officer
        .post_bytes("/api/v1/vendors/import", master_list(false))
        .await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
    let body = response.into_string().await.unwrap();
    assert!(
        body.contains(
            "株式会社いろは印刷は担当する所管課の契約・入札がない事業者のため変更できません"
        ),
        "{body}"
    );
    let (_, list) = app.get_json("/api/v1/vendors").await;
    assert_eq!(list["total"], 2);
}
