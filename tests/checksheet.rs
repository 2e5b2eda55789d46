//! The check sheet: the generated template filled and read back, sheets retyped the way people do,
//! and every refusal, through the library and the `itaku checklist` commands.

use itaku::checklist::{Answer, Definition};
use itaku::excel::checksheet::{self, CheckResult};
use itaku::excel::template::{check_sheet, Prefill};
use itaku::excel::{read_tables, Limits};
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use std::io::{Cursor, Read, Write};
use std::process::Command;

fn check(bytes: &[u8]) -> CheckResult {
    checksheet::read(bytes, &Definition::builtin(), &Limits::default())
}

/// Writes values into cells of the first sheet of a workbook, as a spreadsheet program saving it would:
/// text as inline strings, numbers as values, keeping each cell's style.
fn fill(workbook: &[u8], values: &HashMap<String, String>) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(workbook)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let mut xml = String::from_utf8(content).unwrap();
            for (cell, value) in values {
                let start = xml
                    .find(&format!("<c r=\"{cell}\""))
                    .unwrap_or_else(|| panic!("no cell {cell}"));
                let end = start + xml[start..].find("/>").unwrap();
                let style = xml[start..end]
                    .split(" s=\"")
                    .nth(1)
                    .map(|s| s.split('"').next().unwrap().to_string());
                let style = style.map(|s| format!(" s=\"{s}\"")).unwrap_or_default();
                let replacement = match value.parse::<f64>() {
                    Ok(_) => format!("<c r=\"{cell}\"{style}><v>{value}</v></c>"),
                    Err(_) => format!(
                        "<c r=\"{cell}\"{style} t=\"inlineStr\"><is><t>{value}</t></is></c>"
                    ),
                };
                xml.replace_range(start..end + 2, &replacement);
            }
            content = xml.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The answer cell of every item in a generated template.
fn answer_cells(template: &[u8]) -> HashMap<String, String> {
    let tables = read_tables(template, &Limits::default()).unwrap();
    let definition = Definition::builtin();
    tables[0]
        .rows
        .iter()
        .filter(|row| definition.item(&row.cell(0).as_text()).is_some())
        .map(|row| (row.cell(0).as_text(), format!("E{}", row.number)))
        .collect()
}

fn template() -> Vec<u8> {
    let prefill = Prefill {
        vendor_name: Some("株式会社いろは印刷".into()),
        identifier: Some("7000012050002".into()),
        contract: Some("R7-001 住民税通知書の印刷".into()),
        ..Prefill::default()
    };
    check_sheet(&Definition::builtin(), &prefill).unwrap()
}

#[test]
fn a_template_made_with_answers_reads_back_as_those_answers() {
    use itaku::checklist::Answer;
    let definition = Definition::builtin();
    let mut answers: HashMap<String, (Answer, String)> = definition
        .items
        .iter()
        .map(|item| (item.id.clone(), (Answer::Yes, String::new())))
        .collect();
    answers.insert("A-2".into(), (Answer::Partial, "本社のみ".into()));
    let prefill = Prefill {
        vendor_name: Some("株式会社いろは印刷".into()),
        identifier: Some("7000012050002".into()),
        filled_on: chrono::NaiveDate::from_ymd_opt(2026, 5, 20),
        filled_by: Some("伊呂波 花子".into()),
        answers,
        ..Prefill::default()
    };
    let result = check(&check_sheet(&definition, &prefill).unwrap());
    assert!(result.accepted, "{:?}", result.errors);
    assert_eq!(result.answers.len(), 50);
    let a2 = result.answers.iter().find(|a| a.id == "A-2").unwrap();
    assert_eq!((a2.answer, a2.note.as_str()), (Answer::Partial, "本社のみ"));
    assert_eq!(result.respondent.filled_on.as_deref(), Some("2026-05-20"));
    assert_eq!(result.respondent.filled_by.as_deref(), Some("伊呂波 花子"));
}

