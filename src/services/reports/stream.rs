//! A report with every entry, written as JSON or as a workbook while it is read: the counts and the
//! report's frame are judged first, then each list's entries go from the database to the writer one
//! at a time, so the memory it takes does not grow with the registry. The JSON's bytes are those of
//! `to_json` over `dashboard(…, Window::ALL)`, pretty-printed.

use super::export;
use super::json::{self, Source};
use super::judged;
use super::{Entry, MissingChecklists, ReportKind, Window};
use crate::config::Settings;
use crate::db::contracts::{RecordScope, Visibility};
use crate::db::standings::judged::{List, ListedQuery};
use crate::db::{Conn, Db};
use crate::domain::certification::CertStatus;
use crate::error::{AppError, AppResult};
use crate::excel::writer::{ReportList, ReportWorkbook};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::cell::RefCell;
use std::io::Write;
use tokio::sync::mpsc::{channel, Receiver, Sender};

/// Batches of entries waiting for the writer; a bound, so that a slow reader holds back the database.
const QUEUED_BATCHES: usize = 4;
/// Contracts read in full at once for the certificate lists.
const CONTRACTS_AT_ONCE: usize = 500;
/// Entries handed to the writer at once: one hand-over per entry kept both threads waking each other.
const ENTRIES_AT_ONCE: usize = 256;

/// What goes from the database to the writer: a list's entries, a batch at a time, then the end of
/// that list.
enum Item {
    Entries(Vec<Entry>),
    End,
}

/// The report's JSON with its lists left to be streamed, in the order it is written.
enum Node {
    Value(Value),
    Object(Vec<(String, Node)>),
    Streamed,
}

impl Node {
    /// `value` with the arrays of `lists` marked as streamed; `order` gets their sources in the order
    /// the writer will ask for them.
    fn of(
        value: Value,
        path: &[&str],
        lists: &[(Option<&str>, &str, Source)],
        order: &mut Vec<Source>,
    ) -> Node {
        let listed = lists.iter().find(|(section, name, _)| match section {
            Some(section) => path == [*section, *name],
            None => path == [*name],
        });
        if let Some((_, _, source)) = listed {
            order.push(*source);
            return Node::Streamed;
        }
        match value {
            Value::Object(fields) => Node::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| {
                        let mut inner = path.to_vec();
                        inner.push(&key);
                        let node = Node::of(value, &inner, lists, order);
                        (key, node)
                    })
                    .collect(),
            ),
            other => Node::Value(other),
        }
    }
}

/// A node serialized with the entries of its streamed lists taken from `feed`.
struct Writing<'a> {
    node: &'a Node,
    feed: &'a RefCell<Receiver<Item>>,
}

impl Serialize for Writing<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.node {
            Node::Value(value) => value.serialize(serializer),
            Node::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (key, node) in fields {
                    let inner = Writing {
                        node,
                        feed: self.feed,
                    };
                    map.serialize_entry(key, &inner)?;
                }
                map.end()
            }
            Node::Streamed => {
                let mut seq = serializer.serialize_seq(None)?;
                loop {
                    match self.feed.borrow_mut().blocking_recv() {
                        Some(Item::Entries(entries)) => {
                            for entry in entries {
                                // As a value, whose fields are in the order `to_json` writes them.
                                let value =
                                    serde_json::to_value(&entry).map_err(S::Error::custom)?;
                                seq.serialize_element(&value)?;
                            }
                        }
                        Some(Item::End) => break,
                        None => return Err(S::Error::custom("一覧の読み出しが途中で終わりました")),
                    }
                }
                seq.end()
            }
        }
    }
}

/// What a report's writer does with the entries: the lists it takes, in order, and the writing,
/// which runs on a blocking thread as the entries come.
struct Writer<T> {
    order: Vec<Source>,
    write: Box<dyn FnOnce(Receiver<Item>) -> AppResult<T> + Send>,
}

