
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_meta.c: what Sluice takes from a publisher's onMetaData
 * ("@setDataFrame" "onMetaData" {...}, or "onMetaData" {...}): the
 * "language" of its tracks.  nginx-rtmp's codec module reads the rest
 * (sizes, data rates).
 */


#ifndef _NGX_RTMP_SLUICE_META_H_INCLUDED_
#define _NGX_RTMP_SLUICE_META_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/* postconfiguration: the AMF handlers */
ngx_int_t ngx_rtmp_sluice_meta_init(ngx_conf_t *cf);


#endif /* _NGX_RTMP_SLUICE_META_H_INCLUDED_ */
