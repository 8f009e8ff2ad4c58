//! The passage key: a passage's year, province, policies and ranking weight packed in one u64
//! fast field, so that one column read per matching passage serves both ranking and facet
//! counts.
//!
//! ```text
//! bits  0..5   policies, one bit each in the order of `Policy::ALL`
//! bits  5..10  province id (0 = none; ids name provinces in the manifest)
//! bits 10..22  year (0 = none)
//! bits 22..29  ranking weight in percent (0 to 100)
//! ```

use std::collections::BTreeMap;

use crate::extract::Policy;

/// Most province ids a key holds (the 24 provinces and "Nacional" fit).
pub const MAX_PROVINCES: usize = 31;

/// An unpacked passage key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassageKey {
    /// One bit per policy, bit `i` for `Policy::ALL[i]` (5 bits).
    pub policies: u8,
    /// Province id in the manifest, 0 = none (at most [`MAX_PROVINCES`]).
    pub province: u8,
    /// Reported year, 0 = none (below 4096).
    pub year: u16,
    /// Ranking weight in percent, 0 to 100.
    pub weight: u8,
}

impl PassageKey {
    /// A key from a passage's values: a year that does not fit in 12 bits becomes 0 (none); the
    /// province id is capped at [`MAX_PROVINCES`] and the weight at 100.
    pub fn new(year: Option<i32>, province: u8, policies: &[Policy], weight: u64) -> PassageKey {
        let mut bits = 0u8;
        for p in policies {
            bits |= 1 << policy_bit(*p);
        }
        PassageKey {
            policies: bits,
            province: province.min(MAX_PROVINCES as u8),
            year: year
                .and_then(|y| u16::try_from(y).ok())
                .filter(|&y| y < 4096)
                .unwrap_or(0),
            weight: weight.min(100) as u8,
        }
    }

    /// The key as the u64 stored in the fast field (layout in the module doc).
    pub fn pack(self) -> u64 {
        u64::from(self.policies & 0x1f)
            | u64::from(self.province & 0x1f) << 5
            | u64::from(self.year & 0xfff) << 10
            | u64::from(self.weight & 0x7f) << 22
    }

    /// Reads a key packed by [`PassageKey::pack`].
    #[inline]
    pub fn unpack(key: u64) -> PassageKey {
        PassageKey {
            policies: (key & 0x1f) as u8,
            province: ((key >> 5) & 0x1f) as u8,
            year: ((key >> 10) & 0xfff) as u16,
            weight: ((key >> 22) & 0x7f) as u8,
        }
    }

    /// The key of a passage with nothing known and full weight (for a missing value).
    pub fn default_packed() -> u64 {
        PassageKey {
            policies: 0,
            province: 0,
            year: 0,
            weight: 100,
        }
        .pack()
    }
}

/// Number of distinct (province, policies) pairs a key holds: the slots of
/// [`PassageKey::facet_slot`].
pub const FACET_SLOTS: usize = 1 << 10;
/// Number of distinct years a key holds: the slots of [`PassageKey::year_slot`].
pub const YEAR_SLOTS: usize = 1 << 12;

impl PassageKey {
    /// The province and policies of a packed key as one number below [`FACET_SLOTS`], so that
    /// counting passages by both is one increment; [`PassageKey::facet_parts`] splits it.
    #[inline]
    pub fn facet_slot(packed: u64) -> usize {
        (packed & 0x3ff) as usize
    }

    /// The year of a packed key as a number below [`YEAR_SLOTS`] (0 = none).
    #[inline]
    pub fn year_slot(packed: u64) -> usize {
        ((packed >> 10) & 0xfff) as usize
    }

    /// The province id and the policy bits of a [`PassageKey::facet_slot`].
    pub fn facet_parts(slot: usize) -> (u8, u8) {
        let key = PassageKey::unpack(slot as u64);
        (key.province, key.policies)
    }
}

