// The Azure Media Services SDK client against Sluice's live event
// telemetry (AMS 2022-11-01: getStatus, getStreamEvents,
// getTrackIngestHeartbeats).
//
//   node telemetry.js https://127.0.0.1:PORT API_KEY ACCOUNT EVENT PHASE
//
// PHASE is "live" (a publisher is pushing) or "after" (it left).
//
// @azure/arm-mediaservices 13.1.0 (the newest on npm) predates these
// operations: they are sent through the SDK's own client
// (ServiceClient.sendOperationRequest: its pipeline, bearer credential,
// URL building and deserializer), with the operation specs and mappers
// of the 2022-11-01 definitions (LiveEvents_ListGetStatus,
// LiveEvents_ListGetStreamEvents, LiveEvents_ListGetTrackIngestHeartbeats)
// written here.  Prints one "ok <what>" line per check and "done";
// exits non-zero at the first failure.

"use strict";

const { AzureMediaServices } = require("@azure/arm-mediaservices");
const coreClient = require("@azure/core-client");

const [endpoint, key, account, eventName, phase] = process.argv.slice(2);
const rg = "sdk-group";

function check(cond, what) {
  if (!cond) {
    throw new Error("check failed: " + what);
  }
  console.log("ok " + what);
}

// --- mappers of the 2022-11-01 definitions ------------------------------

const str = { type: { name: "String" } };
const date = { type: { name: "DateTime" } };
const num = { type: { name: "Number" } };
const bool = { type: { name: "Boolean" } };

function composite(name, props) {
  const modelProperties = {};
  for (const [k, m] of Object.entries(props)) {
    modelProperties[k] = { serializedName: k, ...m };
  }
  return { type: { name: "Composite", className: name, modelProperties } };
}

function seq(className) {
  return {
    type: { name: "Sequence", element: { type: { name: "Composite", className } } },
  };
}

const models = {
  LiveEventIngestInterruption: composite("LiveEventIngestInterruption", {
    begin: date, end: date, duration: { type: { name: "TimeSpan" } }, reason: str,
  }),
  LiveEventIngestion: composite("LiveEventIngestion", {
    streamName: str, begin: date, end: date, endReason: str,
    ingestInterruptions: seq("LiveEventIngestInterruption"),
  }),
  LiveEventTrackStatus: composite("LiveEventTrackStatus", {
    trackId: str, expectedBitrate: num, incomingBitrate: num, ingestDrift: str,
    requestReceived: num, requestSucceeded: num,
  }),
  LiveEventStatus: composite("LiveEventStatus", {
    state: str, healthStatus: str,
    healthDescriptions: { type: { name: "Sequence", element: str } },
    lastUpdatedTime: date,
    ingestion: { type: { name: "Composite", className: "LiveEventIngestion" } },
    trackStatus: seq("LiveEventTrackStatus"),
  }),
  LiveEventGetStatusResult: composite("LiveEventGetStatusResult", {
    value: seq("LiveEventStatus"),
  }),
  LiveEventStreamEventData: composite("LiveEventStreamEventData", {
    trackName: str, streamId: str, trackId: num, mediaType: str, bitrate: num,
    mediaTimestamp: str, timescale: str, previousFragmentTimestamp: str,
    previousFragmentDuration: str, currentFragmentTimestamp: str,
    fragmentOneTimestamp: str, fragmentOneDuration: str,
    fragmentTwoTimestamp: str, fragmentTwoDuration: str,
    fragmentDropReason: str, discontinuityGap: num, streamName: str,
    resultCode: str, resultMessage: str, duration: str, resolution: str,
    minTime: str, minTimeMediaType: str, maxTime: str, maxTimeMediaType: str,
    timescaleOfMinTime: str, timescaleOfMaxTime: str, remoteIp: str,
    remotePort: str,
  }),
  LiveEventStreamEvent: composite("LiveEventStreamEvent", {
    eventType: str, eventTime: date, eventLevel: str,
    data: { type: { name: "Composite", className: "LiveEventStreamEventData" } },
  }),
  LiveEventGetStreamEventsResult: composite("LiveEventGetStreamEventsResult", {
    value: seq("LiveEventStreamEvent"),
  }),
  LiveEventTrackEventData: composite("LiveEventTrackEventData", {
    trackName: str, trackType: str, bitrate: num, incomingBitrate: num,
    lastTimestamp: str, timescale: str, overlapCount: num,
    discontinuityCount: num, nonincreasingCount: num,
    unexpectedBitrate: bool, state: str, healthy: bool,
    lastFragmentArrivalTime: date, ingestDriftValue: str,
    transcriptionState: str, transcriptionLanguage: str,
  }),
  LiveEventTrackEvent: composite("LiveEventTrackEvent", {
    eventType: str, eventTime: date,
    data: { type: { name: "Composite", className: "LiveEventTrackEventData" } },
  }),
  LiveEventGetTrackIngestHeartbeatsResult: composite(
    "LiveEventGetTrackIngestHeartbeatsResult", { value: seq("LiveEventTrackEvent") }),
  ErrorResponse: composite("ErrorResponse", {
    error: composite("ErrorDetail", { code: str, message: str }),
  }),
};

const serializer = coreClient.createSerializer(models, false);

