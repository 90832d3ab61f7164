//! The regular expressions of wire values the document states — dates that exist, integers in
//! a column's range, decimals a column holds, uuids, times, text without NUL — written once and
//! read by body schemas, list filters and the API's string rules alike. Only syntax that
//! ECMA-262, Python and Rust read alike (`[0-9]`, never `\d`).

/// Any string PostgreSQL text can hold: no NUL.
pub const TEXT: &str = "[^\\x00]*";
/// An `in` list's text item: double-quoted with `\` escaping, or bare without `,"()\`.
pub const TEXT_ITEM: &str = "(?:\"(?:[^\"\\\\\\x00]|\\\\[^\\x00])*\"|[^,\"()\\\\\\x00]*)";
/// A LIKE pattern whose every `\` escapes a following character.
pub const LIKE: &str = "(?:[^\\\\\\x00]|\\\\[^\\x00])*";
pub const UUID: &str = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
/// A finite JSON number no double overflows on.
pub const NUMBER: &str = "-?(?:0|[1-9][0-9]{0,14})(?:\\.[0-9]{1,15})?(?:[eE][+-]?[0-9]{1,2})?";
/// A number a 4-byte float holds, as a vector's element in `order` (no positive exponent, so
/// no more than 38 digits before the point).
pub const FLOAT4: &str = "-?(?:0|[1-9][0-9]{0,37})(?:\\.[0-9]+)?(?:[eE]-[0-9]{1,2})?";
/// An IPv4 or IPv6 address with an optional netmask length, as `inet` and `cidr` read and print
/// them (`192.168.0.1/24`, `::1`, `::ffff:10.0.0.1`).
pub const INET: &str = concat!(
    "(?:",
    "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}",
    "(?:/(?:3[0-2]|[12]?[0-9]))?",
    "|(?:",
    "(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}",
    "|(?:[0-9a-fA-F]{1,4}:){1,7}:",
    "|(?:[0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}",
    "|(?:[0-9a-fA-F]{1,4}:){1,5}(?::[0-9a-fA-F]{1,4}){1,2}",
    "|(?:[0-9a-fA-F]{1,4}:){1,4}(?::[0-9a-fA-F]{1,4}){1,3}",
    "|(?:[0-9a-fA-F]{1,4}:){1,3}(?::[0-9a-fA-F]{1,4}){1,4}",
    "|(?:[0-9a-fA-F]{1,4}:){1,2}(?::[0-9a-fA-F]{1,4}){1,5}",
    "|[0-9a-fA-F]{1,4}:(?::[0-9a-fA-F]{1,4}){1,6}",
    "|:(?:(?::[0-9a-fA-F]{1,4}){1,7}|:)",
    "|::(?:ffff(?::0{1,4})?:)?(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}",
    ")(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))?",
    ")"
);
/// A MAC address in the forms `macaddr` reads (`08:00:2b:01:02:03`, `08-00-2b-01-02-03`,
/// `08002b:010203`, `0800.2b01.0203`, `08002b010203`).
pub const MACADDR: &str = "[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5}\
    |[0-9a-fA-F]{6}[:-]?[0-9a-fA-F]{6}|[0-9a-fA-F]{4}\\.[0-9a-fA-F]{4}\\.[0-9a-fA-F]{4}|[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}";
/// An EUI-64 MAC address (`macaddr8`; 6-byte forms are widened).
pub const MACADDR8: &str = "[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){7}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){7}|[0-9a-fA-F]{16}\
    |[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){5}|[0-9a-fA-F]{12}";
/// `money` as PostgreSQL prints it in the C and English locales (`$1,234.56`, `-$0.50`) and
/// reads it (also without `$` and separators): up to 18 digits before the point.
pub const MONEY: &str = "-?\\$?(?:0|[1-9][0-9]{0,2}(?:,?[0-9]{3}){0,5})(?:\\.[0-9]{1,2})?";
/// `bit(n)` (exactly n digits) and `bit varying(n)` (at most n; any number without n).
pub fn bits(length: u32, exact: bool) -> String {
    if exact {
        format!("[01]{{{length}}}")
    } else {
        format!("[01]{{0,{length}}}")
    }
}
/// A `numeric` value of any size as PostgreSQL prints it, `NaN` and the infinities included.
pub const NUMERIC: &str = "-?[0-9]+(?:\\.[0-9]+)?|NaN|-?Infinity";
pub const TIME: &str = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?";
/// A date or timestamp that is not a moment: `infinity` or `-infinity`.
pub fn infinite() -> String {
    format!("{}|{}", escape(wire::INFINITY), escape(wire::NEG_INFINITY))
}
pub const OFFSET: &str = "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";

/// A calendar date `YYYY-MM-DD` that exists (leap years included).
pub fn date() -> String {
    let y = "[0-9]{4}";
    let leap = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)";
    format!(
        "(?:{y}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|{leap}-02-29)"
    )
}

/// A decimal a `numeric(precision, scale)` column holds: at most `precision - scale` digits
/// before the point (leading zeros aside) and `scale` after it. Bodies and filters share it.
pub fn decimal(precision: u16, scale: u16) -> String {
    let whole = precision.saturating_sub(scale);
    let integral = if whole == 0 { "0+".to_string() } else { format!("0*[0-9]{{1,{whole}}}") };
    if scale == 0 {
        format!("-?{integral}")
    } else {
        format!("-?{integral}(?:\\.[0-9]{{1,{scale}}})?")
    }
}

