//! The optional sheet 再委託先 of a ledger workbook: each contract's subcontractors (契約番号, 再委託先名,
//! 法人番号, 業務内容, 開始日, 承認日, and 親の再委託先 for a subcontractor's own), read and checked with
//! the main sheet and written in its transaction, so the import stays all or nothing.

use crate::auth::Actor;
use crate::db::subcontractors::{self, NewSubcontractor};
use crate::db::Conn;
use crate::domain::ids::{ContractId, SubcontractorId};
use crate::domain::text::normalize;
use crate::domain::{BoundedText, CorporateNumber};
use crate::excel::header::{self, Column, Layout, RowError};
use crate::excel::{Cell, Row, Table};
use crate::services::audit::{self, Event};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// The sheet's name, as municipalities name it.
pub const SHEET: &str = "再委託先";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubColumn {
    ContractNumber,
    Name,
    CorporateNumber,
    Work,
    StartDate,
    ApprovedOn,
    Parent,
}

impl Column for SubColumn {
    const ALL: &'static [Self] = &[
        SubColumn::ContractNumber,
        SubColumn::Name,
        SubColumn::CorporateNumber,
        SubColumn::Work,
        SubColumn::StartDate,
        SubColumn::ApprovedOn,
        SubColumn::Parent,
    ];
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            SubColumn::ContractNumber => &["契約番号", "契約No", "契約NO"],
            SubColumn::Name => &["再委託先名", "再委託先", "再委託先の名称", "名称", "商号"],
            SubColumn::CorporateNumber => &["法人番号"],
            SubColumn::Work => &["業務内容", "再委託する業務", "業務"],
            SubColumn::StartDate => &["開始日", "再委託開始日", "業務開始日"],
            SubColumn::ApprovedOn => &["承認日", "再委託承認日"],
            SubColumn::Parent => &["親の再委託先", "委託元", "再委託元"],
        }
    }
    fn required(self) -> bool {
        matches!(
            self,
            SubColumn::ContractNumber | SubColumn::Name | SubColumn::Work | SubColumn::StartDate
        )
    }
}

/// One subcontractor as the sheet gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubcontractorRow {
    pub row: u32,
    pub contract_number: String,
    pub name: String,
    /// `None`: a foreign company without one.
    pub corporate_number: Option<String>,
    pub work: String,
    pub start_date: NaiveDate,
    pub approved_on: Option<NaiveDate>,
    /// The name of the subcontractor it works for, on the same contract.
    pub parent: Option<String>,
}

/// The sheet's rows, and an error naming the cell (再委託先!C5) for each bad one; none without the
/// sheet. `contract_numbers` are the main sheet's: a row must name one of them.
pub fn read(
    tables: &[Table],
    contract_numbers: &HashSet<String>,
) -> (Vec<SubcontractorRow>, Vec<RowError>) {
    let Some(table) = tables.iter().find(|t| normalize(&t.name) == SHEET) else {
        return (Vec::new(), Vec::new());
    };
    let on_sheet = |mut error: RowError| {
        error.cell = error.cell.map(|cell| format!("{SHEET}!{cell}"));
        error
    };
    let Some(layout) = header::find_layout(std::slice::from_ref(table), SubColumn::ContractNumber)
    else {
        return (
            Vec::new(),
            vec![header::file_error(format!(
                "シート「{SHEET}」の見出し行が見つかりません（契約番号・再委託先名・業務内容・開始日の列が必要です）"
            ))],
        );
    };
    let missing = layout.missing_required();
    if !missing.is_empty() {
        return (
            Vec::new(),
            vec![header::file_error(format!(
                "シート「{SHEET}」に必須の列がありません: {}",
                missing.join("、")
            ))],
        );
    }
    let filled: Vec<&Row> = table
        .rows
        .iter()
        .skip(layout.header_position + 1)
        .filter(|row| {
            !layout
                .columns
                .iter()
                .all(|(index, _)| row.cell(*index).is_blank())
        })
        .collect();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for row in &filled {
        match parse_row(row, &layout, contract_numbers) {
            Ok(parsed) => rows.push(parsed),
            Err(row_errors) => errors.extend(row_errors),
        }
    }
    errors.extend(parents_named(&filled, &layout));
    errors.sort_by_key(|e| e.row);
    (rows, errors.into_iter().map(on_sheet).collect())
}

