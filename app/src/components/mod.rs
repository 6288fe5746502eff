//! Reusable pieces of the interface. Components present; they never fetch
//! or decide anything a domain rule or server function should.

pub mod common;
pub mod icon;
pub mod layout;
