
/*
 * Copyright (C) 2026, The Sluice authors.
 *
 * ngx_rtmp_sluice_module.c: the RTMP module (hooks, directives, publish
 * checks) and the zone its connections write to.
 */


#ifndef _NGX_RTMP_SLUICE_MODULE_H_INCLUDED_
#define _NGX_RTMP_SLUICE_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


extern ngx_module_t  ngx_rtmp_sluice_module;

/*
 * The zone of the running configuration, found in each worker at start
 * (ngx_sluice_zone_lookup()).
 */
extern ngx_shm_zone_t  *ngx_rtmp_sluice_zone;


#endif /* _NGX_RTMP_SLUICE_MODULE_H_INCLUDED_ */
