//! `generated/sdk/`: an npm-ready TypeScript package with no runtime dependencies, rendered from
//! askama templates (`codegen/templates/sdk/`). Views are prepared here as plain strings so the
//! templates hold layout only.

mod views;

use crate::ir::Model;
use crate::output::{GeneratedFile, HEADER_TEXT};
use askama::Template;
use views::{EntityView, EnumView, InterfaceView, LinkView, ListableView};

const DIR: &str = "generated/sdk";

#[derive(Template)]
#[template(path = "sdk/runtime.ts", escape = "none")]
struct RuntimeTs<'a> {
    header: &'a str,
}

#[derive(Template)]
#[template(path = "sdk/types.ts", escape = "none")]
struct TypesTs<'a> {
    header: &'a str,
    enums: Vec<EnumView>,
    interfaces: Vec<InterfaceView>,
    listables: Vec<ListableView>,
}

#[derive(Template)]
#[template(path = "sdk/client.ts", escape = "none")]
struct ClientTs<'a> {
    header: &'a str,
    entities: Vec<EntityView>,
    links: Vec<LinkView>,
    /// Whether the API has login, and registration.
    login: bool,
    register: bool,
}

#[derive(Template)]
#[template(path = "sdk/index.ts", escape = "none")]
struct IndexTs<'a> {
    header: &'a str,
}

pub fn render(model: &Model) -> Vec<GeneratedFile> {
    let header = HEADER_TEXT;
    let types = TypesTs {
        header,
        enums: views::enums(model),
        interfaces: views::interfaces(model),
        listables: views::listables(model),
    };
    let identity = model.entities.iter().find_map(|e| e.identity.as_ref());
    let client = ClientTs {
        header,
        entities: views::entities(model),
        links: views::links(model),
        login: identity.is_some(),
        register: identity.is_some_and(|i| i.register),
    };
    vec![
        file("src/runtime.ts", &RuntimeTs { header }),
        file("src/types.ts", &types),
        file("src/client.ts", &client),
        file("src/index.ts", &IndexTs { header }),
        GeneratedFile::new(format!("{DIR}/package.json"), package_json(model)),
        GeneratedFile::new(format!("{DIR}/tsconfig.json"), format!("// {HEADER_TEXT}\n{TSCONFIG}")),
    ]
}

fn file(name: &str, template: &impl Template) -> GeneratedFile {
    let text = template.render().expect("SDK templates render from prepared strings");
    GeneratedFile::new(format!("{DIR}/{name}"), text.trim_end().to_string() + "\n")
}

/// Zero dependencies; TypeScript is only needed to build `dist/`.
fn package_json(model: &Model) -> String {
    let value = serde_json::json!({
        "//": HEADER_TEXT,
        "name": format!("@{}/sdk", model.project.name),
        "version": "0.0.0",
        "description": format!("Typed client of the {} REST API, generated from model-spec/.", model.project.name),
        "type": "module",
        "main": "dist/index.js",
        "types": "dist/index.d.ts",
        "exports": { ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" } },
        "files": ["dist", "src"],
        "sideEffects": false,
        "scripts": { "build": "tsc -p tsconfig.json" },
        "dependencies": {},
    });
    serde_json::to_string_pretty(&value).expect("a JSON value serializes") + "\n"
}

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"],
    "strict": true,
    "exactOptionalPropertyTypes": false,
    "noUncheckedIndexedAccess": true,
    "declaration": true,
    "outDir": "dist",
    "rootDir": "src",
    "skipLibCheck": true
  },
  "include": ["src"]
}
"#;