/// Passages counted by year, province and policy: a total and the three facets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Passages counted.
    pub total: usize,
    /// Passages by year (0 = none).
    pub years: BTreeMap<u16, u64>,
    /// Passages by province id (index = id; 0 = none).
    pub provinces: [u64; MAX_PROVINCES + 1],
    /// Passages by policy, in the order of `Policy::ALL`.
    pub policies: [u64; 5],
}

impl Counts {
    /// Adds the counts of `other`.
    pub fn add(&mut self, other: &Counts) {
        self.total += other.total;
        for (y, n) in &other.years {
            *self.years.entry(*y).or_default() += n;
        }
        for (a, b) in self.provinces.iter_mut().zip(other.provinces) {
            *a += b;
        }
        for (a, b) in self.policies.iter_mut().zip(other.policies) {
            *a += b;
        }
    }
}

/// Counts passages by their packed keys, one increment per table and passage: province and
/// policies together by [`PassageKey::facet_slot`], with no branch on how many policies a
/// passage has, and years by [`PassageKey::year_slot`]. A segment holds fewer than 2^31
/// documents: 32 bits count them, in tables half as large to clear and to read.
#[derive(Debug, Clone)]
pub struct Tally {
    facet_slots: Vec<u32>,
    year_slots: Vec<u32>,
}

impl Default for Tally {
    fn default() -> Tally {
        Tally {
            facet_slots: vec![0; FACET_SLOTS],
            year_slots: vec![0; YEAR_SLOTS],
        }
    }
}

impl Tally {
    /// Counts the passage of key `packed`.
    #[inline]
    pub fn add(&mut self, packed: u64) {
        self.facet_slots[PassageKey::facet_slot(packed)] += 1;
        self.year_slots[PassageKey::year_slot(packed)] += 1;
    }

    /// What was counted.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for (slot, n) in counted(&self.facet_slots) {
            let (province, policies) = PassageKey::facet_parts(slot);
            let n = u64::from(n);
            counts.total += n as usize;
            counts.provinces[usize::from(province)] += n;
            for (bit, count) in counts.policies.iter_mut().enumerate() {
                if policies & (1 << bit) != 0 {
                    *count += n;
                }
            }
        }
        counts.years = counted(&self.year_slots)
            .map(|(y, n)| (y as u16, u64::from(n)))
            .collect();
        counts
    }

    /// Forgets what was counted.
    pub fn clear(&mut self) {
        self.facet_slots.fill(0);
        self.year_slots.fill(0);
    }
}

/// The slots that counted something, with their counts. Most slots stay empty: runs of them
/// are passed over sixteen at a time.
fn counted(slots: &[u32]) -> impl Iterator<Item = (usize, u32)> + '_ {
    const RUN: usize = 16;
    slots
        .chunks(RUN)
        .enumerate()
        .filter(|(_, run)| run.iter().fold(0, |any, &n| any | n) != 0)
        .flat_map(|(i, run)| {
            run.iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(move |(j, &n)| (i * RUN + j, n))
        })
}

/// The bit of `p` in a key.
pub fn policy_bit(p: Policy) -> usize {
    Policy::ALL.iter().position(|&q| q == p).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_unpacks_to_what_was_packed() {
        let k = PassageKey::new(Some(2021), 7, &[Policy::Genero, Policy::Intercultural], 35);
        assert_eq!(PassageKey::unpack(k.pack()), k);
        assert_eq!(k.policies, 0b01001);
        assert_eq!(PassageKey::unpack(PassageKey::default_packed()).weight, 100);
    }

    #[test]
    fn slots_split_back_into_what_was_packed() {
        let k = PassageKey::new(Some(2021), 24, &[Policy::Genero, Policy::Intercultural], 35);
        let packed = k.pack();
        assert!(PassageKey::facet_slot(packed) < FACET_SLOTS);
        assert_eq!(
            PassageKey::facet_parts(PassageKey::facet_slot(packed)),
            (24, 0b01001)
        );
        assert_eq!(PassageKey::year_slot(packed), 2021);
        assert!(PassageKey::year_slot(u64::MAX) < YEAR_SLOTS);
        assert!(PassageKey::facet_slot(u64::MAX) < FACET_SLOTS);
    }
}
