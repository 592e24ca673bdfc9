//! The RDFC-1.0 canonicalization algorithm (W3C Recommendation, 2024), SHA-256.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use ring::digest::{Algorithm, Context, SHA256, SHA384, digest};

use super::{Dataset, Quad, RdfcError, Term};

/// Limits on the work of canonicalization (the spec's "Dataset Poisoning" mitigation).
///
/// The defaults accept every dataset of the W3C test suite that is not a poison
/// graph, and are far above anything a credential needs (credentials normally need
/// no "hash N-degree quads" call at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CanonLimits {
    /// Maximum number of calls of the "Hash N-Degree Quads" algorithm.
    pub max_ndegree_calls: usize,
    /// Maximum number of permutations examined, over all calls.
    pub max_permutations: usize,
    /// Maximum recursion depth of "Hash N-Degree Quads".
    pub max_depth: usize,
    /// Maximum number of quads accepted.
    pub max_quads: usize,
}

impl Default for CanonLimits {
    fn default() -> Self {
        Self {
            max_ndegree_calls: 4_000,
            max_permutations: 40_000,
            max_depth: 16,
            max_quads: 100_000,
        }
    }
}

impl CanonLimits {
    /// Limits with an explicit budget for "Hash N-Degree Quads" calls and permutations.
    pub fn with_work(max_ndegree_calls: usize, max_permutations: usize) -> Self {
        Self {
            max_ndegree_calls,
            max_permutations,
            ..Self::default()
        }
    }
}

/// The result of canonicalization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canonical {
    /// The canonical N-Quads document (sorted lines, each ending with `\n`).
    pub nquads: String,
    /// The issued identifiers map: input blank node label → canonical label (`c14nN`),
    /// in issuance order.
    pub issued: Vec<(String, String)>,
}

/// The hash function of the canonicalization algorithm (SHA-256 is the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HashAlgorithm {
    /// SHA-256 (RDFC-1.0 default; what Data Integrity `eddsa-rdfc-2022` uses).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

#[derive(Clone, Debug)]
struct Issuer {
    prefix: &'static str,
    issued: HashMap<String, String>,
    order: Vec<String>,
}

impl Issuer {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            issued: HashMap::new(),
            order: Vec::new(),
        }
    }
    fn issue(&mut self, id: &str) -> String {
        if let Some(v) = self.issued.get(id) {
            return v.clone();
        }
        let v = format!("{}{}", self.prefix, self.order.len());
        self.issued.insert(id.to_owned(), v.clone());
        self.order.push(id.to_owned());
        v
    }
    fn get(&self, id: &str) -> Option<&String> {
        self.issued.get(id)
    }
}

struct State<'a> {
    quads: &'a [Quad],
    bnode_quads: HashMap<&'a str, Vec<usize>>,
    canonical: Issuer,
    limits: CanonLimits,
    ndegree_calls: usize,
    permutations: usize,
    first_degree_cache: HashMap<&'a str, String>,
    hash: HashAlgorithm,
}

impl State<'_> {
    fn algorithm(&self) -> &'static Algorithm {
        match self.hash {
            HashAlgorithm::Sha256 => &SHA256,
            HashAlgorithm::Sha384 => &SHA384,
        }
    }

    fn hash_hex(&self, data: &[u8]) -> String {
        hex_lower(digest(self.algorithm(), data).as_ref())
    }

    /// The hash of the concatenation of `lines`, in lowercase hex.
    fn hash_hex_lines<'l>(&self, lines: impl Iterator<Item = &'l str>) -> String {
        let mut ctx = Context::new(self.algorithm());
        for l in lines {
            ctx.update(l.as_bytes());
        }
        hex_lower(ctx.finish().as_ref())
    }
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(
            HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        s.push(char::from(
            HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
        ));
    }
    s
}

fn blank_of(t: &Term) -> Option<&str> {
    match t {
        Term::Blank(b) => Some(b.as_str()),
        _ => None,
    }
}

/// Canonicalizes a dataset with RDFC-1.0 (SHA-256).
///
/// # Errors
/// [`RdfcError::LimitExceeded`] when the dataset needs more work than `limits` allow.
pub fn canonicalize(dataset: &Dataset, limits: &CanonLimits) -> Result<Canonical, RdfcError> {
    canonicalize_with_hash(dataset, limits, HashAlgorithm::Sha256)
}

/// Canonicalizes a dataset with RDFC-1.0 and the given hash function.
///
/// # Errors
/// [`RdfcError::LimitExceeded`] when the dataset needs more work than `limits` allow.
pub fn canonicalize_with_hash(
    dataset: &Dataset,
    limits: &CanonLimits,
    hash: HashAlgorithm,
) -> Result<Canonical, RdfcError> {
    let canon = canonical_labels(dataset, limits, hash)?;
    let lines = SortedLines::new(dataset.quads(), &canon);
    let mut nquads = String::with_capacity(lines.text.len());
    lines.for_each(|l| nquads.push_str(l));
    let issued = canon
        .order
        .iter()
        .map(|b| (b.clone(), canon.get(b).cloned().unwrap_or_default()))
        .collect();
    Ok(Canonical { nquads, issued })
}

