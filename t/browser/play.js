#!/usr/bin/env node
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Plays one stream URL with a real JavaScript player in headless Chromium
 * and reports whether playback progressed.
 *
 *   node t/browser/play.js --player hls|dash|shaka|mss --url URL
 *        [--seconds 8] [--timeout 60] [--same-origin] [--mime TYPE]
 *        [--seek-back N] [--start-mark FILE] [--switch N] [--verbose]
 *        [--clearkey KID:KEY]... [--license URL] [--license-header H:V]
 *        [--low-latency] [--latency-samples N] [--latency-after S]
 *        [--live-delay S] [--shaka-config JSON]
 *
 * players:
 *   hls    hls.js (HLS, TS or fMP4 segments)
 *   dash   dash.js, the DASH-IF reference player (DASH)
 *   shaka  Shaka Player (DASH or HLS; --mime overrides the guess)
 *   mss    dash.js with its Smooth Streaming support (Smooth manifests)
 *
 * The page is served by a loopback HTTP server inside this process, so it
 * has a different origin than the media server and the media server's CORS
 * headers are exercised, as with any real web player.  --same-origin
 * instead serves the page from the media origin (intercepted by the browser
 * automation, never reaching the server), for servers that send no CORS
 * headers.
 *
 * Success: the <video> element's currentTime advanced by at least
 * --seconds, with no fatal player or media error, within --timeout seconds
 * (wall clock, hard limit: the browser is killed and the script exits 1).
 *
 * --seek-back N (a DVR window): once playing for 2 s, seek N seconds back
 * (not before the start of video.seekable + 1 s); then the --seconds of
 * progress are counted from the position reached after the seek, which
 * must be at most 2 s from the target, or later when the target is in a
 * hole of the timeline the player jumped (nothing buffered at the target,
 * the position between it and where the seek began).  The output adds
 * seekFrom, seekTo, seekedAt and, after such a jump, seekJumped (the
 * seconds jumped past the target); with Shaka, seekRangeAtSeek and
 * seekRange (player.seekRange() when the seek was asked for and at the
 * end: Shaka moves a position before its start into it), and --verbose
 * logs the position, buffered and seekable ranges while seeking.  A seek
 * that does not take within --timeout is said so in the error.
 *
 * --start-mark FILE: the --seconds of progress are counted from where
 * the player is when FILE first exists (checked every 250 ms), or from
 * where it starts playing if that is later; until then it only has to
 * play without a fatal error.  A test creates FILE when the event it
 * wants played across happens (an encoder going down); several players
 * can then share one such event.  The output adds markAt (currentTime
 * when FILE was seen) and markSeenAfter (seconds since the start).
 *
 * --switch N (N >= 2; not with --seek-back or --start-mark): once
 * playing for 1 s, the adaptive choice is turned off and the player is
 * made to switch video quality N times, over the distinct heights of the
 * video levels in a cycle top -> ... -> bottom -> ... -> top, skipping
 * the height the video shows and the one the player last reported
 * switching to (its own adaptive switch, maybe not shown yet): each
 * switch is one the player did not choose itself.  Each is requested
 * only once the previous one is rendered: after the request, the
 * player's own event reported the new level (hls.js LEVEL_SWITCHED after
 * hls.nextLevel; dash.js QUALITY_CHANGE_RENDERED after
 * setRepresentationForTypeById with streaming.abr.autoSwitchBitrate.video
 * false; Shaka 'variantchanged' after abr.enabled false and
 * selectVariantTrack(track, true, 2)) and the <video>'s videoHeight
 * became the new height.  Success then also needs N switches rendered
 * and 2 s played after the last one (besides --seconds from the start).
 * The output adds switches ([{from, to, at, renderedAt,
 * renderedAfter}]: heights, currentTime when requested and when
 * rendered, wall seconds between the request and the later of the event
 * and the resize), heightsSeen (the distinct videoHeight values while
 * the video advanced), stalls (the 'waiting' events of the <video> once
 * it played, but not those while seeking or within 0.5 s after a seek),
 * stallSeconds (their total time, each until 'playing' or currentTime
 * advancing again) and maxStall.  With --switch, ok is false, with a
 * clear error, when fewer than N switches were rendered within --timeout
 * or when a stall lasts more than 1 s (play.js stops there).  stalls,
 * stallSeconds, maxStall and heightsSeen are reported without --switch
 * too, but do not fail a run then.  With --switch, Shaka's adaptive
 * choice does not ban variants for dropped frames (abr.droppedFrames
 * false: a loaded test machine drops frames, and the ban took the
 * levels to switch to away before the switches began).
 *
 * --low-latency (hls and dash; not with --seek-back, --start-mark or
 * --switch): the player is set up for low-latency live streams and the
 * latency is measured.  hls.js: lowLatencyMode (LL-HLS parts, blocking
 * playlist reloads, preload hints; its target latency the playlist's
 * PART-HOLD-BACK) and catch-up up to 1.2x speed (maxLiveSyncPlaybackRate).
 * dash.js: live catch-up on (liveCatchupModeDefault; its target latency
 * and playback rates from the MPD's ServiceDescription, which dash.js
 * applies; dash.js 5 turns its low-latency mode on by itself for an MPD
 * with availabilityTimeComplete="false", fetching the segment in
 * progress as it is sent).  --live-delay S sets the target latency
 * instead (hls.js liveSyncDuration; dash.js streaming.delay.liveDelay,
 * and catch-up rates of 0.8x-1.2x instead of the MPD's).
 * Once the video plays, a latency sample is taken every second (from
 * --latency-after S seconds after it started, default 1: 10 leaves out
 * the players' catching up after their start): the wall clock minus
 * the wall-clock time of the media shown, both read in the page at the same moment (hls.js:
 * Date.now() - hls.playingDate, the program date time of currentTime;
 * dash.js: Date.now() - 1000 * player.timeAsUTC(), the MPD's
 * availabilityStartTime + the period start + currentTime).  On loopback
 * the page's clock is the server's, so this is the time since the origin
 * dated the frame shown (the time it received it, for Sluice: its epoch
 * is taken when fragments arrive), not since capture.  The run also
 * needs --latency-samples N samples (default 10) besides --seconds of
 * progress.  The output adds latency: { samples, median, p95, min, max
 * (ms), player (the player's own estimate's median, ms: hls.js
 * hls.latency, dash.js getCurrentLiveLatency(), which use their own
 * clock synchronisation), values (every sample, ms) } and requests:
 * { total, parts (URLs with part=), blocking (with _HLS_msn=), segments
 * (URLs with Fragments(), chunked (responses of the media server sent
 * with Transfer-Encoding: chunked), chunkedUrls (the first 5) }.
 *
 * --shaka-config JSON: the player's configuration (player.configure())
 * takes this object, applied before the other settings and the load
 * (e.g. {"manifest":{"hls":{"ignoreManifestProgramDateTime":true}}}).
 *
 * Encrypted streams (EME, org.w3.clearkey; dash and shaka): --clearkey
 * gives a key directly (KID and key in hex, repeatable), --license a
 * ClearKey licence server (W3C JSON licence requests), --license-header a
 * header its requests carry (e.g. "Authorization:Bearer <jwt>"); with
 * --license-header and no --license, the player takes the licence URL
 * from the manifest (DASH dashif:Laurl / clearkey:Laurl).  The output's
 * licences counts the licence server's 200 answers (without --license:
 * every POST's), licenceUrls lists the POSTs as "status URL".
 *
 * hls.js (AES-128 and SAMPLE-AES keys): --license names the key server's
 * URL prefix; the key requests under it carry the --license-header
 * headers (xhrSetup), the other requests none.
 *
 * Output: one JSON line on stdout, e.g.
 *   {"ok":true,"player":"hls","advanced":8.02,"width":1280,...}
 * Its videoFrames and droppedFrames are the <video>'s
 * getVideoPlaybackQuality() totalVideoFrames (the frames decoded, in
 * Chromium) and droppedVideoFrames when it ended.
 * Its info has what the player found in the manifest: levels (video),
 * audioTracks (how many) and audioLanguages (their languages as the
 * player gives them: dash.js shortens "fra" to "fr").  textTracks lists
 * the <video>'s text tracks ({kind, label, language, mode, cues: how
 * many now, texts: the first 5 distinct cue texts seen so far}; the cues
 * of a disabled track are read by making it "hidden" for the moment;
 * hls.js renders CEA-608 captions found in the video as a "captions"
 * track).  hls.js also reports the cues it raised: info.metadata (the
 * ID3 samples of FRAG_PARSING_METADATA, at most 32: {pts, type, sn, hex}
 * of the tag) and info.dateRanges (the EXT-X-DATERANGE of the playlists,
 * LEVEL_UPDATED's details.dateRanges, by id: {start, duration,
 * plannedDuration, scte35Out, scte35In, scte35Cmd}).
 * Its info.events lists the DASH events the player raised (dash.js and
 * Shaka), at most 50: {type, scheme, value, id, start, end (seconds of
 * the presentation, end null when unknown), data (the message, base64;
 * for an MPD Event its scte35:Binary or its text)}: Shaka's
 * 'timelineregionadded' (MPD EventStream) and 'emsg' (in band, the
 * schemes the MPD's InbandEventStream lists) as type "region" and
 * "emsg"; dash.js's events of the schemes urn:scte:scte35:2014:xml+bin,
 * urn:com:adobe:dpi:simple:2015, urn:scte:scte35:2013:bin and
 * https://aomedia.org/emsg/ID3 (on receive) as type "dash".
 * Exit status: 0 on success, 1 on failure, 2 on bad usage or missing
 * dependencies.
 */

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const LIBS = {
    hls: ['hls.js/dist/hls.min.js'],
    dash: ['dashjs/dist/modern/umd/dash.all.min.js'],
    mss: ['dashjs/dist/modern/umd/dash.all.min.js',
          'dashjs/dist/modern/umd/dash.mss.min.js'],
    shaka: ['shaka-player/dist/shaka-player.compiled.js'],
};

let finished = false;
let tmpDir = null;

const CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--autoplay-policy=no-user-gesture-required',
    '--ignore-certificate-errors',
];