#[test]
fn the_template_filled_in_is_read_back_exactly() {
    let template = template();
    let cells = answer_cells(&template);
    assert_eq!(cells.len(), 50);
    let typed = ["はい", "○", "いいえ", "一部", "該当なし", "済", "△", "－"];
    let mut values: HashMap<String, String> = HashMap::new();
    let mut expected = HashMap::new();
    for (i, item) in Definition::builtin().items.iter().enumerate() {
        let answer = typed[i % typed.len()];
        values.insert(cells[&item.id].clone(), answer.to_string());
        expected.insert(
            item.id.clone(),
            itaku::checklist::parse_answer(answer).unwrap().unwrap(),
        );
    }
    values.insert(cells["A-1"].replace('E', "F"), "規程第3条".into());
    values.insert("C6".into(), "45748".into()); // 2025-04-01 as an Excel date in the date-formatted cell
    values.insert("C7".into(), "佐藤 花子".into());
    let result = check(&fill(&template, &values));
    assert!(result.accepted, "{:?}", result.errors);
    assert_eq!(result.answers.len(), 50);
    for answer in &result.answers {
        assert_eq!(answer.answer, expected[&answer.id], "{}", answer.id);
        assert_eq!(answer.cell, cells[&answer.id]);
    }
    assert_eq!(result.answers[0].note, "規程第3条");
    assert_eq!(
        result.respondent.vendor_name.as_deref(),
        Some("株式会社いろは印刷")
    );
    assert_eq!(
        result.respondent.identifier.as_deref(),
        Some("7000012050002")
    );
    assert_eq!(result.respondent.filled_on.as_deref(), Some("2025-04-01"));
    assert_eq!(result.respondent.filled_by.as_deref(), Some("佐藤 花子"));
    assert!(result
        .warnings
        .iter()
        .any(|w| w.contains("必須項目に「いいえ」")));
}

#[test]
fn a_blank_template_is_refused_listing_every_unanswered_item() {
    let result = check(&template());
    assert!(!result.accepted);
    assert_eq!(result.unanswered.len(), 50);
    assert!(result.errors[0].message.contains("A-1") && result.errors[0].message.contains("L-4"));
}

