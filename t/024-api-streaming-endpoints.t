#!/usr/bin/perl

# REST API: streaming endpoints (AMS v3 Streaming 2022-11-01) as
# long-running operations: the default endpoint (Stopped, made at the
# first start only), PUT (?autoStart), PATCH, GET, list, DELETE, start,
# stop, scale, the operation resources, validation (accessControl.ip,
# maxCacheAge, customHostNames, crossSiteAccessPolicies, cdnEnabled),
# hostName from sluice_preview_url, timed transitions, persistence.

use strict;
use warnings;

use Test::More;
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::ApiRes;

my $t = Test::Sluice->new();
my $oa = Sluice::ApiRes::openapi();

Sluice::ApiRes::config($t);
$t->run();

my $uuid = qr/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;
my $host = '127.0.0.1:' . $t->port(8443);

sub code { Sluice::ApiRes::code(@_) }

sub state {
    return $t->api(GET => "streamingEndpoints/$_[0]")
        ->{json}{properties}{resourceState} // '';
}

# --- the default endpoint ------------------------------------------------------

my $r = $t->api(GET => 'streamingEndpoints');
is($r->{status}, 200, 'list: 200');
$oa->ok('StreamingEndpointListResult', $r, 'list: shape');
is_deeply([ map { $_->{name} } @{$r->{json}{value}} ], [ 'default' ],
    'a default endpoint exists');

$r = $t->api(GET => 'streamingEndpoints/default');
is($r->{status}, 200, 'GET default');
$oa->ok('StreamingEndpoint', $r, 'GET default: shape');
my $d = $r->{json};
is($d->{type}, 'Microsoft.Media/mediaservices/streamingEndpoints', 'type');
like($d->{id}, qr{/mediaservices/local/streamingendpoints/default$}, 'id');
is($d->{properties}{resourceState}, 'Stopped', 'default is Stopped');
is($d->{properties}{hostName}, $host, 'hostName from sluice_preview_url');
is($d->{properties}{cdnEnabled}, JSON::PP::false, 'cdnEnabled false');
is($d->{properties}{scaleUnits}, 0, 'scaleUnits 0');
is($d->{sku}{name}, 'Standard', 'sku Standard');

# --- start, stop ------------------------------------------------------------

$r = $t->api(POST => 'streamingEndpoints/default/start');
is($r->{status}, 202, 'start: 202');
like($r->{headers}{'azure-asyncoperation'} // '',
    qr{/mediaservices/local/streamingEndpointOperations/$uuid\?api-version=},
    'Azure-AsyncOperation');
like($r->{headers}{location} // '',
    qr{/streamingEndpoints/default/operationLocations/$uuid\?api-version=},
    'Location');

my $op = $t->api(GET => Sluice::ApiRes::rel($r->{headers}{'azure-asyncoperation'}));
$oa->ok('AsyncOperationResult', $op, 'operation: shape');
is($op->{json}{status}, 'Succeeded', 'operation Succeeded');
$op = $t->api(GET => Sluice::ApiRes::rel($r->{headers}{location}));
is($op->{status}, 200, 'operationLocations: 200');
$oa->ok('StreamingEndpoint', $op, 'operationLocations: shape');
is($op->{json}{properties}{resourceState}, 'Running', 'Running');

is($t->api(POST => 'streamingEndpoints/default/start')->{status}, 200,
    'start when Running: 200');
is($t->api(POST => 'streamingEndpoints/default/stop')->{status}, 202,
    'stop: 202');
is(state('default'), 'Stopped', 'Stopped');
is($t->api(POST => 'streamingEndpoints/default/stop')->{status}, 200,
    'stop when Stopped: 200');
is($t->api(POST => 'streamingEndpoints/none/start')->{status}, 404,
    'start a missing endpoint: 404');
is($t->api(POST => 'streamingEndpoints/default/restart')->{status}, 404,
    'unknown action: 404');

# --- create ----------------------------------------------------------------

my $body = {
    location => 'West US',
    tags => { tag1 => 'value1' },
    properties => {
        description => 'test endpoint',
        scaleUnits => 1,
        availabilitySetName => 'set',
        accessControl => {
            akamai => { akamaiSignatureHeaderAuthenticationKeyList => [
                { identifier => 'id1', expiration => '2030-01-01T00:00:00Z',
                  base64Key => 'dGVzdGlkMQ==' } ] },
            ip => { allow => [ { name => 'lo', address => '127.0.0.1' },
                               { address => '10.0.0.0',
                                 subnetPrefixLength => 8 } ] },
        },
        maxCacheAge => 300,
        customHostNames => [ 'cdn.example.com' ],
        crossSiteAccessPolicies => {
            clientAccessPolicy => '<access-policy/>',
            crossDomainPolicy => '<cross-domain-policy/>',
        },
        cdnEnabled => JSON::PP::false,
    },
};

