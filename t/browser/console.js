#!/usr/bin/env node
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Drives Sluice's web console (console/, served at /console/) in
 * headless Chromium as a user would, with the keyboard and the mouse,
 * for t/113-console.t:
 *
 *   node t/browser/console.js --url URL --key KEY --reader-key KEY
 *        --event NAME --token TOKEN --asset NAME --locator NAME
 *        --filter NAME --shots DIR [--timeout 120]
 *
 * Steps, each with its own deadline; a step that fails ends the run:
 *   keyboard   the API key field is the second Tab stop (after the skip
 *              link), a wrong key typed there and Enter: the error region
 *              says 401 AuthenticationFailed (every form control of the
 *              pages met has a label: here, on the live events, the live
 *              event and the locator pages)
 *   reader     the reader key lists the live events, creating one shows
 *              403 AuthorizationFailed
 *   create     with KEY: the live event is created with TOKEN, its page
 *              shows it Stopped
 *   start      Enter on the Start button: Running, the focus then on Stop
 *   ingest     its ingest URL (rtmp://.../live/TOKEN) is listed, and its
 *              Copy button puts it on the clipboard
 *   health     (the test pushes with ffmpeg once it sees Running) health
 *              Good or Excellent, a video track's incoming bitrate over
 *              100 kbit/s, the graph drawn with 3 points or more, a
 *              video heartbeat and the BeginIngest stream event listed
 *   preview-*  the preview played with hls.js (HLS CMAF), dash.js (DASH
 *              CMAF, through the account filter --filter: in the URL) and
 *              Shaka (HLS TS): the video's currentTime advances by 2 s
 *   endpoint   the default streaming endpoint started (its Start button)
 *   locator    (the test records into --asset) a locator of the asset
 *              made with the form, played with dash.js
 *   lists      the pages Live outputs, Assets, Streaming policies and
 *              Filters list the output, the asset, a predefined policy
 *              and the filter
 *   stop       Stop refused (400: live outputs), then with "Remove live
 *              outputs on stop": Stopped
 *   delete     Delete, then the confirmation (shown only then, with the
 *              focus) and Enter: the event is gone from the list
 *
 * The run fails on any console error or page error, on any failed
 * request and on any HTTP answer >= 400 but the three the steps provoke
 * (401, 403, 400 above) and players' aborted media requests when they
 * are stopped.  Screenshots go to --shots (NN-step.png).
 *
 * Output: one JSON line on stdout: { ok, steps: [{ name, ok, ms,
 * detail }], problems: [...], shots: [...], error }; progress on
 * stderr.  Exit status 0 when ok, 1 otherwise, 2 on bad usage.
 */

'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--autoplay-policy=no-user-gesture-required',
];


function parseArgs(argv) {
    const o = { timeout: 120 };
    const names = { '--url': 'url', '--key': 'key',
                    '--reader-key': 'readerKey', '--event': 'event',
                    '--token': 'token', '--asset': 'asset',
                    '--locator': 'locator', '--shots': 'shots',
                    '--filter': 'filter',
                    '--timeout': 'timeout' };

    for (let i = 0; i < argv.length; i++) {
        const n = names[argv[i]];
        if (!n || i + 1 >= argv.length) {
            process.stderr.write('console.js: bad argument ' + argv[i]
                                 + '\n');
            process.exit(2);
        }
        o[n] = n === 'timeout' ? Number(argv[++i]) : argv[++i];
    }
    for (const n of ['url', 'key', 'readerKey', 'event', 'token', 'asset',
                     'locator', 'filter', 'shots'])
    {
        if (!o[n]) {
            process.stderr.write('console.js: missing ' + n + '\n');
            process.exit(2);
        }
    }
    return o;
}


