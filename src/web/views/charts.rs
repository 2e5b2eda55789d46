//! Charts drawn on the server as SVG, no script: a bar for a share against its target, and a bar of
//! counts against the largest. Each carries its numbers as an accessible name, and the pages show the
//! same numbers in the table beside it.

use crate::judging::{Indicator, Tally};
use askama::filters::HtmlSafe;
use std::fmt;

const PRIMARY: &str = "#0017c1";
const WARNING: &str = "#c74700";

/// A horizontal bar: coloured segments from the left, shares of the whole width, and an optional
/// target marked by a line.
pub struct Bar {
    segments: Vec<(f64, &'static str)>,
    target: Option<f64>,
    name: String,
}

/// A KPI's share against its target; a missed target is drawn in the warning colour.
pub fn kpi_bar(indicator: &Indicator) -> Bar {
    let goal = indicator.goal_percent();
    let colour = if indicator.met == Some(false) {
        WARNING
    } else {
        PRIMARY
    };
    Bar {
        segments: vec![(indicator.ratio.unwrap_or(0.0), colour)],
        target: indicator.goal,
        name: if goal.is_empty() {
            format!("{}：{}", indicator.label, indicator.percent())
        } else {
            format!(
                "{}：{}（目標 {goal}）",
                indicator.label,
                indicator.percent()
            )
        },
    }
}

/// A department's or vendor's open items against the largest of the list: the overdue ones (retention,
/// audits, expired certificates) in the warning colour, the rest after them.
pub fn tally_bar(tally: &Tally, largest: usize) -> Bar {
    let overdue = tally.retention_violations + tally.audits_overdue + tally.certificates_expired;
    let largest = largest.max(1) as f64;
    Bar {
        segments: vec![
            (overdue as f64 / largest, WARNING),
            ((tally.total() - overdue) as f64 / largest, PRIMARY),
        ],
        target: None,
        name: format!(
            "{}：未対応 {}件（うち期限超過 {overdue}件）",
            tally.name,
            tally.total()
        ),
    }
}

/// The largest open total among the tallies, the scale of their bars.
pub fn largest_total(tallies: &[Tally]) -> usize {
    tallies.iter().map(Tally::total).max().unwrap_or(0)
}

impl fmt::Display for Bar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use askama::filters::Escaper;
        let mut name = String::new();
        askama::filters::Html.write_escaped_str(&mut name, &self.name)?;
        write!(
            f,
            "<svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{name}\"><title>{name}</title><rect width=\"100\" height=\"10\" fill=\"#e6e6e6\"/>"
        )?;
        let mut x = 0.0;
        for (share, colour) in &self.segments {
            let width = share.clamp(0.0, 1.0 - x) * 100.0;
            if width > 0.0 {
                write!(
                    f,
                    "<rect x=\"{:.2}\" width=\"{width:.2}\" height=\"10\" fill=\"{colour}\"/>",
                    x * 100.0
                )?;
            }
            x += share.clamp(0.0, 1.0 - x);
        }
        if let Some(target) = self.target {
            let at = target.clamp(0.0, 1.0) * 100.0;
            write!(
                f,
                "<line x1=\"{at:.2}\" x2=\"{at:.2}\" y1=\"0\" y2=\"10\" stroke=\"#1a1a1a\" stroke-width=\"2\" vector-effect=\"non-scaling-stroke\"/>"
            )?;
        }
        f.write_str("</svg>")
    }
}

impl HtmlSafe for Bar {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missed_target_is_drawn_in_the_warning_colour_with_its_numbers_named() {
        let indicator = Indicator::new("x", "監査報告書を受理した割合", 4, 9, Some(0.8));
        let svg = kpi_bar(&indicator).to_string();
        assert!(svg.contains("width=\"44.44\""), "{svg}");
        assert!(svg.contains("#c74700"), "missed: warning colour");
        assert!(svg.contains("aria-label=\"監査報告書を受理した割合：44.4%（目標 80%）\""));
        assert!(svg.contains("x1=\"80.00\""), "the target is marked");
        let tally = Tally {
            id: 1,
            name: "税務課".into(),
            retention_violations: 1,
            deletions_due_soon: 1,
            audits_overdue: 1,
            audits_due_soon: 0,
            certificates_expired: 0,
            certificates_expiring: 0,
            checklists_missing: 1,
            checklists_returned: 0,
        };
        let svg = tally_bar(&tally, 8).to_string();
        assert!(svg.contains("<rect x=\"0.00\" width=\"25.00\" height=\"10\" fill=\"#c74700\"/><rect x=\"25.00\" width=\"25.00\""), "{svg}");
        let met = Indicator::new("x", "a", 9, 9, Some(0.8));
        assert!(kpi_bar(&met).to_string().contains("#0017c1"));
    }
}
