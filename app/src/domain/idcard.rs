//! Citizen identity numbers (居民身份证号码, GB 11643-1999): 6-digit
//! address code, 8-digit birth date, 3-digit sequence (odd for men, even
//! for women) and an ISO 7064 MOD 11-2 check character.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Weights of positions 1–17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character by `sum mod 11`.
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
/// Province-level codes (the first two digits) in use.
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
    61, 62, 63, 64, 65, 71, 81, 82,
];

/// Gender as the sequence number encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

/// A checked 18-character identity number (a trailing `x` is stored
/// upper-case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// Why an identity number is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdProblem {
    Empty,
    /// A 15-digit number of the first generation: ask for the 18-digit one.
    FirstGeneration,
    /// Not 18 characters.
    Length {
        found: usize,
    },
    /// Only digits, and X as the last character.
    Characters,
    /// The first two digits are no province.
    Province,
    /// Characters 7–14 are not a real date (or it lies before 1900).
    BirthDate,
    /// The check character does not match; `expected` is what it should be.
    Checksum {
        expected: char,
    },
}

impl IdNumber {
    /// Parses and checks `text` (surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<IdNumber, IdProblem> {
        let text = text.trim();
        if text.is_empty() {
            return Err(IdProblem::Empty);
        }
        let upper = text.to_ascii_uppercase();
        let chars: Vec<char> = upper.chars().collect();
        if chars.len() == 15 && chars.iter().all(char::is_ascii_digit) {
            return Err(IdProblem::FirstGeneration);
        }
        if chars.len() != 18 {
            return Err(IdProblem::Length { found: chars.len() });
        }
        if !chars[..17].iter().all(char::is_ascii_digit) || !(chars[17].is_ascii_digit() || chars[17] == 'X')
        {
            return Err(IdProblem::Characters);
        }
        let province = upper[..2].parse::<u32>().map_err(|_| IdProblem::Characters)?;
        if !PROVINCES.contains(&province) {
            return Err(IdProblem::Province);
        }
        let date = NaiveDate::parse_from_str(&upper[6..14], "%Y%m%d").map_err(|_| IdProblem::BirthDate)?;
        if date.year() < 1900 {
            return Err(IdProblem::BirthDate);
        }
        let expected = check_character(&upper[..17]);
        if chars[17] != expected {
            return Err(IdProblem::Checksum { expected });
        }
        Ok(IdNumber(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date in characters 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked when parsed")
    }

    /// Odd sequence numbers are men, even women.
    pub fn gender(&self) -> Gender {
        let digit = self.0.as_bytes()[16] - b'0';
        if digit % 2 == 1 { Gender::Male } else { Gender::Female }
    }

    /// Age in full years on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        let birth = self.birth_date();
        let mut age = on.year() - birth.year();
        if (on.month(), on.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        u32::try_from(age).unwrap_or(0)
    }

    /// The number as shown to those who may not see it whole: the first
    /// three and last four characters (`110***********002X`), which hide
    /// the birth date.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Masks any stored identity number text the same way as
/// [`IdNumber::masked`].
pub fn mask(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// The check character for the first 17 digits.
pub fn check_character(first17: &str) -> char {
    let sum: u32 = first17.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

impl TryFrom<String> for IdNumber {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdNumber::parse(&value).map_err(|e| format!("{e:?}"))
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standards_examples_pass() {
        let a = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(a.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).expect("date"));
        assert_eq!(a.gender(), Gender::Female);
        let b = IdNumber::parse("440524188001010014");
        // Born 1880: a valid checksum, but before 1900.
        assert_eq!(b, Err(IdProblem::BirthDate));
        let c = IdNumber::parse(" 34052419800101001x ").expect("valid, lower-case x");
        assert_eq!(c.as_str(), "34052419800101001X");
        assert_eq!(c.gender(), Gender::Male);
        assert_eq!(c.age_on(NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")), 46);
        assert_eq!(c.age_on(NaiveDate::from_ymd_opt(2025, 12, 31).expect("date")), 45);
    }

    #[test]
    fn bad_numbers_say_what_is_wrong() {
        assert_eq!(IdNumber::parse(""), Err(IdProblem::Empty));
        assert_eq!(IdNumber::parse("110105491231002"), Err(IdProblem::FirstGeneration));
        assert_eq!(IdNumber::parse("1101051949123100"), Err(IdProblem::Length { found: 16 }));
        assert_eq!(IdNumber::parse("11010519491231002Y"), Err(IdProblem::Characters));
        assert_eq!(IdNumber::parse("1101051949123X002X"), Err(IdProblem::Characters));
        assert_eq!(IdNumber::parse("99010519491231002X"), Err(IdProblem::Province));
        assert_eq!(IdNumber::parse("110105194902300021"), Err(IdProblem::BirthDate));
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdProblem::Checksum { expected: 'X' }));
        // One digit changed: the check catches every single-digit error.
        assert!(matches!(IdNumber::parse("11010519491231003X"), Err(IdProblem::Checksum { .. })));
    }

    #[test]
    fn every_single_digit_error_is_caught() {
        let good = "11010519491231002X";
        for pos in 0..17 {
            for d in b'0'..=b'9' {
                let mut bytes = good.as_bytes().to_vec();
                if bytes[pos] == d {
                    continue;
                }
                bytes[pos] = d;
                let s = String::from_utf8(bytes).expect("ascii");
                assert!(IdNumber::parse(&s).is_err(), "{s} passed");
            }
        }
    }

    #[test]
    fn masking_hides_the_birth_date() {
        let a = IdNumber::parse("11010519491231002X").expect("valid");
        assert_eq!(a.masked(), "110***********002X");
        assert!(!a.masked().contains("1949"));
        assert_eq!(mask("12345"), "*****");
    }
}
