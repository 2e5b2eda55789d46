//! The 評価表 for an evaluation committee: one row per bidder and one column per rule with totals and
//! rank; a sheet with every rule's evidence and reason per bidder; and a sheet explaining the policy
//! version the numbers come from. Vendor-supplied text is always written as text, never as a formula.

use crate::domain::wareki;
use crate::rating::policy::Condition;
use crate::rating::{Policy, Rating};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

pub struct Sheet<'a> {
    pub title: &'a str,
    pub department: &'a str,
    /// When the rating was frozen; `None` for a provisional rating.
    pub finalized_at: Option<&'a str>,
    pub policy: &'a Policy,
    pub rating: &'a Rating,
}

/// The cell formats every sheet of the workbook shares.
struct Formats {
    bold: Format,
    header: Format,
    points: Format,
    wrap: Format,
}

pub fn workbook(sheet: &Sheet<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let formats = Formats {
        bold: Format::new().set_bold(),
        header: Format::new()
            .set_bold()
            .set_background_color("#EEF2F7")
            .set_text_wrap()
            .set_align(FormatAlign::Center),
        points: Format::new().set_num_format("0.00"),
        wrap: Format::new().set_text_wrap(),
    };
    ranking_sheet(&mut workbook, sheet, &formats)?;
    details_sheet(&mut workbook, sheet.rating, &formats)?;
    rules_sheet(&mut workbook, sheet.policy, sheet.rating, &formats)?;
    workbook.save_to_buffer()
}

/// 評価表: the tender, then one row per bidder with each rule's points, the total, grade and remarks.
fn ranking_sheet(workbook: &mut Workbook, sheet: &Sheet<'_>, f: &Formats) -> Result<(), XlsxError> {
    let (policy, rating) = (sheet.policy, sheet.rating);
    let table = workbook.add_worksheet();
    table.set_name("評価表")?;
    table.write_string_with_format(
        0,
        0,
        "情報セキュリティ評価表",
        &f.bold.clone().set_font_size(14),
    )?;
    let status = match sheet.finalized_at {
        Some(at) => format!("確定（{at}）"),
        None => "暫定（未確定）".to_string(),
    };
    let facts = [
        ("件名", sheet.title.to_string()),
        ("所管課", sheet.department.to_string()),
        ("評価日", wareki(rating.evaluation_date)),
        ("加点方針", format!("{}（{}）", policy.title, rating.policy)),
        ("状態", status),
    ];
    for (row, (label, value)) in facts.iter().enumerate() {
        table.write_string_with_format(row as u32 + 1, 0, *label, &f.bold)?;
        table.write_string(row as u32 + 1, 1, value)?;
    }
    let top = facts.len() as u32 + 2;
    let mut headers: Vec<String> = ["順位", "法人番号等", "事業者名"]
        .map(String::from)
        .to_vec();
    headers.extend(policy.rules.iter().map(|r| r.label.clone()));
    headers.extend(["合計", "満点", "評価", "判定", "備考"].map(String::from));
    for (column, text) in headers.iter().enumerate() {
        table.write_string_with_format(top, column as u16, text, &f.header)?;
    }
    let first_rule = 3u16;
    let after_rules = first_rule + policy.rules.len() as u16;
    for (index, bidder) in rating.bidders.iter().enumerate() {
        let row = top + 1 + index as u32;
        match bidder.rank {
            Some(rank) => table.write_number(row, 0, rank as f64)?,
            None => table.write_string(row, 0, "—")?,
        };
        table.write_string(row, 1, &bidder.identifier)?;
        table.write_string(row, 2, &bidder.name)?;
        for (offset, rule) in policy.rules.iter().enumerate() {
            let column = first_rule + offset as u16;
            match bidder.breakdown.iter().find(|l| l.rule == rule.id) {
                Some(line) if line.applicable => {
                    table.write_number_with_format(row, column, line.points.as_f64(), &f.points)?
                }
                _ => table.write_string(row, column, "対象外")?,
            };
        }
        table.write_number_with_format(row, after_rules, bidder.points.as_f64(), &f.points)?;
        table.write_number_with_format(
            row,
            after_rules + 1,
            bidder.max_points.as_f64(),
            &f.points,
        )?;
        table.write_string(row, after_rules + 2, &bidder.grade)?;
        table.write_string(
            row,
            after_rules + 3,
            if bidder.disqualified {
                "不適合"
            } else {
                "適合"
            },
        )?;
        let remarks: Vec<&str> = bidder
            .flags
            .iter()
            .chain(&bidder.notes)
            .map(String::as_str)
            .collect();
        table.write_string_with_format(row, after_rules + 4, remarks.join("\n"), &f.wrap)?;
    }
    table.set_row_height(top, 36)?;
    table.set_column_width(0, 8)?;
    table.set_column_width(1, 16)?;
    table.set_column_width(2, 28)?;
    table.set_column_range_width(first_rule, after_rules + 3, 11)?;
    table.set_column_width(after_rules + 4, 48)?;
    table.set_freeze_panes(top + 1, 3)?;
    Ok(())
}

