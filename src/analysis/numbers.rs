//! Reading numbers the way Ecuadorian reports write them, into canonical values.
//!
//! A number is a run of digit groups joined by separators:
//! - `.` and `,`: thousands *or* decimal mark, told apart by digit-group patterns;
//! - `'` `’` `´` `‘` `` ` ``: the millions mark (`4'803.665,69`), always a grouping mark;
//! - one space or no-break space before exactly three digits (`123 456`): thousands.
//!
//! Rules, from the last separator back:
//! - a last `.`/`,` followed by 1, 2 or 4+ digits is the decimal mark (`132.76`, `45,3`);
//! - every other separator groups, so the groups after the first have exactly 3 digits and the
//!   first has 1 to 3 (`1.193.703.286`, `4'803.665,69`);
//! - a millions mark is followed by six digits before any decimal: `6'614,115` is 6 614 115;
//! - a last `.`/`,` followed by exactly three digits is truly ambiguous when nothing else decides
//!   (`1.199`, `1,234.567`): both readings are kept, the likelier first.
//!
//! What cannot be read whole is cut to its longest readable prefix (`14.05.2023` → `14.05`,
//! then `2023`). Canonical text is the shortest decimal form of the value with a `.` decimal
//! mark (`4803665.69`, `1199`, `1.199`), so any written form of a value gives the same token.

/// One way of reading a number.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The number's value under this reading (`1.199` read as 1199 or as 1.199).
    pub value: f64,
    /// The value in canonical form: the index term of the number.
    pub canonical: String,
}

/// A number read at some offset of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    /// Byte offset just past the number's last digit.
    pub end: usize,
    /// The likelier reading first; two readings only when the form is truly ambiguous.
    pub readings: Vec<Reading>,
}

impl Number {
    /// The likelier value.
    pub fn value(&self) -> f64 {
        self.readings.first().map_or(0.0, |r| r.value)
    }

    /// Whether the form has two readings (`1.199`).
    pub fn is_ambiguous(&self) -> bool {
        self.readings.len() > 1
    }
}

/// Most digit groups read into one number (longer runs are table junk or identifiers).
const MAX_GROUPS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Dot,
    Comma,
    /// A millions mark: `'` `’` `´` `‘` `` ` ``.
    Mark,
    Space,
}

fn sep_of(c: char) -> Option<Sep> {
    match c {
        '.' => Some(Sep::Dot),
        ',' => Some(Sep::Comma),
        '\'' | '\u{2019}' | '\u{b4}' | '\u{2018}' | '`' => Some(Sep::Mark),
        ' ' | '\u{a0}' | '\u{202f}' => Some(Sep::Space),
        _ => None,
    }
}

/// The numbers of `text` that start a word, in order, each with where its first digit is
/// (`4,8` and `2021` in `4,8 millones en 2021`, not the `19` of `covid19`).
pub fn numbers_in(text: &str) -> impl Iterator<Item = (usize, Number)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < text.len() {
            let at_boundary = i == 0
                || !text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
            if at_boundary && text.as_bytes()[i].is_ascii_digit() {
                if let Some(n) = scan_number(text, i) {
                    let start = i;
                    i = n.end.max(i + 1);
                    return Some((start, n));
                }
            }
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
        None
    })
}

/// A number written in words with a scale word among them, as the press writes amounts
/// (`cuatro millones`, `dos mil millones`, `treinta y cinco mil`, `un millón doscientos mil`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordsNumber {
    /// Where its last word ends.
    pub end: usize,
    /// Its value.
    pub value: f64,
    /// What its last word counts in, the precision it is written to: 1,000,000 for `cuatro
    /// millones`, 1,000 for `un millón doscientos mil`, 1 for `cuatro mil quinientos`.
    pub unit: f64,
}

/// The value of a Spanish number word below a thousand, folded (`cuatro`, `veintitres`,
/// `doscientos`), and whether it counts hundreds.
fn small_number(key: &str) -> Option<(u64, bool)> {
    let v = match key {
        "un" | "uno" | "una" => 1,
        "dos" => 2,
        "tres" => 3,
        "cuatro" => 4,
        "cinco" => 5,
        "seis" => 6,
        "siete" => 7,
        "ocho" => 8,
        "nueve" => 9,
        "diez" => 10,
        "once" => 11,
        "doce" => 12,
        "trece" => 13,
        "catorce" => 14,
        "quince" => 15,
        "dieciseis" => 16,
        "diecisiete" => 17,
        "dieciocho" => 18,
        "diecinueve" => 19,
        "veinte" => 20,
        "veintiun" | "veintiuno" | "veintiuna" => 21,
        "veintidos" => 22,
        "veintitres" => 23,
        "veinticuatro" => 24,
        "veinticinco" => 25,
        "veintiseis" => 26,
        "veintisiete" => 27,
        "veintiocho" => 28,
        "veintinueve" => 29,
        "treinta" => 30,
        "cuarenta" => 40,
        "cincuenta" => 50,
        "sesenta" => 60,
        "setenta" => 70,
        "ochenta" => 80,
        "noventa" => 90,
        "cien" | "ciento" => 100,
        "doscientos" | "doscientas" => 200,
        "trescientos" | "trescientas" => 300,
        "cuatrocientos" | "cuatrocientas" => 400,
        "quinientos" | "quinientas" => 500,
        "seiscientos" | "seiscientas" => 600,
        "setecientos" | "setecientas" => 700,
        "ochocientos" | "ochocientas" => 800,
        "novecientos" | "novecientas" => 900,
        _ => return None,
    };
    Some((v, v >= 100))
}

