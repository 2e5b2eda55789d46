//! The sector tables of a compound file (.xls), checked before calamine reads it. calamine follows a
//! stream's chain of sectors until the chain ends; a table that loops makes it grow one buffer without
//! end (found by fuzzing: a 5.7 KB file asked for 1.3 GB). Here every chain of the FAT and of the mini
//! FAT must end, which bounds every stream by the file's size.

const SPECIAL: u32 = 0xFFFF_FFFA; // DIFSECT, FATSECT, ENDOFCHAIN, FREESECT and the reserved values
const HEADER_DIFAT_ENTRIES: usize = 109;

/// Whether every sector chain of the compound file in `bytes` ends, with every sector in the file.
pub fn chains_end(bytes: &[u8]) -> bool {
    let u32_at = |offset: usize| -> Option<u32> {
        let b = bytes.get(offset..offset + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let Some(shift) = bytes
        .get(0x1E..0x20)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
    else {
        return false;
    };
    if shift != 9 && shift != 12 {
        return false;
    }
    let size = 1usize << shift;
    // Sector n starts after the header sector.
    let count = bytes.len().saturating_sub(size) / size;
    let sector = |id: u32| -> Option<&[u8]> {
        let id = id as usize;
        (id < count).then(|| &bytes[(id + 1) * size..(id + 2) * size])
    };
    let entries = |data: &[u8]| -> Vec<u32> {
        data.chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    };

    // Where the FAT lives: 109 entries in the header, then the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..HEADER_DIFAT_ENTRIES)
        .filter_map(|i| u32_at(0x4C + 4 * i))
        .collect();
    let Some(mut next) = u32_at(0x44) else {
        return false;
    };
    let mut hops = 0;
    while next < SPECIAL {
        hops += 1;
        let Some(data) = sector(next).filter(|_| hops <= count) else {
            return false;
        };
        let mut ids = entries(data);
        next = ids.pop().unwrap_or(u32::MAX);
        fat_sectors.extend(ids);
    }
    let mut fat = Vec::new();
    for id in fat_sectors.into_iter().filter(|id| *id < SPECIAL) {
        match sector(id) {
            Some(data) => fat.extend(entries(data)),
            None => return false,
        }
    }
    if !acyclic(&fat) {
        return false;
    }

    // The mini FAT is itself a chain in the FAT, now known to end.
    let Some(mut next) = u32_at(0x3C) else {
        return false;
    };
    let mut mini_fat = Vec::new();
    while next < SPECIAL {
        let (Some(data), Some(following)) = (sector(next), fat.get(next as usize)) else {
            return false;
        };
        mini_fat.extend(entries(data));
        next = *following;
    }
    acyclic(&mini_fat)
}

/// Whether following `table` from any entry reaches an end (a special value or an entry outside
/// the table) rather than coming back to an entry already on the path.
fn acyclic(table: &[u32]) -> bool {
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const ENDS: u8 = 2;
    let mut state = vec![UNSEEN; table.len()];
    let mut path = Vec::new();
    for start in 0..table.len() {
        let mut at = start;
        while at < table.len() && state[at] != ENDS {
            if state[at] == ON_PATH {
                return false;
            }
            state[at] = ON_PATH;
            path.push(at);
            if table[at] >= SPECIAL {
                break;
            }
            at = table[at] as usize;
        }
        for visited in path.drain(..) {
            state[visited] = ENDS;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_are_found_and_ends_are_not() {
        assert!(acyclic(&[1, 2, 0xFFFF_FFFE, 0xFFFF_FFFF]));
        assert!(acyclic(&[3, 3, 3, 0xFFFF_FFFE]));
        assert!(!acyclic(&[1, 2, 0]));
        assert!(!acyclic(&[0xFFFF_FFFE, 2, 1]));
        assert!(!acyclic(&[0]));
    }

    #[test]
    fn real_workbooks_pass() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/checksheet-libreoffice.xls"
        ))
        .unwrap();
        assert!(chains_end(&bytes));
        assert!(!chains_end(&bytes[..600]));
    }
}
