//! Synthetic people: names drawn from the embedded lists, each person written by their own
//! side in their own language and by the other side in the other language, with the
//! slips real clerks make (a year without the day, a dropped patronymic, a swapped letter).

use homeward_core::record::{Category, Health, PartialDate, PersonRecord, Relation, Sex, Status};
use rand::RngExt as _;
use rand::rngs::StdRng;

/// The language a list is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Ukrainian.
    Uk,
    /// Russian.
    Ru,
}

#[derive(Debug, Clone)]
struct GivenName {
    sex: Sex,
    uk: String,
    ru: String,
    /// Patronymics formed from this name: (uk m, uk f, ru m, ru f).
    patronymic: Option<[String; 4]>,
}

#[derive(Debug, Clone)]
struct Surname {
    lang: Lang,
    m: String,
    f: String,
}

/// The embedded name lists.
#[derive(Debug, Clone)]
pub struct NameBook {
    given: Vec<GivenName>,
    surnames: Vec<Surname>,
}

impl NameBook {
    /// Reads the lists compiled into the crate.
    pub fn embedded() -> NameBook {
        let rows = |text: &'static str| {
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| l.split('\t').map(str::to_owned).collect::<Vec<_>>())
        };
        // Given names and their patronymics come from the names crate's dictionary.
        let given = homeward_names::NameDictionary::embedded()
            .classes()
            .iter()
            .filter_map(|c| {
                let first = |v: &Vec<String>| v.first().cloned();
                Some(GivenName {
                    sex: if c.gender == homeward_names::Gender::Female {
                        Sex::F
                    } else {
                        Sex::M
                    },
                    uk: first(&c.ukrainian)?,
                    ru: first(&c.russian)?,
                    patronymic: match c.gender {
                        homeward_names::Gender::Male => Some([
                            first(&c.patronymics[0])?,
                            first(&c.patronymics[1])?,
                            first(&c.patronymics[2])?,
                            first(&c.patronymics[3])?,
                        ]),
                        homeward_names::Gender::Female => None,
                    },
                })
            })
            .collect();
        let surnames = rows(include_str!("../data/surnames.tsv"))
            .filter(|c| c.len() >= 3)
            .map(|c| Surname {
                lang: if c[0] == "ru" { Lang::Ru } else { Lang::Uk },
                m: c[1].clone(),
                f: c[2].clone(),
            })
            .collect();
        NameBook { given, surnames }
    }

    fn given_of(&self, rng: &mut StdRng, sex: Sex) -> &GivenName {
        let pool: Vec<&GivenName> = self.given.iter().filter(|g| g.sex == sex).collect();
        // Earlier names in the lists are the commoner ones: square a uniform draw.
        let u: f64 = rng.random();
        pool[((u * u) * pool.len() as f64) as usize % pool.len()]
    }

    fn father_of(&self, rng: &mut StdRng) -> &GivenName {
        loop {
            let g = self.given_of(rng, Sex::M);
            if g.patronymic.is_some() {
                return g;
            }
        }
    }

    fn surname_of(&self, rng: &mut StdRng, lang: Lang) -> Surname {
        // A third from the common surnames, the rest built from stems and endings, so that
        // large lists have thousands of surnames in a long-tailed distribution.
        if rng.random_bool(0.35) {
            let pool: Vec<&Surname> = self.surnames.iter().filter(|s| s.lang == lang).collect();
            let u: f64 = rng.random();
            return pool[((u * u) * pool.len() as f64) as usize % pool.len()].clone();
        }
        let (stems, endings): (&[&str], &[(&str, &str)]) = match lang {
            Lang::Uk => (&UK_STEMS, &UK_ENDINGS),
            Lang::Ru => (&RU_STEMS, &RU_ENDINGS),
        };
        let u: f64 = rng.random();
        let stem = stems[((u * u) * stems.len() as f64) as usize % stems.len()];
        let (m, f) = endings[rng.random_range(0..endings.len())];
        Surname {
            lang,
            m: format!("{stem}{m}"),
            f: format!("{stem}{f}"),
        }
    }
}

