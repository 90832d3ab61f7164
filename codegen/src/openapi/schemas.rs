//! Component schemas: per entity a Read, a Create and an Update schema, the enums, and the
//! problem+json body. `required` (the key must be present) and `nullable` (null is a value) are
//! decided separately, from different facts of the field.

use crate::api;
use crate::ir::{AppDefault, Entity, Field, FieldType, Model, Validation};
use crate::types::{self, Json};
use indexmap::IndexMap;
use openapiv3::{
    AnySchema, ArrayType, BooleanType, IntegerFormat, IntegerType, NumberFormat, NumberType, ObjectType, ReferenceOr,
    Schema, SchemaData, SchemaKind, StringFormat, StringType, Type, VariantOrUnknownOrEmpty,
};

pub const PROBLEM: &str = "Problem";
/// Any JSON value a json or jsonb column holds.
pub const JSON_VALUE: &str = "JsonValue";
pub const LOGIN: &str = "Credentials";
pub const TOKEN: &str = "BearerToken";

pub fn read_name(entity: &Entity) -> String {
    entity.name.clone()
}

pub fn create_name(entity: &Entity) -> String {
    format!("{}Create", entity.name)
}

pub fn update_name(entity: &Entity) -> String {
    format!("{}Update", entity.name)
}

pub fn reference(name: &str) -> ReferenceOr<Schema> {
    ReferenceOr::Reference { reference: format!("#/components/schemas/{name}") }
}

pub fn components(model: &Model) -> IndexMap<String, ReferenceOr<Schema>> {
    let mut out = IndexMap::new();
    for entity in &model.entities {
        out.insert(read_name(entity), ReferenceOr::Item(read_schema(entity)));
        out.insert(create_name(entity), ReferenceOr::Item(create_schema(entity)));
        out.insert(update_name(entity), ReferenceOr::Item(update_schema(entity)));
    }
    for def in &model.enums {
        let mut schema = string_schema(StringType {
            enumeration: def.values.iter().cloned().map(Some).collect(),
            ..StringType::default()
        });
        schema.schema_data.description = def.doc.clone();
        out.insert(def.name.clone(), ReferenceOr::Item(schema));
    }
    if let Some((entity, login)) = api::identity_login(model) {
        out.insert(LOGIN.into(), ReferenceOr::Item(login_schema(entity, login)));
        out.insert(TOKEN.into(), ReferenceOr::Item(token_schema()));
    }
    out.insert(PROBLEM.into(), ReferenceOr::Item(problem_schema()));
    if model.entities.iter().flat_map(|e| &e.fields).any(|f| holds_json(&f.ty)) {
        out.insert(JSON_VALUE.into(), ReferenceOr::Item(json_value_schema()));
    }
    out
}

/// What a response holds: every field but secrets, all present, nullable where the column is.
fn read_schema(entity: &Entity) -> Schema {
    let fields: Vec<&Field> = entity.fields.iter().filter(|f| api::readable(f)).collect();
    let properties = fields
        .iter()
        .map(|f| {
            let mut schema = field_schema(f, f.nullable);
            let data = &mut schema.schema_data;
            data.read_only = !api::writable(f);
            if let Some(roles) = &f.read_roles {
                let note = format!("Present only for the roles {} (and {}).", roles.join(", "), crate::ir::ADMIN_ROLE);
                data.description = Some(data.description.take().map_or(note.clone(), |d| format!("{d} {note}")));
            }
            (f.name.clone(), boxed(schema))
        })
        .collect();
    // A field some callers may not see is left out of their responses: not required.
    let required = fields.iter().filter(|f| f.read_roles.is_none()).map(|f| f.name.clone()).collect();
    object(entity.doc.clone(), properties, required)
}

/// What a create takes: client-writable fields; required unless nullable or defaulted.
fn create_schema(entity: &Entity) -> Schema {
    let fields: Vec<&Field> = entity.fields.iter().filter(|f| api::writable(f)).collect();
    let properties = fields
        .iter()
        .map(|f| {
            let mut schema = input_schema(entity, f);
            let data = &mut schema.schema_data;
            if let Some(AppDefault::Value(value)) = &f.default {
                data.default = Some(json_default(&f.ty, value));
            }
            (api::wire_name(entity, f).to_string(), boxed(schema))
        })
        .collect();
    let required =
        fields.iter().filter(|f| api::required_on_create(f)).map(|f| api::wire_name(entity, f).to_string()).collect();
    let doc = format!("Input to create a {}; server-managed fields are set by the server.", entity.name);
    closed(object(Some(doc + &rules_across_fields(entity)), properties, required))
}

