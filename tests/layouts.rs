//! Check sheets as people really make them (tests/fixtures/layouts/, written by openpyxl and re-saved
//! by LibreOffice; see make_layouts.py): each is read right, through the parse sandbox as an upload is,
//! or refused by item and cell.

mod common;

use itaku::checklist::{Answer, Definition};
use itaku::excel::checksheet::{self, CheckResult};
use itaku::excel::Limits;
use itaku::sandbox::Sandbox;
use itaku::services::checklists;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("tests/fixtures/layouts/{name}"))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The answer make_layouts.py wrote for the index-th item.
fn expected(index: usize) -> Answer {
    const CHOICES: [Answer; 4] = [Answer::Yes, Answer::No, Answer::Partial, Answer::Na];
    if index % 3 == 0 {
        CHOICES[index % 4]
    } else {
        Answer::Yes
    }
}

async fn read(name: &str, definition: &Definition) -> CheckResult {
    let settings = common::test_settings();
    checklists::read(
        &Sandbox::from_settings(&settings),
        &settings,
        definition,
        &fixture(name),
    )
    .await
    .unwrap()
}

fn assert_every_answer(name: &str, result: &CheckResult, definition: &Definition) {
    assert!(result.accepted, "{name}: {:?}", result.errors);
    assert_eq!(result.answers.len(), definition.items.len(), "{name}");
    for (index, item) in definition.items.iter().enumerate() {
        let answer = result.answers.iter().find(|a| a.id == item.id).unwrap();
        assert_eq!(
            answer.answer,
            expected(index),
            "{name} {} at {}",
            item.id,
            answer.cell
        );
    }
    assert_eq!(
        result.respondent.vendor_name.as_deref(),
        Some("株式会社いろは印刷"),
        "{name}"
    );
    assert_eq!(
        result.respondent.corporate_number.as_deref(),
        Some("7000012050002"),
        "{name}"
    );
    assert_eq!(
        result.respondent.filled_on.as_deref(),
        Some("2025-04-01"),
        "{name}"
    );
}

#[tokio::test]
async fn every_layout_in_every_format_is_read_right() {
    let definition = Definition::builtin();
    for layout in [
        "marks-two-rows",
        "marks-cover-example-hidden",
        "words-boxes-ids",
    ] {
        for format in ["xlsx", "ods", "xls"] {
            let name = format!("{layout}.{format}");
            let result = read(&name, &definition).await;
            assert_every_answer(&name, &result, &definition);
        }
    }
    let result = read("words-boxes-ids.xlsm", &definition).await;
    assert_every_answer("words-boxes-ids.xlsm", &result, &definition);
}

#[tokio::test]
async fn the_real_sheet_is_read_never_the_example_or_a_hidden_copy() {
    let definition = Definition::builtin();
    let result = read("marks-cover-example-hidden.xlsx", &definition).await;
    assert_eq!(result.sheet.as_deref(), Some("回答"));
    let result = read("example-only.xlsx", &definition).await;
    assert!(!result.accepted);
    assert!(
        result.errors[0]
            .message
            .contains("記入例のシートだけが記入されています"),
        "{:?}",
        result.errors
    );
}

#[tokio::test]
async fn marks_land_in_their_cells_and_remarks_go_to_the_note() {
    let definition = Definition::builtin();
    let result = read("marks-two-rows.xlsx", &definition).await;
    // A-1 (index 0) is はい, marked in column C of row 5.
    let first = result.answers.iter().find(|a| a.id == "A-1").unwrap();
    assert_eq!(first.cell, "C5");
    let result = read("words-boxes-ids.xlsx", &definition).await;
    let with_remark = result
        .answers
        .iter()
        .find(|a| a.note.contains("令和8年3月までに対応予定"))
        .expect("the remark after いいえ is kept as the note");
    assert_eq!(with_remark.answer, Answer::No);
    assert!(result.answers.iter().any(|a| a.note == "別紙参照"));
}

#[tokio::test]
async fn the_ransomware_list_is_read_with_its_own_definition_and_learned_from_a_blank_one() {
    let dir = std::path::Path::new("checklists");
    let ransomware = Definition::resolve(Some("mic-ransomware-2025"), dir).unwrap();
    assert_eq!(ransomware.items.len(), 11);
    let result = read("ransomware-answered.xlsx", &ransomware).await;
    assert!(result.accepted, "{:?}", result.errors);
    let ninth = result.answers.iter().find(|a| a.id == "9").unwrap();
    assert_eq!(ninth.answer, Answer::No);
    assert_eq!(ninth.cell, "C16");

    let settings = common::test_settings();
    let sandbox = Sandbox::from_settings(&settings);
    let learned = checklists::learn(&sandbox, &settings, &fixture("ransomware-blank.xlsx"), "r")
        .await
        .unwrap()
        .unwrap();
    let ids: Vec<&str> = learned.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, (1..=11).map(|n| n.to_string()).collect::<Vec<_>>());
    assert_eq!(
        learned.items[0].requirement,
        ransomware.items[0].requirement
    );
}

#[tokio::test]
async fn learn_takes_an_unnamed_answer_column_beside_the_requirement() {
    let settings = common::test_settings();
    let sandbox = Sandbox::from_settings(&settings);
    let learned = checklists::learn(
        &sandbox,
        &settings,
        &fixture("unnamed-answer-column.xlsx"),
        "u",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(learned.items.len(), 12);
    assert!(learned
        .columns
        .answer
        .iter()
        .any(|name| name == "貴社の状況"));
    // A sheet of that layout, filled in, is then read with the learned definition.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in ["項番", "区分", "確認項目", "貴社の状況"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, column as u16, *header).unwrap();
    }
    for (index, item) in learned.items.iter().enumerate() {
        let row = 2 + index as u32;
        sheet.write_string(row, 0, &item.id).unwrap();
        sheet.write_string(row, 2, &item.requirement).unwrap();
        sheet.write_string(row, 3, "はい").unwrap();
    }
    let result = checksheet::read(
        &workbook.save_to_buffer().unwrap(),
        &learned,
        &Limits::default(),
    );
    assert!(result.accepted, "{:?}", result.errors);
}