fn parse_row(
    row: &Row,
    layout: &Layout<SubColumn>,
    contract_numbers: &HashSet<String>,
) -> Result<SubcontractorRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell = |column: SubColumn| {
        layout
            .columns
            .iter()
            .find(|(_, c)| *c == column)
            .map(|(index, _)| row.cell(*index))
            .unwrap_or(&Cell::Empty)
    };
    let text = |column: SubColumn| cell(column).as_text().trim().to_string();
    let mut refuse = |column: SubColumn, message: String| {
        errors.push(RowError::at(&layout.columns, column, row.number, message));
    };
    let contract_number = normalize(&text(SubColumn::ContractNumber));
    if contract_number.is_empty() {
        refuse(
            SubColumn::ContractNumber,
            "契約番号を入力してください".into(),
        );
    } else if !contract_numbers.contains(&contract_number) {
        refuse(
            SubColumn::ContractNumber,
            format!("契約番号「{contract_number}」は契約の一覧（1枚目のシート）にありません"),
        );
    }
    let name = BoundedText::<200>::parse(&text(SubColumn::Name), "再委託先名")
        .map_err(|m| refuse(SubColumn::Name, m))
        .ok();
    let number = text(SubColumn::CorporateNumber);
    let corporate_number = if number.is_empty() {
        None
    } else {
        CorporateNumber::parse(&number)
            .map_err(|m| refuse(SubColumn::CorporateNumber, m))
            .ok()
            .map(|n| n.as_str().to_string())
    };
    let work = BoundedText::<1000>::parse(&text(SubColumn::Work), "業務内容")
        .map_err(|m| refuse(SubColumn::Work, m))
        .ok();
    let start_date = cell(SubColumn::StartDate)
        .as_date()
        .map_err(|m| refuse(SubColumn::StartDate, format!("開始日: {m}")))
        .ok();
    let approved_on = if cell(SubColumn::ApprovedOn).is_blank() {
        None
    } else {
        cell(SubColumn::ApprovedOn)
            .as_date()
            .map_err(|m| refuse(SubColumn::ApprovedOn, format!("承認日: {m}")))
            .ok()
    };
    if approved_on.is_some_and(|day| day > crate::services::today()) {
        refuse(
            SubColumn::ApprovedOn,
            "承認日に未来の日付は指定できません".into(),
        );
    }
    let parent = Some(normalize(&text(SubColumn::Parent))).filter(|p| !p.is_empty());
    match (name, work, start_date, errors.is_empty()) {
        (Some(name), Some(work), Some(start_date), true) => Ok(SubcontractorRow {
            row: row.number,
            contract_number,
            name: name.into_string(),
            corporate_number,
            work: work.into_string(),
            start_date,
            approved_on,
            parent,
        }),
        _ => Err(errors),
    }
}

/// An error for each 親の再委託先 that names no other subcontractor of the same contract in the sheet
/// (rows with errors of their own count: every error is found in one pass).
fn parents_named(rows: &[&Row], layout: &Layout<SubColumn>) -> Vec<RowError> {
    let text = |row: &Row, column: SubColumn| {
        layout
            .columns
            .iter()
            .find(|(_, c)| *c == column)
            .map(|(index, _)| normalize(&row.cell(*index).as_text()))
            .unwrap_or_default()
    };
    rows.iter()
        .filter_map(|row| {
            let parent = text(row, SubColumn::Parent);
            if parent.is_empty() {
                return None;
            }
            let contract = text(row, SubColumn::ContractNumber);
            let known = rows.iter().any(|other| {
                other.number != row.number
                    && text(other, SubColumn::ContractNumber) == contract
                    && text(other, SubColumn::Name) == parent
            });
            (!known).then(|| {
                RowError::at(
                    &layout.columns,
                    SubColumn::Parent,
                    row.number,
                    format!("親の再委託先「{parent}」が同じ契約の再委託先にありません"),
                )
            })
        })
        .collect()
}

