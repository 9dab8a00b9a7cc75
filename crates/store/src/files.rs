//! The files of a SQLite store are readable by their owner only: the register, protected
//! records included, lives in them. A new store file is created with mode 0600 before SQLite
//! opens it (SQLite gives its `-wal` and `-shm` journals the mode of the database file); an
//! existing store, or journal, that others may read or write is reported when it is opened,
//! never silently changed.

use std::path::{Path, PathBuf};

/// The files SQLite keeps for the store at `path`: the database and its journals, then
/// the read audit's file ([`read_audit_file`]) and its journals.
pub fn store_files(path: &Path) -> [PathBuf; 6] {
    let with = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [
        path.to_owned(),
        with("-wal"),
        with("-shm"),
        read_audit_file(path),
        with("-reads-wal"),
        with("-reads-shm"),
    ]
}

/// The file beside the store at `path` that holds its read audit (`STORE-reads`).
pub fn read_audit_file(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-reads");
    PathBuf::from(name)
}

/// What to say of a store file others may read or write: the file and its mode. The one
/// wording of it.
pub fn too_open(file: &Path, mode: u32) -> String {
    format!(
        "{} has mode {:04o}: others on this machine may read or change the register it holds; restrict it with `chmod 600 {}`",
        file.display(),
        mode & 0o7777,
        file.display()
    )
}

/// The store's files (database and journals) that exist and are open to others than their
/// owner, each described by [`too_open`]. Empty on systems without Unix modes.
pub fn open_to_others(path: &Path) -> Vec<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        store_files(path)
            .iter()
            .filter_map(|f| {
                let mode = std::fs::metadata(f).ok()?.permissions().mode();
                (mode & 0o077 != 0).then(|| too_open(f, mode))
            })
            .collect()
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Vec::new()
    }
}

/// Creates the store file empty with mode 0600 when it does not exist yet, so that SQLite
/// (which would create it 0644 less the umask) and its journals, which take the database
/// file's mode, are never readable by others. An existing file is left as it is.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
