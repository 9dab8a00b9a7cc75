use crate::access::Denied;

/// The one error type of homeward's library crates. The HTTP edge maps each variant to a
/// status code; the command line prints it as one line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller is not signed in or presented an unknown or revoked credential.
    #[error("not signed in: present a valid token or sign in")]
    Unauthenticated,
    /// A peer's server delivered something not signed by a key this server pinned for it:
    /// its signature is the only credential a peer presents.
    #[error("not a delivery from a peer: {0}")]
    UnknownSender(String),
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
    /// What was sent is larger than the route or field accepts; the message gives the
    /// limit.
    #[error("{what} is larger than the {limit} accepted")]
    TooLarge {
        /// What was too large: the upload, the request body, a field.
        what: String,
        /// The limit, in words with its unit (\"64 MiB\").
        limit: String,
    },
    /// What was sent is in a form this does not read (a body that is not JSON, a file
    /// type no importer knows).
    #[error("{0}")]
    Unsupported(String),
    /// The change collides with what is already stored.
    #[error("{0}")]
    Conflict(String),
    /// Something the request needs is not available now: an address in use, a peer or a
    /// database that does not answer. Trying again later may work.
    #[error("{0}")]
    Unavailable(String),
    /// The store could not be opened, read or written. The detail can quote the data
    /// being written, so it is withheld from logs (see `Error::may_quote_data`).
    #[error("{0}")]
    Storage(String),
    /// A file or stream could not be read or written (exports, templates, sockets). Its
    /// detail may quote data, like a storage failure's.
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// Whether the error's detail may quote the data being handled (names among it), so
    /// that logs withhold it: decided by the kind of error, never by its text.
    pub fn may_quote_data(&self) -> bool {
        matches!(self, Error::Storage(_) | Error::Io(_))
    }

    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
