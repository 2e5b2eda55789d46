//! Reads a filled check sheet, whatever people did to the workbook: the sheet and header row are found
//! by their names, columns may be in any order, title rows, section headings and blank rows are skipped,
//! and every problem is reported with its cell and item. Nothing here stores anything.

use super::guard::Limits;
use super::table::{column_letter, Cell, Row, Table};
use crate::checklist::answer::{choice_label, is_mark, read_answer, Reading};
use crate::checklist::{Answer, Definition};
use crate::domain::text::{header_key, label_key, normalize};
use crate::domain::VendorIdentifier;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Respondent {
    pub vendor_name: Option<String>,
    /// The vendor's 法人番号, 登録番号 (T + 13 digits) or 業者番号, whichever the sheet gives.
    pub identifier: Option<String>,
    pub filled_on: Option<String>,
    pub filled_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ItemAnswer {
    pub id: String,
    pub answer: Answer,
    pub note: String,
    pub cell: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetError {
    pub cell: Option<String>,
    pub item: Option<String>,
    pub message: String,
}

impl std::fmt::Display for SheetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.cell, &self.item) {
            (Some(cell), Some(item)) => write!(f, "{cell} ({item}): {}", self.message),
            (Some(cell), None) => write!(f, "{cell}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// The parse result; `accepted` only when there is no error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub accepted: bool,
    pub definition: String,
    pub sheet: Option<String>,
    pub header_row: Option<u32>,
    pub respondent: Respondent,
    pub answers: Vec<ItemAnswer>,
    pub unanswered: Vec<String>,
    pub errors: Vec<SheetError>,
    pub warnings: Vec<String>,
}

impl CheckResult {
    /// The answer for a file that could not be read at all.
    pub fn refused(definition: &Definition, message: String) -> Self {
        CheckResult {
            accepted: false,
            definition: definition.id.clone(),
            sheet: None,
            header_row: None,
            respondent: Respondent::default(),
            answers: Vec::new(),
            unanswered: Vec::new(),
            errors: vec![SheetError {
                cell: None,
                item: None,
                message,
            }],
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    ItemId,
    Category,
    Requirement,
    Mandatory,
    Answer,
    Note,
    Asked,
}

/// Where the answer is: one column of words, or one column per choice with the chosen one marked.
#[derive(Debug, Clone, PartialEq)]
enum Answers {
    Words(usize),
    Marks(Vec<(usize, Answer)>),
}

/// The header row (or two rows, when a merged 「回答」 spans its choices) and where each column is.
struct Layout {
    table: usize,
    /// Index of the (first) header row in the table's rows.
    position: usize,
    /// Index of the first row after the header.
    body: usize,
    columns: Vec<(Column, usize)>,
    answers: Answers,
}

impl Layout {
    fn column(&self, kind: Column) -> Option<usize> {
        self.columns
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, index)| *index)
    }

    /// The rightmost column of the item table.
    fn last_column(&self) -> usize {
        let marks = match &self.answers {
            Answers::Words(column) => *column,
            Answers::Marks(choices) => choices.iter().map(|(c, _)| *c).max().unwrap_or(0),
        };
        self.columns
            .iter()
            .map(|(_, c)| *c)
            .max()
            .unwrap_or(0)
            .max(marks)
    }
}

const HEADER_SEARCH_ROWS: usize = 100;

/// Sheets people keep beside the real one: filled examples (記入例, 見本, サンプル).
pub fn is_example_sheet(name: &str) -> bool {
    let key = label_key(name);
    let words = [
        "記入例",
        "記載例",
        "入力例",
        "回答例",
        "見本",
        "さんぷる",
        "sample",
        "example",
    ];
    words.iter().any(|word| key.contains(word)) || key.starts_with('例')
}

/// The header names of a definition, keyed once for matching.
struct HeaderNames(Vec<(Column, Vec<String>)>);

impl HeaderNames {
    fn of(definition: &Definition) -> Self {
        let names = &definition.columns;
        let keys =
            |names: &[String]| -> Vec<String> { names.iter().map(|n| header_key(n)).collect() };
        HeaderNames(vec![
            (Column::ItemId, keys(&names.item_id)),
            (Column::Answer, keys(&names.answer)),
            (Column::Note, keys(&names.note)),
            (Column::Requirement, keys(&names.requirement)),
            (Column::Category, keys(&names.category)),
            (Column::Mandatory, keys(&names.mandatory)),
            (Column::Asked, keys(&names.asked)),
        ])
    }

    fn columns_of(&self, row: &Row) -> Vec<(Column, usize)> {
        let mut columns: Vec<(Column, usize)> = Vec::new();
        for (index, cell) in row.cells.iter().enumerate() {
            let Some(key) = label_text(cell).map(header_key).filter(|k| !k.is_empty()) else {
                continue;
            };
            if let Some((kind, _)) = self.0.iter().find(|(kind, names)| {
                names.contains(&key) && !columns.iter().any(|(k, _)| k == kind)
            }) {
                columns.push((*kind, index));
            }
        }
        columns
    }
}

/// A header or a label is short text; a longer cell (a requirement, a remark) is never normalized to be
/// compared with one, which kept reading a sheet from normalizing every requirement text.
const MAX_LABEL_CHARS: usize = 60;

fn label_text(cell: &Cell) -> Option<&str> {
    match cell {
        Cell::Text(text) if text.chars().count() <= MAX_LABEL_CHARS => Some(text),
        _ => None,
    }
}

/// Labels of the vendor's identifier that every definition accepts beside its own 法人番号 labels: a sole
/// proprietor writes its 登録番号 or the municipality's 業者番号 instead.
const IDENTIFIER_LABELS: [&str; 8] = [
    "登録番号",
    "適格請求書発行事業者登録番号",
    "インボイス登録番号",
    "業者番号",
    "業者コード",
    "法人番号又は登録番号",
    "法人番号・登録番号",
    "法人番号(個人事業主は登録番号)",
];

/// The respondent labels of a definition, keyed once for matching.
struct RespondentKeys([Vec<String>; 4]);

impl RespondentKeys {
    fn of(definition: &Definition) -> Self {
        let labels = &definition.respondent;
        let keys = |names: &[String]| names.iter().map(|n| label_key(n)).collect::<Vec<_>>();
        RespondentKeys([
            keys(&labels.vendor_name),
            keys(&labels.corporate_number)
                .into_iter()
                .chain(IDENTIFIER_LABELS.iter().map(|l| label_key(l)))
                .collect(),
            keys(&labels.filled_on),
            keys(&labels.filled_by),
        ])
    }

    /// Which field (0 name, 1 法人番号, 2 記入日, 3 記入者) a label names.
    fn field(&self, label: &str) -> Option<usize> {
        let key = label_key(label);
        (!key.is_empty())
            .then(|| self.0.iter().position(|names| names.contains(&key)))
            .flatten()
    }
}

/// Columns of a header row that each name one choice (はい / いいえ, 適合 / 不適合 …), from `from` on.
fn choice_columns(row: Option<&Row>, from: usize) -> Vec<(usize, Answer)> {
    let Some(row) = row else {
        return Vec::new();
    };
    let choices: Vec<(usize, Answer)> = row
        .cells
        .iter()
        .enumerate()
        .skip(from)
        .filter_map(|(index, cell)| choice_label(&cell.as_text()).map(|a| (index, a)))
        .collect();
    let distinct: HashSet<Answer> = choices.iter().map(|(_, a)| *a).collect();
    if choices.len() >= 2 && distinct.len() == choices.len() {
        choices
    } else {
        Vec::new()
    }
}

/// The answer layout of a header found at `position`, and the first row of the body.
fn answers_at(
    table: &Table,
    position: usize,
    columns: &[(Column, usize)],
) -> Option<(Answers, usize)> {
    let find = |kind| columns.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c);
    let first_after_id = find(Column::ItemId).map_or(0, |c| c + 1);
    let here = choice_columns(table.rows.get(position), first_after_id);
    // A merged 「回答」 above its choices: the choices stand in the next row, under it.
    let below = choice_columns(
        table.rows.get(position + 1),
        find(Column::Answer).unwrap_or(first_after_id),
    );
    if !here.is_empty() {
        Some((Answers::Marks(here), position + 1))
    } else if !below.is_empty() {
        Some((Answers::Marks(below), position + 2))
    } else {
        find(Column::Answer).map(|column| (Answers::Words(column), position + 1))
    }
}

fn find_layout(
    tables: &[Table],
    definition: &Definition,
    wanted: impl Fn(&Table) -> bool,
) -> Option<Layout> {
    let names = HeaderNames::of(definition);
    let mut best: Option<Layout> = None;
    for (table_index, table) in tables.iter().enumerate().filter(|(_, t)| wanted(t)) {
        for (position, row) in table.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
            let columns = names.columns_of(row);
            if !columns.iter().any(|(k, _)| *k == Column::ItemId) {
                continue;
            }
            let Some((answers, body)) = answers_at(table, position, &columns) else {
                continue;
            };
            let score = columns.len() + usize::from(matches!(answers, Answers::Marks(_)));
            let best_score = best.as_ref().map_or(0, |b| {
                b.columns.len() + usize::from(matches!(b.answers, Answers::Marks(_)))
            });
            if score > best_score {
                best = Some(Layout {
                    table: table_index,
                    position,
                    body,
                    columns,
                    answers,
                });
            }
        }
    }
    best
}

