//! What crosses the worker's pipes: the request (limits, then the file) and the answer (the tables
//! or the reason the file cannot be read), in postcard's compact binary form.

use crate::excel::{Limits, ReadError, Table};

pub struct Request<'a> {
    pub limits: Limits,
    pub bytes: &'a [u8],
}

pub type Answer = Result<Vec<Table>, ReadError>;

/// A request: the encoded limits' length (4 bytes, little endian), the limits, the file.
pub fn encode_request(limits: &Limits, bytes: &[u8]) -> Vec<u8> {
    let encoded = postcard::to_stdvec(limits).unwrap_or_default();
    let mut request = Vec::with_capacity(4 + encoded.len() + bytes.len());
    request.extend((encoded.len() as u32).to_le_bytes());
    request.extend(encoded);
    request.extend_from_slice(bytes);
    request
}

pub fn decode_request(input: &[u8]) -> Option<Request<'_>> {
    let length = u32::from_le_bytes(input.get(..4)?.try_into().ok()?) as usize;
    let limits = postcard::from_bytes(input.get(4..4 + length)?).ok()?;
    Some(Request {
        limits,
        bytes: &input[4 + length..],
    })
}

pub fn encode_answer(answer: &Answer) -> Vec<u8> {
    postcard::to_stdvec(answer).unwrap_or_default()
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
        let limits = Limits::for_check_sheet(1234);
        let request = encode_request(&limits, b"PK\x03\x04file");
        let decoded = decode_request(&request).unwrap();
        assert_eq!(decoded.limits, limits);
        assert_eq!(decoded.bytes, b"PK\x03\x04file");
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
        };
        let answer: Answer = Ok(vec![table]);
        assert_eq!(decode_answer(&encode_answer(&answer)), Some(answer));
        let refused: Answer = Err(ReadError::TooManyCells { limit: 5 });
        assert_eq!(decode_answer(&encode_answer(&refused)), Some(refused));
        assert_eq!(decode_answer(b"\xff\xff\xff"), None);
    }
}
