//! Given names as equivalence classes across Ukrainian, Russian and Latin (Олександр ≡
//! Александр ≡ Oleksandr ≡ Aleksandr ≡ Alexander), and the patronymics formed from them.
//!
//! Given names and patronymics are *translated* between the two languages, not respelled,
//! so their phonetic keys differ; a class gathers every form, and lookups go through the
//! phonetic key so that any romanisation of any form finds its class.

use crate::key::key;
use crate::script::Language;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Grammatical gender of a name form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// Masculine.
    Male,
    /// Feminine.
    Female,
}

/// One given name in all its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenNameClass {
    /// Gender of the name.
    pub gender: Gender,
    /// Ukrainian forms; the first names the class.
    pub ukrainian: Vec<String>,
    /// Russian forms.
    pub russian: Vec<String>,
    /// Informal Latin spellings met in documents (standard romanisations need no listing).
    pub latin: Vec<String>,
    /// For masculine names, the patronymics formed from them: Ukrainian masculine and
    /// feminine, Russian masculine and feminine.
    pub patronymics: [Vec<String>; 4],
}

impl GivenNameClass {
    /// The name that identifies the class (its first Ukrainian form).
    pub fn name(&self) -> &str {
        self.ukrainian.first().map_or("", String::as_str)
    }

    /// The class key: `=` and the phonetic key of the class name. Every form of the name,
    /// in any script, has this key as its given-name key.
    pub fn class_key(&self) -> String {
        format!("={}", key(self.name()).unwrap_or_default())
    }

    fn forms(&self) -> impl Iterator<Item = &String> {
        self.ukrainian
            .iter()
            .chain(&self.russian)
            .chain(&self.latin)
    }
}

/// Drops the last character of `s`.
fn chop(s: &str) -> &str {
    s.char_indices().last().map_or(s, |(i, _)| &s[..i])
}

/// Ukrainian patronymics (masculine, feminine) of a masculine name, by the rules of
/// Ukrainian grammar: -ович/-івна after a consonant, -йович/-ївна after й, the final
/// -о/-а dropped, ь kept before -ович.
pub fn ukrainian_patronymics(name: &str) -> (String, String) {
    if let Some(stem) = name.strip_suffix('й') {
        return (format!("{stem}йович"), format!("{stem}ївна"));
    }
    if let Some(stem) = name.strip_suffix('ь') {
        return (format!("{stem}ьович"), format!("{stem}івна"));
    }
    if name.ends_with('о') || name.ends_with('а') {
        let stem = chop(name);
        return (format!("{stem}ович"), format!("{stem}івна"));
    }
    (format!("{name}ович"), format!("{name}івна"))
}

/// Russian patronymics (masculine, feminine) of a masculine name: -ович/-овна after a
/// hard consonant, -евич/-евна after й, ь or a hissing consonant, -ьевич/-ьевна for -ий,
/// -ич/-ична for names in -а.
pub fn russian_patronymics(name: &str) -> (String, String) {
    if let Some(stem) = name.strip_suffix("ий") {
        return (format!("{stem}ьевич"), format!("{stem}ьевна"));
    }
    if let Some(stem) = name.strip_suffix('й').or_else(|| name.strip_suffix('ь')) {
        return (format!("{stem}евич"), format!("{stem}евна"));
    }
    if let Some(stem) = name.strip_suffix('а').or_else(|| name.strip_suffix('я')) {
        return (format!("{stem}ич"), format!("{stem}ична"));
    }
    if name.ends_with(['ж', 'ш', 'ч', 'щ', 'ц']) {
        return (format!("{name}евич"), format!("{name}евна"));
    }
    (format!("{name}ович"), format!("{name}овна"))
}

/// The given-name classes and the indexes that find them.
#[derive(Debug)]
pub struct NameDictionary {
    classes: Vec<GivenNameClass>,
    given_by_key: HashMap<String, Vec<usize>>,
    patronymic_by_key: HashMap<String, Vec<(usize, Gender)>>,
    /// Folded Cyrillic forms of names and patronymics: (a Ukrainian form, a Russian form).
    form_languages: HashMap<String, (bool, bool)>,
}

