//! What the SQL stores share: the `$1, $2…` placeholder rewrite for SQLite, and reading
//! records back.

use super::{IssuedRecord, StoreError, StoredKeys};

/// The migrations of `migrations` a store at schema `version` still has to run, each with the
/// version it brings the store to.
///
/// # Errors
/// [`StoreError::Corrupt`] when `version` is newer than this build knows (a newer build wrote
/// the store).
pub(super) fn pending_migrations<'a>(
    migrations: &'a [&'a str],
    version: i64,
) -> Result<impl Iterator<Item = (i64, &'a str)> + 'a, StoreError> {
    let known = i64::try_from(migrations.len()).unwrap_or(i64::MAX);
    if version > known {
        return Err(StoreError::Corrupt(format!(
            "the issuer store has schema version {version}, newer than this build's {known}"
        )));
    }
    let done = usize::try_from(version).unwrap_or(0);
    Ok((1_i64..).zip(migrations.iter().copied()).skip(done))
}

/// `sql` with each `$N` placeholder outside quotes and comments written `?N` (SQLite's form).
#[cfg(feature = "sqlite")]
/// Text in single quotes, double-quoted identifiers and `--` comments are kept as they are.
pub(super) fn dollar_to_question(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut comment = false;
    while let Some(c) = chars.next() {
        if comment {
            comment = c != '\n';
            out.push(c);
            continue;
        }
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
                out.push(c);
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    out.push(c);
                }
                '-' if chars.peek() == Some(&'-') => {
                    comment = true;
                    out.push(c);
                }
                '$' if chars.peek().is_some_and(char::is_ascii_digit) => out.push('?'),
                _ => out.push(c),
            },
        }
    }
    out
}

/// A record read back from its JSON.
pub(super) fn record_from_json(json: &str) -> Result<IssuedRecord, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("issued record: {e}")))
}

/// A record as JSON.
pub(super) fn record_to_json(record: &IssuedRecord) -> Result<String, StoreError> {
    serde_json::to_string(record).map_err(|e| StoreError::Corrupt(format!("issued record: {e}")))
}

/// Keys read back from their JSON.
pub(super) fn keys_from_json(json: &str) -> Result<StoredKeys, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("keys: {e}")))
}

/// Keys as JSON.
pub(super) fn keys_to_json(keys: &StoredKeys) -> Result<String, StoreError> {
    serde_json::to_string(keys).map_err(|e| StoreError::Corrupt(format!("keys: {e}")))
}

/// A status-list index as stored (`BIGINT`): refuses indexes past `i64::MAX`.
pub(super) fn index_to_i64(i: u64) -> Result<i64, StoreError> {
    i64::try_from(i).map_err(|_| StoreError::Conflict(format!("status index {i} is too large")))
}

/// A status-list index read back.
pub(super) fn index_from_i64(i: i64) -> Result<u64, StoreError> {
    u64::try_from(i).map_err(|_| StoreError::Corrupt(format!("negative status index {i}")))
}

#[cfg(all(test, feature = "sqlite"))]
mod tests {
    use super::dollar_to_question;

    #[test]
    fn placeholders_are_rewritten_outside_quotes() {
        assert_eq!(
            dollar_to_question("SELECT $1, '$2', \"$3\", $10 -- $4\n, $5"),
            "SELECT ?1, '$2', \"$3\", ?10 -- $4\n, ?5"
        );
        assert_eq!(dollar_to_question("a $ b $x"), "a $ b $x");
    }
}

#[cfg(test)]
mod migration_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const M: &[&str] = &["one", "two", "three"];

    #[test]
    fn pending_migrations_are_those_after_the_stores_version() {
        let all: Vec<_> = pending_migrations(M, 0).unwrap().collect();
        assert_eq!(all, [(1, "one"), (2, "two"), (3, "three")]);
        let rest: Vec<_> = pending_migrations(M, 2).unwrap().collect();
        assert_eq!(rest, [(3, "three")]);
        assert_eq!(pending_migrations(M, 3).unwrap().count(), 0);
    }

    #[test]
    fn a_store_newer_than_this_build_is_refused() {
        assert!(matches!(
            pending_migrations(M, 4).map(|_| ()),
            Err(StoreError::Corrupt(_))
        ));
    }
}
