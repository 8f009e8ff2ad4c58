//! What a figure counts (its label), when the sentence says it: the noun phrase after it
//! (`1.199 avisos de entrada`, `30% de ventiladores`), else the words before it (`monto total
//! recaudado de USD …`, a table row's `De 1 a 4 años 790.147`).

use super::FigureKind;
use crate::analysis::text::{floor_boundary, folds_to_one_of, is_one_of, with_fold_key};

const STOP: [&str; 40] = [
    "y", "e", "o", "u", "que", "en", "por", "para", "con", "a", "al", "durante", "desde", "hasta",
    "como", "se", "mas", "menos", "el", "la", "los", "las", "un", "una", "lo", "su", "sus", "del",
    "de", "respecto", "segun", "sobre", "entre", "cada", "total", "es", "son", "fue", "han", "ha",
];

const MONTHS: [&str; 13] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "setiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

fn is_content(word: &str) -> bool {
    if word.chars().count() < 3 || !word.chars().all(char::is_alphabetic) {
        return false;
    }
    with_fold_key(word, |key| {
        !is_one_of(key, &STOP) && !is_one_of(key, &MONTHS)
    })
}

/// What the figure at `start..end` counts, when the sentence says it.
pub(super) fn label(text: &str, start: usize, end: usize, kind: FigureKind) -> Option<String> {
    let after = words_after(text, end);
    let lead = after.first().copied().unwrap_or_default();
    // After `de`/`en`, an article may stand before the noun: `35% de los cargos`.
    let after_label = |skip: usize| {
        let rest = &after[skip.min(after.len())..];
        let article = rest.first().is_some_and(|w| {
            skip > 0 && folds_to_one_of(w, &["el", "la", "los", "las", "un", "una", "sus", "su"])
        });
        label_forward(&rest[usize::from(article)..])
    };
    match kind {
        FigureKind::Count if folds_to_one_of(lead, &["de", "del"]) => after_label(1),
        FigureKind::Count => after_label(0),
        FigureKind::Usd if folds_to_one_of(lead, &["en", "de", "por"]) => after_label(1),
        FigureKind::Percent if folds_to_one_of(lead, &["de"]) => after_label(1),
        FigureKind::Usd | FigureKind::Percent => None,
    }
    .or_else(|| label_backward(text, start))
}

/// Up to six words after `end`, stopping at punctuation.
pub(super) fn words_after(text: &str, end: usize) -> Vec<&str> {
    let rest = &text[end..floor_boundary(text, end + 80)];
    let stop = rest
        .find(|c: char| {
            matches!(
                c,
                '.' | ',' | ';' | ':' | '(' | ')' | '=' | '\n' | '"' | '“' | '”'
            )
        })
        .unwrap_or(rest.len());
    rest[..stop].split_whitespace().take(6).collect()
}

fn label_forward(words: &[&str]) -> Option<String> {
    let mut taken: Vec<&str> = Vec::new();
    let mut content = 0;
    for (i, w) in words.iter().enumerate() {
        if is_content(w) && !w.chars().any(|c| c.is_ascii_digit()) {
            taken.push(w);
            content += 1;
            if content == 3 {
                break;
            }
        } else if content > 0
            && folds_to_one_of(w, &["de", "del"])
            && words.get(i + 1).is_some_and(|n| is_content(n))
        {
            taken.push(w);
        } else {
            break;
        }
    }
    (content > 0).then(|| taken.join(" "))
}

fn label_backward(text: &str, start: usize) -> Option<String> {
    let before = &text[floor_boundary(text, start.saturating_sub(80))..start];
    let before =
        before.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '=' | '$'));
    // The clause before the figure: after the last break (a decimal point is no break).
    let mut cut = 0;
    let mut next: Option<char> = None;
    for (i, c) in before.char_indices().rev() {
        let breaks = matches!(c, '(' | ')' | '\n' | '"' | '“' | '”' | '=' | ':' | ';')
            || (matches!(c, '.' | ',') && next.is_none_or(char::is_whitespace));
        if breaks {
            cut = i + c.len_utf8();
            break;
        }
        next = Some(c);
    }
    let words: Vec<&str> = before[cut..].split_whitespace().collect();
    let small_number = |w: &str| w.len() <= 3 && w.bytes().all(|b| b.is_ascii_digit());
    let link = |w: &str| folds_to_one_of(w, &["de", "del", "por", "y", "a"]);
    // Skip the connectors right before the figure (`recaudado de`, `en un`).
    let mut i = words.len();
    while i > 0 && !is_content(words[i - 1]) {
        if words[i - 1].chars().any(|c| c.is_ascii_digit()) || matches!(words[i - 1], "USD" | "US$")
        {
            return None;
        }
        i -= 1;
    }
    let end = i;
    // Content words back, with links and small numbers between them.
    let (mut first, mut content) = (i, 0);
    while i > 0 {
        let w = words[i - 1];
        if is_content(w) {
            content += 1;
            first = i - 1;
            if content == 4 {
                break;
            }
        } else if !(link(w) || small_number(w)) {
            break;
        }
        i -= 1;
    }
    // A table row's label may open with a link or a number: `De 1 a 4 años`.
    let mut k = first;
    while k > 0 && (link(words[k - 1]) || small_number(words[k - 1])) {
        k -= 1;
        if words[k].chars().next().is_some_and(char::is_uppercase) {
            first = k;
        }
    }
    (content > 0).then(|| words[first..end].join(" "))
}
