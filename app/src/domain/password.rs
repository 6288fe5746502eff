//! Rules for user names and passwords (checked before anything is hashed).

use serde::{Deserialize, Serialize};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in characters: bounds the hashing cost.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Passwords people pick first, at least ten characters long (shorter
/// ones fail the length rule anyway). Compared case-insensitively; every
/// password guesser tries these early. Patterns (one repeated character,
/// runs like `0123456789`) are refused by rule rather than listed.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890a",
    "a1234567890",
    "123456789a",
    "a123456789",
    "12345678910",
    "123456789abc",
    "1234567890q",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "1qaz2wsx3e",
    "qazwsxedcrfv",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "qweasdzxc123",
    "asdfghjkl;",
    "asdfghjkl1",
    "zxcvbnm123",
    "zxcvbnm1234",
    "password12",
    "password123",
    "password1!",
    "password1234",
    "passw0rd12",
    "p@ssw0rd12",
    "p@ssword123",
    "p@ssw0rd123",
    "iloveyou12",
    "iloveyou123",
    "admin12345",
    "admin123456",
    "administrator",
    "admin@123456",
    "abc1234567",
    "abcd123456",
    "abcd1234567",
    "abc123456789",
    "woaini1314",
    "woaini520",
    "woaini5201314",
    "5201314520",
    "1314520520",
    "520131400",
    "welcome123",
    "welcome1234",
    "letmein123",
    "changeme123",
    "sunshine123",
    "football123",
    "baseball123",
    "princess123",
    "dragon1234",
    "monkey12345",
    "shadow12345",
    "superman123",
    "computer123",
    "internet123",
    "china123456",
    "beijing2008",
    "chongqing123",
    "zhang123456",
    "wang1234567",
    "li12345678",
    "liu123456789",
    "chen1234567",
    "yang1234567",
    "huang123456",
    "zhao1234567",
    "gouzhu12345",
    "gouzhu123456",
    "gouzhu2026",
    "gouzhu@2026",
    "minzheng123",
    "minzhengju",
    "dibao123456",
    "shehuijiuzhu",
    "jiuzhu123456",
    "test123456",
    "test1234567",
    "guest12345",
    "user123456",
    "root123456",
    "a12345678910",
    "aa123456789",
    "aa12345678",
    "qq123456789",
    "qq1234567890",
    "abcdefg123",
    "abcdefgh12",
];

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    /// Is, or contains, the user name.
    SameAsUsername,
    /// On the list of common passwords, or one character repeated, or a
    /// plain run of digits or letters.
    TooCommon,
    /// The new password is the current one.
    Unchanged,
}

/// Checks a new password for `username`.
pub fn check_password(username: &str, password: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lowered = password.trim().to_lowercase();
    let name = username.trim().to_lowercase();
    if lowered == name || (name.chars().count() >= 3 && lowered.contains(&name)) {
        return Err(PasswordProblem::SameAsUsername);
    }
    if COMMON_PASSWORDS.contains(&lowered.as_str()) || is_trivial_pattern(&lowered) {
        return Err(PasswordProblem::TooCommon);
    }
    Ok(())
}

/// One character repeated, or a run where each character follows (or
/// precedes) the one before: `aaaaaaaaaa`, `0123456789`, `9876543210`.
fn is_trivial_pattern(password: &str) -> bool {
    let chars: Vec<u32> = password.chars().map(u32::from).collect();
    let steps: Vec<i64> = chars.windows(2).map(|w| i64::from(w[1]) - i64::from(w[0])).collect();
    let first = steps.first().copied().unwrap_or(0);
    matches!(first, -1..=1) && steps.iter().all(|s| *s == first)
}

/// Why a user name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UsernameProblem {
    Length,
    Characters,
}

/// Normalises a user name as typed (trimmed, lower case) and checks it:
/// 3 to 32 characters, a letter first, then letters, digits, `.`, `_`, `-`.
pub fn normalize_username(typed: &str) -> Result<String, UsernameProblem> {
    let name = typed.trim().to_lowercase();
    if !(3..=32).contains(&name.chars().count()) {
        return Err(UsernameProblem::Length);
    }
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !first_ok || !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)) {
        return Err(UsernameProblem::Characters);
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused_by_characters_not_bytes() {
        assert_eq!(check_password("li.ming", "abc12345"), Err(PasswordProblem::TooShort));
        // Nine Chinese characters are 27 bytes but still too short.
        assert_eq!(check_password("li.ming", "救助服务管理系统密"), Err(PasswordProblem::TooShort));
        assert_eq!(check_password("li.ming", "救助服务管理系统密码!"), Ok(()));
        assert_eq!(check_password("li.ming", &"x".repeat(129)), Err(PasswordProblem::TooLong));
    }

    #[test]
    fn the_username_and_common_passwords_are_refused() {
        assert_eq!(check_password("zhang.san.01", "Zhang.San.01"), Err(PasswordProblem::SameAsUsername));
        assert_eq!(check_password("li.ming", "li.ming-2026!"), Err(PasswordProblem::SameAsUsername));
        assert_eq!(check_password("li.ming", "aaaaaaaaaaaa"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("li.ming", "0123456789"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("li.ming", "zyxwvutsrqp"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("li.ming", "1357924680"), Ok(()));
        assert_eq!(check_password("li.ming", "Password123"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("li.ming", "woaini1314"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_password("li.ming", "Qing-Xi-River-2026"), Ok(()));
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(normalize_username("  Li.Ming "), Ok("li.ming".into()));
        assert_eq!(normalize_username("finance-01"), Ok("finance-01".into()));
        assert_eq!(normalize_username("ab"), Err(UsernameProblem::Length));
        assert_eq!(normalize_username("1abc"), Err(UsernameProblem::Characters));
        assert_eq!(normalize_username("li ming"), Err(UsernameProblem::Characters));
        assert_eq!(normalize_username("李明明"), Err(UsernameProblem::Characters));
    }
}
