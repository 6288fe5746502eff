//! Configuration: every setting is a command-line flag with an environment
//! variable behind it (the flag wins). `gouzhu --help` lists them all.
//!
//! | Variable              | Flag              | Default               |
//! |-----------------------|-------------------|-----------------------|
//! | `DATABASE_URL`        | `--database-url`  | `data/gouzhu.sqlite3` |
//! | `GOUZHU_FILES_DIR`    | `--files-dir`     | `data/files`          |
//! | `GOUZHU_DB_POOL_SIZE` | `--db-pool-size`  | `8`                   |
//! | `GOUZHU_LISTEN`       | `--listen`        | `127.0.0.1:3000`      |
//! | `LEPTOS_SITE_ROOT`    | `--site-root`     | `target/site`         |
//! | `GOUZHU_FONT_DIRS`    | `--font-dir`      | `/usr/share/fonts`    |
//! | `GOUZHU_TEMPLATES_DIR` | `--templates-dir` | none (built-in)      |
//! | `GOUZHU_OCID_PREFIX`  | `--ocid-prefix`   | `ocds-gouzhu`         |
//! | `GOUZHU_LOG_FORMAT`   | `--log-format`    | `text`                |
//! | `GOUZHU_SHUTDOWN_GRACE_SECS` | `--shutdown-grace-secs` | `20`   |
//! | `GOUZHU_SESSION_IDLE` | `--session-idle`  | `30m`                 |
//! | `GOUZHU_SESSION_LIFETIME` | `--session-lifetime` | `12h`          |
//! | `GOUZHU_LOCKOUT_ATTEMPTS` | `--lockout-attempts` | `5`            |
//! | `GOUZHU_LOCKOUT_WINDOW` | `--lockout-window` | `15m`              |
//! | `GOUZHU_ADDRESS_ATTEMPTS` | `--address-attempts` | `30`           |
//! | `GOUZHU_PUBLIC_ORIGIN` | `--public-origin` | none                 |
//! | `GOUZHU_TRUST_PROXY`  | `--trust-proxy`   | `false`               |
//! | `GOUZHU_DEMO_MODE`    | `--demo-mode`     | `false`               |
//! | `RUST_LOG`            | –                 | `info`                |

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Gouzhu (购助): run government-purchased social-assistance services for a
/// district civil-affairs bureau.
#[derive(Debug, Parser)]
#[command(name = "gouzhu", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Database: a SQLite file path (created if missing), or a
    /// postgres:// URL for PostgreSQL.
    #[arg(long, env = "DATABASE_URL", default_value = "data/gouzhu.sqlite3", global = true)]
    pub database_url: String,

    /// Folder of uploaded files (attachments), stored by content hash.
    #[arg(long, env = "GOUZHU_FILES_DIR", default_value = "data/files", global = true)]
    pub files_dir: PathBuf,

    /// Maximum number of pooled database connections.
    #[arg(long, env = "GOUZHU_DB_POOL_SIZE", default_value_t = 8, global = true)]
    pub db_pool_size: u32,

    /// Address to serve on. Port 0 picks a free port; the address actually
    /// used is printed on standard output.
    #[arg(long, env = "GOUZHU_LISTEN", default_value = "127.0.0.1:3000", global = true)]
    pub listen: SocketAddr,

    /// Folder of the built site (the browser bundle and stylesheet that
    /// cargo-leptos writes).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site", global = true)]
    pub site_root: PathBuf,

    /// Folders scanned for fonts; documents need one with Chinese glyphs
    /// (Debian: fonts-noto-cjk). Repeat the flag, or separate with ':' in
    /// the variable.
    #[arg(
        long = "font-dir",
        env = "GOUZHU_FONT_DIRS",
        value_delimiter = ':',
        default_value = "/usr/share/fonts",
        global = true
    )]
    pub font_dirs: Vec<PathBuf>,

    /// Folder of edited document templates (`contract-templates/`): a
    /// template found there is used instead of the built-in one, read at
    /// every render. Unset: the templates built into the binary.
    #[arg(long, env = "GOUZHU_TEMPLATES_DIR", global = true)]
    pub templates_dir: Option<PathBuf>,

    /// The prefix of OCDS contracting-process identifiers (ocids); a real
    /// publisher registers its own with the Open Contracting Partnership.
    #[arg(long, env = "GOUZHU_OCID_PREFIX", default_value = "ocds-gouzhu", global = true)]
    pub ocid_prefix: String,

    /// Log format on standard error.
    #[arg(long, env = "GOUZHU_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Seconds to let requests in flight finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "GOUZHU_SHUTDOWN_GRACE_SECS", default_value_t = 20, global = true)]
    pub shutdown_grace_secs: u64,

    /// A session unused this long ends (s, m, h or d: `30m`).
    #[arg(long, env = "GOUZHU_SESSION_IDLE", default_value = "30m", value_parser = parse_duration, global = true)]
    pub session_idle: chrono::Duration,

    /// A session ends this long after sign-in, used or not.
    #[arg(long, env = "GOUZHU_SESSION_LIFETIME", default_value = "12h", value_parser = parse_duration, global = true)]
    pub session_lifetime: chrono::Duration,

    /// Failed sign-ins of one account, within the lockout window, that lock it.
    #[arg(long, env = "GOUZHU_LOCKOUT_ATTEMPTS", default_value_t = 5, global = true)]
    pub lockout_attempts: u32,

    /// The window for counting failed sign-ins (and how long a lock lasts).
    #[arg(long, env = "GOUZHU_LOCKOUT_WINDOW", default_value = "15m", value_parser = parse_duration, global = true)]
    pub lockout_window: chrono::Duration,

    /// Failed sign-ins from one address, within the window, after which it is refused.
    #[arg(long, env = "GOUZHU_ADDRESS_ATTEMPTS", default_value_t = 30, global = true)]
    pub address_attempts: u32,

    /// The public origin (`https://gouzhu.example.gov.cn`): the only origin
    /// allowed to send state-changing requests; `https` makes cookies Secure.
    #[arg(long, env = "GOUZHU_PUBLIC_ORIGIN", global = true)]
    pub public_origin: Option<String>,

    /// Behind a reverse proxy: trust X-Forwarded-For and X-Forwarded-Proto.
    #[arg(long, env = "GOUZHU_TRUST_PROXY", global = true)]
    pub trust_proxy: bool,

    /// Demo mode: demo accounts need no password change, and the login page
    /// lists them. Never in production.
    #[arg(long, env = "GOUZHU_DEMO_MODE", global = true)]
    pub demo_mode: bool,
}

