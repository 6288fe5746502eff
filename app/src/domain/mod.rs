//! Pure domain rules: plain types and functions with no I/O, shared by the
//! browser (live previews) and the server (the authority). One module per
//! concept; later modules (allocation, pay, tax, budget, contracts) join here.

pub mod access;
pub mod allocation;
pub mod approval;
pub mod audit;
pub mod budget;
pub mod calendar;
pub mod capitals;
pub mod contract;
/// The reproducible random draw of inspections; the server draws, so it
/// is built with the server only (it needs SHA-256).
#[cfg(feature = "ssr")]
pub mod draw;
pub mod files;
pub mod idcard;
pub mod inspection;
pub mod insurance;
pub mod money;
pub mod password;
pub mod pay;
pub mod payroll;
pub mod procurement;
pub mod roster;
pub mod roster_import;
pub mod service;
pub mod service_import;
pub mod staffing;
pub mod supplier;
pub mod tax;
