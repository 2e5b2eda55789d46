//! A query text with numbered `$n` placeholders, for queries whose filters are chosen at run time.
//! (sqlx's `QueryBuilder<Any>` writes `?`, which PostgreSQL does not accept.)

use sqlx::any::AnyArguments;
use sqlx::query::{Query, QueryAs};
use sqlx::{Any, FromRow};

#[derive(Debug, Clone)]
pub enum Param {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    /// NULL in an integer column.
    NullInt,
    /// NULL in a text column (PostgreSQL wants the parameter's type to match the column's).
    NullText,
}

impl From<Option<i64>> for Param {
    fn from(value: Option<i64>) -> Self {
        value.map_or(Param::NullInt, Param::Int)
    }
}

impl From<Option<String>> for Param {
    fn from(value: Option<String>) -> Self {
        value.map_or(Param::NullText, Param::Text)
    }
}

impl From<Vec<u8>> for Param {
    fn from(value: Vec<u8>) -> Self {
        Param::Bytes(value)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Param::Int(value)
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Param::Text(value)
    }
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Param::Text(value.to_string())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    params: Vec<Param>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            params: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder and remembers its value.
    pub fn bind(&mut self, value: impl Into<Param>) -> &mut Self {
        self.params.push(value.into());
        self.text.push_str(&format!("${}", self.params.len()));
        self
    }

    /// Turns conditions written as ` AND a AND b` into ` WHERE a AND b`, and no conditions into no
    /// clause at all: SQLite counts a whole table from its smallest index only without a WHERE.
    pub fn into_where(mut self) -> Sql {
        debug_assert!(self.text.is_empty() || self.text.starts_with(" AND "));
        if let Some(rest) = self.text.strip_prefix(" AND ") {
            self.text = format!(" WHERE {rest}");
        }
        self
    }

    /// Appends ` AND column IN ($a, $b, …)`, or a condition no row meets when `ids` is empty.
    pub fn and_in<I: Copy + Into<Param>>(&mut self, column: &str, ids: &[I]) -> &mut Self {
        if ids.is_empty() {
            return self.push(" AND 1 = 0");
        }
        self.push(&format!(" AND {column} IN ("));
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(*id);
        }
        self.push(")")
    }

    /// Appends another fragment with its own placeholders renumbered after ours.
    pub fn append(&mut self, other: &Sql) -> &mut Self {
        let offset = self.params.len();
        let mut renumbered = String::new();
        let mut chars = other.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                match digits.parse::<usize>() {
                    Ok(n) => renumbered.push_str(&format!("${}", n + offset)),
                    Err(_) => renumbered.push('$'),
                }
            } else {
                renumbered.push(c);
            }
        }
        self.text.push_str(&renumbered);
        self.params.extend(other.params.iter().cloned());
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text and every parameter: equal keys, equal queries.
    pub fn key(&self) -> String {
        format!("{}\u{0}{:?}", self.text, self.params)
    }

    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        self.params
            .iter()
            .fold(sqlx::query(&self.text), |q, p| match p {
                Param::Int(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.as_str()),
                Param::Bytes(v) => q.bind(v.as_slice()),
                Param::NullInt => q.bind(None::<i64>),
                Param::NullText => q.bind(None::<String>),
            })
    }

    pub fn query_as<T>(&self) -> QueryAs<'_, Any, T, AnyArguments<'_>>
    where
        T: for<'r> FromRow<'r, sqlx::any::AnyRow>,
    {
        self.params
            .iter()
            .fold(sqlx::query_as(&self.text), |q, p| match p {
                Param::Int(v) => q.bind(*v),
                Param::Text(v) => q.bind(v.as_str()),
                Param::Bytes(v) => q.bind(v.as_slice()),
                Param::NullInt => q.bind(None::<i64>),
                Param::NullText => q.bind(None::<String>),
            })
    }
}

/// Inserts `rows` into `table` with multi-row `INSERT`s of at most `per_statement` rows each; every
/// row has one value per column. The caller holds the transaction.
pub async fn insert_rows(
    conn: &mut super::Conn,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Param>>,
    per_statement: usize,
) -> Result<(), sqlx::Error> {
    let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = Sql::new(&head);
        for (index, row) in rows.by_ref().take(per_statement.max(1)).enumerate() {
            sql.push(if index == 0 { "(" } else { ", (" });
            for (column, value) in row.into_iter().enumerate() {
                if column > 0 {
                    sql.push(", ");
                }
                sql.bind(value);
            }
            sql.push(")");
        }
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern that matches `needle` anywhere.
pub fn contains_pattern(needle: &str) -> String {
    let mut pattern = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_lists_bind_each_id_and_an_empty_list_matches_nothing() {
        let mut sql = Sql::new("WHERE x = ");
        sql.bind(7).and_in("c.department_id", &[3, 4]);
        assert_eq!(sql.text, "WHERE x = $1 AND c.department_id IN ($2, $3)");
        assert_eq!(sql.params.len(), 3);
        let mut none = Sql::new("WHERE 1 = 1");
        none.and_in::<i64>("c.department_id", &[]);
        assert_eq!(none.text, "WHERE 1 = 1 AND 1 = 0");
    }

    #[test]
    fn numbers_placeholders_and_renumbers_appended_fragments() {
        let mut where_clause = Sql::new(" WHERE a = ");
        where_clause.bind(1).push(" AND b = ").bind("x");
        let mut sql = Sql::new("SELECT * FROM t WHERE z = ");
        sql.bind(9)
            .push(" AND EXISTS (SELECT 1")
            .append(&where_clause)
            .push(")");
        assert_eq!(
            sql.text(),
            "SELECT * FROM t WHERE z = $1 AND EXISTS (SELECT 1 WHERE a = $2 AND b = $3)"
        );
        assert_eq!(sql.params.len(), 3);
    }

    #[test]
    fn conditions_become_a_where_clause_and_none_become_nothing() {
        let mut some = Sql::new("");
        some.push(" AND a = ").bind(1).push(" AND b = ").bind(2);
        assert_eq!(some.into_where().text, " WHERE a = $1 AND b = $2");
        assert_eq!(Sql::new("").into_where().text, "");
    }

    #[test]
    fn escapes_like_patterns() {
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
