//! The passage store: every passage's record (`record.rs`) as its own zstd frame, compressed
//! against a dictionary trained on the corpus's first passages.
//!
//! tantivy's doc store compresses passages together in blocks, and showing one hit meant
//! decompressing its whole 16 KB block. A passage alone compresses poorly, but against a
//! dictionary of what reports repeat (headings, boilerplate, the names of units) it compresses
//! better than a block does, and a hit reads only its own few hundred bytes (BENCHMARKS.md,
//! "The passage store").
//!
//! The file, in order: a magic number, the dictionary's length (u32, 0 for none) and bytes, the
//! frames, then the offset of every frame and of the end of the last one (u64 each), their
//! count and where they start (u64 each) and the magic number again. Integers are
//! little-endian. A passage is found by its number, the `record` column of the index.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use zstd::dict::DecoderDictionary;
use zstd::zstd_safe::{CCtx, CParameter, DCtx};

const MAGIC: &[u8; 8] = b"CUENTAS1";
/// Passages read before the dictionary is trained, in bytes of records: enough for a
/// dictionary of the reports' common wording. Training takes about 500 instructions a byte.
const TRAIN_BYTES: usize = 1 << 20;
/// Largest dictionary trained.
const DICTIONARY_BYTES: usize = 64 << 10;
/// zstd level of each frame. Against a dictionary, level 3 compresses about a fifth smaller
/// than level 1 at the same speed.
const LEVEL: i32 = 3;
/// Longest record read back: beyond it, a frame's stated size is damage.
const MAX_RECORD_BYTES: u64 = 64 << 20;

/// Writes a store, one record at a time, in the order of their numbers.
pub struct StoreWriter {
    out: BufWriter<File>,
    /// Records waiting for the dictionary to be trained.
    pending: Vec<Vec<u8>>,
    pending_bytes: usize,
    /// Whether the dictionary is trained (or found impossible to train) and the header written.
    trained: bool,
    /// Compresses frames, with the dictionary loaded once trained.
    cctx: CCtx<'static>,
    frame: Vec<u8>,
    /// Offsets of the frames written, from the start of the file.
    offsets: Vec<u64>,
    written: u64,
}

impl StoreWriter {
    /// Creates the store file at `path`.
    pub fn create(path: &Path) -> io::Result<StoreWriter> {
        let mut cctx = CCtx::try_create()
            .ok_or_else(|| io::Error::other("zstd could not create a compression context"))?;
        // A frame states its size, for the reader to allocate it, and a checksum, so that a
        // damaged passage is an error rather than other words shown; not the dictionary's id:
        // there is one dictionary per store. Each of the two is 4 bytes, 3 % of the store.
        for param in [
            CParameter::CompressionLevel(LEVEL),
            CParameter::ContentSizeFlag(true),
            CParameter::ChecksumFlag(true),
            CParameter::DictIdFlag(false),
        ] {
            cctx.set_parameter(param).map_err(zstd_error)?;
        }
        Ok(StoreWriter {
            out: BufWriter::new(File::create(path)?),
            pending: Vec::new(),
            pending_bytes: 0,
            trained: false,
            cctx,
            frame: Vec::new(),
            offsets: Vec::new(),
            written: 0,
        })
    }

    /// The number the next record pushed will have.
    pub fn next_number(&self) -> u64 {
        (self.offsets.len() + self.pending.len()) as u64
    }

    /// Adds a record; its number is [`Self::next_number`] before the call.
    pub fn push(&mut self, record: Vec<u8>) -> io::Result<()> {
        if self.trained {
            return self.write_frame(&record);
        }
        self.pending_bytes += record.len();
        self.pending.push(record);
        if self.pending_bytes >= TRAIN_BYTES {
            self.train()?;
        }
        Ok(())
    }

    /// Writes what is left and the table of offsets.
    pub fn finish(mut self) -> io::Result<()> {
        if !self.trained {
            self.train()?;
        }
        let table_at = self.written;
        self.offsets.push(table_at);
        let count = self.offsets.len() as u64 - 1;
        let mut table = Vec::with_capacity(self.offsets.len() * 8 + 24);
        for offset in &self.offsets {
            table.extend_from_slice(&offset.to_le_bytes());
        }
        table.extend_from_slice(&count.to_le_bytes());
        table.extend_from_slice(&table_at.to_le_bytes());
        table.extend_from_slice(MAGIC);
        self.out.write_all(&table)?;
        self.out
            .into_inner()
            .map_err(|e| e.into_error())?
            .sync_all()
    }

    /// Trains the dictionary on the pending records, writes the header and compresses them. A
    /// corpus too small or too varied to train on is compressed without a dictionary.
    fn train(&mut self) -> io::Result<()> {
        let bytes = zstd::dict::from_samples(&self.pending, DICTIONARY_BYTES).unwrap_or_default();
        if !bytes.is_empty() {
            self.cctx.load_dictionary(&bytes).map_err(zstd_error)?;
        }
        let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        self.write_raw(MAGIC)?;
        self.write_raw(&len.to_le_bytes())?;
        self.write_raw(&bytes)?;
        self.trained = true;
        for record in std::mem::take(&mut self.pending) {
            self.write_frame(&record)?;
        }
        self.pending_bytes = 0;
        Ok(())
    }

