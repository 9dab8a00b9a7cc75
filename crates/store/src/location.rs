//! Where a store lives, as given on the command line: a file path (SQLite) or a
//! `postgres://` URL.

use homeward_core::Error;
use std::path::PathBuf;

/// The database product behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A parsed `--db` value.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file at this path.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl std::fmt::Display for Location {
    /// Shows the location without any password it carries.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(p) => write!(f, "{}", p.display()),
            Location::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl std::str::FromStr for Location {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::invalid(
                "--db",
                "empty; give a file path such as homeward.db or a postgres:// URL",
            ));
        }
        if let Some((scheme, rest)) = s.split_once("://") {
            return match scheme {
                "postgres" | "postgresql" => {
                    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                    if host.is_empty() || host.starts_with('/') && !rest.contains('@') {
                        Err(Error::invalid(
                            "--db",
                            format!(
                                "{} names no server; write postgres://USER@HOST:PORT/DATABASE",
                                redact(s)
                            ),
                        ))
                    } else {
                        Ok(Location::Postgres(s.to_owned()))
                    }
                }
                "sqlite" => Ok(Location::Sqlite(PathBuf::from(rest))),
                other => Err(Error::invalid(
                    "--db",
                    format!(
                        "{other}:// databases are not supported; give a SQLite file path or a postgres:// URL"
                    ),
                )),
            };
        }
        if let Some(rest) = s.strip_prefix("sqlite:") {
            return Ok(Location::Sqlite(PathBuf::from(rest)));
        }
        Ok(Location::Sqlite(PathBuf::from(s)))
    }
}

impl Location {
    /// The database product.
    pub fn backend(&self) -> Backend {
        match self {
            Location::Sqlite(_) => Backend::Sqlite,
            Location::Postgres(_) => Backend::Postgres,
        }
    }

    /// The sqlx connection URL.
    pub(crate) fn url(&self) -> String {
        match self {
            Location::Sqlite(path) => {
                // sqlx percent-decodes the path, so characters with a meaning in URLs are
                // encoded here.
                let mut encoded = String::new();
                for c in path.to_string_lossy().chars() {
                    match c {
                        '%' => encoded.push_str("%25"),
                        '?' => encoded.push_str("%3F"),
                        '#' => encoded.push_str("%23"),
                        c => encoded.push(c),
                    }
                }
                format!("sqlite://{encoded}?mode=rwc")
            }
            Location::Postgres(url) => url.clone(),
        }
    }

    /// Turns a connection failure into a one-line error that says what to do.
    pub(crate) fn connect_error(&self, e: sqlx::Error) -> Error {
        match self {
            Location::Sqlite(path) => Error::Storage(format!(
                "cannot open the SQLite store {}: {e}; check that the folder exists and is writable",
                path.display()
            )),
            Location::Postgres(_) => Error::Storage(format!(
                "cannot connect to PostgreSQL at {self}: {e}; check that the server is running and the URL is right"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_urls_are_told_apart() {
        assert_eq!(
            "homeward.db".parse::<Location>().unwrap(),
            Location::Sqlite("homeward.db".into())
        );
        assert_eq!(
            "sqlite:///tmp/a.db".parse::<Location>().unwrap(),
            Location::Sqlite("/tmp/a.db".into())
        );
        assert_eq!(
            "postgres://u@127.0.0.1:5432/test"
                .parse::<Location>()
                .unwrap()
                .backend(),
            Backend::Postgres
        );
    }

    #[test]
    fn unsupported_or_empty_locations_are_refused() {
        assert!("mysql://root@localhost/db".parse::<Location>().is_err());
        assert!("".parse::<Location>().is_err());
        assert!("postgres://".parse::<Location>().is_err());
    }

    #[test]
    fn passwords_never_show() {
        let loc: Location = "postgres://app:s3cret@db.internal:5432/homeward"
            .parse()
            .unwrap();
        assert_eq!(
            loc.to_string(),
            "postgres://app:***@db.internal:5432/homeward"
        );
    }

    #[test]
    fn odd_file_names_survive_the_url() {
        let loc = Location::Sqlite("/tmp/a?b#c%d.db".into());
        assert_eq!(loc.url(), "sqlite:///tmp/a%3Fb%23c%25d.db?mode=rwc");
    }
}
