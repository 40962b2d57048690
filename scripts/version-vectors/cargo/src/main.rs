//! Oracle for crates.io versions: the `semver` crate (Cargo's own), by SemVer precedence,
//! which ignores build metadata.
//!
//! Usage: oracle compare  < "a<TAB>b" lines  > -1, 0, 1 or "invalid" per line
//!        oracle validate < versions         > "valid" or "invalid" per line
use semver::Version;
use std::cmp::Ordering;
use std::io::{self, BufRead, Write};

fn main() {
    let mode = std::env::args().nth(1).expect("usage: oracle compare|validate");
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());

    for line in io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let mut fields = line.splitn(2, '\t');
        let a = Version::parse(fields.next().unwrap_or(""));
        let answer = if mode == "validate" {
            if a.is_ok() { "valid" } else { "invalid" }.to_string()
        } else {
            match (a, Version::parse(fields.next().unwrap_or(""))) {
                (Ok(a), Ok(b)) => match a.cmp_precedence(&b) {
                    Ordering::Less => "-1",
                    Ordering::Equal => "0",
                    Ordering::Greater => "1",
                }
                .to_string(),
                _ => "invalid".to_string(),
            }
        };
        writeln!(out, "{answer}").expect("stdout");
    }
}
