//! Rating: the policy applied to each bidder's facts, one explained line per rule, then the cap,
//! deductions, the grade and the rank. Pure and deterministic.

use super::facts::{BidderFacts, CertificateFact, TenderFacts};
use super::policy::{Condition, Penalty, Policy, Rule, RuleKind, Tier};
use super::Points;
use crate::checklist::Answer;
use crate::domain::certification::{Level, Scheme};
use crate::domain::dates::shift_years;
use crate::domain::obligation::Standing;
use crate::domain::{star, suspension};
use crate::domain::{wareki, FiscalYear};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rule's result for one bidder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// The rule's id in the policy.
    pub rule: String,
    pub label: String,
    /// Positive for a bonus, negative for a deduction.
    pub points: Points,
    pub max_points: Points,
    /// False when the rule does not apply to this tender (ISMAP on work without cloud services).
    pub applicable: bool,
    /// The record the points rest on: which certificate, report or check-sheet version.
    pub evidence: String,
    /// Why the rule gave what it gave, zero above all.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BidderRating {
    /// The vendor's 法人番号, 登録番号 or 業者番号 (kept judgements before sole proprietors name it
    /// `corporate_number`).
    #[serde(alias = "corporate_number")]
    pub identifier: String,
    pub name: String,
    pub points: Points,
    pub max_points: Points,
    pub grade: String,
    pub disqualified: bool,
    /// Why the bidder is 不適合, one reason per rule.
    pub flags: Vec<String>,
    /// How the total was reached when it is not the plain sum (the cap).
    pub notes: Vec<String>,
    /// 1 is best; bidders with equal points share a rank; none when disqualified.
    pub rank: Option<u32>,
    pub breakdown: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// `itaku-standard@1`
    pub policy: String,
    pub policy_title: String,
    pub evaluation_date: NaiveDate,
    pub bidders: Vec<BidderRating>,
}

struct Outcome {
    points: Points,
    evidence: String,
    reason: String,
    disqualifies: Option<String>,
}

impl Outcome {
    fn zero(evidence: impl Into<String>, reason: impl Into<String>) -> Self {
        Outcome {
            points: Points::ZERO,
            evidence: evidence.into(),
            reason: reason.into(),
            disqualifies: None,
        }
    }
}

/// Rates every bidder of a tender under `policy`, ranked best first.
pub fn rate(policy: &Policy, tender: &TenderFacts, bidders: &[BidderFacts]) -> Rating {
    let mut rated: Vec<BidderRating> = bidders
        .iter()
        .map(|bidder| rate_bidder(policy, tender, bidder))
        .collect();
    rated.sort_by(|a, b| {
        a.disqualified
            .cmp(&b.disqualified)
            .then(b.points.cmp(&a.points))
            .then(a.identifier.cmp(&b.identifier))
    });
    let mut rank = 0;
    let mut previous: Option<Points> = None;
    for (index, bidder) in rated.iter_mut().enumerate() {
        if bidder.disqualified {
            continue;
        }
        if previous != Some(bidder.points) {
            rank = index as u32 + 1;
            previous = Some(bidder.points);
        }
        bidder.rank = Some(rank);
    }
    Rating {
        policy: policy.reference(),
        policy_title: policy.title.clone(),
        evaluation_date: tender.evaluation_date,
        bidders: rated,
    }
}

fn applies(condition: Option<Condition>, tender: &TenderFacts) -> bool {
    match condition {
        None => true,
        Some(Condition::Cloud) => tender.uses_cloud,
        Some(Condition::PersonalData) => tender.handles_personal_data,
        Some(Condition::AmountAtLeast(least)) => {
            tender.amount.is_some_and(|amount| amount >= least)
        }
    }
}

fn rate_bidder(policy: &Policy, tender: &TenderFacts, bidder: &BidderFacts) -> BidderRating {
    let mut breakdown = Vec::new();
    let mut flags = Vec::new();
    for rule in &policy.rules {
        if !applies(rule.only_if, tender) {
            let condition = rule.only_if.map(Condition::label).unwrap_or_default();
            breakdown.push(Line {
                rule: rule.id.clone(),
                label: rule.label.clone(),
                points: Points::ZERO,
                max_points: Points::ZERO,
                applicable: false,
                evidence: String::new(),
                reason: format!("対象外（{condition}ではないため）"),
            });
            continue;
        }
        let outcome = judge(rule, tender.evaluation_date, bidder);
        if let Some(reason) = outcome.disqualifies {
            flags.push(format!("{}: {reason}", rule.label));
        }
        breakdown.push(Line {
            rule: rule.id.clone(),
            label: rule.label.clone(),
            points: outcome.points,
            max_points: rule.max_points(),
            applicable: true,
            evidence: outcome.evidence,
            reason: outcome.reason,
        });
    }
    if let Some((line, why)) = suspension(tender.evaluation_date, bidder) {
        flags.push(format!("{}: {why}", line.label));
        breakdown.push(line);
    }
    let bonus: Points = breakdown
        .iter()
        .map(|l| l.points)
        .filter(|p| *p > Points::ZERO)
        .sum();
    let deductions: Points = breakdown
        .iter()
        .map(|l| l.points)
        .filter(|p| *p < Points::ZERO)
        .sum();
    let mut notes = Vec::new();
    if bonus > policy.max_points {
        notes.push(format!(
            "加点の合計 {bonus}点に上限 {}点を適用",
            policy.max_points
        ));
    }
    let points = (bonus.min(policy.max_points) + deductions).max(Points::ZERO);
    let reachable: Points = breakdown.iter().map(|l| l.max_points).sum();
    let disqualified = !flags.is_empty();
    BidderRating {
        identifier: bidder.identifier.clone(),
        name: bidder.name.clone(),
        points,
        max_points: reachable.min(policy.max_points),
        grade: if disqualified {
            "不適合".to_string()
        } else {
            policy.grade_for(points).to_string()
        },
        disqualified,
        flags,
        notes,
        rank: None,
        breakdown,
    }
}

