//! IRI helpers: absolute-IRI test, the JSON-LD keyword tests and RFC 3986 reference
//! resolution.

/// Whether `s` starts with a URI scheme followed by `:` (an absolute IRI).
pub(crate) fn is_absolute(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once(':') else {
        return false;
    };
    let mut cs = scheme.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic())
        && cs.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Whether `s` looks like a JSON-LD keyword (`@` followed by ASCII letters only).
pub(crate) fn looks_like_keyword(s: &str) -> bool {
    s.strip_prefix('@')
        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// JSON-LD keywords.
pub(crate) fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "@base"
            | "@container"
            | "@context"
            | "@default"
            | "@direction"
            | "@embed"
            | "@explicit"
            | "@first"
            | "@graph"
            | "@id"
            | "@import"
            | "@included"
            | "@index"
            | "@json"
            | "@language"
            | "@list"
            | "@nest"
            | "@none"
            | "@omitDefault"
            | "@prefix"
            | "@preserve"
            | "@protected"
            | "@requireAll"
            | "@reverse"
            | "@set"
            | "@type"
            | "@value"
            | "@version"
            | "@vocab"
    )
}

struct Parts<'a> {
    scheme: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split(s: &str) -> Parts<'_> {
    let (rest, fragment) = match s.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (s, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let (scheme, rest) = if is_absolute(rest) {
        match rest.split_once(':') {
            Some((sc, r)) => (Some(sc), r),
            None => (None, rest),
        }
    } else {
        (None, rest)
    };
    let (authority, path) = if let Some(r) = rest.strip_prefix("//") {
        match r.find('/') {
            Some(i) => (r.get(..i), r.get(i..).unwrap_or_default()),
            None => (Some(r), ""),
        }
    } else {
        (None, rest)
    };
    Parts {
        scheme,
        authority,
        path,
        query,
        fragment,
    }
}

fn remove_dot_segments(path: &str) -> String {
    let mut input = path;
    let mut out: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let mut trailing = false;
    if absolute {
        input = input.get(1..).unwrap_or_default();
    }
    let segs: Vec<&str> = input.split('/').collect();
    let n = segs.len();
    for (i, seg) in segs.into_iter().enumerate() {
        let last = i + 1 == n;
        match seg {
            "." => trailing = last,
            ".." => {
                out.pop();
                trailing = last;
            }
            s => {
                out.push(s);
                trailing = false;
            }
        }
    }
    let mut r = String::new();
    if absolute {
        r.push('/');
    }
    r.push_str(&out.join("/"));
    if trailing && !r.ends_with('/') {
        r.push('/');
    }
    r
}

/// Resolves `reference` against `base` (RFC 3986 §5.2).
pub(crate) fn resolve(base: &str, reference: &str) -> String {
    if is_absolute(reference) {
        let p = split(reference);
        return recompose(
            p.scheme,
            p.authority,
            &remove_dot_segments(p.path),
            p.query,
            p.fragment,
        );
    }
    let b = split(base);
    let r = split(reference);
    let (authority, path, query);
    if r.authority.is_some() {
        authority = r.authority;
        path = remove_dot_segments(r.path);
        query = r.query;
    } else {
        authority = b.authority;
        if r.path.is_empty() {
            path = b.path.to_owned();
            query = r.query.or(b.query);
        } else {
            if r.path.starts_with('/') {
                path = remove_dot_segments(r.path);
            } else {
                let merged = if b.authority.is_some() && b.path.is_empty() {
                    format!("/{}", r.path)
                } else {
                    match b.path.rfind('/') {
                        Some(i) => format!("{}{}", b.path.get(..=i).unwrap_or_default(), r.path),
                        None => r.path.to_owned(),
                    }
                };
                path = remove_dot_segments(&merged);
            }
            query = r.query;
        }
    }
    recompose(b.scheme, authority, &path, query, r.fragment)
}

fn recompose(
    scheme: Option<&str>,
    authority: Option<&str>,
    path: &str,
    query: Option<&str>,
    fragment: Option<&str>,
) -> String {
    let mut s = String::new();
    if let Some(sc) = scheme {
        s.push_str(sc);
        s.push(':');
    }
    if let Some(a) = authority {
        s.push_str("//");
        s.push_str(a);
    }
    s.push_str(path);
    if let Some(q) = query {
        s.push('?');
        s.push_str(q);
    }
    if let Some(f) = fragment {
        s.push('#');
        s.push_str(f);
    }
    s
}

/// No characters that N-Quads cannot carry in an IRI (spaces, controls, `<>"{}|^` and backquote, backslash).
pub(crate) fn well_formed_iri(s: &str) -> bool {
    // Every character refused is ASCII, and in UTF-8 no byte of a multi-byte character is
    // ASCII: the bytes tell the same as the characters, without decoding them.
    !s.bytes().any(|b| {
        b <= b' '
            || matches!(
                b,
                b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\'
            )
    })
}

#[cfg(test)]
mod tests {
    use super::resolve;

    proptest::proptest! {
        /// The byte test agrees with the character test it replaced.
        #[test]
        fn well_formed_iri_by_bytes_is_by_chars(s in "\\PC{0,40}|[ -~é€𝄞\\x00-\\x1f]{0,40}") {
            let by_chars = !s
                .chars()
                .any(|c| c <= ' ' || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\'));
            proptest::prop_assert_eq!(super::well_formed_iri(&s), by_chars);
        }
    }

    #[test]
    fn rfc3986_examples() {
        let b = "http://a/b/c/d;p?q";
        for (r, want) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../../g", "http://a/g"),
            ("g;x=1/../y", "http://a/b/c/y"),
        ] {
            assert_eq!(resolve(b, r), want, "{r}");
        }
    }
}