function removeTmp() {
    if (tmpDir) {
        try {
            fs.rmSync(tmpDir, { recursive: true, force: true });
        } catch (e) {
            /* a browser still exiting may hold it: leave it */
        }
        tmpDir = null;
    }
}


function usage(msg) {
    if (msg) {
        process.stderr.write('play.js: ' + msg + '\n');
    }
    process.stderr.write('usage: node play.js --player hls|dash|shaka|mss'
                         + ' --url URL [--seconds N] [--timeout N]'
                         + ' [--same-origin] [--mime TYPE] [--seek-back N]'
                         + ' [--start-mark FILE] [--switch N] [--verbose]'
                         + ' [--low-latency [--latency-samples N]'
                         + ' [--latency-after S] [--live-delay S]]'
                         + ' [--shaka-config JSON]\n');
    process.exit(2);
}


function parseArgs(argv) {
    const o = { seconds: 8, timeout: 60, sameOrigin: false, verbose: false,
                mime: null, player: null, url: null, seekBack: 0,
                startMark: null, switches: 0, lowLatency: false,
                latencySamples: 10, latencyAfter: 1, liveDelay: null,
                shakaConfig: null,
                drm: { clearkeys: {}, license: null, headers: {} } };
    let i, a;

    for (i = 0; i < argv.length; i++) {
        a = argv[i];
        if (a === '--player') {
            o.player = argv[++i];
        } else if (a === '--url') {
            o.url = argv[++i];
        } else if (a === '--seconds') {
            o.seconds = Number(argv[++i]);
        } else if (a === '--timeout') {
            o.timeout = Number(argv[++i]);
        } else if (a === '--mime') {
            o.mime = argv[++i];
        } else if (a === '--same-origin') {
            o.sameOrigin = true;
        } else if (a === '--seek-back') {
            o.seekBack = Number(argv[++i]);
        } else if (a === '--start-mark') {
            o.startMark = argv[++i];
        } else if (a === '--switch') {
            o.switches = Number(argv[++i]);
            if (!Number.isInteger(o.switches) || o.switches < 2) {
                usage('--switch takes a whole number of switches, 2 or more');
            }
        } else if (a === '--low-latency') {
            o.lowLatency = true;
        } else if (a === '--latency-samples') {
            o.latencySamples = Number(argv[++i]);
            if (!Number.isInteger(o.latencySamples)
                || o.latencySamples < 1)
            {
                usage('--latency-samples takes a whole number, 1 or more');
            }
        } else if (a === '--latency-after') {
            o.latencyAfter = Number(argv[++i]);
            if (!(o.latencyAfter >= 0)) {
                usage('--latency-after takes a number of seconds');
            }
        } else if (a === '--live-delay') {
            o.liveDelay = Number(argv[++i]);
            if (!(o.liveDelay > 0)) {
                usage('--live-delay takes a positive number of seconds');
            }
        } else if (a === '--shaka-config') {
            try {
                o.shakaConfig = JSON.parse(argv[++i]);
            } catch (e) {
                usage('--shaka-config takes a JSON object');
            }
        } else if (a === '--clearkey') {
            const m = /^([0-9a-f]{32}):([0-9a-f]{32})$/i.exec(argv[++i]);
            if (!m) {
                usage('--clearkey takes KID:KEY, 32 hex digits each');
            }
            o.drm.clearkeys[m[1].toLowerCase()] = m[2].toLowerCase();
        } else if (a === '--license') {
            o.drm.license = argv[++i];
        } else if (a === '--license-header') {
            const m = /^([^:]+):(.*)$/.exec(argv[++i] || '');
            if (!m) {
                usage('--license-header takes NAME:VALUE');
            }
            o.drm.headers[m[1].trim()] = m[2].trim();
        } else if (a === '--verbose' || a === '-v') {
            o.verbose = true;
        } else if (a === '--help' || a === '-h') {
            usage();
        } else {
            usage('unknown argument ' + a);
        }
    }

    if (!LIBS[o.player]) {
        usage('--player must be one of ' + Object.keys(LIBS).join(', '));
    }
    if (!o.url || !/^https?:\/\//.test(o.url)) {
        usage('--url must be an http(s) URL');
    }
    if (!(o.seconds > 0) || !(o.timeout > 0)) {
        usage('--seconds and --timeout must be positive numbers');
    }
    if (!(o.seekBack >= 0)) {
        usage('--seek-back must be a number of seconds');
    }
    if (o.startMark !== null && (!o.startMark || o.seekBack > 0)) {
        usage('--start-mark needs a file name, and no --seek-back');
    }
    if (o.switches > 0 && (o.seekBack > 0 || o.startMark !== null)) {
        usage('--switch goes with neither --seek-back nor --start-mark');
    }
    if (o.lowLatency && o.player !== 'hls' && o.player !== 'dash') {
        usage('--low-latency is for --player hls or dash');
    }
    if (o.lowLatency && (o.seekBack > 0 || o.startMark !== null
                         || o.switches > 0))
    {
        usage('--low-latency goes with none of --seek-back, --start-mark,'
              + ' --switch');
    }
    if (!o.lowLatency && o.liveDelay !== null) {
        usage('--live-delay goes with --low-latency');
    }

    if (o.mime === null) {
        if (/mpd/i.test(o.url)) {
            o.mime = 'application/dash+xml';
        } else if (/m3u8/i.test(o.url)) {
            o.mime = 'application/x-mpegurl';
        } else {
            o.mime = '';
        }
    }

    return o;
}