/// What a partial update takes: any writable field (none required), plus the version read.
fn update_schema(entity: &Entity) -> Schema {
    let mut properties: IndexMap<String, ReferenceOr<Box<Schema>>> = entity
        .fields
        .iter()
        .filter(|f| api::patchable(f))
        .map(|f| (api::wire_name(entity, f).to_string(), boxed(input_schema(entity, f))))
        .collect();
    if let Some(version) = api::version_field(entity) {
        let mut schema = field_schema(version, false);
        schema.schema_data.description = Some(
            "The version last read: the update applies only if the row is still at this version, else 409 \
             (`If-Match` may carry it instead). Without either, the update applies to whatever version is current."
                .into(),
        );
        properties.insert(version.name.clone(), boxed(schema));
    }
    if api::password_field(entity).is_some() {
        let mut schema = password_schema(api::current_password_doc(entity));
        schema.schema_data.write_only = true;
        properties.insert(api::CURRENT_PASSWORD_FIELD.into(), boxed(schema));
    }
    let doc = format!("A partial update of a {}: only the fields present change.", entity.name);
    closed(object(Some(doc + &rules_across_fields(entity)), properties, Vec::new()))
}

/// The CHECKs over several fields, which no schema keyword states: said in words (a row breaking
/// one is a 422 naming it).
fn rules_across_fields(entity: &Entity) -> String {
    let names: Vec<&str> = entity.fields.iter().map(|f| f.name.as_str()).collect();
    let rules: Vec<String> = entity
        .checks
        .iter()
        .filter(|c| crate::spec::validate::bounds::field_of_check(c, &names).is_none())
        .map(|c| format!("`{}`: `{}`", c.name, c.expr))
        .collect();
    if rules.is_empty() {
        return String::new();
    }
    format!(" The row must also meet (else 422 naming the rule): {}.", rules.join("; "))
}

/// A password in plain text, within the API's bounds.
fn password_schema(description: String) -> Schema {
    let mut schema = text(&api::password_validation(), None);
    schema.schema_data.description = Some(description);
    if let SchemaKind::Type(Type::String(string)) = &mut schema.schema_kind {
        string.format = VariantOrUnknownOrEmpty::Item(StringFormat::Password);
    }
    schema
}

/// A field as a request body carries it: secrets are write-only; the identity's password is
/// plain text the server hashes; fields some roles may not set say so.
fn input_schema(entity: &Entity, f: &Field) -> Schema {
    let mut schema = if api::is_password(entity, f) {
        password_schema("The password; the server stores its argon2id hash.".into())
    } else {
        field_schema(f, f.nullable)
    };
    let data = &mut schema.schema_data;
    data.write_only = f.secret;
    if let Some(roles) = &f.write_roles {
        let note = format!("Only the roles {} (and {}) may set it.", roles.join(", "), crate::ir::ADMIN_ROLE);
        data.description = Some(data.description.take().map_or(note.clone(), |d| format!("{d} {note}")));
    }
    schema
}

/// `POST /api/v1/auth/login` (and register) takes the login field and the password.
pub fn login_schema(entity: &Entity, login: &Field) -> Schema {
    let mut props = IndexMap::new();
    props.insert(login.name.clone(), boxed(field_schema(login, false)));
    let password = entity.fields.iter().find(|f| api::is_password(entity, f)).expect("validated: identity password");
    props.insert(crate::ir::PASSWORD_WIRE_NAME.into(), boxed(input_schema(entity, password)));
    let required = vec![login.name.clone(), crate::ir::PASSWORD_WIRE_NAME.into()];
    closed(object(Some("Credentials.".into()), props, required))
}

/// What login and register answer: an OAuth 2.0-style bearer token (RFC 6749 §5.1).
pub fn token_schema() -> Schema {
    let mut props = IndexMap::new();
    props.insert(
        "access_token".into(),
        boxed(with_doc(string_schema(StringType::default()), "A JWT to send as Authorization: Bearer <token>.")),
    );
    let bearer = string_schema(StringType { enumeration: vec![Some("Bearer".into())], ..StringType::default() });
    props.insert("token_type".into(), boxed(bearer));
    props.insert(
        "expires_in".into(),
        boxed(with_doc(integer(IntegerFormat::Int64, Some(0), None), "Seconds until the token expires.")),
    );
    let required = vec!["access_token".into(), "token_type".into(), "expires_in".into()];
    object(Some("A bearer token.".into()), props, required)
}