fn cell_ref(column: usize, row: u32) -> String {
    format!("{}{row}", column_letter(column))
}

fn text(cell: &Cell) -> String {
    normalize(&cell.as_text())
}

/// Reads labelled cells: the value is the first filled cell to the label's right, or the rest of the
/// label's own cell after a colon (「事業者名：株式会社いろは」). Cells left of `from_column` are skipped.
fn read_respondent(
    rows: &[Row],
    from_column: usize,
    keys: &RespondentKeys,
    respondent: &mut Respondent,
    errors: &mut Vec<SheetError>,
) {
    for row in rows {
        for (index, cell) in row.cells.iter().enumerate().skip(from_column) {
            let Some(whole) = label_text(cell) else {
                continue;
            };
            let (label, inline) = match whole.split_once(['：', ':']) {
                Some((label, rest)) if !rest.trim().is_empty() => {
                    (label, Some(Cell::Text(rest.trim().to_string())))
                }
                _ => (whole, None),
            };
            let Some(field) = keys.field(label) else {
                continue;
            };
            let value = || {
                inline
                    .clone()
                    .map(|c| (cell_ref(index, row.number), c))
                    .or_else(|| {
                        row.cells
                            .iter()
                            .enumerate()
                            .skip(index + 1)
                            .find(|(_, c)| !c.is_blank())
                            .map(|(i, c)| (cell_ref(i, row.number), c.clone()))
                    })
            };
            if field == 0 && respondent.vendor_name.is_none() {
                respondent.vendor_name = value().map(|(_, c)| c.as_text().trim().to_string());
            } else if field == 1 && respondent.identifier.is_none() {
                if let Some((at, c)) = value() {
                    match VendorIdentifier::parse(&c.as_text()) {
                        Ok(identifier) => {
                            respondent.identifier = Some(identifier.as_str().to_string())
                        }
                        Err(message) => errors.push(SheetError {
                            cell: Some(at),
                            item: None,
                            message,
                        }),
                    }
                }
            } else if field == 2 && respondent.filled_on.is_none() {
                if let Some((at, c)) = value() {
                    match c.as_date() {
                        Ok(date) => {
                            respondent.filled_on = Some(date.format("%Y-%m-%d").to_string())
                        }
                        Err(message) => errors.push(SheetError {
                            cell: Some(at),
                            item: None,
                            message: format!("記入日: {message}"),
                        }),
                    }
                }
            } else if field == 3 && respondent.filled_by.is_none() {
                respondent.filled_by = value().map(|(_, c)| c.as_text().trim().to_string());
            }
        }
    }
}

