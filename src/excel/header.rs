//! Finding a list's header row by the names of its columns, whatever their order, with title rows
//! above it; and the row-numbered errors every list import reports.

use super::{column_letter, Table};

/// Readies a list's sheets: each merged range takes its first cell's value (所管課 merged down over its
/// rows), within as many added cells as the sheet already has.
pub fn fill_merged_cells(tables: &mut [Table]) {
    for table in tables {
        let cells = table.rows.iter().map(|r| r.cells.len()).sum::<usize>();
        table.fill_merged(cells.max(1_000));
    }
}
use crate::domain::text::{label_key, normalize};
use serde::Serialize;

/// A column a list may have, with the header names people give it (the first is the one reported).
pub trait Column: Copy + Eq + 'static {
    const ALL: &'static [Self];
    fn synonyms(self) -> &'static [&'static str];
    fn required(self) -> bool;
    fn label(self) -> &'static str {
        self.synonyms()[0]
    }
}

/// The column a header cell names, with the rank of the name among the column's names (0 is the
/// strongest): its exact name, or its name once a bracketed note is removed
/// (「契約開始日（yyyy/mm/dd）」 is 契約開始日, while 「事業者名（カナ）」 is its own column).
pub fn recognize<C: Column>(header: &str) -> Option<(C, usize)> {
    let exact = label_key(header);
    let without_note = label_key(&strip_bracketed(&normalize(header)));
    [exact, without_note]
        .into_iter()
        .filter(|key| !key.is_empty())
        .find_map(|key| {
            C::ALL.iter().find_map(|column| {
                column
                    .synonyms()
                    .iter()
                    .position(|synonym| label_key(synonym) == key)
                    .map(|rank| (*column, rank))
            })
        })
}

/// Removes `(…)`, `（…）`, `[…]` and `【…】` parts from a header.
fn strip_bracketed(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .filter(|c| match c {
            '(' | '（' | '[' | '【' => {
                depth += 1;
                false
            }
            ')' | '）' | ']' | '】' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect()
}

/// A problem with one row (or with the whole file, when `row` is `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: Option<u32>,
    pub column: String,
    pub cell: Option<String>,
    pub message: String,
}

impl RowError {
    /// A problem with `field` on sheet row `row`, naming its cell when the layout has the column.
    pub fn at<C: Column>(
        columns: &[(usize, C)],
        field: C,
        row: u32,
        message: impl Into<String>,
    ) -> Self {
        RowError {
            row: Some(row),
            column: field.label().into(),
            cell: cell_ref(columns, field, row),
            message: message.into(),
        }
    }

    /// A problem with `field` on row `row` found once the row was read (its vendor refused, say).
    pub fn in_column<C: Column>(field: C, row: u32, message: impl Into<String>) -> Self {
        RowError {
            row: Some(row),
            column: field.label().into(),
            cell: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.column.is_empty()) {
            (Some(row), false) => write!(f, "{row}行目 {}: {}", self.column, self.message),
            (Some(row), true) => write!(f, "{row}行目: {}", self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

/// An error about the whole file.
pub fn file_error(message: impl Into<String>) -> RowError {
    RowError {
        row: None,
        column: String::new(),
        cell: None,
        message: message.into(),
    }
}

/// Where the header row is and which column holds which field.
pub struct Layout<C> {
    pub table_index: usize,
    pub header_row: u32,
    pub header_position: usize,
    pub columns: Vec<(usize, C)>,
    pub ignored: Vec<String>,
}

impl<C: Column> Layout<C> {
    /// The labels of required columns the header lacks.
    pub fn missing_required(&self) -> Vec<&'static str> {
        C::ALL
            .iter()
            .filter(|c| c.required() && !self.columns.iter().any(|(_, found)| found == *c))
            .map(|c| c.label())
            .collect()
    }
}

const HEADER_SEARCH_ROWS: usize = 50;

/// The row, among the first 50 of every sheet, naming the most known columns, `key` among them
/// and at least three in all.
pub fn find_layout<C: Column>(tables: &[Table], key: C) -> Option<Layout<C>> {
    let mut best: Option<(usize, Layout<C>)> = None;
    for (table_index, table) in tables.iter().enumerate() {
        for (position, row) in table.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
            // For each field, the column whose header names it most strongly.
            let mut claims: Vec<(usize, C, usize)> = Vec::new();
            let mut ignored = Vec::new();
            for (index, cell) in row.cells.iter().enumerate() {
                if cell.is_blank() {
                    continue;
                }
                let header = cell.as_text().trim().to_string();
                match recognize::<C>(&header) {
                    Some((field, rank)) => match claims.iter_mut().find(|(_, f, _)| *f == field) {
                        Some(claim) if rank < claim.2 => {
                            ignored.push(format!("{}（重複）", row.cell(claim.0).as_text().trim()));
                            *claim = (index, field, rank);
                        }
                        Some(_) => ignored.push(format!("{header}（重複）")),
                        None => claims.push((index, field, rank)),
                    },
                    None => ignored.push(header),
                }
            }
            let columns: Vec<(usize, C)> = claims
                .into_iter()
                .map(|(index, field, _)| (index, field))
                .collect();
            let score = columns.len();
            let has_key = columns.iter().any(|(_, f)| *f == key);
            if has_key && score >= 3 && best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    Layout {
                        table_index,
                        header_row: row.number,
                        header_position: position,
                        columns,
                        ignored,
                    },
                ));
            }
        }
    }
    best.map(|(_, layout)| layout)
}

