//! The log as a Merkle tree with the hashing of RFC 9162 (Certificate Transparency 2.0,
//! section 2.1): a leaf is `SHA-256(0x00 ‖ entry)`, an inner node `SHA-256(0x01 ‖ left ‖
//! right)`, the tree over `n` entries splits at the largest power of two below `n`. Inclusion
//! proofs (a leaf is in a tree of a given size) and consistency proofs (a tree only grew) are
//! made and checked exactly as the RFC defines them, so that any independent implementation
//! can check ours and ours theirs.

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// The hash of an entry as a leaf: `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// The hash of an inner node: `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly below `n` (for `n ≥ 2`).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The root of the tree over these leaf hashes (`MTH`); the empty tree's root is the hash of
/// nothing.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The inclusion proof of leaf `index` in the tree over `leaves` (`PATH(m, D[n])`), nearest
/// sibling first; `None` when the index is outside the tree.
pub fn inclusion_proof(index: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    fn path(m: usize, d: &[Hash], out: &mut Vec<Hash>) {
        if d.len() <= 1 {
            return;
        }
        let k = split(d.len());
        if m < k {
            path(m, &d[..k], out);
            out.push(root(&d[k..]));
        } else {
            path(m - k, &d[k..], out);
            out.push(root(&d[..k]));
        }
    }
    if index >= leaves.len() {
        return None;
    }
    let mut out = Vec::new();
    path(index, leaves, &mut out);
    Some(out)
}

/// Checks an inclusion proof (RFC 9162 section 2.1.3.2): that `leaf` is leaf `index` of the
/// tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && &r == root
}