fn split_forms(cell: Option<&str>) -> Vec<String> {
    cell.unwrap_or("")
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl NameDictionary {
    /// The dictionary compiled into the crate (data/given_names.tsv).
    pub fn embedded() -> &'static NameDictionary {
        static DICT: OnceLock<NameDictionary> = OnceLock::new();
        DICT.get_or_init(|| NameDictionary::from_tsv(include_str!("../data/given_names.tsv")))
    }

    /// Reads a dictionary in the format of data/given_names.tsv; malformed lines are skipped.
    pub fn from_tsv(text: &str) -> NameDictionary {
        let mut classes = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cells: Vec<&str> = line.split('\t').collect();
            let gender = match cells.first() {
                Some(&"m") => Gender::Male,
                Some(&"f") => Gender::Female,
                _ => continue,
            };
            let ukrainian = split_forms(cells.get(1).copied());
            let russian = split_forms(cells.get(2).copied());
            if ukrainian.is_empty() || russian.is_empty() {
                continue;
            }
            let latin = split_forms(cells.get(3).copied());
            let mut patronymics: [Vec<String>; 4] = Default::default();
            if gender == Gender::Male {
                for (slot, cell) in patronymics.iter_mut().zip(4..8) {
                    *slot = split_forms(cells.get(cell).copied());
                }
                // Forms by rule, for every form of the name, beside the listed ones.
                for uk in &ukrainian {
                    let (m, f) = ukrainian_patronymics(uk);
                    push_new(&mut patronymics[0], m);
                    push_new(&mut patronymics[1], f);
                }
                for ru in &russian {
                    let (m, f) = russian_patronymics(&ru.replace('ё', "е"));
                    push_new(&mut patronymics[2], m);
                    push_new(&mut patronymics[3], f);
                }
            }
            classes.push(GivenNameClass {
                gender,
                ukrainian,
                russian,
                latin,
                patronymics,
            });
        }
        let mut given_by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut patronymic_by_key: HashMap<String, Vec<(usize, Gender)>> = HashMap::new();
        for (i, class) in classes.iter().enumerate() {
            for form in class.forms() {
                if let Ok(k) = key(form) {
                    let entry = given_by_key.entry(k).or_default();
                    if !entry.contains(&i) {
                        entry.push(i);
                    }
                }
            }
            for (slot, forms) in class.patronymics.iter().enumerate() {
                let gender = if slot % 2 == 0 {
                    Gender::Male
                } else {
                    Gender::Female
                };
                for form in forms {
                    if let Ok(k) = key(form) {
                        let entry = patronymic_by_key.entry(k).or_default();
                        if !entry.contains(&(i, gender)) {
                            entry.push((i, gender));
                        }
                    }
                }
            }
        }
        let mut form_languages: HashMap<String, (bool, bool)> = HashMap::new();
        for class in &classes {
            let ukrainian = class
                .ukrainian
                .iter()
                .chain(&class.patronymics[0])
                .chain(&class.patronymics[1]);
            let russian = class
                .russian
                .iter()
                .chain(&class.patronymics[2])
                .chain(&class.patronymics[3]);
            for form in ukrainian {
                form_languages.entry(crate::fold(form)).or_default().0 = true;
            }
            for form in russian {
                form_languages.entry(crate::fold(form)).or_default().1 = true;
            }
        }
        NameDictionary {
            classes,
            given_by_key,
            patronymic_by_key,
            form_languages,
        }
    }

    /// The language whose forms include `folded` (a [`crate::fold`]ed word) as a given name
    /// or patronymic: Дмитро and Миколайович are only Ukrainian, Дмитрий and Николаевич only
    /// Russian; Максим and Петрович are both, hence `Unknown`.
    pub(crate) fn form_language(&self, folded: &str) -> Language {
        match self.form_languages.get(folded) {
            Some((true, false)) => Language::Ukrainian,
            Some((false, true)) => Language::Russian,
            _ => Language::Unknown,
        }
    }

    /// Every class.
    pub fn classes(&self) -> &[GivenNameClass] {
        &self.classes
    }

    /// The classes a token may be a given name of (several when forms collide).
    pub fn given(&self, token: &str) -> Vec<&GivenNameClass> {
        key(token)
            .ok()
            .and_then(|k| self.given_by_key.get(&k))
            .map(|ids| ids.iter().filter_map(|&i| self.classes.get(i)).collect())
            .unwrap_or_default()
    }

    /// Indexes (into [`NameDictionary::classes`]) of the classes a token may be a given name of.
    pub fn given_ids(&self, token: &str) -> &[usize] {
        key(token)
            .ok()
            .and_then(|k| self.given_by_key.get(&k))
            .map_or(&[], Vec::as_slice)
    }

    /// Index of the father's class of a patronymic, when the token is one.
    pub fn patronymic_id(&self, token: &str) -> Option<usize> {
        key(token)
            .ok()
            .and_then(|k| self.patronymic_by_key.get(&k))
            .and_then(|v| v.first())
            .map(|(i, _)| *i)
    }

    /// The father's name class and the gender of a patronymic, when the token is one.
    pub fn patronymic(&self, token: &str) -> Vec<(&GivenNameClass, Gender)> {
        key(token)
            .ok()
            .and_then(|k| self.patronymic_by_key.get(&k))
            .map(|ids| {
                ids.iter()
                    .filter_map(|&(i, g)| self.classes.get(i).map(|c| (c, g)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn push_new(list: &mut Vec<String>, form: String) {
    if !list.contains(&form) {
        list.push(form);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_has_enough_names() {
        let d = NameDictionary::embedded();
        let men = d
            .classes()
            .iter()
            .filter(|c| c.gender == Gender::Male)
            .count();
        let women = d
            .classes()
            .iter()
            .filter(|c| c.gender == Gender::Female)
            .count();
        assert!(men >= 150, "{men} male names");
        assert!(women >= 80, "{women} female names");
    }

    #[test]
    fn every_form_finds_its_class() {
        let d = NameDictionary::embedded();
        for spelling in [
            "Олександр",
            "Александр",
            "Oleksandr",
            "ALEKSANDR",
            "Alexandre",
            "Olexandr",
        ] {
            let found: Vec<&str> = d.given(spelling).iter().map(|c| c.name()).collect();
            assert_eq!(found, ["Олександр"], "{spelling}");
        }
        let found: Vec<&str> = d.given("Nataliya").iter().map(|c| c.name()).collect();
        assert_eq!(found, ["Наталія"]);
    }

    #[test]
    fn patronymics_lead_to_the_fathers_name() {
        let d = NameDictionary::embedded();
        for (patronymic, father, gender) in [
            ("Петрович", "Петро", Gender::Male),
            ("Petrovych", "Петро", Gender::Male),
            ("Миколаївна", "Микола", Gender::Female),
            ("Николаевна", "Микола", Gender::Female),
            ("Юрьевич", "Юрій", Gender::Male),
            ("Ильич", "Ілля", Gender::Male),
            ("Мстиславович", "Мстислав", Gender::Male),
        ] {
            let found = d.patronymic(patronymic);
            assert!(
                found
                    .iter()
                    .any(|(c, g)| c.name() == father && *g == gender),
                "{patronymic}: {:?}",
                found
                    .iter()
                    .map(|(c, g)| (c.name(), *g))
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn patronymic_rules_follow_the_grammar() {
        assert_eq!(
            ukrainian_patronymics("Андрій"),
            ("Андрійович".into(), "Андріївна".into())
        );
        assert_eq!(
            ukrainian_patronymics("Дмитро"),
            ("Дмитрович".into(), "Дмитрівна".into())
        );
        assert_eq!(
            ukrainian_patronymics("Василь"),
            ("Васильович".into(), "Василівна".into())
        );
        assert_eq!(
            russian_patronymics("Юрий"),
            ("Юрьевич".into(), "Юрьевна".into())
        );
        assert_eq!(
            russian_patronymics("Сергей"),
            ("Сергеевич".into(), "Сергеевна".into())
        );
        assert_eq!(
            russian_patronymics("Игорь"),
            ("Игоревич".into(), "Игоревна".into())
        );
        assert_eq!(
            russian_patronymics("Иван"),
            ("Иванович".into(), "Ивановна".into())
        );
    }
}
