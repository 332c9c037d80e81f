
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_ssl_module: RTMPS in the RTMP listener itself
 * (sluice_ssl_certificate in an rtmp server{}).  nginx-rtmp has no TLS,
 * but it reads and writes only through c->recv and c->send, which
 * nginx's OpenSSL layer replaces once a handshake is done: the listening
 * sockets of servers with a certificate get a handler that makes the TLS
 * handshake first and then hands the connection to nginx-rtmp as if it
 * had just been accepted.  The client's address is the connection's own,
 * and each TLS record is read once, in the worker that takes the RTMP
 * (the stream-module proxy of docs/directives.md, "RTMPS ingest", costs
 * a second socket per connection).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_rtmp.h>

#include "ingest/rtmp/ngx_rtmp_sluice_ssl.h"


#define NGX_RTMP_SLUICE_SSL_HANDSHAKE_TIMEOUT  30000


typedef struct {
    ngx_str_t                   certificate;
    ngx_str_t                   certificate_key;
    ngx_msec_t                  handshake_timeout;
#if (NGX_SSL)
    ngx_ssl_t                   ssl;
#endif
} ngx_rtmp_sluice_ssl_srv_conf_t;


static ngx_int_t ngx_rtmp_sluice_ssl_init_module(ngx_cycle_t *cycle);
static void *ngx_rtmp_sluice_ssl_create_srv_conf(ngx_conf_t *cf);
static char *ngx_rtmp_sluice_ssl_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);

#if (NGX_SSL)
static ngx_uint_t ngx_rtmp_sluice_ssl_port(ngx_listening_t *ls);
static ngx_rtmp_sluice_ssl_srv_conf_t *ngx_rtmp_sluice_ssl_conf(
    ngx_rtmp_addr_conf_t *addr_conf);
static ngx_rtmp_addr_conf_t *ngx_rtmp_sluice_ssl_addr_conf(
    ngx_connection_t *c);
static void ngx_rtmp_sluice_ssl_init_connection(ngx_connection_t *c);
static void ngx_rtmp_sluice_ssl_handshaked(ngx_connection_t *c);
static void ngx_rtmp_sluice_ssl_free(void *data);
static void ngx_rtmp_sluice_ssl_close(ngx_connection_t *c);
#endif


