//! A commitment's fulfilment over time: for each direction, how many were received by the
//! end of each day on which someone was, against the number agreed — what the pages draw.

use crate::{App, Error, day_of, grant};
use homeward_core::access::{Actor, ReadTalks};
use serde::Serialize;

/// One direction of a commitment over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressLine {
    /// The party handing over.
    pub from: String,
    /// The party receiving.
    pub to: String,
    /// The number agreed.
    pub agreed: u32,
    /// Each day on which someone was received (`YYYY-MM-DD`, UTC) and how many had been
    /// received by its end.
    pub days: Vec<(String, u32)>,
}

impl App {
    /// The commitment's fulfilment over time, one line per direction it moves people in.
    pub async fn progress(
        &self,
        actor: &Actor,
        commitment: i64,
    ) -> Result<Vec<ProgressLine>, Error> {
        let c = self.commitment(actor, commitment).await?;
        let receipts = self
            .store
            .receipts_over_time(&grant::<ReadTalks>(actor)?, commitment)
            .await?;
        Ok(c.fulfilment
            .flows
            .iter()
            .map(|f| {
                let mut days: Vec<(String, u32)> = Vec::new();
                let mut total = 0;
                for (at, from, n) in &receipts {
                    if from != f.from.as_str() {
                        continue;
                    }
                    total += n;
                    let day = day_of(*at).to_string();
                    match days.last_mut() {
                        Some((d, count)) if *d == day => *count = total,
                        _ => days.push((day, total)),
                    }
                }
                ProgressLine {
                    from: f.from.to_string(),
                    to: f.to.to_string(),
                    agreed: f.agreed,
                    days,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_day_is_named_as_iso_dates_are() {
        // 2025-06-09 10:00 UTC.
        assert_eq!(crate::day_of(1_749_463_200_000).to_string(), "2025-06-09");
    }
}
