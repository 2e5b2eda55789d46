//! Certifications a vendor holds (ISMS, プライバシーマーク, SECURITY ACTION, ISMAP, METI's evaluation),
//! their identifiers as the issuers write them, and whether one is valid on a given day.

use super::text::{label_key, normalize};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    Isms,
    Pmark,
    SecurityAction,
    Ismap,
    Meti,
}

impl Scheme {
    pub const ALL: [Scheme; 5] = [
        Scheme::Isms,
        Scheme::Pmark,
        Scheme::SecurityAction,
        Scheme::Ismap,
        Scheme::Meti,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Scheme::Isms => "isms",
            Scheme::Pmark => "pmark",
            Scheme::SecurityAction => "security_action",
            Scheme::Ismap => "ismap",
            Scheme::Meti => "meti",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scheme::Isms => "ISMS",
            Scheme::Pmark => "プライバシーマーク",
            Scheme::SecurityAction => "SECURITY ACTION",
            Scheme::Ismap => "ISMAP",
            Scheme::Meti => "セキュリティ対策評価制度",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Scheme::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The scheme as people write it in a vendor list: ISMS, ISO27001, Pマーク, セキュリティアクション, 評価制度 …
    pub fn parse(input: &str) -> Result<Self, String> {
        let key = label_key(input).replace(['-', '/', '.'], "");
        let scheme = match key.as_str() {
            "isms" | "iso27001" | "isoiec27001" | "jisq27001" | "isms認証" => Scheme::Isms,
            "ぷらいばしーまーく" | "pまーく" | "pmark" | "privacymark" => Scheme::Pmark,
            "securityaction" | "せきゅりてぃあくしょん" | "sa" => Scheme::SecurityAction,
            "ismap" | "ismapliu" => Scheme::Ismap,
            "評価制度"
            | "meti"
            | "scs評価"
            | "せきゅりてぃ対策評価制度"
            | "さぷらいちぇーん強化に向けたせきゅりてぃ対策評価制度"
            | "さぷらいちぇーん評価制度" => Scheme::Meti,
            _ if key.is_empty() => return Err("種別を入力してください".into()),
            _ => {
                return Err(format!(
                "種別「{}」は読み取れません（ISMS・プライバシーマーク・SECURITY ACTION・ISMAP・評価制度のいずれか）",
                input.trim()
            ))
            }
        };
        Ok(scheme)
    }

    /// The levels the scheme grants, empty when it has none.
    pub fn levels(self) -> &'static [Level] {
        match self {
            Scheme::SecurityAction => &[Level::OneStar, Level::TwoStars],
            Scheme::Meti => &[Level::Star3, Level::Star4, Level::Star5],
            _ => &[],
        }
    }

    /// Whether a certificate of the scheme has an expiry date at all (SECURITY ACTION has none).
    pub fn expires(self) -> bool {
        self != Scheme::SecurityAction
    }
}