fn holds_json(ty: &FieldType) -> bool {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::Json | FieldType::Jsonb => true,
        FieldType::Array(inner) => holds_json(inner),
        _ => false,
    }
}

/// Any JSON value PostgreSQL stores, numbers of any size and precision, nested at will. jsonb
/// refuses NUL (`\u0000`) anywhere: the schema says so of every string value, and in prose of
/// object keys, which OpenAPI 3.0 cannot constrain (no `propertyNames`).
fn json_value_schema() -> Schema {
    let nested = || format!("#/components/schemas/{JSON_VALUE}");
    let with_nul = string_schema(StringType { pattern: Some("\\x00".into()), ..StringType::default() });
    Schema {
        schema_data: SchemaData {
            description: Some(
                "Any JSON value, except that no string in it, key or element at any depth, may hold NUL (\\u0000): \
                 PostgreSQL's jsonb refuses it."
                    .into(),
            ),
            ..SchemaData::default()
        },
        // No `type`: `items` constrains arrays only, `additionalProperties` objects only.
        schema_kind: SchemaKind::Any(AnySchema {
            items: Some(ReferenceOr::Reference { reference: nested() }),
            additional_properties: Some(openapiv3::AdditionalProperties::Schema(Box::new(reference(JSON_VALUE)))),
            not: Some(Box::new(ReferenceOr::Item(with_nul))),
            ..AnySchema::default()
        }),
    }
}

/// RFC 9457 problem details, with field-level errors for 422.
fn problem_schema() -> Schema {
    let string = |description: &str| boxed(with_doc(string_schema(StringType::default()), description));
    let mut error_props = IndexMap::new();
    error_props.insert("field".into(), string("The field (a JSON pointer's last segment) that is wrong."));
    error_props.insert("message".into(), string("What is wrong with it."));
    let error = object(None, error_props, vec!["field".into(), "message".into()]);
    let mut props = IndexMap::new();
    props.insert("type".into(), string("A URI reference naming the kind of problem."));
    props.insert("title".into(), string("A short summary of the kind of problem."));
    props.insert("status".into(), boxed(with_doc(integer(IntegerFormat::Int32, None, None), "The HTTP status code.")));
    props.insert("detail".into(), string("What went wrong this time."));
    props.insert("instance".into(), string("The request path."));
    let errors = array_within(error, false, None, Some(wire::MAX_FIELD_ERRORS));
    let listed = format!("Field-level validation errors (the first {}).", wire::MAX_FIELD_ERRORS);
    props.insert("errors".into(), boxed(with_doc(errors, &listed)));
    object(
        Some("An error, as application/problem+json (RFC 9457).".into()),
        props,
        vec!["type".into(), "title".into(), "status".into()],
    )
}

/// The schema of one field's value; `nullable` decides whether null is allowed.
pub fn field_schema(field: &Field, nullable: bool) -> Schema {
    let mut schema = type_schema(&field.ty, &field.validate);
    let data = &mut schema.schema_data;
    data.description = field.doc.clone();
    if field.lowercase {
        let said = "Stored lower-cased; compared without regard to case.";
        data.description = Some(data.description.take().map_or(said.to_string(), |doc| format!("{doc} {said}")));
    }
    if nullable {
        data.nullable = true;
    }
    schema
}

/// The schema of a bare value of this type (a key in a path, say).
pub fn value_schema(ty: &FieldType) -> Schema {
    type_schema(ty, &Validation::default())
}

