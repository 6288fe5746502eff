//! Money. In code every amount is a [`Decimal`] of yuan (元); in the
//! database it is an integer number of fen (分). Floating point never
//! touches money.
//!
//! **The rounding rule.** [`round_fen`] is the only place amounts are
//! rounded: to two decimal places (the fen), half away from zero, which is
//! what Chinese finance calls 四舍五入 (0.005 → 0.01, −0.005 → −0.01).
//! Where a regulation prescribes another rule, that module documents it and
//! still ends in this function.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds a yuan amount to the fen, half away from zero (四舍五入).
pub fn round_fen(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A yuan amount as integer fen for storage, rounded by [`round_fen`].
pub fn to_fen(amount: Decimal) -> Result<i64, MoneyError> {
    round_fen(amount)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|fen| fen.to_i64())
        .ok_or(MoneyError::OutOfRange)
}

/// Integer fen from storage as an exact yuan amount.
pub fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("empty amount")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("more than two decimal places")]
    TooManyDecimals,
    #[error("amount out of range")]
    OutOfRange,
}

/// Parses an amount typed by a person or read from an import: digits with
/// optional thousands commas, an optional minus sign and at most two
/// decimals (`"12,345.60"`, `"-8"`, `"0.5"`). Refuses exponents, currency
/// signs and a third decimal instead of guessing.
pub fn parse_yuan(text: &str) -> Result<Decimal, MoneyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if !valid_integer_part(int_part) {
        return Err(MoneyError::NotANumber);
    }
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::NotANumber);
        }
        if f.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
    }
    let plain: String = int_part.chars().filter(|c| *c != ',').collect();
    let digits = match frac_part {
        Some(f) => format!("{plain}.{f}"),
        None => plain,
    };
    let value: Decimal = digits.parse().map_err(|_| MoneyError::OutOfRange)?;
    // A yuan amount must also fit in i64 fen once stored.
    to_fen(value)?;
    Ok(if negative { -value } else { value })
}

/// `1234`, `1,234` and `12,345,678` are valid; `1,23` and `,123` are not.
fn valid_integer_part(s: &str) -> bool {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return false;
    }
    if !s.contains(',') {
        return true;
    }
    let groups: Vec<&str> = s.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    first_ok && groups[1..].iter().all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test literal")
    }

    #[test]
    fn rounds_half_away_from_zero_to_the_fen() {
        assert_eq!(round_fen(d("0.005")), d("0.01"));
        assert_eq!(round_fen(d("0.004")), d("0.00"));
        assert_eq!(round_fen(d("2.345")), d("2.35"));
        assert_eq!(round_fen(d("2.355")), d("2.36"));
        assert_eq!(round_fen(d("-0.005")), d("-0.01"));
        assert_eq!(round_fen(d("-2.344")), d("-2.34"));
        assert_eq!(round_fen(d("1000")), d("1000"));
    }

    #[test]
    fn fen_round_trip_is_exact() {
        assert_eq!(to_fen(d("4500.00")), Ok(450_000));
        assert_eq!(to_fen(d("0.1")), Ok(10));
        assert_eq!(to_fen(d("123.455")), Ok(12_346));
        assert_eq!(from_fen(12_346), d("123.46"));
        assert_eq!(from_fen(-1), d("-0.01"));
        // 0.1 + 0.2 is exactly 0.3 here, unlike f64.
        assert_eq!(to_fen(d("0.1") + d("0.2")), Ok(30));
    }

    #[test]
    fn fen_out_of_range_is_an_error() {
        assert_eq!(to_fen(Decimal::MAX), Err(MoneyError::OutOfRange));
    }

    #[test]
    fn parses_plain_and_grouped_amounts() {
        assert_eq!(parse_yuan("12,345.60"), Ok(d("12345.60")));
        assert_eq!(parse_yuan(" 8 "), Ok(d("8")));
        assert_eq!(parse_yuan("-0.5"), Ok(d("-0.5")));
        assert_eq!(parse_yuan("1,000,000"), Ok(d("1000000")));
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert_eq!(parse_yuan(""), Err(MoneyError::Empty));
        assert_eq!(parse_yuan("1e3"), Err(MoneyError::NotANumber));
        assert_eq!(parse_yuan("¥12"), Err(MoneyError::NotANumber));
        assert_eq!(parse_yuan("1,23"), Err(MoneyError::NotANumber));
        assert_eq!(parse_yuan(",123"), Err(MoneyError::NotANumber));
        assert_eq!(parse_yuan("12."), Err(MoneyError::NotANumber));
        assert_eq!(parse_yuan("1.234"), Err(MoneyError::TooManyDecimals));
        assert_eq!(parse_yuan("--1"), Err(MoneyError::NotANumber));
        assert_eq!(parse_yuan("99999999999999999999999"), Err(MoneyError::OutOfRange));
    }
}
