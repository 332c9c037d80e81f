/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The Sluice console: the key, the account settings, the routes
 * (#/events, #/events/{name}, #/outputs, #/assets, #/locators,
 * #/locators/{name}, #/policies, #/endpoints, #/filters) and their
 * views.  Everything goes through the REST API with the key entered
 * here, so a key's role limits the console as it limits any client.
 */

import { Api } from './api.js';
import { h, append, clear, field, select, table, badge, copyable,
         fmtBitrate } from './dom.js';
import { BitrateGraph } from './graph.js';
import { PlayerPanel } from './player.js';

const KEY_ITEM = 'sluice.console.key';
const SETTINGS_ITEM = 'sluice.console.settings';
const DEFAULTS = { account: 'local',
                   subscription: '00000000-0000-0000-0000-000000000000',
                   group: 'console' };
const NAME_RE = '[a-zA-Z0-9]+(-*[a-zA-Z0-9])*';

const S = {
    api: null,
    gen: 0,             /* the view being shown: older renders are dropped */
    cleanup: [],        /* timers and players of the view shown */
};


/* --- key, settings, errors ------------------------------------------------ */

function settings() {
    let s = {};

    try {
        s = JSON.parse(localStorage.getItem(SETTINGS_ITEM) || '{}');
    } catch (e) {
        s = {};
    }
    return Object.assign({}, DEFAULTS, s);
}


function makeApi() {
    const key = sessionStorage.getItem(KEY_ITEM);

    S.api = key ? new Api(settings(), key) : null;
}


function showError(e, what) {
    const box = document.getElementById('errors');
    const text = (what ? what + ': ' : '')
        + (e && e.describe ? e.describe() : String(e && e.message || e));

    clear(box);
    box.appendChild(h('p', { class: 'error-text' }, text));
    box.appendChild(h('button', { type: 'button', class: 'small',
                                  onclick: () => clear(box) }, 'Dismiss'));
    if (e && e.status === 401) {
        document.getElementById('api-key').focus();
    }
}


function clearErrors() {
    clear(document.getElementById('errors'));
}


function setupHeader() {
    const form = document.getElementById('key-form');
    const input = document.getElementById('api-key');
    const sform = document.getElementById('settings-form');
    const s = settings();

    form.addEventListener('submit', (e) => {
        e.preventDefault();
        const key = input.value.trim();
        if (!key) {
            showError(new Error('enter an API key first'));
            input.focus();
            return;
        }
        sessionStorage.setItem(KEY_ITEM, key);
        input.value = '';
        input.placeholder = 'key set';
        makeApi();
        clearErrors();
        route();
    });

    document.getElementById('key-forget').addEventListener('click', () => {
        sessionStorage.removeItem(KEY_ITEM);
        input.placeholder = '';
        makeApi();
        route();
        input.focus();
    });

    for (const k of Object.keys(DEFAULTS)) {
        sform.elements[k].value = s[k];
    }
    sform.addEventListener('submit', (e) => {
        e.preventDefault();
        const v = {};
        for (const k of Object.keys(DEFAULTS)) {
            v[k] = sform.elements[k].value.trim() || DEFAULTS[k];
        }
        localStorage.setItem(SETTINGS_ITEM, JSON.stringify(v));
        makeApi();
        route();
    });

    if (sessionStorage.getItem(KEY_ITEM)) {
        input.placeholder = 'key set';
    }
}


/* --- routing -------------------------------------------------------------- */

const VIEWS = {
    events: viewEvents,
    outputs: viewOutputs,
    assets: viewAssets,
    locators: viewLocators,
    policies: viewPolicies,
    endpoints: viewEndpoints,
    filters: viewFilters,
};


function runCleanup() {
    for (const f of S.cleanup.splice(0)) {
        try {
            f();
        } catch (e) {
            /* nothing to do: the view is gone */
        }
    }
}


async function route() {
    const parts = location.hash.replace(/^#\/?/, '').split('/')
        .filter(p => p.length).map(decodeURIComponent);
    const name = VIEWS[parts[0]] ? parts[0] : 'events';
    const main = document.getElementById('main');
    const gen = ++S.gen;

    runCleanup();

    for (const a of document.querySelectorAll('#nav a')) {
        if (a.getAttribute('href') === '#/' + name) {
            a.setAttribute('aria-current', 'page');
        } else {
            a.removeAttribute('aria-current');
        }
    }

    if (!S.api) {
        clear(main);
        main.appendChild(h('h1', { tabindex: '-1' }, 'Sluice console'));
        main.appendChild(h('p', { class: 'notice' },
            'Enter an API key above (a sluice_api_key of nginx.conf, or a '
            + 'token): the console calls the REST API with it.'));
        return;
    }

    clear(main);
    main.appendChild(h('p', { class: 'notice', role: 'status' },
                       'Loading\u2026'));
    try {
        const nodes = await VIEWS[name](parts.slice(1), gen);
        if (gen !== S.gen) {
            return;
        }
        append(clear(main), nodes);
    } catch (e) {
        if (gen !== S.gen) {
            return;
        }
        clear(main);
        main.appendChild(h('h1', { tabindex: '-1' }, 'Sluice console'));
        main.appendChild(h('p', { class: 'notice' },
                           'This page could not be loaded.'));
        showError(e);
        return;
    }

    /*
     * the focus: on the heading of a new page; after an action, on the
     * first action button enabled (the page was drawn again)
     */
    const after = S.focusAfter && main.querySelector(S.focusAfter);
    const h1 = main.querySelector('h1');
    if (after) {
        after.focus();
    } else if (h1 && S.focusNext) {
        h1.focus();
    }
    S.focusNext = true;
    S.focusAfter = null;
}


function go(hash) {
    if (location.hash === hash) {
        route();
    } else {
        location.hash = hash;
    }
}


function heading(text, extra) {
    return h('h1', { tabindex: '-1' }, text, extra || null);
}


function refreshButton() {
    return h('button', { type: 'button', onclick: () => route() },
             'Refresh');
}


/*
 * runs an API call for a button: the button is disabled meanwhile, an
 * error goes to the error region; resolves to the result or undefined
 */
async function busy(button, what, fn) {
    const text = button.textContent;

    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    clearErrors();
    try {
        return await fn();
    } catch (e) {
        showError(e, what);
        return undefined;
    } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
        button.textContent = text;
    }
}


function props(pairs) {
    return h('dl', { class: 'props' }, pairs.filter(p => p[1] !== undefined
                                                     && p[1] !== null
                                                     && p[1] !== '')
             .map(p => [h('dt', {}, p[0]), h('dd', {}, String(p[1]))]));
}


/* --- live events ---------------------------------------------------------- */

async function viewEvents(args, gen) {
    if (args.length) {
        return viewEvent(args[0], gen);
    }

    const events = await S.api.list('liveEvents');

    return [
        heading('Live events'),
        h('div', { class: 'actions' }, refreshButton()),
        table('Live events', [
            ['Name', e => h('a', { href: '#/events/'
                                   + encodeURIComponent(e.name) }, e.name)],
            ['State', e => badge(e.properties.resourceState)],
            ['Protocol', e => e.properties.input.streamingProtocol],
            ['Encoding', e => (e.properties.encoding || {}).encodingType],
            ['Stream options', e => (e.properties.streamOptions || [])
                .join(', ')],
            ['Created', e => e.properties.created],
        ], events, 'No live events yet.'),
        createEventForm(),
    ];
}


function createEventForm() {
    const name = h('input', { name: 'name', required: true,
                              pattern: NAME_RE, maxlength: '32',
                              autocomplete: 'off' });
    const protocol = select('protocol', ['RTMP', 'FragmentedMP4', 'SRT'],
                            'RTMP');
    const token = h('input', { name: 'accessToken', autocomplete: 'off',
                               pattern: '[a-zA-Z0-9\\-]{1,64}' });
    const kfi = h('input', { name: 'keyFrameIntervalDuration',
                             value: 'PT2S' });
    const encoding = select('encodingType', ['None', 'PassthroughBasic',
        'PassthroughStandard', 'Standard', 'Premium1080p'], 'None');
    const opts = select('streamOptions', ['Default', 'LowLatency',
                                          'LowLatencyV2'], 'Default');
    const desc = h('input', { name: 'description' });
    const where = h('input', { name: 'location', value: 'local',
                               required: true });
    const start = h('input', { type: 'checkbox', name: 'autoStart',
                               id: 'new-ev-start' });
    const submit = h('button', { type: 'submit' }, 'Create live event');

    const form = h('form', { class: 'create', 'aria-labelledby': 'new-ev',
                             onsubmit: async (e) => {
        e.preventDefault();
        const live = Boolean(encoding.value.match(/^(Standard|Premium)/));
        const input = { streamingProtocol: protocol.value };
        if (token.value.trim()) {
            input.accessToken = token.value.trim();
        }
        if (!live && kfi.value.trim()) {
            input.keyFrameIntervalDuration = kfi.value.trim();
        }
        const body = {
            location: where.value.trim(),
            properties: {
                description: desc.value,
                input: input,
                encoding: { encodingType: encoding.value },
                streamOptions: [opts.value],
            },
        };
        const n = name.value.trim();
        const ok = await busy(submit, 'Create ' + n, async () => {
            await S.api.request('PUT', 'liveEvents/' + encodeURIComponent(n)
                                + (start.checked ? '?autoStart=true' : ''),
                                body);
            return S.api.settle('liveEvents/' + encodeURIComponent(n));
        });
        if (ok) {
            go('#/events/' + encodeURIComponent(n));
        }
    } },
        field('Name', name, 'Letters, digits and inner hyphens, up to 32.'),
        field('Protocol', protocol),
        field('Access token', token, 'Optional: generated when empty.'),
        field('Key frame interval', kfi, 'ISO 8601, PT1S to PT20S.'),
        field('Encoding', encoding),
        field('Stream options', opts),
        field('Location', where),
        field('Description', desc),
        h('span', { class: 'check' }, start,
          h('label', { for: 'new-ev-start' }, 'Start it')),
        submit);

    return h('section', {}, h('h2', { id: 'new-ev' }, 'New live event'),
             form);
}


/* the state a live event action may start from */
const ACTIONS = [
    ['start', 'Start', ['Stopped', 'StandBy']],
    ['stop', 'Stop', ['Running', 'StandBy']],
    ['reset', 'Reset', ['Running']],
    ['allocate', 'Allocate', ['Stopped']],
];


async function viewEvent(name, gen) {
    const path = 'liveEvents/' + encodeURIComponent(name);
    const [ev, outputs, filters] = await Promise.all([
        S.api.get(path),
        S.api.list(path + '/liveOutputs'),
        S.api.list('accountFilters').catch(() => []),
    ]);
    const p = ev.properties;
    const state = p.resourceState;
    const removeOutputs = h('input', { type: 'checkbox',
                                       id: 'remove-outputs' });
    const confirmRow = h('div', { class: 'buttons', hidden: true });

    const buttons = ACTIONS.map(([action, label, from]) => {
        const b = h('button', { type: 'button', 'data-action': action,
                                disabled: !from.includes(state) },
                    label);
        b.addEventListener('click', () => busy(b, label + ' ' + ev.name,
                                               async () => {
            b.textContent = label + '\u2026';
            const body = action === 'stop' && removeOutputs.checked
                ? { removeOutputsOnStop: true } : {};
            await S.api.action(path + '/' + action, body);
            await S.api.settle(path);
            S.focusAfter = '.actions button:not(:disabled)';
            route();
        }));
        return b;
    });

    const del = h('button', { type: 'button', class: 'danger',
                              'data-action': 'delete',
                              disabled: state !== 'Stopped',
                              onclick: () => {
                                  confirmRow.hidden = false;
                                  confirmRow.querySelector('button').focus();
                              } }, 'Delete');
    const yes = h('button', { type: 'button', class: 'danger',
                              'data-action': 'confirm-delete' },
                  'Delete ' + ev.name);
    yes.addEventListener('click', () => busy(yes, 'Delete ' + ev.name,
                                             async () => {
        runCleanup();           /* no telemetry poll of a deleted event */
        await S.api.request('DELETE', path);
        await S.api.gone('liveEvents', ev.name);
        go('#/events');
    }));
    confirmRow.append(h('span', {}, 'Delete live event ' + ev.name + '?'),
                      yes,
                      h('button', { type: 'button', onclick: () => {
                          confirmRow.hidden = true;
                          del.focus();
                      } }, 'Cancel'));

    const outputsDiv = h('div', {});
    const health = healthSection(ev, path, gen, outputsDiv, outputs);
    const preview = previewPanel(ev, filters.map(f => f.name));

    return [
        heading('Live event ' + ev.name),
        h('p', { role: 'status' }, 'State: ', badge(state),
          ' Provisioning: ', p.provisioningState),
        h('div', { class: 'actions', role: 'group',
                   'aria-label': 'Live event actions' },
          buttons, del,
          h('span', { class: 'check' }, removeOutputs,
            h('label', { for: 'remove-outputs' },
              'Remove live outputs on stop')),
          refreshButton()),
        confirmRow,
        h('section', { 'aria-labelledby': 'ingest-h' },
          h('h2', { id: 'ingest-h' }, 'Ingest'),
          (p.input.endpoints || []).map((e, i) =>
              copyable(e.protocol + ' input ' + (i + 1), e.url)),
          (p.input.endpoints || []).length ? null
              : h('p', { class: 'empty' }, 'No input endpoints (set '
                  + 'sluice_ingest_url).'),
          p.input.streamingProtocol === 'RTMP'
              ? h('p', { class: 'hint' }, 'RTMP: append /{stream name} '
                  + 'to the URL (the encoder\'s stream key).') : null,
          (p.preview.endpoints || []).map((e, i) =>
              copyable('Preview ' + (i + 1), e.url))),
        health,
        h('section', { 'aria-labelledby': 'preview-h' },
          h('h2', { id: 'preview-h' }, 'Preview'), preview),
        h('section', { 'aria-labelledby': 'outputs-h' },
          h('h2', { id: 'outputs-h' }, 'Live outputs'), outputsDiv),
        h('section', { 'aria-labelledby': 'props-h' },
          h('h2', { id: 'props-h' }, 'Properties'),
          props([
              ['Description', p.description],
              ['Protocol', p.input.streamingProtocol],
              ['Access token', p.input.accessToken],
              ['Key frame interval', p.input.keyFrameIntervalDuration],
              ['Encoding', p.encoding && p.encoding.encodingType],
              ['Preset', p.encoding && p.encoding.presetName],
              ['Stream options', (p.streamOptions || []).join(', ')],
              ['Preview locator', p.preview.previewLocator],
              ['Location', ev.location],
              ['Created', p.created],
              ['Last modified', p.lastModified],
              ['Created by', ev.systemData && ev.systemData.createdBy],
              ['Modified by', ev.systemData
                              && ev.systemData.lastModifiedBy],
          ])),
    ];
}


function previewPanel(ev, filters) {
    const ep = (ev.properties.preview.endpoints || [])[0];

    if (!ep) {
        return h('p', { class: 'empty' },
                 'No preview endpoint (set sluice_preview_url).');
    }
    const base = ep.url.replace(/\/manifest.*$/, '/manifest');
    const panel = new PlayerPanel({
        title: 'Preview of ' + ev.name,
        sources: [
            { label: 'HLS (CMAF)', url: base + '(format=m3u8-cmaf)',
              kind: 'hls' },
            { label: 'HLS (TS)', url: base + '(format=m3u8-aapl)',
              kind: 'hls' },
            { label: 'DASH (CMAF)', url: base + '(format=mpd-time-cmaf)',
              kind: 'dash' },
            { label: 'DASH (CSF)', url: base + '(format=mpd-time-csf)',
              kind: 'dash' },
            { label: 'Smooth Streaming', url: base, kind: 'smooth' },
        ],
        filters: filters,
        note: 'The preview plays once an encoder pushes to a running '
            + 'event (account filters apply to it).',
    });
    S.cleanup.push(() => panel.stop());
    return panel.el;
}


/*
 * the ingest health of a live event: getStatus every 2 s, the stream
 * events, the heartbeats and the live outputs (into the element outputs)
 * every 6 s, while the page is shown
 */
function healthSection(ev, path, gen, outputs, initialOutputs) {
    const graph = new BitrateGraph(300000);
    const status = h('p', { class: 'health-status', role: 'status' });
    const findings = h('ul', { class: 'health-list' });
    const tracks = h('div', {});
    const beats = h('div', {});
    const events = h('div', {});
    let tick = 0, inFlight = false, stopped = false;

    clear(outputs).append(outputsTable(initialOutputs));

    async function poll() {
        if (inFlight || stopped || gen !== S.gen) {
            return;
        }
        inFlight = true;
        try {
            const st = await S.api.action(path + '/getStatus');
            showStatus(((st.json && st.json.value) || [])[0]);
            if (tick % 3 === 0) {
                const [b, se, lo] = await Promise.all([
                    S.api.action(path + '/getTrackIngestHeartbeats'),
                    S.api.action(path + '/getStreamEvents'),
                    S.api.list(path + '/liveOutputs'),
                ]);
                showBeats((b.json && b.json.value) || []);
                showEvents((se.json && se.json.value) || []);
                clear(outputs).append(outputsTable(lo));
            }
            tick++;
            graph.render();
        } catch (e) {
            status.textContent = 'Telemetry not available: '
                + (e.describe ? e.describe() : e.message);
            if (e.status === 404 || e.status === 401 || e.status === 403) {
                stopped = true;
            }
        } finally {
            inFlight = false;
        }
    }

    function showStatus(s) {
        if (!s) {
            status.textContent = 'No status.';
            return;
        }
        clear(status).append('Health: ', badge(s.healthStatus),
            ' State: ', s.state, ' Updated: ', s.lastUpdatedTime || '',
            s.ingestion && s.ingestion.streamName
                ? ' Stream: ' + s.ingestion.streamName : '');
        clear(findings).append(...(s.healthDescriptions || [])
                               .map(d => h('li', {}, d)));
        /* the server's clock, as the heartbeats' times */
        const now = Date.parse(s.lastUpdatedTime) || Date.now();
        for (const t of s.trackStatus || []) {
            graph.add(t.trackId, now, Number(t.incomingBitrate));
        }
        clear(tracks).append(table('Tracks', [
            ['Track', t => t.trackId],
            ['Expected', t => fmtBitrate(t.expectedBitrate)],
            ['Incoming', t => h('span', { class: 'incoming',
                                           'data-bps': t.incomingBitrate },
                                 fmtBitrate(t.incomingBitrate))],
            ['Drift (s/min)', t => t.ingestDrift],
        ], s.trackStatus || [], 'No tracks ingested since the last start.'));
    }

    function showBeats(list) {
        const last = new Map();
        for (const b of list) {
            const d = b.data || {};
            graph.add(d.trackName, Date.parse(b.eventTime),
                      Number(d.incomingBitrate));
            last.set(d.trackName, b);
        }
        clear(beats).append(table('Last heartbeat per track', [
            ['Track', b => b.data.trackName],
            ['Time', b => b.eventTime],
            ['Incoming', b => fmtBitrate(b.data.incomingBitrate)],
            ['Healthy', b => badge(String(b.data.healthy))],
            ['Discontinuities', b => b.data.discontinuityCount],
            ['Overlaps', b => b.data.overlapCount],
            ['Unexpected bitrate', b => String(b.data.unexpectedBitrate)],
            ['Drift', b => b.data.ingestDriftValue],
        ], [...last.values()], 'No heartbeat yet.'));
    }

    function showEvents(list) {
        clear(events).append(table('Stream events (newest first)', [
            ['Time', e => e.eventTime],
            ['Type', e => e.eventType],
            ['Level', e => e.eventLevel],
            ['Stream', e => (e.data || {}).streamName],
            ['Result', e => (e.data || {}).resultCode],
        ], list.slice(-10).reverse(), 'No stream events.'));
    }

    const timer = setInterval(poll, 2000);
    S.cleanup.push(() => {
        stopped = true;
        clearInterval(timer);
    });
    poll();
    graph.render();

    return h('section', { 'aria-labelledby': 'health-h', class: 'health' },
             h('h2', { id: 'health-h' }, 'Ingest health'),
             status, findings,
             h('figure', {}, graph.svg,
               h('figcaption', { class: 'hint' },
                 'Incoming bitrate per track (getStatus every 2 s, '
                 + 'heartbeats every sluice_heartbeat_interval).')),
             tracks, beats, events);
}


/* --- live outputs, assets ------------------------------------------------- */

function outputsTable(outputs, withEvent) {
    return table('Live outputs', [
        withEvent ? ['Live event', o => h('a', { href: '#/events/'
            + encodeURIComponent(o.event) }, o.event)] : null,
        ['Name', o => o.name],
        ['State', o => badge(o.properties.resourceState)],
        ['Asset', o => o.properties.assetName],
        ['Archive window', o => o.properties.archiveWindowLength],
        ['Rewind window', o => o.properties.rewindWindowLength],
        ['Manifest name', o => o.properties.manifestName],
        ['Created', o => o.properties.created],
    ].filter(Boolean), outputs, 'No live outputs.');
}


async function viewOutputs() {
    const events = await S.api.list('liveEvents');
    const lists = await Promise.all(events.map(e =>
        S.api.list('liveEvents/' + encodeURIComponent(e.name)
                   + '/liveOutputs')
            .then(l => l.map(o => Object.assign(o, { event: e.name })))));

    return [heading('Live outputs'),
            h('div', { class: 'actions' }, refreshButton()),
            outputsTable(lists.flat(), true)];
}


async function viewAssets() {
    const assets = await S.api.list('assets');

    return [heading('Assets'),
            h('div', { class: 'actions' }, refreshButton()),
            table('Assets', [
                ['Name', a => a.name],
                ['Asset id', a => a.properties.assetId],
                ['Container', a => a.properties.container],
                ['Alternate id', a => a.properties.alternateId],
                ['Description', a => a.properties.description],
                ['Created', a => a.properties.created],
            ], assets, 'No assets.')];
}


/* --- streaming locators --------------------------------------------------- */

async function viewLocators(args, gen) {
    if (args.length) {
        return viewLocator(args[0], gen);
    }

    const [locators, assets, policies, ckps] = await Promise.all([
        S.api.list('streamingLocators'),
        S.api.list('assets'),
        S.api.list('streamingPolicies'),
        S.api.list('contentKeyPolicies').catch(() => []),
    ]);

    return [
        heading('Streaming locators'),
        h('div', { class: 'actions' }, refreshButton()),
        table('Streaming locators', [
            ['Name', l => h('a', { href: '#/locators/'
                                   + encodeURIComponent(l.name) }, l.name)],
            ['Asset', l => l.properties.assetName],
            ['Policy', l => l.properties.streamingPolicyName],
            ['Locator id', l => l.properties.streamingLocatorId],
            ['Filters', l => (l.properties.filters || []).join(', ')],
            ['Start', l => l.properties.startTime],
            ['End', l => l.properties.endTime],
            ['Created', l => l.properties.created],
        ], locators, 'No streaming locators.'),
        createLocatorForm(assets, policies, ckps),
    ];
}


function createLocatorForm(assets, policies, ckps) {
    const name = h('input', { name: 'name', required: true,
                              pattern: '[a-zA-Z0-9_\\-][a-zA-Z0-9_.\\-]*',
                              maxlength: '200', autocomplete: 'off' });
    const asset = select('asset', assets.map(a => a.name),
                         assets.length ? assets[0].name : '');
    const policy = select('policy', policies.map(p => p.name),
                          'Predefined_ClearStreamingOnly');
    const ckp = select('contentKeyPolicy',
                       [['', '(none)']].concat(ckps.map(c => c.name)), '');
    const filters = h('input', { name: 'filters', autocomplete: 'off' });
    const submit = h('button', { type: 'submit', disabled: !assets.length },
                     'Create locator');

    const form = h('form', { class: 'create', 'aria-labelledby': 'new-loc',
                             onsubmit: async (e) => {
        e.preventDefault();
        const n = name.value.trim();
        const pr = { assetName: asset.value,
                     streamingPolicyName: policy.value };
        const f = filters.value.split(/[;,\s]+/).filter(x => x.length);
        if (f.length) {
            pr.filters = f;
        }
        if (ckp.value) {
            pr.defaultContentKeyPolicyName = ckp.value;
        }
        const ok = await busy(submit, 'Create locator ' + n, () =>
            S.api.request('PUT', 'streamingLocators/'
                          + encodeURIComponent(n), { properties: pr }));
        if (ok) {
            go('#/locators/' + encodeURIComponent(n));
        }
    } },
        field('Name', name),
        field('Asset', asset),
        field('Streaming policy', policy),
        field('Content key policy', ckp,
              'For an encrypting policy without its own.'),
        field('Filters', filters, 'Optional: names separated by ";".'),
        submit);

    return h('section', {},
             h('h2', { id: 'new-loc' }, 'New streaming locator'),
             assets.length ? null
                 : h('p', { class: 'hint' }, 'A locator needs an asset: '
                     + 'create one and a live output recording into it.'),
             form);
}


const KINDS = { Hls: 'hls', Dash: 'dash', SmoothStreaming: 'smooth' };


async function viewLocator(name, gen) {
    const path = 'streamingLocators/' + encodeURIComponent(name);
    const loc = await S.api.get(path);
    const p = loc.properties;
    const [paths, accountFilters, assetFilters, eps] = await Promise.all([
        S.api.action(path + '/listPaths').then(r => r.json),
        S.api.list('accountFilters').catch(() => []),
        S.api.list('assets/' + encodeURIComponent(p.assetName)
                   + '/assetFilters').catch(() => []),
        S.api.list('streamingEndpoints').catch(() => []),
    ]);
    const sources = [];
    const running = eps.filter(e => e.properties.resourceState
                               === 'Running');

    for (const sp of (paths && paths.streamingPaths) || []) {
        for (const u of sp.paths || []) {
            const fmt = (u.match(/format=([^,)]+)/) || [])[1];
            sources.push({
                label: sp.streamingProtocol + (fmt ? ' ' + fmt : '')
                    + (sp.encryptionScheme !== 'NoEncryption'
                       ? ' (' + sp.encryptionScheme + ')' : ''),
                url: location.origin + u,
                kind: KINDS[sp.streamingProtocol] || 'dash',
            });
        }
    }

    const names = [...new Set(assetFilters.map(f => f.name)
                              .concat(accountFilters.map(f => f.name)))];
    const confirmRow = h('div', { class: 'buttons', hidden: true });
    const del = h('button', { type: 'button', class: 'danger',
                              onclick: () => {
                                  confirmRow.hidden = false;
                                  confirmRow.querySelector('button').focus();
                              } }, 'Delete');
    const yes = h('button', { type: 'button', class: 'danger' },
                  'Delete ' + loc.name);
    yes.addEventListener('click', () => busy(yes, 'Delete ' + loc.name,
                                             async () => {
        await S.api.request('DELETE', path);
        go('#/locators');
    }));
    confirmRow.append(h('span', {}, 'Delete streaming locator '
                        + loc.name + '?'), yes,
                      h('button', { type: 'button', onclick: () => {
                          confirmRow.hidden = true;
                          del.focus();
                      } }, 'Cancel'));

    let player;
    if (sources.length) {
        const panel = new PlayerPanel({
            title: 'Playback of ' + loc.name, sources: sources,
            filters: names,
            note: 'Served by this server (' + location.origin + '); the '
                + 'locator\'s own filters always apply.' });
        S.cleanup.push(() => panel.stop());
        player = panel.el;
    } else {
        player = h('p', { class: 'empty' }, 'No streaming paths: the asset '
                      + 'has no recording yet, or the policy enables no '
                      + 'protocol.');
    }

    return [
        heading('Streaming locator ' + loc.name),
        running.length ? null
            : h('p', { class: 'warning' }, 'No streaming endpoint is '
                + 'running: the locator\'s URLs answer 404 until one is ',
                h('a', { href: '#/endpoints' }, 'started'), '.'),
        h('div', { class: 'actions' }, del, refreshButton()),
        confirmRow,
        props([
            ['Asset', p.assetName],
            ['Streaming policy', p.streamingPolicyName],
            ['Locator id', p.streamingLocatorId],
            ['Content key policy', p.defaultContentKeyPolicyName],
            ['Filters', (p.filters || []).join(', ')],
            ['Start', p.startTime],
            ['End', p.endTime],
            ['Created', p.created],
        ]),
        h('section', { 'aria-labelledby': 'paths-h' },
          h('h2', { id: 'paths-h' }, 'Streaming paths'),
          sources.map(s => copyable(s.label, s.url)),
          player),
    ];
}


