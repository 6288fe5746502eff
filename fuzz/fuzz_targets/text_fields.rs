//! Any text typed into a field that is parsed: money, identity numbers,
//! unified social credit codes, dates and the roster's coded columns,
//! draw seeds; and any bytes as an upload's content. None may panic, and
//! what is accepted must hold what the parser promises.
#![no_main]

use app::domain::{draw, files, idcard, money, roster_import, supplier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = files::check_upload(bytes);
    let text = String::from_utf8_lossy(bytes);
    let text = text.as_ref();
    if let Ok(amount) = money::parse_yuan(text) {
        // Accepted amounts are whole fen and convert to fen and back.
        assert_eq!(money::round_fen(amount), amount, "{text:?}");
        if let Ok(fen) = money::to_fen(amount) {
            assert_eq!(money::from_fen(fen), amount, "{text:?}");
        }
    }
    if let Ok(id) = idcard::IdNumber::parse(text) {
        // Accepted numbers carry their own check character.
        let s = id.as_str();
        assert_eq!(s.len(), 18, "{text:?}");
        assert_eq!(idcard::check_character(&s[..17]), s[17..].chars().next().unwrap_or(' '), "{text:?}");
        let _ = (id.birth_date(), id.gender(), id.masked());
        let _ = id.age_on(chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default());
    }
    let _ = idcard::mask(text);
    if let Ok(code) = supplier::CreditCode::parse(text) {
        let s = code.as_str();
        assert_eq!(s.chars().count(), 18, "{text:?}");
    }
    let _ = roster_import::parse_date(text);
    let _ = roster_import::parse_education(text);
    let _ = roster_import::parse_certificate(text);
    let _ = roster_import::parse_role_level(text);
    let _ = roster_import::parse_yes_no(text);
    let _ = draw::parse_seed(text);
    let _ = app::domain::service_import::service_code(text);
});
