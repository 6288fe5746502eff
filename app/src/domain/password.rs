//! Rules for user names and passwords (checked before anything is hashed).

use serde::{Deserialize, Serialize};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, in characters: bounds the hashing cost.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Passwords people pick first. Compared case-insensitively; anything this
/// list would reject is tried early by every password guesser.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "1111111111",
    "0000000000",
    "1234567890a",
    "a1234567890",
    "123456789a",
    "a123456789",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "asdfghjkl;",
    "zxcvbnm123",
    "password12",
    "password123",
    "password1!",
    "passw0rd12",
    "p@ssw0rd12",
    "p@ssword123",
    "iloveyou12",
    "admin12345",
    "admin123456",
    "administrator",
    "abc1234567",
    "abcd123456",
    "abcdefghij",
    "woaini1314",
    "woaini520",
    "5201314520",
    "1314520520",
    "aaaaaaaaaa",
    "welcome123",
    "letmein123",
    "changeme123",
    "gouzhu12345",
    "gouzhu123456",
];

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    SameAsUsername,
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
    if lowered == username.trim().to_lowercase() {
        return Err(PasswordProblem::SameAsUsername);
    }
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Err(PasswordProblem::TooCommon);
    }
    Ok(())
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
