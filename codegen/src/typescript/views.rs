//! What the SDK templates print, prepared from the model: TypeScript types of fields, doc
//! comments, operation ids and paths (the latter two from `crate::api`, as in the OpenAPI).

use crate::api::{self, Op};
use crate::ir::{Entity, Field, FieldType, Model};

pub struct EnumView {
    pub name: String,
    pub const_name: String,
    /// The values as TypeScript string literals, comma-separated.
    pub values: String,
    pub doc: String,
}

pub struct InterfaceView {
    pub name: String,
    pub doc: String,
    pub props: Vec<PropView>,
}

pub struct PropView {
    pub name: String,
    pub ty: String,
    /// `?` or empty.
    pub optional: &'static str,
    /// `readonly ` or empty.
    pub modifier: &'static str,
    pub doc: String,
}

pub struct ListableView {
    pub entity: String,
    pub union: String,
    /// The `vector` fields lists order by distance to, as a union (`never` when none).
    pub vectors: String,
    pub filters: Vec<FilterView>,
}

pub struct FilterView {
    pub name: String,
    pub ty: String,
}

pub struct EntityView {
    pub name: String,
    pub resource: String,
    pub path: String,
    /// The key parameter as declared: `id: string`, or `key: { actor_id: number; film_id: number }`.
    pub key_param: String,
    /// The item path after the collection, as template literal text: `${segment(id)}`.
    pub key_path: String,
    pub list_id: String,
    pub get_id: String,
    pub create_id: String,
    pub update_id: String,
    pub delete_id: String,
}

pub struct LinkView {
    pub owner: String,
    pub other: String,
    pub other_resource: String,
    pub path: String,
    pub segment: String,
    pub owner_key_ty: String,
    pub other_key_ty: String,
    pub other_param: String,
    pub list_id: String,
    pub link_id: String,
    pub unlink_id: String,
}

pub fn enums(model: &Model) -> Vec<EnumView> {
    model
        .enums
        .iter()
        .map(|e| EnumView {
            name: e.name.clone(),
            const_name: format!("{}_VALUES", crate::naming::snake_case(&e.name).to_ascii_uppercase()),
            values: e.values.iter().map(|v| string_literal(v)).collect::<Vec<_>>().join(", "),
            doc: doc_comment(e.doc.as_deref(), ""),
        })
        .collect()
}

pub fn interfaces(model: &Model) -> Vec<InterfaceView> {
    let mut out = Vec::new();
    for entity in &model.entities {
        out.push(InterfaceView {
            name: entity.name.clone(),
            doc: doc_comment(entity.doc.as_deref(), ""),
            props: entity
                .fields
                .iter()
                .filter(|f| api::readable(f))
                .map(|f| prop(f, f.read_roles.is_some(), !api::writable(f)))
                .collect(),
        });
        out.push(InterfaceView {
            name: format!("{}Create", entity.name),
            doc: doc_comment(
                Some(&format!("Input to create a {}; server-managed fields are set by the server.", entity.name)),
                "",
            ),
            props: entity
                .fields
                .iter()
                .filter(|f| api::writable(f))
                .map(|f| input_prop(entity, f, !api::required_on_create(f)))
                .collect(),
        });
        let mut update: Vec<PropView> =
            entity.fields.iter().filter(|f| api::patchable(f)).map(|f| input_prop(entity, f, true)).collect();
        if let Some(version) = api::version_field(entity) {
            let mut p = prop(version, true, false);
            p.doc = doc_comment(
                Some("The version last read: the update applies only if the row is still at it (else 409; `ifMatch` instead: 412); without either, to the current version."),
                "  ",
            );
            update.push(p);
        }
        if api::password_field(entity).is_some() {
            update.push(PropView {
                name: api::CURRENT_PASSWORD_FIELD.into(),
                ty: "string".into(),
                optional: "?",
                modifier: "",
                doc: doc_comment(Some(&api::current_password_doc(entity)), "  "),
            });
        }
        out.push(InterfaceView {
            name: format!("{}Update", entity.name),
            doc: doc_comment(
                Some(&format!("A partial update of a {}: only the fields present change.", entity.name)),
                "",
            ),
            props: update,
        });
    }
    if let Some((entity, login)) = api::identity_login(model) {
        let password =
            entity.fields.iter().find(|f| api::is_password(entity, f)).expect("validated: identity password");
        out.push(InterfaceView {
            name: "Credentials".into(),
            doc: doc_comment(Some("What login and register take."), ""),
            props: vec![prop(login, false, false), input_prop(entity, password, false)],
        });
        let token = |name: &str, ty: &str, doc: &str| PropView {
            name: name.into(),
            ty: ty.into(),
            optional: "",
            modifier: "readonly ",
            doc: doc_comment(Some(doc), "  "),
        };
        out.push(InterfaceView {
            name: "BearerToken".into(),
            doc: doc_comment(Some("What login and register answer."), ""),
            props: vec![
                token("access_token", "string", "A JWT: pass it to createClient as `token`."),
                token("token_type", "\"Bearer\"", "Always Bearer."),
                token("expires_in", "number", "Seconds until the token expires."),
            ],
        });
    }
    out
}