/// The value of a number word from two to nine hundred and ninety-nine (`cuatro`,
/// `veintitrés`, `doscientos`): what a query's `cuatro dispensarios` also asks of `4
/// dispensarios`. `un`, `uno` and `una` are left out: they are articles more often than not.
pub fn small_number_word(word: &str) -> Option<u64> {
    crate::analysis::text::with_fold_key(word, |k| small_number(k).map(|(v, _)| v))
        .filter(|&v| v > 1)
}

/// Whether `word` is a number word that may start a [`WordsNumber`] (`cuatro`, `un`, `mil`).
pub fn is_number_word(word: &str) -> bool {
    crate::analysis::text::with_fold_key(word, |k| {
        small_number(k).is_some() || k == "mil" || k == "cero"
    })
}

/// The number written in words from byte `start` of `text` (the start of a word), when a scale
/// word (`mil`, `millón`, `millones`, `billones`) stands among its words and it has two words
/// or more: `cuatro millones`, `mil millones`, not `cuatro` nor `mil`. Its words stand apart
/// by spaces only; `y` joins tens and units (`treinta y cinco mil`).
pub fn words_number_at(text: &str, start: usize) -> Option<WordsNumber> {
    read_words(text, start)
        .filter(|r| r.scaled && r.words >= 2)
        .map(|r| r.number)
}

/// The number written in words from byte `start` of `text`, scale word or not, one word or
/// more (`noventa`, `noventa y cinco`, `cuatro millones`): what stands before `por ciento`.
/// `un` and `una` alone are articles (`uno` is the number); `cero` is a number alone.
pub fn words_value_at(text: &str, start: usize) -> Option<WordsNumber> {
    let zero = word_after(text, start)
        .filter(|(word, _)| crate::analysis::text::folds_to_one_of(word, &["cero"]));
    if let Some((_, end)) = zero {
        return Some(WordsNumber {
            end,
            value: 0.0,
            unit: 1.0,
        });
    }
    read_words(text, start).map(|r| r.number)
}

/// A number read in words, with how many words it took and whether a scale word was one.
struct WordsRead {
    number: WordsNumber,
    words: usize,
    scaled: bool,
}

fn read_words(text: &str, start: usize) -> Option<WordsRead> {
    let rest = text.get(start..)?;
    // Millions and more read, the thousands group being read, and what each counts in.
    let (mut total, mut group) = (0u64, 0u64);
    let (mut total_unit, mut group_unit) = (1u64, 1u64);
    // The value below a thousand of the group so far, when its last word was a number.
    let mut last_small: Option<u64> = None;
    let (mut words, mut scaled, mut end, mut pending_y) = (0, false, start, false);
    let mut at = 0;
    while at < rest.len() {
        let gap = rest[at..].len() - rest[at..].trim_start_matches([' ', '\u{a0}']).len();
        if words > 0 && (gap == 0 || gap > 2) {
            break;
        }
        let from = at + gap;
        let len = rest[from..]
            .char_indices()
            .find(|&(_, c)| !c.is_alphabetic())
            .map_or(rest.len() - from, |(i, _)| i);
        if len == 0 || len > 14 {
            break;
        }
        let step = crate::analysis::text::with_fold_key(&rest[from..from + len], |k| match k {
            "y" => Some(Step::And),
            "mil" => Some(Step::Scale(1_000)),
            "millon" | "millones" => Some(Step::Scale(1_000_000)),
            "billon" | "billones" => Some(Step::Scale(1_000_000_000_000)),
            _ => small_number(k).map(|(v, hundreds)| Step::Small(v, hundreds)),
        });
        match step {
            // `treinta y cinco`: only between tens and units.
            Some(Step::And)
                if !pending_y
                    && last_small
                        .is_some_and(|v| v % 10 == 0 && (20..100).contains(&(v % 100))) =>
            {
                pending_y = true;
            }
            Some(Step::Small(v, hundreds)) => {
                let fits = match last_small {
                    None => true,
                    Some(_) if pending_y => v < 10,
                    // `doscientos cincuenta`, `ciento veinte`
                    Some(prev) => prev % 100 == 0 && !hundreds,
                };
                // `un`, `una` are articles unless a scale follows (`un millón`) or they are
                // the units of tens (`treinta y una`); `uno` is the number.
                let article = v == 1
                    && !pending_y
                    && !crate::analysis::text::folds_to_one_of(&rest[from..from + len], &["uno"])
                    && next_scale(rest, from + len).is_none();
                if !fits || article {
                    break;
                }
                group += v;
                group_unit = 1;
                last_small = Some(group % 1_000);
                pending_y = false;
            }
            Some(Step::Scale(1_000)) if !pending_y && group < 1_000 => {
                group = group.max(1) * 1_000;
                group_unit = 1_000;
                last_small = None;
                scaled = true;
            }
            Some(Step::Scale(factor)) if !pending_y && factor > 1_000 => {
                total = total.saturating_add(group.max(1).saturating_mul(factor));
                total_unit = group_unit.saturating_mul(factor);
                (group, group_unit, last_small, scaled) = (0, 1, None, true);
            }
            _ => break,
        }
        words += 1;
        at = from + len;
        if !pending_y {
            end = start + at;
        }
    }
    if words == 0 {
        return None;
    }
    let unit = if group > 0 { group_unit } else { total_unit };
    Some(WordsRead {
        number: WordsNumber {
            end,
            value: total.saturating_add(group) as f64,
            unit: unit as f64,
        },
        words,
        scaled,
    })
}

