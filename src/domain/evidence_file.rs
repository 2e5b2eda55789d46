//! What an uploaded evidence file really is, read from its first bytes rather than its name:
//! PDF, PNG, JPEG, GIF, TIFF, WebP, Office Open XML (docx, xlsx, pptx) or legacy Office (doc, xls, ppt).

use std::io::Cursor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    pub media_type: &'static str,
    pub extension: &'static str,
    pub label: &'static str,
}

const PDF: FileKind = FileKind {
    media_type: "application/pdf",
    extension: "pdf",
    label: "PDF",
};

/// Recognizes the file by its content; `None` for anything that is not an accepted type.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    let kind = |media_type, extension, label| {
        Some(FileKind {
            media_type,
            extension,
            label,
        })
    };
    if bytes.starts_with(b"%PDF-") {
        return Some(PDF);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return kind("image/png", "png", "PNG画像");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return kind("image/jpeg", "jpg", "JPEG画像");
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return kind("image/gif", "gif", "GIF画像");
    }
    if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        return kind("image/tiff", "tif", "TIFF画像");
    }
    if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return kind("image/webp", "webp", "WebP画像");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // A compound file has at least its 512-byte header and one sector; less is a fragment.
        if bytes.len() < 1024 {
            return None;
        }
        return kind("application/x-ole-storage", "bin", "Office文書（旧形式）")
            .map(|k| legacy_office(bytes).unwrap_or(k));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return office_open_xml(bytes);
    }
    None
}

/// A legacy Office file names its main stream in the compound file's directory (UTF-16).
fn legacy_office(bytes: &[u8]) -> Option<FileKind> {
    let utf16 =
        |name: &str| -> Vec<u8> { name.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let has = |name: &str| {
        let needle = utf16(name);
        bytes.windows(needle.len()).any(|w| w == needle.as_slice())
    };
    let (media_type, extension, label) = if has("WordDocument") {
        ("application/msword", "doc", "Word文書")
    } else if has("Workbook") || has("Book") {
        ("application/vnd.ms-excel", "xls", "Excelブック")
    } else if has("PowerPoint Document") {
        ("application/vnd.ms-powerpoint", "ppt", "PowerPoint文書")
    } else {
        return None;
    };
    Some(FileKind {
        media_type,
        extension,
        label,
    })
}

/// A ZIP is accepted only as a Word, Excel or PowerPoint document; the central directory is read,
/// nothing is decompressed.
fn office_open_xml(bytes: &[u8]) -> Option<FileKind> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(Result::ok)
        .map(|name| name.into_owned())
        .collect();
    if !names.iter().any(|n| n == "[Content_Types].xml") {
        return None;
    }
    let under = |folder: &str| names.iter().any(|n| n.starts_with(folder));
    let (media_type, extension, label) = if under("word/") {
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            "Word文書",
        )
    } else if under("xl/") {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            "Excelブック",
        )
    } else if under("ppt/") {
        (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
            "PowerPoint文書",
        )
    } else {
        return None;
    };
    Some(FileKind {
        media_type,
        extension,
        label,
    })
}

/// The name to store: the uploaded name with the extension the content actually has.
pub fn stored_name(uploaded: &str, kind: FileKind) -> String {
    let stem = match uploaded.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => uploaded,
    };
    let stem = if stem.trim().is_empty() { "file" } else { stem };
    format!("{stem}.{}", kind.extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_by_content_not_name() {
        assert_eq!(
            sniff(b"%PDF-1.7\n...").unwrap().media_type,
            "application/pdf"
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").unwrap().extension, "png");
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap().extension, "jpg");
        assert!(sniff(b"<html><script>alert(1)</script>").is_none());
        assert!(sniff(b"MZ\x90\0").is_none());
        assert!(sniff(b"").is_none());
    }

    #[test]
    fn a_zip_must_be_an_office_document() {
        let mut buffer = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("evil.exe", options).unwrap();
            std::io::Write::write_all(&mut zip, b"MZ").unwrap();
            zip.finish().unwrap();
        }
        assert!(sniff(buffer.get_ref()).is_none());
        let workbook = rust_xlsxwriter::Workbook::new().save_to_buffer().unwrap();
        assert_eq!(sniff(&workbook).unwrap().extension, "xlsx");
    }

    #[test]
    fn stored_names_carry_the_real_extension() {
        assert_eq!(stored_name("証明書.pdf", PDF), "証明書.pdf");
        assert_eq!(stored_name("証明書.exe", PDF), "証明書.pdf");
        assert_eq!(stored_name("scan", PDF), "scan.pdf");
    }
}