/// The respondent block wherever it is: above the item table, beside it on the right, or on a
/// cover sheet of its own.
fn find_respondent(
    tables: &[Table],
    layout: &Layout,
    definition: &Definition,
    errors: &mut Vec<SheetError>,
) -> Respondent {
    let table = &tables[layout.table];
    let keys = RespondentKeys::of(definition);
    let mut respondent = Respondent::default();
    read_respondent(
        &table.rows[..layout.position],
        0,
        &keys,
        &mut respondent,
        errors,
    );
    read_respondent(
        &table.rows,
        layout.last_column() + 1,
        &keys,
        &mut respondent,
        errors,
    );
    for (_, cover) in tables
        .iter()
        .enumerate()
        .filter(|(i, t)| *i != layout.table && !t.hidden && !is_example_sheet(&t.name))
    {
        read_respondent(&cover.rows, 0, &keys, &mut respondent, errors);
    }
    respondent
}

/// What one item row answers.
enum RowAnswer {
    Blank,
    Answer(Answer, Option<String>),
    Error(String, String),
}

fn row_answer(row: &Row, answers: &Answers) -> (RowAnswer, String) {
    match answers {
        Answers::Words(column) => {
            let at = cell_ref(*column, row.number);
            let reading = match row.cell(*column) {
                Cell::Bool(true) => Reading::Answer(Answer::Yes, None),
                Cell::Bool(false) => Reading::Answer(Answer::No, None),
                other => read_answer(&other.as_text()),
            };
            let answer = match reading {
                Reading::Blank => RowAnswer::Blank,
                Reading::Answer(answer, remark) => RowAnswer::Answer(answer, remark),
                Reading::Several(choices) => RowAnswer::Error(
                    at.clone(),
                    format!(
                        "回答が複数書かれています（{}）。1つだけ選んでください",
                        labels(&choices)
                    ),
                ),
                Reading::Unreadable => RowAnswer::Error(
                    at.clone(),
                    format!(
                        "「{}」は回答として読み取れません（はい・いいえ・一部・該当なし）",
                        row.cell(*column).as_text().trim()
                    ),
                ),
            };
            (answer, at)
        }
        Answers::Marks(choices) => {
            let first = cell_ref(choices[0].0, row.number);
            let mut marked = Vec::new();
            for (column, answer) in choices {
                let cell = row.cell(*column);
                let mark = match cell {
                    Cell::Bool(b) => Some(*b),
                    other => is_mark(&other.as_text()),
                };
                match mark {
                    Some(true) => marked.push((*column, *answer)),
                    Some(false) => {}
                    None => {
                        return (
                            RowAnswer::Error(
                                cell_ref(*column, row.number),
                                format!(
                                    "「{}」は印として読み取れません（○ を1つだけ付けてください）",
                                    cell.as_text().trim()
                                ),
                            ),
                            first,
                        )
                    }
                }
            }
            match marked.as_slice() {
                [] => (RowAnswer::Blank, first),
                [(column, answer)] => (
                    RowAnswer::Answer(*answer, None),
                    cell_ref(*column, row.number),
                ),
                several => {
                    let chosen: Vec<Answer> = several.iter().map(|(_, a)| *a).collect();
                    let at = cell_ref(several[0].0, row.number);
                    (
                        RowAnswer::Error(
                            at.clone(),
                            format!(
                                "複数の回答に印があります（{}）。1つだけにしてください",
                                labels(&chosen)
                            ),
                        ),
                        at,
                    )
                }
            }
        }
    }
}