/// ★ / ★★ for SECURITY ACTION, ★3 / ★4 / ★5 for METI's evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    OneStar,
    TwoStars,
    Star3,
    Star4,
    Star5,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::OneStar => "1",
            Level::TwoStars => "2",
            Level::Star3 => "3",
            Level::Star4 => "4",
            Level::Star5 => "5",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Level::OneStar => "★（一つ星）",
            Level::TwoStars => "★★（二つ星）",
            Level::Star3 => "★3",
            Level::Star4 => "★4",
            Level::Star5 => "★5",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Level::OneStar,
            Level::TwoStars,
            Level::Star3,
            Level::Star4,
            Level::Star5,
        ]
        .into_iter()
        .find(|l| l.code() == code)
    }

    /// A level as written for `scheme`: ★, ★★, 一つ星, 二つ星, ★3, 3, ★★★ …
    pub fn parse(scheme: Scheme, input: &str) -> Result<Option<Self>, String> {
        let text = normalize(input).replace(['☆', '*'], "★").replace(' ', "");
        if scheme.levels().is_empty() {
            return Ok(None);
        }
        let stars = text.chars().filter(|c| *c == '★').count();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let level = match (scheme, text.as_str(), stars, digits.as_str()) {
            (_, "", _, _) => {
                return Err(format!(
                    "{}の区分（★など）を入力してください",
                    scheme.label()
                ))
            }
            (Scheme::SecurityAction, "一つ星", _, _)
            | (Scheme::SecurityAction, _, 1, "")
            | (Scheme::SecurityAction, _, 0, "1") => Level::OneStar,
            (Scheme::SecurityAction, "二つ星", _, _)
            | (Scheme::SecurityAction, _, 2, "")
            | (Scheme::SecurityAction, _, 0, "2") => Level::TwoStars,
            (Scheme::Meti, _, _, "3") | (Scheme::Meti, _, 3, "") => Level::Star3,
            (Scheme::Meti, _, _, "4") | (Scheme::Meti, _, 4, "") => Level::Star4,
            (Scheme::Meti, _, _, "5") | (Scheme::Meti, _, 5, "") => Level::Star5,
            _ => {
                let allowed: Vec<&str> = scheme.levels().iter().map(|l| l.label()).collect();
                return Err(format!(
                    "区分「{}」は{}の区分ではありません（{}）",
                    input.trim(),
                    scheme.label(),
                    allowed.join("・")
                ));
            }
        };
        Ok(Some(level))
    }
}

/// A プライバシーマーク registration number in JIPDEC's form `AAnnnnnn(mm)`: AA the body (10 = JIPDEC,
/// 11 and up designated bodies), nnnnnn the business, mm the renewal count. 第11820163号 is accepted.
pub fn parse_pmark_number(input: &str) -> Result<String, String> {
    let text = normalize(input)
        .replace(['第', '号', ' ', '-', 'ー', '−'], "")
        .replace('（', "(")
        .replace('）', ")");
    let (main, renewal) = match text.split_once('(') {
        Some((main, rest)) => (
            main.to_string(),
            Some(rest.trim_end_matches(')').to_string()),
        ),
        None if text.len() == 10 && text.chars().all(|c| c.is_ascii_digit()) => {
            (text[..8].to_string(), Some(text[8..].to_string()))
        }
        None => (text.clone(), None),
    };
    let valid_main = main.len() == 8 && main.chars().all(|c| c.is_ascii_digit());
    let valid_renewal = renewal
        .as_deref()
        .is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_digit()));
    if !valid_main || !valid_renewal {
        return Err(format!(
            "登録番号「{}」はプライバシーマークの形式（例: 10820163(05)、第11820163号）ではありません",
            input.trim()
        ));
    }
    if &main[..2] < "10" {
        return Err(format!(
            "登録番号「{}」の審査機関番号（先頭2桁）は10以上です",
            input.trim()
        ));
    }
    Ok(match renewal {
        Some(r) => format!("{main}({r})"),
        None => main,
    })
}

/// The edition of ISO/IEC 27001 an ISMS certificate is against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IsmsStandard {
    /// Not recorded.
    #[default]
    Unknown,
    /// ISO/IEC 27001:2013 (JIS Q 27001:2014).
    Iso2013,
    /// ISO/IEC 27001:2022 (JIS Q 27001:2023).
    Iso2022,
}

