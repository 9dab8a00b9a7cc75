//! The population the lists are drawn from: synthetic people with Ukrainian names, their
//! Russian forms, fathers, birth dates, units, and the kin that make hard negatives.
//! The name data is this crate's own (not the names crate's dictionary, not the demo's
//! name book), so that the engine is tested on forms it was not built from.

use rand::RngExt as _;
use rand::rngs::StdRng;

/// A male given name: Ukrainian and Russian forms, and the patronymics it gives
/// (Ukrainian son, Ukrainian daughter, Russian son, Russian daughter).
pub(crate) struct MaleName {
    pub uk: &'static str,
    pub ru: &'static str,
    pub patronymic: [&'static str; 4],
}

const fn male(uk: &'static str, ru: &'static str, p: [&'static str; 4]) -> MaleName {
    MaleName {
        uk,
        ru,
        patronymic: p,
    }
}

/// Male names, most common first (the order sets the Zipf weights).
pub(crate) const MALE: &[MaleName] = &[
    male(
        "Олександр",
        "Александр",
        [
            "Олександрович",
            "Олександрівна",
            "Александрович",
            "Александровна",
        ],
    ),
    male(
        "Сергій",
        "Сергей",
        ["Сергійович", "Сергіївна", "Сергеевич", "Сергеевна"],
    ),
    male(
        "Андрій",
        "Андрей",
        ["Андрійович", "Андріївна", "Андреевич", "Андреевна"],
    ),
    male(
        "Володимир",
        "Владимир",
        [
            "Володимирович",
            "Володимирівна",
            "Владимирович",
            "Владимировна",
        ],
    ),
    male(
        "Дмитро",
        "Дмитрий",
        ["Дмитрович", "Дмитрівна", "Дмитриевич", "Дмитриевна"],
    ),
    male(
        "Іван",
        "Иван",
        ["Іванович", "Іванівна", "Иванович", "Ивановна"],
    ),
    male(
        "Микола",
        "Николай",
        ["Миколайович", "Миколаївна", "Николаевич", "Николаевна"],
    ),
    male(
        "Віталій",
        "Виталий",
        ["Віталійович", "Віталіївна", "Витальевич", "Витальевна"],
    ),
    male(
        "Юрій",
        "Юрий",
        ["Юрійович", "Юріївна", "Юрьевич", "Юрьевна"],
    ),
    male(
        "Олег",
        "Олег",
        ["Олегович", "Олегівна", "Олегович", "Олеговна"],
    ),
    male(
        "Віктор",
        "Виктор",
        ["Вікторович", "Вікторівна", "Викторович", "Викторовна"],
    ),
    male(
        "Василь",
        "Василий",
        ["Васильович", "Василівна", "Васильевич", "Васильевна"],
    ),
    male(
        "Ігор",
        "Игорь",
        ["Ігорович", "Ігорівна", "Игоревич", "Игоревна"],
    ),
    male(
        "Максим",
        "Максим",
        ["Максимович", "Максимівна", "Максимович", "Максимовна"],
    ),
    male(
        "Богдан",
        "Богдан",
        ["Богданович", "Богданівна", "Богданович", "Богдановна"],
    ),
    male(
        "Роман",
        "Роман",
        ["Романович", "Романівна", "Романович", "Романовна"],
    ),
    male(
        "Павло",
        "Павел",
        ["Павлович", "Павлівна", "Павлович", "Павловна"],
    ),
    male(
        "Петро",
        "Петр",
        ["Петрович", "Петрівна", "Петрович", "Петровна"],
    ),
    male(
        "Михайло",
        "Михаил",
        ["Михайлович", "Михайлівна", "Михайлович", "Михайловна"],
    ),
    male(
        "Євген",
        "Евгений",
        ["Євгенович", "Євгенівна", "Евгеньевич", "Евгеньевна"],
    ),
    male(
        "Олексій",
        "Алексей",
        ["Олексійович", "Олексіївна", "Алексеевич", "Алексеевна"],
    ),
    male(
        "Анатолій",
        "Анатолий",
        ["Анатолійович", "Анатоліївна", "Анатольевич", "Анатольевна"],
    ),
    male(
        "Денис",
        "Денис",
        ["Денисович", "Денисівна", "Денисович", "Денисовна"],
    ),
    male(
        "Артем",
        "Артём",
        ["Артемович", "Артемівна", "Артёмович", "Артёмовна"],
    ),
    male(
        "Тарас",
        "Тарас",
        ["Тарасович", "Тарасівна", "Тарасович", "Тарасовна"],
    ),
    male(
        "Вадим",
        "Вадим",
        ["Вадимович", "Вадимівна", "Вадимович", "Вадимовна"],
    ),
    male(
        "Руслан",
        "Руслан",
        ["Русланович", "Русланівна", "Русланович", "Руслановна"],
    ),
    male(
        "Ярослав",
        "Ярослав",
        ["Ярославович", "Ярославівна", "Ярославович", "Ярославовна"],
    ),
    male(
        "Степан",
        "Степан",
        ["Степанович", "Степанівна", "Степанович", "Степановна"],
    ),
    male(
        "Григорій",
        "Григорий",
        ["Григорович", "Григорівна", "Григорьевич", "Григорьевна"],
    ),
    male(
        "Антон",
        "Антон",
        ["Антонович", "Антонівна", "Антонович", "Антоновна"],
    ),
    male(
        "Валерій",
        "Валерий",
        ["Валерійович", "Валеріївна", "Валерьевич", "Валерьевна"],
    ),
    male(
        "Костянтин",
        "Константин",
        [
            "Костянтинович",
            "Костянтинівна",
            "Константинович",
            "Константиновна",
        ],
    ),
    male(
        "Ростислав",
        "Ростислав",
        [
            "Ростиславович",
            "Ростиславівна",
            "Ростиславович",
            "Ростиславовна",
        ],
    ),
    male(
        "Назар",
        "Назар",
        ["Назарович", "Назарівна", "Назарович", "Назаровна"],
    ),
    male(
        "Владислав",
        "Владислав",
        [
            "Владиславович",
            "Владиславівна",
            "Владиславович",
            "Владиславовна",
        ],
    ),
    male(
        "Леонід",
        "Леонид",
        ["Леонідович", "Леонідівна", "Леонидович", "Леонидовна"],
    ),
    male(
        "Федір",
        "Федор",
        ["Федорович", "Федорівна", "Федорович", "Федоровна"],
    ),
    male(
        "Кирило",
        "Кирилл",
        ["Кирилович", "Кирилівна", "Кириллович", "Кирилловна"],
    ),
    male("Ілля", "Илья", ["Ілліч", "Іллівна", "Ильич", "Ильинична"]),
    male(
        "Едуард",
        "Эдуард",
        ["Едуардович", "Едуардівна", "Эдуардович", "Эдуардовна"],
    ),
    male(
        "Геннадій",
        "Геннадий",
        ["Геннадійович", "Геннадіївна", "Геннадьевич", "Геннадьевна"],
    ),
    male(
        "Валентин",
        "Валентин",
        [
            "Валентинович",
            "Валентинівна",
            "Валентинович",
            "Валентиновна",
        ],
    ),
    male(
        "Орест",
        "Орест",
        ["Орестович", "Орестівна", "Орестович", "Орестовна"],
    ),
    male(
        "Тимофій",
        "Тимофей",
        ["Тимофійович", "Тимофіївна", "Тимофеевич", "Тимофеевна"],
    ),
    male(
        "Яків",
        "Яков",
        ["Якович", "Яківна", "Яковлевич", "Яковлевна"],
    ),
    male(
        "Арсен",
        "Арсений",
        ["Арсенович", "Арсенівна", "Арсеньевич", "Арсеньевна"],
    ),
    male(
        "Борис",
        "Борис",
        ["Борисович", "Борисівна", "Борисович", "Борисовна"],
    ),
];

/// Female given names, Ukrainian and Russian forms.
pub(crate) const FEMALE: &[(&str, &str)] = &[
    ("Олена", "Елена"),
    ("Наталія", "Наталья"),
    ("Ірина", "Ирина"),
    ("Оксана", "Оксана"),
    ("Тетяна", "Татьяна"),
    ("Світлана", "Светлана"),
    ("Юлія", "Юлия"),
    ("Ольга", "Ольга"),
    ("Марія", "Мария"),
    ("Галина", "Галина"),
    ("Ксенія", "Ксения"),
    ("Людмила", "Людмила"),
    ("Катерина", "Екатерина"),
    ("Анна", "Анна"),
    ("Валентина", "Валентина"),
    ("Любов", "Любовь"),
    ("Надія", "Надежда"),
    ("Вікторія", "Виктория"),
];

/// Surnames so common that they deserve a list of their own (Zipf-weighted).
const COMMON: &[&str] = &[
    "Мельник",
    "Шевченко",
    "Бойко",
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Кравченко",
    "Ковальчук",
    "Коваль",
    "Олійник",
    "Шевчук",
    "Поліщук",
    "Бондар",
    "Ткачук",
    "Марченко",
    "Лисенко",
    "Руденко",
    "Савченко",
    "Петренко",
    "Мороз",
    "Клименко",
    "Павленко",
    "Кравчук",
    "Кузьменко",
    "Левченко",
    "Гончаренко",
    "Харченко",
    "Карпенко",
    "Савчук",
    "Приходько",
    "Мартинюк",
    "Романюк",
    "Кириленко",
    "Остапенко",
    "Яковенко",
    "Сидоренко",
    "Мельничук",
    "Пономаренко",
    "Гаврилюк",
    "Панченко",
    "Хоменко",
    "Литвиненко",
    "Юрченко",
    "Білик",
    "Тимошенко",
    "Левчук",
    "Кушнір",
    "Гнатюк",
    "Мазур",
    "Король",
    "Ярошенко",
    "Щербак",
    "Зінченко",
    "Жук",
    "Чорний",
    "Гуменюк",
    "Ксенчук",
    "Максименко",
];

/// Roots of generated surnames; ending in a consonant (or soft sign) so that any suffix
/// can follow.
const ROOTS: &[&str] = &[
    "Бондар",
    "Ткач",
    "Коваль",
    "Гончар",
    "Кушнір",
    "Мельнич",
    "Шевч",
    "Кравч",
    "Бойч",
    "Савч",
    "Петр",
    "Іван",
    "Павл",
    "Марч",
    "Лук",
    "Остап",
    "Гнат",
    "Дем",
    "Федор",
    "Кирил",
    "Яким",
    "Харч",
    "Тимош",
    "Гриц",
    "Кузьм",
    "Степан",
    "Мусі",
    "Сид",
    "Литвин",
    "Лис",
    "Мороз",
    "Вовк",
    "Сокол",
    "Ворон",
    "Гайд",
    "Дуб",
    "Клим",
    "Кост",
    "Левч",
    "Мацк",
    "Нестер",
    "Оліфір",
    "Панас",
    "Рудн",
    "Семен",
    "Тарас",
    "Устим",
    "Хом",
    "Юрч",
    "Яр",
    "Біл",
    "Гордій",
    "Гнід",
    "Хмель",
    "Харитон",
    "Щерб",
    "Жук",
    "Жовт",
    "Цвіт",
    "Чорн",
    "Черн",
    "Яковл",
    "Юрчиш",
    "Євтуш",
    "Їжак",
    "Йосип",
    "Кир",
    "Мартин",
    "Роман",
    "Гаврил",
    "Ковтун",
    "Приход",
    "Пономар",
    "Карп",
    "Пилип",
    "Тесл",
    "Стельмах",
    "Козак",
    "Шпак",
    "Вороб",
    "Заєць",
    "Лебед",
    "Голуб",
    "Сич",
    "Орл",
    "Ковб",
    "Шум",
    "Грищ",
    "Дорош",
    "Задорож",
    "Кулик",
    "Куц",
    "Пасічн",
    "Бурлак",
    "Галущ",
    "Деркач",
    "Жил",
    "Зінч",
    "Іващ",
    "Калин",
    "Лозин",
    "Мазур",
    "Наум",
    "Охрім",
    "Пащ",
    "Рибак",
    "Сав",
    "Третяк",
    "Ус",
    "Филип",
    "Хар",
    "Цап",
    "Чуб",
    "Шаповал",
    "Щур",
    "Юхим",
    "Ярош",
    "Антон",
    "Бабич",
    "Василь",
    "Гуц",
    "Дяч",
    "Єрм",
    "Жмуд",
    "Засух",
    "Ігнат",
    "Каліч",
    "Лесь",
    "Мись",
    "Нечипор",
    "Оніщ",
    "Прокоп",
    "Рев",
    "Сем",
    "Тищ",
    "Улас",
    "Фесь",
    "Хвост",
    "Цибуль",
    "Чепур",
    "Шин",
    "Ящ",
    "Данил",
    "Зах",
    "Олійн",
    "Поліщ",
    "Середн",
    "Бут",
    "Гумен",
    "Довж",
    "Дзюб",
    "Крив",
    "Мовч",
    "Перепел",
    "Світл",
    "Сірк",
    "Тверд",
    "Фед",
    "Ход",
    "Чиж",
    "Шост",
    "Максим",
    "Ксьонз",
    "Оксен",
    "Лекс",
];

/// Between root and suffix, sometimes (Ткач-ун-енко).
const INFIXES: &[&str] = &["ан", "ен", "ич", "ов", "ис", "ал", "ун", "ар", "иш", "ущ"];

/// Suffixes: masculine form, feminine form, weight.
const SUFFIXES: &[(&str, &str, f64)] = &[
    ("енко", "енко", 30.0),
    ("ук", "ук", 7.0),
    ("чук", "чук", 7.0),
    ("юк", "юк", 5.0),
    ("ський", "ська", 7.0),
    ("ич", "ич", 4.0),
    ("ак", "ак", 3.0),
    ("ик", "ик", 4.0),
    ("ів", "ів", 3.0),
    ("ишин", "ишин", 2.0),
    ("ець", "ець", 2.0),
    ("ан", "ан", 2.0),
    ("ий", "а", 2.0),
    ("ов", "ова", 2.0),
    ("", "", 8.0),
    ("ович", "ович", 2.0),
    ("чак", "чак", 2.0),
    ("енюк", "енюк", 2.0),
    ("ко", "ко", 3.0),
];

/// Draws indices with given weights (cumulative table and binary search).
pub(crate) struct Weighted(Vec<f64>);

impl Weighted {
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        Weighted(
            weights
                .into_iter()
                .map(|w| {
                    total += w;
                    total
                })
                .collect(),
        )
    }

    /// Zipf weights 1/(rank+1)^s over `n` items.
    pub fn zipf(n: usize, s: f64) -> Weighted {
        Weighted::new((0..n).map(|i| 1.0 / ((i + 1) as f64).powf(s)))
    }

    pub fn pick(&self, rng: &mut StdRng) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let x = rng.random::<f64>() * total;
        self.0
            .partition_point(|&c| c <= x)
            .min(self.0.len().saturating_sub(1))
    }
}