fn labels(answers: &[Answer]) -> String {
    answers
        .iter()
        .map(|a| a.label())
        .collect::<Vec<_>>()
        .join("・")
}

const EXAMPLE_ONLY: &str =
    "記入例のシートだけが記入されています。記入例ではなく回答用のシートに記入してください";

/// Reads and checks a filled check sheet against a definition, in this process: for trusted files and
/// tests. Uploads are read through `crate::sandbox` and checked with `from_tables`.
pub fn read(bytes: &[u8], definition: &Definition, limits: &Limits) -> CheckResult {
    match super::read_tables(bytes, limits) {
        Ok(tables) => from_tables(&tables, definition),
        Err(error) => CheckResult::refused(definition, error.to_string()),
    }
}

/// Checks the tables of a filled check sheet against a definition. The sheet read is the visible one
/// that is not an example (記入例・見本・サンプル); hidden sheets (drop-down lists, last year's copy) never.
pub fn from_tables(tables: &[Table], definition: &Definition) -> CheckResult {
    let real = |t: &Table| !t.hidden && !is_example_sheet(&t.name);
    let example = |t: &Table| !t.hidden && is_example_sheet(&t.name);
    let Some(layout) = find_layout(tables, definition, real) else {
        let message = if find_layout(tables, definition, example).is_some() {
            EXAMPLE_ONLY.to_string()
        } else {
            "チェックシートの見出し行が見つかりません（「項番」と「回答」の列が必要です）"
                .to_string()
        };
        return CheckResult::refused(definition, message);
    };
    let mut result = read_layout(tables, &layout, definition);
    if result.answers.is_empty() {
        let example_answered = find_layout(tables, definition, example)
            .is_some_and(|e| !read_layout(tables, &e, definition).answers.is_empty());
        if example_answered {
            result.errors.insert(
                0,
                SheetError {
                    cell: None,
                    item: None,
                    message: EXAMPLE_ONLY.into(),
                },
            );
        }
    }
    result
}