$r = $t->api(PUT => 'streamingEndpoints/se1', $body);
is($r->{status}, 201, 'create: 201');
$oa->ok('StreamingEndpoint', $r, 'create: shape');
like($r->{headers}{'azure-asyncoperation'} // '',
    qr{/streamingEndpointOperations/}, 'create: Azure-AsyncOperation');

my $e = $r->{json};
is($e->{location}, 'West US', 'location');
is_deeply($e->{tags}, { tag1 => 'value1' }, 'tags');
is($e->{properties}{resourceState}, 'Stopped', 'created Stopped');
is($e->{properties}{scaleUnits}, 1, 'scaleUnits');
is($e->{sku}{name}, 'Premium', 'sku Premium with scale units');
is($e->{sku}{capacity}, 1, 'sku capacity');
is($e->{properties}{maxCacheAge}, 300, 'maxCacheAge');
is_deeply($e->{properties}{customHostNames}, [ 'cdn.example.com' ],
    'customHostNames');
is_deeply($e->{properties}{crossSiteAccessPolicies},
    $body->{properties}{crossSiteAccessPolicies}, 'crossSiteAccessPolicies');
is_deeply($e->{properties}{accessControl}{ip}{allow},
    [ { name => 'lo', address => '127.0.0.1', subnetPrefixLength => undef },
      { address => '10.0.0.0', subnetPrefixLength => 8 } ],
    'accessControl.ip');
is($e->{properties}{accessControl}{akamai}
    {akamaiSignatureHeaderAuthenticationKeyList}[0]{identifier}, 'id1',
    'akamai keys stored');
is($e->{properties}{hostName}, $host, 'hostName');

$r = $t->api(PUT => 'streamingEndpoints/se2',
    { location => 'here', properties => { scaleUnits => 0 } },
    query => 'autoStart=true');
is($r->{status}, 201, 'create with autoStart');
is(state('se2'), 'Running', 'autoStart: Running');

my @bad = (
    [ { properties => { scaleUnits => 0 } }, 'location missing',
      'LocationRequired' ],
    [ { location => 'x', properties => {} }, 'scaleUnits missing' ],
    [ { location => 'x', properties => { scaleUnits => 11 } },
      'scaleUnits too large' ],
    [ { location => 'x', properties => { scaleUnits => 0,
        cdnEnabled => JSON::PP::true } }, 'cdnEnabled', 'NotSupported' ],
    [ { location => 'x', properties => { scaleUnits => 0,
        maxCacheAge => -1 } }, 'negative maxCacheAge' ],
    [ { location => 'x', properties => { scaleUnits => 0,
        customHostNames => [ 'a b' ] } }, 'bad host name' ],
    [ { location => 'x', properties => { scaleUnits => 0, accessControl =>
        { ip => { allow => [ { address => '300.1.1.1' } ] } } } },
      'bad address' ],
    [ { location => 'x', properties => { scaleUnits => 0, accessControl =>
        { ip => { allow => [ { address => '10.0.0.0',
                               subnetPrefixLength => 33 } ] } } } },
      'bad prefix' ],
    [ { location => 'x', properties => { scaleUnits => 0,
        crossSiteAccessPolicies => { clientAccessPolicy => 1 } } },
      'policy not a string' ],
    [ { location => 'x', tags => { a => 1 }, properties => { scaleUnits => 0 } },
      'tag not a string' ],
);

