//! A dictionary for the passage store's frames: the stretches of text that the most frames
//! share (headings, boilerplate, the names of units and programmes), chosen as zstd's COVER
//! trainer chooses them (Liao, Petri, Moffat and Wirth, "Effective construction of relative
//! Lempel-Ziv dictionaries", 2016).
//!
//! Every run of [`RUN`] bytes scores the number of samples it occurs in. The samples are cut
//! into as many epochs as the dictionary has segments; each epoch gives the stretch of
//! [`SEGMENT`] bytes whose distinct runs score the most, and the runs of a stretch chosen score
//! nothing afterwards, so that no text is chosen twice. A run found in one sample only scores
//! nothing, and a stretch must score [`MIN_SCORE`]: a corpus with nothing repeated gets an
//! empty dictionary.

/// Bytes of a run, the unit of what is shared.
const RUN: usize = 8;
/// Bytes of a stretch chosen. On the generated 100 MB corpus's frames, stretches of 512 bytes
/// gave the smallest store of 64, 128, 256, 512 and 1,024 (BENCHMARKS.md, "The passage store
/// in LZ4").
const SEGMENT: usize = 512;
/// Runs are counted by a hash of this many bits: a collision only blurs two runs' scores.
const HASH_BITS: u32 = 20;
/// Least score of a stretch chosen: below it, a few runs shared by chance (or by a collision
/// of their hashes) would fill the dictionary with bytes no frame uses.
const MIN_SCORE: u64 = 64;

/// A dictionary of at most `size` bytes for frames like `samples`. The stretches of the first
/// samples come last, nearest the frames, where LZ4's match finder looks first: on the 100 MB
/// corpus's frames that made the store 0.9 % smaller than the samples' order.
pub fn train(samples: &[&[u8]], size: usize) -> Vec<u8> {
    let buckets = 1usize << HASH_BITS;
    // In how many samples each run occurs, less one: a run of one sample is worth nothing.
    let mut shared = vec![0u32; buckets];
    let mut last_sample = vec![u32::MAX; buckets];
    for (i, sample) in samples.iter().enumerate() {
        for run in sample.windows(RUN) {
            let h = hash(run);
            if last_sample[h] != i as u32 {
                if last_sample[h] != u32::MAX {
                    shared[h] += 1;
                }
                last_sample[h] = i as u32;
            }
        }
    }
    drop(last_sample);

    let total: usize = samples.iter().map(|s| s.len()).sum();
    let epoch_bytes = (total / size.div_ceil(SEGMENT).max(1)).max(SEGMENT);
    // How many times each run occurs in the window being scored.
    let mut in_window = vec![0u32; buckets];
    let mut hashes = Vec::new();
    let mut chosen: Vec<&[u8]> = Vec::new();
    let mut room = size;
    let mut next = 0;
    while next < samples.len() && room > 0 {
        let start = next;
        let mut bytes = 0;
        while next < samples.len() && bytes < epoch_bytes {
            bytes += samples[next].len();
            next += 1;
        }
        let mut best: Option<(u64, &[u8])> = None;
        for sample in &samples[start..next] {
            if let Some((score, at)) = best_stretch(sample, &shared, &mut in_window, &mut hashes) {
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, &sample[at..(at + SEGMENT).min(sample.len())]));
                }
            }
        }
        let Some((_, stretch)) = best else { continue };
        for run in stretch.windows(RUN) {
            shared[hash(run)] = 0;
        }
        let take = stretch.len().min(room);
        chosen.push(&stretch[stretch.len() - take..]);
        room -= take;
    }
    chosen.reverse();
    chosen.concat()
}

/// The start of `sample`'s stretch of [`SEGMENT`] bytes whose distinct runs score the most,
/// with its score; none when no run of it scores.
fn best_stretch(
    sample: &[u8],
    shared: &[u32],
    in_window: &mut [u32],
    hashes: &mut Vec<usize>,
) -> Option<(u64, usize)> {
    hashes.clear();
    hashes.extend(sample.windows(RUN).map(hash));
    let runs_in_stretch = SEGMENT - RUN + 1;
    let mut score = 0u64;
    let mut best = (0u64, 0usize);
    for (i, &h) in hashes.iter().enumerate() {
        if in_window[h] == 0 {
            score += u64::from(shared[h]);
        }
        in_window[h] += 1;
        if i >= runs_in_stretch {
            let gone = hashes[i - runs_in_stretch];
            in_window[gone] -= 1;
            if in_window[gone] == 0 {
                score -= u64::from(shared[gone]);
            }
        }
        if score > best.0 {
            best = (score, (i + 1).saturating_sub(runs_in_stretch));
        }
    }
    let window_from = hashes.len().saturating_sub(runs_in_stretch);
    for &h in &hashes[window_from..] {
        in_window[h] = 0;
    }
    (best.0 >= MIN_SCORE).then_some(best)
}

fn hash(run: &[u8]) -> usize {
    let mut bytes = [0u8; RUN];
    bytes.copy_from_slice(&run[..RUN]);
    (u64::from_le_bytes(bytes).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - HASH_BITS)) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` bytes of lowercase letters from a simple generator: no run of eight repeats.
    fn noise(seed: &mut u64, n: usize) -> String {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                char::from(b'a' + (*seed % 26) as u8)
            })
            .collect()
    }

    #[test]
    fn what_many_samples_share_is_chosen_once_and_what_one_holds_is_not() {
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let phrases = [
            "Instituto Ecuatoriano de Seguridad Social, Dirección Provincial de Manabí",
            "Seguro Social Campesino: dispensarios, afiliados y jefes de familia atendidos",
        ];
        let samples: Vec<Vec<u8>> = (0..200)
            .map(|i| {
                let own = noise(&mut seed, 300);
                format!("{own} {} {own}", phrases[i % 2]).into_bytes()
            })
            .collect();
        let refs: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
        // Room for two stretches: once one phrase is chosen it scores nothing, and the other
        // takes the second.
        let dict = train(&refs, 2 * SEGMENT);
        assert!(dict.len() <= 2 * SEGMENT, "{} bytes", dict.len());
        let text = String::from_utf8_lossy(&dict);
        for phrase in phrases {
            assert_eq!(text.matches(phrase).count(), 1, "{phrase} in {text}");
        }
    }

    #[test]
    fn samples_that_share_nothing_give_no_dictionary() {
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let samples: Vec<Vec<u8>> = (0..50)
            .map(|_| noise(&mut seed, 300).into_bytes())
            .collect();
        let refs: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
        assert!(train(&refs, 4096).is_empty());
        // Nor does a single sample, nor none.
        assert!(train(&[b"una sola muestra, una sola muestra".as_slice()], 4096).is_empty());
        assert!(train(&[], 4096).is_empty());
    }

    #[test]
    fn the_dictionary_never_passes_its_size() {
        let samples: Vec<Vec<u8>> = (0..400)
            .map(|i| {
                format!("{} afiliados del seguro campesino", i % 9)
                    .repeat(40)
                    .into_bytes()
            })
            .collect();
        let refs: Vec<&[u8]> = samples.iter().map(Vec::as_slice).collect();
        for size in [1, 100, 513, 4096] {
            assert!(train(&refs, size).len() <= size, "size {size}");
        }
    }
}
