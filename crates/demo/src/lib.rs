//! The synthetic Istanbul scenario: the round of 2 June 2025 between Ukraine and Russia,
//! mediated by Türkiye, its commitments as reported, and registers of made-up people on
//! both sides. Every person here is synthetic and every record says so (`synthetic`).
//!
//! Generation is deterministic (a fixed seed), so the demo and the tests see the same
//! people on every machine.

pub mod exchange;
mod families;
mod people;
pub mod relayed;
pub mod shared;
pub mod synth;

pub use people::{Identity, Lang, NameBook};

use homeward_app::App;
use homeward_core::Error;
use homeward_core::access::{Administer, Grant, Role, WriteRegister, WriteTalks};
use homeward_core::party::{Party, PartyCode, PartyKind};
use homeward_core::record::{
    Category, Health, Identification, PartialDate, PersonRecord, Relation, Sex, Status,
};
use homeward_core::talks::{Delegation, Parity, Priority, Terms};
use homeward_store::{NewList, NewListRow, NewRound, Store};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};

/// The seed of the scenario's random draws.
const SEED: u64 = 20_250_602;

/// How many people to make, relative to the full demo (1.0 ≈ 8,700 records).
#[derive(Debug, Clone, Copy)]
pub struct Scale(pub f64);

impl Scale {
    /// The full demo.
    pub const FULL: Scale = Scale(1.0);

    fn of(self, n: usize) -> usize {
        ((n as f64 * self.0).round() as usize).max(1)
    }
}

/// What the seeding made, for the demo to print and tests to use.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The Istanbul round.
    pub round_id: i64,
    /// One API token per party and role: (party, role, token).
    pub tokens: Vec<(PartyCode, Role, String)>,
    /// Records in each party's register.
    pub records: Vec<(PartyCode, usize)>,
}

impl Seeded {
    /// The token of `party`'s user with `role`.
    pub fn token(&self, party: &str, role: Role) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(p, r, _)| p.as_str() == party && *r == role)
            .map(|(_, _, t)| t.as_str())
    }
}

fn code(s: &'static str) -> Result<PartyCode, Error> {
    s.parse()
}

/// The columns of a register file, in the list's language.
const COLUMNS: [[&str; 2]; 14] = [
    ["прізвище", "фамилия"],
    ["ім'я", "имя"],
    ["по батькові", "отчество"],
    ["дата народження", "дата рождения"],
    ["стать", "пол"],
    ["звання", "звание"],
    ["військова частина", "воинская часть"],
    ["особовий номер", "личный номер"],
    ["дата полону", "дата пленения"],
    ["місце", "место"],
    ["стан здоров'я", "состояние здоровья"],
    ["контакт родини", "контакт семьи"],
    ["номер бирки", "номер бирки"],
    ["ідентифікація", "идентификация"],
];

