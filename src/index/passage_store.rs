//! The passage store: the records (`record.rs`) of a few consecutive passages to an LZ4 block,
//! compressed against a dictionary trained on the corpus's first passages (`dictionary.rs`).
//!
//! tantivy's doc store compresses passages together in 16 KB blocks, and showing one hit meant
//! decompressing its whole block. Here a frame holds passages up to about 1 KB, and a hit
//! decompresses only its frame. Small frames compress poorly alone, but against a dictionary of
//! what reports repeat (headings, boilerplate, the names of units) they come close to large
//! blocks (BENCHMARKS.md, "The passage store"). LZ4's high-compression mode makes frames as
//! small as zstd's did here, and they decompress in less than half the time (BENCHMARKS.md,
//! "The passage store in LZ4").
//!
//! The file, in order: a magic number, the dictionary's length (u32, 0 for none), its CRC-32
//! (u32) and bytes, the frames, then the offset of every frame and of the end of the last one,
//! the number of the first record of every frame, the number of records and of frames, where
//! the offsets start, and the magic number again. Integers are u64 but the dictionary's length
//! and the CRCs, little-endian. A frame is the CRC-32 of the rest of it, its length before
//! compression (a LEB128 varint) and the LZ4 block; in the block each record is its length (a
//! varint) and its bytes. A passage is found by its number, the `record` column of the index.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use lzzzz::{lz4, lz4_hc};

use super::dictionary;
use super::wire::{put_varint, take_varint, Bytes};

const MAGIC: &[u8; 8] = b"CUENTAS2";
/// Bytes of the header before the dictionary: the magic, its length and its CRC.
const HEADER_BYTES: usize = 16;
/// Bytes of frames read before the dictionary is trained: enough for a dictionary of the
/// reports' common wording.
const TRAIN_BYTES: usize = 1 << 20;
/// Largest dictionary trained: LZ4 reaches no further back.
const DICTIONARY_BYTES: usize = 64 << 10;
/// A frame is closed once its records reach this many bytes. Against the dictionary, frames of
/// one passage made a store 1.5 times the size of 16 KB blocks on the bundled reports, frames
/// of 1 KB 1.2 times, and a hit still decompresses a sixteenth of a block.
const FRAME_BYTES: usize = 1024;
/// LZ4's high-compression level. On the generated 100 MB corpus's frames (129.6 MB), level 3
/// compressed them at 124 MB/s to 38.2 MB, level 4 at 109 MB/s to 37.4 MB, level 9 at 65 MB/s
/// to 36.8 MB; zstd's level 3, before, at 243 MB/s to 37.4 MB.
const LEVEL: i32 = 4;
/// Largest frame read back: beyond it, a frame's stated size is damage.
const MAX_FRAME_BYTES: u64 = 64 << 20;
/// Bytes after the table: the number of records, of frames, where the table starts, the magic.
const FOOTER_BYTES: usize = 32;

/// Writes a store, one record at a time, in the order of their numbers.
pub struct StoreWriter {
    out: BufWriter<File>,
    /// Records of the frame being filled, each with its length before it.
    frame: Vec<u8>,
    /// Number of the first record of `frame`, and of the next record pushed.
    frame_first: u64,
    next: u64,
    /// Frames waiting for the dictionary to be trained, with their first record's number.
    pending: Vec<(u64, Vec<u8>)>,
    pending_bytes: usize,
    /// Whether the dictionary is trained (or found impossible to train) and the header written.
    trained: bool,
    /// The dictionary once trained and loaded, which every frame starts from; none when the
    /// corpus gave none.
    dictionary: Option<lz4_hc::Compressor<'static>>,
    /// Compresses one frame at a time.
    compressor: lz4_hc::Compressor<'static>,
    compressed: Vec<u8>,
    /// Offsets of the frames written, from the start of the file, and their first records.
    offsets: Vec<u64>,
    firsts: Vec<u64>,
    written: u64,
}

impl StoreWriter {
    /// Creates the store file at `path`.
    pub fn create(path: &Path) -> io::Result<StoreWriter> {
        Ok(StoreWriter {
            out: BufWriter::new(File::create(path)?),
            frame: Vec::new(),
            frame_first: 0,
            next: 0,
            pending: Vec::new(),
            pending_bytes: 0,
            trained: false,
            dictionary: None,
            compressor: lz4_hc::Compressor::new()?,
            compressed: Vec::new(),
            offsets: Vec::new(),
            firsts: Vec::new(),
            written: 0,
        })
    }