/// A sheet retyped by a clerk: title rows, the respondent block beside other text, headers in other
/// words and order, an inserted column, section headings, blank rows, answers typed every which way.
fn retyped(answers: &[(&str, &str)], extra_rows: &[(&str, &str)]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let cover = workbook.add_worksheet();
    cover.set_name("表紙").unwrap();
    cover.write_string(0, 0, "提出書類一覧").unwrap();
    let sheet = workbook.add_worksheet();
    sheet.set_name("確認表").unwrap();
    sheet
        .merge_range(
            0,
            0,
            0,
            6,
            "外部委託先 情報セキュリティ確認表",
            &Format::new(),
        )
        .unwrap();
    sheet.write_string(2, 1, "委託事業者名").unwrap();
    sheet
        .write_string(2, 3, "株式会社へと清掃サービス")
        .unwrap();
    sheet.write_string(3, 1, "法人番号").unwrap();
    sheet.write_number(3, 2, 1180301018771.0).unwrap();
    sheet.write_string(4, 1, "回答日").unwrap();
    sheet.write_string(4, 2, "令和7年4月1日").unwrap();
    sheet.write_string(5, 1, "回答者").unwrap();
    sheet.write_string(5, 2, "高橋 誠").unwrap();
    let headers = [
        "確認結果",
        "No.",
        "分類",
        "担当者欄",
        "要件",
        "必須/任意",
        "証跡・備考",
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string(8, column as u16, *header).unwrap();
    }
    let definition = Definition::builtin();
    let mut row = 9;
    let mut category = String::new();
    for item in &definition.items {
        if item.category != category {
            sheet
                .write_string(row, 1, format!("「{} {}」", &item.id[..1], item.category))
                .unwrap();
            category = item.category.clone();
            row += 2; // a heading, then a blank row
        }
        let answer = answers
            .iter()
            .find(|(id, _)| *id == item.id)
            .map(|(_, a)| *a)
            .unwrap_or("はい");
        sheet.write_string(row, 0, answer).unwrap();
        sheet
            .write_string(row, 1, item.id.replace('-', "－"))
            .unwrap();
        sheet.write_string(row, 2, &item.category).unwrap();
        sheet.write_string(row, 3, "確認済").unwrap();
        sheet.write_string(row, 4, &item.requirement).unwrap();
        sheet
            .write_string(row, 5, if item.mandatory { "必須" } else { "任意" })
            .unwrap();
        sheet.write_string(row, 6, "社内規程あり").unwrap();
        row += 1;
    }
    for (id, answer) in extra_rows {
        sheet.write_string(row, 0, *answer).unwrap();
        sheet.write_string(row, 1, *id).unwrap();
        row += 1;
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_retyped_sheet_is_read_by_its_header_names() {
    let answers = [
        ("A-1", "　ハイ "),
        ("A-2", "×"),
        ("B-1", "N/A"),
        ("C-1", "一部対応"),
        ("D-1", "◯"),
        ("E-1", "ー"),
    ];
    let result = check(&retyped(&answers, &[]));
    assert!(result.accepted, "{:?}", result.errors);
    assert_eq!(result.sheet.as_deref(), Some("確認表"));
    assert_eq!(result.header_row, Some(9));
    let answer = |id: &str| result.answers.iter().find(|a| a.id == id).unwrap().answer;
    assert_eq!(answer("A-1"), Answer::Yes);
    assert_eq!(answer("A-2"), Answer::No);
    assert_eq!(answer("B-1"), Answer::Na);
    assert_eq!(answer("C-1"), Answer::Partial);
    assert_eq!(answer("D-1"), Answer::Yes);
    assert_eq!(answer("E-1"), Answer::Na);
    assert_eq!(result.answers[0].cell, "A12");
    assert_eq!(result.answers[0].note, "社内規程あり");
    assert_eq!(
        result.respondent.vendor_name.as_deref(),
        Some("株式会社へと清掃サービス")
    );
    assert_eq!(
        result.respondent.identifier.as_deref(),
        Some("1180301018771")
    );
    assert_eq!(result.respondent.filled_on.as_deref(), Some("2025-04-01"));
}

#[test]
fn unreadable_duplicated_and_unknown_items_are_refused_with_their_cells() {
    let result = check(&retyped(
        &[("F-2", "検討中")],
        &[("A-1", "はい"), ("Z-9", "はい")],
    ));
    assert!(!result.accepted);
    let messages: Vec<String> = result.errors.iter().map(|e| e.to_string()).collect();
    let f2 = result
        .errors
        .iter()
        .find(|e| e.item.as_deref() == Some("F-2"))
        .unwrap();
    assert!(
        f2.to_string().starts_with(&format!(
            "{} (F-2): 「検討中」は回答として読み取れません",
            f2.cell.as_deref().unwrap()
        )),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("(A-1): 項番「A-1」が重複しています")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("項番「Z-9」はチェックシート定義")),
        "{messages:?}"
    );
}

#[test]
fn files_that_cannot_be_read_are_refused_with_a_reason() {
    let no_header = {
        let mut workbook = Workbook::new();
        workbook
            .add_worksheet()
            .write_string(0, 0, "見積書")
            .unwrap();
        workbook.save_to_buffer().unwrap()
    };
    assert!(check(&no_header).errors[0]
        .message
        .contains("チェックシートの見出し行が見つかりません"));
    assert!(check(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").errors[0]
        .message
        .contains("ではありません"));
    let full = template();
    assert!(check(&full[..full.len() / 2]).errors[0]
        .message
        .contains("壊れているか途中で切れて"));
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0u8; 512]);
    encrypted.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    assert!(check(&encrypted).errors[0]
        .message
        .starts_with("パスワードが設定されています"));

    let mut bomb = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    bomb.start_file("xl/workbook.xml", options).unwrap();
    bomb.write_all(b"<workbook/>").unwrap();
    bomb.start_file("xl/worksheets/sheet1.xml", options)
        .unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..300 {
        bomb.write_all(&zeros).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    assert!(bomb.len() < 2 * 1024 * 1024);
    let started = std::time::Instant::now();
    let result = check(&bomb);
    assert!(
        started.elapsed().as_millis() < 1000,
        "refused without inflating"
    );
    assert!(result.errors[0]
        .message
        .contains("展開後のサイズが大きすぎる"));
    let small = checksheet::read(
        &full,
        &Definition::builtin(),
        &Limits::with_upload_bytes(1024),
    );
    assert!(small.errors[0].message.contains("大きすぎます"));
}

#[test]
fn learn_derives_the_definition_back_from_a_blank_workbook() {
    let learned = checksheet::learn(
        &template(),
        &Definition::builtin(),
        "next-edition",
        &Limits::default(),
    )
    .unwrap();
    let builtin = Definition::builtin();
    assert_eq!(learned.id, "next-edition");
    assert_eq!(learned.title, builtin.title);
    assert_eq!(learned.items.len(), builtin.items.len());
    for (learned, original) in learned.items.iter().zip(&builtin.items) {
        assert_eq!(
            (
                &learned.id,
                &learned.category,
                &learned.requirement,
                learned.mandatory
            ),
            (
                &original.id,
                &original.category,
                &original.requirement,
                original.mandatory
            )
        );
    }
}

fn itaku(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_itaku"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_check_command_answers_with_stable_json_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(path("good.xlsx"), retyped(&[], &[])).unwrap();
    std::fs::write(path("bad.xlsx"), retyped(&[("F-2", "検討中")], &[])).unwrap();
    std::fs::write(path("note.txt"), "これはワークブックではありません\0\0").unwrap();
    let (code, stdout) = itaku(&["checklist", "check", &path("good.xlsx"), "--json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["accepted"], true);
    assert_eq!(json["definition"], "mic-outsourcing-2025");
    assert_eq!(json["respondent"]["filled_on"], "2025-04-01");
    assert_eq!(json["answers"][0]["id"], "A-1");
    assert_eq!(json["answers"][0]["answer"], "yes");
    assert!(
        json["answers"][0]["cell"].as_str().is_some()
            && json["errors"].as_array().unwrap().is_empty()
    );
    for file in ["bad.xlsx", "note.txt", "missing.xlsx"] {
        let (code, stdout) = itaku(&["checklist", "check", &path(file), "--json"]);
        assert_eq!(code, 1, "{file}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(json["accepted"], false);
        assert!(!json["errors"].as_array().unwrap().is_empty(), "{file}");
    }
    let (code, _) = itaku(&[
        "checklist",
        "check",
        &path("good.xlsx"),
        "--definition",
        "no-such-edition",
    ]);
    assert_eq!(code, 2);
    let (code, _) = itaku(&["checklist", "check"]);
    assert_eq!(code, 2);
    let (code, _) = itaku(&[
        "checklist",
        "template",
        "--out",
        &path("t.xlsx"),
        "--vendor-name",
        "株式会社A",
    ]);
    assert_eq!(code, 0);
    let (code, _) = itaku(&[
        "checklist",
        "learn",
        &path("t.xlsx"),
        "--out",
        &path("next.toml"),
    ]);
    assert_eq!(code, 0);
    let (code, _) = itaku(&[
        "checklist",
        "check",
        &path("good.xlsx"),
        "--definition",
        &path("next.toml"),
    ]);
    assert_eq!(code, 0, "a learned definition reads sheets of its edition");
}
