//! A strict-enough N-Quads parser (RDF 1.1 N-Quads, no RDF-star).

use super::{Dataset, Literal, Quad, RDF_LANG_STRING, RdfcError, Term, XSD_STRING};

/// Parses N-Quads text into a [`Dataset`].
///
/// # Errors
/// [`RdfcError::Syntax`] with the line number when a line is malformed.
pub fn parse_nquads(text: &str) -> Result<Dataset, RdfcError> {
    let mut ds = Dataset::new();
    for (i, line) in text.lines().enumerate() {
        let mut p = LineParser {
            s: line.as_bytes(),
            src: line,
            pos: 0,
            line: i + 1,
        };
        p.skip_ws();
        if p.at_end() || p.peek() == Some(b'#') {
            continue;
        }
        let subject = match p.peek() {
            Some(b'<') => Term::Iri(p.iri()?),
            Some(b'_') => Term::Blank(p.blank()?),
            _ => return Err(p.err("expected subject")),
        };
        p.skip_ws();
        let predicate = Term::Iri(p.iri()?);
        p.skip_ws();
        let object = match p.peek() {
            Some(b'<') => Term::Iri(p.iri()?),
            Some(b'_') => Term::Blank(p.blank()?),
            Some(b'"') => Term::Literal(p.literal()?),
            _ => return Err(p.err("expected object")),
        };
        p.skip_ws();
        let graph = match p.peek() {
            Some(b'<') => Some(Term::Iri(p.iri()?)),
            Some(b'_') => Some(Term::Blank(p.blank()?)),
            _ => None,
        };
        p.skip_ws();
        if p.peek() != Some(b'.') {
            return Err(p.err("expected '.'"));
        }
        p.pos += 1;
        p.skip_ws();
        if !(p.at_end() || p.peek() == Some(b'#')) {
            return Err(p.err("trailing characters"));
        }
        ds.insert(Quad {
            subject,
            predicate,
            object,
            graph,
        });
    }
    Ok(ds)
}

struct LineParser<'a> {
    s: &'a [u8],
    src: &'a str,
    pos: usize,
    line: usize,
}

impl LineParser<'_> {
    fn err(&self, m: &str) -> RdfcError {
        RdfcError::Syntax {
            line: self.line,
            message: format!("{m} at column {}", self.pos + 1),
        }
    }
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }
    fn next_char(&mut self) -> Option<char> {
        let c = self.src.get(self.pos..)?.chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    fn hex(&mut self, n: usize) -> Result<char, RdfcError> {
        let h = self
            .src
            .get(self.pos..self.pos + n)
            .ok_or_else(|| self.err("short unicode escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("bad unicode escape"))?;
        self.pos += n;
        char::from_u32(v).ok_or_else(|| self.err("escape is not a unicode scalar value"))
    }
    fn iri(&mut self) -> Result<String, RdfcError> {
        if self.peek() != Some(b'<') {
            return Err(self.err("expected '<'"));
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.next_char() {
                None => return Err(self.err("unterminated IRI")),
                Some('>') => break,
                Some('\\') => match self.next_char() {
                    Some('u') => out.push(self.hex(4)?),
                    Some('U') => out.push(self.hex(8)?),
                    _ => return Err(self.err("bad escape in IRI")),
                },
                Some(c @ ('\u{0}'..='\u{20}' | '<' | '"' | '{' | '}' | '|' | '^' | '`')) => {
                    return Err(self.err(&format!("character {c:?} not allowed in IRI")));
                }
                Some(c) => out.push(c),
            }
        }
        Ok(out)
    }
    fn blank(&mut self) -> Result<String, RdfcError> {
        if self.s.get(self.pos..self.pos + 2) != Some(b"_:") {
            return Err(self.err("expected '_:'"));
        }
        self.pos += 2;
        let start = self.pos;
        while let Some(c) = self.src.get(self.pos..).and_then(|r| r.chars().next()) {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '\u{b7}') {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        // A label must not end with '.'.
        while self.pos > start && self.s.get(self.pos - 1) == Some(&b'.') {
            self.pos -= 1;
        }
        let label = self.src.get(start..self.pos).unwrap_or_default();
        if label.is_empty() {
            return Err(self.err("empty blank node label"));
        }
        Ok(label.to_owned())
    }
    fn literal(&mut self) -> Result<Literal, RdfcError> {
        self.pos += 1;
        let mut value = String::new();
        loop {
            match self.next_char() {
                None => return Err(self.err("unterminated literal")),
                Some('"') => break,
                Some('\\') => match self.next_char() {
                    Some('t') => value.push('\t'),
                    Some('b') => value.push('\u{8}'),
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('f') => value.push('\u{c}'),
                    Some('"') => value.push('"'),
                    Some('\'') => value.push('\''),
                    Some('\\') => value.push('\\'),
                    Some('u') => value.push(self.hex(4)?),
                    Some('U') => value.push(self.hex(8)?),
                    _ => return Err(self.err("bad escape in literal")),
                },
                Some(c @ ('\n' | '\r')) => {
                    return Err(self.err(&format!("raw {c:?} in literal")));
                }
                Some(c) => value.push(c),
            }
        }
        match self.peek() {
            Some(b'@') => {
                self.pos += 1;
                let start = self.pos;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'-') {
                    self.pos += 1;
                }
                let lang = self.src.get(start..self.pos).unwrap_or_default();
                if lang.is_empty() {
                    return Err(self.err("empty language tag"));
                }
                Ok(Literal {
                    value,
                    datatype: RDF_LANG_STRING.to_owned(),
                    language: Some(lang.to_owned()),
                })
            }
            Some(b'^') => {
                if self.s.get(self.pos..self.pos + 2) != Some(b"^^") {
                    return Err(self.err("expected '^^'"));
                }
                self.pos += 2;
                let datatype = self.iri()?;
                Ok(Literal {
                    value,
                    datatype,
                    language: None,
                })
            }
            _ => Ok(Literal {
                value,
                datatype: XSD_STRING.to_owned(),
                language: None,
            }),
        }
    }
}
