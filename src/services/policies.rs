//! Scoring policies: the ones shipped under `checklists/policies/` are installed when the database is
//! opened; administrators add more. A version a tender used is never changed, only superseded.

use super::audit::{self, Event};
use crate::auth::Actor;
use crate::config::Settings;
use crate::db::policies::{self, NewPolicy, StoredPolicy};
use crate::db::{Conn, Db};
use crate::domain::ids::PolicyId;
use crate::error::{AppError, AppResult};
use crate::rating::policy::BUILTIN;
use crate::rating::Policy;
use serde_json::json;
use std::path::Path;

const SHIPPED_BY: &str = "Itaku（同梱）";

fn digest(text: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()))
}

/// The policy files shipped with Itaku: the built-in one and every `*.toml` under `<dir>/policies`.
fn shipped(dir: &Path) -> Vec<(String, String)> {
    let mut files = vec![("(built-in)".to_string(), BUILTIN.to_string())];
    let Ok(entries) = std::fs::read_dir(dir.join("policies")) else {
        return files;
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((path.display().to_string(), text)),
            Err(error) => log::warn!("{}: {error}", path.display()),
        }
    }
    files
}

/// Adds the shipped policies the database does not have yet. A shipped file whose version is already
/// stored with other content is left alone (stored versions never change) and reported in the log.
pub async fn install_shipped(db: &Db, settings: &Settings) -> AppResult<usize> {
    let mut added = 0;
    for (name, text) in shipped(Path::new(&settings.checklists_dir)) {
        let policy = match Policy::parse(&text) {
            Ok(policy) => policy,
            Err(error) => {
                log::warn!("scoring policy {name} is not installed: {error}");
                continue;
            }
        };
        let mut tx = db.begin().await?;
        let stored =
            policies::find_by_key(&mut tx, &policy.id, Some(policy.version as i64)).await?;
        match stored {
            Some(stored) if stored.sha256 != digest(&text) && name != "(built-in)" => log::warn!(
                "scoring policy {name}: {} is already stored with other content; add a new version instead",
                policy.reference()
            ),
            Some(_) => {}
            None => {
                let new = NewPolicy {
                    policy_key: &policy.id,
                    version: policy.version as i64,
                    title: &policy.title,
                    source: &text,
                    sha256: &digest(&text),
                    added_by: SHIPPED_BY,
                };
                policies::insert(&mut tx, &new).await?;
                added += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(added)
}

/// Checks a policy file and stores it as a new version, or replaces a version no tender has used.
/// The same file twice is a no-op.
pub async fn add(db: &Db, actor: &Actor, text: &str) -> AppResult<StoredPolicy> {
    let policy = Policy::parse(text).map_err(|error| AppError::Unprocessable(error.to_string()))?;
    let sha256 = digest(text);
    let new = NewPolicy {
        policy_key: &policy.id,
        version: policy.version as i64,
        title: &policy.title,
        source: text,
        sha256: &sha256,
        added_by: &actor.label,
    };
    let mut tx = db.begin().await?;
    let id = match policies::find_by_key(&mut tx, &policy.id, Some(policy.version as i64)).await? {
        Some(stored) if stored.sha256 == sha256 => return Ok(stored),
        Some(stored) => {
            if !policies::replace_unused(&mut tx, stored.id, &new).await? {
                return Err(AppError::Unprocessable(format!(
                    "加点方針 {} は案件で使用済みのため変更できません。version を上げて新しい版として追加してください",
                    policy.reference()
                )));
            }
            stored.id
        }
        None => policies::insert(&mut tx, &new).await?,
    };
    audit::record(
        &mut tx,
        actor,
        Event::new(
            "create",
            "rating_policy",
            id,
            format!("加点方針 {} を登録", policy.reference()),
        )
        .changes(None, Some(json!({"title": policy.title, "sha256": sha256}))),
    )
    .await?;
    let stored = policies::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(stored)
}

pub async fn list(db: &Db) -> AppResult<Vec<StoredPolicy>> {
    Ok(policies::all(&mut *db.acquire().await?).await?)
}

/// A stored version with its rules.
pub async fn get(db: &Db, id: PolicyId) -> AppResult<(StoredPolicy, Policy)> {
    let stored = policies::find(&mut *db.acquire().await?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let policy =
        Policy::parse(&stored.source).map_err(|error| AppError::Internal(error.to_string()))?;
    Ok((stored, policy))
}

/// The policy a reference names: `itaku-standard` (its latest version), `itaku-standard@1`, or a
/// stored id; none names the configured default.
pub async fn resolve(
    db: &Db,
    settings: &Settings,
    reference: Option<&str>,
) -> AppResult<StoredPolicy> {
    resolve_in(&mut *db.acquire().await?, settings, reference).await
}

/// [`resolve`] on a connection the caller holds (inside its transaction).
pub async fn resolve_in(
    conn: &mut Conn,
    settings: &Settings,
    reference: Option<&str>,
) -> AppResult<StoredPolicy> {
    let reference = reference
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(&settings.rating_policy);
    let found = if let Ok(id) = reference.parse::<PolicyId>() {
        policies::find(conn, id).await?
    } else {
        let (key, version) = match reference.split_once('@') {
            Some((key, version)) => match version.parse::<i64>() {
                Ok(version) => (key, Some(version)),
                Err(_) => return Err(unknown_policy(reference)),
            },
            None => (reference, None),
        };
        policies::find_by_key(conn, key, version).await?
    };
    found.ok_or_else(|| unknown_policy(reference))
}

fn unknown_policy(reference: &str) -> AppError {
    let mut errors = crate::error::FieldErrors::new();
    errors.add(
        "policy",
        format!("加点方針「{reference}」は登録されていません（例: itaku-standard または itaku-standard@1）"),
    );
    AppError::Validation(errors)
}
