//! Itaku (委託): outsourcing security governance for Japanese local governments.

pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod excel;
pub mod mail;
pub mod services;
pub mod web;

/// A random 128-bit token in hex, for links and keys that must not be guessed.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
pub mod app;
pub mod auth;
pub mod checklist;
pub mod cli;
pub mod judging;
pub mod rating;
pub mod sandbox;
