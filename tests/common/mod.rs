#![allow(dead_code)]
pub mod fake_windmill;
pub mod mcp;
