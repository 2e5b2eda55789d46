//! Hostile files, fuzzed for a fixed number of cases in CI: workbooks and CSVs made from real fixtures
//! by flipping, cutting, inserting and duplicating bytes, both in the file and inside the XML of its
//! ZIP entries (so the XML parsers are reached, not only the ZIP reader), and random bytes behind
//! every magic number the upload checks know. Each input goes through the check-sheet reader, the
//! ledger and certification-list parsers and the upload type checks.
//!
//! Passing means no panic, no hang (each case within a time limit, on its own thread) and bounded
//! memory: the test's allocator refuses more than `MEMORY_CAP` in the whole process, which aborts
//! the test. `ITAKU_FUZZ_CASES` sets the number of cases per strategy (default 200). Long runs use the
//! cargo-fuzz targets under `fuzz/`.

use cap::Cap;
use itaku::checklist::Definition;
use itaku::domain::evidence_file;
use itaku::excel::{checksheet, guard, Limits};
use itaku::services::{certifications, ledger};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::alloc::System;
use std::io::{Cursor, Read, Write};
use std::sync::{mpsc, Mutex, MutexGuard, Once, OnceLock};
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The whole test process, with every parser's working memory.
const MEMORY_CAP: usize = 1536 * 1024 * 1024;
/// Caps the process once, before any test allocates much (setting the cap while another test is
/// mid-allocation can fail), and runs the tests one at a time so their peaks do not add up.
fn capped() -> MutexGuard<'static, ()> {
    static CAP: Once = Once::new();
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    CAP.call_once(|| ALLOCATOR.set_limit(MEMORY_CAP).unwrap());
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Far beyond any real file's reading time in a debug build: passing it means a hang.
const CASE_TIME_LIMIT: Duration = Duration::from_secs(60);

fn cases() -> u32 {
    std::env::var("ITAKU_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Real files of every format Itaku reads.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds: Vec<Vec<u8>> = [
            "checksheet-openpyxl.xlsx",
            "checksheet-libreoffice.ods",
            "checksheet-libreoffice.xls",
            "ledger-openpyxl.xlsx",
            "ledger-libreoffice.ods",
            "ledger-libreoffice.xls",
        ]
        .iter()
        .map(|name| fixture(name))
        .collect();
        let csv = "契約番号,件名,所管課,事業者,法人番号,契約開始日,契約終了日\nR7-001,窓口業務,税務課,株式会社A,7000012050002,R7.4.1,令和8年3月31日\n";
        seeds.push(csv.as_bytes().to_vec());
        seeds.push(encoding_rs::SHIFT_JIS.encode(csv).0.into_owned());
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(csv.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        seeds.push(utf16);
        seeds.push(
            "種別,事業者名,法人番号,登録番号,有効期限\nISMS,株式会社A,7000012050002,IS 123456,2027-03-31\n"
                .as_bytes()
                .to_vec(),
        );
        seeds.push(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec());
        seeds
    })
}

/// Every parser a vendor's upload can reach; answers the panic message if one panicked.
fn read_everything(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let limits = Limits::default();
        let _ = guard::check(&bytes, &limits);
        let _ = evidence_file::sniff(&bytes);
        let _ = checksheet::read(&bytes, &Definition::builtin(), &limits);
        let _ = ledger::parse(&bytes, &limits);
        let mut report = certifications::ImportReport::default();
        let _ = certifications::parse_list(&bytes, &limits, &mut report);
        let _ = done.send(());
    });
    match finished.recv_timeout(CASE_TIME_LIMIT) {
        Ok(()) => worker
            .join()
            .map_err(|_| TestCaseError::fail("a parser panicked")),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(TestCaseError::fail(format!(
            "a parser ran longer than {CASE_TIME_LIMIT:?}"
        ))),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let panic = worker.join().err();
            let message = panic
                .as_ref()
                .and_then(|p| {
                    p.downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                })
                .unwrap_or_default();
            Err(TestCaseError::fail(format!("a parser panicked: {message}")))
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Flip {
        at: u32,
        byte: u8,
    },
    Cut {
        at: u32,
    },
    Insert {
        at: u32,
        bytes: Vec<u8>,
    },
    Repeat {
        at: u32,
        len: u16,
        times: u8,
    },
    /// A huge number where a count, a size or a cell reference may be.
    HugeNumber {
        at: u32,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<u32>(), any::<u8>()).prop_map(|(at, byte)| Edit::Flip { at, byte }),
        1 => any::<u32>().prop_map(|at| Edit::Cut { at }),
        2 => (any::<u32>(), prop::collection::vec(any::<u8>(), 1..64))
            .prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        1 => (any::<u32>(), 1u16..512, 1u8..64).prop_map(|(at, len, times)| Edit::Repeat { at, len, times }),
        2 => any::<u32>().prop_map(|at| Edit::HugeNumber { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    for edit in edits {
        if bytes.is_empty() {
            return;
        }
        let at = |position: u32| position as usize % bytes.len();
        match edit {
            Edit::Flip { at: position, byte } => {
                let i = at(*position);
                bytes[i] ^= byte | 1;
            }
            Edit::Cut { at: position } => bytes.truncate(at(*position)),
            Edit::Insert {
                at: position,
                bytes: inserted,
            } => {
                let i = at(*position);
                bytes.splice(i..i, inserted.iter().copied());
            }
            Edit::Repeat {
                at: position,
                len,
                times,
            } => {
                let start = at(*position);
                let end = (start + *len as usize).min(bytes.len());
                let piece = bytes[start..end].to_vec();
                for _ in 0..*times {
                    bytes.splice(end..end, piece.iter().copied());
                }
            }
            Edit::HugeNumber { at: position } => {
                let i = at(*position);
                bytes.splice(i..i, b"4294967295999".iter().copied());
            }
        }
    }
}

/// The entries of a ZIP-based seed, decompressed.
fn entries(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).ok()?;
        let mut content = Vec::new();
        file.read_to_end(&mut content).ok()?;
        let name = file.name().ok()?.to_string();
        entries.push((name, content));
    }
    Some(entries)
}

