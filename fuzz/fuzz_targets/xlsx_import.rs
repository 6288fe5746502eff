//! Any bytes uploaded as a workbook: the server's reader (the same file,
//! `server/src/xlsx.rs`), then the roster and the service-record
//! importers on whatever sheet it yields. None may panic; whatever is
//! read must be refused or parsed.
#![no_main]

#[allow(dead_code)]
#[path = "../../server/src/xlsx.rs"]
mod xlsx;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(sheet) = xlsx::read_first_sheet(bytes) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default();
        let _ = app::domain::roster_import::parse(&sheet, today);
        let _ = app::domain::service_import::parse(&sheet);
    }
});
