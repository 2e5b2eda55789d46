//! The certification list as municipalities keep it in Excel: its columns, and each row read and
//! checked before anything is written.

use crate::domain::certification::{CertificationDraft, CertificationFields, Scheme};
use crate::domain::{BoundedText, VendorIdentity};
use crate::excel::header::{self, Column, RowError};
use crate::excel::{self, Limits, Row};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// A column of a certification list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    CorporateNumber,
    InvoiceNumber,
    VendorCode,
    VendorName,
    Scheme,
    Number,
    Level,
    IssuedOn,
    ValidUntil,
    Scope,
    Body,
    /// ISMS: the edition of ISO/IEC 27001.
    Standard,
}

impl Column for Field {
    const ALL: &'static [Self] = &[
        Field::CorporateNumber,
        Field::InvoiceNumber,
        Field::VendorCode,
        Field::VendorName,
        Field::Scheme,
        Field::Number,
        Field::Level,
        Field::IssuedOn,
        Field::ValidUntil,
        Field::Scope,
        Field::Body,
        Field::Standard,
    ];

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::CorporateNumber => &["法人番号", "事業者法人番号", "委託先法人番号"],
            // 「登録番号」 alone is a certificate's number here (Pマーク, SECURITY ACTION).
            Field::InvoiceNumber => &[
                "適格請求書発行事業者登録番号",
                "インボイス登録番号",
                "適格請求書登録番号",
            ],
            Field::VendorCode => &["業者番号", "業者コード", "登録業者番号"],
            Field::VendorName => &[
                "事業者名",
                "商号又は名称",
                "会社名",
                "事業者",
                "委託先",
                "委託先名",
            ],
            Field::Scheme => &[
                "種別",
                "認証種別",
                "認証の種類",
                "認証",
                "制度",
                "認証制度",
                "認証・登録",
            ],
            Field::Number => &[
                "番号",
                "登録番号",
                "認証番号",
                "認定番号",
                "証明書番号",
                "自己宣言ID",
                "宣言ID",
            ],
            Field::Level => &["区分", "ランク", "段階", "レベル", "星"],
            Field::IssuedOn => &[
                "取得日",
                "発行日",
                "認証日",
                "登録日",
                "宣言日",
                "初回登録日",
            ],
            Field::ValidUntil => &["有効期限", "有効期間満了日", "有効期限日", "満了日", "期限"],
            Field::Scope => &["適用範囲", "認証範囲", "登録範囲", "範囲", "サービス名"],
            Field::Body => &["認証機関", "審査機関", "認証機関名"],
            Field::Standard => &["規格", "認証規格", "適用規格", "規格の版"],
        }
    }

    fn required(self) -> bool {
        matches!(self, Field::Scheme)
    }
}

/// One valid row of a certification list.
#[derive(Debug, Clone)]
pub struct ListRow {
    pub(super) row: u32,
    pub(super) identity: VendorIdentity,
    pub(super) vendor_name: Option<BoundedText<200>>,
    pub(super) draft: CertificationDraft,
}

/// What happened to one row.
#[derive(Debug, Clone, Serialize)]
pub struct RowOutcome {
    pub row: u32,
    /// The vendor's 法人番号, 登録番号 or 業者番号, as the row gave it.
    pub identifier: String,
    pub vendor_name: String,
    pub scheme: &'static str,
    pub number: String,
    pub action: &'static str,
}

/// The result of an import or a dry run; `errors` is empty when the list was (or would be) imported.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    pub dry_run: bool,
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub created_vendors: usize,
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub rows: Vec<RowOutcome>,
}

impl ImportReport {
    pub fn accepted(&self) -> bool {
        self.errors.is_empty()
    }
}

impl ListRow {
    /// Moves the dates by whole years (the demo keeps its certificates' states relative to today).
    pub fn shift_years(&mut self, years: i32) {
        let shift = |d: Option<NaiveDate>| d.map(|d| crate::domain::dates::shift_years(d, years));
        self.draft.issued_on = shift(self.draft.issued_on);
        self.draft.valid_until = shift(self.draft.valid_until);
    }
}

/// Reads (in this process: trusted files and tests) and checks a certification list; the report holds
/// every error (and nothing is returned then).
pub fn parse_list(bytes: &[u8], limits: &Limits, report: &mut ImportReport) -> Vec<ListRow> {
    check_list(excel::read_tables(bytes, limits), report)
}

/// Checks a certification list read by `excel::read_tables`, here or in the parse sandbox.
pub fn check_list(
    read: Result<Vec<excel::Table>, excel::ReadError>,
    report: &mut ImportReport,
) -> Vec<ListRow> {
    let wanted = header::ListHeader {
        key: Field::Scheme,
        not_found: "認証一覧の見出し行が見つかりません（「法人番号」「種別」「番号」「有効期限」などの列名が並んだ行が必要です）",
        any_of: &[Field::CorporateNumber, Field::InvoiceNumber, Field::VendorCode],
        any_of_label: "法人番号（または 適格請求書発行事業者登録番号・業者番号）",
    };
    let read = header::read_rows(read, &wanted, "認証一覧にデータ行がありません", parse_row);
    report.errors = read.errors;
    report.ignored_columns = read.ignored;
    report.sheet = read.sheet;
    report.header_row = read.header_row;
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Scheme, String), u32> = HashMap::new();
    for parsed in read.rows {
        let key = (
            parsed.identity.primary().as_str().to_string(),
            parsed.draft.scheme,
            parsed.draft.number.clone(),
        );
        if let Some(first) = seen.get(&key) {
            report.errors.push(RowError::at(
                &read.columns,
                Field::Number,
                parsed.row,
                format!(
                    "同じ事業者の{}（番号「{}」）が{first}行目と重複しています",
                    key.1.label(),
                    key.2
                ),
            ));
            continue;
        }
        seen.insert(key, parsed.row);
        rows.push(parsed);
    }
    report.errors.sort_by_key(|e| e.row);
    rows
}