async function main() {
    const o = parseArgs(process.argv.slice(2));
    const t0 = Date.now();
    const result = { ok: false, steps: [], problems: [], shots: [] };
    /* the HTTP errors the steps provoke: [status, method, URL regexp] */
    const expected = [];
    const seen = [];            /* statuses of the expected answers seen */
    let chromium, ctx = null, tmp = null, shotNo = 0, done = false;

    function log(s) {
        process.stderr.write('[' + ((Date.now() - t0) / 1000).toFixed(1)
                             + 's] ' + s + '\n');
    }

    async function finish(code) {
        if (done) {
            return;
        }
        done = true;
        result.elapsed = (Date.now() - t0) / 1000;
        process.stdout.write(JSON.stringify(result) + '\n');
        if (ctx) {
            await Promise.race([ctx.close().catch(() => {}),
                                new Promise(r => setTimeout(r, 5000))]);
        }
        if (tmp) {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
        process.exit(code);
    }

    try {
        chromium = require('playwright-core').chromium;
    } catch (e) {
        process.stderr.write('console.js: playwright-core missing (npm ci '
                             + '--prefix t/browser)\n');
        process.exit(2);
    }

    setTimeout(() => {
        result.error = 'timeout after ' + o.timeout + ' s';
        finish(1);
    }, o.timeout * 1000);

    fs.mkdirSync(o.shots, { recursive: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-console-'));
    ctx = await chromium.launchPersistentContext(tmp, {
        executablePath: process.env.SLUICE_CHROMIUM || '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1200, height: 900 },
    });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'],
                               { origin: new URL(o.url).origin });
    const page = ctx.pages()[0] || await ctx.newPage();

    page.on('console', (m) => {
        const text = m.text();
        if (m.type() === 'error') {
            /* Chromium's line for each answer >= 400: matched below */
            const st = text.match(/status of (\d+)/);
            if (st && /^Failed to load resource/.test(text)
                && seen.includes(Number(st[1])))
            {
                seen.splice(seen.indexOf(Number(st[1])), 1);
                return;
            }
            result.problems.push('console error: ' + text.slice(0, 300));
        }
        log('console ' + m.type() + ': ' + text.slice(0, 200));
    });
    page.on('pageerror', (e) => {
        result.problems.push('page error: ' + String(e).slice(0, 300));
    });
    page.on('response', (r) => {
        const st = r.status(), q = r.request();
        if (st < 400) {
            return;
        }
        const i = expected.findIndex(e => e[0] === st
                                     && e[1] === q.method()
                                     && e[2].test(r.url()));
        if (i >= 0) {
            expected.splice(i, 1);
            seen.push(st);
            log('expected ' + st + ' ' + q.method() + ' ' + r.url());
            return;
        }
        result.problems.push('HTTP ' + st + ' ' + q.method() + ' '
                             + r.url());
    });
    page.on('requestfailed', (q) => {
        const f = q.failure() ? q.failure().errorText : '?';
        /* a player stopped aborts its media requests in flight */
        if (f === 'net::ERR_ABORTED' && /\.ism\//.test(q.url())) {
            return;
        }
        result.problems.push('request failed: ' + f + ' ' + q.method()
                             + ' ' + q.url());
    });

    async function shot(name) {
        const f = path.join(o.shots, String(++shotNo).padStart(2, '0')
                            + '-' + name + '.png');
        await page.screenshot({ path: f, fullPage: true });
        result.shots.push(f);
    }

    async function step(name, seconds, fn) {
        const s = Date.now();
        const rec = { name: name, ok: false };

        result.steps.push(rec);
        log('step ' + name);
        try {
            rec.detail = await Promise.race([
                fn(),
                new Promise((ok, fail) => setTimeout(() =>
                    fail(new Error('step timed out after ' + seconds
                                   + ' s')), seconds * 1000)),
            ]);
            rec.ok = true;
        } catch (e) {
            rec.error = String(e && e.message || e).slice(0, 500);
            try {
                rec.errorsShown = await page.locator('#errors')
                    .textContent({ timeout: 1000 });
            } catch (e2) {
                /* no page */
            }
            try {
                await shot('failed-' + name);
            } catch (e2) {
                /* no page */
            }
        }
        rec.ms = Date.now() - s;
        log('step ' + name + (rec.ok ? ' ok' : ' FAILED: ' + rec.error));
        if (!rec.ok) {
            throw new Error('step ' + name + ' failed');
        }
        return rec.detail;
    }

    const ev = o.event;
    const api = (p) => new RegExp('/mediaServices/[^/]+/' + p
                                  + '(\\?|$)', 'i');

    /* every form control of the page has a label */
    async function labelled(where) {
        const bad = await page.evaluate(() =>
            [...document.querySelectorAll('input, select, textarea')]
                .filter(e => !e.labels || !e.labels.length)
                .map(e => e.outerHTML.slice(0, 80)));
        if (bad.length) {
            throw new Error(where + ': controls without a label: '
                            + bad.join(' '));
        }
    }

    async function errorShown(re) {
        await page.locator('#errors').filter({ hasText: re })
            .waitFor({ timeout: 10000 });
        return (await page.locator('#errors').textContent()).trim();
    }

    async function stateIs(s) {
        await page.locator('main [role=status] .badge[data-state="' + s
                           + '"]').waitFor({ timeout: 30000 });
    }

    async function playPreview(player, format, seconds, filter) {
        const panel = page.locator('section.player');
        await panel.getByLabel('Player').selectOption({ label: player });
        await panel.getByLabel('Format').selectOption({ label: format });
        await panel.getByLabel(o.filter, { exact: true })
            .setChecked(Boolean(filter));
        await panel.getByRole('button', { name: 'Play', exact: true })
            .click();
        return waitPlayed(panel, seconds);
    }

    async function waitPlayed(panel, seconds) {
        const v = panel.locator('video');
        await page.waitForFunction((el) => el.currentTime > 0.1,
                                   await v.elementHandle(),
                                   { timeout: 30000, polling: 200 });
        const from = await v.evaluate(el => el.currentTime);
        await page.waitForFunction(([el, f, s]) => el.currentTime >= f + s,
                                   [await v.elementHandle(), from, seconds],
                                   { timeout: 30000, polling: 200 });
        return { from: from, to: await v.evaluate(el => el.currentTime),
                 url: await panel.locator('output.url').textContent(),
                 size: await v.evaluate(el => el.videoWidth + 'x'
                                        + el.videoHeight),
                 status: await panel.locator('.player-status')
                     .textContent() };
    }

    try {
        await step('keyboard', 20, async () => {
            await page.goto(o.url);
            await page.getByRole('heading', { name: 'Sluice console' })
                .waitFor();
            await page.keyboard.press('Tab');
            await page.keyboard.press('Tab');
            const id = await page.evaluate(() => document.activeElement.id);
            if (id !== 'api-key') {
                throw new Error('second Tab stop is "' + id
                                + '", not the API key');
            }
            expected.push([401, 'GET', api('liveEvents')]);
            await page.keyboard.type('not-a-key');
            await page.keyboard.press('Enter');
            const text = await errorShown(/AuthenticationFailed/);
            if (!/^401 /.test(text)) {
                throw new Error('error shown: ' + text);
            }
            await labelled('start page');
            await shot('unauthorized');
            return text;
        });

        await step('reader', 20, async () => {
            await page.getByLabel('API key').fill(o.readerKey);
            await page.getByRole('button', { name: 'Use key' }).click();
            await page.getByRole('heading', { name: 'Live events' })
                .waitFor();
            expected.push([403, 'PUT', api('liveEvents/' + ev)]);
            await page.getByLabel('Name', { exact: true }).fill(ev);
            await page.getByRole('button', { name: 'Create live event' })
                .click();
            const text = await errorShown(/AuthorizationFailed/);
            if (!/^Create [^:]+: 403 /.test(text)) {
                throw new Error('error shown: ' + text);
            }
            await shot('forbidden');
            return text;
        });

        await step('create', 20, async () => {
            await page.getByRole('button', { name: 'Forget key' }).click();
            await page.getByLabel('API key').fill(o.key);
            await page.getByLabel('API key').press('Enter');
            await page.getByRole('heading', { name: 'Live events' })
                .waitFor();
            await labelled('live events');
            await page.getByLabel('Name', { exact: true }).fill(ev);
            await page.getByLabel('Access token').fill(o.token);
            await page.getByRole('button', { name: 'Create live event' })
                .click();
            await page.getByRole('heading', { name: 'Live event ' + ev })
                .waitFor();
            await stateIs('Stopped');
            await labelled('live event');
            return 'Stopped';
        });

        await step('start', 30, async () => {
            await page.locator('button[data-action=start]').focus();
            await page.keyboard.press('Enter');
            await stateIs('Running');
            /* the page drawn again: the focus on the first action left */
            const f = await page.evaluate(() =>
                document.activeElement.dataset.action);
            if (f !== 'stop') {
                throw new Error('focus after Start on "' + f
                                + '", not on Stop');
            }
            await shot('running');
            return 'Running';
        });

        await step('ingest', 10, async () => {
            const urls = await page.locator('.copy input').evaluateAll(
                l => l.map(e => e.value));
            const rtmp = urls.find(u => /^rtmp:\/\/.*\/live\//.test(u));
            if (!rtmp || !rtmp.endsWith('/live/' + o.token)) {
                throw new Error('no RTMP ingest URL: ' + urls.join(' '));
            }
            await page.getByRole('button', { name: 'Copy RTMP input 1' })
                .click();
            const clip = await page.evaluate(() =>
                navigator.clipboard.readText());
            if (clip !== rtmp) {
                throw new Error('clipboard has "' + clip + '"');
            }
            return rtmp;
        });

        await step('health', 45, async () => {
            await page.locator('.health-status .badge').filter(
                { hasText: /^(Excellent|Good)$/ }).waitFor({ timeout: 40000 });
            await page.waitForFunction(() => {
                const svg = document.querySelector('svg.graph');
                const v = [...document.querySelectorAll('.incoming')]
                    .filter(e => /^video/.test(e.closest('tr')
                                               .cells[0].textContent))
                    .map(e => Number(e.dataset.bps));
                return svg && Number(svg.dataset.points) >= 3
                    && v.some(b => b > 100000);
            }, null, { timeout: 40000, polling: 500 });
            await page.locator('.health table', { hasText:
                'Last heartbeat per track' }).locator('tbody tr')
                .filter({ hasText: /^video/ }).first()
                .waitFor({ timeout: 20000 });
            await page.locator('.health table', { hasText:
                'Stream events' }).getByText('StreamEvent/BeginIngest')
                .first().waitFor({ timeout: 20000 });
            await page.locator('.health').scrollIntoViewIfNeeded();
            await shot('health');
            return {
                status: (await page.locator('.health-status')
                         .textContent()).trim(),
                graph: await page.locator('svg.graph')
                    .getAttribute('aria-label'),
            };
        });

        await step('preview-hls', 40, () =>
            playPreview('hls.js', 'HLS (CMAF)', 2));
        await shot('preview-hls');
        await step('preview-dash', 40, async () => {
            const r = await playPreview('dash.js', 'DASH (CMAF)', 2, true);
            if (!r.url.includes(',filter=' + o.filter + ')')) {
                throw new Error('no filter in ' + r.url);
            }
            return r;
        });
        await step('preview-shaka', 40, () =>
            playPreview('Shaka Player', 'HLS (TS)', 2));
        await shot('preview-shaka');

        await step('endpoint', 30, async () => {
            await page.getByRole('link', { name: 'Streaming endpoints' })
                .click();
            await page.getByRole('button', { name: 'Start default' })
                .click();
            await page.locator('tr', { hasText: 'default' })
                .locator('.badge[data-state=Running]')
                .waitFor({ timeout: 20000 });
            return 'Running';
        });

        await step('locator', 60, async () => {
            await page.getByRole('link', { name: 'Streaming locators' })
                .click();
            await page.getByRole('heading', { name: 'Streaming locators' })
                .waitFor();
            await page.getByLabel('Name', { exact: true }).fill(o.locator);
            await page.getByLabel('Asset').selectOption(o.asset);
            await page.getByLabel('Streaming policy')
                .selectOption('Predefined_ClearStreamingOnly');
            await page.getByRole('button', { name: 'Create locator' })
                .click();
            await page.getByRole('heading',
                                 { name: 'Streaming locator ' + o.locator })
                .waitFor();
            await labelled('locator');
            const panel = page.locator('section.player');
            await panel.getByLabel('Player')
                .selectOption({ label: 'dash.js' });
            await panel.getByLabel('Format').selectOption(
                { label: 'Dash mpd-time-cmaf' });
            await panel.getByRole('button', { name: 'Play', exact: true })
                .click();
            const r = await waitPlayed(panel, 2);
            await shot('locator');
            return r;
        });

        await step('lists', 20, async () => {
            const pages = [['Live outputs', 'archive'],
                           ['Assets', o.asset],
                           ['Streaming policies',
                            'Predefined_ClearStreamingOnly'],
                           ['Filters', o.filter]];
            for (const [name, text] of pages) {
                await page.getByRole('link', { name: name, exact: true })
                    .click();
                await page.getByRole('heading', { name: name, exact: true })
                    .waitFor();
                await page.locator('main table').getByText(text,
                    { exact: true }).first().waitFor();
            }
            return pages.length + ' pages';
        });

        await step('stop', 30, async () => {
            await page.getByRole('link', { name: 'Live events' }).click();
            await page.getByRole('link', { name: ev, exact: true }).click();
            await page.getByRole('heading', { name: 'Live event ' + ev })
                .waitFor();
            expected.push([400, 'POST', api('liveEvents/' + ev + '/stop')]);
            await page.locator('button[data-action=stop]').click();
            const text = await errorShown(/BadRequest/);
            await page.getByLabel('Remove live outputs on stop').check();
            await page.locator('button[data-action=stop]').click();
            await stateIs('Stopped');
            await shot('stopped');
            return text;
        });

        await step('delete', 20, async () => {
            const yes = page.locator('button[data-action=confirm-delete]');
            if (await yes.isVisible()) {
                throw new Error('the confirmation shows before Delete');
            }
            await page.locator('button[data-action=delete]').click();
            if (!(await yes.evaluate(e => e === document.activeElement))) {
                throw new Error('the confirmation does not have the focus');
            }
            await page.keyboard.press('Enter');
            await page.getByRole('heading', { name: 'Live events' })
                .waitFor();
            await page.getByText('No live events yet.').waitFor();
            await shot('deleted');
            return 'deleted';
        });

        if (expected.length) {
            result.problems.push('expected errors not seen: '
                                 + expected.map(e => e[0] + ' ' + e[1])
                                     .join(', '));
        }
        result.ok = result.problems.length === 0;
    } catch (e) {
        result.error = String(e && e.message || e).slice(0, 500);
    }
    await finish(result.ok ? 0 : 1);
}


main().catch((e) => {
    process.stdout.write(JSON.stringify({ ok: false,
        error: String(e && e.stack || e).slice(0, 1000) }) + '\n');
    process.exit(1);
});
