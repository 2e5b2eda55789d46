//! Reads any workbook or CSV file into tables, after `guard::check` has passed it.

use super::guard::{check, looks_like_utf16, Format, Limits, ReadError};
use super::table::{Cell, Row, Table};
use calamine::{Data, DataRef, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

/// Every sheet of a workbook, or the one table of a CSV/TSV file.
pub fn read_tables(bytes: &[u8], limits: &Limits) -> Result<Vec<Table>, ReadError> {
    match check(bytes, limits)? {
        Format::Zip if is_xlsx(bytes) => contained(|| read_xlsx(bytes, limits)),
        Format::Zip | Format::Ole => contained(|| read_other_workbook(bytes, limits)),
        Format::Text => read_delimited(bytes, limits).map(|table| vec![table]),
    }
}

/// Runs a workbook parser so that a panic inside it (calamine asserts on some malformed .xls
/// headers, and overflows on absurd cell references; found by tests/fuzz.rs) refuses the file as
/// damaged instead of failing the request.
fn contained(
    parse: impl FnOnce() -> Result<Vec<Table>, ReadError>,
) -> Result<Vec<Table>, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse))
        .unwrap_or_else(|_| Err(corrupt("the workbook's structure is damaged")))
}

fn is_xlsx(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|archive| archive.index_for_name("xl/workbook.xml").is_some())
        .unwrap_or(false)
}

fn corrupt(error: impl std::fmt::Display) -> ReadError {
    ReadError::Corrupt(error.to_string())
}

/// Collects cells into sparse rows, keeping at most `limits.max_cells` non-empty cells.
struct RowCollector<'a> {
    rows: BTreeMap<u32, Vec<Cell>>,
    cells: usize,
    limits: &'a Limits,
}

impl<'a> RowCollector<'a> {
    fn new(limits: &'a Limits) -> Self {
        RowCollector {
            rows: BTreeMap::new(),
            cells: 0,
            limits,
        }
    }

    fn put(&mut self, row: u32, column: usize, cell: Cell) -> Result<(), ReadError> {
        if cell.is_blank() || column >= self.limits.max_columns {
            return Ok(());
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(ReadError::TooManyCells {
                limit: self.limits.max_cells,
            });
        }
        let cells = self.rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = cell;
        Ok(())
    }

    fn finish(self, name: String) -> Table {
        let rows = self
            .rows
            .into_iter()
            .map(|(index, cells)| Row {
                number: index + 1,
                cells,
            })
            .collect();
        Table { name, rows }
    }
}

fn date_cell(datetime: &calamine::ExcelDateTime) -> Cell {
    match datetime.as_datetime() {
        Some(value) if datetime.is_datetime() => Cell::Date(value.date()),
        _ => Cell::Number(datetime.as_f64()),
    }
}

fn iso_cell(text: &str) -> Cell {
    match chrono::NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d") {
        Ok(date) => Cell::Date(date),
        Err(_) => Cell::Text(text.to_string()),
    }
}

/// Streams the cells of each sheet, so a stray far-away cell costs nothing.
fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Table>, ReadError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(corrupt)?;
    let mut tables = Vec::new();
    for name in workbook.sheet_names() {
        let mut collector = RowCollector::new(limits);
        let mut reader = workbook.worksheet_cells_reader(&name).map_err(corrupt)?;
        while let Some(cell) = reader.next_cell().map_err(corrupt)? {
            let (row, column) = cell.get_position();
            let value = match cell.get_value() {
                DataRef::Empty | DataRef::Error(_) => continue,
                DataRef::Int(n) => Cell::Number(*n as f64),
                DataRef::Float(n) => Cell::Number(*n),
                DataRef::String(s) => Cell::Text(s.clone()),
                DataRef::SharedString(s) => Cell::Text(s.to_string()),
                DataRef::Bool(b) => Cell::Bool(*b),
                DataRef::DateTime(datetime) => date_cell(datetime),
                DataRef::DateTimeIso(s) => iso_cell(s),
                DataRef::DurationIso(s) => Cell::Text(s.clone()),
            };
            collector.put(row, column as usize, value)?;
        }
        tables.push(collector.finish(name));
    }
    Ok(tables)
}

