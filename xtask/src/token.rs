//! `cargo xtask token`: a bearer token signed with the server's HS256 secret, e.g. the first
//! admin's (`--sub <id> --role admin`) before any account can log in with that role.

use crate::flags::TokenOpts;
use crate::{EXIT_ERROR, EXIT_OK};
use runtime::server::{Keys, TokenConfig};
use std::io::Write;

pub fn run(opts: &TokenOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(secret) = std::env::var("JWT_SECRET").ok().filter(|s| !s.is_empty()) else {
        let _ = writeln!(err, "error: JWT_SECRET is not set; set it to the secret the server uses");
        return EXIT_ERROR;
    };
    let issued = Keys::new(&TokenConfig::Hs256 { secret: secret.into_bytes() }, opts.ttl)
        .and_then(|keys| keys.issue(&opts.sub, opts.roles.clone()));
    match issued {
        Ok(token) => {
            let _ = writeln!(out, "{token}");
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_ERROR
        }
    }
}
