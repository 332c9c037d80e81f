// Dynamic encryption end to end through the Azure Media Services SDK
// (@azure/arm-mediaservices 13.1.0, unmodified), for
// t/078-sdk-encryption.t:
//
//   node encryption.js https://127.0.0.1:PORT API_KEY ACCOUNT JWT_KEY LAURL OUT
//
// JWT_KEY is the base64 of the content key policy's HS256 key, LAURL the
// ClearKey licence URL template of the custom streaming policy, OUT a file
// where every GET answer the SDK received is written (one JSON line each:
// {"url": ..., "status": ..., "body": ...}) for the caller to search for
// secrets.
//
// Creates, as an AMS user would: the default streaming endpoint started,
// a live event (RTMP) started, an asset and a live output; a content key
// policy with a JWT token restriction (HS256, issuer, audience, a required
// claim and the content key identifier claim); a streaming locator of
// Predefined_ClearKey with that policy as defaultContentKeyPolicyName; a
// custom streaming policy (commonEncryptionCenc for DASH with a
// clearKeyEncryptionConfiguration, commonEncryptionCbcs for HLS) and a
// locator of it; then reads listContentKeys and listPaths and the GET
// sides of all of it.  Prints
//   input <rtmp url>
//   host <streaming endpoint hostName>
//   key <locator> <label> <type> <kid> <base64 value>
//   path <locator> <protocol> <scheme> <path>
// one "ok <what>" line per check and "done" at the end; exits non-zero at
// the first failure.  Needs NODE_EXTRA_CA_CERTS for a self-signed
// certificate.

"use strict";

const fs = require("fs");
const { AzureMediaServices } = require("@azure/arm-mediaservices");

const [endpoint, apiKey, account, jwtKey, laUrl, outFile] =
  process.argv.slice(2);
const rg = "e2e-group";
const P = "#Microsoft.Media.ContentKeyPolicy";
const KID_CLAIM = "urn:microsoft:azure:mediaservices:contentkeyidentifier";
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const gets = [];

function check(cond, what) {
  if (!cond) {
    throw new Error("check failed: " + what);
  }
  console.log("ok " + what);
}

async function all(iter) {
  const out = [];
  for await (const x of iter) {
    out.push(x);
  }
  return out;
}

// every GET answer, as received (the polling of long-running operations
// included)
const recorder = {
  name: "sluiceRecordGets",
  async sendRequest(req, next) {
    const res = await next(req);
    if (req.method === "GET") {
      gets.push({ url: req.url, status: res.status, body: res.bodyAsText || "" });
    }
    return res;
  },
};

async function live(c) {
  await c.streamingEndpoints.beginStartAndWait(rg, account, "default");
  const se = await c.streamingEndpoints.get(rg, account, "default");
  check(se.resourceState === "Running" && se.hostName, "streaming endpoint Running");

  const le = await c.liveEvents.beginCreateAndWait(rg, account, "e2eevent", {
    location: "westus",
    input: { streamingProtocol: "RTMP", keyFrameIntervalDuration: "PT2S" },
    encoding: { encodingType: "PassthroughBasic" },
  }, { autoStart: true });
  check(le.resourceState === "Running", "live event Running");

  await c.assets.createOrUpdate(rg, account, "e2easset", { description: "encrypted" });
  const lo = await c.liveOutputs.beginCreateAndWait(rg, account, "e2eevent", "e2eoutput", {
    assetName: "e2easset", archiveWindowLength: "PT5M", manifestName: "show",
  });
  check(lo.resourceState === "Running", "live output Running");

  const url = (le.input.endpoints.find((e) => /^rtmp:/.test(e.url)) || {}).url;
  check(url, "RTMP input URL");
  console.log("input " + url);
  console.log("host " + se.hostName);
}

async function contentKeyPolicy(c) {
  const ckp = await c.contentKeyPolicies.createOrUpdate(rg, account, "jwtPolicy", {
    description: "ClearKey and AES-128 keys behind a JWT",
    options: [{
      name: "jwt",
      configuration: { odataType: P + "ClearKeyConfiguration" },
      restriction: {
        odataType: P + "TokenRestriction",
        issuer: "https://issuer.sluice.test",
        audience: "urn:sluice:players",
        primaryVerificationKey: {
          odataType: P + "SymmetricTokenKey",
          keyValue: Buffer.from(jwtKey, "base64"),
        },
        restrictionTokenType: "Jwt",
        requiredClaims: [
          { claimType: "urn:sluice:entitlement", claimValue: "premium" },
          { claimType: KID_CLAIM },
        ],
      },
    }],
  });
  check(uuid.test(ckp.policyId), "content key policy with a JWT restriction");

  const got = await c.contentKeyPolicies.get(rg, account, "jwtPolicy");
  const r = got.options[0].restriction;
  check(r.issuer === "https://issuer.sluice.test" && r.requiredClaims.length === 2
        && !(r.primaryVerificationKey.keyValue && r.primaryVerificationKey.keyValue.length),
        "content key policy GET: the restriction, no key value");
  const secrets = await c.contentKeyPolicies.getPolicyPropertiesWithSecrets(rg, account,
    "jwtPolicy");
  check(Buffer.from(secrets.options[0].restriction.primaryVerificationKey.keyValue)
        .toString("base64") === jwtKey, "getPolicyPropertiesWithSecrets: the key");
}