/// A date as clerks write it: `DD.MM.YYYY`, or the partial date as known.
pub(crate) fn clerk_date(d: &Option<PartialDate>) -> String {
    match d {
        Some(PartialDate {
            year,
            month: Some(m),
            day: Some(day),
        }) => format!("{day:02}.{m:02}.{year}"),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn cells(r: &PersonRecord, lang: Lang) -> [String; 14] {
    let uk = lang == Lang::Uk;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let health = match r.health {
        Some(Health::Serious) => {
            if uk {
                "тяжко поранений або хворий"
            } else {
                "тяжело ранен или болен"
            }
        }
        Some(Health::WoundedOrSick) => {
            if uk {
                "поранений або хворий"
            } else {
                "ранен или болен"
            }
        }
        Some(Health::Fit) => {
            if uk {
                "здоровий"
            } else {
                "здоров"
            }
        }
        _ => "",
    };
    let sex = match r.sex {
        Some(Sex::M) => {
            if uk {
                "ч"
            } else {
                "м"
            }
        }
        Some(Sex::F) => "ж",
        None => "",
    };
    let place = r
        .capture_place
        .clone()
        .or_else(|| r.deportation_place.clone())
        .or_else(|| r.recovery_site.clone());
    let when = r.capture_date.or(r.deportation_date).or(r.recovery_date);
    [
        text(&r.surname),
        text(&r.given_names),
        text(&r.patronymic),
        clerk_date(&r.birth_date),
        sex.to_owned(),
        text(&r.rank),
        text(&r.unit),
        text(&r.service_number),
        clerk_date(&when),
        place.unwrap_or_default(),
        health.to_owned(),
        text(&r.family_contact),
        text(&r.tag_number),
        r.identification
            .map(|i| i.as_str().to_owned())
            .unwrap_or_default(),
    ]
}

/// Writes the records as the CSV file a clerk would hand over, and the list's rows.
/// A synthetic list file: its bytes, its headers, its rows.
type ListFile = (Vec<u8>, Vec<String>, Vec<NewListRow>);

fn list_file(records: Vec<PersonRecord>, lang: Lang) -> Result<ListFile, Error> {
    let li = if lang == Lang::Uk { 0 } else { 1 };
    let headers: Vec<&str> = COLUMNS.iter().map(|c| c[li]).collect();
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let csv_err = |e: csv::Error| Error::Storage(format!("writing a synthetic list: {e}"));
    out.write_record(&headers).map_err(csv_err)?;
    let mut rows = Vec::with_capacity(records.len());
    for (i, record) in records.into_iter().enumerate() {
        let values = cells(&record, lang);
        out.write_record(&values).map_err(csv_err)?;
        let fields = headers
            .iter()
            .zip(values.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(h, v)| ((*h).to_owned(), serde_json::Value::from(v.as_str())))
            .collect();
        rows.push(NewListRow {
            row_no: i as i64 + 2,
            fields,
            record: Some(record),
            problems: Vec::new(),
        });
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Error::Storage(format!("writing a synthetic list: {e}")))?;
    Ok((
        bytes,
        headers.iter().map(|h| (*h).to_owned()).collect(),
        rows,
    ))
}

struct ListSpec {
    kind: &'static str,
    category: Category,
    title: String,
    file_name: String,
    to: Vec<PartyCode>,
    lang: Lang,
    records: Vec<PersonRecord>,
}

async fn issue(
    store: &Store,
    party: &PartyCode,
    spec: ListSpec,
    now_ms: i64,
) -> Result<i64, Error> {
    let (original, headers, rows) = list_file(spec.records, spec.lang)?;
    let list = NewList {
        kind: spec.kind.to_owned(),
        category: Some(spec.category),
        title: spec.title,
        file_name: spec.file_name,
        original,
        addressees: spec.to,
        supersedes: None,
        headers,
        rows,
    };
    let grant = Grant::<WriteRegister>::system(party.clone(), "demo");
    store.add_list(&grant, &list, now_ms).await
}

fn remains(
    book: &NameBook,
    rng: &mut StdRng,
    lang: Lang,
    serial: usize,
    prefix: &str,
) -> PersonRecord {
    let whose = if lang == Lang::Uk { Lang::Ru } else { Lang::Uk };
    let person = Identity::adult(book, rng, whose, serial, Sex::M);
    let roll: f64 = rng.random();
    let identification = match roll {
        r if r < 0.70 => Identification::Unidentified,
        r if r < 0.95 => Identification::Presumptive,
        _ => Identification::DnaConfirmed,
    };
    let mut r = person.record(
        rng,
        lang,
        Category::Remains,
        Relation::Held,
        Status::Deceased,
        true,
    );
    if identification == Identification::Unidentified {
        r.surname = None;
        r.given_names = None;
        r.patronymic = None;
        r.birth_date = None;
        r.rank = None;
        r.unit = None;
    }
    r.capture_date = None;
    r.capture_place = None;
    r.identification = Some(identification);
    r.tag_number = Some(format!("{prefix}-{serial:06}"));
    r.recovery_site = Some(match lang {
        Lang::Uk => format!("Запорізька обл., сектор {}", serial % 17 + 1),
        Lang::Ru => format!("Донецкая обл., сектор {}", serial % 23 + 1),
    });
    r.recovery_date = Some(PartialDate {
        year: 2024 + (serial % 2) as i32,
        month: Some((serial % 12) as u8 + 1),
        day: Some((serial % 28) as u8 + 1),
    });
    r
}

/// Whose store is seeded: one store holding every party (the single-store demo and the
/// tests), or one party's own store, as each party runs its own server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whose {
    /// Every party's users, lists and round in one store.
    Every,
    /// One party's users and own lists only; the others' lists reach it by relay.
    Party(PartyCode),
}

impl Whose {
    fn keeps(&self, party: &PartyCode) -> bool {
        match self {
            Whose::Every => true,
            Whose::Party(p) => p == party,
        }
    }
}

/// Seeds an empty store with the Istanbul scenario at `scale`, every party in it; `now_ms`
/// stamps every event. Returns the round, the tokens made, and the register sizes.
pub async fn seed(store: &Store, scale: Scale, now_ms: i64) -> Result<Seeded, Error> {
    seed_for(store, scale, now_ms, &Whose::Every).await
}

/// Seeds an empty store with what `whose` holds of the scenario: the three parties are
/// known to every store; users, lists, children's cases and protection only where their
/// party's are kept; the round is recorded by Ukraine's delegation where it is kept, else
/// by the store's own party; the remains batches (handed over by one side, received by the
/// other) only in a store of every party. The people drawn are the same whatever `whose`.
pub async fn seed_for(
    store: &Store,
    scale: Scale,
    now_ms: i64,
    whose: &Whose,
) -> Result<Seeded, Error> {
    let (ua, ru, tr) = (code("UA")?, code("RU")?, code("TR")?);
    for (c, name, kind) in [
        (&ua, "Ukraine", PartyKind::Belligerent),
        (&ru, "Russian Federation", PartyKind::Belligerent),
        (&tr, "Republic of Türkiye", PartyKind::Mediator),
    ] {
        let grant = Grant::<Administer>::system(c.clone(), "demo");
        store
            .add_party(
                &grant,
                &Party {
                    code: c.clone(),
                    name: name.to_owned(),
                    kind,
                },
                now_ms,
            )
            .await?;
    }
    let mut tokens = Vec::new();
    for party in [&ua, &ru, &tr].into_iter().filter(|p| whose.keeps(p)) {
        let grant = Grant::<Administer>::system(party.clone(), "demo");
        for role in Role::ALL {
            let name = format!("{}-{role}", party.as_str().to_lowercase());
            let user = store
                .create_user(&grant, &name, &[role], None, now_ms)
                .await?;
            tokens.push((
                party.clone(),
                role,
                store.create_token(&grant, user, now_ms).await?,
            ));
        }
    }

    let book = NameBook::embedded();
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut serial = 0_usize;
    let mut next = || {
        serial += 1;
        serial
    };
    // Ukrainian soldiers in Russian custody, and Russian soldiers in Ukrainian custody.
    let ua_pows: Vec<Identity> = (0..scale.of(1900))
        .map(|_| {
            let sex = if rng.random_bool(0.06) {
                Sex::F
            } else {
                Sex::M
            };
            Identity::adult(&book, &mut rng, Lang::Uk, next(), sex)
        })
        .collect();
    let ru_pows: Vec<Identity> = (0..scale.of(1500))
        .map(|_| Identity::adult(&book, &mut rng, Lang::Ru, next(), Sex::M))
        .collect();
    let ua_civilians: Vec<Identity> = (0..scale.of(250))
        .map(|_| {
            let sex = if rng.random_bool(0.4) { Sex::F } else { Sex::M };
            Identity::adult(&book, &mut rng, Lang::Uk, next(), sex)
        })
        .collect();
    let children: Vec<Identity> = (0..339)
        .map(|_| Identity::child(&book, &mut rng, Lang::Uk, next()))
        .collect();

    // Each side lists most, not all, of its own people, and holds most of the other's.
    let ua_unknown = ua_pows.len() / 38;
    let ru_unknown = ru_pows.len() / 50;
    let mut rec = |p: &Identity, lang, cat, rel, status, careless| {
        p.record(&mut rng, lang, cat, rel, status, careless)
    };
    let ua_sought: Vec<PersonRecord> = ua_pows[..ua_pows.len() - ua_unknown]
        .iter()
        .map(|p| {
            rec(
                p,
                Lang::Uk,
                Category::Pow,
                Relation::Sought,
                Status::InCustody,
                false,
            )
        })
        .collect();
    let ru_held: Vec<PersonRecord> = ua_pows[ua_unknown..]
        .iter()
        .map(|p| {
            rec(
                p,
                Lang::Ru,
                Category::Pow,
                Relation::Held,
                Status::Held,
                true,
            )
        })
        .collect();
    let ru_sought: Vec<PersonRecord> = ru_pows[..ru_pows.len() - ru_unknown]
        .iter()
        .map(|p| {
            rec(
                p,
                Lang::Ru,
                Category::Pow,
                Relation::Sought,
                Status::InCustody,
                false,
            )
        })
        .collect();
    let ua_held: Vec<PersonRecord> = ru_pows[ru_unknown..]
        .iter()
        .map(|p| {
            rec(
                p,
                Lang::Uk,
                Category::Pow,
                Relation::Held,
                Status::Held,
                true,
            )
        })
        .collect();
    let ua_civ: Vec<PersonRecord> = ua_civilians
        .iter()
        .map(|p| {
            rec(
                p,
                Lang::Uk,
                Category::Civilian,
                Relation::Sought,
                Status::InCustody,
                false,
            )
        })
        .collect();
    let child_list: Vec<PersonRecord> = children
        .iter()
        .map(|p| {
            rec(
                p,
                Lang::Uk,
                Category::Child,
                Relation::Sought,
                Status::InCustody,
                false,
            )
        })
        .collect();
    let ru_children: Vec<PersonRecord> = children
        .iter()
        .step_by(6)
        .map(|p| {
            rec(
                p,
                Lang::Ru,
                Category::Child,
                Relation::Held,
                Status::Held,
                true,
            )
        })
        .collect();
    let ua_remains: Vec<PersonRecord> = (0..scale.of(80))
        .map(|_| remains(&book, &mut rng, Lang::Uk, next(), "UA-TAG"))
        .collect();
    let ru_remains: Vec<PersonRecord> = (0..scale.of(1500))
        .map(|_| remains(&book, &mut rng, Lang::Ru, next(), "RU-TAG"))
        .collect();

    let list =
        |kind, category, title: &str, file: &str, to: Vec<PartyCode>, lang, records| ListSpec {
            kind,
            category,
            title: format!("{title} (synthetic people)"),
            file_name: file.to_owned(),
            to,
            lang,
            records,
        };
    let sizes: Vec<(PartyCode, usize)> = [
        (
            ua.clone(),
            ua_sought.len() + ua_held.len() + ua_civ.len() + child_list.len() + ua_remains.len(),
        ),
        (
            ru.clone(),
            ru_held.len() + ru_sought.len() + ru_children.len() + ru_remains.len(),
        ),
    ]
    .into_iter()
    .filter(|(p, _)| whose.keeps(p))
    .collect();
    for (party, spec) in [
        (
            &ua,
            list(
                "request",
                Category::Pow,
                "Request list: own servicemen believed in enemy custody",
                "ua-pow-sought.csv",
                vec![ru.clone(), tr.clone()],
                Lang::Uk,
                ua_sought,
            ),
        ),
        (
            &ua,
            list(
                "holding",
                Category::Pow,
                "Holding list: prisoners of war held",
                "ua-pow-held.csv",
                vec![ru.clone(), tr.clone()],
                Lang::Uk,
                ua_held,
            ),
        ),
        (
            &ua,
            list(
                "register",
                Category::Civilian,
                "Register: detained civilians sought",
                "ua-civilians.csv",
                vec![],
                Lang::Uk,
                ua_civ,
            ),
        ),
        (
            &ua,
            list(
                "children",
                Category::Child,
                "Deported children whose return is requested",
                "ua-children-339.csv",
                vec![ru.clone(), tr.clone()],
                Lang::Uk,
                child_list,
            ),
        ),
        (
            &ua,
            list(
                "register",
                Category::Remains,
                "Register: remains held",
                "ua-remains-held.csv",
                vec![],
                Lang::Uk,
                ua_remains,
            ),
        ),
        (
            &ru,
            list(
                "holding",
                Category::Pow,
                "Список содержащихся военнопленных (holding list)",
                "ru-pow-held.csv",
                vec![ua.clone(), tr.clone()],
                Lang::Ru,
                ru_held,
            ),
        ),
        (
            &ru,
            list(
                "request",
                Category::Pow,
                "Список запрашиваемых военнослужащих (request list)",
                "ru-pow-sought.csv",
                vec![ua.clone(), tr.clone()],
                Lang::Ru,
                ru_sought,
            ),
        ),
        (
            &ru,
            list(
                "register",
                Category::Child,
                "Реестр: дети (held)",
                "ru-children.csv",
                vec![],
                Lang::Ru,
                ru_children,
            ),
        ),
        (
            &ru,
            list(
                "register",
                Category::Remains,
                "Реестр: останки (held)",
                "ru-remains-held.csv",
                vec![],
                Lang::Ru,
                ru_remains,
            ),
        ),
    ] {
        if whose.keeps(party) {
            issue(store, party, spec, now_ms).await?;
        }
    }

    // The round and its commitments, recorded by the Ukrainian delegation (in another
    // party's own store, by that party).
    let recorder = match whose {
        Whose::Party(p) => p.clone(),
        Whose::Every => ua.clone(),
    };
    let ua_talks = Grant::<WriteTalks>::system(recorder, "demo");
    let round_id = store
        .add_round(
            &ua_talks,
            &NewRound {
                title: "Istanbul talks, second round".to_owned(),
                held_on: "2025-06-02".to_owned(),
                venue: "Çırağan Palace".to_owned(),
                city: "Istanbul".to_owned(),
                mediator: Some(tr.clone()),
                notes: "Less than two hours; no agreement on a ceasefire; agreement to expand exchanges of prisoners and to return the remains of the fallen."
                    .to_owned(),
                delegations: vec![
                    Delegation { party: ua.clone(), head: "Rustem Umerov".to_owned(), size: Some(12) },
                    Delegation { party: ru.clone(), head: "Vladimir Medinsky".to_owned(), size: Some(12) },
                    Delegation { party: tr.clone(), head: "Host: Türkiye".to_owned(), size: None },
                ],
            },
            now_ms,
        )
        .await?;
    let sides = [ua.clone(), ru.clone()];
    store
        .add_commitment(
            &ua_talks,
            round_id,
            "Exchange of prisoners of war: 1,000 for 1,000, possibly 200 more",
            &sides,
            &Terms::PowExchange {
                quantity_each_way: 1000,
                extra_tranche: Some(200),
                parity: Parity::PerStage,
                parity_by_category: false,
                priorities: vec![
                    Priority::SeriouslyWoundedOrSick,
                    Priority::WoundedOrSick,
                    Priority::AgeBand { min: 18, max: 25 },
                    Priority::LongestHeld,
                ],
                categories: vec![Category::Pow],
                deadline: None,
            },
            now_ms,
        )
        .await?;
    let remains_c = store
        .add_commitment(
            &ua_talks,
            round_id,
            "Return of the remains of the fallen: 6,000 each way",
            &sides,
            &Terms::RemainsReturn {
                quantity_each_way: 6000,
            },
            now_ms,
        )
        .await?;
    let children_c = store
        .add_commitment(
            &ua_talks,
            round_id,
            "Return of deported children: list of 339, 10 agreed to be worked on",
            &sides,
            &Terms::ChildReturn {
                requested_by: ua.clone(),
                requested_from: ru.clone(),
                listed: 339,
                agreed: 10,
                list_id: None,
            },
            now_ms,
        )
        .await?;
    for (title, terms) in [
        (
            "Local truces of 2–3 days to recover the dead",
            Terms::LocalTruce {
                sector: None,
                min_days: 2,
                max_days: 3,
                purpose: "commanders recover the bodies of the fallen".to_owned(),
                start: None,
            },
        ),
        (
            "Ceasefire memorandum (two options)",
            Terms::CeasefireProposal {
                proposed_by: ru.clone(),
                options: vec![
                    "ceasefire conditional on the withdrawal of Ukrainian troops from four regions"
                        .to_owned(),
                    "second option, not made public".to_owned(),
                ],
                conditions: vec![
                    "withdrawal of Ukrainian troops from four regions (first option)".to_owned(),
                ],
                status: "handed over in writing; Ukraine to consider it".to_owned(),
            },
        ),
        (
            "Reconvene at the end of June",
            Terms::Meeting {
                proposed_by: Some(ua.clone()),
                purpose: "next round of talks".to_owned(),
                when: "end of June 2025".to_owned(),
            },
        ),
        (
            "Leaders' meeting proposed by the host",
            Terms::Meeting {
                proposed_by: Some(tr.clone()),
                purpose: "summit of the two presidents in Istanbul or Ankara".to_owned(),
                when: "not fixed".to_owned(),
            },
        ),
    ] {
        store
            .add_commitment(&ua_talks, round_id, title, &sides, &terms, now_ms)
            .await?;
    }

    // Remains: each side hands a batch over with its manifest (the tags of the bodies it
    // holds); the other side counts the bodies and registers them, unidentified.
    let operator = |party: &PartyCode| {
        Grant::<homeward_core::access::RecordMovements>::system(
            party.clone(),
            &format!("user:{}-operator", party.as_str().to_lowercase()),
        )
    };
    let batches = if *whose == Whose::Every {
        vec![(&ru, &ua, scale.of(1200)), (&ua, &ru, scale.of(27))]
    } else {
        Vec::new()
    };
    for (from, to, n) in batches {
        let tags = held_tags(store, from, n).await?;
        let batch = store
            .record_batch(
                &operator(from),
                remains_c,
                "2025-06-11",
                tags.len() as i64,
                &tags,
                None,
                now_ms,
            )
            .await?;
        store
            .receive_batch(&operator(to), batch, tags.len() as i64, true, None, now_ms)
            .await?;
    }
    if !whose.keeps(&ua) {
        return Ok(Seeded {
            round_id,
            tokens,
            records: sizes,
        });
    }
    // UA's forensic work has begun on what it received: three presumptive identifications
    // of detained civilians who died, one confirmed by DNA, whose family is still to be told.
    let ua_register =
        Grant::<homeward_core::access::WriteRegister>::system(ua.clone(), "user:ua-operator");
    let ua_read = Grant::<homeward_core::access::ReadRegister>::system(ua.clone(), "demo");
    let received: Vec<i64> = store
        .register(
            &ua_read,
            &homeward_store::PersonFilter {
                category: Some(Category::Remains),
                ..Default::default()
            },
        )
        .await?
        .iter()
        .filter(|x| x.record.relation == Some(Relation::Sought))
        .map(|x| x.id)
        .take(3)
        .collect();
    let missing: Vec<i64> = store
        .register(
            &ua_read,
            &homeward_store::PersonFilter {
                category: Some(Category::Civilian),
                ..Default::default()
            },
        )
        .await?
        .iter()
        .filter(|x| x.record.relation == Some(Relation::Sought))
        .map(|x| x.id)
        .rev()
        .take(3)
        .collect();
    for (i, (remains, person)) in received.iter().zip(&missing).enumerate() {
        store
            .identify_remains(
                &ua_register,
                *remains,
                homeward_core::record::Identification::Presumptive,
                Some(*person),
                now_ms,
            )
            .await?;
        if i == 0 {
            store
                .identify_remains(
                    &ua_register,
                    *remains,
                    homeward_core::record::Identification::DnaConfirmed,
                    None,
                    now_ms,
                )
                .await?;
        }
    }

    // The children: one case per child on UA's list; the ten RU agreed to work on are
    // followed to their families — four returned, two of them already home.
    let read_ua = Grant::<homeward_core::access::ReadRegister>::system(ua.clone(), "demo");
    let children_list = store
        .lists(&read_ua)
        .await?
        .into_iter()
        .find(|l| l.kind == "children" && l.issuer == ua.as_str())
        .map(|l| l.id)
        .ok_or_else(|| Error::NotFound("the demo's children list".to_owned()))?;
    let children = store.list_rows(&read_ua, children_list).await?;
    let agreed: Vec<i64> = children
        .iter()
        .filter_map(|r| r.person_id)
        .take(10)
        .collect();
    store
        .open_child_cases(&ua_talks, children_c, children_list, &agreed, now_ms)
        .await?;
    let ua_op =
        Grant::<homeward_core::access::FollowChildCases>::system(ua.clone(), "user:ua-operator");
    use homeward_core::cases::ChildCaseState as C;
    for (i, child) in agreed.iter().enumerate() {
        let reached: &[C] = match i {
            0 | 1 => &[
                C::Located,
                C::Verified,
                C::ReturnAgreed,
                C::Returned,
                C::Reunited,
            ],
            2 | 3 => &[C::Located, C::Verified, C::ReturnAgreed, C::Returned],
            4..=6 => &[C::Located, C::Verified],
            _ => &[C::Located],
        };
        for step in reached {
            store
                .step_child_case(&ua_op, *child, *step, None, now_ms)
                .await?;
        }
    }

    protection(store, &ua, now_ms).await?;
    families::seed(store, &ua, round_id, &sides, now_ms).await?;

    Ok(Seeded {
        round_id,
        tokens,
        records: sizes,
    })
}

/// Protection in the demo: UA keeps returned prisoners' records ten years and returned
/// civilians' five; three civilians' relatives are under pressure (their records protected);
/// twenty families agreed to every use of their request; one held man's refusal of
/// repatriation waits for a second person's confirmation. Synthetic people only.
async fn protection(store: &Store, ua: &PartyCode, now_ms: i64) -> Result<(), Error> {
    use homeward_core::protection::{Purpose, Restriction, RetentionRule, Sensitivity};
    let admin = Grant::<Administer>::system(ua.clone(), "demo");
    for (category, days) in [(Category::Pow, 3650), (Category::Civilian, 1825)] {
        let rule = RetentionRule {
            category,
            status: Some(Status::Returned),
            days,
        };
        store.set_retention(&admin, &rule, now_ms).await?;
    }
    let read = Grant::<homeward_core::access::ReadRegister>::system(ua.clone(), "demo");
    let civilians: Vec<i64> = store
        .register(
            &read,
            &homeward_store::PersonFilter {
                category: Some(Category::Civilian),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|p| p.record.relation == Some(Relation::Sought))
        .map(|p| p.id)
        .collect();
    let officer =
        Grant::<homeward_core::access::RecordRestricted>::system(ua.clone(), "demo-protection");
    for id in civilians.iter().take(3) {
        store
            .mark_protected(
                &officer,
                *id,
                Some(Sensitivity::RelativesUnderPressure),
                now_ms,
            )
            .await?;
    }
    let operator = Grant::<WriteRegister>::system(ua.clone(), "demo");
    let every = [
        Purpose::Search,
        Purpose::ShareMediator,
        Purpose::ShareOtherParty,
    ];
    for id in civilians.iter().skip(3).take(20) {
        store.set_consent(&operator, *id, &every, now_ms).await?;
    }
    let held = store
        .register(
            &read,
            &homeward_store::PersonFilter {
                category: Some(Category::Pow),
                status: Some(Status::Held),
                ..Default::default()
            },
        )
        .await?;
    if let Some(man) = held.first() {
        store
            .propose_restriction(&officer, man.id, Restriction::RefusedRepatriation, now_ms)
            .await?;
    }
    Ok(())
}

/// What [`play`] made: the seeded round and the exchange run on it.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The seeded parties, registers, round and tokens.
    pub seeded: Seeded,
    /// The exchange played on them.
    pub exchange: exchange::ExchangeRun,
}

/// Seeds a fresh store with the synthetic Istanbul round, marks it as a demo store (so that
/// `homeward demo` may later replace it and nothing else), and plays the exchange through
/// the application as the demo's users: reconciled, the sure pairs confirmed, planned in
/// three stages, two of them executed.
pub async fn play(app: &App, scale: Scale) -> Result<Demo, Error> {
    let now = app.now();
    let marker = Grant::<Administer>::system(code("UA")?, "demo");
    app.store()
        .set_meta(&marker, "purpose", "demo", now)
        .await?;
    let seeded = seed(app.store(), scale, now).await?;
    let stage_size = ((400.0 * scale.0).round() as u32).max(1);
    let exchange = exchange::run_exchange(app, &seeded, stage_size).await?;
    Ok(Demo { seeded, exchange })
}

/// Tags of up to `n` bodies of the other side's fallen that `party` holds in `store`: the
/// manifest of a batch it hands over.
pub(crate) async fn held_tags(
    store: &Store,
    party: &PartyCode,
    n: usize,
) -> Result<Vec<String>, Error> {
    let grant = Grant::<homeward_core::access::ReadRegister>::system(party.clone(), "demo");
    let filter = homeward_store::PersonFilter {
        category: Some(Category::Remains),
        ..Default::default()
    };
    Ok(store
        .register(&grant, &filter)
        .await?
        .iter()
        .filter(|x| x.record.relation == Some(Relation::Held))
        .filter_map(|x| x.record.tag_number.clone())
        .take(n)
        .collect())
}
