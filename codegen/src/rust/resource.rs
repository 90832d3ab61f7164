//! The API half of an entity's file: `impl runtime::server::Resource`, i.e. its path, the rules
//! of each field (what bodies may carry, how values are checked) and which repository function
//! serves each operation. The handlers themselves are written once, in `runtime::server`.

use super::names::{field_ident, variant_name};
use crate::api;
use crate::ir::{Access, Allow, Entity, Field, FieldType, Model, Validation};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

pub fn render(model: &Model, entity: &Entity) -> TokenStream {
    let name = format_ident!("{}", entity.name);
    let (new, patch) = (format_ident!("New{}", entity.name), format_ident!("{}Patch", entity.name));
    let (field_enum, filter_enum) = (format_ident!("{}Field", entity.name), format_ident!("{}Filter", entity.name));
    let entity_name = &entity.name;
    let path = api::collection_path(&entity.name);
    let key_args = super::key::KeyArgs::of(model, entity);
    let key_ty = key_args.ty();
    let key = key_args.of_row();
    let mut rules: Vec<TokenStream> = entity.fields.iter().map(|f| rule(model, entity, f)).collect();
    if let Some(password) = api::password_field(entity) {
        let (column, check) = (&password.name, check(&api::password_validation()));
        rules.push(quote!(api::FieldRule::current_password(#column, #check)));
    }
    let table = entity.table_sql(&model.project.schema);
    let key_fields = &entity.primary_key.columns;
    let key_sql = key_args.condition();
    let access = access(&entity.access);
    let (version, versioned) = match api::version_field(entity) {
        Some(v) => {
            let v = field_ident(&v.name);
            (quote!(Some(self.#v.into())), quote!(versioned))
        }
        None => (quote!(None), quote!(unversioned)),
    };
    let filters = entity.fields.iter().filter(|f| api::listable(f)).map(|f| {
        let v = format_ident!("{}", variant_name(&f.name));
        quote!(#field_enum::#v => #filter_enum::#v(api::typed(cmp)?))
    });
    quote! {
        impl api::Resource for #name {
            const NAME: &'static str = #entity_name;
            const PATH: &'static str = #path;
            const RULES: &'static [api::FieldRule] = &[#(#rules),*];
            const TABLE_SQL: &'static str = #table;
            const KEY_FIELDS: &'static [&'static str] = &[#(#key_fields),*];
            const KEY_SQL: &'static str = #key_sql;
            const ACCESS: api::Access = #access;
            type Key = #key_ty;
            type New = #new;
            type Patch = #patch;
            type Field = #field_enum;
            type Filter = #filter_enum;

            fn key(&self) -> Self::Key {
                #key
            }
            fn version(&self) -> Option<::runtime::wire::Version> {
                #version
            }
            fn field(name: &str) -> Option<Self::Field> {
                #field_enum::from_name(name)
            }
            fn filter(field: Self::Field, cmp: rt::Cmp<String>) -> Result<Self::Filter, String> {
                Ok(match field { #(#filters,)* })
            }
            ::runtime::repository_operations!(#versioned);
        }
    }
}

/// `api::Access` of an entity; `Allow::ADMIN` for the operations its spec leaves out.
fn access(access: &Access) -> TokenStream {
    if *access == Access::default() {
        return quote!(api::Access::ADMIN_ONLY);
    }
    let allow = |allow: &Allow| {
        let mut tokens = if allow.roles.is_empty() {
            quote!(api::Allow::ADMIN)
        } else {
            let roles = &allow.roles;
            quote!(api::Allow::roles(&[#(#roles),*]))
        };
        if allow.public {
            tokens.extend(quote!(.or_public()));
        }
        if allow.authenticated {
            tokens.extend(quote!(.or_authenticated()));
        }
        if let Some(owner) = &allow.owner {
            tokens.extend(quote!(.or_owner(#owner)));
        }
        tokens
    };
    let [list, get, create, update, delete] = access.operations().map(|(_, a)| allow(a));
    quote!(api::Access { list: #list, get: #get, create: #create, update: #update, delete: #delete })
}

/// One `api::FieldRule`, built with its const builders (one short line per field).
fn rule(model: &Model, entity: &Entity, f: &Field) -> TokenStream {
    let mut rule = field_rule(model, entity, f);
    if api::confirmed(entity, f) {
        rule.extend(quote!(.confirmed()));
    }
    if let Some(roles) = &f.read_roles {
        rule.extend(quote!(.read_by(&[#(#roles),*])));
    }
    if let Some(roles) = &f.write_roles {
        rule.extend(quote!(.written_by(&[#(#roles),*])));
    }
    rule
}

fn field_rule(model: &Model, entity: &Entity, f: &Field) -> TokenStream {
    let name = &f.name;
    if f.version {
        let wire = wire(model, &f.ty);
        return quote!(api::FieldRule::version(#name, #wire));
    }
    if api::is_password(entity, f) {
        let wire_name = api::wire_name(entity, f);
        let check = check(&api::password_validation());
        return quote!(api::FieldRule::writable(#wire_name, api::Wire::Text).required().check(#check).hashed_into(#name));
    }
    let wire = wire(model, &f.ty);
    let mut rule = if api::writable(f) {
        quote!(api::FieldRule::writable(#name, #wire))
    } else {
        quote!(api::FieldRule::read_only(#name, #wire))
    };
    if api::required_on_create(f) {
        rule.extend(quote!(.required()));
    }
    if f.nullable {
        rule.extend(quote!(.nullable()));
    }
    if api::writable(f) && !api::patchable(f) {
        rule.extend(quote!(.create_only()));
    }
    if f.validate != Validation::default() {
        let check = check(&f.validate);
        rule.extend(quote!(.check(#check)));
    }
    if f.lowercase {
        rule.extend(quote!(.lowercase()));
    }
    rule
}

fn wire(model: &Model, ty: &FieldType) -> TokenStream {
    // A domain's values are its base type's.
    let ty = ty.base();
    match ty {
        FieldType::String(n) | FieldType::Char(n) => {
            let n = Literal::u32_unsuffixed(*n);
            quote!(api::Wire::Varchar(#n))
        }
        FieldType::Decimal { precision, scale } => {
            let (precision, scale) = (Literal::u16_unsuffixed(*precision), Literal::u16_unsuffixed(*scale));
            quote!(api::Wire::Decimal { precision: #precision, scale: #scale })
        }
        FieldType::Enum(name) => {
            let values = model.enums.iter().find(|e| &e.name == name).map(|e| e.values.as_slice()).unwrap_or_default();
            quote!(api::Wire::Enum(&[#(#values),*]))
        }
        FieldType::Array(inner) => {
            let inner = wire(model, inner);
            quote!(api::Wire::Array(&#inner))
        }
        FieldType::Sql(_) => quote!(api::Wire::Text),
        FieldType::Vector(dimensions) => {
            let dimensions = match dimensions {
                Some(n) => {
                    let n = Literal::u32_unsuffixed(*n);
                    quote!(Some(#n))
                }
                None => quote!(None),
            };
            quote!(api::Wire::Vector(#dimensions))
        }
        plain => {
            let rule = format_ident!("{}", crate::types::scalar(plain).map_or("Json", |s| s.wire));
            quote!(api::Wire::#rule)
        }
    }
}

fn check(v: &Validation) -> TokenStream {
    let opt_u64 = |x: Option<u64>| {
        x.map_or_else(
            || quote!(None),
            |x| {
                let lit = Literal::u64_unsuffixed(x);
                quote!(Some(#lit))
            },
        )
    };
    let opt_f64 = |x: Option<f64>| {
        x.map_or_else(
            || quote!(None),
            |x| {
                let lit = Literal::f64_suffixed(x);
                quote!(Some(#lit))
            },
        )
    };
    let opt_str = |x: &Option<String>| x.as_ref().map_or_else(|| quote!(None), |x| quote!(Some(#x)));
    let (min_length, max_length) = (opt_u64(v.min_length), opt_u64(v.max_length));
    let (min, max) = (opt_f64(v.min), opt_f64(v.max));
    let pattern = opt_str(&api::string_pattern(v));
    quote! {
        api::Check { min_length: #min_length, max_length: #max_length, min: #min, max: #max, pattern: #pattern }
    }
}
