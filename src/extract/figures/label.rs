//! What a figure counts (its label), when the sentence says it: the noun phrase after it
//! (`1.199 avisos de entrada`, `30% de ventiladores`), else the words before it (`monto total
//! recaudado de USD …`, a table row's `De 1 a 4 años 790.147`).

use super::FigureKind;
use crate::analysis::text::{
    find_char, floor_boundary, folds_to_one_of, is_one_of, whitespace_words, with_fold_key,
};
use crate::analysis::{is_article, DEFINITE_ARTICLES};

const STOP: [&str; 42] = [
    "y", "e", "o", "u", "que", "en", "por", "para", "con", "a", "al", "durante", "desde", "hasta",
    "como", "se", "mas", "menos", "el", "la", "los", "las", "un", "una", "lo", "su", "sus", "del",
    "de", "respecto", "segun", "sobre", "entre", "cada", "total", "es", "son", "fue", "han", "ha",
    "cual", "cuales",
];

/// Verbs that report a figure in the present, or irregularly in the past, folded: what the
/// sentence says of the figure, not what it counts (`la cartera se ubica en`, `se redujo a`).
/// Regular past forms are known by their ending ([`is_verb`]).
const VERBS: [&str; 26] = [
    "redujo",
    "produjo",
    "tuvo",
    "obtuvo",
    "mantuvo",
    "hizo",
    "dio",
    "hubo",
    "asciende",
    "ascienden",
    "alcanza",
    "alcanzan",
    "representa",
    "representan",
    "corresponde",
    "corresponden",
    "mantiene",
    "mantienen",
    "totaliza",
    "totalizan",
    "equivale",
    "equivalen",
    "supera",
    "superan",
    "ubica",
    "suman",
];

/// A verb that reports a figure: the past of `ubicó`, `sumaron`, `ascendieron`, the future of
/// `entregará`, `deberán`, or one of [`VERBS`]. Spanish nouns hardly ever end in a stressed
/// `ó` (`buró`) or `á` (`Panamá`), or in `-aron`/`-eron`; a noun in `-rán` is short (`Durán`).
fn is_verb(word: &str) -> bool {
    let letters = || word.chars().filter(|c| c.is_alphabetic()).count();
    let stressed = |plain: char, accented: &[char]| {
        word.ends_with(accented)
            || word
                .strip_suffix('\u{301}')
                .is_some_and(|w| w.ends_with(plain))
    };
    if stressed('o', &['ó', 'Ó']) {
        return letters() >= 4;
    }
    if stressed('a', &['á', 'Á']) {
        return letters() >= 5;
    }
    with_fold_key(word, |key| {
        (key.len() >= 6 && (key.ends_with("aron") || key.ends_with("eron")))
            || is_one_of(key, &VERBS)
    }) || (["rán", "RÁN"].iter().any(|end| word.ends_with(end)) && letters() >= 7)
}

/// The forms of `haber` that make a compound tense, folded: the participle after one is a verb
/// (`las atenciones han aumentado en 14 %`), not what the figure counts.
const HABER: [&str; 20] = [
    "he", "has", "ha", "hemos", "han", "habia", "habias", "habiamos", "habian", "habra", "habran",
    "habria", "habrian", "haya", "hayan", "hubiera", "hubieran", "hubo", "haber", "habiendo",
];

/// Whether `word`, after `before`, is the participle of a compound tense: a form of `haber`,
/// then a word in `-ado`, `-ido` or an irregular `-to`, `-cho` (`puesto`, `hecho`).
fn is_participle(before: &str, word: &str) -> bool {
    word.len() >= 4
        && word.chars().all(char::is_alphabetic)
        && folds_to_one_of(before, &HABER)
        && with_fold_key(word, |key| {
            ["ado", "ido", "to", "cho"]
                .iter()
                .any(|end| key.ends_with(end))
        })
}

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

/// Bytes of the longest folded word of [`STOP`] and [`MONTHS`] (`septiembre`).
const LONGEST_LISTED: usize = 10;

