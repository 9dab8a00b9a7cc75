//! Reading the party's own register: pages of records, one record opened (audited), a
//! search by any spelling (audited), the lists held and their rows.

use crate::query::{PersonQuery, SearchParams, purpose_or};
use crate::{App, Error, grant};
use homeward_core::access::{Actor, ReadRegister};
use homeward_store::{ListSummary, Person, PersonPage, SearchHit, StoredRow};

impl App {
    /// A page of the actor's own register; there is no way to ask for another party's.
    /// Protected records come masked for a reader not cleared to see them.
    pub async fn persons(&self, actor: &Actor, query: &PersonQuery) -> Result<PersonPage, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        self.store.persons(&grant, &query.filter()?).await
    }

    /// One record of the actor's register, opened for `purpose` and audited (a masked view
    /// as a refusal); another party's record is not found.
    pub async fn person(
        &self,
        actor: &Actor,
        id: i64,
        purpose: Option<&str>,
    ) -> Result<Person, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        let purpose = purpose_or(purpose, "view");
        self.store
            .open_person(&grant, id, &purpose, self.now())
            .await
    }

    /// A record of the actor's register with its story — the list it came from, its links
    /// and who decided them, every plan and stage it was placed in — read and audited once.
    pub async fn person_story(
        &self,
        actor: &Actor,
        id: i64,
        purpose: Option<&str>,
    ) -> Result<(Person, homeward_store::PersonStory), Error> {
        let grant = grant::<ReadRegister>(actor)?;
        let purpose = purpose_or(purpose, "view");
        let person = self
            .store
            .open_person(&grant, id, &purpose, self.now())
            .await?;
        let story = self.store.person_story(&grant, id).await?;
        Ok((person, story))
    }

    /// Whether the actor may search the register (the search form is shown only then).
    pub fn may_search(&self, actor: &Actor) -> Result<(), Error> {
        grant::<ReadRegister>(actor).map(|_| ())
    }

    /// People of the actor's register found from any spelling of their name, ranked; every
    /// hit shown is audited, and so is a search that found nothing.
    pub async fn search(
        &self,
        actor: &Actor,
        params: &SearchParams,
    ) -> Result<Vec<SearchHit>, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        let purpose = purpose_or(params.purpose.as_deref(), "search");
        self.store
            .find(&grant, &params.query()?, &purpose, self.now())
            .await
    }

    /// The lists the actor's party issued or that are addressed to it (no rows, no names).
    pub async fn lists(&self, actor: &Actor) -> Result<Vec<ListSummary>, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        self.store.lists(&grant).await
    }

    /// The rows of a list the actor's party issued or received, as imported (problems
    /// included); a protected row's cells masked for a reader not cleared.
    pub async fn list_rows(&self, actor: &Actor, list: i64) -> Result<Vec<StoredRow>, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        self.store.list_rows(&grant, list).await
    }
}
