//! `windmill-mcp`: serve Windmill's API as MCP tools, or inspect the generated tools
//! (see [`windmill_mcp::cli`]).

fn main() -> std::process::ExitCode {
    windmill_mcp::cli::main()
}