/* the player glue running in the page; reports through window.__play */

function pageScript(player, url, mime, drm, switches, ll, shakaConfig) {
    return `
'use strict';
const S = window.__play = { errors: [], warnings: 0, waiting: 0,
                            info: {}, fatal: false };
const video = document.getElementById('v');

function fatal(where, detail) {
    S.fatal = true;
    S.errors.push(where + ': ' + detail);
}

/* DASH events raised by the player (info.events) */
S.info.events = [];

function bytes64(d) {
    if (d === undefined || d === null) {
        return null;
    }
    if (typeof d === 'string') {
        return btoa(unescape(encodeURIComponent(d)));
    }
    const u = d instanceof Uint8Array ? d : new Uint8Array(d.buffer || d);
    let bin = '';
    for (let i = 0; i < u.length; i++) {
        bin += String.fromCharCode(u[i]);
    }
    return btoa(bin);
}

function eventSeen(type, scheme, value, id, start, end, data) {
    if (S.info.events.length >= 50) {
        return;
    }
    S.info.events.push({ type: type, scheme: scheme, value: value,
        id: id === undefined || id === null ? null : String(id),
        start: start, end: Number.isFinite(end) ? end : null,
        data: data });
}

video.addEventListener('error', () => {
    const e = video.error;
    fatal('video', e ? (e.code + ' ' + e.message) : 'unknown');
});
video.addEventListener('waiting', () => { S.waiting++; });

/*
 * Stalls: a 'waiting' once the video played, not while seeking nor
 * within 0.5 s after a seek; it lasts until 'playing' or currentTime
 * advancing.  S.stalls: [{ at (currentTime), start, end (page ms, null
 * while it lasts) }].  S.heights: the videoHeight values seen while the
 * video advanced.
 */
S.stalls = [];
S.seekWaits = 0;
S.heights = [];
let played = false, seekedAt = -1e9, stall = null;

function endStall() {
    if (stall) {
        stall.end = performance.now();
        stall = null;
    }
}

video.addEventListener('playing', () => { played = true; endStall(); });
video.addEventListener('seeked', () => { seekedAt = performance.now(); });
video.addEventListener('waiting', () => {
    if (!played || stall) {
        return;
    }
    if (video.seeking || performance.now() - seekedAt < 500) {
        S.seekWaits++;
        return;
    }
    stall = { at: video.currentTime, start: performance.now(), end: null };
    S.stalls.push(stall);
});
video.addEventListener('timeupdate', () => {
    if (stall && video.currentTime > stall.at + 0.1) {
        endStall();
    }
    if (!video.paused && video.videoHeight > 0
        && S.heights.indexOf(video.videoHeight) < 0)
    {
        S.heights.push(video.videoHeight);
    }
});

/*
 * --switch: S.ctl (set once the player knows its levels) has heights()
 * and select(height), which turns the adaptive choice off; S.pending is
 * the switch asked for, rendered when the player's event reported its
 * height (eventAt) and the <video> has it (resizeAt).  S.reported:
 * the height of the player's last such event (its own adaptive switch
 * can be reported before the <video> shows it).
 */
S.ctl = null;
/* --low-latency: () => { wall, player } (ms), set by the player glue */
S.latency = null;
S.pending = null;
S.reported = null;

/* false: the <video> shows h or the player has just switched to it */
function switchRequested(height) {
    if (video.videoHeight === height || S.reported === height) {
        return false;
    }
    S.pending = { from: video.videoHeight, to: height,
                  wall: performance.now(), eventAt: null, resizeAt: null };
    return true;
}

function switchReported(height) {
    const p = S.pending;
    S.reported = height;
    if (p && p.eventAt === null && height === p.to) {
        p.eventAt = performance.now();
    }
}

video.addEventListener('resize', () => {
    const p = S.pending;
    if (p && p.resizeAt === null && video.videoHeight === p.to) {
        p.resizeAt = performance.now();
    }
});

const player = ${JSON.stringify(player)};
const url = ${JSON.stringify(url)};
const mime = ${JSON.stringify(mime)};
const drm = ${JSON.stringify(drm)};
const switches = ${JSON.stringify(switches)};
const ll = ${JSON.stringify(ll)};
const shakaConfig = ${JSON.stringify(shakaConfig)};
const drmOn = drm.license !== null || Object.keys(drm.clearkeys).length > 0
    || Object.keys(drm.headers).length > 0;

/* hex to base64url without padding (dash.js ClearKey keys) */
function b64url(hex) {
    let bin = '';
    for (let i = 0; i < hex.length; i += 2) {
        bin += String.fromCharCode(parseInt(hex.substr(i, 2), 16));
    }
    return btoa(bin).replace(/\\+/g, '-').replace(/\\//g, '_')
        .replace(/=+$/, '');
}

function startHls() {
    if (!Hls.isSupported()) {
        fatal('hls', 'MSE not supported');
        return;
    }
    const cfg = {};
    if (ll.on) {
        cfg.lowLatencyMode = true;
        cfg.maxLiveSyncPlaybackRate = 1.2;
        if (ll.delay !== null) {
            cfg.liveSyncDuration = ll.delay;
        }
    }
    if (drm.license !== null) {
        /* hls.js opens the request itself only when xhrSetup did not */
        cfg.xhrSetup = (xhr, u) => {
            if (u.startsWith(drm.license)) {
                xhr.open('GET', u, true);
                Object.keys(drm.headers).forEach((h) => {
                    xhr.setRequestHeader(h, drm.headers[h]);
                });
            }
        };
    }
    const hls = new Hls(cfg);
    hls.on(Hls.Events.ERROR, (ev, d) => {
        const msg = d.type + '/' + d.details
            + (d.response ? ' http ' + d.response.code : '')
            + (d.error ? ' ' + d.error.message : '');
        if (d.fatal) {
            fatal('hls', msg);
        } else {
            S.warnings++;
            S.errors.push('(non-fatal) hls: ' + msg);
        }
    });
    hls.on(Hls.Events.MANIFEST_PARSED, (ev, d) => {
        S.info.levels = d.levels.map(l => ({ bitrate: l.bitrate,
            width: l.width, height: l.height,
            codecs: [l.videoCodec, l.audioCodec].filter(Boolean).join(',') }));
        // the audio renditions of the master (hls.audioTracks is empty
        // until a level's group is chosen)
        const at = d.audioTracks || hls.audioTracks || [];
        S.info.audioTracks = at.length;
        S.info.audioLanguages = at.map(a => a.lang);
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (ev, d) => {
        const l = hls.levels[d.level];
        switchReported(l ? l.height : null);
    });
    /* cues: the ID3 samples of the segments, the playlists' date ranges */
    S.info.metadata = [];
    S.info.dateRanges = {};
    hls.on(Hls.Events.FRAG_PARSING_METADATA, (ev, d) => {
        (d.samples || []).forEach((m) => {
            if (S.info.metadata.length < 32) {
                S.info.metadata.push({ pts: m.pts, type: m.type,
                    sn: d.frag ? d.frag.sn : null,
                    hex: Array.from(m.data, b => (b < 16 ? '0' : '')
                                                 + b.toString(16)).join('') });
            }
        });
    });
    hls.on(Hls.Events.LEVEL_UPDATED, (ev, d) => {
        const dr = (d.details && d.details.dateRanges) || {};
        Object.keys(dr).forEach((id) => {
            const r = dr[id];
            S.info.dateRanges[id] = {
                start: r.startDate.toISOString(),
                duration: r.duration,
                plannedDuration: r.plannedDuration,
                scte35Out: r.attr['SCTE35-OUT'] || null,
                scte35In: r.attr['SCTE35-IN'] || null,
                scte35Cmd: r.attr['SCTE35-CMD'] || null,
            };
        });
    });
    S.ctl = {
        heights: () => hls.levels.map(l => l.height),
        /* the next fragment is of that level (ABR off: a manual level) */
        select: (h) => {
            const i = hls.levels.findIndex(l => l.height === h);
            if (i < 0) {
                return false;
            }
            if (hls.autoLevelEnabled) {
                hls.loadLevel = hls.loadLevel;
            }
            if (!switchRequested(h)) {
                return 'busy';
            }
            hls.nextLevel = i;
            return true;
        },
    };
    S.latency = () => {
        const d = hls.playingDate;
        return { wall: d ? Date.now() - d.getTime() : null,
                 player: Number.isFinite(hls.latency)
                     ? hls.latency * 1000 : null };
    };
    hls.loadSource(url);
    hls.attachMedia(video);
}

function startDash() {
    const p = dashjs.MediaPlayer().create();
    if (ll.on) {
        const st = { liveCatchup: { enabled: true,
                                    mode: 'liveCatchupModeDefault' } };
        if (ll.delay !== null) {
            /* the MPD's playback rates neither: up to 1.2x, as hls.js */
            st.delay = { liveDelay: ll.delay };
            st.liveCatchup.playbackRate = { min: -0.2, max: 0.2 };
        }
        p.updateSettings({ streaming: st });
        S.latency = () => {
            let u = NaN, l = NaN;
            try {
                u = p.timeAsUTC();
                l = p.getCurrentLiveLatency();
            } catch (e) {
                /* before the stream is initialized */
            }
            return { wall: Number.isFinite(u) && u > 0
                         ? Date.now() - u * 1000 : null,
                     player: Number.isFinite(l) && l > 0 ? l * 1000 : null };
        };
    }
    p.on(dashjs.MediaPlayer.events.ERROR, (e) => {
        const err = e.error || {};
        const msg = (err.code !== undefined ? err.code + ' ' : '')
            + (err.message || JSON.stringify(e).slice(0, 300));
        /*
         * 16: time synchronisation failed.  Without a UTCTiming element
         * dash.js asks time.akamai.com, unreachable here; it then goes on
         * with the local clock, which is the server's clock on loopback.
         */
        if (err.code === 16) {
            S.warnings++;
            S.info.timeSyncFailed = true;
            S.errors.push('(non-fatal) dash: ' + msg);
            return;
        }
        fatal('dash', msg);
    });
    p.on(dashjs.MediaPlayer.events.PLAYBACK_ERROR, (e) => {
        fatal('dash', 'playback ' + JSON.stringify(e.error || e)
              .slice(0, 300));
    });
    p.on(dashjs.MediaPlayer.events.STREAM_INITIALIZED, () => {
        try {
            S.info.levels = p.getRepresentationsByType('video').map(r => ({
                bitrate: r.bandwidth, width: r.width, height: r.height,
                codecs: r.codecs }));
            S.info.audioTracks = p.getTracksFor('audio').length;
            S.info.audioLanguages = p.getTracksFor('audio')
                .map(a => a.lang);
        } catch (e) {
            S.info.levelsError = String(e);
        }
    });
    p.on(dashjs.MediaPlayer.events.QUALITY_CHANGE_RENDERED, (e) => {
        if (e.mediaType === 'video' && e.newRepresentation) {
            switchReported(e.newRepresentation.height);
        }
    });
    S.ctl = {
        heights: () => p.getRepresentationsByType('video').map(r => r.height),
        select: (h) => {
            const r = p.getRepresentationsByType('video')
                .find(x => x.height === h);
            if (!r) {
                return false;
            }
            p.updateSettings({ streaming: { abr: {
                autoSwitchBitrate: { video: false } } } });
            if (!switchRequested(h)) {
                return 'busy';
            }
            p.setRepresentationForTypeById('video', r.id);
            return true;
        },
    };
    if (drmOn) {
        const ck = {};
        Object.keys(drm.clearkeys).forEach((k) => {
            ck[b64url(k)] = b64url(drm.clearkeys[k]);
        });
        const pd = {};
        if (Object.keys(ck).length) {
            pd.clearkeys = ck;
        }
        if (drm.license !== null) {
            pd.serverURL = drm.license;
        }
        if (Object.keys(drm.headers).length) {
            pd.httpRequestHeaders = drm.headers;
        }
        p.setProtectionData({ 'org.w3.clearkey': pd });
    }
    ['urn:scte:scte35:2014:xml+bin', 'urn:com:adobe:dpi:simple:2015',
     'urn:scte:scte35:2013:bin', 'https://aomedia.org/emsg/ID3']
        .forEach((scheme) => {
            p.on(scheme, (e) => {
                const ev = e.event || {};
                const es = ev.eventStream || {};
                eventSeen('dash', scheme, es.value, ev.id,
                          ev.calculatedPresentationTime,
                          ev.calculatedPresentationTime + ev.duration,
                          bytes64(ev.messageData));
            }, null, { mode: dashjs.MediaPlayer.events.EVENT_MODE_ON_RECEIVE });
        });
    p.initialize(video, url, true);
}

async function startShaka() {
    shaka.polyfill.installAll();
    if (!shaka.Player.isBrowserSupported()) {
        fatal('shaka', 'browser not supported');
        return;
    }
    const p = new shaka.Player();
    await p.attach(video);
    if (shakaConfig !== null) {
        p.configure(shakaConfig);
    }
    /* its seek range: a seek before its start is moved into it */
    S.seekRange = () => p.seekRange();
    if (switches > 0) {
        /*
         * its adaptive choice bans a variant for a while when frames are
         * dropped (a loaded test machine), before --switch turns it off:
         * it must not take levels away from the switches
         */
        p.configure({ abr: { droppedFrames: false } });
    }
    p.addEventListener('error', (ev) => {
        const d = ev.detail || {};
        const msg = 'code ' + d.code + ' category ' + d.category
            + ' ' + JSON.stringify(d.data || []).slice(0, 300);
        if (d.severity === 2) {
            fatal('shaka', msg);
        } else {
            S.warnings++;
            S.errors.push('(non-fatal) shaka: ' + msg);
        }
    });
    p.addEventListener('timelineregionadded', (ev) => {
        const d = ev.detail || {};
        /* shaka.extern.xml.Node: the Binary's text, else the Event's */
        const text = (n) => (n && n.children || [])
            .filter(c => typeof c === 'string').join('').trim();
        const find = (n) => {
            if (!n || typeof n !== 'object') {
                return null;
            }
            if (/(^|:)Binary$/.test(n.tagName || '')) {
                return n;
            }
            for (const c of n.children || []) {
                const f = find(c);
                if (f) {
                    return f;
                }
            }
            return null;
        };
        const bin = find(d.eventNode);
        const data = bin ? text(bin) : (text(d.eventNode) || null);
        eventSeen('region', d.schemeIdUri, d.value, d.id, d.startTime,
                  d.endTime, data);
    });
    p.addEventListener('emsg', (ev) => {
        const d = ev.detail || {};
        eventSeen('emsg', d.schemeIdUri, d.value, d.id, d.startTime,
                  d.endTime, bytes64(d.messageData));
    });
    if (drmOn) {
        const cfg = {};
        if (Object.keys(drm.clearkeys).length) {
            cfg.clearKeys = drm.clearkeys;
        }
        if (drm.license !== null) {
            cfg.servers = { 'org.w3.clearkey': drm.license };
        }
        p.configure({ drm: cfg });
        const LICENSE = shaka.net.NetworkingEngine.RequestType.LICENSE;
        p.getNetworkingEngine().registerRequestFilter((type, req) => {
            if (type === LICENSE) {
                Object.assign(req.headers, drm.headers);
            }
        });
    }
    try {
        await p.load(url, null, mime || undefined);
    } catch (e) {
        fatal('shaka', 'load: code ' + e.code + ' '
              + JSON.stringify(e.data || []).slice(0, 300));
        return;
    }
    S.info.levels = p.getVariantTracks().filter(t => t.videoId !== null)
        .map(t => ({ bitrate: t.bandwidth, width: t.width,
                     height: t.height, codecs: t.codecs }));
    S.info.audioTracks = p.getAudioTracks ? p.getAudioTracks().length
                                          : undefined;
    S.info.audioLanguages = p.getAudioTracks
        ? p.getAudioTracks().map(a => a.language) : undefined;
    S.info.live = p.isLive();
    /* a manual choice fires 'variantchanged' ('adaptation': ABR's) */
    ['variantchanged', 'adaptation'].forEach((n) => {
        p.addEventListener(n, () => {
            const a = p.getVariantTracks().find(t => t.active);
            switchReported(a ? a.height : null);
        });
    });
    S.ctl = {
        heights: () => p.getVariantTracks().map(t => t.height),
        /* the same audio; the buffer cleared but for 2 s (safeMargin) */
        select: (h) => {
            const tracks = p.getVariantTracks();
            const a = tracks.find(t => t.active);
            const c = tracks.filter(t => t.height === h);
            const v = c.find(t => a && t.audioId === a.audioId) || c[0];
            if (!v) {
                return false;
            }
            p.configure({ abr: { enabled: false } });
            if (!switchRequested(h)) {
                return 'busy';
            }
            p.selectVariantTrack(v, true, 2);
            return true;
        },
    };
}

try {
    if (player === 'hls') {
        startHls();
    } else if (player === 'shaka') {
        startShaka().catch(e => fatal('shaka', String(e)));
    } else {
        startDash();
    }
} catch (e) {
    fatal(player, 'setup: ' + e);
}
`;
}


