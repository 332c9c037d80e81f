// The Azure Media Services SDK (@azure/arm-mediaservices 13.1.0) against
// Sluice: content key policies with a JWT token restriction, streaming
// locators with Predefined_ClearKey and with a custom CENC + CBCS policy
// (a keyToTrackMapping), their listContentKeys and listPaths.
//
//   node content-keys.js create https://127.0.0.1:PORT API_KEY ACCOUNT
//   node content-keys.js verify https://127.0.0.1:PORT API_KEY ACCOUNT FILE
//
// create makes the resources, checks them and prints "keys <json>" (the
// listContentKeys answers); verify (after a restart) checks that the
// answers are those of FILE (a "keys" line) and that GET and list show
// no value.  One "ok <what>" line per check, "done" at the end; exits
// non-zero at the first failure.  Needs NODE_EXTRA_CA_CERTS for a
// self-signed certificate.

"use strict";

const fs = require("fs");
const { AzureMediaServices } = require("@azure/arm-mediaservices");

const [mode, endpoint, key, account, file] = process.argv.slice(2);
const rg = "sdk-group";
const P = "#Microsoft.Media.ContentKeyPolicy";

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

const fourcc = (v) => ({ trackSelections: [{ property: "FourCC", operation: "Equal", value: v }] });
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const b64key = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

async function policies(c) {
  const ckp = await c.contentKeyPolicies.createOrUpdate(rg, account, "jwtPolicy", {
    description: "ClearKey behind a JWT",
    options: [{
      name: "clearkey-jwt",
      configuration: { odataType: P + "ClearKeyConfiguration" },
      restriction: {
        odataType: P + "TokenRestriction",
        issuer: "sluice-tests",
        audience: "sluice-players",
        primaryVerificationKey: {
          odataType: P + "SymmetricTokenKey",
          keyValue: new Uint8Array(32).fill(7),
        },
        restrictionTokenType: "Jwt",
        requiredClaims: [{ claimType: "urn:microsoft:azure:mediaservices:contentkeyidentifier" }],
      },
    }],
  });
  check(uuid.test(ckp.policyId), "content key policy with a JWT restriction");

  const sp = await c.streamingPolicies.create(rg, account, "cencCbcs", {
    defaultContentKeyPolicyName: "jwtPolicy",
    commonEncryptionCenc: {
      enabledProtocols: { download: false, dash: true, hls: false, smoothStreaming: true },
      contentKeys: {
        defaultKey: { label: "cencDefaultKey" },
        keyToTrackMappings: [{ label: "audioKey", tracks: [fourcc("mp4a")] }],
      },
      drm: {
        playReady: { customLicenseAcquisitionUrlTemplate: "https://drm.example/pr/{ContentKeyId}" },
        widevine: {},
      },
    },
    commonEncryptionCbcs: {
      enabledProtocols: { download: false, dash: false, hls: true, smoothStreaming: false },
      clearTracks: [fourcc("hev1")],
      contentKeys: { defaultKey: { label: "cbcsDefaultKey" } },
      drm: { fairPlay: { allowPersistentLicense: false } },
    },
  });
  check(sp.commonEncryptionCenc.clearTracks.length === 0
        && sp.commonEncryptionCenc.contentKeys.keyToTrackMappings[0].label === "audioKey"
        && sp.commonEncryptionCbcs.clearTracks[0].trackSelections[0].value === "hev1",
        "custom CENC + CBCS policy with a keyToTrackMapping");
}

async function recorded(c) {
  await c.assets.createOrUpdate(rg, account, "keysasset", {});
  await c.liveEvents.beginCreateAndWait(rg, account, "keysev", {
    location: "westus", input: { streamingProtocol: "RTMP" },
  }, { autoStart: false });
  await c.liveOutputs.beginCreateAndWait(rg, account, "keysev", "keysout", {
    assetName: "keysasset", archiveWindowLength: "PT30M", manifestName: "show",
  });
  check(true, "asset recorded by a live output");
}

