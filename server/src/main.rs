//! `gouzhu`: the server binary. Parses the configuration, prepares the
//! database and the document engine, and serves the application until
//! SIGTERM or Ctrl-C, letting requests in flight finish.

#![recursion_limit = "256"]

mod backup;
mod config;
mod db;
mod demo;
mod demo_budget;
mod demo_contracts;
mod demo_inspections;
mod demo_payroll;
mod demo_services;
mod file_store;
mod jobs;
mod metrics;
mod ocds;
mod pdf;
mod routes;
mod state;
mod users;
mod xlsx;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use leptos::config::LeptosOptions;
use tracing_subscriber::EnvFilter;

use crate::config::{AuditCommand, Cli, Command, LogFormat, TemplateCommand};
use crate::state::AppState;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gouzhu: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("gouzhu: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.clone().unwrap_or(Command::Serve) {
        Command::Migrate => {
            let db = open_db(&cli)?;
            // Not inside the macro: its arguments are skipped when the
            // level is filtered out.
            let applied = db::migrate(&db)?;
            tracing::info!(applied, "migrations done");
            Ok(())
        }
        Command::Demo { scale: Some(districts) } => {
            let db = open_db(&cli)?;
            db::migrate(&db)?;
            let files = file_store::FileStore::new(cli.files_dir.clone());
            let outcome = demo::scale(&db, &files, cli.demo_mode, districts)?;
            tracing::info!(
                districts,
                districts_added = outcome.districts_added,
                visits_added = outcome.visits_added,
                "scaled demo ready"
            );
            Ok(())
        }
        Command::Demo { scale: None } => {
            let db = open_db(&cli)?;
            db::migrate(&db)?;
            let files = file_store::FileStore::new(cli.files_dir.clone());
            let outcome = demo::load(&db, &files, cli.demo_mode)?;
            tracing::info!(
                district_added = outcome.district_added,
                users_added = outcome.users_added,
                plan_adopted = outcome.plan_adopted,
                staff_added = outcome.staff_added,
                budget_added = outcome.budget_added,
                contracts_added = outcome.contracts_added,
                services_added = outcome.services_added,
                inspections_added = outcome.inspections_added,
                payroll_runs_approved = outcome.payroll.runs_approved,
                scores_added = outcome.payroll.scores_added,
                demo_mode = cli.demo_mode,
                "demo district ready"
            );
            Ok(())
        }
        Command::Backup { out } => {
            let db = open_db(&cli)?;
            let m = backup::backup(&db, &cli.database_url, &cli.files_dir, &out)?;
            let rows: i64 = m.tables.values().sum();
            println!(
                "backup written to {}: {} tables, {rows} rows, {} files ({})",
                out.display(),
                m.tables.len(),
                m.files,
                m.backend
            );
            Ok(())
        }
        Command::Restore { from, force } => {
            let m = backup::restore(&cli.database_url, &cli.files_dir, &from, force)?;
            let rows: i64 = m.tables.values().sum();
            println!(
                "restored from {} (made {}): {} tables, {rows} rows, {} files",
                from.display(),
                m.created_at,
                m.tables.len(),
                m.files
            );
            Ok(())
        }
        Command::Routes => {
            println!("{}", serde_json::to_string_pretty(&routes::registered())?);
            Ok(())
        }
        Command::Audit(AuditCommand::Verify { anchor }) => {
            let db = open_db(&cli)?;
            let mut conn = db.conn()?;
            let report = app::db::audit::verify(&mut conn)?;
            if let Some(b) = report.broken {
                println!(
                    "audit chain BROKEN at entry seq {} (id {}): {:?}; {} entries before it verify",
                    b.seq, b.id, b.problem, report.checked
                );
                anyhow::bail!("the audit chain is broken at seq {}", b.seq);
            }
            if let Some(anchor) = anchor {
                let (seq, hash) = anchor
                    .split_once(':')
                    .and_then(|(s, h)| Some((s.parse::<i64>().ok()?, h)))
                    .context("--anchor takes SEQ:HASH")?;
                let stored = app::db::audit::hash_at(&mut conn, seq)?;
                if stored.as_deref() != Some(hash) {
                    println!(
                        "audit chain does NOT match the anchor: entry seq {seq} is {stored:?}, expected {hash}"
                    );
                    anyhow::bail!("the audit log does not contain the anchored entry {seq}");
                }
            }
            match (report.head_seq, report.head_hash) {
                (Some(seq), Some(hash)) => println!(
                    "audit chain intact: {} entries; head {seq}:{hash} (keep it to check later with --anchor)",
                    report.checked
                ),
                _ => println!("audit chain intact: the log is empty"),
            }
            Ok(())
        }
        Command::User(command) => {
            let db = open_db(&cli)?;
            db::migrate(&db)?;
            users::run(&db, command)
        }
        Command::Template(TemplateCommand::Preview { name, out, batch }) => {
            let template = pdf::Template::from_file_name(&name).with_context(|| {
                let names: Vec<&str> = pdf::Template::ALL.iter().map(|t| t.name()).collect();
                format!("no template {name:?}; templates: {}", names.join(", "))
            })?;
            let engine = pdf::PdfEngine::load(&cli.font_dirs)?.with_templates_dir(cli.templates_dir.clone());
            let today = app::domain::calendar::china_date(chrono::Utc::now());
            let data = pdf::preview_data(template).with_context(|| {
                format!("{name}: only the contract templates have demo data to preview with")
            })?;
            let started = Instant::now();
            let bytes = engine.render_blocking(template, &data, today)?;
            let first = started.elapsed();
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            println!("{} ({} bytes) in {} ms", out.display(), bytes.len(), first.as_millis());
            if batch > 0 {
                let (total, per) = pdf::render_batch(&engine, template, &data, batch, today)?;
                println!(
                    "{batch} documents with varied data in {} ms on {} threads ({} ms median each)",
                    total.as_millis(),
                    pdf::MAX_PARALLEL_RENDERS,
                    per.as_millis()
                );
            }
            Ok(())
        }
        Command::Serve => serve(cli).await,
    }
}