/// .xls and .ods, which calamine reads whole: each sheet becomes a dense grid from its first to its last
/// cell, so a few far-apart cells cost the whole grid (up to about 0.9 GiB for an .xls, measured with
/// tests/fixtures/hostile/xls-far-cells.xls). One such read at a time keeps the server's worst case at one grid.
fn read_other_workbook(bytes: &[u8], limits: &Limits) -> Result<Vec<Table>, ReadError> {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|error| match error {
            calamine::Error::Xls(calamine::XlsError::Password) => ReadError::Encrypted,
            calamine::Error::Msg("Cannot detect file format") => ReadError::NotSpreadsheet,
            other => corrupt(other),
        })?;
    let mut tables = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(corrupt)?;
        let mut collector = RowCollector::new(limits);
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, value) in row.iter().enumerate() {
                let cell = match value {
                    Data::Empty | Data::Error(_) => continue,
                    Data::Int(n) => Cell::Number(*n as f64),
                    Data::Float(n) => Cell::Number(*n),
                    Data::String(s) => Cell::Text(s.clone()),
                    Data::Bool(b) => Cell::Bool(*b),
                    Data::DateTime(datetime) => date_cell(datetime),
                    Data::DateTimeIso(s) => iso_cell(s),
                    Data::DurationIso(s) => Cell::Text(s.clone()),
                };
                collector.put(first_row + r as u32, first_column as usize + c, cell)?;
            }
        }
        tables.push(collector.finish(name));
    }
    Ok(tables)
}

/// Decodes text as Japanese Excel writes it: UTF-8 (with or without BOM), UTF-16 ("Unicode テキスト"),
/// or Shift_JIS / CP932.
pub fn decode_text(bytes: &[u8]) -> Result<String, ReadError> {
    if looks_like_utf16(bytes) {
        let (text, _, had_errors) = encoding_rs::UTF_16LE.decode(bytes);
        return if had_errors {
            Err(ReadError::Encoding)
        } else {
            Ok(text.into_owned())
        };
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(body) {
        return Ok(text.to_string());
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|text| text.into_owned())
        .ok_or(ReadError::Encoding)
}

fn read_delimited(bytes: &[u8], limits: &Limits) -> Result<Table, ReadError> {
    let text = decode_text(bytes)?;
    if text
        .chars()
        .take(4096)
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ReadError::NotSpreadsheet);
    }
    let sample: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let delimiter = if sample.matches('\t').count() > sample.matches(',').count() {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut collector = RowCollector::new(limits);
    for record in reader.records() {
        let record = record.map_err(|e| corrupt(format!("CSV: {e}")))?;
        let line = record.position().map(|p| p.line()).unwrap_or(1) as u32;
        for (column, value) in record.iter().enumerate() {
            collector.put(
                line.saturating_sub(1),
                column,
                Cell::Text(value.to_string()),
            )?;
        }
    }
    Ok(collector.finish("CSV".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_in_utf8_shift_jis_and_utf16() {
        let text = "契約番号,件名\nK-1,印刷業務\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            text.replace(',', "\t")
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        );
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), sjis.into_owned(), utf16, bom] {
            let tables = read_tables(&bytes, &Limits::default()).unwrap();
            assert_eq!(tables[0].rows[0].cells[0], Cell::Text("契約番号".into()));
            assert_eq!(tables[0].rows[1].cells[1], Cell::Text("印刷業務".into()));
            assert_eq!(tables[0].rows[1].number, 2);
        }
    }

    #[test]
    fn reads_xlsx_written_by_another_library() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name("台帳").unwrap();
        sheet.write_string(2, 1, "契約番号").unwrap();
        sheet.write_number(3, 1, 12.0).unwrap();
        let date_format = rust_xlsxwriter::Format::new().set_num_format("ggge\"年\"m\"月\"d\"日\"");
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 31).unwrap();
        sheet
            .write_datetime_with_format(3, 2, &date, &date_format)
            .unwrap();
        sheet.write_string(1_048_575, 16_383, "far away").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let tables = read_tables(&bytes, &Limits::default()).unwrap();
        assert_eq!(tables[0].name, "台帳");
        assert_eq!(tables[0].rows[0].number, 3);
        assert_eq!(tables[0].rows[0].cell(1), &Cell::Text("契約番号".into()));
        assert_eq!(tables[0].rows[1].cell(1), &Cell::Number(12.0));
        assert_eq!(
            tables[0].rows[1].cell(2).as_date(),
            Ok(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap())
        );
        assert_eq!(
            tables[0].rows.len(),
            2,
            "the far cell is beyond the column cap"
        );
    }

    #[test]
    fn refuses_binary_that_is_not_a_spreadsheet() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(read_tables(png, &Limits::default()).is_err());
    }
}
