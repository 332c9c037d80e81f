/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * Small DOM helpers: elements are made with h(), never from HTML
 * strings, so nothing the API returns is ever parsed as markup.
 */

let uniq = 0;


/*
 * h('button', { type: 'button', onclick: f }, 'Start'): attributes whose
 * name starts with "on" are listeners, "class" and "for" are set as
 * such, a value of false or null leaves the attribute out; children are
 * nodes or strings (arrays are flattened, null skipped)
 */
export function h(tag, attrs, ...children) {
    const el = document.createElement(tag);

    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === false || v === null || v === undefined) {
            continue;
        }
        if (k.startsWith('on')) {
            el.addEventListener(k.slice(2), v);
        } else if (k === 'value') {
            el.value = v;
        } else if (k === 'checked' || k === 'selected') {
            el[k] = Boolean(v);
        } else {
            el.setAttribute(k, v === true ? '' : String(v));
        }
    }
    append(el, children);
    return el;
}


export function append(el, children) {
    for (const c of children.flat(Infinity)) {
        if (c === null || c === undefined || c === false) {
            continue;
        }
        el.appendChild(typeof c === 'string' || typeof c === 'number'
                       ? document.createTextNode(String(c)) : c);
    }
    return el;
}


export function clear(el) {
    while (el.firstChild) {
        el.removeChild(el.firstChild);
    }
    return el;
}


/* an id for a label's "for" */
export function newId(prefix) {
    return (prefix || 'f') + '-' + (++uniq);
}


/*
 * a labelled form control: field('Name', h('input', {...})) gives the
 * <div class="field"> with a <label for> pointing at the control
 */
export function field(label, control, hint) {
    const id = control.id || newId('f');
    let hintEl = null;

    control.id = id;
    if (hint) {
        hintEl = h('small', { id: id + '-hint', class: 'hint' }, hint);
        control.setAttribute('aria-describedby', id + '-hint');
    }
    return h('div', { class: 'field' },
             h('label', { for: id }, label), control, hintEl);
}


export function select(name, options, value) {
    return h('select', { name: name },
             options.map(o => {
                 const [v, text] = Array.isArray(o) ? o : [o, o];
                 return h('option', { value: v, selected: v === value },
                          text);
             }));
}


/* a table: columns [[heading, item => cell]], rows of items */
export function table(caption, columns, items, empty) {
    if (!items.length) {
        return h('p', { class: 'empty' }, empty || 'None.');
    }
    return h('table', {},
             h('caption', {}, caption),
             h('thead', {}, h('tr', {},
                 columns.map(c => h('th', { scope: 'col' }, c[0])))),
             h('tbody', {}, items.map(it => h('tr', {},
                 columns.map(c => h('td', {}, cell(c[1](it))))))));
}


function cell(v) {
    if (v === null || v === undefined || v === '') {
        return '\u2014';
    }
    return v;
}


const BUSY = ['Good', 'Allocating', 'Starting', 'Stopping', 'Deleting',
              'Creating', 'Scaling', 'InProgress'];


/* a state shown as a badge: its text, and a class per kind of state */
export function badge(state) {
    const s = state || 'unknown';
    let kind = 'neutral';

    if (/^(Running|Succeeded|Excellent|true)$/.test(s)) {
        kind = 'ok';
    } else if (/^(Stopped|StandBy|false)$/.test(s)) {
        kind = 'idle';
    } else if (BUSY.includes(s)) {
        kind = 'busy';
    } else if (/^(Poor|Failed)$/.test(s)) {
        kind = 'bad';
    }
    return h('span', { class: 'badge ' + kind, 'data-state': s }, s);
}


/*
 * a read-only text with a Copy button; the button says "Copied" for a
 * moment (the clipboard API needs a secure context: the text is
 * selected instead when it is not there)
 */
export function copyable(label, text) {
    const input = h('input', { type: 'text', readonly: true, value: text,
                               class: 'copy-text', spellcheck: 'false' });
    const id = newId('copy');
    const status = h('span', { class: 'copy-status', role: 'status' });

    input.id = id;
    const btn = h('button', { type: 'button', class: 'small',
                              'aria-label': 'Copy ' + label,
                              onclick: async () => {
        input.select();
        try {
            await navigator.clipboard.writeText(text);
            status.textContent = 'Copied';
        } catch (e) {
            status.textContent = 'Selected: press Ctrl+C';
        }
        setTimeout(() => { status.textContent = ''; }, 2000);
    } }, 'Copy');

    return h('div', { class: 'copy' }, h('label', { for: id }, label),
             input, btn, status);
}


export function fmtBitrate(bps) {
    const n = Number(bps);

    if (!Number.isFinite(n)) {
        return String(bps);
    }
    if (n >= 1e6) {
        return (n / 1e6).toFixed(2) + ' Mbit/s';
    }
    return Math.round(n / 1e3) + ' kbit/s';
}