const UK_STEMS: [&str; 60] = [
    "Бондар",
    "Гончар",
    "Коваль",
    "Кравч",
    "Мельнич",
    "Ткач",
    "Шевч",
    "Савч",
    "Марч",
    "Руд",
    "Лис",
    "Пономар",
    "Литвин",
    "Федор",
    "Кирил",
    "Мартин",
    "Зінч",
    "Тимош",
    "Іван",
    "Дмитр",
    "Ярош",
    "Остап",
    "Нестер",
    "Гнат",
    "Захарч",
    "Андрі",
    "Павл",
    "Гриц",
    "Кузьм",
    "Левч",
    "Харч",
    "Карп",
    "Роман",
    "Сидор",
    "Панч",
    "Власч",
    "Данил",
    "Юрч",
    "Семен",
    "Стец",
    "Борис",
    "Гаврил",
    "Климч",
    "Демч",
    "Олійн",
    "Кушнір",
    "Головч",
    "Мороз",
    "Вакул",
    "Дорош",
    "Лук'ян",
    "Матвій",
    "Присяжн",
    "Сердюч",
    "Степан",
    "Тарас",
    "Охрім",
    "Яковч",
    "Юхим",
    "Прокоп",
];
const UK_ENDINGS: [(&str, &str); 10] = [
    ("енко", "енко"),
    ("ук", "ук"),
    ("юк", "юк"),
    ("ик", "ик"),
    ("ишин", "ишина"),
    ("ський", "ська"),
    ("ів", "ів"),
    ("ець", "ець"),
    ("ак", "ак"),
    ("ович", "ович"),
];
const RU_STEMS: [&str; 50] = [
    "Иван",
    "Смирн",
    "Кузнец",
    "Попов",
    "Васил",
    "Петр",
    "Сокол",
    "Михайл",
    "Новик",
    "Федор",
    "Мороз",
    "Волк",
    "Алексе",
    "Лебед",
    "Семен",
    "Егор",
    "Павл",
    "Козл",
    "Степан",
    "Никола",
    "Орл",
    "Андре",
    "Макар",
    "Никит",
    "Захар",
    "Зайц",
    "Соловь",
    "Борис",
    "Яковл",
    "Григор",
    "Роман",
    "Воробь",
    "Серге",
    "Кузьм",
    "Фрол",
    "Александр",
    "Дмитри",
    "Корол",
    "Гус",
    "Кисел",
    "Ильин",
    "Максим",
    "Поляк",
    "Сорок",
    "Виноград",
    "Белоус",
    "Медвед",
    "Антон",
    "Тарас",
    "Жук",
];
const RU_ENDINGS: [(&str, &str); 8] = [
    ("ов", "ова"),
    ("ев", "ева"),
    ("ин", "ина"),
    ("ский", "ская"),
    ("енко", "енко"),
    ("ых", "ых"),
    ("ичев", "ичева"),
    ("ушкин", "ушкина"),
];

/// Respells a Ukrainian surname the way a Russian clerk writes it.
fn uk_to_ru(s: &str) -> String {
    let s = s
        .replace("ський", "ский")
        .replace("ська", "ская")
        .replace("цький", "цкий")
        .replace("йов", "ьев")
        .replace("йова", "ьева")
        .replace("ьов", "ев")
        .replace("ьова", "ева");
    s.chars()
        .map(|c| match c {
            'і' | 'ї' => "и".to_owned(),
            'І' | 'Ї' => "И".to_owned(),
            'є' => "е".to_owned(),
            'Є' => "Е".to_owned(),
            'ґ' => "г".to_owned(),
            '\'' => "ь".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// Respells a Russian surname the way a Ukrainian clerk writes it.
fn ru_to_uk(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'и' => "і".to_owned(),
            'И' => "І".to_owned(),
            'ы' => "и".to_owned(),
            'э' => "е".to_owned(),
            'Э' => "Е".to_owned(),
            'ё' => "ьо".to_owned(),
            'ъ' => "'".to_owned(),
            c => c.to_string(),
        })
        .collect::<String>()
        .replace("ій", "ий")
}

/// A person as they really are (synthetic): both spellings of every name part.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Sex.
    pub sex: Sex,
    /// The language of the person's own side.
    pub native: Lang,
    pub(crate) surname: [String; 2],
    pub(crate) given: [String; 2],
    pub(crate) patronymic: [String; 2],
    /// Birth date.
    pub birth: PartialDate,
    pub(crate) unit: String,
    rank: usize,
    pub(crate) service_number: String,
    /// Health.
    pub health: Health,
    capture: PartialDate,
    place: usize,
    /// A number that tells apart people generated for the same scenario.
    pub serial: usize,
}

const RANKS: [[&str; 2]; 8] = [
    ["солдат", "рядовой"],
    ["старший солдат", "ефрейтор"],
    ["молодший сержант", "младший сержант"],
    ["сержант", "сержант"],
    ["старший сержант", "старший сержант"],
    ["лейтенант", "лейтенант"],
    ["старший лейтенант", "старший лейтенант"],
    ["капітан", "капитан"],
];

