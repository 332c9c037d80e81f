// The whole AMS v3 live workflow through the Azure Media Services SDK
// (@azure/arm-mediaservices 13.1.0, unmodified), in stages so that the
// caller (t/080-sdk-workflow.t) can push a stream and play it in between:
//
//   node workflow.js https://127.0.0.1:PORT API_KEY ACCOUNT STAGE
//
// STAGE is one of
//   setup    start the default streaming endpoint, create and start a live
//            event, create an asset, a live output and a streaming
//            locator; prints "input <rtmp url>" and "path <protocol> <path>"
//            lines (listPaths)
//   stop     stop the live event: refused (RestError) while the live
//            output exists, then with removeOutputsOnStop
//   cleanup  delete the locator, the asset and the live event; gets of
//            missing resources raise a RestError 404
//
// Prints one "ok <what>" line per check, "done" at the end; exits non-zero
// at the first failure.  Needs NODE_EXTRA_CA_CERTS for a self-signed
// certificate.

"use strict";

const { AzureMediaServices } = require("@azure/arm-mediaservices");

const [endpoint, key, account, stage] = process.argv.slice(2);
const rg = "workflow-group";
const ev = "wfevent";
const asset = "wfasset";
const output = "wfoutput";
const locator = "wflocator";

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

async function missing(what, call) {
  let err = null;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  check(err && err.name === "RestError" && err.statusCode === 404,
    what + ": RestError 404" + (err ? "" : " (no error)"));
}

async function setup(c) {
  let se = await c.streamingEndpoints.get(rg, account, "default");
  check(se.name === "default", "streaming endpoint default get");
  await c.streamingEndpoints.beginStartAndWait(rg, account, "default");
  se = await c.streamingEndpoints.get(rg, account, "default");
  check(se.resourceState === "Running", "streaming endpoint default Running");

  const allow = { ip: { allow: [{ name: "all", address: "0.0.0.0", subnetPrefixLength: 0 }] } };
  let le = await c.liveEvents.beginCreateAndWait(rg, account, ev, {
    location: "westus",
    description: "workflow",
    input: { streamingProtocol: "RTMP", keyFrameIntervalDuration: "PT2S", accessControl: allow },
    preview: { accessControl: allow },
    encoding: { encodingType: "PassthroughBasic" },
  }, { autoStart: false });
  check(le.name === ev && le.resourceState === "Stopped", "live event created");
  check(le.encoding.encodingType === "PassthroughBasic", "live event PassthroughBasic");

  await c.liveEvents.beginStartAndWait(rg, account, ev);
  le = await c.liveEvents.get(rg, account, ev);
  check(le.resourceState === "Running", "live event Running");
  const events = await all(c.liveEvents.list(rg, account));
  check(events.length === 1 && events[0].name === ev, "live events listed");

  const url = (le.input.endpoints.find((e) => /^rtmp:/.test(e.url)) || {}).url;
  check(url, "live event RTMP input endpoint");

  const a = await c.assets.createOrUpdate(rg, account, asset, { description: "workflow archive" });
  check(/^[0-9a-f-]{36}$/.test(a.assetId), "asset created");

  const lo = await c.liveOutputs.beginCreateAndWait(rg, account, ev, output, {
    assetName: asset, archiveWindowLength: "PT5M", manifestName: "workflow",
  });
  check(lo.name === output && lo.archiveWindowLength === "PT5M"
        && lo.manifestName === "workflow", "live output created");

  const loc = await c.streamingLocators.create(rg, account, locator, {
    assetName: asset, streamingPolicyName: "Predefined_ClearStreamingOnly",
  });
  check(/^[0-9a-f-]{36}$/.test(loc.streamingLocatorId), "streaming locator created");

  const paths = await c.streamingLocators.listPaths(rg, account, locator);
  const protos = paths.streamingPaths.map((p) => p.streamingProtocol).sort();
  check(protos.join(",") === "Dash,Hls,SmoothStreaming", "listPaths: " + protos.join(","));

  console.log("input " + url);
  for (const sp of paths.streamingPaths) {
    for (const p of sp.paths) {
      console.log("path " + sp.streamingProtocol + " " + p);
    }
  }
}

async function stop(c) {
  let err = null;
  try {
    await c.liveEvents.beginStopAndWait(rg, account, ev, {});
  } catch (e) {
    err = e;
  }
  check(err && err.name === "RestError" && err.statusCode >= 400,
    "stop without removeOutputsOnStop: RestError " + (err && err.statusCode));
  check((await c.liveEvents.get(rg, account, ev)).resourceState === "Running",
    "live event still Running");
  check((await all(c.liveOutputs.list(rg, account, ev))).length === 1, "live output still there");

  await c.liveEvents.beginStopAndWait(rg, account, ev, { removeOutputsOnStop: true });
  check((await c.liveEvents.get(rg, account, ev)).resourceState === "Stopped",
    "stop with removeOutputsOnStop: Stopped");
  check((await all(c.liveOutputs.list(rg, account, ev))).length === 0, "live output removed");
}

async function cleanup(c) {
  await c.streamingLocators.delete(rg, account, locator);
  await missing("locator deleted", () => c.streamingLocators.get(rg, account, locator));
  await missing("live output already removed",
    () => c.liveOutputs.get(rg, account, ev, output));
  await c.assets.delete(rg, account, asset);
  await missing("asset deleted", () => c.assets.get(rg, account, asset));
  await c.liveEvents.beginDeleteAndWait(rg, account, ev);
  await missing("live event deleted", () => c.liveEvents.get(rg, account, ev));
  check((await all(c.liveEvents.list(rg, account))).length === 0, "no live events left");
  await c.streamingEndpoints.beginStopAndWait(rg, account, "default");
  check((await c.streamingEndpoints.get(rg, account, "default")).resourceState === "Stopped",
    "streaming endpoint default stopped");
}

async function main() {
  const credential = {
    getToken: async () => ({ token: key, expiresOnTimestamp: Date.now() + 3600e3 }),
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });
  const stages = { setup, stop, cleanup };

  if (!stages[stage]) {
    throw new Error("unknown stage " + stage);
  }
  await stages[stage](c);
  console.log("done");
}

main().catch((e) => {
  console.error("FAIL " + (e && e.stack ? e.stack : e));
  process.exit(1);
});