/// What a word of a number written in words does.
enum Step {
    /// `y` between tens and units.
    And,
    /// A number below a thousand, and whether it counts hundreds.
    Small(u64, bool),
    /// `mil`, `millones`: what it multiplies by.
    Scale(u64),
}

/// The factor of the scale word right after byte `at` of `text`, if one follows.
fn next_scale(text: &str, at: usize) -> Option<f64> {
    word_after(text, at).and_then(|(word, _)| scale_of(word))
}

/// Reads the number whose first digit is at byte `start` of `text`. The caller decides whether
/// `start` is a word boundary. `None` if no ASCII digit stands there.
pub fn scan_number(text: &str, start: usize) -> Option<Number> {
    let bytes = text.as_bytes();
    if !bytes.get(start)?.is_ascii_digit() {
        return None;
    }
    // Digit groups as byte ranges, and the separator before each group after the first: at
    // most `MAX_GROUPS`, on the stack (every number of a text is scanned).
    let mut groups = [(0usize, 0usize); MAX_GROUPS];
    let mut seps = [Sep::Dot; MAX_GROUPS];
    let mut i = digits_end(bytes, start);
    groups[0] = (start, i);
    let mut n = 1;
    while n < MAX_GROUPS {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let Some(sep) = sep_of(c) else {
            break;
        };
        let next = i + c.len_utf8();
        if !bytes.get(next).is_some_and(u8::is_ascii_digit) {
            break;
        }
        let end = digits_end(bytes, next);
        if sep == Sep::Space {
            // Only `123 456`: a short group before, exactly three digits after, then no digit.
            let (s, e) = groups[n - 1];
            let prev_ok = if n == 1 { e - s <= 3 } else { e - s == 3 };
            if !prev_ok || end - next != 3 || seps[..n - 1].iter().any(|&s| s != Sep::Space) {
                break;
            }
        }
        seps[n - 1] = sep;
        groups[n] = (next, end);
        n += 1;
        i = end;
    }
    // Spaces then a `.`/`,` before three digits, the last group (`923 289.131`): a dot or comma
    // of thousands after spaces of thousands mixes two styles, where a flattened table sets a
    // count and an amount side by side. The number ends at the first space.
    let mixed = n > 1
        && seps[0] == Sep::Space
        && matches!(seps[n - 2], Sep::Dot | Sep::Comma)
        && groups[n - 1].1 - groups[n - 1].0 == 3;
    // Spaces of thousands before a percent sign (`841 130 %`): no percentage counts in
    // thousands, where a flattened table sets a count and a percentage side by side.
    let percent = n > 1 && seps[0] == Sep::Space && percent_follows(text, groups[n - 1].1);
    if mixed || percent {
        n = 1;
    }
    let mut digits = [""; MAX_GROUPS];
    for (d, &(s, e)) in digits.iter_mut().zip(&groups[..n]) {
        *d = &text[s..e];
    }
    // The longest readable prefix.
    for n in (1..=n).rev() {
        if let Some(readings) = interpret(&digits[..n], &seps[..n - 1]) {
            return Some(Number {
                end: groups[n - 1].1,
                readings,
            });
        }
    }
    None
}

/// Whether a percent sign, or `por ciento`, follows byte `end` of `text` after two spaces at
/// most.
fn percent_follows(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    let rest = rest
        .strip_prefix([' ', '\u{a0}'])
        .map_or(rest, |r| r.strip_prefix([' ', '\u{a0}']).unwrap_or(r));
    rest.starts_with('%')
        || rest
            .get(..8)
            .is_some_and(|w| w.eq_ignore_ascii_case("por cien"))
}

/// Where the digit groups from `start` end, each after one separator of numbers (`.`, `,`, an
/// apostrophe, a space): every number [`scan_number`] reads there ends at or before it.
pub fn digits_and_separators_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = digits_end(bytes, start);
    while let Some(sep) = text[end..].chars().next().filter(|&c| sep_of(c).is_some()) {
        let next = end + sep.len_utf8();
        if !bytes.get(next).is_some_and(u8::is_ascii_digit) {
            break;
        }
        end = digits_end(bytes, next);
    }
    end
}

