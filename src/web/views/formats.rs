//! What people read instead of machine formats: moments in Japan time as 令和8年12月2日 10:57 (the ISO
//! form kept in `<time datetime>` for machines), file sizes as 11.3 KB.

use crate::domain::time::Timestamp;
use crate::services::japan_moment;
use askama::filters::HtmlSafe;
use std::fmt;

/// A stored moment as a `<time>` element; text that is not a timestamp is shown as it is, escaped.
pub enum Moment {
    At(Timestamp),
    Text(String),
}

/// The moment of a stored timestamp (`2026-12-02T01:57:57Z` or `Timestamp`).
pub fn moment(stored: impl fmt::Display) -> Moment {
    let text = stored.to_string();
    match text.parse::<Timestamp>() {
        Ok(at) => Moment::At(at),
        Err(_) => Moment::Text(text),
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moment::At(at) => {
                let japan = at.instant().with_timezone(&crate::services::japan());
                write!(
                    f,
                    "<time datetime=\"{}\">{}</time>",
                    japan.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                    japan_moment(at.instant())
                )
            }
            Moment::Text(text) => {
                use askama::filters::Escaper;
                askama::filters::Html.write_escaped_str(f, text)
            }
        }
    }
}

impl HtmlSafe for Moment {}

/// A stored day (`2025-04-01`) as 令和7年4月1日 in a `<time>` element; other text as it is, escaped.
pub fn day(stored: &str) -> Day {
    Day(stored.to_string())
}

pub struct Day(String);

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::domain::dates::JpDate;
        match chrono::NaiveDate::parse_from_str(&self.0, "%Y-%m-%d") {
            Ok(date) => write!(f, "<time datetime=\"{}\">{}</time>", date.iso(), date.jp()),
            Err(_) => {
                use askama::filters::Escaper;
                askama::filters::Html.write_escaped_str(f, &self.0)
            }
        }
    }
}

impl HtmlSafe for Day {}

/// A file's size as people read it: 812 バイト, 11.3 KB, 4.2 MB (1 KB = 1,024 bytes, as Windows shows).
pub fn file_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let size = bytes.max(0) as f64;
    if size < KB {
        format!("{bytes} バイト")
    } else if size < KB * KB {
        format!("{:.1} KB", size / KB)
    } else if size < KB * KB * KB {
        format!("{:.1} MB", size / (KB * KB))
    } else {
        format!("{:.1} GB", size / (KB * KB * KB))
    }
}

/// A count as people read it, its digits grouped by three: 120,144.
pub fn count(n: impl fmt::Display) -> String {
    crate::domain::text::grouped(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_in_japan_time_with_the_iso_form_for_machines() {
        let shown = moment("2026-12-02T01:57:57Z").to_string();
        assert_eq!(
            shown,
            "<time datetime=\"2026-12-02T10:57:57+09:00\">令和8年12月2日 10:57</time>"
        );
        assert_eq!(moment("<b>").to_string(), "&#60;b&#62;");
        assert_eq!(
            day("2025-04-01").to_string(),
            "<time datetime=\"2025-04-01\">令和7年4月1日</time>"
        );
    }

    #[test]
    fn file_sizes_are_rounded_to_a_tenth() {
        assert_eq!(file_size(812), "812 バイト");
        assert_eq!(file_size(11_571), "11.3 KB");
        assert_eq!(file_size(4_404_019), "4.2 MB");
    }
}
