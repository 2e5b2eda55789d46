//! Charts drawn on the server as SVG, no script: a bar for a share against its target, and a bar of
//! counts against the largest. Each carries its numbers as an accessible name, and the pages show the
//! same numbers in the table beside it.

use crate::judging::{Indicator, Tally};
use crate::services::reports::timeline::WeekPoint;
use crate::services::reports::trend::MonthPoint;
use askama::filters::HtmlSafe;
use std::fmt;

const PRIMARY: &str = "#0017c1";
const WARNING: &str = "#c74700";
const GREEN: &str = "#197a4b";
const OLIVE: &str = "#6e5600";

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
    let overdue = tally.retention_violations
        + tally.audits_overdue
        + tally.certificates_expired
        + tally.unapproved_subcontracting
        + tally.corrective_overdue
        + tally.clauses_overdue;
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

/// One series of a column chart: its name (for the hover title) and colour, a value per column.
pub struct Series {
    name: &'static str,
    colour: &'static str,
    values: Vec<i64>,
}

/// A column chart, its series side by side or stacked, with a title and a description for screen
/// readers; the page shows the same numbers in a table.
pub struct Columns {
    /// Unique on the page: the ids of the title and description derive from it.
    id: &'static str,
    title: &'static str,
    description: String,
    labels: Vec<String>,
    series: Vec<Series>,
    stacked: bool,
}

/// Retention violations and overdue audits month by month, side by side.
pub fn monthly_columns(points: &[MonthPoint]) -> Columns {
    let first = points.first().map(|p| p.label.as_str()).unwrap_or("");
    let last = points.last().map(|p| p.label.as_str()).unwrap_or("");
    Columns {
        id: "trend",
        title: "データ保持期限超過と監査報告書の期限超過の月ごとの件数",
        description: format!("{first}から{last}まで、各月末時点の件数。数値は下の表にもあります。"),
        labels: points.iter().map(|p| p.label.clone()).collect(),
        series: vec![
            Series {
                name: "データ保持期限超過",
                colour: WARNING,
                values: points.iter().map(|p| p.retention_violations).collect(),
            },
            Series {
                name: "監査報告書 期限超過",
                colour: PRIMARY,
                values: points.iter().map(|p| p.audits_overdue).collect(),
            },
        ],
        stacked: false,
    }
}

/// The deadlines of the coming weeks, stacked by what falls due.
pub fn weekly_deadlines(weeks: &[WeekPoint]) -> Columns {
    let values = |read: fn(&WeekPoint) -> i64| weeks.iter().map(read).collect();
    Columns {
        id: "timeline",
        title: "今後90日間に期限を迎える件数（週ごと）",
        description: "週ごとに、データ消去証明書、監査報告書、認証の更新、差し戻されたチェックシートの再提出の期限を迎える件数を積み上げています。数値は下の表にもあります。".to_string(),
        labels: weeks.iter().map(|w| w.label.clone()).collect(),
        series: vec![
            Series {
                name: "データ消去",
                colour: WARNING,
                values: values(|w| w.deletions),
            },
            Series {
                name: "監査報告書",
                colour: PRIMARY,
                values: values(|w| w.audits),
            },
            Series {
                name: "認証の更新",
                colour: GREEN,
                values: values(|w| w.certificates),
            },
            Series {
                name: "チェックシート再提出",
                colour: OLIVE,
                values: values(|w| w.checklists),
            },
        ],
        stacked: true,
    }
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

fn escaped(text: &str) -> Result<String, fmt::Error> {
    use askama::filters::Escaper;
    let mut out = String::new();
    askama::filters::Html.write_escaped_str(&mut out, text)?;
    Ok(out)
}

impl Columns {
    /// The tallest column: the sum of a column's values when stacked, else its largest.
    fn tallest(&self) -> i64 {
        (0..self.labels.len())
            .map(|at| {
                let values = self
                    .series
                    .iter()
                    .map(|s| s.values.get(at).copied().unwrap_or(0));
                if self.stacked {
                    values.sum()
                } else {
                    values.max().unwrap_or(0)
                }
            })
            .max()
            .unwrap_or(0)
    }
}

impl fmt::Display for Columns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const WIDTH: f64 = 720.0;
        const LEFT: f64 = 44.0;
        const TOP: f64 = 16.0;
        const BOTTOM: f64 = 220.0;
        let top = axis_top(self.tallest());
        let y = |value: i64| BOTTOM - (BOTTOM - TOP) * value as f64 / top as f64;
        let slot = (WIDTH - LEFT - 8.0) / self.labels.len().max(1) as f64;
        let bars = if self.stacked {
            1
        } else {
            self.series.len().max(1)
        };
        let bar = slot * 0.68 / bars as f64;
        let id = self.id;
        write!(
            f,
            "<svg class=\"columns\" viewBox=\"0 0 {WIDTH} 250\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            escaped(self.title)?,
            escaped(&self.description)?
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
        for (at, label) in self.labels.iter().enumerate() {
            let label = escaped(label)?;
            let x = LEFT + slot * at as f64 + slot * 0.16;
            let mut below = 0;
            for (n, series) in self.series.iter().enumerate() {
                let value = series.values.get(at).copied().unwrap_or(0);
                let (left, base) = if self.stacked {
                    (x, below)
                } else {
                    (x + bar * n as f64, 0)
                };
                if value > 0 {
                    write!(
                        f,
                        "<rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{label} {}：{value}件</title></rect>",
                        y(base + value),
                        y(base) - y(base + value),
                        series.colour,
                        series.name
                    )?;
                }
                below += value;
            }
            write!(
                f,
                "<text x=\"{:.1}\" y=\"240\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333333\">{label}</text>",
                x + bar * bars as f64 / 2.0
            )?;
        }
        f.write_str("</svg>")
    }
}

impl HtmlSafe for Columns {}

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
            unapproved_subcontracting: 0,
            corrective_overdue: 0,
            corrective_due: 0,
            clauses_overdue: 0,
            clauses_due_soon: 0,
            star_shortfall: 0,
            suspended: 0,
            contacts_missing: 0,
            declarations_unconfirmed: 0,
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
