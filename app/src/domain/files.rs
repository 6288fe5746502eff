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
    /// Claims to be a PNG or JPEG but its structure is broken.
    Damaged,
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

/// Removes the metadata of a photo that can hold where it was taken:
/// in a JPEG the APP1 segments (Exif, with its GPS directory, and XMP) and
/// APP13 (IPTC); in a PNG the `eXIf` chunk and the text chunks (`tEXt`,
/// `zTXt`, `iTXt`, where XMP lives). The picture itself is copied byte for
/// byte. PDFs are returned unchanged. The flag says whether anything was
/// removed.
pub fn strip_location(bytes: &[u8], media_type: &str) -> Result<(Vec<u8>, bool), FileProblem> {
    match media_type {
        "image/jpeg" => strip_jpeg(bytes),
        "image/png" => strip_png(bytes),
        _ => Ok((bytes.to_vec(), false)),
    }
}

fn strip_jpeg(bytes: &[u8]) -> Result<(Vec<u8>, bool), FileProblem> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(FileProblem::Damaged);
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut removed = false;
    let mut i = 2;
    loop {
        // Fill bytes (0xFF) may pad between segments.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(i), bytes.get(i + 1)) else {
            return Err(FileProblem::Damaged);
        };
        match marker {
            // End of image, or start of scan: the rest is picture data.
            0xD9 | 0xDA => {
                out.extend_from_slice(&bytes[i..]);
                return Ok((out, removed));
            }
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&bytes[i..i + 2]);
                i += 2;
            }
            _ => {
                let len = match (bytes.get(i + 2), bytes.get(i + 3)) {
                    (Some(&hi), Some(&lo)) => usize::from(hi) << 8 | usize::from(lo),
                    _ => return Err(FileProblem::Damaged),
                };
                let end = i + 2 + len;
                if len < 2 || end > bytes.len() {
                    return Err(FileProblem::Damaged);
                }
                if marker == 0xE1 || marker == 0xED {
                    removed = true;
                } else {
                    out.extend_from_slice(&bytes[i..end]);
                }
                i = end;
            }
        }
    }
}

fn strip_png(bytes: &[u8]) -> Result<(Vec<u8>, bool), FileProblem> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !bytes.starts_with(SIGNATURE) {
        return Err(FileProblem::Damaged);
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(SIGNATURE);
    let mut removed = false;
    let mut i = SIGNATURE.len();
    while i < bytes.len() {
        let header = bytes.get(i..i + 8).ok_or(FileProblem::Damaged)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let end = i.checked_add(12 + len).filter(|e| *e <= bytes.len()).ok_or(FileProblem::Damaged)?;
        let kind = &header[4..8];
        if matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt") {
            removed = true;
        } else {
            out.extend_from_slice(&bytes[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            break;
        }
    }
    Ok((out, removed))
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

    /// A JPEG: SOI, APP0 (JFIF), APP1 (Exif with a GPS tag), DQT, SOS with
    /// picture bytes, EOI.
    pub(crate) fn jpeg_with_gps() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        b.extend([0xFF, 0xE0, 0x00, 0x10]);
        b.extend(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        let exif: &[u8] = b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x88\x25\0\x04\0\0\0\x01\0\0\0\x1aGPS29.5630N";
        b.extend([0xFF, 0xE1, 0x00, (exif.len() + 2) as u8]);
        b.extend(exif);
        b.extend([0xFF, 0xDB, 0x00, 0x04, 0x00, 0x01]);
        b.extend([0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0x00, 0x56]);
        b.extend([0xFF, 0xD9]);
        b
    }

    #[test]
    fn photo_locations_are_removed_and_the_picture_kept() {
        let jpeg = jpeg_with_gps();
        let (clean, removed) = strip_location(&jpeg, "image/jpeg").expect("test value");
        assert!(removed);
        assert!(!clean.windows(4).any(|w| w == b"Exif"));
        assert!(!clean.windows(3).any(|w| w == b"GPS"));
        assert!(clean.windows(4).any(|w| w == b"JFIF"), "other segments stay");
        assert!(clean.ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        let (again, removed) = strip_location(&clean, "image/jpeg").expect("test value");
        assert_eq!((again, removed), (clean, false));

        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [
            (&b"IHDR"[..], &b"0123456789abc"[..]),
            (b"eXIf", b"MM\0*GPS"),
            (b"iTXt", b"XMP"),
            (b"IDAT", b"px"),
            (b"IEND", b""),
        ] {
            png.extend((data.len() as u32).to_be_bytes());
            png.extend(kind);
            png.extend(data);
            png.extend([0, 0, 0, 0]);
        }
        let (clean, removed) = strip_location(&png, "image/png").expect("test value");
        assert!(removed);
        assert!(!clean.windows(4).any(|w| w == b"eXIf" || w == b"iTXt"));
        assert!(clean.windows(4).any(|w| w == b"IDAT"));

        assert_eq!(
            strip_location(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF], "image/jpeg"),
            Err(FileProblem::Damaged)
        );
        assert_eq!(
            strip_location(b"\x89PNG\r\n\x1a\n\0\0\0\x50IHDR", "image/png"),
            Err(FileProblem::Damaged)
        );
        let pdf = b"%PDF-1.7".to_vec();
        assert_eq!(strip_location(&pdf, "application/pdf"), Ok((pdf, false)));
    }
}
