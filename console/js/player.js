/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The player panel of the console: a <video> played by hls.js, dash.js
 * or Shaka Player, loaded on demand from lib/ (the builds ./build.sh
 * build copies from npm into build/console/lib/), with the choice of
 * the manifest (format), filters and a token.
 *
 * sources: [{ label, url, kind }], kind 'hls', 'dash' or 'smooth'; url
 * the manifest URL without filter or token.
 */

import { h, field, newId } from './dom.js';

const LIBS = {
    hls: { files: ['lib/hls.min.js'], global: 'Hls', name: 'hls.js',
           kinds: ['hls'] },
    dash: { files: ['lib/dash.all.min.js', 'lib/dash.mss.min.js'],
            global: 'dashjs', name: 'dash.js', kinds: ['dash', 'smooth'] },
    shaka: { files: ['lib/shaka-player.compiled.js'], global: 'shaka',
             name: 'Shaka Player', kinds: ['hls', 'dash'] },
};

const loaded = new Map();


function loadScript(src) {
    if (!loaded.has(src)) {
        loaded.set(src, new Promise((ok, fail) => {
            const s = document.createElement('script');
            s.src = src;
            s.onload = ok;
            s.onerror = () => {
                loaded.delete(src);
                fail(new Error(src + ' could not be loaded (is the console '
                               + 'built? ./build.sh build copies the '
                               + 'players into lib/)'));
            };
            document.head.appendChild(s);
        }));
    }
    return loaded.get(src);
}


async function loadLib(name) {
    for (const f of LIBS[name].files) {
        await loadScript(f);
    }
    if (!window[LIBS[name].global]) {
        throw new Error(LIBS[name].name + ' did not load');
    }
}


/*
 * the manifest URL with filters (names) and a token: a filter goes into
 * the AMS tag, "manifest(format=x)" -> "manifest(format=x,filter=a;b)",
 * "manifest" -> "manifest(filter=a)"; the token as ?token=
 */
export function manifestUrl(url, filters, token) {
    let u = url;

    if (filters.length) {
        const f = 'filter=' + filters.join(';');
        if (/\)$/.test(u)) {
            u = u.replace(/\)$/, ',' + f + ')');
        } else {
            u = u + '(' + f + ')';
        }
    }
    if (token) {
        u += (u.includes('?') ? '&' : '?') + 'token='
            + encodeURIComponent(token);
    }
    return u;
}


export class PlayerPanel {
    /*
     * opts: { title, sources, filters (names), note (text under the
     * title) }
     */
    constructor(opts) {
        this.opts = opts;
        this.player = null;
        this.kind = null;
        this.lastStatus = 0;
        this.el = this.build();
    }

    build() {
        const o = this.opts;

        this.playerSel = h('select', { name: 'player',
                                       onchange: () => this.syncFormats() },
            Object.entries(LIBS).map(([k, v]) =>
                h('option', { value: k }, v.name)));
        this.sourceSel = h('select', { name: 'source' },
            o.sources.map((s, i) => h('option', { value: String(i),
                                                  'data-kind': s.kind },
                                      s.label)));
        this.token = h('input', { type: 'text', name: 'token',
                                  autocomplete: 'off', spellcheck: 'false' });
        this.urlOut = h('output', { class: 'url', 'aria-live': 'off' });
        this.status = h('p', { class: 'player-status', role: 'status',
                               'aria-live': 'polite' }, 'Stopped.');
        this.video = h('video', { controls: true, muted: true,
                                  playsinline: true, class: 'video',
                                  'aria-label': o.title + ' video' });
        this.video.muted = true;
        this.video.addEventListener('timeupdate', () => this.progress());

        this.filterBoxes = (o.filters || []).map(name => {
            const id = newId('flt');
            return h('span', { class: 'check' },
                     h('input', { type: 'checkbox', id: id, value: name,
                                  name: 'filter' }),
                     h('label', { for: id }, name));
        });

        const form = h('form', { class: 'player-form',
                                 onsubmit: (e) => {
                                     e.preventDefault();
                                     this.play();
                                 } },
            field('Player', this.playerSel),
            field('Format', this.sourceSel),
            h('fieldset', { class: 'filters' },
              h('legend', {}, 'Filters'),
              this.filterBoxes.length ? this.filterBoxes
                  : h('span', { class: 'hint' },
                      'No filters defined (account filters, asset '
                      + 'filters of the asset).')),
            field('Token', this.token,
                  'Sent as ?token= (carried into key delivery URLs).'),
            h('div', { class: 'buttons' },
              h('button', { type: 'submit' }, 'Play'),
              h('button', { type: 'button', onclick: () => this.stop() },
                'Stop')));

        this.syncFormats();

        return h('section', { class: 'player', 'aria-label': o.title },
                 h('h3', {}, o.title),
                 o.note ? h('p', { class: 'hint' }, o.note) : null,
                 form,
                 h('p', {}, 'Manifest: ', this.urlOut),
                 this.video, this.status);
    }

