//! Timestamps Postgres froze when it evaluated `'now'` (or `'today'`, `'tomorrow'`,
//! `'yesterday'`) while creating an object: a view `SELECT 'now'::timestamptz`, a default
//! `DEFAULT 'now'`, stores the moment of its creation as a literal
//! (`'2026-05-01 12:00:00.123+00'::timestamp with time zone`). Created twice, the object
//! differs in that literal only. Check c masks such literals before it decides.
//!
//! A literal is masked when it is a `timestamp with time zone`, `timestamp without time
//! zone` or `date` constant, as Postgres prints one (`'…'::type`, ISO date style), whose
//! value falls within the run: every object of the databases a check creates was created
//! during it, so a value of that time can only be one Postgres computed. The window is
//! the server's clock from the check's start to now, with a minute to spare; a literal
//! without a time zone is the local time of the session that created it, which the catalog
//! does not record, so for those the window widens by the 15 hours any zone is from UTC
//! (a date's, taken at its middle, by 12 more).

use std::time::Instant;

use postgres::Client;
use schema::model::{BodyStyle, ConstraintKind, KeyExpr, Schema};

use crate::Error;

/// Seconds to spare at each end of the window (clocks, rounding).
const SLACK: f64 = 60.0;
/// How far a local time can be from UTC, in seconds.
const ZONES: f64 = 15.0 * 3600.0;
/// How far the middle of a local date can be from a moment of it, in seconds.
const HALF_DAY: f64 = 12.0 * 3600.0;
/// What a masked literal reads as.
const MASK: &str = "now";

/// The span of server time during which a check created its objects.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    /// The server's clock when the check started (seconds since the Unix epoch).
    started: f64,
    /// This process's clock at that moment.
    at: Instant,
}

impl Window {
    /// A window starting now, by the server's clock.
    pub(crate) fn start(client: &mut Client) -> Result<Window, Error> {
        let row = client
            .query_one("SELECT extract(epoch FROM clock_timestamp())::float8", &[])
            .map_err(|e| Error::db("cannot read the server's clock", e))?;
        Ok(Window::from_epoch(row.get(0)))
    }

    fn from_epoch(started: f64) -> Window {
        Window {
            started,
            at: Instant::now(),
        }
    }

    /// Whether `seconds` (since the epoch, read as UTC) is within the window widened by
    /// `spare` seconds at each end.
    fn contains(&self, seconds: f64, spare: f64) -> bool {
        let spare = SLACK + spare;
        let now = self.started + self.at.elapsed().as_secs_f64();
        seconds >= self.started - spare && seconds <= now + spare
    }
}

/// A copy of `schema` with every frozen literal in its expressions (column defaults and
/// generation expressions, check and exclusion constraints, index expressions and
/// predicates, view queries, domain defaults and checks, function parameter defaults and
/// SQL-standard bodies, trigger conditions) replaced by `'now'`.
pub(crate) fn mask_schema(schema: &Schema, window: &Window) -> Schema {
    let mut s = schema.clone();
    let m = |text: &mut String| *text = mask(text, window);
    let mo = |text: &mut Option<String>| {
        if let Some(t) = text {
            *t = mask(t, window);
        }
    };
    for d in s.domains.values_mut() {
        mo(&mut d.default);
        d.checks.values_mut().for_each(m);
    }
    for t in s.tables.values_mut() {
        for c in &mut t.columns {
            mo(&mut c.default);
            mo(&mut c.generated);
        }
        for c in t.constraints.values_mut() {
            match &mut c.kind {
                ConstraintKind::Check { expr } => m(expr),
                ConstraintKind::Exclusion {
                    elements,
                    predicate,
                    ..
                } => {
                    elements.iter_mut().for_each(m);
                    mo(predicate);
                }
                _ => {}
            }
        }
    }
    for i in s.indexes.values_mut() {
        for k in &mut i.keys {
            if let KeyExpr::Expression(e) = &mut k.expr {
                m(e);
            }
        }
        mo(&mut i.predicate);
    }
    for v in s.views.values_mut() {
        m(&mut v.definition);
    }
    for f in s.functions.values_mut() {
        m(&mut f.params);
        if f.body_style == BodyStyle::SqlStandard {
            m(&mut f.body);
        }
    }
    for t in s.triggers.values_mut() {
        mo(&mut t.condition);
    }
    s
}