/// SHA-256 of the canonical N-Quads document of `dataset` (RDFC-1.0 with SHA-256): what
/// [`canonicalize`] returns as `nquads`, hashed line by line without being concatenated.
///
/// # Errors
/// [`RdfcError::LimitExceeded`] when the dataset needs more work than `limits` allow.
pub fn canonical_sha256(dataset: &Dataset, limits: &CanonLimits) -> Result<[u8; 32], RdfcError> {
    let canon = canonical_labels(dataset, limits, HashAlgorithm::Sha256)?;
    let lines = SortedLines::new(dataset.quads(), &canon);
    let mut ctx = Context::new(&SHA256);
    lines.for_each(|l| ctx.update(l.as_bytes()));
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    Ok(out)
}

/// The canonical N-Quads lines of `quads` relabelled by `canon`, written into one buffer and
/// sorted as spans of it (no string per line).
struct SortedLines {
    text: String,
    /// Start and end of each distinct line in `text`, in canonical (code point) order.
    spans: Vec<(usize, usize)>,
}

impl SortedLines {
    fn new(quads: &[Quad], canon: &Issuer) -> Self {
        let label =
            |b: &str, out: &mut String| out.push_str(canon.get(b).map_or(b, String::as_str));
        let mut text = String::with_capacity(quads.len() * 128);
        let mut spans = Vec::with_capacity(quads.len());
        for q in quads {
            let start = text.len();
            q.write_nquad(&mut text, &label);
            spans.push((start, text.len()));
        }
        let line = |&(a, b): &(usize, usize)| text.get(a..b).unwrap_or_default();
        spans.sort_unstable_by(|x, y| line(x).cmp(line(y)));
        spans.dedup_by(|x, y| line(x) == line(y));
        Self { text, spans }
    }

    /// Calls `f` with each line (with its `\n`), in order.
    fn for_each(&self, mut f: impl FnMut(&str)) {
        for &(a, b) in &self.spans {
            f(self.text.get(a..b).unwrap_or_default());
        }
    }
}

/// Steps 1-5 of RDFC-1.0: the canonical issuer with every blank node of `dataset` labelled.
fn canonical_labels(
    dataset: &Dataset,
    limits: &CanonLimits,
    hash: HashAlgorithm,
) -> Result<Issuer, RdfcError> {
    let quads = dataset.quads();
    if quads.len() > limits.max_quads {
        return Err(RdfcError::LimitExceeded("too many quads"));
    }
    let mut st = State {
        quads,
        bnode_quads: HashMap::new(),
        canonical: Issuer::new("c14n"),
        limits: *limits,
        ndegree_calls: 0,
        permutations: 0,
        first_degree_cache: HashMap::new(),
        hash,
    };
    // Step 2: blank node to quads map (insertion order of first appearance kept below).
    let mut bnode_order: Vec<&str> = Vec::new();
    for (i, q) in quads.iter().enumerate() {
        for t in [Some(&q.subject), Some(&q.object), q.graph.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Some(b) = blank_of(t) {
                let e = st.bnode_quads.entry(b).or_default();
                if e.last() != Some(&i) {
                    if e.is_empty() {
                        bnode_order.push(b);
                    }
                    e.push(i);
                }
            }
        }
    }
    // Step 3: first-degree hashes.
    let mut hash_to_bnodes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for b in &bnode_order {
        let h = st.hash_first_degree(b);
        hash_to_bnodes.entry(h).or_default().push(b);
    }
    // Step 4: unique hashes get canonical identifiers, in hash order.
    let mut non_unique: Vec<Vec<&str>> = Vec::new();
    for list in hash_to_bnodes.values() {
        match list.as_slice() {
            [only] => {
                st.canonical.issue(only);
            }
            _ => non_unique.push(list.clone()),
        }
    }
    // Step 5: the rest, through N-degree hashing.
    for list in non_unique {
        let mut paths: Vec<(String, Issuer)> = Vec::new();
        for b in list {
            if st.canonical.get(b).is_some() {
                continue;
            }
            let mut temp = Issuer::new("b");
            temp.issue(b);
            paths.push(st.hash_ndegree(b, temp, 0)?);
        }
        paths.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, issuer) in paths {
            for existing in &issuer.order {
                st.canonical.issue(existing);
            }
        }
    }
    Ok(st.canonical)
}

