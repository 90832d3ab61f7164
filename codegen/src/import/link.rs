//! A pure join table as a link document (`tables::select` has checked it is one).

use super::docs::{LinkDoc, LinkEndDoc};
use super::Context;
use crate::naming::{fill, snake_case};
use crate::schema::Table;

pub fn link(ctx: &Context, table: &Table) -> LinkDoc {
    let name = ctx.names[&table.name].clone();
    let pk = table.primary_key.as_ref().expect("a link has a primary key");
    let end = |column: &String| {
        let fk = table.foreign_keys.values().find(|fk| fk.columns == std::slice::from_ref(column)).expect("checked");
        let conventional = fill(&ctx.naming.foreign_key, &table.name, &[column], column);
        LinkEndDoc {
            entity: ctx.entity_tables[&fk.target(&ctx.schema.name)].clone(),
            column: column.clone(),
            on_delete: fk.on_delete,
            fk_name: (fk.name != conventional).then(|| fk.name.clone()),
        }
    };
    let default_table = format!("{}{}", ctx.prefix, snake_case(&name));
    LinkDoc {
        table: (default_table != table.name).then(|| table.name.clone()),
        left: end(&pk.columns[0]),
        right: end(&pk.columns[1]),
        name,
    }
}
