//! Looks inside a workbook for what would make calamine build something huge, before calamine sees it.
//! calamine turns an .xls sheet and an .ods sheet into a dense grid from its first to its last cell, and
//! expands .ods repeat markers (`number-columns-repeated`, `number-rows-repeated`, `text:c`) in full:
//! a few kilobytes can ask for gigabytes. These checks count what the file would expand to, in a
//! streaming pass with bounded memory, and refuse the file when it is more than the limits allow.
//! They run in the parse worker (`crate::sandbox`), whose own memory limit stays the last line.

use super::guard::{part_name, Limits, ReadError};
use super::table::Merge;
use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor, Read};

fn damaged(detail: impl std::fmt::Display) -> ReadError {
    ReadError::Damaged {
        detail: detail.to_string(),
    }
}

/// Running totals for one workbook: sheets, non-empty cells, and each sheet's dense grid.
struct Extent<'a> {
    limits: &'a Limits,
    sheets: usize,
    cells: u64,
}

impl Extent<'_> {
    fn sheet(&mut self) -> Result<(), ReadError> {
        self.sheets += 1;
        if self.sheets > self.limits.max_sheets {
            return Err(ReadError::TooManySheets {
                limit: self.limits.max_sheets,
            });
        }
        Ok(())
    }

    fn cells(&mut self, count: u64) -> Result<(), ReadError> {
        self.cells = self.cells.saturating_add(count);
        self.within(self.cells)
    }

    /// The rectangle calamine would allocate for one sheet.
    fn grid(&self, rows: u64, columns: u64) -> Result<(), ReadError> {
        self.within(rows.saturating_mul(columns))
    }

    fn within(&self, cells: u64) -> Result<(), ReadError> {
        if cells > self.limits.max_cells as u64 {
            return Err(ReadError::TooManyCells {
                limit: self.limits.max_cells,
            });
        }
        Ok(())
    }
}

fn attribute(element: &BytesStart<'_>, name: &str) -> Option<u64> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.value.trim().parse().ok())
}

fn has_attribute(element: &BytesStart<'_>, name: &str) -> bool {
    element
        .attributes()
        .flatten()
        .any(|a| a.key.as_ref() == name)
}

/// One `<table:table-row>` being read.
#[derive(Default)]
struct OdsRow {
    repeat: u64,
    width: u64,
    filled_width: u64,
    filled: u64,
}

/// Sums an .ods file's repeat markers in `content.xml` without expanding them; with
/// `limits.merged_cells`, also gives each sheet's merged ranges (calamine reads none from .ods).
pub fn ods(bytes: &[u8], limits: &Limits) -> Result<Vec<Vec<Merge>>, ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    let Some(index) = (0..archive.len()).find(|i| {
        archive
            .name_for_index(*i)
            .and_then(Result::ok)
            .is_some_and(|name| part_name(&name) == "content.xml")
    }) else {
        return Ok(Vec::new());
    };
    let entry = archive.by_index(index).map_err(damaged)?;
    let mut merged: Vec<Vec<Merge>> = Vec::new();
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(entry));
    let mut extent = Extent {
        limits,
        sheets: 0,
        cells: 0,
    };
    let mut chars: u64 = 0;
    let mut row = OdsRow::default();
    // Per sheet: rows read so far and the widest filled row.
    let (mut rows, mut widest) = (0u64, 0u64);
    let mut buffer = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buffer).map_err(damaged)?;
        match &event {
            Event::Start(element) | Event::Empty(element) => {
                let empty = matches!(event, Event::Empty(_));
                match element.name().as_ref() {
                    "table:table" if !empty => {
                        extent.sheet()?;
                        (rows, widest) = (0, 0);
                        merged.push(Vec::new());
                    }
                    "table:table-row" => {
                        let repeat = attribute(element, "table:number-rows-repeated").unwrap_or(1);
                        row = OdsRow {
                            repeat,
                            ..OdsRow::default()
                        };
                        if empty {
                            rows = rows.saturating_add(repeat);
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" => {
                        let repeat =
                            attribute(element, "table:number-columns-repeated").unwrap_or(1);
                        if limits.merged_cells {
                            let sheet = merged.last_mut().filter(|s| s.len() < MAX_MERGES);
                            if let (Some(sheet), Some(merge)) =
                                (sheet, ods_span(element, rows, row.width))
                            {
                                sheet.push(merge);
                            }
                        }
                        row.width = row.width.saturating_add(repeat);
                        if !empty || has_attribute(element, "office:value-type") {
                            row.filled = row.filled.saturating_add(repeat);
                            row.filled_width = row.width;
                        }
                    }
                    "text:s" => {
                        chars = chars.saturating_add(attribute(element, "text:c").unwrap_or(1));
                        if chars > limits.max_repeated_chars {
                            return Err(ReadError::ZipBomb(format!(
                                "空白の繰り返しが {chars} 文字を超えます"
                            )));
                        }
                    }
                    _ => {}
                }
            }
            Event::End(element) if element.name().as_ref() == "table:table-row" => {
                if row.filled > 0 {
                    extent.cells(row.repeat.saturating_mul(row.filled))?;
                    widest = widest.max(row.filled_width);
                    extent.grid(rows.saturating_add(row.repeat), widest)?;
                }
                rows = rows.saturating_add(row.repeat);
            }
            Event::Eof => return Ok(merged),
            _ => {}
        }
        buffer.clear();
    }
}

/// Merged ranges are never wanted in more numbers than this per sheet; more are ignored.
pub const MAX_MERGES: usize = 65_536;

