//! Number formatting for display. Pure and locale-independent: both Chinese
//! and English use comma thousands separators in administrative tables.

/// `831700` → `"831,700"`. Takes any integer type.
pub fn group_thousands(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A yuan amount with thousands separators and two decimals:
/// `1234.5` → `"1,234.50"`. Rounds with the money rule first.
pub fn yuan(amount: rust_decimal::Decimal) -> String {
    let fen = crate::domain::money::to_fen(amount).unwrap_or(0);
    let whole = group_thousands(fen / 100);
    let sign = if fen < 0 && fen / 100 == 0 { "-" } else { "" };
    format!("{sign}{whole}.{:02}", (fen % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::{group_thousands, yuan};

    #[test]
    fn yuan_has_two_decimals() {
        let d = |s: &str| s.parse::<rust_decimal::Decimal>().expect("decimal");
        assert_eq!(yuan(d("1234.5")), "1,234.50");
        assert_eq!(yuan(d("0")), "0.00");
        assert_eq!(yuan(d("-0.5")), "-0.50");
        assert_eq!(yuan(d("-1234.56")), "-1,234.56");
        assert_eq!(yuan(d("9876543.215")), "9,876,543.22");
    }

    #[test]
    fn groups_by_three_from_the_right() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(831_700_u64), "831,700");
        assert_eq!(group_thousands(198), "198");
        assert_eq!(group_thousands(1000), "1,000");
        assert_eq!(group_thousands(831_700), "831,700");
        assert_eq!(group_thousands(12_345_678), "12,345,678");
        assert_eq!(group_thousands(-4500), "-4,500");
        assert_eq!(group_thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }
}