/// 指名停止 on the evaluation date: a line of its own, whatever the policy, since a suspended bidder
/// may not be awarded.
fn suspension(day: NaiveDate, bidder: &BidderFacts) -> Option<(Line, String)> {
    let s = bidder
        .suspensions
        .iter()
        .find(|s| suspension::covers(s.starts_on, s.ends_on, day))?;
    let why = format!("評価基準日（{}）に指名停止中（{}）", wareki(day), s.reason);
    let line = Line {
        rule: "suspension".into(),
        label: "指名停止".into(),
        points: Points::ZERO,
        max_points: Points::ZERO,
        applicable: true,
        evidence: if s.document_number.is_empty() {
            suspension::period_label(s.starts_on, s.ends_on)
        } else {
            format!(
                "{}（{}）",
                suspension::period_label(s.starts_on, s.ends_on),
                s.document_number
            )
        },
        reason: format!("{why}のため不適合"),
    };
    Some((line, why))
}

fn judge(rule: &Rule, day: NaiveDate, bidder: &BidderFacts) -> Outcome {
    match &rule.kind {
        RuleKind::Certification {
            scheme,
            tiers,
            scope_confirmation,
        } => certification(*scheme, tiers, *scope_confirmation, day, bidder),
        RuleKind::AuditReport {
            points,
            fiscal_years,
            report_kinds,
        } => audit_report(*points, *fiscal_years, report_kinds, day, bidder),
        RuleKind::Checklist {
            points,
            category_weights,
        } => checklist(*points, category_weights, bidder),
        RuleKind::MandatoryNo { penalty } => mandatory_no(*penalty, bidder),
        RuleKind::RetentionViolation { years, penalty } => {
            retention_violation(*years, *penalty, day, bidder)
        }
        RuleKind::CorrectiveOverdue { penalty } => corrective_overdue(*penalty, day, bidder),
        RuleKind::IncidentReporting { years, penalty } => {
            incident_reporting(*years, *penalty, day, bidder)
        }
        RuleKind::RequiredStar { level, penalty } => required_star(*level, *penalty, day, bidder),
    }
}

/// Incidents the bidder became aware of in the last `years` (up to the evaluation date) and reported
/// late, or never reported.
fn incident_reporting(
    years: u32,
    penalty: Penalty,
    day: NaiveDate,
    bidder: &BidderFacts,
) -> Outcome {
    let from = shift_years(day, -(years as i32));
    let failures: Vec<String> = bidder
        .incidents
        .iter()
        .filter(|i| i.aware_on >= from && i.aware_on <= day)
        .filter_map(|i| {
            let what = if !i.reported_by_vendor {
                "委託先から報告なし".to_string()
            } else if !i.on_time {
                format!("報告期限の{}分後に報告", i.minutes_late)
            } else {
                return None;
            };
            Some(format!(
                "契約 {}（{}に認知、{what}）",
                i.contract_number,
                wareki(i.aware_on)
            ))
        })
        .collect();
    if failures.is_empty() {
        return Outcome::zero(
            "",
            format!(
                "直近{years}年（{}以降）に期限後の報告・未報告のインシデントはありません",
                wareki(from)
            ),
        );
    }
    apply(
        penalty,
        failures.join("、"),
        format!(
            "直近{years}年に期限後の報告・未報告のインシデント {}件",
            failures.len()
        ),
    )
}

/// The entry requirement of a METI ★ level: a verified certificate of the level or higher, valid on
/// the evaluation date.
fn required_star(level: Level, penalty: Penalty, day: NaiveDate, bidder: &BidderFacts) -> Outcome {
    let best = bidder
        .certificates
        .iter()
        .filter(|c| c.scheme == Scheme::Meti && c.verified && valid_on(c, day))
        .filter_map(|c| Some((star::meti_rank(c.level?)?, c)))
        .max_by_key(|(rank, _)| *rank);
    let need = star::meti_rank(level).unwrap_or(0);
    match best {
        Some((rank, certificate)) if rank >= need => Outcome::zero(
            describe(certificate),
            format!("{}以上の要件を満たします", level.label()),
        ),
        Some((_, certificate)) => apply(
            penalty,
            describe(certificate),
            format!(
                "要求{}に対し現状{}",
                level.label(),
                certificate.level.map(Level::label).unwrap_or_default()
            ),
        ),
        None => apply(
            penalty,
            String::new(),
            format!(
                "要求{}に対し有効な確認済みの評価制度の★がない",
                level.label()
            ),
        ),
    }
}