impl IsmsStandard {
    pub fn code(self) -> &'static str {
        match self {
            IsmsStandard::Unknown => "",
            IsmsStandard::Iso2013 => "2013",
            IsmsStandard::Iso2022 => "2022",
        }
    }
    pub fn from_code(code: &str) -> Self {
        match code {
            "2013" => IsmsStandard::Iso2013,
            "2022" => IsmsStandard::Iso2022,
            _ => IsmsStandard::Unknown,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            IsmsStandard::Unknown => "",
            IsmsStandard::Iso2013 => "ISO/IEC 27001:2013（JIS Q 27001:2014）",
            IsmsStandard::Iso2022 => "ISO/IEC 27001:2022（JIS Q 27001:2023）",
        }
    }
    /// 「ISO/IEC 27001:2013」「JIS Q 27001:2014」「2022年版」 and the like; blank is not recorded.
    pub fn parse(input: &str) -> Result<Self, String> {
        let text = normalize(input);
        if text.trim().is_empty() {
            return Ok(IsmsStandard::Unknown);
        }
        let has = |year: &str| text.contains(year);
        match (has("2013") || has("2014"), has("2022") || has("2023")) {
            (true, false) => Ok(IsmsStandard::Iso2013),
            (false, true) => Ok(IsmsStandard::Iso2022),
            _ => Err(format!(
                "規格「{}」は読み取れません（例: ISO/IEC 27001:2022、JIS Q 27001:2014）",
                input.trim()
            )),
        }
    }
}

/// The last day certificates against ISO/IEC 27001:2013 counted: the end of the transition to 2022.
pub fn iso_2013_transition_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 10, 31).expect("a real day")
}

/// The expiry a certificate counts to: the printed one, but no later than the end of the 2013
/// edition's transition for an ISMS certificate against it.
pub fn effective_valid_until(
    scheme: Scheme,
    standard: IsmsStandard,
    printed: Option<NaiveDate>,
) -> Option<NaiveDate> {
    if scheme == Scheme::Isms && standard == IsmsStandard::Iso2013 {
        let end = iso_2013_transition_end();
        return Some(printed.map_or(end, |day| day.min(end)));
    }
    printed
}

/// A checked Pマーク number's registration (body and business, 8 digits, the same across renewals)
/// and its renewal count when typed: `10820163(05)` is (`10820163`, Some(5)).
pub fn pmark_parts(number: &str) -> (&str, Option<u32>) {
    match number.split_once('(') {
        Some((main, rest)) => (main, rest.trim_end_matches(')').parse().ok()),
        None => (number, None),
    }
}

/// What renewals of one certificate share: a Pマーク's registration without its renewal count; the
/// number itself for the other schemes.
pub fn renewal_key(scheme: Scheme, number: &str) -> &str {
    match scheme {
        Scheme::Pmark => pmark_parts(number).0,
        _ => number,
    }
}

/// How a certificate a list or form gives relates to the one stored under the same registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewal {
    /// The given one is the same or newer: store it (the number as it should be kept).
    Supersedes(CertificationDraft),
    /// The stored one is a later renewal: keep it.
    Older,
}

/// Compares a given certificate with the stored one of the same registration: the higher renewal
/// count is newer when both are typed, else the later expiry. A number typed without its renewal
/// count keeps the stored count while it describes the same period.
pub fn renewal(given: &CertificationDraft, stored: &CertificationDraft) -> Renewal {
    if given.scheme != Scheme::Pmark {
        return Renewal::Supersedes(given.clone());
    }
    let (registration, given_count) = pmark_parts(&given.number);
    let stored_count = pmark_parts(&stored.number).1;
    let later = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, None) => std::cmp::Ordering::Equal,
    };
    let order = match (given_count, stored_count) {
        (Some(g), Some(s)) if g != s => g.cmp(&s),
        _ => later(given.valid_until, stored.valid_until),
    };
    match order {
        std::cmp::Ordering::Less => Renewal::Older,
        std::cmp::Ordering::Equal if given_count.is_none() => {
            Renewal::Supersedes(CertificationDraft {
                number: stored.number.clone(),
                ..given.clone()
            })
        }
        std::cmp::Ordering::Greater if given_count.is_none() => {
            Renewal::Supersedes(CertificationDraft {
                number: registration.to_string(),
                ..given.clone()
            })
        }
        _ => Renewal::Supersedes(given.clone()),
    }
}

/// A SECURITY ACTION declaration id: 11 digits (hyphens and spaces ignored).
pub fn parse_security_action_id(input: &str) -> Result<String, String> {
    let digits: String = normalize(input)
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | 'ー' | '−'))
        .collect();
    if digits.len() == 11 && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(format!(
            "自己宣言IDは11桁の数字です（「{}」）",
            input.trim()
        ))
    }
}

