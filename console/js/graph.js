/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The ingest bitrate graph: one line per track over the last minutes,
 * from the incoming bitrates of getTrackIngestHeartbeats (the history a
 * page opened late gets) and of getStatus (sampled while the page is
 * open).  Plain SVG; its aria-label gives the latest values in words.
 */

const SVG = 'http://www.w3.org/2000/svg';
const W = 640, H = 200, PAD_L = 64, PAD_R = 12, PAD_T = 12, PAD_B = 28;
const COLOURS = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df',
                 '#bf3989', '#0a7480', '#57606a'];


function el(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);

    for (const [k, v] of Object.entries(attrs)) {
        e.setAttribute(k, String(v));
    }
    if (text !== undefined) {
        e.textContent = text;
    }
    return e;
}


export class BitrateGraph {
    /* span: the time shown, in ms (default 5 minutes) */
    constructor(span) {
        this.span = span || 300000;
        this.series = new Map();       /* track => [[t ms, bits/s]] */
        this.svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H,
                               class: 'graph', role: 'img',
                               'aria-label': 'Ingest bitrate: no data yet' });
        this.svg.dataset.points = '0';
    }

    /* a sample of a track's incoming bitrate at time t (ms) */
    add(track, t, bps) {
        let s = this.series.get(track);

        if (!Number.isFinite(t) || !Number.isFinite(bps)) {
            return;
        }
        if (!s) {
            s = [];
            this.series.set(track, s);
        }
        /* heartbeats and status samples come in time order per source */
        if (s.length && s[s.length - 1][0] >= t) {
            if (s.some(p => p[0] === t)) {
                return;
            }
            s.push([t, bps]);
            s.sort((a, b) => a[0] - b[0]);
        } else {
            s.push([t, bps]);
        }
        while (s.length > 2 && s[0][0] < t - 2 * this.span) {
            s.shift();
        }
    }

    /*
     * the window shown: up to the newest sample (the server's clock:
     * heartbeat times, getStatus lastUpdatedTime), from the oldest, at
     * least a minute, at most span
     */
    window() {
        let first = Infinity, last = -Infinity;

        for (const s of this.series.values()) {
            if (s.length) {
                first = Math.min(first, s[0][0]);
                last = Math.max(last, s[s.length - 1][0]);
            }
        }
        if (last === -Infinity) {
            last = Date.now();
            first = last;
        }
        return [Math.max(last - this.span, Math.min(first, last - 60000)),
                last];
    }

    render() {
        const svg = this.svg, [t0, now] = this.window(), span = now - t0;
        let max = 0, points = 0, i = 0;
        const words = [];

        while (svg.firstChild) {
            svg.removeChild(svg.firstChild);
        }

        for (const s of this.series.values()) {
            for (const p of s) {
                if (p[0] >= t0 && p[1] > max) {
                    max = p[1];
                }
            }
        }
        max = niceMax(max);

        this.axes(max, span);

        for (const [track, s] of this.series) {
            const colour = COLOURS[i % COLOURS.length];
            const shown = s.filter(p => p[0] >= t0);
            const xy = shown.map(p => x(p[0], t0, span).toFixed(1)
                                      + ',' + y(p[1], max).toFixed(1));

            if (shown.length === 1) {
                svg.appendChild(el('circle', { cx: xy[0].split(',')[0],
                    cy: xy[0].split(',')[1], r: 3, fill: colour }));
            } else if (shown.length > 1) {
                svg.appendChild(el('polyline', { points: xy.join(' '),
                    fill: 'none', stroke: colour, 'stroke-width': 2,
                    'data-track': track }));
            }
            points += shown.length;
            svg.appendChild(el('text', { x: PAD_L + 8,
                y: PAD_T + 14 + 14 * i, fill: colour, class: 'legend' },
                track));
            if (shown.length) {
                words.push(track + ' '
                           + Math.round(shown[shown.length - 1][1] / 1000)
                           + ' kbit/s');
            }
            i++;
        }

        svg.dataset.points = String(points);
        svg.setAttribute('aria-label', 'Ingest bitrate over the last '
            + Math.round(span / 1000) + ' seconds: '
            + (words.length ? words.join(', ') : 'no data yet'));
    }

    axes(max, span) {
        const svg = this.svg;
        let k;

        svg.appendChild(el('line', { x1: PAD_L, y1: H - PAD_B, x2: W - PAD_R,
                                     y2: H - PAD_B, class: 'axis' }));
        svg.appendChild(el('line', { x1: PAD_L, y1: PAD_T, x2: PAD_L,
                                     y2: H - PAD_B, class: 'axis' }));
        for (k = 0; k <= 4; k++) {
            const v = max * k / 4, yy = y(v, max);
            svg.appendChild(el('line', { x1: PAD_L, y1: yy, x2: W - PAD_R,
                                         y2: yy, class: 'grid' }));
            svg.appendChild(el('text', { x: PAD_L - 6, y: yy + 4,
                                         'text-anchor': 'end',
                                         class: 'tick' },
                               Math.round(v / 1000) + 'k'));
        }
        for (k = 0; k <= 5; k++) {
            const xx = PAD_L + (W - PAD_L - PAD_R) * k / 5;
            const ago = Math.round(span / 1000 * (5 - k) / 5);
            svg.appendChild(el('text', { x: xx, y: H - 8,
                                         'text-anchor': 'middle',
                                         class: 'tick' },
                               ago ? '-' + ago + 's' : 'now'));
        }
    }
}


function x(t, t0, span) {
    return PAD_L + (W - PAD_L - PAD_R) * (t - t0) / span;
}


function y(v, max) {
    return H - PAD_B - (H - PAD_B - PAD_T) * v / max;
}


/* the top of the scale: 1, 2 or 5 times a power of ten, at least 100k */
function niceMax(v) {
    let p = 1e5;

    if (v <= p) {
        return p;
    }
    while (p * 10 < v) {
        p *= 10;
    }
    for (const m of [1, 2, 5, 10]) {
        if (p * m >= v) {
            return p * m;
        }
    }
    return v;
}
