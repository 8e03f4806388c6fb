//! Errors that name where in the spec a problem is.
//!
//! Every problem found in a spec becomes one [`SpecError`] carrying the file, a JSON pointer into that
//! file and, where known, the operationId. The generator collects them instead of stopping at the first,
//! so one build shows every problem in the input.

use std::fmt;
use std::path::PathBuf;

/// One problem in the input, located as precisely as the generator can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file the problem is in.
    pub file: PathBuf,
    /// A JSON pointer (RFC 6901) into that file; empty for the whole document.
    pub pointer: String,
    /// The operation concerned, when the problem belongs to one.
    pub operation_id: Option<String>,
    /// What is wrong, and where useful what to do about it.
    pub message: String,
}

impl SpecError {
    pub fn new(
        file: impl Into<PathBuf>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        SpecError {
            file: file.into(),
            pointer: pointer.into(),
            operation_id: None,
            message: message.into(),
        }
    }

    pub fn with_operation(mut self, operation_id: Option<&str>) -> Self {
        self.operation_id = operation_id.map(str::to_owned);
        self
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if !self.pointer.is_empty() {
            write!(f, "#{}", self.pointer)?;
        }
        if let Some(op) = &self.operation_id {
            write!(f, " (operationId {op})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All the problems found in one run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} problem(s) in the OpenAPI document:", self.0.len())?;
        for e in &self.0 {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}

impl From<SpecError> for SpecErrors {
    fn from(e: SpecError) -> Self {
        SpecErrors(vec![e])
    }
}

/// Escapes one reference token for a JSON pointer (RFC 6901).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from reference tokens.
pub fn pointer<I, S>(tokens: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for t in tokens {
        out.push('/');
        out.push_str(&escape_token(t.as_ref()));
    }
    out
}
