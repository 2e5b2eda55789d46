//! Charts drawn on the server as SVG, no script: a bar for a share against its target, and a bar of
//! counts against the largest. Each carries its numbers as an accessible name, and the pages show the
//! same numbers in the table beside it.

use crate::judging::{Indicator, Tally};
use crate::services::reports::trend::MonthPoint;
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

/// Columns month by month, two series side by side, with a title and a description for screen readers;
/// the page shows the same numbers in a table.
pub struct MonthlyColumns<'a> {
    points: &'a [MonthPoint],
}

pub fn monthly_columns(points: &[MonthPoint]) -> MonthlyColumns<'_> {
    MonthlyColumns { points }
}

/// The smallest of 1, 2, 5, 10, 20, 50… at least `value`, so that the axis reads in round numbers.
fn axis_top(value: i64) -> i64 {
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if step * factor >= value.max(1) {
                return step * factor;
            }
        }
        step *= 10;
    }
}

impl fmt::Display for MonthlyColumns<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const WIDTH: f64 = 720.0;
        const LEFT: f64 = 44.0;
        const TOP: f64 = 16.0;
        const BOTTOM: f64 = 220.0;
        let top = axis_top(
            self.points
                .iter()
                .map(|p| p.retention_violations.max(p.audits_overdue))
                .max()
                .unwrap_or(0),
        );
        let y = |value: i64| BOTTOM - (BOTTOM - TOP) * value as f64 / top as f64;
        let slot = (WIDTH - LEFT - 8.0) / self.points.len().max(1) as f64;
        let bar = slot * 0.34;
        let first = self.points.first().map(|p| p.label.as_str()).unwrap_or("");
        let last = self.points.last().map(|p| p.label.as_str()).unwrap_or("");
        write!(
            f,
            "<svg class=\"columns\" viewBox=\"0 0 {WIDTH} 250\" role=\"img\" aria-labelledby=\"trend-title trend-desc\"><title id=\"trend-title\">データ保持期限超過と監査報告書の期限超過の月ごとの件数</title><desc id=\"trend-desc\">{first}から{last}まで、各月末時点の件数。数値は下の表にもあります。</desc>"
        )?;
        for tick in [0, top / 2, top] {
            let at = y(tick);
            write!(
                f,
                "<line x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{at:.1}\" y2=\"{at:.1}\" stroke=\"#cccccc\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"12\" fill=\"#4d4d4d\">{tick}</text>",
                LEFT - 6.0,
                at + 4.0
            )?;
        }
        for (i, point) in self.points.iter().enumerate() {
            let x = LEFT + slot * i as f64 + slot * 0.14;
            for (offset, value, colour) in [
                (0.0, point.retention_violations, WARNING),
                (bar, point.audits_overdue, PRIMARY),
            ] {
                let height = BOTTOM - y(value);
                write!(
                    f,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" fill=\"{colour}\"><title>{}：{value}件</title></rect>",
                    x + offset,
                    y(value),
                    point.label
                )?;
            }
            let mut label = String::new();
            {
                use askama::filters::Escaper;
                askama::filters::Html.write_escaped_str(&mut label, &point.label)?;
            }
            write!(
                f,
                "<text x=\"{:.1}\" y=\"240\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333333\">{label}</text>",
                x + bar
            )?;
        }
        f.write_str("</svg>")
    }
}

impl HtmlSafe for MonthlyColumns<'_> {}

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
        assert_eq!(axis_top(0), 1);
        assert_eq!(axis_top(7), 10);
        assert_eq!(axis_top(14), 20);
        assert_eq!(axis_top(51), 100);
        assert!(svg.contains("<rect x=\"0.00\" width=\"25.00\" height=\"10\" fill=\"#c74700\"/><rect x=\"25.00\" width=\"25.00\""), "{svg}");
        let met = Indicator::new("x", "a", 9, 9, Some(0.8));
        assert!(kpi_bar(&met).to_string().contains("#0017c1"));
    }
}
