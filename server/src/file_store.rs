//! Uploaded files on disk, named by the SHA-256 of their content: the same
//! content is stored once, and a name typed by a user never becomes a
//! path. Written to a temporary file and renamed into place, so a crash
//! never leaves half a file under a real name.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The store under one folder.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where content `sha256` lives; none for anything but 64 lowercase
    /// hex digits.
    fn path(&self, sha256: &str) -> Option<PathBuf> {
        let valid =
            sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
    }

    /// Stores `bytes`; returns their SHA-256.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha256 = crate::xlsx::sha256_hex(bytes);
        let path = self.path(&sha256).ok_or_else(|| std::io::Error::other("bad hash"))?;
        if path.exists() {
            return Ok(sha256);
        }
        let dir = path.parent().ok_or_else(|| std::io::Error::other("no folder"))?;
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, &path)?;
        Ok(sha256)
    }

    /// The content stored under `sha256`.
    pub fn get(&self, sha256: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path(sha256).ok_or_else(|| std::io::Error::other("bad hash"))?;
        std::fs::read(path)
    }
}

/// A new file in `dir` with a unique name.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for n in 0..100u32 {
        let name = format!(
            ".upload-{}-{}-{n}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
        );
        let path = dir.join(name);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no temporary name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_stored_once_under_its_hash() {
        let dir = std::env::temp_dir().join(format!("gouzhu-store-{}", std::process::id()));
        let store = FileStore::new(&dir);
        let a = store.put(b"%PDF-1.7 hello").expect("put");
        assert_eq!(store.put(b"%PDF-1.7 hello").expect("again"), a);
        assert_eq!(store.get(&a).expect("get"), b"%PDF-1.7 hello");
        assert!(store.get("../../etc/passwd").is_err());
        assert!(store.get(&"A".repeat(64)).is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}
