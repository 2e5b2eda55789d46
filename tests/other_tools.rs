//! Workbooks made by other tools: openpyxl and LibreOffice fixtures (see tests/fixtures/make_fixtures.py),
//! and the generated template opened by LibreOffice.

use itaku::checklist::{Answer, Definition};
use itaku::excel::checksheet;
use itaku::excel::Limits;
use std::path::Path;
use std::process::Command;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

#[test]
fn check_sheets_saved_by_openpyxl_and_libreoffice_are_read_alike() {
    for name in [
        "checksheet-openpyxl.xlsx",
        "checksheet-libreoffice.ods",
        "checksheet-libreoffice.xls",
    ] {
        let result = checksheet::read(&fixture(name), &Definition::builtin(), &Limits::default());
        assert!(result.accepted, "{name}: {:?}", result.errors);
        assert_eq!(result.answers.len(), 50, "{name}");
        assert_eq!(result.sheet.as_deref(), Some("様式第1号"), "{name}");
        assert_eq!(
            result.respondent.identifier.as_deref(),
            Some("7000012050002"),
            "{name}"
        );
        assert_eq!(
            result.respondent.filled_on.as_deref(),
            Some("2025-04-01"),
            "{name}: a date cell formatted as 和暦"
        );
        assert_eq!(
            result.respondent.filled_by.as_deref(),
            Some("佐藤 一郎"),
            "{name}"
        );
        let answer = |id: &str| result.answers.iter().find(|a| a.id == id).unwrap();
        assert_eq!(answer("C-4").answer, Answer::No, "{name}");
        assert_eq!(answer("A-1").answer, Answer::Yes, "{name}");
        assert_eq!(answer("A-1").note, "規程あり", "{name}");
        assert_eq!(answer("B-2").answer, Answer::Partial, "{name}: 一部");
        assert_eq!(answer("B-5").answer, Answer::Na, "{name}: －");
        assert_eq!(
            answer("A-1").cell,
            "F10",
            "{name}: the answer column after an inserted column"
        );
    }
}

#[test]
fn ledgers_saved_by_openpyxl_and_libreoffice_import_alike() {
    for name in [
        "ledger-openpyxl.xlsx",
        "ledger-libreoffice.ods",
        "ledger-libreoffice.xls",
    ] {
        let ledger = itaku::services::ledger::parse(&fixture(name), &Limits::default())
            .unwrap_or_else(|r| panic!("{name}: {:?}", r.errors));
        assert_eq!(ledger.rows.len(), 3, "{name}");
        assert_eq!(ledger.header_row, 3, "{name}");
        let first = &ledger.rows[0];
        assert_eq!(first.period.start().to_string(), "2025-04-01", "{name}");
        assert_eq!(first.period.end().to_string(), "2026-03-31", "{name}");
        assert_eq!(
            ledger.rows[1].identity.primary().as_str(),
            "1180301018771",
            "{name}: a number cell"
        );
        assert_eq!(
            ledger.rows[2].period.start().to_string(),
            "2025-05-01",
            "{name}: 和暦 text"
        );
        assert_eq!(
            ledger.rows[2].deletion_days,
            Some(14),
            "{name}: full-width digits"
        );
    }
}

/// LibreOffice opens the generated workbook without error, and the text survives.
#[test]
fn the_template_opens_in_libreoffice() {
    let Ok(status) = Command::new("soffice").arg("--version").output() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "LibreOffice (soffice) is required in CI"
        );
        eprintln!("skipped: soffice not installed (scripts/test installs libreoffice-calc-nogui)");
        return;
    };
    assert!(status.status.success());
    let dir = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.xlsx");
    let prefill = itaku::excel::template::Prefill {
        vendor_name: Some("株式会社いろは印刷".into()),
        ..Default::default()
    };
    std::fs::write(
        &template,
        itaku::excel::template::check_sheet(&Definition::builtin(), &prefill).unwrap(),
    )
    .unwrap();
    let out = dir.path().join("out");
    let converted = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(&out)
        .arg(&template)
        .output()
        .unwrap();
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let csv = std::fs::read_to_string(out.join("template.csv")).unwrap();
    for text in [
        "外部委託先に関するセキュリティ要件チェックシート",
        "株式会社いろは印刷",
        "項番",
        "A-1",
        "L-4",
        "【体制】",
    ] {
        assert!(csv.contains(text), "{text} missing after LibreOffice");
    }
    let resaved = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
        ])
        .arg(&out)
        .arg(&template)
        .output()
        .unwrap();
    assert!(resaved.status.success());
    let result = checksheet::read(
        &std::fs::read(out.join("template.xlsx")).unwrap(),
        &Definition::builtin(),
        &Limits::default(),
    );
    assert_eq!(
        result.unanswered.len(),
        50,
        "the re-saved blank template still reads: {:?}",
        result.errors
    );
    assert_eq!(
        result.respondent.vendor_name.as_deref(),
        Some("株式会社いろは印刷")
    );
}
