// {{ header }}

export * from "./types.js";
export { createClient, type Client, type WriteOptions } from "./client.js";
export { ApiError, type ClientOptions, type Filter, type Json, type ListParams, type Order, type Problem } from "./runtime.js";
