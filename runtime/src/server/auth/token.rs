//! JWT bearer tokens: HS256 with a shared secret (`JWT_SECRET`), or RS256 with a public key file
//! (`JWT_PUBLIC_KEY_FILE`) and, to issue tokens at login, its private key (`JWT_PRIVATE_KEY_FILE`).
//! Exactly one algorithm is accepted: a token signed otherwise, or with `alg: none`, is refused.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::RwLock;

/// RFC 7518 §3.2: an HS256 key at least as long as the hash (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// A token lives at most a day: one that claims longer is refused, so a leaked or minted token
/// is not a key for a year (its account's changes end it sooner, `auth::session`).
pub const MAX_TOKEN_TTL_SECONDS: u64 = 86_400;

/// Seconds a token may be late or early against this server's clock.
const CLOCK_SKEW_SECONDS: u64 = 30;

/// Verified tokens remembered at most; past it the memory starts over.
const VERIFIED_CAPACITY: usize = 10_000;

/// The claims the API reads (and the login endpoint writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The identity's key (e.g. the user's id).
    pub sub: String,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Expiry, seconds since the Unix epoch; required.
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// The account state the token holds to (`auth::session`); tokens login issues carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sv: Option<String>,
}

/// How tokens are verified (and issued), as configured; key material never prints.
#[derive(Clone, PartialEq, Eq)]
pub enum TokenConfig {
    Hs256 { secret: Vec<u8> },
    Rs256 { public_pem: Vec<u8>, private_pem: Option<Vec<u8>> },
}

impl fmt::Debug for TokenConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hs256 { .. } => f.write_str("Hs256 { secret: <redacted> }"),
            Self::Rs256 { private_pem, .. } => {
                write!(f, "Rs256 {{ public key, private key: {} }}", private_pem.is_some())
            }
        }
    }
}

/// Keys ready for use.
/// Who issues the tokens and whom they are for (RFC 7519's `iss` and `aud`): when configured,
/// set on every token issued and required, exactly, of every token verified, so a token minted
/// for another service with the same key is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    pub issuer: Option<String>,
    pub audience: Option<String>,
}

pub struct Keys {
    audience: Audience,
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    validation: Validation,
    /// Tokens already verified, by their exact text (signature included, so a changed token
    /// misses). A client sends one token many times; verifying it again (base64, two JSON
    /// parses, the MAC) cost 4-13 % of a GET by id. A hit only re-checks the expiry.
    verified: RwLock<HashMap<String, Claims>>,
    /// Lifetime of the tokens login issues.
    pub ttl_seconds: u64,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keys {{ {:?}, issues tokens: {} }}", self.algorithm, self.encoding.is_some())
    }
}

