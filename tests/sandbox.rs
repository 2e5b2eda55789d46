//! Untrusted files are parsed in a limited child process: the hostile files that used to stop the
//! server are refused by name, a worker that runs out of memory or time is a refusal, a full queue is
//! a 503, and the server answers other requests all the while.

mod common;

use common::test_settings;
use itaku::excel::{Limits, ReadError};
use itaku::sandbox::{Sandbox, SandboxSettings};
use rocket::http::Status;
use std::io::Write;
use std::time::{Duration, Instant};

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap();
    }
    buffer.into_inner()
}

/// Renames parts of a ZIP file (keeping their content), as a hand-edited or odd producer's file has them.
fn rename_parts(bytes: &[u8], rename: &[(&str, &str)]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut content).unwrap();
        let name = entry.name().unwrap().to_string();
        let name = rename
            .iter()
            .find(|(from, _)| *from == name)
            .map_or(name, |(_, to)| to.to_string());
        entries.push((name, content));
    }
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    zip_of(&borrowed)
}

fn ods(content: &str) -> Vec<u8> {
    let manifest = br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{content}</office:spreadsheet></office:body></office:document-content>"#
    );
    zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", document.as_bytes()),
    ])
}

/// An .xlsx with one cell at A1 and one at XFD1048576, its workbook part named `xl/Workbook.xml`.
fn far_cell_xlsx_with_odd_case() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "項番").unwrap();
    sheet.write_string(1_048_575, 16_383, "far").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    rename_parts(&bytes, &[("xl/workbook.xml", "xl/Workbook.xml")])
}

/// Every hostile file named in the issue, with what it must be refused as (None: read, harmlessly).
fn hostile_files() -> Vec<(&'static str, Vec<u8>)> {
    let two_billion_spaces = ods(
        r#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>a<text:s text:c="2000000000"/>b</text:p></table:table-cell></table:table-row></table:table>"#,
    );
    let repeated_cells = ods(
        r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="16383" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
    );
    let many_sheets = {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        for index in 0..390 {
            workbook
                .add_worksheet()
                .write_string(0, 0, format!("{index}"))
                .unwrap();
        }
        workbook.save_to_buffer().unwrap()
    };
    vec![
        ("xlsx-odd-case-far-cell", far_cell_xlsx_with_odd_case()),
        ("ods-two-billion-spaces", two_billion_spaces),
        ("ods-repeated-cells", repeated_cells),
        (
            "xls-far-cells",
            std::fs::read("tests/fixtures/hostile/xls-far-cells.xls").unwrap(),
        ),
        ("xlsx-390-sheets", many_sheets),
    ]
}