/// What a list needs in its header: its key column, the text that says so when no header is found, and
/// columns of which at least one must be there (the vendor's 法人番号, 登録番号 or 業者番号) with the
/// name reported when none is.
pub struct ListHeader<'a, C> {
    pub key: C,
    pub not_found: &'a str,
    pub any_of: &'a [C],
    pub any_of_label: &'a str,
}

/// Why a list is refused whole, with the header cells it did not read (when a header was found).
pub struct ListRefusal {
    pub error: RowError,
    pub ignored: Vec<String>,
}

/// A list's sheets with their merged cells filled, and its header; or the one file error that refuses
/// it (unreadable, no header, required columns missing).
pub fn read_list<C: Column>(
    read: Result<Vec<Table>, super::ReadError>,
    wanted: &ListHeader<'_, C>,
) -> Result<(Vec<Table>, Layout<C>), ListRefusal> {
    let refused = |error, ignored| ListRefusal { error, ignored };
    let mut tables = read.map_err(|e| refused(file_error(e.to_string()), Vec::new()))?;
    fill_merged_cells(&mut tables);
    let layout = find_layout(&tables, wanted.key)
        .ok_or_else(|| refused(file_error(wanted.not_found), Vec::new()))?;
    let mut missing = layout.missing_required();
    let identified = wanted.any_of.is_empty()
        || layout
            .columns
            .iter()
            .any(|(_, found)| wanted.any_of.contains(found));
    if !identified {
        missing.push(wanted.any_of_label);
    }
    if !missing.is_empty() {
        let error = file_error(format!("必須の列がありません: {}", missing.join("、")));
        return Err(refused(error, layout.ignored));
    }
    Ok((tables, layout))
}

/// A list's data rows as one import reads them: each non-blank row under the header parsed, every
/// error of the others, and where the header was found.
pub struct ListRows<T, C> {
    pub rows: Vec<T>,
    pub errors: Vec<RowError>,
    /// The header's columns, for placing errors found later on their cells.
    pub columns: Vec<(usize, C)>,
    pub ignored: Vec<String>,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
}

/// Reads a list (`read_list`) and parses each row under its header that is not blank in every column
/// read; a list refused whole, or one without a data row (`empty`), has its one error.
pub fn read_rows<C: Column, T>(
    read: Result<Vec<Table>, super::ReadError>,
    wanted: &ListHeader<'_, C>,
    empty: &str,
    mut parse: impl FnMut(&super::Row, &[(usize, C)]) -> Result<T, Vec<RowError>>,
) -> ListRows<T, C> {
    let (tables, layout) = match read_list(read, wanted) {
        Ok(found) => found,
        Err(refusal) => {
            return ListRows {
                rows: Vec::new(),
                errors: vec![refusal.error],
                columns: Vec::new(),
                ignored: refusal.ignored,
                sheet: None,
                header_row: None,
            }
        }
    };
    let table = &tables[layout.table_index];
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for row in table.rows.iter().skip(layout.header_position + 1) {
        if layout.columns.iter().all(|(i, _)| row.cell(*i).is_blank()) {
            continue;
        }
        match parse(row, &layout.columns) {
            Ok(parsed) => rows.push(parsed),
            Err(found) => errors.extend(found),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(file_error(empty));
    }
    ListRows {
        rows,
        errors,
        columns: layout.columns,
        ignored: layout.ignored,
        sheet: Some(table.name.clone()),
        header_row: Some(layout.header_row),
    }
}

/// The cell address (`C5`) of a field on a row.
pub fn cell_ref<C: Column>(columns: &[(usize, C)], field: C, row: u32) -> Option<String> {
    columns
        .iter()
        .find(|(_, f)| *f == field)
        .map(|(index, _)| format!("{}{row}", column_letter(*index)))
}