impl Keys {
    /// The error is one line naming the setting to fix.
    pub fn new(config: &TokenConfig, ttl_seconds: u64) -> Result<Self, String> {
        let (algorithm, decoding, encoding) = match config {
            TokenConfig::Hs256 { secret } => {
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(format!(
                        "JWT_SECRET is {} bytes; HS256 needs at least {MIN_SECRET_BYTES} (e.g. openssl rand -hex 32)",
                        secret.len()
                    ));
                }
                (Algorithm::HS256, DecodingKey::from_secret(secret), Some(EncodingKey::from_secret(secret)))
            }
            TokenConfig::Rs256 { public_pem, private_pem } => {
                let decoding = DecodingKey::from_rsa_pem(public_pem)
                    .map_err(|e| format!("JWT_PUBLIC_KEY_FILE is not an RSA public key in PEM: {e}"))?;
                let encoding = match private_pem {
                    Some(pem) => Some(
                        EncodingKey::from_rsa_pem(pem)
                            .map_err(|e| format!("JWT_PRIVATE_KEY_FILE is not an RSA private key in PEM: {e}"))?,
                    ),
                    None => None,
                };
                (Algorithm::RS256, decoding, encoding)
            }
        };
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = CLOCK_SKEW_SECONDS;
        validation.validate_nbf = true;
        Ok(Self {
            audience: Audience::default(),
            algorithm,
            decoding,
            encoding,
            validation,
            verified: RwLock::default(),
            ttl_seconds,
        })
    }

    /// The same keys, issuing for and requiring `audience`.
    #[must_use]
    pub fn for_audience(mut self, audience: Audience) -> Self {
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &audience.issuer {
            self.validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        if let Some(aud) = &audience.audience {
            self.validation.set_audience(&[aud]);
            required.push("aud");
        }
        self.validation.set_required_spec_claims(&required);
        self.audience = audience;
        self
    }

    /// The claims of a valid token; the error says why it is not, without echoing it.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let now = jsonwebtoken::get_current_timestamp();
        let known = self.verified.read().ok().and_then(|verified| verified.get(token).cloned());
        // Expired means `exp < now - leeway`, as jsonwebtoken decides it; an expired one is
        // verified again below, which says so. (`nbf` cannot turn a verified token invalid.)
        if let Some(claims) = known.filter(|c| c.exp.saturating_add(CLOCK_SKEW_SECONDS) >= now) {
            return Ok(claims);
        }
        let claims = self.decode(token)?;
        if claims.exp > now + MAX_TOKEN_TTL_SECONDS + CLOCK_SKEW_SECONDS {
            return Err("The token claims to live longer than this server allows (a day); log in again.".into());
        }
        if let Ok(mut verified) = self.verified.write() {
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
            verified.insert(token.to_string(), claims.clone());
        }
        Ok(claims)
    }

    fn decode(&self, token: &str) -> Result<Claims, String> {
        use jsonwebtoken::errors::ErrorKind;
        decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(|e| {
            match e.kind() {
                ErrorKind::ExpiredSignature => "The token has expired; log in again.",
                ErrorKind::ImmatureSignature => "The token is not valid yet.",
                ErrorKind::InvalidSignature => "The token's signature is not valid.",
                ErrorKind::InvalidAlgorithm => "The token is signed with an algorithm this server does not accept.",
                ErrorKind::MissingRequiredClaim(_) => "The token lacks a required claim (sub, exp, iss or aud).",
                ErrorKind::InvalidIssuer => "The token was issued by someone this server does not accept.",
                ErrorKind::InvalidAudience => "The token is meant for another audience.",
                _ => "The token is malformed.",
            }
            .to_string()
        })
    }

    /// Whether this server can issue tokens (login).
    pub fn issues(&self) -> bool {
        self.encoding.is_some()
    }

    /// A signed token for `subject` with `roles`, valid for the configured lifetime.
    pub fn issue(&self, subject: &str, roles: Vec<String>) -> Result<String, String> {
        self.issue_stamped(subject, roles, None)
    }

    /// [`Keys::issue`], holding to the account state `stamp` (`auth::session`).
    pub fn issue_stamped(&self, subject: &str, roles: Vec<String>, stamp: Option<String>) -> Result<String, String> {
        let Some(key) = &self.encoding else {
            return Err("this server has no signing key (JWT_PRIVATE_KEY_FILE)".into());
        };
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: subject.to_string(),
            roles,
            exp: now + self.ttl_seconds,
            iat: Some(now),
            iss: self.audience.issuer.clone(),
            aud: self.audience.audience.clone(),
            sv: stamp,
        };
        encode(&Header::new(self.algorithm), &claims, key).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(&TokenConfig::Hs256 { secret: b"0123456789abcdef0123456789abcdef".to_vec() }, 3600).unwrap()
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let keys = keys();
        let secret = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let now = jsonwebtoken::get_current_timestamp();
        let claims =
            Claims { sub: "u".into(), roles: vec![], exp: now + 600, iat: None, iss: None, aud: None, sv: None };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &secret).unwrap();
        assert_eq!(keys.verify(&token).unwrap().sub, "u");
        // Mark the remembered claims, to tell a hit from a verification.
        keys.verified.write().unwrap().get_mut(&token).unwrap().sub = "remembered".into();
        assert_eq!(keys.verify(&token).unwrap().sub, "remembered", "a hit");
        keys.verified.write().unwrap().get_mut(&token).unwrap().exp = now - CLOCK_SKEW_SECONDS - 1;
        assert_eq!(keys.verify(&token).unwrap().sub, "u", "remembered claims past their expiry are not used");
        let expired = Claims { exp: now - 3600, ..claims };
        let token = encode(&Header::new(Algorithm::HS256), &expired, &secret).unwrap();
        assert!(keys.verify(&token).unwrap_err().contains("expired"));
        assert!(!keys.verified.read().unwrap().contains_key(&token), "a refused token is not remembered");
    }
}
