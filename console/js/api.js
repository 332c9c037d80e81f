/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * The REST API as the console uses it: the same routes and key as any
 * other client (docs/api.md).  Every call goes through request(), which
 * sends the key as "Authorization: Bearer", and turns an answer other
 * than 2xx into an ApiError carrying the status and the ARM error's code
 * and message ({"error": {"code", "message"}}).
 */

export const API_VERSION = '2022-11-01';

/* the states a resource passes through on its way to a stable one */
const TRANSIENT = ['Allocating', 'Starting', 'Stopping', 'Deleting',
                   'Scaling', 'Creating', 'InProgress'];


export class ApiError extends Error {
    constructor(status, code, message, method, path) {
        super(message);
        this.status = status;
        this.code = code;
        this.method = method;
        this.path = path;
    }

    /* one line for the error region: "403 AuthorizationFailed: ..." */
    describe() {
        let s = (this.status ? this.status + ' ' : '')
            + (this.code || 'Error') + ': ' + this.message;

        if (this.status === 401) {
            s += ' (check the API key)';
        } else if (this.status === 403) {
            s += ' (the key\'s role does not allow this)';
        }
        return s;
    }
}


export class Api {
    /*
     * settings: { account, subscription, group }; key: the credential
     * (a sluice_api_key or a JWT)
     */
    constructor(settings, key) {
        this.settings = settings;
        this.key = key;
    }

    base() {
        const s = this.settings;

        return '/subscriptions/' + encodeURIComponent(s.subscription)
            + '/resourceGroups/' + encodeURIComponent(s.group)
            + '/providers/Microsoft.Media/mediaServices/'
            + encodeURIComponent(s.account);
    }

    url(path) {
        return this.base() + '/' + path
            + (path.includes('?') ? '&' : '?') + 'api-version='
            + API_VERSION;
    }

    /*
     * method, path under the account (e.g. "liveEvents/ev1/start"), body
     * (an object, sent as JSON).  Resolves to { status, json, headers };
     * rejects with an ApiError.  A path starting with "http" or "/" is
     * used as it is (an @odata.nextLink).
     */
    async request(method, path, body) {
        const url = /^(https?:|\/)/.test(path) ? path : this.url(path);
        const headers = { Authorization: 'Bearer ' + this.key };
        let res, text, json = null;

        if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
        }

        try {
            res = await fetch(url, {
                method: method,
                headers: headers,
                body: body === undefined ? undefined : JSON.stringify(body),
                cache: 'no-store',
            });
            text = await res.text();
        } catch (e) {
            throw new ApiError(0, 'NetworkError',
                               'the server did not answer (' + e.message
                               + ')', method, path);
        }

        if (text.length) {
            try {
                json = JSON.parse(text);
            } catch (e) {
                json = null;
            }
        }

        if (res.status < 200 || res.status > 299) {
            const err = (json && json.error) || {};
            throw new ApiError(res.status, err.code || res.statusText,
                               err.message || text.slice(0, 300)
                               || 'no message', method, path);
        }

        return { status: res.status, json: json, headers: res.headers };
    }

    async get(path) {
        return (await this.request('GET', path)).json;
    }

    /* every item of a collection, following @odata.nextLink (max pages) */
    async list(path, maxPages) {
        let items = [], next = path, pages = 0;

        while (next && pages++ < (maxPages || 20)) {
            const j = await this.get(next);
            items = items.concat((j && j.value) || []);
            next = j && j['@odata.nextLink'];
        }
        return items;
    }

    async action(path, body) {
        return this.request('POST', path, body === undefined ? {} : body);
    }

    /*
     * waits until the collection no longer lists name (a deletion in
     * progress), polling every second, for at most timeout ms; the list,
     * not the resource, so that a deletion is not seen as a 404
     */
    async gone(collection, name, timeout) {
        const end = Date.now() + (timeout || 60000);
        const lc = name.toLowerCase();

        for ( ;; ) {
            const l = await this.list(collection);
            if (!l.some(r => r.name.toLowerCase() === lc)
                || Date.now() > end)
            {
                return;
            }
            await new Promise(ok => setTimeout(ok, 1000));
        }
    }

    /*
     * waits until the resource at path is no longer in a transient state
     * (or is gone: null), polling every second, for at most timeout ms;
     * resolves to the resource
     */
    async settle(path, timeout) {
        const end = Date.now() + (timeout || 60000);
        let r = null;

        for ( ;; ) {
            try {
                r = await this.get(path);
            } catch (e) {
                if (e.status === 404) {
                    return null;
                }
                throw e;
            }
            const p = (r && r.properties) || {};
            if (!TRANSIENT.includes(p.resourceState)
                && p.provisioningState !== 'InProgress'
                && p.provisioningState !== 'Deleting')
            {
                return r;
            }
            if (Date.now() > end) {
                return r;
            }
            await new Promise(ok => setTimeout(ok, 1000));
        }
    }
}
