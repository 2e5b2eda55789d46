//! Checks an upload before any parser sees it: its size, what it is, whether it is encrypted, and for
//! ZIP-based workbooks the entries' count and declared sizes, so a zip bomb is refused without inflating it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{Cursor, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub max_upload_bytes: usize,
    pub max_zip_entries: usize,
    pub max_entry_bytes: u64,
    pub max_total_bytes: u64,
    pub max_ratio: u64,
    /// Non-empty cells over all sheets together.
    pub max_cells: usize,
    pub max_columns: usize,
    pub max_sheets: usize,
    /// Characters that repeat markers (.ods `text:c`) may expand to, over the whole file.
    pub max_repeated_chars: u64,
    /// Also read the merged ranges of each sheet (lists such as ledgers fill them in).
    pub merged_cells: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_upload_bytes: 10 * 1024 * 1024,
            max_zip_entries: 2_000,
            max_entry_bytes: 200 * 1024 * 1024,
            max_total_bytes: 400 * 1024 * 1024,
            max_ratio: 200,
            max_cells: 3_000_000,
            max_columns: 1_024,
            max_sheets: 100,
            max_repeated_chars: 1_000_000,
            merged_cells: false,
        }
    }
}

impl Limits {
    pub fn with_upload_bytes(max_upload_bytes: usize) -> Self {
        Limits {
            max_upload_bytes,
            ..Limits::default()
        }
    }

    /// A list (ledger, vendor master, certifications), whose merged cells stand for every row they span.
    pub fn for_list(max_upload_bytes: usize) -> Self {
        Limits {
            merged_cells: true,
            ..Limits::with_upload_bytes(max_upload_bytes)
        }
    }

    /// A check sheet has about fifty rows: far fewer cells and strings than a ledger may need.
    pub fn for_check_sheet(max_upload_bytes: usize) -> Self {
        Limits {
            max_upload_bytes,
            max_cells: 200_000,
            max_sheets: 50,
            ..Limits::default()
        }
    }
}

/// Why an upload cannot be read; the message is what the user sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadError {
    Empty,
    TooLarge {
        limit: usize,
    },
    Encrypted,
    NotSpreadsheet,
    /// Damaged in a way that can be told in Japanese (the text says where).
    Corrupt(String),
    /// Damaged where only a parser's internals could say how: logged, never shown.
    Damaged {
        detail: String,
    },
    ZipBomb(String),
    TooManyCells {
        limit: usize,
    },
    TooManySheets {
        limit: usize,
    },
    Encoding,
    /// The parse worker was stopped by its memory or time limit, or died.
    Unreadable {
        memory_mib: u64,
        seconds: u64,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Empty => write!(f, "ファイルが空です"),
            ReadError::TooLarge { limit } => write!(f, "ファイルが大きすぎます（上限 {} MiB）", limit / (1024 * 1024)),
            ReadError::Encrypted => write!(
                f,
                "パスワードが設定されています。パスワードを解除して保存し直してからアップロードしてください"
            ),
            ReadError::NotSpreadsheet => write!(f, "Excel（.xlsx / .xlsm / .xlsb / .xls / .ods）またはCSVファイルではありません"),
            ReadError::Corrupt(detail) => write!(f, "ファイルが壊れているか途中で切れているため読み取れません（{detail}）"),
            ReadError::Damaged { .. } => write!(f, "ファイルが壊れているか途中で切れているため読み取れません。Excel で開いて保存し直してからアップロードしてください"),
            ReadError::TooManySheets { limit } => write!(f, "シートの数が多すぎます（上限 {limit} シート）"),
            ReadError::Unreadable { memory_mib, seconds } => write!(
                f,
                "ファイルが大きすぎるか壊れているため読み取れませんでした（上限: {memory_mib} MiB・{seconds}秒）"
            ),
            ReadError::ZipBomb(detail) => write!(f, "展開後のサイズが大きすぎるため読み取りを中止しました（{detail}）"),
            ReadError::TooManyCells { limit } => write!(f, "セルの数が多すぎます（上限 {limit} セル）"),
            ReadError::Encoding => write!(f, "文字コードを判別できません。UTF-8 または Shift_JIS で保存してください"),
        }
    }
}

impl std::error::Error for ReadError {}