/// A warning for each part of the respondent block left empty (and not already an error).
fn warn_of_blank_respondent(
    respondent: &Respondent,
    errors: &[SheetError],
    warnings: &mut Vec<String>,
) {
    for (field, value) in [
        ("事業者名", &respondent.vendor_name),
        ("法人番号", &respondent.identifier),
        ("記入日", &respondent.filled_on),
        ("記入者", &respondent.filled_by),
    ] {
        if value.is_none() && !errors.iter().any(|e| e.message.starts_with(field)) {
            warnings.push(format!("回答者欄の「{field}」が記入されていません"));
        }
    }
}

/// The items with no answer, refused in one error that names each one's answer cell (or its missing row).
fn refuse_unanswered(
    definition: &Definition,
    answers: &[ItemAnswer],
    blank: &[(String, String)],
    errors: &mut Vec<SheetError>,
) -> Vec<String> {
    let unanswered: Vec<String> = definition
        .items
        .iter()
        .filter(|item| {
            !answers.iter().any(|a| a.id == item.id)
                && !errors.iter().any(|e| e.item.as_deref() == Some(&item.id))
        })
        .map(|item| item.id.clone())
        .collect();
    if !unanswered.is_empty() {
        let listed: Vec<String> = unanswered
            .iter()
            .map(|id| match blank.iter().find(|(b, _)| b == id) {
                Some((_, cell)) => format!("{id}（{cell}）"),
                None => format!("{id}（行がありません）"),
            })
            .collect();
        errors.push(SheetError {
            cell: None,
            item: None,
            message: format!(
                "未回答の項目が{}件あります: {}",
                unanswered.len(),
                listed.join(", ")
            ),
        });
    }
    unanswered
}

