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
        /// What is wrong and, where possible, what would be right (in English, as the API
        /// and the command line say it).
        reason: String,
        /// The refusal as a code with its values, for the faces to say in their words;
        /// `None` for a refusal that has no code yet (its English is shown).
        code: Option<Box<Reason>>,
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
    /// The change collides with what is already stored, for a reason with a code the faces
    /// say in their words; `message` is the English the API and the command line give.
    #[error("{message}")]
    Collides {
        /// What collides, in English.
        message: String,
        /// The same as a code with its values.
        code: Box<Reason>,
    },
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
            code: None,
        }
    }

    /// An [`Error::Invalid`] for `field` with its code: `reason` in English, `code` for
    /// the faces.
    pub fn refused(field: impl Into<String>, reason: impl Into<String>, code: Reason) -> Self {
        Error::Invalid {
            field: field.into(),
            reason: reason.into(),
            code: Some(Box::new(code)),
        }
    }

    /// An [`Error::Collides`]: `message` in English, `code` for the faces.
    pub fn collides(message: impl Into<String>, code: Reason) -> Self {
        Error::Collides {
            message: message.into(),
            code: Box::new(code),
        }
    }

    /// The same refusal said of `field` (a value's own error names its type, not the
    /// field it was typed in); other errors are returned as they are.
    pub fn in_field(self, field: impl Into<String>) -> Self {
        match self {
            Error::Invalid { reason, code, .. } => Error::Invalid {
                field: field.into(),
                reason,
                code,
            },
            other => other,
        }
    }

    /// The same refusal with `context` before its English ("stage 3: …"); its field and
    /// code are kept. Other errors are returned as they are.
    pub fn about(self, context: impl std::fmt::Display) -> Self {
        match self {
            Error::Invalid {
                field,
                reason,
                code,
            } => Error::Invalid {
                field,
                reason: format!("{context}: {reason}"),
                code,
            },
            other => other,
        }
    }

    /// The refusal's code with its values, where it has one.
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            Error::Invalid { code, .. } => code.as_deref(),
            Error::Collides { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A common refusal as a code with its values, so that each face says it in its reader's
/// language (`reason-<code>` in the words); the English of the error stays beside it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// The field must hold a value and holds none.
    Missing,
    /// The value is longer than the field keeps.
    TooLong {
        /// Its length, in characters.
        length: usize,
        /// The field's limit, in characters.
        limit: usize,
    },
    /// The value is not a date the field reads (YYYY, YYYY-MM or YYYY-MM-DD).
    NotADate {
        /// The value as typed.
        value: String,
    },
    /// The value is not a whole number.
    NotANumber {
        /// The value as typed.
        value: String,
    },
    /// The value is not one of the values the field allows.
    NotOneOf {
        /// The value as typed.
        value: String,
        /// The kind of the allowed values (`category`, `sex`…), whose words name them.
        kind: String,
        /// The allowed values, as codes.
        allowed: Vec<String>,
    },
    /// The same file was imported before.
    SameFile {
        /// The list that holds it.
        list: i64,
    },
    /// A link was decided already; it is undone before it is decided again.
    AlreadyDecided {
        /// The link.
        link: i64,
        /// Its decision (`confirmed`, `rejected`).
        decision: String,
    },
    /// A case or an identification does not go from its state to the one asked.
    StepNotAllowed {
        /// The kind of the states (`child`, `identification`), whose words name them.
        kind: String,
        /// The state now.
        from: String,
        /// The state asked for.
        to: String,
    },
}

impl Reason {
    /// The code that names the refusal (`too_long`); its words are `reason-<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::TooLong { .. } => "too_long",
            Reason::NotADate { .. } => "not_a_date",
            Reason::NotANumber { .. } => "not_a_number",
            Reason::NotOneOf { .. } => "not_one_of",
            Reason::SameFile { .. } => "same_file",
            Reason::AlreadyDecided { .. } => "already_decided",
            Reason::StepNotAllowed { .. } => "step_not_allowed",
        }
    }
}
