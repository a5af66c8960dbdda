//! A file reader that will not read far past the start of the CSV row being
//! read: the CSV parser holds a whole row in memory, and one quote left open
//! makes the rest of a file one row.

use std::io::{self, Read};

/// The longest CSV row read, in bytes: as long as one order's JSON line or API
/// body may be.
pub const MAX_ROW_BYTES: u64 = app::order::MAX_BODY_BYTES as u64;

/// How far the CSV parser reads ahead of the row it is on (its buffer).
pub const READ_AHEAD: usize = 8 * 1024;

/// Reads `inner` while the row being read is at most [`MAX_ROW_BYTES`] long
/// (give or take the parser's [`READ_AHEAD`]); past that, every read fails.
pub struct RowBound<R> {
    inner: R,
    read: u64,
    row_start: u64,
    row_line: u64,
}

impl<R> RowBound<R> {
    pub fn new(inner: R) -> RowBound<R> {
        RowBound {
            inner,
            read: 0,
            row_start: 0,
            row_line: 1,
        }
    }

    /// The next row starts at `byte`, on `line` (the parser's position after a row).
    pub fn row_starts_at(&mut self, byte: u64, line: u64) {
        self.row_start = byte;
        self.row_line = line;
    }

    /// The line the row being read starts on.
    pub fn row_line(&self) -> u64 {
        self.row_line
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for RowBound<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read.saturating_sub(self.row_start) > MAX_ROW_BYTES + READ_AHEAD as u64 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a row of more than {MAX_ROW_BYTES} bytes (a quote left open?)"),
            ));
        }
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_a_row_past_the_limit_and_go_on_from_the_next_row() {
        let file = vec![b'x'; 3 * MAX_ROW_BYTES as usize];
        let mut bound = RowBound::new(file.as_slice());
        let mut buf = vec![0u8; READ_AHEAD];
        let mut read = 0u64;
        let error = loop {
            match bound.read(&mut buf) {
                Ok(n) => read += n as u64,
                Err(e) => break e,
            }
        };
        assert!(
            read > MAX_ROW_BYTES && read <= MAX_ROW_BYTES + 2 * READ_AHEAD as u64,
            "{read}"
        );
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(
            error.to_string().contains("a row of more than 1048576 bytes"),
            "{error}"
        );
        // A row that ended there lets the next one be read.
        bound.row_starts_at(read, 2);
        assert!(bound.read(&mut buf).is_ok_and(|n| n > 0));
    }
}
