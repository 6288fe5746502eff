//! Any decimal amount (mantissa and scale from the input): amounts in
//! Chinese capitals and the one rounding rule. None may panic; an amount
//! written in capitals always ends in 整 or a 角/分 digit.
#![no_main]

use app::domain::{capitals, money};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fuzz_target!(|input: (i64, u8)| {
    let (mantissa, scale) = input;
    let Ok(amount) = Decimal::try_from_i128_with_scale(i128::from(mantissa), u32::from(scale % 29)) else {
        return;
    };
    let rounded = money::round_fen(amount);
    assert!((rounded - amount).abs() <= Decimal::new(5, 3), "{amount} rounded to {rounded}");
    if let Some(words) = capitals::in_capitals(amount) {
        assert!(!words.is_empty(), "{amount}");
        assert!(words.ends_with('整') || words.ends_with('角') || words.ends_with('分'), "{amount}: {words}");
    }
    let _ = money::to_fen(amount);
});
