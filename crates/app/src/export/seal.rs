//! Sealing an export of personal data: encrypted to its recipient's age key or with a
//! passphrase, or written unprotected only with an admin's permission for that export; the
//! refusals and the records that left audited.

use super::{Export, ExportFormat};
use crate::Error;
use homeward_core::access::{AllowUnprotectedExport, Grant, ReadRegister};
use homeward_core::protection::ReadAction;
use homeward_ledger::sha256_hex;
use homeward_store::Store;

/// How an export of personal data is protected.
#[derive(Debug, Clone, Default)]
pub struct Protection {
    /// Encrypt to this age recipient (`age1…`), the public key of whoever receives it.
    pub recipient: Option<String>,
    /// Encrypt with this passphrase (never taken from a URL).
    pub passphrase: Option<String>,
    /// An admin's permission to write this one export unprotected.
    pub unprotected_allowed: Option<Grant<AllowUnprotectedExport>>,
}

/// Encrypts `export` as asked; refuses to write protected records unmasked without
/// encryption unless an admin allowed it for this export. Returns what was done, in words
/// for the event.
pub fn seal(
    export: Export,
    shown: usize,
    protection: &Protection,
) -> Result<(Export, String), Error> {
    use std::io::Write as _;
    let encrypt = |encryptor: age::Encryptor| -> Result<Vec<u8>, Error> {
        let failed = |e: std::io::Error| Error::Storage(format!("encrypting the export: {e}"));
        let mut out = Vec::new();
        let mut w = encryptor.wrap_output(&mut out).map_err(failed)?;
        w.write_all(&export.bytes).map_err(failed)?;
        w.finish().map_err(failed)?;
        Ok(out)
    };
    let sealed = |bytes: Vec<u8>, how: String| {
        let e = Export {
            file_name: format!("{}.age", export.file_name),
            content_type: "application/octet-stream",
            sha256: sha256_hex(&bytes),
            bytes,
            rows: export.rows,
        };
        Ok((e, how))
    };
    if let Some(r) = protection
        .recipient
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let recipient: age::x25519::Recipient = r.parse().map_err(|e: &str| {
            Error::invalid(
                "recipient",
                format!("{r:?} is not an age public key (age1…): {e}"),
            )
        })?;
        let encryptor =
            age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
                .map_err(|e| Error::Storage(format!("encrypting the export: {e}")))?;
        let bytes = encrypt(encryptor)?;
        return sealed(bytes, format!("encrypted to the age recipient {r}"));
    }
    if let Some(p) = protection.passphrase.as_deref().filter(|p| !p.is_empty()) {
        if p.chars().count() < 12 {
            return Err(Error::invalid(
                "passphrase",
                "a passphrase protecting personal data needs at least 12 characters",
            ));
        }
        let encryptor =
            age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from(p.to_owned()));
        let bytes = encrypt(encryptor)?;
        return sealed(bytes, "encrypted with a passphrase".to_owned());
    }
    if let Some(refused) = refusal(shown, protection) {
        return Err(refused);
    }
    match &protection.unprotected_allowed {
        Some(admin) if shown > 0 => Ok((
            export,
            format!(
                "not encrypted, {shown} protected records shown: allowed by {} for this export",
                admin.actor()
            ),
        )),
        _ => Ok((
            export,
            "not encrypted: no protected record shown".to_owned(),
        )),
    }
}

/// Refuses, before anything is read, an encryption that cannot be done: a recipient that is
/// not an age public key, a passphrase too short to protect personal data.
pub(super) fn validate(protection: &Protection) -> Result<(), Error> {
    if let Some(r) = protection
        .recipient
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        r.parse::<age::x25519::Recipient>().map_err(|e: &str| {
            Error::invalid(
                "recipient",
                format!("{r:?} is not an age public key (age1…): {e}"),
            )
        })?;
    }
    if let Some(p) = protection.passphrase.as_deref().filter(|p| !p.is_empty())
        && p.chars().count() < 12
    {
        return Err(Error::invalid(
            "passphrase",
            "a passphrase protecting personal data needs at least 12 characters",
        ));
    }
    Ok(())
}

/// Why an export showing `shown` protected records unmasked may not be written as asked:
/// neither encrypted nor allowed unprotected by an admin for this export.
pub(super) fn refusal(shown: usize, protection: &Protection) -> Option<Error> {
    let encrypted = [&protection.recipient, &protection.passphrase]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()));
    (shown > 0 && !encrypted && protection.unprotected_allowed.is_none()).then(|| {
        Error::invalid(
            "protection",
            format!(
                "this export would show {shown} protected records unencrypted; encrypt it to the recipient's age key (recipient=age1…) or with a passphrase, or have an admin allow this one export unprotected"
            ),
        )
    })
}

/// [`seal`], auditing a refusal as a refused read of the records it would have shown.
pub(super) async fn seal_or_refuse(
    store: &Store,
    grant: &Grant<ReadRegister>,
    export: Export,
    shown: usize,
    protection: &Protection,
    people: &[i64],
    now_ms: i64,
) -> Result<(Export, String), Error> {
    match seal(export, shown, protection) {
        Ok(done) => Ok(done),
        Err(refused) => {
            audit_refusal(store, grant, people, now_ms).await?;
            Err(refused)
        }
    }
}

/// Audits a refused export as a refused read of the records it would have shown.
pub(super) async fn audit_refusal(
    store: &Store,
    grant: &Grant<ReadRegister>,
    people: &[i64],
    now_ms: i64,
) -> Result<(), Error> {
    let read = homeward_store::ReadOf {
        action: ReadAction::Refused,
        persons: people,
        list: None,
        purpose: "export",
        detail: Some("an unprotected export of protected records was refused"),
    };
    store.record_reads(grant, read, now_ms).await
}

/// Audits an export: one read per record that left in it.
pub(super) async fn audit_export(
    store: &Store,
    grant: &Grant<ReadRegister>,
    people: &[i64],
    list: Option<i64>,
    format: ExportFormat,
    now_ms: i64,
) -> Result<(), Error> {
    let mut people = people.to_vec();
    people.sort_unstable();
    people.dedup();
    let read = homeward_store::ReadOf {
        action: ReadAction::Export,
        persons: &people,
        list,
        purpose: "export",
        detail: Some(format.extension()),
    };
    store.record_reads(grant, read, now_ms).await
}