function pageHtml(o, libPrefix) {
    const scripts = LIBS[o.player].map((l, i) =>
        '<script src="' + libPrefix + i + '.js"></script>').join('\n');

    return '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        + '<title>sluice play</title><link rel="icon" href="data:,">'
        + '</head><body>\n'
        + '<video id="v" muted autoplay playsinline'
        + ' style="width:640px;height:360px"></video>\n'
        + scripts + '\n<script src="' + libPrefix + 'glue.js"></script>\n'
        + '</body></html>\n';
}


function loadLibs(o) {
    const base = path.join(__dirname, 'node_modules');
    const files = {};

    LIBS[o.player].forEach((l, i) => {
        files[i + '.js'] = fs.readFileSync(path.join(base, l));
    });
    files['glue.js'] = Buffer.from(pageScript(o.player, o.url, o.mime,
                                              o.drm, o.switches,
                                              { on: o.lowLatency,
                                                delay: o.liveDelay },
                                              o.shakaConfig));

    return files;
}


function startPageServer(html, files) {
    return new Promise((resolve, reject) => {
        const srv = http.createServer((req, res) => {
            const m = /^\/__play\/(.*)$/.exec(req.url);
            if (req.url === '/' || req.url === '/index.html') {
                res.writeHead(200, { 'Content-Type': 'text/html' });
                res.end(html);
            } else if (m && files[m[1]]) {
                res.writeHead(200,
                              { 'Content-Type': 'application/javascript' });
                res.end(files[m[1]]);
            } else {
                res.writeHead(404);
                res.end();
            }
        });
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve(srv));
    });
}