/// `text` with each frozen literal's value replaced by `now`. String literals and quoted
/// identifiers are skipped whole, so a quote inside one is never taken for a literal's.
pub(crate) fn mask(text: &str, window: &Window) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['\'', '"']) {
        let quote = rest.as_bytes()[i];
        out.push_str(&rest[..=i]);
        let body = &rest[i + 1..];
        let Some(end) = closing(body, quote) else {
            out.push_str(body);
            return out;
        };
        let inner = &body[..end];
        let after = &body[end + 1..];
        let frozen = quote == b'\''
            && cast(after).is_some_and(|kind| {
                value(inner, kind).is_some_and(|(t, spare)| window.contains(t, spare))
            });
        out.push_str(if frozen { MASK } else { inner });
        out.push(char::from(quote));
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The offset of the quote that closes a quoted text starting at `body`'s beginning (a
/// doubled quote is one quote character inside it).
fn closing(body: &str, quote: u8) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The kinds of constant a frozen literal can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `timestamp with time zone`.
    TimestampTz,
    /// `timestamp without time zone`.
    Timestamp,
    /// `date`.
    Date,
}

/// The type a literal is cast to, when `after` (the text after its closing quote) is a
/// cast to one of [`Kind`]: `::date`, `::timestamp with time zone`,
/// `::timestamp(3) without time zone`, or the short names `::timestamptz`, `::timestamp`.
fn cast(after: &str) -> Option<Kind> {
    let ty = after.strip_prefix("::")?;
    let word_ends = |s: &str| {
        s.chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'))
    };
    if let Some(rest) = ty.strip_prefix("date") {
        return word_ends(rest).then_some(Kind::Date);
    }
    let (mut rest, short) = match ty.strip_prefix("timestamptz") {
        Some(rest) => (rest, Kind::TimestampTz),
        None => (ty.strip_prefix("timestamp")?, Kind::Timestamp),
    };
    if let Some(p) = rest.strip_prefix('(') {
        let close = p.find(')')?;
        if close == 0 || !p[..close].bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        rest = &p[close + 1..];
    }
    if short == Kind::Timestamp {
        if let Some(r) = rest.strip_prefix(" with time zone") {
            return word_ends(r).then_some(Kind::TimestampTz);
        }
        if let Some(r) = rest.strip_prefix(" without time zone") {
            return word_ends(r).then_some(Kind::Timestamp);
        }
    }
    word_ends(rest).then_some(short)
}

