//! Paths and operations: list, get, create, partial update and delete per entity, and
//! list/link/unlink per direction of each many-to-many link (conventions in `crate::api`).

use super::patterns;
use super::schemas::{self, reference};
use crate::api::{self, LinkRoute, Metric, Op};
use crate::ir::{Allow, Entity, Field, Model, ADMIN_ROLE};
use indexmap::IndexMap;
use openapiv3::{
    ArrayType, Header, HeaderStyle, IntegerFormat, MediaType, Operation, Parameter, ParameterData,
    ParameterSchemaOrContent, PathItem, QueryStyle, ReferenceOr, RequestBody, Response, Responses, Schema, SchemaData,
    SchemaKind, StatusCode, StringType, Type,
};

pub const JSON: &str = "application/json";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The shared error responses: status, component name, meaning.
const ERRORS: [(u16, &str, &str); 12] = [
    (400, "BadRequest", "Malformed JSON, an unknown filter field or operator, or a bad parameter."),
    (
        401,
        "Unauthorized",
        "No bearer token where one is needed, or a token that is malformed, expired or badly signed.",
    ),
    (
        403,
        "Forbidden",
        "The token's roles do not allow this operation, or a field in the body; or the current password is wrong.",
    ),
    (404, "NotFound", "No such row (or none the caller may see)."),
    (409, "Conflict", "The version is stale, or a unique key or reference is violated."),
    (412, "PreconditionFailed", "`If-Match` names no version the row is at; nothing was written."),
    (414, "UriTooLong", "The URL is longer than the server reads (65,534 bytes): send fewer or shorter conditions."),
    (415, "UnsupportedMediaType", "The body is not sent as application/json."),
    (422, "UnprocessableEntity", "The body breaks the schema; `errors` names each field."),
    (
        429,
        "TooManyRequests",
        "Too many failed logins (or registrations of taken names, or wrong current passwords); `Retry-After` \
         says how long to wait.",
    ),
    (431, "HeadersTooLarge", "The request's headers are larger than the server reads (about 400 KB)."),
    (
        503,
        "ServiceUnavailable",
        "The server is shedding load (too many passwords to hash at once, a query or request past its time \
         limit) or cannot reach its database; `Retry-After`, when sent, says when to retry.",
    ),
];

/// The one security scheme: a JWT bearer token.
pub const BEARER: &str = "bearerAuth";

/// Shared error responses, referenced from every operation.
pub fn error_responses() -> IndexMap<String, ReferenceOr<Response>> {
    ERRORS
        .iter()
        .map(|(_, name, description)| {
            let response = Response {
                description: (*description).into(),
                content: content(PROBLEM_JSON, reference(schemas::PROBLEM)),
                ..Response::default()
            };
            ((*name).to_string(), ReferenceOr::Item(response))
        })
        .collect()
}

pub fn paths(model: &Model) -> IndexMap<String, ReferenceOr<PathItem>> {
    let mut out = IndexMap::new();
    let routes = api::link_routes(model);
    if let Some((entity, _)) = api::identity_login(model) {
        out.insert(api::LOGIN_PATH.into(), ReferenceOr::Item(PathItem { post: Some(login()), ..PathItem::default() }));
        if entity.identity.as_ref().is_some_and(|i| i.register) {
            let item = PathItem { post: Some(register(entity)), ..PathItem::default() };
            out.insert(api::REGISTER_PATH.into(), ReferenceOr::Item(item));
        }
    }
    for entity in &model.entities {
        let access = &entity.access;
        // Fields only some roles may set make a write 403 for the others, whatever the rule.
        let restricted = entity.fields.iter().any(|f| f.write_roles.is_some());
        // Fields only some roles may see make filtering or ordering on them 403 for the others.
        let hidden = entity.fields.iter().any(|f| f.read_roles.is_some());
        // An owner rule forbids a body naming another owner.
        let mut create =
            forbidding(guarded(create(entity), &access.create), restricted || access.create.owner.is_some());
        add_links(&mut create, entity, &routes);
        let collection = PathItem {
            get: Some(forbidding(guarded(list(entity), &access.list), hidden)),
            post: Some(create),
            ..PathItem::default()
        };
        out.insert(api::collection_path(&entity.name), ReferenceOr::Item(collection));
        let item = PathItem {
            get: Some(guarded(get(entity), &access.get)),
            patch: Some(forbidding(
                guarded(update(entity), &access.update),
                restricted || access.update.owner.is_some(),
            )),
            delete: Some(guarded(delete(entity), &access.delete)),
            parameters: api::key_params(entity).into_iter().map(|(name, f)| key_param(&name, f)).collect(),
            ..PathItem::default()
        };
        out.insert(api::item_path(entity), ReferenceOr::Item(item));
        for route in routes.iter().filter(|r| r.owner.entity == entity.name) {
            let (list_path, item_path) = link_paths(model, route);
            out.insert(route.list_path(), ReferenceOr::Item(list_path));
            out.insert(route.item_path(), ReferenceOr::Item(item_path));
        }
    }
    out
}