/// Parses `90s`, `30m`, `12h` or `7d`.
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text.len().saturating_sub(1);
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| format!("{text:?}: expected a number and s, m, h or d"))?;
    let d = match unit {
        "s" => chrono::Duration::seconds(n),
        "m" => chrono::Duration::minutes(n),
        "h" => chrono::Duration::hours(n),
        "d" => chrono::Duration::days(n),
        _ => return Err(format!("{text:?}: the unit must be s, m, h or d")),
    };
    if n <= 0 {
        return Err(format!("{text:?}: must be positive"));
    }
    Ok(d)
}

/// What to do; `serve` when none is given.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Migrate, then load the demo district and its users unless present
    /// (with --demo-mode the demo users need no password change).
    Demo {
        /// For load tests: N districts, the demo and N-1 copies of it
        /// (codes 510101..., users `finance.01`...), each with a daily
        /// visit to every recipient since its contracts began.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=999))]
        scale: Option<u32>,
    },
    /// Print every route with its access rule, as JSON.
    Routes,
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// User accounts (for the first administrator of a new installation).
    #[command(subcommand)]
    User(UserCommand),
    /// Document templates.
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Back up the database and the uploaded files into a new folder
    /// (online: the server may keep running).
    Backup {
        /// The folder to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup folder into the database and the files folder
    /// (stop the server first). Refuses a database holding data unless
    /// --force.
    Restore {
        /// The backup folder.
        #[arg(long)]
        from: PathBuf,
        /// Replace what the database holds.
        #[arg(long)]
        force: bool,
    },
}