    /* the formats the chosen player can play; the others disabled */
    syncFormats() {
        const kinds = LIBS[this.playerSel.value].kinds;
        let first = null;

        for (const opt of this.sourceSel.options) {
            opt.disabled = !kinds.includes(opt.dataset.kind);
            if (!opt.disabled && first === null) {
                first = opt;
            }
        }
        if (this.sourceSel.selectedOptions[0]
            && this.sourceSel.selectedOptions[0].disabled && first)
        {
            this.sourceSel.value = first.value;
        }
    }

    currentUrl() {
        const src = this.opts.sources[Number(this.sourceSel.value)];
        const filters = this.filterBoxes
            .map(b => b.querySelector('input'))
            .filter(i => i.checked).map(i => i.value);

        return src ? manifestUrl(src.url, filters, this.token.value.trim())
                   : null;
    }

    say(text, bad) {
        this.status.textContent = text;
        this.status.classList.toggle('bad', Boolean(bad));
    }

    progress() {
        const v = this.video, now = Date.now();

        if (!this.player || now - this.lastStatus < 1000) {
            return;
        }
        this.lastStatus = now;
        this.say('Playing with ' + LIBS[this.kind].name + ': '
                 + v.currentTime.toFixed(1) + ' s'
                 + (v.videoWidth ? ', ' + v.videoWidth + '\u00d7'
                    + v.videoHeight : '') + '.');
    }

    async play() {
        const kind = this.playerSel.value;
        const src = this.opts.sources[Number(this.sourceSel.value)];
        const url = this.currentUrl();

        await this.stop();
        if (!src || !LIBS[kind].kinds.includes(src.kind)) {
            this.say(LIBS[kind].name + ' cannot play this format.', true);
            return;
        }
        this.urlOut.textContent = url;
        this.say('Loading ' + LIBS[kind].name + '\u2026');

        try {
            await loadLib(kind);
            this.kind = kind;
            if (kind === 'hls') {
                this.startHls(url);
            } else if (kind === 'dash') {
                this.startDash(url);
            } else {
                await this.startShaka(url, src.kind);
            }
            await this.video.play().catch(() => {});
        } catch (e) {
            this.fail(e.message || String(e));
        }
    }

    fail(msg) {
        this.say('Playback failed: ' + msg, true);
    }

    startHls(url) {
        const Hls = window.Hls;

        if (!Hls.isSupported()) {
            throw new Error('this browser has no Media Source Extensions');
        }
        const p = new Hls({ debug: false });
        p.on(Hls.Events.ERROR, (ev, d) => {
            if (d.fatal) {
                this.fail(d.type + ' ' + d.details
                          + (d.response ? ' (HTTP ' + d.response.code + ')'
                             : ''));
                this.stop(true);
            }
        });
        p.loadSource(url);
        p.attachMedia(this.video);
        this.player = { destroy: () => p.destroy() };
    }

    startDash(url) {
        const dashjs = window.dashjs;
        const p = dashjs.MediaPlayer().create();

        p.on(dashjs.MediaPlayer.events.ERROR, (e) => {
            const err = e.error || {};
            this.fail('dash.js ' + (err.code !== undefined ? err.code + ' '
                                    : '') + (err.message || ''));
        });
        p.initialize(this.video, url, true);
        this.player = { destroy: () => p.destroy() };
    }

    async startShaka(url, kind) {
        const shaka = window.shaka;

        shaka.polyfill.installAll();
        if (!shaka.Player.isBrowserSupported()) {
            throw new Error('Shaka Player does not support this browser');
        }
        const p = new shaka.Player();
        this.player = { destroy: () => p.destroy() };
        await p.attach(this.video);
        p.addEventListener('error', (ev) => {
            const d = ev.detail || {};
            if (d.severity === 2) {
                this.fail('Shaka error ' + d.code);
            }
        });
        try {
            await p.load(url, null, kind === 'hls'
                         ? 'application/x-mpegurl'
                         : 'application/dash+xml');
        } catch (e) {
            throw new Error('Shaka error ' + e.code);
        }
    }

    /* keep: leave the status (an error) as it is */
    async stop(keep) {
        const p = this.player;

        this.player = null;
        if (p) {
            try {
                await p.destroy();
            } catch (e) {
                /* a player failing to tear down is gone anyway */
            }
        }
        this.video.pause();
        this.video.removeAttribute('src');
        this.video.load();
        if (!keep && p) {
            this.say('Stopped.');
        }
    }
}
