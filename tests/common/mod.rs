#![allow(dead_code)]
pub mod mcp;