impl<'a> State<'a> {
    fn hash_first_degree(&mut self, reference: &'a str) -> String {
        if let Some(h) = self.first_degree_cache.get(reference) {
            return h.clone();
        }
        let quads = self.quads;
        let label = |b: &str, out: &mut String| out.push(if b == reference { 'a' } else { 'z' });
        let mut text = String::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for q in self
            .bnode_quads
            .get(reference)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| quads.get(i))
        {
            let start = text.len();
            q.write_nquad(&mut text, &label);
            spans.push((start, text.len()));
        }
        let line = |&(a, b): &(usize, usize)| text.get(a..b).unwrap_or_default();
        spans.sort_unstable_by(|x, y| line(x).cmp(line(y)));
        let h = self.hash_hex_lines(spans.iter().map(line));
        self.first_degree_cache.insert(reference, h.clone());
        h
    }

    fn hash_related(
        &mut self,
        related: &'a str,
        q: &Quad,
        issuer: &Issuer,
        position: char,
    ) -> String {
        let id = if let Some(c) = self.canonical.get(related) {
            format!("_:{c}")
        } else if let Some(t) = issuer.get(related) {
            format!("_:{t}")
        } else {
            self.hash_first_degree(related)
        };
        let mut input = String::with_capacity(128);
        input.push(position);
        if position != 'g' {
            if let Term::Iri(p) = &q.predicate {
                input.push('<');
                input.push_str(p);
                input.push('>');
            }
        }
        input.push_str(&id);
        self.hash_hex(input.as_bytes())
    }

    fn hash_ndegree(
        &mut self,
        identifier: &'a str,
        mut issuer: Issuer,
        depth: usize,
    ) -> Result<(String, Issuer), RdfcError> {
        self.ndegree_calls += 1;
        if self.ndegree_calls > self.limits.max_ndegree_calls {
            return Err(RdfcError::LimitExceeded(
                "too many hash n-degree quads calls",
            ));
        }
        if depth > self.limits.max_depth {
            return Err(RdfcError::LimitExceeded(
                "hash n-degree quads recursion too deep",
            ));
        }
        // Steps 1-3: related hash → related blank nodes.
        let mut hn: BTreeMap<String, Vec<&'a str>> = BTreeMap::new();
        let quads = self.quads;
        let idxs = self
            .bnode_quads
            .get(identifier)
            .cloned()
            .unwrap_or_default();
        for i in idxs {
            let Some(q) = quads.get(i) else { continue };
            for (t, pos) in [
                (Some(&q.subject), 's'),
                (Some(&q.object), 'o'),
                (q.graph.as_ref(), 'g'),
            ] {
                let Some(b) = t.and_then(blank_of) else {
                    continue;
                };
                if b == identifier {
                    continue;
                }
                let h = self.hash_related(b, q, &issuer, pos);
                hn.entry(h).or_default().push(b);
            }
        }
        // Step 4-5.
        let mut data = String::new();
        for (related_hash, list) in hn {
            data.push_str(&related_hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer: Option<Issuer> = None;
            let mut perm: Vec<usize> = (0..list.len()).collect();
            let mut first = true;
            loop {
                if !first && !next_permutation(&mut perm) {
                    break;
                }
                first = false;
                self.permutations += 1;
                if self.permutations > self.limits.max_permutations {
                    return Err(RdfcError::LimitExceeded("too many permutations"));
                }
                let mut issuer_copy = issuer.clone();
                let mut path = String::new();
                let mut recursion: Vec<&'a str> = Vec::new();
                let mut skip = false;
                for &pi in &perm {
                    let Some(&related) = list.get(pi) else {
                        continue;
                    };
                    if let Some(c) = self.canonical.get(related) {
                        path.push_str("_:");
                        path.push_str(c);
                    } else {
                        if issuer_copy.get(related).is_none() {
                            recursion.push(related);
                        }
                        path.push_str("_:");
                        path.push_str(&issuer_copy.issue(related));
                    }
                    if !chosen_path.is_empty()
                        && path.len() >= chosen_path.len()
                        && path > chosen_path
                    {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                for related in recursion {
                    let (h, new_issuer) =
                        self.hash_ndegree(related, issuer_copy.clone(), depth + 1)?;
                    issuer_copy = new_issuer;
                    path.push_str("_:");
                    path.push_str(&issuer_copy.issue(related));
                    path.push('<');
                    path.push_str(&h);
                    path.push('>');
                    if !chosen_path.is_empty()
                        && path.len() >= chosen_path.len()
                        && path > chosen_path
                    {
                        skip = true;
                        break;
                    }
                }
                if skip {
                    continue;
                }
                if chosen_path.is_empty() || path < chosen_path {
                    chosen_path = path;
                    chosen_issuer = Some(issuer_copy);
                }
            }
            data.push_str(&chosen_path);
            if let Some(ci) = chosen_issuer {
                issuer = ci;
            }
        }
        Ok((self.hash_hex(data.as_bytes()), issuer))
    }
}

/// Lexicographic next permutation; `false` when `v` was the last one.
fn next_permutation(v: &mut [usize]) -> bool {
    let n = v.len();
    if n < 2 {
        return false;
    }
    let mut i = n - 1;
    while i > 0 && v.get(i - 1) >= v.get(i) {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = n - 1;
    while v.get(j) <= v.get(i - 1) {
        j -= 1;
    }
    v.swap(i - 1, j);
    if let Some(tail) = v.get_mut(i..) {
        tail.reverse();
    }
    true
}
