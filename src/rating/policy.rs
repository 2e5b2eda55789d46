//! The scoring policy: a TOML file under `checklists/policies/`, read into rules that cannot hold a
//! nonsensical value. Every error names the line and the key, as an administrator fixing the file needs.

use super::Points;
use crate::domain::certification::{Level, Scheme};
use crate::domain::Yen;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// The policy shipped with Itaku, the default for new tenders.
pub const BUILTIN: &str = include_str!("../../checklists/policies/itaku-standard-v1.toml");

/// A mistake in a policy file: where (line, key) and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyError {
    pub line: Option<usize>,
    pub key: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.key.is_empty()) {
            (Some(line), false) => write!(f, "{line}行目 {}: {}", self.key, self.message),
            (Some(line), true) => write!(f, "{line}行目: {}", self.message),
            (None, false) => write!(f, "{}: {}", self.key, self.message),
            (None, true) => write!(f, "{}", self.message),
        }
    }
}

/// When a rule applies at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// The work uses cloud services.
    Cloud,
    /// The work handles personal information.
    PersonalData,
    /// The tender's 予定価格 (or 契約金額) is at least this much: `only_if = "amount >= 10000000"`.
    AmountAtLeast(Yen),
}

impl Condition {
    pub fn label(self) -> String {
        match self {
            Condition::Cloud => "クラウドサービスを利用する業務".into(),
            Condition::PersonalData => "個人情報を取り扱う業務".into(),
            Condition::AmountAtLeast(least) => format!("契約金額が{least}以上の業務"),
        }
    }

    /// `cloud`, `personal_data` or `amount >= 10000000` (the amount in any form `Yen::parse` reads).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match text {
            "cloud" => return Ok(Condition::Cloud),
            "personal_data" => return Ok(Condition::PersonalData),
            _ => {}
        }
        let unknown =
            || format!("条件「{text}」はありません（cloud・personal_data・amount >= 金額）");
        let amount = text
            .strip_prefix("amount")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix(">="))
            .ok_or_else(unknown)?;
        Yen::parse(amount).map(Condition::AmountAtLeast)
    }
}

/// What a penalty rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Penalty {
    /// The bidder is 不適合.
    Disqualify,
    /// These points are taken off the total.
    Deduct(Points),
}

