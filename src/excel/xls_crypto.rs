//! Excel 97-2003 workbooks encrypted with the password Excel itself opens without asking
//! (`VelvetSweatshop`: what Excel uses when a workbook is only write-protected or its structure locked).
//! Such a file is RC4-encrypted (MS-OFFCRYPTO 2.3.6 "RC4" or 2.3.5 "RC4 CryptoAPI"), and calamine
//! refuses it as password-protected; people open it in Excel without noticing anything. Here it is
//! decrypted in memory and handed on as a plain compound file. A file with any other password is refused.

use md5::Md5;
use sha1::{Digest, Sha1};
use std::io::{Cursor, Write};

/// The password Excel tries before it asks for one.
pub const DEFAULT_PASSWORD: &str = "VelvetSweatshop";

const FILEPASS: u16 = 0x002F;
const BLOCK: usize = 1024;

/// Records whose data stays plain in an encrypted stream (MS-XLS 2.2.10): BOF, FilePass, UsrExcl,
/// FileLock, InterfaceHdr, RRDInfo, RRDHead.
const PLAIN_RECORDS: [u16; 7] = [0x0809, 0x002F, 0x0194, 0x0195, 0x00E1, 0x0196, 0x0138];
/// BoundSheet8: its first four bytes (the sheet's stream position) stay plain.
const BOUNDSHEET: u16 = 0x0085;

fn rc4(key: &[u8], data: &mut [u8]) {
    let mut state: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut j = 0u8;
    for i in 0..256 {
        j = j.wrapping_add(state[i]).wrapping_add(key[i % key.len()]);
        state.swap(i, j as usize);
    }
    let (mut i, mut j) = (0u8, 0u8);
    for byte in data {
        i = i.wrapping_add(1);
        j = j.wrapping_add(state[i as usize]);
        state.swap(i as usize, j as usize);
        *byte ^= state[state[i as usize].wrapping_add(state[j as usize]) as usize];
    }
}

fn utf16(password: &str) -> Vec<u8> {
    password.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// How the key of each 1024-byte block is made.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyMaker {
    /// RC4 (Office 97/2000 compatible): MD5 of a 5-byte hash and the block number.
    Md5 { truncated: [u8; 5] },
    /// RC4 CryptoAPI: SHA-1 of the salted password hash and the block number, `bits` long.
    Sha1 { h0: [u8; 20], bits: usize },
}

impl KeyMaker {
    fn key(&self, block: u32) -> Vec<u8> {
        match self {
            KeyMaker::Md5 { truncated } => {
                let mut hasher = Md5::new();
                hasher.update(truncated);
                hasher.update(block.to_le_bytes());
                hasher.finalize().to_vec()
            }
            KeyMaker::Sha1 { h0, bits } => {
                let mut hasher = Sha1::new();
                hasher.update(h0);
                hasher.update(block.to_le_bytes());
                let hash = hasher.finalize();
                if *bits == 40 {
                    // A 40-bit key is padded to 128 bits with zeros.
                    let mut key = hash[..5].to_vec();
                    key.resize(16, 0);
                    key
                } else {
                    hash[..bits / 8].to_vec()
                }
            }
        }
    }
}

/// The salt, verifier and verifier hash of a FILEPASS record, and how keys are made from a password.
struct Header<'a> {
    cryptoapi: bool,
    bits: usize,
    salt: &'a [u8],
    verifier: &'a [u8],
    verifier_hash: &'a [u8],
}

