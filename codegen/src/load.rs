//! Stage 1: read the spec and bring every cross-file `$ref` into one self-contained document.
//!
//! Windmill's `openapi.yaml` refers to `../../openflow.openapi.yaml` for flow definitions, and older
//! releases (v1.107.0) even make `components.schemas` itself a `$ref` to another file's whole schema map.
//! No typed OpenAPI model accepts that, so references are resolved here, on the untyped document:
//!
//! * a reference to `<file>#/components/schemas/<Name>` imports that schema under
//!   `#/components/schemas/<Name>` of the root document (suffixed `_2`, `_3`, ... when another file
//!   already uses the name) and becomes a local reference, so cycles stay cycles;
//! * a `components.schemas` that is a reference to a whole schema map takes that map's entries;
//! * any other external reference is replaced by the (resolved) content it points to.
//!
//! The result is what `windmill-mcp spec bundle` writes and what the rest of the generator reads.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{escape_token, SpecError, SpecErrors};

/// A spec with all external references brought in.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The self-contained document: only local (`#/...`) references remain.
    pub doc: Value,
    /// The file the document was read from.
    pub root: PathBuf,
    /// Every file read, root first (for `cargo:rerun-if-changed`).
    pub files: Vec<PathBuf>,
}

/// Reads `path` (YAML or JSON) and resolves its external references.
pub fn load(path: &Path) -> Result<Loaded, SpecErrors> {
    let mut b = Bundler::default();
    let root = b.canonical(path, path, "")?;
    let mut doc = b.file(&root)?.clone();
    b.register_root_schemas(&root, &mut doc);
    b.rewrite(&mut doc, &root, &root, &mut Vec::new(), String::new());
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in std::mem::take(&mut b.imported) {
            schemas.insert(name, schema);
        }
    } else if !b.imported.is_empty() {
        let imported: Map<String, Value> = std::mem::take(&mut b.imported).into_iter().collect();
        if let Some(obj) = doc.as_object_mut() {
            let components = obj
                .entry("components")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(c) = components.as_object_mut() {
                c.insert("schemas".into(), Value::Object(imported));
            }
        }
    }
    if !b.errors.is_empty() {
        return Err(SpecErrors(b.errors));
    }
    Ok(Loaded {
        doc,
        root,
        files: b.order,
    })
}

