// {{ header }}
// The typed client: one method per operation of the OpenAPI document, named by its operationId.

import type * as T from "./types.js";
import { type ClientOptions, type ListParams, listQuery, makeSend, segment } from "./runtime.js";

/** A write's precondition: the version last read, sent as `If-Match`; the update or delete
 * applies only while the row is at it (else ApiError 412, nothing written). */
export interface WriteOptions {
  ifMatch?: number;
}

function ifMatch(options?: WriteOptions): Record<string, string> {
  return options?.ifMatch === undefined ? {} : { "if-match": `"${options.ifMatch}"` };
}

export function createClient(options: ClientOptions) {
  const send = makeSend(options);
  return {
{%- if login %}
    /** Logs in; pass the token to createClient as `token`. ApiError 401 on a wrong password, 429 when throttled. */
    login(body: T.Credentials): Promise<T.BearerToken> {
      return send({ method: "POST", path: "/api/v1/auth/login", body });
    },
{%- endif %}
{%- if register %}
    /** Registers an account and logs it in; ApiError 409 when the login is taken. */
    register(body: T.Credentials): Promise<T.BearerToken> {
      return send({ method: "POST", path: "/api/v1/auth/register", body });
    },
{%- endif %}
{%- for e in entities %}
    /** List {{ e.resource }}: a page of rows, in the requested order (then by key). */
    {{ e.list_id }}(params?: ListParams<T.{{ e.name }}Field, T.{{ e.name }}Filter, T.{{ e.name }}VectorField>): Promise<T.{{ e.name }}[]> {
      return send({ method: "GET", path: "{{ e.path }}", query: listQuery(params) });
    },
    /** One {{ e.name }} by key; ApiError 404 when there is none. */
    {{ e.get_id }}({{ e.key_param }}): Promise<T.{{ e.name }}> {
      return send({ method: "GET", path: `{{ e.path }}/{{ e.key_path }}` });
    },
    /** Creates one {{ e.name }}; ApiError 409 on a duplicate key, 422 on invalid input. */
    {{ e.create_id }}(body: T.{{ e.name }}Create): Promise<T.{{ e.name }}> {
      return send({ method: "POST", path: "{{ e.path }}", body });
    },
    /** Updates the fields sent; ApiError 409 when the body's version is stale, 412 when `ifMatch` is. */
    {{ e.update_id }}({{ e.key_param }}, body: T.{{ e.name }}Update, options?: WriteOptions): Promise<T.{{ e.name }}> {
      return send({ method: "PATCH", path: `{{ e.path }}/{{ e.key_path }}`, body, headers: ifMatch(options) });
    },
    /** Deletes one {{ e.name }}; ApiError 404 when there is none, 412 when `ifMatch` is stale. */
    {{ e.delete_id }}({{ e.key_param }}, options?: WriteOptions): Promise<void> {
      return send({ method: "DELETE", path: `{{ e.path }}/{{ e.key_path }}`, headers: ifMatch(options) });
    },
{%- endfor %}
{%- for l in links %}
    /** Keys of the {{ l.other_resource }} linked to a {{ l.owner }}. */
    {{ l.list_id }}(id: {{ l.owner_key_ty }}): Promise<{{ l.other_key_ty }}[]> {
      return send({ method: "GET", path: `{{ l.path }}/${segment(id)}/{{ l.segment }}` });
    },
    /** Links a {{ l.other }} to a {{ l.owner }} (linking twice is not an error). */
    {{ l.link_id }}(id: {{ l.owner_key_ty }}, {{ l.other_param }}: {{ l.other_key_ty }}): Promise<void> {
      return send({ method: "PUT", path: `{{ l.path }}/${segment(id)}/{{ l.segment }}/${segment({{ l.other_param }})}` });
    },
    /** Unlinks a {{ l.other }} from a {{ l.owner }}; ApiError 404 when they were not linked. */
    {{ l.unlink_id }}(id: {{ l.owner_key_ty }}, {{ l.other_param }}: {{ l.other_key_ty }}): Promise<void> {
      return send({ method: "DELETE", path: `{{ l.path }}/${segment(id)}/{{ l.segment }}/${segment({{ l.other_param }})}` });
    },
{%- endfor %}
  };
}

/** The client `createClient` returns. */
export type Client = ReturnType<typeof createClient>;