fn u32_at(data: &[u8], at: usize) -> Option<usize> {
    data.get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

fn parse_header(filepass: &[u8]) -> Option<Header<'_>> {
    // wEncryptionType 1 (RC4), then the version.
    if filepass.get(..2)? != [1, 0] {
        return None;
    }
    let major = u16::from_le_bytes([*filepass.get(2)?, *filepass.get(3)?]);
    let minor = u16::from_le_bytes([*filepass.get(4)?, *filepass.get(5)?]);
    match (major, minor) {
        (1, 1) => Some(Header {
            cryptoapi: false,
            bits: 128,
            salt: filepass.get(6..22)?,
            verifier: filepass.get(22..38)?,
            verifier_hash: filepass.get(38..54)?,
        }),
        (2..=4, 2) => {
            let header_size = u32_at(filepass, 10)?;
            let header = filepass.get(14..14 + header_size)?;
            let bits = match u32_at(header, 16)? {
                0 => 40,
                bits if bits % 8 == 0 && (40..=128).contains(&bits) => bits,
                _ => return None,
            };
            let verifier = 14 + header_size;
            let salt_size = u32_at(filepass, verifier)?;
            let salt = filepass.get(verifier + 4..verifier + 4 + salt_size)?;
            let at = verifier + 4 + salt_size;
            let encrypted_verifier = filepass.get(at..at + 16)?;
            let hash_size = u32_at(filepass, at + 16)?;
            let verifier_hash = filepass.get(at + 20..at + 20 + hash_size.max(20))?;
            Some(Header {
                cryptoapi: true,
                bits,
                salt,
                verifier: encrypted_verifier,
                verifier_hash,
            })
        }
        _ => None,
    }
}

impl Header<'_> {
    fn key_maker(&self, password: &str) -> KeyMaker {
        if self.cryptoapi {
            let mut hasher = Sha1::new();
            hasher.update(self.salt);
            hasher.update(utf16(password));
            KeyMaker::Sha1 {
                h0: hasher.finalize().into(),
                bits: self.bits,
            }
        } else {
            let h0 = Md5::digest(utf16(password));
            let mut intermediate = Vec::with_capacity(336);
            for _ in 0..16 {
                intermediate.extend_from_slice(&h0[..5]);
                intermediate.extend_from_slice(self.salt);
            }
            let h1 = Md5::digest(&intermediate);
            KeyMaker::Md5 {
                truncated: h1[..5].try_into().unwrap_or_default(),
            }
        }
    }

    /// Whether `password` opens the file: the decrypted verifier hashes to the decrypted hash.
    fn accepts(&self, keys: &KeyMaker) -> bool {
        let mut both = [self.verifier, self.verifier_hash].concat();
        rc4(&keys.key(0), &mut both);
        let (verifier, hash) = both.split_at(16);
        if self.cryptoapi {
            Sha1::digest(verifier)[..] == hash[..20]
        } else {
            Md5::digest(verifier)[..] == hash[..16]
        }
    }
}

/// The byte ranges of an encrypted workbook stream that are encrypted.
fn encrypted_ranges(stream: &[u8]) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut offset = 0usize;
    while let Some(header) = stream.get(offset..offset + 4) {
        let kind = u16::from_le_bytes([header[0], header[1]]);
        let length = u16::from_le_bytes([header[2], header[3]]) as usize;
        let data = offset + 4;
        let end = (data + length).min(stream.len());
        if kind == BOUNDSHEET {
            ranges.push(((data + 4).min(end), end));
        } else if !PLAIN_RECORDS.contains(&kind) {
            ranges.push((data, end));
        }
        offset = data + length;
    }
    ranges
}

/// Applies the RC4 keystream of each 1024-byte block (counted from the stream's start) to the encrypted
/// ranges: this both encrypts and decrypts.
fn apply(stream: &mut [u8], keys: &KeyMaker) {
    let ranges = encrypted_ranges(stream);
    let mut keystream = Vec::new();
    for (block, start) in (0..stream.len()).step_by(BLOCK).enumerate() {
        let end = (start + BLOCK).min(stream.len());
        keystream.clear();
        keystream.resize(end - start, 0);
        rc4(&keys.key(block as u32), &mut keystream);
        for &(from, to) in ranges.iter().filter(|(f, t)| *f < end && *t > start) {
            for at in from.max(start)..to.min(end) {
                stream[at] ^= keystream[at - start];
            }
        }
    }
}

/// What an encrypted workbook stream turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Decrypted {
    /// The stream was not encrypted.
    Plain,
    /// Decrypted with Excel's default password; FILEPASS now says "not encrypted".
    Opened(Vec<u8>),
    /// Encrypted with a password that is not Excel's default (or in a form not known here).
    Protected,
}