/// Canonical decimal integers in `min..=max` (no leading zeros, no `-0`).
pub fn integer(min: i64, max: i64) -> String {
    let mut parts = Vec::new();
    if min < 0 {
        let lowest = min.unsigned_abs();
        let highest = if max < 0 { max.unsigned_abs() } else { 1 };
        parts.push(format!("-(?:{})", digits(highest, lowest).join("|")));
    }
    if max >= 0 {
        parts.push(digits(min.max(0).unsigned_abs(), max.unsigned_abs()).join("|"));
    }
    parts.join("|")
}

/// Alternatives matching exactly the numbers `lo..=hi`, written without leading zeros.
fn digits(lo: u64, hi: u64) -> Vec<String> {
    let (low, high) = (lo.to_string(), hi.to_string());
    if low.len() < high.len() {
        let top = 10u64.pow(u32::try_from(low.len()).unwrap_or(u32::MAX)) - 1;
        let mut out = same_length(low.as_bytes(), top.to_string().as_bytes());
        out.extend(digits(top + 1, hi));
        return out;
    }
    same_length(low.as_bytes(), high.as_bytes())
}

fn same_length(lo: &[u8], hi: &[u8]) -> Vec<String> {
    let Some((&first_lo, rest_lo)) = lo.split_first() else { return vec![String::new()] };
    let (&first_hi, rest_hi) = hi.split_first().expect("same length");
    let prefixed = |digit: u8, rest: Vec<String>| rest.into_iter().map(move |r| format!("{}{r}", char::from(digit)));
    if first_lo == first_hi {
        return prefixed(first_lo, same_length(rest_lo, rest_hi)).collect();
    }
    let mut out = Vec::new();
    let (mut from, mut to) = (first_lo, first_hi);
    if !rest_lo.iter().all(|&d| d == b'0') {
        out.extend(prefixed(first_lo, same_length(rest_lo, &vec![b'9'; rest_lo.len()])));
        from += 1;
    }
    let high_tail = !rest_hi.iter().all(|&d| d == b'9');
    if high_tail {
        to -= 1;
    }
    if from <= to {
        let class = if from == to {
            char::from(from).to_string()
        } else {
            format!("[{}-{}]", char::from(from), char::from(to))
        };
        let any = match rest_lo.len() {
            0 => String::new(),
            1 => "[0-9]".into(),
            n => format!("[0-9]{{{n}}}"),
        };
        out.push(format!("{class}{any}"));
    }
    if high_tail {
        out.extend(prefixed(first_hi, same_length(&vec![b'0'; rest_hi.len()], rest_hi)));
    }
    out
}

/// A literal in a regex that ECMA-262, Python and Rust read alike.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}-/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(pattern: &str) -> regex::Regex {
        regex::Regex::new(&format!("^(?:{pattern})$")).unwrap()
    }

    #[test]
    fn integer_ranges_are_exact() {
        for (min, max) in [(-32768, 32767), (0, 9), (7, 1234), (-5, -3), (i64::from(i32::MIN), i64::from(i32::MAX))] {
            let re = full(&integer(min, max));
            for n in (min - 3)..=(min + 30) {
                assert_eq!(re.is_match(&n.to_string()), (min..=max).contains(&n), "{n} in {min}..={max}");
            }
            for n in (max - 30)..=(max + 3) {
                assert_eq!(re.is_match(&n.to_string()), (min..=max).contains(&n), "{n} in {min}..={max}");
            }
            assert!(!re.is_match("-0") && !re.is_match("01") && !re.is_match("+1") && !re.is_match(""));
        }
        let re = full(&integer(i64::MIN, i64::MAX));
        assert!(re.is_match(&i64::MIN.to_string()) && re.is_match(&i64::MAX.to_string()));
        assert!(!re.is_match("9223372036854775808") && !re.is_match("-9223372036854775809"));
        let small = full(&integer(-32768, 32767));
        for n in [-32768i64, -10000, -9999, -1000, -1, 0, 9, 10, 99, 100, 30000, 32767] {
            assert!(small.is_match(&n.to_string()), "{n}");
        }
    }

    #[test]
    fn dates_exist() {
        let re = full(&date());
        for ok in ["2024-02-29", "2000-02-29", "0000-02-29", "2023-12-31", "1999-04-30"] {
            assert!(re.is_match(ok), "{ok}");
        }
        for bad in ["2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01", "2023-00-10", "2023-1-01"] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn escaped_literals_match_themselves() {
        for value in ["A-B", "a/b", "x.y", "p+q", "(1)", "[z]", "$^|?*{}\\"] {
            assert!(full(&escape(value)).is_match(value), "{value}");
            assert!(!full(&escape(value)).is_match(&format!("{value}!")), "{value}");
        }
    }

    #[test]
    fn decimals_fit_the_column() {
        let re = full(&decimal(5, 2));
        for ok in ["123.45", "-0.5", "000123", "0"] {
            assert!(re.is_match(ok), "{ok}");
        }
        for bad in ["1234", "1.234", "1.", ".5", "+1", "١"] {
            assert!(!re.is_match(bad), "{bad}");
        }
        assert!(full(&decimal(2, 2)).is_match("0.12") && !full(&decimal(2, 2)).is_match("1.12"));
    }
}
