//! Workbooks Itaku writes. Every value that came from a user is written as text, never as a formula.

use crate::db::audit::AuditEntry;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The audit log as one sheet, one entry per row.
pub fn audit_log(entries: &[AuditEntry]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("監査ログ")?;
    let header = Format::new().set_bold().set_background_color("#EEF2F7");
    let headers = [
        "番号",
        "日時(UTC)",
        "操作者",
        "接続元",
        "操作",
        "対象",
        "対象ID",
        "内容",
        "変更前",
        "変更後",
    ];
    for (column, title) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &header)?;
    }
    for (index, entry) in entries.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_number(row, 0, entry.id as f64)?;
        let texts = [
            entry.occurred_at.as_str(),
            entry.actor.as_str(),
            entry.ip.as_str(),
            entry.action.as_str(),
            entry.entity_type.as_str(),
            entry.entity_id.as_str(),
            entry.summary.as_str(),
            entry.before_json.as_deref().unwrap_or(""),
            entry.after_json.as_deref().unwrap_or(""),
        ];
        for (offset, text) in texts.iter().enumerate() {
            sheet.write_string(row, offset as u16 + 1, *text)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, entries.len() as u32, headers.len() as u16 - 1)?;
    for (column, width) in [8, 22, 28, 16, 16, 14, 10, 40, 40, 40].iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    workbook.save_to_buffer()
}

/// One answer as an export shows it.
pub struct AnswerCell<'a> {
    pub answer: &'a str,
    pub label: &'a str,
}

fn answer_format(code: &str) -> Format {
    let base = Format::new()
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
        .set_align(rust_xlsxwriter::FormatAlign::Center);
    match code {
        "yes" => base.set_background_color("#DFF3E4"),
        "partial" => base.set_background_color("#FFF4CE"),
        "no" => base.set_background_color("#FDE2E1").set_bold(),
        _ => base.set_background_color("#EEF2F7"),
    }
}

/// One submission: a row per item with the answer, the vendor's note and the reviewer's comment.
pub fn submission_answers(
    title: &str,
    lines: &[(&crate::checklist::Item, AnswerCell<'_>, &str, &str)],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("回答")?;
    sheet.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(13))?;
    let header = Format::new().set_bold().set_background_color("#D9E2EC");
    for (column, name) in [
        "項番",
        "区分",
        "確認項目",
        "必須",
        "回答",
        "備考",
        "確認コメント",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(2, column as u16, *name, &header)?;
    }
    let wrap = Format::new().set_text_wrap();
    for (index, (item, answer, note, comment)) in lines.iter().enumerate() {
        let row = 3 + index as u32;
        sheet.write_string(row, 0, &item.id)?;
        sheet.write_string(row, 1, &item.category)?;
        sheet.write_string_with_format(row, 2, &item.requirement, &wrap)?;
        sheet.write_string(row, 3, if item.mandatory { "必須" } else { "任意" })?;
        sheet.write_string_with_format(row, 4, answer.label, &answer_format(answer.answer))?;
        sheet.write_string_with_format(row, 5, *note, &wrap)?;
        sheet.write_string_with_format(row, 6, *comment, &wrap)?;
    }
    for (column, width) in [7, 12, 50, 6, 10, 36, 30].iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    sheet.set_freeze_panes(3, 0)?;
    workbook.save_to_buffer()
}

/// Looks up a vendor's (by column index) answer to an item: its code and label.
pub type AnswerLookup<'a> = &'a dyn Fn(usize, &str) -> Option<(String, &'static str)>;

/// Vendors' latest answers side by side: a row per item, a column per vendor, coloured by answer.
pub fn answer_matrix(
    items: &[crate::checklist::Item],
    vendors: &[(String, String)],
    answers: AnswerLookup<'_>,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("回答一覧")?;
    let header = Format::new()
        .set_bold()
        .set_background_color("#D9E2EC")
        .set_text_wrap();
    for (column, name) in ["項番", "区分", "確認項目", "必須"].iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *name, &header)?;
    }
    for (index, (name, detail)) in vendors.iter().enumerate() {
        sheet.write_string_with_format(
            0,
            4 + index as u16,
            format!("{name}\n{detail}"),
            &header,
        )?;
        sheet.set_column_width(4 + index as u16, 14)?;
    }
    for (row_index, item) in items.iter().enumerate() {
        let row = 1 + row_index as u32;
        sheet.write_string(row, 0, &item.id)?;
        sheet.write_string(row, 1, &item.category)?;
        sheet.write_string(row, 2, &item.requirement)?;
        sheet.write_string(row, 3, if item.mandatory { "必須" } else { "任意" })?;
        for vendor_index in 0..vendors.len() {
            if let Some((code, label)) = answers(vendor_index, &item.id) {
                sheet.write_string_with_format(
                    row,
                    4 + vendor_index as u16,
                    label,
                    &answer_format(&code),
                )?;
            }
        }
    }
    for (column, width) in [7, 12, 50, 6].iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    sheet.set_row_height(0, 45)?;
    sheet.set_freeze_panes(1, 4)?;
    workbook.save_to_buffer()
}
