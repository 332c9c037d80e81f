// The Azure Media Services SDK (@azure/arm-mediaservices 13.1.0) against
// Sluice with a token credential, as with Azure AD: getToken(scope) mints
// a JWT for that scope (aud: the scope without "/.default"), signed here
// RS256 or ES256 with the private key of a JWKS Sluice trusts, whose
// "roles" claim holds ROLE.
//
//   node roles-jwt.js https://127.0.0.1:PORT ACCOUNT KEY.pem KID ALG ISSUER ROLE WRITES
//
// WRITES: 1 when ROLE may write (create, update, delete succeed), 0 when
// only read (they fail 403 AuthorizationFailed, reads succeed).  Prints
// one "ok <what>" line per check and "done"; exits non-zero at the first
// failure.  Needs NODE_EXTRA_CA_CERTS for a self-signed certificate.

"use strict";

const crypto = require("crypto");
const fs = require("fs");
const { AzureMediaServices } = require("@azure/arm-mediaservices");

const [endpoint, account, keyFile, kid, alg, issuer, role, writes] =
  process.argv.slice(2);
const rg = "sdk-group";
const key = crypto.createPrivateKey(fs.readFileSync(keyFile));
const scopes = [];

function check(cond, what) {
  if (!cond) {
    throw new Error("check failed: " + what);
  }
  console.log("ok " + what);
}

function b64url(s) {
  return Buffer.from(s).toString("base64url");
}

// what Azure AD issues to an application (client credentials flow)
function mint(scope) {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: "JWT", alg, kid };
  const claims = {
    aud: scope.replace(/\/\.default$/, ""),
    iss: issuer,
    iat: now,
    nbf: now,
    exp: now + 3600,
    appid: "11111111-2222-3333-4444-555555555555",
    oid: "66666666-7777-8888-9999-000000000000",
    sub: "66666666-7777-8888-9999-000000000000",
    tid: "test-tenant",
    roles: [role],
    ver: "1.0",
  };
  const data = b64url(JSON.stringify(header)) + "." + b64url(JSON.stringify(claims));
  const sig = crypto.sign("sha256", Buffer.from(data),
    alg === "ES256" ? { key, dsaEncoding: "ieee-p1363" } : key);
  return data + "." + b64url(sig);
}

async function refused(what, call) {
  let err = null;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  check(err && err.statusCode === 403 && err.code === "AuthorizationFailed",
        what + ": 403 AuthorizationFailed" + (err ? "" : " (it succeeded)"));
}

async function main() {
  const credential = {
    getToken: async (s) => {
      const scope = Array.isArray(s) ? s[0] : s;
      scopes.push(scope);
      return { token: mint(scope), expiresOnTimestamp: Date.now() + 3600e3 };
    },
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });

  const names = [];
  for await (const e of c.liveEvents.list(rg, account)) {
    names.push(e.name);
  }
  check(scopes.length > 0 && scopes[0] === endpoint + "/.default",
        "token asked for " + endpoint + "/.default");
  check(names.includes("seeded"), "list live events");

  const ev = await c.liveEvents.get(rg, account, "seeded");
  check(ev.resourceState === "Stopped", "get a live event");

  if (writes === "1") {
    const created = await c.liveEvents.beginCreateAndWait(rg, account, "jwtev",
      { location: "westus", input: { streamingProtocol: "RTMP" } }, { autoStart: false });
    check(created.name === "jwtev" && created.resourceState === "Stopped", "create a live event");

    const asset = await c.assets.createOrUpdate(rg, account, "jwtasset", { description: "jwt" });
    check(asset.name === "jwtasset", "create an asset");

    await c.liveEvents.beginDeleteAndWait(rg, account, "jwtev");
    await c.assets.delete(rg, account, "jwtasset");

    let gone = false;
    try {
      await c.liveEvents.get(rg, account, "jwtev");
    } catch (e) {
      gone = e.statusCode === 404;
    }
    check(gone, "delete a live event");

  } else {
    await refused("create a live event", () => c.liveEvents.beginCreateAndWait(rg, account,
      "jwtev", { location: "westus", input: { streamingProtocol: "RTMP" } }, { autoStart: false }));
    await refused("create an asset", () => c.assets.createOrUpdate(rg, account, "jwtasset", {}));
    await refused("start a live event", () => c.liveEvents.beginStartAndWait(rg, account, "seeded"));
    await refused("delete a live event", () => c.liveEvents.beginDeleteAndWait(rg, account, "seeded"));
  }

  console.log("done");
}

main().catch((e) => {
  console.log("error: " + (e.statusCode || "") + " " + (e.code || "") + " " + e.message);
  process.exit(1);
});