/// What the bytes are, judged by their content rather than a file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An Office Open XML workbook (.xlsx, .xlsm, Strict Open XML).
    Xlsx,
    /// The binary Office workbook (.xlsb).
    Xlsb,
    /// An OpenDocument spreadsheet (.ods).
    Ods,
    /// A ZIP container that is none of the above (a Word file, a plain archive).
    OtherZip,
    /// An OLE compound file: .xls, or an encrypted .xlsx.
    Ole,
    /// Anything else is read as delimited text.
    Text,
}

impl Format {
    /// The file extension and media type a file of this format is served with.
    pub fn extension_and_media_type(self) -> (&'static str, &'static str) {
        match self {
            Format::Xlsx => (
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Format::Xlsb => (
                "xlsb",
                "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
            ),
            Format::Ods => ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
            Format::OtherZip => ("zip", "application/zip"),
            Format::Ole => ("xls", "application/vnd.ms-excel"),
            Format::Text => ("csv", "text/csv; charset=utf-8"),
        }
    }

    /// What stored bytes are, for serving them back as what they were (no size limit: they were
    /// checked when they came in).
    pub fn of_stored(bytes: &[u8]) -> Option<Format> {
        check(
            bytes,
            &Limits {
                max_upload_bytes: usize::MAX,
                ..Limits::default()
            },
        )
        .ok()
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The container kind from the first bytes alone.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC)
}

pub fn is_ole(bytes: &[u8]) -> bool {
    bytes.starts_with(OLE_MAGIC)
}

/// Part names as Excel and the zip crate treat them: without regard to case or a leading slash.
pub fn part_name(name: &str) -> String {
    name.trim_start_matches('/').to_ascii_lowercase()
}

/// Runs every check that does not need a parser, and says what the bytes are. Cheap enough for the
/// server itself: it reads the ZIP directory and the first bytes of the shared strings, nothing more.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<Format, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > limits.max_upload_bytes {
        return Err(ReadError::TooLarge {
            limit: limits.max_upload_bytes,
        });
    }
    if is_zip(bytes) {
        return check_zip(bytes, limits);
    }
    if is_ole(bytes) {
        if is_encrypted_ole(bytes) {
            return Err(ReadError::Encrypted);
        }
        if !super::compound::chains_end(bytes) {
            return Err(ReadError::Corrupt(
                "Excel 97-2003 のセクター表が壊れています".into(),
            ));
        }
        return Ok(Format::Ole);
    }
    if bytes.iter().take(8192).any(|b| *b == 0) && !looks_like_utf16(bytes) {
        return Err(ReadError::NotSpreadsheet);
    }
    Ok(Format::Text)
}

pub fn looks_like_utf16(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF])
}

/// An encrypted OOXML file is an OLE container holding `EncryptionInfo` and `EncryptedPackage` streams.
fn is_encrypted_ole(bytes: &[u8]) -> bool {
    let name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes
        .windows(name.len())
        .any(|window| window == name.as_slice())
}

fn zip_error(error: zip::result::ZipError) -> ReadError {
    ReadError::Damaged {
        detail: format!("ZIP: {error}"),
    }
}

fn check_zip(bytes: &[u8], limits: &Limits) -> Result<Format, ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    if archive.len() > limits.max_zip_entries {
        return Err(ReadError::ZipBomb(format!(
            "{} 個のファイルを含んでいます",
            archive.len()
        )));
    }
    let mut total: u64 = 0;
    let mut shared_strings = None;
    let mut format = Format::OtherZip;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let size = entry.size();
        let compressed = entry.compressed_size().max(1);
        if size > limits.max_entry_bytes {
            return Err(ReadError::ZipBomb(format!(
                "{} が {} MiB に展開されます",
                name,
                size / (1024 * 1024)
            )));
        }
        if size > 1024 * 1024 && size / compressed > limits.max_ratio {
            return Err(ReadError::ZipBomb(format!(
                "{} の圧縮率が {} 倍です",
                name,
                size / compressed
            )));
        }
        total = total.saturating_add(size);
        match part_name(&name).as_str() {
            "xl/sharedstrings.xml" => shared_strings = Some(index),
            "xl/workbook.xml" => format = Format::Xlsx,
            "xl/workbook.bin" => format = Format::Xlsb,
            "content.xml" if format == Format::OtherZip => format = Format::Ods,
            _ => {}
        }
    }
    if total > limits.max_total_bytes {
        return Err(ReadError::ZipBomb(format!(
            "合計 {} MiB に展開されます",
            total / (1024 * 1024)
        )));
    }
    if let Some(index) = shared_strings {
        check_shared_strings(&mut archive, index, limits)?;
    }
    Ok(format)
}

