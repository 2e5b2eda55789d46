//! Reads a ledger's rows: the header found by name, merged cells filled, total and note rows skipped,
//! a sheet per department when there is no 所管課 column, and every bad cell named in one pass.

use super::columns::Field;
use crate::domain::fields;
use crate::domain::text::{normalize, parse_count};
use crate::domain::{parse_yes_no, BoundedText, Email, Importance, Period, VendorIdentity, Yen};
use crate::excel::header::{self, cell_ref, file_error, Layout, RowError};
use crate::excel::{self, Cell, Limits, ReadError, Row, Table};
use crate::services::contracts::parse_deletion_days;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Vendor details some ledgers carry; blank ones leave the registry as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VendorDetails {
    pub kana: Option<String>,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// One valid ledger row. `None` in an optional field means the ledger has no value for it.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerRow {
    pub row: u32,
    pub contract_number: BoundedText<64>,
    pub title: BoundedText<200>,
    pub department: BoundedText<100>,
    pub vendor_name: BoundedText<200>,
    pub identity: VendorIdentity,
    pub period: Period,
    pub handles_personal_data: Option<bool>,
    pub personal_records: Option<i64>,
    pub importance: Option<Importance>,
    pub uses_cloud: Option<bool>,
    pub subcontracting_allowed: Option<bool>,
    pub deletion_days: Option<i64>,
    pub amount: Option<Yen>,
    pub notes: Option<String>,
    /// 特約条項 as written (ids or titles); `None` when the column is absent or the cell blank.
    pub clauses: Option<String>,
    /// METI's three conditions, when the ledger gives any of them (a blank one is no).
    pub star: Option<crate::domain::star::StarConditions>,
    pub vendor: VendorDetails,
    /// Where the department and the contract number were read (`B5`), for errors found later.
    pub department_cell: Option<String>,
    pub number_cell: Option<String>,
    pub clauses_cell: Option<String>,
}

/// A row that is not a contract (a total or a note under the table), left out on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    pub row: u32,
    pub sheet: String,
    pub text: String,
}

/// The rows of a ledger: those that passed every check, and every error of the others.
#[derive(Debug, Clone, Default)]
pub struct ParsedLedger {
    /// The sheet read, or the sheets (「総務課、税務課」) when each department has its own.
    pub sheet: String,
    pub header_row: u32,
    pub rows: Vec<LedgerRow>,
    pub errors: Vec<RowError>,
    pub skipped: Vec<SkippedRow>,
    pub ignored_columns: Vec<String>,
    pub warnings: Vec<String>,
    /// The optional sheet 再委託先.
    pub subcontractors: Vec<super::subcontracting::SubcontractorRow>,
}

impl ParsedLedger {
    /// Moves every contract by whole years (the demo keeps its dates near today).
    pub fn shift_years(&mut self, years: i32) {
        let shift = |date: NaiveDate| crate::domain::dates::shift_years(date, years);
        for row in &mut self.rows {
            row.period = Period::new(shift(row.period.start()), shift(row.period.end()))
                .unwrap_or(row.period);
        }
        for row in &mut self.subcontractors {
            row.start_date = shift(row.start_date);
            row.approved_on = row.approved_on.map(shift);
        }
    }
}

/// Everything wrong with a ledger that was refused.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Refusal {
    pub errors: Vec<RowError>,
    pub ignored_columns: Vec<String>,
    pub warnings: Vec<String>,
    pub skipped: Vec<SkippedRow>,
}

/// Reads and validates a ledger in this process (trusted files and tests); nothing touches the database.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<ParsedLedger, Refusal> {
    parse_read(excel::read_tables(
        bytes,
        &Limits {
            merged_cells: true,
            ..*limits
        },
    ))
}

/// Validates a ledger read by `excel::read_tables`; refused when any row has an error.
pub fn parse_read(read: Result<Vec<Table>, ReadError>) -> Result<ParsedLedger, Refusal> {
    let ledger = read_rows(read)?;
    if ledger.errors.is_empty() {
        Ok(ledger)
    } else {
        Err(Refusal {
            errors: ledger.errors,
            ignored_columns: ledger.ignored_columns,
            warnings: ledger.warnings,
            skipped: ledger.skipped,
        })
    }
}

