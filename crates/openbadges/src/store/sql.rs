//! What the SQL stores share: the `$1, $2…` placeholder rewrite for SQLite, and reading
//! records back.

use super::{IssuedRecord, StoreError, StoredKeys};

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