async function streamingPolicy(c) {
  const off = { download: false, dash: false, hls: false, smoothStreaming: false };
  const sp = await c.streamingPolicies.create(rg, account, "cencDashCbcsHls", {
    defaultContentKeyPolicyName: "jwtPolicy",
    commonEncryptionCenc: {
      enabledProtocols: { ...off, dash: true },
      contentKeys: { defaultKey: { label: "cencKey" } },
      clearKeyEncryptionConfiguration: { customKeysAcquisitionUrlTemplate: laUrl },
    },
    commonEncryptionCbcs: {
      enabledProtocols: { ...off, hls: true },
      contentKeys: { defaultKey: { label: "cbcsKey" } },
    },
  });
  check(sp.commonEncryptionCenc.clearKeyEncryptionConfiguration
        .customKeysAcquisitionUrlTemplate === laUrl,
        "custom streaming policy: CENC for DASH with ClearKey, CBCS for HLS");
}

async function locators(c) {
  const a = await c.streamingLocators.create(rg, account, "clearkeyLoc", {
    assetName: "e2easset", streamingPolicyName: "Predefined_ClearKey",
    defaultContentKeyPolicyName: "jwtPolicy",
  });
  check(a.contentKeys.length === 1 && a.contentKeys[0].value === undefined,
        "Predefined_ClearKey locator: one key, no value");

  const b = await c.streamingLocators.create(rg, account, "customLoc", {
    assetName: "e2easset", streamingPolicyName: "cencDashCbcsHls",
  });
  check(b.contentKeys.length === 2 && b.contentKeys.every((k) => k.value === undefined),
        "custom locator: two keys, no value");

  const listed = await all(c.streamingLocators.list(rg, account));
  check(listed.length === 2, "two locators listed");
  for (const name of ["clearkeyLoc", "customLoc"]) {
    const got = await c.streamingLocators.get(rg, account, name);
    check(got.contentKeys.every((k) => k.value === undefined), name + " GET: no value");
  }
}

async function keysAndPaths(c, name, types) {
  const keys = (await c.streamingLocators.listContentKeys(rg, account, name)).contentKeys;
  check(JSON.stringify(keys.map((k) => k.type)) === JSON.stringify(types)
        && keys.every((k) => uuid.test(k.id) && k.policyName === "jwtPolicy"
                              && Buffer.from(k.value, "base64").length === 16),
        name + " listContentKeys: " + types.join(", "));
  for (const k of keys) {
    console.log(["key", name, k.labelReferenceInStreamingPolicy, k.type, k.id,
                 k.value].join(" "));
  }

  const paths = await c.streamingLocators.listPaths(rg, account, name);
  check(paths.streamingPaths.length > 0, name + " listPaths");
  for (const sp of paths.streamingPaths) {
    for (const p of sp.paths) {
      console.log(["path", name, sp.streamingProtocol, sp.encryptionScheme, p].join(" "));
    }
  }
}

async function main() {
  const credential = {
    getToken: async () => ({ token: apiKey, expiresOnTimestamp: Date.now() + 3600e3 }),
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });
  c.pipeline.addPolicy(recorder);

  await live(c);
  await contentKeyPolicy(c);
  await streamingPolicy(c);
  await locators(c);
  await keysAndPaths(c, "clearkeyLoc", ["EnvelopeEncryption"]);
  await keysAndPaths(c, "customLoc", ["CommonEncryptionCenc", "CommonEncryptionCbcs"]);

  const policies = await all(c.contentKeyPolicies.list(rg, account));
  check(policies.length === 1, "content key policies listed");
  await c.streamingPolicies.get(rg, account, "cencDashCbcsHls");
  await c.liveEvents.get(rg, account, "e2eevent");

  fs.writeFileSync(outFile, gets.map((g) => JSON.stringify(g)).join("\n") + "\n");
  check(gets.length >= 8, gets.length + " GET answers recorded");
  console.log("done");
}

main().catch((e) => {
  console.error("FAIL " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