    fn write_frame(&mut self, record: &[u8]) -> io::Result<()> {
        let mut frame = std::mem::take(&mut self.frame);
        frame.clear();
        frame.reserve(zstd::zstd_safe::compress_bound(record.len()));
        self.cctx
            .compress2(&mut frame, record)
            .map_err(zstd_error)?;
        self.offsets.push(self.written);
        self.write_raw(&frame)?;
        self.frame = frame;
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
    map: memmap2::Mmap,
    dictionary: Option<DecoderDictionary<'static>>,
    /// Where the table of offsets starts, and how many records there are.
    table_at: usize,
    count: u64,
}

thread_local! {
    /// One decompression context per thread, whatever the store: contexts are costly to make,
    /// and a dictionary is given with each frame.
    static DCTX: RefCell<Option<DCtx<'static>>> = const { RefCell::new(None) };
}

impl Store {
    /// Opens the store at `path`, checking its frame and table.
    pub fn open(path: &Path) -> io::Result<Store> {
        let file = File::open(path)?;
        // Safety: the generation's files are written once, before it is published, and never
        // changed after; a store that changes under the map is outside what cuentas does.
        let map = unsafe { memmap2::Mmap::map(&file)? };
        let bad = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("damaged passage store {}: {what}", path.display()),
            )
        };
        let len = map.len();
        if len < MAGIC.len() + 4 + 8 + 24 || &map[..8] != MAGIC || &map[len - 8..] != MAGIC {
            return Err(bad("not a passage store"));
        }
        let u64_at = |at: usize| -> u64 {
            let mut b = [0u8; 8];
            b.copy_from_slice(&map[at..at + 8]);
            u64::from_le_bytes(b)
        };
        let count = u64_at(len - 24);
        let table_at = u64_at(len - 16);
        let dict_len = u32::from_le_bytes([map[8], map[9], map[10], map[11]]) as usize;
        let fits = count
            .checked_add(1)
            .and_then(|n| n.checked_mul(8))
            .and_then(|n| n.checked_add(table_at))
            .and_then(|n| n.checked_add(24))
            == Some(len as u64);
        if !fits || 12 + dict_len > table_at as usize {
            return Err(bad("its table does not fit the file"));
        }
        let dictionary = match dict_len {
            0 => None,
            n => Some(DecoderDictionary::try_copy(&map[12..12 + n])?),
        };
        Ok(Store {
            table_at: table_at as usize,
            count,
            map,
            dictionary,
        })
    }

    /// Number of records.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether the store holds no record.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The bytes of record `number`.
    pub fn get(&self, number: u64) -> io::Result<Vec<u8>> {
        let bad = |what: &str| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("damaged passage store: record {number}: {what}"),
            )
        };
        if number >= self.count {
            return Err(bad("no such record"));
        }
        let at = self.table_at + number as usize * 8;
        let offset = |i: usize| -> usize {
            let mut b = [0u8; 8];
            b.copy_from_slice(&self.map[at + i * 8..at + i * 8 + 8]);
            u64::from_le_bytes(b) as usize
        };
        let (start, end) = (offset(0), offset(1));
        if start > end || end > self.table_at {
            return Err(bad("its offsets are out of order"));
        }
        let frame = &self.map[start..end];
        let size = zstd::zstd_safe::get_frame_content_size(frame)
            .ok()
            .flatten()
            .filter(|&n| n <= MAX_RECORD_BYTES)
            .ok_or_else(|| bad("its frame states no size"))?;
        let mut out = Vec::with_capacity(size as usize);
        DCTX.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.is_none() {
                *cell = DCtx::try_create();
            }
            let dctx = cell
                .as_mut()
                .ok_or_else(|| io::Error::other("zstd could not create a context"))?;
            match &self.dictionary {
                Some(dict) => dctx.decompress_using_ddict(&mut out, frame, dict.as_ddict()),
                None => dctx.decompress(&mut out, frame),
            }
            .map_err(zstd_error)
        })?;
        Ok(out)
    }
}

fn zstd_error(code: usize) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("zstd: {}", zstd::zstd_safe::get_error_name(code)),
    )
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
            w.push(r.clone()).expect("push");
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
                store.dictionary.is_some(),
                n > 3,
                "dictionary of {n} records"
            );
            for i in (0..n).step_by(97).chain(n.checked_sub(1)) {
                assert_eq!(
                    store.get(i as u64).expect("get"),
                    all[i],
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
        assert!(store.dictionary.is_some(), "trained");
        let raw: usize = all.iter().map(Vec::len).sum();
        let alone: usize = all
            .iter()
            .map(|r| zstd::bulk::compress(r, LEVEL).map_or(0, |c| c.len()))
            .sum();
        let size = std::fs::metadata(&path).expect("size").len() as usize;
        assert!(size * 2 < alone, "{size} against {alone} alone, {raw} raw");
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