/// Corrective actions past their due day on `day` and not done by then.
fn corrective_overdue(penalty: Penalty, day: NaiveDate, bidder: &BidderFacts) -> Outcome {
    let overdue: Vec<String> = bidder
        .corrective
        .iter()
        .filter(|c| c.due_on < day && c.done_on.is_none_or(|done| done > day))
        .map(|c| {
            format!(
                "契約 {} 項目{}（期限 {}、{}日超過）",
                c.contract_number,
                c.item_id,
                wareki(c.due_on),
                (day - c.due_on).num_days()
            )
        })
        .collect();
    if overdue.is_empty() {
        return Outcome::zero("", "期限を過ぎた未完了の是正はありません");
    }
    apply(
        penalty,
        String::new(),
        format!("期限を過ぎた未完了の是正 {}", overdue.join("・")),
    )
}

fn describe(certificate: &CertificateFact) -> String {
    let mut parts = Vec::new();
    if !certificate.certification_body.is_empty() {
        parts.push(certificate.certification_body.clone());
    }
    if !certificate.scope.is_empty() {
        parts.push(format!("適用範囲: {}", certificate.scope));
    }
    if let Some(issued) = certificate.issued_on {
        parts.push(format!("取得 {}", wareki(issued)));
    }
    match certificate.valid_until {
        Some(until) => parts.push(format!("有効期限 {}", wareki(until))),
        None => parts.push("有効期限なし".to_string()),
    }
    let level = certificate
        .level
        .map_or(String::new(), |l| format!(" {}", l.label()));
    let number = if certificate.number.is_empty() {
        String::new()
    } else {
        format!(" {}", certificate.number)
    };
    format!(
        "{}{level}{number}（{}）",
        certificate.scheme.label(),
        parts.join("、")
    )
}

fn valid_on(certificate: &CertificateFact, day: NaiveDate) -> bool {
    certificate.issued_on.is_none_or(|issued| issued <= day)
        && certificate.valid_until.is_none_or(|until| day <= until)
}

fn tier_points(tiers: &[Tier], certificate: &CertificateFact) -> Option<Points> {
    tiers
        .iter()
        .find(|tier| match tier.level {
            None => true,
            Some(level) => certificate.level.is_some_and(|held| held >= level),
        })
        .map(|tier| tier.points)
}

fn certification(
    scheme: Scheme,
    tiers: &[Tier],
    scope_confirmation: bool,
    day: NaiveDate,
    bidder: &BidderFacts,
) -> Outcome {
    let held: Vec<&CertificateFact> = bidder
        .certificates
        .iter()
        .filter(|c| c.scheme == scheme)
        .collect();
    let best = |verified_only: bool| {
        held.iter()
            .filter(|c| valid_on(c, day) && (c.verified || !verified_only))
            .filter_map(|c| tier_points(tiers, c).map(|points| (points, *c)))
            .max_by(|(a, x), (b, y)| a.cmp(b).then(x.valid_until.cmp(&y.valid_until)))
    };
    let Some((points, certificate)) = best(true) else {
        if let Some((_, declared)) = best(false) {
            return Outcome::zero(
                describe(declared),
                "未確認のため加点なし（市の職員による確認待ち）",
            );
        }
        return no_valid_certificate(scheme, &held, day);
    };
    if scope_confirmation && !bidder.isms_scope_confirmed {
        return Outcome::zero(
            describe(certificate),
            "適用範囲が本業務を含むことが確認されていないため加点なし",
        );
    }
    let level = certificate
        .level
        .map_or(String::new(), |l| format!("（{}）", l.label()));
    Outcome {
        points,
        evidence: describe(certificate),
        reason: format!("評価日（{}）に有効{level}", wareki(day)),
        disqualifies: None,
    }
}

/// Why no certificate of the scheme counts, naming the closest one.
fn no_valid_certificate(scheme: Scheme, held: &[&CertificateFact], day: NaiveDate) -> Outcome {
    let closest = held
        .iter()
        .max_by_key(|c| (valid_on(c, day), c.valid_until.unwrap_or(NaiveDate::MAX)));
    let Some(certificate) = closest else {
        return Outcome::zero("", format!("{}の登録がありません", scheme.label()));
    };
    let reason = match (certificate.issued_on, certificate.valid_until) {
        (Some(issued), _) if issued > day => format!(
            "取得日（{}）が評価日（{}）より後のため加点なし",
            wareki(issued),
            wareki(day)
        ),
        (_, Some(until)) if until < day => format!(
            "有効期限（{}）が評価日（{}）より前のため加点なし",
            wareki(until),
            wareki(day)
        ),
        _ => "区分が加点の対象ではありません".to_string(),
    };
    Outcome::zero(describe(certificate), reason)
}

fn fiscal_year_label(year: i32) -> String {
    FiscalYear::new(year).map_or_else(|| format!("{year}年度"), FiscalYear::label)
}