for my $b (@bad) {
    $r = $t->api(PUT => 'streamingEndpoints/bad', $b->[0]);
    is($r->{status}, 400, "$b->[1]: 400");
    is(code($r), $b->[2] // 'BadRequest', "$b->[1]: code");
}

is($t->api(PUT => 'streamingEndpoints/' . ('x' x 25),
    { location => 'x', properties => { scaleUnits => 0 } })->{status}, 400,
    'name longer than 24: 400');
is($t->api(PUT => 'streamingEndpoints/a_b',
    { location => 'x', properties => { scaleUnits => 0 } })->{status}, 400,
    'name with an underscore: 400');
is($t->api(GET => 'streamingEndpoints/bad')->{status}, 404,
    'refused ones not created');

# --- update ----------------------------------------------------------------

$r = $t->api(PATCH => 'streamingEndpoints/se1',
    { properties => { description => 'patched', maxCacheAge => undef,
                      accessControl => undef } });
is($r->{status}, 200, 'PATCH: 200');
$oa->ok('StreamingEndpoint', $r, 'PATCH: shape');
is($r->{json}{properties}{description}, 'patched', 'PATCH sets');
is($r->{json}{properties}{maxCacheAge}, undef, 'PATCH null removes');
ok(!$r->{json}{properties}{accessControl}, 'accessControl removed');
is($r->{json}{properties}{scaleUnits}, 1, 'PATCH keeps the rest');
is($r->{json}{location}, 'West US', 'PATCH keeps the location');

$r = $t->api(PUT => 'streamingEndpoints/se1',
    { location => 'West US', properties => { scaleUnits => 2 } });
is($r->{status}, 200, 'PUT existing: 200');
is($r->{json}{properties}{scaleUnits}, 2, 'PUT replaces');
is($r->{json}{properties}{created}, $e->{properties}{created},
    'created kept');

is($t->api(PATCH => 'streamingEndpoints/none',
    { properties => {} })->{status}, 404, 'PATCH missing: 404');

# --- scale -----------------------------------------------------------------

$r = $t->api(POST => 'streamingEndpoints/se1/scale', { scaleUnit => 3 });
is($r->{status}, 202, 'scale a stopped endpoint: 202');
is(state('se1'), 'Stopped', 'still Stopped');
is($t->api(GET => 'streamingEndpoints/se1')->{json}{properties}{scaleUnits},
    3, 'scaleUnits 3');

$r = $t->api(POST => 'streamingEndpoints/se2/scale', { scaleUnit => 2 });
is($r->{status}, 202, 'scale a running endpoint: 202');
is(Sluice::ApiRes::poll($t, $r)->{status}, 'Succeeded', 'scale completes');
is(state('se2'), 'Running', 'Running again');

$r = $t->api(POST => 'streamingEndpoints/se2/scale', { scaleUnit => 99 });
is($r->{status}, 400, 'scale out of range: 400');
$r = $t->api(POST => 'streamingEndpoints/se2/scale', {});
is($r->{status}, 400, 'scale without scaleUnit: 400');

# --- delete ----------------------------------------------------------------

$r = $t->api(DELETE => 'streamingEndpoints/se2');
is($r->{status}, 202, 'DELETE: 202');
is(Sluice::ApiRes::poll($t, $r)->{status}, 'Succeeded', 'DELETE completes');
is($t->api(GET => Sluice::ApiRes::rel($r->{headers}{location}))->{status},
    204, 'DELETE: operationLocations 204');
is($t->api(GET => 'streamingEndpoints/se2')->{status}, 404, 'deleted');
is($t->api(DELETE => 'streamingEndpoints/se2')->{status}, 204,
    'DELETE again: 204');

# --- timed transitions -----------------------------------------------------

Sluice::ApiRes::config($t, transition => '1s');
$t->stop();
$t->run();

is(state('se1'), 'Stopped', 'se1 after restart');
$r = $t->api(POST => 'streamingEndpoints/se1/start');
is($r->{status}, 202, 'timed start: 202');
is($r->{headers}{'retry-after'}, 1, 'Retry-After 1');
is(state('se1'), 'Starting', 'Starting');
is($t->api(GET => Sluice::ApiRes::rel($r->{headers}{location}))->{status},
    202, 'operationLocations 202 while starting');
is($t->api(POST => 'streamingEndpoints/se1/stop')->{status}, 409,
    'stop while starting: 409');
is(Sluice::ApiRes::poll($t, $r)->{status}, 'Succeeded', 'start completes');
is(state('se1'), 'Running', 'Running');

$r = $t->api(POST => 'streamingEndpoints/se1/scale', { scaleUnit => 1 });
is(state('se1'), 'Scaling', 'Scaling');
Sluice::ApiRes::poll($t, $r);
is(state('se1'), 'Running', 'Running after scaling');

# --- persistence ---------------------------------------------------------------

Sluice::ApiRes::config($t);
$t->stop();
$t->run();

is(state('se1'), 'Running', 'a running endpoint runs after a restart');

is($t->api(DELETE => 'streamingEndpoints/default')->{status}, 202,
    'the default endpoint can be deleted');
my $before = $t->api(GET => 'streamingEndpoints')->{json};

ok(Sluice::ApiRes::kill9($t), 'kill -9');
$t->run();

is_deeply($t->api(GET => 'streamingEndpoints')->{json}, $before,
    'same endpoints after kill -9');
is($t->api(GET => 'streamingEndpoints/default')->{status}, 404,
    'the default endpoint is made at the first start only');

$t->done_testing();