function urlParam(name, skipEncoding) {
  return {
    parameterPath: name,
    mapper: { serializedName: name, required: true, ...str },
    ...(skipEncoding ? { skipEncoding: true } : {}),
  };
}

function spec(action, result) {
  return {
    path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
      + "/providers/Microsoft.Media/mediaservices/{accountName}/liveEvents"
      + "/{liveEventName}/" + action,
    httpMethod: "POST",
    responses: {
      200: { bodyMapper: models[result] },
      default: { bodyMapper: models.ErrorResponse },
    },
    queryParameters: [{
      parameterPath: "apiVersion",
      mapper: { defaultValue: "2022-11-01", isConstant: true,
                serializedName: "api-version", ...str },
    }],
    urlParameters: [urlParam("$host", true), urlParam("subscriptionId"),
      urlParam("resourceGroupName"), urlParam("accountName"), urlParam("liveEventName")],
    headerParameters: [{
      parameterPath: "accept",
      mapper: { defaultValue: "application/json", isConstant: true,
                serializedName: "Accept", ...str },
    }],
    serializer,
  };
}

// LiveEvents_ListGetStatus and the others: pageable with no next link
async function list(c, action, result) {
  const r = await c.sendOperationRequest(
    { resourceGroupName: rg, accountName: account, liveEventName: eventName },
    spec(action, result));
  return r.value;
}

async function main() {
  const credential = {
    getToken: async () => ({ token: key, expiresOnTimestamp: Date.now() + 3600e3 }),
  };
  const c = new AzureMediaServices(credential, "sdk-subscription", { endpoint });

  const live = phase === "live";

  // live: read until every track has received in the last seconds (on a
  // starved machine, ASan, a track may have had nothing at that instant),
  // 10 s at most; the checks below say what was read last
  let status = await list(c, "getStatus", "LiveEventGetStatusResult");
  for (let i = 0; live && i < 20; i++) {
    const t = (status[0] && status[0].trackStatus) || [];
    if (t.length > 0 && t.every((x) => x.incomingBitrate > 0)) {
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
    status = await list(c, "getStatus", "LiveEventGetStatusResult");
  }
  check(status.length === 1, "getStatus: one status");
  const s = status[0];
  check(s.state === "Running", "getStatus: state Running");
  check(["Excellent", "Good", "Poor"].includes(s.healthStatus), "getStatus: healthStatus");
  check(Array.isArray(s.healthDescriptions) && s.healthDescriptions.length > 0,
        "getStatus: healthDescriptions");
  check(s.lastUpdatedTime instanceof Date && !isNaN(s.lastUpdatedTime),
        "getStatus: lastUpdatedTime is a date");
  check(s.ingestion && s.ingestion.streamName === "s1"
        && s.ingestion.begin instanceof Date, "getStatus: ingestion begin");
  check(live ? s.ingestion.end === undefined
             : s.ingestion.end instanceof Date
               && s.ingestion.endReason === "MPE_CLIENT_TERMINATED_SESSION",
        "getStatus: ingestion end (" + phase + ")");
  check(s.trackStatus.length === 2
        && s.trackStatus.every((t) => /^(audio|video)_\d+$/.test(t.trackId)
                                      && typeof t.expectedBitrate === "number"
                                      && typeof t.incomingBitrate === "number"),
        "getStatus: trackStatus");
  check(s.trackStatus.every((t) => live ? t.incomingBitrate > 0 : t.incomingBitrate === 0),
        "getStatus: incoming bitrates (" + phase + ")");

  const events = await list(c, "getStreamEvents", "LiveEventGetStreamEventsResult");
  const types = events.map((e) => e.eventType);
  check(events.every((e) => e.eventTime instanceof Date && e.data), "getStreamEvents: dates");
  const begin = events.find((e) => e.eventType === "StreamEvent/BeginIngest");
  check(begin && begin.data.streamName === "s1" && begin.data.resultCode === "S_OK"
        && /^127\.0\.0\.xxx$/.test(begin.data.remoteIp), "getStreamEvents: BeginIngest");
  const first = events.filter((e) => e.eventType === "StreamEvent/FirstChunkReceived");
  check(first.length >= 2 && first.some((e) => e.data.mediaType === "video"
                                               && e.data.resolution === "640x360"),
        "getStreamEvents: FirstChunkReceived");
  check(live !== types.includes("StreamEvent/EndIngest"),
        "getStreamEvents: EndIngest (" + phase + ")");

  const beats = await list(c, "getTrackIngestHeartbeats",
                           "LiveEventGetTrackIngestHeartbeatsResult");
  check(beats.length >= 2, "getTrackIngestHeartbeats: " + beats.length);
  check(beats.every((b) => b.eventType === "TrackEvent/IngestHeartbeat"
                           && b.eventTime instanceof Date
                           && typeof b.data.incomingBitrate === "number"
                           && typeof b.data.healthy === "boolean"
                           && typeof b.data.unexpectedBitrate === "boolean"),
        "getTrackIngestHeartbeats: shapes");
  check(beats.some((b) => b.data.trackType === "video" && b.data.healthy
                          && b.data.lastFragmentArrivalTime instanceof Date),
        "getTrackIngestHeartbeats: a healthy video heartbeat");

  console.log("done");
}

main().catch((err) => {
  console.log("error: " + (err.stack || err));
  process.exit(1);
});