/// Sex of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sex {
    Male,
    Female,
}

/// A surname in its masculine and feminine Ukrainian forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Surname {
    pub masculine: String,
    pub feminine: String,
}

/// Why a person is a hard negative for someone else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Kin {
    /// Another person has the same surname and given name.
    pub namesake: bool,
    /// A brother (same surname and father) exists.
    pub brother: bool,
    /// A twin (same surname, father and birth date) exists.
    pub twin: bool,
}

/// One synthetic person.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub sex: Sex,
    pub surname: Surname,
    /// Index into [`MALE`] or [`FEMALE`].
    pub given: usize,
    /// Index into [`MALE`].
    pub father: usize,
    pub birth: (i32, u8, u8),
    pub unit: Option<String>,
    pub civilian: bool,
    pub kin: Kin,
}

impl Person {
    pub fn surname(&self) -> &str {
        match self.sex {
            Sex::Male => &self.surname.masculine,
            Sex::Female => &self.surname.feminine,
        }
    }

    pub fn given_uk(&self) -> &'static str {
        match self.sex {
            Sex::Male => MALE[self.given].uk,
            Sex::Female => FEMALE[self.given].0,
        }
    }

    pub fn given_ru(&self) -> &'static str {
        match self.sex {
            Sex::Male => MALE[self.given].ru,
            Sex::Female => FEMALE[self.given].1,
        }
    }

    pub fn patronymic_uk(&self) -> &'static str {
        MALE[self.father].patronymic[if self.sex == Sex::Male { 0 } else { 1 }]
    }

    pub fn patronymic_ru(&self) -> &'static str {
        MALE[self.father].patronymic[if self.sex == Sex::Male { 2 } else { 3 }]
    }
}

