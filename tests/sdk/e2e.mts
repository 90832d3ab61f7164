// The generated SDK under node against the live server (driven by tests/sdk_e2e.rs; .mts: an ES module): register and
// login, CRUD of one entity, filters and order, a stale version as ApiError 409 with its problem,
// another user's row as 404, a link and an unlink. Any failed expectation throws, and node exits 1.

import { ApiError, createClient, type Problem } from "../../generated/sdk/src/index.js";

declare const process: { env: Record<string, string | undefined> };

const baseUrl = process.env.API_BASE_URL ?? "";
const adminToken = process.env.API_ADMIN_TOKEN ?? "";

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`expected ${what}`);
}

/** The ApiError a call rejects with; anything else fails. */
async function apiError(call: Promise<unknown>, what: string): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error(`expected ${what} to fail`);
}

const anonymous = createClient({ baseUrl });
const admin = createClient({ baseUrl, token: adminToken });

// Register and login: the token register returns and the one login returns both work.
const ann = { email: "ann@example.com", password: "correct horse battery staple" };
const registered = await anonymous.register(ann);
expect(registered.token_type === "Bearer" && registered.expires_in > 0, "a bearer token from register");
let { access_token } = await anonymous.login(ann);
const asAnn = createClient({ baseUrl, token: () => access_token });
// The token's subject is Ann's user id (a JWT's payload is base64url JSON).
const payload = access_token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
const subject = (JSON.parse(atob(payload)) as { sub: string }).sub;
const me = await asAnn.getUser(subject);
expect(me.email === ann.email, "Ann to read her own user row");
const listing = await apiError(asAnn.listUsers(), "listing users as a user");
expect(listing.status === 403, `403 listing users without the admin role, got ${listing.status}`);
const bad = await apiError(anonymous.login({ ...ann, password: "wrong password!" }), "a wrong password");
expect(bad.status === 401, `401 for a wrong password, got ${bad.status}`);
// Ann's own password changes only with her current one; then the new one logs in.
const unconfirmed = await apiError(asAnn.updateUser(subject, { password: "a newer password" }), "no current password");
expect(unconfirmed.status === 422, `422 without current_password, got ${unconfirmed.status}`);
await asAnn.updateUser(subject, { password: "a newer password", current_password: ann.password });
// The change ended the earlier token; the client reads the new one from here on.
({ access_token } = await anonymous.login({ ...ann, password: "a newer password" }));

// CRUD of one entity, as an admin.
const created = await admin.createCountry({ code: "NL", name: "Netherlands", position: 2, is_enabled: true });
expect(created.code === "NL" && created.version === 0 && created.is_enabled, "the created row");
const read = await admin.getCountry(created.id);
expect(read.name === "Netherlands", "the row read back");
const updated = await admin.updateCountry(created.id, { name: "Nederland", version: read.version });
expect(updated.name === "Nederland" && updated.version === 1, "the update applied and the version bumped");
const viaIfMatch = await admin.updateCountry(created.id, { position: 3 }, { ifMatch: updated.version });
expect(viaIfMatch.position === 3 && viaIfMatch.version === 2, "If-Match carrying the version");

// A stale version surfaces as ApiError 409 with its typed problem.
const stale = await apiError(admin.updateCountry(created.id, { name: "Holland", version: 0 }), "a stale version");
const problem: Problem = stale.problem;
expect(stale.status === 409 && stale.isConflict && problem.status === 409, `409 for a stale version, got ${stale.status}`);
expect(problem.title === "Conflict" && typeof problem.detail === "string", "a problem with title and detail");

// Filters and order.
await admin.createCountry({ code: "BE", name: "Belgium", position: 1, is_enabled: true });
const lu = await admin.createCountry({ code: "LU", name: "Luxembourg" });
expect(!lu.is_enabled && lu.position === 999, "the spec's defaults filled in");
const enabled = await admin.listCountries({ filter: { is_enabled: { eq: true } }, order: ["position.desc"] });
expect(enabled.map((c) => c.code).join(",") === "NL,BE", `enabled countries by position desc, got ${enabled.map((c) => c.code)}`);
const named = await admin.listCountries({ filter: { name: { ilike: "*LU*" }, code: { in: ["LU", "XX"] } } });
expect(named.length === 1 && named[0]!.code === "LU", "ilike and in filters");
const paged = await admin.listCountries({ order: ["code"], limit: 1, offset: 1 });
expect(paged.length === 1 && paged[0]!.code === "LU", "limit and offset after order");

// A delete holding to a stale version is refused and the row stays.
const staleDelete = await apiError(admin.deleteCountry(created.id, { ifMatch: 0 }), "a delete at a stale version");
expect(staleDelete.isPreconditionFailed, `412 for a stale If-Match, got ${staleDelete.status}`);
await admin.deleteCountry(created.id, { ifMatch: viaIfMatch.version });
const gone = await apiError(admin.getCountry(created.id), "a deleted row");
expect(gone.status === 404, `404 after delete, got ${gone.status}`);

// Another user's row is a 404 (it does not exist for them), their own a 200.
const annsCase = await asAnn.createUserCase({ user_id: me.id, description: "Ann's case" });
const bob = { email: "bob@example.com", password: "another long password" };
const asBob = createClient({ baseUrl, token: (await anonymous.register(bob)).access_token });
const hidden = await apiError(asBob.getUserCase(annsCase.id), "another user's row");
expect(hidden.status === 404, `404 for another user's row, got ${hidden.status}`);
expect((await asAnn.getUserCase(annsCase.id)).description === "Ann's case", "the owner reads her row");
expect((await asBob.listUserCases()).length === 0, "Bob lists none of Ann's rows");

// A link and an unlink.
const role = await admin.createRole({ name: "Editors", slug: "editors" });
const permission = await admin.createPermission({ name: "posts.edit", resource: "posts", action: "edit" });
await admin.linkPermissionToRole(role.id, permission.id);
await admin.linkPermissionToRole(role.id, permission.id); // idempotent
expect((await admin.listPermissionsOfRole(role.id)).join() === permission.id, "the permission linked");
await admin.unlinkPermissionFromRole(role.id, permission.id);
expect((await admin.listPermissionsOfRole(role.id)).length === 0, "the permission unlinked");
const unlinked = await apiError(admin.unlinkPermissionFromRole(role.id, permission.id), "unlinking twice");
expect(unlinked.status === 404, `404 unlinking what is not linked, got ${unlinked.status}`);

console.log("sdk e2e: all expectations held");