/// The range a cell at (`row`, `column`) spans, when it spans more than itself.
fn ods_span(element: &BytesStart<'_>, row: u64, column: u64) -> Option<Merge> {
    let rows = attribute(element, "table:number-rows-spanned").unwrap_or(1);
    let columns = attribute(element, "table:number-columns-spanned").unwrap_or(1);
    if rows <= 1 && columns <= 1 {
        return None;
    }
    Some(Merge {
        first_row: u32::try_from(row).ok()?,
        last_row: u32::try_from(row.saturating_add(rows.max(1) - 1)).ok()?,
        first_column: usize::try_from(column).ok()?,
        last_column: usize::try_from(column.saturating_add(columns.max(1) - 1)).ok()?,
    })
}

const BIFF_BOF: u16 = 0x0809;
pub const BIFF_EOF: u16 = 0x000A;
const WORKSHEET: u16 = 0x0010;

/// Record types that begin with the row and column of one cell.
const SINGLE_CELLS: [u16; 8] = [
    0x0203, 0x027E, 0x00FD, 0x0204, 0x0201, 0x0205, 0x0006, 0x00D6,
];
/// MULRK and MULBLANK: a row, a first column, …, a last column.
const CELL_RUNS: [u16; 2] = [0x00BD, 0x00BE];

/// The workbook stream of an .xls file, or None when the compound file has none.
pub fn xls_workbook_stream(bytes: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(damaged)?;
    for name in ["/Workbook", "/Book"] {
        if file.is_stream(name) {
            let mut stream = file.open_stream(name).map_err(damaged)?;
            let mut data = Vec::new();
            stream
                .by_ref()
                .take(bytes.len() as u64)
                .read_to_end(&mut data)
                .map_err(damaged)?;
            return Ok(Some(data));
        }
    }
    Ok(None)
}

/// The BIFF records of a workbook stream as (type, data).
pub fn biff_records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut offset = 0usize;
    std::iter::from_fn(move || {
        let header = stream.get(offset..offset + 4)?;
        let kind = u16::from_le_bytes([header[0], header[1]]);
        let length = u16::from_le_bytes([header[2], header[3]]) as usize;
        let data = stream.get(offset + 4..offset + 4 + length)?;
        offset += 4 + length;
        Some((kind, data))
    })
}

/// Reads where every sheet's cells really are (not what DIMENSIONS claims), so the grid calamine
/// would build from the first to the last cell is known before it is built.
pub fn xls_stream(stream: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut extent = Extent {
        limits,
        sheets: 0,
        cells: 0,
    };
    let u16_at = |data: &[u8], at: usize| -> Option<u64> {
        data.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
    };
    // (first row, last row, first column, last column) of the sheet being read.
    let mut bounds: Option<(u64, u64, u64, u64)> = None;
    let mut in_sheet = false;
    for (kind, data) in biff_records(stream) {
        if kind == BIFF_BOF {
            in_sheet = u16_at(data, 2) == Some(WORKSHEET as u64);
            if in_sheet {
                extent.sheet()?;
            }
            bounds = None;
            continue;
        }
        if !in_sheet {
            continue;
        }
        let cell = if SINGLE_CELLS.contains(&kind) {
            u16_at(data, 0).zip(u16_at(data, 2)).map(|(r, c)| (r, c, c))
        } else if CELL_RUNS.contains(&kind) && data.len() >= 6 {
            u16_at(data, 0)
                .zip(u16_at(data, 2))
                .zip(u16_at(data, data.len() - 2))
                .map(|((r, first), last)| (r, first, last.max(first)))
        } else {
            None
        };
        if let Some((row, first, last)) = cell {
            extent.cells(last - first + 1)?;
            let (r0, r1, c0, c1) = bounds.unwrap_or((row, row, first, last));
            let grown = (r0.min(row), r1.max(row), c0.min(first), c1.max(last));
            extent.grid(grown.1 - grown.0 + 1, grown.3 - grown.2 + 1)?;
            bounds = Some(grown);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_le_bytes().to_vec();
        bytes.extend((data.len() as u16).to_le_bytes());
        bytes.extend(data);
        bytes
    }

    fn number(row: u16, column: u16) -> Vec<u8> {
        let mut data = row.to_le_bytes().to_vec();
        data.extend(column.to_le_bytes());
        data.extend([0u8; 10]);
        record(0x0203, &data)
    }

    fn sheet(cells: &[(u16, u16)]) -> Vec<u8> {
        let mut stream = record(BIFF_BOF, &[0, 6, 0x10, 0]);
        for (row, column) in cells {
            stream.extend(number(*row, *column));
        }
        stream.extend(record(BIFF_EOF, &[]));
        stream
    }

    #[test]
    fn far_apart_xls_cells_are_refused_by_the_grid_they_span() {
        let limits = Limits::default();
        assert_eq!(xls_stream(&sheet(&[(0, 0), (40, 10)]), &limits), Ok(()));
        assert_eq!(
            xls_stream(&sheet(&[(0, 0), (65_535, 255)]), &limits),
            Err(ReadError::TooManyCells {
                limit: limits.max_cells
            })
        );
    }

    #[test]
    fn too_many_xls_sheets_are_refused() {
        let limits = Limits {
            max_sheets: 3,
            ..Limits::default()
        };
        let stream: Vec<u8> = (0..4).flat_map(|_| sheet(&[(0, 0)])).collect();
        assert_eq!(
            xls_stream(&stream, &limits),
            Err(ReadError::TooManySheets { limit: 3 })
        );
    }
}
