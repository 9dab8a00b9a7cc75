use crate::access::Denied;

/// The one error type of homeward's library crates. The HTTP edge maps each variant to a
/// status code; the command line prints it as one line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller is not signed in or presented an unknown or revoked credential.
    #[error("not signed in: present a valid token or sign in")]
    Unauthenticated,
    /// The access rule refused the command.
    #[error(transparent)]
    Denied(#[from] Denied),
    /// Nothing the caller may see has that identity. Also returned for another party's
    /// records, so that their existence is not revealed.
    #[error("{0} not found")]
    NotFound(String),
    /// A value does not fit its field.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, column or parameter at fault.
        field: String,
        /// What is wrong and, where possible, what would be right.
        reason: String,
    },
    /// The change collides with what is already stored.
    #[error("{0}")]
    Conflict(String),
    /// The store could not be opened, read or written.
    #[error("{0}")]
    Storage(String),
}

impl Error {
    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