fn is_content(word: &str) -> bool {
    let mut letters = 0;
    for c in word.chars() {
        if !c.is_alphabetic() {
            return false;
        }
        letters += 1;
    }
    if letters < 3 {
        return false;
    }
    with_fold_key(word, |key| {
        key.len() > LONGEST_LISTED || (!is_one_of(key, &STOP) && !is_one_of(key, &MONTHS))
    })
}

/// At most `N` words, kept without an allocation.
pub(super) struct Few<'a, const N: usize> {
    words: [&'a str; N],
    len: usize,
}

impl<'a, const N: usize> Few<'a, N> {
    /// The first `N` words of `words`.
    fn of(words: impl Iterator<Item = &'a str>) -> Few<'a, N> {
        let mut few = Few {
            words: [""; N],
            len: 0,
        };
        for (slot, w) in few.words.iter_mut().zip(words) {
            *slot = w;
            few.len += 1;
        }
        few
    }

    pub(super) fn as_slice(&self) -> &[&'a str] {
        &self.words[..self.len]
    }
}

/// What the figure at `start..end` counts, when the sentence says it.
pub(super) fn label(text: &str, start: usize, end: usize, kind: FigureKind) -> Option<String> {
    if is_listed_value(text, start, end) {
        return label_backward(text, start);
    }
    if kind == FigureKind::Count {
        // A count in parentheses restates the number written in words before it, as contracts
        // and ordinances write them (`noventa (90) días`): what it counts comes after.
        if text[..start].trim_end().ends_with('(') && text[end..].starts_with(')') {
            return label_forward(words_after(text, end + 1).as_slice());
        }
        // Or the other way round, the count restated in words after it (`5 (cinco) años`).
        let restated = restated_in_words(text, end)
            .and_then(|after| label_forward(words_after(text, after).as_slice()));
        if restated.is_some() {
            return restated;
        }
    }
    let after = words_after(text, end);
    let after = after.as_slice();
    let lead = after.first().copied().unwrap_or_default();
    // After `de`/`en`, an article may stand before the noun: `35% de los cargos`.
    let after_label = |skip: usize| {
        let rest = &after[skip.min(after.len())..];
        let article = rest
            .first()
            .is_some_and(|w| skip > 0 && (is_article(w) || folds_to_one_of(w, &["sus", "su"])));
        let rest = &rest[usize::from(article)..];
        // `USD 1.234,56 en el año`, `por mes`: when the money went, not what it went to.
        if skip > 0 && says_when(rest) {
            return None;
        }
        label_forward(rest)
    };
    match kind {
        FigureKind::Count if folds_to_one_of(lead, &["de", "del"]) => after_label(1),
        FigureKind::Count => after_label(0),
        FigureKind::Usd if folds_to_one_of(lead, &["en", "de", "por"]) => after_label(1),
        FigureKind::Percent if folds_to_one_of(lead, &["de", "del"]) => after_label(1),
        FigureKind::Usd | FigureKind::Percent => None,
    }
    .or_else(|| label_backward(text, start))
}

/// Whether the figure at `start..end` is a value of a flattened list of labels and values
/// (`Afiliados activos: 898640 Jubilados y pensionistas: 21.526`): a colon before it, and the
/// words after it, six at most, ending at the colon of the next label, which they are.
fn is_listed_value(text: &str, start: usize, end: usize) -> bool {
    if !text[..start].trim_end().ends_with(':') {
        return false;
    }
    let rest = &text[end..floor_boundary(text, end + 80)];
    let stop = find_char(rest, 0, is_label_stop, |c| matches!(c, '“' | '”'));
    rest[stop..].starts_with(':') && (1..=6).contains(&rest[..stop].split_whitespace().count())
}

/// The punctuation that ends the words of a label read forward.
fn is_label_stop(b: u8) -> bool {
    matches!(
        b,
        b'.' | b',' | b';' | b':' | b'(' | b')' | b'=' | b'\n' | b'"'
    )
}

/// Where the text goes on after a number in words in parentheses right after `end`: the
/// restatement of a count, as contracts write them (`5 (cinco) años`, `30 (treinta) días`).
fn restated_in_words(text: &str, end: usize) -> Option<usize> {
    let rest = &text[end..floor_boundary(text, end + 64)];
    let open = rest.len() - rest.trim_start_matches(' ').len();
    let inner = rest[open..].strip_prefix('(')?;
    let close = inner.find(')')?;
    let words = &inner[..close];
    let first = words.split(' ').next()?;
    let in_words = words.chars().all(|c| c.is_alphabetic() || c == ' ')
        && crate::analysis::numbers::is_number_word(first);
    in_words.then_some(end + open + 1 + close + 1)
}

/// Nouns of a stretch of time: after `en`, `de` or `por` they say when an amount was spent or
/// how often (`en el año`, `en el primer semestre`, `por mes`), not what it counts.
const TIME_NOUNS: [&str; 22] = [
    "ano",
    "anos",
    "periodo",
    "periodos",
    "mes",
    "meses",
    "semestre",
    "semestres",
    "trimestre",
    "trimestres",
    "cuatrimestre",
    "bimestre",
    "ejercicio",
    "ejercicios",
    "dia",
    "dias",
    "semana",
    "semanas",
    "quincena",
    "lapso",
    "transcurso",
    "plazo",
];

/// Words that may stand between an article and a noun of time: `el primer semestre`, `el
/// presente año`, `el mismo periodo`.
const TIME_MODIFIERS: [&str; 12] = [
    "primer",
    "primero",
    "segundo",
    "tercer",
    "tercero",
    "cuarto",
    "ultimo",
    "presente",
    "mismo",
    "pasado",
    "anterior",
    "siguiente",
];

/// Whether `words` (after the link and its article) open with a stretch of time.
fn says_when(words: &[&str]) -> bool {
    let time = |i: usize| {
        words
            .get(i)
            .is_some_and(|w| folds_to_one_of(w, &TIME_NOUNS))
    };
    time(0)
        || (words
            .first()
            .is_some_and(|w| folds_to_one_of(w, &TIME_MODIFIERS))
            && time(1))
}

/// Up to six words after `end`, stopping at punctuation.
pub(super) fn words_after(text: &str, end: usize) -> Few<'_, 6> {
    let rest = &text[end..floor_boundary(text, end + 80)];
    let stop = find_char(rest, 0, is_label_stop, |c| matches!(c, '“' | '”'));
    Few::of(whitespace_words(&rest[..stop]))
}

