//! Query strings, decoded strictly: repeatable keys (`year=2020&year=2021`), `+` as space,
//! percent-escapes that must be valid and decode to UTF-8, and unknown keys refused with the
//! list of known ones. (serde's URL decoding neither repeats keys nor rejects bad escapes.)

use super::error::ApiError;

/// The decoded pairs of a query string, in order.
#[derive(Debug, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decodes `query` and checks every key is in `known`.
    pub fn parse(query: Option<&str>, known: &[&str]) -> Result<Params, ApiError> {
        let mut pairs = Vec::new();
        for part in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            let key = decode(k)?;
            let value = decode(v).map_err(|_| {
                ApiError::BadRequest(format!(
                    "invalid percent-encoding in parameter {key:?}: encode it as UTF-8, e.g. %C3%B3 for ó"
                ))
            })?;
            // `_=…` is how scripts bust caches: accepted and ignored.
            if key.starts_with('_') {
                continue;
            }
            if !known.contains(&key.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "unknown parameter {key:?}: this route takes {}",
                    known.join(", ")
                )));
            }
            pairs.push((key, value));
        }
        Ok(Params { pairs })
    }

    /// Every value of `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The last value of `key` (a repeated single-valued key takes the last one).
    pub fn last(&self, key: &str) -> Option<String> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
}

fn decode(s: &str) -> Result<String, ApiError> {
    let bad = || {
        ApiError::BadRequest(
            "invalid percent-encoding in the query string: use %XX escapes of UTF-8 bytes".into(),
        )
    };
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
                let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_repeated_keys_plus_and_escapes() {
        let p = Params::parse(
            Some("q=mora+patronal&year=2020&year=2021&province=Manab%C3%AD"),
            &["q", "year", "province"],
        )
        .expect("valid");
        assert_eq!(p.last("q").as_deref(), Some("mora patronal"));
        assert_eq!(p.all("year"), ["2020", "2021"]);
        assert_eq!(p.last("province").as_deref(), Some("Manabí"));
    }

    #[test]
    fn bad_escapes_and_unknown_keys_are_refused() {
        for q in ["q=%zz", "q=%C3", "q=%", "q=%FF%FE"] {
            assert!(Params::parse(Some(q), &["q"]).is_err(), "{q}");
        }
        let err = Params::parse(Some("qq=x"), &["q"]).expect_err("unknown");
        assert!(matches!(err, ApiError::BadRequest(m) if m.contains("qq")));
    }
}
