//! A file reader that will not read far past the start of the CSV row being
//! read: the CSV parser holds a whole row in memory, and one quote left open
//! makes the rest of a file one row.

use std::collections::VecDeque;
use std::io::{self, Read};

/// The longest CSV row read, in bytes: as long as one order's JSON line or API
/// body may be.
pub const MAX_ROW_BYTES: u64 = app::order::MAX_BODY_BYTES as u64;

/// How far the CSV parser reads ahead of the row it is on (its buffer).
pub const READ_AHEAD: usize = 8 * 1024;

/// Reads `inner` while the row being read is at most [`MAX_ROW_BYTES`] long
/// (give or take the parser's [`READ_AHEAD`]); past that, every read fails.
/// It counts the lines as an editor does (a line ends at `\n`, `\r\n` or a
/// lone `\r`), blank lines too: the CSV parser's own count misses the blank
/// lines it skips, and a line ending in `\r\n` shifts it by one.
pub struct RowBound<R> {
    inner: R,
    read: u64,
    row_start: u64,
    /// Where each line read past `row_start` ends, and whether it was empty.
    ends: VecDeque<(u64, bool)>,
    /// How many lines end before `row_start`.
    passed: u64,
    /// Where the line being read began, and whether the byte before was a `\r`.
    line_start: u64,
    after_cr: bool,
    /// The line of the row read last.
    last_row_line: u64,
}

impl<R> RowBound<R> {
    pub fn new(inner: R) -> RowBound<R> {
        RowBound {
            inner,
            read: 0,
            row_start: 0,
            ends: VecDeque::new(),
            passed: 0,
            line_start: 0,
            after_cr: false,
            last_row_line: 1,
        }
    }

    /// The row read last ended, and the next starts at `byte` (the parser's
    /// position after a row, blank lines before the next row included).
    pub fn row_starts_at(&mut self, byte: u64) {
        self.last_row_line = self.line_at(self.row_start);
        while self.ends.front().is_some_and(|&(at, _)| at < byte) {
            self.ends.pop_front();
            self.passed += 1;
        }
        // A cell of many lines made room for them: given back once passed.
        if self.ends.capacity() > 4096 && self.ends.len() < self.ends.capacity() / 4 {
            self.ends.shrink_to_fit();
        }
        self.row_start = byte;
    }

    /// The line the row read last starts on (its first line that is not blank).
    pub fn last_row_line(&self) -> u64 {
        self.last_row_line
    }

    /// The line the row being read starts on.
    pub fn row_line(&self) -> u64 {
        self.line_at(self.row_start)
    }

    /// The line of a row that starts at `byte` or after the blank lines there.
    fn line_at(&self, byte: u64) -> u64 {
        let mut line = self.passed + 1;
        for &(at, empty) in &self.ends {
            match at < byte || empty {
                true => line += 1,
                false => break,
            }
        }
        line
    }

    /// Notes where the lines in `bytes`, read from `offset` on, end.
    fn count_lines(&mut self, offset: u64, bytes: &[u8]) {
        for (at, &b) in (offset..).zip(bytes) {
            let crlf = b == b'\n' && self.after_cr && at == self.line_start;
            self.after_cr = b == b'\r';
            if (b == b'\n' && !crlf) || b == b'\r' {
                self.ends.push_back((at, at == self.line_start));
            }
            if b == b'\n' || b == b'\r' {
                self.line_start = at + 1;
            }
        }
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
        self.count_lines(self.read, &buf[..n]);
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
        bound.row_starts_at(read);
        assert!(bound.read(&mut buf).is_ok_and(|n| n > 0));
    }

    #[test]
    fn lines_are_counted_as_an_editor_counts_them() {
        // Rows at lines 1, 3, 4 and 8: CRLF, a blank line, a lone CR, a cell
        // of two lines, blank lines of CRLF and of LF.
        let file = b"a,b\r\n\r\nc,d\re,\"f\ng\"\r\n\r\n\nh,i\n";
        let mut bound = RowBound::new(&file[..]);
        let mut buf = [0u8; 3];
        while bound.read(&mut buf).is_ok_and(|n| n > 0) {}
        // Where the parser says each row starts: after the last row's end, so
        // before the blank lines between.
        let starts = [0, 5, 11, 19];
        for (i, start) in starts.into_iter().enumerate() {
            bound.row_starts_at(start);
            if i > 0 {
                assert_eq!(bound.last_row_line(), [1, 3, 4][i - 1], "row {i}");
            }
        }
        assert_eq!(bound.row_line(), 8);
    }
}
