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
        sheet.write_number(row, 0, entry.id.get() as f64)?;
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

/// One list of a report: a sheet of contracts that owe something.
pub struct ReportSheet<'a> {
    pub name: &'a str,
    pub entries: &'a [crate::judging::Entry],
}

/// A report as a workbook: a cover sheet (the day it is computed for), then one sheet per list, one
/// contract per row, with the deadline as a date and the days late as a number.
pub fn report(
    title: &str,
    as_of: chrono::NaiveDate,
    judged_at: &str,
    sheets: &[ReportSheet<'_>],
    indicators: &[crate::judging::Indicator],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#EEF2F7");
    report_cover(
        &mut workbook,
        title,
        as_of,
        judged_at,
        sheets,
        indicators,
        &header,
    )?;
    for sheet in sheets {
        report_list(&mut workbook, sheet, &header)?;
    }
    workbook.save_to_buffer()
}

/// 概要: the day the report is for, when it was judged, each list's length and the KPIs.
fn report_cover(
    workbook: &mut Workbook,
    title: &str,
    as_of: chrono::NaiveDate,
    judged_at: &str,
    sheets: &[ReportSheet<'_>],
    indicators: &[crate::judging::Indicator],
    header: &Format,
) -> Result<(), XlsxError> {
    let percent = Format::new().set_num_format("0.0%");
    let cover = workbook.add_worksheet();
    cover.set_name("概要")?;
    cover.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    cover.write_string(1, 0, "基準日")?;
    cover.write_string(1, 1, crate::domain::wareki(as_of))?;
    cover.write_string(1, 2, as_of.to_string())?;
    cover.write_string(2, 0, "集計時点")?;
    cover.write_string(2, 1, judged_at)?;
    let mut row = 4;
    for sheet in sheets {
        cover.write_string(row, 0, sheet.name)?;
        cover.write_number(row, 1, sheet.entries.len() as f64)?;
        row += 1;
    }
    if !indicators.is_empty() {
        row += 1;
        for (column, text) in ["指標", "該当", "対象", "割合", "目標"].iter().enumerate()
        {
            cover.write_string_with_format(row, column as u16, *text, header)?;
        }
        for indicator in indicators {
            row += 1;
            cover.write_string(row, 0, indicator.label)?;
            cover.write_number(row, 1, indicator.numerator as f64)?;
            cover.write_number(row, 2, indicator.denominator as f64)?;
            if let Some(ratio) = indicator.ratio {
                cover.write_number_with_format(row, 3, ratio, &percent)?;
            }
            if let Some(goal) = indicator.goal {
                cover.write_number_with_format(row, 4, goal, &percent)?;
            }
        }
    }
    cover.set_column_width(0, 60)?;
    Ok(())
}

/// One list: a contract per row, the deadline as a date and the days late as a number.
fn report_list(
    workbook: &mut Workbook,
    sheet: &ReportSheet<'_>,
    header: &Format,
) -> Result<(), XlsxError> {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let late = Format::new()
        .set_font_color("#9C0006")
        .set_background_color("#FFC7CE");
    let headers = [
        "契約番号",
        "件名",
        "所管課",
        "事業者名",
        "法人番号等",
        "重要",
        "内容",
        "年度",
        "認証",
        "認証番号",
        "期限",
        "期限(和暦)",
        "超過日数",
        "残り日数",
        "提出状況",
        "受理日",
        "遅延日数",
    ];
    let ws = workbook.add_worksheet();
    ws.set_name(sheet.name)?;
    for (column, text) in headers.iter().enumerate() {
        ws.write_string_with_format(0, column as u16, *text, header)?;
    }
    for (index, entry) in sheet.entries.iter().enumerate() {
        let r = index as u32 + 1;
        let texts = [
            entry.contract_number.as_str(),
            entry.contract_title.as_str(),
            entry.department_name.as_str(),
            entry.vendor_name.as_str(),
            entry.vendor_identifier.as_str(),
            if entry.important { "重要" } else { "" },
            entry.what.as_str(),
            entry.fiscal_year_label.as_deref().unwrap_or(""),
            entry.certification.as_ref().map_or("", |c| c.scheme_label),
            entry
                .certification
                .as_ref()
                .map_or("", |c| c.number.as_str()),
        ];
        for (column, text) in texts.iter().enumerate() {
            ws.write_string(r, column as u16, *text)?;
        }
        let deadline = rust_xlsxwriter::ExcelDateTime::parse_from_str(&entry.deadline.to_string())?;
        ws.write_datetime_with_format(r, 10, &deadline, &date)?;
        ws.write_string(r, 11, crate::domain::wareki(entry.deadline))?;
        if entry.days_overdue > 0 {
            ws.write_number_with_format(r, 12, entry.days_overdue as f64, &late)?;
        } else {
            ws.write_number(r, 12, 0.0)?;
        }
        ws.write_number(r, 13, entry.days_remaining as f64)?;
        ws.write_string(r, 14, entry.submission_label())?;
        if let Some(accepted) = entry.accepted_on {
            ws.write_string(r, 15, accepted.to_string())?;
        }
        if let Some(days) = entry.days_late {
            ws.write_number(r, 16, days as f64)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    ws.autofilter(0, 0, sheet.entries.len() as u32, headers.len() as u16 - 1)?;
    for (column, width) in [
        14, 30, 14, 24, 15, 6, 40, 12, 18, 16, 12, 16, 9, 9, 16, 12, 9,
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(column as u16, *width)?;
    }
    Ok(())
}

/// A plain table on one sheet: title lines, then a header row and text rows, frozen and filterable.
pub fn table(
    sheet_name: &str,
    title_lines: &[String],
    headers: &[&str],
    rows: &[Vec<String>],
    widths: &[f64],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold = Format::new().set_bold();
    let header = Format::new().set_bold().set_background_color("#EEF2F7");
    for (row, line) in title_lines.iter().enumerate() {
        sheet.write_string_with_format(row as u32, 0, line, &bold)?;
    }
    let first = title_lines.len() as u32 + usize::from(!title_lines.is_empty()) as u32;
    for (column, title) in headers.iter().enumerate() {
        sheet.write_string_with_format(first, column as u16, *title, &header)?;
    }
    for (index, values) in rows.iter().enumerate() {
        for (column, value) in values.iter().enumerate() {
            sheet.write_string(first + 1 + index as u32, column as u16, value)?;
        }
    }
    sheet.set_freeze_panes(first + 1, 0)?;
    sheet.autofilter(
        first,
        0,
        first + rows.len() as u32,
        headers.len().max(1) as u16 - 1,
    )?;
    for (column, width) in widths.iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    workbook.save_to_buffer()
}
