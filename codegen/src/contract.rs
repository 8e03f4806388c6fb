//! The runtime's contract with Windmill's API: the operations the server calls on its own behalf
//! (listing, describing and running a workspace's scripts and flows, reading Windmill's version),
//! and the fields it sets on each.
//!
//! The emitter turns each [`ContractOp`] into a small struct with a fixed shape (the same for every
//! Windmill version) whose `request` fills the operation's generated, typed `Params`, so the Rust
//! compiler checks every field against the spec the crate is built from. [`plan`] decides, for one
//! spec, how each contract field reaches its operation; what a spec lacks is a [`Problem`] that the
//! build prints, and `spec diff` marks the operations listed here as ones the runtime depends on.

use crate::ir::{Api, BodyEncoding, BodyShape, Location, Operation, ScalarKind};

/// The Rust type of a contract field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// `String`
    Str,
    /// `i64`
    Int,
    /// `bool`
    Bool,
    /// `serde_json::Value`
    Json,
}

/// Where a contract field goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The path or query parameter of that wire name.
    Param,
    /// The property of that wire name in a JSON object body.
    BodyField,
    /// The whole body.
    Body,
}

/// One field the runtime sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractField {
    /// The field's name on the contract struct: the wire name (`body` for the whole body).
    pub name: &'static str,
    pub ty: FieldType,
    /// Required fields are plain values; the others are `Option`s.
    pub required: bool,
    pub place: Place,
}

/// One operation the runtime calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractOp {
    /// The operationId.
    pub operation: &'static str,
    /// The contract struct's name.
    pub name: &'static str,
    /// What the runtime uses it for.
    pub purpose: &'static str,
    pub fields: &'static [ContractField],
}

const fn param(name: &'static str, ty: FieldType, required: bool) -> ContractField {
    ContractField {
        name,
        ty,
        required,
        place: Place::Param,
    }
}

const PATH: ContractField = param("path", FieldType::Str, true);
const ID: ContractField = param("id", FieldType::Str, true);
const PAGE: ContractField = param("page", FieldType::Int, false);
const PER_PAGE: ContractField = param("per_page", FieldType::Int, false);
const ORDER_DESC: ContractField = param("order_desc", FieldType::Bool, false);
const ARGS: ContractField = ContractField {
    name: "body",
    ty: FieldType::Json,
    required: false,
    place: Place::Body,
};

/// Every operation the runtime calls, by operationId.
pub const CONTRACT: &[ContractOp] = &[
    ContractOp {
        operation: "backendVersion",
        name: "BackendVersion",
        purpose: "the running Windmill's version, compared with the compiled spec's",
        fields: &[],
    },
    ContractOp {
        operation: "cancelQueuedJob",
        name: "CancelQueuedJob",
        purpose: "cancels the job of a script or flow call the client cancelled",
        fields: &[
            ID,
            ContractField {
                name: "reason",
                ty: FieldType::Str,
                required: false,
                place: Place::BodyField,
            },
        ],
    },
    ContractOp {
        operation: "getCompletedJobResultMaybe",
        name: "GetCompletedJobResultMaybe",
        purpose: "polls the outcome of a script or flow job",
        fields: &[ID, param("get_started", FieldType::Bool, false)],
    },
    ContractOp {
        operation: "getFlowByPath",
        name: "GetFlowByPath",
        purpose: "a flow's argument schema",
        fields: &[PATH],
    },
    ContractOp {
        operation: "getJobLogs",
        name: "GetJobLogs",
        purpose: "the last log lines of a failed job",
        fields: &[ID],
    },
    ContractOp {
        operation: "getScriptByPath",
        name: "GetScriptByPath",
        purpose: "a script's argument schema",
        fields: &[PATH],
    },
    ContractOp {
        operation: "listFlows",
        name: "ListFlows",
        purpose: "lists the workspace's flows",
        fields: &[PAGE, PER_PAGE, ORDER_DESC],
    },
    ContractOp {
        operation: "listResource",
        name: "ListResource",
        purpose: "resources offered for resource arguments",
        fields: &[param("resource_type", FieldType::Str, false), PER_PAGE],
    },
    ContractOp {
        operation: "listScripts",
        name: "ListScripts",
        purpose: "lists the workspace's scripts",
        fields: &[
            PAGE,
            PER_PAGE,
            ORDER_DESC,
            param("kinds", FieldType::Str, false),
        ],
    },
    ContractOp {
        operation: "runFlowByPath",
        name: "RunFlowByPath",
        purpose: "runs a flow tool",
        fields: &[PATH, ARGS],
    },
    ContractOp {
        operation: "runScriptByPath",
        name: "RunScriptByPath",
        purpose: "runs a script tool",
        fields: &[PATH, ARGS],
    },
];