fn type_schema(ty: &FieldType, v: &Validation) -> Schema {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::String(n) | FieldType::Char(n) => text(v, Some(u64::from(*n))),
        FieldType::Text | FieldType::Varchar => text(v, None),
        FieldType::Sql(_) => json_schema(Json::Pattern(super::patterns::TEXT), v),
        FieldType::Decimal { precision, scale } => string_schema(StringType {
            format: VariantOrUnknownOrEmpty::Unknown("decimal".into()),
            pattern: Some(format!("^{}$", super::patterns::decimal(*precision, *scale))),
            ..StringType::default()
        }),
        // A `$ref` cannot carry siblings in 3.0, so the reference is wrapped to take `nullable`.
        FieldType::Enum(name) => Schema {
            schema_data: SchemaData::default(),
            schema_kind: SchemaKind::AllOf { all_of: vec![reference(name)] },
        },
        FieldType::Array(inner) => {
            // Length and pattern rules of the spec apply to each element, not to the array; any
            // element may be NULL.
            let mut item = type_schema(inner, v);
            item.schema_data.nullable = true;
            array_of(item, false)
        }
        FieldType::Vector(dimensions) => vector(dimensions.map(|n| n as usize)),
        FieldType::Bit(_) | FieldType::Varbit(_) => {
            let bits = match ty {
                FieldType::Bit(n) => super::patterns::bits(*n, true),
                FieldType::Varbit(Some(n)) => super::patterns::bits(*n, false),
                _ => "[01]*".to_string(),
            };
            string_schema(StringType { pattern: Some(format!("^{bits}$")), ..StringType::default() })
        }
        plain => json_schema(types::scalar(plain).map_or(Json::Any, |s| s.json), v),
    }
}

/// A plain type's JSON shape (from the type table), with the spec's numeric bounds.
fn json_schema(json: Json, v: &Validation) -> Schema {
    match json {
        Json::String { format: Some("uuid") } => string_format("uuid"),
        Json::String { format } => string_schema(StringType {
            format: match format {
                Some("date") => VariantOrUnknownOrEmpty::Item(StringFormat::Date),
                Some("date-time") => VariantOrUnknownOrEmpty::Item(StringFormat::DateTime),
                Some("byte") => VariantOrUnknownOrEmpty::Item(StringFormat::Byte),
                Some(other) => VariantOrUnknownOrEmpty::Unknown(other.into()),
                None => VariantOrUnknownOrEmpty::Empty,
            },
            ..StringType::default()
        }),
        // `type` only beside `anyOf`: OpenAPI 3.0's `nullable` applies where `type` is, and the
        // branches (a format, an enum) let `null` through to it.
        Json::Instant(format) => {
            let branch = |kind| Schema { schema_data: SchemaData::default(), schema_kind: SchemaKind::Any(kind) };
            let ends = [wire::INFINITY, wire::NEG_INFINITY].map(serde_json::Value::from).to_vec();
            Schema {
                schema_data: SchemaData::default(),
                schema_kind: SchemaKind::Any(AnySchema {
                    typ: Some("string".into()),
                    any_of: vec![
                        ReferenceOr::Item(branch(AnySchema { format: Some(format.into()), ..AnySchema::default() })),
                        ReferenceOr::Item(branch(AnySchema { enumeration: ends, ..AnySchema::default() })),
                    ],
                    ..AnySchema::default()
                }),
            }
        }
        Json::Pattern(pattern) => {
            // Grouped: a pattern with alternatives is anchored as a whole.
            string_schema(StringType { pattern: Some(format!("^(?:{pattern})$")), ..StringType::default() })
        }
        Json::Integer { int64, stated } => integer(
            if int64 { IntegerFormat::Int64 } else { IntegerFormat::Int32 },
            v.min.map(|m| m.ceil() as i64).or(stated.map(|(lo, _)| lo)),
            v.max.map(|m| m.floor() as i64).or(stated.map(|(_, hi)| hi)),
        ),
        Json::Number { double } => Schema {
            schema_data: SchemaData::default(),
            schema_kind: SchemaKind::Type(Type::Number(NumberType {
                format: VariantOrUnknownOrEmpty::Item(if double { NumberFormat::Double } else { NumberFormat::Float }),
                minimum: v.min,
                maximum: v.max,
                ..NumberType::default()
            })),
        },
        Json::Boolean => Schema {
            schema_data: SchemaData::default(),
            schema_kind: SchemaKind::Type(Type::Boolean(BooleanType::default())),
        },
        // JSON null is a value here: a NOT NULL column stores it as JSON null, a nullable one as NULL.
        // Inline, not `allOf: [$ref]`: openapi-spec-validator walks `allOf` members without
        // minding cycles, and this schema's `items` lead back to itself.
        Json::Any => json_value_schema(),
        Json::Vector => vector(None),
    }
}

/// The least number that rounds to an infinite 4-byte float: f32::MAX plus half its ulp (2^103).
const FLOAT4_OVERFLOW: f64 = 3.402_823_567_797_336_6e38;