const PLACES: [[&str; 2]; 6] = [
    ["Донецька обл.", "Донецкая обл."],
    ["Луганська обл.", "Луганская обл."],
    ["Запорізька обл.", "Запорожская обл."],
    ["Харківська обл.", "Харьковская обл."],
    ["Херсонська обл.", "Херсонская обл."],
    ["Курська обл.", "Курская обл."],
];

fn idx(lang: Lang) -> usize {
    match lang {
        Lang::Uk => 0,
        Lang::Ru => 1,
    }
}

/// A random full date with the person aged between `min_age` and `max_age` on 2 June 2025.
fn birth_date(rng: &mut StdRng, min_age: i32, max_age: i32) -> PartialDate {
    let year = 2025 - rng.random_range(min_age..=max_age) - 1;
    let month = rng.random_range(1..=12_u8);
    let day = rng.random_range(1..=28_u8);
    PartialDate {
        year,
        month: Some(month),
        day: Some(day),
    }
}

fn some_date(rng: &mut StdRng, years: std::ops::RangeInclusive<i32>) -> PartialDate {
    PartialDate {
        year: rng.random_range(years),
        month: Some(rng.random_range(1..=12_u8)),
        day: Some(rng.random_range(1..=28_u8)),
    }
}

impl Identity {
    /// A new adult (soldier or civilian) of the side writing in `native`.
    pub fn adult(
        book: &NameBook,
        rng: &mut StdRng,
        native: Lang,
        serial: usize,
        sex: Sex,
    ) -> Identity {
        let sn = book.surname_of(rng, native);
        let surname = if sex == Sex::F { sn.f } else { sn.m };
        let surname = match native {
            Lang::Uk => [surname.clone(), uk_to_ru(&surname)],
            Lang::Ru => [ru_to_uk(&surname), surname],
        };
        let g = book.given_of(rng, sex).clone();
        let father = book.father_of(rng).clone();
        let p = father.patronymic.unwrap_or_default();
        let patronymic = if sex == Sex::F {
            [p[1].clone(), p[3].clone()]
        } else {
            [p[0].clone(), p[2].clone()]
        };
        let young: bool = rng.random_bool(0.3);
        let birth = if young {
            birth_date(rng, 18, 25)
        } else {
            birth_date(rng, 26, 55)
        };
        let roll: f64 = rng.random();
        let health = match roll {
            r if r < 0.05 => Health::Serious,
            r if r < 0.20 => Health::WoundedOrSick,
            r if r < 0.95 => Health::Fit,
            _ => Health::Unknown,
        };
        let service_number = match native {
            Lang::Uk => format!("{:010}", 1_000_000_000 + serial * 7919 % 899_999_999),
            Lang::Ru => format!(
                "{}-{:06}",
                ["АБ", "ВГ", "ДЕ", "ЖК"][serial % 4],
                serial * 104_729 % 999_999
            ),
        };
        let unit = match native {
            Lang::Uk => format!("А{:04}", 1000 + rng.random_range(0..60_u32) * 37 % 8999),
            Lang::Ru => format!(
                "{:05}",
                10_000 + rng.random_range(0..60_u32) * 1453 % 89_999
            ),
        };
        Identity {
            sex,
            native,
            surname,
            given: [g.uk, g.ru],
            patronymic,
            birth,
            unit,
            rank: rng.random_range(0..RANKS.len()),
            service_number,
            health,
            capture: some_date(rng, 2022..=2025),
            place: rng.random_range(0..PLACES.len()),
            serial,
        }
    }

    /// A new child of the side writing in `native`.
    pub fn child(book: &NameBook, rng: &mut StdRng, native: Lang, serial: usize) -> Identity {
        let sex = if rng.random_bool(0.5) { Sex::M } else { Sex::F };
        let mut id = Identity::adult(book, rng, native, serial, sex);
        id.birth = birth_date(rng, 3, 16);
        id.health = Health::Unknown;
        id.capture = some_date(rng, 2022..=2023);
        id
    }

    /// Whether the person was 18–25 on 2 June 2025.
    pub fn is_young(&self) -> bool {
        self.birth
            .age_on(PartialDate {
                year: 2025,
                month: Some(6),
                day: Some(2),
            })
            .is_some_and(|a| (18..=25).contains(&a))
    }