fn digits_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// The readings of `groups` joined by `seps`, likelier first; `None` if they cannot be one
/// number.
fn interpret(groups: &[&str], seps: &[Sep]) -> Option<Vec<Reading>> {
    let Some((&last_sep, grouping_seps)) = seps.split_last() else {
        return Some(vec![reading(groups[0], "")]);
    };
    let last = groups[groups.len() - 1];
    let head = &groups[..groups.len() - 1];
    // Reading A: the last separator is the decimal mark.
    let decimal = matches!(last_sep, Sep::Dot | Sep::Comma)
        && valid_grouping(head, grouping_seps)
        && !grouping_seps.contains(&last_sep)
        && !(grouping_seps.contains(&Sep::Mark) && marks_need_more_digits(head, grouping_seps));
    // Reading B: every separator groups thousands.
    let grouped = valid_grouping(groups, seps) && !marks_misplaced(groups, seps);
    let a = || reading(&head.concat(), last);
    let b = || reading(&groups.concat(), "");
    match (decimal, grouped) {
        (false, false) => None,
        (true, false) => Some(vec![a()]),
        (false, true) => Some(vec![b()]),
        (true, true) => {
            let first = groups[0];
            if grouping_seps.contains(&Sep::Mark) {
                // Six digits follow a millions mark: `6'614,115` groups.
                Some(vec![b()])
            } else if grouping_seps.is_empty() {
                // `1.199`, `24.800`: thousands is likelier; `0.125` has no thousands reading.
                if first.bytes().all(|d| d == b'0') {
                    Some(vec![a()])
                } else {
                    Some(vec![b(), a()])
                }
            } else if last_sep == Sep::Dot && grouping_seps.contains(&Sep::Comma) {
                // `1,234.567`: commas for millions, as some reports write.
                Some(vec![b(), a()])
            } else {
                // `1.234,567`: the usual Spanish decimal comma.
                Some(vec![a(), b()])
            }
        }
    }
}

/// Whether `groups` joined by `seps` are thousands groups: first 1–3 digits, then 3 each, with
/// one kind of `.`/`,` at most (a millions mark or spaces may mix in).
fn valid_grouping(groups: &[&str], seps: &[Sep]) -> bool {
    if seps.is_empty() {
        return true;
    }
    let has_dot = seps.contains(&Sep::Dot);
    let has_comma = seps.contains(&Sep::Comma);
    if has_dot && has_comma && !seps.contains(&Sep::Mark) {
        // `1,234.567` as all grouping: commas above dots (millions, then thousands).
        let first_dot = seps.iter().position(|&s| s == Sep::Dot);
        let last_comma = seps.iter().rposition(|&s| s == Sep::Comma);
        if last_comma > first_dot {
            return false;
        }
    }
    (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3)
}

/// A millions mark must have exactly two 3-digit groups after it (or one, the last): else the
/// grouping reading is wrong (`4'803.665,690` is not 4 803 665 690). A mark after the first
/// group followed by groups of one kind marks the first group, whatever its size
/// (`1'193.703.286` is 1 193 703 286).
fn marks_misplaced(groups: &[&str], seps: &[Sep]) -> bool {
    match seps.iter().rposition(|&s| s == Sep::Mark) {
        Some(m) => {
            let after = &seps[m + 1..];
            let one_kind = after.first().is_some_and(|&k| {
                matches!(k, Sep::Dot | Sep::Comma) && after.iter().all(|&s| s == k)
            });
            groups.len() - (m + 1) > 2 && !(m == 0 && one_kind)
        }
        None => false,
    }
}

/// With a decimal reading, the part before the decimal mark (`head`) must end with the six
/// digits a millions mark announces: `4'803.665,69` yes, `6'614,115` no (too few).
fn marks_need_more_digits(head: &[&str], seps: &[Sep]) -> bool {
    match seps.iter().rposition(|&s| s == Sep::Mark) {
        Some(m) => head.len() - (m + 1) < 2,
        None => false,
    }
}

/// Most significant digits a decimal keeps through an `f64` and back (`f64::DIGITS`).
const EXACT_DIGITS: usize = 15;

fn reading(int: &str, frac: &str) -> Reading {
    short_reading(int, frac).unwrap_or_else(|| formatted_reading(int, frac))
}

/// The reading of a number of at most [`EXACT_DIGITS`] digits, whose shortest form is its own
/// digits: the canonical text is written from them, without formatting the float.
fn short_reading(int: &str, frac: &str) -> Option<Reading> {
    let int_digits = int.trim_start_matches('0');
    let frac_digits = frac.trim_end_matches('0');
    if int_digits.len() + frac_digits.len() > EXACT_DIGITS {
        return None;
    }
    let mut canonical = String::with_capacity(int_digits.len() + frac_digits.len() + 2);
    canonical.push_str(if int_digits.is_empty() {
        "0"
    } else {
        int_digits
    });
    if !frac_digits.is_empty() {
        canonical.push('.');
        canonical.push_str(frac_digits);
    }
    let value = canonical.parse::<f64>().ok()?;
    Some(Reading { value, canonical })
}

fn formatted_reading(int: &str, frac: &str) -> Reading {
    let text = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    let value = text.parse::<f64>().unwrap_or(0.0);
    Reading {
        value,
        canonical: canonical_of(value, int, frac),
    }
}

/// Least amount whose cents are dropped when it is cited: a thousand (`132.76 %` is not cited
/// as 132, nor `1,5` as 1 or 2).
const WHOLE_FROM: f64 = 1_000.0;

/// The whole amounts a value with cents is cited as, its cents dropped: cut (`4'803.665,69`
/// cited as `4.803.665`) and, when it differs, rounded (`4.803.666`). Nothing for a value
/// without cents or under [`WHOLE_FROM`].
pub fn whole_amounts(value: f64) -> impl Iterator<Item = f64> {
    let has_cents = value.is_finite()
        && value.fract() != 0.0
        && value.abs() >= WHOLE_FROM
        && value.abs() < 1e15;
    let cut = value.trunc();
    let rounded = value.round();
    let cut = has_cents.then_some(cut);
    let rounded = (has_cents && rounded != value.trunc()).then_some(rounded);
    cut.into_iter().chain(rounded)
}