/// Judges the frame of report `kind` (every count, no entry) and feeds the entries of the lists the
/// writer `writer_of` makes of it, all read in one snapshot.
async fn stream<T: Send + 'static>(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
    kind: ReportKind,
    writer_of: impl FnOnce(super::Dashboard) -> AppResult<Writer<T>>,
) -> AppResult<T> {
    let mut snapshot = db.begin_snapshot().await?;
    let kept = judged::Kept::of(&mut snapshot, db).await?;
    let part = judged::Part::frame(kind);
    let frame = judged::judge_visible(&mut snapshot, &kept, settings, visibility, as_of, part);
    let frame = frame.await?;
    let Writer { order, write } = writer_of(frame)?;
    let (sender, receiver) = channel(QUEUED_BATCHES);
    let writing = tokio::task::spawn_blocking(move || write(receiver));
    let feed = Feed {
        kept: &kept,
        settings,
        scope: RecordScope::Visible(visibility),
        visibility,
        as_of,
        sender,
        batch: Default::default(),
    };
    let fed = feed.lists(&mut snapshot, &order).await;
    drop(feed);
    let written = writing
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    snapshot.rollback().await?;
    fed?;
    written
}

/// Report `kind` of what `visibility` sees on `as_of` as an .xlsx workbook of every entry, its cover
/// stamped with `judged_at`, the moment its data is read.
pub async fn write_workbook(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
    kind: ReportKind,
    judged_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<Vec<u8>> {
    let stamp = crate::services::japan_moment_to_the_second(judged_at);
    stream(db, settings, visibility, as_of, kind, |frame| {
        if kind == ReportKind::Incidents {
            let incidents = frame.incidents;
            return Ok(Writer {
                order: Vec::new(),
                write: Box::new(move |_| export::incidents_workbook(&incidents, &stamp)),
            });
        }
        let sheets = export::sheets_of(kind);
        let lists: Vec<(&'static str, usize)> = sheets
            .iter()
            .map(|(name, source)| (*name, json::total_of(&frame, *source)))
            .collect();
        let indicators = match kind {
            ReportKind::Kpi | ReportKind::All => frame.kpi.indicators,
            _ => Vec::new(),
        };
        Ok(Writer {
            order: sheets.iter().map(|(_, source)| *source).collect(),
            write: Box::new(move |feed| workbook(kind, as_of, &stamp, &lists, &indicators, feed)),
        })
    })
    .await
}

fn workbook(
    kind: ReportKind,
    as_of: NaiveDate,
    judged_at: &str,
    lists: &[(&str, usize)],
    indicators: &[crate::judging::Indicator],
    mut feed: Receiver<Item>,
) -> AppResult<Vec<u8>> {
    let failed =
        |e: &dyn std::fmt::Display| AppError::Internal(format!("Excelを書き出せません: {e}"));
    let listed: Vec<ReportList> = lists
        .iter()
        .map(|(name, entries)| ReportList {
            name,
            entries: *entries,
        })
        .collect();
    let mut book = ReportWorkbook::new(kind.title(), as_of, judged_at, &listed, indicators)
        .map_err(|e| failed(&e))?;
    for index in 0..listed.len() {
        loop {
            match feed.blocking_recv() {
                Some(Item::Entries(entries)) => {
                    for entry in &entries {
                        book.add(index, entry).map_err(|e| failed(&e))?;
                    }
                }
                Some(Item::End) => break,
                None => return Err(failed(&"一覧の読み出しが途中で終わりました")),
            }
        }
    }
    book.finish().map_err(|e| failed(&e))
}

/// Writes report `kind` of what `visibility` sees on `as_of`, with every entry, as pretty JSON and a
/// line end to `out`, which it hands back.
pub async fn write_json<W: Write + Send + 'static>(
    db: &Db,
    settings: &Settings,
    visibility: &Visibility,
    as_of: NaiveDate,
    kind: ReportKind,
    out: W,
) -> AppResult<W> {
    stream(db, settings, visibility, as_of, kind, |frame| {
        let lists = json::lists_in(kind, &frame);
        let value = json::to_json(&frame, kind, Window::ALL)?;
        let mut order = Vec::new();
        let node = Node::of(value, &[], &lists, &mut order);
        Ok(Writer {
            order,
            write: Box::new(move |feed| write(out, &node, feed)),
        })
    })
    .await
}

fn write<W: Write>(out: W, node: &Node, feed: Receiver<Item>) -> AppResult<W> {
    let failed =
        |e: &dyn std::fmt::Display| AppError::Internal(format!("JSONを書き出せません: {e}"));
    let mut out = std::io::BufWriter::new(out);
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    let feed = RefCell::new(feed);
    Writing { node, feed: &feed }
        .serialize(&mut serializer)
        .map_err(|e| failed(&e))?;
    out.write_all(b"\n").map_err(|e| failed(&e))?;
    out.into_inner().map_err(|e| failed(&e))
}

/// Sends the streamed lists' entries to the writer.
struct Feed<'a> {
    kept: &'a judged::Kept<'a>,
    settings: &'a Settings,
    scope: RecordScope<'a>,
    visibility: &'a Visibility,
    as_of: NaiveDate,
    sender: Sender<Item>,
    batch: std::sync::Mutex<Vec<Entry>>,
}