/// The fields of a certification as typed, before they are checked.
#[derive(Debug, Clone, Default)]
pub struct CertificationFields {
    pub scheme: String,
    pub number: String,
    pub level: String,
    pub certification_body: String,
    pub scope: String,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// ISMS only: the edition of ISO/IEC 27001 (「2013」「JIS Q 27001:2023」…); blank when unknown.
    pub standard: String,
}

/// A certification whose every value is valid for its scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificationDraft {
    pub scheme: Scheme,
    pub number: String,
    pub level: Option<Level>,
    pub certification_body: String,
    pub scope: String,
    pub issued_on: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    /// ISMS: the edition of ISO/IEC 27001 it is against.
    pub standard: IsmsStandard,
}

const MAX_TEXT: usize = 500;

impl CertificationDraft {
    /// Checks the fields for their scheme; errors name the field (`scheme`, `number`, `level`, `scope`,
    /// `issued_on`, `valid_until`, `certification_body`).
    pub fn build(fields: &CertificationFields) -> Result<Self, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let scheme = match Scheme::from_code(fields.scheme.trim())
            .map(Ok)
            .unwrap_or_else(|| Scheme::parse(&fields.scheme))
        {
            Ok(scheme) => scheme,
            Err(message) => return Err(vec![("scheme", message)]),
        };
        let number_text = normalize(&fields.number);
        let number = match scheme {
            Scheme::Pmark => parse_pmark_number(&number_text),
            Scheme::SecurityAction => parse_security_action_id(&number_text),
            Scheme::Isms | Scheme::Ismap if number_text.is_empty() => {
                Err(format!("{}の登録番号を入力してください", scheme.label()))
            }
            _ => Ok(number_text),
        };
        let number = number.unwrap_or_else(|message| {
            errors.push(("number", message));
            String::new()
        });
        let level = Level::parse(scheme, &fields.level).unwrap_or_else(|message| {
            errors.push(("level", message));
            None
        });
        let scope = fields.scope.trim().to_string();
        if scheme == Scheme::Ismap && scope.is_empty() {
            errors.push(("scope", "ISMAPのサービス名を入力してください".into()));
        }
        for (field, text) in [
            ("scope", &scope),
            ("certification_body", &fields.certification_body),
            ("number", &number),
        ] {
            if text.chars().count() > MAX_TEXT
                || text.chars().any(char::is_control) && field != "scope"
            {
                errors.push((
                    field,
                    format!("{MAX_TEXT}文字以内で、制御文字を含めずに入力してください"),
                ));
            }
        }
        let needs_issue_date = matches!(scheme, Scheme::Isms | Scheme::SecurityAction);
        if needs_issue_date && fields.issued_on.is_none() {
            let what = if scheme == Scheme::SecurityAction {
                "宣言日"
            } else {
                "発行日（取得日）"
            };
            errors.push(("issued_on", format!("{what}を入力してください")));
        }
        if scheme.expires() && fields.valid_until.is_none() {
            errors.push(("valid_until", "有効期限を入力してください".into()));
        }
        if let (Some(issued), Some(until)) = (fields.issued_on, fields.valid_until) {
            if until < issued {
                errors.push((
                    "valid_until",
                    "有効期限は発行日（取得日）以降の日付にしてください".into(),
                ));
            }
        }
        let standard = match IsmsStandard::parse(&fields.standard) {
            Ok(standard) if scheme == Scheme::Isms => standard,
            Ok(IsmsStandard::Unknown) => IsmsStandard::Unknown,
            Ok(_) => {
                errors.push(("standard", "規格は ISMS の認証にだけ記入します".into()));
                IsmsStandard::Unknown
            }
            Err(message) => {
                errors.push(("standard", message));
                IsmsStandard::Unknown
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CertificationDraft {
            scheme,
            number,
            level,
            certification_body: fields.certification_body.trim().to_string(),
            scope,
            issued_on: fields.issued_on,
            valid_until: fields.valid_until,
            standard,
        })
    }
}

