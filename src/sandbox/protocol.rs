//! What crosses the worker's pipes. The request is a header (the worker's own limits and the reader's
//! limits, its encoded length first as 4 bytes, little endian) and then the file; the answer is the
//! tables or the reason the file cannot be read, its length first. Both in postcard's compact binary form.

use crate::excel::{Limits, ReadError, Table};
use serde::{Deserialize, Serialize};

/// What the worker must know before it reads a byte of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub memory_mib: u64,
    pub cpu_seconds: u64,
    pub limits: Limits,
}

pub type Answer = Result<Vec<Table>, ReadError>;

/// A header is a few dozen bytes; anything longer is not one.
pub const MAX_HEADER_BYTES: usize = 1024;

pub fn encode_request(header: &Header, bytes: &[u8]) -> Vec<u8> {
    let encoded = postcard::to_stdvec(header).unwrap_or_default();
    let mut request = Vec::with_capacity(4 + encoded.len() + bytes.len());
    request.extend((encoded.len() as u32).to_le_bytes());
    request.extend(encoded);
    request.extend_from_slice(bytes);
    request
}

/// The header's length from the request's first 4 bytes.
pub fn header_length(prefix: [u8; 4]) -> Option<usize> {
    let length = u32::from_le_bytes(prefix) as usize;
    (length <= MAX_HEADER_BYTES).then_some(length)
}

pub fn decode_header(encoded: &[u8]) -> Option<Header> {
    postcard::from_bytes(encoded).ok()
}

/// The answer, its length first (8 bytes, little endian), so the server takes it as soon as it is whole.
pub fn encode_answer(answer: &Answer) -> Vec<u8> {
    let encoded = postcard::to_stdvec(answer).unwrap_or_default();
    let mut framed = (encoded.len() as u64).to_le_bytes().to_vec();
    framed.extend(encoded);
    framed
}

pub fn decode_answer(output: &[u8]) -> Option<Answer> {
    postcard::from_bytes(output).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::excel::{Cell, Row};

    #[test]
    fn requests_and_answers_round_trip() {
        let header = Header {
            memory_mib: 256,
            cpu_seconds: 10,
            limits: Limits::for_check_sheet(1234),
        };
        let request = encode_request(&header, b"PK\x03\x04file");
        let length = header_length(request[..4].try_into().unwrap()).unwrap();
        assert_eq!(decode_header(&request[4..4 + length]), Some(header));
        assert_eq!(&request[4 + length..], b"PK\x03\x04file");
        assert_eq!(header_length(u32::MAX.to_le_bytes()), None);
        let table = Table {
            name: "シート1".into(),
            rows: vec![Row {
                number: 3,
                cells: vec![
                    Cell::Empty,
                    Cell::Text("はい".into()),
                    Cell::Number(1.5),
                    Cell::Date(chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()),
                    Cell::Bool(true),
                ],
            }],
            hidden: true,
            merged: vec![crate::excel::table::Merge {
                first_row: 1,
                last_row: 3,
                first_column: 0,
                last_column: 0,
            }],
        };
        let answer: Answer = Ok(vec![table]);
        assert_eq!(decode_answer(&encode_answer(&answer)[8..]), Some(answer));
        let refused: Answer = Err(ReadError::TooManyCells { limit: 5 });
        assert_eq!(decode_answer(&encode_answer(&refused)[8..]), Some(refused));
        assert_eq!(decode_answer(b"\xff\xff\xff"), None);
    }
}
