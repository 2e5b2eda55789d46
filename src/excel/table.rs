//! A sheet as rows of typed cells, keeping the row numbers people see in Excel.

use crate::domain::dates::from_excel_serial;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell formatted as a date: its serial day number (1900 system), or the date itself.
    Date(NaiveDate),
    Bool(bool),
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().trim_matches('\u{3000}').is_empty(),
            _ => false,
        }
    }

    /// The cell as people read it: numbers without a trailing `.0`, dates as ISO text.
    pub fn as_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(date) => date.format("%Y-%m-%d").to_string(),
            Cell::Bool(true) => "TRUE".into(),
            Cell::Bool(false) => "FALSE".into(),
        }
    }

    /// A date cell, a serial number in a plausible range, or text in any form `parse_date` reads.
    pub fn as_date(&self) -> Result<NaiveDate, String> {
        match self {
            Cell::Date(date) => Ok(*date),
            Cell::Number(serial) if (3_000.0..=110_000.0).contains(serial) => {
                from_excel_serial(*serial)
                    .ok_or_else(|| format!("「{serial}」は日付として読み取れません"))
            }
            Cell::Number(n) => {
                crate::domain::parse_date(&Cell::Number(*n).as_text()).map_err(|e| e.0)
            }
            Cell::Text(text) => match text.trim().parse::<f64>() {
                Ok(serial) if (3_000.0..=110_000.0).contains(&serial) => {
                    Cell::Number(serial).as_date()
                }
                _ => crate::domain::parse_date(text).map_err(|e| e.0),
            },
            Cell::Empty => Err("日付が入力されていません".into()),
            Cell::Bool(_) => Err("日付として読み取れません".into()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The row number shown in Excel (1-based).
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl Row {
    pub fn cell(&self, column: usize) -> &Cell {
        self.cells.get(column).unwrap_or(&Cell::Empty)
    }
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }
}

/// A merged range of cells, 0-based and inclusive, as the workbook declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    pub first_row: u32,
    pub last_row: u32,
    pub first_column: usize,
    pub last_column: usize,
}

/// One sheet (or a CSV file), with only its non-empty rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    pub rows: Vec<Row>,
    /// Hidden (or very hidden) in the workbook: a drop-down list or last year's copy, never the sheet people fill.
    #[serde(default)]
    pub hidden: bool,
    /// Merged ranges, when the reader was asked for them (`Limits::merged_cells`).
    #[serde(default)]
    pub merged: Vec<Merge>,
}

impl Table {
    /// Gives every cell of a merged range its first cell's value, as a person reads the sheet (所管課
    /// merged down over its contracts). Only rows the sheet has are filled, and at most `most` cells,
    /// so a range declared over the whole sheet costs no more than the cells already read.
    pub fn fill_merged(&mut self, most: usize) {
        let mut left = most;
        let merges = std::mem::take(&mut self.merged);
        for merge in &merges {
            let Some(first) = self
                .rows
                .iter()
                .find(|r| r.number == merge.first_row + 1)
                .map(|r| r.cell(merge.first_column).clone())
                .filter(|c| !c.is_blank())
            else {
                continue;
            };
            let wanted = merge.first_row + 1..=merge.last_row + 1;
            let start = self.rows.partition_point(|r| r.number < *wanted.start());
            for row in self.rows[start..]
                .iter_mut()
                .take_while(|r| wanted.contains(&r.number))
            {
                for column in merge.first_column..=merge.last_column {
                    if left == 0 {
                        return;
                    }
                    if row.cell(column).is_blank() {
                        if row.cells.len() <= column {
                            row.cells.resize(column + 1, Cell::Empty);
                        }
                        row.cells[column] = first.clone();
                        left -= 1;
                    }
                }
            }
        }
        self.merged = merges;
    }
}

/// 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push((b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_ranges_take_their_first_cells_value_in_rows_the_sheet_has() {
        let text = |t: &str| Cell::Text(t.into());
        let mut table = Table {
            name: "台帳".into(),
            rows: vec![
                Row {
                    number: 2,
                    cells: vec![text("総務課"), text("K-1")],
                },
                Row {
                    number: 3,
                    cells: vec![Cell::Empty, text("K-2")],
                },
                Row {
                    number: 4,
                    cells: vec![Cell::Empty, text("K-3")],
                },
                Row {
                    number: 6,
                    cells: vec![Cell::Empty, text("K-4")],
                },
            ],
            hidden: false,
            merged: vec![Merge {
                first_row: 1,
                last_row: 3,
                first_column: 0,
                last_column: 0,
            }],
        };
        table.fill_merged(100);
        let firsts: Vec<String> = table.rows.iter().map(|r| r.cell(0).as_text()).collect();
        assert_eq!(firsts, ["総務課", "総務課", "総務課", ""]);
        let mut far = table.clone();
        far.merged = vec![Merge {
            first_row: 1,
            last_row: 1_048_575,
            first_column: 0,
            last_column: 16_383,
        }];
        far.fill_merged(10);
        let cells: usize = far
            .rows
            .iter()
            .map(|r| r.cells.iter().filter(|c| !c.is_blank()).count())
            .sum();
        assert_eq!(cells, 7 + 10, "at most `most` cells are added");
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(16383), "XFD");
    }

    #[test]
    fn dates_from_cells() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert_eq!(Cell::Number(45747.0).as_date(), Ok(d));
        assert_eq!(Cell::Text("45747".into()).as_date(), Ok(d));
        assert_eq!(Cell::Text("R7.3.31".into()).as_date(), Ok(d));
        assert_eq!(Cell::Number(20250331.0).as_date(), Ok(d));
        assert!(Cell::Empty.as_date().is_err());
        assert_eq!(Cell::Number(30.0).as_text(), "30");
    }
}