async function main() {
    const o = parseArgs(process.argv.slice(2));
    const t0 = Date.now();
    const result = { ok: false, player: o.player, url: o.url,
                     seconds: o.seconds };
    const httpErrors = [];
    const consoleLines = [];
    let chromium, files, srv = null, ctx = null;
    /* --switch: describes the switch not rendered (timeout message) */
    let pendingSwitch = null;

    function log(s) {
        if (o.verbose) {
            process.stderr.write('[' + ((Date.now() - t0) / 1000).toFixed(1)
                                 + 's] ' + s + '\n');
        }
    }


    function finish(code) {
        if (finished) {
            return;
        }
        finished = true;
        result.elapsed = Number(((Date.now() - t0) / 1000).toFixed(2));
        if (httpErrors.length) {
            result.httpErrors = httpErrors.slice(0, 20);
        }
        if (!result.ok && consoleLines.length) {
            result.console = consoleLines.slice(-20);
        }
        process.stdout.write(JSON.stringify(result) + '\n');
        const closing = ctx ? ctx.close().catch(() => {}) : Promise.resolve();
        /* do not wait for a hung browser: the exit handler kills it */
        Promise.race([closing, new Promise(r => setTimeout(r, 5000))])
            .then(() => {
                if (srv) {
                    srv.close();
                }
                removeTmp();
                process.exit(code);
            });
    }

    try {
        chromium = require('playwright-core').chromium;
        files = loadLibs(o);
    } catch (e) {
        process.stderr.write('play.js: missing dependencies (run '
                             + '"npm ci --prefix t/browser"): ' + e.message
                             + '\n');
        process.exit(2);
    }

    /* hard limit: whatever happens, report and exit */
    setTimeout(() => {
        let why = 'timeout after ' + o.timeout + 's';
        if (o.switches > 0 && result.switches
            && result.switches.length < o.switches)
        {
            why += ': ' + result.switches.length + ' of ' + o.switches
                + ' quality switches rendered'
                + (pendingSwitch ? ' (' + pendingSwitch() + ')' : '');
        }
        if (result.seekTo !== undefined && result.seekedAt === undefined) {
            why += ': the seek from ' + result.seekFrom + ' to '
                + result.seekTo + ' did not take (currentTime '
                + result.currentTime + ')';
        }
        result.error = result.error || why;
        finish(1);
    }, o.timeout * 1000);

    process.on('SIGTERM', () => {
        result.error = 'terminated';
        finish(1);
    });

    let pageUrl;
    const html = pageHtml(o, '/__play/');

    if (o.sameOrigin) {
        pageUrl = new URL('/__sluice_play__/index.html', o.url).href;
    } else {
        srv = await startPageServer(html, files);
        pageUrl = 'http://127.0.0.1:' + srv.address().port + '/';
    }

    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-play-'));
    ctx = await chromium.launchPersistentContext(tmpDir, {
        executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        ignoreHTTPSErrors: true,
        args: CHROMIUM_ARGS,
    });

    const page = ctx.pages()[0] || await ctx.newPage();

    if (o.sameOrigin) {
        const origin = new URL(o.url).origin;
        await page.route(origin + '/__sluice_play__/**', (route) => {
            const u = new URL(route.request().url());
            const name = u.pathname.replace(/^\/__sluice_play__\//, '');
            if (name === 'index.html') {
                return route.fulfill({ status: 200,
                                       contentType: 'text/html',
                                       body: pageHtml(o, '') });
            }
            if (files[name]) {
                return route.fulfill({ status: 200,
                                       contentType: 'application/javascript',
                                       body: files[name] });
            }
            return route.fulfill({ status: 404, body: '' });
        });
    }

    page.on('console', (m) => {
        const line = m.type() + ': ' + m.text();
        consoleLines.push(line.slice(0, 300));
        log('console ' + line.slice(0, 300));
    });
    page.on('pageerror', (e) => {
        consoleLines.push('pageerror: ' + String(e).slice(0, 300));
        log('pageerror ' + e);
    });
    /* --low-latency: what the player asked for (result.requests) */
    const reqs = { total: 0, parts: 0, blocking: 0, segments: 0,
                   chunked: 0, chunkedUrls: [] };
    if (o.lowLatency) {
        result.requests = reqs;
        page.on('request', (q) => {
            const u = q.url();
            reqs.total++;
            if (/[,(]part=\d+/.test(u)) {
                reqs.parts++;
            }
            if (/[?&]_HLS_msn=/.test(u)) {
                reqs.blocking++;
            }
            if (/\/Fragments\(/.test(u)) {
                reqs.segments++;
            }
        });
    }

    page.on('response', (r) => {
        if (o.lowLatency && r.url().startsWith(new URL(o.url).origin + '/')
            && /chunked/i.test(r.headers()['transfer-encoding'] || ''))
        {
            reqs.chunked++;
            if (reqs.chunkedUrls.length < 5) {
                reqs.chunkedUrls.push(r.url());
            }
        }
        if (r.request().method() === 'POST') {
            result.licenceUrls = result.licenceUrls || [];
            if (result.licenceUrls.length < 20) {
                result.licenceUrls.push(r.status() + ' ' + r.url());
            }
            if (r.status() === 200
                && (o.drm.license === null || r.url() === o.drm.license))
            {
                result.licences = (result.licences || 0) + 1;
            }
        }
        if (r.status() >= 400) {
            httpErrors.push(r.status() + ' ' + r.url());
            log('http ' + r.status() + ' ' + r.url());
        } else {
            log('http ' + r.status() + ' ' + r.url());
        }
    });
    page.on('requestfailed', (r) => {
        const f = r.failure();
        httpErrors.push('failed ' + (f ? f.errorText : '') + ' ' + r.url());
        log('failed ' + r.url() + ' ' + (f ? f.errorText : ''));
    });

    log('page ' + pageUrl);
    await page.goto(pageUrl, { waitUntil: 'load',
                               timeout: o.timeout * 1000 });

    let start = null;
    /*
     * --switch: the heights to cycle over (top first), the position in
     * the cycle, the switch asked for (req) and the currentTime where the
     * last one was rendered
     */
    const sw = { heights: null, offered: null, pos: 0, req: null,
                 lastAt: null, last: null };
    if (o.switches > 0) {
        result.switches = [];
    }
    pendingSwitch = () => {
        const s = sw.last, p = s && s.pending;
        if (start === null) {
            return 'not playing';
        }
        if (!sw.req && !sw.heights && s && s.t - start < 1) {
            return 'currentTime ' + s.t.toFixed(3) + ' not 1 s past '
                + start.toFixed(3) + ', where it started';
        }
        if (!sw.req && !sw.heights) {
            return 'the player offers the video heights '
                + JSON.stringify(sw.offered || []) + ', not two or more';
        }
        if (!sw.req) {
            return 'none asked for: the video shows height '
                + (s ? s.h : '?') + ', the player reported '
                + (s ? s.reported : '?');
        }
        return sw.req.from + ' -> ' + sw.req.to + ' asked at currentTime '
            + sw.req.at + ', now ' + (s ? s.t.toFixed(3) : '?')
            + ', the player\'s event '
            + (p && p.eventAt !== null ? 'seen' : 'not seen')
            + ', videoHeight ' + (s ? s.h : '?');
    };

    /* the stalls and heights seen so far, into the result */
    function noteStalls(s) {
        const d = s.stalls.map(x =>
            ((x.end === null ? s.now : x.end) - x.start) / 1000);
        result.stalls = s.stalls.length;
        result.stallSeconds = Number(d.reduce((a, b) => a + b, 0)
                                     .toFixed(3));
        result.maxStall = Number(Math.max(0, ...d).toFixed(3));
        result.seekWaits = s.seekWaits;
        result.heightsSeen = s.heightsSeen.slice().sort((a, b) => b - a);
    }

    /*
     * the next height of the cycle top -> bottom -> top that is neither
     * shown (h) nor the one the player last reported (r), and the
     * position after it; null when there is none
     */
    function nextHeight(h, r) {
        const n = sw.heights.length, m = 2 * n - 2;
        for (let p = sw.pos; p < sw.pos + m; p++) {
            const k = p % m;
            const x = sw.heights[k < n ? k : m - k];
            if (x !== h && x !== r) {
                return { height: x, pos: p + 1 };
            }
        }
        return null;
    }

    /* --switch: ask for a switch or see it rendered; false: finished */
    async function switching(s) {
        if (start === null || s.t - start < 1) {
            return true;
        }
        if (sw.heights === null) {
            /* Shaka lists the variants it can play now */
            const hs = [...new Set(s.levelHeights.filter(h => h > 0))]
                .sort((a, b) => b - a);
            if (hs.length < 2) {
                sw.offered = hs;
                return true;
            }
            sw.heights = hs;
            log('switching over heights ' + hs.join(', '));
        }
        if (sw.req) {
            const p = s.pending;
            if (!p || p.eventAt === null || p.resizeAt === null
                || s.h !== sw.req.to)
            {
                return true;
            }
            const x = sw.req;
            x.from = p.from;
            x.renderedAt = Number(s.t.toFixed(3));
            x.renderedAfter = Number(((Math.max(p.eventAt, p.resizeAt)
                                       - p.wall) / 1000).toFixed(3));
            result.switches.push(x);
            sw.req = null;
            sw.lastAt = s.t;
            log('switch ' + x.from + ' -> ' + x.to + ' rendered at '
                + s.t + ' after ' + x.renderedAfter + ' s');
        }
        if (result.switches.length >= o.switches || s.h <= 0) {
            return true;
        }
        /* none while the player is between two heights of two */
        const next = nextHeight(s.h, s.reported);
        if (next === null) {
            return true;
        }
        const to = next.height;
        const asked = await page.evaluate(
            (h) => window.__play.ctl.select(h), to);
        if (asked === 'busy') {
            /* the player's own switch to it came since s: next time */
            return true;
        }
        if (!asked) {
            result.error = 'the player cannot select height ' + to;
            finish(1);
            return false;
        }
        sw.pos = next.pos;
        sw.req = { from: s.h, to: to, at: Number(s.t.toFixed(3)) };
        log('switch ' + s.h + ' -> ' + to + ' asked at ' + s.t);
        return true;
    }

    /*
     * --low-latency: a sample every second from --latency-after seconds
     * after the video started; lat.values (wall clock - the media's
     * wall-clock time, ms), lat.player (the player's own estimates)
     */
    const lat = { since: null, last: 0, values: [], player: [] };

    function percentile(v, p) {
        const a = v.slice().sort((x, y) => x - y);
        return a.length ? a[Math.min(a.length - 1,
                                     Math.ceil(p / 100 * a.length) - 1)]
                        : null;
    }

    function latencySample(s) {
        const now = Date.now();
        if (start === null) {
            return;
        }
        if (lat.since === null) {
            lat.since = now;
        }
        if (now - lat.since < o.latencyAfter * 1000 || now - lat.last < 1000
            || !s.lat
            || s.lat.wall === null)
        {
            return;
        }
        lat.last = now;
        lat.values.push(Math.round(s.lat.wall));
        if (s.lat.player !== null) {
            lat.player.push(Math.round(s.lat.player));
        }
        result.latency = { samples: lat.values.length,
                           median: percentile(lat.values, 50),
                           p95: percentile(lat.values, 95),
                           min: Math.min(...lat.values),
                           max: Math.max(...lat.values),
                           player: percentile(lat.player, 50),
                           values: lat.values };
        log('latency ' + Math.round(s.lat.wall) + ' ms (player '
            + (s.lat.player === null ? '-' : Math.round(s.lat.player))
            + ') at ' + s.t.toFixed(3));
    }

    /* --seek-back: 'none', 'pending', 'seeking', 'done' */
    let seek = o.seekBack > 0 ? 'pending' : 'none';
    /* --start-mark: 'none', 'pending', 'seen' */
    let mark = o.startMark ? 'pending' : 'none';

    while (!finished) {
        await new Promise(r => setTimeout(r, 250));

        const s = await page.evaluate(() => {
            const v = document.getElementById('v');
            const st = window.__play || { errors: ['no player state'],
                                          fatal: true };
            const b = [], sk = [];
            for (let i = 0; i < v.buffered.length; i++) {
                b.push([v.buffered.start(i), v.buffered.end(i)]);
            }
            for (let i = 0; i < v.seekable.length; i++) {
                sk.push([v.seekable.start(i), v.seekable.end(i)]);
            }
            let heights = [];
            try {
                heights = st.ctl ? st.ctl.heights() : [];
            } catch (e) {
                /* dash.js before its stream is initialized */
            }
            /*
             * a disabled track's cues are read by making it hidden for
             * the moment (the 'change' event it queues finds it disabled
             * again); the texts seen are kept, players remove old cues
             */
            const seen = st.cueTexts = st.cueTexts || {};
            const tt = Array.from(v.textTracks).map((x, i) => {
                const mode = x.mode;
                if (mode === 'disabled') {
                    x.mode = 'hidden';
                }
                const cues = x.cues ? Array.from(x.cues) : [];
                if (mode === 'disabled') {
                    x.mode = mode;
                }
                const k = seen[i] = seen[i] || [];
                cues.forEach(c => {
                    if (k.length < 5 && k.indexOf(c.text) < 0) {
                        k.push(c.text);
                    }
                });
                return { kind: x.kind, label: x.label, language: x.language,
                         mode: mode, cues: cues.length, texts: k.slice() };
            });
            const q = v.getVideoPlaybackQuality
                ? v.getVideoPlaybackQuality() : null;
            return { t: v.currentTime, paused: v.paused, textTracks: tt,
                     ready: v.readyState, w: v.videoWidth,
                     h: v.videoHeight, errors: st.errors, fatal: st.fatal,
                     warnings: st.warnings, waiting: st.waiting,
                     info: st.info, buffered: b, seekable: sk,
                     duration: v.duration, now: performance.now(),
                     stalls: st.stalls || [], seekWaits: st.seekWaits,
                     heightsSeen: st.heights || [], levelHeights: heights,
                     pending: st.pending, reported: st.reported,
                     frames: q ? q.totalVideoFrames : null,
                     dropped: q ? q.droppedVideoFrames : null,
                     range: st.seekRange ? st.seekRange() : null,
                     lat: st.latency ? st.latency() : null };
        });

        if (seek === 'pending' && start !== null && s.t - start >= 2) {
            const low = s.seekable.length ? s.seekable[0][0] + 1 : 0;
            const to = Math.max(low, s.t - o.seekBack);
            if (s.range) {
                result.seekRangeAtSeek = [s.range.start, s.range.end]
                    .map(x => Number(x.toFixed(3)));
            }
            result.seekFrom = Number(s.t.toFixed(3));
            result.seekTo = Number(to.toFixed(3));
            log('seeking from ' + s.t + ' to ' + to);
            await page.evaluate((x) => {
                document.getElementById('v').currentTime = x;
            }, to);
            seek = 'seeking';
            start = null;
            continue;
        }

        if (seek === 'seeking') {
            result.currentTime = s.t;
            if (s.range) {
                result.seekRange = [s.range.start, s.range.end]
                    .map(x => Number(x.toFixed(3)));
            }
            log('while seeking: t ' + s.t + ' ready ' + s.ready
                + ' buffered ' + JSON.stringify(s.buffered)
                + ' seekable ' + JSON.stringify(s.seekable)
                + (s.range ? ' range ' + JSON.stringify(s.range) : ''));
            if (s.fatal) {
                result.error = 'fatal player error while seeking';
                result.errors = s.errors.slice(0, 20);
                finish(1);
                return;
            }
            /* a target in a hole: the player jumps to the media after it */
            const jumped = s.t > result.seekTo + 2
                && s.t < result.seekFrom - 2
                && !s.buffered.some(r => r[0] <= result.seekTo
                                         && result.seekTo < r[1]);
            if ((Math.abs(s.t - result.seekTo) > 2 && !jumped)
                || s.ready < 3)
            {
                continue;
            }
            seek = 'done';
            if (jumped) {
                result.seekJumped = Number((s.t - result.seekTo).toFixed(3));
            }
            result.seekedAt = Number(s.t.toFixed(3));
            start = s.t;
            log('seeked to ' + s.t);
        }

        if (mark === 'pending' && fs.existsSync(o.startMark)) {
            mark = 'seen';
            result.markAt = Number(s.t.toFixed(3));
            result.markSeenAfter =
                Number(((Date.now() - t0) / 1000).toFixed(2));
            log('mark seen at ' + s.t + ': progress counted from here');
            start = s.t > 0 ? s.t : null;
        }

        if (start === null && s.t > 0) {
            start = s.t;
            if (result.firstFrameAfter === undefined) {
                result.firstFrameAfter =
                    Number(((Date.now() - t0) / 1000).toFixed(2));
            }
            log('playing from ' + s.t);
        }

        if (o.lowLatency) {
            latencySample(s);
        }

        result.startTime = start;
        result.currentTime = s.t;
        result.advanced = start === null ? 0
                                         : Number((s.t - start).toFixed(3));
        result.width = s.w;
        result.height = s.h;
        result.videoFrames = s.frames;
        result.droppedFrames = s.dropped;
        result.readyState = s.ready;
        result.paused = s.paused;
        result.waiting = s.waiting;
        result.warnings = s.warnings;
        result.buffered = s.buffered.map(r => r.map(x => Number(x.toFixed(3))));
        result.seekable = s.seekable.map(r => r.map(x => Number(x.toFixed(3))));
        if (s.range) {
            result.seekRange = [s.range.start, s.range.end]
                .map(x => Number(x.toFixed(3)));
        }
        /* Infinity (live) is not JSON */
        result.duration = isFinite(s.duration)
            ? Number(s.duration.toFixed(3)) : String(s.duration);
        result.info = s.info;
        result.textTracks = s.textTracks;
        result.errors = s.errors.slice(0, 20);

        noteStalls(s);
        sw.last = s;

        if (s.fatal) {
            result.error = 'fatal player error';
            finish(1);
            return;
        }

        if (o.switches > 0) {
            const worst = s.stalls.reduce((m, x) =>
                Math.max(m, ((x.end === null ? s.now : x.end) - x.start)
                            / 1000), 0);
            if (worst > 1) {
                const x = s.stalls.find(y =>
                    ((y.end === null ? s.now : y.end) - y.start) / 1000
                    === worst);
                result.error = 'stall of ' + worst.toFixed(2)
                    + ' s (more than 1 s) at currentTime '
                    + x.at.toFixed(3) + ', after '
                    + result.switches.length + ' rendered switches'
                    + (sw.req ? ', switching ' + sw.req.from + ' -> '
                       + sw.req.to : '');
                finish(1);
                return;
            }
            if (!(await switching(s))) {
                return;
            }
        }

        if (start !== null && s.t - start >= o.seconds
            && (!o.lowLatency || lat.values.length >= o.latencySamples)
            && (seek === 'none' || seek === 'done') && mark !== 'pending'
            && (o.switches === 0 || (result.switches.length >= o.switches
                && s.t - sw.lastAt >= 2)))
        {
            result.ok = true;
            finish(0);
            return;
        }
    }
}


main().catch((e) => {
    if (finished) {
        return;
    }
    finished = true;
    removeTmp();
    process.stdout.write(JSON.stringify({ ok: false,
                                          error: String(e && e.stack || e)
                                              .slice(0, 1000) }) + '\n');
    process.exit(1);
});
