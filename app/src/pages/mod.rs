//! Pages: one module per route. Pages present what server functions return
//! and what domain rules compute; they hold no rules of their own.

pub mod dashboard;
pub mod not_found;
