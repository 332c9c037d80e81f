#!/usr/bin/perl

# Sluice built against Debian's own nginx (./build.sh debian): the packaged
# /usr/sbin/nginx loads the packaged nginx-rtmp module, then Sluice, passes
# nginx -t, and serves the REST API.
#
# Installs nginx, nginx-dev and libnginx-mod-rtmp with apt-get when missing
# (skipped when that is impossible, e.g. not root and not installed).

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $root = $Test::Sluice::ROOT;
my $so = "$root/build/debian/ngx_http_sluice_module.so";
my $rtmp = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

my $t = Test::Sluice->new(
    nginx => '/usr/sbin/nginx',
    rtmp_module => $rtmp,
    sluice_module => $so,
);

my $installed = -x '/usr/sbin/nginx' && -f $rtmp
    && -f '/usr/share/nginx/src/conf_flags';

$t->skip_all('not root and Debian nginx packages missing')
    unless $installed || $> == 0;

# the build (and package installation) happens once per test run
my $out = `cd $root && ./build.sh debian 2>&1`;
my $rc = $? >> 8;

if ($rc != 0 && $out =~ /cannot install/) {
    $t->skip_all('cannot install nginx nginx-dev libnginx-mod-rtmp');
}

$t->plan(7);

is($rc, 0, './build.sh debian') or diag($out);
ok(-f $so, 'module built in build/debian');

# the usual skeleton; Test::Sluice->new above points %%TEST_GLOBALS%% at
# Debian's binary and modules.  One worker, no thread pool, an absolute
# data path, as a packaged installation would have
$t->write_sluice_conf(workers => 1, threads => 0, app_pool => 0,
    sluice => <<'EOF');
sluice_zone sluice 8m;
sluice_data_path %%TESTDIR%%/data;
sluice_account local;
sluice_api_key %%API_KEY%%;
EOF

my ($trc, $tout) = $t->nginx_t();
is($trc, 0, '/usr/sbin/nginx -t with nginx-rtmp then Sluice') or diag($tout);

$t->run();

my $r = $t->api(PUT => 'liveEvents/deb1', {
    location => 'local',
    properties => { input => { streamingProtocol => 'RTMP' } },
});
ok($r->{status} == 200 || $r->{status} == 201, 'create a live event')
    or diag("$r->{status} $r->{body}");
is($r->{json}{name}, 'deb1', 'live event name');

$r = $t->api(GET => 'liveEvents/deb1');
is($r->{status}, 200, 'get the live event');

is($t->api(GET => 'liveEvents/deb1', undef, key => 'wrong')->{status}, 401,
    'wrong key refused');