/// A sheet with one column per choice, as rust_xlsxwriter writes it, with `marks[i]` in row i.
fn marks_sheet(marks: &[(&str, &[(u16, &str)])]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, header) in ["項番", "確認項目", "はい", "いいえ", "一部", "該当なし"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for (index, (id, cells)) in marks.iter().enumerate() {
        let row = 1 + index as u32;
        sheet.write_string(row, 0, *id).unwrap();
        for (column, mark) in *cells {
            sheet.write_string(row, *column, *mark).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn two_marks_or_two_choices_in_one_row_are_errors_naming_the_item_and_cell() {
    let definition = Definition::builtin();
    let bytes = marks_sheet(&[
        ("A-1", &[(2, "○"), (3, "○")]),
        ("A-2", &[(4, "たぶん")]),
        ("A-3", &[]),
    ]);
    let result = checksheet::read(&bytes, &definition, &Limits::default());
    assert!(!result.accepted);
    let error = |item: &str| {
        result
            .errors
            .iter()
            .find(|e| e.item.as_deref() == Some(item))
            .unwrap()
    };
    assert_eq!(error("A-1").cell.as_deref(), Some("C2"));
    assert!(error("A-1")
        .message
        .contains("複数の回答に印があります（はい・いいえ）"));
    assert_eq!(error("A-2").cell.as_deref(), Some("E3"));
    // A row with no mark is unanswered, named with its cell.
    let unanswered = result
        .errors
        .iter()
        .find(|e| e.message.starts_with("未回答"))
        .unwrap();
    assert!(
        unanswered.message.contains("A-3（C4）"),
        "{}",
        unanswered.message
    );

    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "項番").unwrap();
    sheet.write_string(0, 1, "回答").unwrap();
    sheet.write_string(1, 0, "A-1").unwrap();
    sheet.write_string(1, 1, "はい・いいえ").unwrap();
    let result = checksheet::read(
        &workbook.save_to_buffer().unwrap(),
        &definition,
        &Limits::default(),
    );
    let error = result
        .errors
        .iter()
        .find(|e| e.item.as_deref() == Some("A-1"))
        .unwrap();
    assert_eq!(error.cell.as_deref(), Some("B2"));
    assert!(
        error.message.contains("回答が複数書かれています"),
        "{}",
        error.message
    );
}

/// A transitional workbook rewritten with the Strict Open XML namespaces Excel uses for that format.
fn as_strict(bytes: &[u8]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut content = String::new();
        std::io::Read::read_to_string(&mut entry, &mut content).unwrap();
        let content = content
            .replace(
                "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                "http://purl.oclc.org/ooxml/spreadsheetml/main",
            )
            .replace(
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                "http://purl.oclc.org/ooxml/officeDocument/relationships",
            );
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, content.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn strict_open_xml_is_read() {
    let definition = Definition::builtin();
    let template = itaku::excel::template::check_sheet(&definition, &Default::default()).unwrap();
    let tables = itaku::excel::read_tables(&as_strict(&template), &Limits::default()).unwrap();
    let result = checksheet::from_tables(&tables, &definition);
    assert_eq!(
        result.unanswered.len(),
        definition.items.len(),
        "{:?}",
        result.errors
    );
}

#[test]
fn hidden_sheets_are_known_in_every_format() {
    for format in ["xlsx", "ods", "xls"] {
        let bytes = fixture(&format!("marks-cover-example-hidden.{format}"));
        let tables = itaku::excel::read_tables(&bytes, &Limits::default()).unwrap();
        let hidden: Vec<&str> = tables
            .iter()
            .filter(|t| t.hidden)
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(hidden, ["前年度", "リスト"], "{format}");
    }
}

/// The LibreOffice check sheet, encrypted as Excel encrypts a workbook with `password`.
fn encrypted_xls(password: &str) -> Vec<u8> {
    use itaku::excel::{inspect, xls_crypto};
    let plain = std::fs::read("tests/fixtures/checksheet-libreoffice.xls").unwrap();
    let stream = inspect::xls_workbook_stream(&plain).unwrap().unwrap();
    let sealed = xls_crypto::encrypt_for_tests(&stream, password, *b"0123456789abcdef");
    xls_crypto::compound_file(&sealed).unwrap()
}

#[test]
fn an_xls_with_excels_default_password_is_opened_and_any_other_refused() {
    let plain = std::fs::read("tests/fixtures/checksheet-libreoffice.xls").unwrap();
    let expected = itaku::excel::read_tables(&plain, &Limits::default()).unwrap();
    let opened =
        itaku::excel::read_tables(&encrypted_xls("VelvetSweatshop"), &Limits::default()).unwrap();
    assert_eq!(opened, expected);
    let refused = itaku::excel::read_tables(&encrypted_xls("himitsu"), &Limits::default());
    let error = refused.unwrap_err();
    assert_eq!(error, itaku::excel::ReadError::Encrypted);
    assert!(error
        .to_string()
        .starts_with("パスワードが設定されています"));
    if let Ok(path) = std::env::var("ITAKU_WRITE_ENCRYPTED_XLS") {
        std::fs::write(path, encrypted_xls("VelvetSweatshop")).unwrap();
    }
}