    /// The number the next record pushed will have.
    pub fn next_number(&self) -> u64 {
        self.next
    }

    /// Adds a record; its number is [`Self::next_number`] before the call.
    pub fn push(&mut self, record: &[u8]) -> io::Result<()> {
        put_varint(&mut self.frame, record.len() as u64);
        self.frame.extend_from_slice(record);
        self.next += 1;
        if self.frame.len() >= FRAME_BYTES {
            self.close_frame()?;
        }
        Ok(())
    }

    /// Writes what is left and the table.
    pub fn finish(mut self) -> io::Result<()> {
        self.close_frame()?;
        if !self.trained {
            self.train()?;
        }
        let table_at = self.written;
        let frames = self.firsts.len() as u64;
        self.offsets.push(table_at);
        let mut table = Vec::with_capacity((self.offsets.len() + self.firsts.len()) * 8 + 32);
        for n in self.offsets.iter().chain(&self.firsts) {
            table.extend_from_slice(&n.to_le_bytes());
        }
        for n in [self.next, frames, table_at] {
            table.extend_from_slice(&n.to_le_bytes());
        }
        table.extend_from_slice(MAGIC);
        self.out.write_all(&table)?;
        self.out
            .into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()
    }

    fn close_frame(&mut self) -> io::Result<()> {
        if self.frame.is_empty() {
            return Ok(());
        }
        let frame = std::mem::take(&mut self.frame);
        let first = std::mem::replace(&mut self.frame_first, self.next);
        if self.trained {
            self.write_frame(first, &frame)?;
            self.frame = frame;
            self.frame.clear();
            return Ok(());
        }
        self.pending_bytes += frame.len();
        self.pending.push((first, frame));
        if self.pending_bytes >= TRAIN_BYTES {
            self.train()?;
        }
        Ok(())
    }

    /// Trains the dictionary on the pending frames, writes the header and compresses them. A
    /// corpus too small or too varied to train on is compressed without a dictionary.
    fn train(&mut self) -> io::Result<()> {
        let samples: Vec<&[u8]> = self.pending.iter().map(|(_, f)| f.as_slice()).collect();
        // A small corpus gets a small dictionary: stored once, it must not outweigh its gain.
        let size = (self.pending_bytes / 16).clamp(4 << 10, DICTIONARY_BYTES);
        let bytes = dictionary::train(&samples, size);
        let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        self.write_raw(MAGIC)?;
        self.write_raw(&len.to_le_bytes())?;
        self.write_raw(&crc32fast::hash(&bytes).to_le_bytes())?;
        self.write_raw(&bytes)?;
        if !bytes.is_empty() {
            self.dictionary = Some(lz4_hc::Compressor::with_dict(bytes, LEVEL)?);
        }
        self.trained = true;
        for (first, frame) in std::mem::take(&mut self.pending) {
            self.write_frame(first, &frame)?;
        }
        self.pending_bytes = 0;
        Ok(())
    }

    fn write_frame(&mut self, first: u64, frame: &[u8]) -> io::Result<()> {
        let mut compressed = std::mem::take(&mut self.compressed);
        compressed.clear();
        compressed.extend_from_slice(&[0; 4]);
        put_varint(&mut compressed, frame.len() as u64);
        // Each frame starts afresh from the dictionary alone, so that it decompresses alone.
        self.compressor.attach_dict(None, LEVEL);
        if let Some(dictionary) = &self.dictionary {
            self.compressor.attach_dict(Some(dictionary), LEVEL);
        }
        self.compressor.next_to_vec(frame, &mut compressed)?;
        let crc = crc32fast::hash(&compressed[4..]);
        compressed[..4].copy_from_slice(&crc.to_le_bytes());
        self.offsets.push(self.written);
        self.firsts.push(first);
        self.write_raw(&compressed)?;
        self.compressed = compressed;
        Ok(())
    }

    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }
}

/// An opened store, mapped in memory.
pub struct Store {
    map: Bytes,
    /// Where the dictionary lies in `map`.
    dictionary: std::ops::Range<usize>,
    /// Where the frames' offsets and first records start.
    offsets_at: usize,
    firsts_at: usize,
    records: u64,
    frames: usize,
}