/// Whether the runtime calls this operation.
pub fn is_contract_operation(operation_id: &str) -> bool {
    CONTRACT.iter().any(|c| c.operation == operation_id)
}

/// How a contract value becomes the value of the spec's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// The same type.
    Same,
    /// `i64` → `f64`.
    IntToFloat,
    /// A number or boolean → its text.
    ToText,
    /// Any → `serde_json::Value`.
    ToJson,
}

/// How one field of the spec's `Params` is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fill {
    /// `None` (an optional parameter the runtime does not set).
    Nothing,
    /// From the contract field `field`, converted; `wrap` puts a required contract value into an
    /// `Option`, `map` converts inside an `Option`.
    From {
        field: &'static str,
        conversion: Conversion,
        wrap: bool,
        map: bool,
    },
}

/// How the spec's body is filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyFill {
    /// The operation has no body (or the runtime sends none).
    None,
    /// A whole-body `Option<Value>` from the contract's `body` (or `None`).
    Whole { from_contract: bool },
    /// A JSON object body of named properties: `(wire name, contract field, conversion)`; the
    /// body's other properties are left out.
    Fields(Vec<(String, &'static str, Conversion)>),
}

/// Something a spec lacks for the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub operation: &'static str,
    pub what: String,
}

/// How one contract operation is laid out for one spec.
#[derive(Debug, Clone)]
pub struct OpPlan<'a> {
    pub contract: &'static ContractOp,
    /// The spec's operation, when it has one the contract can use.
    pub operation: Option<&'a Operation>,
    /// Why the operation cannot be used, when it cannot.
    pub unsupported: Option<String>,
    /// Each `Params` field (by Rust name) and how it is filled.
    pub params: Vec<(String, Fill)>,
    pub body: BodyFill,
    /// Contract fields this spec has no place for (they are ignored).
    pub ignored: Vec<&'static str>,
    pub problems: Vec<Problem>,
}

fn conversion(from: FieldType, to: ScalarKind) -> Option<Conversion> {
    use FieldType as F;
    use ScalarKind as K;
    Some(match (from, to) {
        (_, K::Json) => Conversion::ToJson,
        (F::Str, K::String) | (F::Int, K::Integer) | (F::Bool, K::Boolean) => Conversion::Same,
        (F::Int, K::Number) => Conversion::IntToFloat,
        (F::Int | F::Bool, K::String) => Conversion::ToText,
        _ => return None,
    })
}

