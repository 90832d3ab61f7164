// Type-level tests of the generated SDK's contract: each `@ts-expect-error` line must fail to
// type-check (tsc reports an unused directive otherwise), each other line must pass.
import {
  ApiError,
  createClient,
  USER_STATUS_VALUES,
  type Filter,
  type Price,
  type PriceCreate,
  type User,
  type UserCreate,
  type UserStatus,
  type UserInvoice,
  type UserUpdate,
  type BearerToken,
} from "../../generated/sdk/src/index.js";

declare const user: User;
declare const price: Price;
declare const invoice: UserInvoice;

// A Create type rejects server-managed fields.
export const created: UserCreate = { email: "a@example.com", password: "correct horse" };
// @ts-expect-error id is set by the server
export const withId: UserCreate = { email: "a@example.com", password: "x", id: "0" };
// @ts-expect-error version is set by the server
export const withVersion: UserCreate = { email: "a@example.com", password: "x", version: 0 };
// @ts-expect-error the password is sent as `password`; the hash is the server's
export const withHash: UserCreate = { email: "a@example.com", password_hash: "x" };
// @ts-expect-error a required field is missing
export const missing: UserCreate = { email: "a@example.com" };

// The Read type has no secret.
// @ts-expect-error password_hash is never returned
export const leaked = user.password_hash;
export const email: string = user.email;
// Server-managed fields are read-only.
// @ts-expect-error id is readonly
user.id = "other";

// Nullable and optional are separate: a nullable column is present in Read, possibly null.
export const paidAt: string | null = invoice.paid_at;
// @ts-expect-error a nullable field may be null
export const paidAtNotNull: string = invoice.paid_at;
// A field only some roles see may be absent.
export const customer: string | null | undefined = user.payment_customer_id;
// @ts-expect-error an admin-only field may be absent
export const customerPresent: string | null = user.payment_customer_id;
export const clearCustomer: UserUpdate = { payment_customer_id: null, version: 3 };
// @ts-expect-error a non-nullable field cannot be set to null
export const nullEmail: UserUpdate = { email: null };

// Enums are string unions, with their values as a const array.
export const active: UserStatus = "ACTIVE";
// @ts-expect-error not a UserStatus value
export const bogus: UserStatus = "NOPE";
export const statuses: readonly UserStatus[] = USER_STATUS_VALUES;

// Decimals are strings, dates ISO strings.
export const gross: string = price.gross_amount;
// @ts-expect-error a decimal is not a number
export const grossNumber: number = price.gross_amount;
export const createdAt: string = user.created_at;
// @ts-expect-error a timestamp is not a Date
export const createdDate: Date = user.created_at;
// @ts-expect-error decimals are sent as strings too
export const numberPrice: PriceCreate = { ...({} as PriceCreate), gross_amount: 9.99 };

// Typed filters and order: only declared fields, values of the field's type.
const client = createClient({ baseUrl: "http://localhost:8080" });
export const listed: Promise<User[]> = client.listUsers({
  limit: 10,
  order: ["created_at.desc", "email"],
  filter: { status: { in: ["ACTIVE", "PENDING"] }, email: { ilike: "*@example.com" } },
});
// @ts-expect-error password_hash cannot be filtered on
client.listUsers({ filter: { password_hash: { eq: "x" } } });
// @ts-expect-error not a field of User
client.listUsers({ order: ["nope.desc"] });
// @ts-expect-error a status filter takes UserStatus values
export const badFilter: Filter<UserStatus> = { eq: "NOPE" };

// The client takes a token (or a function giving the current one); login returns one.
export const authed = createClient({ baseUrl: "http://localhost:8080", token: () => "jwt" });
export const loggedIn: Promise<BearerToken> = authed.login({ email: "a@example.com", password: "correct horse" });
// @ts-expect-error login takes the password, not a hash
authed.login({ email: "a@example.com", password_hash: "x" });

// Errors are a typed class carrying the problem.
export async function conflictStatus(id: string): Promise<number | undefined> {
  try {
    await client.updateUser(id, { email: "b@example.com" }, { ifMatch: 1 });
    return undefined;
  } catch (error) {
    return error instanceof ApiError ? error.problem.status : undefined;
  }
}