fn zipped(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn run(name: &str, strategy: impl Strategy<Value = Vec<u8>>) {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    if let Err(failure) = runner.run(&strategy, read_everything) {
        panic!("{name}: {failure}");
    }
    eprintln!(
        "{name}: {} cases, peak allocated {} MiB",
        cases(),
        ALLOCATOR.max_allocated() / (1024 * 1024)
    );
}

#[test]
fn hostile_files_never_panic_hang_or_exhaust_memory() {
    let _one_at_a_time = capped();
    let files = seeds().len();
    run(
        "edited files",
        (0..files, prop::collection::vec(edit(), 1..8)).prop_map(|(seed, edits)| {
            let mut bytes = seeds()[seed].clone();
            apply(&mut bytes, &edits);
            bytes
        }),
    );

    let archives: Vec<Vec<(String, Vec<u8>)>> = seeds().iter().filter_map(|s| entries(s)).collect();
    assert!(
        archives.len() >= 4,
        "the .xlsx and .ods seeds are ZIP files"
    );
    run(
        "edited XML inside the workbooks",
        (
            0..archives.len(),
            any::<prop::sample::Index>(),
            prop::collection::vec(edit(), 1..6),
        )
            .prop_map(move |(archive, entry, edits)| {
                let mut entries = archives[archive].clone();
                let chosen = entry.index(entries.len());
                apply(&mut entries[chosen].1, &edits);
                zipped(&entries)
            }),
    );

    let magic: [&[u8]; 7] = [
        b"PK\x03\x04",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        b"%PDF-",
        b"\x89PNG\r\n\x1a\n",
        b"\xFF\xD8\xFF",
        b"\xFF\xFE",
        b"\xEF\xBB\xBF",
    ];
    run(
        "random bytes behind magic numbers",
        (0..magic.len(), prop::collection::vec(any::<u8>(), 0..4096)).prop_map(
            move |(kind, tail)| {
                let mut bytes = magic[kind].to_vec();
                bytes.extend(tail);
                bytes
            },
        ),
    );
}

/// Files cargo-fuzz found (`fuzz/`): compound files whose sector table loops, which made calamine
/// grow one buffer past 1.3 GB, and an .xls with far-apart cells, which calamine reads into dense
/// grids (about 0.9 GiB, bounded by the format's 65,536 × 256 cells). All must end within the cap.
#[test]
fn files_the_fuzzers_found_are_refused_in_bounded_memory() {
    let _one_at_a_time = capped();
    for name in [
        "hostile/xls-fat-loop.xls",
        "hostile/xls-fat-loop-2.xls",
        "hostile/xls-far-cells.xls",
    ] {
        let bytes = fixture(name);
        read_everything(bytes.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let refused = ledger::parse(&bytes, &Limits::default());
        assert!(refused.is_err(), "{name} is refused");
        eprintln!(
            "{name}: peak allocated {} MiB",
            ALLOCATOR.max_allocated() / (1024 * 1024)
        );
    }
}

/// A workbook whose only content is far apart, as an attacker would make it: one cell at A1 and one
/// at the last row and column a format allows, or a row repeated a million times.
#[test]
fn far_apart_cells_and_repeated_rows_are_refused_or_read_in_bounded_memory() {
    let _one_at_a_time = capped();
    let xlsx = {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "項番").unwrap();
        sheet.write_string(1_048_575, 16_383, "回答").unwrap();
        workbook.save_to_buffer().unwrap()
    };
    let ods = {
        let mut entries = entries(&fixture("checksheet-libreoffice.ods")).unwrap();
        let content = entries
            .iter_mut()
            .find(|(name, _)| name == "content.xml")
            .unwrap();
        let text = String::from_utf8(content.1.clone()).unwrap();
        let bomb = r#"<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024" office:value-type="string"><text:p>はい</text:p></table:table-cell></table:table-row></table:table>"#;
        let at = text.find("</table:table>").unwrap();
        content.1 = format!(
            "{}{}{}",
            &text[..at],
            bomb,
            &text[at + "</table:table>".len()..]
        )
        .into_bytes();
        zipped(&entries)
    };
    for (name, bytes) in [("xlsx", xlsx), ("ods", ods)] {
        let before = ALLOCATOR.max_allocated();
        read_everything(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        eprintln!(
            "{name}: peak allocated {} MiB (before: {} MiB)",
            ALLOCATOR.max_allocated() / (1024 * 1024),
            before / (1024 * 1024)
        );
    }
}
