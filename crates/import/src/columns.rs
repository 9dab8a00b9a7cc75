//! Recognising what a column holds from its header, in English, Ukrainian and Russian.

use std::collections::BTreeMap;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// The row's identifier in its list.
    Id,
    /// The whole name in one cell, in any order.
    FullName,
    /// Family name.
    Surname,
    /// Given name.
    GivenName,
    /// Patronymic.
    Patronymic,
    /// Date of birth.
    BirthDate,
    /// Place of birth.
    BirthPlace,
    /// Sex.
    Sex,
    /// Military unit.
    Unit,
    /// Military rank.
    Rank,
    /// Service number.
    ServiceNumber,
    /// Identity document number.
    DocumentNumber,
    /// Street address.
    Address,
    /// Town or village.
    Locality,
    /// Postal code.
    Postcode,
    /// Region, oblast, state.
    Region,
    /// A clerk's note or remarks: free text kept as written (a birth year found in it is
    /// used for linkage).
    Note,
}

/// Header words for each role, folded (lower case, no spaces, underscores or punctuation).
const ALIASES: &[(Role, &[&str])] = &[
    (
        Role::Id,
        &[
            "id",
            "recid",
            "recordid",
            "aid",
            "bid",
            "leftid",
            "rightid",
            "no",
            "nr",
            "number",
            "№",
            "номер",
            "ідентифікатор",
            "идентификатор",
            "код",
            "npp",
            "№зп",
            "№пп",
        ],
    ),
    (
        Role::FullName,
        &[
            "fullname",
            "name",
            "personname",
            "піб",
            "прізвищеімяпобатькові",
            "фио",
            "фамилияимяотчество",
            "імя та прізвище",
            "полноеимя",
            "повнеімя",
        ],
    ),
    (
        Role::Surname,
        &[
            "surname",
            "lastname",
            "familyname",
            "прізвище",
            "фамилия",
            "nazwisko",
        ],
    ),
    (
        Role::GivenName,
        &[
            "givenname",
            "firstname",
            "forename",
            "givennames",
            "імя",
            "имя",
            "imie",
        ],
    ),
    (
        Role::Patronymic,
        &[
            "patronymic",
            "middlename",
            "fathersname",
            "побатькові",
            "отчество",
            "пашбатькові",
        ],
    ),
    (
        Role::BirthDate,
        &[
            "birthdate",
            "dateofbirth",
            "dob",
            "born",
            "датанародження",
            "датарождения",
            "деньрождения",
            "народився",
            "годрождения",
            "рікнародження",
        ],
    ),
    (
        Role::BirthPlace,
        &[
            "birthplace",
            "placeofbirth",
            "місценародження",
            "месторождения",
        ],
    ),
    (Role::Sex, &["sex", "gender", "стать", "пол"]),
    (
        Role::Unit,
        &[
            "unit",
            "militaryunit",
            "військовачастина",
            "воинскаячасть",
            "вч",
            "частина",
            "часть",
            "підрозділ",
            "подразделение",
        ],
    ),
    (
        Role::Rank,
        &[
            "rank",
            "звання",
            "військовезвання",
            "звание",
            "воинскоезвание",
        ],
    ),
    (
        Role::ServiceNumber,
        &[
            "servicenumber",
            "serviceno",
            "militaryid",
            "особовийномер",
            "особистийномер",
            "жетон",
            "личныйномер",
            "номержетона",
        ],
    ),
    (
        Role::DocumentNumber,
        &[
            "documentnumber",
            "passport",
            "passportnumber",
            "document",
            "socsecid",
            "ssn",
            "паспорт",
            "документ",
            "номердокумента",
            "номерпаспорта",
        ],
    ),
    (
        Role::Address,
        &[
            "address",
            "address1",
            "address2",
            "streetaddress",
            "street",
            "streetnumber",
            "адреса",
            "адрес",
            "вулиця",
            "улица",
        ],
    ),
    (
        Role::Locality,
        &[
            "locality",
            "city",
            "town",
            "village",
            "suburb",
            "місто",
            "село",
            "населенийпункт",
            "город",
            "населенныйпункт",
        ],
    ),
    (
        Role::Postcode,
        &[
            "postcode",
            "postalcode",
            "zip",
            "zipcode",
            "індекс",
            "поштовийіндекс",
            "индекс",
            "почтовыйиндекс",
        ],
    ),
    (
        Role::Region,
        &[
            "region",
            "state",
            "oblast",
            "province",
            "область",
            "регіон",
            "регион",
            "край",
        ],
    ),
    (
        Role::Note,
        &[
            "note",
            "notes",
            "remark",
            "remarks",
            "comment",
            "comments",
            "примітка",
            "примітки",
            "коментар",
            "примечание",
            "примечания",
            "комментарий",
            "uwagi",
        ],
    ),
];