/// The canonical text of a value: its shortest decimal form (`4803665.69`, `1.199`, `1199`).
pub fn canonical(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    format!("{value}")
}

/// Canonical text, keeping every digit of integers too long for an f64 (identifiers).
fn canonical_of(value: f64, int: &str, frac: &str) -> String {
    if frac.is_empty() && int.len() > 15 {
        let trimmed = int.trim_start_matches('0');
        return if trimmed.is_empty() {
            "0".into()
        } else {
            trimmed.to_string()
        };
    }
    canonical(value)
}

/// `USD` written at byte `at` of `text`, in any case. Glued to a number (`USD1.234`,
/// `1.234,56USD`) it is the number's currency, not a word the number is part of.
pub fn usd_at(text: &str, at: usize) -> bool {
    text.get(at..at + 3)
        .is_some_and(|w| w.eq_ignore_ascii_case("usd"))
}

/// Whether `USD` stands at `at` as a word's end: nothing alphanumeric follows it.
pub fn usd_ends_at(text: &str, at: usize) -> bool {
    usd_at(text, at)
        && !text
            .get(at + 3..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(char::is_alphanumeric)
}

/// A scale word right after a number (`187 mil`, `550 millones`, `1 millón`, `2 mil millones`):
/// returns where the scale words end and the factor. One space, or none, may stand between.
pub fn scale_after(text: &str, end: usize) -> Option<(usize, f64)> {
    let (word, word_end) = word_after(text, end)?;
    let factor = scale_of(word)?;
    if factor == 1e3 {
        // `mil millones` is a thousand millions.
        if let Some((next, next_end)) = word_after(text, word_end) {
            if scale_of(next) == Some(1e6) {
                return Some((next_end, 1e9));
            }
        }
    }
    Some((word_end, factor))
}

/// `value` times a scale's `factor`, to the cent: `2.094,2 millones` is 2,094,200,000, not the
/// 2,094,199,999.9999998 of binary arithmetic.
pub fn scaled(value: f64, factor: f64) -> f64 {
    if factor == 1.0 {
        return value;
    }
    (value * factor * 100.0).round() / 100.0
}

/// The scale of an amount: where its scale ends, its factor, and the other factor an ambiguous
/// abbreviation may have.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmountScale {
    /// Where the scale word or abbreviation ends.
    pub end: usize,
    /// What the number is multiplied by.
    pub factor: f64,
    /// The other reading of `M`, a thousand: Spanish accounts write `M` for thousands and `MM`
    /// for millions, the press and slides `M` for millions, as English does.
    pub alt_factor: Option<f64>,
    /// Whether the scale is a word (`mil`, `millones`), after which an amount may go on as it
    /// is spoken (`45 mil 300`); after an abbreviation (`250K 10 contratos`) a number is another.
    pub word: bool,
}

/// The scale of an amount whose number runs from `start` to `end`: a scale word
/// ([`scale_after`]), or, after a currency, an abbreviation glued to the number or one space
/// after it: `$1.5M` (millions, or thousands: [`AmountScale::alt_factor`]), `USD 2 MM`,
/// `US$ 250K`, `$250k`. Without a currency, `3M` is a maker of masks and `5K` a race.
pub fn amount_scale_after(text: &str, start: usize, end: usize) -> Option<AmountScale> {
    if let Some((end, factor)) = scale_after(text, end) {
        return Some(AmountScale {
            end,
            factor,
            alt_factor: None,
            word: true,
        });
    }
    let rest = text.get(end..)?;
    let at = end + usize::from(rest.starts_with(' '));
    let letters = text
        .get(at..)?
        .split(|c: char| !c.is_alphanumeric())
        .next()?;
    let (factor, alt_factor) = match letters {
        "M" => (1e6, Some(1e3)),
        "K" | "k" => (1e3, None),
        _ => return None,
    };
    currency_before(text, start)?;
    Some(AmountScale {
        end: at + letters.len(),
        factor,
        alt_factor,
        word: false,
    })
}

/// Start of a currency written before `start` (`USD `, `US$`, `$ `, `USD. `).
pub fn currency_before(text: &str, start: usize) -> Option<usize> {
    let before =
        &text[crate::analysis::text::floor_boundary(text, start.saturating_sub(12))..start];
    let trimmed = before.trim_end_matches([' ', '\u{a0}']);
    if before.len() - trimmed.len() > 2 {
        return None;
    }
    let base = start - before.len();
    let signs = [
        "USD$", "USD $", "US $", "US$", "U$S", "USD.", "USD", "usd", "Usd", "U.S.D.", "$",
    ];
    for sign in signs {
        if let Some(rest) = trimmed.strip_suffix(sign) {
            // `USD` must be a word of its own.
            if sign.starts_with(|c: char| c.is_alphabetic())
                && rest.chars().next_back().is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            return Some(base + rest.len());
        }
    }
    None
}

/// The word after at most two spaces from `at`, as written, and its end.
fn word_after(text: &str, at: usize) -> Option<(&str, usize)> {
    let rest = text.get(at..)?;
    let mut start = at;
    for (n, c) in rest.chars().enumerate() {
        if !matches!(c, ' ' | '\u{a0}' | '\u{202f}') {
            break;
        }
        if n == 2 {
            return None;
        }
        start += c.len_utf8();
    }
    let word_len = text[start..]
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(text.len() - start, |(i, _)| i);
    if word_len == 0 || word_len > 16 {
        return None;
    }
    Some((&text[start..start + word_len], start + word_len))
}

