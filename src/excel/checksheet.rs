//! Reads a filled check sheet, whatever people did to the workbook: the sheet and header row are found
//! by their names, columns may be in any order, title rows, section headings and blank rows are skipped,
//! and every problem is reported with its cell and item. Nothing here stores anything.

use super::guard::Limits;
use super::table::{column_letter, Cell, Row, Table};
use crate::checklist::definition::matches;
use crate::checklist::{parse_answer, Answer, Definition};
use crate::domain::text::{label_key, normalize};
use crate::domain::CorporateNumber;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Respondent {
    pub vendor_name: Option<String>,
    pub corporate_number: Option<String>,
    pub filled_on: Option<String>,
    pub filled_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ItemAnswer {
    pub id: String,
    pub answer: Answer,
    pub note: String,
    pub cell: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetError {
    pub cell: Option<String>,
    pub item: Option<String>,
    pub message: String,
}

impl std::fmt::Display for SheetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.cell, &self.item) {
            (Some(cell), Some(item)) => write!(f, "{cell} ({item}): {}", self.message),
            (Some(cell), None) => write!(f, "{cell}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The parse result; `accepted` only when there is no error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub accepted: bool,
    pub definition: String,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub respondent: Respondent,
    pub answers: Vec<ItemAnswer>,
    pub unanswered: Vec<String>,
    pub errors: Vec<SheetError>,
    pub warnings: Vec<String>,
}

impl CheckResult {
    /// The answer for a file that could not be read at all.
    pub fn refused(definition: &Definition, message: String) -> Self {
        CheckResult {
            accepted: false,
            definition: definition.id.clone(),
            sheet: None,
            header_row: None,
            respondent: Respondent::default(),
            answers: Vec::new(),
            unanswered: Vec::new(),
            errors: vec![SheetError {
                cell: None,
                item: None,
                message,
            }],
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    ItemId,
    Category,
    Requirement,
    Mandatory,
    Answer,
    Note,
    Asked,
}

/// The header row and where each column is.
struct Layout {
    table: usize,
    position: usize,
    columns: Vec<(Column, usize)>,
}

impl Layout {
    fn column(&self, kind: Column) -> Option<usize> {
        self.columns
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, index)| *index)
    }
}

const HEADER_SEARCH_ROWS: usize = 100;

fn find_layout(tables: &[Table], definition: &Definition) -> Option<Layout> {
    let names = &definition.columns;
    // Header names are normalized once here, not once per cell.
    let keys = |names: &[String]| -> Vec<String> { names.iter().map(|n| label_key(n)).collect() };
    let kinds: [(Column, Vec<String>); 7] = [
        (Column::ItemId, keys(&names.item_id)),
        (Column::Answer, keys(&names.answer)),
        (Column::Note, keys(&names.note)),
        (Column::Requirement, keys(&names.requirement)),
        (Column::Category, keys(&names.category)),
        (Column::Mandatory, keys(&names.mandatory)),
        (Column::Asked, keys(&names.asked)),
    ];
    let mut best: Option<Layout> = None;
    for (table_index, table) in tables.iter().enumerate() {
        for (position, row) in table.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
            let mut columns = Vec::new();
            for (index, cell) in row.cells.iter().enumerate() {
                let key = label_key(&cell.as_text());
                if key.is_empty() {
                    continue;
                }
                if let Some((kind, _)) = kinds.iter().find(|(kind, names)| {
                    names.contains(&key) && !columns.iter().any(|(k, _)| k == kind)
                }) {
                    columns.push((*kind, index));
                }
            }
            let usable = columns.iter().any(|(k, _)| *k == Column::ItemId)
                && columns.iter().any(|(k, _)| *k == Column::Answer);
            if usable
                && best
                    .as_ref()
                    .is_none_or(|b| columns.len() > b.columns.len())
            {
                best = Some(Layout {
                    table: table_index,
                    position,
                    columns,
                });
            }
        }
    }
    best
}

fn cell_ref(column: usize, row: u32) -> String {
    format!("{}{row}", column_letter(column))
}

fn text(cell: &Cell) -> String {
    normalize(&cell.as_text())
}

/// Reads the labelled cells above the table: the value is the first filled cell to the label's right.
fn read_respondent(
    rows: &[Row],
    definition: &Definition,
    errors: &mut Vec<SheetError>,
) -> Respondent {
    let labels = &definition.respondent;
    let mut respondent = Respondent::default();
    for row in rows {
        for (index, cell) in row.cells.iter().enumerate() {
            let label = cell.as_text();
            let value = || {
                row.cells
                    .iter()
                    .enumerate()
                    .skip(index + 1)
                    .find(|(_, c)| !c.is_blank())
                    .map(|(i, c)| (cell_ref(i, row.number), c.clone()))
            };
            if respondent.vendor_name.is_none() && matches(&labels.vendor_name, &label) {
                respondent.vendor_name = value().map(|(_, c)| c.as_text().trim().to_string());
            } else if respondent.corporate_number.is_none()
                && matches(&labels.corporate_number, &label)
            {
                if let Some((at, c)) = value() {
                    match CorporateNumber::parse(&c.as_text()) {
                        Ok(number) => {
                            respondent.corporate_number = Some(number.as_str().to_string())
                        }
                        Err(message) => errors.push(SheetError {
                            cell: Some(at),
                            item: None,
                            message,
                        }),
                    }
                }
            } else if respondent.filled_on.is_none() && matches(&labels.filled_on, &label) {
                if let Some((at, c)) = value() {
                    match c.as_date() {
                        Ok(date) => {
                            respondent.filled_on = Some(date.format("%Y-%m-%d").to_string())
                        }
                        Err(message) => errors.push(SheetError {
                            cell: Some(at),
                            item: None,
                            message: format!("記入日: {message}"),
                        }),
                    }
                }
            } else if respondent.filled_by.is_none() && matches(&labels.filled_by, &label) {
                respondent.filled_by = value().map(|(_, c)| c.as_text().trim().to_string());
            }
        }
    }
    respondent
}

/// Reads and checks a filled check sheet against a definition, in this process: for trusted files and
/// tests. Uploads are read through `crate::sandbox` and checked with `from_tables`.
pub fn read(bytes: &[u8], definition: &Definition, limits: &Limits) -> CheckResult {
    match super::read_tables(bytes, limits) {
        Ok(tables) => from_tables(&tables, definition),
        Err(error) => CheckResult::refused(definition, error.to_string()),
    }
}

/// Checks the tables of a filled check sheet against a definition.
pub fn from_tables(tables: &[Table], definition: &Definition) -> CheckResult {
    let Some(layout) = find_layout(tables, definition) else {
        return CheckResult::refused(
            definition,
            "チェックシートの見出し行が見つかりません（「項番」と「回答」の列が必要です）".into(),
        );
    };
    let table = &tables[layout.table];
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let respondent = read_respondent(&table.rows[..layout.position], definition, &mut errors);
    for (field, value) in [
        ("事業者名", &respondent.vendor_name),
        ("法人番号", &respondent.corporate_number),
        ("記入日", &respondent.filled_on),
        ("記入者", &respondent.filled_by),
    ] {
        if value.is_none() && !errors.iter().any(|e| e.message.starts_with(field)) {
            warnings.push(format!("回答者欄の「{field}」が記入されていません"));
        }
    }
    let id_column = layout.column(Column::ItemId).unwrap_or(0);
    let answer_column = layout.column(Column::Answer).unwrap_or(0);
    let note_column = layout.column(Column::Note);
    let mut answers: Vec<ItemAnswer> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut blank: Vec<String> = Vec::new();
    for row in table.rows.iter().skip(layout.position + 1) {
        let id_text = text(row.cell(id_column));
        let answer_cell = row.cell(answer_column);
        let answer_ref = cell_ref(answer_column, row.number);
        if id_text.is_empty() {
            if !answer_cell.is_blank() {
                warnings.push(format!(
                    "{answer_ref}: 項番のない行の回答は読み取りませんでした"
                ));
            }
            continue;
        }
        let Some(item) = definition.item(&id_text) else {
            // Section headings such as 【体制】 or 「A 体制」 stand in the item column with no answer.
            if !answer_cell.is_blank() {
                errors.push(SheetError {
                    cell: Some(cell_ref(id_column, row.number)),
                    item: Some(id_text.clone()),
                    message: format!(
                        "項番「{id_text}」はチェックシート定義（{}）にありません",
                        definition.id
                    ),
                });
            }
            continue;
        };
        if !seen.insert(item.id.clone()) {
            errors.push(SheetError {
                cell: Some(cell_ref(id_column, row.number)),
                item: Some(item.id.clone()),
                message: format!("項番「{}」が重複しています", item.id),
            });
            continue;
        }
        let parsed = match answer_cell {
            Cell::Bool(true) => Ok(Some(Answer::Yes)),
            Cell::Bool(false) => Ok(Some(Answer::No)),
            other => parse_answer(&other.as_text()),
        };
        match parsed {
            Ok(Some(answer)) => {
                if answer == Answer::No && item.mandatory {
                    warnings.push(format!(
                        "{answer_ref} ({}): 必須項目に「いいえ」と回答されています",
                        item.id
                    ));
                }
                answers.push(ItemAnswer {
                    id: item.id.clone(),
                    answer,
                    note: note_column
                        .map(|c| row.cell(c).as_text().trim().to_string())
                        .unwrap_or_default(),
                    cell: answer_ref,
                });
            }
            Ok(None) => blank.push(item.id.clone()),
            Err(()) => errors.push(SheetError {
                cell: Some(answer_ref),
                item: Some(item.id.clone()),
                message: format!(
                    "「{}」は回答として読み取れません（はい・いいえ・一部・該当なし）",
                    answer_cell.as_text().trim()
                ),
            }),
        }
    }
    let unanswered: Vec<String> = definition
        .items
        .iter()
        .filter(|item| {
            !answers.iter().any(|a| a.id == item.id)
                && !errors.iter().any(|e| e.item.as_deref() == Some(&item.id))
        })
        .map(|item| item.id.clone())
        .collect();
    if !unanswered.is_empty() {
        let missing_rows = unanswered.iter().filter(|id| !blank.contains(id)).count();
        let detail = if missing_rows > 0 {
            format!("（うち{missing_rows}件は行がありません）")
        } else {
            String::new()
        };
        errors.push(SheetError {
            cell: None,
            item: None,
            message: format!(
                "未回答の項目が{}件あります{detail}: {}",
                unanswered.len(),
                unanswered.join(", ")
            ),
        });
    }
    CheckResult {
        accepted: errors.is_empty(),
        definition: definition.id.clone(),
        sheet: Some(table.name.clone()),
        header_row: Some(table.rows[layout.position].number),
        respondent,
        answers,
        unanswered,
        errors,
        warnings,
    }
}

/// Derives a definition from a blank workbook of a new edition: the header row is found with the
/// column names of `base`, and each row with an item id becomes an item (category from its column or
/// from the section heading above it; mandatory from 必須/○; asked from its column, else 契約時).
pub fn learn(
    bytes: &[u8],
    base: &Definition,
    id: &str,
    limits: &Limits,
) -> Result<Definition, String> {
    let tables = super::read_tables(bytes, limits).map_err(|e| e.to_string())?;
    learn_from_tables(&tables, base, id)
}

/// `learn` over tables already read (in the parse sandbox).
pub fn learn_from_tables(
    tables: &[Table],
    base: &Definition,
    id: &str,
) -> Result<Definition, String> {
    let layout = find_layout(tables, base).ok_or_else(|| {
        "チェックシートの見出し行が見つかりません（「項番」と「回答」の列が必要です）".to_string()
    })?;
    let table = &tables[layout.table];
    let title = table.rows[..layout.position]
        .iter()
        .flat_map(|row| row.cells.iter())
        .map(|cell| cell.as_text().trim().to_string())
        .find(|text| !text.is_empty())
        .unwrap_or_else(|| base.title.clone());
    let column = |kind| layout.column(kind);
    let mut items = Vec::new();
    let mut heading = String::new();
    for row in table.rows.iter().skip(layout.position + 1) {
        let id_text = column(Column::ItemId)
            .map(|c| text(row.cell(c)))
            .unwrap_or_default();
        let requirement = column(Column::Requirement)
            .map(|c| row.cell(c).as_text().trim().to_string())
            .unwrap_or_default();
        if id_text.is_empty() {
            continue;
        }
        if requirement.is_empty() {
            heading = id_text
                .trim_matches(|c| matches!(c, '【' | '】' | '「' | '」' | '■'))
                .to_string();
            continue;
        }
        let category = column(Column::Category)
            .map(|c| row.cell(c).as_text().trim().to_string())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| heading.clone());
        let mandatory = column(Column::Mandatory)
            .map(|c| {
                matches!(
                    text(row.cell(c)).as_str(),
                    "必須" | "○" | "〇" | "◯" | "必" | "はい" | "yes"
                )
            })
            .unwrap_or(false);
        let asked = match column(Column::Asked).map(|c| text(row.cell(c))).as_deref() {
            Some("年次") | Some("毎年") | Some("年1回") => crate::checklist::Asked::Yearly,
            Some("終了時") | Some("契約終了時") => crate::checklist::Asked::AtEnd,
            _ => crate::checklist::Asked::AtContract,
        };
        items.push(crate::checklist::Item {
            id: id_text,
            category,
            requirement,
            mandatory,
            asked,
        });
    }
    let definition = Definition {
        id: id.to_string(),
        title,
        edition: String::new(),
        columns: base.columns.clone(),
        respondent: base.respondent.clone(),
        items,
    };
    Definition::parse(&definition.to_toml()?)
}