/* --- policies, endpoints, filters ----------------------------------------- */

const SCHEMES = ['noEncryption', 'envelopeEncryption', 'commonEncryptionCenc',
                 'commonEncryptionCbcs'];


async function viewPolicies() {
    const policies = await S.api.list('streamingPolicies');

    return [heading('Streaming policies'),
            h('div', { class: 'actions' }, refreshButton()),
            table('Streaming policies', [
                ['Name', p => p.name],
                ['Schemes', p => SCHEMES.filter(s => p.properties[s])
                    .join(', ')],
                ['Protocols', p => {
                    const on = new Set();
                    for (const s of SCHEMES) {
                        const ep = (p.properties[s] || {}).enabledProtocols
                            || {};
                        Object.keys(ep).filter(k => ep[k])
                            .forEach(k => on.add(k));
                    }
                    return [...on].join(', ');
                }],
                ['Content key policy',
                 p => p.properties.defaultContentKeyPolicyName],
                ['Created', p => p.properties.created],
            ], policies)];
}


function endpointAction(e, action, label, from) {
    const path = 'streamingEndpoints/' + encodeURIComponent(e.name);
    const b = h('button', { type: 'button', class: 'small',
                            'aria-label': label + ' ' + e.name,
                            disabled: !from.includes(
                                e.properties.resourceState) }, label);

    b.addEventListener('click', () => busy(b, label + ' ' + e.name,
                                           async () => {
        await S.api.action(path + '/' + action);
        await S.api.settle(path);
        S.focusAfter = 'table button:not(:disabled)';
        route();
    }));
    return b;
}