impl Role {
    /// Every role.
    pub const ALL: [Role; 17] = [
        Role::Id,
        Role::FullName,
        Role::Surname,
        Role::GivenName,
        Role::Patronymic,
        Role::BirthDate,
        Role::BirthPlace,
        Role::Sex,
        Role::Unit,
        Role::Rank,
        Role::ServiceNumber,
        Role::DocumentNumber,
        Role::Address,
        Role::Locality,
        Role::Postcode,
        Role::Region,
        Role::Note,
    ];

    /// The name used in `--map ROLE=COLUMN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Id => "id",
            Role::FullName => "full_name",
            Role::Surname => "surname",
            Role::GivenName => "given_name",
            Role::Patronymic => "patronymic",
            Role::BirthDate => "birth_date",
            Role::BirthPlace => "birth_place",
            Role::Sex => "sex",
            Role::Unit => "unit",
            Role::Rank => "rank",
            Role::ServiceNumber => "service_number",
            Role::DocumentNumber => "document_number",
            Role::Address => "address",
            Role::Locality => "locality",
            Role::Postcode => "postcode",
            Role::Region => "region",
            Role::Note => "note",
        }
    }

    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// Reads a column mapping `ROLE=COLUMN`, optionally for one side of a linkage
/// (`left.ROLE=COLUMN`): the side, the role and the column (a header or a 1-based number).
pub fn parse_mapping(text: &str) -> Result<(Option<&str>, Role, String), String> {
    let (lhs, column) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: write ROLE=COLUMN"))?;
    let (side, role) = match lhs.split_once('.') {
        Some((side, role)) => (Some(side.trim()), role),
        None => (None, lhs),
    };
    let role = Role::parse(role).ok_or_else(|| {
        format!(
            "{text:?}: unknown role {role:?}; roles are {}",
            Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    Ok((side, role, column.trim().to_owned()))
}

/// A header reduced to what identifies it: lower case, apostrophes, spaces, underscores,
/// hyphens, dots and slashes removed.
pub fn fold_header(h: &str) -> String {
    homeward_names::fold(h)
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '№')
        .collect()
}

/// The role a header names, if any.
pub fn recognise(header: &str) -> Option<Role> {
    let folded = fold_header(header);
    if folded.is_empty() {
        return None;
    }
    ALIASES
        .iter()
        .find(|(_, aliases)| aliases.iter().any(|a| fold_header(a) == folded))
        .map(|(role, _)| *role)
}

/// Which column holds which role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    /// Role → column index. Some roles (address) may take several columns.
    pub columns: BTreeMap<Role, Vec<usize>>,
}

/// A column the caller asked for that the file does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no column {column:?} for {role}; the headers are: {headers}")]
pub struct MissingColumn {
    /// The role mapped.
    pub role: &'static str,
    /// The column named.
    pub column: String,
    /// The headers seen.
    pub headers: String,
}

impl ColumnMap {
    /// Recognises columns from `headers`, then applies `overrides` (role, column name or
    /// 1-based number), which win over recognition.
    pub fn from_headers(
        headers: &[String],
        overrides: &[(Role, String)],
    ) -> Result<ColumnMap, MissingColumn> {
        let mut columns: BTreeMap<Role, Vec<usize>> = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            if let Some(role) = recognise(h) {
                columns.entry(role).or_default().push(i);
            }
        }
        for (role, column) in overrides {
            let index = headers
                .iter()
                .position(|h| h.trim() == column.trim())
                .or_else(|| {
                    headers
                        .iter()
                        .position(|h| fold_header(h) == fold_header(column))
                })
                .or_else(|| {
                    column
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=headers.len()).contains(n))
                        .map(|n| n - 1)
                })
                .ok_or_else(|| MissingColumn {
                    role: role.as_str(),
                    column: column.clone(),
                    headers: headers.join(", "),
                })?;
            for cols in columns.values_mut() {
                cols.retain(|&c| c != index);
            }
            columns.insert(*role, vec![index]);
        }
        columns.retain(|_, v| !v.is_empty());
        Ok(ColumnMap { columns })
    }

    /// The first column of `role`.
    pub fn first(&self, role: Role) -> Option<usize> {
        self.columns.get(&role).and_then(|v| v.first().copied())
    }

    /// The value of `role` in a row: its columns' non-empty cells, trimmed and joined by a
    /// space (an address in three columns reads as one).
    pub fn value(&self, role: Role, cells: &[String]) -> Option<String> {
        let joined = self
            .columns
            .get(&role)?
            .iter()
            .filter_map(|&c| cells.get(c))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!joined.is_empty()).then_some(joined)
    }

    /// Whether the map has a way to read names.
    pub fn has_name(&self) -> bool {
        [Role::FullName, Role::Surname, Role::GivenName]
            .iter()
            .any(|r| self.columns.contains_key(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_three_languages_are_recognised() {
        for (h, role) in [
            ("Прізвище", Role::Surname),
            ("ФАМИЛИЯ", Role::Surname),
            ("last_name", Role::Surname),
            ("Ім'я", Role::GivenName),
            ("Имя", Role::GivenName),
            ("First Name", Role::GivenName),
            ("По батькові", Role::Patronymic),
            ("Отчество", Role::Patronymic),
            ("ПІБ", Role::FullName),
            ("Ф.И.О.", Role::FullName),
            ("Дата народження", Role::BirthDate),
            ("date_of_birth", Role::BirthDate),
            ("DOB", Role::BirthDate),
            ("Військова частина", Role::Unit),
            ("в/ч", Role::Unit),
            ("rec_id", Role::Id),
            ("soc_sec_id", Role::DocumentNumber),
            ("given_name", Role::GivenName),
            ("Примітка", Role::Note),
            ("примечание", Role::Note),
            ("Remarks", Role::Note),
        ] {
            assert_eq!(recognise(h), Some(role), "{h}");
        }
        assert_eq!(recognise("дані"), None);
    }

    #[test]
    fn mappings_are_read_with_their_side() {
        assert_eq!(
            parse_mapping("left.surname=Прізвище"),
            Ok((Some("left"), Role::Surname, "Прізвище".into()))
        );
        assert_eq!(parse_mapping("id=3"), Ok((None, Role::Id, "3".into())));
        assert!(parse_mapping("nonsense").is_err());
        assert!(
            parse_mapping("colour=x")
                .unwrap_err()
                .contains("roles are id, full_name")
        );
    }

    #[test]
    fn overrides_win_and_unknown_columns_are_named() {
        let headers: Vec<String> = ["код", "Name", "X"].iter().map(|s| s.to_string()).collect();
        let map = ColumnMap::from_headers(&headers, &[(Role::Surname, "X".into())]).unwrap();
        assert_eq!(map.first(Role::Surname), Some(2));
        assert_eq!(map.first(Role::Id), Some(0));
        let err = ColumnMap::from_headers(&headers, &[(Role::Surname, "nope".into())]).unwrap_err();
        assert!(err.to_string().contains("код, Name, X"));
    }
}
