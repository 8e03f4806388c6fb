//! `tools/list` pages: the listing is the sections below, in order, and a cursor names a section and
//! an offset in it. Opaque to clients; parsed, never computed from a running total, so a section that
//! changes size (a workspace's scripts after a refresh) never shifts another's.

use std::fmt;

/// A part of the listing, in listing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// `search_endpoints`, `describe_endpoint`, `call_endpoint` (when the tool mode has them).
    Discovery,
    /// The endpoint tools the connection lists, by name.
    Endpoints,
    /// `get_job_result` (when scripts and flows are tools).
    JobResult,
    /// The workspace's scripts and flows, by name.
    Items,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Discovery,
        Section::Endpoints,
        Section::JobResult,
        Section::Items,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Section::Discovery => "discovery",
            Section::Endpoints => "endpoints",
            Section::JobResult => "job",
            Section::Items => "items",
        }
    }
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub section: Section,
    pub offset: usize,
}

/// The longest cursor read (a valid one is a few bytes).
const MAX_CURSOR_LEN: usize = 64;

/// A cursor this server did not give.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cursor {shown:?}: pass back the nextCursor of the previous page")]
pub struct CursorError {
    shown: String,
}

impl Cursor {
    pub const START: Cursor = Cursor {
        section: Section::Discovery,
        offset: 0,
    };

    pub fn parse(text: &str) -> Result<Cursor, CursorError> {
        let bad = || CursorError {
            shown: crate::text::ellipsize(text, MAX_CURSOR_LEN),
        };
        if text.len() > MAX_CURSOR_LEN {
            return Err(bad());
        }
        let (section, offset) = text.split_once(':').ok_or_else(bad)?;
        let section = Section::ALL
            .into_iter()
            .find(|s| s.as_str() == section)
            .ok_or_else(bad)?;
        let offset = offset.parse::<usize>().map_err(|_| bad())?;
        Ok(Cursor { section, offset })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.section.as_str(), self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        for s in Section::ALL {
            let c = Cursor {
                section: s,
                offset: 1234,
            };
            assert_eq!(Cursor::parse(&c.to_string()), Ok(c));
        }
        for bad in [
            "",
            "o:10",
            "items",
            "items:-1",
            "items:x",
            "ITEMS:1",
            "endpoints:1:2",
        ] {
            assert!(Cursor::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("items:{}", "9".repeat(10_000));
        let e = Cursor::parse(&long).expect_err("too long");
        assert!(e.to_string().len() < 200, "{e}");
    }
}
