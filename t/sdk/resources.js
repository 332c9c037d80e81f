// The Azure Media Services SDK (@azure/arm-mediaservices 13.1.0) against
// Sluice: assets, live outputs, streaming policies, streaming locators and
// streaming endpoints, with their long-running operations.
//
//   node resources.js https://127.0.0.1:PORT API_KEY ACCOUNT
//
// Prints one "ok <what>" line per check, "done" at the end; exits non-zero
// at the first failure.  Needs NODE_EXTRA_CA_CERTS for a self-signed
// certificate.

"use strict";

const { AzureMediaServices } = require("@azure/arm-mediaservices");

const [endpoint, key, account] = process.argv.slice(2);
const rg = "sdk-group";

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

async function main() {
  const credential = {
    getToken: async () => ({ token: key, expiresOnTimestamp: Date.now() + 3600e3 }),
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });

  // streaming endpoints

  let se = await c.streamingEndpoints.get(rg, account, "default");
  check(se.resourceState === "Stopped", "default endpoint Stopped");
  await c.streamingEndpoints.beginStartAndWait(rg, account, "default");
  se = await c.streamingEndpoints.get(rg, account, "default");
  check(se.resourceState === "Running", "default endpoint started");
  check(typeof se.hostName === "string" && se.hostName.length > 0, "hostName");

  se = await c.streamingEndpoints.beginCreateAndWait(rg, account, "se1", {
    location: "westus", scaleUnits: 1, maxCacheAge: 60,
    accessControl: { ip: { allow: [{ name: "all", address: "0.0.0.0", subnetPrefixLength: 0 }] } },
    crossSiteAccessPolicies: { clientAccessPolicy: "<access-policy/>" },
  }, { autoStart: false });
  check(se.name === "se1" && se.resourceState === "Stopped", "endpoint created");
  check(se.created instanceof Date, "endpoint created is a date");
  se = await c.streamingEndpoints.beginUpdateAndWait(rg, account, "se1",
    { location: "westus", scaleUnits: 1, description: "updated" });
  check(se.description === "updated", "endpoint updated");
  await c.streamingEndpoints.beginScaleAndWait(rg, account, "se1", { scaleUnit: 2 });
  check((await c.streamingEndpoints.get(rg, account, "se1")).scaleUnits === 2, "endpoint scaled");
  await c.streamingEndpoints.beginStartAndWait(rg, account, "se1");
  await c.streamingEndpoints.beginStopAndWait(rg, account, "se1");
  check((await c.streamingEndpoints.get(rg, account, "se1")).resourceState === "Stopped",
    "endpoint start and stop");
  const ses = await all(c.streamingEndpoints.list(rg, account));
  check(ses.length === 2, "endpoints listed");
  await c.streamingEndpoints.beginDeleteAndWait(rg, account, "se1");

  // assets

  let a = await c.assets.createOrUpdate(rg, account, "sdkasset",
    { description: "recorded", alternateId: "alt" });
  check(/^[0-9a-f-]{36}$/.test(a.assetId), "asset created");
  check(a.container === "asset-" + a.assetId, "asset container");
  a = await c.assets.update(rg, account, "sdkasset", { description: "patched" });
  check(a.description === "patched" && a.alternateId === "alt", "asset patched");
  for (let i = 0; i < 11; i++) {
    await c.assets.createOrUpdate(rg, account, "page" + i, {});
  }
  const assets = await all(c.assets.list(rg, account));
  check(assets.length === 12, "assets listed across pages (" + assets.length + ")");
  const top = await all(c.assets.list(rg, account, { top: 3, orderby: "properties/created desc" }));
  check(top.length === 3 && top[0].created >= top[1].created && top[1].created >= top[2].created
        && top[0].created.getTime() === Math.max(...assets.map((x) => x.created.getTime())),
        "assets $top and $orderby");
  const filtered = await all(c.assets.list(rg, account, { filter: "name eq 'page3'" }));
  check(filtered.length === 1 && filtered[0].name === "page3", "assets $filter");

  // live event and live output

  await c.liveEvents.beginCreateAndWait(rg, account, "sdkev", {
    location: "westus", input: { streamingProtocol: "RTMP" },
  }, { autoStart: false });
  let lo = await c.liveOutputs.beginCreateAndWait(rg, account, "sdkev", "sdkout", {
    assetName: "sdkasset", archiveWindowLength: "PT30M", rewindWindowLength: "PT10M",
    manifestName: "show", hls: { fragmentsPerTsSegment: 2 },
  });
  check(lo.resourceState === "Running" && lo.manifestName === "show", "live output created");
  check((await c.liveOutputs.get(rg, account, "sdkev", "sdkout")).archiveWindowLength === "PT30M",
    "live output get");
  check((await all(c.liveOutputs.list(rg, account, "sdkev"))).length === 1, "live outputs listed");
  await c.liveEvents.beginStartAndWait(rg, account, "sdkev");

  // policies and locators

  const policies = await all(c.streamingPolicies.list(rg, account));
  check(policies.some((p) => p.name === "Predefined_ClearStreamingOnly"), "predefined policies listed");
  const sp = await c.streamingPolicies.get(rg, account, "Predefined_ClearStreamingOnly");
  check(sp.noEncryption.enabledProtocols.hls === true, "predefined policy read");
  await c.streamingPolicies.create(rg, account, "sdkpolicy", {
    noEncryption: { enabledProtocols: { download: false, dash: true, hls: true, smoothStreaming: true } },
  });

  const loc = await c.streamingLocators.create(rg, account, "sdkloc", {
    assetName: "sdkasset", streamingPolicyName: "sdkpolicy",
  });
  check(/^[0-9a-f-]{36}$/.test(loc.streamingLocatorId), "locator created");
  const paths = await c.streamingLocators.listPaths(rg, account, "sdkloc");
  const hls = paths.streamingPaths.find((p) => p.streamingProtocol === "Hls");
  check(hls && hls.paths[0] === "/" + loc.streamingLocatorId + "/show.ism/manifest(format=m3u8-aapl)",
    "locator listPaths");
  const keys = await c.streamingLocators.listContentKeys(rg, account, "sdkloc");
  check(keys.contentKeys.length === 0, "locator listContentKeys");
  const al = await c.assets.listStreamingLocators(rg, account, "sdkasset");
  check(al.streamingLocators.length === 1 && al.streamingLocators[0].name === "sdkloc",
    "asset listStreamingLocators");

  let refused = false;
  try {
    await c.liveEvents.beginStopAndWait(rg, account, "sdkev", {});
  } catch (e) {
    refused = e.statusCode === 400;
  }
  check(refused, "stop refused while a live output exists");

  await c.liveEvents.beginStopAndWait(rg, account, "sdkev", { removeOutputsOnStop: true });
  check((await all(c.liveOutputs.list(rg, account, "sdkev"))).length === 0,
    "stop with removeOutputsOnStop removes the output");
  check((await c.streamingLocators.get(rg, account, "sdkloc")).assetName === "sdkasset",
    "locator survives");

  let missing = null;
  try {
    await c.assets.get(rg, account, "nope");
  } catch (e) {
    missing = e;
  }
  check(missing && missing.statusCode === 404 && missing.name === "RestError", "404 RestError");

  await c.streamingLocators.delete(rg, account, "sdkloc");
  await c.streamingPolicies.delete(rg, account, "sdkpolicy");
  await c.assets.delete(rg, account, "sdkasset");
  await c.liveEvents.beginDeleteAndWait(rg, account, "sdkev");
  await c.streamingEndpoints.beginStopAndWait(rg, account, "default");
  check((await all(c.assets.list(rg, account))).length === 11, "deleted");

  console.log("done");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
