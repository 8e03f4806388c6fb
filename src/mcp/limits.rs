//! The last word on what a tool call sends back: error texts obey `--max-result-bytes` like
//! results do (an argument error can quote any number of the caller's keys and values).

use rmcp::model::{CallToolResponse, ContentBlock};

use crate::text::cap_text;

/// A tool error whose texts are cut to `max` bytes each (with the usual marker); results that are
/// not errors were capped where they were made and pass unchanged.
pub fn cap_error(response: CallToolResponse, max: usize) -> CallToolResponse {
    match response {
        CallToolResponse::Complete(mut r) if r.is_error == Some(true) => {
            for block in &mut r.content {
                let long = block.as_text().is_some_and(|t| t.text.len() > max);
                if long {
                    if let Some(t) = block.as_text() {
                        *block = ContentBlock::text(cap_text(t.text.clone(), max));
                    }
                }
            }
            CallToolResponse::Complete(r)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upstream::answer::tool_error;

    #[test]
    fn long_errors_are_cut_and_results_pass() {
        let r = cap_error(tool_error("x".repeat(50_000)).into(), 1000);
        let CallToolResponse::Complete(r) = r else {
            panic!("complete")
        };
        let t = &r.content[0].as_text().expect("text").text;
        assert!(t.len() < 1300 && t.contains("cut"), "{}", t.len());
        let ok = rmcp::model::CallToolResult::success(vec![ContentBlock::text("y".repeat(5000))]);
        let CallToolResponse::Complete(ok) = cap_error(ok.into(), 1000) else {
            panic!("complete")
        };
        assert_eq!(ok.content[0].as_text().expect("text").text.len(), 5000);
    }
}
