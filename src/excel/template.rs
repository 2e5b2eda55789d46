//! The check-sheet workbook vendors fill: a title, the respondent block, one row per item under its
//! category heading, a drop-down on the answer column, the sheet protected except the cells to fill,
//! A4 printing, and a 記入要領 sheet.

use crate::checklist::{Answer, Definition};
use chrono::Datelike;
use rust_xlsxwriter::{
    DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

/// What to prefill when the workbook is made for one contract.
#[derive(Debug, Clone, Default)]
pub struct Prefill {
    pub vendor_name: Option<String>,
    /// The vendor's 法人番号, 登録番号 or 業者番号; its kind names the cell.
    pub identifier: Option<String>,
    pub contract: Option<String>,
    /// 記入日 and 記入者.
    pub filled_on: Option<chrono::NaiveDate>,
    pub filled_by: Option<String>,
    /// Answers already given (an item's answer and 備考), by item id: a sheet filled in advance.
    pub answers: std::collections::HashMap<String, (Answer, String)>,
}

const HEADERS: [(&str, f64); 6] = [
    ("項番", 7.0),
    ("区分", 12.0),
    ("確認項目", 56.0),
    ("必須", 6.0),
    ("回答", 11.0),
    ("備考", 30.0),
];
const ANSWER_COLUMN: u16 = 4;
const NOTE_COLUMN: u16 = 5;

/// The cell formats of the check sheet.
struct Formats {
    title: Format,
    small: Format,
    label: Format,
    input: Format,
    input_date: Format,
    header: Format,
    section: Format,
    cell: Format,
    centered: Format,
    answer: Format,
    note: Format,
}

impl Formats {
    fn new() -> Self {
        let title = Format::new().set_bold().set_font_size(14);
        let small = Format::new().set_font_size(9).set_font_color("#616E7C");
        let label = Format::new()
            .set_bold()
            .set_background_color("#EEF2F7")
            .set_border(FormatBorder::Thin);
        let input = Format::new()
            .set_unlocked()
            .set_border(FormatBorder::Thin)
            .set_background_color("#FFFBEA");
        let input_date = input.clone().set_num_format("yyyy/m/d");
        let header = Format::new()
            .set_bold()
            .set_background_color("#D9E2EC")
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center);
        let section = Format::new()
            .set_bold()
            .set_background_color("#EEF2F7")
            .set_border(FormatBorder::Thin);
        let cell = Format::new()
            .set_text_wrap()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top);
        let centered = cell.clone().set_align(FormatAlign::Center);
        let answer = input
            .clone()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::Top);
        let note = input.clone().set_text_wrap().set_align(FormatAlign::Top);
        Formats {
            title,
            small,
            label,
            input,
            input_date,
            header,
            section,
            cell,
            centered,
            answer,
            note,
        }
    }
}

pub fn check_sheet(definition: &Definition, prefill: &Prefill) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let f = Formats::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("チェックシート")?;
    for (column, (_, width)) in HEADERS.iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    sheet.merge_range(0, 0, 0, 5, &definition.title, &f.title)?;
    let subtitle = match &prefill.contract {
        Some(contract) => format!(
            "{}　対象契約: {contract}　（定義 {}）",
            definition.edition, definition.id
        ),
        None => format!("{}　（定義 {}）", definition.edition, definition.id),
    };
    sheet.merge_range(1, 0, 1, 5, &subtitle, &f.small)?;

    respondent_block(sheet, prefill, &f)?;
    let header_row = 8;
    items_table(sheet, definition, prefill, header_row, &f)?;
    sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet
        .set_paper_size(9)
        .set_portrait()
        .set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(header_row, header_row)?;
    sheet.set_footer("&C&P / &N");
    sheet.protect();
    guide_sheet(&mut workbook, definition)?;
    workbook.save_to_buffer()
}

