//! The `itaku` binary: ledger import exit codes and JSON output.

mod common;

use std::process::Command;

fn itaku(database_url: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_itaku"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run itaku");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[rocket::async_test]
async fn ledger_import_exit_codes_and_json() {
    let url = common::fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\nC-1,印刷,税務課,株式会社A,{},R7.4.1,R8.3.31\nC-2,清掃,管財課,株式会社B,{},2025-04-01,2026-03-31\n",
            common::NTA,
            common::TOYOTA
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = itaku(
        &url,
        &[
            "ledger",
            "import",
            good.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["imported"], 2);

    let (code, stdout, _) = itaku(
        &url,
        &["ledger", "import", good.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (
            report["imported"].as_i64(),
            report["updated"].as_i64(),
            report["unchanged"].as_i64()
        ),
        (Some(2), Some(0), Some(0))
    );
    let (code, stdout, _) = itaku(
        &url,
        &["ledger", "import", good.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["imported"], 0,
        "the same ledger twice creates nothing"
    );
    assert_eq!(report["unchanged"], 2);

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日\nC-3,印刷,税務課,株式会社A,7000012050003,R7.4.1,R8.3.31\n",
    )
    .unwrap();
    let (code, stdout, _) = itaku(&url, &["ledger", "import", bad.to_str().unwrap(), "--json"]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["errors"][0]["row"], 2);
    assert_eq!(report["errors"][0]["column"], "法人番号");
    let (code, _, stderr) = itaku(&url, &["ledger", "import", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("2行目 法人番号: 法人番号のチェックディジットが一致しません"),
        "{stderr}"
    );

    let (code, _, _) = itaku(&url, &["ledger", "import"]);
    assert_eq!(code, 2, "a missing argument is a usage error");
    let (code, _, _) = itaku(&url, &["ledger", "import", "/no/such/file.xlsx"]);
    assert_eq!(code, 2);
    let (code, _, _) = itaku("mysql://nowhere", &["migrate"]);
    assert_eq!(code, 2);
}

#[rocket::async_test]
async fn certification_import_and_reports_for_any_day() {
    let url = common::fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.csv");
    std::fs::write(
        &ledger,
        format!(
            "契約番号,件名,所管課,事業者名,法人番号,契約開始日,契約終了日,重要度\nC-1,印刷,税務課,株式会社A,{},2024-04-01,2025-03-31,重要\n",
            common::NTA
        ),
    )
    .unwrap();
    assert_eq!(
        itaku(&url, &["ledger", "import", ledger.to_str().unwrap()]).0,
        0
    );
    let list = dir.path().join("certs.csv");
    std::fs::write(
        &list,
        format!(
            "法人番号,種別,番号,区分,取得日,有効期限,適用範囲\n{},ISMS,JQA-IM0685,,2022/4/1,2025/3/31,本社\n{},SECURITY ACTION,12345678901,★★,2023/4/1,,\n",
            common::NTA,
            common::NTA
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = itaku(
        &url,
        &["certifications", "import", list.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["imported"], 2);

    let (code, stdout, stderr) = itaku(
        &url,
        &["report", "retention", "--as-of", "2025-05-01", "--json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let retention: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(retention["as_of"], "2025-05-01");
    assert_eq!(retention["violations"][0]["contract_number"], "C-1");
    assert_eq!(retention["violations"][0]["deadline"], "2025-04-30");
    assert_eq!(retention["violations"][0]["days_overdue"], 1);
    assert!(retention["due_soon"].as_array().unwrap().is_empty());

    let (_, stdout, _) = itaku(&url, &["report", "audits", "--as-of", "R7.4.1", "--json"]);
    let audits: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(audits["overdue"][0]["fiscal_year"], 2024);
    assert_eq!(audits["overdue"][0]["days_overdue"], 1);

    let xlsx = dir.path().join("certs.xlsx");
    let (_, stdout, _) = itaku(
        &url,
        &[
            "report",
            "certifications",
            "--as-of",
            "2025-03-31",
            "--json",
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    );
    let certifications: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        certifications["expiring"][0]["certification"]["scheme"],
        "isms"
    );
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 1000);

    let (_, stdout, _) = itaku(&url, &["report", "kpi", "--as-of", "2025-03-31", "--json"]);
    let kpi: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(kpi["indicators"][1]["key"], "security_action_two_stars");
    assert_eq!(kpi["indicators"][1]["ratio"], 1.0);

    let (code, stdout, _) = itaku(&url, &["report", "retention", "--as-of", "2025-05-01"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("1日超過") && stdout.contains("C-1"),
        "{stdout}"
    );
    let (code, _, stderr) = itaku(&url, &["report", "retention", "--as-of", "someday"]);
    assert_eq!(code, 2, "{stderr}");
}

#[rocket::async_test]
async fn tenders_are_created_and_rated_from_the_command_line() {
    let url = common::fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("certifications.csv");
    std::fs::write(
        &list,
        format!(
            "法人番号,事業者名,種別,番号,区分,取得日,有効期限\n{nta},株式会社A,ISMS,IS 1,,2024-04-01,2026-04-01\n{nta},株式会社A,SECURITY ACTION,20300400001,★,2023-01-01,\n{toyota},株式会社B,Pマーク,10820163(05),,2024-02-01,2026-03-31\n",
            nta = common::NTA,
            toyota = common::TOYOTA
        ),
    )
    .unwrap();
    let (code, _, stderr) = itaku(&url, &["certifications", "import", list.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = itaku(
        &url,
        &[
            "tender",
            "create",
            "--title",
            "窓口業務",
            "--evaluation-date",
            "令和8年4月1日",
            "--cloud",
            "--personal-data",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let id = stdout.lines().last().unwrap().trim().to_string();
    assert!(id.parse::<i64>().is_ok(), "{stdout}");
    for number in [common::NTA, common::TOYOTA] {
        let (code, _, stderr) = itaku(
            &url,
            &["tender", "add-bidder", "--tender", &id, "--vendor", number],
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let (code, _, stderr) = itaku(
        &url,
        &[
            "tender",
            "add-bidder",
            "--tender",
            &id,
            "--vendor",
            "1234567890123",
        ],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("identifier"), "{stderr}");

    let xlsx = dir.path().join("評価表.xlsx");
    let (code, stdout, stderr) = itaku(
        &url,
        &[
            "rate",
            "--tender",
            &id,
            "--json",
            "--xlsx",
            xlsx.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let rating: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rating["policy"], "itaku-standard@1");
    assert_eq!(rating["tender"]["uses_cloud"], true);
    let first = &rating["bidders"][0];
    assert_eq!(first["identifier"], common::NTA);
    assert_eq!(first["points"], 4.5, "ISMS through its expiry day, and ★");
    for key in [
        "identifier",
        "name",
        "points",
        "max_points",
        "grade",
        "disqualified",
        "breakdown",
    ] {
        assert!(!first[key].is_null(), "{key} missing in {first}");
    }
    for key in ["rule", "points", "evidence", "reason"] {
        assert!(!first["breakdown"][0][key].is_null(), "{key} missing");
    }
    let pmark = &rating["bidders"][1]["breakdown"][1];
    assert_eq!(
        (pmark["rule"].as_str(), pmark["points"].as_f64()),
        (Some("pmark"), Some(0.0))
    );
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 1000);

    let (code, _, stderr) = itaku(&url, &["tender", "finalize", "--tender", &id]);
    assert_eq!(code, 0, "{stderr}");
    let (_, stdout, _) = itaku(&url, &["rate", "--tender", &id, "--json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout).unwrap()["finalized"],
        true
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        itaku::rating::policy::BUILTIN.replace(
            "points = 3\nexplanation = \"評価日に有効なプライバシーマーク",
            "points = \"三\"\nexplanation = \"評価日に有効なプライバシーマーク",
        ),
    )
    .unwrap();
    let (code, _, stderr) = itaku(&url, &["policy", "check", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("行目"), "{stderr}");
    let (code, stdout, _) = itaku(&url, &["policy", "list"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("itaku-standard@1") && stdout.contains("案件1件"),
        "{stdout}"
    );
}

#[rocket::async_test]
async fn seed_fills_every_table_deterministically_and_once_per_seed() {
    let first = common::fresh_database_url().await;
    let second = common::fresh_database_url().await;
    let args = [
        "seed",
        "--vendors",
        "40",
        "--contracts",
        "400",
        "--seed",
        "3",
        "--json",
    ];
    let (code, stdout, stderr) = itaku(&first, &args);
    assert_eq!(code, 0, "{stderr}");
    let mut report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let (code, again, _) = itaku(&second, &args);
    assert_eq!(code, 0);
    let mut again: serde_json::Value = serde_json::from_str(&again).unwrap();
    report["seconds"] = 0.into();
    again["seconds"] = 0.into();
    assert_eq!(report, again, "the same seed gives the same data");
    assert_eq!(report["vendors"], 40);
    assert_eq!(report["contracts"], 400);
    for key in [
        "departments",
        "certifications",
        "deletion_certificates",
        "audit_reports",
        "submissions",
        "tenders",
        "bidders",
    ] {
        assert!(report[key].as_u64().unwrap() > 0, "{key}: {report}");
    }
    assert_eq!(
        report["answers"].as_u64().unwrap(),
        report["submissions"].as_u64().unwrap() * 50
    );

    let (code, _, stderr) = itaku(&first, &args);
    assert_eq!(code, 1, "a seed is loaded once");
    assert!(stderr.contains("既にあります"), "{stderr}");
    let (code, _, stderr) = itaku(
        &first,
        &[
            "seed",
            "--vendors",
            "10",
            "--contracts",
            "50",
            "--seed",
            "4",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // The reports read the seeded data: ended contracts without certificates are retention violations.
    let (code, stdout, stderr) = itaku(&first, &["report", "retention", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let retention: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        !retention["violations"].as_array().unwrap().is_empty(),
        "{retention}"
    );
}

#[rocket::async_test]
async fn suspension_import_exit_codes_and_json() {
    let url = common::fresh_database_url().await;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("suspensions.csv");
    std::fs::write(
        &good,
        format!(
            "法人番号,商号又は名称,指名停止期間,理由,文書番号\n{},株式会社A,令和8年6月1日～令和8年8月31日,個人情報の漏えい,契第12号\n",
            common::NTA
        ),
    )
    .unwrap();
    let path = good.to_str().unwrap();
    let (code, stdout, stderr) = itaku(
        &url,
        &["suspensions", "import", path, "--dry-run", "--json"],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (report["imported"].as_i64(), report["dry_run"].as_bool()),
        (Some(1), Some(true))
    );
    let (code, stdout, _) = itaku(&url, &["suspensions", "import", path]);
    assert_eq!(code, 0);
    assert!(stdout.contains("新規 1 件"), "{stdout}");
    let (code, stdout, _) = itaku(&url, &["suspensions", "import", path, "--json"]);
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        report["unchanged"], 1,
        "the same list twice changes nothing"
    );

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "法人番号,開始日,終了日,理由\n7000012050003,2026-06-01,2026-08-31,談合\n",
    )
    .unwrap();
    let (code, _, stderr) = itaku(&url, &["suspensions", "import", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("A2: 2行目 法人番号"), "{stderr}");
    let (code, _, _) = itaku(&url, &["suspensions", "import", "/no/such/file.csv"]);
    assert_eq!(code, 2);
}
