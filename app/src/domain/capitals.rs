//! Amounts in Chinese capitals (大写金额), after 中国人民银行《支付结算办法》
//! 附一《正确填写票据和结算凭证的基本规定》 (REFERENCE.md §6):
//!
//! - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿 and 元角分;
//! - an amount ending at 元 gets 整; after 角 nothing; after 分 never 整;
//! - zeros inside the number are one 零 however many there are;
//! - where the 万 or 元 place is 0 but the next place is not, the optional
//!   零 is left out (壹拾万柒仟元伍角叁分), as rule 4 allows;
//! - 角 of 0 before a non-zero 分 is written 零 (壹万陆仟肆佰零玖元零贰分);
//! - below one yuan there is no 元 (伍角, 伍分): the rules give none, and
//!   this is the form bank systems print most often;
//! - zero is 零元整; a negative amount starts with 负.
//!
//! The amount is rounded to the fen first by the money rule.

use rust_decimal::Decimal;

use super::money::to_fen;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const PLACES: [&str; 4] = ["仟", "佰", "拾", ""];
const GROUPS: [&str; 3] = ["亿", "万", ""];

/// Largest amount written: 9,999 亿 yuan and change.
pub const MAX_YUAN: u64 = 999_999_999_999;

/// The amount in capitals; `None` beyond [`MAX_YUAN`].
pub fn in_capitals(amount: Decimal) -> Option<String> {
    let fen = to_fen(amount).ok()?;
    let negative = fen < 0;
    let fen = fen.unsigned_abs();
    let yuan = fen / 100;
    if yuan > MAX_YUAN {
        return None;
    }
    let (jiao, fen) = ((fen / 10 % 10) as usize, (fen % 10) as usize);
    let mut out = String::new();
    if negative {
        out.push('负');
    }
    if yuan == 0 && (jiao > 0 || fen > 0) {
        // Below one yuan: 伍角, 伍分, 伍角叁分.
        if jiao > 0 {
            out.push(DIGITS[jiao]);
            out.push('角');
        }
        if fen > 0 {
            out.push(DIGITS[fen]);
            out.push('分');
        }
        return Some(out);
    }
    if yuan == 0 {
        out.push_str("零元整");
        return Some(out);
    }
    let groups = [yuan / 100_000_000, yuan / 10_000 % 10_000, yuan % 10_000];
    let mut started = false;
    let mut zero_pending = false;
    // A whole group of zeros (亿 0000 万...) is always marked with 零.
    let mut skipped_group = false;
    for (g, value) in groups.iter().enumerate() {
        if *value == 0 {
            zero_pending |= started;
            skipped_group |= started;
            continue;
        }
        let digits = [value / 1000, value / 100 % 10, value / 10 % 10, value % 10];
        if digits[0] != 0 && !skipped_group {
            // Only the previous group's trailing zeros (its 万 or 元
            // place) stand before a non-zero 仟: the 零 is optional
            // (rule 4) and left out.
            zero_pending = false;
        }
        skipped_group = false;
        for (p, d) in digits.iter().enumerate() {
            if *d == 0 {
                zero_pending |= started;
                continue;
            }
            if zero_pending {
                out.push('零');
            }
            zero_pending = false;
            out.push(DIGITS[*d as usize]);
            out.push_str(PLACES[p]);
            started = true;
        }
        out.push_str(GROUPS[g]);
    }
    out.push('元');
    match (jiao, fen) {
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push('角');
        }
        (0, f) => {
            out.push('零');
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::from_fen;

    fn c(s: &str) -> String {
        in_capitals(s.parse().expect("decimal")).expect("in range")
    }

    /// The table of REFERENCE.md §6, PBOC examples included.
    #[test]
    fn the_reference_examples() {
        assert_eq!(c("1000010.05"), "壹佰万零壹拾元零伍分");
        assert_eq!(c("10000000.00"), "壹仟万元整");
        assert_eq!(c("0.50"), "伍角");
        assert_eq!(c("1409.50"), "壹仟肆佰零玖元伍角");
        assert_eq!(c("6007.14"), "陆仟零柒元壹角肆分");
        assert_eq!(c("16409.02"), "壹万陆仟肆佰零玖元零贰分");
        assert_eq!(c("107000.53"), "壹拾万柒仟元伍角叁分");
        assert_eq!(c("100700"), "壹拾万零柒佰元整");
    }

    #[test]
    fn zeros_and_edges() {
        assert_eq!(c("0"), "零元整");
        assert_eq!(c("0.05"), "伍分");
        assert_eq!(c("20005"), "贰万零伍元整");
        assert_eq!(c("10500"), "壹万零伍佰元整");
        assert_eq!(c("100000001"), "壹亿零壹元整");
        assert_eq!(c("110000000"), "壹亿壹仟万元整");
        assert_eq!(c("100001000"), "壹亿零壹仟元整");
        assert_eq!(c("100010000"), "壹亿零壹万元整");
        assert_eq!(c("-12.30"), "负壹拾贰元叁角");
        assert_eq!(c("9876543.21"), "玖佰捌拾柒万陆仟伍佰肆拾叁元贰角壹分");
        assert_eq!(c("50106"), "伍万零壹佰零陆元整");
        assert_eq!(in_capitals("1000000000000".parse().expect("d")), None);
    }

    /// Reads capitals back into fen: an independent inverse used to check
    /// the writer on many amounts.
    fn read_back(text: &str) -> i64 {
        let (sign, body) = match text.strip_prefix('负') {
            Some(rest) => (-1, rest),
            None => (1, text),
        };
        let (mut total, mut section, mut digit, mut jiao, mut fen) = (0i64, 0i64, 0i64, 0i64, 0i64);
        for ch in body.chars() {
            if let Some(d) = DIGITS.iter().position(|x| *x == ch) {
                digit = d as i64;
                continue;
            }
            match ch {
                '拾' => section += digit * 10,
                '佰' => section += digit * 100,
                '仟' => section += digit * 1000,
                '万' => total += (section + digit) * 10_000,
                '亿' => total += (section + digit) * 100_000_000,
                '元' => total += section + digit,
                '角' => jiao = digit,
                '分' => fen = digit,
                '整' => {}
                other => panic!("unexpected {other} in {text}"),
            }
            if matches!(ch, '拾' | '佰' | '仟' | '万' | '亿' | '元' | '角' | '分') {
                digit = 0;
            }
            if matches!(ch, '万' | '亿' | '元') {
                section = 0;
            }
        }
        sign * (total * 100 + jiao * 10 + fen)
    }

    fn well_formed(text: &str) {
        assert!(!text.contains("零零"), "{text}");
        assert!(!text.ends_with('零'), "{text}");
        assert!(!text.starts_with('零') || text == "零元整", "{text}");
        assert!(!(text.ends_with('分') && text.contains('整')), "{text}");
    }

    /// Zeros in every position, alone and in runs of two and three, of the
    /// largest amount written: each reads back to itself and keeps the
    /// rules (one 零 per run of zeros, none leading or trailing, no 整
    /// after 分).
    #[test]
    fn zeros_in_every_position() {
        let all_nines = "99999999999999"; // 12 yuan digits, 角, 分
        let mut n = 0;
        for run in 1..=3 {
            for start in 0..=all_nines.len() - run {
                let mut digits: Vec<u8> = all_nines.bytes().collect();
                for d in &mut digits[start..start + run] {
                    *d = b'0';
                }
                let fen: i64 = String::from_utf8(digits).expect("ascii").parse().expect("number");
                for fen in [fen, fen / 7 * 3, -fen] {
                    let text = in_capitals(from_fen(fen)).expect("in range");
                    well_formed(&text);
                    assert_eq!(read_back(&text), fen, "{text}");
                    n += 1;
                }
            }
        }
        assert!(n > 100);
        // One non-zero digit in every position.
        for p in 0..14 {
            let fen = 10i64.pow(p) * 5;
            let text = in_capitals(from_fen(fen)).expect("in range");
            well_formed(&text);
            assert_eq!(read_back(&text), fen, "{text}");
        }
        assert_eq!(c("100000000000"), "壹仟亿元整");
        assert_eq!(c("100000000000.01"), "壹仟亿元零壹分");
        assert_eq!(c("10000000000.10"), "壹佰亿元壹角");
        assert_eq!(c("90000009"), "玖仟万零玖元整");
        assert_eq!(c("900009000"), "玖亿零玖仟元整");
    }

    #[test]
    fn the_largest_amount_supported() {
        assert_eq!(c("999999999999.99"), "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分");
        assert_eq!(read_back(&c("999999999999.99")), 99_999_999_999_999);
        assert_eq!(in_capitals("1000000000000.00".parse().expect("d")), None);
        assert_eq!(in_capitals("-1000000000000.00".parse().expect("d")), None);
    }
}