/// `total` after a noun says which (`Monto total:`, `valor total del contrato`): it joins a
/// label, never is one.
fn is_total(word: &str) -> bool {
    folds_to_one_of(word, &["total", "totales"])
}

/// Prepositions and determiners that join two words of a label read forward, as `de` does
/// (`trabajadores sin afiliación`), but never end one (`días de notificada salvo que`). Written
/// with a capital they may be a name's (`Antonio Ante`).
const FORWARD_LINKS: [&str; 10] = [
    "sin",
    "salvo",
    "excepto",
    "ante",
    "tras",
    "hacia",
    "contra",
    "mediante",
    "cualquier",
    "cualquiera",
];

fn label_forward(words: &[&str]) -> Option<String> {
    let link = |w: &str| {
        folds_to_one_of(w, &["de", "del"])
            || (w.starts_with(char::is_lowercase) && folds_to_one_of(w, &FORWARD_LINKS))
    };
    // A noun: not a verb, a link, nor `haber` starting a clause after it (`15 días de haberse
    // notificado`); `de` and `del` are no content words, the rest is looked up folded once.
    let names = |w: &str| {
        is_content(w)
            && !is_verb(w)
            && !with_fold_key(w, |key| {
                is_one_of(key, &HABER)
                    || is_one_of(key, &["haberse", "habiendose"])
                    || (w.starts_with(char::is_lowercase) && is_one_of(key, &FORWARD_LINKS))
            })
    };
    let mut taken = String::new();
    let mut content = 0;
    for (i, w) in words.iter().enumerate() {
        let take = if names(w) {
            content += 1;
            true
        } else {
            // A link (`de`, `sin`) before a word that names joins them, and so does `total`.
            content > 0 && (link(w) && words.get(i + 1).is_some_and(|n| names(n)) || is_total(w))
        };
        if !take {
            break;
        }
        if !taken.is_empty() {
            taken.push(' ');
        }
        taken.push_str(w);
        // Four words name a unit (`Dispensarios Médicos del Seguro Campesino`, `camas de Unidad
        // de Cuidados Intensivos`); more run into the rest of the sentence.
        if content == 4 {
            break;
        }
    }
    (content > 0).then_some(taken)
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
    // At most 83 bytes (80 back to a character's start): at most 42 words, each a byte and a
    // space.
    let words = Few::<CLAUSE_WORDS>::of(whitespace_words(&before[cut..]));
    let words = words.as_slice();
    // Each word's class, found once: the walks below look at most words more than once.
    let mut classes = Classes::new();
    // Skip the connectors right before the figure (`recaudado de`, `en un`), and the verb that
    // reports it with them (`la cartera se ubicó en`).
    let mut i = words.len();
    let mut verb = false;
    loop {
        while i > 0
            && !classes.content(words, i - 1)
            && !(is_total(words[i - 1]) && i > 1 && classes.content(words, i - 2))
        {
            if words[i - 1].chars().any(|c| c.is_ascii_digit())
                || matches!(words[i - 1], "USD" | "US$")
            {
                return subject_before_year(words, i - 1);
            }
            i -= 1;
        }
        if verb || i == 0 || !classes.verb(words, i - 1) {
            break;
        }
        verb = true;
        i -= 1;
    }
    let (first, end) = phrase_back(words, &mut classes, i)?;
    // `por un monto de`, `por un valor total de`: the amount's own noun says nothing of what it
    // pays for, the noun phrase before `por` does (`se adjudicaron 872 procesos de contratación
    // pública por un monto de USD …`). After a break (`…, por un monto de`) nothing is before it
    // in the clause, and the amount's noun stays.
    let generic = (first..end)
        .all(|k| !classes.content(words, k) || folds_to_one_of(words[k], &AMOUNT_NOUNS));
    let before = first
        .checked_sub(2)
        .filter(|&k| {
            generic
                && folds_to_one_of(words[k], &["por", "con"])
                && folds_to_one_of(words[k + 1], &["un", "una", "el", "la"])
        })
        .and_then(|by| phrase_back(words, &mut classes, by));
    let (first, end) = before.unwrap_or((first, end));
    Some(words[first..end].join(" "))
}

