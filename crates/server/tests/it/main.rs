//! Integration tests of the HTTP face: one test binary (linking once matters on 2 cores),
//! a real server on 127.0.0.1 over a real store — SQLite always, PostgreSQL when
//! `HOMEWARD_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod a11y;
mod access;
mod browser;
mod commission;
mod common;
mod enquiries;
mod exports;
mod forms;
mod journeys;
mod ledger;
mod pages;
mod plans;
mod protection;
mod reasons;
mod records;
mod relay;
mod roles;
mod sealed;
mod shared_plans;
mod three_servers;
mod words;