fn read_layout(tables: &[Table], layout: &Layout, definition: &Definition) -> CheckResult {
    let table = &tables[layout.table];
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let respondent = find_respondent(tables, layout, definition, &mut errors);
    warn_of_blank_respondent(&respondent, &errors, &mut warnings);
    let id_column = layout.column(Column::ItemId).unwrap_or(0);
    let note_column = layout.column(Column::Note);
    let index = definition.index();
    let mut answers: Vec<ItemAnswer> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut blank: Vec<(String, String)> = Vec::new();
    for row in table.rows.iter().skip(layout.body) {
        let id_text = text(row.cell(id_column));
        let (reading, answer_ref) = row_answer(row, &layout.answers);
        let answered = !matches!(reading, RowAnswer::Blank);
        if id_text.is_empty() {
            if answered {
                warnings.push(format!(
                    "{answer_ref}: 項番のない行の回答は読み取りませんでした"
                ));
            }
            continue;
        }
        let Some(item) = index.item(&id_text) else {
            // Section headings such as 【体制】 or 「A 体制」 stand in the item column with no answer.
            if answered {
                errors.push(SheetError {
                    cell: Some(cell_ref(id_column, row.number)),
                    item: Some(id_text.clone()),
                    message: format!(
                        "項番「{id_text}」はチェックシート定義（{}）にありません",
                        definition.id
                    ),
                });
            }
            continue;
        };
        if !seen.insert(item.id.clone()) {
            errors.push(SheetError {
                cell: Some(cell_ref(id_column, row.number)),
                item: Some(item.id.clone()),
                message: format!("項番「{}」が重複しています", item.id),
            });
            continue;
        }
        match reading {
            RowAnswer::Answer(answer, remark) => {
                if answer == Answer::No && item.mandatory {
                    warnings.push(format!(
                        "{answer_ref} ({}): 必須項目に「いいえ」と回答されています",
                        item.id
                    ));
                }
                let note = note_column
                    .map(|c| row.cell(c).as_text().trim().to_string())
                    .into_iter()
                    .chain(remark)
                    .filter(|n| !n.is_empty())
                    .collect::<Vec<_>>()
                    .join(" / ");
                answers.push(ItemAnswer {
                    id: item.id.clone(),
                    answer,
                    note,
                    cell: answer_ref,
                });
            }
            RowAnswer::Blank => blank.push((item.id.clone(), answer_ref)),
            RowAnswer::Error(cell, message) => errors.push(SheetError {
                cell: Some(cell),
                item: Some(item.id.clone()),
                message,
            }),
        }
    }
    let unanswered = refuse_unanswered(definition, &answers, &blank, &mut errors);
    CheckResult {
        accepted: errors.is_empty(),
        definition: definition.id.clone(),
        sheet: Some(table.name.clone()),
        header_row: Some(table.rows[layout.position].number),
        respondent,
        answers,
        unanswered,
        errors,
        warnings,
    }
}

/// Derives a definition from a blank workbook of a new edition: the header row is found with the
/// column names of `base` (or, in a blank sheet, the answer column is the empty column right of the
/// requirement text, whatever its header says); each row with an item id becomes an item (category
/// from its column or from the section heading above it; mandatory from 必須/○; asked from its
/// column, else 契約時).
pub fn learn(
    bytes: &[u8],
    base: &Definition,
    id: &str,
    limits: &Limits,
) -> Result<Definition, String> {
    let tables = super::read_tables(bytes, limits).map_err(|e| e.to_string())?;
    learn_from_tables(&tables, base, id)
}