/// pgvector's `vector(n)`: n finite 4-byte floats (at least one, whatever n).
fn vector(dimensions: Option<usize>) -> Schema {
    let item = Schema {
        schema_data: SchemaData::default(),
        schema_kind: SchemaKind::Type(Type::Number(NumberType {
            format: VariantOrUnknownOrEmpty::Item(NumberFormat::Float),
            minimum: Some(-FLOAT4_OVERFLOW),
            exclusive_minimum: true,
            maximum: Some(FLOAT4_OVERFLOW),
            exclusive_maximum: true,
            ..NumberType::default()
        })),
    };
    array_within(item, false, Some(dimensions.unwrap_or(1)), dimensions)
}

/// A string field with the spec's length, pattern and format rules.
fn text(v: &Validation, column_max: Option<u64>) -> Schema {
    let max = match (column_max, v.max_length) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let format = match api::annotated_format(v) {
        Some(f) => VariantOrUnknownOrEmpty::Unknown(f.to_string()),
        None => VariantOrUnknownOrEmpty::Empty,
    };
    // PostgreSQL text cannot hold NUL: said by the pattern, or beside the spec's own, which may admit it.
    let no_nul = || format!("^{}$", super::patterns::TEXT);
    let schema = string_schema(StringType {
        format,
        pattern: Some(api::string_pattern(v).unwrap_or_else(no_nul)),
        min_length: v.min_length.map(to_usize),
        max_length: max.map(to_usize),
        ..StringType::default()
    });
    if v.pattern.is_none() {
        return schema;
    }
    let text = string_schema(StringType { pattern: Some(no_nul()), ..StringType::default() });
    Schema {
        schema_data: SchemaData::default(),
        schema_kind: SchemaKind::AllOf { all_of: vec![ReferenceOr::Item(schema), ReferenceOr::Item(text)] },
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// App-side defaults as JSON values of the field's wire type (decimals travel as strings).
fn json_default(ty: &FieldType, value: &serde_json::Value) -> serde_json::Value {
    // A domain's values are its base type's.
    let ty = ty.base();
    match (ty, value) {
        (FieldType::Decimal { .. }, serde_json::Value::Number(n)) => serde_json::Value::String(n.to_string()),
        _ => value.clone(),
    }
}

fn string_format(format: &str) -> Schema {
    string_schema(StringType { format: VariantOrUnknownOrEmpty::Unknown(format.into()), ..StringType::default() })
}

/// An array of `items`.
pub fn array_of(items: Schema, unique_items: bool) -> Schema {
    array_within(items, unique_items, None, None)
}

/// [`array_of`] with at least `min_items` and at most `max_items` items.
pub fn array_within(items: Schema, unique_items: bool, min_items: Option<usize>, max_items: Option<usize>) -> Schema {
    Schema {
        schema_data: SchemaData::default(),
        schema_kind: SchemaKind::Type(Type::Array(ArrayType {
            items: Some(boxed(items)),
            min_items,
            max_items,
            unique_items,
        })),
    }
}

pub fn string_schema(s: StringType) -> Schema {
    Schema { schema_data: SchemaData::default(), schema_kind: SchemaKind::Type(Type::String(s)) }
}

pub fn integer(format: IntegerFormat, minimum: Option<i64>, maximum: Option<i64>) -> Schema {
    Schema {
        schema_data: SchemaData::default(),
        schema_kind: SchemaKind::Type(Type::Integer(IntegerType {
            format: VariantOrUnknownOrEmpty::Item(format),
            minimum,
            maximum,
            ..IntegerType::default()
        })),
    }
}

fn object(
    description: Option<String>,
    properties: IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: Vec<String>,
) -> Schema {
    Schema {
        schema_data: SchemaData { description, ..SchemaData::default() },
        schema_kind: SchemaKind::Type(Type::Object(ObjectType { properties, required, ..ObjectType::default() })),
    }
}

/// Inputs reject unknown keys (the server does too), so a misspelt field is an error, not a no-op.
fn closed(mut schema: Schema) -> Schema {
    if let SchemaKind::Type(Type::Object(o)) = &mut schema.schema_kind {
        o.additional_properties = Some(openapiv3::AdditionalProperties::Any(false));
    }
    schema
}

fn with_doc(mut schema: Schema, description: &str) -> Schema {
    schema.schema_data.description = Some(description.into());
    schema
}

pub fn boxed(schema: Schema) -> ReferenceOr<Box<Schema>> {
    ReferenceOr::Item(Box::new(schema))
}