/// Whether the writer still takes entries (when it stopped, it says why).
type Open = bool;

impl Feed<'_> {
    /// Each list of `order`, one after the other, each followed by its end.
    async fn lists(&self, conn: &mut Conn, order: &[Source]) -> AppResult<()> {
        let rules = self.settings.obligation_rules();
        let certificates = order
            .iter()
            .any(|source| matches!(source, Source::Certificates(_)));
        let held = match certificates {
            true => judged::held_by(conn, self.kept, self.visibility).await?,
            false => Default::default(),
        };
        let certified = judged::certified(self.kept, held, &rules, self.as_of);
        let holdings = match certificates {
            true => {
                judged::holdings(conn, self.kept.reads(), self.scope, &rules, self.as_of).await?
            }
            false => Default::default(),
        };
        let mut ending = None;
        for source in order {
            let open = match source {
                Source::Listed(list) => self.listed(conn, *list, &rules, |e| [e]).await?,
                Source::ChecklistsMissing => self.checklists_missing(conn, &rules).await?,
                Source::Certificates(status) => {
                    let (expired, expiring) = ending
                        .get_or_insert_with(|| judged::ending(&holdings, &certified, usize::MAX));
                    let list = match status {
                        CertStatus::Expired => expired,
                        _ => expiring,
                    };
                    self.certificates(conn, list).await?
                }
            };
            if !open || !self.flush().await || !self.send(Item::End).await {
                return Ok(());
            }
        }
        Ok(())
    }

    async fn send(&self, item: Item) -> Open {
        self.sender.send(item).await.is_ok()
    }

    /// The entries of `list`, each turned by `then` into those to send now.
    async fn listed<I: IntoIterator<Item = Entry>>(
        &self,
        conn: &mut Conn,
        list: List,
        rules: &crate::domain::obligation::Rules,
        mut then: impl FnMut(Entry) -> I,
    ) -> AppResult<Open> {
        let query = ListedQuery::new(self.scope, list, self.as_of, rules, None);
        let mut rows = query.rows(conn);
        while let Some(row) = rows.try_next().await? {
            if !self
                .send_all(then(judged::entry(list, row, self.as_of)))
                .await
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The first check sheets missing and this year's, merged in one order of lateness as the
    /// dashboard merges them (`MissingChecklists`).
    async fn checklists_missing(
        &self,
        conn: &mut Conn,
        rules: &crate::domain::obligation::Rules,
    ) -> AppResult<Open> {
        let mut merging = MissingChecklists::default();
        let first = List::ChecklistsMissing;
        if !self
            .listed(conn, first, rules, |e| merging.first(e))
            .await?
        {
            return Ok(false);
        }
        let yearly = List::YearlyChecklistsMissing;
        if !self
            .listed(conn, yearly, rules, |e| merging.yearly(e))
            .await?
        {
            return Ok(false);
        }
        Ok(self.send_all(merging.rest()).await)
    }

    /// Adds entries to the batch, handing it to the writer when full.
    async fn send_all(&self, entries: impl IntoIterator<Item = Entry>) -> Open {
        for entry in entries {
            let full = {
                let mut batch = self.batch.lock().expect("never held across an await");
                batch.push(entry);
                (batch.len() >= ENTRIES_AT_ONCE).then(|| std::mem::take(&mut *batch))
            };
            if let Some(full) = full {
                if !self.send(Item::Entries(full)).await {
                    return false;
                }
            }
        }
        true
    }

    /// Hands the entries batched so far to the writer.
    async fn flush(&self) -> Open {
        let rest = std::mem::take(&mut *self.batch.lock().expect("never held across an await"));
        rest.is_empty() || self.send(Item::Entries(rest)).await
    }

    async fn certificates(&self, conn: &mut Conn, list: &[judged::Ending<'_>]) -> AppResult<Open> {
        for chunk in list.chunks(CONTRACTS_AT_ONCE) {
            let entries =
                judged::ending_entries(conn, self.kept.reads(), chunk, self.as_of).await?;
            if !self.send_all(entries).await {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
