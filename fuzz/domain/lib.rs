//! `app::domain`, and nothing else of the app crate.
#[path = "../../app/src/domain/mod.rs"]
pub mod domain;