async function viewEndpoints() {
    const eps = await S.api.list('streamingEndpoints');

    return [heading('Streaming endpoints'),
            h('p', { class: 'hint' }, 'Streaming locators play through a '
              + 'running endpoint; the preview of live events needs none.'),
            h('div', { class: 'actions' }, refreshButton()),
            table('Streaming endpoints', [
                ['Name', e => e.name],
                ['State', e => badge(e.properties.resourceState)],
                ['Actions', e => h('div', { class: 'buttons' },
                    endpointAction(e, 'start', 'Start', ['Stopped']),
                    endpointAction(e, 'stop', 'Stop', ['Running']))],
                ['Host name', e => e.properties.hostName],
                ['Scale units', e => e.properties.scaleUnits],
                ['Max cache age', e => e.properties.maxCacheAge],
                ['Custom host names', e => (e.properties.customHostNames
                                           || []).join(', ')],
                ['Created', e => e.properties.created],
            ], eps, 'No streaming endpoints.')];
}


function filterColumns() {
    const range = f => {
        const r = (f.properties || {}).presentationTimeRange;
        if (!r) {
            return '';
        }
        return Object.entries(r).map(([k, v]) => k + '=' + v).join(', ');
    };

    return [
        ['Name', f => f.name],
        ['Time range', range],
        ['First quality', f => ((f.properties || {}).firstQuality || {})
            .bitrate],
        ['Track selections', f => ((f.properties || {}).tracks || [])
            .map(t => (t.trackSelections || []).map(c => c.property + ' '
                + c.operation + ' ' + c.value).join(' and ')).join(' | ')],
    ];
}


async function viewFilters() {
    const [account, assets] = await Promise.all([
        S.api.list('accountFilters'),
        S.api.list('assets'),
    ]);
    const perAsset = await Promise.all(assets.map(a =>
        S.api.list('assets/' + encodeURIComponent(a.name) + '/assetFilters')
            .then(l => l.map(f => Object.assign(f, { asset: a.name })))));

    return [heading('Filters'),
            h('div', { class: 'actions' }, refreshButton()),
            table('Account filters', filterColumns(), account,
                  'No account filters.'),
            table('Asset filters', [['Asset', f => f.asset]]
                  .concat(filterColumns()), perAsset.flat(),
                  'No asset filters.')];
}


/* --- start ---------------------------------------------------------------- */

setupHeader();
makeApi();
S.focusNext = false;
window.addEventListener('hashchange', () => {
    clearErrors();
    route();
});
route();