/// calamine reserves room for the count a shared-strings part claims; refuse a claim the part cannot hold.
fn check_shared_strings(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    limits: &Limits,
) -> Result<(), ReadError> {
    let entry = archive.by_index(index).map_err(zip_error)?;
    let declared_size = entry.size();
    let mut head = Vec::with_capacity(4096);
    entry
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| ReadError::Damaged {
            detail: format!("sharedStrings: {e}"),
        })?;
    let head = String::from_utf8_lossy(&head);
    // Only `uniqueCount` sizes what calamine reserves; `count` counts every use and may be far larger.
    for attribute in [" uniqueCount=\""] {
        if let Some(start) = head.find(attribute) {
            let digits: String = head[start + attribute.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let count: u64 = digits.parse().unwrap_or(u64::MAX);
            // Each string needs at least `<si><t/></si>` (13 bytes) in the part.
            if count > limits.max_cells as u64 || count > declared_size / 13 + 1 {
                return Err(ReadError::ZipBomb(format!(
                    "共有文字列の数 {count} が不正です"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buffer = Cursor::new(Vec::new());
        {
            let mut writer = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, content) in entries {
                writer.start_file(*name, options).unwrap();
                writer.write_all(content).unwrap();
            }
            writer.finish().unwrap();
        }
        buffer.into_inner()
    }

    #[test]
    fn refuses_a_zip_bomb_without_inflating_it() {
        let zeros = vec![0u8; 64 * 1024 * 1024];
        let bomb = zip_with(&[("xl/worksheets/sheet1.xml", &zeros)]);
        assert!(bomb.len() < 1024 * 1024);
        let started = std::time::Instant::now();
        assert!(matches!(
            check(&bomb, &Limits::default()),
            Err(ReadError::ZipBomb(_))
        ));
        assert!(started.elapsed().as_millis() < 1000);
    }

    #[test]
    fn part_names_are_compared_without_case() {
        let part = br#"<?xml version="1.0"?><sst xmlns="x" uniqueCount="2000000000"><si><t>a</t></si></sst>"#;
        let file = zip_with(&[
            ("xl/Workbook.xml", b"<workbook/>"),
            ("XL/SharedStrings.XML", part),
        ]);
        assert!(matches!(
            check(&file, &Limits::default()),
            Err(ReadError::ZipBomb(_))
        ));
        let file = zip_with(&[("xl/WORKBOOK.xml", b"<workbook/>")]);
        assert_eq!(check(&file, &Limits::default()), Ok(Format::Xlsx));
        let file = zip_with(&[("xl/workbook.bin", b"")]);
        assert_eq!(check(&file, &Limits::default()), Ok(Format::Xlsb));
    }

    #[test]
    fn refuses_an_impossible_shared_strings_count() {
        let part = br#"<?xml version="1.0"?><sst xmlns="x" count="2000000000" uniqueCount="2000000000"><si><t>a</t></si></sst>"#;
        let file = zip_with(&[("xl/sharedStrings.xml", part)]);
        assert!(matches!(
            check(&file, &Limits::default()),
            Err(ReadError::ZipBomb(_))
        ));
    }

    #[test]
    fn accepts_many_uses_of_few_shared_strings() {
        let part = br#"<?xml version="1.0"?><sst xmlns="x" count="100000" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#;
        let file = zip_with(&[("xl/sharedStrings.xml", part)]);
        assert_eq!(check(&file, &Limits::default()), Ok(Format::OtherZip));
    }

    #[test]
    fn refuses_oversized_empty_and_binary_input() {
        assert_eq!(check(b"", &Limits::default()), Err(ReadError::Empty));
        let limits = Limits::with_upload_bytes(10);
        assert_eq!(
            check(b"01234567890", &limits),
            Err(ReadError::TooLarge { limit: 10 })
        );
        assert_eq!(
            check(b"\x7fELF\0\0\0\0binary", &Limits::default()),
            Err(ReadError::NotSpreadsheet)
        );
        assert!(matches!(
            check(b"PK\x03\x04truncated", &Limits::default()),
            Err(ReadError::Damaged { .. })
        ));
    }

    #[test]
    fn recognizes_an_encrypted_workbook() {
        let mut file = OLE_MAGIC.to_vec();
        file.extend(vec![0u8; 100]);
        file.extend(
            "EncryptedPackage"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        );
        assert_eq!(check(&file, &Limits::default()), Err(ReadError::Encrypted));
    }
}
