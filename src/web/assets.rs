//! The stylesheet and icon, built into the binary and served under `/static/` with a version in the
//! link: a browser keeps each version for a year and asks again only when a new build changes it.

use rocket::http::{ContentType, Header};
use rocket::{get, Responder};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    content_type: fn() -> ContentType,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "style.css",
        content_type: || ContentType::CSS,
        body: include_bytes!("../../static/style.css"),
    },
    Asset {
        name: "favicon.svg",
        content_type: || ContentType::SVG,
        body: include_bytes!("../../static/favicon.svg"),
    },
    Asset {
        name: "forms.js",
        content_type: || ContentType::JavaScript,
        body: include_bytes!("../../static/forms.js"),
    },
];

fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|asset| asset.name == name)
}

/// The first 12 hex digits of each asset's SHA-256, in the order of `ASSETS`.
fn versions() -> &'static [String] {
    static VERSIONS: OnceLock<Vec<String>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| hex::encode(Sha256::digest(asset.body))[..12].to_string())
            .collect()
    })
}

fn version_of(name: &str) -> Option<&'static str> {
    let index = ASSETS.iter().position(|asset| asset.name == name)?;
    Some(versions()[index].as_str())
}

/// The link to an asset, versioned by its content: `/static/style.css?v=1a2b3c4d5e6f`.
pub fn href(name: &str) -> String {
    match version_of(name) {
        Some(version) => format!("/static/{name}?v={version}"),
        None => format!("/static/{name}"),
    }
}

#[derive(Responder)]
pub struct Served {
    body: &'static [u8],
    content_type: ContentType,
    cache: Header<'static>,
}

/// A versioned link is kept for a year; an unversioned or outdated one is checked every time.
#[get("/static/<name>?<v>")]
pub fn asset(name: &str, v: Option<&str>) -> Option<Served> {
    let asset = find(name)?;
    let current = v.is_some() && v == version_of(name);
    Some(Served {
        body: asset.body,
        content_type: (asset.content_type)(),
        cache: Header::new(
            "Cache-Control",
            if current {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            },
        ),
    })
}

/// Browsers ask for `/favicon.ico` on their own; they get the SVG icon.
#[get("/favicon.ico")]
pub fn favicon() -> Served {
    Served {
        body: include_bytes!("../../static/favicon.svg"),
        content_type: ContentType::SVG,
        cache: Header::new("Cache-Control", "public, max-age=86400"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_content_version() {
        let link = href("style.css");
        assert!(link.starts_with("/static/style.css?v="), "{link}");
        assert_eq!(link.len(), "/static/style.css?v=".len() + 12);
        assert_eq!(href("missing.css"), "/static/missing.css");
    }
}