/// Plans one contract operation against a lowered spec.
pub fn plan<'a>(api: &'a Api, contract: &'static ContractOp) -> OpPlan<'a> {
    let mut out = OpPlan {
        contract,
        operation: None,
        unsupported: None,
        params: Vec::new(),
        body: BodyFill::None,
        ignored: Vec::new(),
        problems: Vec::new(),
    };
    let problem = |what: String| Problem {
        operation: contract.operation,
        what,
    };
    let Some(op) = api.operations.iter().find(|o| o.name == contract.operation) else {
        let why = format!("this spec has no operation `{}`", contract.operation);
        out.problems.push(problem(why.clone()));
        out.unsupported = Some(why);
        return out;
    };
    let mut used: Vec<&'static str> = Vec::new();
    for p in &op.params {
        let field = contract
            .fields
            .iter()
            .find(|f| f.place == Place::Param && f.name == p.wire_name);
        let fill = match field {
            None if p.required && !(p.location == Location::Path && p.wire_name == "workspace") => {
                let why = format!(
                    "its required {} parameter `{}` is not one the runtime sets",
                    format!("{:?}", p.location).to_lowercase(),
                    p.wire_name
                );
                out.problems.push(problem(why.clone()));
                out.unsupported = Some(why);
                Fill::Nothing
            }
            None => Fill::Nothing,
            Some(f) => match conversion(f.ty, p.kind) {
                None => {
                    out.problems.push(problem(format!(
                        "parameter `{}` is {:?} in this spec, the runtime sets {:?}: not sent",
                        p.wire_name, p.kind, f.ty
                    )));
                    Fill::Nothing
                }
                Some(_) if !f.required && p.required => {
                    let why = format!(
                        "parameter `{}` is required in this spec, and the runtime does not always set it",
                        p.wire_name
                    );
                    out.problems.push(problem(why.clone()));
                    out.unsupported = Some(why);
                    Fill::Nothing
                }
                Some(c) => {
                    used.push(f.name);
                    Fill::From {
                        field: f.name,
                        conversion: c,
                        wrap: f.required && !p.required,
                        map: !f.required,
                    }
                }
            },
        };
        out.params.push((p.rust_name.clone(), fill));
    }
    match &op.body {
        None => {}
        Some(b) => match &b.shape {
            BodyShape::Whole { .. } => {
                let has = contract
                    .fields
                    .iter()
                    .any(|f| f.place == Place::Body && b.encoding == BodyEncoding::Json);
                if has {
                    used.push("body");
                }
                out.body = BodyFill::Whole { from_contract: has };
            }
            BodyShape::Fields(pairs) => {
                let mut fills = Vec::new();
                for f in contract
                    .fields
                    .iter()
                    .filter(|f| f.place == Place::BodyField)
                {
                    if pairs.iter().any(|(_, wire)| wire == f.name) {
                        used.push(f.name);
                        fills.push((f.name.to_owned(), f.name, Conversion::ToJson));
                    }
                }
                out.body = BodyFill::Fields(fills);
            }
        },
    }
    for f in contract.fields {
        if !used.contains(&f.name) {
            out.ignored.push(f.name);
            out.problems.push(problem(format!(
                "this spec has no {} `{}`: the runtime's value is not sent",
                match f.place {
                    Place::Param => "parameter",
                    Place::BodyField => "body property",
                    Place::Body => "JSON body",
                },
                f.name
            )));
        }
    }
    if out.unsupported.is_none() {
        out.operation = Some(op);
    }
    out
}

/// What a spec lacks for the runtime, one line each (the build prints them as warnings).
pub fn problems(api: &Api) -> Vec<Problem> {
    CONTRACT
        .iter()
        .flat_map(|c| plan(api, c).problems)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_is_sorted_and_unique() {
        let names: Vec<&str> = CONTRACT.iter().map(|c| c.operation).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn conversions() {
        assert_eq!(
            conversion(FieldType::Str, ScalarKind::String),
            Some(Conversion::Same)
        );
        assert_eq!(
            conversion(FieldType::Int, ScalarKind::Number),
            Some(Conversion::IntToFloat)
        );
        assert_eq!(
            conversion(FieldType::Bool, ScalarKind::String),
            Some(Conversion::ToText)
        );
        assert_eq!(
            conversion(FieldType::Str, ScalarKind::Json),
            Some(Conversion::ToJson)
        );
        assert_eq!(conversion(FieldType::Str, ScalarKind::Integer), None);
    }
}
