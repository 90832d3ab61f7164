// {{ header }}
// The hand-written half of the client, rendered verbatim: request plumbing, filters, errors.

/** Any JSON value (json and jsonb columns). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An RFC 9457 problem, as every error response carries it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Field-level errors of a 422. */
  errors?: { field: string; message: string }[];
}

/** A non-2xx answer: `status` and the parsed problem body. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }

  /** 409: a stale version, or a unique key or reference violated. */
  get isConflict(): boolean {
    return this.status === 409;
  }

  /** 412: `ifMatch` named a version the row is no longer at; nothing was written. */
  get isPreconditionFailed(): boolean {
    return this.status === 412;
  }
}

/** Conditions on one field, all of which must hold (PostgREST operators). */
export interface Filter<T> {
  eq?: T;
  neq?: T;
  lt?: T;
  lte?: T;
  gt?: T;
  gte?: T;
  in?: readonly T[];
  /** SQL LIKE; `*` is the wildcard. */
  like?: string;
  /** Case-insensitive LIKE; `*` is the wildcard. */
  ilike?: string;
  /** `true`: the field is null; `false`: it is not. */
  isNull?: boolean;
}

/** `field`, `field.asc` or `field.desc`. */
export type Order<F extends string> = F | `${F}.asc` | `${F}.desc`;

/** A distance between vectors: Euclidean, cosine, negative inner product, taxicab. */
export type Metric = "l2" | "cosine" | "ip" | "l1";

/** Nearest first: rows by the distance from `field` to `vector`. */
export interface Nearest<V extends string> {
  field: V;
  metric: Metric;
  vector: readonly number[];
}

/** Paging, order and filters of a list call; `nearest` replaces `order`. */
export interface ListParams<F extends string, W, V extends string = never> {
  limit?: number;
  offset?: number;
  order?: readonly Order<F>[];
  nearest?: Nearest<V>;
  filter?: W;
}

export interface ClientOptions {
  /** Where the API is served, e.g. `https://api.example.com` (no trailing `/api/v1`). */
  baseUrl: string;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /** Headers sent with every request (a function is called per request). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** The bearer token (from login), or a function returning the current one; none when undefined. */
  token?: string | (() => string | undefined);
}

type Scalar = string | number | boolean;

/** Serializes `ListParams` into PostgREST-style query parameters. */
export function listQuery(params: ListParams<string, object, string> | undefined): URLSearchParams {
  const query = new URLSearchParams();
  if (!params) return query;
  if (params.limit !== undefined) query.append("limit", String(params.limit));
  if (params.offset !== undefined) query.append("offset", String(params.offset));
  if (params.nearest) {
    const { field, metric, vector } = params.nearest;
    // Digits without an exponent, as the document's pattern admits (String(1e21) is "1e+21").
    const digits = (x: number) => (Math.abs(x) >= 1e21 ? BigInt(x).toString() : String(x));
    query.append("order", `${field}.${metric}.[${vector.map(digits).join(",")}]`);
  } else if (params.order && params.order.length > 0) {
    query.append("order", params.order.join(","));
  }
  for (const [field, filter] of Object.entries(params.filter ?? {}) as [string, Filter<Scalar> | undefined][]) {
    if (!filter) continue;
    for (const op of ["eq", "neq", "lt", "lte", "gt", "gte"] as const) {
      const value = filter[op];
      if (value !== undefined) query.append(field, `${op}.${String(value)}`);
    }
    if (filter.in !== undefined) query.append(field, `in.(${filter.in.map(quoteListItem).join(",")})`);
    if (filter.like !== undefined) query.append(field, `like.${filter.like}`);
    if (filter.ilike !== undefined) query.append(field, `ilike.${filter.ilike}`);
    if (filter.isNull !== undefined) query.append(field, filter.isNull ? "is.null" : "not.is.null");
  }
  return query;
}

/** Items of `in.(…)` are quoted when they hold a comma, a quote or a parenthesis. */
function quoteListItem(value: Scalar): string {
  const text = String(value);
  return /[,"()\\]/.test(text) ? `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"` : text;
}

export interface Request {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends one request; resolves to the parsed JSON body (undefined for 204), rejects with ApiError. */
export type Send = <T>(request: Request) => Promise<T>;

export function makeSend(options: ClientOptions): Send {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl.replace(/\/+$/, "");
  return async <T>(request: Request): Promise<T> => {
    const extra = typeof options.headers === "function" ? options.headers() : (options.headers ?? {});
    const headers: Record<string, string> = { accept: "application/json", ...extra, ...request.headers };
    const token = typeof options.token === "function" ? options.token() : options.token;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (request.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(request.body);
    }
    const queryString = request.query?.toString() ?? "";
    const search = queryString === "" ? "" : `?${queryString}`;
    const response = await doFetch(`${base}${request.path}${search}`, { method: request.method, headers, body });
    if (!response.ok) {
      throw new ApiError(await problemOf(response));
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  };
}

/** The problem body of an error response, or one made up from the status when there is none. */
async function problemOf(response: Response): Promise<Problem> {
  const fallback: Problem = { type: "about:blank", title: response.statusText || "HTTP error", status: response.status };
  try {
    const parsed: unknown = await response.json();
    if (parsed !== null && typeof parsed === "object" && "status" in parsed && "title" in parsed) {
      return { ...fallback, ...(parsed as Partial<Problem>) };
    }
  } catch {
    // Not JSON: keep the status-derived problem.
  }
  return fallback;
}

/** Path segments are percent-encoded, so an id can never change the route. */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