/// Nouns that name an amount as such (`monto`, `valor`), not what it pays for.
const AMOUNT_NOUNS: [&str; 6] = ["monto", "montos", "valor", "valores", "suma", "importe"];

/// The label that ends at word `end` of `words`: content words back from it, with links, articles
/// between links and small numbers between them, up to a verb, and a table row's opening link or
/// number; its first and end word, when it says more than a unit.
fn phrase_back(words: &[&str], classes: &mut Classes, end: usize) -> Option<(usize, usize)> {
    let link = |w: &str| folds_to_one_of(w, &["de", "del", "por", "y", "a"]);
    let small_number = |w: &str| w.len() <= 3 && w.bytes().all(|b| b.is_ascii_digit());
    // An article between links (`de la provincia`) joins the words too.
    let article =
        |i: usize| folds_to_one_of(words[i], &DEFINITE_ARTICLES) && i > 0 && link(words[i - 1]);
    // Content words back, with links and small numbers between them, up to a verb, or up to
    // a unit once they name something else: in `1.234,56 USD y la variación de -2,3 %`, `USD`
    // is the unit of the amount before.
    let mut i = end;
    let (mut first, mut content) = (i, 0);
    let mut named = false;
    while i > 0 {
        let w = words[i - 1];
        if classes.verb(words, i - 1) {
            break;
        } else if classes.content(words, i - 1) {
            let unit = folds_to_one_of(w, &UNIT_WORDS);
            if named && unit {
                break;
            }
            named |= !unit;
            content += 1;
            first = i - 1;
            if content == 4 {
                break;
            }
        } else if !(link(w) || is_total(w) || small_number(w) || article(i - 1)) {
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
    // Words that only say the unit (`millones de dólares`) belong to the figure before this
    // one (`1,2 millones de dólares y USD 0,5 millones`) and say nothing of what it counts.
    let says_more =
        (first..end).any(|k| classes.content(words, k) && !folds_to_one_of(words[k], &UNIT_WORDS));
    (content > 0 && says_more).then_some((first, end))
}

/// When the words before a figure end with a year (`El presupuesto codificado para el
/// ejercicio fiscal 2010 fue de USD …`), what the figure counts is the sentence's subject,
/// named first after its article: `presupuesto codificado`. Any other number there says
/// nothing of it.
fn subject_before_year(words: &[&str], year: usize) -> Option<String> {
    let is_year = words[year].len() == 4
        && (words[year].starts_with("19") || words[year].starts_with("20"))
        && words[year].bytes().all(|b| b.is_ascii_digit());
    if !is_year {
        return None;
    }
    // The sentence starts at the clause's first word, or at a capitalised article after a
    // heading that ends with no stop (`3. Gestión financiera El presupuesto …`).
    let article = |w: &str| folds_to_one_of(w, &DEFINITE_ARTICLES);
    let start = words[..year]
        .iter()
        .enumerate()
        .position(|(i, w)| article(w) && (i == 0 || w.starts_with(|c: char| c.is_uppercase())))?;
    label_forward(&words[start + 1..year])
}

/// Words of the clause before a figure read at most.
const CLAUSE_WORDS: usize = 48;

/// Whether each word of a clause is a content word ([`is_content`]) and a verb ([`is_verb`]),
/// each found the first time it is asked.
struct Classes {
    content: [Option<bool>; CLAUSE_WORDS],
    verb: [Option<bool>; CLAUSE_WORDS],
}

impl Classes {
    fn new() -> Classes {
        Classes {
            content: [None; CLAUSE_WORDS],
            verb: [None; CLAUSE_WORDS],
        }
    }

    fn content(&mut self, words: &[&str], i: usize) -> bool {
        *self.content[i].get_or_insert_with(|| is_content(words[i]))
    }

    fn verb(&mut self, words: &[&str], i: usize) -> bool {
        *self.verb[i].get_or_insert_with(|| {
            is_verb(words[i]) || (i > 0 && is_participle(words[i - 1], words[i]))
        })
    }
}

/// Words that name an amount's unit or scale, not what it counts.
const UNIT_WORDS: [&str; 13] = [
    "mil",
    "miles",
    "millon",
    "millones",
    "billon",
    "billones",
    "dolares",
    "dolar",
    "americanos",
    "estadounidenses",
    "usd",
    "ciento",
    "porcentuales",
];

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn no_listed_word_is_longer_than_the_longest() {
        assert!(STOP
            .iter()
            .chain(&MONTHS)
            .all(|w| w.len() <= LONGEST_LISTED));
        assert!(MONTHS.iter().any(|w| w.len() == LONGEST_LISTED));
    }

    proptest! {
        /// A word longer than every listed one is content, unless it is not a word.
        #[test]
        fn a_long_word_is_content(word in "[a-záéíóúñ]{11,20}") {
            prop_assert!(is_content(&word));
        }

        /// A few words are the first ones, as many as fit.
        #[test]
        fn a_few_words_are_the_first(text in "[a-z ]{0,40}") {
            let few = Few::<3>::of(text.split_whitespace());
            let expected: Vec<&str> = text.split_whitespace().take(3).collect();
            prop_assert_eq!(few.as_slice(), expected.as_slice());
        }
    }
}
