//! `itaku tender …`, `itaku rate` and `itaku policy …`: bid evaluation for scripts, through the same
//! services as the pages. The command line acts with every right, as the server's administrator.

use super::outcome::{Failure, Outcome};
use super::{cli_actor, connect, read_file};
use crate::auth::policy::EditScope;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::ids::TenderId;
use crate::error::AppError;
use crate::rating::Policy;
use crate::services::policies;
use crate::services::rating::{self, RatingView};
use crate::services::tenders::{self, BidderInput, TenderInput};
use clap::{Args, Subcommand};
use std::future::Future;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum TenderCommand {
    /// Create a tender; its id is printed on the last line.
    Create {
        #[arg(long)]
        title: String,
        /// 2026-04-01, 令和8年4月1日, R8.4.1 …
        #[arg(long)]
        evaluation_date: String,
        /// The scoring policy: `itaku-standard`, `itaku-standard@1` or a stored id (default: the configured one).
        #[arg(long)]
        policy: Option<String>,
        /// The work uses cloud services (ISMAP counts).
        #[arg(long)]
        cloud: bool,
        /// The work handles personal information.
        #[arg(long)]
        personal_data: bool,
        /// The department (所管課) by name.
        #[arg(long)]
        department: Option<String>,
        /// 予定価格 or 契約金額: 12000000, 1,200万円 …
        #[arg(long)]
        amount: Option<String>,
    },
    /// Add a bidder by its 法人番号, 登録番号 or 業者番号; with --name a vendor not yet registered is registered.
    AddBidder {
        #[arg(long)]
        tender: TenderId,
        /// The bidder's 法人番号 (13 digits), 登録番号 (T + 13 digits) or 業者番号.
        #[arg(long)]
        vendor: String,
        #[arg(long)]
        name: Option<String>,
        /// The ISMS scope has not been confirmed to cover the work (the ISMS rule then gives 0).
        #[arg(long)]
        scope_unconfirmed: bool,
    },
    /// List tenders.
    List,
    /// Freeze the rating with its facts; it cannot be re-rated afterwards.
    Finalize {
        #[arg(long)]
        tender: TenderId,
    },
    /// Copy a tender (bidders and their check sheets) into a new, open evaluation; prints the new id.
    Copy {
        #[arg(long)]
        tender: TenderId,
    },
}

#[derive(Args, Debug)]
pub struct RateArgs {
    #[arg(long)]
    pub tender: TenderId,
    /// Print the rating as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the 評価表 workbook to this file.
    #[arg(long)]
    pub xlsx: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// List stored scoring policies.
    List,
    /// Check a policy file without storing it: exit 0 valid, 1 invalid (errors name line and key).
    Check { file: PathBuf },
    /// Store a policy file as a new version (a version a tender used cannot be replaced).
    Add { file: PathBuf },
}

/// Runs `work` against the database, closing it afterwards.
async fn with_db<F, Fut>(settings: &Settings, work: F) -> Outcome
where
    F: FnOnce(Db) -> Fut,
    Fut: Future<Output = (Db, Result<(), AppError>)>,
{
    let db = connect(settings).await?;
    let (db, result) = work(db).await;
    db.close().await;
    result.map_err(Failure::from)
}

