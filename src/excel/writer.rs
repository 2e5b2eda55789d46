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
