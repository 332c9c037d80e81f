#!/usr/bin/perl

# Streaming endpoints govern locator playback: a request goes to the
# endpoint whose customHostNames has its Host, else to "default"; a
# stopped endpoint serves nothing (404), accessControl.ip is enforced
# (403), maxCacheAge sets the max-age of segments and VOD manifests,
# crossSiteAccessPolicies are served as /clientaccesspolicy.xml and
# /crossdomain.xml (404 when not set).  The preview is not governed by
# them.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Playback::config($t);
$t->run();

my $token = '11112222333344441111222233334444';
my $host = 'media.example.com';

my $ev = $t->create_live_event('ev1', token => $token);
ok($ev, 'ev1 running') or BAIL_OUT('no live event');

my $paths = Sluice::Playback::record($t, 'ev1', 'o1', 'a1', 'loc1',
    manifestName => 'show');
my $smooth = $paths->{SmoothStreaming}[0] // '/none';
my ($base) = $smooth =~ m{^(.*)/manifest$};
my $preview = '/' . $ev->{properties}{preview}{previewLocator}
    . '/preview.ism/manifest';

my $fixture = Sluice::Ingest::fixture('av', duration => 8, gop => 2);
my $pub = $t->publish(input => $fixture, loop => 1,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/stream");

ok($t->wait_for(sub { $t->get($preview)->{status} == 200 }, 30),
    'preview plays');

# --- the default endpoint, stopped then started ------------------------------

my $r = $t->get($smooth);
is($r->{status}, 404, 'default endpoint stopped: 404');
like($r->{body}, qr/streaming endpoint not running/, 'reason');
is($t->get('/crossdomain.xml')->{status}, 404,
    'crossdomain.xml: endpoint stopped, 404');
is($t->get($preview)->{status}, 200, 'the preview is not governed');

ok(Sluice::Playback::start_endpoint($t, 'default'), 'start default');
ok(Sluice::Playback::wait_media($t, $smooth, 40), 'default running: 200');

is($t->get('/crossdomain.xml')->{status}, 404,
    'crossdomain.xml: no policy set, 404');
is($t->get('/clientaccesspolicy.xml')->{status}, 404,
    'clientaccesspolicy.xml: no policy set, 404');

# --- se2: custom host name, IP allow-list, maxCacheAge, policies -------------

$r = $t->api(PUT => 'streamingEndpoints/se2', { location => 'here',
    properties => {
        scaleUnits => 0,
        customHostNames => [ $host ],
        maxCacheAge => 120,
        accessControl => { ip => { allow => [
            { name => 'ten', address => '10.0.0.0',
              subnetPrefixLength => 8 } ] } },
        crossSiteAccessPolicies => {
            clientAccessPolicy => '<access-policy>se2</access-policy>',
            crossDomainPolicy => '<cross-domain-policy>se2</cross-domain-policy>',
        },
    } });
is($r->{status}, 201, 'se2 created (stopped)');

$r = Sluice::Playback::get_host($t, $smooth, $host);
is($r->{status}, 404, 'Host of se2, se2 stopped: 404');
is($t->get($smooth)->{status}, 200, 'other hosts: default, 200');

ok(Sluice::Playback::start_endpoint($t, 'se2'), 'start se2');

$r = Sluice::Playback::get_host($t, $smooth, $host);
is($r->{status}, 403, 'se2 running, client address not allowed: 403');
is(Sluice::Playback::get_host($t, '/crossdomain.xml', $host)->{status}, 403,
    'crossdomain.xml: address not allowed, 403');

$r = $t->api(PATCH => 'streamingEndpoints/se2', { properties => {
    accessControl => { ip => { allow => [
        { name => 'lo', address => '127.0.0.1' } ] } } } });
is($r->{status}, 200, 'se2 allows 127.0.0.1');

$r = Sluice::Playback::get_host($t, $smooth, $host);
is($r->{status}, 200, 'se2: 200');
like($r->{headers}{'cache-control'} // '', qr/max-age=1\b/,
    'se2: a live manifest keeps its short max-age');

$r = Sluice::Playback::get_host($t, '/crossdomain.xml', $host);
is($r->{status}, 200, 'crossdomain.xml: 200');
is($r->{body}, '<cross-domain-policy>se2</cross-domain-policy>',
    'crossdomain.xml: the crossDomainPolicy');
like($r->{headers}{'content-type'} // '', qr{^text/xml}, 'text/xml');
$r = Sluice::Playback::get_host($t, '/clientaccesspolicy.xml', $host);
is($r->{body}, '<access-policy>se2</access-policy>',
    'clientaccesspolicy.xml: the clientAccessPolicy');

# segments: max-age from maxCacheAge (se2), immutable otherwise (default)

my $hls = (grep { /m3u8-cmaf/ } @{ $paths->{Hls} // [] })[0] // '/none';
$r = $t->get($hls);
my ($vpl) = $r->{body} =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
my ($vdir) = ($vpl // '') =~ m{^(QualityLevels\(\d+\))/};
$r = $t->get("$base/" . ($vpl // 'none'));
my ($seg) = Sluice::Playback::segments($r->{body});
my $segpath = "$base/$vdir/" . ($seg->[0] // 'none');

$r = Sluice::Playback::get_host($t, $segpath, $host);
is($r->{status}, 200, 'segment through se2: 200');
like($r->{headers}{'cache-control'} // '', qr/^public, max-age=120$/,
    'segment through se2: max-age=120 (maxCacheAge)');
$r = $t->get($segpath);
like($r->{headers}{'cache-control'} // '',
    qr/max-age=31536000, immutable/,
    'segment through default (no maxCacheAge): immutable');

# VOD manifests: maxCacheAge

$t->api(DELETE => 'liveEvents/ev1/liveOutputs/o1');
$t->wait_for(sub {
    $t->api(GET => 'liveEvents/ev1/liveOutputs/o1')->{status} == 404 }, 20);

$r = Sluice::Playback::get_host($t, $smooth, $host);
like($r->{body}, qr/IsLive="FALSE"/, 'VOD after the output is deleted');
like($r->{headers}{'cache-control'} // '', qr/max-age=120\b/,
    'VOD manifest through se2: max-age=120');
like($t->get($smooth)->{headers}{'cache-control'} // '', qr/max-age=86400\b/,
    'VOD manifest through default: a day');

# --- stopping se2 stops its host; default goes on ----------------------------

ok(Sluice::Playback::stop_endpoint($t, 'se2'), 'stop se2');
is(Sluice::Playback::get_host($t, $smooth, $host)->{status}, 404, 'se2 stopped: 404');
is($t->get($smooth)->{status}, 200, 'default still serves');

ok(Sluice::Playback::stop_endpoint($t, 'default'), 'stop default');
is($t->get($smooth)->{status}, 404, 'default stopped: 404');

# no default endpoint at all

is($t->api(DELETE => 'streamingEndpoints/default')->{status}, 202,
    'delete default');
$t->wait_for(sub {
    $t->api(GET => 'streamingEndpoints/default')->{status} == 404 }, 20);
$r = $t->get($smooth);
is($r->{status}, 404, 'no default endpoint: 404');
like($r->{body}, qr/no streaming endpoint/, 'reason');

$t->stop_publisher($pub);

$t->done_testing();