/// 有効 / 期限間近 / 期限切れ on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CertStatus {
    Valid,
    Expiring,
    Expired,
}

impl CertStatus {
    pub fn label(self) -> &'static str {
        match self {
            CertStatus::Valid => "有効",
            CertStatus::Expiring => "期限間近",
            CertStatus::Expired => "期限切れ",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            CertStatus::Valid => "valid",
            CertStatus::Expiring => "expiring",
            CertStatus::Expired => "expired",
        }
    }
}

/// Whether staff have checked a certificate: a vendor's own entry is declared until staff verify it
/// against the certificate file or the issuer's public register; only verified ones count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    Declared,
    Verified,
    Returned,
}

impl Verification {
    pub fn code(self) -> &'static str {
        match self {
            Verification::Declared => "declared",
            Verification::Verified => "verified",
            Verification::Returned => "returned",
        }
    }
    /// As the pages say it: a declared certificate is 未確認 (申告) until staff look at it.
    pub fn label(self) -> &'static str {
        match self {
            Verification::Declared => "未確認（申告）",
            Verification::Verified => "確認済",
            Verification::Returned => "差戻し",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        [
            Verification::Declared,
            Verification::Verified,
            Verification::Returned,
        ]
        .into_iter()
        .find(|v| v.code() == code)
    }
    pub fn counts(self) -> bool {
        self == Verification::Verified
    }
}

/// When a certificate starts to count as expiring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryWindows {
    /// Days before expiry, for every scheme but プライバシーマーク.
    pub days: u64,
    /// プライバシーマーク's renewal application window: opens this many months before expiry …
    pub pmark_opens_months: u32,
    /// … and closes this many months before it.
    pub pmark_closes_months: u32,
}

impl Default for ExpiryWindows {
    fn default() -> Self {
        ExpiryWindows {
            days: 90,
            pmark_opens_months: 8,
            pmark_closes_months: 4,
        }
    }
}

impl ExpiryWindows {
    /// The first day on which a certificate expiring on `valid_until` counts as expiring.
    pub fn expiring_from(&self, scheme: Scheme, valid_until: NaiveDate) -> NaiveDate {
        let from = match scheme {
            Scheme::Pmark => valid_until.checked_sub_months(Months::new(self.pmark_opens_months)),
            _ => valid_until.checked_sub_days(Days::new(self.days)),
        };
        from.unwrap_or(NaiveDate::MIN)
    }

    /// A certificate is valid through its expiry day; expiring from `expiring_from` on.
    pub fn status(
        &self,
        scheme: Scheme,
        valid_until: Option<NaiveDate>,
        day: NaiveDate,
    ) -> CertStatus {
        match valid_until {
            None => CertStatus::Valid,
            Some(until) if day > until => CertStatus::Expired,
            Some(until) if day >= self.expiring_from(scheme, until) => CertStatus::Expiring,
            Some(_) => CertStatus::Valid,
        }
    }