impl Store {
    /// Opens the store at `path`, checking its frame and table.
    pub fn open(path: &Path) -> io::Result<Store> {
        let map = Bytes::map(path)?;
        let bad = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("damaged passage store {}: {what}", path.display()),
            )
        };
        let len = map.len();
        if len < HEADER_BYTES + 8 + FOOTER_BYTES || &map[..8] != MAGIC || &map[len - 8..] != MAGIC {
            return Err(bad("not a passage store"));
        }
        let records = u64_at(&map, len - 32);
        let frames = u64_at(&map, len - 24);
        let table_at = u64_at(&map, len - 16);
        let dict_len = u32::from_le_bytes([map[8], map[9], map[10], map[11]]) as u64;
        // The offsets (one more than the frames) and the first records fill the file from
        // `table_at` to the footer.
        let fits = frames
            .checked_mul(16)
            .and_then(|n| n.checked_add(8 + FOOTER_BYTES as u64))
            .and_then(|n| n.checked_add(table_at))
            == Some(len as u64);
        if !fits || HEADER_BYTES as u64 + dict_len > table_at || (frames == 0) != (records == 0) {
            return Err(bad("its table does not fit the file"));
        }
        let dictionary = HEADER_BYTES..HEADER_BYTES + dict_len as usize;
        let crc = u32::from_le_bytes([map[12], map[13], map[14], map[15]]);
        if crc32fast::hash(&map[dictionary.clone()]) != crc {
            return Err(bad("its dictionary does not match its checksum"));
        }
        let offsets_at = table_at as usize;
        Ok(Store {
            firsts_at: offsets_at + (frames as usize + 1) * 8,
            offsets_at,
            records,
            frames: frames as usize,
            map,
            dictionary,
        })
    }

    /// Number of records.
    pub fn len(&self) -> u64 {
        self.records
    }

    /// Whether the store holds no record.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// The bytes of record `number`.
    pub fn get(&self, number: u64) -> io::Result<Vec<u8>> {
        let bad = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("damaged passage store: record {number}: {what}"),
            )
        };
        if number >= self.records {
            return Err(bad("no such record"));
        }
        // The last frame whose first record is not after `number`.
        let first_of = |i: usize| u64_at(&self.map, self.firsts_at + i * 8);
        let (mut lo, mut hi) = (0, self.frames);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if first_of(mid) <= number {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let first = first_of(lo);
        let offset = |i: usize| u64_at(&self.map, self.offsets_at + i * 8) as usize;
        let (start, end) = (offset(lo), offset(lo + 1));
        if first > number || start > end || end > self.offsets_at {
            return Err(bad("the table is out of order"));
        }
        let frame = self.decompress(&self.map[start..end])?;
        let mut rest = frame.as_slice();
        for i in first..=number {
            let len = take_varint(&mut rest).ok_or_else(|| bad("cut short"))?;
            if len > rest.len() as u64 {
                return Err(bad("cut short"));
            }
            let (record, after) = rest.split_at(len as usize);
            if i == number {
                return Ok(record.to_vec());
            }
            rest = after;
        }
        Err(bad("not in its frame"))
    }

    /// The records of a frame as written, or an error if it was damaged.
    fn decompress(&self, frame: &[u8]) -> io::Result<Vec<u8>> {
        let damaged = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("damaged passage store: a frame {what}"),
            )
        };
        let (crc, mut rest) = frame
            .split_first_chunk::<4>()
            .ok_or_else(|| damaged("is cut short"))?;
        if crc32fast::hash(rest) != u32::from_le_bytes(*crc) {
            return Err(damaged("does not match its checksum"));
        }
        let size = take_varint(&mut rest)
            .filter(|&n| n <= MAX_FRAME_BYTES)
            .ok_or_else(|| damaged("states no size"))? as usize;
        let mut out = vec![0; size];
        let dictionary = &self.map[self.dictionary.clone()];
        let n = lz4::decompress_with_dict(rest, &mut out, dictionary)
            .map_err(|e| damaged(&format!("does not decompress: {e}")))?;
        if n != size {
            return Err(damaged("is shorter than it states"));
        }
        Ok(out)
    }
}