/// One level and what it earns: a certificate at this level or above qualifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub level: Option<Level>,
    pub points: Points,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleKind {
    Certification {
        scheme: Scheme,
        /// Highest points first.
        tiers: Vec<Tier>,
        /// The officer must confirm, per bidder, that the certified scope covers the work.
        scope_confirmation: bool,
    },
    AuditReport {
        points: Points,
        /// 2: the evaluation date's fiscal year and the one before.
        fiscal_years: u32,
        /// Which kinds of report count (third_party, internal, onsite).
        report_kinds: Vec<String>,
    },
    Checklist {
        points: Points,
        /// Weight per category; a category not named weighs 1.
        category_weights: BTreeMap<String, Points>,
    },
    MandatoryNo {
        penalty: Penalty,
    },
    RetentionViolation {
        years: u32,
        penalty: Penalty,
    },
    /// A corrective action (是正) past its due day and neither accepted nor closed on the evaluation
    /// date.
    CorrectiveOverdue {
        penalty: Penalty,
    },
    /// An incident at one of the bidder's contracts in the last `years` that it reported after its
    /// clause's deadline, or did not report at all (staff learnt of it elsewhere).
    IncidentReporting {
        years: u32,
        penalty: Penalty,
    },
    /// An entry requirement: a verified METI certificate of at least `level` (★3 or ★4), valid on the
    /// evaluation date.
    RequiredStar {
        level: Level,
        penalty: Penalty,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub label: String,
    pub explanation: String,
    pub only_if: Option<Condition>,
    #[serde(flatten)]
    pub kind: RuleKind,
}

impl Rule {
    /// The most the rule can add, before the policy's cap.
    pub fn max_points(&self) -> Points {
        match &self.kind {
            RuleKind::Certification { tiers, .. } => {
                tiers.iter().map(|t| t.points).max().unwrap_or_default()
            }
            RuleKind::AuditReport { points, .. } | RuleKind::Checklist { points, .. } => *points,
            RuleKind::MandatoryNo { .. }
            | RuleKind::RetentionViolation { .. }
            | RuleKind::CorrectiveOverdue { .. }
            | RuleKind::IncidentReporting { .. }
            | RuleKind::RequiredStar { .. } => Points::ZERO,
        }
    }

    /// What the rule awards or takes, in a few words, for the committee's explanation sheet.
    pub fn scoring_label(&self) -> String {
        let describe = |penalty: &Penalty| match penalty {
            Penalty::Disqualify => "不適合".to_string(),
            Penalty::Deduct(points) => format!("{points}点減点"),
        };
        match &self.kind {
            RuleKind::Certification { tiers, .. } => tiers
                .iter()
                .map(|tier| match tier.level {
                    Some(level) => format!("{}以上 {}点", level.label(), tier.points),
                    None => format!("{}点", tier.points),
                })
                .collect::<Vec<_>>()
                .join(" / "),
            RuleKind::AuditReport { points, .. } => format!("{points}点"),
            RuleKind::Checklist { points, .. } => format!("適合率 × {points}点"),
            RuleKind::MandatoryNo { penalty } => describe(penalty),
            RuleKind::RetentionViolation { years, penalty } => {
                format!("直近{years}年に該当があれば{}", describe(penalty))
            }
            RuleKind::CorrectiveOverdue { penalty } => {
                format!("期限を過ぎた未完了の是正があれば{}", describe(penalty))
            }
            RuleKind::IncidentReporting { years, penalty } => format!(
                "直近{years}年に期限後の報告・未報告のインシデントがあれば{}",
                describe(penalty)
            ),
            RuleKind::RequiredStar { level, penalty } => {
                format!("{}以上がなければ{}", level.label(), describe(penalty))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    pub label: String,
    pub min_points: Points,
}

/// A checked policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub description: String,
    pub max_points: Points,
    /// Highest threshold first; the last is 0, so every total has a grade.
    pub grades: Vec<Grade>,
    pub rules: Vec<Rule>,
}

impl Policy {
    pub fn builtin() -> Policy {
        Policy::parse(BUILTIN).expect("the built-in policy is valid")
    }

    /// `itaku-standard@1`: how tenders, the CLI and the API name a policy version.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn grade_for(&self, points: Points) -> &str {
        self.grades
            .iter()
            .find(|grade| points >= grade.min_points)
            .map_or("", |grade| grade.label.as_str())
    }

    /// Reads and checks a policy file.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|error| PolicyError {
            line: error.span().map(|span| line_of(text, span.start)),
            key: String::new(),
            message: format!("方針ファイルを読み取れません: {}", error.message()),
        })?;
        Checker { text }.policy(raw)
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    id: Spanned<String>,
    version: Spanned<i64>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    max_points: Spanned<f64>,
    grades: Spanned<BTreeMap<String, Spanned<f64>>>,
    rules: Spanned<Vec<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    kind: Spanned<String>,
    label: Option<String>,
    #[serde(default)]
    explanation: String,
    only_if: Option<Spanned<String>>,
    scheme: Option<Spanned<String>>,
    points: Option<Spanned<f64>>,
    levels: Option<Spanned<BTreeMap<String, Spanned<f64>>>>,
    scope_confirmation: Option<Spanned<bool>>,
    fiscal_years: Option<Spanned<i64>>,
    report_kinds: Option<Spanned<Vec<String>>>,
    category_weights: Option<Spanned<BTreeMap<String, Spanned<f64>>>>,
    action: Option<Spanned<String>>,
    years: Option<Spanned<i64>>,
    level: Option<Spanned<String>>,
}

const AUDIT_KINDS: [&str; 3] = ["third_party", "internal", "onsite"];

struct Checker<'t> {
    text: &'t str,
}

