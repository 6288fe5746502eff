//! Uploaded files: which kinds are accepted, recognised from their
//! content (never from the name or the browser's word), and how a file
//! name is kept for display only.

/// The largest upload kept: 10 MB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Why an upload is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FileProblem {
    Empty,
    TooLarge,
    /// Not a PDF, PNG or JPEG by its content.
    WrongType,
}

/// The media type of `bytes` by their first bytes: PDF, PNG or JPEG.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Checks an upload; its media type when accepted.
pub fn check_upload(bytes: &[u8]) -> Result<&'static str, FileProblem> {
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileProblem::TooLarge);
    }
    sniff(bytes).ok_or(FileProblem::WrongType)
}

/// A file name as shown and offered on download: the last path segment,
/// without control characters, at most 120 characters; never used as a
/// path.
pub fn display_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    if clean.is_empty() { "file".to_owned() } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_content() {
        assert_eq!(check_upload(b"%PDF-1.7\n..."), Ok("application/pdf"));
        assert_eq!(check_upload(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(check_upload(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(check_upload(b"<html>not a pdf</html>"), Err(FileProblem::WrongType));
        assert_eq!(check_upload(b""), Err(FileProblem::Empty));
        assert_eq!(check_upload(&vec![b'%'; MAX_FILE_BYTES + 1]), Err(FileProblem::TooLarge));
    }

    #[test]
    fn names_are_for_display_only() {
        assert_eq!(display_name("../../etc/passwd.pdf"), "passwd.pdf");
        assert_eq!(display_name("C:\\Users\\x\\文号扫描件.pdf"), "文号扫描件.pdf");
        assert_eq!(display_name("..."), "file");
        assert_eq!(display_name("a\u{0}b\nc.png"), "abc.png");
    }
}