/// 事業者名, the vendor's number, 記入日 and 記入者, for the vendor to fill in.
fn respondent_block(
    sheet: &mut Worksheet,
    prefill: &Prefill,
    f: &Formats,
) -> Result<(), XlsxError> {
    let respondent = [
        ("事業者名", prefill.vendor_name.clone()),
        (
            prefill.identifier.as_deref().map_or("法人番号", |i| {
                crate::domain::VendorIdentifier::of_stored(i).kind()
            }),
            prefill.identifier.clone(),
        ),
        ("記入日", None),
        ("記入者", prefill.filled_by.clone()),
    ];
    for (offset, (name, value)) in respondent.iter().enumerate() {
        let row = 3 + offset as u32;
        sheet.merge_range(row, 0, row, 1, name, &f.label)?;
        let format = if *name == "記入日" {
            &f.input_date
        } else {
            &f.input
        };
        sheet.merge_range(row, 2, row, 3, value.as_deref().unwrap_or(""), format)?;
    }
    if let Some(day) = prefill.filled_on {
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
            day.year() as u16,
            day.month() as u8,
            day.day() as u8,
        )?;
        sheet.write_datetime_with_format(5, 2, &date, &f.input_date)?;
    }
    Ok(())
}

/// The header and one row per item under its category, with a drop-down of the answers.
fn items_table(
    sheet: &mut Worksheet,
    definition: &Definition,
    prefill: &Prefill,
    header_row: u32,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (column, (name, _)) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(header_row, column as u16, *name, &f.header)?;
    }
    let mut row = header_row + 1;
    let mut current_category = None;
    let first_item_row = row;
    for item in &definition.items {
        if current_category != Some(&item.category) {
            sheet.merge_range(
                row,
                0,
                row,
                5,
                &format!("【{}】", item.category),
                &f.section,
            )?;
            current_category = Some(&item.category);
            row += 1;
        }
        sheet.write_string_with_format(row, 0, &item.id, &f.centered)?;
        sheet.write_string_with_format(row, 1, &item.category, &f.cell)?;
        sheet.write_string_with_format(row, 2, &item.requirement, &f.cell)?;
        sheet.write_string_with_format(
            row,
            3,
            if item.mandatory { "必須" } else { "任意" },
            &f.centered,
        )?;
        match prefill.answers.get(&item.id) {
            Some((answer, note)) => {
                sheet.write_string_with_format(row, ANSWER_COLUMN, answer.label(), &f.answer)?;
                sheet.write_string_with_format(row, NOTE_COLUMN, note, &f.note)?;
            }
            None => {
                sheet.write_blank(row, ANSWER_COLUMN, &f.answer)?;
                sheet.write_blank(row, NOTE_COLUMN, &f.note)?;
            }
        }
        row += 1;
    }
    let choices: Vec<&str> = Answer::CHOICES.iter().map(|a| a.label()).collect();
    let validation = DataValidation::new()
        .allow_list_strings(&choices)?
        .set_error_title("回答の選択")?
        .set_error_message("はい・いいえ・一部・該当なし のいずれかを選んでください")?;
    sheet.add_data_validation(
        first_item_row,
        ANSWER_COLUMN,
        row - 1,
        ANSWER_COLUMN,
        &validation,
    )?;
    Ok(())
}

/// 記入要領: how to fill in and hand back the sheet.
fn guide_sheet(workbook: &mut Workbook, definition: &Definition) -> Result<(), XlsxError> {
    let guide = workbook.add_worksheet();
    guide.set_name("記入要領")?;
    guide.set_column_width(0, 100)?;
    let lines = [
        format!("{}　記入要領", definition.title),
        String::new(),
        "1. 「チェックシート」の黄色の欄だけに記入してください（ほかの欄は保護されています）。".into(),
        "2. 事業者名・法人番号（13桁）・記入日・記入者を記入してください。".into(),
        "3. 回答欄は「はい」「いいえ」「一部」「該当なし」から選んでください。".into(),
        "4. 「いいえ」「一部」と回答した項目は、備考欄に現状と改善予定を記入してください。".into(),
        "5. 「必須」の項目に「いいえ」がある場合は、契約担当課にご相談ください。".into(),
        "6. 証跡（規程・名簿・証明書など）の名称を備考欄に記入してください。提出を求められた場合は別途提出してください。".into(),
        "7. 行や列を追加・削除しても読み取れますが、項番は変更しないでください。".into(),
        "8. パスワードを付けずに .xlsx 形式のまま保存し、Itaku の事業者画面からアップロードしてください。".into(),
    ];
    let heading = Format::new().set_bold().set_font_size(12);
    for (index, line) in lines.iter().enumerate() {
        if index == 0 {
            guide.write_string_with_format(0, 0, line, &heading)?;
        } else {
            guide.write_string(index as u32, 0, line)?;
        }
    }
    guide.set_paper_size(9).set_portrait();
    Ok(())
}