fn open_db(cli: &Cli) -> anyhow::Result<app::db::Db> {
    app::db::Db::connect(&cli.database_url, cli.db_pool_size)
        .with_context(|| format!("opening the database ({})", redact(&cli.database_url)))
}

/// The URL without its password (in the user info or a `password=`
/// parameter), for messages.
fn redact(url: &str) -> String {
    let mut out = match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    };
    if let Some(query_start) = out.find('?') {
        let (base, query) = out.split_at(query_start + 1);
        let query: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out = format!("{base}{}", query.join("&"));
    }
    out
}

async fn serve(cli: Cli) -> anyhow::Result<()> {
    let started = Instant::now();
    // Fonts first: a server that cannot print Chinese must not start.
    let font_dirs = cli.font_dirs.clone();
    let templates_dir = cli.templates_dir.clone();
    let pdf = tokio::task::spawn_blocking(move || pdf::PdfEngine::load(&font_dirs))
        .await
        .context("loading fonts")??
        .with_templates_dir(templates_dir);
    tracing::info!(font = pdf.cjk_family(), "document engine ready");

    let db = open_db(&cli)?;
    let applied = {
        let db = db.clone();
        tokio::task::spawn_blocking(move || db::migrate(&db)).await??
    };
    tracing::info!(backend = db.kind().name(), applied, "database ready");
    // Payroll runs the last process left computing are computed again.
    let unfinished = db.run(app::db::payroll::computing_runs).await?;
    for (district_id, run_id) in unfinished {
        tracing::info!(run_id, "resuming a payroll run left computing");
        app::api::payroll::ssr::spawn_compute(
            db.clone(),
            app::db::write::Actor::system("resume"),
            district_id,
            run_id,
        );
    }

    let site_root = cli.site_root.to_string_lossy().into_owned();
    if !cli.site_root.join("pkg").is_dir() {
        tracing::warn!(site_root, "no built site found: pages will not hydrate (run `make build`)");
    }
    let leptos_options = LeptosOptions::builder()
        .output_name("gouzhu")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(cli.listen)
        .build();

    let unguarded = routes::without_rule();
    if !unguarded.is_empty() {
        anyhow::bail!("routes without an access rule in app/src/policy.rs: {}", unguarded.join(", "));
    }
    let auth = app::auth::AuthConfig {
        timeouts: app::db::sessions::Timeouts { idle: cli.session_idle, absolute: cli.session_lifetime },
        lockout_attempts: i64::from(cli.lockout_attempts),
        lockout_window: cli.lockout_window,
        address_attempts: i64::from(cli.address_attempts),
        demo_mode: cli.demo_mode,
    };
    if cli.demo_mode {
        tracing::warn!("demo mode: the login page lists the demo accounts; never use it in production");
    }
    let state = AppState {
        leptos_options,
        db,
        pdf: Arc::new(pdf),
        jobs: app::jobs::ssr::Jobs::default(),
        files: Arc::new(file_store::FileStore::new(cli.files_dir.clone())),
        auth,
        guard: Arc::new(routes::guard::GuardConfig {
            public_origin: cli.public_origin.clone(),
            trust_proxy: cli.trust_proxy,
        }),
        ocid_prefix: Arc::from(cli.ocid_prefix.as_str()),
    };
    let app = routes::router(state);

    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    let addr = listener.local_addr()?;
    // Signal handlers go in before anyone is told the server is up: a
    // SIGTERM sent right after the line below must shut down gracefully,
    // not kill the process.
    let signals = Signals::install()?;
    tracing::info!(%addr, startup_ms = started.elapsed().as_millis() as u64, "serving");
    // The one line on standard output: people and test harnesses read it.
    println!("Gouzhu is serving on http://{addr}");
    std::io::stdout().flush().ok();

    let grace = Duration::from_secs(cli.shutdown_grace_secs);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async {
                stop_rx.await.ok();
            })
            .await
    });
    signals.wait().await;
    tracing::info!(grace_secs = grace.as_secs(), "shutting down: finishing requests in flight");
    stop_tx.send(()).ok();
    match tokio::time::timeout(grace, server).await {
        Ok(joined) => joined.context("server task")?.context("server")?,
        Err(_) => tracing::warn!("requests still running after the grace period; exiting"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// The shutdown signals (SIGINT from Ctrl-C, SIGTERM from service
/// managers), listened to from the moment they are installed.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
        })
    }

    /// Resolves on the first of them.
    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {},
            _ = self.terminate.recv() => {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://app:s3cret@db:5432/gouzhu"), "postgres://app:***@db:5432/gouzhu");
        assert_eq!(redact("data/gouzhu.sqlite3"), "data/gouzhu.sqlite3");
        assert_eq!(
            redact("postgres://db/gouzhu?user=app&password=s3cret&sslmode=require"),
            "postgres://db/gouzhu?user=app&password=***&sslmode=require"
        );
    }
}
