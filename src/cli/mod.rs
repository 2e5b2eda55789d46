//! The command line: every subcommand calls the same service functions as the web pages.

use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;
use crate::services::{self, backup, demo, ledger};
use clap::{Parser, Subcommand};
use figment::Figment;
use outcome::{exit_code, succeeded_if, Failure, Outcome};
use std::path::PathBuf;
use std::process::ExitCode;

mod list_import;
mod outcome;
mod remind;
mod suspensions;
mod tenders;
mod tracking;
mod vendors;
pub use tenders::{PolicyCommand, RateArgs, TenderCommand};
pub use tracking::{CertificationCommand, ReportArgs};

#[derive(Parser, Debug)]
#[command(
    name = "itaku",
    version,
    about = "Itaku（委託）: 委託先の情報セキュリティ管理"
)]
pub struct Cli {
    /// Database URL: sqlite://itaku.db (default) or postgres://user@host/db. Also DATABASE_URL.
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the web server (127.0.0.1:8000 unless ROCKET_ADDRESS / ROCKET_PORT say otherwise).
    Serve {
        /// Load the sample data when the database is empty and allow running without a secret key.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// The contract ledger (契約台帳).
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for scripts.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The outsourcing security check sheet.
    Checklist {
        #[command(subcommand)]
        command: ChecklistCommand,
    },
    /// Vendors' certifications (ISMS, プライバシーマーク, SECURITY ACTION, ISMAP, 評価制度).
    Certifications {
        #[command(subcommand)]
        command: CertificationCommand,
    },
    /// The vendor registry: import the list of qualified bidders (入札参加資格者名簿).
    Vendors {
        #[command(subcommand)]
        command: vendors::VendorCommand,
    },
    /// Suspensions from bidding (指名停止): import the contract office's list.
    Suspensions {
        #[command(subcommand)]
        command: suspensions::SuspensionCommand,
    },
    /// What contracts owe on a day: retention, audits, certifications, checklists, kpi or all.
    Report(ReportArgs),
    /// Tenders (案件) and their bidders, for bid evaluation.
    Tender {
        #[command(subcommand)]
        command: TenderCommand,
    },
    /// Rate a tender's bidders (総合評価の情報セキュリティ加点).
    Rate(RateArgs),
    /// Scoring policies for bid evaluation.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Write a consistent copy of the database while the server runs (SQLite: VACUUM INTO; PostgreSQL: pg_dump).
    Backup {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Restore a backup into the configured database, then apply newer migrations.
    Restore {
        file: PathBuf,
        /// Replace a database that already holds data (stop the server first).
        #[arg(long)]
        replace: bool,
        #[arg(long)]
        json: bool,
    },
    /// Send the day's reminders of deadlines (for cron; the server also sends them at `remind_at`).
    Remind(remind::RemindArgs),
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Rebuild every contract's standings from its records and compare them with the kept ones: exit 0
    /// when they agree, 1 when not.
    Rejudge {
        /// Replace the kept standings by the rebuilt ones when they differ.
        #[arg(long)]
        repair: bool,
        #[arg(long)]
        json: bool,
    },
    /// Fill the database with a deterministic synthetic dataset (for benchmarks and load tests).
    Seed {
        #[arg(long)]
        vendors: usize,
        #[arg(long)]
        contracts: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the counts as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk the hash chain and name the first entry that does not fit: exit 0 intact, 1 broken.
    Verify {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ChecklistCommand {
    /// Read a filled check sheet and say whether it would be accepted: exit 0 accepted, 1 refused, 2 usage.
    Check {
        file: PathBuf,
        /// A definition id under checklists/, or a path to a .toml file (default: the configured one).
        #[arg(long)]
        definition: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write the blank workbook vendors fill.
    Template {
        #[arg(long)]
        definition: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// Prefill the respondent block.
        #[arg(long)]
        vendor_name: Option<String>,
        /// The vendor's 法人番号, 登録番号 (T + 13 digits) or 業者番号.
        #[arg(long, alias = "corporate-number")]
        identifier: Option<String>,
    },
    /// Derive a definition from a blank workbook of a new edition.
    Learn {
        file: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// The new definition's id (default: the output file's name).
        #[arg(long)]
        id: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user. Without --password-stdin a password is generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        /// admin, officer, ciso or vendor.
        #[arg(long)]
        role: String,
        /// The vendor's 法人番号 (vendor users).
        #[arg(long)]
        vendor: Option<String>,
        /// A department the officer works for (repeatable).
        #[arg(long)]
        department: Vec<String>,
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user; the token is printed alone on the last line.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        expires_in_days: Option<i64>,
        #[arg(long, default_value = "CLI")]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Import a ledger (.xlsx, .xls, .ods or .csv): exit 0 when imported, 1 when refused, 2 on usage errors.
    Import {
        file: PathBuf,
        /// Check and count without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a command; `early_worker` is a parse worker started before anything else (`Cli::reads_files`).
pub async fn run(
    cli: Cli,
    early_worker: Option<(std::path::PathBuf, std::process::Child)>,
) -> ExitCode {
    exit_code(dispatch(cli, early_worker).await)
}

async fn dispatch(
    cli: Cli,
    early_worker: Option<(std::path::PathBuf, std::process::Child)>,
) -> Outcome {
    let mut figment = crate::app::figment();
    if let Some(url) = &cli.database_url {
        figment = figment.merge(("database_url", url));
    }
    let settings = Settings::from_figment(&figment).map_err(Failure::usage)?;
    let sandbox = crate::sandbox::Sandbox::one_off(&settings).adopt(early_worker);
    match cli.command {
        Command::Serve { demo } => serve(figment, settings, demo).await,
        Command::Migrate => {
            let db = Db::connect(&settings.database_url, 1)
                .await
                .map_err(Failure::failed)?;
            db.close().await;
            println!("migrations applied to {}", redact(&settings.database_url));
            Ok(())
        }
        Command::Ledger {
            command:
                LedgerCommand::Import {
                    file,
                    dry_run,
                    json,
                },
        } => import_ledger(&settings, &sandbox, &file, dry_run, json).await,
        Command::User { command } => user_command(&settings, command).await,
        Command::Checklist { command } => checklist_command(&settings, &sandbox, command).await,
        Command::Certifications { command } => {
            tracking::certifications(&settings, &sandbox, command).await
        }
        Command::Vendors { command } => vendors::vendors(&settings, &sandbox, command).await,
        Command::Suspensions { command } => {
            suspensions::suspensions(&settings, &sandbox, command).await
        }
        Command::Report(args) => tracking::report(&settings, args).await,
        Command::Tender { command } => tenders::tender(&settings, command).await,
        Command::Rate(args) => tenders::rate(&settings, args).await,
        Command::Policy { command } => tenders::policy(&settings, command).await,
        Command::Audit {
            command: AuditCommand::Verify { json },
        } => verify_audit_log(&settings, json).await,
        Command::Remind(args) => remind::remind(&settings, args).await,
        Command::Rejudge { repair, json } => rejudge(&settings, repair, json).await,
        Command::Backup { out, json } => {
            let done = backup::backup(&settings.database_url, &out).await;
            report_snapshot("バックアップ", done, json)
        }
        Command::Restore {
            file,
            replace,
            json,
        } => {
            let done = backup::restore(&settings.database_url, &file, replace).await;
            report_snapshot("復元", done, json)
        }
        Command::Seed {
            vendors,
            contracts,
            seed,
            json,
        } => seed_database(&settings, vendors, contracts, seed, json).await,
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    expires_in_days,
                    name,
                },
        } => create_token(&settings, &user, expires_in_days, &name).await,
    }
}

/// The day given with `--as-of` (default today in Japan), or the usage failure naming what is wrong.
fn as_of(given: Option<&str>) -> Result<chrono::NaiveDate, Failure> {
    services::as_of(given).map_err(|errors| {
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_ref()).collect();
        Failure::usage(messages.join("\n"))
    })
}

/// Prints `value` as indented JSON.
fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

async fn verify_audit_log(settings: &Settings, json: bool) -> Outcome {
    let db = connect(settings).await?;
    let report = crate::services::audit::verify_chain(&db).await;
    db.close().await;
    let report = report?;
    if json {
        print_json(&report);
    } else {
        match &report.first_break {
            None => println!(
                "監査ログの連鎖は整合しています: {}件（連鎖の開始前の記録 {}件）、末尾のハッシュ {}",
                report.entries, report.before_chain, report.head_hash
            ),
            Some(found) => println!(
                "監査ログの連鎖が切れています: 番号 {}（{} {}）: {}",
                found.id, found.occurred_at, found.summary, found.reason
            ),
        }
    }
    succeeded_if(report.intact())
}

async fn rejudge(settings: &Settings, repair: bool, json: bool) -> Outcome {
    let db = connect(settings).await?;
    let rejudged = crate::services::standings::rejudge(&db, repair).await;
    db.close().await;
    let rejudged = rejudged?;
    if json {
        print_json(&rejudged);
    } else {
        println!(
            "{}件の契約の判定を記録から作り直して比較しました: 不一致 {}件",
            rejudged.contracts, rejudged.differing
        );
        for example in &rejudged.examples {
            println!("  {example}");
        }
        if rejudged.repaired {
            println!("保持していた判定を作り直したものに置き換えました。");
        }
    }
    succeeded_if(rejudged.agrees() || rejudged.repaired)
}

fn report_snapshot(
    what: &str,
    done: Result<backup::Snapshot, backup::BackupError>,
    json: bool,
) -> Outcome {
    let snapshot = done.map_err(Failure::failed)?;
    if json {
        print_json(&snapshot);
    } else {
        println!("{what}: {} ({} bytes)", snapshot.file, snapshot.bytes);
        for (table, rows) in &snapshot.tables {
            println!("  {table}: {rows}");
        }
    }
    Ok(())
}

impl Cli {
    /// Whether the command runs the web server (which wants Rocket's multi-threaded runtime).
    pub fn serves(&self) -> bool {
        matches!(self.command, Command::Serve { .. })
    }

    /// Whether the command parses a spreadsheet, and so wants a parse worker from its first moment.
    pub fn reads_files(&self) -> bool {
        matches!(
            self.command,
            Command::Ledger { .. }
                | Command::Certifications { .. }
                | Command::Vendors { .. }
                | Command::Suspensions { .. }
                | Command::Checklist {
                    command: ChecklistCommand::Check { .. } | ChecklistCommand::Learn { .. }
                }
        )
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn serve(mut figment: Figment, mut settings: Settings, demo: bool) -> Outcome {
    let server = crate::app::Server::of(&figment);
    let (has_secret_key, profile) = (server.has_secret_key, server.profile.clone());
    if !demo && !has_secret_key && !server.debug {
        return Err(Failure::usage(format!(
            "エラー: {profile} プロファイルでは secret_key の設定が必要です（ROCKET_SECRET_KEY に `openssl rand -base64 32` の値を設定してください）。試用だけなら --demo で起動できます"
        )));
    }
    if demo && !has_secret_key {
        figment = figment.merge(("secret_key", crate::random_token() + &crate::random_token()));
    }
    if demo {
        // The printed logins must work as printed; the sign-in page says a real deployment asks
        // administrators and the CISO for a second factor.
        settings.demo = true;
        settings.mfa_required_roles.clear();
    }
    let db = Db::connect(&settings.database_url, settings.max_connections)
        .await
        .map_err(Failure::failed)?;
    if demo {
        match demo::load_if_empty(&db, &settings, services::today()).await? {
            Some(report) => println!(
                "デモデータを読み込みました: 契約 {} 件、事業者 {} 社、所管課 {} 課",
                report.imported, report.created_vendors, report.created_departments
            ),
            None => println!("データベースに契約があるため、デモデータは読み込みませんでした"),
        }
    }
    println!("データベース: {}", redact(&settings.database_url));
    announce_accounts(&db, &figment, demo).await?;
    crate::app::launch(figment, settings, db)
        .await
        .map_err(Failure::failed)
}

async fn seed_database(
    settings: &Settings,
    vendors: usize,
    contracts: usize,
    seed: u64,
    json: bool,
) -> Outcome {
    if vendors == 0 || contracts == 0 {
        return Err(Failure::usage(
            "--vendors と --contracts は1以上にしてください",
        ));
    }
    let db = connect(settings).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>8} {bar:40} {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let plan = services::seed::Plan {
        vendors,
        contracts,
        seed,
    };
    let result = services::seed::run(
        &db,
        settings,
        plan,
        services::today(),
        &mut |step, done, total| {
            bar.set_message(step.to_string());
            bar.set_length(total);
            bar.set_position(done);
        },
    )
    .await;
    bar.finish_and_clear();
    db.close().await;
    let r = result?;
    if json {
        print_json(&r);
    } else {
        println!(
            "合成データを作成しました（{:.1}秒）: 所管課 {}、事業者 {}、認証 {}、契約 {}、消去証明書 {}、監査報告書 {}、チェックシート {}（回答 {}）、案件 {}（入札者 {}）",
            r.seconds, r.departments, r.vendors, r.certifications, r.contracts, r.deletion_certificates,
            r.audit_reports, r.submissions, r.answers, r.tenders, r.bidders
        );
    }
    Ok(())
}

/// The bytes of a file named on the command line, or the usage failure.
fn read_file(file: &std::path::Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(file)
        .map_err(|error| Failure::usage(format!("{} を読み込めません: {error}", file.display())))
}

/// The database, with the shipped scoring policies installed.
async fn connect(settings: &Settings) -> Result<Db, Failure> {
    let db = Db::connect(&settings.database_url, 2)
        .await
        .map_err(Failure::failed)?;
    services::policies::install_shipped(&db, settings).await?;
    Ok(db)
}

async fn import_ledger(
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    file: &std::path::Path,
    dry_run: bool,
    json: bool,
) -> Outcome {
    let (bytes, db) = list_import::open(settings, file).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 行 ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );

    let actor = cli_actor();
    let scope = crate::auth::policy::EditScope::everything();
    let result = ledger::import(
        &db,
        &actor,
        &scope,
        &bytes,
        settings,
        sandbox,
        dry_run,
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )
    .await;
    bar.finish_and_clear();
    db.close().await;
    list_import::finish(&result?, json)
}

/// Who the audit log names for work done from the command line.
fn cli_actor() -> crate::auth::Actor {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    crate::auth::Actor::system(&format!("cli:{who}"))
}

async fn user_command(settings: &Settings, command: UserCommand) -> Outcome {
    let UserCommand::Add {
        email,
        role,
        vendor,
        department,
        name,
        password_stdin,
    } = command;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|_| Failure::usage("標準入力からパスワードを読めません"))?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    let db = Db::connect(&settings.database_url, 2)
        .await
        .map_err(Failure::failed)?;
    let result = async {
        let mut department_ids = Vec::new();
        for name in &department {
            department_ids.push(crate::services::departments::named(&db, name).await?);
        }
        let input = crate::services::accounts::UserInput {
            email: Some(email),
            display_name: name,
            role: Some(role),
            vendor_identifier: vendor,
            department_ids,
            password,
            active: true,
        };
        crate::services::accounts::create_user(&db, &cli_actor(), &input).await
    }
    .await;
    db.close().await;
    let (id, generated) = result?;
    println!("ユーザーを登録しました（id {id}）");
    if let Some(password) = generated {
        println!("初期パスワード（この一度だけ表示します）:");
        println!("{password}");
    }
    Ok(())
}

async fn create_token(
    settings: &Settings,
    email: &str,
    expires_in_days: Option<i64>,
    name: &str,
) -> Outcome {
    let db = Db::connect(&settings.database_url, 2)
        .await
        .map_err(Failure::failed)?;
    let result = async {
        let user_id = crate::services::accounts::find_user_id(&db, email)
            .await
            .map_err(|error| match error {
                AppError::NotFound => {
                    Failure::failed(format!("ユーザー {email} は登録されていません"))
                }
                other => Failure::App(other),
            })?;
        let token = crate::services::accounts::create_token(
            &db,
            settings,
            &cli_actor(),
            user_id,
            name,
            expires_in_days,
        )
        .await?;
        Ok::<_, Failure>(token)
    }
    .await;
    db.close().await;
    let token = result?;
    eprintln!("APIトークンを発行しました。安全な場所に保管してください（二度と表示されません）");
    println!("{token}");
    Ok(())
}

/// Prints the demo logins (with `--demo`), or the one-time setup link when there is no user yet.
async fn announce_accounts(db: &Db, figment: &Figment, demo: bool) -> Result<(), AppError> {
    let base = crate::app::Server::of(figment).base_url;
    if demo {
        let logins = crate::services::accounts::create_demo_users(db).await?;
        if !logins.is_empty() {
            println!("デモ用ログイン（パスワードは起動時に生成し、この一度だけ表示します）:");
            for login in logins {
                println!(
                    "  {:<8} {:<28} {}  … {}",
                    login.role.label(),
                    login.email,
                    login.password,
                    login.note
                );
            }
        }
    }
    if let Some(path) = crate::services::accounts::setup_link_if_needed(db).await? {
        println!("ユーザーがまだいません。24時間以内に次のリンクを開き、最初の管理者を登録してください（一度だけ使えます）:");
        println!("  {base}{path}");
    }
    Ok(())
}

async fn checklist_command(
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    command: ChecklistCommand,
) -> Outcome {
    match command {
        ChecklistCommand::Check {
            file,
            definition,
            json,
        } => check_file(settings, sandbox, &file, definition.as_deref(), json).await,
        ChecklistCommand::Template {
            definition,
            out,
            vendor_name,
            identifier,
        } => write_template(
            settings,
            definition.as_deref(),
            &out,
            vendor_name,
            identifier,
        ),
        ChecklistCommand::Learn { file, out, id } => {
            learn_definition(settings, sandbox, &file, &out, id).await
        }
    }
}

/// `itaku checklist check`: reads a filled sheet as an upload would be read.
async fn check_file(
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    file: &std::path::Path,
    definition: Option<&str>,
    json: bool,
) -> Outcome {
    let dir = std::path::Path::new(&settings.checklists_dir);
    // The worker starts while the definition and the file are read (if none started earlier).
    sandbox.prewarm();
    let definition = resolve_definition(definition.or(Some(&settings.checklist_definition)), dir)?;
    let result = match read_file(file) {
        Ok(bytes) => crate::services::checklists::read(sandbox, settings, &definition, &bytes)
            .await
            .map_err(|error| Failure::failed(error.public_message()))?,
        Err(Failure::Usage(message)) if json => {
            crate::excel::checksheet::CheckResult::refused(&definition, message)
        }
        Err(failure) => return Err(failure),
    };
    if json {
        print_json(&result);
    } else if result.accepted {
        println!(
            "受け付けられます: {} 項目に回答（定義 {}）",
            result.answers.len(),
            result.definition
        );
        result.warnings.iter().for_each(|w| println!("注意: {w}"));
    } else {
        eprintln!(
            "受け付けられません。{} 件の誤りがあります:",
            result.errors.len()
        );
        result.errors.iter().for_each(|e| eprintln!("  {e}"));
    }
    succeeded_if(result.accepted)
}

/// `itaku checklist template`: the blank workbook, optionally with the vendor filled in.
fn write_template(
    settings: &Settings,
    definition: Option<&str>,
    out: &std::path::Path,
    vendor_name: Option<String>,
    identifier: Option<String>,
) -> Outcome {
    let dir = std::path::Path::new(&settings.checklists_dir);
    let definition = resolve_definition(definition.or(Some(&settings.checklist_definition)), dir)?;
    let bytes = crate::services::templates::blank(&definition, vendor_name, identifier)
        .map_err(Failure::failed)?;
    std::fs::write(out, bytes).map_err(Failure::failed)?;
    println!(
        "{} を作成しました（{} 項目）",
        out.display(),
        definition.items.len()
    );
    Ok(())
}

/// `itaku checklist learn`: a definition read from an existing sheet.
async fn learn_definition(
    settings: &Settings,
    sandbox: &crate::sandbox::Sandbox,
    file: &std::path::Path,
    out: &std::path::Path,
    id: Option<String>,
) -> Outcome {
    let id = id.unwrap_or_else(|| {
        out.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let bytes = read_file(file)?;
    let learned = crate::services::checklists::learn(sandbox, settings, &bytes, &id)
        .await
        .map_err(|error| Failure::failed(error.public_message()))?;
    let (definition, text) = learned
        .and_then(|definition| definition.to_toml().map(|text| (definition, text)))
        .map_err(|message| {
            eprintln!("{message}");
            Failure::Reported
        })?;
    std::fs::write(out, text).map_err(Failure::failed)?;
    println!(
        "{} を作成しました（{} 項目）。title・edition を確認してください",
        out.display(),
        definition.items.len()
    );
    Ok(())
}

/// The named check-sheet definition, or the usage failure.
fn resolve_definition(
    name: Option<&str>,
    dir: &std::path::Path,
) -> Result<crate::checklist::Definition, Failure> {
    crate::checklist::Definition::resolve(name, dir).map_err(Failure::Usage)
}