#[tokio::test]
async fn hostile_workbooks_are_refused_by_name_in_the_worker() {
    let sandbox = Sandbox::from_settings(&test_settings());
    let limits = Limits::for_check_sheet(10 * 1024 * 1024);
    for (name, bytes) in hostile_files() {
        let started = Instant::now();
        let answer = sandbox.read_tables(&bytes, &limits).await.unwrap();
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(5), "{name} took {elapsed:?}");
        match (name, answer) {
            // The far cell is past the column cap and streamed past: the near cell is read.
            ("xlsx-odd-case-far-cell", Ok(tables)) => {
                assert_eq!(tables[0].rows.len(), 1, "{name}");
            }
            ("ods-two-billion-spaces", Err(ReadError::ZipBomb(message))) => {
                assert!(message.contains("空白の繰り返し"), "{message}");
            }
            ("ods-repeated-cells" | "xls-far-cells", Err(ReadError::TooManyCells { .. })) => {}
            ("xlsx-390-sheets", Err(ReadError::TooManySheets { limit: 50 })) => {}
            (name, other) => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_worker_that_runs_out_of_memory_is_a_refusal_with_the_limits_named() {
    // 40 MiB is less than the worker needs to hold a 200,000-cell sheet.
    let settings = itaku::config::Settings {
        parse_memory_limit_mib: 40,
        ..test_settings()
    };
    let sandbox = Sandbox::from_settings(&settings);
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for row in 0..20_000u32 {
        for column in 0..9u16 {
            sheet
                .write_string(row, column, format!("{row}-{column}-{}", "あ".repeat(40)))
                .unwrap();
        }
    }
    let bytes = workbook.save_to_buffer().unwrap();
    let answer = sandbox
        .read_tables(&bytes, &Limits::default())
        .await
        .unwrap();
    let Err(error) = answer else {
        panic!("a 180,000-cell sheet was read in 40 MiB");
    };
    assert_eq!(
        error,
        ReadError::Unreadable {
            memory_mib: 40,
            seconds: 10
        }
    );
    assert_eq!(
        error.to_string(),
        "ファイルが大きすぎるか壊れているため読み取れませんでした（上限: 40 MiB・10秒）"
    );
    // The same file in a worker with the default limit is read.
    let tables = Sandbox::from_settings(&test_settings())
        .read_tables(&bytes, &Limits::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tables[0].rows.len(), 20_000);
}

/// A stand-in worker that never answers.
fn endless_worker(timeout: Duration, concurrency: usize, queue: usize) -> Sandbox {
    Sandbox::new(SandboxSettings {
        program: "/bin/sh".into(),
        arguments: vec!["-c".into(), "exec sleep 60".into()],
        memory_mib: 64,
        timeout,
        concurrency,
        queue,
        keep_warm: true,
    })
}

#[tokio::test]
async fn a_worker_past_its_time_is_killed_and_the_file_refused() {
    let sandbox = endless_worker(Duration::from_secs(1), 2, 2);
    let started = Instant::now();
    let answer = sandbox
        .read_tables(b"a,b\n1,2\n", &Limits::default())
        .await
        .unwrap();
    assert!(matches!(answer, Err(ReadError::Unreadable { .. })));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn beyond_the_queue_a_file_is_refused_as_busy_at_once() {
    let sandbox = endless_worker(Duration::from_secs(2), 1, 1);
    let first = {
        let sandbox = sandbox.clone();
        tokio::spawn(async move { sandbox.read_tables(b"a\n", &Limits::default()).await })
    };
    let second = {
        let sandbox = sandbox.clone();
        tokio::spawn(async move { sandbox.read_tables(b"b\n", &Limits::default()).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let third = sandbox.read_tables(b"c\n", &Limits::default()).await;
    assert!(started.elapsed() < Duration::from_millis(500));
    let error = third.unwrap_err();
    assert_eq!(error.status_code(), 503);
    assert!(error.public_message().contains("混み合っています"));
    for task in [first, second] {
        assert!(matches!(
            task.await.unwrap(),
            Ok(Err(ReadError::Unreadable { .. }))
        ));
    }
}

#[tokio::test]
async fn cheap_checks_refuse_without_starting_a_worker() {
    // A program that does not exist: a file the checks refuse never needs one.
    let sandbox = Sandbox::new(SandboxSettings {
        program: "/nonexistent/itaku".into(),
        ..SandboxSettings::from_settings(&test_settings())
    });
    let answer = sandbox.read_tables(b"", &Limits::default()).await.unwrap();
    assert_eq!(answer, Err(ReadError::Empty));
    let error = sandbox
        .read_tables(b"a,b\n", &Limits::default())
        .await
        .unwrap_err();
    assert_eq!(error.status_code(), 500);
}

#[tokio::test]
async fn hostile_uploads_are_refused_while_the_server_keeps_answering() {
    let app = common::spawn().await;
    let (department, vendor) = app
        .seed_department_and_vendor("情報政策課", &common::corporate_number(7), "株式会社テスト")
        .await;
    let contract = app.create_contract("K-1", department, vendor).await;
    for (name, bytes) in hostile_files() {
        let response = app
            .post_bytes(
                &format!("/api/v1/contracts/{contract}/checklists?file_name={name}.xlsx"),
                bytes,
            )
            .await;
        let status = response.status();
        let body: serde_json::Value =
            serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
        assert_eq!(status, Status::UnprocessableEntity, "{name}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{name}: {body}");
        let (health, _) = app.get_html("/healthz").await;
        assert_eq!(health, Status::Ok);
    }
    // The server process (here the test process, which serves in-process) never held the files' cost.
    let peak_kib: u64 = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    assert!(peak_kib < 300 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn the_cli_refuses_a_hostile_file_with_the_json_refusal_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in hostile_files() {
        let path = dir.path().join(format!("{name}.xlsx"));
        std::fs::write(&path, &bytes).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_itaku"))
            .args(["checklist", "check"])
            .arg(&path)
            .arg("--json")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{name}: {output:?}");
        let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(result["accepted"], false, "{name}");
        assert!(!result["errors"][0]["message"].as_str().unwrap().is_empty());
    }
}