pub async fn tender(settings: &Settings, command: TenderCommand) -> Outcome {
    let (actor, scope) = (cli_actor(), EditScope::everything());
    with_db(settings, |db| async move {
        let result = async {
            match command {
                TenderCommand::Create {
                    title,
                    evaluation_date,
                    policy,
                    cloud,
                    personal_data,
                    department,
                    amount,
                } => {
                    let department_id = match department {
                        None => None,
                        Some(name) => Some(crate::services::departments::named(&db, &name).await?),
                    };
                    let input = TenderInput {
                        title: Some(title),
                        department_id,
                        evaluation_date: Some(evaluation_date),
                        policy,
                        uses_cloud: cloud,
                        handles_personal_data: personal_data,
                        amount,
                    };
                    let id = tenders::create(&db, settings, &actor, &scope, &input).await?;
                    println!("案件を登録しました");
                    println!("{id}");
                }
                TenderCommand::AddBidder {
                    tender,
                    vendor,
                    name,
                    scope_unconfirmed,
                } => {
                    let input = BidderInput {
                        identifier: Some(vendor),
                        name,
                    };
                    let bidder = tenders::add_bidder(&db, &actor, &scope, tender, &input).await?;
                    if scope_unconfirmed {
                        tenders::confirm_scope(&db, &actor, &scope, bidder, false).await?;
                    }
                    println!("入札者を追加しました");
                    println!("{bidder}");
                }
                TenderCommand::List => {
                    for t in tenders::list(&db, &scope.contracts).await? {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t入札者{}社",
                            t.id,
                            t.evaluation_date,
                            if t.finalized() { "確定" } else { "未確定" },
                            t.policy_reference(),
                            t.title,
                            t.bidder_count
                        );
                    }
                }
                TenderCommand::Finalize { tender } => {
                    rating::finalize(&db, settings, &actor, &scope, tender).await?;
                    println!("評価を確定しました");
                }
                TenderCommand::Copy { tender } => {
                    let id = rating::copy(&db, &actor, &scope, tender).await?;
                    println!("複製しました");
                    println!("{id}");
                }
            }
            Ok(())
        }
        .await;
        (db, result)
    })
    .await
}

fn print_rating(view: &RatingView) {
    let state = if view.frozen { "確定" } else { "暫定" };
    println!(
        "{}（評価日 {}、{}、{state}）",
        view.tender.title, view.rating.evaluation_date, view.rating.policy
    );
    for bidder in &view.rating.bidders {
        let rank = bidder.rank.map_or("—".to_string(), |r| r.to_string());
        println!(
            "{rank}\t{}\t{}\t{} / {}\t{}",
            bidder.identifier, bidder.name, bidder.points, bidder.max_points, bidder.grade
        );
        for line in bidder.breakdown.iter().filter(|l| l.applicable) {
            println!(
                "\t{}\t{}\t{}\t{}",
                line.label, line.points, line.evidence, line.reason
            );
        }
        for flag in &bidder.flags {
            println!("\t不適合: {flag}");
        }
    }
}

pub async fn rate(settings: &Settings, args: RateArgs) -> Outcome {
    with_db(settings, |db| async move {
        let result = async {
            let view = rating::current(
                &db,
                settings,
                &crate::db::contracts::Visibility::All,
                args.tender,
            )
            .await?;
            if let Some(path) = &args.xlsx {
                let bytes = rating::export_evaluation(&db, &cli_actor(), &view).await?;
                std::fs::write(path, bytes).map_err(|e| {
                    AppError::BadRequest(format!("{} に書き込めません: {e}", path.display()))
                })?;
            }
            if args.json {
                let text = serde_json::to_string_pretty(&rating::to_json(&view))
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                println!("{text}");
            } else {
                print_rating(&view);
            }
            Ok(())
        }
        .await;
        (db, result)
    })
    .await
}

pub async fn policy(settings: &Settings, command: PolicyCommand) -> Outcome {
    match command {
        PolicyCommand::Check { file } => {
            let bytes = read_file(&file)?;
            let policy = Policy::parse(&String::from_utf8_lossy(&bytes)).map_err(|error| {
                eprintln!("{}: {error}", file.display());
                Failure::Reported
            })?;
            println!(
                "{}: {}（{} 規則、上限 {}点）",
                policy.reference(),
                policy.title,
                policy.rules.len(),
                policy.max_points
            );
            Ok(())
        }
        PolicyCommand::Add { file } => {
            let bytes = read_file(&file)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| Failure::failed("方針ファイルは UTF-8 で保存してください"))?;
            with_db(settings, |db| async move {
                let result = policies::add(&db, &cli_actor(), &text).await.map(|stored| {
                    println!("加点方針 {} を登録しました", stored.reference());
                    println!("{}", stored.id);
                });
                (db, result)
            })
            .await
        }
        PolicyCommand::List => {
            with_db(settings, |db| async move {
                let result = policies::list(&db).await.map(|all| {
                    for p in all {
                        println!(
                            "{}\t{}\t{}\t案件{}件\t{}",
                            p.id,
                            p.reference(),
                            p.title,
                            p.tenders,
                            p.added_at
                        );
                    }
                });
                (db, result)
            })
            .await
        }
    }
}