/// A literal's value as seconds since the epoch (its local time read as UTC when it has
/// no zone; a date's middle), and how far that can be from the moment Postgres evaluated
/// it; `None` unless it is in the ISO style.
fn value(text: &str, kind: Kind) -> Option<(f64, f64)> {
    let (date, time) = match kind {
        Kind::Date => (text, None),
        Kind::Timestamp | Kind::TimestampTz => {
            let (d, t) = text.split_once(' ')?;
            (d, Some(t))
        }
    };
    let days = days(date)?;
    let mut seconds = days as f64 * 86_400.0;
    let Some(time) = time else {
        return Some((seconds + HALF_DAY, ZONES + HALF_DAY));
    };
    let (clock, offset) = match kind {
        Kind::TimestampTz => {
            let at = time.find(['+', '-'])?;
            (&time[..at], Some(offset(&time[at..])?))
        }
        _ => (time, None),
    };
    seconds += time_of_day(clock)?;
    match offset {
        Some(o) => Some((seconds - o, 0.0)),
        None => Some((seconds, ZONES)),
    }
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (a proleptic Gregorian date, year 1 to 9999).
fn days(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let num = |s: &str| -> Option<i64> {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Seconds since midnight of `HH:MM:SS[.ffffff]`.
fn time_of_day(text: &str) -> Option<f64> {
    let mut parts = text.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || h.len() != 2 || m.len() != 2 {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (whole, frac) = s.split_once('.').unwrap_or((s, "0"));
    if !digits(h) || !digits(m) || whole.len() != 2 || !digits(whole) || !digits(frac) {
        return None;
    }
    let (h, m): (f64, f64) = (h.parse().ok()?, m.parse().ok()?);
    let s: f64 = format!("{whole}.{frac}").parse().ok()?;
    (h < 24.0 && m < 60.0 && s < 61.0).then_some(h * 3600.0 + m * 60.0 + s)
}

/// Seconds east of UTC of `+HH`, `-HH:MM` or `+HH:MM:SS`.
fn offset(text: &str) -> Option<f64> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1.0,
        b'-' => -1.0,
        _ => return None,
    };
    let mut total = 0.0;
    for (i, part) in text[1..].split(':').enumerate() {
        if i > 2 || part.len() != 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: f64 = part.parse().ok()?;
        total += n * [3600.0, 60.0, 1.0][i];
    }
    Some(sign * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-05-01 12:00:00 UTC.
    const NOON: f64 = 1_777_636_800.0;

    fn window() -> Window {
        Window::from_epoch(NOON)
    }

    #[test]
    fn dates_and_times_read_as_seconds_since_the_epoch() {
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2000-03-01"), Some(11_017));
        assert_eq!(
            days("2026-05-01").map(|d| d as f64 * 86_400.0 + 43_200.0),
            Some(NOON)
        );
        assert_eq!(days("2026-13-01"), None);
        assert_eq!(days("12026-01-01"), None);
        assert_eq!(
            value("2026-05-01 14:30:00.5+02:30", Kind::TimestampTz),
            Some((NOON + 0.5, 0.0))
        );
        assert_eq!(
            value("2026-05-01 07:00:00-05", Kind::TimestampTz),
            Some((NOON, 0.0))
        );
        assert_eq!(
            value("2026-05-01 12:00:00", Kind::Timestamp),
            Some((NOON, ZONES))
        );
        assert_eq!(value("infinity", Kind::TimestampTz), None);
        assert_eq!(value("2026-05-01 12:00:00 BC", Kind::Timestamp), None);
    }

    #[test]
    fn a_literal_postgres_froze_during_the_run_is_masked() {
        let w = window();
        let view = "SELECT '2026-05-01 12:00:00.123456+00'::timestamp with time zone AS t,\n    '2026-05-01'::date AS d, '2026-05-01 14:00:00'::timestamp(0) without time zone AS l;";
        assert_eq!(
            mask(view, &w),
            "SELECT 'now'::timestamp with time zone AS t,\n    'now'::date AS d, 'now'::timestamp(0) without time zone AS l;"
        );
        let short = "'2026-05-01 12:00:00+00'::timestamptz, '2026-05-01 12:00:00'::timestamp(6)";
        assert_eq!(mask(short, &w), "'now'::timestamptz, 'now'::timestamp(6)");
    }

    #[test]
    fn literals_outside_the_run_and_other_constants_are_kept() {
        let w = window();
        for text in [
            // Written by an author: long before the run.
            "'2024-01-01 00:00:00+00'::timestamp with time zone",
            "'2024-01-01'::date",
            // During the run, but not a date or timestamp constant.
            "'2026-05-01 12:00:00+00'::text",
            "'2026-05-01 12:00:00+00'::timestamp with time zoned",
            "'2026-05-01 12:00:00+00'::timestamps",
            // A quote inside a string or an identifier is not a literal's.
            "'it''s ''2026-05-01''::date'",
            "\"a'b\" = '2024-01-01'::date",
            "now()",
            "'infinity'::timestamp with time zone",
        ] {
            assert_eq!(mask(text, &w), text);
        }
        // A time-zoned literal a minute and a half after the window's end is kept.
        let late = "'2026-05-01 12:01:30+00'::timestamp with time zone";
        assert_eq!(mask(late, &Window::from_epoch(NOON - 1.0)), late);
    }

    #[test]
    fn an_unterminated_quote_is_copied_as_it_is() {
        assert_eq!(mask("x = 'abc", &window()), "x = 'abc");
        assert_eq!(mask("\"abc", &window()), "\"abc");
    }
}
