// The Azure Media Services SDK (@azure/arm-mediaservices 13.1.0) against
// Sluice: account filters and asset filters created, read, listed,
// updated, refused and deleted, and a streaming locator naming them.
//
//   node filters.js https://127.0.0.1:PORT API_KEY ACCOUNT
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

// JSON with the members of every object sorted: the SDK orders them its way
function canon(x) {
  if (Array.isArray(x)) {
    return "[" + x.map(canon).join(",") + "]";
  }
  if (x && typeof x === "object") {
    return "{" + Object.keys(x).sort()
      .map((k) => JSON.stringify(k) + ":" + canon(x[k])).join(",") + "}";
  }
  return JSON.stringify(x);
}

async function status(p) {
  try {
    await p;
    return 200;
  } catch (e) {
    return e.statusCode;
  }
}

const tracks = [
  {
    trackSelections: [
      { property: "Type", operation: "Equal", value: "Audio" },
      { property: "Language", operation: "NotEqual", value: "en" },
    ],
  },
  {
    trackSelections: [
      { property: "Type", operation: "Equal", value: "Video" },
      { property: "Bitrate", operation: "Equal", value: "0-2000000" },
    ],
  },
];

const range = {
  startTimestamp: 0,
  endTimestamp: 170000000,
  presentationWindowDuration: 1200000000,
  liveBackoffDuration: 20000000,
  timescale: 10000000,
  forceEndTimestamp: false,
};

async function main() {
  const credential = {
    getToken: async () => ({ token: key, expiresOnTimestamp: Date.now() + 3600e3 }),
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });

  // account filters

  let f = await c.accountFilters.createOrUpdate(rg, account, "sdkaccf", {
    presentationTimeRange: range, firstQuality: { bitrate: 128000 }, tracks,
  });
  check(f.name === "sdkaccf" && f.type === "Microsoft.Media/mediaservices/accountFilters",
    "account filter created");
  check(canon(f.presentationTimeRange) === canon(range), "account filter time range as sent");
  check(canon(f.tracks) === canon(tracks), "account filter tracks as sent");

  f = await c.accountFilters.get(rg, account, "sdkaccf");
  check(f.firstQuality.bitrate === 128000, "account filter read");

  f = await c.accountFilters.update(rg, account, "sdkaccf", { firstQuality: { bitrate: 256000 } });
  check(f.firstQuality.bitrate === 256000 && f.tracks.length === 2, "account filter updated");

  await c.accountFilters.createOrUpdate(rg, account, "sdkaccf2", { tracks });
  const accs = await all(c.accountFilters.list(rg, account));
  check(accs.length === 2, "account filters listed");

  const bad = await status(c.accountFilters.createOrUpdate(rg, account, "bad", {
    presentationTimeRange: { liveBackoffDuration: 3000000001 },
  }));
  check(bad === 400, "bad account filter refused (400)");

  // asset filters

  await c.assets.createOrUpdate(rg, account, "sdkfasset", {});
  f = await c.assetFilters.createOrUpdate(rg, account, "sdkfasset", "sdkasf", {
    presentationTimeRange: { startTimestamp: 10, endTimestamp: 170000000 },
    tracks,
  });
  check(f.name === "sdkasf" && f.type === "Microsoft.Media/mediaservices/assets/assetFilters",
    "asset filter created");
  check(/\/assets\/sdkfasset\/assetFilters\/sdkasf$/.test(f.id), "asset filter id");

  f = await c.assetFilters.get(rg, account, "sdkfasset", "sdkasf");
  check(f.presentationTimeRange.startTimestamp === 10, "asset filter read");

  f = await c.assetFilters.update(rg, account, "sdkfasset", "sdkasf",
    { firstQuality: { bitrate: 500000 } });
  check(f.firstQuality.bitrate === 500000 && f.tracks.length === 2, "asset filter updated");

  const asfs = await all(c.assetFilters.list(rg, account, "sdkfasset"));
  check(asfs.length === 1 && asfs[0].name === "sdkasf", "asset filters listed");

  check(await status(c.assetFilters.get(rg, account, "nope", "sdkasf")) === 404,
    "asset filter of no asset: 404");

  // a locator naming them, one naming no filter

  const loc = await c.streamingLocators.create(rg, account, "sdkfloc", {
    assetName: "sdkfasset", streamingPolicyName: "Predefined_ClearStreamingOnly",
    filters: ["sdkasf", "sdkaccf"],
  });
  check(loc.filters.join(",") === "sdkasf,sdkaccf", "locator with filters created");
  check(await status(c.streamingLocators.create(rg, account, "sdkfloc2", {
    assetName: "sdkfasset", streamingPolicyName: "Predefined_ClearStreamingOnly",
    filters: ["nofilter"],
  })) === 400, "locator with an unknown filter refused (400)");

  // deletes

  await c.assetFilters.delete(rg, account, "sdkfasset", "sdkasf");
  check(await status(c.assetFilters.get(rg, account, "sdkfasset", "sdkasf")) === 404,
    "asset filter deleted");
  await c.accountFilters.delete(rg, account, "sdkaccf");
  await c.accountFilters.delete(rg, account, "sdkaccf2");
  check((await all(c.accountFilters.list(rg, account))).length === 0, "account filters deleted");
  await c.streamingLocators.delete(rg, account, "sdkfloc");
  await c.assets.delete(rg, account, "sdkfasset");

  console.log("done");
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
