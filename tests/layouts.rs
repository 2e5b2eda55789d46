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
        result.respondent.identifier.as_deref(),
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

/// One BIFF12 record: its type and length as 7-bit groups, then the data.
fn biff12(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut record = if kind < 0x80 {
        vec![kind as u8]
    } else {
        vec![(kind & 0x7F) as u8 | 0x80, (kind >> 7) as u8]
    };
    let mut length = data.len();
    loop {
        let byte = (length & 0x7F) as u8;
        length >>= 7;
        record.push(if length > 0 { byte | 0x80 } else { byte });
        if length == 0 {
            break;
        }
    }
    record.extend_from_slice(data);
    record
}

fn wide(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut bytes = (units.len() as u32).to_le_bytes().to_vec();
    bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    bytes
}

/// A binary workbook (.xlsb) as Excel lays it out, with text cells at (row, column).
fn xlsb(cells: &[(u32, u32, &str)]) -> Vec<u8> {
    let mut bundle = [0u32.to_le_bytes(), 1u32.to_le_bytes()].concat();
    bundle.extend(wide("rId1"));
    bundle.extend(wide("チェックシート"));
    let workbook = [
        biff12(0x0083, &[]),
        biff12(0x008F, &[]),
        biff12(0x009C, &bundle),
        biff12(0x0090, &[]),
        biff12(0x0084, &[]),
    ]
    .concat();
    let last_row = cells.iter().map(|c| c.0).max().unwrap_or(0);
    let last_column = cells.iter().map(|c| c.1).max().unwrap_or(0);
    let dimension: Vec<u8> = [0, last_row, 0, last_column]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let mut sheet = [
        biff12(0x0081, &[]),
        biff12(0x0094, &dimension),
        biff12(0x0091, &[]),
    ]
    .concat();
    let mut row = u32::MAX;
    for (r, c, text) in cells {
        if *r != row {
            row = *r;
            let mut header = r.to_le_bytes().to_vec();
            header.extend([0u8; 13]);
            sheet.extend(biff12(0x0000, &header));
        }
        let mut cell = c.to_le_bytes().to_vec();
        cell.extend([0u8; 4]);
        cell.extend(wide(text));
        sheet.extend(biff12(0x0006, &cell));
    }
    sheet.extend([biff12(0x0092, &[]), biff12(0x0082, &[])].concat());
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in [
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_vec()),
        ("xl/workbook.bin", workbook),
        ("xl/_rels/workbook.bin.rels", rels.as_bytes().to_vec()),
        ("xl/worksheets/sheet1.bin", sheet),
    ] {
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut out, &content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_binary_workbook_is_read_and_its_far_cell_costs_nothing() {
    let definition = Definition::builtin();
    let mut cells = vec![(2, 0, "項番"), (2, 1, "確認項目"), (2, 2, "回答")];
    for (index, item) in definition.items.iter().enumerate() {
        cells.push((3 + index as u32, 0, item.id.as_str()));
        cells.push((3 + index as u32, 2, "はい"));
    }
    cells.push((1_048_575, 16_383, "far"));
    let settings = common::test_settings();
    let result = checklists::read(
        &Sandbox::from_settings(&settings),
        &settings,
        &definition,
        &xlsb(&cells),
    )
    .await
    .unwrap();
    assert!(result.accepted, "{:?}", result.errors);
    assert_eq!(result.answers[0].cell, "C4");
    assert_eq!(result.sheet.as_deref(), Some("チェックシート"));
}

#[test]
fn learn_takes_a_blank_mark_column_layout() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "項番").unwrap();
    sheet.write_string(0, 1, "確認項目").unwrap();
    sheet
        .merge_range(0, 2, 0, 4, "回答", &rust_xlsxwriter::Format::new())
        .unwrap();
    for (column, choice) in ["適合", "不適合", "該当なし"].iter().enumerate() {
        sheet.write_string(1, 2 + column as u16, *choice).unwrap();
    }
    for row in 0..5u32 {
        sheet
            .write_string(2 + row, 0, format!("Q-{}", row + 1))
            .unwrap();
        sheet
            .write_string(2 + row, 1, format!("要件 {}", row + 1))
            .unwrap();
    }
    let blank = workbook.save_to_buffer().unwrap();
    let learned =
        checksheet::learn(&blank, &Definition::builtin(), "marks", &Limits::default()).unwrap();
    let ids: Vec<&str> = learned.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["Q-1", "Q-2", "Q-3", "Q-4", "Q-5"]);
}

#[test]
fn a_hidden_sheet_before_the_real_one_is_never_read() {
    let definition = Definition::builtin();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    for (name, answer, hidden) in [("前年度", "いいえ", true), ("今年度", "はい", false)]
    {
        let sheet = workbook.add_worksheet().set_name(name).unwrap();
        sheet.write_string(0, 0, "項番").unwrap();
        sheet.write_string(0, 1, "回答").unwrap();
        for (index, item) in definition.items.iter().enumerate() {
            sheet.write_string(1 + index as u32, 0, &item.id).unwrap();
            sheet.write_string(1 + index as u32, 1, answer).unwrap();
        }
        // Excel keeps the active sheet visible: the real one is active, as in a saved workbook.
        if hidden {
            sheet.set_hidden(true);
        } else {
            sheet.set_active(true);
        }
    }
    let result = checksheet::read(
        &workbook.save_to_buffer().unwrap(),
        &definition,
        &Limits::default(),
    );
    assert_eq!(result.sheet.as_deref(), Some("今年度"));
    assert!(result.answers.iter().all(|a| a.answer == Answer::Yes));
}

#[tokio::test]
async fn csv_check_sheets_in_utf8_cp932_and_utf16_are_read() {
    let definition = Definition::builtin();
    let mut text = String::from(
        "事業者名,株式会社いろは印刷\n法人番号,7000012050002\n\n項番,確認項目,回答,備考\n",
    );
    for item in &definition.items {
        text.push_str(&format!(
            "{},\"{}\",はい（別紙参照）,\n",
            item.id, item.requirement
        ));
    }
    // Excel and finance systems end lines with CRLF.
    let text = text.replace('\n', "\r\n");
    let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(
        text.replace(',', "\t")
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let settings = common::test_settings();
    let sandbox = Sandbox::from_settings(&settings);
    for bytes in [text.as_bytes().to_vec(), cp932.into_owned(), utf16] {
        let result = checklists::read(&sandbox, &settings, &definition, &bytes)
            .await
            .unwrap();
        assert!(result.accepted, "{:?}", result.errors);
        assert_eq!(result.answers[0].note, "別紙参照");
        assert_eq!(result.header_row, Some(4));
        assert_eq!(result.answers[0].cell, "C5");
        assert_eq!(
            result.respondent.vendor_name.as_deref(),
            Some("株式会社いろは印刷")
        );
        assert_eq!(
            result.respondent.identifier.as_deref(),
            Some("7000012050002")
        );
    }
}
