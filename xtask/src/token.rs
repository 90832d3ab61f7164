//! `cargo xtask token`: a bearer token signed with the server's HS256 secret, e.g. the first
//! admin's (`--sub <id> --role admin`) before any account can log in with that role.

use crate::flags::TokenOpts;
use crate::{EXIT_ERROR, EXIT_OK};
use runtime::server::{Audience, Keys, TokenConfig, MAX_TOKEN_TTL_SECONDS};
use std::io::Write;

pub fn run(opts: &TokenOpts, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let Some(secret) = std::env::var("JWT_SECRET").ok().filter(|s| !s.is_empty()) else {
        let _ = writeln!(err, "error: JWT_SECRET is not set; set it to the secret the server uses");
        return EXIT_ERROR;
    };
    if opts.ttl > MAX_TOKEN_TTL_SECONDS {
        let _ =
            writeln!(err, "error: --ttl {} is past the server's limit of {MAX_TOKEN_TTL_SECONDS} seconds", opts.ttl);
        return EXIT_ERROR;
    }
    // The server requires the issuer and audience it is configured with; so does its token.
    let audience = Audience {
        issuer: std::env::var("JWT_ISSUER").ok().filter(|s| !s.is_empty()),
        audience: std::env::var("JWT_AUDIENCE").ok().filter(|s| !s.is_empty()),
    };
    let issued = Keys::new(&TokenConfig::Hs256 { secret: secret.into_bytes() }, opts.ttl)
        .and_then(|keys| keys.for_audience(audience).issue(&opts.sub, opts.roles.clone()));
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