fn audit_report(
    points: Points,
    fiscal_years: u32,
    kinds: &[String],
    day: NaiveDate,
    bidder: &BidderFacts,
) -> Outcome {
    let last = FiscalYear::of(day).start_year();
    let first = last - fiscal_years as i32 + 1;
    let window = if first == last {
        fiscal_year_label(last)
    } else {
        format!("{}〜{}", fiscal_year_label(first), fiscal_year_label(last))
    };
    let best = bidder
        .audit_reports
        .iter()
        .filter(|r| (first..=last).contains(&r.fiscal_year))
        .filter(|r| kinds.contains(&r.kind) && r.accepted_on <= day)
        .max_by_key(|r| (r.fiscal_year, r.accepted_on));
    match best {
        Some(report) => Outcome {
            points,
            evidence: format!(
                "{} {}（{}）契約 {}、{} 受理",
                fiscal_year_label(report.fiscal_year),
                report.kind_label,
                report.auditor,
                report.contract_number,
                wareki(report.accepted_on)
            ),
            reason: format!("{window}の監査報告書を評価日までに受理"),
            disqualifies: None,
        },
        None => Outcome::zero(
            "",
            format!(
                "{window}の受理済み監査報告書が評価日（{}）までにありません",
                wareki(day)
            ),
        ),
    }
}

fn answer_weight(answer: Answer) -> Option<i64> {
    match answer {
        Answer::Yes => Some(100),
        Answer::Partial => Some(50),
        Answer::No => Some(0),
        Answer::Na => None,
    }
}

fn checklist(points: Points, weights: &BTreeMap<String, Points>, bidder: &BidderFacts) -> Outcome {
    let Some(sheet) = &bidder.checklist else {
        return Outcome::zero("", "チェックシートが提出されていません");
    };
    let count = |answer: Answer| sheet.answers.iter().filter(|a| a.answer == answer).count();
    let evidence = format!(
        "{}（はい {}・一部 {}・いいえ {}・該当なし {}）",
        sheet.source,
        count(Answer::Yes),
        count(Answer::Partial),
        count(Answer::No),
        count(Answer::Na)
    );
    let one = Points::from_hundredths(100);
    let (mut earned, mut possible) = (0i64, 0i64);
    for answer in &sheet.answers {
        let Some(score) = answer_weight(answer.answer) else {
            continue;
        };
        let weight = weights.get(answer.category.trim()).copied().unwrap_or(one);
        let weight = (weight.as_f64() * 100.0).round() as i64;
        earned += weight * score;
        possible += weight * 100;
    }
    if possible == 0 {
        return Outcome::zero(
            evidence,
            "評価の対象となる回答がありません（すべて該当なし）",
        );
    }
    let share = earned as f64 / possible as f64 * 100.0;
    let weighted = if weights.is_empty() {
        ""
    } else {
        "区分別重み付き"
    };
    Outcome {
        points: points.scaled(earned, possible),
        evidence,
        reason: format!("{weighted}適合率 {share:.1}% × {points}点"),
        disqualifies: None,
    }
}

fn apply(penalty: Penalty, evidence: String, reason: String) -> Outcome {
    match penalty {
        Penalty::Disqualify => Outcome {
            points: Points::ZERO,
            evidence,
            reason: format!("{reason}のため不適合"),
            disqualifies: Some(reason),
        },
        Penalty::Deduct(points) => Outcome {
            points: -points,
            evidence,
            reason: format!("{reason}のため{points}点減点"),
            disqualifies: None,
        },
    }
}

fn mandatory_no(penalty: Penalty, bidder: &BidderFacts) -> Outcome {
    let Some(sheet) = &bidder.checklist else {
        return Outcome::zero("", "チェックシートが提出されていないため判定なし");
    };
    let failed: Vec<&str> = sheet
        .answers
        .iter()
        .filter(|a| a.mandatory && a.answer == Answer::No)
        .map(|a| a.item_id.as_str())
        .collect();
    if failed.is_empty() {
        return Outcome::zero(sheet.source.clone(), "必須項目に「いいえ」はありません");
    }
    apply(
        penalty,
        sheet.source.clone(),
        format!("必須項目 {} が「いいえ」", failed.join("・")),
    )
}