function pathsOf(paths) {
  return paths.streamingPaths.map((p) => p.streamingProtocol + " " + p.encryptionScheme
    + " " + p.paths.map((x) => x.replace(/^\/[^/]+\/show\.ism\//, "")).join(" "));
}

async function clearKeyLocator(c) {
  const loc = await c.streamingLocators.create(rg, account, "clearkeyLoc", {
    assetName: "keysasset", streamingPolicyName: "Predefined_ClearKey",
    defaultContentKeyPolicyName: "jwtPolicy",
  });
  const k = loc.contentKeys;
  check(k.length === 1 && uuid.test(k[0].id) && k[0].type === "EnvelopeEncryption"
        && k[0].labelReferenceInStreamingPolicy === "aesDefaultKey"
        && k[0].value === undefined && k[0].policyName === undefined,
        "Predefined_ClearKey locator: one envelope key, no value");

  const keys = (await c.streamingLocators.listContentKeys(rg, account, "clearkeyLoc")).contentKeys;
  check(keys.length === 1 && keys[0].id === k[0].id && b64key.test(keys[0].value)
        && keys[0].policyName === "jwtPolicy" && keys[0].tracks.length === 0,
        "listContentKeys: the value, the content key policy");

  const paths = await c.streamingLocators.listPaths(rg, account, "clearkeyLoc");
  check(JSON.stringify(pathsOf(paths)) === JSON.stringify([
    "Hls EnvelopeEncryption manifest(format=m3u8-aapl,encryption=cbc) manifest(format=m3u8-cmaf,encryption=cbc)",
    "Dash EnvelopeEncryption manifest(format=mpd-time-csf,encryption=cbc) manifest(format=mpd-time-cmaf,encryption=cbc)",
    "SmoothStreaming EnvelopeEncryption manifest(encryption=cbc)",
  ]) && paths.downloadPaths.length === 0, "listPaths: AMS's envelope paths");
  return keys;
}

async function customLocator(c) {
  const loc = await c.streamingLocators.create(rg, account, "customLoc", {
    assetName: "keysasset", streamingPolicyName: "cencCbcs",
  });
  check(JSON.stringify(loc.contentKeys.map((x) => x.labelReferenceInStreamingPolicy))
        === JSON.stringify(["cbcsDefaultKey", "cencDefaultKey", "audioKey"])
        && loc.contentKeys.every((x) => x.value === undefined),
        "custom locator: three keys, CBCS first, no value");

  const keys = (await c.streamingLocators.listContentKeys(rg, account, "customLoc")).contentKeys;
  check(JSON.stringify(keys.map((x) => [x.labelReferenceInStreamingPolicy, x.type, x.policyName]))
        === JSON.stringify([["cencDefaultKey", "CommonEncryptionCenc", "jwtPolicy"],
                            ["audioKey", "CommonEncryptionCenc", "jwtPolicy"],
                            ["cbcsDefaultKey", "CommonEncryptionCbcs", "jwtPolicy"]])
        && keys.every((x) => uuid.test(x.id) && b64key.test(x.value))
        && new Set(keys.map((x) => x.value)).size === 3,
        "listContentKeys: three distinct keys, the policy's content key policy");
  check(keys[1].tracks.length === 1 && keys[1].tracks[0].trackSelections[0].value === "mp4a"
        && keys[0].tracks.length === 0, "the mapping's key has its tracks");

  const paths = await c.streamingLocators.listPaths(rg, account, "customLoc");
  check(JSON.stringify(pathsOf(paths)) === JSON.stringify([
    "Dash CommonEncryptionCenc manifest(format=mpd-time-csf,encryption=cenc) manifest(format=mpd-time-cmaf,encryption=cenc)",
    "SmoothStreaming CommonEncryptionCenc manifest(encryption=cenc)",
    "Hls CommonEncryptionCbcs manifest(format=m3u8-aapl,encryption=cbcs-aapl) manifest(format=m3u8-cmaf,encryption=cbcs-aapl)",
  ]), "listPaths: AMS's CENC and CBCS paths");
  return keys;
}

async function refusals(c) {
  let e1 = null;
  try {
    await c.streamingLocators.create(rg, account, "nopolicy", {
      assetName: "keysasset", streamingPolicyName: "Predefined_MultiDrmCencStreaming",
    });
  } catch (e) {
    e1 = e;
  }
  check(e1 && e1.statusCode === 400 && e1.code === "BadRequest",
        "a key without content key policy: RestError 400");

  let e2 = null;
  try {
    await c.contentKeyPolicies.delete(rg, account, "jwtPolicy");
  } catch (e) {
    e2 = e;
  }
  check(e2 && e2.statusCode === 409, "a content key policy in use cannot be deleted");
}

async function create(c) {
  await policies(c);
  await recorded(c);
  const keys = { clearkeyLoc: await clearKeyLocator(c), customLoc: await customLocator(c) };
  await refusals(c);
  console.log("keys " + JSON.stringify(keys));
}

async function verify(c) {
  const line = fs.readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("keys "));
  const before = JSON.parse(line.slice(5));

  for (const name of Object.keys(before)) {
    const keys = (await c.streamingLocators.listContentKeys(rg, account, name)).contentKeys;
    check(JSON.stringify(keys) === JSON.stringify(before[name]), name + ": the same keys after a restart");
    const loc = await c.streamingLocators.get(rg, account, name);
    check(loc.contentKeys.length === keys.length && loc.contentKeys.every((x) => x.value === undefined),
          name + ": GET shows no value");
  }
  const listed = await all(c.streamingLocators.list(rg, account));
  check(listed.length === 2 && listed.every((l) => l.contentKeys.every((x) => x.value === undefined)),
        "list shows no value");

  const secrets = await c.contentKeyPolicies.getPolicyPropertiesWithSecrets(rg, account, "jwtPolicy");
  check(secrets.options[0].restriction.primaryVerificationKey.keyValue.length === 32,
        "the JWT key survives too");
}

async function main() {
  const credential = {
    getToken: async () => ({ token: key, expiresOnTimestamp: Date.now() + 3600e3 }),
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });

  if (mode === "create") {
    await create(c);
  } else {
    await verify(c);
  }
  console.log("done");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