/// Parses the text of a spec file. JSON when it looks like JSON, else YAML.
pub fn parse_text(text: &str, file: &Path) -> Result<Value, SpecError> {
    let looks_json =
        file.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    if looks_json {
        return serde_json::from_str(text).map_err(|e| {
            SpecError::new(
                file,
                "",
                format!(
                    "not valid JSON: {e} (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        });
    }
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
        let mut msg = format!("not valid YAML: {e}");
        if has_yaml_aliases(text) {
            msg.push_str(
                ". This file uses YAML anchors and aliases, some of them recursive, as the \
                 `/api/openapi.yaml` a running Windmill serves does; serde-based YAML parsers cannot \
                 read those. Use the JSON twin instead: `GET <windmill>/api/openapi.json` \
                 (e.g. `windmill-mcp spec pull --from <windmill>`), or Windmill's source file \
                 `backend/windmill-api/openapi.yaml`",
            );
        }
        SpecError::new(file, "", msg)
    })
}

/// True when the YAML text uses an alias (`*name`) as a value.
fn has_yaml_aliases(text: &str) -> bool {
    text.lines().any(|line| {
        let t = line.trim_start();
        let value = t
            .strip_prefix("- ")
            .or_else(|| t.split_once(": ").map(|(_, v)| v))
            .unwrap_or("");
        value.starts_with('*')
            && value[1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[derive(Default)]
struct Bundler {
    cache: HashMap<PathBuf, Value>,
    order: Vec<PathBuf>,
    /// Local schema name → where it came from (file, pointer).
    names: BTreeMap<String, (PathBuf, String)>,
    origin_to_name: HashMap<(PathBuf, String), String>,
    imported: Vec<(String, Value)>,
    errors: Vec<SpecError>,
}

impl Bundler {
    fn canonical(&mut self, path: &Path, from: &Path, pointer: &str) -> Result<PathBuf, SpecError> {
        std::fs::canonicalize(path).map_err(|e| {
            SpecError::new(
                from,
                pointer,
                format!("cannot open `{}`: {e}", path.display()),
            )
        })
    }

    fn file(&mut self, path: &Path) -> Result<&Value, SpecError> {
        if !self.cache.contains_key(path) {
            let text = std::fs::read_to_string(path)
                .map_err(|e| SpecError::new(path, "", format!("cannot read: {e}")))?;
            let value = parse_text(&text, path)?;
            self.order.push(path.to_path_buf());
            self.cache.insert(path.to_path_buf(), value);
        }
        self.cache
            .get(path)
            .ok_or_else(|| SpecError::new(path, "", "file vanished from the cache"))
    }

    fn target(&mut self, file: &Path, pointer: &str) -> Result<Value, SpecError> {
        let doc = self.file(file)?;
        doc.pointer(pointer)
            .cloned()
            .ok_or_else(|| SpecError::new(file, pointer, "the `$ref` target does not exist"))
    }

    /// Records the root's own schemas, or takes a referenced schema map in their place.
    fn register_root_schemas(&mut self, root: &Path, doc: &mut Value) {
        let Some(schemas) = doc.pointer_mut("/components/schemas") else {
            return;
        };
        let whole_map_ref = schemas
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if let Some(r) = whole_map_ref {
            let (file_part, frag) = split_ref(&r);
            let here = "/components/schemas";
            let target_file = match self.resolve_file(root, file_part, here) {
                Ok(f) => f,
                Err(e) => {
                    self.errors.push(e);
                    *schemas = Value::Object(Map::new());
                    return;
                }
            };
            let map = match self.target(&target_file, &frag) {
                Ok(Value::Object(m)) => m,
                Ok(_) => {
                    self.errors.push(SpecError::new(
                        root,
                        here,
                        format!("`{r}` must point to a map of schemas"),
                    ));
                    Map::new()
                }
                Err(e) => {
                    self.errors.push(e.clone());
                    Map::new()
                }
            };
            *schemas = Value::Object(Map::new());
            for name in map.keys() {
                let origin = (
                    target_file.clone(),
                    format!("{frag}/{}", escape_token(name)),
                );
                self.names.insert(name.clone(), origin.clone());
                self.origin_to_name.insert(origin, name.clone());
            }
            for (name, mut schema) in map {
                let ptr = format!("{frag}/{}", escape_token(&name));
                self.rewrite(&mut schema, root, &target_file, &mut Vec::new(), ptr);
                self.imported.push((name, schema));
            }
        } else if let Some(map) = schemas.as_object() {
            for name in map.keys() {
                let origin = (
                    root.to_path_buf(),
                    format!("/components/schemas/{}", escape_token(name)),
                );
                self.names.insert(name.clone(), origin.clone());
                self.origin_to_name.insert(origin, name.clone());
            }
        }
    }

    fn resolve_file(
        &mut self,
        current: &Path,
        file_part: &str,
        pointer: &str,
    ) -> Result<PathBuf, SpecError> {
        if file_part.is_empty() {
            return Ok(current.to_path_buf());
        }
        let dir = current.parent().unwrap_or(Path::new("."));
        let joined = dir.join(file_part);
        self.canonical(&joined, current, pointer)
    }

    /// Rewrites the references in `value`, which lives in `file` at `ptr`.
    fn rewrite(
        &mut self,
        value: &mut Value,
        root: &Path,
        file: &Path,
        stack: &mut Vec<(PathBuf, String)>,
        ptr: String,
    ) {
        match value {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str).map(str::to_owned) {
                    let (file_part, frag) = split_ref(&r);
                    let target_file = match self.resolve_file(file, file_part, &ptr) {
                        Ok(f) => f,
                        Err(e) => {
                            self.errors.push(e);
                            return;
                        }
                    };
                    if target_file == root {
                        if file != root {
                            // A reference back into the root file from another file.
                            map.insert(
                                "$ref".into(),
                                Value::String(format!("#{}", encode_fragment(&frag))),
                            );
                        }
                        return;
                    }
                    if self.file(&target_file).is_err() {
                        if let Err(e) = self.file(&target_file) {
                            self.errors.push(e);
                        }
                        return;
                    }
                    if let Some(name) = schema_name(&frag) {
                        let local = self.import_schema(root, &target_file, &frag, name);
                        map.insert(
                            "$ref".into(),
                            Value::String(format!(
                                "#/components/schemas/{}",
                                encode_fragment(&escape_token(&local))
                            )),
                        );
                        return;
                    }
                    let key = (target_file.clone(), frag.clone());
                    if stack.contains(&key) {
                        self.errors.push(SpecError::new(
                            file,
                            &ptr,
                            format!("`$ref: {r}` refers to itself through other files"),
                        ));
                        return;
                    }
                    match self.target(&target_file, &frag) {
                        Ok(mut content) => {
                            stack.push(key);
                            self.rewrite(&mut content, root, &target_file, stack, frag.clone());
                            stack.pop();
                            *value = content;
                        }
                        Err(mut e) => {
                            e.message =
                                format!("{} (referenced from {}#{ptr})", e.message, file.display());
                            self.errors.push(e);
                        }
                    }
                    return;
                }
                for (k, v) in map.iter_mut() {
                    let child = format!("{ptr}/{}", escape_token(k));
                    self.rewrite(v, root, file, stack, child);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    let child = format!("{ptr}/{i}");
                    self.rewrite(v, root, file, stack, child);
                }
            }
            _ => {}
        }
    }

    fn import_schema(&mut self, root: &Path, file: &Path, frag: &str, name: &str) -> String {
        let origin = (file.to_path_buf(), frag.to_owned());
        if let Some(n) = self.origin_to_name.get(&origin) {
            return n.clone();
        }
        let mut local = name.to_owned();
        let mut i = 2;
        while self.names.contains_key(&local) {
            local = format!("{name}_{i}");
            i += 1;
        }
        self.names.insert(local.clone(), origin.clone());
        self.origin_to_name.insert(origin, local.clone());
        match self.target(file, frag) {
            Ok(mut content) => {
                self.rewrite(&mut content, root, file, &mut Vec::new(), frag.to_owned());
                self.imported.push((local.clone(), content));
            }
            Err(e) => self.errors.push(e),
        }
        local
    }
}

/// Splits `file#fragment` and percent-decodes the fragment into a JSON pointer.
fn split_ref(r: &str) -> (&str, String) {
    let (file, frag) = r.split_once('#').unwrap_or((r, ""));
    (file, percent_decode(frag))
}

/// `Name` when the pointer is `/components/schemas/Name`.
fn schema_name(pointer: &str) -> Option<&str> {
    let rest = pointer.strip_prefix("/components/schemas/")?;
    if rest.contains('/') || rest.contains('~') {
        return None;
    }
    Some(rest)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Percent-encodes the characters a URI fragment cannot hold as they are.
fn encode_fragment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' | '"' | '<' | '>' | '`' | '#' | '%' | '{' | '}' | '|' | '\\' | '^' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_of_fragments() {
        assert_eq!(percent_decode("/a%20b/c"), "/a b/c");
        assert_eq!(percent_decode("/x%"), "/x%");
        assert_eq!(percent_decode("/x%zz"), "/x%zz");
    }

    #[test]
    fn alias_detection() {
        assert!(has_yaml_aliases("a: &x\n  b: 1\nc: *x\n"));
        assert!(has_yaml_aliases("list:\n  - *item\n"));
        assert!(!has_yaml_aliases("a: '*not'\nb: 2 * 3\n"));
    }
}
