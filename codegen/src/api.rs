//! The REST API's shape, decided once from the model: resource paths, operation ids, link routes
//! and which fields each schema holds. The OpenAPI document, the TypeScript SDK and the server's
//! routes all read it here, so they cannot disagree.

use crate::ir::{Entity, Field, Link, LinkEnd, Model};
use crate::naming::{plural, snake_case};

// The wire contract's facts (paths, limits, operators, reserved parameters, password bounds)
// belong to the `wire` crate, which the server reads too.
pub use wire::{
    Metric, Operator, CURRENT_PASSWORD_FIELD, DEFAULT_LIMIT, LOGIN_PATH, MAX_LIMIT, PASSWORD_MAX_CHARS,
    PASSWORD_MIN_CHARS, PREFIX, REGISTER_PATH, RESERVED_PARAMS,
};

/// `TarifPlan` → `tarif_plans` (the URL segment).
pub fn resource(entity: &str) -> String {
    plural(&snake_case(entity))
}

/// `/api/v1/tarif_plans`.
pub fn collection_path(entity: &str) -> String {
    format!("{PREFIX}/{}", resource(entity))
}

/// An item's path, `/api/v1/users/{id}` or, for a composite key, one segment per key part
/// (`/api/v1/film_actors/{actor_id}/{film_id}`): the `wire` crate's rule, which the server mounts.
pub fn item_path(entity: &Entity) -> String {
    let parts: Vec<&str> = entity.primary_key.columns.iter().map(String::as_str).collect();
    wire::item_path(&collection_path(&entity.name), &parts)
}

/// The item path's parameters with the field each one carries: `id` for a single key, else each
/// key part by its field's name.
pub fn key_params(entity: &Entity) -> Vec<(String, &Field)> {
    match entity.key_fields().as_slice() {
        [single] => vec![("id".to_string(), *single)],
        parts => parts.iter().map(|f| (f.name.clone(), *f)).collect(),
    }
}

/// The `vector` fields lists may order by distance to (readable ones), with their dimensions.
pub fn vector_fields(entity: &Entity) -> impl Iterator<Item = (&Field, Option<u32>)> {
    entity.fields.iter().filter(|f| f.readable()).filter_map(|f| match f.ty.base() {
        crate::ir::FieldType::Vector(dimensions) => Some((f, *dimensions)),
        _ => None,
    })
}

/// The index that serves nearest-first lists on a `vector` field by this metric: HNSW or IVFFlat
/// on the field with the metric's operator class, without a predicate.
pub fn vector_index<'e>(entity: &'e Entity, field: &str, metric: Metric) -> Option<&'e crate::ir::IndexDef> {
    let element = format!("{} {}", crate::naming::quote_ident(field), metric.opclass());
    entity.indexes.iter().find(|ix| {
        matches!(ix.method.as_str(), "hnsw" | "ivfflat")
            && ix.predicate.is_none()
            && ix.elements.first() == Some(&element)
    })
}

/// `TarifPlan` → `TarifPlans`, for operation ids.
pub fn pascal_plural(entity: &str) -> String {
    pascal(&resource(entity))
}

/// `tarif_plans` → `TarifPlans`.
fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(cs).collect::<String>()
        })
        .collect()
}

/// The operations every entity gets, with their stable ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    List,
    Get,
    Create,
    Update,
    Delete,
}

impl Op {
    pub const ALL: [Op; 5] = [Op::List, Op::Get, Op::Create, Op::Update, Op::Delete];

    pub fn operation_id(self, entity: &str) -> String {
        match self {
            Op::List => format!("list{}", pascal_plural(entity)),
            Op::Get => format!("get{entity}"),
            Op::Create => format!("create{entity}"),
            Op::Update => format!("update{entity}"),
            Op::Delete => format!("delete{entity}"),
        }
    }
}

/// What a password must be before it is hashed: the server checks it, the document says it.
pub fn password_validation() -> crate::ir::Validation {
    crate::ir::Validation {
        min_length: Some(PASSWORD_MIN_CHARS),
        max_length: Some(PASSWORD_MAX_CHARS),
        ..crate::ir::Validation::default()
    }
}

/// WHATWG HTML's "valid e-mail address": what `validate.format: email` means, as a pattern the
/// server and every validator read alike (validators' own `format: email` rules differ).
pub const EMAIL_PATTERN: &str = "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$";

/// What a string must match beyond its length: the spec's pattern, else the one its format
/// stands for. The server checks it and the document states it.
pub fn string_pattern(v: &crate::ir::Validation) -> Option<String> {
    match (&v.pattern, v.format.as_deref()) {
        (Some(pattern), _) => Some(pattern.clone()),
        (None, Some("email")) => Some(EMAIL_PATTERN.into()),
        (None, Some("uuid")) => Some(format!("^{}$", crate::openapi::patterns::UUID)),
        _ => None,
    }
}

/// A format the document names as such: one no pattern stands for (`url`, an annotation).
pub fn annotated_format(v: &crate::ir::Validation) -> Option<&str> {
    v.format.as_deref().filter(|f| !matches!(*f, "email" | "uuid"))
}