/// Reads every row of a ledger read by `excel::read_tables` (here or in the parse sandbox). The file
/// is refused whole only when it has no usable header; otherwise the valid rows come with the errors
/// of the others, so the importer can add its own (departments out of scope) in the same pass.
pub fn read_rows(read: Result<Vec<Table>, ReadError>) -> Result<ParsedLedger, Refusal> {
    let mut tables = read.map_err(|e| Refusal {
        errors: vec![file_error(e.to_string())],
        ..Default::default()
    })?;
    header::fill_merged_cells(&mut tables);
    let subcontractor_sheet: Vec<Table> = tables
        .iter()
        .position(|t| normalize(&t.name) == super::subcontracting::SHEET)
        .map(|at| tables.remove(at))
        .into_iter()
        .collect();
    let sheets = layouts(&tables)?;
    let mut ledger = ParsedLedger {
        sheet: sheets
            .iter()
            .map(|s| tables[s.layout.table_index].name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        header_row: sheets[0].layout.header_row,
        ignored_columns: sheets[0].layout.ignored.clone(),
        ..Default::default()
    };
    if sheets[0].department.is_some() {
        ledger.warnings.push(format!(
            "所管課の列がないため、シート名を所管課として読みました（{}）",
            ledger.sheet
        ));
    }
    let mut seen_numbers: HashMap<String, String> = HashMap::new();
    let mut vendor_names: HashMap<String, (String, String)> = HashMap::new();
    let several = sheets.len() > 1;
    for sheet in &sheets {
        let table = &tables[sheet.layout.table_index];
        let columns = &sheet.layout.columns;
        let thousands = amounts_in_thousands(table, &sheet.layout);
        let first_error = ledger.errors.len();
        let first_row = ledger.rows.len();
        // Where a row is, as people would find it: 「12行目」, or 「税務課 12行目」 when each
        // department has its own sheet.
        let place = |row: u32| {
            if several {
                format!("{} {row}行目", table.name)
            } else {
                format!("{row}行目")
            }
        };
        for row in table.rows.iter().skip(sheet.layout.header_position + 1) {
            if let Some(text) = total_or_note(row, columns) {
                ledger.skipped.push(SkippedRow {
                    row: row.number,
                    sheet: table.name.clone(),
                    text,
                });
                continue;
            }
            if columns.iter().all(|(index, _)| row.cell(*index).is_blank()) {
                continue;
            }
            let parsed = match parse_row(row, columns, sheet.department.as_deref(), thousands) {
                Ok(parsed) => parsed,
                Err(row_errors) => {
                    ledger.errors.extend(row_errors);
                    continue;
                }
            };
            let number = parsed.contract_number.as_str().to_string();
            if let Some(first) = seen_numbers.get(&number) {
                ledger.errors.push(RowError::at(
                    columns,
                    Field::ContractNumber,
                    row.number,
                    format!("契約番号「{number}」が{first}と重複しています"),
                ));
                continue;
            }
            seen_numbers.insert(number, place(row.number));
            if let Some(warning) =
                vendor_name_differs(&mut vendor_names, &parsed, place(row.number))
            {
                ledger.warnings.push(warning);
            }
            ledger.rows.push(parsed);
        }
        if several {
            name_cells_by_sheet(&mut ledger, first_error, first_row, &table.name);
        }
    }
    let numbers: std::collections::HashSet<String> = seen_numbers.into_keys().collect();
    let (subcontractors, errors) = super::subcontracting::read(&subcontractor_sheet, &numbers);
    ledger.subcontractors = subcontractors;
    ledger.errors.extend(errors);
    if ledger.rows.is_empty() && ledger.errors.is_empty() {
        ledger
            .errors
            .push(file_error("契約台帳にデータ行がありません"));
    }
    Ok(ledger)
}

/// Names the cells of one sheet's errors and rows the way Excel names a cell of another sheet
/// (税務課!B5), when each department has its own sheet.
fn name_cells_by_sheet(
    ledger: &mut ParsedLedger,
    first_error: usize,
    first_row: usize,
    sheet: &str,
) {
    let on_sheet = |cell: &mut Option<String>| {
        if let Some(cell) = cell {
            *cell = format!("{sheet}!{cell}");
        }
    };
    ledger.errors[first_error..]
        .iter_mut()
        .for_each(|e| on_sheet(&mut e.cell));
    for row in &mut ledger.rows[first_row..] {
        on_sheet(&mut row.department_cell);
        on_sheet(&mut row.number_cell);
    }
}

/// A warning when a vendor's number was first seen with another name (that first name is used); the
/// first sighting of each number is remembered with its place.
fn vendor_name_differs(
    first_names: &mut HashMap<String, (String, String)>,
    parsed: &LedgerRow,
    place: String,
) -> Option<String> {
    let key = parsed.identity.primary().to_string();
    match first_names.get(&key) {
        Some((name, first)) if name != parsed.vendor_name.as_str() => Some(format!(
            "{place}: {key} の事業者名が{first}（「{name}」）と異なります。「{name}」を使います"
        )),
        Some(_) => None,
        None => {
            let name = parsed.vendor_name.as_str().to_string();
            first_names.insert(key, (name, place));
            None
        }
    }
}

/// One sheet to read: where its header is, and the department its rows belong to when the sheet is
/// named after it (no 所管課 column).
struct Sheet {
    layout: Layout<Field>,
    department: Option<String>,
}

/// Whether a sheet's 契約金額 header says its amounts are in thousands of yen (「契約金額（千円）」).
fn amounts_in_thousands(table: &Table, layout: &Layout<Field>) -> bool {
    let header = table.rows.get(layout.header_position);
    layout.columns.iter().any(|(index, field)| {
        *field == Field::Amount
            && header.is_some_and(|row| normalize(&row.cell(*index).as_text()).contains("千円"))
    })
}

/// The sheet with the ledger's header; or, when that header has no 所管課 column and the visible sheets
/// with the same kind of header are named like departments (総務課, 市民生活部, 情報政策室 …), each of them.
fn layouts(tables: &[Table]) -> Result<Vec<Sheet>, Refusal> {
    let layout = header::find_layout(tables, Field::ContractNumber).ok_or_else(|| Refusal {
        errors: vec![file_error(
            "契約台帳の見出し行が見つかりません（「契約番号」「件名」「事業者名」などの列名が並んだ行が必要です）",
        )],
        ..Default::default()
    })?;
    let has =
        |layout: &Layout<Field>, field: Field| layout.columns.iter().any(|(_, f)| *f == field);
    let mut sheets = vec![Sheet {
        layout,
        department: None,
    }];
    if !has(&sheets[0].layout, Field::Department) {
        let per_department: Vec<Sheet> = tables
            .iter()
            .enumerate()
            .filter(|(_, table)| !table.hidden && names_a_department(&table.name))
            .filter_map(|(index, table)| {
                let mut layout =
                    header::find_layout(std::slice::from_ref(table), Field::ContractNumber)?;
                layout.table_index = index;
                Some(Sheet {
                    layout,
                    department: Some(normalize(&table.name)),
                })
            })
            .collect();
        if !per_department.is_empty() {
            sheets = per_department;
        }
    }
    let first = &sheets[0].layout;
    let mut missing: Vec<&str> = first
        .missing_required()
        .into_iter()
        .filter(|label| {
            let field = Field::ALL.iter().find(|f| f.label() == *label);
            match field {
                Some(Field::Department) => sheets[0].department.is_none(),
                Some(Field::StartDate | Field::EndDate) => !has(first, Field::Period),
                _ => true,
            }
        })
        .collect();
    if missing
        .iter()
        .any(|m| *m == Field::StartDate.label() || *m == Field::EndDate.label())
    {
        missing.push("（または 契約期間）");
    }
    let identified = [
        Field::CorporateNumber,
        Field::InvoiceNumber,
        Field::VendorCode,
    ]
    .iter()
    .any(|field| has(first, *field));
    if !identified {
        missing.push("法人番号（または 登録番号・業者番号）");
    }
    if !missing.is_empty() {
        return Err(Refusal {
            errors: vec![file_error(format!(
                "必須の列がありません: {}",
                missing.join("、")
            ))],
            ignored_columns: first.ignored.clone(),
            ..Default::default()
        });
    }
    Ok(sheets)
}

/// Sheet names that are departments: 総務課, 市民生活部, 情報政策室, 環境センター, 教育委員会事務局 ….
fn names_a_department(name: &str) -> bool {
    let name = normalize(name);
    [
        "課",
        "室",
        "部",
        "局",
        "所",
        "係",
        "センター",
        "館",
        "園",
        "委員会",
        "事務局",
        "署",
    ]
    .iter()
    .any(|ending| name.ends_with(ending))
        && !name.contains("台帳")
}

/// The text of a row that is a total or a note rather than a contract: no contract number, and its
/// first filled cell is 合計 / 小計 / 計 / 総計, or starts with ※ or 注.
fn total_or_note(row: &Row, columns: &[(usize, Field)]) -> Option<String> {
    let number = columns
        .iter()
        .find(|(_, f)| *f == Field::ContractNumber)
        .map(|(index, _)| row.cell(*index));
    if number.is_some_and(|cell| !cell.is_blank() && !is_total_word(&cell.as_text())) {
        return None;
    }
    let first = row.cells.iter().find(|c| !c.is_blank())?.as_text();
    let key: String = normalize(&first)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let is_note = key.starts_with('※') || key.starts_with("注") || key.starts_with("(注");
    (is_total_word(&first) || is_note).then(|| first.trim().to_string())
}

fn is_total_word(text: &str) -> bool {
    let key: String = normalize(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    [
        "合計",
        "小計",
        "計",
        "総計",
        "総合計",
        "累計",
        "合計額",
        "計(税込)",
    ]
    .iter()
    .any(|word| key == *word || key.strip_suffix(':').is_some_and(|k| k == *word))
}

/// One row's cells by column, collecting an error for every bad cell.
struct Cells<'a> {
    row: &'a Row,
    columns: &'a [(usize, Field)],
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn cell(&self, field: Field) -> Option<&Cell> {
        self.columns
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(index, _)| self.row.cell(*index))
    }

    fn text(&self, field: Field) -> Option<String> {
        self.cell(field)
            .map(Cell::as_text)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    fn refuse(&mut self, field: Field, message: String) {
        self.errors
            .push(RowError::at(self.columns, field, self.row.number, message));
    }

    /// The value when it parsed; otherwise the message is recorded against the field's cell.
    fn take<T>(&mut self, field: Field, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.refuse(field, message)).ok()
    }

    fn identity(&mut self) -> Option<VendorIdentity> {
        let parsed = VendorIdentity::parse(
            self.text(Field::CorporateNumber).as_deref(),
            self.text(Field::InvoiceNumber).as_deref(),
            self.text(Field::VendorCode).as_deref(),
        );
        match parsed {
            Ok(identity) => Some(identity),
            Err(problems) => {
                for (name, message) in problems {
                    let field = match name {
                        "invoice_number" => Field::InvoiceNumber,
                        "vendor_code" => Field::VendorCode,
                        _ => Field::CorporateNumber,
                    };
                    self.refuse(field, message);
                }
                None
            }
        }
    }

    /// From start and end columns, or from one 契約期間 cell when the ledger has no date columns.
    fn period(&mut self) -> Option<Period> {
        let has_dates = self
            .columns
            .iter()
            .any(|(_, f)| matches!(f, Field::StartDate | Field::EndDate));
        if !has_dates {
            let text = self.text(Field::Period).unwrap_or_default();
            return self.take(Field::Period, Period::parse_one_cell(&text));
        }
        let date = |cells: &Self, field| cells.cell(field).unwrap_or(&Cell::Empty).as_date();
        let start = date(self, Field::StartDate);
        let start = self.take(Field::StartDate, start);
        let end = date(self, Field::EndDate);
        let end = self.take(Field::EndDate, end);
        let (start, end) = (start?, end?);
        self.take(Field::EndDate, Period::new(start, end))
    }

    /// 契約金額 in yen, or in thousands of yen under a 千円 header.
    fn amount(&mut self, in_thousands: bool) -> Option<Option<Yen>> {
        let parsed = match (self.cell(Field::Amount), in_thousands) {
            (Some(Cell::Number(value)), false) if value.fract() == 0.0 => {
                Yen::new(*value as i64).map(Some)
            }
            (_, false) => self.text(Field::Amount).map(|t| Yen::parse(&t)).transpose(),
            (_, true) => self
                .text(Field::Amount)
                .map(|t| {
                    let bare = t.trim_end_matches('円').trim_end_matches('千');
                    Yen::parse(&format!("{bare}千円"))
                })
                .transpose(),
        };
        self.take(Field::Amount, parsed)
    }

    /// A yes/no column: a boolean cell, or a word such as 有/無 or ○/×.
    fn flag(&mut self, field: Field, label: &str) -> Option<bool> {
        let parsed = match self.cell(field) {
            Some(Cell::Bool(value)) => Ok(Some(*value)),
            _ => self
                .text(field)
                .map(|t| parse_yes_no(&t, label))
                .transpose(),
        };
        self.take(field, parsed).flatten()
    }

    /// An optional column read with `parse` when it has a value.
    fn optional<T>(
        &mut self,
        field: Field,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let parsed = self.text(field).map(|t| parse(&t)).transpose();
        self.take(field, parsed).flatten()
    }
}