/// Writes the rows of contracts the import wrote (`contracts`, by number): a subcontractor the
/// contract already has under the same name is left as it is, so a second import changes nothing.
/// Parents are written before the subcontractors under them; a row whose parent never resolves (two
/// naming each other) is an error.
pub async fn write(
    tx: &mut Conn,
    actor: &Actor,
    rows: &[SubcontractorRow],
    contracts: &HashMap<String, ContractId>,
) -> Result<(usize, Vec<RowError>), crate::error::AppError> {
    let mut known: HashMap<(ContractId, String), SubcontractorId> = HashMap::new();
    for contract_id in contracts.values() {
        for existing in subcontractors::for_contract(tx, *contract_id).await? {
            known.insert((*contract_id, normalize(&existing.name)), existing.id);
        }
    }
    let mut waiting: Vec<&SubcontractorRow> = rows.iter().collect();
    let mut written = 0;
    loop {
        let before = waiting.len();
        let mut still = Vec::new();
        for row in waiting {
            let Some(contract_id) = contracts.get(&row.contract_number).copied() else {
                continue;
            };
            let parent_id = match &row.parent {
                None => None,
                Some(parent) => match known.get(&(contract_id, parent.clone())) {
                    Some(id) => Some(*id),
                    None => {
                        still.push(row);
                        continue;
                    }
                },
            };
            let key = (contract_id, normalize(&row.name));
            if known.contains_key(&key) {
                continue;
            }
            let id = insert(tx, actor, row, contract_id, parent_id).await?;
            known.insert(key, id);
            written += 1;
        }
        waiting = still;
        if waiting.is_empty() || waiting.len() == before {
            break;
        }
    }
    let errors = waiting
        .into_iter()
        .map(|row| RowError {
            row: Some(row.row),
            column: SubColumn::Parent.label().into(),
            cell: None,
            message: format!(
                "{SHEET} {}行目: 親の再委託先「{}」が循環しています",
                row.row,
                row.parent.as_deref().unwrap_or_default()
            ),
        })
        .collect();
    Ok((written, errors))
}

async fn insert(
    tx: &mut Conn,
    actor: &Actor,
    row: &SubcontractorRow,
    contract_id: ContractId,
    parent_id: Option<SubcontractorId>,
) -> Result<SubcontractorId, crate::error::AppError> {
    let id = subcontractors::insert(
        tx,
        &NewSubcontractor {
            contract_id,
            parent_id,
            name: &row.name,
            corporate_number: row.corporate_number.as_deref(),
            foreign_company: row.corporate_number.is_none(),
            work: &row.work,
            data_items: "",
            personal_data: false,
            personal_records: None,
            location: "",
            uses_cloud: false,
            start_date: row.start_date,
            end_date: None,
            applied_by: &actor.label,
        },
    )
    .await?;
    if let Some(day) = row.approved_on {
        subcontractors::decide(tx, contract_id, id, Some(day), "", &actor.label).await?;
    }
    let summary = format!("再委託先の取込 {}（{}）", row.contract_number, row.name);
    let after = json!({"contract_id": contract_id, "parent_id": parent_id, "name": row.name,
        "corporate_number": row.corporate_number, "work": row.work, "start_date": row.start_date,
        "approved_on": row.approved_on, "status": if row.approved_on.is_some() { "approved" } else { "applied" }});
    audit::record(
        tx,
        actor,
        Event::new("import", "subcontractor", id, summary).changes(None, Some(after)),
    )
    .await?;
    Ok(id)
}
