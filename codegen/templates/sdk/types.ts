// {{ header }}
// Entity types: `X` is what the API returns, `XCreate` what a create takes, `XUpdate` what a
// partial update takes. Dates are ISO 8601 strings, decimals strings, enums string unions.

import type { Filter, Json } from "./runtime.js";
{% for e in enums %}
{{ e.doc }}export const {{ e.const_name }} = [{{ e.values }}] as const;
{{ e.doc }}export type {{ e.name }} = (typeof {{ e.const_name }})[number];
{% endfor -%}
{% for i in interfaces %}
{{ i.doc }}export interface {{ i.name }} {
{%- for p in i.props %}
{{ p.doc }}  {{ p.modifier }}{{ p.name }}{{ p.optional }}: {{ p.ty }};
{%- endfor %}
}
{% endfor -%}
{% for l in listables %}
/** Fields of {{ l.entity }} that lists order and filter on. */
export type {{ l.entity }}Field = {{ l.union }};

/** Vector fields of {{ l.entity }} that lists order by distance to (`nearest`). */
export type {{ l.entity }}VectorField = {{ l.vectors }};

/** Filters of a {{ l.entity }} list, by field. */
export interface {{ l.entity }}Filter {
{%- for f in l.filters %}
  {{ f.name }}?: Filter<{{ f.ty }}>;
{%- endfor %}
}
{% endfor -%}