/// Parses one row, collecting an error for every bad cell.
fn parse_row(
    row: &Row,
    columns: &[(usize, Field)],
    sheet_department: Option<&str>,
    amounts_in_thousands: bool,
) -> Result<LedgerRow, Vec<RowError>> {
    let mut cells = Cells {
        row,
        columns,
        errors: Vec::new(),
    };
    let text = |cells: &Cells, field| cells.text(field).unwrap_or_default();
    let contract_number = fields::contract_number(&text(&cells, Field::ContractNumber));
    let contract_number = cells.take(Field::ContractNumber, contract_number);
    let title = fields::contract_title(&text(&cells, Field::Title));
    let title = cells.take(Field::Title, title);
    let department_text = sheet_department
        .map(str::to_string)
        .unwrap_or_else(|| text(&cells, Field::Department));
    let department = cells.take(Field::Department, fields::department(&department_text));
    let vendor_name = fields::vendor_name(&text(&cells, Field::VendorName));
    let vendor_name = cells.take(Field::VendorName, vendor_name);
    let identity = cells.identity();
    let period = cells.period();
    let amount = cells.amount(amounts_in_thousands).flatten();
    let handles_personal_data = cells.flag(Field::PersonalData, "個人情報");
    let personal_records =
        cells.optional(Field::PersonalRecords, |t| parse_count(t, "個人情報件数"));
    let importance = cells.optional(Field::Importance, Importance::parse);
    let uses_cloud = cells.flag(Field::Cloud, "クラウド利用");
    let subcontracting_allowed = cells.flag(Field::Subcontracting, "再委託");
    let deletion_days = cells.optional(Field::DeletionDays, |t| parse_deletion_days(Some(t), 0));
    let email = cells.optional(Field::VendorEmail, |t| {
        Email::parse(t).map(|e| e.as_str().to_string())
    });
    let clauses = cells.text(Field::Clauses);
    let star = [
        cells.flag(Field::SensitiveData, "機微情報の取扱い"),
        cells.flag(Field::OutageCritical, "停止時の影響"),
        cells.flag(Field::ReachesInternal, "内部システムへの接続"),
    ];
    let star = star
        .iter()
        .any(Option::is_some)
        .then(|| crate::domain::star::StarConditions {
            sensitive_data: star[0].unwrap_or(false),
            outage_critical: star[1].unwrap_or(false),
            reaches_internal: star[2].unwrap_or(false),
        });
    let notes = cells.text(Field::Notes);
    if let Some(text) = &notes {
        cells.take(Field::Notes, fields::notes(text));
    }
    let vendor = VendorDetails {
        kana: cells.text(Field::VendorKana),
        address: cells.text(Field::VendorAddress),
        contact: cells.text(Field::VendorContact),
        phone: cells.text(Field::VendorPhone),
        email,
    };
    if !cells.errors.is_empty() {
        return Err(cells.errors);
    }
    let missing = || vec![];
    Ok(LedgerRow {
        row: row.number,
        contract_number: contract_number.ok_or_else(missing)?,
        title: title.ok_or_else(missing)?,
        department: department.ok_or_else(missing)?,
        vendor_name: vendor_name.ok_or_else(missing)?,
        identity: identity.ok_or_else(missing)?,
        period: period.ok_or_else(missing)?,
        handles_personal_data,
        personal_records,
        importance,
        uses_cloud,
        subcontracting_allowed,
        deletion_days,
        amount,
        notes,
        clauses,
        star,
        department_cell: cell_ref(columns, Field::Department, row.number),
        number_cell: cell_ref(columns, Field::ContractNumber, row.number),
        clauses_cell: cell_ref(columns, Field::Clauses, row.number),
        vendor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "令和7年度 委託契約台帳,,,,,,,\n\
        ,,,,,,,\n\
        No.,件名,担当課,委託先,法人番号,契約期間（自）,契約期間（至）,個人情報の有無,重要度,担当者メモ\n\
        R7-001,住民税通知書印刷,税務課,株式会社いろは印刷,7000012050002,R7.4.1,令和8年3月31日,有,重要,\n\
        ,,,,,,,,,\n\
        R7-002,庁舎清掃,管財課,はにほ清掃株式会社,1180301018771,2025/04/01,2026-03-31,なし,通常,x\n";

    #[test]
    fn finds_headers_below_a_title_in_any_order() {
        let ledger = parse(GOOD.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(ledger.header_row, 3);
        assert_eq!(ledger.rows.len(), 2);
        assert_eq!(ledger.rows[0].row, 4);
        assert_eq!(ledger.rows[1].row, 6);
        assert_eq!(ledger.rows[0].department.as_str(), "税務課");
        assert_eq!(
            ledger.rows[0].period.end(),
            NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()
        );
        assert_eq!(ledger.rows[0].handles_personal_data, Some(true));
        assert_eq!(ledger.rows[0].importance, Some(Importance::Important));
        assert_eq!(ledger.ignored_columns, vec!["担当者メモ".to_string()]);
    }

    #[test]
    fn reports_every_bad_row_with_its_row_number_and_column() {
        let bad = GOOD
            .replace("7000012050002", "7000012050003")
            .replace("2026-03-31", "2025-03-31")
            .replace(",有,", ",たぶん,");
        let refusal = parse(bad.as_bytes(), &Limits::default()).unwrap_err();
        let messages: Vec<String> = refusal.errors.iter().map(|e| e.to_string()).collect();
        assert!(
            messages.contains(
                &"4行目 法人番号: 法人番号のチェックディジットが一致しません".to_string()
            ),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("4行目 個人情報:")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("6行目 契約終了日:")),
            "{messages:?}"
        );
        assert_eq!(refusal.errors[0].cell.as_deref(), Some("E4"));
    }

    #[test]
    fn refuses_duplicate_numbers_and_missing_columns() {
        let duplicated = GOOD.replace("R7-002", "R7-001");
        let refusal = parse(duplicated.as_bytes(), &Limits::default()).unwrap_err();
        assert!(refusal.errors[0].to_string().contains("4行目と重複"));
        let no_dates = "契約番号,件名,所管課,事業者名,法人番号\nK-1,a,b,c,7000012050002\n";
        let refusal = parse(no_dates.as_bytes(), &Limits::default()).unwrap_err();
        assert!(refusal.errors[0].message.contains("契約開始日"));
        let refusal = parse("氏名,住所\n山田,東京\n".as_bytes(), &Limits::default()).unwrap_err();
        assert!(refusal.errors[0]
            .message
            .contains("見出し行が見つかりません"));
    }

    #[test]
    fn recognizes_header_variants() {
        let field = |text: &str| header::recognize::<Field>(text).map(|(field, _)| field);
        assert_eq!(field("消去期限（日）"), Some(Field::DeletionDays));
        assert_eq!(field("契約番号"), Some(Field::ContractNumber));
        assert_eq!(field("契約ＮＯ．"), Some(Field::ContractNumber));
        assert_eq!(field("個人情報件数"), Some(Field::PersonalRecords));
        assert_eq!(field("契約開始日（yyyy/mm/dd）"), Some(Field::StartDate));
        assert_eq!(field("事業者名（カナ）"), Some(Field::VendorKana));
        assert_eq!(field("担当者メモ"), None);
    }

    #[test]
    fn a_contract_number_column_beats_a_serial_number_column() {
        let ledger = "No.,契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\n1,K-9,a,b,c,7000012050002,R7.4.1,R8.3.31\n";
        let parsed = parse(ledger.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(parsed.rows[0].contract_number.as_str(), "K-9");
        assert_eq!(parsed.ignored_columns, vec!["No.（重複）".to_string()]);
    }
}
