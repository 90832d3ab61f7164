//! The grammar of list filter values (`price=lt.50`, `id=in.(a,b)`), one exact regex per field
//! type. The server compiles these patterns from the document it serves and refuses anything
//! else, so a value the document admits is one the server takes, and the other way round.
//! Digits are `[0-9]`, never `\d` (Unicode digits in Python's and Rust's regexes).

use super::patterns::{decimal, escape, LIKE, TEXT, TEXT_ITEM};
use crate::api::Operator;
use crate::ir::{FieldType, Model};
use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema, StringType};

/// The component schema holding the conditions a field of this type takes.
pub fn component_name(ty: &FieldType) -> String {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::Uuid => "UuidConditions".into(),
        text if text.is_text() => "TextConditions".into(),
        FieldType::Bool => "BooleanConditions".into(),
        FieldType::SmallInt => "SmallintConditions".into(),
        FieldType::Int => "IntegerConditions".into(),
        FieldType::BigInt => "BigintConditions".into(),
        FieldType::Float | FieldType::Double => "NumberConditions".into(),
        FieldType::Decimal { precision, scale } => format!("Decimal{precision}_{scale}Conditions"),
        FieldType::Date => "DateConditions".into(),
        FieldType::Time(_) => "TimeConditions".into(),
        FieldType::Timestamp(_) => "TimestampConditions".into(),
        FieldType::Timestamptz(_) => "TimestamptzConditions".into(),
        FieldType::Enum(name) => format!("{name}Conditions"),
        _ => unreachable!("api::listable excludes {ty:?}"),
    }
}

/// One schema per type some filterable field has.
pub fn components(model: &Model) -> IndexMap<String, ReferenceOr<Schema>> {
    let mut out = IndexMap::new();
    let fields = model.entities.iter().flat_map(|e| e.fields.iter().filter(|f| crate::api::filterable(f)));
    let mut types: Vec<&FieldType> = fields.map(|f| &f.ty).collect();
    types.sort_by_key(|ty| component_name(ty));
    types.dedup_by_key(|ty| component_name(ty));
    for ty in types {
        out.insert(component_name(ty), ReferenceOr::Item(schema(model, ty)));
    }
    out
}

fn schema(model: &Model, ty: &FieldType) -> Schema {
    let item = super::schemas::string_schema(StringType {
        pattern: Some(format!("^(?:{})$", condition(model, ty))),
        max_length: Some(wire::MAX_CONDITION_CHARS),
        ..StringType::default()
    });
    let description = "PostgREST-style conditions, all of which must hold: `eq.V`, `neq.V`, `lt.V`, `lte.V`, \
        `gt.V`, `gte.V`, `in.(V1,V2)`, `like.P`, `ilike.P` (on the value as text: `*` is any run of \
        characters, `_` any one, `\\` makes the next one literal), `is.null`, `not.is.null`. V is a value the \
        column can hold, in the field's JSON spelling (a bare V means `eq.V` where V cannot be read as a condition); text items of `in` holding `,\"()\\` are \
        double-quoted, with `\\` escaping.";
    let bounds = format!(
        " At most {} conditions per field, each at most {} characters long.",
        wire::MAX_CONDITIONS,
        wire::MAX_CONDITION_CHARS
    );
    let mut schema = super::schemas::array_within(item, false, None, Some(wire::MAX_CONDITIONS));
    schema.schema_data.description = Some(format!("{description}{bounds}"));
    schema
}

/// `op.value`, `in.(…)`, `like.P`, `ilike.P`, `is.null` or `not.is.null`; for types whose
/// values never look like a condition (keys, numbers, times), a bare value is `eq.value`. Each
/// operator of the wire contract is written here, by kind (a new operator must be placed).
pub fn condition(model: &Model, ty: &FieldType) -> String {
    // A domain's values are its base type's.
    let ty = ty.base();
    let value = value(model, ty);
    let (item, bare) = match ty {
        text if text.is_text() => (TEXT_ITEM.to_string(), String::new()),
        FieldType::Enum(_) => (format!("(?:{value})"), String::new()),
        _ => (format!("(?:{value})"), format!("|{value}")),
    };
    let (mut compare, mut list, mut like, mut null) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for op in Operator::ALL {
        let word = op.word().replace('.', "\\.");
        match op {
            Operator::Eq | Operator::Neq | Operator::Lt | Operator::Lte | Operator::Gt | Operator::Gte => {
                compare.push(word);
            }
            Operator::In => list.push(word),
            Operator::Like | Operator::ILike => like.push(word),
            Operator::Is | Operator::NotIs => null.push(word),
        }
    }
    let group = |words: Vec<String>| format!("(?:{})", words.join("|"));
    format!(
        "{}\\.(?:{value})|{}\\.\\((?:{item}(?:,{item})*)?\\)|{}\\.{LIKE}|{}\\.null{bare}",
        group(compare),
        group(list),
        group(like),
        group(null)
    )
}

/// A value of the type, as the list's query string spells it.
fn value(model: &Model, ty: &FieldType) -> String {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::String(_) => TEXT.into(),
        FieldType::Decimal { precision, scale } => decimal(*precision, *scale),
        FieldType::Enum(name) => {
            let def = model.enums.iter().find(|e| &e.name == name).expect("validated: enum exists");
            def.values.iter().map(|v| escape(v)).collect::<Vec<_>>().join("|")
        }
        plain => match crate::types::scalar(plain).and_then(|s| s.filter) {
            Some(grammar) => grammar(),
            None => unreachable!("Field::listable excludes {ty:?}"),
        },
    }
}