/// 内訳: every rule's points, evidence and reason per bidder.
fn details_sheet(workbook: &mut Workbook, rating: &Rating, f: &Formats) -> Result<(), XlsxError> {
    let details = workbook.add_worksheet();
    details.set_name("内訳")?;
    for (column, text) in [
        "法人番号等",
        "事業者名",
        "規則",
        "点数",
        "上限",
        "根拠（証跡）",
        "理由",
    ]
    .iter()
    .enumerate()
    {
        details.write_string_with_format(0, column as u16, *text, &f.header)?;
    }
    let mut row = 1;
    for bidder in &rating.bidders {
        for line in &bidder.breakdown {
            details.write_string(row, 0, &bidder.identifier)?;
            details.write_string(row, 1, &bidder.name)?;
            details.write_string(row, 2, &line.label)?;
            details.write_number_with_format(row, 3, line.points.as_f64(), &f.points)?;
            details.write_number_with_format(row, 4, line.max_points.as_f64(), &f.points)?;
            details.write_string_with_format(row, 5, &line.evidence, &f.wrap)?;
            details.write_string_with_format(row, 6, &line.reason, &f.wrap)?;
            row += 1;
        }
    }
    for (column, width) in [16, 28, 22, 8, 8, 60, 60].iter().enumerate() {
        details.set_column_width(column as u16, *width)?;
    }
    details.set_freeze_panes(1, 2)?;
    Ok(())
}

/// 評価基準: the policy version the numbers come from, and each rule.
fn rules_sheet(
    workbook: &mut Workbook,
    policy: &Policy,
    rating: &Rating,
    f: &Formats,
) -> Result<(), XlsxError> {
    let rules = workbook.add_worksheet();
    rules.set_name("評価基準")?;
    rules.write_string_with_format(0, 0, &policy.title, &f.bold.clone().set_font_size(14))?;
    let about = [
        ("方針", rating.policy.clone()),
        ("説明", policy.description.clone()),
        ("上限", format!("{}点", policy.max_points)),
        (
            "評価区分",
            policy
                .grades
                .iter()
                .map(|g| format!("{} {}点以上", g.label, g.min_points))
                .collect::<Vec<_>>()
                .join("、"),
        ),
        (
            "認証の有効性",
            "評価日に有効なもの（有効期限日当日まで有効）だけを数えます".to_string(),
        ),
        (
            "合計",
            "加点の合計に上限を適用し、減点を差し引きます（0点未満にはなりません）".to_string(),
        ),
    ];
    for (index, (label, value)) in about.iter().enumerate() {
        rules.write_string_with_format(index as u32 + 1, 0, *label, &f.bold)?;
        rules.write_string_with_format(index as u32 + 1, 1, value, &f.wrap)?;
    }
    let top = about.len() as u32 + 2;
    for (column, text) in ["規則", "ID", "配点", "適用条件", "説明"]
        .iter()
        .enumerate()
    {
        rules.write_string_with_format(top, column as u16, *text, &f.header)?;
    }
    for (index, rule) in policy.rules.iter().enumerate() {
        let row = top + 1 + index as u32;
        rules.write_string(row, 0, &rule.label)?;
        rules.write_string(row, 1, &rule.id)?;
        rules.write_string(row, 2, rule.scoring_label())?;
        rules.write_string(
            row,
            3,
            rule.only_if
                .map_or("すべての案件".to_string(), Condition::label),
        )?;
        rules.write_string_with_format(row, 4, &rule.explanation, &f.wrap)?;
    }
    for (column, width) in [24, 18, 28, 28, 70].iter().enumerate() {
        rules.set_column_width(column as u16, *width)?;
    }
    Ok(())
}