impl Checker<'_> {
    fn error(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> PolicyError {
        PolicyError {
            line: Some(line_of(self.text, span.start)),
            key: key.into(),
            message: message.into(),
        }
    }

    fn points(&self, value: &Spanned<f64>, key: &str) -> Result<Points, PolicyError> {
        match Points::from_decimal(*value.get_ref()) {
            Some(points) if points >= Points::ZERO => Ok(points),
            _ => Err(self.error(
                value.span(),
                key,
                "点数は0以上の数で、小数は第2位までにしてください",
            )),
        }
    }

    fn identifier(&self, value: &Spanned<String>, key: &str) -> Result<String, PolicyError> {
        let id = value.get_ref().trim();
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(self.error(
                value.span(),
                key,
                "英数字・ハイフン・下線で指定してください",
            ));
        }
        Ok(id.to_string())
    }

    fn policy(&self, raw: RawPolicy) -> Result<Policy, PolicyError> {
        let id = self.identifier(&raw.id, "id")?;
        let version = u32::try_from(*raw.version.get_ref())
            .ok()
            .filter(|v| (1..=1_000_000).contains(v))
            .ok_or_else(|| {
                self.error(
                    raw.version.span(),
                    "version",
                    "版は1以上の整数にしてください",
                )
            })?;
        if raw.title.get_ref().trim().is_empty() {
            return Err(self.error(raw.title.span(), "title", "名称を入力してください"));
        }
        let max_points = self.points(&raw.max_points, "max_points")?;
        if max_points.is_zero() {
            return Err(self.error(
                raw.max_points.span(),
                "max_points",
                "上限は0より大きくしてください",
            ));
        }
        let mut grades = Vec::new();
        for (label, min) in raw.grades.get_ref() {
            let key = format!("grades.{label}");
            if label.trim().is_empty() {
                return Err(self.error(min.span(), key, "区分名が空です"));
            }
            grades.push(Grade {
                label: label.trim().to_string(),
                min_points: self.points(min, &key)?,
            });
        }
        grades.sort_by_key(|grade| std::cmp::Reverse(grade.min_points));
        if grades
            .last()
            .is_none_or(|grade| !grade.min_points.is_zero())
        {
            return Err(self.error(
                raw.grades.span(),
                "grades",
                "0点の区分がありません（どの合計点にも区分が付くよう、最も低い区分を 0 にしてください）",
            ));
        }
        if raw.rules.get_ref().is_empty() {
            return Err(self.error(raw.rules.span(), "rules", "規則が1件もありません"));
        }
        let mut seen = HashSet::new();
        let mut rules = Vec::new();
        for (index, rule) in raw.rules.get_ref().iter().enumerate() {
            let rule = self.rule(index, rule)?;
            if !seen.insert(rule.id.clone()) {
                return Err(self.error(
                    raw.rules.get_ref()[index].id.span(),
                    format!("rules[{index}].id"),
                    format!("規則 id「{}」が重複しています", rule.id),
                ));
            }
            rules.push(rule);
        }
        Ok(Policy {
            id,
            version,
            title: raw.title.into_inner().trim().to_string(),
            description: raw.description.trim().to_string(),
            max_points,
            grades,
            rules,
        })
    }

    fn rule(&self, index: usize, raw: &RawRule) -> Result<Rule, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        let id = self.identifier(&raw.id, &key("id"))?;
        let kind_name = self.kind_keys(index, raw)?;
        let kind = match kind_name {
            "certification" => self.certification(index, raw)?,
            "audit_report" => self.audit_report(index, raw)?,
            "checklist" => self.checklist(index, raw)?,
            "mandatory_no" => RuleKind::MandatoryNo {
                penalty: self.penalty(index, raw)?,
            },
            "corrective_overdue" => RuleKind::CorrectiveOverdue {
                penalty: self.penalty(index, raw)?,
            },
            "incident_reporting" => RuleKind::IncidentReporting {
                years: self.years(index, raw)?,
                penalty: self.penalty(index, raw)?,
            },
            "required_star" => self.required_star(index, raw)?,
            _ => RuleKind::RetentionViolation {
                years: self.years(index, raw)?,
                penalty: self.penalty(index, raw)?,
            },
        };
        let only_if = match &raw.only_if {
            None => None,
            Some(value) => Some(
                Condition::parse(value.get_ref())
                    .map_err(|message| self.error(value.span(), key("only_if"), message))?,
            ),
        };
        Ok(Rule {
            label: raw
                .label
                .as_deref()
                .map(str::trim)
                .filter(|label| !label.is_empty())
                .unwrap_or(&id)
                .to_string(),
            id,
            explanation: raw.explanation.trim().to_string(),
            only_if,
            kind,
        })
    }

    /// The rule's kind, once every key it sets is one that kind takes.
    fn kind_keys<'r>(&self, index: usize, raw: &'r RawRule) -> Result<&'r str, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        let kind_name = raw.kind.get_ref().as_str();
        let allowed: &[&str] = match kind_name {
            "certification" => &["scheme", "points", "levels", "scope_confirmation", "only_if"],
            "audit_report" => &["points", "fiscal_years", "report_kinds", "only_if"],
            "checklist" => &["points", "category_weights", "only_if"],
            "mandatory_no" => &["action", "points", "only_if"],
            "retention_violation" => &["action", "points", "years", "only_if"],
            "corrective_overdue" => &["action", "points", "only_if"],
            "incident_reporting" => &["action", "points", "years", "only_if"],
            "required_star" => &["action", "points", "level", "only_if"],
            other => {
                return Err(self.error(
                    raw.kind.span(),
                    key("kind"),
                    format!(
                        "種類「{other}」はありません（certification・audit_report・checklist・mandatory_no・retention_violation・corrective_overdue・incident_reporting・required_star）"
                    ),
                ))
            }
        };
        let present = [
            ("scheme", raw.scheme.as_ref().map(Spanned::span)),
            ("points", raw.points.as_ref().map(Spanned::span)),
            ("levels", raw.levels.as_ref().map(Spanned::span)),
            (
                "scope_confirmation",
                raw.scope_confirmation.as_ref().map(Spanned::span),
            ),
            ("fiscal_years", raw.fiscal_years.as_ref().map(Spanned::span)),
            ("report_kinds", raw.report_kinds.as_ref().map(Spanned::span)),
            (
                "category_weights",
                raw.category_weights.as_ref().map(Spanned::span),
            ),
            ("action", raw.action.as_ref().map(Spanned::span)),
            ("years", raw.years.as_ref().map(Spanned::span)),
            ("level", raw.level.as_ref().map(Spanned::span)),
            ("only_if", raw.only_if.as_ref().map(Spanned::span)),
        ];
        for (name, span) in present {
            if let Some(span) = span.filter(|_| !allowed.contains(&name)) {
                return Err(self.error(
                    span,
                    key(name),
                    format!("kind = \"{kind_name}\" の規則では使えません"),
                ));
            }
        }
        Ok(kind_name)
    }

    fn required_points(
        &self,
        index: usize,
        raw: &RawRule,
        what: &str,
    ) -> Result<Points, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        match &raw.points {
            Some(points) => self.points(points, &key("points")),
            None => Err(self.error(
                raw.kind.span(),
                key("points"),
                format!("{what}には points が必要です"),
            )),
        }
    }

    fn audit_report(&self, index: usize, raw: &RawRule) -> Result<RuleKind, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        Ok(RuleKind::AuditReport {
            points: self.required_points(index, raw, "監査報告書の規則")?,
            fiscal_years: match &raw.fiscal_years {
                None => 2,
                Some(value) => u32::try_from(*value.get_ref())
                    .ok()
                    .filter(|years| (1..=10).contains(years))
                    .ok_or_else(|| {
                        self.error(
                            value.span(),
                            key("fiscal_years"),
                            "1〜10の年度数にしてください",
                        )
                    })?,
            },
            report_kinds: match &raw.report_kinds {
                None => AUDIT_KINDS.iter().map(|k| k.to_string()).collect(),
                Some(kinds) => {
                    if kinds.get_ref().is_empty() {
                        return Err(self.error(
                            kinds.span(),
                            key("report_kinds"),
                            "1つ以上指定してください",
                        ));
                    }
                    for kind in kinds.get_ref() {
                        if !AUDIT_KINDS.contains(&kind.as_str()) {
                            return Err(self.error(
                            kinds.span(),
                            key("report_kinds"),
                            format!("「{kind}」は監査の種類ではありません（third_party・internal・onsite）"),
                        ));
                        }
                    }
                    kinds.get_ref().clone()
                }
            },
        })
    }

    fn checklist(&self, index: usize, raw: &RawRule) -> Result<RuleKind, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        let mut category_weights = BTreeMap::new();
        if let Some(weights) = &raw.category_weights {
            for (category, weight) in weights.get_ref() {
                let weight_key = key(&format!("category_weights.{category}"));
                category_weights.insert(
                    category.trim().to_string(),
                    self.points(weight, &weight_key)?,
                );
            }
        }
        Ok(RuleKind::Checklist {
            points: self.required_points(index, raw, "チェックシートの規則")?,
            category_weights,
        })
    }

    /// The rule's `years`: how far back it looks.
    fn years(&self, index: usize, raw: &RawRule) -> Result<u32, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        match &raw.years {
            None => Err(self.error(
                raw.kind.span(),
                key("years"),
                "対象とする年数（years）が必要です",
            )),
            Some(value) => u32::try_from(*value.get_ref())
                .ok()
                .filter(|years| (1..=20).contains(years))
                .ok_or_else(|| self.error(value.span(), key("years"), "1〜20の年数にしてください")),
        }
    }

    fn required_star(&self, index: usize, raw: &RawRule) -> Result<RuleKind, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        let value = raw.level.as_ref().ok_or_else(|| {
            self.error(
                raw.kind.span(),
                key("level"),
                "求める★（level = \"★3\" または \"★4\"）が必要です",
            )
        })?;
        let level = match Level::parse(Scheme::Meti, value.get_ref()) {
            Ok(Some(level @ (Level::Star3 | Level::Star4))) => level,
            _ => {
                return Err(self.error(
                    value.span(),
                    key("level"),
                    format!("「{}」は指定できません（★3・★4）", value.get_ref()),
                ))
            }
        };
        Ok(RuleKind::RequiredStar {
            level,
            penalty: self.penalty(index, raw)?,
        })
    }

    fn certification(&self, index: usize, raw: &RawRule) -> Result<RuleKind, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        let scheme_value = raw.scheme.as_ref().ok_or_else(|| {
            self.error(
                raw.kind.span(),
                key("scheme"),
                "認証の種類（scheme）が必要です",
            )
        })?;
        let scheme = Scheme::from_code(scheme_value.get_ref()).ok_or_else(|| {
            self.error(
                scheme_value.span(),
                key("scheme"),
                format!(
                    "認証の種類「{}」はありません（isms・pmark・security_action・ismap・meti）",
                    scheme_value.get_ref()
                ),
            )
        })?;
        let mut tiers = Vec::new();
        match (&raw.points, &raw.levels) {
            (Some(_), Some(levels)) => {
                return Err(self.error(
                    levels.span(),
                    key("levels"),
                    "points と levels はどちらか一方にしてください",
                ))
            }
            (None, None) => {
                return Err(self.error(
                    raw.kind.span(),
                    key("points"),
                    "points（または区分ごとの levels）が必要です",
                ))
            }
            (Some(points), None) => tiers.push(Tier {
                level: None,
                points: self.points(points, &key("points"))?,
            }),
            (None, Some(levels)) => {
                if scheme.levels().is_empty() {
                    return Err(self.error(
                        levels.span(),
                        key("levels"),
                        format!(
                            "{}には区分がありません。points を使ってください",
                            scheme.label()
                        ),
                    ));
                }
                for (name, points) in levels.get_ref() {
                    let level_key = key(&format!("levels.{name}"));
                    let level = Level::parse(scheme, name)
                        .map_err(|message| self.error(points.span(), &level_key, message))?;
                    tiers.push(Tier {
                        level,
                        points: self.points(points, &level_key)?,
                    });
                }
            }
        }
        tiers.sort_by(|a, b| b.points.cmp(&a.points).then(b.level.cmp(&a.level)));
        Ok(RuleKind::Certification {
            scheme,
            tiers,
            scope_confirmation: raw
                .scope_confirmation
                .as_ref()
                .is_some_and(|v| *v.get_ref()),
        })
    }

    fn penalty(&self, index: usize, raw: &RawRule) -> Result<Penalty, PolicyError> {
        let key = |name: &str| format!("rules[{index}].{name}");
        let action = raw.action.as_ref().ok_or_else(|| {
            self.error(
                raw.kind.span(),
                key("action"),
                "action（\"disqualify\" または \"deduct\"）が必要です",
            )
        })?;
        match (action.get_ref().as_str(), &raw.points) {
            ("disqualify", None) => Ok(Penalty::Disqualify),
            ("disqualify", Some(points)) => Err(self.error(
                points.span(),
                key("points"),
                "action = \"disqualify\" では points は使えません",
            )),
            ("deduct", Some(points)) => {
                let points = self.points(points, &key("points"))?;
                Ok(Penalty::Deduct(points))
            }
            ("deduct", None) => Err(self.error(
                action.span(),
                key("points"),
                "減点する点数（points）が必要です",
            )),
            (other, _) => Err(self.error(
                action.span(),
                key("action"),
                format!("「{other}」は指定できません（disqualify・deduct）"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_follows_the_domain_defaults() {
        let policy = Policy::builtin();
        assert_eq!(policy.reference(), "itaku-standard@1");
        assert_eq!(policy.max_points, Points::from_hundredths(1000));
        let max: Vec<(String, String)> = policy
            .rules
            .iter()
            .map(|rule| (rule.id.clone(), rule.max_points().to_string()))
            .collect();
        assert_eq!(
            max,
            [
                ("isms", "4"),
                ("pmark", "3"),
                ("ismap", "2"),
                ("meti", "3"),
                ("security_action", "1"),
                ("audit", "2"),
                ("checklist", "3"),
                ("mandatory_no", "0"),
                ("retention_violation", "0"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(policy.grade_for(Points::from_hundredths(800)), "A");
        assert_eq!(policy.grade_for(Points::from_hundredths(799)), "B");
        assert_eq!(policy.grade_for(Points::ZERO), "D");
    }

    fn error_of(text: &str) -> PolicyError {
        Policy::parse(text).expect_err("the policy should be refused")
    }

    fn with_rule(rule: &str) -> String {
        format!("id = \"p\"\nversion = 1\ntitle = \"t\"\nmax_points = 10\n[grades]\nA = 0\n\n[[rules]]\n{rule}\n")
    }

    #[test]
    fn errors_name_line_and_key() {
        let error = error_of(&with_rule(
            "id = \"x\"\nkind = \"certification\"\nscheme = \"isms\"\npoints = -1",
        ));
        assert_eq!(
            (error.line, error.key.as_str()),
            (Some(12), "rules[0].points")
        );
        assert!(
            error.to_string().starts_with("12行目 rules[0].points: "),
            "{error}"
        );

        let error = error_of(&with_rule(
            "id = \"x\"\nkind = \"certification\"\nscheme = \"iso\"\npoints = 1",
        ));
        assert_eq!(
            (error.line, error.key.as_str()),
            (Some(11), "rules[0].scheme")
        );

        let error = error_of(&with_rule("id = \"x\"\nkind = \"bonus\"\npoints = 1"));
        assert_eq!(
            (error.line, error.key.as_str()),
            (Some(10), "rules[0].kind")
        );

        let error = error_of(&with_rule(
            "id = \"x\"\nkind = \"certification\"\nscheme = \"meti\"\nlevels = { \"★9\" = 1 }",
        ));
        assert_eq!(error.key, "rules[0].levels.★9");
        assert_eq!(error.line, Some(12));

        let error = error_of(&with_rule(
            "id = \"x\"\nkind = \"audit_report\"\npoints = 1\nlevels = { \"★\" = 1 }",
        ));
        assert_eq!(error.key, "rules[0].levels");

        let error = error_of(&with_rule(
            "id = \"x\"\nkind = \"mandatory_no\"\naction = \"deduct\"",
        ));
        assert_eq!(error.key, "rules[0].points");

        let error = error_of(&with_rule(
            "id = \"x\"\nkind = \"certification\"\nscheme = \"isms\"\npoints = 1.255",
        ));
        assert_eq!(error.key, "rules[0].points");

        let error = error_of("id = \"p\"\nversion = 1\ntitle = \"t\"\nmax_points = 10\n[grades]\nA = 5\n[[rules]]\nid = \"x\"\nkind = \"audit_report\"\npoints = 1\n");
        assert_eq!((error.line, error.key.as_str()), (Some(5), "grades"));
    }

    #[test]
    fn syntax_and_unknown_keys_are_reported_by_line() {
        let error =
            error_of("id = \"p\"\nversion = 1\ntitle = \"t\"\nmax_points = 10\nbogus = 3\n");
        assert_eq!(error.line, Some(5));
        assert!(error.message.contains("bogus"), "{error}");
        let error = error_of("id = \"p\"\nversion = \n");
        assert_eq!(error.line, Some(2));
        let error = error_of(&with_rule("id = \"x\"\nkind = \"checklist\"\npoints = 3\n[[rules]]\nid = \"x\"\nkind = \"checklist\"\npoints = 1"));
        assert_eq!((error.line, error.key.as_str()), (Some(13), "rules[1].id"));
    }

    #[test]
    fn levels_are_ordered_highest_first() {
        let policy = Policy::builtin();
        let RuleKind::Certification { tiers, .. } = &policy.rules[4].kind else {
            panic!("security action is a certification rule")
        };
        assert_eq!(tiers[0].level, Some(Level::TwoStars));
        assert_eq!(tiers[1].level, Some(Level::OneStar));
    }
}
