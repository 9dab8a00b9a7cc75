//! Domain types and rules of homeward: parties and the access rule, person records of the
//! four categories, talks rounds and commitments, and fulfilment computed from what the
//! registers and plans hold.
//!
//! This crate does no I/O and never reads the clock: time is always a parameter.

pub mod access;
pub mod amendment;
pub mod cases;
pub mod commission;
pub mod correction;
pub mod enquiry;
mod error;
pub mod party;
pub mod protection;
pub mod record;
pub mod stated_plan;
pub mod talks;

pub use error::{Error, Reason};

/// Implements `as_str`, `FromStr` and `Display` for a field-less enum whose values are
/// stored and exchanged as fixed lower-case words.
#[macro_export]
macro_rules! text_enum {
    ($ty:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The word used in storage, on the command line and in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim() {
                    $($text => Ok($ty::$variant),)+
                    other => Err($crate::Error::refused(
                        stringify!($ty),
                        format!("unknown value {other:?}; use one of {}", [$($text),+].join(", ")),
                        $crate::Reason::NotOneOf {
                            value: other.to_owned(),
                            kind: stringify!($ty).to_lowercase(),
                            allowed: [$($text),+].iter().map(|t: &&str| (*t).to_owned()).collect(),
                        },
                    )),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
