//! Sending a stored evidence file: its content type from what the content was checked to be, and a
//! Content-Disposition whose name cannot break out of the header.

use crate::services::evidence::StoredFile;
use rocket::http::{ContentType, Header};
use rocket::response::{self, Responder};
use rocket::{Request, Response};
use std::io::Cursor;
use std::sync::Arc;

/// A body that may be shared: a kept workbook is sent to every reader from the one copy kept, not
/// copied for each (20 readers of a 3 MB workbook at once held 60 MB of copies).
#[derive(Debug, Clone)]
pub struct SharedBody(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBody {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for SharedBody {
    fn from(bytes: Vec<u8>) -> Self {
        SharedBody(Arc::new(bytes))
    }
}

impl From<Arc<Vec<u8>>> for SharedBody {
    fn from(bytes: Arc<Vec<u8>>) -> Self {
        SharedBody(bytes)
    }
}

impl<'r> Responder<'r, 'static> for SharedBody {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let length = self.0.len();
        Response::build().sized_body(length, Cursor::new(self)).ok()
    }
}

#[derive(rocket::Responder)]
pub struct FileDownload {
    body: Vec<u8>,
    content_type: ContentType,
    disposition: Header<'static>,
}

impl FileDownload {
    /// `inline` shows PDFs and images in the browser; Office files are always attachments.
    pub fn new(file: StoredFile) -> Self {
        let content_type =
            ContentType::parse_flexible(&file.media_type).unwrap_or(ContentType::Binary);
        let inline = file.media_type == "application/pdf" || file.media_type.starts_with("image/");
        FileDownload {
            disposition: Header::new("Content-Disposition", disposition(&file.name, inline)),
            body: file.bytes,
            content_type,
        }
    }
}

/// A spreadsheet as it was uploaded (a check sheet's original): served with the type its content
/// has (.xlsx, .xls, .ods, .xlsb, .csv), under its uploaded name when that name says the same, else
/// `{fallback_stem}.{extension}`. (Every original used to be served as .xlsx.)
pub fn spreadsheet_original(
    uploaded_name: &str,
    bytes: Vec<u8>,
    fallback_stem: &str,
) -> FileDownload {
    let (extension, media_type) = crate::excel::guard::Format::of_stored(&bytes)
        .map(crate::excel::guard::Format::extension_and_media_type)
        .unwrap_or(("bin", "application/octet-stream"));
    let name = if uploaded_name
        .to_ascii_lowercase()
        .ends_with(&format!(".{extension}"))
    {
        uploaded_name.to_string()
    } else {
        format!("{fallback_stem}.{extension}")
    };
    FileDownload::new(crate::services::evidence::StoredFile {
        name,
        media_type: media_type.to_string(),
        bytes,
    })
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded`: the ASCII fallback keeps only
/// safe characters, the encoded form carries the Japanese name.
pub fn disposition(name: &str, inline: bool) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kind = if inline { "inline" } else { "attachment" };
    format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        super::percent_encode(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_break_the_header() {
        let header = disposition("証明書\"; x=\r\n.pdf", false);
        assert!(!header.contains('\r') && !header.contains('\n'));
        assert!(header.starts_with("attachment; filename=\"____"));
        assert!(header.contains("filename*=UTF-8''%E8%A8%BC"));
    }
}