fn retention_violation(
    years: u32,
    penalty: Penalty,
    day: NaiveDate,
    bidder: &BidderFacts,
) -> Outcome {
    let from = shift_years(day, -(years as i32));
    let violations: Vec<String> = bidder
        .deletions
        .iter()
        .filter(|d| d.deadline >= from && d.deadline < day)
        .filter_map(
            |d| match Standing::judge(d.deadline, d.accepted_on, day, 0) {
                Standing::Overdue { days_overdue } => Some(format!(
                    "契約 {}（削除期限 {}、削除証明の受理なし・{days_overdue}日超過）",
                    d.contract_number,
                    wareki(d.deadline)
                )),
                Standing::MetLate { days_late } => Some(format!(
                    "契約 {}（削除期限 {}、{days_late}日遅れて受理）",
                    d.contract_number,
                    wareki(d.deadline)
                )),
                _ => None,
            },
        )
        .collect();
    if violations.is_empty() {
        return Outcome::zero(
            "",
            format!("直近{years}年（{}以降）に該当はありません", wareki(from)),
        );
    }
    apply(
        penalty,
        violations.join("、"),
        format!(
            "直近{years}年に契約終了後のデータ保持 {}件",
            violations.len()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certification::Level;
    use crate::rating::facts::{AnswerFact, AuditFact, ChecklistFact, DeletionFact};

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn tender(cloud: bool) -> TenderFacts {
        TenderFacts {
            evaluation_date: day("2026-04-01"),
            uses_cloud: cloud,
            handles_personal_data: true,
            amount: None,
        }
    }

    fn bidder(name: &str) -> BidderFacts {
        BidderFacts {
            identifier: format!("{name:0>13}"),
            name: name.into(),
            isms_scope_confirmed: true,
            certificates: vec![],
            audit_reports: vec![],
            checklist: None,
            deletions: vec![],
            corrective: vec![],
            suspensions: vec![],
            incidents: vec![],
        }
    }

    #[test]
    fn a_suspension_covering_the_evaluation_date_by_one_day_at_either_end_disqualifies() {
        use crate::rating::facts::SuspensionFact;
        let judged = |starts: &str, ends: &str| {
            let mut b = bidder("1");
            b.certificates
                .push(certificate(Scheme::Isms, None, Some("2027-01-01")));
            b.suspensions.push(SuspensionFact {
                starts_on: day(starts),
                ends_on: day(ends),
                reason: "個人情報の漏えい".into(),
                document_number: "契第12号".into(),
            });
            rate_one(b, false).bidders.remove(0)
        };
        // The evaluation date is 2026-04-01.
        for (starts, ends) in [("2026-04-01", "2027-03-31"), ("2025-04-02", "2026-04-01")] {
            let rated = judged(starts, ends);
            assert!(rated.disqualified, "{starts}..{ends}");
            assert_eq!(rated.grade, "不適合");
            assert_eq!(rated.rank, None);
            let line = rated
                .breakdown
                .iter()
                .find(|l| l.rule == "suspension")
                .unwrap();
            assert!(
                line.reason.contains("指名停止中（個人情報の漏えい）"),
                "{}",
                line.reason
            );
            assert!(line.evidence.contains("契第12号"));
        }
        for (starts, ends) in [("2026-04-02", "2027-03-31"), ("2025-04-01", "2026-03-31")] {
            let rated = judged(starts, ends);
            assert!(!rated.disqualified, "{starts}..{ends}");
            assert!(rated.breakdown.iter().all(|l| l.rule != "suspension"));
            assert!(rated.points > Points::ZERO);
        }
    }

    fn policy_text(rule: &str) -> String {
        format!(
            "id = \"t\"\nversion = 1\ntitle = \"t\"\nmax_points = 10\n[grades]\nA = 5\nB = 0\n\
             [[rules]]\nid = \"isms\"\nkind = \"certification\"\nscheme = \"isms\"\npoints = 4\n\
             [[rules]]\nid = \"x\"\n{rule}\n"
        )
    }

    fn policy_with(rule: &str) -> Policy {
        Policy::parse(&policy_text(rule)).unwrap()
    }

    #[test]
    fn late_and_unreported_incidents_of_the_last_years_deduct() {
        use crate::rating::facts::IncidentFact;
        let policy = policy_with(
            "kind = \"incident_reporting\"\nyears = 2\naction = \"deduct\"\npoints = 2",
        );
        let incident = |aware: &str, by_vendor: bool, on_time: bool| IncidentFact {
            contract_number: "R7-001".into(),
            aware_on: day(aware),
            reported_by_vendor: by_vendor,
            on_time,
            minutes_late: if on_time { 0 } else { 1 },
        };
        let points = |incidents: Vec<IncidentFact>| {
            let mut b = bidder("1");
            b.certificates
                .push(certificate(Scheme::Isms, None, Some("2027-01-01")));
            b.incidents = incidents;
            let rated = rate(&policy, &tender(false), &[b]).bidders.remove(0);
            let reason = rated
                .breakdown
                .iter()
                .find(|l| l.rule == "x")
                .unwrap()
                .reason
                .clone();
            (rated.points.to_string(), reason)
        };
        assert_eq!(points(vec![incident("2025-06-01", true, true)]).0, "4");
        let (late, why) = points(vec![incident("2025-06-01", true, false)]);
        assert_eq!(late, "2");
        assert!(why.contains("1件"), "{why}");
        assert_eq!(points(vec![incident("2026-03-01", false, true)]).0, "2");
        // Older than two years before the evaluation date, or after it: not counted.
        assert_eq!(points(vec![incident("2024-03-31", false, true)]).0, "4");
        assert_eq!(points(vec![incident("2026-04-02", false, true)]).0, "4");
    }

    #[test]
    fn a_required_star_level_is_an_entry_requirement() {
        let policy =
            policy_with("kind = \"required_star\"\nlevel = \"★4\"\naction = \"disqualify\"");
        let rated = |level: Option<Level>, verified: bool| {
            let mut b = bidder("1");
            let mut meti = certificate(Scheme::Meti, level, Some("2027-01-01"));
            meti.verified = verified;
            b.certificates.push(meti);
            rate(&policy, &tender(false), &[b]).bidders.remove(0)
        };
        assert!(!rated(Some(Level::Star4), true).disqualified);
        assert!(!rated(Some(Level::Star5), true).disqualified);
        let short = rated(Some(Level::Star3), true);
        assert!(short.disqualified);
        assert!(
            short.flags[0].contains("要求★4に対し現状★3"),
            "{:?}",
            short.flags
        );
        assert!(rated(Some(Level::Star4), false).disqualified);
        let five = policy_text("kind = \"required_star\"\nlevel = \"★5\"\naction = \"disqualify\"");
        assert_eq!(Policy::parse(&five).unwrap_err().key, "rules[1].level");
    }

    #[test]
    fn an_overdue_corrective_action_still_open_on_the_evaluation_date_costs_points() {
        let text = format!(
            "{}\n[[rules]]\nid = \"corrective\"\nlabel = \"是正の遅れ\"\nkind = \"corrective_overdue\"\naction = \"deduct\"\npoints = 2\nexplanation = \"期限を過ぎた是正\"\n",
            crate::rating::policy::BUILTIN
        );
        let policy = Policy::parse(&text).unwrap();
        let mut b = bidder("1");
        b.corrective = vec![
            crate::rating::facts::CorrectiveFact {
                contract_number: "R7-001".into(),
                item_id: "A-1".into(),
                due_on: day("2026-06-30"),
                done_on: None,
            },
            crate::rating::facts::CorrectiveFact {
                contract_number: "R7-002".into(),
                item_id: "B-2".into(),
                due_on: day("2026-05-31"),
                done_on: Some(day("2026-06-15")),
            },
        ];
        let mut t = tender(false);
        t.evaluation_date = day("2026-07-10");
        let rating = rate(&policy, &t, std::slice::from_ref(&b));
        let corrective = line(&rating, "corrective");
        assert_eq!(corrective.points.to_string(), "-2");
        assert!(
            corrective.reason.contains("R7-001 項目A-1"),
            "{}",
            corrective.reason
        );
        assert!(
            !corrective.reason.contains("B-2"),
            "done before the evaluation date"
        );
        t.evaluation_date = day("2026-06-30");
        let on_the_due_day = rate(&policy, &t, std::slice::from_ref(&b));
        assert_eq!(line(&on_the_due_day, "corrective").points.to_string(), "0");
        let bad = text.replace(
            "kind = \"corrective_overdue\"\naction = \"deduct\"",
            "kind = \"corrective_overdue\"\nyears = 3\naction = \"deduct\"",
        );
        assert!(Policy::parse(&bad).is_err(), "years is not one of its keys");
    }

    fn certificate(scheme: Scheme, level: Option<Level>, until: Option<&str>) -> CertificateFact {
        CertificateFact {
            verified: true,
            scheme,
            level,
            number: "N-1".into(),
            certification_body: String::new(),
            scope: String::new(),
            issued_on: Some(day("2020-01-01")),
            valid_until: until.map(day),
        }
    }

    fn line<'r>(rating: &'r Rating, rule: &str) -> &'r Line {
        rating.bidders[0]
            .breakdown
            .iter()
            .find(|l| l.rule == rule)
            .unwrap()
    }

    fn rate_one(bidder: BidderFacts, cloud: bool) -> Rating {
        rate(&Policy::builtin(), &tender(cloud), &[bidder])
    }

    #[test]
    fn a_certificate_counts_through_its_expiry_day() {
        for (until, expected) in [
            ("2026-03-31", "0"),
            ("2026-04-01", "4"),
            ("2026-04-02", "4"),
        ] {
            let mut b = bidder("1");
            b.certificates
                .push(certificate(Scheme::Isms, None, Some(until)));
            let rating = rate_one(b, false);
            let isms = line(&rating, "isms");
            assert_eq!(isms.points.to_string(), expected, "expiring {until}");
            if expected == "0" {
                assert!(
                    isms.reason
                        .contains("有効期限（令和8年3月31日）が評価日（令和8年4月1日）より前"),
                    "{}",
                    isms.reason
                );
                assert!(isms.evidence.contains("ISMS N-1"), "{}", isms.evidence);
            }
        }
    }

    #[test]
    fn a_rule_for_large_contracts_applies_only_from_its_amount() {
        let policy = Policy::parse(
            "id = \"p\"\nversion = 1\ntitle = \"t\"\nmax_points = 10\n[grades]\nA = 0\n\n\
             [[rules]]\nid = \"isms\"\nkind = \"certification\"\nscheme = \"isms\"\npoints = 4\n\
             only_if = \"amount >= 1,000万円\"\n",
        )
        .unwrap();
        let mut b = bidder("1");
        b.certificates
            .push(certificate(Scheme::Isms, None, Some("2030-03-31")));
        for (amount, points) in [(None, "0"), (Some(9_999_999), "0"), (Some(10_000_000), "4")] {
            let facts = TenderFacts {
                amount: amount.map(|a| crate::domain::Yen::new(a).unwrap()),
                ..tender(false)
            };
            let rating = rate(&policy, &facts, std::slice::from_ref(&b));
            let isms = line(&rating, "isms");
            assert_eq!(isms.points.to_string(), points, "{amount:?}");
            if points == "0" {
                assert_eq!(
                    isms.reason,
                    "対象外（契約金額が10,000,000円以上の業務ではないため）"
                );
            }
        }
        let refused = Policy::parse(
            "id = \"p\"\nversion = 1\ntitle = \"t\"\nmax_points = 10\n[grades]\nA = 0\n\n\
             [[rules]]\nid = \"isms\"\nkind = \"certification\"\nscheme = \"isms\"\npoints = 4\n\
             only_if = \"amount > 5\"\n",
        )
        .unwrap_err();
        assert_eq!(refused.key, "rules[0].only_if");
    }

    #[test]
    fn a_certificate_issued_after_the_evaluation_date_does_not_count() {
        let mut b = bidder("1");
        let mut pmark = certificate(Scheme::Pmark, None, Some("2028-04-01"));
        pmark.issued_on = Some(day("2026-04-02"));
        b.certificates.push(pmark);
        let rating = rate_one(b, false);
        assert_eq!(line(&rating, "pmark").points, Points::ZERO);
        assert!(line(&rating, "pmark").reason.contains("取得日"));
    }

    #[test]
    fn a_certificate_the_vendor_only_declared_earns_nothing() {
        let mut b = bidder("1");
        let mut declared = certificate(Scheme::Meti, Some(Level::Star4), Some("2027-01-01"));
        declared.verified = false;
        b.certificates.push(declared.clone());
        let rating = rate_one(b.clone(), false);
        let meti = line(&rating, "meti");
        assert_eq!(meti.points, Points::ZERO);
        assert!(
            meti.reason.contains("未確認のため加点なし"),
            "{}",
            meti.reason
        );
        declared.verified = true;
        b.certificates = vec![declared];
        assert!(line(&rate_one(b, false), "meti").points > Points::ZERO);
    }

    #[test]
    fn isms_needs_its_scope_confirmed() {
        let mut b = bidder("1");
        b.certificates
            .push(certificate(Scheme::Isms, None, Some("2027-01-01")));
        b.isms_scope_confirmed = false;
        let rating = rate_one(b, false);
        let isms = line(&rating, "isms");
        assert_eq!(isms.points, Points::ZERO);
        assert!(isms.reason.contains("適用範囲"), "{}", isms.reason);
        assert!(!isms.evidence.is_empty());
    }

    #[test]
    fn ismap_counts_for_cloud_work_only() {
        let mut b = bidder("1");
        b.certificates
            .push(certificate(Scheme::Ismap, None, Some("2027-01-01")));
        let cloud = rate_one(b.clone(), true);
        assert_eq!(line(&cloud, "ismap").points.to_string(), "2");
        let on_premises = rate_one(b, false);
        let ismap = line(&on_premises, "ismap");
        assert_eq!(
            (ismap.points, ismap.applicable, ismap.max_points),
            (Points::ZERO, false, Points::ZERO)
        );
        assert!(ismap.reason.starts_with("対象外"));
        assert_eq!(cloud.bidders[0].max_points.to_string(), "10");
    }

    #[test]
    fn only_the_higher_security_action_star_counts() {
        let mut b = bidder("1");
        b.certificates.push(certificate(
            Scheme::SecurityAction,
            Some(Level::OneStar),
            None,
        ));
        b.certificates.push(certificate(
            Scheme::SecurityAction,
            Some(Level::TwoStars),
            None,
        ));
        let rating = rate_one(b.clone(), false);
        assert_eq!(line(&rating, "security_action").points.to_string(), "1");
        assert_eq!(rating.bidders[0].points.to_string(), "1");
        b.certificates.remove(1);
        assert_eq!(
            line(&rate_one(b, false), "security_action")
                .points
                .to_string(),
            "0.5"
        );
    }

    #[test]
    fn meti_five_stars_earn_the_four_star_points() {
        for (level, expected) in [
            (Level::Star3, "2"),
            (Level::Star4, "3"),
            (Level::Star5, "3"),
        ] {
            let mut b = bidder("1");
            b.certificates
                .push(certificate(Scheme::Meti, Some(level), Some("2027-01-01")));
            assert_eq!(
                line(&rate_one(b, false), "meti").points.to_string(),
                expected
            );
        }
    }

    fn audit(year: i32, accepted: &str) -> AuditFact {
        AuditFact {
            contract_number: "C-1".into(),
            fiscal_year: year,
            kind: "third_party".into(),
            kind_label: "第三者監査".into(),
            auditor: "監査法人".into(),
            accepted_on: day(accepted),
        }
    }

    #[test]
    fn audit_report_of_this_or_the_previous_fiscal_year() {
        // 2026-04-01 is in FY2026; FY2025 and FY2026 count, FY2024 does not, nor one accepted later.
        for (year, accepted, expected) in [
            (2025, "2025-12-01", "2"),
            (2026, "2026-04-01", "2"),
            (2024, "2025-03-01", "0"),
            (2025, "2026-04-02", "0"),
        ] {
            let mut b = bidder("1");
            b.audit_reports.push(audit(year, accepted));
            let rating = rate_one(b, false);
            assert_eq!(
                line(&rating, "audit").points.to_string(),
                expected,
                "{year} {accepted}"
            );
        }
    }

    fn sheet(answers: &[(&str, &str, bool, Answer)]) -> ChecklistFact {
        ChecklistFact {
            source: "入札時提出 第1版".into(),
            definition_id: "d".into(),
            answers: answers
                .iter()
                .map(|(id, category, mandatory, answer)| AnswerFact {
                    item_id: id.to_string(),
                    category: category.to_string(),
                    mandatory: *mandatory,
                    answer: *answer,
                })
                .collect(),
        }
    }

    #[test]
    fn checklist_share_leaves_out_not_applicable_and_weighs_categories() {
        let mut b = bidder("1");
        b.checklist = Some(sheet(&[
            ("A-1", "体制", false, Answer::Yes),
            ("A-2", "体制", false, Answer::Partial),
            ("A-3", "体制", false, Answer::Na),
            ("B-1", "情報の取扱い", false, Answer::No),
        ]));
        // weights: 体制 1, 情報の取扱い 2 → (1 + 0.5 + 0) / (1 + 1 + 2) = 37.5% of 3 = 1.125 → 1.13
        let rating = rate_one(b, false);
        let checklist = line(&rating, "checklist");
        assert_eq!(checklist.points.to_string(), "1.13");
        assert!(checklist.reason.contains("37.5%"), "{}", checklist.reason);
        assert!(
            checklist.evidence.contains("該当なし 1"),
            "{}",
            checklist.evidence
        );
    }

    #[test]
    fn a_mandatory_no_disqualifies() {
        let mut b = bidder("1");
        b.certificates
            .push(certificate(Scheme::Isms, None, Some("2027-01-01")));
        b.checklist = Some(sheet(&[
            ("A-1", "体制", true, Answer::No),
            ("A-2", "体制", false, Answer::No),
        ]));
        let mut clean = bidder("2");
        clean.checklist = Some(sheet(&[("A-1", "体制", true, Answer::Yes)]));
        let rating = rate(&Policy::builtin(), &tender(false), &[b, clean]);
        let (first, second) = (&rating.bidders[0], &rating.bidders[1]);
        assert_eq!((first.name.as_str(), first.rank), ("2", Some(1)));
        assert_eq!(second.name, "1");
        assert!(second.disqualified);
        assert_eq!(second.grade, "不適合");
        assert_eq!(second.rank, None);
        assert_eq!(
            second.flags,
            ["必須項目の不適合: 必須項目 A-1 が「いいえ」"]
        );
    }

    #[test]
    fn a_late_or_missing_deletion_certificate_deducts() {
        let mut b = bidder("1");
        b.certificates
            .push(certificate(Scheme::Isms, None, Some("2027-01-01")));
        b.deletions = vec![
            DeletionFact {
                contract_number: "old".into(),
                deadline: day("2023-03-31"),
                accepted_on: None,
            },
            DeletionFact {
                contract_number: "late".into(),
                deadline: day("2025-05-01"),
                accepted_on: Some(day("2025-05-11")),
            },
            DeletionFact {
                contract_number: "fine".into(),
                deadline: day("2025-06-01"),
                accepted_on: Some(day("2025-06-01")),
            },
        ];
        let rating = rate_one(b.clone(), false);
        let retention = line(&rating, "retention_violation");
        assert_eq!(retention.points.to_string(), "-3");
        assert!(
            retention.evidence.contains("late") && !retention.evidence.contains("old"),
            "{}",
            retention.evidence
        );
        assert_eq!(rating.bidders[0].points.to_string(), "1");
        // Three years back from 2026-04-01 reaches 2023-04-01: a deadline of 2023-04-01 counts.
        b.deletions = vec![DeletionFact {
            contract_number: "edge".into(),
            deadline: day("2023-04-01"),
            accepted_on: None,
        }];
        assert_eq!(
            line(&rate_one(b.clone(), false), "retention_violation")
                .points
                .to_string(),
            "-3"
        );
        b.deletions[0].deadline = day("2023-03-31");
        assert_eq!(
            line(&rate_one(b, false), "retention_violation").points,
            Points::ZERO
        );
    }

    #[test]
    fn the_cap_and_equal_ranks() {
        let mut strong = bidder("1");
        for scheme in [Scheme::Isms, Scheme::Pmark, Scheme::Ismap] {
            strong
                .certificates
                .push(certificate(scheme, None, Some("2027-01-01")));
        }
        strong.certificates.push(certificate(
            Scheme::Meti,
            Some(Level::Star4),
            Some("2027-01-01"),
        ));
        let twin = BidderFacts {
            identifier: "2".repeat(13),
            name: "2".into(),
            ..strong.clone()
        };
        let weak = bidder("3");
        let rating = rate(&Policy::builtin(), &tender(true), &[weak, strong, twin]);
        let ranks: Vec<Option<u32>> = rating.bidders.iter().map(|b| b.rank).collect();
        assert_eq!(ranks, [Some(1), Some(1), Some(3)]);
        assert_eq!(rating.bidders[0].points.to_string(), "10");
        assert_eq!(
            rating.bidders[0].notes,
            ["加点の合計 12点に上限 10点を適用"]
        );
        assert_eq!(rating.bidders[0].grade, "A");
        assert_eq!(rating.bidders[2].grade, "D");
    }
}
