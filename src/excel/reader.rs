//! Reads any workbook or CSV file into tables, after `guard::check` has passed it and `inspect` has
//! counted what it would expand to. Untrusted files reach this only inside the parse worker
//! (`crate::sandbox`); tests and the fuzzers call it directly.

use super::guard::{check, looks_like_utf16, Format, Limits, ReadError};
use super::inspect;
use super::table::{Cell, Merge, Row, Table};
use super::xls_crypto::{self, Decrypted};
use calamine::{Data, DataRef, Reader, SheetType, SheetVisible, Xlsb, Xlsx};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Cursor;

/// Every worksheet of a workbook, or the one table of a CSV/TSV file.
pub fn read_tables(bytes: &[u8], limits: &Limits) -> Result<Vec<Table>, ReadError> {
    let mut budget = Budget {
        cells: limits.max_cells,
        limits,
    };
    match check(bytes, limits)? {
        Format::Xlsx => contained(|| read_xlsx(bytes, &mut budget)),
        Format::Xlsb => contained(|| read_xlsb(bytes, &mut budget)),
        Format::Ods => {
            let merged = contained(|| inspect::ods(bytes, limits))?;
            contained(|| read_whole_sheets(bytes, &mut budget, merged))
        }
        Format::Ole => {
            let workbook = contained(|| open_xls(bytes, limits))?;
            contained(|| read_whole_sheets(&workbook, &mut budget, Vec::new()))
        }
        Format::OtherZip => Err(ReadError::NotSpreadsheet),
        Format::Text => read_delimited(bytes, &mut budget).map(|table| vec![table]),
    }
}

/// Runs a workbook parser so that a panic inside it (calamine asserts on some malformed .xls
/// headers, and overflows on absurd cell references; found by tests/fuzz.rs) refuses the file as
/// damaged instead of failing the request.
fn contained<T>(parse: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse))
        .unwrap_or_else(|_| Err(damaged("the workbook's structure is damaged")))
}

/// An .xls file ready for calamine: its cells' extent checked, and decrypted when Excel's default
/// password opens it (any other password is refused).
fn open_xls<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Cow<'a, [u8]>, ReadError> {
    let Some(stream) = inspect::xls_workbook_stream(bytes)? else {
        return Ok(Cow::Borrowed(bytes));
    };
    match xls_crypto::decrypt(&stream) {
        Decrypted::Plain => {
            inspect::xls_stream(&stream, limits)?;
            Ok(Cow::Borrowed(bytes))
        }
        Decrypted::Opened(plain) => {
            inspect::xls_stream(&plain, limits)?;
            xls_crypto::compound_file(&plain)
                .map(Cow::Owned)
                .map_err(damaged)
        }
        Decrypted::Protected => Err(ReadError::Encrypted),
    }
}

fn damaged(error: impl std::fmt::Display) -> ReadError {
    ReadError::Damaged {
        detail: error.to_string(),
    }
}

/// The cells and sheets a whole file may still use.
struct Budget<'a> {
    cells: usize,
    limits: &'a Limits,
}

impl Budget<'_> {
    /// The worksheets worth reading, in workbook order, with whether each is hidden.
    fn worksheets(&self, sheets: &[calamine::Sheet]) -> Result<Vec<(String, bool)>, ReadError> {
        let sheets: Vec<(String, bool)> = sheets
            .iter()
            .filter(|sheet| sheet.typ == SheetType::WorkSheet)
            .map(|sheet| (sheet.name.clone(), sheet.visible != SheetVisible::Visible))
            .collect();
        if sheets.len() > self.limits.max_sheets {
            return Err(ReadError::TooManySheets {
                limit: self.limits.max_sheets,
            });
        }
        Ok(sheets)
    }
}

/// Collects cells into sparse rows, within the file's cell budget.
struct RowCollector<'a, 'b> {
    rows: BTreeMap<u32, Vec<Cell>>,
    budget: &'a mut Budget<'b>,
}

impl<'a, 'b> RowCollector<'a, 'b> {
    fn new(budget: &'a mut Budget<'b>) -> Self {
        RowCollector {
            rows: BTreeMap::new(),
            budget,
        }
    }

