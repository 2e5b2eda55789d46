//! A check-sheet definition: its items and the header names it accepts, read from a TOML file under
//! `checklists/`. A new edition of the sheet is a new file, never a code change.

use crate::domain::text::{item_key, label_key};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

/// The definition shipped with Itaku, built from the sample item list.
pub const BUILTIN: &str = include_str!("../../checklists/mic-outsourcing-2025.toml");

/// When an item is asked: at contract time, every year, or at the end of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Asked {
    #[serde(rename = "契約時")]
    AtContract,
    #[serde(rename = "年次")]
    Yearly,
    #[serde(rename = "終了時")]
    AtEnd,
}

impl Asked {
    pub fn label(self) -> &'static str {
        match self {
            Asked::AtContract => "契約時",
            Asked::Yearly => "年次",
            Asked::AtEnd => "終了時",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub category: String,
    pub requirement: String,
    pub mandatory: bool,
    pub asked: Asked,
}

/// Header names accepted for each column of the item table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub item_id: Vec<String>,
    pub category: Vec<String>,
    pub requirement: Vec<String>,
    pub mandatory: Vec<String>,
    pub answer: Vec<String>,
    pub note: Vec<String>,
    #[serde(default)]
    pub asked: Vec<String>,
}

/// Labels of the respondent block above the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RespondentLabels {
    pub vendor_name: Vec<String>,
    pub corporate_number: Vec<String>,
    pub filled_on: Vec<String>,
    pub filled_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub id: String,
    pub title: String,
    pub edition: String,
    pub columns: Columns,
    pub respondent: RespondentLabels,
    pub items: Vec<Item>,
}

/// A definition's items found by id as people type it (`crate::domain::text::item_key`).
pub struct ItemIndex<'a> {
    items: &'a [Item],
    by_key: std::collections::HashMap<String, &'a Item>,
}

impl<'a> ItemIndex<'a> {
    pub fn item(&self, id: &str) -> Option<&'a Item> {
        // Most sheets carry the ids exactly as defined.
        self.items
            .iter()
            .find(|item| item.id == id)
            .or_else(|| self.by_key.get(&item_key(id)).copied())
    }
}

/// `true` when `header` is one of `names`, ignoring width, case, spaces and brackets.
pub fn matches(names: &[String], header: &str) -> bool {
    let key = label_key(header);
    !key.is_empty() && names.iter().any(|name| label_key(name) == key)
}

impl Definition {
    pub fn builtin() -> Definition {
        Definition::parse(BUILTIN).expect("the built-in definition is valid")
    }

    /// Parses and checks a definition; errors name the line and key.
    pub fn parse(text: &str) -> Result<Definition, String> {
        let definition: Definition =
            toml::from_str(text).map_err(|e| format!("チェックシート定義を読み取れません: {e}"))?;
        definition.check()?;
        Ok(definition)
    }

    fn check(&self) -> Result<(), String> {
        if self.id.trim().is_empty()
            || !self
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err("id は英数字・ハイフン・下線で指定してください".into());
        }
        if self.items.is_empty() {
            return Err("items が1件もありません".into());
        }
        let mut seen = HashSet::new();
        for (index, item) in self.items.iter().enumerate() {
            if item.id.trim().is_empty() || item.requirement.trim().is_empty() {
                return Err(format!("items[{index}]: id と requirement は必須です"));
            }
            if !seen.insert(item_key(&item.id)) {
                return Err(format!(
                    "items[{index}].id: 項番「{}」が重複しています",
                    item.id
                ));
            }
        }
        for (key, names) in [
            ("columns.item_id", &self.columns.item_id),
            ("columns.answer", &self.columns.answer),
        ] {
            if names.is_empty() {
                return Err(format!("{key}: 見出し名を1つ以上指定してください"));
            }
        }
        Ok(())
    }

    /// Loads a definition by id or path: `None` is the built-in one; a path to a .toml file is read;
    /// otherwise `checklists/<id>.toml` under `dir`, or the built-in one when the id is its own.
    pub fn resolve(name: Option<&str>, dir: &Path) -> Result<Definition, String> {
        let builtin = Definition::builtin();
        let Some(name) = name else { return Ok(builtin) };
        let path = Path::new(name);
        let file = if name.ends_with(".toml") && path.exists() {
            path.to_path_buf()
        } else {
            dir.join(format!("{name}.toml"))
        };
        if file.exists() {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            return Definition::parse(&text).map_err(|e| format!("{}: {e}", file.display()));
        }
        if name == builtin.id {
            Ok(builtin)
        } else {
            Err(format!("チェックシート定義「{name}」が見つかりません"))
        }
    }

    /// One item by id as typed. Most sheets carry the ids exactly as defined, so only a miss is
    /// normalized; code that looks up many ids builds an `index` once instead.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id).or_else(|| {
            let key = item_key(id);
            self.items.iter().find(|item| item_key(&item.id) == key)
        })
    }

    /// The items by their normalized ids, for reading many rows: each definition id is normalized
    /// once, not once per row (normalizing every id for every row made a 50-item sheet take 5 ms).
    pub fn index(&self) -> ItemIndex<'_> {
        ItemIndex {
            items: &self.items,
            by_key: self
                .items
                .iter()
                .map(|item| (item_key(&item.id), item))
                .collect(),
        }
    }

    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string(self).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_definition_has_exactly_the_sample_items() {
        let definition = Definition::builtin();
        let sample = include_str!("../../checklists/mic-outsourcing-2025.toml");
        assert_eq!(definition.items.len(), 50);
        assert_eq!(definition.items.first().unwrap().id, "A-1");
        assert_eq!(definition.items.last().unwrap().id, "L-4");
        assert_eq!(
            definition.items.iter().filter(|i| i.mandatory).count(),
            sample.matches("mandatory = true").count()
        );
        assert_eq!(definition.item("ａ－１").unwrap().category, "体制");
        assert_eq!(definition.item("K-1").unwrap().asked, Asked::Yearly);
        assert!(matches(&definition.columns.answer, "回答欄"));
        assert!(matches(&definition.columns.note, "証跡・備考"));
        let round_trip = Definition::parse(&definition.to_toml().unwrap()).unwrap();
        assert_eq!(round_trip, definition);
    }

    #[test]
    fn errors_name_the_line_and_key() {
        let broken = BUILTIN.replacen("mandatory = true", "mandatory = \"はい\"", 1);
        let error = Definition::parse(&broken).unwrap_err();
        assert!(
            error.contains("line") && error.contains("mandatory"),
            "{error}"
        );
        let duplicated = BUILTIN.replacen("id = \"A-2\"", "id = \"A-1\"", 1);
        assert!(Definition::parse(&duplicated).unwrap_err().contains("重複"));
        let unknown = BUILTIN.replacen("asked = \"契約時\"", "asked = \"随時\"", 1);
        assert!(Definition::parse(&unknown).is_err());
    }
}
