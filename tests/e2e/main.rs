//! End-to-end tests of the real `gouzhu` binary. Tests marked with
//! `both_backends!` run once on a fresh SQLite file and once on a fresh
//! PostgreSQL database (`<name>::sqlite`, `<name>::postgres`).

/// Defines each test twice, once per backend: the body sees `backend`.
macro_rules! both_backends {
    ($(
        $(#[$meta:meta])*
        async fn $name:ident($backend:ident: Backend) $body:block
    )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($backend: Backend) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run(Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run(Backend::Postgres).await
                }
            }
        )*
    };
}

mod audit;
mod auth;
mod backup;
mod browser;
mod budget;
mod cli;
mod contracts;
mod crash;
mod database;
mod documents;
mod http;
mod inspections;
mod matrix;
mod payroll;
mod posts;
mod races;
mod services;
mod sheets;
mod support;
mod uploads;