static ngx_command_t  ngx_rtmp_sluice_ssl_commands[] = {

    { ngx_string("sluice_ssl_certificate"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_RTMP_SRV_CONF_OFFSET,
      offsetof(ngx_rtmp_sluice_ssl_srv_conf_t, certificate),
      NULL },

    { ngx_string("sluice_ssl_certificate_key"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_RTMP_SRV_CONF_OFFSET,
      offsetof(ngx_rtmp_sluice_ssl_srv_conf_t, certificate_key),
      NULL },

    { ngx_string("sluice_ssl_handshake_timeout"),
      NGX_RTMP_MAIN_CONF|NGX_RTMP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_RTMP_SRV_CONF_OFFSET,
      offsetof(ngx_rtmp_sluice_ssl_srv_conf_t, handshake_timeout),
      NULL },

      ngx_null_command
};


static ngx_rtmp_module_t  ngx_rtmp_sluice_ssl_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */
    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */
    ngx_rtmp_sluice_ssl_create_srv_conf,   /* create server configuration */
    ngx_rtmp_sluice_ssl_merge_srv_conf,    /* merge server configuration */
    NULL,                                  /* create app configuration */
    NULL                                   /* merge app configuration */
};


ngx_module_t  ngx_rtmp_sluice_ssl_module = {
    NGX_MODULE_V1,
    &ngx_rtmp_sluice_ssl_module_ctx,       /* module context */
    ngx_rtmp_sluice_ssl_commands,          /* module directives */
    NGX_RTMP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_rtmp_sluice_ssl_init_module,       /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/*
 * The rtmp{} block has made its listening sockets: those of a port with
 * a TLS server get the handshake first
 */

static ngx_int_t
ngx_rtmp_sluice_ssl_init_module(ngx_cycle_t *cycle)
{
#if (NGX_SSL)

    ngx_uint_t        i;
    ngx_listening_t  *ls;

    ls = cycle->listening.elts;

    for (i = 0; i < cycle->listening.nelts; i++) {
        if (ls[i].handler == ngx_rtmp_init_connection
            && ngx_rtmp_sluice_ssl_port(&ls[i]))
        {
            ls[i].handler = ngx_rtmp_sluice_ssl_init_connection;
        }
    }

#endif

    return NGX_OK;
}


static void *
ngx_rtmp_sluice_ssl_create_srv_conf(ngx_conf_t *cf)
{
    ngx_rtmp_sluice_ssl_srv_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_rtmp_sluice_ssl_srv_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->certificate = { 0, NULL };
     *     conf->certificate_key = { 0, NULL };
     *     conf->ssl = { NULL, ... };
     */

    conf->handshake_timeout = NGX_CONF_UNSET_MSEC;

    return conf;
}


static char *
ngx_rtmp_sluice_ssl_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_rtmp_sluice_ssl_srv_conf_t *prev = parent;
    ngx_rtmp_sluice_ssl_srv_conf_t *conf = child;

#if (NGX_SSL)
    ngx_str_t            ciphers;
    ngx_array_t         *certs, *keys;
    ngx_pool_cleanup_t  *cln;
#endif

    ngx_conf_merge_str_value(conf->certificate, prev->certificate, "");
    ngx_conf_merge_str_value(conf->certificate_key, prev->certificate_key,
                             "");
    ngx_conf_merge_msec_value(conf->handshake_timeout,
                              prev->handshake_timeout,
                              NGX_RTMP_SLUICE_SSL_HANDSHAKE_TIMEOUT);

    if (conf->certificate.len == 0) {
        return NGX_CONF_OK;
    }

    if (conf->certificate_key.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no \"sluice_ssl_certificate_key\" for "
                           "\"sluice_ssl_certificate\" \"%V\"",
                           &conf->certificate);
        return NGX_CONF_ERROR;
    }

#if (NGX_SSL)

    conf->ssl.log = cf->log;

    if (ngx_ssl_create(&conf->ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, NULL)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(&conf->ssl);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = &conf->ssl;

    certs = ngx_array_create(cf->pool, 1, sizeof(ngx_str_t));
    keys = ngx_array_create(cf->pool, 1, sizeof(ngx_str_t));

    if (certs == NULL || keys == NULL
        || ngx_array_push(certs) == NULL || ngx_array_push(keys) == NULL)
    {
        return NGX_CONF_ERROR;
    }

    ((ngx_str_t *) certs->elts)[0] = conf->certificate;
    ((ngx_str_t *) keys->elts)[0] = conf->certificate_key;

    if (ngx_ssl_certificates(cf, &conf->ssl, certs, keys, NULL) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    ngx_str_set(&ciphers, "HIGH:!aNULL:!MD5");

    if (ngx_ssl_ciphers(cf, &conf->ssl, &ciphers, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

#else

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"sluice_ssl_certificate\" needs nginx built with "
                       "OpenSSL");
    return NGX_CONF_ERROR;

#endif
}


ngx_uint_t
ngx_rtmp_sluice_ssl_server(void **srv_conf)
{
    ngx_rtmp_sluice_ssl_srv_conf_t  *sscf;

    sscf = srv_conf[ngx_rtmp_sluice_ssl_module.ctx_index];

    return sscf->certificate.len != 0;
}


#if (NGX_SSL)

/* whether a server of the listening socket's port has a certificate */

static ngx_uint_t
ngx_rtmp_sluice_ssl_port(ngx_listening_t *ls)
{
    ngx_uint_t            i;
    ngx_rtmp_port_t      *port;
    ngx_rtmp_in_addr_t   *addr;
#if (NGX_HAVE_INET6)
    ngx_rtmp_in6_addr_t  *addr6;
#endif

    port = ls->servers;

    if (port == NULL) {
        return 0;
    }

    for (i = 0; i < port->naddrs; i++) {

#if (NGX_HAVE_INET6)
        if (ls->sockaddr->sa_family == AF_INET6) {
            addr6 = port->addrs;

            if (ngx_rtmp_sluice_ssl_conf(&addr6[i].conf)->ssl.ctx) {
                return 1;
            }

            continue;
        }
#endif

        addr = port->addrs;

        if (ngx_rtmp_sluice_ssl_conf(&addr[i].conf)->ssl.ctx) {
            return 1;
        }
    }

    return 0;
}


static ngx_rtmp_sluice_ssl_srv_conf_t *
ngx_rtmp_sluice_ssl_conf(ngx_rtmp_addr_conf_t *addr_conf)
{
    return addr_conf->ctx->srv_conf[ngx_rtmp_sluice_ssl_module.ctx_index];
}


/*
 * The server of a connection, as nginx-rtmp finds it: by the local
 * address when the port has several (the last one is the wildcard)
 */

static ngx_rtmp_addr_conf_t *
ngx_rtmp_sluice_ssl_addr_conf(ngx_connection_t *c)
{
    ngx_uint_t             i;
    ngx_rtmp_port_t       *port;
    struct sockaddr_in    *sin;
    ngx_rtmp_in_addr_t    *addr;
#if (NGX_HAVE_INET6)
    struct sockaddr_in6   *sin6;
    ngx_rtmp_in6_addr_t   *addr6;
#endif

    port = c->listening->servers;

    if (port->naddrs > 1
        && ngx_connection_local_sockaddr(c, NULL, 0) != NGX_OK)
    {
        return NULL;
    }

#if (NGX_HAVE_INET6)
    if (c->listening->sockaddr->sa_family == AF_INET6) {
        addr6 = port->addrs;
        i = 0;

        if (port->naddrs > 1) {
            sin6 = (struct sockaddr_in6 *) c->local_sockaddr;

            for ( /* void */ ; i < port->naddrs - 1; i++) {
                if (ngx_memcmp(&addr6[i].addr6, &sin6->sin6_addr, 16) == 0) {
                    break;
                }
            }
        }

        return &addr6[i].conf;
    }
#endif

    addr = port->addrs;
    i = 0;

    if (port->naddrs > 1 && c->local_sockaddr->sa_family == AF_INET) {
        sin = (struct sockaddr_in *) c->local_sockaddr;

        for ( /* void */ ; i < port->naddrs - 1; i++) {
            if (addr[i].addr == sin->sin_addr.s_addr) {
                break;
            }
        }
    }

    return &addr[i].conf;
}


static void
ngx_rtmp_sluice_ssl_init_connection(ngx_connection_t *c)
{
    ngx_int_t                        rc;
    ngx_pool_cleanup_t              *cln;
    ngx_rtmp_addr_conf_t            *addr_conf;
    ngx_rtmp_sluice_ssl_srv_conf_t  *sscf;

    addr_conf = ngx_rtmp_sluice_ssl_addr_conf(c);
    if (addr_conf == NULL) {
        ngx_rtmp_sluice_ssl_close(c);
        return;
    }

    sscf = ngx_rtmp_sluice_ssl_conf(addr_conf);

    if (sscf->ssl.ctx == NULL) {
        ngx_rtmp_init_connection(c);        /* a plain server of the port */
        return;
    }

    c->log->action = "SSL handshaking";

    /* what a client gets wrong is logged at info, as nginx's http does */
    c->log_error = NGX_ERROR_INFO;

    if (ngx_ssl_create_connection(&sscf->ssl, c, 0) != NGX_OK) {
        ngx_rtmp_sluice_ssl_close(c);
        return;
    }

    /* nginx-rtmp closes without ngx_ssl_shutdown(): the pool frees it */

    cln = ngx_pool_cleanup_add(c->pool, 0);
    if (cln == NULL) {
        ngx_rtmp_sluice_ssl_close(c);
        return;
    }

    cln->handler = ngx_rtmp_sluice_ssl_free;
    cln->data = c->ssl;

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        if (!c->read->timer_set) {
            ngx_add_timer(c->read, sscf->handshake_timeout);
        }

        c->ssl->handler = ngx_rtmp_sluice_ssl_handshaked;
        return;
    }

    ngx_rtmp_sluice_ssl_handshaked(c);
}


static void
ngx_rtmp_sluice_ssl_handshaked(ngx_connection_t *c)
{
    if (!c->ssl->handshaked) {
        ngx_log_error(NGX_LOG_INFO, c->log, c->read->timedout ? NGX_ETIMEDOUT
                                                              : 0,
                      "sluice: RTMPS handshake %s, client %V",
                      c->read->timedout ? "timed out" : "failed",
                      &c->addr_text);
        ngx_rtmp_sluice_ssl_close(c);
        return;
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    c->log->action = NULL;

    ngx_rtmp_init_connection(c);
}


static void
ngx_rtmp_sluice_ssl_free(void *data)
{
    ngx_ssl_connection_t  *sc = data;

    if (sc->connection) {
        SSL_free(sc->connection);
        sc->connection = NULL;
    }
}


static void
ngx_rtmp_sluice_ssl_close(ngx_connection_t *c)
{
    ngx_pool_t  *pool;

    pool = c->pool;

    ngx_close_connection(c);
    ngx_destroy_pool(pool);
}

#endif
