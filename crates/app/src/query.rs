//! The inputs of the reading capabilities, as every face receives them: text from a query
//! string, a form or the command line, parsed here once into the store's filters.

use homeward_core::Error;
use homeward_store::{LinkFilter, PersonFilter, PersonOrder, SearchQuery};
use serde::Deserialize;

/// The purpose a reader gave, or `default`; at most 200 characters are kept.
pub fn purpose_or(given: Option<&str>, default: &'static str) -> String {
    given
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.chars().take(200).collect())
        .unwrap_or_else(|| default.to_owned())
}

/// A choice among names (a category, a status, a format): absent or blank means any.
pub fn parse_choice<T: std::str::FromStr<Err = Error>>(
    v: &Option<String>,
) -> Result<Option<T>, Error> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(c) => c.parse().map(Some),
    }
}

/// Which records of the register to list.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonQuery {
    /// Only this category: pow, civilian, child or remains.
    pub category: Option<String>,
    /// Only this status: missing, in_custody, held, returned or deceased.
    pub status: Option<String>,
    /// Only records imported from this list.
    pub list: Option<i64>,
    /// Only people born in this year, e.g. `1994`.
    pub born: Option<String>,
    /// The order: id (as entered, the default), name, born or status.
    pub sort: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Records per page, 1–500 (default 50).
    pub per_page: Option<i64>,
}

impl PersonQuery {
    /// The store filter this query asks for; an unknown category or status is an error.
    pub fn filter(&self) -> Result<PersonFilter, Error> {
        let per_page = self.per_page.unwrap_or(50);
        if !(1..=500).contains(&per_page) {
            return Err(Error::invalid("per_page", "give a number from 1 to 500"));
        }
        let page = self.page.unwrap_or(1);
        // A page whose first row lies past what a store can count would wrap round.
        if page < 1 || (page - 1).checked_mul(per_page).is_none() {
            return Err(Error::invalid(
                "page",
                format!("give a page from 1 to {}", i64::MAX / per_page),
            ));
        }
        let born_year = match self.born.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(y) => Some(
                y.parse::<i32>()
                    .ok()
                    .filter(|y| (1000..=9999).contains(y))
                    .ok_or_else(|| {
                        Error::invalid("born", format!("{y:?}: give a year of four digits"))
                    })?,
            ),
        };
        let order = match self.sort.as_deref().map(str::trim) {
            None | Some("") => PersonOrder::default(),
            Some(s) => PersonOrder::ALL
                .iter()
                .find(|(name, _)| *name == s)
                .map(|(_, o)| *o)
                .ok_or_else(|| Error::invalid("sort", "use one of id, name, born, status"))?,
        };
        Ok(PersonFilter {
            category: parse_choice(&self.category)?,
            status: parse_choice(&self.status)?,
            source_list: self.list,
            born_year,
            order,
            page,
            per_page,
        })
    }
}

/// A search of the register.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    /// A name in any order, script and spelling, e.g. `Oleksandr Oliinyk`.
    pub q: String,
    /// Only people born then: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub born: Option<String>,
    /// Most hits (1–200, default 20).
    pub limit: Option<i64>,
    /// Why the search is made (recorded in the read audit), e.g. `hotline call`.
    pub purpose: Option<String>,
}

impl SearchParams {
    /// The store query these parameters ask for.
    pub fn query(&self) -> Result<SearchQuery, Error> {
        let born = match self.born.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(b) => Some(
                b.parse()
                    .map_err(|e: Error| Error::invalid("born", e.to_string()))?,
            ),
        };
        Ok(SearchQuery {
            text: self.q.clone(),
            born,
            limit: self.limit.unwrap_or(20),
        })
    }
}

/// Why a record is read, for the read audit.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PurposeQuery {
    /// Why the record is opened, e.g. `tracing request 41` (default `view`).
    pub purpose: Option<String>,
}

/// Which links to list.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LinkQuery {
    /// candidate (the review queue), confirmed or rejected; all when absent.
    pub decision: Option<String>,
    /// Only the links of this register record.
    pub person: Option<i64>,
    /// true: only duplicates inside the register; false: only links to list rows.
    pub duplicates: Option<bool>,
}

impl LinkQuery {
    /// The store filter this query asks for.
    pub fn filter(&self) -> LinkFilter<'_> {
        LinkFilter {
            decision: self.decision.as_deref().filter(|d| !d.is_empty()),
            person: self.person,
            duplicates: self.duplicates,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_past_what_can_be_counted_is_refused_not_wrapped() {
        let asked = |page, per_page| PersonQuery {
            page: Some(page),
            per_page: Some(per_page),
            ..Default::default()
        };
        let refused = asked(288_230_376_151_711_746, 50).filter().unwrap_err();
        assert!(
            matches!(&refused, Error::Invalid { field, reason, .. } if field == "page" && reason.contains("184467440737095516")),
            "{refused}"
        );
        assert!(
            matches!(asked(0, 50).filter(), Err(Error::Invalid { field, .. }) if field == "page")
        );
        assert!(
            matches!(asked(1, 501).filter(), Err(Error::Invalid { field, .. }) if field == "per_page")
        );
        let last = asked(i64::MAX / 500, 500).filter().unwrap();
        assert_eq!((last.page, last.per_page), (i64::MAX / 500, 500));
    }
}