/// A blank sheet's layout when its answer column has a name `base` does not know: the header row
/// with an item id and a requirement column, answered in the column right of the requirement.
fn unnamed_answer_layout(tables: &[Table], base: &Definition) -> Option<(Layout, String)> {
    let names = HeaderNames::of(base);
    tables
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.hidden && !is_example_sheet(&t.name))
        .find_map(|(table_index, table)| {
            table
                .rows
                .iter()
                .take(HEADER_SEARCH_ROWS)
                .enumerate()
                .find_map(|(position, row)| {
                    let columns = names.columns_of(row);
                    let find = |kind| columns.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c);
                    let (_, requirement) = (find(Column::ItemId)?, find(Column::Requirement)?);
                    let answer = requirement + 1;
                    let header = row.cell(answer).as_text().trim().to_string();
                    let empty_below = table.rows[position + 1..]
                        .iter()
                        .all(|r| r.cell(answer).is_blank());
                    (!header.is_empty() && empty_below).then(|| {
                        (
                            Layout {
                                table: table_index,
                                position,
                                body: position + 1,
                                columns,
                                answers: Answers::Words(answer),
                            },
                            header,
                        )
                    })
                })
        })
}

/// `learn` over tables already read (in the parse sandbox).
pub fn learn_from_tables(
    tables: &[Table],
    base: &Definition,
    id: &str,
) -> Result<Definition, String> {
    let real = |t: &Table| !t.hidden && !is_example_sheet(&t.name);
    let mut columns = base.columns.clone();
    let layout = match find_layout(tables, base, real) {
        Some(layout) => layout,
        None => {
            let (layout, header) = unnamed_answer_layout(tables, base).ok_or_else(|| {
                "チェックシートの見出し行が見つかりません（「項番」と「確認項目」の列が必要です）".to_string()
            })?;
            columns.answer.push(header);
            layout
        }
    };
    let table = &tables[layout.table];
    let title = table.rows[..layout.position]
        .iter()
        .flat_map(|row| row.cells.iter())
        .map(|cell| cell.as_text().trim().to_string())
        .find(|text| !text.is_empty())
        .unwrap_or_else(|| base.title.clone());
    let column = |kind| layout.column(kind);
    let mut items = Vec::new();
    let mut heading = String::new();
    for row in table.rows.iter().skip(layout.body) {
        let id_text = column(Column::ItemId)
            .map(|c| text(row.cell(c)))
            .unwrap_or_default();
        let requirement = column(Column::Requirement)
            .map(|c| row.cell(c).as_text().trim().to_string())
            .unwrap_or_default();
        if id_text.is_empty() {
            continue;
        }
        if requirement.is_empty() {
            heading = id_text
                .trim_matches(|c| matches!(c, '【' | '】' | '「' | '」' | '■'))
                .to_string();
            continue;
        }
        let category = column(Column::Category)
            .map(|c| row.cell(c).as_text().trim().to_string())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| heading.clone());
        let mandatory = column(Column::Mandatory)
            .map(|c| {
                matches!(
                    text(row.cell(c)).as_str(),
                    "必須" | "○" | "〇" | "◯" | "必" | "はい" | "yes"
                )
            })
            .unwrap_or(false);
        let asked = match column(Column::Asked).map(|c| text(row.cell(c))).as_deref() {
            Some("年次") | Some("毎年") | Some("年1回") => crate::checklist::Asked::Yearly,
            Some("終了時") | Some("契約終了時") => crate::checklist::Asked::AtEnd,
            _ => crate::checklist::Asked::AtContract,
        };
        items.push(crate::checklist::Item {
            id: id_text,
            category,
            requirement,
            mandatory,
            asked,
        });
    }
    let definition = Definition {
        id: id.to_string(),
        title,
        edition: String::new(),
        columns,
        respondent: base.respondent.clone(),
        items,
    };
    Definition::parse(&definition.to_toml()?)
}

#[cfg(test)]
mod tests {
    use super::is_example_sheet;

    #[test]
    fn example_sheets_by_name() {
        for name in [
            "記入例",
            "【記入例】",
            "記載例（参考）",
            "見本",
            "サンプル",
            "Sample",
            "例",
            "例1",
        ] {
            assert!(is_example_sheet(name), "{name}");
        }
        for name in ["チェックシート", "回答", "様式1", "条例対応", "表紙"] {
            assert!(!is_example_sheet(name), "{name}");
        }
    }
}
