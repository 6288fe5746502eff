//! Gouzhu (购助): pages, components, server functions and the pure domain
//! rules of the district social-assistance purchasing system.
//!
//! The crate is compiled twice: for the browser (`hydrate`, to WebAssembly)
//! and for the server (`ssr`). Everything that touches the database, the
//! file system or the network is behind `ssr`; [`domain`] is plain Rust that
//! both sides share, so a preview in the browser and the authoritative
//! computation on the server are the same code.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod components;
#[cfg(feature = "ssr")]
pub mod db;
pub mod domain;
pub mod error;
pub mod format;
pub mod i18n;
pub mod jobs;
pub mod pages;
pub mod policy;

pub use app::{App, shell};

/// Entry point of the browser bundle: attaches the reactive system to the
/// server-rendered HTML instead of rendering it again.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