/// The u64 at `at` of `bytes`; callers have checked that it fits.
fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                format!(
                    "Dirección Provincial del IESS: atenciones {i} a personas con discapacidad, \
                     USD {}'{:03}.{:03},{:02} ejecutados en {}",
                    i % 7,
                    i % 1000,
                    (i * 37) % 1000,
                    i % 100,
                    ["Manabí", "Guayas", "Pichincha", "Azuay"][i % 4]
                )
                .into_bytes()
            })
            .collect()
    }

    fn write(path: &Path, records: &[Vec<u8>]) {
        let mut w = StoreWriter::create(path).expect("create");
        for (i, r) in records.iter().enumerate() {
            assert_eq!(w.next_number(), i as u64);
            w.push(r).expect("push");
        }
        w.finish().expect("finish");
    }

    #[test]
    fn records_read_back_by_number_with_and_without_a_dictionary() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Few records: too little to train on. Many: past `TRAIN_BYTES`, so that some are
        // compressed after training and some before.
        for n in [0, 1, 3, 12_000] {
            let path = dir.path().join(format!("s{n}"));
            let all = records(n);
            write(&path, &all);
            let store = Store::open(&path).expect("open");
            assert_eq!(store.len(), n as u64);
            assert_eq!(
                !store.dictionary.is_empty(),
                n > 3,
                "dictionary of {n} records"
            );
            for (i, record) in all.iter().enumerate() {
                assert_eq!(
                    &store.get(i as u64).expect("get"),
                    record,
                    "record {i} of {n}"
                );
            }
            assert!(store.get(n as u64).is_err());
        }
    }

    #[test]
    fn a_trained_dictionary_makes_frames_smaller() {
        let dir = tempfile::tempdir().expect("tempdir");
        let all = records(12_000);
        let path = dir.path().join("s");
        write(&path, &all);
        let store = Store::open(&path).expect("open");
        assert!(!store.dictionary.is_empty(), "trained");
        // The same frames, as stored against the dictionary and compressed alone at the same
        // level: the dictionary's own gain, apart from grouping records into frames.
        let offset = |i: usize| u64_at(&store.map, store.offsets_at + i * 8) as usize;
        let (mut with, mut without, mut raw) = (0, 0, 0);
        for i in 0..store.frames {
            let stored = &store.map[offset(i)..offset(i + 1)];
            let frame = store.decompress(stored).expect("a frame");
            with += stored.len();
            // Framed as stored: its checksum and size before the block.
            let mut alone = vec![0; 4];
            put_varint(&mut alone, frame.len() as u64);
            lz4_hc::compress_to_vec(&frame, &mut alone, LEVEL).expect("compress");
            without += alone.len();
            raw += frame.len();
        }
        assert!(store.frames > 100, "{} frames", store.frames);
        assert!(
            with * 3 < without * 2,
            "{with} bytes against the dictionary, {without} without, {raw} raw"
        );
        // And the dictionary, stored once, is worth its bytes.
        let dictionary =
            u32::from_le_bytes([store.map[8], store.map[9], store.map[10], store.map[11]]);
        assert!(
            with + (dictionary as usize) < without,
            "{with} bytes and a dictionary of {dictionary}, against {without}"
        );
    }

    #[test]
    fn a_damaged_store_is_an_error_not_a_panic_nor_other_words() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s");
        let all = records(50);
        write(&path, &all);
        let good = std::fs::read(&path).expect("read");
        let damaged = dir.path().join("d");
        // Cut short anywhere: opening fails or every read gives bytes or an error.
        for n in (0..good.len()).step_by(7) {
            std::fs::write(&damaged, &good[..n]).expect("write");
            if let Ok(store) = Store::open(&damaged) {
                for i in 0..=store.len() {
                    let _ = store.get(i);
                }
            }
        }
        // Any one byte changed: a record reads as it was written or not at all (checksums).
        for at in (0..good.len()).step_by(3) {
            let mut bytes = good.clone();
            bytes[at] ^= 0xa5;
            std::fs::write(&damaged, &bytes).expect("write");
            if let Ok(store) = Store::open(&damaged) {
                for (i, record) in all.iter().enumerate() {
                    if let Ok(read) = store.get(i as u64) {
                        assert_eq!(&read, record, "record {i} with byte {at} changed");
                    }
                }
            }
        }
    }
}