fn days_in(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

pub(crate) fn valid_date(y: i32, m: u8, d: u8) -> bool {
    (1..=12).contains(&m) && d >= 1 && d <= days_in(y, m)
}

/// Draws people. Kin refer to earlier people, so the lists they end up on are independent
/// of who they are kin of.
pub(crate) struct Population {
    surname_common: Weighted,
    roots: Weighted,
    suffixes: Weighted,
    male: Weighted,
    fathers: Weighted,
    female: Weighted,
    units: Weighted,
    unit_names: Vec<String>,
}

impl Population {
    pub fn new(rng: &mut StdRng, people: usize) -> Population {
        // About one unit per 150 servicemen, sizes Zipf-distributed.
        let units = (people / 150).clamp(20, 20_000);
        let mut unit_names: Vec<String> = Vec::with_capacity(units);
        let mut seen = std::collections::HashSet::new();
        while unit_names.len() < units {
            let n: u32 = rng.random_range(100..10_000);
            if seen.insert(n) {
                unit_names.push(format!("А{n:04}"));
            }
        }
        // Fathers were named a generation earlier: the same names, another order.
        let mut father_weights: Vec<f64> = (0..MALE.len())
            .map(|i| 1.0 / ((i + 1) as f64).powf(0.9))
            .collect();
        for (i, w) in father_weights.iter_mut().enumerate() {
            // Микола, Василь, Іван, Петро, Віктор, Анатолій, Григорій, Михайло were given
            // more often to the fathers' generation.
            if [5, 6, 10, 11, 17, 18, 21, 29].contains(&i) {
                *w *= 3.0;
            }
        }
        Population {
            surname_common: Weighted::zipf(COMMON.len(), 1.0),
            roots: Weighted::zipf(ROOTS.len(), 0.6),
            suffixes: Weighted::new(SUFFIXES.iter().map(|s| s.2)),
            male: Weighted::zipf(MALE.len(), 1.0),
            fathers: Weighted::new(father_weights),
            female: Weighted::zipf(FEMALE.len(), 0.9),
            units: Weighted::zipf(units, 0.7),
            unit_names,
        }
    }

    fn surname(&self, rng: &mut StdRng) -> Surname {
        if rng.random_bool(0.18) {
            let s = COMMON[self.surname_common.pick(rng)];
            let feminine = feminine_of(s);
            return Surname {
                masculine: s.to_owned(),
                feminine,
            };
        }
        let root = ROOTS[self.roots.pick(rng)];
        let (m, f, _) = SUFFIXES[self.suffixes.pick(rng)];
        let infix = if rng.random_bool(0.45) {
            INFIXES[rng.random_range(0..INFIXES.len())]
        } else {
            ""
        };
        let stem = if infix.is_empty() && m.is_empty() {
            root.to_owned()
        } else {
            format!("{}{infix}", root.trim_end_matches('ь'))
        };
        let join = |suffix: &str| -> String {
            if suffix.is_empty() {
                stem.clone()
            } else {
                format!("{}{suffix}", stem.trim_end_matches('ь'))
            }
        };
        Surname {
            masculine: join(m),
            feminine: join(f),
        }
    }

    fn birth(&self, rng: &mut StdRng, civilian: bool) -> (i32, u8, u8) {
        // Servicemen mostly 20–45 in 2024 (a triangle around 1990); civilians any adult age
        // and some children.
        let year = if civilian {
            rng.random_range(1940..2012)
        } else {
            let a: i32 = rng.random_range(0..=22);
            let b: i32 = rng.random_range(0..=22);
            1965 + a + b - (a.min(b) / 3)
        };
        let month = rng.random_range(1..=12_u8);
        let day = rng.random_range(1..=days_in(year, month));
        (year, month, day)
    }

    /// A new person, sometimes kin of one drawn before.
    pub fn draw(&self, rng: &mut StdRng, earlier: &mut [Person]) -> Person {
        let civilian = rng.random_bool(0.10);
        let sex = if civilian && rng.random_bool(0.4) || !civilian && rng.random_bool(0.03) {
            Sex::Female
        } else {
            Sex::Male
        };
        let given = match sex {
            Sex::Male => self.male.pick(rng),
            Sex::Female => self.female.pick(rng),
        };
        let mut p = Person {
            sex,
            surname: self.surname(rng),
            given,
            father: self.fathers.pick(rng),
            birth: self.birth(rng, civilian),
            unit: (!civilian).then(|| self.unit_names[self.units.pick(rng)].clone()),
            civilian,
            kin: Kin::default(),
        };
        if earlier.len() < 50 {
            return p;
        }
        let roll = rng.random::<f64>();
        let other = rng.random_range(0..earlier.len());
        let o = &earlier[other];
        if roll < 0.04 && o.sex == p.sex {
            // A namesake: the same surname and given name; often the same father's name,
            // sometimes the same birth year or unit.
            p.surname = o.surname.clone();
            p.given = o.given;
            if rng.random_bool(0.4) {
                p.father = o.father;
            }
            if rng.random_bool(0.35) {
                p.birth.0 = o.birth.0;
                p.birth.2 = p.birth.2.min(days_in(p.birth.0, p.birth.1));
            }
            if rng.random_bool(0.25) && o.unit.is_some() {
                p.unit = o.unit.clone();
            }
            p.kin.namesake = true;
            earlier[other].kin.namesake = true;
        } else if roll < 0.07 && o.sex == Sex::Male && p.sex == Sex::Male {
            // A brother: same surname and father, another given name, a few years apart,
            // often the same unit.
            p.surname = o.surname.clone();
            p.father = o.father;
            while p.given == o.given {
                p.given = self.male.pick(rng);
            }
            let gap = rng.random_range(1..=8) * if rng.random_bool(0.5) { 1 } else { -1 };
            p.birth.0 = o.birth.0 + gap;
            p.birth.2 = p.birth.2.min(days_in(p.birth.0, p.birth.1));
            if rng.random_bool(0.6) {
                p.unit = o.unit.clone();
                p.civilian = o.civilian;
            }
            p.kin.brother = true;
            earlier[other].kin.brother = true;
        } else if roll < 0.077 && o.sex == Sex::Male && p.sex == Sex::Male {
            // A twin: same surname, father and birth date.
            p.surname = o.surname.clone();
            p.father = o.father;
            while p.given == o.given {
                p.given = self.male.pick(rng);
            }
            p.birth = o.birth;
            if rng.random_bool(0.7) {
                p.unit = o.unit.clone();
                p.civilian = o.civilian;
            }
            p.kin.twin = true;
            earlier[other].kin.twin = true;
        }
        p
    }
}

/// The feminine form of a common (masculine) surname.
fn feminine_of(s: &str) -> String {
    if let Some(stem) = s.strip_suffix("ський") {
        format!("{stem}ська")
    } else if let Some(stem) = s.strip_suffix("ий") {
        format!("{stem}а")
    } else {
        s.to_owned()
    }
}