/// The consistency proof between the tree of the first `old_size` leaves and the tree over
/// all `leaves` (`PROOF(m, D[n])`); `None` when `old_size` is larger than the tree.
pub fn consistency_proof(old_size: usize, leaves: &[Hash]) -> Option<Vec<Hash>> {
    fn subproof(m: usize, d: &[Hash], complete: bool, out: &mut Vec<Hash>) {
        let n = d.len();
        if m == n {
            if !complete {
                out.push(root(d));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            subproof(m, &d[..k], complete, out);
            out.push(root(&d[k..]));
        } else {
            subproof(m - k, &d[k..], false, out);
            out.push(root(&d[..k]));
        }
    }
    if old_size > leaves.len() {
        return None;
    }
    let mut out = Vec::new();
    if old_size > 0 && old_size < leaves.len() {
        subproof(old_size, leaves, true, &mut out);
    }
    Some(out)
}

/// Checks a consistency proof (RFC 9162 section 2.1.4.2): that the tree of `new_size` leaves
/// with root `new_root` extends the tree of `old_size` leaves with root `old_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty();
    }
    if proof.is_empty() {
        return false;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    &fr == old_root && &sr == new_root && s == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(hex: &str) -> Hash {
        let v = hex::decode(hex).unwrap();
        v.try_into().unwrap()
    }

    // Test data published with the transparency-dev Merkle library (an independent
    // implementation of RFC 6962/9162 hashing): eight leaf inputs, the roots of the trees
    // of sizes 1–8, and known inclusion and consistency proofs.
    fn leaves() -> Vec<Hash> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|x| leaf_hash(&hex::decode(x).unwrap()))
        .collect()
    }

    const ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// (leaf number from 1, tree size, proof)
    const INCLUSION: [(u64, u64, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            3,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            2,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];

    /// (old size, new size, proof)
    const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];

    #[test]
    fn roots_match_the_published_vectors() {
        let l = leaves();
        assert_eq!(
            hex::encode(root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        for (n, expected) in ROOTS.iter().enumerate() {
            assert_eq!(hex::encode(root(&l[..=n])), *expected, "size {}", n + 1);
        }
    }

    #[test]
    fn inclusion_proofs_match_and_verify_and_nothing_else_does() {
        let l = leaves();
        for (leaf, size, expected) in INCLUSION {
            let (i, n) = ((leaf - 1) as usize, size as usize);
            let proof = inclusion_proof(i, &l[..n]).unwrap();
            let expected: Vec<Hash> = expected.iter().map(|x| h(x)).collect();
            assert_eq!(proof, expected, "leaf {leaf} of {size}");
            let r = h(ROOTS[n - 1]);
            assert!(verify_inclusion(leaf - 1, size, &l[i], &proof, &r));
            // Corrupted probes, as the reference tests do: none may verify.
            let wrong_index = [leaf.wrapping_sub(2), leaf, (leaf - 1) ^ 2];
            for w in wrong_index {
                if w != leaf - 1 {
                    assert!(!verify_inclusion(w, size, &l[i], &proof, &r), "index {w}");
                }
            }
            assert!(!verify_inclusion(leaf - 1, size * 2, &l[i], &proof, &r));
            if size > 1 {
                assert!(!verify_inclusion(leaf - 1, size / 2, &l[i], &proof, &r));
            }
            assert!(!verify_inclusion(
                leaf - 1,
                size,
                &leaf_hash(b"WrongLeaf"),
                &proof,
                &r
            ));
            let mut longer = proof.clone();
            longer.push(r);
            assert!(!verify_inclusion(leaf - 1, size, &l[i], &longer, &r));
            for k in 0..proof.len() {
                let mut flipped = proof.clone();
                flipped[k][0] ^= 8;
                assert!(!verify_inclusion(leaf - 1, size, &l[i], &flipped, &r));
            }
            if !proof.is_empty() {
                assert!(!verify_inclusion(
                    leaf - 1,
                    size,
                    &l[i],
                    &proof[..proof.len() - 1],
                    &r
                ));
            }
        }
    }

    #[test]
    fn consistency_proofs_match_and_verify_and_nothing_else_does() {
        let l = leaves();
        for (m, n, expected) in CONSISTENCY {
            let proof = consistency_proof(m as usize, &l[..n as usize]).unwrap();
            let expected: Vec<Hash> = expected.iter().map(|x| h(x)).collect();
            assert_eq!(proof, expected, "{m} → {n}");
            let (r1, r2) = (h(ROOTS[m as usize - 1]), h(ROOTS[n as usize - 1]));
            assert!(verify_consistency(m, n, &r1, &r2, &proof), "{m} → {n}");
            if proof.is_empty() {
                continue;
            }
            assert!(!verify_consistency(m - 1, n, &r1, &r2, &proof));
            assert!(!verify_consistency(m + 1, n, &r1, &r2, &proof));
            assert!(!verify_consistency(m, n * 2, &r1, &r2, &proof));
            assert!(!verify_consistency(m, n, &r2, &r1, &proof), "swapped roots");
            assert!(!verify_consistency(m, n, &r1, &r2, &[]));
            let mut longer = proof.clone();
            longer.push(r2);
            assert!(!verify_consistency(m, n, &r1, &r2, &longer));
            let mut front = vec![proof[0]];
            front.extend_from_slice(&proof);
            assert!(!verify_consistency(m, n, &r1, &r2, &front));
            assert!(!verify_consistency(
                m,
                n,
                &r1,
                &r2,
                &proof[..proof.len() - 1]
            ));
            for k in 0..proof.len() {
                let mut flipped = proof.clone();
                flipped[k][0] ^= 16;
                assert!(!verify_consistency(m, n, &r1, &r2, &flipped));
            }
        }
    }

    #[test]
    fn every_proof_of_every_tree_up_to_64_leaves_verifies() {
        let l: Vec<Hash> = (0u32..64).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for n in 1..=l.len() {
            let r = root(&l[..n]);
            for i in 0..n {
                let p = inclusion_proof(i, &l[..n]).unwrap();
                assert!(
                    verify_inclusion(i as u64, n as u64, &l[i], &p, &r),
                    "{i} in {n}"
                );
            }
            for m in 0..=n {
                let p = consistency_proof(m, &l[..n]).unwrap();
                assert!(
                    verify_consistency(m as u64, n as u64, &root(&l[..m]), &r, &p),
                    "{m} → {n}"
                );
            }
        }
    }
}