    fn put(&mut self, row: u32, column: usize, cell: Cell) -> Result<(), ReadError> {
        if cell.is_blank() || column >= self.budget.limits.max_columns {
            return Ok(());
        }
        self.budget.cells = self
            .budget
            .cells
            .checked_sub(1)
            .ok_or(ReadError::TooManyCells {
                limit: self.budget.limits.max_cells,
            })?;
        let cells = self.rows.entry(row).or_default();
        if cells.len() <= column {
            cells.resize(column + 1, Cell::Empty);
        }
        cells[column] = cell;
        Ok(())
    }

    fn finish(self, name: String, hidden: bool, merged: Vec<Merge>) -> Table {
        let rows = self
            .rows
            .into_iter()
            .map(|(index, cells)| Row {
                number: index + 1,
                cells,
            })
            .collect();
        Table {
            name,
            rows,
            hidden,
            merged,
        }
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

fn streamed_cell(value: &DataRef<'_>) -> Option<Cell> {
    Some(match value {
        DataRef::Empty | DataRef::Error(_) => return None,
        DataRef::Int(n) => Cell::Number(*n as f64),
        DataRef::Float(n) => Cell::Number(*n),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(datetime) => date_cell(datetime),
        DataRef::DateTimeIso(s) => iso_cell(s),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
    })
}

/// Streams the cells of each worksheet, so a stray far-away cell costs nothing. A macro because
/// calamine's .xlsx and .xlsb cell readers are two types with the same methods and no shared trait.
macro_rules! stream_worksheets {
    ($workbook:expr, $budget:expr, $merged:expr) => {{
        let mut tables = Vec::new();
        for (name, hidden) in $budget.worksheets($workbook.sheets_metadata())? {
            let mut collector = RowCollector::new($budget);
            let mut reader = $workbook.worksheet_cells_reader(&name).map_err(damaged)?;
            while let Some(cell) = reader.next_cell().map_err(damaged)? {
                let (row, column) = cell.get_position();
                if let Some(value) = streamed_cell(cell.get_value()) {
                    collector.put(row, column as usize, value)?;
                }
            }
            drop(reader);
            let merged = $merged(&mut $workbook, &name, collector.budget.limits)?;
            tables.push(collector.finish(name, hidden, merged));
        }
        Ok(tables)
    }};
}

fn merges(dimensions: Vec<calamine::Dimensions>) -> Vec<Merge> {
    dimensions
        .into_iter()
        .take(inspect::MAX_MERGES)
        .map(|d| Merge {
            first_row: d.start.0,
            last_row: d.end.0.max(d.start.0),
            first_column: d.start.1 as usize,
            last_column: d.end.1.max(d.start.1) as usize,
        })
        .collect()
}

fn xlsx_merges(
    workbook: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
) -> Result<Vec<Merge>, ReadError> {
    if !limits.merged_cells {
        return Ok(Vec::new());
    }
    workbook
        .merge_cells_by_sheet_name(name)
        .map(merges)
        .map_err(damaged)
}

/// calamine reads no merged ranges from .xlsb.
fn no_merges(_: &mut Xlsb<Cursor<&[u8]>>, _: &str, _: &Limits) -> Result<Vec<Merge>, ReadError> {
    Ok(Vec::new())
}

fn read_xlsx(bytes: &[u8], budget: &mut Budget<'_>) -> Result<Vec<Table>, ReadError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(damaged)?;
    stream_worksheets!(workbook, budget, xlsx_merges)
}

/// The binary workbook, streamed like .xlsx.
fn read_xlsb(bytes: &[u8], budget: &mut Budget<'_>) -> Result<Vec<Table>, ReadError> {
    let mut workbook: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|error| match error {
        calamine::XlsbError::Password => ReadError::Encrypted,
        other => damaged(other),
    })?;
    stream_worksheets!(workbook, budget, no_merges)
}

/// .xls and .ods, which calamine reads whole: each sheet becomes a dense grid from its first to its last
/// cell. `inspect` has already refused a file whose grids would pass the cell limit.
/// `ods_merges` holds an .ods file's merged ranges by sheet (from `inspect::ods`); an .xls file's come
/// from calamine.
fn read_whole_sheets(
    bytes: &[u8],
    budget: &mut Budget<'_>,
    mut ods_merges: Vec<Vec<Merge>>,
) -> Result<Vec<Table>, ReadError> {
    let mut workbook =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|error| match error {
            calamine::Error::Xls(calamine::XlsError::Password) => ReadError::Encrypted,
            calamine::Error::Msg("Cannot detect file format") => ReadError::NotSpreadsheet,
            other => damaged(other),
        })?;
    let mut tables = Vec::new();
    let sheets = budget.worksheets(workbook.sheets_metadata())?;
    ods_merges.resize(sheets.len(), Vec::new());
    for ((name, hidden), ods_merged) in sheets.into_iter().zip(ods_merges) {
        let merged = match &workbook {
            calamine::Sheets::Xls(xls) if budget.limits.merged_cells => xls
                .merge_cells_by_sheet_name(&name)
                .map(merges)
                .map_err(damaged)?,
            _ => ods_merged,
        };
        let range = workbook.worksheet_range(&name).map_err(damaged)?;
        let mut collector = RowCollector::new(budget);
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
        tables.push(collector.finish(name, hidden, merged));
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

fn read_delimited(bytes: &[u8], budget: &mut Budget<'_>) -> Result<Table, ReadError> {
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
    // The csv crate counts a CRLF line ending as no line at all, and Windows writes CRLF: with LF
    // alone, a record's line is where it starts.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut collector = RowCollector::new(budget);
    // Excel shows a quoted cell with line breaks as one row, and a blank line as an empty row.
    let mut breaks_inside_cells = 0u64;
    let mut lines = LineCounter {
        bytes: text.as_bytes(),
        counted_to: 0,
        breaks: 0,
    };
    for record in reader.records() {
        let record = record.map_err(|e| {
            ReadError::Corrupt(format!(
                "CSV の {} 行目",
                e.position().map(|p| p.line()).unwrap_or(0)
            ))
        })?;
        let line = lines.line_of(record.position().map_or(0, |p| p.byte()));
        let row = u32::try_from(line.saturating_sub(1 + breaks_inside_cells)).unwrap_or(u32::MAX);
        for (column, value) in record.iter().enumerate() {
            breaks_inside_cells += value.matches('\n').count() as u64;
            collector.put(row, column, Cell::Text(value.to_string()))?;
        }
    }
    Ok(collector.finish("CSV".into(), false, Vec::new()))
}

/// Finds the line (from 1) each record starts at, reading forward once. The csv crate's position is
/// where it began reading, before the blank lines it skips, and its own line count misses CRLF.
struct LineCounter<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    breaks: u64,
}

impl LineCounter<'_> {
    fn line_of(&mut self, byte: u64) -> u64 {
        let start = usize::try_from(byte).map_or(self.bytes.len(), |b| b.min(self.bytes.len()));
        if start > self.counted_to {
            self.breaks += self.bytes[self.counted_to..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.counted_to = start;
        }
        let blank = self.bytes[start..]
            .iter()
            .take_while(|b| **b == b'\n')
            .count() as u64;
        self.breaks + blank + 1
    }
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
    fn csv_rows_are_numbered_as_excel_shows_them() {
        let text = "事業者名,いろは\r\n法人番号,7000012050002\r\n\r\n項番,\"確認\r\n項目\"\r\nA-1,はい\r\n";
        let tables = read_tables(text.as_bytes(), &Limits::default()).unwrap();
        let numbers: Vec<u32> = tables[0].rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 2, 4, 5]);
        assert_eq!(tables[0].rows[0].cells[1], Cell::Text("いろは".into()));
        assert_eq!(tables[0].rows[2].cells[1], Cell::Text("確認\n項目".into()));
        assert_eq!(tables[0].rows[3].cells[0], Cell::Text("A-1".into()));
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