/// A field as a request body carries it: the identity's password as `password`, plain text.
fn input_prop(entity: &Entity, field: &Field, optional: bool) -> PropView {
    let mut p = prop(field, optional, false);
    if api::is_password(entity, field) {
        p.name = api::wire_name(entity, field).to_string();
        p.ty = "string".into();
        p.doc = doc_comment(Some("The password; the server stores its argon2id hash."), "  ");
    }
    p
}

fn prop(field: &Field, optional: bool, readonly: bool) -> PropView {
    let mut ty = ts_type(&field.ty);
    if field.nullable {
        ty.push_str(" | null");
    }
    PropView {
        name: field.name.clone(),
        ty,
        optional: if optional { "?" } else { "" },
        modifier: if readonly { "readonly " } else { "" },
        doc: doc_comment(field.doc.as_deref(), "  "),
    }
}

pub fn listables(model: &Model) -> Vec<ListableView> {
    model
        .entities
        .iter()
        .map(|entity| {
            let listable: Vec<&Field> = entity.fields.iter().filter(|f| api::listable(f)).collect();
            ListableView {
                entity: entity.name.clone(),
                union: listable.iter().map(|f| string_literal(&f.name)).collect::<Vec<_>>().join(" | "),
                vectors: {
                    let vectors: Vec<String> =
                        api::vector_fields(entity).map(|(f, _)| string_literal(&f.name)).collect();
                    if vectors.is_empty() {
                        "never".into()
                    } else {
                        vectors.join(" | ")
                    }
                },
                filters: entity
                    .fields
                    .iter()
                    .filter(|f| api::filterable(f))
                    .map(|f| FilterView { name: f.name.clone(), ty: ts_type(&f.ty) })
                    .collect(),
            }
        })
        .collect()
}

pub fn entities(model: &Model) -> Vec<EntityView> {
    model
        .entities
        .iter()
        .map(|e: &Entity| EntityView {
            name: e.name.clone(),
            resource: api::resource(&e.name),
            path: api::collection_path(&e.name),
            key_param: key_param(e),
            key_path: key_path(e),
            list_id: Op::List.operation_id(&e.name),
            get_id: Op::Get.operation_id(&e.name),
            create_id: Op::Create.operation_id(&e.name),
            update_id: Op::Update.operation_id(&e.name),
            delete_id: Op::Delete.operation_id(&e.name),
        })
        .collect()
}

pub fn links(model: &Model) -> Vec<LinkView> {
    api::link_routes(model)
        .iter()
        .map(|route| {
            let [list_id, link_id, unlink_id] = route.operation_ids();
            LinkView {
                owner: route.owner.entity.clone(),
                other: route.other.entity.clone(),
                other_resource: api::resource(&route.other.entity),
                path: api::collection_path(&route.owner.entity),
                segment: route.segment.clone(),
                owner_key_ty: ts_type(&route.owner.ty),
                other_key_ty: ts_type(&route.other.ty),
                other_param: camel_case(&route.other.column),
                list_id,
                link_id,
                unlink_id,
            }
        })
        .collect()
}

/// The item path's parameters (`api::key_params`) as the method's: a single key is one
/// parameter of its type (`id: string`); a composite key is one object of its parts.
fn key_param(entity: &Entity) -> String {
    match api::key_params(entity).as_slice() {
        [(name, single)] => format!("{name}: {}", ts_type(&single.ty)),
        parts => {
            let fields: Vec<String> = parts.iter().map(|(name, f)| format!("{name}: {}", ts_type(&f.ty))).collect();
            format!("key: {{ {} }}", fields.join("; "))
        }
    }
}

/// The segments `key_param` fills in the item path, in key order.
fn key_path(entity: &Entity) -> String {
    match api::key_params(entity).as_slice() {
        [(name, _)] => format!("${{segment({name})}}"),
        parts => parts.iter().map(|(name, _)| format!("${{segment(key.{name})}}")).collect::<Vec<_>>().join("/"),
    }
}

/// The wire type of a field in TypeScript.
fn ts_type(ty: &FieldType) -> String {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::String(_) | FieldType::Decimal { .. } | FieldType::Sql(_) => "string".into(),
        FieldType::Enum(name) => name.clone(),
        FieldType::Array(inner) => format!("({} | null)[]", ts_type(inner)),
        plain => crate::types::scalar(plain).map_or("unknown", |s| s.typescript).into(),
    }
}

/// `role_id` → `roleId`.
fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON string is a valid TypeScript string literal.
fn string_literal(text: &str) -> String {
    serde_json::Value::String(text.into()).to_string()
}

/// A `/** … */` block (with a trailing newline), or nothing; `*/` in a doc cannot end it early.
fn doc_comment(doc: Option<&str>, indent: &str) -> String {
    match doc {
        Some(doc) if !doc.trim().is_empty() => {
            let text = doc.trim().replace("*/", "*\\/");
            if text.contains('\n') {
                let lines: String =
                    text.lines().map(|l| format!("{indent} * {l}\n").replace(" * \n", " *\n")).collect();
                format!("{indent}/**\n{lines}{indent} */\n")
            } else {
                format!("{indent}/** {text} */\n")
            }
        }
        _ => String::new(),
    }
}
