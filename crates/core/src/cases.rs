//! Cases that follow one person through the return: a deported child from the list handed
//! over to the family's arms, and the windows of local truces under which the fallen are
//! recovered.

use crate::Error;
use crate::record::PartialDate;
use serde::{Deserialize, Serialize};

/// Where the case of one child on a `children` list stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildCaseState {
    /// On the list handed over; nothing known yet.
    Requested,
    /// The other side says where the child is.
    Located,
    /// Identity checked (documents, family, the mediator's visit).
    Verified,
    /// The return is agreed.
    ReturnAgreed,
    /// Handed over and received.
    Returned,
    /// With the family.
    Reunited,
}

crate::text_enum!(ChildCaseState {
    Requested = "requested",
    Located = "located",
    Verified = "verified",
    ReturnAgreed = "return_agreed",
    Returned = "returned",
    Reunited = "reunited",
});

impl ChildCaseState {
    /// A case moves one step forward at a time, so that no step is skipped unrecorded; it
    /// moves one step back only with a note saying why (a verification that failed, an
    /// agreement withdrawn). A reunited child's case is closed.
    pub fn check_step(self, next: ChildCaseState, note: Option<&str>) -> Result<(), Error> {
        let (from, to) = (self as u8, next as u8);
        let step = |why: String| {
            Error::refused(
                "state",
                why,
                crate::Reason::StepNotAllowed {
                    kind: "child".to_owned(),
                    from: self.as_str().to_owned(),
                    to: next.as_str().to_owned(),
                },
            )
        };
        if self == ChildCaseState::Reunited {
            return Err(step(
                "the child is with the family; the case is closed".to_owned(),
            ));
        }
        if to == from + 1 {
            return Ok(());
        }
        if to + 1 == from {
            return match note {
                Some(n) if !n.trim().is_empty() => Ok(()),
                _ => Err(crate::record::missing(
                    "note",
                    &format!("going back from {self} to {next} needs a note saying why"),
                )),
            };
        }
        Err(step(format!(
            "a case goes from {self} to {} (or back to the step before, with a note), not to {next}",
            ChildCaseState::ALL
                .get(usize::from(from) + 1)
                .map_or("nothing", |s| s.as_str())
        )))
    }

    /// The step a case goes to next; none once the child is with the family.
    pub fn next(self) -> Option<ChildCaseState> {
        ChildCaseState::ALL
            .get(usize::from(self as u8) + 1)
            .copied()
    }

    /// The step a case may go back to (with a note); none from the first step, or once the
    /// case is closed.
    pub fn back(self) -> Option<ChildCaseState> {
        match self {
            ChildCaseState::Reunited => None,
            s => usize::from(s as u8)
                .checked_sub(1)
                .and_then(|i| ChildCaseState::ALL.get(i).copied()),
        }
    }

    /// Whether the child counts as returned for the commitment.
    pub fn is_returned(self) -> bool {
        matches!(self, ChildCaseState::Returned | ChildCaseState::Reunited)
    }
}

impl crate::record::Identification {
    /// Checks a step of identification: unidentified → presumptive needs the missing
    /// person's record it points at; presumptive → DNA-confirmed keeps it; a presumption
    /// can be dropped (back to unidentified); a DNA confirmation is final.
    pub fn check_step(self, next: Self, identified_as: Option<i64>) -> Result<(), Error> {
        use crate::record::Identification::*;
        let step = |why: String| {
            Error::refused(
                "identification",
                why,
                crate::Reason::StepNotAllowed {
                    kind: "identification".to_owned(),
                    from: self.as_str().to_owned(),
                    to: next.as_str().to_owned(),
                },
            )
        };
        match (self, next) {
            (Unidentified, Presumptive) if identified_as.is_none() => Err(Error::invalid(
                "identified_as",
                "a presumptive identification names the missing person's record",
            )),
            (Unidentified, Presumptive)
            | (Presumptive, DnaConfirmed)
            | (Presumptive, Unidentified) => Ok(()),
            (DnaConfirmed, _) => Err(step("a DNA-confirmed identification is final".to_owned())),
            (now, next) => Err(step(format!(
                "remains go from {now} to {next} only through a presumptive identification"
            ))),
        }
    }
}

/// A local truce's window: in a sector, from a day, for some days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruceWindow {
    /// The commitment it comes from.
    pub commitment: i64,
    /// The front sector, as written.
    pub sector: String,
    /// The first day.
    pub start: PartialDate,
    /// Shortest and longest duration agreed, in days.
    pub days: (i32, i32),
}

/// What is wrong between two truce windows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TruceConflict {
    /// The two commitments.
    pub commitments: (i64, i64),
    /// The sector.
    pub sector: String,
    /// What the two say.
    pub problem: String,
}