/// OpenAPI links from a create's 201 to the operations its new key feeds: get, update (with the
/// ETag as `If-Match`), delete, and the link routes on either side, so a client (or a stateful
/// tester) can follow them.
fn add_links(op: &mut Operation, entity: &Entity, routes: &[LinkRoute<'_>]) {
    let key = format!("$response.body#/{}", entity.pk_field().name);
    let by_key: Vec<(String, String)> =
        api::key_params(entity).into_iter().map(|(name, f)| (name, format!("$response.body#/{}", f.name))).collect();
    let link = |id: String, parameters: Vec<(String, String)>| {
        let parameters = parameters.into_iter().map(|(name, value)| (name, value.into())).collect();
        let operation = openapiv3::LinkOperation::OperationId(id);
        ReferenceOr::Item(openapiv3::Link {
            description: None,
            operation,
            request_body: None,
            parameters,
            server: None,
            extensions: IndexMap::new(),
        })
    };
    let mut links = IndexMap::new();
    let by_id = vec![("id".to_string(), key.clone())];
    for op in [Op::Get, Op::Update, Op::Delete] {
        let mut parameters = by_key.clone();
        if op != Op::Get && api::version_field(entity).is_some() {
            parameters.push(("header.If-Match".into(), "$response.header.ETag".into()));
        }
        let id = op.operation_id(&entity.name);
        links.insert(id[..1].to_uppercase() + &id[1..], link(id, parameters));
    }
    for route in routes {
        let [list_id, link_id, unlink_id] = route.operation_ids();
        let (ids, parameters) = if route.owner.entity == entity.name {
            (vec![list_id, link_id, unlink_id], by_id.clone())
        } else if route.other.entity == entity.name {
            (vec![link_id, unlink_id], vec![(route.other.column.clone(), key.clone())])
        } else {
            continue;
        };
        for id in ids {
            let name = id[..1].to_uppercase() + &id[1..];
            links.entry(name).or_insert_with(|| link(id, parameters.clone()));
        }
    }
    if let Some(ReferenceOr::Item(created)) = op.responses.responses.get_mut(&StatusCode::Code(201)) {
        created.links = links;
    }
}

/// Security, the 401/403 responses and a line on who may call it, from the operation's rule.
fn guarded(mut op: Operation, allow: &Allow) -> Operation {
    let mut who: Vec<String> = Vec::new();
    if allow.public {
        who.push("anyone, without a token".into());
    }
    if allow.authenticated {
        who.push("any valid token".into());
    }
    who.extend(allow.roles.iter().filter(|r| *r != ADMIN_ROLE).map(|r| format!("role `{r}`")));
    if let Some(field) = &allow.owner {
        who.push(format!("the owner (a token whose subject is the row's `{field}`; other rows are invisible)"));
    }
    who.push(format!("role `{ADMIN_ROLE}`"));
    let access = format!("Access: {}.", who.join("; "));
    op.description = Some(match op.description.take() {
        Some(doc) => format!("{doc}\n\n{access}"),
        None => access,
    });
    op.security = Some(if allow.public { Vec::new() } else { vec![bearer()] });
    // Even a public operation refuses a bad token rather than ignoring it.
    let mut codes = vec![401];
    if !allow.public && !allow.authenticated && allow.owner.is_none() {
        codes.push(403);
    }
    add_errors(&mut op.responses, &codes);
    op
}

/// Declares 403 when `restricted`.
fn forbidding(mut op: Operation, restricted: bool) -> Operation {
    if restricted {
        add_errors(&mut op.responses, &[403]);
    }
    op
}

fn bearer() -> openapiv3::SecurityRequirement {
    IndexMap::from([(BEARER.to_string(), Vec::new())])
}

fn add_errors(responses: &mut Responses, codes: &[u16]) {
    for (code, name, _) in ERRORS.iter().filter(|(code, ..)| codes.contains(code)) {
        let reference = ReferenceOr::Reference { reference: format!("#/components/responses/{name}") };
        responses.responses.insert(StatusCode::Code(*code), reference);
    }
    responses.responses.sort_by(|a, _, b, _| status_order(a).cmp(&status_order(b)));
}

fn status_order(code: &StatusCode) -> u16 {
    match code {
        StatusCode::Code(n) => *n,
        StatusCode::Range(n) => n * 100,
    }
}

fn login() -> Operation {
    let mut op = Operation {
        tags: vec!["Auth".into()],
        summary: Some("Log in".into()),
        description: Some(
            "Checks the password and returns a bearer token. Failed logins are throttled per account and \
             client (429); an account whose state may not log in gets 403, after a right password only."
                .into(),
        ),
        operation_id: Some("login".into()),
        request_body: Some(body(schemas::LOGIN)),
        security: Some(Vec::new()),
        ..Operation::default()
    };
    op.responses =
        responses([(200, ok("Logged in.", JSON, reference(schemas::TOKEN)))], &[400, 401, 403, 415, 422, 429]);
    op
}

fn register(entity: &Entity) -> Operation {
    let mut op = Operation {
        tags: vec!["Auth".into()],
        summary: Some(format!("Register a {} and log in", entity.name)),
        description: Some(
            "Creates the account and returns a bearer token. A name already taken (409) counts as a \
             failed login for this client: probing which accounts exist is throttled as guessing \
             passwords is (429)."
                .into(),
        ),
        operation_id: Some("register".into()),
        request_body: Some(body(schemas::LOGIN)),
        security: Some(Vec::new()),
        ..Operation::default()
    };
    op.responses = responses(
        [(201, ok("Registered; the token logs the new account in.", JSON, reference(schemas::TOKEN)))],
        &[400, 409, 415, 422, 429],
    );
    op
}

fn operation(entity: &Entity, op: Op, summary: String) -> Operation {
    Operation {
        tags: vec![entity.name.clone()],
        summary: Some(summary),
        operation_id: Some(op.operation_id(&entity.name)),
        ..Operation::default()
    }
}

fn list(entity: &Entity) -> Operation {
    let mut op = operation(entity, Op::List, format!("List {}", api::resource(&entity.name)));
    op.parameters = vec![param_ref("limit"), param_ref("offset"), order_param(entity)];
    op.parameters.extend(entity.fields.iter().filter(|f| api::filterable(f)).map(filter_param));
    let rows = Schema {
        schema_data: SchemaData::default(),
        schema_kind: SchemaKind::Type(Type::Array(ArrayType {
            items: Some(ReferenceOr::Reference {
                reference: format!("#/components/schemas/{}", schemas::read_name(entity)),
            }),
            min_items: None,
            max_items: None,
            unique_items: false,
        })),
    };
    // Conditions are many and long enough to pass the longest request target HTTP reads (414).
    op.responses = responses(
        [(200, ok("The page of rows, in the requested order (then by key).", JSON, ReferenceOr::Item(rows)))],
        &[400, 414],
    );
    op
}

fn get(entity: &Entity) -> Operation {
    let mut op = operation(entity, Op::Get, format!("Get one {}", entity.name));
    op.responses = responses([(200, with_etag(entity, ok_entity(entity, "The row.")))], &[400, 404]);
    op
}

fn create(entity: &Entity) -> Operation {
    let mut op = operation(entity, Op::Create, format!("Create a {}", entity.name));
    op.request_body = Some(body(&schemas::create_name(entity)));
    let mut created = with_etag(entity, ok_entity(entity, "Created; `Location` names the new row."));
    created.headers.insert("Location".into(), header("The new row's URL.", false));
    op.responses = responses([(201, created)], &[400, 409, 415, 422]);
    op
}

fn update(entity: &Entity) -> Operation {
    let mut op = operation(entity, Op::Update, format!("Update a {} (only the fields sent)", entity.name));
    op.request_body = Some(body(&schemas::update_name(entity)));
    let mut errors = vec![400, 404, 409, 415, 422];
    if api::version_field(entity).is_some() {
        op.parameters.push(if_match("update"));
        errors.push(412);
    }
    // Wrong current passwords are throttled as failed logins are.
    if api::password_field(entity).is_some() {
        errors.push(429);
    }
    op.responses = responses([(200, with_etag(entity, ok_entity(entity, "The updated row.")))], &errors);
    op
}

fn delete(entity: &Entity) -> Operation {
    let mut op = operation(entity, Op::Delete, format!("Delete a {}", entity.name));
    let mut errors = vec![400, 404, 409];
    if api::version_field(entity).is_some() {
        op.parameters.push(if_match("delete"));
        errors.push(412);
    }
    op.responses = responses([(204, no_content("Deleted."))], &errors);
    op
}

fn link_paths(model: &Model, route: &LinkRoute<'_>) -> (PathItem, PathItem) {
    let owner = model.entities.iter().find(|e| e.name == route.owner.entity).expect("validated: link ends exist");
    let [list_id, link_id, unlink_id] = route.operation_ids();
    let base = |id: String, summary: String| Operation {
        tags: vec![owner.name.clone()],
        summary: Some(summary),
        description: route.link.doc.clone(),
        operation_id: Some(id),
        ..Operation::default()
    };
    let other_key = schemas::value_schema(&route.other.ty);
    let keys = schemas::array_of(other_key.clone(), true);
    let mut list =
        base(list_id, format!("Keys of the {} linked to a {}", api::resource(&route.other.entity), owner.name));
    list.responses =
        responses([(200, ok("The linked keys, in ascending order.", JSON, ReferenceOr::Item(keys)))], &[400, 404]);
    let mut link = base(link_id, format!("Link a {} to a {} (idempotent)", route.other.entity, owner.name));
    link.responses = responses([(204, no_content("Linked (or already linked)."))], &[400, 404]);
    let mut unlink = base(unlink_id, format!("Unlink a {} from a {}", route.other.entity, owner.name));
    unlink.responses = responses([(204, no_content("Unlinked."))], &[400, 404]);
    let admin = Allow::default();
    let (list, link, unlink) = (guarded(list, &admin), guarded(link, &admin), guarded(unlink, &admin));
    let owner_param = id_param(owner.pk_field());
    let other_param = path_param(&route.other.column, other_key, format!("Key of the {}.", route.other.entity));
    (
        PathItem { get: Some(list), parameters: vec![owner_param.clone()], ..PathItem::default() },
        PathItem {
            put: Some(link),
            delete: Some(unlink),
            parameters: vec![owner_param, other_param],
            ..PathItem::default()
        },
    )
}

fn id_param(pk: &Field) -> ReferenceOr<Parameter> {
    key_param("id", pk)
}

/// A path parameter holding a key (or a key's part) of this field's type.
fn key_param(name: &str, field: &Field) -> ReferenceOr<Parameter> {
    let mut schema = schemas::field_schema(field, false);
    schema.schema_data = SchemaData::default();
    let what = if name == "id" { "The row's primary key.".to_string() } else { format!("The key's part `{name}`.") };
    path_param(name, schema, what)
}

fn path_param(name: &str, schema: Schema, description: String) -> ReferenceOr<Parameter> {
    ReferenceOr::Item(Parameter::Path {
        parameter_data: data(name, description, true, ReferenceOr::Item(schema)),
        style: openapiv3::PathStyle::Simple,
    })
}

fn query(name: &str, description: String, schema: ReferenceOr<Schema>, explode: bool) -> ReferenceOr<Parameter> {
    let mut parameter_data = data(name, description, false, schema);
    if explode {
        parameter_data.explode = Some(true);
    }
    ReferenceOr::Item(Parameter::Query {
        parameter_data,
        allow_reserved: false,
        style: QueryStyle::Form,
        allow_empty_value: None,
    })
}

fn data(name: &str, description: String, required: bool, schema: ReferenceOr<Schema>) -> ParameterData {
    ParameterData {
        name: name.into(),
        description: Some(description),
        required,
        deprecated: None,
        format: ParameterSchemaOrContent::Schema(schema),
        example: None,
        examples: IndexMap::new(),
        explode: None,
        extensions: IndexMap::new(),
    }
}

fn param_ref(name: &str) -> ReferenceOr<Parameter> {
    ReferenceOr::Reference { reference: format!("#/components/parameters/{name}") }
}

fn limit_param() -> ReferenceOr<Parameter> {
    let mut schema = schemas::integer(IntegerFormat::Int64, Some(0), Some(api::MAX_LIMIT));
    schema.schema_data.default = Some(api::DEFAULT_LIMIT.into());
    query("limit", format!("At most this many rows (at most {}).", api::MAX_LIMIT), ReferenceOr::Item(schema), false)
}

fn offset_param() -> ReferenceOr<Parameter> {
    let mut schema = schemas::integer(IntegerFormat::Int64, Some(0), None);
    schema.schema_data.default = Some(0.into());
    query("offset", "Skip this many rows.".into(), ReferenceOr::Item(schema), false)
}

fn order_param(entity: &Entity) -> ReferenceOr<Parameter> {
    let names: Vec<&str> = entity.fields.iter().filter(|f| api::listable(f)).map(|f| f.name.as_str()).collect();
    let one = format!("({})(\\.(asc|desc))?", names.join("|"));
    let mut pattern = format!("^{one}(,{one})*$");
    let mut description = format!(
        "Comma-separated `field` or `field.desc` (`.asc` is the default); the key breaks ties. Fields: {}.",
        names.join(", ")
    );
    let metrics = Metric::ALL.map(Metric::word).join("|");
    for (field, dimensions) in api::vector_fields(entity) {
        let float = patterns::FLOAT4;
        let rest = dimensions.map_or_else(|| "*".to_string(), |n| format!("{{{}}}", n - 1));
        pattern.push_str(&format!("|^{}\\.({metrics})\\.\\[{float}(,{float}){rest}\\]$", field.name));
        let indexed: Vec<&str> = Metric::ALL
            .into_iter()
            .filter(|m| api::vector_index(entity, &field.name, *m).is_some())
            .map(Metric::word)
            .collect();
        description.push_str(&format!(
            " Or nearest first: `{0}.<metric>.[x1,…]`, the distance from `{0}` to that vector ({1} numbers), \
             alone; metrics {2} (an index serves {3}).",
            field.name,
            dimensions.map_or_else(|| "any number of".to_string(), |n| n.to_string()),
            Metric::ALL.map(|m| format!("`{}`", m.word())).join(", "),
            if indexed.is_empty() { "none".to_string() } else { indexed.join(", ") },
        ));
    }
    let schema = schemas::string_schema(StringType { pattern: Some(pattern), ..StringType::default() });
    query("order", description, ReferenceOr::Item(schema), false)
}

/// A PostgREST-style filter on one field; repeat the parameter to combine conditions (AND).
fn filter_param(field: &Field) -> ReferenceOr<Parameter> {
    let conditions = super::filters::component_name(&field.ty);
    let description = format!("Conditions on `{}` (see `{conditions}`).", field.name);
    query(&field.name, description, reference(&conditions), true)
}

/// The shared `limit` and `offset` parameters.
pub fn shared_parameters() -> IndexMap<String, ReferenceOr<Parameter>> {
    IndexMap::from([("limit".into(), limit_param()), ("offset".into(), offset_param())])
}

/// RFC 9110's `If-Match`: `*`, or a list of entity tags (`"3"`, `W/"3"`); a bare version (`3`) too.
const IF_MATCH_PATTERN: &str =
    "^[ \\t]*(?:\\*|[0-9]+|(?:W/)?\"[\\x21\\x23-\\x7e]*\"(?:[ \\t]*,[ \\t]*(?:W/)?\"[\\x21\\x23-\\x7e]*\")*)[ \\t]*$";

fn if_match(what: &str) -> ReferenceOr<Parameter> {
    let schema = schemas::string_schema(StringType { pattern: Some(IF_MATCH_PATTERN.into()), ..StringType::default() });
    ReferenceOr::Item(Parameter::Header {
        parameter_data: data(
            "If-Match",
            format!(
                "The ETag last read (the quoted version): the {what} applies only if the row is at a version \
                 listed (`*`: any). Weak tags never match; no match is a 412 and nothing is written."
            ),
            false,
            ReferenceOr::Item(schema),
        ),
        style: HeaderStyle::Simple,
    })
}

fn body(schema: &str) -> ReferenceOr<RequestBody> {
    ReferenceOr::Item(RequestBody {
        content: content(JSON, reference(schema)),
        required: true,
        ..RequestBody::default()
    })
}

fn content(media: &str, schema: ReferenceOr<Schema>) -> IndexMap<String, MediaType> {
    IndexMap::from([(media.to_string(), MediaType { schema: Some(schema), ..MediaType::default() })])
}

fn ok(description: &str, media: &str, schema: ReferenceOr<Schema>) -> Response {
    Response { description: description.into(), content: content(media, schema), ..Response::default() }
}

fn ok_entity(entity: &Entity, description: &str) -> Response {
    ok(description, JSON, reference(&schemas::read_name(entity)))
}

fn no_content(description: &str) -> Response {
    Response { description: description.into(), ..Response::default() }
}

/// Responses carrying a row also carry its version as an ETag, for `If-Match`.
fn with_etag(entity: &Entity, mut response: Response) -> Response {
    if api::version_field(entity).is_some() {
        response.headers.insert("ETag".into(), header("The row's version, quoted.", true));
    }
    response
}

fn header(description: &str, required: bool) -> ReferenceOr<Header> {
    ReferenceOr::Item(Header {
        description: Some(description.into()),
        style: HeaderStyle::Simple,
        required,
        deprecated: None,
        format: ParameterSchemaOrContent::Schema(ReferenceOr::Item(schemas::string_schema(StringType::default()))),
        example: None,
        examples: IndexMap::new(),
        extensions: IndexMap::new(),
    })
}

/// An operation's responses: its own, the errors it names, and 503, which any may answer (the
/// database unreachable or too slow, the server shedding load).
fn responses<const N: usize>(ok: [(u16, Response); N], errors: &[u16]) -> Responses {
    let mut out = IndexMap::new();
    for (code, response) in ok {
        out.insert(StatusCode::Code(code), ReferenceOr::Item(response));
    }
    // Any request may meet the time limits and load shedding (503) and the head's size limit (431).
    for (code, name, _) in ERRORS.iter().filter(|(code, ..)| errors.contains(code) || [431, 503].contains(code)) {
        out.insert(
            StatusCode::Code(*code),
            ReferenceOr::Reference { reference: format!("#/components/responses/{name}") },
        );
    }
    Responses { responses: out, ..Responses::default() }
}
