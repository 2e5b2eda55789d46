//! 指名停止: the contract office's list imported all or nothing, a suspended bidder 不適合 on every
//! evaluation date its period covers (both ends), and the running contracts of suspended vendors on
//! the dashboard.

mod common;
use common::{Method, Role, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::{json, Value};

const HEADER: &str =
    "指名停止措置一覧（令和8年度）\n法人番号,商号又は名称,開始日,終了日,理由,文書番号\n";

fn list(rows: &[&str]) -> Vec<u8> {
    format!("{HEADER}{}\n", rows.join("\n")).into_bytes()
}

async fn import(app: &common::Browser, uri: &str, body: Vec<u8>) -> (Status, Value) {
    let response = app.post_bytes(uri, body).await;
    let status = response.status();
    let text = response.into_string().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[rocket::async_test]
async fn a_list_is_imported_all_or_nothing_and_again_changes_nothing() {
    let w = common::vendor_contract("R8-701").await;
    let summer = format!(
        "{NTA},株式会社いろは印刷,R8.6.1,R8.8.31,委託業務における個人情報の漏えい,契第12号"
    );
    let winter = format!("{NTA},株式会社いろは印刷,2026-12-01,2027-05-31,再度の漏えい,契第40号");
    let stranger = "1180301018771,株式会社ほへと,2026-05-01,2026-07-31,入札談合,契第15号";

    let (status, dry) = import(
        &w.app,
        "/api/v1/suspensions/import?dry_run=true",
        list(&[&summer, &winter, stranger]),
    )
    .await;
    assert_eq!(status, Status::Ok, "{dry}");
    assert_eq!(
        (dry["imported"].as_i64(), dry["unregistered"].as_i64()),
        (Some(3), Some(1))
    );
    let (_, listed) = w.app.get_json("/api/v1/suspensions").await;
    assert!(
        listed["suspensions"].as_array().unwrap().is_empty(),
        "a dry run writes nothing: {listed}"
    );

    let broken = summer.replace("R8.8.31", "R8.5.31");
    let (status, refused) = import(
        &w.app,
        "/api/v1/suspensions/import",
        list(&[&broken, &winter, stranger]),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert_eq!(refused["errors"][0]["cell"], "D3");
    assert_eq!(refused["errors"][0]["column"], "終了日");
    let (_, listed) = w.app.get_json("/api/v1/suspensions").await;
    assert!(
        listed["suspensions"].as_array().unwrap().is_empty(),
        "one bad row writes nothing"
    );

    let (status, done) = import(
        &w.app,
        "/api/v1/suspensions/import",
        list(&[&summer, &winter, stranger]),
    )
    .await;
    assert_eq!(status, Status::Ok, "{done}");
    assert_eq!(done["imported"], 3);
    let (_, again) = import(
        &w.app,
        "/api/v1/suspensions/import",
        list(&[&summer, &winter, stranger]),
    )
    .await;
    assert_eq!(
        (again["imported"].as_i64(), again["unchanged"].as_i64()),
        (Some(0), Some(3))
    );
    let shortened = winter.replace("2027-05-31", "2027-02-28");
    let (_, changed) = import(&w.app, "/api/v1/suspensions/import", list(&[&shortened])).await;
    assert_eq!(changed["updated"], 1, "{changed}");

    let (_, listed) = w.app.get_json("/api/v1/suspensions").await;
    let rows = listed["suspensions"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{listed}");
    let current = rows.iter().find(|r| r["in_force"] == true).unwrap();
    assert_eq!(current["ends_on"], "2027-02-28");
    assert_eq!(current["vendor_id"], w.vendor_id);
    let (_, audit) = w.app.get_html("/audit?entity_type=suspension").await;
    assert!(audit.contains("指名停止変更"), "{audit}");

    let (_, all) = w.app.get_json("/api/v1/reports/all").await;
    let active = all["suspensions"]["active"].as_array().unwrap();
    assert_eq!(active.len(), 1, "{all}");
    assert_eq!(active[0]["contract_number"], "R8-701");
    assert_eq!(active[0]["what"], "委託先が指名停止中（再度の漏えい）");
    let (_, dashboard) = w.app.get_html("/dashboard").await;
    assert!(
        dashboard.contains("指名停止中の委託先（1件）"),
        "{dashboard}"
    );
    let (_, page) = w.app.get_html("/suspensions").await;
    assert!(
        page.contains("停止中") && page.contains("株式会社ほへと"),
        "{page}"
    );
    let (_, vendor_page) = w.app.get_html(&format!("/vendors/{}", w.vendor_id)).await;
    assert!(
        vendor_page.contains("再度の漏えい（契第40号）"),
        "{vendor_page}"
    );

    let (status, _) = import(&w.vendor, "/api/v1/suspensions/import", list(&[stranger])).await;
    assert_eq!(status, Status::Forbidden, "a vendor imports no suspensions");
    let (status, _) = w.vendor.get_json("/api/v1/suspensions").await;
    assert_eq!(status, Status::Forbidden);
}

#[rocket::async_test]
async fn a_bidder_is_unfit_on_each_day_of_its_suspension_and_only_then() {
    let w = common::vendor_contract("R8-702").await;
    w.app.seed_vendor(TOYOTA, "他社株式会社").await;
    let (status, done) = import(
        &w.app,
        "/api/v1/suspensions/import",
        list(&[&format!(
            "{NTA},株式会社いろは印刷,R8.6.1,R8.8.31,個人情報の漏えい,契第12号"
        )]),
    )
    .await;
    assert_eq!(status, Status::Ok, "{done}");
    for (day, suspended) in [
        ("2026-05-31", false),
        ("2026-06-01", true),
        ("2026-08-31", true),
        ("2026-09-01", false),
    ] {
        let (status, tender) = w
            .app
            .send_json(
                Method::Post,
                "/api/v1/tenders",
                &json!({"title": format!("評価日 {day}"), "department_id": w.department_id,
                        "evaluation_date": day, "uses_cloud": false, "handles_personal_data": true}),
            )
            .await;
        assert_eq!(status, Status::Created, "{tender}");
        let id = tender["id"].as_i64().unwrap();
        for number in [NTA, TOYOTA] {
            let (status, body) = w
                .app
                .send_json(
                    Method::Post,
                    &format!("/api/v1/tenders/{id}/bidders"),
                    &json!({"corporate_number": number}),
                )
                .await;
            assert_eq!(status, Status::Created, "{body}");
        }
        let (_, rating) = w
            .app
            .get_json(&format!("/api/v1/tenders/{id}/rating"))
            .await;
        let iroha = rating["bidders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["identifier"] == NTA)
            .unwrap();
        assert_eq!(iroha["disqualified"], suspended, "{day}: {rating}");
        let line = iroha["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rule"] == "suspension");
        assert_eq!(line.is_some(), suspended, "{day}: {iroha}");
        if suspended {
            assert_eq!(iroha["grade"], "不適合");
            assert!(iroha["rank"].is_null());
            assert!(line.unwrap()["reason"]
                .as_str()
                .unwrap()
                .contains("指名停止中（個人情報の漏えい）"));
        }
    }
    let other = w
        .app
        .browser_as("import@example.jp", Role::Officer, None, &[w.department_id])
        .await;
    let (status, _) = import(&other, "/api/v1/suspensions/import?dry_run=true", list(&[])).await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "an officer may import; an empty list is refused"
    );
}