/// Decrypts a workbook stream encrypted with Excel's default password.
pub fn decrypt(stream: &[u8]) -> Decrypted {
    let Some(filepass) = super::inspect::biff_records(stream)
        .take_while(|(kind, _)| *kind != super::inspect::BIFF_EOF)
        .find(|(kind, _)| *kind == FILEPASS)
        .map(|(_, data)| data)
    else {
        return Decrypted::Plain;
    };
    let Some(header) = parse_header(filepass) else {
        return Decrypted::Protected;
    };
    let keys = header.key_maker(DEFAULT_PASSWORD);
    if !header.accepts(&keys) {
        return Decrypted::Protected;
    }
    let mut plain = stream.to_vec();
    apply(&mut plain, &keys);
    // calamine skips a FILEPASS whose encryption type is 0; its length stays, so no offset moves.
    if let Some(at) = filepass_offset(&plain) {
        plain[at] = 0;
        plain[at + 1] = 0;
    }
    Decrypted::Opened(plain)
}

fn filepass_offset(stream: &[u8]) -> Option<usize> {
    let mut offset = 0usize;
    while let Some(header) = stream.get(offset..offset + 4) {
        let kind = u16::from_le_bytes([header[0], header[1]]);
        if kind == FILEPASS {
            return Some(offset + 4);
        }
        offset += 4 + u16::from_le_bytes([header[2], header[3]]) as usize;
    }
    None
}

/// A compound file holding only `stream` as its workbook stream: what calamine reads.
pub fn compound_file(stream: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    file.create_stream("/Workbook")?.write_all(stream)?;
    file.flush()?;
    Ok(file.into_inner().into_inner())
}

/// Encrypts a plain workbook stream as Excel does with RC4 CryptoAPI and `password`: a FILEPASS record
/// is inserted after the first BOF and every BoundSheet position moved by its length. For tests.
pub fn encrypt_for_tests(stream: &[u8], password: &str, salt: [u8; 16]) -> Vec<u8> {
    let bits = 128usize;
    let header = Header {
        cryptoapi: true,
        bits,
        salt: &salt,
        verifier: &[],
        verifier_hash: &[],
    };
    let keys = header.key_maker(password);
    let verifier = [7u8; 16];
    let mut sealed = [verifier.as_slice(), Sha1::digest(verifier).as_slice()].concat();
    rc4(&keys.key(0), &mut sealed);
    let provider: Vec<u8> = utf16("Microsoft Enhanced Cryptographic Provider v1.0\0");
    let mut encryption_header = Vec::new();
    for value in [0x04u32, 0, 0x6801, 0x8004, bits as u32, 1, 0, 0] {
        encryption_header.extend(value.to_le_bytes());
    }
    encryption_header.extend(&provider);
    let mut filepass = vec![1, 0, 2, 0, 2, 0];
    filepass.extend(0x04u32.to_le_bytes());
    filepass.extend((encryption_header.len() as u32).to_le_bytes());
    filepass.extend(&encryption_header);
    filepass.extend(16u32.to_le_bytes());
    filepass.extend(salt);
    filepass.extend(&sealed[..16]);
    filepass.extend(20u32.to_le_bytes());
    filepass.extend(&sealed[16..]);
    let mut record = FILEPASS.to_le_bytes().to_vec();
    record.extend((filepass.len() as u16).to_le_bytes());
    record.extend(&filepass);

    let first_bof_end = 4 + u16::from_le_bytes([stream[2], stream[3]]) as usize;
    let mut out = stream[..first_bof_end].to_vec();
    out.extend(&record);
    out.extend(&stream[first_bof_end..]);
    let shift = record.len() as u32;
    let mut offset = 0usize;
    while offset + 4 <= out.len() {
        let kind = u16::from_le_bytes([out[offset], out[offset + 1]]);
        let length = u16::from_le_bytes([out[offset + 2], out[offset + 3]]) as usize;
        if kind == BOUNDSHEET {
            let at = offset + 4;
            let position = u32::from_le_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]);
            out[at..at + 4].copy_from_slice(&(position + shift).to_le_bytes());
        }
        offset += 4 + length;
    }
    apply(&mut out, &keys);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc4_matches_the_published_test_vector() {
        let mut data = *b"Plaintext";
        rc4(b"Key", &mut data);
        assert_eq!(hex::encode(data), "bbf316e8d940af0ad3");
    }
}
