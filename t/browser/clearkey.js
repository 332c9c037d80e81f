#!/usr/bin/env node
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Asks Chromium's own ClearKey CDM (EME, org.w3.clearkey) for keys
 * through a licence server: the CDM writes the licence request, the page
 * POSTs it cross-origin (with an Authorization header when --token is
 * given: a CORS preflight), and the answer goes back into the CDM
 * (MediaKeySession.update), which reports the status of each key.
 *
 *   node t/browser/clearkey.js --url LICENCE_URL --kid B64URL [--kid ...]
 *        [--token TOKEN] [--timeout 30] [--verbose]
 *
 * No media is played: this checks the licence exchange alone, with the
 * request as the CDM makes it and the response as the CDM reads it.
 *
 * Output: one JSON line on stdout:
 *   {"ok":true,"request":"{\"kids\":[...],\"type\":\"temporary\"}",
 *    "status":200,"keys":{"<kid base64url>":"usable"}}
 * ("body" holds the answer when it is not a 200).  Exit status: 0 when
 * the exchange ran to its end (whatever the server answered), 1 on a
 * browser, CDM or network failure, 2 on bad usage or missing
 * dependencies.
 */

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--ignore-certificate-errors',
];


function usage(msg) {
    if (msg) {
        process.stderr.write('clearkey.js: ' + msg + '\n');
    }
    process.stderr.write('usage: node clearkey.js --url URL --kid B64URL'
                         + ' [--kid ...] [--token T] [--timeout N]'
                         + ' [--verbose]\n');
    process.exit(2);
}


function parseArgs(argv) {
    const o = { url: null, kids: [], token: null, timeout: 30,
                verbose: false };
    let i, a;

    for (i = 0; i < argv.length; i++) {
        a = argv[i];
        if (a === '--url') {
            o.url = argv[++i];
        } else if (a === '--kid') {
            o.kids.push(argv[++i]);
        } else if (a === '--token') {
            o.token = argv[++i];
        } else if (a === '--timeout') {
            o.timeout = Number(argv[++i]);
        } else if (a === '--verbose' || a === '-v') {
            o.verbose = true;
        } else {
            usage('unknown argument ' + a);
        }
    }

    if (!o.url || !/^https?:\/\//.test(o.url) || o.kids.length === 0
        || !(o.timeout > 0))
    {
        usage();
    }

    return o;
}


/* runs in the page: the whole EME exchange, resolves with its report */

async function exchange(a) {
    const out = { keys: {} };

    function b64url(buf) {
        let s = '';
        new Uint8Array(buf).forEach((b) => { s += String.fromCharCode(b); });
        return btoa(s).replace(/\+/g, '-').replace(/\//g, '_')
                      .replace(/=+$/, '');
    }

    const access = await navigator.requestMediaKeySystemAccess(
        'org.w3.clearkey', [{
            initDataTypes: ['keyids'],
            videoCapabilities: [
                { contentType: 'video/mp4; codecs="avc1.42E01E"' }],
        }]);
    const mediaKeys = await access.createMediaKeys();
    const session = mediaKeys.createSession('temporary');

    const done = new Promise((resolve, reject) => {
        session.addEventListener('message', async (ev) => {
            try {
                const body = new TextDecoder().decode(ev.message);
                const headers = { 'Content-Type': 'application/json' };

                out.request = body;
                if (a.token !== null) {
                    headers.Authorization = 'Bearer ' + a.token;
                }

                const res = await fetch(a.url, { method: 'POST', headers,
                                                 body });
                const answer = await res.arrayBuffer();

                out.status = res.status;
                if (!res.ok) {
                    out.body = new TextDecoder().decode(answer);
                    resolve();
                    return;
                }

                await session.update(answer);
            } catch (e) {
                reject(e);
            }
        });

        session.addEventListener('keystatuseschange', () => {
            session.keyStatuses.forEach((status, kid) => {
                out.keys[b64url(kid)] = status;
            });
            resolve();
        });
    });

    await session.generateRequest('keyids', new TextEncoder().encode(
        JSON.stringify({ kids: a.kids })));
    await done;

    return out;
}


function startPageServer() {
    return new Promise((resolve, reject) => {
        const srv = http.createServer((req, res) => {
            res.writeHead(200, { 'Content-Type': 'text/html' });
            res.end('<!DOCTYPE html><html><body>clearkey</body></html>');
        });
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve(srv));
    });
}


async function main() {
    const o = parseArgs(process.argv.slice(2));
    let chromium, srv = null, ctx = null, tmpDir = null, done = false;
    const result = { ok: false };

    function finish(code) {
        if (done) {
            return;
        }
        done = true;
        process.stdout.write(JSON.stringify(result) + '\n');
        const closing = ctx ? ctx.close().catch(() => {}) : Promise.resolve();
        Promise.race([closing, new Promise(r => setTimeout(r, 5000))])
            .then(() => {
                if (srv) {
                    srv.close();
                }
                if (tmpDir) {
                    fs.rmSync(tmpDir, { recursive: true, force: true });
                }
                process.exit(code);
            });
    }

    try {
        chromium = require('playwright-core').chromium;
    } catch (e) {
        process.stderr.write('clearkey.js: missing dependencies (run '
                             + '"npm ci --prefix t/browser"): ' + e.message
                             + '\n');
        process.exit(2);
    }

    setTimeout(() => {
        result.error = result.error || 'timeout after ' + o.timeout + 's';
        finish(1);
    }, o.timeout * 1000);

    try {
        /* the page has another origin than the licence server */
        srv = await startPageServer();
        tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-clearkey-'));
        ctx = await chromium.launchPersistentContext(tmpDir, {
            executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
            headless: true,
            ignoreHTTPSErrors: true,
            args: CHROMIUM_ARGS,
        });

        const page = ctx.pages()[0] || await ctx.newPage();

        page.on('console', (m) => {
            if (o.verbose) {
                process.stderr.write('console ' + m.type() + ': '
                                     + m.text() + '\n');
            }
        });

        await page.goto('http://127.0.0.1:' + srv.address().port + '/',
                        { waitUntil: 'load' });

        Object.assign(result, await page.evaluate(exchange, {
            url: o.url, kids: o.kids, token: o.token }));
        result.ok = true;
        finish(0);

    } catch (e) {
        result.error = String(e && e.message ? e.message : e).slice(0, 500);
        finish(1);
    }
}


main();