    /// プライバシーマーク's renewal application period (opens, closes), for a certificate expiring on `valid_until`.
    pub fn pmark_renewal_period(&self, valid_until: NaiveDate) -> (NaiveDate, NaiveDate) {
        let opens = valid_until
            .checked_sub_months(Months::new(self.pmark_opens_months))
            .unwrap_or(NaiveDate::MIN);
        let closes = valid_until
            .checked_sub_months(Months::new(self.pmark_closes_months))
            .unwrap_or(NaiveDate::MIN);
        (opens, closes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn schemes_as_people_write_them() {
        for (text, scheme) in [
            ("ISMS", Scheme::Isms),
            ("ＩＳＭＳ", Scheme::Isms),
            ("ISO/IEC 27001", Scheme::Isms),
            ("プライバシーマーク", Scheme::Pmark),
            ("Pマーク", Scheme::Pmark),
            ("ｐマーク", Scheme::Pmark),
            ("SECURITY ACTION", Scheme::SecurityAction),
            ("セキュリティアクション", Scheme::SecurityAction),
            ("ISMAP", Scheme::Ismap),
            ("評価制度", Scheme::Meti),
        ] {
            assert_eq!(Scheme::parse(text), Ok(scheme), "{text}");
        }
        assert!(Scheme::parse("ISO9001").unwrap_err().contains("ISO9001"));
    }

    #[test]
    fn levels() {
        let sa = Scheme::SecurityAction;
        assert_eq!(Level::parse(sa, "★"), Ok(Some(Level::OneStar)));
        assert_eq!(Level::parse(sa, "☆☆"), Ok(Some(Level::TwoStars)));
        assert_eq!(Level::parse(sa, "二つ星"), Ok(Some(Level::TwoStars)));
        assert!(Level::parse(sa, "★3").is_err());
        assert!(Level::parse(sa, "").is_err());
        assert_eq!(Level::parse(Scheme::Meti, "★4"), Ok(Some(Level::Star4)));
        assert_eq!(Level::parse(Scheme::Meti, "３"), Ok(Some(Level::Star3)));
        assert!(Level::parse(Scheme::Meti, "★★").is_err());
        assert_eq!(Level::parse(Scheme::Isms, "whatever"), Ok(None));
    }

    fn pmark(number: &str, until: (i32, u32, u32)) -> CertificationDraft {
        CertificationDraft {
            scheme: Scheme::Pmark,
            number: number.into(),
            level: None,
            certification_body: String::new(),
            scope: String::new(),
            issued_on: None,
            valid_until: NaiveDate::from_ymd_opt(until.0, until.1, until.2),
            standard: IsmsStandard::Unknown,
        }
    }

    #[test]
    fn an_isms_certificate_against_the_2013_edition_counts_until_the_transition_ended() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        for text in ["ISO/IEC 27001:2013", "JIS Q 27001:2014", "２０１３年版"] {
            assert_eq!(
                IsmsStandard::parse(text),
                Ok(IsmsStandard::Iso2013),
                "{text}"
            );
        }
        assert_eq!(
            IsmsStandard::parse("JIS Q 27001:2023"),
            Ok(IsmsStandard::Iso2022)
        );
        assert_eq!(IsmsStandard::parse(""), Ok(IsmsStandard::Unknown));
        assert!(IsmsStandard::parse("最新版").is_err());
        let printed = day(2027, 3, 31);
        assert_eq!(
            effective_valid_until(Scheme::Isms, IsmsStandard::Iso2013, printed),
            day(2025, 10, 31)
        );
        assert_eq!(
            effective_valid_until(Scheme::Isms, IsmsStandard::Iso2013, day(2025, 6, 30)),
            day(2025, 6, 30)
        );
        assert_eq!(
            effective_valid_until(Scheme::Isms, IsmsStandard::Iso2022, printed),
            printed
        );
    }

    #[test]
    fn a_pmark_renewal_supersedes_its_predecessor_with_or_without_the_suffix() {
        let stored = pmark("10820163(05)", (2026, 3, 31));
        assert_eq!(renewal_key(Scheme::Pmark, "10820163(05)"), "10820163");
        assert_eq!(renewal_key(Scheme::Pmark, "10820163"), "10820163");
        let next = pmark("10820163(06)", (2028, 3, 31));
        assert_eq!(renewal(&next, &stored), Renewal::Supersedes(next.clone()));
        assert_eq!(renewal(&stored, &next), Renewal::Older);
        // Typed without the suffix: the same period keeps the stored count, a later one drops it.
        let same = pmark("10820163", (2026, 3, 31));
        assert_eq!(
            renewal(&same, &stored),
            Renewal::Supersedes(pmark("10820163(05)", (2026, 3, 31)))
        );
        let later = pmark("10820163", (2028, 3, 31));
        assert_eq!(renewal(&later, &stored), Renewal::Supersedes(later.clone()));
        assert_eq!(
            renewal(&pmark("10820163", (2024, 3, 31)), &stored),
            Renewal::Older
        );
        // A stored number without the suffix is superseded by the suffixed renewal.
        assert_eq!(
            renewal(&next, &pmark("10820163", (2026, 3, 31))),
            Renewal::Supersedes(next.clone())
        );
    }

    #[test]
    fn pmark_numbers() {
        assert_eq!(parse_pmark_number("10820163(05)").unwrap(), "10820163(05)");
        assert_eq!(
            parse_pmark_number("１０８２０１６３（０５）").unwrap(),
            "10820163(05)"
        );
        assert_eq!(parse_pmark_number("1082016305").unwrap(), "10820163(05)");
        assert_eq!(parse_pmark_number("第11820163号").unwrap(), "11820163");
        assert!(parse_pmark_number("0982016305").is_err());
        assert!(parse_pmark_number("1082016(05)").is_err());
        assert!(parse_pmark_number("10820163(5)").is_err());
        assert!(parse_pmark_number("").is_err());
        assert!(parse_security_action_id("123-4567-8901").is_ok());
        assert!(parse_security_action_id("1234567890").is_err());
    }

    #[test]
    fn status_through_the_expiry_day() {
        let w = ExpiryWindows::default();
        let until = d(2026, 3, 31);
        assert_eq!(
            w.status(Scheme::Isms, Some(until), until),
            CertStatus::Expiring
        );
        assert_eq!(
            w.status(Scheme::Isms, Some(until), d(2026, 4, 1)),
            CertStatus::Expired
        );
        assert_eq!(
            w.status(Scheme::Isms, Some(until), d(2025, 12, 31)),
            CertStatus::Expiring
        );
        assert_eq!(
            w.status(Scheme::Isms, Some(until), d(2025, 12, 30)),
            CertStatus::Valid
        );
        assert_eq!(
            w.status(Scheme::SecurityAction, None, d(2099, 1, 1)),
            CertStatus::Valid
        );
    }

    #[test]
    fn pmark_renewal_window_edges() {
        let w = ExpiryWindows::default();
        let until = d(2026, 10, 31);
        // The window opens 8 months before: 2026-02-28 (no 31st in February).
        assert_eq!(w.expiring_from(Scheme::Pmark, until), d(2026, 2, 28));
        assert_eq!(
            w.status(Scheme::Pmark, Some(until), d(2026, 2, 27)),
            CertStatus::Valid
        );
        assert_eq!(
            w.status(Scheme::Pmark, Some(until), d(2026, 2, 28)),
            CertStatus::Expiring
        );
        assert_eq!(
            w.pmark_renewal_period(until),
            (d(2026, 2, 28), d(2026, 6, 30))
        );
        // A leap-day expiry: eight months earlier is 2027-06-29.
        assert_eq!(
            w.expiring_from(Scheme::Pmark, d(2028, 2, 29)),
            d(2027, 6, 29)
        );
    }

    #[test]
    fn drafts_check_each_scheme() {
        let fields = CertificationFields {
            scheme: "Pマーク".into(),
            number: "第11820163号".into(),
            valid_until: Some(d(2027, 3, 31)),
            ..Default::default()
        };
        let draft = CertificationDraft::build(&fields).unwrap();
        assert_eq!(draft.scheme, Scheme::Pmark);
        let sa = CertificationFields {
            scheme: "security_action".into(),
            number: "12345678901".into(),
            level: "★★".into(),
            ..Default::default()
        };
        let errors = CertificationDraft::build(&sa).unwrap_err();
        assert_eq!(errors[0].0, "issued_on");
        let isms = CertificationFields {
            scheme: "ISMS".into(),
            issued_on: Some(d(2025, 4, 1)),
            valid_until: Some(d(2025, 3, 31)),
            ..Default::default()
        };
        let errors = CertificationDraft::build(&isms).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.0).collect();
        assert_eq!(fields, ["number", "valid_until"]);
    }
}
