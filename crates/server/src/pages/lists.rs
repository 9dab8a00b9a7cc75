//! The lists page: the lists held, the upload with its mapping step, and the export links
//! of a list, the register and the links.

use super::{Who, code_word, render};
use crate::PageError;
use crate::api::{ExportQuery, LinksExportFilter, RegisterExportFilter, read_upload};
use crate::api::{UPLOAD_LIMIT, download};
use crate::auth::{PageCaller, Posted};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::lists::{ColumnChoice, ImportReport, KINDS};
use homeward_app::{Acting, App, ExportSource};
use homeward_core::Error;
use homeward_import::SourceFormat;
use homeward_store::ListSummary;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        (
            "/lists",
            get(lists_page)
                .post(upload_page)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        ),
        ("/lists/mapping", post(mapping_page)),
        ("/lists/{list}/export", get(list_export)),
        ("/register/export", get(register_export)),
        ("/review/export", get(links_export)),
    ]
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    who: Who,
    /// Each list kind's code and word.
    kinds: Vec<(&'static str, String)>,
    lists: Vec<ListSummary>,
    report: Option<ImportReport>,
    mapping: Option<MappingStep>,
}

impl ListsPage {
    /// How the file was read, in the page's words.
    fn read_as(&self, report: &ImportReport) -> String {
        let who = &self.who;
        match &report.source {
            Some(SourceFormat::Csv {
                encoding,
                delimiter,
            }) => {
                let delimiter = match delimiter {
                    '\t' => who.t("lists-delimiter-tab"),
                    d => who.t1("lists-delimiter", "d", d.to_string()),
                };
                who.tw(
                    "lists-read-csv",
                    &[
                        ("encoding", encoding.as_str().into()),
                        ("delimiter", delimiter.into()),
                    ],
                )
            }
            Some(SourceFormat::Spreadsheet { sheet }) => {
                who.t1("lists-read-sheet", "sheet", sheet.as_str())
            }
            None => report.format.clone(),
        }
    }
}

/// The step that asks which column holds what, for a file with columns not recognised.
struct MappingStep {
    pending: u64,
    file_name: String,
    columns: Vec<ColumnChoice>,
    /// Each column role's code and word.
    roles: Vec<(&'static str, String)>,
}

async fn render_lists(
    app: &App,
    caller: &PageCaller,
    report: Option<ImportReport>,
    mapping: Option<MappingStep>,
) -> Result<Html<String>, PageError> {
    render(&ListsPage {
        who: Who::from(caller),
        kinds: KINDS
            .iter()
            .map(|k| (*k, code_word("listkind", k)))
            .collect(),
        lists: app.lists(&caller.actor).await?,
        report,
        mapping,
    })
}

async fn lists_page(State(app): State<App>, caller: PageCaller) -> Result<Html<String>, PageError> {
    render_lists(&app, &caller, None, None).await
}

async fn upload_page(
    State(app): State<App>,
    caller: PageCaller,
    multipart: axum::extract::Multipart,
) -> Result<Html<String>, PageError> {
    app.may_import(&caller.actor)?;
    let upload = read_upload(multipart).await?;
    caller.check_csrf(&upload.csrf)?;
    // A column not recognised, and no mapping given: ask before importing.
    if let Some(held) = app.hold_for_mapping(
        &caller.actor,
        &upload.file_name,
        &upload.bytes,
        &upload.request,
    )? {
        let step = MappingStep {
            pending: held.number,
            file_name: held.file_name,
            columns: held.columns,
            roles: homeward_import::Role::ALL
                .iter()
                .map(|r| (r.as_str(), code_word("column", r.as_str())))
                .collect(),
        };
        return render_lists(&app, &caller, None, Some(step)).await;
    }
    let report = app
        .import_list(
            &Acting::User(&caller.actor),
            &upload.file_name,
            upload.bytes,
            &upload.request,
        )
        .await?;
    render_lists(&app, &caller, Some(report), None).await
}

/// The mapping step's answer: `pending`, and `column_N` = a role (or empty: not read) for
/// each column N from 1.
async fn mapping_page(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<Vec<(String, String)>>,
) -> Result<Html<String>, PageError> {
    let number: u64 = form
        .iter()
        .find(|(k, _)| k == "pending")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| Error::invalid("pending", "an upload number"))?;
    let mut roles = Vec::new();
    for (name, role) in &form {
        let (Some(column), false) = (name.strip_prefix("column_"), role.is_empty()) else {
            continue;
        };
        let role = homeward_import::Role::parse(role)
            .ok_or_else(|| Error::invalid(name.clone(), format!("{role:?} is not a role")))?;
        roles.push((column.to_owned(), role));
    }
    let report = app.finish_upload(&caller.actor, number, &roles).await?;
    render_lists(&app, &caller, Some(report), None).await
}

// The pages' exports take no passphrase: a URL must never carry one, and a browser's link
// cannot send a header; the page's form asks for the recipient's age key instead.

async fn list_export(
    State(app): State<App>,
    caller: PageCaller,
    Path(list): Path<i64>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let request = q.request(ExportSource::List(list), None);
    Ok(download(app.export(&caller.actor, &request).await?))
}

async fn register_export(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<ExportQuery>,
    Query(filter): Query<RegisterExportFilter>,
) -> Result<Response, PageError> {
    let request = q.request(filter.source(), None);
    Ok(download(app.export(&caller.actor, &request).await?))
}

async fn links_export(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<ExportQuery>,
    Query(filter): Query<LinksExportFilter>,
) -> Result<Response, PageError> {
    let request = q.request(filter.source(), None);
    Ok(download(app.export(&caller.actor, &request).await?))
}
