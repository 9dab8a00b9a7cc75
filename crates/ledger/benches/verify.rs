//! Signatures verified per second, and the time to verify a log of 1,000,000 events (the hash
//! chain, the RFC 9162 root over every entry, and a signed tree head):
//! `cargo bench -p homeward-ledger`. Prints the figures; asserts nothing (machines here are
//! shared and noisy). No reference tool checks homeward's log, so there is no ratio.
#![allow(clippy::unwrap_used, missing_docs)]

use homeward_ledger::keys::{PartyKey, verify_hex};
use homeward_ledger::merkle;
use homeward_ledger::{ChainVerifier, EventDraft};
use std::time::Instant;

fn main() {
    // Signatures.
    let key = PartyKey::from_seed([9; 32]);
    let public = key.public_hex();
    let messages: Vec<Vec<u8>> = (0..20_000u32)
        .map(|i| {
            format!(
                "homeward tree head v1\nparty UA\nsize {i}\nroot {:064x}\nat {i}\n",
                i
            )
            .into_bytes()
        })
        .collect();
    let t = Instant::now();
    let signatures: Vec<String> = messages.iter().map(|m| key.sign_hex(m)).collect();
    let signing = t.elapsed();
    let t = Instant::now();
    let mut good = 0;
    for (m, s) in messages.iter().zip(&signatures) {
        good += usize::from(verify_hex(&public, m, s).unwrap());
    }
    let verifying = t.elapsed();
    assert_eq!(good, messages.len());
    println!(
        "Ed25519: {:.0} signatures/s made, {:.0} signatures/s verified (strict, hex decoded), over {} messages",
        messages.len() as f64 / signing.as_secs_f64(),
        messages.len() as f64 / verifying.as_secs_f64(),
        messages.len()
    );

    // A log of 1,000,000 events: built once, then verified as `homeward verify` does.
    let n = 1_000_000i64;
    let mut events = Vec::with_capacity(n as usize);
    let mut prev = homeward_ledger::GENESIS_HASH.to_owned();
    for seq in 1..=n {
        let draft = EventDraft {
            at_ms: 1_748_822_400_000 + seq,
            party: if seq % 2 == 0 { "UA" } else { "RU" }.to_owned(),
            actor: format!("user:{}", seq % 17),
            kind: "stage.person_moved".to_owned(),
            payload: serde_json::json!({ "stage": seq % 40, "person": seq, "from": "planned", "to": "handed_over" }),
        };
        let event = draft.chain(seq, &prev).unwrap();
        prev = event.hash.clone();
        events.push(event);
    }
    let t = Instant::now();
    let mut chain = ChainVerifier::new();
    for e in &events {
        chain.push(e).unwrap();
    }
    let chain_time = t.elapsed();
    let t = Instant::now();
    let leaves: Vec<merkle::Hash> = events
        .iter()
        .map(|e| merkle::leaf_hash(&e.draft.entry_bytes(e.seq, &e.prev_hash).unwrap()))
        .collect();
    let root = merkle::root(&leaves);
    let statement = format!(
        "homeward tree head v1\nparty UA\nsize {n}\nroot {}\nat 0\n",
        hex::encode(root)
    );
    let signature = key.sign_hex(statement.as_bytes());
    assert!(verify_hex(&public, statement.as_bytes(), &signature).unwrap());
    let tree_time = t.elapsed();
    println!(
        "log of {n} events: hash chain {:.2} s, RFC 9162 root and signed tree head {:.2} s, together {:.2} s ({:.0} events/s)",
        chain_time.as_secs_f64(),
        tree_time.as_secs_f64(),
        (chain_time + tree_time).as_secs_f64(),
        n as f64 / (chain_time + tree_time).as_secs_f64()
    );
}
