//! Pages: one module per route. Pages present what server functions return
//! and what domain rules compute; they hold no rules of their own.

pub mod account;
pub mod allocation;
pub mod approvals;
pub mod audit;
pub mod budget;
pub mod contracts;
pub mod dashboard;
pub mod home;
pub mod inspections;
pub mod login;
pub mod not_found;
pub mod payroll;
pub mod payroll_people;
pub mod posts;
pub mod roster;
pub mod roster_import;
pub mod services;
pub mod users;

use crate::domain::calendar::china_time;

/// A UTC timestamp as the time in China, to the minute.
pub(crate) fn show_time(utc: chrono::NaiveDateTime) -> String {
    china_time(utc).format("%Y-%m-%d %H:%M").to_string()
}