/// The identity's password field: a secret the API takes as `password` and stores hashed.
pub fn is_password(entity: &Entity, f: &Field) -> bool {
    entity.identity.as_ref().is_some_and(|i| i.password == f.name)
}

/// Whether changing this field of one's own row takes the current password: the identity's
/// password and login name.
pub fn confirmed(entity: &Entity, f: &Field) -> bool {
    entity.identity.as_ref().is_some_and(|i| i.password == f.name || i.login == f.name)
}

/// The identity's password field, which an update's `current_password` is checked against.
pub fn password_field(entity: &Entity) -> Option<&Field> {
    entity.fields.iter().find(|f| is_password(entity, f))
}

/// What the update schema says of `current_password`.
pub fn current_password_doc(entity: &Entity) -> String {
    let login = entity.identity.as_ref().map_or("login", |i| i.login.as_str());
    format!(
        "Your current password: required to change your own password or {login} (a wrong one is 403). \
         Not needed to change another account's."
    )
}

/// The identity entity and its login field, when the model has one.
pub fn identity_login(model: &Model) -> Option<(&Entity, &Field)> {
    let entity = model.entities.iter().find(|e| e.identity.is_some())?;
    let login = entity.field(&entity.identity.as_ref()?.login)?;
    Some((entity, login))
}

/// A field's name in request bodies.
pub fn wire_name<'a>(entity: &Entity, f: &'a Field) -> &'a str {
    if is_password(entity, f) {
        crate::ir::PASSWORD_WIRE_NAME
    } else {
        &f.name
    }
}

// Field roles are decided on the IR (`ir::Field`); these are the API's names for them.

pub fn readable(f: &Field) -> bool {
    f.readable()
}

pub fn writable(f: &Field) -> bool {
    f.writable()
}

pub fn required_on_create(f: &Field) -> bool {
    f.required_on_create()
}

pub fn patchable(f: &Field) -> bool {
    f.patchable()
}

pub fn listable(f: &Field) -> bool {
    f.listable()
}

pub fn filterable(f: &Field) -> bool {
    f.filterable()
}

/// The entity's optimistic-lock field, if it has one.
pub fn version_field(entity: &Entity) -> Option<&Field> {
    entity.version_field()
}

/// One direction of a many-to-many link: `/api/v1/users/{id}/roles[/{role_id}]`.
#[derive(Clone, Debug)]
pub struct LinkRoute<'a> {
    pub link: &'a Link,
    /// The entity whose row is in the path.
    pub owner: &'a LinkEnd,
    /// The entity whose keys are listed, linked and unlinked.
    pub other: &'a LinkEnd,
    /// The path segment after the owner's id.
    pub segment: String,
}

impl LinkRoute<'_> {
    pub fn list_path(&self) -> String {
        format!("{}/{{id}}/{}", collection_path(&self.owner.entity), self.segment)
    }

    pub fn item_path(&self) -> String {
        format!("{}/{{{}}}", self.list_path(), self.other.column)
    }

    /// `listRolesOfUser`, `linkRoleToUser`, `unlinkRoleFromUser`; when the segment is not the
    /// other entity's resource name, its PascalCase form takes the entity's place.
    pub fn operation_ids(&self) -> [String; 3] {
        let owner = &self.owner.entity;
        let (many, one) = if self.segment == resource(&self.other.entity) {
            (pascal_plural(&self.other.entity), self.other.entity.clone())
        } else {
            let pascal = pascal(&self.segment);
            (pascal.clone(), pascal)
        };
        [format!("list{many}Of{owner}"), format!("link{one}To{owner}"), format!("unlink{one}From{owner}")]
    }
}

/// Both directions of every link. The segment is the other entity's resource name, unless two
/// routes from one entity would share it (two links to the same entity, or a self-link): then
/// the link's own snake_case name keeps them apart (for a self-link, the listed column's).
pub fn link_routes(model: &Model) -> Vec<LinkRoute<'_>> {
    let mut routes: Vec<LinkRoute<'_>> = Vec::new();
    for link in &model.links {
        for (owner, other) in [(&link.left, &link.right), (&link.right, &link.left)] {
            routes.push(LinkRoute { link, owner, other, segment: resource(&other.entity) });
        }
    }
    let clashes: Vec<bool> = routes
        .iter()
        .map(|r| {
            routes.iter().filter(|o| o.owner.entity == r.owner.entity && o.segment == r.segment).count() > 1
                || model.entities.iter().any(|e| e.name == r.owner.entity && e.field(&r.segment).is_some())
        })
        .collect();
    for (route, clash) in routes.iter_mut().zip(clashes) {
        if clash {
            route.segment = if route.link.left.entity == route.link.right.entity {
                // A self-link: each direction is named after the column it lists.
                plural(route.other.column.trim_end_matches("_id"))
            } else {
                snake_case(&route.link.name)
            };
        }
    }
    routes
}
