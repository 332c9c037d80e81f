// The Azure Media Services SDK (@azure/arm-mediaservices 13.1.0) against
// Sluice: every live event call, with its long-running operation polling.
//
//   node live-events.js https://127.0.0.1:PORT API_KEY ACCOUNT
//
// Prints one "ok <what>" line per check; exits non-zero at the first
// failure.  Needs NODE_EXTRA_CA_CERTS for a self-signed certificate.

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

async function main() {
  const credential = {
    getToken: async () => ({ token: key, expiresOnTimestamp: Date.now() + 3600e3 }),
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });
  const allow = { ip: { allow: [{ name: "all", address: "0.0.0.0", subnetPrefixLength: 0 }] } };

  let ev = await c.liveEvents.beginCreateAndWait(rg, account, "sdkev1", {
    location: "westus",
    tags: { owner: "sdk" },
    description: "from the SDK",
    input: { streamingProtocol: "RTMP", keyFrameIntervalDuration: "PT2S", accessControl: allow },
    preview: { accessControl: allow },
    encoding: { encodingType: "PassthroughStandard" },
  }, { autoStart: false });

  check(ev.name === "sdkev1", "create: name");
  check(ev.resourceState === "Stopped", "create: Stopped");
  check(ev.provisioningState === "Succeeded", "create: provisioning Succeeded");
  check(/^[0-9a-f]{32}$/.test(ev.input.accessToken), "create: accessToken");
  check(ev.input.endpoints.length >= 1
        && ev.input.endpoints[0].url.endsWith("/live/" + ev.input.accessToken),
        "create: input endpoint");
  check(ev.preview.endpoints[0].url.endsWith(
        "/" + ev.preview.previewLocator + "/preview.ism/manifest"), "create: preview endpoint");
  check(ev.created instanceof Date && !isNaN(ev.created), "create: created is a date");
  check(ev.encoding.encodingType === "PassthroughStandard", "create: encodingType");
  check(ev.id.includes("/resourceGroups/" + rg + "/"), "create: id");

  await c.liveEvents.beginAllocateAndWait(rg, account, "sdkev1");
  check((await c.liveEvents.get(rg, account, "sdkev1")).resourceState === "StandBy", "allocate");

  await c.liveEvents.beginStartAndWait(rg, account, "sdkev1");
  check((await c.liveEvents.get(rg, account, "sdkev1")).resourceState === "Running", "start");

  await c.liveEvents.beginResetAndWait(rg, account, "sdkev1");
  check((await c.liveEvents.get(rg, account, "sdkev1")).resourceState === "Running", "reset");

  ev = await c.liveEvents.beginUpdateAndWait(rg, account, "sdkev1",
    { location: "westus", description: "updated" });
  check(ev.description === "updated", "update");

  await c.liveEvents.beginStopAndWait(rg, account, "sdkev1", { removeOutputsOnStop: true });
  check((await c.liveEvents.get(rg, account, "sdkev1")).resourceState === "Stopped", "stop");

  for (let i = 0; i < 11; i++) {
    await c.liveEvents.beginCreateAndWait(rg, account, "page" + i,
      { location: "westus", input: { streamingProtocol: "RTMP" } }, { autoStart: i === 0 });
  }

  const names = [];
  for await (const e of c.liveEvents.list(rg, account)) {
    names.push(e.name);
  }
  check(names.length === 12 && new Set(names).size === 12, "list follows nextLink (" + names.length + ")");

  await c.liveEvents.beginStopAndWait(rg, account, "page0", {});
  await c.liveEvents.beginDeleteAndWait(rg, account, "sdkev1");

  try {
    await c.liveEvents.get(rg, account, "sdkev1");
    check(false, "get after delete fails");
  } catch (e) {
    check(e.statusCode === 404 && e.code === "NotFound", "get after delete: 404 NotFound");
  }

  const fm = await c.liveEvents.beginCreateAndWait(rg, account, "fmp4",
    { location: "westus", input: { streamingProtocol: "FragmentedMP4" } });
  check(fm.input.streamingProtocol === "FragmentedMP4", "FragmentedMP4 event created");
  check(fm.input.endpoints.length >= 1
        && fm.input.endpoints.every((e) => e.protocol === "FragmentedMP4"
                                     && /^https?:\/\/.*\/ingest\.isml$/.test(e.url)),
        "FragmentedMP4 endpoints: {url}/{token}/ingest.isml");
  await c.liveEvents.beginDeleteAndWait(rg, account, "fmp4");

  // SRT, an extension value: the SDK's KnownLiveEventInputProtocol is
  // extensible, the string passes through
  const srt = await c.liveEvents.beginCreateAndWait(rg, account, "srt",
    { location: "westus", input: { streamingProtocol: "SRT" } });
  check(srt.input.streamingProtocol === "SRT", "SRT event created");
  check(srt.input.endpoints.length >= 1
        && srt.input.endpoints.every((e) => e.protocol === "SRT"
                                     && /^srt:\/\/.*\?streamid=#!::r=[0-9a-f]+,m=publish$/.test(e.url)),
        "SRT endpoints: srt://...?streamid=#!::r={token},m=publish");
  await c.liveEvents.beginDeleteAndWait(rg, account, "srt");

  try {
    await c.liveEvents.beginCreateAndWait(rg, account, "rtsp",
      { location: "westus", input: { streamingProtocol: "RTSP" } });
    check(false, "an unknown streamingProtocol refused");
  } catch (e) {
    check(e.statusCode === 400 && /RTMP, FragmentedMP4 or SRT/.test(e.message), "unknown streamingProtocol: 400 with its reason");
  }

  try {
    await c.liveEvents.beginStartAndWait(rg, account, "nosuch");
    check(false, "start of a missing event fails");
  } catch (e) {
    check(e.statusCode === 404, "start of a missing event: 404");
  }

  console.log("done");
}

main().catch((e) => {
  console.error("FAIL " + (e.stack || e));
  process.exit(1);
});
