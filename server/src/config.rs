//! Configuration: every setting is a command-line flag with an environment
//! variable behind it (the flag wins). `gouzhu --help` lists them all.
//!
//! | Variable              | Flag              | Default               |
//! |-----------------------|-------------------|-----------------------|
//! | `DATABASE_URL`        | `--database-url`  | `data/gouzhu.sqlite3` |
//! | `GOUZHU_DB_POOL_SIZE` | `--db-pool-size`  | `8`                   |
//! | `GOUZHU_LISTEN`       | `--listen`        | `127.0.0.1:3000`      |
//! | `LEPTOS_SITE_ROOT`    | `--site-root`     | `target/site`         |
//! | `GOUZHU_FONT_DIRS`    | `--font-dir`      | `/usr/share/fonts`    |
//! | `GOUZHU_LOG_FORMAT`   | `--log-format`    | `text`                |
//! | `GOUZHU_SHUTDOWN_GRACE_SECS` | `--shutdown-grace-secs` | `20`   |
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

    /// Log format on standard error.
    #[arg(long, env = "GOUZHU_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Seconds to let requests in flight finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "GOUZHU_SHUTDOWN_GRACE_SECS", default_value_t = 20, global = true)]
    pub shutdown_grace_secs: u64,
}

/// What to do; `serve` when none is given.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the application (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Migrate, then load the demo district unless it is already there.
    Demo,
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
        assert!(matches!(cli.command, Some(Command::Demo)));
    }
}