pub(super) fn parse_row(row: &Row, columns: &[(usize, Field)]) -> Result<ListRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell = |field: Field| {
        columns
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(i, _)| row.cell(*i))
    };
    let text = |field: Field| {
        cell(field)
            .map(|c| c.as_text().trim().to_string())
            .unwrap_or_default()
    };
    let mut error = |field: Field, message: String| {
        errors.push(RowError::at(columns, field, row.number, message))
    };
    let identity = VendorIdentity::parse(
        Some(&text(Field::CorporateNumber)),
        Some(&text(Field::InvoiceNumber)),
        Some(&text(Field::VendorCode)),
    )
    .map_err(|problems| {
        for (name, message) in problems {
            let field = match name {
                "invoice_number" => Field::InvoiceNumber,
                "vendor_code" => Field::VendorCode,
                _ => Field::CorporateNumber,
            };
            error(field, message);
        }
    })
    .ok();
    let vendor_name = match text(Field::VendorName) {
        name if name.is_empty() => None,
        name => crate::domain::fields::vendor_name(&name)
            .map_err(|m| error(Field::VendorName, m))
            .ok(),
    };
    let mut date = |field: Field| match cell(field) {
        Some(c) if !c.is_blank() => c.as_date().map_err(|m| error(field, m)).ok(),
        _ => None,
    };
    let issued_on = date(Field::IssuedOn);
    let valid_until = date(Field::ValidUntil);
    let fields = CertificationFields {
        scheme: text(Field::Scheme),
        number: text(Field::Number),
        level: text(Field::Level),
        certification_body: text(Field::Body),
        scope: text(Field::Scope),
        issued_on,
        valid_until,
        standard: text(Field::Standard),
    };
    let draft = CertificationDraft::build(&fields)
        .map_err(|problems| {
            for (name, message) in problems {
                let field = match name {
                    "scheme" => Field::Scheme,
                    "number" => Field::Number,
                    "level" => Field::Level,
                    "scope" => Field::Scope,
                    "issued_on" => Field::IssuedOn,
                    "valid_until" => Field::ValidUntil,
                    "standard" => Field::Standard,
                    _ => Field::Body,
                };
                // A date already reported as unreadable is not also reported as missing.
                let unreadable = matches!(field, Field::IssuedOn | Field::ValidUntil)
                    && cell(field).is_some_and(|c| !c.is_blank());
                if !unreadable {
                    error(field, message);
                }
            }
        })
        .ok();
    match (identity, draft) {
        (Some(identity), Some(draft)) if errors.is_empty() => Ok(ListRow {
            row: row.number,
            identity,
            vendor_name,
            draft,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "取引先認証一覧（令和7年度）,,,,,,\n\
        法人番号,事業者名,種別,番号,区分,取得日,有効期限,適用範囲\n\
        7000012050002,株式会社いろは,ISMS,JQA-IM0685,,2024/4/1,R9.3.31,本社 情報システム部\n\
        7000012050002,株式会社いろは,Pマーク,第11820163号,,,2027-03-31,\n\
        7000012050002,株式会社いろは,セキュリティアクション,123-4567-8901,★★,令和6年5月1日,,\n";

    #[test]
    fn reads_a_list_with_a_title_row() {
        let mut report = ImportReport::default();
        let rows = parse_list(LIST.as_bytes(), &Limits::default(), &mut report);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!(report.header_row, Some(2));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].draft.scheme, Scheme::Isms);
        assert_eq!(
            rows[0].draft.valid_until,
            NaiveDate::from_ymd_opt(2027, 3, 31)
        );
        assert_eq!(rows[1].draft.number, "11820163");
        assert_eq!(rows[2].draft.number, "12345678901");
    }

    #[test]
    fn names_every_bad_cell() {
        let bad = LIST
            .replace("第11820163号", "ABC")
            .replace("R9.3.31", "いつか")
            .replace("★★", "★3");
        let mut report = ImportReport::default();
        parse_list(bad.as_bytes(), &Limits::default(), &mut report);
        let messages: Vec<String> = report.errors.iter().map(|e| e.to_string()).collect();
        assert!(
            messages.iter().any(|m| m.starts_with("3行目 有効期限:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("4行目 番号:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("5行目 区分:")),
            "{messages:?}"
        );
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert_eq!(report.errors[0].cell.as_deref(), Some("G3"));
    }

    #[test]
    fn refuses_duplicates_and_lists_without_the_key_columns() {
        let doubled =
            format!("{LIST}7000012050002,株式会社いろは,ISMS,JQA-IM0685,,2024/4/1,R9.3.31,\n");
        let mut report = ImportReport::default();
        parse_list(doubled.as_bytes(), &Limits::default(), &mut report);
        assert!(
            report.errors[0].to_string().contains("3行目と重複"),
            "{:?}",
            report.errors
        );
        let mut report = ImportReport::default();
        parse_list(
            "種別,番号,有効期限\nISMS,X,2027-01-01\n".as_bytes(),
            &Limits::default(),
            &mut report,
        );
        assert!(report.errors[0].message.contains("法人番号"));
    }
}