/// `gouzhu template ...`
#[derive(Debug, Clone, Subcommand)]
pub enum TemplateCommand {
    /// Typeset a template with demo data (from --templates-dir when it has
    /// the file): writes the PDF, or prints Typst's error with its line
    /// and exits 1.
    Preview {
        /// The template's file name, e.g. contract-social-work(.typ).
        name: String,
        /// Where to write the PDF.
        #[arg(long, default_value = "preview.pdf")]
        out: PathBuf,
        /// Also render this many documents with varied data (a new number
        /// and title each, so no render reuses another's) on both cores,
        /// and print the times: the benchmark of BENCHMARKS.md.
        #[arg(long, default_value_t = 0)]
        batch: usize,
    },
}

/// `gouzhu audit ...`
#[derive(Debug, Clone, Subcommand)]
pub enum AuditCommand {
    /// Check the whole hash chain; exits 1 and names the first broken entry
    /// if any was changed or removed.
    Verify {
        /// `SEQ:HASH` printed by an earlier run and kept elsewhere: also
        /// fails if that entry is gone or different (a chain alone cannot
        /// reveal its newest entries being cut off).
        #[arg(long)]
        anchor: Option<String>,
    },
}

/// `gouzhu user ...`
#[derive(Debug, Clone, Subcommand)]
pub enum UserCommand {
    /// Create a user with a temporary password (printed once).
    Create {
        /// The district's six-digit code.
        #[arg(long)]
        district: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// Roles, comma-separated: admin, finance, approver, town, provider, inspector, auditor.
        #[arg(long, value_delimiter = ',', required = true)]
        roles: Vec<String>,
    },
    /// Give a user a new temporary password (printed once) and end their sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The declared default of flag `id` (read from the definition, so the
    /// test does not depend on the environment it runs in).
    fn default_of(id: &str) -> String {
        let cmd = Cli::command();
        let arg = cmd.get_arguments().find(|a| a.get_id() == id).unwrap_or_else(|| panic!("no flag {id}"));
        arg.get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(",")
    }

    #[test]
    fn defaults_serve_a_local_sqlite_file_on_loopback() {
        assert_eq!(default_of("database_url"), "data/gouzhu.sqlite3");
        assert_eq!(default_of("listen"), "127.0.0.1:3000");
        assert_eq!(default_of("site_root"), "target/site");
        assert_eq!(default_of("font_dirs"), "/usr/share/fonts");
        assert_eq!(default_of("log_format"), "text");
    }

    #[test]
    fn font_dirs_split_on_colons() {
        let cli = Cli::try_parse_from(["gouzhu", "--font-dir", "/a:/b", "demo"]).expect("parse");
        // A flag given on the command line wins over the environment.
        assert_eq!(cli.font_dirs, vec![PathBuf::from("/a"), PathBuf::from("/b")]);
        assert!(matches!(cli.command, Some(Command::Demo { scale: None })));
    }

    #[test]
    fn durations_have_units() {
        assert_eq!(parse_duration("30m"), Ok(chrono::Duration::minutes(30)));
        assert_eq!(parse_duration("12h"), Ok(chrono::Duration::hours(12)));
        assert_eq!(parse_duration("2s"), Ok(chrono::Duration::seconds(2)));
        assert!(parse_duration("30").is_err());
        assert!(parse_duration("0m").is_err());
        assert!(parse_duration("-5m").is_err());
        assert!(parse_duration("").is_err());
    }
}