/// Days since 1 January 1970 of a full date; `None` for a partial one.
fn day(d: &PartialDate) -> Option<i64> {
    let (y, m, dd) = (i64::from(d.year), i64::from(d.month?), i64::from(d.day?));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The sector as compared: case and spacing do not make two sectors different.
fn sector_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl TruceWindow {
    /// First and last day (the longest duration), as day numbers.
    fn span(&self) -> Option<(i64, i64)> {
        let first = day(&self.start)?;
        Some((first, first + i64::from(self.days.1.max(1)) - 1))
    }

    /// Whether `on` in `site` falls under this truce: the date inside the window and the
    /// sector named in the site.
    pub fn covers(&self, on: &PartialDate, site: &str) -> bool {
        let (Some((first, last)), Some(d)) = (self.span(), day(on)) else {
            return false;
        };
        (first..=last).contains(&d) && sector_key(site).contains(&sector_key(&self.sector))
    }
}

/// Pairs of windows in the same sector that overlap (two truces cover the same days) or
/// contradict each other (the same start with different durations).
pub fn truce_conflicts(windows: &[TruceWindow]) -> Vec<TruceConflict> {
    let mut out = Vec::new();
    for (i, a) in windows.iter().enumerate() {
        for b in &windows[i + 1..] {
            if sector_key(&a.sector) != sector_key(&b.sector) {
                continue;
            }
            let (Some((a0, a1)), Some((b0, b1))) = (a.span(), b.span()) else {
                continue;
            };
            let problem = if a0 == b0 && a.days != b.days {
                format!(
                    "both start on {}, one for {}–{} days, the other for {}–{}",
                    a.start, a.days.0, a.days.1, b.days.0, b.days.1
                )
            } else if a0 <= b1 && b0 <= a1 {
                format!(
                    "the windows overlap: {} for up to {} days and {} for up to {} days",
                    a.start, a.days.1, b.start, b.days.1
                )
            } else {
                continue;
            };
            out.push(TruceConflict {
                commitments: (a.commitment, b.commitment),
                sector: a.sector.clone(),
                problem,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ChildCaseState::*;

    #[test]
    fn the_steps_offered_are_the_ones_the_rule_lets_a_case_take() {
        for s in ChildCaseState::ALL {
            if let Some(n) = s.next() {
                assert!(s.check_step(n, None).is_ok(), "{s} → {n}");
            }
            if let Some(b) = s.back() {
                assert!(s.check_step(b, Some("why")).is_ok(), "{s} → {b}");
            }
        }
        assert_eq!(Requested.next(), Some(Located));
        assert_eq!(Requested.back(), None);
        assert_eq!(Returned.back(), Some(ReturnAgreed));
        assert_eq!((Reunited.next(), Reunited.back()), (None, None));
    }

    #[test]
    fn a_case_moves_one_step_at_a_time() {
        assert!(Requested.check_step(Located, None).is_ok());
        assert!(
            Located
                .check_step(ReturnAgreed, None)
                .unwrap_err()
                .to_string()
                .contains("to verified")
        );
        assert!(Verified.check_step(Located, None).is_err());
        assert!(
            Verified
                .check_step(Located, Some("the birth certificate did not match"))
                .is_ok()
        );
        assert!(Reunited.check_step(Returned, Some("x")).is_err());
        assert!(Returned.is_returned() && !ReturnAgreed.is_returned());
    }

    #[test]
    fn identification_goes_through_presumption_to_dna() {
        use crate::record::Identification::*;
        assert!(Unidentified.check_step(Presumptive, None).is_err());
        assert!(Unidentified.check_step(Presumptive, Some(7)).is_ok());
        assert!(Unidentified.check_step(DnaConfirmed, Some(7)).is_err());
        assert!(Presumptive.check_step(DnaConfirmed, Some(7)).is_ok());
        assert!(Presumptive.check_step(Unidentified, None).is_ok());
        assert!(DnaConfirmed.check_step(Unidentified, None).is_err());
    }

    fn window(c: i64, sector: &str, start: &str, days: (i32, i32)) -> TruceWindow {
        TruceWindow {
            commitment: c,
            sector: sector.into(),
            start: start.parse().unwrap(),
            days,
        }
    }

    #[test]
    fn overlapping_and_contradictory_windows_are_flagged() {
        let w = [
            window(1, "Zaporizhzhia front", "2025-06-05", (2, 3)),
            window(2, "zaporizhzhia  Front", "2025-06-07", (1, 2)),
            window(3, "Donetsk front", "2025-06-05", (2, 3)),
            window(4, "Donetsk front", "2025-06-05", (1, 1)),
            window(5, "Zaporizhzhia front", "2025-06-20", (2, 2)),
        ];
        let c = truce_conflicts(&w);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(c[0].commitments, (1, 2));
        assert!(c[0].problem.contains("overlap"));
        assert_eq!(c[1].commitments, (3, 4));
        assert!(c[1].problem.contains("both start"));
    }

    #[test]
    fn remains_recovered_in_the_window_and_sector_fall_under_the_truce() {
        let w = window(1, "Zaporizhzhia front", "2025-06-05", (2, 3));
        let site = "near Robotyne, Zaporizhzhia front";
        assert!(w.covers(&"2025-06-07".parse().unwrap(), site));
        assert!(!w.covers(&"2025-06-08".parse().unwrap(), site));
        assert!(!w.covers(&"2025-06-06".parse().unwrap(), "Donetsk front"));
        assert!(
            !w.covers(&"2025-06".parse().unwrap(), site),
            "a month alone proves nothing"
        );
        assert_eq!(day(&"1970-01-01".parse().unwrap()), Some(0));
        assert_eq!(day(&"2025-06-02".parse().unwrap()), Some(20241));
    }
}