    /// The record one party writes about this person, in `lang`. `careless` adds the
    /// slips of a clerk working from second-hand information.
    pub fn record(
        &self,
        rng: &mut StdRng,
        lang: Lang,
        category: Category,
        relation: Relation,
        status: Status,
        careless: bool,
    ) -> PersonRecord {
        let i = idx(lang);
        let mut surname = self.surname[i].clone();
        let mut birth = Some(self.birth);
        let mut patronymic = Some(self.patronymic[i].clone());
        let mut unit = Some(self.unit.clone());
        if careless {
            if rng.random_bool(0.05) {
                surname = swap_two_letters(&surname, rng);
            }
            if rng.random_bool(0.15) {
                birth = Some(PartialDate {
                    month: None,
                    day: None,
                    ..self.birth
                });
            } else if rng.random_bool(0.03) {
                if let (Some(m), Some(d)) = (self.birth.month, self.birth.day)
                    && d <= 12
                {
                    birth = Some(PartialDate {
                        month: Some(d),
                        day: Some(m),
                        ..self.birth
                    });
                }
            } else if rng.random_bool(0.03) {
                birth = None;
            }
            if rng.random_bool(0.12) {
                patronymic = None;
            }
            if rng.random_bool(0.3) {
                unit = None;
            }
        }
        let soldier = category == Category::Pow;
        let child = category == Category::Child;
        PersonRecord {
            category: Some(category),
            relation: Some(relation),
            status: Some(status),
            surname: Some(surname),
            given_names: Some(self.given[i].clone()),
            patronymic,
            birth_date: birth,
            sex: Some(self.sex),
            citizenship: Some(match self.native {
                Lang::Uk => "UA".to_owned(),
                Lang::Ru => "RU".to_owned(),
            }),
            rank: soldier.then(|| RANKS[self.rank][i].to_owned()),
            unit: if soldier { unit } else { None },
            service_number: (soldier && !careless).then(|| self.service_number.clone()),
            capture_date: (!child).then_some(self.capture),
            capture_place: (!child).then(|| PLACES[self.place][i].to_owned()),
            health: Some(if category == Category::Remains {
                Health::Unknown
            } else {
                self.health
            }),
            deportation_date: child.then_some(self.capture),
            deportation_place: child.then(|| PLACES[self.place][i].to_owned()),
            family_contact: (child && lang == Lang::Uk)
                .then(|| format!("+380 00 000 {:04} (synthetic)", self.serial % 10_000)),
            last_known_location: (child && lang == Lang::Ru).then(|| "Ростовская обл.".to_owned()),
            synthetic: true,
            ..Default::default()
        }
    }
}

/// A clerk's slip: two neighbouring letters swapped (never the first).
pub(crate) fn swap_two_letters(s: &str, rng: &mut StdRng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() > 3 {
        let i = rng.random_range(1..chars.len() - 1);
        chars.swap(i, i + 1);
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_embedded_lists_are_complete() {
        let book = NameBook::embedded();
        assert!(book.given.iter().filter(|g| g.sex == Sex::M).count() >= 150);
        assert!(book.given.iter().filter(|g| g.sex == Sex::F).count() >= 80);
        assert!(
            book.given
                .iter()
                .filter(|g| g.sex == Sex::M)
                .all(|g| g.patronymic.is_some())
        );
        assert!(book.surnames.iter().filter(|s| s.lang == Lang::Uk).count() >= 60);
        assert!(book.surnames.iter().filter(|s| s.lang == Lang::Ru).count() >= 60);
    }

    #[test]
    fn surnames_are_respelled_between_languages() {
        assert_eq!(uk_to_ru("Олійник"), "Олийник");
        assert_eq!(uk_to_ru("Ковальов"), "Ковалев");
        assert_eq!(uk_to_ru("Соловйова"), "Соловьева");
        assert_eq!(uk_to_ru("Ковальська"), "Ковальская");
        assert_eq!(uk_to_ru("Лук'яненко"), "Лукьяненко");
        assert_eq!(ru_to_uk("Никитин"), "Нікітін");
        assert_eq!(ru_to_uk("Давыдов"), "Давидов");
    }

    #[test]
    fn one_person_is_written_in_both_languages() {
        let book = NameBook::embedded();
        let mut rng = StdRng::seed_from_u64(1);
        let p = Identity::adult(&book, &mut rng, Lang::Uk, 1, Sex::M);
        let uk = p.record(
            &mut rng,
            Lang::Uk,
            Category::Pow,
            Relation::Sought,
            Status::InCustody,
            false,
        );
        let ru = p.record(
            &mut rng,
            Lang::Ru,
            Category::Pow,
            Relation::Held,
            Status::Held,
            false,
        );
        assert!(uk.validate().is_ok() && ru.validate().is_ok());
        assert_eq!(uk.birth_date, ru.birth_date);
        assert_eq!(uk.service_number, ru.service_number);
        assert!(uk.synthetic && ru.synthetic);
    }
}
