//! 是正: corrective actions for check-sheet items answered いいえ or 一部, from the officer's requirement
//! to the vendor's plan and evidence, and their place among the obligations of any day.

mod common;
use common::{Method, Role, NTA, TOYOTA};
use rocket::http::Status;
use serde_json::{json, Value};

type World = common::VendorContract;

/// A running contract and its first check sheet, answering A-1 いいえ and A-2 一部.
async fn world() -> World {
    let w = common::vendor_contract("R8-010").await;
    w.hand_in(|id| match id {
        "A-1" => "いいえ",
        "A-2" => "一部",
        _ => "はい",
    })
    .await;
    w
}

impl World {
    async fn hand_in(&self, answer: impl Fn(&str) -> &'static str) {
        let sheet = common::check_sheet(NTA, "株式会社いろは印刷", answer, |_| "");
        let response = self
            .vendor
            .post_bytes(
                &format!("/api/v1/contracts/{}/checklists", self.contract_id),
                sheet,
            )
            .await;
        assert_eq!(response.status(), Status::Created);
    }

    async fn require(&self, item: &str, due_on: &str) -> (Status, Value) {
        self.app
            .send_json(
                Method::Post,
                &format!("/api/v1/contracts/{}/corrective-actions", self.contract_id),
                &json!({"item_id": item, "what": "情報セキュリティ規程を制定し、写しを提出する", "due_on": due_on}),
            )
            .await
    }

    async fn actions(&self) -> Vec<Value> {
        let (_, list) = self
            .vendor
            .get_json(&format!(
                "/api/v1/contracts/{}/corrective-actions",
                self.contract_id
            ))
            .await;
        list["items"].as_array().unwrap().clone()
    }

    async fn report(&self, as_of: &str) -> Value {
        let (status, report) = self
            .app
            .get_json(&format!("/api/v1/reports/corrective?as_of={as_of}"))
            .await;
        assert_eq!(status, Status::Ok, "{report}");
        report
    }
}

fn day_after(days: i64) -> String {
    (itaku::services::today() + chrono::Days::new(days as u64)).to_string()
}

#[rocket::async_test]
async fn an_action_is_planned_reported_with_evidence_and_accepted_and_is_overdue_until_then() {
    let w = world().await;
    let due = day_after(14);
    let (status, created) = w.require("A-1", &due).await;
    assert_eq!(status, Status::Created, "{created}");
    let id = created["id"].as_i64().unwrap();

    let before_due = w.report(&day_after(13)).await;
    assert_eq!(
        before_due["due"][0]["what"],
        "是正（A-1：情報セキュリティ規程を制定し、写しを提出する）"
    );
    assert_eq!(before_due["due"][0]["deadline"], due.as_str());
    assert!(before_due["overdue"].as_array().unwrap().is_empty());
    let late = w.report(&day_after(15)).await;
    assert_eq!(late["overdue"][0]["days_overdue"], 1, "{late}");
    let (_, all) = w
        .app
        .get_json(&format!("/api/v1/reports/all?as_of={}", day_after(15)))
        .await;
    assert_eq!(all["corrective"]["totals"]["overdue"], 1);

    let (status, _) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/corrective-actions/{id}/plan"),
            &json!({"text": "来月の取締役会で規程を制定します"}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let common::Reply { status, body, .. } = w
        .vendor
        .post_multipart(
            &format!("/api/v1/corrective-actions/{id}/report"),
            &[("report.text", "規程を制定しました")],
            None,
        )
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "evidence is required: {body}"
    );
    let common::Reply { status, body, .. } = w
        .vendor
        .post_multipart(
            &format!("/api/v1/corrective-actions/{id}/report"),
            &[("report.text", "規程を制定しました")],
            Some(("kitei.pdf", common::PDF)),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, refused) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/corrective-actions/{id}/review"),
            &json!({"decision": "return"}),
        )
        .await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "a return needs a reason: {refused}"
    );
    let today = itaku::services::today().to_string();
    let (status, _) = w
        .app
        .send_json(
            Method::Post,
            &format!("/api/v1/corrective-actions/{id}/review"),
            &json!({"decision": "accept", "accepted_on": today}),
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert!(w.report(&day_after(15)).await["overdue"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(w.actions().await[0]["status"], "accepted");
    let (_, page) = w
        .vendor
        .get_html(&format!("/contracts/{}", w.contract_id))
        .await;
    assert!(page.contains("来月の取締役会で規程を制定します") && page.contains("証跡を開く"));
}

#[rocket::async_test]
async fn the_next_check_sheet_answering_the_item_yes_closes_its_action_and_says_so() {
    let w = world().await;
    let (status, _) = w.require("A-2", &day_after(30)).await;
    assert_eq!(status, Status::Created);
    let (status, _) = w.require("A-1", &day_after(30)).await;
    assert_eq!(status, Status::Created);
    w.hand_in(|id| if id == "A-1" { "いいえ" } else { "はい" })
        .await;
    let actions = w.actions().await;
    let by_item = |item: &str| {
        actions
            .iter()
            .find(|a| a["item_id"] == item)
            .unwrap()
            .clone()
    };
    assert_eq!(by_item("A-2")["status"], "closed");
    assert!(by_item("A-2")["closed_by_submission_id"].is_i64());
    assert_eq!(by_item("A-1")["status"], "open", "still いいえ");
    let (_, log) = w.app.get_html("/audit").await;
    assert!(
        log.contains("項目A-2が「はい」になったため是正を完了としました"),
        "the upload's record says so"
    );
    assert_eq!(
        w.report(&day_after(40)).await["overdue"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[rocket::async_test]
async fn only_gaps_can_be_required_and_only_the_contracts_people_can_act_on_them() {
    let w = world().await;
    let (status, refused) = w.require("A-3", &day_after(10)).await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "answered はい: {refused}"
    );
    assert_eq!(refused["errors"][0]["field"], "item_id");
    let (status, refused) = w.require("A-1", "2020-01-01").await;
    assert_eq!(status, Status::UnprocessableEntity);
    assert_eq!(refused["errors"][0]["field"], "due_on");
    let (_, created) = w.require("A-1", &day_after(10)).await;
    let (status, _) = w.require("A-1", &day_after(10)).await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "once per item and version"
    );
    let id = created["id"].as_i64().unwrap();
    // The vendor cannot require or accept; another vendor cannot even see the action.
    let (status, _) = w
        .vendor
        .send_json(
            Method::Post,
            &format!("/api/v1/contracts/{}/corrective-actions", w.contract_id),
            &json!({"item_id": "A-2", "what": "x", "due_on": day_after(10)}),
        )
        .await;
    assert_eq!(status, Status::Forbidden);
    w.app.seed_vendor(TOYOTA, "ほへと株式会社").await;
    let other = w
        .app
        .browser_as("hoheto@example.jp", Role::Vendor, Some(TOYOTA), &[])
        .await;
    let (status, _) = other
        .send_json(
            Method::Post,
            &format!("/api/v1/corrective-actions/{id}/plan"),
            &json!({"text": "他社の是正を書き換える"}),
        )
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = other
        .get_json(&format!(
            "/api/v1/contracts/{}/corrective-actions",
            w.contract_id
        ))
        .await;
    assert_eq!(status, Status::NotFound);
    assert_eq!(w.actions().await[0]["plan"], "", "nothing was written");
}