/// The factor of a scale word, in any case and with or without its accent; `MM`, the
/// accountants' millions (`USD 2,3 MM`), only in capitals: `mm` is a millimetre.
fn scale_of(word: &str) -> Option<f64> {
    if word == "MM" {
        return Some(1e6);
    }
    crate::analysis::text::with_fold_key(word, |key| match key {
        "mil" => Some(1e3),
        "millon" | "millones" => Some(1e6),
        "billon" | "billones" => Some(1e12),
        _ => None,
    })
}

/// Reads an amount typed by a person, for ranges: `1000000`, `1e6`, `1'000.000`,
/// `1.000.000,50`, `USD 2 millones`, `$ 1.5 millones`, `10%`, `-5`. `None` if it is not one
/// amount.
pub fn parse_amount(s: &str) -> Option<f64> {
    let mut t = s.trim();
    let negative = t.starts_with('-');
    t = t.trim_start_matches(['-', '+']).trim_start();
    // The amount as written with its currency, and where its number starts in it.
    let written = t;
    for prefix in ["US$", "USD.", "USD", "usd", "$"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
            break;
        }
    }
    let at = written.len() - t.len();
    t = t.trim_end_matches(['%', ' ']);
    for suffix in ["dólares", "dolares", "USD"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end();
        }
    }
    if t.is_empty() {
        return None;
    }
    let sign = if negative { -1.0 } else { 1.0 };
    let plain = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if plain && t.bytes().filter(|&b| b == b'.').count() <= 1 {
        if let Ok(v) = t.parse::<f64>() {
            if v.is_finite() {
                // `1.000` typed alone reads as a thousand, as in the reports.
                if let Some(n) = scan_number(t, 0).filter(|n| n.end == t.len()) {
                    return Some(sign * n.value());
                }
                return Some(sign * v);
            }
        }
    }
    let Some(n) = scan_number(t, 0) else {
        // `un millón`, `mil millones`: a scale word alone.
        let words = t
            .strip_prefix("un ")
            .or_else(|| t.strip_prefix("una "))
            .unwrap_or(t);
        let (end, factor) = scale_after(words, 0)?;
        return words[end..].trim().is_empty().then_some(sign * factor);
    };
    let (end, factor) = amount_scale_after(written, at, at + n.end)
        .map_or((n.end, 1.0), |scale| (scale.end - at, scale.factor));
    t[end.min(t.len())..]
        .trim()
        .is_empty()
        .then(|| sign * scaled(n.value(), factor))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn short_numbers_read_as_formatting_their_value_would(
            int in "[0-9]{1,17}",
            frac in "|[0-9]{1,8}",
        ) {
            if let Some(short) = short_reading(&int, &frac) {
                prop_assert_eq!(short, formatted_reading(&int, &frac));
            }
        }
    }

    fn read(s: &str) -> (Vec<f64>, usize) {
        let n = scan_number(s, 0).unwrap_or_else(|| panic!("{s} reads as a number"));
        (n.readings.iter().map(|r| r.value).collect(), n.end)
    }

    fn values(s: &str) -> Vec<f64> {
        read(s).0
    }

    fn canon(s: &str) -> Vec<String> {
        scan_number(s, 0)
            .map(|n| n.readings.into_iter().map(|r| r.canonical).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_amount_with_cents_is_cited_cut_and_rounded_from_a_thousand() {
        let whole = |v: f64| whole_amounts(v).collect::<Vec<_>>();
        assert_eq!(whole(4_803_665.69), [4_803_665.0, 4_803_666.0]);
        assert_eq!(whole(45_678.12), [45_678.0]);
        assert_eq!(whole(1_234.5), [1_234.0, 1_235.0]);
        assert_eq!(whole(-1_234.56), [-1_234.0, -1_235.0]);
        assert_eq!(whole(1_000.01), [1_000.0]);
        for none in [999.99, 132.76, 4_803_665.0, 2021.0, f64::NAN, 1e16 + 0.5] {
            assert_eq!(whole(none), Vec::<f64>::new(), "{none}");
        }
    }

    #[test]
    fn every_form_of_one_amount_is_one_canonical_token() {
        for s in [
            "4'803.665,69",
            "4.803.665,69",
            "4803665,69",
            "4803665.69",
            "4’803.665,69",
            "4´803.665,69",
        ] {
            assert_eq!(
                canon(s),
                ["4803665.69"],
                "{s}: check the decimal and grouping rules"
            );
        }
        assert_eq!(canon("1.193.703.286"), ["1193703286"]);
        assert_eq!(canon("11.852.096"), ["11852096"]);
        assert_eq!(canon("132.76"), ["132.76"]);
        assert_eq!(canon("132,76"), ["132.76"]);
    }

    #[test]
    fn grouping_marks_of_every_kind() {
        assert_eq!(values("45.000.000"), [45_000_000.0]);
        assert_eq!(values("7'123.456"), [7_123_456.0]);
        assert_eq!(values("2’345.678"), [2_345_678.0]);
        assert_eq!(values("1´234.000"), [1_234_000.0]);
        assert_eq!(values("1.234’567.890"), [1_234_567_890.0]);
        assert_eq!(values("12´345.678,90"), [12_345_678.90]);
        assert_eq!(values("123 456 dólares"), [123_456.0]);
        assert_eq!(values("234\u{a0}567 personas"), [234_567.0]);
        assert_eq!(values("1456"), [1456.0]);
        assert_eq!(values("1'634.129"), [1_634_129.0]);
        assert_eq!(
            values("6'614,115"),
            [6_614_115.0],
            "six digits follow a millions mark"
        );
        assert_eq!(values("3'618.310,04"), [3_618_310.04]);
        assert_eq!(
            values("1'193.703.286"),
            [1_193_703_286.0],
            "a mark after the first group of thousands of millions"
        );
        assert_eq!(values("2'345.678.901,50"), [2_345_678_901.50]);
        assert_eq!(
            values("4'803.665,690"),
            [4_803_665.69],
            "groups of two kinds after the mark: the last is the decimal mark"
        );
    }

    #[test]
    fn decimals_with_either_mark() {
        assert_eq!(values("45,3"), [45.3]);
        assert_eq!(values("92,15"), [92.15]);
        assert_eq!(values("3.5"), [3.5]);
        assert_eq!(
            values("0.125"),
            [0.125],
            "no thousands reading starts with 0"
        );
        assert_eq!(values("1.234.567,89"), [1_234_567.89]);
        assert_eq!(values("1,234,567.89"), [1_234_567.89]);
    }

    #[test]
    fn truly_ambiguous_forms_keep_both_readings_likelier_first() {
        assert_eq!(values("1.199"), [1199.0, 1.199]);
        assert_eq!(values("175.280"), [175_280.0, 175.28]);
        assert_eq!(
            values("1,234.567"),
            [1_234_567.0, 1234.567],
            "comma for millions"
        );
        assert_eq!(
            values("1.234,567"),
            [1234.567],
            "dots above commas read as a decimal comma"
        );
        assert_eq!(canon("1.199"), ["1199", "1.199"]);
    }

    #[test]
    fn unreadable_runs_are_cut_to_a_readable_prefix() {
        assert_eq!(read("14.05.2023"), (vec![14.05], 5));
        assert_eq!(read("2021-2025"), (vec![2021.0], 4));
        assert_eq!(read("1.5. Otro"), (vec![1.5], 3));
        assert_eq!(
            read("175.280 presenciales,24.800"),
            (vec![175_280.0, 175.28], 7)
        );
    }

    #[test]
    fn spaces_group_only_three_digits_after_a_short_group() {
        assert_eq!(read("2021 300 inspecciones"), (vec![2021.0], 4));
        assert_eq!(read("10 a 14"), (vec![10.0], 2));
        assert_eq!(
            read("5  842"),
            (vec![5.0], 1),
            "two spaces separate table cells"
        );
        assert_eq!(read("12 3456"), (vec![12.0], 2));
        // A count and an amount side by side in a flattened table, not one number.
        assert_eq!(read("923 289.131 2,42%"), (vec![923.0], 3));
        assert_eq!(read("1 234 567,890"), (vec![1.0], 1));
        assert_eq!(read("1 234 567,89"), (vec![1_234_567.89], 12));
        assert_eq!(read("1 234.5"), (vec![1_234.5], 7));
        // A count and a percentage side by side: no percentage counts in thousands.
        assert_eq!(read("841 130 %"), (vec![841.0], 3));
        assert_eq!(read("841 130%"), (vec![841.0], 3));
        assert_eq!(read("841 130 por ciento"), (vec![841.0], 3));
        assert_eq!(read("841 130 personas, 12 %"), (vec![841_130.0], 7));
    }

    #[test]
    fn scale_words_multiply() {
        let text = "187 mil atenciones";
        assert_eq!(scale_after(text, 3), Some((7, 1e3)));
        assert_eq!(scale_after("550 millones de", 3), Some((12, 1e6)));
        assert_eq!(scale_after("1 millón", 1), Some((9, 1e6)));
        assert_eq!(scale_after("2 mil millones", 1), Some((14, 1e9)));
        assert_eq!(scale_after("9 militares", 1), None);
        assert_eq!(scale_after("9 personas", 1), None);
        // In capitals, with one space or two, not three.
        assert_eq!(scale_after("2 MIL MILLONES", 1), Some((14, 1e9)));
        assert_eq!(scale_after("4  Millón", 1), Some((10, 1e6)));
        assert_eq!(scale_after("4   millones", 1), None);
        // Millions abbreviated as accountants write them; not millimetres, nor `M` alone
        // (thousands in Spanish accounts, millions in English).
        assert_eq!(scale_after("USD 2,3 MM en", 7), Some((10, 1e6)));
        assert_eq!(scale_after("2,3MM", 3), Some((5, 1e6)));
        assert_eq!(scale_after("25 mm de lluvia", 2), None);
        assert_eq!(scale_after("$1.5M", 4), None);
    }

    #[test]
    fn abbreviated_scales_only_after_a_currency() {
        let scale = |s: &str, start, end| {
            amount_scale_after(s, start, end).map(|a| (a.end, a.factor, a.alt_factor))
        };
        // `M` read both ways, millions first; `K` a thousand; glued or one space after.
        assert_eq!(scale("$1.5M en", 1, 4), Some((5, 1e6, Some(1e3))));
        assert_eq!(scale("USD 3,2 M de", 4, 7), Some((9, 1e6, Some(1e3))));
        assert_eq!(scale("US$ 250K", 4, 7), Some((8, 1e3, None)));
        assert_eq!(scale("$250k.", 1, 4), Some((5, 1e3, None)));
        // Scale words need no currency.
        assert_eq!(scale("2 MM", 0, 1), Some((4, 1e6, None)));
        // No currency, two spaces, or more letters: no scale.
        assert_eq!(scale("3M", 0, 1), None);
        assert_eq!(scale("5K solidaria", 0, 1), None);
        assert_eq!(scale("$1.5  M", 1, 4), None);
        assert_eq!(scale("$1.5Mbps", 1, 4), None);
        assert_eq!(scale("$ 5 Km", 2, 3), None);
    }

    #[test]
    fn typed_amounts_in_any_format() {
        for (s, v) in [
            ("1000000", 1e6),
            ("1e6", 1e6),
            ("1'000.000", 1e6),
            ("1.000.000,50", 1_000_000.5),
            ("1 millón", 1e6),
            ("USD 2 millones", 2e6),
            ("$ 1.5 millones", 1.5e6),
            ("10%", 10.0),
            ("-5", -5.0),
            ("1.000", 1000.0),
            ("0.5", 0.5),
            ("un millón", 1e6),
            ("mil millones", 1e9),
            ("$1.5M", 1.5e6),
            ("USD 250K", 250_000.0),
        ] {
            assert_eq!(parse_amount(s), Some(v), "{s}");
        }
        for s in ["", "mucho", "1 2 3 x", "abc1", "3M"] {
            assert_eq!(parse_amount(s), None, "{s}");
        }
    }

    #[test]
    fn canonical_form_is_shortest() {
        assert_eq!(canonical(4_803_665.69), "4803665.69");
        assert_eq!(canonical(187_000.0), "187000");
        assert_eq!(canonical(0.1), "0.1");
    }

    #[test]
    fn amounts_written_in_words_with_a_scale_are_read() {
        fn read(t: &str) -> Option<(&str, f64, f64)> {
            words_number_at(t, 0).map(|n| (&t[..n.end], n.value, n.unit))
        }
        assert_eq!(
            read("cuatro millones de dólares"),
            Some(("cuatro millones", 4e6, 1e6))
        );
        assert_eq!(read("un millón"), Some(("un millón", 1e6, 1e6)));
        assert_eq!(read("mil millones"), Some(("mil millones", 1e9, 1e9)));
        assert_eq!(
            read("dos mil millones"),
            Some(("dos mil millones", 2e9, 1e9))
        );
        assert_eq!(
            read("treinta y cinco mil"),
            Some(("treinta y cinco mil", 35e3, 1e3))
        );
        assert_eq!(
            read("doscientos cincuenta mil afiliados"),
            Some(("doscientos cincuenta mil", 250e3, 1e3))
        );
        assert_eq!(
            read("UN MILLÓN DOSCIENTOS MIL"),
            Some(("UN MILLÓN DOSCIENTOS MIL", 1.2e6, 1e3))
        );
        assert_eq!(
            read("cuatro mil quinientos dólares"),
            Some(("cuatro mil quinientos", 4500.0, 1.0))
        );
        assert_eq!(
            read("veintitrés mil y más"),
            Some(("veintitrés mil", 23e3, 1e3))
        );
        // A number without a scale, a scale alone, an article, words apart.
        for t in [
            "cuatro dispensarios",
            "mil atenciones",
            "una atención de mil",
            "cuatro, millones",
            "veinte cinco mil",
            "millones",
        ] {
            assert_eq!(read(t), None, "{t}");
        }
        assert!(is_number_word("Cuatro") && is_number_word("mil") && !is_number_word("de"));
    }

    #[test]
    fn numbers_in_words_without_a_scale_are_read_where_asked() {
        fn read(t: &str) -> Option<(&str, f64, f64)> {
            words_value_at(t, 0).map(|n| (&t[..n.end], n.value, n.unit))
        }
        assert_eq!(read("noventa por ciento"), Some(("noventa", 90.0, 1.0)));
        assert_eq!(
            read("Noventa y cinco por ciento"),
            Some(("Noventa y cinco", 95.0, 1.0))
        );
        assert_eq!(read("cien por cien"), Some(("cien", 100.0, 1.0)));
        assert_eq!(
            read("ciento veinte días"),
            Some(("ciento veinte", 120.0, 1.0))
        );
        assert_eq!(read("cuatro millones"), Some(("cuatro millones", 4e6, 1e6)));
        // `uno` is the number, and `un`, `una` the units of tens; `cero` stands alone.
        assert_eq!(read("uno por ciento"), Some(("uno", 1.0, 1.0)));
        assert_eq!(read("Cero por ciento"), Some(("Cero", 0.0, 1.0)));
        assert_eq!(read("cerote"), None);
        assert_eq!(
            read("noventa y uno por ciento"),
            Some(("noventa y uno", 91.0, 1.0))
        );
        assert_eq!(
            read("treinta y una personas"),
            Some(("treinta y una", 31.0, 1.0))
        );
        // An article, a word of no number.
        for t in ["un por ciento", "una vez", "por ciento"] {
            assert_eq!(read(t), None, "{t}");
        }
    }
}
